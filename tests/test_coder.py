"""The coder: marker rules read in context, the model, and the constraints on its output."""
from __future__ import annotations

import pytest

from gacp_analysis.coding.context import find_cue, is_negated, is_procedural, reported_source
from gacp_analysis.coding.features import Unit
from gacp_analysis.coding.pipeline import load_pipeline


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def hits(coder, text: str) -> list[tuple[str, str, str, str]]:
    """(code, rule, status, words) of every rule hit in ``text``."""
    doc = coder.nlp(text)
    return sorted((h.code, h.rule, h.status, text[h.start:h.end]) for h in coder.rules.hits(doc))


def codes(coder, unit: Unit) -> list[str]:
    return [d.code for d in coder.code([unit])[0]]


# -- context: negation --------------------------------------------------------------

@pytest.mark.parametrize("text, word, negated", [
    ("je ne suis pas fatiguée", "fatiguée", True),
    ("j'ai pas peur des chiens", "peur", True),
    ("ça n'a jamais raté", "raté", True),
    ("c'est pas mal fatigant", "fatigant", False),  # « pas mal »: not a negation
    ("on n'était que deux", "deux", False),  # « ne… que »: no cue
    ("je suis pas venue, mais je suis épuisée", "épuisée", False),  # scope ends at « mais »
    ("c'est pas rien, la fatigue", "fatigue", False),
    ("j'osais plus la regarder", "regarder", True),
    ("il y a plus de travail", "travail", False),  # « plus de »: more
])
def test_negation_scope(nlp, text, word, negated):
    doc = nlp(text)
    i = next(t.i for t in doc if t.text == word)
    assert is_negated(doc, i, i + 1) is negated


# -- context: reported speech -----------------------------------------------------------

@pytest.mark.parametrize("text, word, reported", [
    ("la cadre dit qu'il faut être efficaces", "efficaces", True),
    ("elle nous répète qu'il faut aller vite", "vite", True),
    ("la direction veut des résultats", "résultats", True),
    ("je me suis dit que c'était plus rapide", "rapide", False),
    ("moi je dis que c'est plus rapide", "rapide", False),
    ("nous on dit que c'est plus rapide", "rapide", False),
    ("c'est plus rapide comme ça", "rapide", False),
])
def test_reported_speech(nlp, text, word, reported):
    doc = nlp(text)
    i = next(t.i for t in doc if t.text == word)
    assert (reported_source(doc, i) is not None) is reported


def test_facilitator_procedural_talk_and_reformulation():
    assert is_procedural("Qui veut commencer ?", facilitator=True)
    assert is_procedural("On fait une pause de dix minutes.", facilitator=True)
    assert not is_procedural("Si je reprends, vous décalez les douches.", facilitator=True)
    assert not is_procedural("Qui veut commencer ?", facilitator=False)
    assert find_cue("Bon, moi aussi, chez nous c'est pareil", ("moi aussi",)) == (5, 14)
    assert find_cue("Bon, moi aussi, chez nous c'est pareil", ("chez nous", "moi aussi")) == (16, 25)
    assert find_cue("chez nousautres", ("chez nous",)) is None


# -- rules ------------------------------------------------------------------------------

def test_rule_hits_read_negation_and_reported_speech(coder):
    assert hits(coder, "je ne suis pas fatiguée") == [
        ("consequence.sante", "fatiguée", "negation", "fatiguée")]
    assert ("recit.echec", "rater", "negation", "raté") in hits(coder, "ça n'a pas raté")
    # An efficiency marker in the cadre's mouth is a constraint, not the speaker's rationality.
    assert hits(coder, "la cadre dit qu'il faut être efficaces") == [
        ("travail.contrainte", "il faut", "ok", "il faut"),
        ("travail.contrainte", "la cadre", "ok", "la cadre"),
        ("travail.contrainte", "rapporté:efficaces", "deplace", "efficaces"),
    ]
    # A negated resource is a constraint (« negation_vers »).
    assert ("travail.contrainte", "nié:m'aider", "deplace", "m'aider") in hits(
        coder, "la collègue elle a pas voulu m'aider")


def test_lemma_and_word_matching(coder):
    # « épuisé » in the codebook finds the feminine form; « être obligé » its conjugation.
    assert ("consequence.sante", "épuisée", "ok", "épuisée") in hits(coder, "je suis épuisée")
    assert ("travail.contrainte", "être obligé", "ok", "étais obligée") in hits(
        coder, "j'étais obligée de partir")


# -- the coder --------------------------------------------------------------------------

def test_evidence_offsets_point_at_the_trigger_words(coder):
    unit = Unit("franchement j'avais honte, j'osais plus la regarder")
    [decisions] = coder.code([unit])
    affect = next(d for d in decisions if d.code == "affect")
    assert affect.rule == "honte + j'osais plus"
    assert affect.spans == ((20, 25), (27, 39))
    assert [unit.text[s:e] for s, e in affect.spans] == ["honte", "j'osais plus"]
    assert 0.5 <= affect.score <= 1.0


def test_negated_health_and_failure_are_not_coded(coder):
    assert "consequence.sante" not in codes(coder, Unit("je ne suis pas fatiguée, ça va"))
    assert "recit.echec" not in codes(coder, Unit("ça n'a pas raté"))
    assert "affect" not in codes(coder, Unit("j'ai pas peur des chiens"))


def test_reported_efficiency_is_a_constraint(coder):
    got = codes(coder, Unit("la cadre dit qu'il faut être efficaces"))
    assert "travail.contrainte" in got
    assert "rationalite.instrumentale" not in got


def test_facilitator_procedural_talk_gets_no_code(coder):
    assert codes(coder, Unit("Qui veut commencer ?", facilitator=True)) == []
    assert codes(coder, Unit("on va faire une petite pause de dix minutes et on reprend",
                             facilitator=True)) == []
    reformulation = Unit("si je reprends, vous décalez les douches pour tenir le planning",
                         facilitator=True)
    assert "travail.arrangement" in codes(coder, reformulation)


def test_debate_needs_the_exchange(coder):
    text = "je suis pas d'accord, nous on fait pas comme ça"
    answer = Unit(text, speaker="Karim", previous_speaker="Nadia",
                  previous_text="on réveille tout le monde à six heures")
    assert "debat.divergence" in codes(coder, answer)
    # Read alone, an explicit answer marker (« je suis pas d'accord ») is enough …
    assert "debat.divergence" in codes(coder, Unit(text))
    # … but a story with no marker of answering someone gets no debate code.
    alone = Unit("nous on fait les toilettes à six heures")
    assert not {"debat.accord", "debat.divergence"} & set(codes(coder, alone))
    # Narrative « d'accord » moves a story on: no agreement.
    narrative = Unit("d'accord, donc j'y vais", speaker="Karim", previous_speaker="Nadia",
                     previous_text="tu y vas ?")
    assert "debat.accord" not in codes(coder, narrative)
    # The previous turn of the same speaker is no exchange.
    same = Unit("moi aussi je trouve", speaker="Nadia", previous_speaker="Nadia",
                previous_text="c'était dur")
    assert "debat.accord" not in codes(coder, same)


def test_agreement_in_the_exchange(coder):
    unit = Unit("ah ben moi aussi, chez nous c'est pareil", speaker="Karim",
                previous_speaker="Nadia", previous_text="on était deux au lieu de trois")
    [decisions] = coder.code([unit])
    accord = next(d for d in decisions if d.code == "debat.accord")
    assert accord.rule == "moi aussi + chez nous c'est pareil"
    assert [unit.text[s:e] for s, e in accord.spans] == ["moi aussi", "chez nous c'est pareil"]


def test_rules_only_coder_and_codes_switched_off(coder, tmp_path):
    from gacp_analysis.coding.codebook import load_codebook
    from gacp_analysis.coding.coder import Coder

    (tmp_path / "codebook.yaml").write_text(
        "codes:\n  affect:\n    actif: false\n  local.badge:\n    label: Badgeuse\n"
        "    famille: travail\n    marqueurs:\n      expressions: [badgeuse]\n", encoding="utf-8")
    group_coder = Coder(load_codebook(tmp_path), nlp=coder.nlp)
    [decisions] = group_coder.code([Unit("j'avais honte devant la badgeuse")])
    got = {d.code: d for d in decisions}
    assert "affect" not in got
    # A group's own code is given by its rule (the model does not know it).
    assert got["local.badge"].rule == "badgeuse" and got["local.badge"].score == 1.0
    rules_only = Coder(load_codebook(), model=False, nlp=coder.nlp)
    assert [d.code for d in rules_only.code([Unit("j'avais honte")])[0]] == ["affect"]
