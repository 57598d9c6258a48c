"""What every reader shares: speaker labels, events, timestamps, and building a session.

Readers turn a file into :class:`RawTurn` records (one per labelled line,
paragraph or cue) and :func:`build_session` turns those into the session's
normalised text with exact offsets: turns are joined by ``\\n`` and
``session.text[turn.start:turn.end] == turn.text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import E, GacpError
from ..models import Segment, Session, SessionMeta, Turn
from .group import Group
from .segments import split_sentences

# [hh:mm:ss] or [mm:ss], optionally with fractions, at line start.
TIMESTAMP_RE = re.compile(r"^\s*\[(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\]\s*")
# A whole line in parentheses or brackets: a non-verbal event.
EVENT_RE = re.compile(r"^\s*(?:\([^()]*\)|\[[^\[\]]*\])\s*$")
# Inline events inside speech, excluded from word counts.
INLINE_EVENT_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# A candidate label: up to 40 characters before a colon at line start.
LABEL_RE = re.compile(r"^\s*(?P<label>[^\s:\[\](){}\"«»][^:\n]{0,39}?)\s*:(?!\d)\s*(?P<rest>.*)$")
_PARTICLES = {"de", "du", "des", "le", "la", "van", "von", "d'", "da", "di", "el", "ben"}


@dataclass(frozen=True)
class RawTurn:
    """One labelled unit of a source file, before labels are resolved."""

    line: int
    label: str | None  # None: continues the previous turn (or is an event)
    text: str
    timestamp: float | None = None
    event: bool = False


def parse_timestamp(line: str) -> tuple[float | None, str]:
    """Strip a leading ``[hh:mm:ss]``; return (seconds or None, rest of line)."""
    m = TIMESTAMP_RE.match(line)
    if not m:
        return None, line
    hours, minutes, seconds, frac = m.groups()
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        value += int(frac) / 10 ** len(frac)
    return float(value), line[m.end():]


def is_event(text: str) -> bool:
    """True for a text wholly in parentheses or brackets: ``(rires)``, ``[inaudible]``."""
    return bool(EVENT_RE.match(text))


def looks_like_label(candidate: str) -> bool:
    """A short capitalised name before a colon, as opposed to speech (« elle m'a dit : »)."""
    words = candidate.split()
    if not 1 <= len(words) <= 3 or len(candidate) > 30:
        return False
    if candidate.isupper():
        return True
    for word in words:
        if word.casefold() in _PARTICLES:
            continue
        if not word[0].isupper() or any(ch.isdigit() for ch in word):
            return False
    return True


def split_label(line: str, group: Group, *, path: Path | str, line_no: int | str) -> tuple[str, str] | None:
    """Split ``Label : text``; None when the line does not start a turn.

    Raises:
        GacpError: E110 when the line starts with something that looks like a label
            but is no known name or alias.
    """
    m = LABEL_RE.match(line)
    if not m:
        return None
    label = m.group("label").strip().strip("*_").strip()
    if group.resolve(label) is not None:
        return label, m.group("rest")
    if looks_like_label(label):
        raise GacpError(E.E110, path=path, line=line_no, label=label,
                        closest=", ".join(group.closest_names(label)))
    return None


def speech_words(text: str) -> int:
    """Whitespace-separated words of speech, inline events such as ``(rires)`` excluded.

    The marks masking writes at import (« [nom masqué] », « [structure] ») stand for
    words said: they are counted, not taken for events.
    """
    from ..privacy import MASK, ORGANISATION_MASK

    marks = (MASK, ORGANISATION_MASK)
    return len(INLINE_EVENT_RE.sub(lambda m: m.group() if m.group() in marks else " ", text).split())


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def build_session(raw: list[RawTurn], *, meta: SessionMeta, group: Group, path: Path,
                  source: str, warnings: list[str], merge_same_speaker: bool = False) -> Session:
    """Resolve labels, merge continuations, compute offsets and segments.

    Args:
        raw: the reader's units in file order. A unit with ``label=None`` that is
            not an event continues the previous speech turn.
        merge_same_speaker: subtitle formats cut one turn into many cues; merge
            consecutive cues of one speaker into one turn.

    Raises:
        GacpError: E116 when no speech turn is found.
    """
    from ..errors import W

    units: list[dict] = []  # mutable while merging
    last_speech: dict | None = None
    orphan_warned = False
    for unit in raw:
        text = normalise_space(unit.text)
        if not text:
            if unit.label is not None:  # a label with no text yet: the text may follow
                speaker = group.resolve(unit.label)
                last_speech = {"kind": "speech", "speaker": speaker.pseudonym, "parts": [],
                               "line": unit.line, "timestamp": unit.timestamp}
                units.append(last_speech)
            continue
        if unit.event:
            units.append({"kind": "event", "speaker": None, "parts": [text], "line": unit.line,
                          "timestamp": unit.timestamp})
            continue
        if unit.label is None:
            if last_speech is None:
                if not orphan_warned:  # one warning, not one per line of a title block
                    warnings.append(W.W105.format(path=path, line=unit.line, excerpt=text[:60]))
                    orphan_warned = True
                continue
            last_speech["parts"].append(text)
            continue
        speaker = group.resolve(unit.label)
        if (merge_same_speaker and last_speech is not None and units and units[-1] is last_speech
                and last_speech["speaker"] == speaker.pseudonym):
            last_speech["parts"].append(text)
            continue
        last_speech = {"kind": "speech", "speaker": speaker.pseudonym, "parts": [text],
                       "line": unit.line, "timestamp": unit.timestamp}
        units.append(last_speech)

    units = [u for u in units if u["parts"]]
    if not any(u["kind"] == "speech" for u in units):
        raise GacpError(E.E116, path=path)

    turns: list[Turn] = []
    segments: list[Segment] = []
    pieces: list[str] = []
    offset = 0
    for index, unit in enumerate(units):
        text = " ".join(unit["parts"])
        turn = Turn(index=index, kind=unit["kind"], speaker=unit["speaker"], text=text,
                    start=offset, end=offset + len(text), line=unit["line"],
                    timestamp=unit["timestamp"])
        turns.append(turn)
        if turn.kind == "speech":
            for seg_index, (s, e) in enumerate(split_sentences(text)):
                segments.append(Segment(turn_index=index, index=seg_index, text=text[s:e],
                                        start=offset + s, end=offset + e))
        pieces.append(text)
        offset += len(text) + 1
    return Session(meta=meta, source=source, text="\n".join(pieces), turns=tuple(turns),
                   segments=tuple(segments), warnings=tuple(warnings))
