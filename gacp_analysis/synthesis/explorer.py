"""An interactive explorer of the codings for the supervisor (ipywidgets).

:func:`filter_codings` does the work (tested without widgets); :func:`explorer`
wires it to drop-downs and a session-range slider.
"""
from __future__ import annotations

import pandas as pd

from .labels import code_label, family_label, sort_codes, sort_families
from .table import Tables, load_tables

ALL = "(tous)"
LIMIT = 200  # rows shown at once


def filter_codings(source, *, family: str | None = None, code: str | None = None,
                   sessions: tuple[int, int] | None = None, role: str | None = None,
                   group: str | None = None) -> pd.DataFrame:
    """Codings in force restricted by family, code, session range (inclusive), role, group."""
    codings = load_tables(source).codings
    mask = pd.Series(True, index=codings.index)
    if family:
        mask &= codings["family"] == family
    if code:
        mask &= codings["code"] == code
    if sessions is not None:
        mask &= codings["session"].between(sessions[0], sessions[1])
    if role:
        mask &= codings["role"] == role
    if group:
        mask &= codings["group"] == group
    return codings[mask].reset_index(drop=True)


def explorer(source, *, columns: tuple[str, ...] = ("group", "session", "speaker", "role", "code",
                                                     "text")):
    """A widget to browse the codings: family, code, session range, role (and group).

    Returns:
        An ``ipywidgets.VBox``; display it in a notebook. Its attribute ``rows`` holds the
        codings currently shown.
    """
    import ipywidgets as widgets

    from .display import show

    tables: Tables = load_tables(source)
    codings = tables.codings
    numbers = sorted(tables.sessions["session"].unique()) or [0]
    family = widgets.Dropdown(description="Famille", options=[(ALL, "")] + [
        (family_label(f), f) for f in sort_families(codings["family"])])
    code = widgets.Dropdown(description="Code", options=[(ALL, "")] + [
        (code_label(c), c) for c in sort_codes(codings["code"])])
    sessions = widgets.IntRangeSlider(description="Séances", min=int(numbers[0]),
                                      max=int(numbers[-1]), value=(int(numbers[0]), int(numbers[-1])))
    role = widgets.Dropdown(description="Rôle", options=[(ALL, "")] + [
        (r, r) for r in sorted(codings["role"].dropna().unique())])
    group = widgets.Dropdown(description="Groupe", options=[(ALL, "")] + [(g, g) for g in tables.groups])
    # An HTML widget rather than an Output widget: no capture of the kernel's streams, so the
    # explorer also works when the notebook runs headless (papermill, nbconvert).
    out = widgets.HTML()
    controls = [family, code, sessions, role] + ([group] if len(tables.groups) > 1 else [])
    box = widgets.VBox([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), out])

    def refresh(_change=None) -> None:
        rows = filter_codings(tables, family=family.value or None, code=code.value or None,
                              sessions=sessions.value, role=role.value or None,
                              group=group.value or None)
        box.rows = rows
        shown = f" (les {LIMIT} premiers)" if len(rows) > LIMIT else ""
        out.value = (f"<p>{len(rows)} codage(s){shown}</p>"
                     + show(rows[list(columns)].head(LIMIT)).to_html())

    for widget in (family, code, sessions, role, group):
        widget.observe(refresh, names="value")
    refresh()
    return box
