"""Codes carried together by a turn or a segment (hand-built group A)."""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import cooccurrence, load_tables


@pytest.fixture(scope="module")
def group_a(synthesis_groups):
    return load_tables(synthesis_groups["a"])


def test_turn_cooccurrence(group_a):
    matrix = cooccurrence(group_a)
    # Turns carrying consequence.sante: A1/1, A2/1, A2/2, A3/2.
    assert matrix.loc["consequence.sante", "consequence.sante"] == 4
    # ... with travail.arrangement: A1/1 only (A3's arrangement is in turn 1, santé in turn 2).
    assert matrix.loc["consequence.sante", "travail.arrangement"] == 1
    # debat.divergence with consequence.qualite: A1/4 and A3/3.
    assert matrix.loc["debat.divergence", "consequence.qualite"] == 2
    assert (matrix == matrix.T).all().all()


def test_segment_cooccurrence(group_a):
    matrix = cooccurrence(group_a, unit="segment", codes=["debat.accord", "consequence.sante"])
    # Segment 16 « Moi aussi je dors mieux. » carries both.
    # debat.accord: segments 6 and 16; consequence.sante: segments 5, 15, 16 and 24.
    assert matrix.values.tolist() == [[2, 1], [1, 4]]
