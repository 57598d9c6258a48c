"""Which codes go together: co-occurrence within a turn or a segment."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .labels import sort_codes
from .table import Tables, load_tables


def cooccurrence(source, *, unit: str = "turn", codes: list[str] | None = None) -> pd.DataFrame:
    """How often two codes are carried by the same turn (or segment).

    Args:
        unit: ``"turn"`` (a turn carries the union of its segments' codes) or ``"segment"``.
        codes: the codes to cross (default: every code coded in the tables, codebook order).

    Returns:
        A square table (index and columns: codes); the diagonal counts the units carrying
        the code. Several groups are added up: use :meth:`Tables.select` to read one.
    """
    if unit not in ("turn", "segment"):
        raise ValueError(f"unit must be 'turn' or 'segment', not {unit!r}")
    tables: Tables = load_tables(source)
    keys = ["group", "session", "turn"] if unit == "turn" else ["group", "segment_id"]
    codes = codes if codes is not None else sort_codes(tables.codings["code"])
    units = tables.codings.groupby(keys)["code"].agg(frozenset)
    position = {c: i for i, c in enumerate(codes)}
    counts = np.zeros((len(codes), len(codes)), dtype="int64")
    for carried in units:
        present = [position[c] for c in carried if c in position]
        counts[np.ix_(present, present)] += 1
    return pd.DataFrame(counts, index=pd.Index(codes, name="code"),
                        columns=pd.Index(codes, name="code"))
