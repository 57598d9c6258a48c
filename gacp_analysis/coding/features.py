"""Features of a segment for the statistical model: words, grammar, rule hits, exchange context."""
from __future__ import annotations

from dataclasses import dataclass

from .context import ANSWER_CUES, contains_any, is_procedural
from .pipeline import VECTOR_KEY
from .rules import Hit

_MORPH_KEYS = {"Tense", "Person", "Mood", "VerbForm"}


@dataclass(frozen=True)
class Unit:
    """A segment to code, with what the coder needs to know of its context.

    ``previous_*`` describe the previous turn of *another* speaker (None when
    the segment opens the exchange or is read in isolation).
    """

    text: str
    speaker: str | None = None
    facilitator: bool = False
    previous_speaker: str | None = None
    previous_text: str | None = None

    @property
    def answers_someone(self) -> bool:
        return bool(self.previous_text) and (self.previous_speaker is None
                                             or self.previous_speaker != self.speaker)


def sparse_features(doc, hits: list[Hit], unit: Unit) -> set[str]:
    """The binary features of a segment (names; the model maps them to columns)."""
    feats: set[str] = {"biais"}
    lemmas = []
    for tok in doc:
        if tok.is_punct or tok.is_space:
            if tok.text == "?":
                feats.add("ctx:question")
            continue
        lemma = tok.lemma_.lower()
        lemmas.append(lemma)
        feats.add(f"l:{lemma}")
        if tok.lower_ != lemma:
            feats.add(f"w:{tok.lower_}")
        if tok.pos_ in ("VERB", "AUX"):
            for pair in str(tok.morph).split("|"):
                if pair.split("=", 1)[0] in _MORPH_KEYS:
                    feats.add(f"m:{pair}")
    for a, b in zip(lemmas, lemmas[1:]):
        feats.add(f"b:{a}_{b}")
    for hit in hits:
        prefix = {"ok": "r", "deplace": "r", "negation": "rn", "discours_rapporte": "rr"}[hit.status]
        feats.add(f"{prefix}:{hit.code}")
        if hit.status == "deplace":
            feats.add(f"rd:{hit.marker_code}")
    if unit.facilitator:
        feats.add("ctx:animation")
        if is_procedural(unit.text, facilitator=True):
            feats.add("ctx:procedure")
    if unit.answers_someone:
        feats.add("ctx:reponse")
        if unit.previous_text.rstrip().endswith("?"):
            feats.add("ctx:reponse_question")
    if contains_any(unit.text.lower(), ANSWER_CUES):
        feats.add("ctx:marque_reponse")
    n = len(lemmas)
    feats.add("len:court" if n < 8 else "len:moyen" if n < 20 else "len:long")
    return feats


def dense_features(doc) -> list[float]:
    """The segment's mean token vector (from the pipeline's tok2vec), empty if absent."""
    return list(doc.user_data.get(VECTOR_KEY) or [])
