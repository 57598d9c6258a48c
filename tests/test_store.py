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


# -- the data-access methods (issue 14), on a tiny hand-made session -----------------------
TINY_TEXT = "On était deux. Et seuls.\n[rires]\nEt la nuit ?"


def _tiny(store) -> dict[str, int]:
    """One session written through the import methods: Ambre's turn (two segments), an
    event, Bruno's turn (one segment)."""
    with store.transaction():
        ambre = store.upsert_speaker(pseudonym="Ambre", role="IDE", is_facilitator=False,
                                     consent_quote=True)
        bruno = store.upsert_speaker(pseudonym="Bruno", role="ASH", is_facilitator=False,
                                     consent_quote=False)
        session = store.insert_session(1, "2026-01-13", "analyse", 90, "seances/s1.txt", "f1",
                                       TINY_TEXT, "2026-01-13T10:00:00+00:00")
        t0 = store.insert_turn(session, 0, "speech", ambre, 0, 24, "On était deux. Et seuls.", 1, None)
        store.insert_turn(session, 1, "event", None, 25, 32, "[rires]", 2, None)
        t2 = store.insert_turn(session, 2, "speech", bruno, 33, 45, "Et la nuit ?", 3, 12.5)
        s1 = store.insert_segment(session, t0, 0, 0, 14, "On était deux.", "h1", ambre)
        s2 = store.insert_segment(session, t0, 1, 15, 24, "Et seuls.", "h2", ambre)
        s3 = store.insert_segment(session, t2, 0, 33, 45, "Et la nuit ?", "h3", bruno)
    return {"session": session, "s1": s1, "s2": s2, "s3": s3, "t0": t0, "t2": t2}


def _decisions(store, ids) -> None:
    """s1: auto A rejected by Claire, a learned suggestion B; s2: auto A rejected by Claire
    but applied by Marc, auto C; s3: Claire applies D (no auto) and E (also auto)."""
    s1, s2, s3 = ids["s1"], ids["s2"], ids["s3"]
    with store.transaction():
        store.replace_auto_codings(s1, [("A", "r", 0.5, [])], coder="gacp-1", signature="x", at="t")
        store.replace_auto_codings(s2, [("A", "r", 0.5, []), ("C", None, None, [])], coder="gacp-1",
                                   signature="x", at="t")
        store.replace_auto_codings(s3, [("E", "r", 0.5, [])], coder="gacp-1", signature="x", at="t")
    store.replace_model_suggestions([(s1, "B", 0.7)], coder="modele-groupe")
    store.add_human_coding(s1, "A", coder="Claire", decision="reject")
    store.add_human_coding(s2, "A", coder="Claire", decision="reject")
    store.add_human_coding(s2, "A", coder="Marc")
    store.add_human_coding(s3, "D", coder="Claire")
    store.add_human_coding(s3, "E", coder="Claire")


def test_codings_in_force_rule_human_over_auto_and_modele_ignored(tmp_path):
    from gacp_analysis.status import CODINGS_IN_FORCE_SQL as reexported
    from gacp_analysis.store import CODINGS_IN_FORCE_SQL

    with open_store(tmp_path) as store:
        ids = _tiny(store)
        _decisions(store, ids)
        s1, s2, s3 = ids["s1"], ids["s2"], ids["s3"]
        # (s1, A) rejected, (s1, B) only suggested; (s2, A) applied by Marc despite Claire;
        # (s3, E) counted once although both auto and applied.
        assert store.codes_in_force() == {s2: {"A", "C"}, s3: {"D", "E"}}
        assert store.codings_in_force_count() == 4
        # Claire's view: Marc's apply is not hers, so her reject of (s2, A) holds.
        assert store.codes_in_force(coder="Claire") == {s2: {"C"}, s3: {"D", "E"}}
        assert store.coding_counts() == {"auto": 4, "human": 5, "modele": 1, "needs_review": 0}
        frame = store.codings_frame()
    assert reexported is CODINGS_IN_FORCE_SQL
    assert list(frame.columns) == ["session", "date", "session_type", "turn", "segment_id",
                                   "segment_index", "speaker", "role", "is_facilitator",
                                   "consent_quote", "code", "text", "start", "end", "provenance",
                                   "needs_review"]
    assert [tuple(r) for r in frame[["segment_id", "code", "provenance", "speaker", "turn",
                                     "start"]].itertuples(index=False)] == [
        (s2, "A", "human", "Ambre", 0, 15), (s2, "C", "auto", "Ambre", 0, 15),
        (s3, "D", "human", "Bruno", 2, 33), (s3, "E", "human", "Bruno", 2, 33)]


def test_tables_and_turns_read_back_as_written(tmp_path):
    from gacp_analysis.models import Turn

    with open_store(tmp_path) as store:
        ids = _tiny(store)
        turns = store.turns_of(ids["session"])
        speech = store.speech_turns_frame()
        sessions = store.sessions_frame()
        empty = store.codings_frame()
        assert [r["source"] for r in store.sessions()] == ["seances/s1.txt"]
        assert store.session_sources() == ["seances/s1.txt"]
        assert store.current_segment_texts() == ["On était deux.", "Et seuls.", "Et la nuit ?"]
        assert store.segment_starts() == {ids["s1"]: 0, ids["s2"]: 15, ids["s3"]: 33}
    assert turns == [Turn(0, "speech", "Ambre", "On était deux. Et seuls.", 0, 24, 1),
                     Turn(1, "event", None, "[rires]", 25, 32, 2),
                     Turn(2, "speech", "Bruno", "Et la nuit ?", 33, 45, 3, 12.5)]
    assert all(TINY_TEXT[t.start:t.end] == t.text for t in turns)
    assert speech[["turn", "speaker", "role", "consent_quote", "start"]].values.tolist() == [
        [0, "Ambre", "IDE", 1, 0], [2, "Bruno", "ASH", 0, 33]]
    assert sessions.values.tolist() == [[1, "2026-01-13", "analyse"]]
    assert empty.empty and len(empty.columns) == 16


def test_find_and_update_session_by_source_then_number(tmp_path):
    with open_store(tmp_path) as store:
        ids = _tiny(store)
        assert tuple(store.find_session("seances/s1.txt", 9)) == (ids["session"], "f1")
        # a renamed file keeps its session number
        assert tuple(store.find_session("seances/renomme.docx", 1)) == (ids["session"], "f1")
        assert store.find_session("seances/s2.txt", 2) is None
        with store.transaction():
            store.update_session(ids["session"], 1, "2026-01-14", "bilan", None, "seances/renomme.docx",
                                 "f2", TINY_TEXT, "2026-01-14T10:00:00+00:00")
        row = store.execute("SELECT date, type, duration_min, source, source_sha256 FROM sessions"
                            ).fetchone()
    assert tuple(row) == ("2026-01-14", "bilan", None, "seances/renomme.docx", "f2")


def test_moved_segment_keeps_codings_with_spans_and_evidence_shifted(tmp_path):
    with open_store(tmp_path) as store:
        ids = _tiny(store)
        s2 = ids["s2"]
        store.replace_auto_codings(s2, [("C", "r1", 0.9, [{"start": 18, "end": 23, "text": "seuls"}])],
                                   coder="gacp-1", signature="sig", at="t")
        span = store.add_human_coding(s2, "D", coder="Claire", start=18, end=23)
        whole = store.add_human_coding(s2, "E", coder="Claire")
        # a turn of 3 characters inserted before: the segment moves from 15 to 18
        with store.transaction():
            store.move_segment(s2, ids["t0"], 1, 18, 27, "Et seuls.", "h2", None)
            store.shift_codings(s2, 3)
            store.flag_span_codings(s2)
        rows = store.execute("SELECT code, start, end, evidence, needs_review FROM codings "
                             "WHERE segment_id = ? ORDER BY id", (s2,)).fetchall()
        ids_by_code = {r["code"]: r["id"] for r in store.execute("SELECT id, code FROM codings")}
        seg = store.execute("SELECT start, end, speaker_id FROM segments WHERE id = ?", (s2,)).fetchone()
    assert ids_by_code["D"] == span and ids_by_code["E"] == whole
    assert [tuple(r) for r in rows] == [
        ("C", None, None, '[{"start": 21, "end": 26, "text": "seuls"}]', 0),
        ("D", 21, 26, "[]", 1),
        ("E", None, None, "[]", 0)]
    assert tuple(seg) == (18, 27, None)


def test_orphans_flagged_once_and_segment_keys_of_current_segments(tmp_path):
    with open_store(tmp_path) as store:
        ids = _tiny(store)
        _decisions(store, ids)
        store.add_memo("Nuit", author="Claire", segment_id=ids["s3"])
        store.add_memo("Groupe", author="Claire", session_number=1)
        keys = [tuple(r) for r in store.segment_keys(ids["session"])]
        with store.transaction():
            store.delete_turns(ids["session"])
            store.insert_turn(ids["session"], 0, "speech", None, 0, 24, "On était deux. Et seuls.", 1, None)
        # every segment is an orphan now: 10 codings (4 auto, 1 modele, 5 human) + the memo on s3;
        # the memo on the session is on no segment
        assert store.flag_orphans(ids["session"]) == 11
        assert store.flag_orphans(ids["session"]) == 0
        assert store.coding_counts()["needs_review"] == 10
        assert store.segment_keys(ids["session"]) == []
    assert keys == [(ids["s1"], "h1", "On était deux.", 0, "Ambre"),
                    (ids["s2"], "h2", "Et seuls.", 15, "Ambre"),
                    (ids["s3"], "h3", "Et la nuit ?", 33, "Bruno")]


def test_replace_auto_codings_and_codebook_in_force(tmp_path):
    with open_store(tmp_path) as store:
        ids = _tiny(store)
        s1 = ids["s1"]
        store.add_human_coding(s1, "A", coder="Claire", decision="reject")
        store.replace_auto_codings(s1, [("A", "r1", 0.5, [])], coder="gacp-1", signature="v1", at="t1")
        store.replace_auto_codings(s1, [("B", "r2", None, [{"start": 0, "end": 2, "text": "On"}])],
                                   coder="gacp-2", signature="v2", at="t2")
        rows = [tuple(r) for r in store.execute(
            "SELECT code, provenance, decision, coder, created_at, rule, score, evidence FROM codings "
            "WHERE segment_id = ? ORDER BY provenance, code", (s1,))]
        signatures = [tuple(r) for r in store.execute("SELECT * FROM coded_segments")]
        assert [tuple(r) for r in store.segments_for_coding()] == [
            (s1, ids["t0"], 0, 0, "On était deux.", "h1", "v2"),
            (ids["s2"], ids["t0"], 1, 15, "Et seuls.", "h2", None),
            (ids["s3"], ids["t2"], 0, 33, "Et la nuit ?", "h3", None)]
        assert [(r["id"], r["idx"], r["pseudonym"], r["is_facilitator"])
                for r in store.speech_turns_for_coding()] == [(ids["t0"], 0, "Ambre", 0),
                                                                 (ids["t2"], 2, "Bruno", 0)]
        store.write_codes([("A", "Contrainte", "travail", "déf. A", True),
                           ("B", "Fatigue", "corps", "", True)])
        store.write_codes([("B", "Fatigue au travail", "corps", "déf. B", True)])
        codes = [tuple(r) for r in store.codes()]
        labels = store.code_labels()
    assert rows[0][:4] == ("B", "auto", "apply", "gacp-2")
    assert rows == [("B", "auto", "apply", "gacp-2", "t2", "r2", None,
                     '[{"start": 0, "end": 2, "text": "On"}]'),
                    ("A", "human", "reject", "Claire", rows[1][4], None, None, "[]")]
    assert signatures == [(s1, "v2", "t2")]
    # a code no longer in the codebook stays, inactive: codings may still name it
    assert sorted(codes) == [("A", "Contrainte", "travail", "déf. A", 0),
                             ("B", "Fatigue au travail", "corps", "déf. B", 1)]
    assert labels == {"A": ("Contrainte", "travail"), "B": ("Fatigue au travail", "corps")}


def test_learned_suggestion_evidence(tmp_path):
    with open_store(tmp_path) as store:
        ids = _tiny(store)
        store.replace_model_suggestions([(ids["s3"], "B", 0.7)], coder="modele-groupe")
        store.replace_auto_codings(ids["s3"], [("B", "r", 0.5, [])], coder="gacp-1", signature="x",
                                   at="t")
        store.set_suggestion_evidence(ids["s3"], "B", [{"start": 39, "end": 43, "text": "nuit"}])
        rows = [tuple(r) for r in store.execute("SELECT provenance, evidence FROM codings ORDER BY id")]
    assert rows == [("modele", '[{"start": 39, "end": 43, "text": "nuit"}]'), ("auto", "[]")]
