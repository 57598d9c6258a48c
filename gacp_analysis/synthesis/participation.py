"""Participation: who speaks how much, session by session.

A facilitation aid (is someone silent? does one voice take all the room?),
never a score: codes are not counted per person here, and no synthesis of this
package ranks people by code.
"""
from __future__ import annotations

import pandas as pd

from .table import load_tables


def participation(source) -> pd.DataFrame:
    """Speaking share per speaker and session.

    Returns:
        ``group, session, date, speaker, role, is_facilitator, turns, words, turn_share,
        word_share`` where the shares are parts of the session's speech turns and words
        (facilitator included). Speakers are keyed by ``(group, speaker)``.
    """
    turns = load_tables(source).turns
    keys = ["group", "session", "date", "speaker", "role", "is_facilitator"]
    out = (turns.groupby(keys, sort=False)
           .agg(turns=("turn", "count"), words=("words", "sum")).reset_index())
    totals = out.groupby(["group", "session"])[["turns", "words"]].transform("sum")
    out["turn_share"] = out["turns"] / totals["turns"]
    out["word_share"] = (out["words"] / totals["words"]).fillna(0.0)
    return out.sort_values(["group", "session", "is_facilitator", "speaker"],
                           ascending=[True, True, False, True], kind="stable").reset_index(drop=True)


def participation_overview(source) -> pd.DataFrame:
    """Across all sessions: sessions where each person spoke, turns, words, share of words.

    Returns:
        ``group, speaker, role, is_facilitator, sessions, turns, words, word_share``
        (share of the group's words over all its sessions).
    """
    table = participation(source)
    out = (table.groupby(["group", "speaker", "role", "is_facilitator"], sort=False)
           .agg(sessions=("session", "nunique"), turns=("turns", "sum"), words=("words", "sum"))
           .reset_index())
    out["word_share"] = out["words"] / out.groupby("group")["words"].transform("sum")
    return out


def session_summary(source) -> pd.DataFrame:
    """The sessions of the dispositif: date, type, participants who spoke, turns, words.

    Counts people, not what each one said: fit for the bilan's « dispositif et
    participation ».

    Returns:
        ``group, session, date, session_type, participants, turns, words`` where
        ``participants`` counts the non-facilitators who spoke at least once.
    """
    tables = load_tables(source)
    turns = tables.turns
    speaking = (turns[~turns["is_facilitator"]].groupby(["group", "session"])["speaker"].nunique()
                .rename("participants"))
    out = tables.sessions.merge(speaking, left_on=["group", "session"], right_index=True, how="left")
    out["participants"] = out["participants"].fillna(0).astype("int64")
    return out[["group", "session", "date", "session_type", "participants", "turns", "words"]]
