"""Rationality profiles and balance (hand-built groups A and B)."""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import load_tables, rationality_balance, rationality_profile


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_profile(tables):
    profile = rationality_profile(tables)
    # A1 turn 4: qualité + axiologique; A3 turn 3: qualité + instrumentale;
    # A2 turn 3: identité and affect + subjective. A1 turn 3 has a rationality but no theme.
    assert profile.index.tolist() == [("Groupe A", "consequence.qualite"), ("Groupe A", "identite"),
                                      ("Groupe A", "affect")]
    assert profile.columns.tolist() == ["rationalite.instrumentale", "rationalite.axiologique",
                                        "rationalite.subjective"]
    assert profile.values.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 1]]


def test_balance(tables):
    balance = rationality_balance(tables)
    a = balance[balance["group"] == "Groupe A"]
    assert a["count"].tolist() == [1, 1, 0, 0, 0, 1, 1, 0, 0]
    assert a["share"].tolist() == [0.5, 0.5, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    b = balance[balance["group"] == "Groupe B"]
    assert len(b) == 6 and b["count"].sum() == 0 and b["share"].sum() == 0.0
