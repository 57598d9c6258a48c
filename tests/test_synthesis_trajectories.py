"""Theme counts, rates per 1,000 words and trajectories (hand-built groups A and B).

Words per session: A1 62, A2 47, A3 57, B1 21, B2 21 (see test_synthesis_table.py).
"""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import (load_tables, theme_counts, theme_matrix, themes_by_status,
                                     trajectories)


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def _row(df, **keys):
    mask = True
    for key, value in keys.items():
        mask = mask & (df[key] == value)
    rows = df[mask]
    assert len(rows) == 1, keys
    return rows.iloc[0]


def test_counts_and_rates_per_code(tables):
    counts = theme_counts(tables)
    sante = counts[(counts["group"] == "Groupe A") & (counts["code"] == "consequence.sante")]
    # Segments coded consequence.sante: A1 one, A2 two (Basile and Ambre), A3 one.
    assert sante["count"].tolist() == [1, 2, 1]
    assert sante["words"].tolist() == [62, 47, 57]
    assert sante["rate"].tolist() == pytest.approx([1000 / 62, 2000 / 47, 1000 / 57])
    # Zeros are kept: travail.ressource is coded only in A2.
    assert _row(counts, group="Groupe A", session=1, code="travail.ressource")["count"] == 0
    # Group B only lists its own themes.
    assert sorted(counts.loc[counts["group"] == "Groupe B", "code"].unique()) == [
        "consequence.sante", "debat.accord", "travail.arrangement", "travail.contrainte"]
    # Codebook order: récit first, then travail...
    assert counts.loc[counts["group"] == "Groupe A", "code"].unique()[:3].tolist() == [
        "recit.echec", "travail.contrainte", "travail.arrangement"]


def test_counts_per_family_count_segments_once(tables):
    counts = theme_counts(tables, level="family")
    # A2 consequence: segments 14 (pratiques), 15 (santé), 16 (santé), 17 (collectif).
    assert _row(counts, group="Groupe A", session=2, family="consequence")["count"] == 4
    # A1 rationalité: instrumentale (turn 3) and axiologique (turn 4).
    assert _row(counts, group="Groupe A", session=1, family="rationalite")["count"] == 2
    # B1: one segment carries both arrangement and santé; travail = 2 segments.
    assert _row(counts, group="Groupe B", session=1, family="travail")["count"] == 2
    assert _row(counts, group="Groupe B", session=1, family="travail")["rate"] == pytest.approx(
        2000 / 21)


def test_counts_without_facilitator(tables):
    counts = theme_counts(tables, include_facilitator=False)
    # The facilitator's words are left out of the rate: A1 62 - 9 - 4.
    assert _row(counts, group="Groupe A", session=1, code="consequence.sante")["words"] == 49


def test_matrix(tables):
    matrix = theme_matrix(tables, value="count")
    assert matrix.loc[("Groupe A", "consequence.sante")].tolist() == [1, 2, 1]
    assert matrix.loc[("Groupe B", "travail.arrangement")].dropna().tolist() == [1, 1]


def test_trajectories(tables):
    table = trajectories(tables)
    sante = _row(table, group="Groupe A", code="consequence.sante")
    assert (sante["first"], sante["last"], sante["sessions_present"]) == (1, 3, 3)
    assert sante["recurrence"] == 1.0
    assert sante["peak"] == 2 and sante["peak_rate"] == pytest.approx(2000 / 47)
    # 1000/57 = 17.5 is less than half the peak 42.6: fading.
    assert sante["status"] == "en retrait"
    contrainte = _row(table, group="Groupe A", code="travail.contrainte")
    assert contrainte["recurrence"] == pytest.approx(2 / 3)
    assert contrainte["peak"] == 3  # 1000/57 > 1000/62
    assert contrainte["status"] == "persistant"
    pratiques = _row(table, group="Groupe A", code="consequence.pratiques")
    assert (pratiques["first"], pratiques["recurrence"], pratiques["status"]) == (2, 1.0, "persistant")
    assert _row(table, group="Groupe A", code="recit.echec")["status"] == "nouveau"
    assert _row(table, group="Groupe A", code="debat.accord")["status"] == "résolu"
    assert _row(table, group="Groupe A", code="travail.ressource")["status"] == "ponctuel"
    assert _row(table, group="Groupe B", code="travail.contrainte")["status"] == "ponctuel"


def test_themes_by_status(tables):
    status = themes_by_status(tables)
    assert status["Groupe A"]["nouveau"] == ["recit.echec"]
    assert status["Groupe A"]["en retrait"] == ["consequence.sante"]
    assert status["Groupe A"]["résolu"] == ["debat.accord"]
    assert status["Groupe A"]["persistant"] == [
        "travail.contrainte", "travail.arrangement", "consequence.pratiques",
        "consequence.qualite", "rationalite.instrumentale", "debat.divergence"]
    assert status["Groupe B"]["persistant"] == ["travail.arrangement", "consequence.sante"]


def test_family_trajectory(tables):
    table = trajectories(tables, level="family")
    # recit: only recit.echec, in A3.
    assert _row(table, group="Groupe A", family="recit")["status"] == "nouveau"
