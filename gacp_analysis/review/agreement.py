"""Agreement between coders: Cohen's kappa per code and overall, Krippendorff's alpha.

Coders are people (by the name they review under) or ``auto``, the shipped
automatic coder. Which segments count: those *every* coder compared has
read — for a person, the segments they reviewed (table ``reviews``: they
decided on it or validated it, even leaving it uncoded); for ``auto``, the
segments it coded (all current segments once ``gacp code`` has run). Text that
one of them never read is left out, so kappa is not inflated by uncoded text.

A person's codes are the codes they applied (accepted or added, on the
segment or on a passage of it); a suggestion they left pending is not theirs.

Per code, each counted segment is a yes/no decision of each coder. Cohen's
kappa (scikit-learn's ``cohen_kappa_score``) is given for two coders;
Krippendorff's alpha (the ``krippendorff`` package, nominal) for two or more.
"Overall" pools every (segment, code) decision of the codebook's active codes.
A code neither coder used on the counted segments has no kappa (0/0): shown empty.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..coding.codebook import load_codebook
from ..errors import E, GacpError
from ..store import Store, open_store

AUTO = "auto"
OVERALL = "ensemble"


@dataclass(frozen=True)
class Agreement:
    """The agreement of some coders on the segments all of them read.

    Attributes:
        coders: the coders compared, in the order given.
        segments: ids of the segments counted.
        table: one row per code, then ``ensemble``: columns code, label, segments,
            one ``oui <coder>`` column per coder, observed (share of identical
            decisions), kappa (two coders only), alpha.
    """

    coders: tuple[str, ...]
    segments: tuple[int, ...]
    table: pd.DataFrame

    @property
    def overall(self) -> pd.Series:
        return self.table[self.table["code"] == OVERALL].iloc[0]


def parse_coders(value: str) -> list[str]:
    """« A,B » -> ["A", "B"] (E505 unless two or more distinct names)."""
    coders = [c.strip() for c in (value or "").split(",") if c.strip()]
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise GacpError(E.E505, value=value, exit_code=2)
    return coders


def coder_codes(store: Store, coder: str, *, folder: Path | str = "") -> tuple[set[int], dict[int, set[str]]]:
    """(segments the coder read, their codes per segment)."""
    if coder == AUTO:
        return store.auto_coded_segments(), store.auto_codes()
    segments = store.reviewed_segments(coder)
    if not segments:
        raise GacpError(E.E506, folder=folder, coder=coder,
                        known=", ".join([AUTO, *store.human_coders()]))
    codes = store.human_codes(coder)
    # A decision is a review even without the « reviews » row (codings written by other tools).
    return segments | set(codes), codes


def agreement(folder: Path | str, coders: list[str] | tuple[str, ...]) -> Agreement:
    """Agreement of ``coders`` (names, or ``auto``) on the group's segments they all read."""
    folder = Path(folder)
    codebook = load_codebook(folder)
    with open_store(folder, create=False) as store:
        read = [coder_codes(store, c, folder=folder) for c in coders]
    common = sorted(set.intersection(*(segs for segs, _ in read)))
    if not common:
        raise GacpError(E.E507, folder=folder, coders=" et ".join(coders))
    codes = list(codebook.ids)
    labels = {c.id: c.label for c in codebook.codes}
    # decisions[c, code, segment] = 1 when coder c applied the code to the segment
    decisions = np.array([[[1 if code in given.get(s, ()) else 0 for s in common] for code in codes]
                          for _, given in read], dtype=int)
    rows = []
    for j, code in enumerate(codes):
        rows.append(_row(code, labels.get(code, code), decisions[:, j, :], coders))
    rows.append(_row(OVERALL, "toutes les décisions (segment × code)",
                     decisions.reshape(len(coders), -1), coders, n=len(common)))
    return Agreement(coders=tuple(coders), segments=tuple(common), table=pd.DataFrame(rows))


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two yes/no vectors (NaN when neither says yes nor both say no)."""
    from sklearn.metrics import cohen_kappa_score

    a, b = np.asarray(a), np.asarray(b)
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha(matrix) -> float:
    """Nominal Krippendorff's alpha of a coders × units matrix (NaN when one value only)."""
    import krippendorff

    matrix = np.asarray(matrix, dtype=float)
    if len(np.unique(matrix[~np.isnan(matrix)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def _row(code: str, label: str, matrix: np.ndarray, coders, *, n: int | None = None) -> dict:
    row = {"code": code, "label": label, "segments": n if n is not None else matrix.shape[1]}
    for c, values in zip(coders, matrix):
        row[f"oui {c}"] = int(values.sum())
    same = (matrix == matrix[0]).all(axis=0)
    row["observed"] = float(same.mean()) if matrix.shape[1] else float("nan")
    row["kappa"] = cohen_kappa(matrix[0], matrix[1]) if len(coders) == 2 else float("nan")
    row["alpha"] = krippendorff_alpha(matrix)
    return row


def format_table(result: Agreement) -> str:
    """The agreement as plain text, for the terminal."""
    t = result.table
    head = (f"Accord entre {' et '.join(result.coders)} sur {len(result.segments)} segment(s) "
            f"lu(s) par tous (revus, ou codés par le codeur automatique).")
    lines = [head, "", f"{'code':28} " + " ".join(f"{'oui ' + c:>14}" for c in result.coders)
             + f" {'accord':>7} {'kappa':>7} {'alpha':>7}"]
    for r in t.to_dict("records"):
        yes = " ".join(f"{r['oui ' + c]:>14}" for c in result.coders)
        lines.append(f"{r['code']:28} {yes} {_pct(r['observed']):>7} {_num(r['kappa']):>7} "
                     f"{_num(r['alpha']):>7}")
    lines.append("")
    lines.append("kappa : Cohen (deux codeurs) ; alpha : Krippendorff, nominal ; « — » : code "
                 "absent des codages comparés (accord non défini).")
    return "\n".join(lines)


def plot_agreement(result: Agreement, *, path: str | Path | None = None):
    """Bar chart of kappa (two coders) or alpha per code, the overall value as a line."""
    from ..synthesis.figures import _figure, _finish

    measure = "kappa" if len(result.coders) == 2 else "alpha"
    t = result.table[result.table["code"] != OVERALL].iloc[::-1]
    fig = _figure(7.5, 0.32 * len(t) + 1.6)
    ax = fig.subplots()
    values = t[measure].fillna(0.0)
    ax.barh(t["label"], values, color=["#0072B2" if v == v else "#bbbbbb" for v in t[measure]])
    overall = result.overall[measure]
    if overall == overall:
        ax.axvline(overall, color="#D55E00", linestyle="--",
                   label=f"ensemble : {overall:.2f}".replace(".", ","))
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(min(-0.2, float(values.min()) - 0.05), 1.0)
    ax.set_xlabel(f"{'kappa de Cohen' if measure == 'kappa' else 'alpha de Krippendorff'} "
                  f"({len(result.segments)} segments lus par {' et '.join(result.coders)})")
    ax.tick_params(axis="y", labelsize=8)
    return _finish(fig, path)


def _num(x: float) -> str:
    return "—" if x != x else f"{x:.2f}".replace(".", ",")


def _pct(x: float) -> str:
    return "—" if x != x else f"{100 * x:.0f} %"


def show_agreement(folder: Path | str, coders: list[str] | tuple[str, ...]) -> Agreement | None:
    """In a notebook: the agreement table and figure, or a French note saying why not yet."""
    from IPython.display import Markdown, display

    from ..synthesis.display import show

    try:
        result = agreement(folder, list(coders))
    except GacpError as exc:
        display(Markdown(f"*Accord non calculé : {exc}*"))
        return None
    shown = result.table.rename(columns={"observed": "accord observé"})
    display(show(shown, precision=2, caption=f"Accord entre {' et '.join(result.coders)} sur "
                 f"{len(result.segments)} segment(s) lus par tous"))
    display(plot_agreement(result))
    return result
