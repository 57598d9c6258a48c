"""``gacp code``: code every imported segment of a group into its store.

Incremental: each segment's signature (coder version, codebook hash, model,
pipeline, and the segment's own text and exchange context) is recorded in
``coded_segments``; a re-run codes only segments whose signature changed, and
replaces only their ``auto`` codings. Human codings and memos are never
touched. When nothing changed, spaCy is not even loaded.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Store, now_iso, open_store
from .codebook import Codebook, load_codebook
from .coder import coding_signature
from .features import Unit

BATCH = 512


@dataclass
class CodeReport:
    """What a ``gacp code`` run did."""

    segments: int = 0  # current segments in the store
    coded: int = 0  # segments (re)coded by this run
    unchanged: int = 0
    codings: int = 0  # auto codings written by this run
    parsed: int = 0  # segments parsed by spaCy (the others came from the cache)
    embedded: int = 0  # strings embedded by the encoder (the others came from the cache)
    coder: str = ""
    by_code: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentToCode:
    """A current segment, its exchange context and its coding signatures (old and new)."""
    id: int
    session_start: int
    text: str
    unit: Unit
    signature: str
    old_signature: str | None


def code_group(folder: Path | str, *, codebook: Codebook | None = None, progress: bool | None = None,
               force: bool = False, workers: int | None = None,
               encoder: Path | str | bool | None = None) -> CodeReport:
    """Code the group's segments into its store.

    Args:
        folder: the group folder (already imported).
        codebook: the codes to use (default: the package's, with the group's changes).
        progress: show a progress bar (default: when stderr is a terminal).
        force: recode every segment even if its signature is unchanged.
        workers: parsing worker processes (default: one on a multi-core machine for
            large runs, none otherwise; 0 parses in this process).
        encoder: the folder of the encoder files (default: the package's); False codes
            with the rules and the linear model only.
    """
    from .coder import coder_name

    folder = Path(folder)
    codebook = codebook or load_codebook(folder)
    if encoder is False:
        signature = coding_signature(codebook, with_encoder=False)
    else:
        encoder = Path(encoder) if encoder is not None else None
        signature = coding_signature(codebook, encoder_folder=encoder)
    report = CodeReport(coder=coder_name())
    with open_store(folder, create=False) as store:
        rows = segments_to_code(store, signature)
        report.segments = len(rows)
        todo = [r for r in rows if force or r.signature != r.old_signature]
        report.unchanged = len(rows) - len(todo)
        codes_changed = _codes_differ(store, codebook)
        if not todo and not codes_changed:
            return report
        decisions = _code(folder, todo, codebook, report, progress=progress, workers=workers,
                          every=len(todo) == len(rows), encoder=encoder) if todo else []
        with store.transaction():
            _write_codes(store, codebook)
            store.prune_orphans(drop_auto=True)
            now = now_iso()
            for row, ds in zip(todo, decisions):
                codings = []
                for d in ds:
                    evidence = [{"start": row.session_start + s, "end": row.session_start + e,
                                 "text": row.text[s:e]} for s, e in d.spans]
                    codings.append((d.code, d.rule, d.score, evidence))
                    report.by_code[d.code] = report.by_code.get(d.code, 0) + 1
                    report.codings += 1
                store.replace_auto_codings(row.id, codings, coder=report.coder,
                                           signature=row.signature, at=now)
        report.coded = len(todo)
    return report


def segments_to_code(store: Store, signature: str) -> list[SegmentToCode]:
    """Current segments with their exchange context and signatures, in reading order.

    The one place that decides which turn a segment answers (the coding run and the
    learned suggestions of :mod:`gacp_analysis.review.learning` both read it)."""
    turns = store.speech_turns_for_coding()
    previous: dict[int, tuple[str | None, str | None]] = {}  # turn id -> previous other speaker's turn
    last: dict[int, list] = {}  # session id -> turns so far
    for t in turns:
        before = last.setdefault(t["session_id"], [])
        prev = next((p for p in reversed(before) if p["pseudonym"] != t["pseudonym"]), None)
        if prev is not None and prev["is_facilitator"]:
            prev = None  # answering the facilitator's relaunch is not the group's exchange
        previous[t["id"]] = (prev["pseudonym"], prev["text"]) if prev is not None else (None, None)
        before.append(t)
    by_turn = {t["id"]: t for t in turns}
    rows = []
    for g in store.segments_for_coding():
        turn = by_turn.get(g["turn_id"])
        if turn is None:
            continue
        prev_speaker, prev_text = previous[turn["id"]]
        if g["idx"] > 1:  # deep inside a long turn, the speaker no longer answers the last one
            prev_speaker, prev_text = None, None
        unit = Unit(text=g["text"], speaker=turn["pseudonym"], facilitator=bool(turn["is_facilitator"]),
                    previous_speaker=prev_speaker, previous_text=prev_text)
        context = json.dumps([signature, g["text_sha256"], unit.speaker, unit.facilitator, prev_speaker,
                              hashlib.sha256((prev_text or "").encode()).hexdigest()[:16]])
        rows.append(SegmentToCode(id=g["id"], session_start=g["start"], text=g["text"], unit=unit,
                         signature=hashlib.sha256(context.encode()).hexdigest()[:32],
                         old_signature=g["signature"]))
    return rows


def _code(folder: Path, todo: list[SegmentToCode], codebook: Codebook, report: CodeReport, *,
          progress: bool | None, workers: int | None, every: bool = False,
          encoder: Path | bool | None = None) -> list:
    from tqdm import tqdm

    from .coder import Coder
    from .pipeline import DocCache

    cache = DocCache(folder)
    chunks = [todo[k:k + BATCH] for k in range(0, len(todo), BATCH)]
    parsed = cache.iter_docs([[r.text for r in c] for c in chunks], workers=workers)
    coder = Coder(codebook, cache_dir=cache.dir, encoder=encoder)  # built while the worker parses
    decisions = []
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(todo), desc="Codage", unit="segment", disable=not show or len(todo) < BATCH,
              file=sys.stderr) as bar:
        for chunk, docs in zip(chunks, parsed):
            decisions += coder.code([r.unit for r in chunk], docs)
            bar.update(len(chunk))
    report.parsed = cache.parsed
    if coder.encoder is not None:
        report.embedded = coder.encoder.embedded
        if coder.encoder.cache is not None:
            # Kept beside the parses; a run that recoded every segment drops what it did not use.
            coder.encoder.cache.save(prune=every)
    if cache.parsed:
        with open_store(folder, create=False) as store:
            current = store.current_segment_texts()
        cache.save(current)
    return decisions


def _codes_differ(store: Store, codebook: Codebook) -> bool:
    wanted = {c.id: (c.label, c.family, c.definition, c.active) for c in codebook.codes}
    stored = {}
    for r in store.codes():
        if r["id"] in wanted:
            stored[r["id"]] = (r["label"], r["family"], r["definition"], bool(r["active"]))
        elif r["active"]:
            return True
    return stored != wanted


def _write_codes(store: Store, codebook: Codebook) -> None:
    """The codebook in force, in the ``codes`` table (codes no longer in it stay, inactive)."""
    store.write_codes([(c.id, c.label, c.family, c.definition, c.active) for c in codebook.codes])
