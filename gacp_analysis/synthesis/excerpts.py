"""What the bilan may cite: quotable excerpts and the memos marked for it.

A verbatim may appear in a written bilan only when it is masked and its speaker
gave ``consentement_citation: true``; the facilitator's own words are never
quoted as testimony. :func:`quotes` is the one place that applies that rule.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..corpus.group import Group, load_group
from ..errors import E, GacpError
from ..privacy import Masker
from ..store import open_store
from .labels import family_of
from .table import load_tables

QUOTE_COLUMNS = ["group", "session", "date", "speaker", "role", "code", "text", "provenance",
                 "segment_id"]


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
    rows = tables.codings[tables.codings["consent_quote"] & ~tables.codings["is_facilitator"]
                          & ~tables.codings["needs_review"]]
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
        rows = [dict(r) for r in store.execute(
            "SELECT s.number AS session, m.text, m.author, m.created_at, m.needs_review "
            "FROM memos m LEFT JOIN sessions s ON s.id = m.session_id WHERE m.for_bilan = 1 "
            "ORDER BY s.number IS NOT NULL, s.number, m.id")]
    frame = pd.DataFrame(rows, columns=["session", "text", "author", "created_at", "needs_review"])
    frame["text"] = frame["text"].map(masker)
    frame["author"] = frame["author"].map(masker)
    frame["session"] = frame["session"].astype("Int64")
    frame["needs_review"] = frame["needs_review"].astype(bool)
    frame.insert(0, "group", group.label)
    return frame
