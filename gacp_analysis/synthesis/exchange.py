"""The group's exchange: what it debated, what it shared, and where it went next.

A *debate turn* is a speech turn coded ``debat.accord`` (a common reading) or
``debat.divergence``. It answers the previous speech turn, so it is about the
themes coded in itself and in that previous turn (when another speaker said
it). Themes are the codes that name what is talked about (not ``debat.*`` nor
``rationalite.*``).
"""
from __future__ import annotations

import pandas as pd

from .labels import is_theme, sort_codes
from .table import load_tables, turn_codes

KINDS = {"debat.accord": "accord", "debat.divergence": "divergence"}


def debate_turns(source) -> pd.DataFrame:
    """One row per debate turn and theme it is about.

    Returns:
        ``group, session, date, turn, speaker, role, kind ("accord" | "divergence"), theme,
        text`` (the debate turn's text, masked by default).
    """
    tables = load_tables(source)
    turns = turn_codes(tables)
    rows = []
    for (group, session), in_session in turns.groupby(["group", "session"], sort=False):
        in_session = in_session.sort_values("speech_rank")
        previous = None
        for turn in in_session.itertuples():
            about = {c for c in turn.codes if is_theme(c)}
            if previous is not None and previous.speaker != turn.speaker:
                about |= {c for c in previous.codes if is_theme(c)}
            for code, kind in KINDS.items():
                if code not in turn.codes:
                    continue
                for theme in sort_codes(about):
                    rows.append({"group": group, "session": session, "date": turn.date,
                                 "turn": turn.turn, "speaker": turn.speaker, "role": turn.role,
                                 "kind": kind, "theme": theme, "text": turn.text})
            previous = turn
    return pd.DataFrame(rows, columns=["group", "session", "date", "turn", "speaker", "role",
                                       "kind", "theme", "text"])


def debate_by_theme(source) -> pd.DataFrame:
    """For each theme, how much it was shared and debated, and by whom.

    Returns:
        One row per group and theme: ``group, theme, accord, divergence, speakers, roles,
        sessions`` (speakers, roles and sessions as sorted, comma-separated text), in
        codebook order.
    """
    rows = debate_turns(source)
    out = []
    for (group, theme), items in rows.groupby(["group", "theme"], sort=False):
        out.append({"group": group, "theme": theme,
                    "accord": int((items["kind"] == "accord").sum()),
                    "divergence": int((items["kind"] == "divergence").sum()),
                    "speakers": ", ".join(sorted(set(items["speaker"]))),
                    "roles": ", ".join(sorted(set(items["role"]))),
                    "sessions": ", ".join(str(s) for s in sorted(set(items["session"])))})
    frame = pd.DataFrame(out, columns=["group", "theme", "accord", "divergence", "speakers",
                                       "roles", "sessions"])
    return _codebook_order(frame, "theme")


def debate_by_session(source) -> pd.DataFrame:
    """Accord and divergence turns per theme and session: how the debate moved.

    Returns:
        ``group, session, theme, accord, divergence`` for the themes debated in a session.
    """
    rows = debate_turns(source)
    counts = (rows.groupby(["group", "session", "theme", "kind"]).size().unstack("kind")
              .reindex(columns=["accord", "divergence"], fill_value=0).fillna(0).astype("int64")
              .reset_index())
    counts.columns.name = None
    return _codebook_order(counts, "theme", keys=["group", "session"])


def theme_transitions(source, *, level: str = "code") -> pd.DataFrame:
    """Which theme the exchange moves on to (« rebond sur de nouveaux thèmes »).

    Consecutive speech turns carrying at least one theme are compared within a
    session (uncoded turns, such as a facilitator's relaunch, are skipped); each
    theme of the earlier turn is linked to each theme the later turn brings up
    that the earlier did not carry.

    Args:
        level: ``"code"`` or ``"family"``.

    Returns:
        ``group, from_theme, to_theme, count``, most frequent first.
    """
    from .labels import family_of

    tables = load_tables(source)
    turns = turn_codes(tables)
    rows = []
    for (group, _session), in_session in turns.groupby(["group", "session"], sort=False):
        previous: set[str] | None = None
        for turn in in_session.sort_values("speech_rank").itertuples():
            themes = {c for c in turn.codes if is_theme(c)}
            if level == "family":
                themes = {family_of(c) for c in themes}
            if not themes:
                continue
            if previous is not None:
                for a in sorted(previous):
                    for b in sorted(themes - previous):
                        rows.append({"group": group, "from_theme": a, "to_theme": b})
            previous = themes
    frame = pd.DataFrame(rows, columns=["group", "from_theme", "to_theme"])
    counts = frame.groupby(["group", "from_theme", "to_theme"], sort=False).size().rename("count")
    counts = counts.reset_index()
    groups = {g: i for i, g in enumerate(tables.groups)}
    return (counts.assign(_g=counts["group"].map(groups))
            .sort_values(["_g", "count", "from_theme", "to_theme"],
                         ascending=[True, False, True, True], kind="stable")
            .drop(columns="_g").reset_index(drop=True))


def _codebook_order(frame: pd.DataFrame, column: str, *, keys: list[str] | None = None) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(sort_codes(frame[column]))}
    keys = keys or []
    groups = {g: i for i, g in enumerate(dict.fromkeys(frame["group"]))}
    return (frame.assign(_g=frame["group"].map(groups), _o=frame[column].map(order))
            .sort_values(["_g", *[k for k in keys if k != "group"], "_o"], kind="stable")
            .drop(columns=["_g", "_o"]).reset_index(drop=True))
