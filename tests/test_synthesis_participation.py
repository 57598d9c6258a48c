"""Speaking shares (hand-built groups A and B): a facilitation aid, no codes per person."""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import (load_tables, participation, participation_overview,
                                     session_summary)


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_participation_per_session(tables):
    table = participation(tables)
    a1 = table[(table["group"] == "Groupe A") & (table["session"] == 1)]
    assert a1[["speaker", "turns", "words"]].values.tolist() == [
        ["Animatrice", 2, 9 + 4], ["Ambre", 1, 17], ["Basile", 1, 13], ["Capucine", 1, 19]]
    assert a1["word_share"].tolist() == pytest.approx([13 / 62, 17 / 62, 13 / 62, 19 / 62])
    assert a1["turn_share"].tolist() == pytest.approx([2 / 5, 1 / 5, 1 / 5, 1 / 5])
    assert "code" not in table.columns  # never a score by code


def test_same_pseudonym_in_two_groups(tables):
    table = participation_overview(tables).set_index(["group", "speaker"])
    assert table.loc[("Groupe A", "Ambre"), "words"] == 17 + 11 + 22
    assert table.loc[("Groupe B", "Ambre"), "words"] == 13 + 15
    assert table.loc[("Groupe B", "Ambre"), "role"] == "caissière"
    assert table.loc[("Groupe B", "Bruno"), "sessions"] == 1
    assert table.loc[("Groupe B", "Ambre"), "word_share"] == pytest.approx(28 / 42)


def test_session_summary_counts_people_not_words_per_person(tables):
    table = session_summary(tables)
    assert table[["group", "session", "participants", "turns", "words"]].values.tolist() == [
        ["Groupe A", 1, 3, 5, 62], ["Groupe A", 2, 3, 4, 47], ["Groupe A", 3, 3, 4, 57],
        ["Groupe B", 1, 2, 3, 21], ["Groupe B", 2, 1, 2, 21]]
