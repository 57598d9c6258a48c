"""Divergences, common readings and theme transitions (hand-built groups A and B).

Debate turns of group A: A1/3 Basile accord (answers Ambre's A1/1: contrainte, arrangement,
santé), A1/4 Capucine divergence (own theme qualité; Basile's A1/3 has no theme), A2/2 Ambre
accord (own santé, collectif; Basile's A2/1: ressource, pratiques, santé), A3/3 Capucine
divergence (own qualité; Basile's A3/2: échec, pratiques, santé).
"""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import (debate_by_session, debate_by_theme, debate_turns, load_tables,
                                     theme_transitions)


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_debate_by_theme(tables):
    table = debate_by_theme(tables).set_index(["group", "theme"])
    sante = table.loc[("Groupe A", "consequence.sante")]
    assert (sante["accord"], sante["divergence"]) == (2, 1)
    assert sante["speakers"] == "Ambre, Basile, Capucine"
    assert sante["roles"] == "aide-soignante, infirmier"
    assert sante["sessions"] == "1, 2, 3"
    qualite = table.loc[("Groupe A", "consequence.qualite")]
    assert (qualite["accord"], qualite["divergence"], qualite["speakers"]) == (0, 2, "Capucine")
    assert table.loc[("Groupe A", "consequence.pratiques")][["accord", "divergence"]].tolist() == [1, 1]
    assert table.loc[("Groupe B", "travail.contrainte")]["speakers"] == "Bruno"
    assert table.index.get_level_values("theme")[:3].tolist() == [
        "recit.echec", "travail.contrainte", "travail.arrangement"]
    assert len(table) == 8 + 3


def test_debate_turns_keep_the_masked_text(tables):
    turns = debate_turns(tables)
    assert set(turns["kind"]) == {"accord", "divergence"}
    assert "Moi je suis pas d'accord avec ça. Les résidents ont droit à leur dignité. " \
           "[nom masqué] le sait bien." in set(turns["text"])


def test_debate_by_session(tables):
    table = debate_by_session(tables)
    a = table[table["group"] == "Groupe A"]
    assert a[a["theme"] == "consequence.sante"][["session", "accord", "divergence"]].values.tolist() == [
        [1, 1, 0], [2, 1, 0], [3, 0, 1]]
    assert len(a) == 4 + 4 + 4


def test_theme_transitions(tables):
    table = theme_transitions(tables)
    a = table[table["group"] == "Groupe A"]
    # A1: turn 1 → turn 4 (turn 3 has no theme): 3 transitions to qualité.
    # A2: turn 1 → 2 brings collectif (3), turn 2 → 3 brings affect and identité (2 × 2).
    # A3: turn 1 → 2 brings échec, pratiques, santé (2 × 3), turn 2 → 3 brings qualité (3).
    assert a["count"].sum() == 3 + 3 + 4 + 6 + 3
    assert a.iloc[0][["from_theme", "to_theme", "count"]].tolist() == [
        "consequence.sante", "consequence.qualite", 2]
    b = table[table["group"] == "Groupe B"]
    assert b.empty  # B's themed turns are alone in their session (Bruno's has no theme)


def test_theme_transitions_by_family(tables):
    table = theme_transitions(tables.select(groups=["Groupe A"], sessions=[3]), level="family")
    # Turn 1 {travail} → turn 2 {recit, consequence} → turn 3 {consequence}: nothing new.
    assert table[["from_theme", "to_theme", "count"]].values.tolist() == [
        ["travail", "consequence", 1], ["travail", "recit", 1]]
