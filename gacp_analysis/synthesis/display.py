"""Showing a synthesis table to a French reader (notebooks, the HTML bilan)."""
from __future__ import annotations

import pandas as pd

from .labels import french


def show(df: pd.DataFrame, *, caption: str | None = None, index: bool = False, precision: int = 1):
    """A styled table: French headers and labels, French decimals, optional caption.

    Args:
        df: a table of this package.
        caption: a sentence saying what the table shows.
        index: keep the index (useful for matrices such as theme × rationality).
        precision: decimals for floats.

    Returns:
        A pandas ``Styler`` (displayed as an HTML table in a notebook).
    """
    shown = french(df)
    if not index:
        shown = shown.reset_index(drop=True)
    styler = shown.style.format(precision=precision, decimal=",", thousands="\u202f", na_rep="")
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler
