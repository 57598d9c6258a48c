"""Train the coder's model on the development gold set (never on the test split).

Reproducible: ``python -m gacp_analysis.coding.train corpora/gold/dev.jsonl``
writes ``gacp_analysis/data/coder_model.npz`` and prints the cross-validated
figures. Per-code thresholds are chosen on out-of-fold predictions; the
figures printed are those of an outer cross-validation whose thresholds were
chosen without the fold being scored.
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


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def grouped_folds(groups: Sequence[str | None], k: int, seed: int) -> list[np.ndarray]:
    """Folds that keep each group (occupation) whole, as the held-aside split does.

    Groups are dealt to folds largest first, each to the fold with fewest
    segments so far; segments without a group are dealt at random.
    """
    named: dict[str, list[int]] = {}
    loose: list[int] = []
    for i, group in enumerate(groups):
        (named.setdefault(group, []) if group else loose).append(i)
    rng = np.random.default_rng(seed)
    names = sorted(named)
    rng.shuffle(names)
    folds: list[list[int]] = [[] for _ in range(k)]
    for name in sorted(names, key=lambda g: -len(named[g])):
        min(folds, key=len).extend(named[name])
    for j, i in enumerate(rng.permutation(loose)):
        folds[j % k].append(int(i))
    return [np.array(sorted(f), dtype=int) for f in folds]


def featurize(items: Sequence[GoldItem], rules: RuleSet):
    docs = parse([it.unit.text for it in items])
    feats = [sparse_features(d, rules.hits(d), it.unit) for d, it in zip(docs, items)]
    return feats, [dense_features(d) for d in docs]


def _oof(codes, feats, dense, labels, *, k: int, seed: int, **fit) -> np.ndarray:
    """Out-of-fold probabilities."""
    proba = np.zeros((len(feats), len(codes)), dtype=np.float32)
    for fold in _folds(len(feats), k, seed):
        train = np.setdiff1d(np.arange(len(feats)), fold)
        model = LinearModel.fit(codes, [feats[i] for i in train], [dense[i] for i in train],
                                [labels[i] for i in train], **fit)
        proba[fold] = model.proba([feats[i] for i in fold], [dense[i] for i in fold])
    return proba


def choose_thresholds(proba: np.ndarray, labels, codes) -> np.ndarray:
    """Per code, the threshold maximising F1 on ``proba``, pulled halfway to 0.5 (small data)."""
    out = np.full(len(codes), 0.5, dtype=np.float32)
    for j, code in enumerate(codes):
        gold = np.array([code in lab for lab in labels])
        best, best_f1 = 0.5, -1.0
        for t in THRESHOLD_GRID:
            pred = proba[:, j] >= t
            tp = int((pred & gold).sum())
            f1 = 2 * tp / (pred.sum() + gold.sum()) if pred.sum() + gold.sum() else 0.0
            if f1 > best_f1 + 1e-9:
                best, best_f1 = t, f1
        out[j] = (best + 0.5) / 2
    return out


def cross_validate(items: Sequence[GoldItem], *, k: int = 5, seed: int = 0, feats=None, dense=None,
                   **fit) -> tuple[Report, np.ndarray]:
    """Outer k-fold CV grouped by occupation; thresholds chosen by an inner CV on each training part."""
    codebook = load_codebook()
    codes = list(codebook.ids)
    if feats is None:
        feats, dense = featurize(items, RuleSet(codebook, load_pipeline()))
    labels = [set(it.codes) for it in items]
    predicted: list[set[str]] = [set() for _ in items]
    coder = Coder(codebook, model=False)
    for fold in grouped_folds([it.group for it in items], k, seed):
        train = np.setdiff1d(np.arange(len(items)), fold)
        tr = lambda seq: [seq[i] for i in train]  # noqa: E731
        inner = _oof(codes, tr(feats), tr(dense), tr(labels), k=4, seed=seed + 1, **fit)
        model = LinearModel.fit(codes, tr(feats), tr(dense), tr(labels), **fit)
        model.thresholds = choose_thresholds(inner, tr(labels), codes)
        coder.model = model
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
    report = cross_validate(items, k=k, seed=seed, feats=feats, dense=dense, **fit)[0] if report_cv else None
    oof = _oof(codes, feats, dense, labels, k=k, seed=seed, **fit)
    model = LinearModel.fit(codes, feats, dense, labels, meta={
        "entraine_sur": Path(gold_path).name, "segments": len(items), "plis": k, "graine": seed},
        **fit)
    model.thresholds = choose_thresholds(oof, labels, codes)
    model.save(out or default_model_path())
    return model, report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--encodeur" in argv:  # the fine-tuned encoder (train extra): coding/finetune.py
        from .finetune import main as finetune_main

        return finetune_main([a for a in argv if a != "--encodeur"])
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
