"""Keyword in context over words and lemmas (hand-built groups A and B)."""
from __future__ import annotations

import pytest

from gacp_analysis.errors import GacpError
from gacp_analysis.synthesis import kwic, load_tables


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_word_search_with_context(tables):
    hits = kwic(tables, "tournée", width=12)
    assert hits[["group", "session", "turn", "speaker"]].values.tolist() == [
        ["Groupe A", 1, 1, "Ambre"], ["Groupe A", 2, 1, "Basile"]]
    first = hits.iloc[0]
    assert (first["left"], first["match"], first["right"]) == ("accourci la ", "tournée",
                                                              ". Je suis re")
    assert first["codes"] == "consequence.sante, travail.arrangement, travail.contrainte"


def test_phrase_and_case(tables):
    assert len(kwic(tables, "CHEZ NOUS")) == 2
    assert len(kwic(tables, "chez  nous  on")) == 1
    assert kwic(tables, "caisse")["group"].tolist() == ["Groupe B", "Groupe B"]


def test_lemma_search(tables):
    assert kwic(tables, "dormir").empty
    hits = kwic(tables, "dormir", lemma=True)
    assert hits["match"].tolist() == ["dors", "dors"]
    assert hits["speaker"].tolist() == ["Basile", "Ambre"]


def test_filters(tables):
    assert kwic(tables, "dors", roles="infirmier")["speaker"].tolist() == ["Basile"]
    assert kwic(tables, "dors", codes="debat.accord")["speaker"].tolist() == ["Ambre"]
    assert kwic(tables, "dors", sessions=[1]).empty
    assert kwic(tables, "on", groups="Groupe B", speakers=["Animateur"])["session"].tolist() == [2, 2]


def test_search_sees_pseudonyms_only(tables):
    assert kwic(tables, "Nadia").empty
    hits = kwic(tables, "Ambre")
    assert hits[["session", "turn", "speaker"]].values.tolist() == [[1, 5, "Animatrice"],
                                                                   [3, 2, "Basile"]]


def test_empty_query(tables):
    with pytest.raises(GacpError) as info:
        kwic(tables, "  ")
    assert info.value.code == "E304"
