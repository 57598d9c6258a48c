"""Train the coder's model on the development gold set (never on the test split).

Reproducible: ``python -m gacp_analysis.coding.train corpora/gold/dev.jsonl``
writes ``gacp_analysis/data/coder_model.npz`` and prints the cross-validated
figures. Every fold is grouped by occupation (scikit-learn's ``GroupKFold``):
per-code thresholds are chosen on inner out-of-fold predictions, and the
figures printed are those of an outer cross-validation whose thresholds were
chosen without the fold's occupations.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .codebook import load_codebook
from .coder import Coder
from .evaluate import GoldItem, Report, format_report, read_gold, score
from .features import dense_features, sparse_features
from .model import LinearModel, default_model_path
from .pipeline import load_pipeline, parse
from .rules import RuleSet

THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))
INNER_FOLDS = 4


def grouped_folds(groups: Sequence[str | None], k: int) -> list[np.ndarray]:
    """Test folds that keep each group (occupation) whole, as the held-aside split does.

    scikit-learn's :class:`~sklearn.model_selection.GroupKFold` (deterministic: groups
    are dealt largest first to the fold with fewest segments so far); a segment
    without a group is a group of its own. With fewer groups than ``k``, one fold
    per group.
    """
    from sklearn.model_selection import GroupKFold

    named = [g if g else f"\0{i}" for i, g in enumerate(groups)]
    k = min(k, len(set(named)))
    if k < 2:
        raise ValueError("cross-validation needs at least two groups")
    return [np.sort(test) for _, test in GroupKFold(n_splits=k).split(named, groups=named)]


def featurize(items: Sequence[GoldItem], rules: RuleSet):
    docs = parse([it.unit.text for it in items])
    feats = [sparse_features(d, rules.hits(d), it.unit) for d, it in zip(docs, items)]
    return feats, [dense_features(d) for d in docs]


def _oof(codes, feats, dense, labels, groups, *, k: int, **fit) -> np.ndarray:
    """Out-of-fold probabilities, folds grouped by occupation."""
    proba = np.zeros((len(feats), len(codes)), dtype=np.float32)
    for fold in grouped_folds(groups, k):
        train = np.setdiff1d(np.arange(len(feats)), fold)
        model = LinearModel.fit(codes, [feats[i] for i in train], [dense[i] for i in train],
                                [labels[i] for i in train], **fit)
        proba[fold] = model.proba([feats[i] for i in fold], [dense[i] for i in fold])
    return proba


def choose_thresholds(proba: np.ndarray, labels, codes) -> np.ndarray:
    """Per code, the threshold maximising F1 on ``proba`` (the lowest of ties), pulled
    halfway to 0.5 (small data)."""
    from sklearn.metrics import f1_score

    out = np.full(len(codes), 0.5, dtype=np.float32)
    for j, code in enumerate(codes):
        gold = np.array([code in lab for lab in labels])
        best, best_f1 = 0.5, -1.0
        for t in THRESHOLD_GRID:
            f1 = f1_score(gold, proba[:, j] >= t, zero_division=0.0)
            if f1 > best_f1 + 1e-9:
                best, best_f1 = t, f1
        out[j] = (best + 0.5) / 2
    return out


def fit_with_thresholds(codes, feats, dense, labels, groups, *, meta: dict | None = None,
                        **fit) -> LinearModel:
    """The model on all of ``feats``, its thresholds chosen on inner grouped out-of-fold
    probabilities (an occupation never tunes the thresholds it is scored with)."""
    inner = _oof(codes, feats, dense, labels, groups, k=INNER_FOLDS, **fit)
    model = LinearModel.fit(codes, feats, dense, labels, meta=meta, **fit)
    model.thresholds = choose_thresholds(inner, labels, codes)
    return model


def cross_validate(items: Sequence[GoldItem], *, k: int = 5, feats=None, dense=None,
                   **fit) -> tuple[Report, list[set[str]]]:
    """Outer k-fold CV grouped by occupation; thresholds chosen by an inner grouped CV on
    each training part."""
    codebook = load_codebook()
    codes = list(codebook.ids)
    if feats is None:
        feats, dense = featurize(items, RuleSet(codebook, load_pipeline()))
    labels = [set(it.codes) for it in items]
    groups = [it.group for it in items]
    predicted: list[set[str]] = [set() for _ in items]
    coder = Coder(codebook, model=False, encoder=False)
    for fold in grouped_folds(groups, k):
        train = np.setdiff1d(np.arange(len(items)), fold)
        tr = lambda seq: [seq[i] for i in train]  # noqa: E731
        coder.model = fit_with_thresholds(codes, tr(feats), tr(dense), tr(labels), tr(groups), **fit)
        units = [items[i].unit for i in fold]
        for i, ds in zip(fold, coder.code(units)):
            predicted[i] = {d.code for d in ds}
    coder.model = None
    return score([it.codes for it in items], predicted, codes), predicted


def train(gold_path: Path | str, *, out: Path | str | None = None, k: int = 5, seed: int = 0,
          report_cv: bool = True, **fit) -> tuple[LinearModel, Report | None]:
    """Train on a whole gold file and save the model; optionally cross-validate first."""
    codebook = load_codebook()
    codes = list(codebook.ids)
    items = read_gold(gold_path, known=codes)
    feats, dense = featurize(items, RuleSet(codebook, load_pipeline()))
    labels = [set(it.codes) for it in items]
    report = cross_validate(items, k=k, feats=feats, dense=dense, seed=seed, **fit)[0] \
        if report_cv else None
    model = fit_with_thresholds(codes, feats, dense, labels, [it.group for it in items], meta={
        "entraine_sur": Path(gold_path).name, "segments": len(items), "plis": k,
        "plis_internes": INNER_FOLDS, "graine": seed, "plis_groupes_par": "métier"},
        seed=seed, **fit)
    model.save(out or default_model_path())
    return model, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Entraîne le modèle du codeur sur un fichier de référence.")
    parser.add_argument("gold", help="fichier JSON Lines de développement (jamais le jeu de test)")
    parser.add_argument("--sortie", default=None, help="fichier .npz (défaut : celui du paquet)")
    parser.add_argument("--plis", type=int, default=5)
    parser.add_argument("--graine", type=int, default=0)
    args = parser.parse_args(argv)
    model, report = train(args.gold, out=args.sortie, k=args.plis, seed=args.graine)
    if report is not None:
        print(format_report(report, title=f"Validation croisée ({args.plis} plis) sur {args.gold}"))
    print(f"Modèle écrit : {args.sortie or default_model_path()} ({len(model.vocab)} traits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
