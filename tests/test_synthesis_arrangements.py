"""Arrangement → consequence links (hand-built groups A and B)."""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import arrangement_links, arrangement_summary, load_tables


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_links_within_the_turn_and_the_next_turns(tables):
    links = arrangement_links(tables)
    a1 = links[(links["group"] == "Groupe A") & (links["session"] == 1)]
    # Arrangement in A1 turn 1 (speech rank 1): santé in the same turn, qualité two speech
    # turns later (turn 4, Capucine; the event « (rires) » does not count).
    assert a1[["consequence", "consequence_turn", "distance", "consequence_speaker"]].values.tolist() == [
        ["consequence.sante", 1, 0, "Ambre"], ["consequence.qualite", 4, 2, "Capucine"]]
    assert set(a1["arrangement"]) == {"Alors on a raccourci la tournée."}
    assert a1["constraint"].all()
    assert set(a1["constraint_text"]) == {"On était deux au lieu de trois."}
    a3 = links[(links["group"] == "Groupe A") & (links["session"] == 3)]
    assert a3[["consequence", "distance"]].values.tolist() == [
        ["consequence.pratiques", 1], ["consequence.sante", 1], ["consequence.qualite", 2]]
    assert set(a3["consequence_text"]) == {"Ça nous fait finir en retard.",
                                           "Et on est crevés, Ambre aussi.",
                                           "Moi je saisis tout de suite, c'est plus sûr."}
    b2 = links[(links["group"] == "Groupe B") & (links["session"] == 2)].iloc[0]
    assert (b2["consequence"], b2["distance"], b2["constraint"]) == ("consequence.sante", 0, False)
    assert len(links) == 2 + 3 + 1 + 1


def test_window(tables):
    links = arrangement_links(tables, window=1)
    a1 = links[(links["group"] == "Groupe A") & (links["session"] == 1)]
    assert a1["consequence"].tolist() == ["consequence.sante"]
    assert len(arrangement_links(tables.select(groups=["Groupe A"]), window=0)) == 2
    # With no window, A3's arrangement has no consequence in its own turn: one empty row.
    a3 = arrangement_links(tables.select(groups=["Groupe A"], sessions=[3]), window=0)
    assert a3["consequence"].tolist() == [None]
    assert a3["constraint"].tolist() == [True]


def test_summary(tables):
    summary = arrangement_summary(tables)
    assert summary.loc[("Groupe A", 1)].to_dict() == {
        "arrangements": 1, "sans_consequence": 0, "consequence.pratiques": 0,
        "consequence.sante": 1, "consequence.qualite": 1}
    assert summary.loc[("Groupe A", 3), "consequence.pratiques"] == 1
    assert summary["consequence.sante"].sum() == 4
    empty = arrangement_summary(tables.select(groups=["Groupe A"], sessions=[3]), window=0)
    assert empty.loc[("Groupe A", 3)].to_dict() == {"arrangements": 1, "sans_consequence": 1}
