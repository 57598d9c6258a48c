"""Masking, NER masking of quotes, secrets and consent (privacy.py)."""
from __future__ import annotations

import dataclasses

import pytest
from conftest import DEMO, FIXTURES

from gacp_analysis.corpus.group import load_group
from gacp_analysis.privacy import (MASK, ORGANISATION_MASK, Masker, find_secrets, group_secrets,
                                   quotable_pseudonyms)


@pytest.fixture(scope="module")
def group():
    return load_group(FIXTURES / "bilan")


@pytest.fixture(scope="module")
def masker(group):
    return Masker(group)


@pytest.mark.parametrize("text, expected", [
    ("Lulu a tenu bon, franchement.", "Oscar a tenu bon, franchement."),
    ("Lucien K. et LUCIEN et lucien", "Oscar et Oscar et Oscar"),
    ("Paule Vernet puis Paule", "Animatrice puis Animatrice"),
    ("parce que M. Fontaine avait fermé", f"parce que {MASK} avait fermé"),
    ("les usagers de la mairie de Valmorin.", f"les usagers de la {ORGANISATION_MASK}."),
    ("à Valmorin même", f"à {MASK} même"),
    ("Gisèle,Marcel", "Rita,Victor"),
    ("Gigiette et Marcelline", "Gigiette et Marcelline"),  # whole words only
    ("", ""),
])
def test_masker_replaces_known_names(masker, text, expected):
    assert masker(text) == expected


def test_longest_name_wins_over_its_prefix():
    demo = Masker(load_group(DEMO))
    assert demo("Nadia Benali, Nadia B. et Nadia") == "Ambre, Ambre et Ambre"
    assert demo("EHPAD Les Tilleuls de Kerlann") == ORGANISATION_MASK
    assert demo("Nanard a mal au dos") == "Firmin a mal au dos"


def test_quote_masks_person_names_found_by_ner(masker):
    text = "Bon, voilà, Sophie Martin était de garde avec Lucien et M. Fontaine."
    assert masker(text) == f"Bon, voilà, Sophie Martin était de garde avec Oscar et {MASK}."
    assert masker.quote(text) == f"Bon, voilà, {MASK} était de garde avec Oscar et {MASK}."


def test_quote_masks_only_name_words_of_an_entity(masker):
    # The small model tags « Ah ben ça » as a person: stop words are not names.
    assert masker.quote("Ah ben ça. En mars c'était une note de service, hein.") == \
        "Ah ben ça. En mars c'était une note de service, hein."
    # A title stays, the name goes; a pseudonym inside an entity stays.
    assert masker.quote("Il a appelé Sophie et Mme Lambert.") == \
        f"Il a appelé {MASK} et Mme {MASK}."
    assert masker.quote("Gigi, raconte.") == "Rita, raconte."


def test_quote_keeps_pseudonyms_and_masks(masker):
    assert masker.quote("Oscar et Victor sont là, avec Rita.") == \
        "Oscar et Victor sont là, avec Rita."
    assert masker.quotes(["", "Lulu a tenu bon."]) == ["", "Oscar a tenu bon."]


def test_secrets_list_every_name_once(group):
    assert group_secrets(group) == ["Paule", "Paule Vernet", "Lucien", "Lulu", "Lucien K.",
                                    "Gisèle", "Gigi", "Marcel", "M. Fontaine", "Valmorin",
                                    "Mairie de Valmorin"]


def test_shown_organisation_is_neither_masked_nor_secret(group):
    shown = dataclasses.replace(group, show_organisation=True)
    assert "Mairie de Valmorin" not in group_secrets(shown)
    # « Valmorin » alone is still in a_masquer: the group asked for it.
    assert Masker(shown)("la Mairie de Valmorin") == f"la Mairie de {MASK}"


def test_find_secrets_whole_words_any_case(group):
    secrets = group_secrets(group)
    assert find_secrets("Rien ici : Oscar, Rita.", secrets) == []
    assert find_secrets("un mot de GISÈLE ici", secrets) == [("Gisèle", "un mot de GISÈLE ici")]
    assert find_secrets("Marcelline", secrets) == []
    assert find_secrets("M.  Fontaine", secrets) == [("M. Fontaine", "M. Fontaine")]


def test_quotable_pseudonyms_consenting_participants_only(group):
    assert quotable_pseudonyms(group) == frozenset({"Oscar", "Victor"})
    demo = load_group(DEMO)
    assert "Firmin" not in quotable_pseudonyms(demo)
    assert "Hortense" not in quotable_pseudonyms(demo)
    assert "Animatrice" not in quotable_pseudonyms(demo)


@pytest.fixture(scope="module")
def alias_masker():
    return Masker(load_group(FIXTURES / "alias"))


@pytest.mark.parametrize("text, expected", [
    ("C'est clair que ça arrive, JP.", "C'est clair que ça arrive, Yvon."),
    ("la situation n'était pas claire", "la situation n'était pas claire"),
    ("Claire et CLAIRE, Claire B.", "Nina et Nina, Nina"),
    ("jp, jp-icon, ja-JP", "jp, jp-icon, ja-JP"),
    ("Flo, le flot, FLO", "Zoé, le flot, Zoé"),
    ("la tournée d’Hélène, d'Helene, D’HÉLÈNE", "la tournée de Lise, de Lise, De Lise"),
    ("l’équipe de Jean\u2011Pierre et de Jean Pierre", "l’équipe de Yvon et de Yvon"),
    ("chez Mme\u00a0N’Diaye", f"chez {MASK}"),
    ("d’Flo", "de Zoé"),
])
def test_masker_typographic_and_case_variants(alias_masker, text, expected):
    assert alias_masker(text) == expected
    # Masking and the audit agree: what is masked holds no secret any more.
    assert find_secrets(alias_masker(text), alias_masker.secrets()) == []
