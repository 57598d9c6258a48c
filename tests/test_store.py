"""The SQLite store: versioned schema, migrations, transactions, human decisions."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

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


# A store written by release 0.1.0 (schema 1): tests/fixtures/synthesis/groupe_a imported,
# its codings file applied, and three memos (on session 1 for the bilan, on the first
# segment, on the first coding tagged « à discuter »).
STORE_V1 = Path(__file__).resolve().parent / "fixtures" / "store_v1" / "projet.sqlite"


def _store_v1(tmp_path) -> Path:
    folder = tmp_path / "groupe"
    store_path(folder).parent.mkdir(parents=True)
    shutil.copy(STORE_V1, store_path(folder))
    return folder


def test_store_of_release_0_1_migrates_with_nothing_lost(tmp_path):
    folder = _store_v1(tmp_path)
    before = sqlite3.connect(store_path(folder))
    codings_v1 = before.execute(
        "SELECT id, segment_id, code, provenance, decision, coder, created_at, rule, score, "
        "evidence, needs_review FROM codings ORDER BY id").fetchall()
    memos_v1 = before.execute(
        "SELECT id, session_id, segment_id, coding_id, text, author, created_at, for_bilan, tags, "
        "needs_review FROM memos ORDER BY id").fetchall()
    before.close()
    assert len(codings_v1) == 30 and len(memos_v1) == 3
    with open_store(folder) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.counts() == {"sessions": 3, "speakers": 4, "turns": 14, "segments": 26,
                                  "codings": 30, "memos": 3}
        codings = [tuple(r) for r in store.execute(
            "SELECT id, segment_id, code, provenance, decision, coder, created_at, rule, score, "
            "evidence, needs_review FROM codings ORDER BY id")]
        memos = [tuple(r) for r in store.execute(
            "SELECT id, session_id, segment_id, coding_id, text, author, created_at, for_bilan, "
            "tags, needs_review FROM memos ORDER BY id")]
        assert codings == codings_v1
        # the memo on a coding still points at it: rebuilding codings did not cascade
        assert memos == memos_v1
        assert memos[2][3] == codings[0][0] and memos[2][8] == '["à discuter"]'
        assert store.execute("SELECT code FROM memos").fetchall()[0][0] is None


def test_spans_and_learned_suggestions_after_migration(tmp_path):
    folder = _store_v1(tmp_path)
    with open_store(folder) as store:
        segment = store.execute("SELECT id, start, end FROM segments ORDER BY id LIMIT 1").fetchone()
        whole = store.add_human_coding(segment["id"], "affect", coder="Animatrice")
        span = store.add_human_coding(segment["id"], "affect", coder="Animatrice",
                                      start=segment["start"], end=segment["start"] + 4)
        again = store.add_human_coding(segment["id"], "affect", coder="Animatrice",
                                       decision="reject")
        assert whole == again != span
        assert store.execute("SELECT decision FROM codings WHERE id = ?", (whole,)).fetchone()[0] \
            == "reject"
        with store.transaction():
            store.execute("INSERT INTO codings (segment_id, code, provenance, coder, created_at) "
                          "VALUES (?, 'affect', 'modele', 'modele-groupe', '2026-01-01')",
                          (segment["id"],))
            with pytest.raises(sqlite3.IntegrityError):
                store.execute("INSERT INTO codings (segment_id, code, provenance, coder, "
                              "created_at, start, end) VALUES (?, 'affect', 'human', 'X', "
                              "'2026-01-01', 5, 5)", (segment["id"],))


def test_two_connections_share_the_store_in_wal_mode(tmp_path):
    with open_store(tmp_path) as first, open_store(tmp_path) as second:
        assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with first.transaction():
            first.upsert_speaker(pseudonym="Ambre", role="", is_facilitator=False,
                                 consent_quote=False)
            # a reader is not blocked by the open write transaction, and sees the last commit
            assert second.counts()["speakers"] == 0
        assert second.counts()["speakers"] == 1


def test_reviews_table_after_migration(tmp_path):
    folder = _store_v1(tmp_path)
    with open_store(folder) as store:
        segment = store.execute("SELECT id FROM segments ORDER BY id LIMIT 1").fetchone()[0]
        assert store.reviewed_segments("Animatrice") == set()
        assert store.mark_reviewed(segment, coder="Animatrice") is None
        first = store.execute("SELECT reviewed_at FROM reviews").fetchone()[0]
        assert store.mark_reviewed(segment, coder="Animatrice") == first
        assert store.reviewed_segments("Animatrice") == {segment}
        store.restore_reviewed(segment, coder="Animatrice", previous=None)
        assert store.reviewed_segments("Animatrice") == set()
        assert store.counts()["codings"] == 30  # nothing else touched

def test_release_0_1_store_gets_speakers_on_segments_and_loses_real_names_on_reimport(tmp_path):
    """Schema 3 (confidentiality): segments remember their speaker; re-importing the group
    pseudonymises the stored text and keeps every coding and memo on its segment."""
    from gacp_analysis.corpus.group import load_group
    from gacp_analysis.corpus.importer import import_group
    from gacp_analysis.privacy import find_secrets, group_secrets

    from conftest import FIXTURES, copy_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    store_path(folder).parent.mkdir(parents=True)
    shutil.copy(STORE_V1, store_path(folder))
    with open_store(folder) as store:
        assert store.execute("SELECT COUNT(*) FROM segments g JOIN turns t ON t.id = g.turn_id "
                             "WHERE g.speaker_id IS t.speaker_id").fetchone()[0] == 26
        assert store.erasures() == []
        attached = {tuple(r) for r in store.execute("SELECT id, segment_id FROM codings")}
        memos = {tuple(r) for r in store.execute("SELECT id, segment_id, coding_id FROM memos")}
        old_text = " ".join(r[0] for r in store.execute("SELECT text FROM segments"))
    assert "Et on est crevés, Nadia aussi." in old_text  # release 0.1 stored names in speech
    report = import_group(folder)
    assert report.changed == [1, 3] and report.flagged == 0  # the sessions where names are said
    with open_store(folder) as store:
        assert {tuple(r) for r in store.execute("SELECT id, segment_id FROM codings")} == attached
        assert {tuple(r) for r in store.execute("SELECT id, segment_id, coding_id FROM memos")} == memos
        texts = " ".join(r[0] for r in store.execute(
            "SELECT text FROM segments UNION ALL SELECT text FROM turns UNION ALL "
            "SELECT text FROM sessions"))
    assert "Et on est crevés, Ambre aussi." in texts
    assert find_secrets(texts, group_secrets(load_group(folder))) == []
