"""Sentence segmentation inside a turn: exact spans, computed by hand."""
from __future__ import annotations

from gacp_analysis.corpus.segments import split_sentences


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_and_short_fragments():
    text = "Ah oui. Moi pareil chez nous. Et puis la nuit on était deux !"
    assert split_sentences(text) == [(0, 29), (30, 61)]
    assert _texts(text) == ["Ah oui. Moi pareil chez nous.", "Et puis la nuit on était deux !"]


def test_abbreviations_do_not_end_a_sentence():
    text = "Alors M. Duval est tombé vers trois heures. Le Dr. Morel est passé le lendemain matin."
    assert _texts(text) == ["Alors M. Duval est tombé vers trois heures.",
                            "Le Dr. Morel est passé le lendemain matin."]


def test_hesitation_ellipsis_before_lowercase_stays_inside():
    text = "Et puis... bon on y est allées quand même. Voilà quoi..."
    # « Voilà quoi... » is two words: it joins the previous sentence.
    assert _texts(text) == ["Et puis... bon on y est allées quand même. Voilà quoi..."]


def test_ellipsis_before_capital_ends_a_sentence():
    text = "Je sais pas trop quoi dire… Elle m'a regardée longtemps après ça."
    assert _texts(text) == ["Je sais pas trop quoi dire…", "Elle m'a regardée longtemps après ça."]


def test_closing_quote_belongs_to_the_sentence():
    text = "Elle m'a dit « vous faites rien la nuit ! » Moi ça m'a fait mal."
    assert _texts(text) == ["Elle m'a dit « vous faites rien la nuit ! »", "Moi ça m'a fait mal."]


def test_long_unpunctuated_speech_is_cut_at_the_middle_comma():
    left = " ".join(["mot"] * 35)
    right = " ".join(["autre"] * 35)
    text = f"{left}, {right}"
    # 70 words > 60: cut after the only comma; the space belongs to neither segment.
    assert split_sentences(text) == [(0, len(left) + 1), (len(left) + 2, len(text))]


def test_single_short_turn_is_one_segment():
    assert split_sentences("Oui.") == [(0, 4)]
    assert split_sentences("") == []
