"""Suggestions learned from the segments a person reviewed (``gacp learn``).

A light per-group head: one logistic regression per code (scikit-learn),
over the features the shipped coder already computes for a segment — its
words, lemmas, grammar, rule hits and exchange context, the mean tok2vec
vector, and the shipped model's own probability for each code. Everything
comes through :func:`segment_features`, the one place to change when the
coder's features change (a sentence encoder, say). Docs come from the
parse cache that ``gacp code`` leaves in ``.gacp/cache/``: training takes
seconds.

Labels: on each segment some person reviewed (table ``reviews``), the codes
people applied there (accepted or added). A code needs at least
:data:`MIN_POSITIVES` such segments (and as many without it) to get a head.

The head's suggestions go to the store with provenance ``modele``: they are
shown in the review widget, never in force (syntheses and exports ignore them
until a person accepts one). Only codes the shipped coder did not give, on
segments nobody reviewed, are suggested.

Figures: 5-fold cross-validated precision and recall on the reviewed segments,
of the shipped coder, of the head, and of both together (what the reviewer
sees), micro-averaged over the codes with a head.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import E, GacpError, W
from ..store import STORE_DIRNAME, open_store

MODEL_FILENAME = "modele_appris.json"
LEARNER = "gacp-apprentissage"
MIN_REVIEWED = 20
MIN_POSITIVES = 3
FOLDS = 5
THRESHOLD = 0.5
MAX_EVIDENCE = 3


@dataclass
class LearnReport:
    """What ``gacp learn`` did and how well the head does."""

    reviewed: int = 0
    codes: list[str] = field(default_factory=list)  # codes with a head
    warnings: list[str] = field(default_factory=list)
    suggestions: int = 0
    scores: pd.DataFrame | None = None  # rows: coder; columns precision, recall, f1, predicted
    per_code: pd.DataFrame | None = None
    path: Path | None = None
    seconds: float = 0.0  # the whole run (loading spaCy and the docs included)
    train_seconds: float = 0.0  # cross-validation and training of the heads


def segment_features(folder: Path | str, segment_ids: list[int]) -> tuple[list[dict[str, float]],
                                                                            list]:
    """The features of segments, as the shipped coder computes them (one dict per segment),
    and their spaCy docs. The one place that knows where the features come from."""
    from ..coding.codebook import load_codebook
    from ..coding.coder import Coder
    from ..coding.features import dense_features, sparse_features
    from ..coding.pipeline import DocCache
    from ..coding.run import segments_to_code

    folder = Path(folder)
    with open_store(folder, create=False) as store:
        rows = {r.id: r for r in segments_to_code(store, "")}
    units = [rows[int(i)].unit for i in segment_ids]
    cache = DocCache(folder)
    coder = Coder(load_codebook(folder), cache_dir=cache.dir)
    docs = cache.get_docs([u.text for u in units])
    sparse = [sparse_features(d, coder.rules.hits(d), u) for d, u in zip(docs, units)]
    dense = [dense_features(d) for d in docs]
    proba = coder.model.proba(sparse, dense) if coder.model is not None else None
    out = []
    for i, (feats, vec) in enumerate(zip(sparse, dense)):
        row = {f: 1.0 for f in feats}
        row.update({f"dense:{k}": float(v) for k, v in enumerate(vec)})
        if proba is not None:
            row.update({f"auto:{c}": float(proba[i, j]) for j, c in enumerate(coder.model.codes)})
        out.append(row)
    return out, docs


def reviewed_labels(folder: Path | str) -> dict[int, set[str]]:
    """The codes people applied on each segment someone reviewed."""
    with open_store(folder, create=False) as store:
        coders = store.human_coders()
        labels: dict[int, set[str]] = {}
        for coder in coders:
            for sid in store.reviewed_segments(coder):
                labels.setdefault(sid, set())
            for sid, codes in store.human_codes(coder).items():
                labels.setdefault(sid, set()).update(codes)
        current = {int(i) for i in store.review_segments()["segment_id"]}
    return {sid: codes for sid, codes in labels.items() if sid in current}


def _fit(x, y):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", max_iter=200)
    return model.fit(x, y)


def learn(folder: Path | str, *, write: bool = True, seed: int = 0) -> LearnReport:
    """Train the group's head on its reviewed segments, cross-validate it, write suggestions.

    Raises:
        GacpError: E508 when fewer than :data:`MIN_REVIEWED` segments were reviewed.
    """
    from sklearn.model_selection import KFold

    started = time.perf_counter()
    folder = Path(folder)
    report = LearnReport()
    labels = reviewed_labels(folder)
    report.reviewed = len(labels)
    if len(labels) < MIN_REVIEWED:
        raise GacpError(E.E508, folder=folder, count=len(labels), minimum=MIN_REVIEWED)
    with open_store(folder, create=False) as store:
        auto = store.auto_codes()
        all_ids = [int(i) for i in store.review_segments()["segment_id"]]
        decided = {sid for coder in store.human_coders()
                   for sid in store.human_codes(coder)}
    from ..coding.codebook import load_codebook

    codebook = load_codebook(folder)
    reviewed = sorted(labels)
    rest = [i for i in all_ids if i not in labels and i not in decided]
    feats, docs = segment_features(folder, reviewed + rest)
    names = _vocabulary(feats[:len(reviewed)])
    x, x_rest = _matrix(feats[:len(reviewed)], names), _matrix(feats[len(reviewed):], names)
    train_started = time.perf_counter()
    for code in codebook.ids:
        positives = sum(code in labels[s] for s in reviewed)
        if positives >= MIN_POSITIVES and len(reviewed) - positives >= MIN_POSITIVES:
            report.codes.append(code)
        elif positives:
            report.warnings.append(W.W501.format(code=code, positives=positives,
                                                 minimum=MIN_POSITIVES))
    gold = [labels[s] for s in reviewed]
    shipped = [auto.get(s, set()) for s in reviewed]
    predicted: list[set[str]] = [set() for _ in reviewed]
    folds = KFold(n_splits=min(FOLDS, len(reviewed)), shuffle=True, random_state=seed)
    for train, test in folds.split(np.arange(len(reviewed))):
        for code in report.codes:
            y = np.array([code in gold[i] for i in train], dtype=int)
            if y.min() == y.max():
                continue
            proba = _fit(x[train], y).predict_proba(x[test])[:, 1]
            for i, p in zip(test, proba):
                if p >= THRESHOLD:
                    predicted[i].add(code)
    report.scores, report.per_code = _scores(gold, shipped, predicted, report.codes)
    report.train_seconds = time.perf_counter() - train_started
    heads = {}
    suggestions = []
    for code in report.codes:
        y = np.array([code in g for g in gold], dtype=int)
        model = _fit(x, y)
        heads[code] = {"coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}
        if x_rest.shape[0]:
            for sid, p in zip(rest, model.predict_proba(x_rest)[:, 1]):
                if p >= THRESHOLD and code not in auto.get(sid, ()):
                    suggestions.append((sid, code, round(float(p), 3)))
    path = Path(folder) / STORE_DIRNAME / MODEL_FILENAME
    path.write_text(json.dumps({
        "features": names, "heads": heads,
        "threshold": THRESHOLD, "reviewed": len(reviewed), "source": "coding.features",
    }, ensure_ascii=False), encoding="utf-8")
    report.path = path
    if write:
        with open_store(folder, create=False) as store:
            report.suggestions = store.replace_model_suggestions(suggestions, coder=LEARNER)
        _write_evidence(folder, suggestions, rest, docs[len(reviewed):], heads, names)
    report.seconds = time.perf_counter() - started
    return report


def load_learned(folder: Path | str) -> dict:
    """The group's learned head (E509 when the file is damaged)."""
    path = Path(folder) / STORE_DIRNAME / MODEL_FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("heads"), dict) or not isinstance(data.get("features"), list):
            raise ValueError("clés « heads » et « features » attendues")
    except (OSError, ValueError) as exc:
        raise GacpError(E.E509, path=path, problem=str(exc), folder=folder) from exc
    return data


def _vocabulary(feats: list[dict[str, float]], min_count: int = 2) -> list[str]:
    """Features seen in at least ``min_count`` reviewed segments (sorted)."""
    counts: dict[str, int] = {}
    for row in feats:
        for name in row:
            counts[name] = counts.get(name, 0) + 1
    return sorted(n for n, c in counts.items() if c >= min_count)


def _matrix(feats: list[dict[str, float]], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(feats), len(names)), dtype=np.float32)
    for r, row in enumerate(feats):
        for name, value in row.items():
            j = index.get(name)
            if j is not None:
                x[r, j] = value
    return x


def _write_evidence(folder, suggestions, rest, docs, heads, names) -> None:
    """The words that weigh most towards each suggestion, as its evidence (session offsets)."""
    if not suggestions:
        return
    index = {n: i for i, n in enumerate(names)}
    doc_of = dict(zip(rest, docs))
    with open_store(folder, create=False) as store:
        starts = store.segment_starts()
        with store.transaction():
            for sid, code, _ in suggestions:
                coef = heads[code]["coef"]
                scored = []
                for tok in doc_of[sid]:
                    if tok.is_punct or tok.is_space or tok.is_stop:
                        continue
                    j = index.get(f"l:{tok.lemma_.lower()}")
                    if j is not None and coef[j] > 0:
                        scored.append((coef[j], tok.idx, tok.idx + len(tok.text), tok.text))
                best = sorted(sorted(scored, reverse=True)[:MAX_EVIDENCE], key=lambda t: t[1])
                evidence = [{"start": starts[sid] + s, "end": starts[sid] + e, "text": t}
                            for _, s, e, t in best]
                store.set_suggestion_evidence(sid, code, evidence)


def _prf(gold, predicted, codes) -> dict:
    tp = sum(len(g & p & codes) for g, p in zip(gold, predicted))
    fp = sum(len((p - g) & codes) for g, p in zip(gold, predicted))
    fn = sum(len((g - p) & codes) for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": tp + fp,
            "expected": tp + fn}


def _scores(gold, shipped, predicted, codes):
    """Micro precision/recall over ``codes`` of the shipped coder, the head, and both."""
    both = [s | p for s, p in zip(shipped, predicted)]
    scope = set(codes)
    rows = {"codeur livré": _prf(gold, shipped, scope), "modèle appris (validation croisée)":
            _prf(gold, predicted, scope), "les deux (ce que voit la revue)": _prf(gold, both, scope)}
    per_code = [{"code": c, **{f"{k} {name}": v for name, preds in
                               (("livré", shipped), ("appris", predicted))
                               for k, v in _prf(gold, preds, {c}).items()
                               if k in ("precision", "recall")}} for c in codes]
    return (pd.DataFrame(rows).T.rename_axis("codeur").reset_index(),
            pd.DataFrame(per_code))


def format_report(report: LearnReport) -> str:
    def pct(x):
        return "—" if x != x else f"{100 * x:.0f} %"

    lines = [f"Apprentissage sur {report.reviewed} segment(s) revu(s) : {len(report.codes)} "
             f"code(s) appris ({', '.join(report.codes) or 'aucun'}) ; entraînement et validation "
             f"croisée {report.train_seconds:.1f} s ({report.seconds:.1f} s en tout avec le chargement "
             f"de spaCy et des segments).",
             f"{report.suggestions} suggestion(s) écrite(s) (provenance « modele », à accepter ou "
             f"rejeter dans le carnet 05 ; jamais comptées tant que personne ne les accepte).",
             f"Modèle : {report.path}", ""]
    if report.scores is not None and report.codes:
        lines.append(f"{'':36} {'précision':>10} {'rappel':>8} {'F1':>6}  (sur les codes appris, "
                     f"validation croisée à {FOLDS} plis)")
        for r in report.scores.to_dict("records"):
            lines.append(f"{r['codeur']:36} {pct(r['precision']):>10} {pct(r['recall']):>8} "
                         f"{pct(r['f1']):>6}")
    lines += [f"attention : {w}" for w in report.warnings]
    return "\n".join(lines)
