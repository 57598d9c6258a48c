"""What the bilan may cite: quotable excerpts, the quotes chosen for it, the memos marked for it.

A verbatim may appear in a written bilan only when it is masked and its speaker
gave ``consentement_citation: true``; the facilitator's own words are never
quoted as testimony. :func:`quotes` is the one place that applies that rule;
:func:`bilan_quotes` is the one place that chooses, among those, the passages
the annex quotes (``export/bilan.py`` only lays them out).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..corpus.group import Group, load_group
from ..errors import E, GacpError
from ..privacy import Masker
from ..store import open_store
from .labels import family_of, sort_codes
from .table import Tables, load_tables

QUOTE_MIN_WORDS = 6  # words of the coded sentence itself
QUOTE_TARGET_WORDS = 25  # a passage is grown to about this length
QUOTE_MAX_WORDS = 60
QUOTES_PER_CODE = 1
# Verbatims come from the analysis sessions and the bilan session, where the group puts
# things into words.
QUOTED_SESSION_TYPES = ("analyse", "bilan")

QUOTE_COLUMNS = ["group", "session", "date", "speaker", "role", "code", "text", "provenance",
                 "segment_id"]


def quotable(rows: pd.DataFrame) -> pd.Series:
    """Which rows of a codings or turns table may be quoted: the speaker consented (in the
    group file as it is now) and is not the animation. The one statement of the rule."""
    return rows["consent_quote"].astype(bool) & ~rows["is_facilitator"].astype(bool) \
        & rows["speaker"].notna()


def short_excerpt(text: str, words: int) -> str:
    """The first ``words`` words of a (masked) text, « (...) » marking what is left out."""
    parts = text.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " (...)"


def quotes(source, *, codes: Iterable[str] | str | None = None,
           sessions: Iterable[int] | None = None, per_code: int | None = None,
           human_only: bool = False) -> pd.DataFrame:
    """Excerpts that may be quoted in the bilan, masked, from consenting participants only.

    Args:
        source: a group folder, several, or their (masked) tables.
        codes: keep these codes, or whole families (``"debat"`` keeps ``debat.*``).
        sessions: keep these session numbers.
        per_code: at most this many excerpts per group and code (human-validated codings
            first, then in session order).
        human_only: only codings a person applied (validated excerpts).

    Returns:
        Columns :data:`QUOTE_COLUMNS`, one row per excerpt and code.

    Raises:
        GacpError: E306 for unmasked tables.
    """
    tables = load_tables(source)
    if not tables.masked:
        raise GacpError(E.E306)
    rows = tables.codings[quotable(tables.codings) & ~tables.codings["needs_review"]]
    if codes is not None:
        wanted = {codes} if isinstance(codes, str) else set(codes)
        rows = rows[rows["code"].isin(wanted) | rows["code"].map(family_of).isin(wanted)]
    if sessions is not None:
        rows = rows[rows["session"].isin(list(sessions))]
    if human_only:
        rows = rows[rows["provenance"] == "human"]
    rows = rows.assign(_h=(rows["provenance"] != "human")).sort_values(
        ["group", "code", "_h", "session", "start"], kind="stable")
    if per_code is not None:
        rows = rows.groupby(["group", "code"], sort=False).head(per_code)
    return (rows.sort_values(["group", "session", "start", "code"], kind="stable")
            [QUOTE_COLUMNS].reset_index(drop=True))


def bilan_memos(group: Group | str, *, masked: bool = True) -> pd.DataFrame:
    """The facilitator's memos marked for the bilan (``for_bilan``), masked by default.

    Returns:
        ``group, session, text, author, created_at, needs_review`` in session order
        (group-level memos first).
    """
    if not isinstance(group, Group):
        group = load_group(group)
    masker = Masker(group) if masked else (lambda text: text)
    with open_store(group.folder, create=False) as store:
        rows = store.bilan_memos()
    frame = pd.DataFrame(rows, columns=["session", "text", "author", "created_at", "needs_review"])
    frame["text"] = frame["text"].map(masker)
    frame["author"] = frame["author"].map(masker)
    frame["session"] = frame["session"].astype("Int64")
    frame["needs_review"] = frame["needs_review"].astype(bool)
    frame.insert(0, "group", group.label)
    return frame


@dataclass(frozen=True)
class Excerpt:
    """A passage chosen for the bilan: masked (known names and NER), from a consenting
    participant."""

    text: str
    speaker: str  # pseudonym
    session: int
    code: str
    segment_id: int


def turn_passages(group: Group) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """(session number, turn index) -> [(segment id, raw text)] in reading order."""
    with open_store(group.folder, create=False) as store:
        rows = store.turn_segments()
    out: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for number, turn, segment_id, text in rows:
        out.setdefault((number, turn), []).append((segment_id, text))
    return out


def passage(segments: list[tuple[int, str]], segment_id: int) -> tuple[str, int]:
    """The coded sentence with its neighbours in the turn, up to about :data:`QUOTE_TARGET_WORDS`.

    Sentences are added after, then before, while the passage stays under
    :data:`QUOTE_MAX_WORDS`; « (...) » marks speech left out of the turn.

    Returns:
        (raw text, number of words).
    """
    ids = [sid for sid, _ in segments]
    words = [len(text.split()) for _, text in segments]
    first = last = ids.index(segment_id)
    total = words[first]
    while total < QUOTE_TARGET_WORDS:
        if last + 1 < len(ids) and total + words[last + 1] <= QUOTE_MAX_WORDS:
            last += 1
            total += words[last]
        elif first > 0 and total + words[first - 1] <= QUOTE_MAX_WORDS:
            first -= 1
            total += words[first]
        else:
            break
    text = " ".join(t for _, t in segments[first:last + 1])
    if first > 0:
        text = "(...) " + text
    if last < len(ids) - 1:
        text += " (...)"
    return text, total


def bilan_quotes(tables: Tables, group: Group, *, masker: Masker | None = None,
                 per_code: int = QUOTES_PER_CODE) -> list[Excerpt]:
    """Verbatims for the annex: a few per code, only from participants who consented.

    Eligible excerpts come from :func:`quotes` (masked, participants consenting in
    the group file as it is now, never the animation, not waiting for review),
    in :data:`QUOTED_SESSION_TYPES`, whose coded sentence has at least
    :data:`QUOTE_MIN_WORDS` words. Each is quoted as a :func:`passage` of its
    turn (one quote per turn). For each code, in codebook order, the best
    candidate is taken: a person's coding before an automatic one, then the
    segment carrying the most codes, then the speaker quoted least so far (many
    voices rather than one), then the passage nearest to
    :data:`QUOTE_TARGET_WORDS`, then the earliest. Texts then go through
    :meth:`~gacp_analysis.privacy.Masker.quotes` (names found by NER).

    Args:
        tables: the group's masked tables (every session).
        group: the group (its store gives the turns' raw sentences).
    """
    masker = masker or Masker(group)
    eligible = quotes(tables.select(session_types=QUOTED_SESSION_TYPES))
    if eligible.empty:
        return []
    codings = tables.codings
    where = codings.drop_duplicates("segment_id").set_index("segment_id")[["turn", "start"]]
    eligible = eligible.join(where, on="segment_id")
    eligible = eligible[eligible["text"].str.split().str.len() >= QUOTE_MIN_WORDS]
    turns = turn_passages(group)
    passages = {sid: passage(turns[(int(n), int(t))], int(sid)) for sid, n, t in
                zip(eligible["segment_id"], eligible["session"], eligible["turn"])}
    richness = codings.groupby("segment_id")["code"].nunique()
    candidates = [
        {"code": r.code, "segment_id": int(r.segment_id), "session": int(r.session),
         "turn": int(r.turn), "speaker": r.speaker, "start": int(r.start),
         "human": r.provenance == "human", "richness": int(richness.get(r.segment_id, 1)),
         "text": passages[r.segment_id][0], "words": passages[r.segment_id][1]}
        for r in eligible.itertuples()]
    chosen: list[dict] = []
    used_turns: set[tuple[int, int]] = set()
    quoted: dict[str, int] = {}
    for code in sort_codes({c["code"] for c in candidates}):
        for _ in range(per_code):
            options = [c for c in candidates if c["code"] == code
                       and (c["session"], c["turn"]) not in used_turns]
            if not options:
                break
            best = min(options, key=lambda c: (
                not c["human"], -c["richness"], quoted.get(c["speaker"], 0),
                abs(c["words"] - QUOTE_TARGET_WORDS), c["session"], c["start"]))
            used_turns.add((best["session"], best["turn"]))
            quoted[best["speaker"]] = quoted.get(best["speaker"], 0) + 1
            chosen.append(best)
    texts = masker.quotes([c["text"] for c in chosen])
    return [Excerpt(text=text, speaker=c["speaker"], session=c["session"], code=c["code"],
                    segment_id=c["segment_id"]) for c, text in zip(chosen, texts)]
