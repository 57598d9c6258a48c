"""Keyword in context: find words (or lemmas) in the speech turns.

The search runs on the texts of the tables, masked by default: a real name
finds nothing, its pseudonym does. Filters select groups, sessions, speakers
(pseudonyms), roles and codes (a turn carries the union of its segments'
codes).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ..errors import E, GacpError
from .table import load_tables, turn_codes

KWIC_COLUMNS = ["group", "session", "date", "turn", "speaker", "role", "left", "match", "right",
                "codes"]


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def kwic(source, query: str, *, lemma: bool = False, width: int = 40,
         groups: Iterable[str] | str | None = None, sessions: Iterable[int] | int | None = None,
         speakers: Iterable[str] | str | None = None, roles: Iterable[str] | str | None = None,
         codes: Iterable[str] | str | None = None) -> pd.DataFrame:
    """Every occurrence of ``query`` with its left and right context.

    Args:
        source: a group folder, several, or their tables.
        query: one word or several (a phrase); case is ignored.
        lemma: match lemmas (« dormir » finds « dors », « dormi ») with the coder's spaCy
            pipeline, instead of the written words.
        width: characters of context on each side.
        groups, sessions, speakers, roles, codes: keep only these (a turn is kept when it
            carries at least one of ``codes``).

    Returns:
        One row per occurrence: columns :data:`KWIC_COLUMNS` (``codes``: the turn's codes,
        comma-separated).

    Raises:
        GacpError: E304 for an empty query.
    """
    words = query.split()
    if not words:
        raise GacpError(E.E304)
    turns = turn_codes(load_tables(source))
    for column, wanted in (("group", groups), ("session", sessions), ("speaker", speakers),
                           ("role", roles)):
        wanted = _as_list(wanted)
        if wanted is not None:
            turns = turns[turns[column].isin(wanted)]
    wanted_codes = _as_list(codes)
    if wanted_codes is not None:
        turns = turns[turns["codes"].map(lambda c: bool(c & set(wanted_codes)))]
    turns = turns.reset_index(drop=True)
    spans = _lemma_spans(list(turns["text"]), words) if lemma else _word_spans(turns["text"], words)
    rows = []
    for turn, found in zip(turns.itertuples(), spans):
        for start, end in found:
            text = turn.text
            rows.append({"group": turn.group, "session": turn.session, "date": turn.date,
                         "turn": turn.turn, "speaker": turn.speaker, "role": turn.role,
                         "left": text[max(0, start - width):start], "match": text[start:end],
                         "right": text[end:end + width], "codes": ", ".join(sorted(turn.codes))})
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def _word_spans(texts: Iterable[str], words: list[str]) -> list[list[tuple[int, int]]]:
    body = r"\s+".join(re.escape(w) for w in words)
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    return [[m.span() for m in pattern.finditer(text)] for text in texts]


# Lemmas of the texts already searched in this process (a notebook searches the same turns
# again and again): text -> ((lemma, start, end), ...).
_LEMMAS: dict[str, tuple[tuple[str, int, int], ...]] = {}


def _lemmas(texts: list[str]) -> list[tuple[tuple[str, int, int], ...]]:
    from ..coding.pipeline import load_pipeline

    todo = list(dict.fromkeys(t for t in texts if t not in _LEMMAS))
    if todo:
        nlp = load_pipeline()
        for text, doc in zip(todo, nlp.pipe(todo, batch_size=64)):
            _LEMMAS[text] = tuple((t.lemma_.casefold(), t.idx, t.idx + len(t.text))
                                  for t in doc if not t.is_space)
    return [_LEMMAS[t] for t in texts]


def _lemma_spans(texts: list[str], words: list[str]) -> list[list[tuple[int, int]]]:
    target = [lemma for lemma, _, _ in _lemmas([" ".join(words)])[0]]
    out = []
    for tokens in _lemmas(texts):
        lemmas = [lemma for lemma, _, _ in tokens]
        found = []
        for i in range(len(tokens) - len(target) + 1):
            if lemmas[i:i + len(target)] == target:
                found.append((tokens[i][1], tokens[i + len(target) - 1][2]))
        out.append(found)
    return out
