"""Gold files and agreement figures: per-code precision, recall, F1, Cohen's kappa; micro/macro F1.

A gold file is JSON Lines, one segment per line::

    {"id": "dev-0005", "text": "ah ben chez nous c'est pareil hein", "speaker": "Nadia",
     "facilitator": false, "previous": {"speaker": "Sandrine", "text": "..."},
     "codes": ["debat.accord"]}

Macro-F1 averages the codes present in the gold file (a code nobody used
cannot be scored); kappa compares, for one code, the coder's yes/no with the
gold's over every segment.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import E, GacpError
from .features import Unit


@dataclass(frozen=True)
class GoldItem:
    id: str
    unit: Unit
    codes: frozenset[str]
    line: int
    group: str | None = None  # the occupation: cross-validation keeps a group in one fold


@dataclass(frozen=True)
class CodeScore:
    code: str
    support: int  # gold segments with the code
    predicted: int
    tp: int
    precision: float
    recall: float
    f1: float
    kappa: float


@dataclass(frozen=True)
class Report:
    scores: tuple[CodeScore, ...]
    micro_f1: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    n: int


def read_gold(path: Path | str, *, known: Sequence[str] | None = None) -> list[GoldItem]:
    """Read a gold file; every problem names the file and line."""
    path = Path(path)
    if not path.is_file():
        raise GacpError(E.E210, path=path)
    items = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GacpError(E.E208, path=path, line=line_no, problem=f"JSON invalide ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise GacpError(E.E208, path=path, line=line_no, problem="champ « text » absent")
        codes = row.get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise GacpError(E.E208, path=path, line=line_no,
                            problem="champ « codes » absent ou qui n'est pas une liste")
        if known is not None:
            for code in codes:
                if code not in known:
                    raise GacpError(E.E209, path=path, line=line_no, code=code,
                                    known=", ".join(known))
        previous = row.get("previous") or {}
        items.append(GoldItem(
            id=str(row.get("id", line_no)),
            unit=Unit(text=row["text"], speaker=row.get("speaker"),
                      facilitator=bool(row.get("facilitator", False)),
                      previous_speaker=previous.get("speaker"), previous_text=previous.get("text")),
            codes=frozenset(codes), line=line_no,
            group=str(row["occupation"]) if row.get("occupation") else None))
    return items


def score(gold: Sequence[set[str] | frozenset[str]], predicted: Sequence[set[str] | frozenset[str]],
          codes: Sequence[str]) -> Report:
    """Agreement of ``predicted`` with ``gold`` (one set of codes per segment).

    The figures are scikit-learn's (``precision_recall_fscore_support``,
    ``cohen_kappa_score``) on the segments x codes indicator matrices.
    """
    from sklearn.metrics import precision_recall_fscore_support

    n = len(gold)
    codes = list(codes)
    y = np.array([[c in g for c in codes] for g in gold], dtype=bool).reshape(n, len(codes))
    p = np.array([[c in q for c in codes] for q in predicted], dtype=bool).reshape(n, len(codes))
    scores = []
    for j, code in enumerate(codes):
        tp = int((y[:, j] & p[:, j]).sum())
        if n:
            precision, recall, f1, _ = precision_recall_fscore_support(
                y[:, j], p[:, j], average="binary", zero_division=0.0)
        else:
            precision = recall = f1 = 0.0
        scores.append(CodeScore(code=code, support=int(y[:, j].sum()), predicted=int(p[:, j].sum()),
                                tp=tp, precision=float(precision), recall=float(recall),
                                f1=float(f1), kappa=kappa(y[:, j], p[:, j])))
    if n and codes:
        precision, recall, micro, _ = precision_recall_fscore_support(
            y, p, average="micro", zero_division=0.0)
    else:
        precision = recall = micro = 0.0
    supported = [s.f1 for s in scores if s.support]
    macro = sum(supported) / len(supported) if supported else 0.0
    return Report(scores=tuple(scores), micro_f1=float(micro), macro_f1=macro,
                  micro_precision=float(precision), micro_recall=float(recall), n=n)


def kappa(a, b) -> float:
    """Cohen's kappa of two yes/no raters (scikit-learn's); 1.0 when both always give
    the same single answer, 0.0 for no segment."""
    from sklearn.metrics import cohen_kappa_score

    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if not len(a):
        return 0.0
    if len(set(a.tolist()) | set(b.tolist())) == 1:
        return 1.0  # kappa is undefined (no variation): the raters agree on every segment
    return float(cohen_kappa_score(a, b))


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of two yes/no raters from their 2x2 table."""
    gold = [True] * (tp + fn) + [False] * (fp + tn)
    pred = [True] * tp + [False] * fn + [True] * fp + [False] * tn
    return kappa(gold, pred)


def format_report(report: Report, *, title: str = "") -> str:
    """The report as a French text table."""
    lines = [title] if title else []
    lines.append(f"{'code':28} {'réf.':>5} {'prédits':>7} {'précision':>9} {'rappel':>7} "
                 f"{'F1':>6} {'kappa':>6}")
    for s in report.scores:
        lines.append(f"{s.code:28} {s.support:>5} {s.predicted:>7} {s.precision:>9.3f} "
                     f"{s.recall:>7.3f} {s.f1:>6.3f} {s.kappa:>6.3f}")
    lines.append(f"segments : {report.n} ; micro-F1 : {report.micro_f1:.3f} (précision "
                 f"{report.micro_precision:.3f}, rappel {report.micro_recall:.3f}) ; "
                 f"macro-F1 : {report.macro_f1:.3f}")
    return "\n".join(lines)


def evaluate_file(path: Path | str, coder) -> Report:
    """Code a gold file with ``coder`` and score it."""
    items = read_gold(path, known=[c.id for c in coder.codebook.codes])
    decisions = coder.code([item.unit for item in items], explain=False)
    predicted = [{d.code for d in ds} for ds in decisions]
    return score([item.codes for item in items], predicted, list(coder.codebook.ids))


# Each part of the coder, then the combination (rules, vetoes and constraints hold in all).
PARTS = (("règles seules", False, False), ("modèle linéaire (et règles)", True, False),
         ("encodeur (et règles)", False, True), ("combinaison", True, True))


def evaluate_parts(path: Path | str, coder) -> list[tuple[str, Report]]:
    """Score the rules alone, the linear model, the encoder and their combination.

    The texts are parsed once; ``coder`` must hold both a model and an encoder
    (a missing one leaves out the parts that need it).
    """
    items = read_gold(path, known=[c.id for c in coder.codebook.codes])
    units = [item.unit for item in items]
    docs = coder.parse([u.text for u in units])
    model, encoder = coder.model, coder.encoder
    out = []
    try:
        for name, with_model, with_encoder in PARTS:
            if (with_model and model is None) or (with_encoder and encoder is None):
                continue
            coder.model = model if with_model else None
            coder.encoder = encoder if with_encoder else None
            decisions = coder.code(units, docs, explain=False)
            out.append((name, score([item.codes for item in items],
                                    [{d.code for d in ds} for ds in decisions],
                                    list(coder.codebook.ids))))
    finally:
        coder.model, coder.encoder = model, encoder
    return out


def format_parts(parts: list[tuple[str, Report]], *, title: str = "") -> str:
    """Micro- and macro-F1 of each part, then the F1 of each code for every part."""
    lines = [title] if title else []
    lines.append(f"{'partie':30} {'micro-F1':>8} {'précision':>9} {'rappel':>7} {'macro-F1':>8}")
    for name, r in parts:
        lines.append(f"{name:30} {r.micro_f1:>8.3f} {r.micro_precision:>9.3f} "
                     f"{r.micro_recall:>7.3f} {r.macro_f1:>8.3f}")
    if parts:
        heads = [name.split()[0][:9] for name, _ in parts]
        lines.append("")
        lines.append(f"{'F1 par code':28} {'réf.':>5} " + " ".join(f"{h:>9}" for h in heads))
        for j, s in enumerate(parts[0][1].scores):
            lines.append(f"{s.code:28} {s.support:>5} "
                         + " ".join(f"{r.scores[j].f1:>9.3f}" for _, r in parts))
    return "\n".join(lines)
