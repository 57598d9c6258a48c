"""What never enters the store: real names, and the words of people who must not be kept.

Every transcript goes through :func:`protect_session` between the reader and
the store (``corpus.importer``):

- names are pseudonymised: every speaker's name and alias becomes their
  pseudonym, ``a_masquer`` names and the organisation a neutral mark (the
  :class:`~gacp_analysis.privacy.Masker` of the exports). The store, its
  caches and everything derived from them then hold pseudonyms only; the
  name <-> pseudonym key stays in ``groupe.yaml``;
- the turns of a participant who refused recording (or consented after the
  session) and of a participant erased with ``gacp forget`` are replaced by a
  marker event: their words are never stored, the other speakers' turns keep
  their place (the group's exchange stays readable).

Offsets are recomputed so that ``session.text[turn.start:turn.end] == turn.text``
still holds, and segments are split again from the protected text, exactly as
:func:`~gacp_analysis.corpus.turns.build_session` would have split it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import W
from ..models import Segment, Session, Turn

ERASED_MARKER = "[propos retirés à la demande de la personne]"
UNRECORDED_MARKER = "[propos non enregistrés : pas de consentement à l'enregistrement]"
ERASED_REASON = "retrait demandé par la personne (gacp forget)"


@dataclass(frozen=True)
class Withheld:
    """A speaker whose turns are replaced: the marker written and why (for the warning)."""

    marker: str
    reason: str


def protect_session(session: Session, mask, withheld: dict[str, Withheld]) -> Session:
    """The session as the store may keep it: names masked, withheld speakers' turns replaced.

    Args:
        session: as read from the transcript.
        mask: a callable text -> text replacing real names (a ``Masker``), or None.
        withheld: pseudonym -> :class:`Withheld` for the speakers whose words are not kept.
    """
    from ..corpus.segments import split_sentences

    turns: list[Turn] = []
    segments: list[Segment] = []
    pieces: list[str] = []
    offset = 0
    for turn in session.turns:
        hold = withheld.get(turn.speaker) if turn.kind == "speech" else None
        if hold is not None:
            turn = replace(turn, kind="event", speaker=None, text=hold.marker)
        elif mask is not None:
            turn = replace(turn, text=mask(turn.text))
        turn = replace(turn, start=offset, end=offset + len(turn.text))
        turns.append(turn)
        if turn.kind == "speech":
            for seg_index, (s, e) in enumerate(split_sentences(turn.text)):
                segments.append(Segment(turn_index=turn.index, index=seg_index,
                                        text=turn.text[s:e], start=offset + s, end=offset + e))
        pieces.append(turn.text)
        offset += len(turn.text) + 1
    return replace(session, text="\n".join(pieces), turns=tuple(turns), segments=tuple(segments))


def withheld_speakers(group, session_date, erased: set[str]) -> dict[str, Withheld]:
    """Pseudonym -> :class:`Withheld` for one session: erased people, then refused recording."""
    from .consent import recording_withheld

    out = {p: Withheld(ERASED_MARKER, ERASED_REASON) for p in erased}
    for speaker in group.speakers():
        if speaker.pseudonym in out:
            continue
        reason = recording_withheld(speaker, session_date)
        if reason:
            out[speaker.pseudonym] = Withheld(UNRECORDED_MARKER, reason)
    return out


def protect_sessions(group, sessions: list[Session], erased: set[str], *,
                     mask=None) -> tuple[list[Session], list[str]]:
    """:func:`protect_session` for every session of a group, with one W700 per session and reason.

    Args:
        erased: pseudonyms erased with ``gacp forget`` (from the store).
        mask: the group's ``Masker`` (built here when not given).
    """
    if mask is None:
        from ..privacy import Masker

        mask = Masker(group)
    out, warnings = [], []
    for session in sessions:
        withheld = withheld_speakers(group, session.meta.date, erased)
        counts: dict[tuple[str, str], list[str]] = {}
        for turn in session.turns:
            hold = withheld.get(turn.speaker) if turn.kind == "speech" else None
            if hold is not None:
                counts.setdefault((hold.marker, hold.reason), []).append(turn.speaker)
        for (marker, reason), speakers in counts.items():
            warnings.append(W.W700.format(
                path=Path(group.folder) / session.source, number=session.meta.number,
                count=len(speakers), speakers=", ".join(sorted(set(speakers))), marker=marker,
                reason=reason))
        out.append(protect_session(session, mask, withheld))
    return out, warnings
