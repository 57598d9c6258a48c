"""Several groups side by side (hand-built groups A and B)."""
from __future__ import annotations

from gacp_analysis.synthesis import debate_by_theme, load_tables, side_by_side, theme_counts


def test_side_by_side_counts(synthesis_groups):
    tables = load_tables([synthesis_groups["a"], synthesis_groups["b"]])
    table = side_by_side(theme_counts(tables), index="code", value="count")
    assert table.columns.tolist() == ["Groupe A", "Groupe B"]
    assert table.loc["consequence.sante"].tolist() == [1 + 2 + 1, 1 + 1]
    assert table.loc["recit.echec"].tolist() == [1, 0]  # absent from B: 0, not missing
    debate = side_by_side(debate_by_theme(tables), index="theme", value="accord")
    assert debate.loc["travail.arrangement"].tolist() == [1, 1]


def test_folders_in_any_order(synthesis_groups):
    tables = load_tables([synthesis_groups["b"], synthesis_groups["a"]])
    assert tables.groups == ["Groupe B", "Groupe A"]
    table = side_by_side(theme_counts(tables), index="code", value="count")
    assert table.columns.tolist() == ["Groupe B", "Groupe A"]
