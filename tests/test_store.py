"""The SQLite store: versioned schema, migrations, transactions, human decisions."""
from __future__ import annotations

import sqlite3

import pytest

from gacp_analysis.errors import GacpError
from gacp_analysis.store import SCHEMA_VERSION, open_store, store_path


def test_new_store_is_one_file_at_current_version(tmp_path):
    with open_store(tmp_path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 1
        tables = {r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "speakers", "turns", "segments", "codes", "codings", "coded_segments",
            "memos"} <= tables
    assert [p.name for p in store_path(tmp_path).parent.iterdir()] == ["projet.sqlite"]


def test_newer_schema_is_refused_with_a_clear_message(tmp_path):
    open_store(tmp_path).close()
    conn = sqlite3.connect(store_path(tmp_path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(GacpError) as info:
        open_store(tmp_path)
    assert str(info.value) == (
        f"E130 {store_path(tmp_path)} : la base du projet a la version de schéma {SCHEMA_VERSION + 1}, "
        f"plus récente que celle de cette version de gacp-analysis ({SCHEMA_VERSION}). "
        "Mettez à jour gacp-analysis.")


def test_not_a_database(tmp_path):
    path = store_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(GacpError) as info:
        open_store(tmp_path)
    assert info.value.code == "E131"


def test_missing_store_without_create(tmp_path):
    with pytest.raises(GacpError) as info:
        open_store(tmp_path, create=False)
    assert info.value.code == "E132"
    assert not store_path(tmp_path).exists()


def test_transaction_rolls_back_on_error(tmp_path):
    with open_store(tmp_path) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert_speaker(pseudonym="Ambre", role="aide-soignante", is_facilitator=False,
                                 consent_quote=True)
            raise RuntimeError("boom")
        assert store.counts()["speakers"] == 0


def _segment(store) -> int:
    with store.transaction():
        session = store.execute(
            "INSERT INTO sessions (number, date, type, source, source_sha256, text, imported_at) "
            "VALUES (1, '2026-01-01', 'analyse', 's.txt', 'x', 'On était deux.', 'now')").lastrowid
        return store.execute(
            "INSERT INTO segments (session_id, idx, start, end, text, text_sha256) "
            "VALUES (?, 0, 0, 14, 'On était deux.', 'h')", (session,)).lastrowid


def test_human_decision_replaces_the_same_coders_previous_one(tmp_path):
    with open_store(tmp_path) as store:
        seg = _segment(store)
        first = store.add_human_coding(seg, "travail.contrainte", coder="Claire")
        second = store.add_human_coding(seg, "travail.contrainte", coder="Claire", decision="reject")
        other = store.add_human_coding(seg, "travail.contrainte", coder="Marc")
        rows = store.execute("SELECT id, coder, decision FROM codings ORDER BY id").fetchall()
    assert first == second != other
    assert [tuple(r) for r in rows] == [(first, "Claire", "reject"), (other, "Marc", "apply")]


def test_memo_attached_to_segment_knows_its_session(tmp_path):
    with open_store(tmp_path) as store:
        seg = _segment(store)
        memo = store.add_memo("À reprendre", author="Claire", segment_id=seg, for_bilan=True,
                              tags=("bilan", "effectifs"))
        row = store.execute("SELECT session_id, for_bilan, tags FROM memos WHERE id = ?", (memo,)).fetchone()
    assert tuple(row) == (1, 1, '["bilan", "effectifs"]')
