"""The explainable auto-coder: marker rules read in context, a linear model, a sentence encoder.

Parts and how they combine (chosen on the development set by cross-validation
grouped by occupation, never on the test split; see :mod:`.train`):

- the linear model (:mod:`.model`) and the encoder (:mod:`.encoder`, the shipped
  multilingual-e5 head) each give a probability per code; with ``mix="moyenne"``
  a code is given when ``w * p_enc + (1 - w) * p_lin`` reaches the same mean of
  the two thresholds (``w`` = :data:`DEFAULT_ENCODER_WEIGHT`); with ``"union"``
  when either reaches its own threshold;
- a rule fires alone for a code neither knows (a group's own codes);
- vetoes that hold whatever the models say: a code whose own marker the rules
  read as negated or reported (or moved to another code) and that has no plain
  marker is not given by a model; a facilitator's procedural talk gets no code;
  ``debat.*`` codes need the group exchange (an answer to another speaker's
  turn, or an explicit answer marker) and a marker of agreement or disagreement.

Every decision carries evidence: the marker words for a code a rule also
found, else for an encoder code the phrase whose removal lowers its score
most (rule name ``encodeur``), else the words that weigh most in the linear
model (``modele``), with a score.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from .codebook import Codebook, load_codebook
from . import encoder as encoder_mod
from .encoder import occlusion_spans
from .context import ANSWER_CUES, contains_any, is_procedural
from .features import Unit, dense_features, sparse_features
from .model import LinearModel, default_model_path
from .pipeline import load_pipeline, parse, pipeline_signature
from .rules import Hit, RuleSet

CODER_NAME = "gacp-codeur"
MODEL_RULE = "modele"
ENCODER_RULE = encoder_mod.ENCODER_RULE
ENCODER_PENDING = "\0encodeur"  # an encoder code waiting for its occlusion evidence
MAX_MODEL_EVIDENCE = 3
# Bump when the decision logic changes without a package release: segments coded
# by an earlier revision are then recoded by the next ``gacp code``.
CODER_REVISION = 6
# How the encoder and the linear model are combined for a code both know:
# "union" gives it when either reaches its threshold; "moyenne" when the weighted
# mean of the two probabilities reaches the same mean of the two thresholds; "marqueur"
# as "moyenne", but a code whose plain marker a rule found is given when either part
# reaches its own threshold (the marker is then a third voice for the code).
# Compared on corpora/gold/dev.jsonl by grouped cross-validation (train --combinaison):
# moyenne 0.650, marqueur 0.644 (test split: 0.665, 0.668); "marqueur" is the default
# because it keeps the grid's markers a voice of their own (« je regarde par la porte »,
# « je suis épuisée » are not lost when the encoder, read on short segments, disagrees).
MIXES = ("union", "moyenne", "marqueur")
DEFAULT_MIX = "marqueur"
DEFAULT_ENCODER_WEIGHT = 0.5
# Rule statuses that veto a model's code: its own marker was read negated or reported.
VETO_STATUSES = ("negation", "discours_rapporte", "deplace")


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
            package, ``False`` codes without it.
        encoder: the sentence encoder; ``None`` loads the one shipped with the
            package (if any), ``False`` codes without it. ``model=False,
            encoder=False`` codes with the rules alone.
        nlp: the spaCy pipeline (default: :func:`load_pipeline`).
        cache_dir: where to keep the marker phrases' lemmas and the
            embeddings between runs.
        mix: how encoder and model combine (:data:`MIXES`).
        weight: the encoder's weight in the mean (``mix="moyenne"``).
    """

    def __init__(self, codebook: Codebook | None = None, *, model: LinearModel | None | bool = None,
                 encoder: encoder_mod.Encoder | None | bool = None, nlp=None,
                 cache_dir: Path | None = None, mix: str | None = None,
                 weight: float | None = None) -> None:
        self.codebook = codebook or load_codebook()
        self.nlp = nlp or load_pipeline()
        self.rules = RuleSet(self.codebook, self.nlp, cache_dir=cache_dir)
        if model is None:
            model = LinearModel.load(default_model_path())
        self.model: LinearModel | None = model or None
        if encoder is None or isinstance(encoder, (str, Path)):
            folder = Path(encoder) if encoder is not None else None
            encoder = False
            if encoder_mod.available(folder):
                cache = None
                if cache_dir is not None:
                    cache = encoder_mod.EmbeddingCache(cache_dir, encoder_mod.model_signature(folder))
                encoder = encoder_mod.Encoder(folder, cache=cache)
        self.encoder: encoder_mod.Encoder | None = encoder or None
        mix = mix or DEFAULT_MIX
        if mix not in MIXES:
            raise ValueError(f"mix must be one of {MIXES}")
        self.mix = mix
        self.weight = DEFAULT_ENCODER_WEIGHT if weight is None else float(weight)
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError("weight must be in [0, 1]")
        self._active = set(self.codebook.ids)
        self._exchange = {c.id for c in self.codebook.active_codes if c.exchange}

    @property
    def name(self) -> str:
        """What ``codings.coder`` records: ``<name>-<version>``."""
        return coder_name()

    @property
    def signature(self) -> str:
        return coding_signature(self.codebook, with_model=self.model is not None,
                                with_encoder=self.encoder is not None,
                                encoder_folder=self.encoder.folder if self.encoder else None)

    def parse(self, texts: Sequence[str]) -> list:
        return parse(texts)

    def code(self, units: Sequence[Unit], docs: Sequence | None = None, *,
             explain: bool = True) -> list[list[Decision]]:
        """Decisions for each unit (parsing the texts unless ``docs`` is given).

        ``explain=False`` (for evaluation) skips the encoder's occlusion: its codes are
        the same, their evidence is the segment's first phrase instead of the best one.
        """
        docs = list(docs) if docs is not None else self.parse([u.text for u in units])
        all_hits = [self.rules.hits(doc) for doc in docs]
        proba = enc_proba = None
        if self.model is not None and units:
            feats = [sparse_features(d, h, u) for d, h, u in zip(docs, all_hits, units)]
            proba = self.model.proba(feats, [dense_features(d) for d in docs])
        procedural = [is_procedural(u.text, facilitator=u.facilitator) for u in units]
        if self.encoder is not None and units:
            # The facilitator's procedural talk gets no code: it is not even embedded.
            keep = [i for i, p in enumerate(procedural) if not p]
            enc_proba = np.zeros((len(units), len(self.encoder.codes)), dtype=np.float32)
            if keep:
                enc_proba[keep] = self.encoder.proba([units[i].text for i in keep],
                                                     [units[i].previous_text for i in keep])
        pending = [[] if procedural[i] else
                   self._decide(doc, hits, unit, None if proba is None else proba[i],
                                None if enc_proba is None else enc_proba[i])
                   for i, (doc, hits, unit) in enumerate(zip(docs, all_hits, units))]
        # Occlusion for the encoder's codes, every segment's variants in one batch.
        requests = []
        for i, items in enumerate(pending):
            wanted = [self.encoder.codes.index(d.code) for d in items if d.rule == ENCODER_PENDING]
            if wanted:
                requests.append((i, (units[i].text, units[i].previous_text, enc_proba[i], wanted)))
        spans_of: dict[int, dict[int, tuple[int, int]]] = {}
        if requests and not explain:
            spans_of = {i: dict.fromkeys(r[3], (occlusion_spans(r[0]) or [None])[0])
                        for i, r in requests}
        elif requests:
            found = self.encoder.evidence([r for _, r in requests])
            spans_of = {i: f for (i, _), f in zip(requests, found)}
        out = []
        for i, items in enumerate(pending):
            decisions = []
            for d in items:
                if d.rule == ENCODER_PENDING:
                    span = spans_of.get(i, {}).get(self.encoder.codes.index(d.code))
                    if span is None:
                        continue  # no words, no code
                    d = Decision(code=d.code, rule=ENCODER_RULE, score=d.score, spans=(span,))
                decisions.append(d)
            out.append(decisions)
        return out

    def _decide(self, doc, hits: list[Hit], unit: Unit, proba, enc_proba=None) -> list[Decision]:
        # In an exchange, the previous turn decides; read alone, an explicit answer marker does.
        if unit.previous_text:
            exchange_ok = unit.answers_someone
        else:
            exchange_ok = contains_any(unit.text.lower(), ANSWER_CUES) is not None
        exchange_ok = exchange_ok and not unit.facilitator
        by_code: dict[str, list[Hit]] = {}
        read_away: set[str] = set()  # codes whose own marker was read negated or reported
        for hit in hits:
            if hit.status in ("ok", "deplace") and hit.code in self._active:
                by_code.setdefault(hit.code, []).append(hit)
            if hit.status in VETO_STATUSES:
                read_away.add(hit.marker_code)
        chosen: dict[str, float] = {}  # code -> score
        model_codes = set(self.model.codes) if self.model is not None else set()
        model_p: dict[str, tuple[float, float]] = {}  # code -> (probability, threshold)
        if proba is not None:
            model_p = {code: (float(proba[j]), float(self.model.thresholds[j]))
                       for j, code in enumerate(self.model.codes) if code in self._active}
        enc_p: dict[str, tuple[float, float]] = {}
        if enc_proba is not None:
            enc_p = {code: (float(enc_proba[j]), float(self.encoder.thresholds[j]))
                     for j, code in enumerate(self.encoder.codes) if code in self._active}
            model_codes |= set(self.encoder.codes)
        by_encoder: set[str] = set()
        w = self.weight
        for code in dict.fromkeys([*model_p, *enc_p]):
            if code in read_away and code not in by_code:
                continue  # veto: « je ne suis pas fatiguée », « la cadre dit qu'il faut … »
            m, e = model_p.get(code), enc_p.get(code)
            if m is not None and e is not None and self.mix != "union" and not (
                    self.mix == "marqueur" and code in by_code):
                if w * e[0] + (1 - w) * m[0] >= w * e[1] + (1 - w) * m[1]:
                    chosen[code] = w * e[0] + (1 - w) * m[0]
                    # The evidence is the encoder's when it weighs more above its threshold.
                    if w * (e[0] - e[1]) >= (1 - w) * (m[0] - m[1]):
                        by_encoder.add(code)
                continue
            if e is not None and e[0] >= e[1]:
                chosen[code] = e[0]
                by_encoder.add(code)
            elif m is not None and m[0] >= m[1]:
                chosen[code] = m[0]
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
            elif code in by_encoder:  # evidence by occlusion, for the whole batch at once
                decisions.append(Decision(code=code, rule=ENCODER_PENDING, score=round(score, 3)))
            else:
                spans = self._model_evidence(doc, code)
                if spans:  # every code shows the words behind it: no words, no code
                    decisions.append(Decision(code=code, rule=MODEL_RULE, score=round(score, 3),
                                              spans=spans))
        return decisions

    def _model_evidence(self, doc, code: str) -> tuple[tuple[int, int], ...]:
        """The content words that weigh most towards ``code`` in this segment."""
        if self.model is None or code not in self.model.codes:
            return ()
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


def coding_signature(codebook: Codebook, *, with_model: bool = True,
                     with_encoder: bool | None = None, encoder_folder: Path | None = None) -> str:
    """What a segment was coded with: coder version, codebook, models, pipeline.

    Computed without loading spaCy or the encoder, so an unchanged re-run is decided
    in milliseconds. ``with_encoder`` defaults to whether ``encoder_folder`` (default:
    the package's) holds an encoder head.
    """
    model = _file_hash(default_model_path()) if with_model else "regles"
    if with_encoder is None:
        with_encoder = encoder_mod.available(encoder_folder)
    encoder = encoder_mod.signature(encoder_folder) if with_encoder else "sans-encodeur"
    return (f"{coder_name()}.r{CODER_REVISION}|{codebook.signature}|{model}|{encoder}|"
            f"{DEFAULT_MIX}:{DEFAULT_ENCODER_WEIGHT}|{pipeline_signature()}")


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "absent"
