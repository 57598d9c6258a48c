"""Figures of the syntheses: one function per figure, each returning a matplotlib Figure.

Figures are built on the Agg canvas without pyplot (no global state, no
window), with French labels, the Okabe-Ito colour-blind-safe palette (with
markers and hatches so they read in black and white) and the viridis colour
map for matrices. Several groups give one panel per group, side by side.
Every function takes ``path=`` to save a PNG as well.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .arrangements import arrangement_links, arrangement_summary
from .cooccurrence import cooccurrence
from .exchange import debate_by_theme
from .labels import (CONSEQUENCE_FAMILY, RATIONALITIES, code_label, code_order, family_label,
                     family_of, sort_codes, sort_families)
from .participation import participation
from .rationalities import rationality_balance
from .table import load_tables
from .trajectories import theme_counts, theme_matrix

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
CMAP = "viridis"
DPI = 150


def palette(n: int) -> list[str]:
    """``n`` colours of the Okabe-Ito palette (repeated beyond eight)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png", metadata={"Software": "gacp-analysis"})
    return fig


def _legend_below(fig: Figure, ax, *, ncols: int) -> None:
    """The first panel's legend, once for the figure, below the panels."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, fontsize=8)


def _most_sessions(tables) -> int:
    """The largest number of sessions of one group (sizes the figure's height)."""
    return max((len(tables.sessions[tables.sessions["group"] == g]) for g in tables.groups), default=1)


def _panels(fig: Figure, groups: list[str], *, sharey: bool = True):
    axes = fig.subplots(1, max(1, len(groups)), sharey=sharey, squeeze=False)[0]
    return list(axes)


def _empty(ax, message: str = "Aucun codage") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def _label(level: str, theme: str) -> str:
    return code_label(theme) if level == "code" else family_label(theme)


def heatmap_themes(source, *, level: str = "code", value: str = "rate",
                   path: str | Path | None = None) -> Figure:
    """Themes × sessions heatmap (rates per 1,000 words by default, values written in cells)."""
    tables = load_tables(source)
    matrix = theme_matrix(tables, level=level, value=value)
    groups = tables.groups
    themes = list(dict.fromkeys(matrix.index.get_level_values(1))) or ["-"]
    n_sessions = max((len(tables.sessions[tables.sessions["group"] == g]) for g in groups), default=1)
    fig = _figure(3.2 + 0.55 * n_sessions * len(groups), 1.6 + 0.32 * len(themes))
    axes = _panels(fig, groups)
    vmax = float(np.nanmax(matrix.values)) if matrix.size else 1.0
    image = None
    for ax, group in zip(axes, groups):
        if group not in matrix.index.get_level_values(0):
            _empty(ax)
            ax.set_title(group)
            continue
        data = matrix.loc[group].reindex(themes)
        sessions = [c for c in data.columns if not data[c].isna().all()]
        data = data[sessions]
        image = ax.imshow(data.values.astype(float), cmap=CMAP, aspect="auto", vmin=0,
                          vmax=vmax or 1.0)
        for (i, j), v in np.ndenumerate(data.values.astype(float)):
            if np.isnan(v) or v == 0:
                continue
            if value != "rate":
                shown = f"{int(v)}"
            else:  # a rate below 1 per 1,000 words is not shown as 0
                shown = f"{v:.0f}" if v >= 1 else f"{v:.1f}".replace(".", ",")
            ax.text(j, i, shown, ha="center",
                    va="center", fontsize=7, color="white" if v < 0.6 * vmax else "black")
        ax.set_xticks(range(len(sessions)), [str(s) for s in sessions])
        ax.set_yticks(range(len(themes)), [_label(level, t) for t in themes])
        ax.set_xlabel("Séance")
        ax.set_title(group)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8,
                     label="pour 1 000 mots" if value == "rate" else "segments codés")
    fig.suptitle("Thèmes abordés, séance par séance")
    return _finish(fig, path)


def plot_trajectories(source, *, level: str = "family", themes: list[str] | None = None,
                      path: str | Path | None = None) -> Figure:
    """Rates per 1,000 words across sessions, one line per theme (families by default)."""
    tables = load_tables(source)
    counts = theme_counts(tables, level=level)
    groups = tables.groups
    fig = _figure(2.5 + 4.0 * len(groups), 4.2)
    axes = _panels(fig, groups)
    everything = themes or (sort_codes if level == "code" else sort_families)(counts[level])
    style = {theme: i for i, theme in enumerate(everything)}  # one style per theme in all panels
    for ax, group in zip(axes, groups):
        rows = counts[counts["group"] == group]
        if rows.empty:
            _empty(ax)
        for theme in everything:
            line = rows[rows[level] == theme]
            if line.empty:
                continue
            i = style[theme]
            ax.plot(line["session"], line["rate"], marker=MARKERS[i % len(MARKERS)],
                    color=OKABE_ITO[i % len(OKABE_ITO)], linestyle="-" if i < 8 else "--",
                    label=_label(level, theme))
        ax.set_xlabel("Séance")
        ax.set_title(group)
        if not rows.empty:
            ax.set_xticks(sorted(rows["session"].unique()))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Pour 1 000 mots")
    seen: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    order = [_label(level, t) for t in everything if _label(level, t) in seen]
    if order:
        fig.legend([seen[label] for label in order], order, loc="outside right center", fontsize=8)
    fig.suptitle("Trajectoires des thèmes")
    return _finish(fig, path)


def plot_cooccurrence(source, *, unit: str = "turn", path: str | Path | None = None) -> Figure:
    """Code × code matrix: how often two codes share a turn (or a segment)."""
    tables = load_tables(source)
    groups = tables.groups
    matrices = {g: cooccurrence(tables.select(groups=[g]), unit=unit) for g in groups}
    n = max((len(m) for m in matrices.values()), default=1)
    fig = _figure(1.5 + (2.0 + 0.32 * n) * len(groups), 2.0 + 0.32 * n)
    axes = _panels(fig, groups, sharey=False)
    for ax, group in zip(axes, groups):
        matrix = matrices[group]
        if matrix.empty:
            _empty(ax)
            ax.set_title(group)
            continue
        ax.imshow(matrix.values, cmap=CMAP, vmin=0)
        vmax = matrix.values.max() or 1
        for (i, j), v in np.ndenumerate(matrix.values):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=6,
                        color="white" if v < 0.6 * vmax else "black")
        labels = [code_label(c) for c in matrix.index]
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_title(group)
    fig.suptitle("Codes qui vont ensemble (" + ("même tour de parole" if unit == "turn"
                                                 else "même segment") + ")")
    return _finish(fig, path)


def _stacked_bars(ax, table: pd.DataFrame, columns: list[str], labels: list[str],
                  styles: list[int] | None = None) -> None:
    left = np.zeros(len(table))
    y = np.arange(len(table))
    styles = styles if styles is not None else list(range(len(columns)))
    for i, column, label in zip(styles, columns, labels):
        values = table[column].to_numpy(dtype=float)
        # Past eight, colours come round again with another hatch: no two series alike.
        ax.barh(y, values, left=left, color=OKABE_ITO[i % len(OKABE_ITO)],
                hatch=HATCHES[(i + i // len(OKABE_ITO)) % len(HATCHES)], edgecolor="black",
                linewidth=0.4, label=label)
        left += values
    ax.set_yticks(y, [f"Séance {s}" for s in table.index])
    ax.invert_yaxis()


def plot_arrangements(source, *, window: int = 2, path: str | Path | None = None) -> Figure:
    """Arrangement → consequence links per session, stacked by consequence."""
    tables = load_tables(source)
    summary = arrangement_summary(arrangement_links(tables, window=window))
    consequences = [c for c in summary.columns if c.startswith("consequence.")]
    every = [c for c in code_order() if family_of(c) == CONSEQUENCE_FAMILY]
    styles = [every.index(c) if c in every else len(every) + i for i, c in enumerate(consequences)]
    groups = tables.groups
    fig = _figure(2.5 + 4.0 * len(groups), 1.8 + 0.45 * max(1, len(summary) // max(1, len(groups))))
    axes = _panels(fig, groups, sharey=False)
    for ax, group in zip(axes, groups):
        if summary.empty or group not in summary.index.get_level_values(0) or not consequences:
            _empty(ax, "Aucun arrangement relié")
            ax.set_title(group)
            continue
        _stacked_bars(ax, summary.loc[group], consequences, [code_label(c) for c in consequences],
                      styles)
        ax.set_xlabel("Liens arrangement → conséquence")
        ax.set_title(group)
    _legend_below(fig, axes[0], ncols=2)
    fig.suptitle("Arrangements et leurs conséquences")
    return _finish(fig, path)


def plot_rationalities(source, *, path: str | Path | None = None) -> Figure:
    """Balance of the three rationalities, session by session (shares, stacked)."""
    tables = load_tables(source)
    balance = rationality_balance(tables)
    groups = tables.groups
    per_group = _most_sessions(tables)
    fig = _figure(2.5 + 4.0 * len(groups), 1.8 + 0.4 * per_group)
    axes = _panels(fig, groups, sharey=False)
    labels = [code_label(r) for r in RATIONALITIES]
    for ax, group in zip(axes, groups):
        table = (balance[balance["group"] == group]
                 .pivot_table(index="session", columns="rationality", values="share", sort=False)
                 .reindex(columns=list(RATIONALITIES), fill_value=0))
        _stacked_bars(ax, table, list(RATIONALITIES), labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Part des justifications")
        ax.set_title(group)
    _legend_below(fig, axes[0], ncols=3)
    fig.suptitle("Les rationalités mobilisées")
    return _finish(fig, path)


def plot_debate(source, *, path: str | Path | None = None) -> Figure:
    """Per theme: divergence turns to the left, common readings to the right."""
    tables = load_tables(source)
    table = debate_by_theme(tables)
    groups = tables.groups
    n = max((int((table["group"] == g).sum()) for g in groups), default=1)
    fig = _figure(3.0 + 4.0 * len(groups), 1.8 + 0.35 * max(1, n))
    axes = _panels(fig, groups, sharey=False)
    for ax, group in zip(axes, groups):
        rows = table[table["group"] == group]
        if rows.empty:
            _empty(ax, "Aucun échange codé")
            ax.set_title(group)
            continue
        y = np.arange(len(rows))
        ax.barh(y, -rows["divergence"], color=OKABE_ITO[5], hatch="//", edgecolor="black",
                linewidth=0.4, label="Divergence")
        ax.barh(y, rows["accord"], color=OKABE_ITO[4], edgecolor="black", linewidth=0.4,
                label="Lecture commune")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [code_label(t) for t in rows["theme"]])
        ax.invert_yaxis()
        limit = max(1, int(rows[["accord", "divergence"]].to_numpy().max()))
        ax.set_xlim(-limit - 0.5, limit + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, symmetric=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{abs(v):.0f}"))
        ax.set_xlabel("Tours de parole (← divergence | lecture commune →)")
        ax.set_title(group)
    _legend_below(fig, axes[0], ncols=2)
    fig.suptitle("Divergences et lectures communes, par thème")
    return _finish(fig, path)


def plot_participation(source, *, path: str | Path | None = None) -> Figure:
    """Share of words per speaker, session by session (a facilitation aid)."""
    tables = load_tables(source)
    table = participation(tables)
    groups = tables.groups
    per_group = _most_sessions(tables)
    fig = _figure(3.0 + 4.0 * len(groups), 2.0 + 0.4 * per_group)
    axes = _panels(fig, groups, sharey=False)
    for ax, group in zip(axes, groups):
        rows = table[table["group"] == group]
        shares = rows.pivot_table(index="session", columns="speaker", values="word_share",
                                  fill_value=0, sort=False)
        speakers = list(dict.fromkeys(rows["speaker"]))
        shares = shares.reindex(columns=speakers, fill_value=0)
        _stacked_bars(ax, shares, speakers, speakers)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Part des mots prononcés")
        ax.set_title(group)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    fig.suptitle("Prise de parole par séance")
    return _finish(fig, path)


FIGURES = {
    "themes_seances": heatmap_themes,
    "trajectoires": plot_trajectories,
    "cooccurrences": plot_cooccurrence,
    "arrangements": plot_arrangements,
    "rationalites": plot_rationalities,
    "divergences_accords": plot_debate,
    "participation": plot_participation,
}


# The figures of the written bilan: about the group's work, none about who spoke how much.
BILAN_FIGURES = ("themes_seances", "trajectoires", "arrangements", "rationalites",
                 "divergences_accords")


def save_all(source, folder: str | Path, *, names: tuple[str, ...] | None = None) -> dict[str, Path]:
    """Write figures as ``<folder>/<name>.png`` (all of :data:`FIGURES`, or ``names``).

    Returns:
        The paths by figure name.
    """
    tables = load_tables(source)
    folder = Path(folder)
    paths = {}
    for name in names or tuple(FIGURES):
        function = FIGURES[name]
        path = folder / f"{name}.png"
        function(tables, path=path)
        paths[name] = path
    return paths
