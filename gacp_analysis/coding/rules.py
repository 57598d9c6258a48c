"""Marker rules: the codebook's expressions and patterns matched in a parsed segment.

Each expression is matched twice, on the lemmas (built with ``nlp.pipe`` so
that « je suis épuisée » finds « être épuisé ») and on the lower-cased words
(the small model mis-lemmatises some participles). A hit is then read in its
context (:mod:`.context`): a negated or reported marker is dropped, or moved
to the code the codebook names (``negation_vers``, ``discours_rapporte_vers``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .codebook import Codebook
from .context import is_negated, narrative_daccord, reported_source


@dataclass(frozen=True)
class Hit:
    """A marker found in a segment. Offsets are into the segment text."""

    code: str  # the code the marker gives after reading its context
    marker_code: str  # the code whose marker matched
    rule: str  # the marker's name, prefixed with the context that moved it, if any
    start: int
    end: int
    status: str  # "ok" | "negation" | "discours_rapporte" (dropped) | "deplace" (moved)


class RuleSet:
    """Matchers built once for a codebook and a pipeline."""

    def __init__(self, codebook: Codebook, nlp, *, cache_dir: Path | None = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc

        self.codebook = codebook
        self.nlp = nlp
        self.codes = {c.id: c for c in codebook.active_codes}
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        phrases: list[tuple[str, str]] = []
        for code in codebook.active_codes:
            for marker in code.markers:
                key = f"{code.id}|{marker.name}"
                if marker.kind == "motif":
                    self.matcher.add(key, [list(marker.pattern)])
                else:
                    phrases.append((key, marker.name))
        texts = [p for _, p in phrases]
        lemmas = _phrase_lemmas(texts, nlp, cache_dir=cache_dir, key=codebook.signature)
        for (key, text), lower_doc in zip(phrases, map(nlp.make_doc, texts)):
            words = lemmas[text]
            self.lemma_matcher.add(key, [Doc(nlp.vocab, words=words, lemmas=words)])
            self.lower_matcher.add(key, [lower_doc])

    def hits(self, doc) -> list[Hit]:
        """Every marker hit in ``doc``, read in context (dropped ones included)."""
        strings = self.nlp.vocab.strings
        spans: dict[tuple[str, int, int], str] = {}
        for matcher in (self.lower_matcher, self.lemma_matcher, self.matcher):  # exact words name the rule first
            for match_id, start, end in matcher(doc):
                code_id, name = strings[match_id].split("|", 1)
                spans.setdefault((code_id, start, end), name)
        # A marker inside a longer marker of the same code adds nothing.
        keys = sorted(spans, key=lambda k: (k[0], k[1], -(k[2] - k[1])))
        kept: list[tuple[str, int, int]] = []
        for key in keys:
            if any(k[0] == key[0] and k[1] <= key[1] and key[2] <= k[2] for k in kept):
                continue
            kept.append(key)
        result = []
        for code_id, start, end in kept:
            result.append(self._read(doc, code_id, spans[(code_id, start, end)], start, end))
        return result

    def _read(self, doc, code_id: str, name: str, start: int, end: int) -> Hit:
        code = self.codes[code_id]
        span = doc[start:end]
        s, e = span.start_char, span.end_char
        if code.exchange and name.lower() in ("d'accord", "je suis d'accord") and narrative_daccord(doc, start):
            return Hit(code_id, code_id, name, s, e, "negation")
        if "negation" in code.blocked_by or code.negated_to:
            if is_negated(doc, start, end):
                if code.negated_to and code.negated_to in self.codes:
                    return Hit(code.negated_to, code_id, f"nié:{name}", s, e, "deplace")
                if "negation" in code.blocked_by:
                    return Hit(code_id, code_id, name, s, e, "negation")
        if "discours_rapporte" in code.blocked_by or code.reported_to:
            if reported_source(doc, start) is not None:
                if code.reported_to and code.reported_to in self.codes:
                    return Hit(code.reported_to, code_id, f"rapporté:{name}", s, e, "deplace")
                if "discours_rapporte" in code.blocked_by:
                    return Hit(code_id, code_id, name, s, e, "discours_rapporte")
        return Hit(code_id, code_id, name, s, e, "ok")


def _phrase_lemmas(texts: list[str], nlp, *, cache_dir: Path | None, key: str) -> dict[str, list[str]]:
    """Lemmas of each marker phrase, from the full pipeline (``nlp.pipe``), as in the texts.

    Parsing a thousand phrases takes about a second: a group's run keeps them in
    its cache folder, keyed by the codebook and the pipeline.
    """
    from .pipeline import pipeline_signature

    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(f"{key}|{pipeline_signature()}".encode()).hexdigest()[:16]
        path = Path(cache_dir) / f"lemmes-{digest}.json"
        if path.exists():
            try:
                cached = json.loads(path.read_text(encoding="utf-8"))
                if all(t in cached for t in texts):
                    return cached
            except ValueError:
                pass
    lemmas = {text: [t.lemma_ for t in doc] for text, doc in zip(texts, nlp.pipe(texts))}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(lemmas, ensure_ascii=False), encoding="utf-8")
    return lemmas
