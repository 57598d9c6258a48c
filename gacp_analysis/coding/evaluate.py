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
    """Agreement of ``predicted`` with ``gold`` (one set of codes per segment)."""
    n = len(gold)
    scores = []
    tp_all = fp_all = fn_all = 0
    for code in codes:
        tp = sum(1 for g, p in zip(gold, predicted) if code in g and code in p)
        fp = sum(1 for g, p in zip(gold, predicted) if code not in g and code in p)
        fn = sum(1 for g, p in zip(gold, predicted) if code in g and code not in p)
        tn = n - tp - fp - fn
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision, recall, f1 = _prf(tp, fp, fn)
        scores.append(CodeScore(code=code, support=tp + fn, predicted=tp + fp, tp=tp,
                                precision=precision, recall=recall, f1=f1,
                                kappa=cohen_kappa(tp, fp, fn, tn)))
    precision, recall, micro = _prf(tp_all, fp_all, fn_all)
    supported = [s.f1 for s in scores if s.support]
    macro = sum(supported) / len(supported) if supported else 0.0
    return Report(scores=tuple(scores), micro_f1=micro, macro_f1=macro, micro_precision=precision,
                  micro_recall=recall, n=n)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of two yes/no raters from their 2x2 table."""
    n = tp + fp + fn + tn
    if not n:
        return 0.0
    observed = (tp + tn) / n
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


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
    decisions = coder.code([item.unit for item in items])
    predicted = [{d.code for d in ds} for ds in decisions]
    return score([item.codes for item in items], predicted, list(coder.codebook.ids))
