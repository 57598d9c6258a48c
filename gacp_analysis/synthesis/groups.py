"""Several groups side by side.

Every synthesis already keeps groups apart by their pseudonymised label (the
column ``group``); :func:`side_by_side` turns one of its tables into a
comparison with one column per group.
"""
from __future__ import annotations

import pandas as pd


def side_by_side(table: pd.DataFrame, *, index: str | list[str], value: str,
                 fill: float = 0) -> pd.DataFrame:
    """One column per group for ``value``, rows keyed by ``index``.

    Example: ``side_by_side(theme_counts([a, b]), index=["code"], value="count")`` compares
    how often each code was coded in each group (summed over sessions).
    """
    index = [index] if isinstance(index, str) else list(index)
    out = table.pivot_table(index=index, columns="group", values=value, aggfunc="sum",
                            fill_value=fill, sort=False)
    out = out[list(dict.fromkeys(table["group"]))]
    out.columns.name = "group"
    return out
