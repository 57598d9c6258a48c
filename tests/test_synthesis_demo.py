"""The syntheses on the coded demo group: they agree with each other and leak no name."""
from __future__ import annotations

import pytest

import gacp_analysis.synthesis as gs
from gacp_analysis.corpus.group import load_group
from gacp_analysis.privacy import find_secrets, group_secrets
from gacp_analysis.status import store_status
from gacp_analysis.store import open_store


@pytest.fixture(scope="module")
def tables(demo_coded):
    return gs.load_tables(demo_coded)


def test_tables_agree_with_the_store_status(tables, demo_coded):
    with open_store(demo_coded) as store:
        status = store_status(store)
    assert len(tables.codings) == status["codings"] > 1000
    assert tables.sessions["session"].tolist() == [s["number"] for s in status["sessions"]]
    assert tables.sessions["words"].tolist() == [s["words"] for s in status["sessions"]]
    words = gs.participation(tables).groupby("session")["words"].sum()
    assert words.tolist() == tables.sessions["words"].tolist()


def test_counts_add_up(tables):
    counts = gs.theme_counts(tables)
    assert counts["count"].sum() == len(tables.codings.drop_duplicates(["segment_id", "code"]))
    balance = gs.rationality_balance(tables)
    assert balance["count"].sum() == tables.codings["code"].str.startswith("rationalite.").sum()
    links = gs.arrangement_links(tables)
    arrangement_turns = tables.codings[tables.codings["code"] == "travail.arrangement"]
    assert links.drop_duplicates(["session", "turn"]).shape[0] == \
        arrangement_turns.drop_duplicates(["session", "turn"]).shape[0]


def test_no_real_name_in_any_masked_text(tables, demo_coded):
    secrets = group_secrets(load_group(demo_coded))
    texts = "\n".join([*tables.codings["text"], *tables.turns["text"],
                       *gs.debate_turns(tables)["text"], *gs.quotes(tables)["text"]])
    assert find_secrets(texts, secrets) == []
    assert find_secrets("\n".join(load_group(demo_coded).to_mask), secrets)  # the check can fail


def test_quotes_only_from_consenting_participants(tables):
    quoted = set(gs.quotes(tables)["speaker"])
    assert quoted and not quoted & {"Firmin", "Hortense", "Animatrice"}
