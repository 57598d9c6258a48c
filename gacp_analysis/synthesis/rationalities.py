"""Rationality profiles: which reasons justify which themes, and how their balance moves.

A rationality (``rationalite.*``) justifies the themes coded in the same speech
turn (a turn carries the union of its segments' codes).
"""
from __future__ import annotations

import pandas as pd

from .labels import RATIONALITIES, is_theme, sort_codes
from .table import load_tables, turn_codes


def rationality_profile(source) -> pd.DataFrame:
    """Theme × rationality: the number of turns where a theme and a rationality go together.

    Returns:
        Index ``(group, theme)`` (codebook order, themes justified at least once), one
        column per rationality.
    """
    tables = load_tables(source)
    rows = []
    for turn in turn_codes(tables).itertuples():
        reasons = [c for c in RATIONALITIES if c in turn.codes]
        for theme in (c for c in turn.codes if is_theme(c)):
            for reason in reasons:
                rows.append({"group": turn.group, "theme": theme, "rationality": reason})
    frame = pd.DataFrame(rows, columns=["group", "theme", "rationality"])
    table = pd.crosstab([frame["group"], frame["theme"]], frame["rationality"])
    table = table.reindex(columns=list(RATIONALITIES), fill_value=0)
    order = {c: i for i, c in enumerate(sort_codes(frame["theme"]))}
    groups = {g: i for i, g in enumerate(tables.groups)}
    table = table.sort_index(key=lambda idx: idx.map(groups) if idx.name == "group"
                             else idx.map(order))
    table.columns.name = "rationality"
    return table


def rationality_balance(source) -> pd.DataFrame:
    """Segments coded with each rationality per session, and their shares.

    Returns:
        One row per group, session and rationality: ``group, session, date, rationality,
        count, share`` where ``share`` is the rationality's part of the session's
        rationality codings (0.0 when the session has none).
    """
    tables = load_tables(source)
    counts = (tables.codings[tables.codings["code"].isin(RATIONALITIES)]
              .groupby(["group", "session", "code"]).size())
    rows = []
    for session in tables.sessions.itertuples():
        total = sum(int(counts.get((session.group, session.session, r), 0)) for r in RATIONALITIES)
        for reason in RATIONALITIES:
            count = int(counts.get((session.group, session.session, reason), 0))
            rows.append({"group": session.group, "session": session.session,
                         "date": session.date, "rationality": reason, "count": count,
                         "share": count / total if total else 0.0})
    return pd.DataFrame(rows, columns=["group", "session", "date", "rationality", "count", "share"])
