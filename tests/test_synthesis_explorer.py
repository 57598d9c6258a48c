"""The supervisor's explorer and the French display of tables (hand-built groups A and B)."""
from __future__ import annotations

import pytest

from gacp_analysis.synthesis import explorer, filter_codings, load_tables, show, trajectories


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_filter_codings(tables):
    assert len(filter_codings(tables)) == 25 + 6
    assert len(filter_codings(tables, family="debat")) == 4 + 1
    assert len(filter_codings(tables, code="consequence.sante", sessions=(2, 3))) == 3 + 1
    assert len(filter_codings(tables, role="infirmier")) == 2 + 3 + 3
    assert len(filter_codings(tables, family="travail", group="Groupe B")) == 3


def test_explorer_widget(tables):
    widget = explorer(tables)
    family, code = widget.children[0].children
    sessions = widget.children[1].children[0]
    assert family.description == "Famille" and code.description == "Code"
    assert ("Le travail et ses contraintes", "travail") in family.options
    assert sessions.value == (1, 3)
    assert len(widget.rows) == 31
    assert widget.children[2].value.startswith("<p>31 codage(s)</p>")
    family.value = "debat"
    assert len(widget.rows) == 5
    assert "Lecture commune" in widget.children[2].value
    sessions.value = (2, 3)
    assert widget.rows["session"].tolist() == [2, 3]  # A2 accord, A3 divergence; B2 has none


def test_show_in_french(tables):
    html = show(trajectories(tables.select(groups=["Groupe A"])).head(2),
                caption="Trajectoires").to_html()
    assert "<caption>Trajectoires</caption>" in html
    assert "première séance" in html and "Échec, problème" in html
    assert "0,7" in html  # récurrence 2/3 of travail.contrainte, French decimal comma
