"""Theme trajectories: how often each code (or family) is spoken of, session by session.

A theme's count in a session is the number of segments carrying it (for a
family: segments carrying at least one of its codes); its rate is that count
per 1,000 words of speech in the session (:mod:`gacp_analysis.corpus.turns`
counts the words). Every group is read against its own sessions.
"""
from __future__ import annotations

import pandas as pd

from .labels import sort_codes, sort_families
from .table import load_tables

STATUSES = ("nouveau", "persistant", "en retrait", "résolu", "ponctuel")


def _theme_column(level: str) -> str:
    if level not in ("code", "family"):
        raise ValueError(f"level must be 'code' or 'family', not {level!r}")
    return level


def theme_counts(source, *, level: str = "code", include_facilitator: bool = True) -> pd.DataFrame:
    """Counts and rates per 1,000 words of each theme in each session.

    Args:
        source: a group folder, several, or :class:`~gacp_analysis.synthesis.table.Tables`.
        level: ``"code"`` or ``"family"``.
        include_facilitator: count the facilitator's coded segments and words too.

    Returns:
        One row per group, session and theme seen in that group (zeros included):
        ``group, session, date, <level>, count, words, rate``.
    """
    column = _theme_column(level)
    tables = load_tables(source)
    codings, turns = tables.codings, tables.turns
    if not include_facilitator:
        codings = codings[~codings["is_facilitator"]]
        turns = turns[~turns["is_facilitator"]]
    words = (turns.groupby(["group", "session"])["words"].sum()
             .reindex(pd.MultiIndex.from_frame(tables.sessions[["group", "session"]]), fill_value=0))
    counts = (codings.drop_duplicates(["group", "segment_id", column])
              .groupby(["group", "session", column]).size())
    rows = []
    for group in tables.groups:
        themes = (sort_codes if column == "code" else sort_families)(
            codings.loc[codings["group"] == group, column])
        sessions = tables.sessions[tables.sessions["group"] == group]
        for session, date in zip(sessions["session"], sessions["date"]):
            n_words = int(words.get((group, session), 0))
            for theme in themes:
                count = int(counts.get((group, session, theme), 0))
                rows.append({"group": group, "session": session, "date": date, column: theme,
                             "count": count, "words": n_words,
                             "rate": 1000 * count / n_words if n_words else 0.0})
    return pd.DataFrame(rows, columns=["group", "session", "date", column, "count", "words", "rate"])


def theme_matrix(source, *, level: str = "code", value: str = "rate",
                 include_facilitator: bool = True) -> pd.DataFrame:
    """Themes × sessions, for a heatmap or a side-by-side reading.

    Returns:
        Index ``(group, <level>)`` in codebook order, columns session numbers, values
        ``value`` (``"rate"`` or ``"count"``).
    """
    column = _theme_column(level)
    counts = theme_counts(source, level=level, include_facilitator=include_facilitator)
    matrix = counts.pivot_table(index=["group", column], columns="session", values=value,
                                aggfunc="sum", sort=False)
    matrix.columns.name = "session"
    return matrix


def trajectories(source, *, level: str = "code", include_facilitator: bool = True) -> pd.DataFrame:
    """First appearance, recurrence, peak and fading of every theme.

    With ``L`` the group's last session (of the sessions given: select analysis
    sessions first with :meth:`Tables.select` if information and bilan sessions
    should not count):

    - ``first`` / ``last``: first and last session where the theme is coded;
    - ``sessions_present``: sessions where it is coded;
    - ``recurrence``: ``sessions_present`` / number of sessions from ``first`` to ``L``;
    - ``peak``: session of the highest rate (the earliest on a tie), ``peak_rate``;
    - ``status``: ``nouveau`` (first coded in ``L``), ``persistant`` (coded in ``L``
      and before), ``en retrait`` (coded in ``L`` and before, but at less than half its
      peak rate), ``résolu`` (coded in two sessions or more, no longer in ``L``),
      ``ponctuel`` (coded in a single session before ``L``).

    Returns:
        One row per group and theme: ``group, <level>, first, last, sessions_present,
        recurrence, peak, peak_rate, last_rate, status``.
    """
    column = _theme_column(level)
    counts = theme_counts(source, level=level, include_facilitator=include_facilitator)
    rows = []
    for (group, theme), rows_theme in counts.groupby(["group", column], sort=False):
        rows_theme = rows_theme.sort_values("session")
        sessions = list(rows_theme["session"])
        present = rows_theme[rows_theme["count"] > 0]
        last_session = sessions[-1]
        first, last = int(present["session"].min()), int(present["session"].max())
        span = sum(1 for s in sessions if s >= first)
        peak_row = present.loc[present["rate"].idxmax()]
        last_rate = float(rows_theme["rate"].iloc[-1])
        n_present = len(present)
        if last == last_session:
            if first == last_session:
                status = "nouveau"
            elif last_rate < peak_row["rate"] / 2:
                status = "en retrait"
            else:
                status = "persistant"
        else:
            status = "résolu" if n_present >= 2 else "ponctuel"
        rows.append({"group": group, column: theme, "first": first, "last": last,
                     "sessions_present": n_present, "recurrence": n_present / span,
                     "peak": int(peak_row["session"]), "peak_rate": float(peak_row["rate"]),
                     "last_rate": last_rate, "status": status})
    return pd.DataFrame(rows, columns=["group", column, "first", "last", "sessions_present",
                                       "recurrence", "peak", "peak_rate", "last_rate", "status"])


def themes_by_status(source, *, level: str = "code") -> dict[str, dict[str, list[str]]]:
    """``{group: {status: [themes]}}``: which themes are new, persistent, fading, resolved."""
    table = trajectories(source, level=level)
    out: dict[str, dict[str, list[str]]] = {}
    for group, rows in table.groupby("group", sort=False):
        out[group] = {status: list(rows.loc[rows["status"] == status, level]) for status in STATUSES}
    return out
