"""The explainable auto-coder: marker rules read in context, and a linear model over them.

A code is given when the model's probability reaches the code's threshold
(tuned by cross-validation on the development set), or when a rule fires
for a code the model does not know (a group's own codes). Every decision
carries evidence: the marker words for a rule code, the words that weigh
most for a model code, with the rule's name (``modele`` for the model) and a
score. Two constraints hold whatever the model says: a facilitator's
procedural talk gets no code, and ``debat.*`` codes need the group exchange
(an answer to another speaker's turn, or an explicit answer marker) and a
marker of agreement or disagreement.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from .codebook import Codebook, load_codebook
from .context import ANSWER_CUES, contains_any, is_procedural
from .features import Unit, dense_features, sparse_features
from .model import LinearModel, default_model_path
from .pipeline import load_pipeline, parse, pipeline_signature
from .rules import Hit, RuleSet

CODER_NAME = "gacp-codeur"
MODEL_RULE = "modele"
MAX_MODEL_EVIDENCE = 3
# Bump when the decision logic changes without a package release: segments coded
# by an earlier revision are then recoded by the next ``gacp code``.
CODER_REVISION = 3


@dataclass(frozen=True)
class Decision:
    """A code for one segment. ``spans`` are offsets into the segment text."""

    code: str
    rule: str
    score: float
    spans: tuple[tuple[int, int], ...] = ()


class Coder:
    """Codes parsed segments with a codebook's rules and the trained model.

    Args:
        codebook: the codes in force (default: the package's codebook).
        model: the trained model; ``None`` loads the one shipped with the
            package, ``False`` codes with the rules alone.
        nlp: the spaCy pipeline (default: :func:`load_pipeline`).
        cache_dir: where to keep the marker phrases' lemmas between runs.
    """

    def __init__(self, codebook: Codebook | None = None, *, model: LinearModel | None | bool = None,
                 nlp=None, cache_dir: Path | None = None) -> None:
        self.codebook = codebook or load_codebook()
        self.nlp = nlp or load_pipeline()
        self.rules = RuleSet(self.codebook, self.nlp, cache_dir=cache_dir)
        if model is None:
            model = LinearModel.load(default_model_path())
        self.model: LinearModel | None = model or None
        self._active = set(self.codebook.ids)
        self._exchange = {c.id for c in self.codebook.active_codes if c.exchange}

    @property
    def name(self) -> str:
        """What ``codings.coder`` records: ``<name>-<version>``."""
        return coder_name()

    @property
    def signature(self) -> str:
        return coding_signature(self.codebook, with_model=self.model is not None)

    def parse(self, texts: Sequence[str]) -> list:
        return parse(texts)

    def code(self, units: Sequence[Unit], docs: Sequence | None = None) -> list[list[Decision]]:
        """Decisions for each unit (parsing the texts unless ``docs`` is given)."""
        docs = list(docs) if docs is not None else self.parse([u.text for u in units])
        all_hits = [self.rules.hits(doc) for doc in docs]
        proba = None
        if self.model is not None and units:
            feats = [sparse_features(d, h, u) for d, h, u in zip(docs, all_hits, units)]
            proba = self.model.proba(feats, [dense_features(d) for d in docs])
        return [self._decide(doc, hits, unit, None if proba is None else proba[i])
                for i, (doc, hits, unit) in enumerate(zip(docs, all_hits, units))]

    def _decide(self, doc, hits: list[Hit], unit: Unit, proba) -> list[Decision]:
        if is_procedural(unit.text, facilitator=unit.facilitator):
            return []
        # In an exchange, the previous turn decides; read alone, an explicit answer marker does.
        if unit.previous_text:
            exchange_ok = unit.answers_someone
        else:
            exchange_ok = contains_any(unit.text.lower(), ANSWER_CUES) is not None
        exchange_ok = exchange_ok and not unit.facilitator
        by_code: dict[str, list[Hit]] = {}
        for hit in hits:
            if hit.status in ("ok", "deplace") and hit.code in self._active:
                by_code.setdefault(hit.code, []).append(hit)
        chosen: dict[str, float] = {}  # code -> score
        model_codes = set(self.model.codes) if self.model is not None else set()
        if proba is not None:
            for j, code in enumerate(self.model.codes):
                if code in self._active and proba[j] >= self.model.thresholds[j]:
                    chosen[code] = float(proba[j])
        for code in by_code:
            if code not in model_codes and code not in chosen:
                chosen[code] = 1.0  # a group's own code: its rule alone decides
            elif code in self._exchange and exchange_ok and not unit.previous_text:
                # Read alone, an explicit answer marker is the codebook's own criterion; the
                # model learnt the exchange from segments read with their previous turn.
                chosen.setdefault(code, 1.0)
        decisions = []
        for code in self.codebook.ids:
            if code not in chosen:
                continue
            if code in self._exchange and (not exchange_ok or code not in by_code):
                # The exchange needs words of agreement or disagreement: a model guess
                # from context alone would code every short reply.
                continue
            score = chosen[code]
            if code in by_code:
                rule_hits = sorted(by_code[code], key=lambda h: h.start)
                names = list(dict.fromkeys(h.rule for h in rule_hits))
                decisions.append(Decision(code=code, rule=" + ".join(names[:3]), score=round(score, 3),
                                          spans=tuple(_merge((h.start, h.end) for h in rule_hits))))
            else:
                spans = self._model_evidence(doc, code)
                if spans:  # every code shows the words behind it: no words, no code
                    decisions.append(Decision(code=code, rule=MODEL_RULE, score=round(score, 3),
                                              spans=spans))
        return decisions

    def _model_evidence(self, doc, code: str) -> tuple[tuple[int, int], ...]:
        """The content words that weigh most towards ``code`` in this segment."""
        j = self.model.codes.index(code)
        scored = []
        for tok in doc:
            if tok.is_punct or tok.is_space or tok.is_stop:
                continue
            weight = max(self.model.contributions(f"l:{tok.lemma_.lower()}", j),
                         self.model.contributions(f"w:{tok.lower_}", j))
            if weight > 0.05:
                scored.append((weight, tok.idx, tok.idx + len(tok.text)))
        best = sorted(scored, reverse=True)[:MAX_MODEL_EVIDENCE]
        return tuple(_merge((s, e) for _, s, e in sorted(best, key=lambda t: t[1])))


def _merge(spans) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def coder_name() -> str:
    return f"{CODER_NAME}-{__version__}"


def coding_signature(codebook: Codebook, *, with_model: bool = True) -> str:
    """What a segment was coded with: coder version, codebook, model, pipeline.

    Computed without loading spaCy, so an unchanged re-run is decided in milliseconds.
    """
    model = _file_hash(default_model_path()) if with_model else "regles"
    return f"{coder_name()}.r{CODER_REVISION}|{codebook.signature}|{model}|{pipeline_signature()}"


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "absent"
