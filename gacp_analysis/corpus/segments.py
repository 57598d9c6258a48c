"""Segments: sentences inside a speech turn, the unit of coding.

Segmentation is deterministic and model-free so that segment boundaries (and
the codings and memos attached to them) do not move when the coder or the
spaCy model changes. Transcribed speech has few full stops, so very short
fragments (« Oui. ») are joined to the next sentence and very long unpunctuated
stretches are cut at the comma nearest their middle.
"""
from __future__ import annotations

import re

# End of sentence: . ! ? … (possibly repeated), optional closing quotes/brackets, then space.
_BOUNDARY_RE = re.compile(r"(?:[.!?]+|…)(?:[ \u00a0\u202f]?[»”])?[\"’)\]]*(?=\s)")
_ABBREVIATIONS = {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "etc", "cf",
                  "ex", "p", "n°", "vs", "av", "bd", "j", "h"}
MIN_WORDS = 3
MAX_WORDS = 60


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop ending at ``end`` closes an abbreviation (« M. Duval »)."""
    if text[end - 1] != "." or (end >= 2 and text[end - 2] == "."):
        return False
    start = end - 1
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(«\"'’":
        start -= 1
    word = text[start:end - 1].casefold()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _raw_sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY_RE.finditer(text):
        end = m.end()
        if m.group()[:2].rstrip(" \u00a0\u202f»\"”’)]") == "." and _is_abbreviation(text, m.start() + 1):
            continue
        if m.group().startswith(("...", "…")):
            nxt = text[end:].lstrip()[:1]
            if nxt and not nxt.isupper():  # hesitation « et puis... bon »: same sentence
                continue
        spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _words(text: str, span: tuple[int, int]) -> int:
    return len(text[span[0]:span[1]].split())


def _cut_long(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Cut a span longer than MAX_WORDS at the comma nearest its middle, recursively."""
    s, e = span
    if _words(text, span) <= MAX_WORDS:
        return [span]
    middle = (s + e) // 2
    commas = [m.end() for m in re.finditer(r",(?=\s)", text[s:e])]
    if not commas:
        return [span]
    cut = s + min(commas, key=lambda c: abs(s + c - middle))
    right = cut
    while right < e and text[right].isspace():
        right += 1
    if _words(text, (s, cut)) < MIN_WORDS or _words(text, (right, e)) < MIN_WORDS:
        return [span]
    return _cut_long(text, (s, cut)) + _cut_long(text, (right, e))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a turn's text into segment spans ``(start, end)``, relative to ``text``.

    The spans cover every word of the text, in order, without overlap; the
    whitespace between two spans belongs to neither.
    """
    spans = _raw_sentences(text)
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for span in spans:
        if pending is not None:
            span = (pending[0], span[1])
            pending = None
        if _words(text, span) < MIN_WORDS:
            pending = span
            continue
        merged.append(span)
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], pending[1])
        else:
            merged.append(pending)
    result: list[tuple[int, int]] = []
    for span in merged:
        result.extend(_cut_long(text, span))
    return result
