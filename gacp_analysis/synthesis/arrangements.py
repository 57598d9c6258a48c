"""Arrangements and their consequences.

An *arrangement* (``travail.arrangement``) is anchored on the speech turn that
carries it. Its consequences are the ``consequence.*`` codes carried by that
turn or by the next ``window`` speech turns of the same session (the group's
exchange goes on: a colleague often says what the arrangement does to them).
The constraint it answers is a ``travail.contrainte`` coded in that turn or in
the ``window`` speech turns before it.
"""
from __future__ import annotations

import pandas as pd

from .labels import ARRANGEMENT, CONSEQUENCE_FAMILY, CONSTRAINT, sort_codes
from .table import load_tables

LINK_COLUMNS = ["group", "session", "date", "turn", "speaker", "role", "arrangement", "consequence",
                "consequence_turn", "consequence_speaker", "distance", "consequence_text",
                "constraint", "constraint_text"]


def arrangement_links(source, *, window: int = 2) -> pd.DataFrame:
    """Links from each arrangement to the consequences named near it.

    Args:
        source: a group folder, several, or their tables.
        window: how many following (and, for constraints, preceding) speech turns to look at.

    Returns:
        One row per arrangement turn and consequence code (the nearest occurrence), with the
        supporting excerpts; an arrangement with no consequence nearby has one row whose
        ``consequence`` is None. Columns :data:`LINK_COLUMNS`; ``distance`` is 0 for the same
        turn, 1 for the next speech turn...
    """
    codings = load_tables(source).codings
    rows = []
    for (group, session), coded in codings.groupby(["group", "session"], sort=False):
        coded = coded.sort_values(["speech_rank", "start"])
        anchors = coded[coded["code"] == ARRANGEMENT]
        for rank, arrangement in anchors.groupby("speech_rank", sort=True):
            first = arrangement.iloc[0]
            after = coded[(coded["speech_rank"] >= rank) & (coded["speech_rank"] <= rank + window)
                          & (coded["family"] == CONSEQUENCE_FAMILY)]
            before = coded[(coded["speech_rank"] <= rank) & (coded["speech_rank"] >= rank - window)
                           & (coded["code"] == CONSTRAINT)]
            constraint_text = None
            if not before.empty:
                nearest = before[before["speech_rank"] == before["speech_rank"].max()].iloc[0]
                constraint_text = nearest["text"]
            base = {"group": group, "session": session, "date": first["date"],
                    "turn": int(first["turn"]), "speaker": first["speaker"], "role": first["role"],
                    "arrangement": " ".join(dict.fromkeys(arrangement["text"])),
                    "constraint": constraint_text is not None, "constraint_text": constraint_text}
            found = False
            for code in sort_codes(after["code"]):
                nearest = after[after["code"] == code].iloc[0]  # sorted: nearest turn, first segment
                rows.append({**base, "consequence": code, "consequence_turn": int(nearest["turn"]),
                             "consequence_speaker": nearest["speaker"],
                             "distance": int(nearest["speech_rank"] - rank),
                             "consequence_text": nearest["text"]})
                found = True
            if not found:
                rows.append({**base, "consequence": None, "consequence_turn": None,
                             "consequence_speaker": None, "distance": None,
                             "consequence_text": None})
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def arrangement_summary(source, *, window: int = 2) -> pd.DataFrame:
    """Arrangement → consequence links counted per session.

    Returns:
        Index ``(group, session)``, one column per consequence code (codebook order) plus
        ``arrangements`` (arrangement turns) and ``sans_consequence`` (those with none nearby).
    """
    links = source if isinstance(source, pd.DataFrame) else arrangement_links(source, window=window)
    keys = ["group", "session"]
    index = pd.MultiIndex.from_frame(links[keys].drop_duplicates())
    out = pd.DataFrame(index=index)
    out["arrangements"] = (links.drop_duplicates(keys + ["turn"]).groupby(keys).size()
                           .reindex(index, fill_value=0))
    out["sans_consequence"] = (links[links["consequence"].isna()].groupby(keys).size()
                               .reindex(index, fill_value=0))
    linked = links.dropna(subset=["consequence"])
    for code in sort_codes(linked["consequence"]):
        out[code] = (linked[linked["consequence"] == code].groupby(keys).size()
                     .reindex(index, fill_value=0))
    return out.astype("int64").sort_index()
