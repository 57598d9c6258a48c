"""The statistical part of the coder: one logistic regression per code.

Inputs are the features of :mod:`.features` — words and lemma pairs, verb
tense and person, the rule hits (kept, negated, reported) and the exchange
context — plus the segment's mean tok2vec vector. The rules see paraphrases
they were written for; the model learns from the hand-labelled development
set how far to trust each rule and which other words signal a code.

Why a small linear model rather than spaCy's ``textcat_multilabel``: it
takes the rule hits and context as inputs (a textcat only sees tokens), it
adds no tok2vec pass (so coding stays as fast as bare ``nlp.pipe``), its
weights explain each decision (the words that weigh most are shown as
evidence), and it trains deterministically in a second with numpy.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import E, GacpError

MODEL_FILENAME = "coder_model.npz"
# Rule hits and context are few and informative, words many and sparse: scaling the
# former up lets the same L2 penalty regularise words harder than rules.
FEATURE_SCALE = {"r": 3.0, "rn": 2.0, "rr": 2.0, "rd": 2.0, "ctx": 2.0}


class LinearModel:
    """Multi-label logistic regression over sparse binary and dense features."""

    def __init__(self, codes: list[str], vocab: dict[str, int], weights: np.ndarray,
                 dense_dim: int, thresholds: np.ndarray, *, meta: dict | None = None) -> None:
        self.codes = list(codes)
        self.vocab = vocab
        self.weights = weights  # (len(vocab) + dense_dim, len(codes))
        self.dense_dim = dense_dim
        self.thresholds = thresholds
        self.meta = meta or {}

    # -- features -> matrix -----------------------------------------------------
    @staticmethod
    def build_vocab(feature_sets: list[set[str]], *, min_count: int = 2) -> dict[str, int]:
        counts: dict[str, int] = {}
        for feats in feature_sets:
            for f in feats:
                counts[f] = counts.get(f, 0) + 1
        keep = sorted(f for f, n in counts.items()
                      if n >= min_count or f.startswith(("r:", "rn:", "rr:", "rd:", "ctx:", "biais")))
        return {f: i for i, f in enumerate(keep)}

    def matrix(self, feature_sets: list[set[str]], dense: list[list[float]]) -> np.ndarray:
        return _matrix(feature_sets, dense, self.vocab, self.dense_dim)

    # -- inference --------------------------------------------------------------
    def proba(self, feature_sets: list[set[str]], dense: list[list[float]]) -> np.ndarray:
        if not feature_sets:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        return _sigmoid(self.matrix(feature_sets, dense) @ self.weights)

    def contributions(self, feature: str, code_index: int) -> float:
        """Weight of one sparse feature for one code (0 when unknown)."""
        column = self.vocab.get(feature)
        return 0.0 if column is None else float(self.weights[column, code_index])

    # -- training ---------------------------------------------------------------
    @classmethod
    def fit(cls, codes: list[str], feature_sets: list[set[str]], dense: list[list[float]],
            labels: list[set[str]], *, epochs: int = 300, l2: float = 3e-3, lr: float = 0.05,
            min_count: int = 2, seed: int = 0, meta: dict | None = None) -> LinearModel:
        """Train with full-batch Adam (deterministic for a given seed)."""
        vocab = cls.build_vocab(feature_sets, min_count=min_count)
        dense_dim = max((len(d) for d in dense), default=0)
        x = _matrix(feature_sets, dense, vocab, dense_dim)
        y = np.array([[1.0 if c in lab else 0.0 for c in codes] for lab in labels], dtype=np.float32)
        rng = np.random.default_rng(seed)
        w = (rng.standard_normal((x.shape[1], len(codes))) * 0.01).astype(np.float32)
        m = np.zeros_like(w)
        v = np.zeros_like(w)
        # Positive examples are rare for each code: weigh them up (balanced, capped).
        pos = y.sum(axis=0)
        pos_weight = np.clip((len(y) - pos) / np.maximum(pos, 1.0), 1.0, 4.0).astype(np.float32)
        sample_w = 1.0 + y * (pos_weight - 1.0)
        b1, b2, eps = 0.9, 0.999, 1e-8
        for t in range(1, epochs + 1):
            p = _sigmoid(x @ w)
            grad = x.T @ ((p - y) * sample_w) / len(y) + l2 * w
            m = b1 * m + (1 - b1) * grad
            v = b2 * v + (1 - b2) * grad * grad
            w -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        return cls(codes, vocab, w, dense_dim, np.full(len(codes), 0.5, dtype=np.float32),
                   meta=meta)

    # -- persistence ------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        header = {"codes": self.codes, "dense_dim": self.dense_dim, "meta": self.meta,
                  "vocab": sorted(self.vocab, key=self.vocab.get)}
        np.savez_compressed(path, weights=self.weights.astype(np.float16),
                            thresholds=self.thresholds.astype(np.float32),
                            header=np.array(json.dumps(header, ensure_ascii=False)))

    @classmethod
    def load(cls, path: Path | str) -> LinearModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                weights = data["weights"].astype(np.float32)
                thresholds = data["thresholds"].astype(np.float32)
            vocab = {f: i for i, f in enumerate(header["vocab"])}
            if weights.shape != (len(vocab) + header["dense_dim"], len(header["codes"])):
                raise ValueError(f"dimensions {weights.shape} inattendues")
        except (OSError, KeyError, ValueError) as exc:
            raise GacpError(E.E211, path=path, problem=str(exc)) from exc
        return cls(header["codes"], vocab, weights, header["dense_dim"], thresholds,
                   meta=header.get("meta", {}))


def default_model_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / MODEL_FILENAME


def _matrix(feature_sets: list[set[str]], dense: list[list[float]], vocab: dict[str, int],
            dense_dim: int) -> np.ndarray:
    x = np.zeros((len(feature_sets), len(vocab) + dense_dim), dtype=np.float32)
    for row, feats in enumerate(feature_sets):
        for f in feats:
            column = vocab.get(f)
            if column is not None:
                x[row, column] = FEATURE_SCALE.get(f.split(":", 1)[0], 1.0)
    if dense_dim:
        for row, vec in enumerate(dense):
            if len(vec) == dense_dim:
                x[row, len(vocab):] = np.asarray(vec, dtype=np.float32) * 0.25
    return x


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
