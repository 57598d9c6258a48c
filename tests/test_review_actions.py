"""The review's decisions: written at once with coder and time, undone exactly, safe with two
notebooks on one store, and the "a person's decision wins" rule everywhere."""
from __future__ import annotations

import threading

import pytest

from gacp_analysis.errors import GacpError
from gacp_analysis.review.actions import Review
from gacp_analysis.status import CODINGS_IN_FORCE_SQL, store_status
from gacp_analysis.store import open_store
from tests.conftest import segment_id_at


def _ids(folder):
    with open_store(folder) as store:
        return {key: segment_id_at(store, *key) for key in ((1, 10, 2), (1, 10, 3), (1, 10, 4))}


def _human_rows(folder):
    with open_store(folder) as store:
        return [dict(r) for r in store.execute(
            "SELECT segment_id, code, decision, coder, created_at, start, end FROM codings "
            "WHERE provenance = 'human' ORDER BY id")]


def test_accept_and_reject_are_written_at_once_with_coder_and_time(demo_review):
    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    assert review.accept(ids[(1, 10, 2)], "recit.situation") == "code « recit.situation » accepté"
    review.reject(ids[(1, 10, 3)], "travail.contrainte")
    rows = _human_rows(demo_review)  # read through another connection: already committed
    assert [(r["segment_id"], r["code"], r["decision"], r["coder"]) for r in rows] == [
        (ids[(1, 10, 2)], "recit.situation", "apply", "Camille"),
        (ids[(1, 10, 3)], "travail.contrainte", "reject", "Camille")]
    assert all(r["created_at"].startswith("20") and r["created_at"].endswith("+00:00") for r in rows)
    assert review.segment_status(ids[(1, 10, 2)]) == "validé"
    # 1/10/3 keeps its pending recit.situation, but the reviewer applied nothing on it.
    assert review.segment_status(ids[(1, 10, 3)]) == "rejeté"
    assert review.segment_status(ids[(1, 10, 4)]) == "à revoir"
    assert review.progress(ids.values()) == (2, 3)
    # The rejected automatic code is no longer in force anywhere.
    with open_store(demo_review) as store:
        in_force = set(map(tuple, store.execute(CODINGS_IN_FORCE_SQL).fetchall()))
    assert (ids[(1, 10, 3)], "travail.contrainte") not in in_force
    assert (ids[(1, 10, 3)], "recit.situation") in in_force
    assert (ids[(1, 10, 4)], "travail.contrainte") in in_force


def test_a_code_on_a_passage_gets_its_session_offsets(demo_review):
    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    sid = ids[(1, 10, 2)]
    seg = review.segment(sid)
    assert seg.text == "Alors c'était la nuit du samedi au dimanche, il y a une dizaine de jours."
    review.add_code(sid, "recit.situation", "samedi au DIMANCHE")
    (row,) = _human_rows(demo_review)
    # « Alors c'était la nuit du » is 25 characters: the passage starts 25 after the segment.
    assert (row["start"] - seg.start, row["end"] - seg.start) == (25, 43)
    with open_store(demo_review) as store:
        text = store.execute("SELECT text FROM sessions WHERE number = 1").fetchone()[0]
    assert text[row["start"]:row["end"]] == "samedi au dimanche"
    # The whole segment typed as the passage is a code on the whole segment.
    review.add_code(sid, "affect", seg.text)
    assert _human_rows(demo_review)[-1]["start"] is None


def test_bad_input_is_refused_with_a_numbered_message_and_nothing_written(demo_review):
    ids = _ids(demo_review)
    with pytest.raises(GacpError) as err:
        Review(demo_review, "  ")
    assert err.value.code == "E500"
    review = Review(demo_review, "Camille")
    with pytest.raises(GacpError) as err:
        review.add_code(ids[(1, 10, 2)], "recit.situation", "mardi")
    assert err.value.code == "E502" and "« mardi » absent du segment" in str(err.value)
    with pytest.raises(GacpError) as err:
        review.add_code(ids[(1, 10, 2)], "code.inconnu")
    assert err.value.code == "E501"
    with pytest.raises(GacpError) as err:
        review.memo("   ", segment_id=ids[(1, 10, 2)])
    assert err.value.code == "E503"
    assert _human_rows(demo_review) == []
    assert review.history == []


def test_memos_on_a_segment_a_code_and_a_session(demo_review):
    from gacp_analysis.synthesis import bilan_memos

    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    review.memo("Le sous-effectif revient.", segment_id=ids[(1, 10, 3)], for_bilan=True)
    review.memo("Définition à discuter.", on="code", code="travail.contrainte")
    review.memo("Séance dense.", on="séance", session=1, for_bilan=True)
    with open_store(demo_review) as store:
        rows = store.memos_frame()
    cols = ["session", "segment_id", "code", "text", "author", "for_bilan"]
    values = [[None if v != v or v is None else (int(v) if isinstance(v, float) else v) for v in row]
              for row in rows[cols].values.tolist()]
    assert values == [
        [1, ids[(1, 10, 3)], None, "Le sous-effectif revient.", "Camille", 1],
        [None, None, "travail.contrainte", "Définition à discuter.", "Camille", 0],
        [1, None, None, "Séance dense.", "Camille", 1]]
    assert sorted(bilan_memos(demo_review)["text"]) == ["Le sous-effectif revient.", "Séance dense."]


def test_undo_puts_every_row_back_as_it_was(demo_review):
    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    sid = ids[(1, 10, 3)]
    review.accept(sid, "travail.contrainte")
    before = _human_rows(demo_review)
    review.reject(sid, "travail.contrainte")  # changes the same decision
    assert _human_rows(demo_review)[0]["decision"] == "reject"
    assert review.undo() == "annulé : code « travail.contrainte » rejeté"
    assert _human_rows(demo_review) == before
    review.memo("à effacer", segment_id=sid)
    review.undo()
    assert review.memos(sid).empty
    review.undo()
    assert _human_rows(demo_review) == []
    assert review.segment_status(sid) == "à revoir"
    assert review.undo().startswith("W500 Rien à annuler")


def test_validate_accepts_the_pending_automatic_codes_in_one_undoable_action(demo_review):
    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    sid = ids[(1, 10, 3)]
    review.reject(sid, "travail.contrainte")
    with open_store(demo_review) as store:  # a learned suggestion is never accepted implicitly
        store.replace_model_suggestions([(sid, "affect", 0.7)], coder="modele-test")
    review.validate_segment(sid)
    assert {(r["code"], r["decision"]) for r in _human_rows(demo_review)} == {
        ("travail.contrainte", "reject"), ("recit.situation", "apply")}
    assert [r["status"] for r in review.codings(sid)] == ["rejeté", "validé", "à revoir"]
    review.undo()
    assert [(r["code"], r["decision"]) for r in _human_rows(demo_review)] == [
        ("travail.contrainte", "reject")]
    assert review.segment_status(sid) == "rejeté"  # still reviewed: the rejection stays


def test_a_restarted_kernel_finds_every_decision(demo_review):
    ids = _ids(demo_review)
    review = Review(demo_review, "Camille")
    review.accept(ids[(1, 10, 2)], "recit.situation")
    review.memo("note", segment_id=ids[(1, 10, 2)])
    del review  # the kernel dies without closing anything
    again = Review(demo_review, "Camille")
    assert again.segment_status(ids[(1, 10, 2)]) == "validé"
    assert list(again.memos(ids[(1, 10, 2)])["text"]) == ["note"]
    assert again.history == []


def test_two_notebooks_on_one_store_wait_for_each_other(demo_review):
    ids = _ids(demo_review)
    first = Review(demo_review, "Camille")
    assert first.store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    started, done = threading.Event(), []

    def write_second():  # the other notebook: its own connection
        second = Review(demo_review, "Dominique")
        started.set()
        second.reject(ids[(1, 10, 2)], "recit.situation")  # waits for the first's transaction
        done.append(True)

    with first.store.transaction():
        first.store.add_human_coding(ids[(1, 10, 2)], "recit.situation", coder="Camille")
        thread = threading.Thread(target=write_second)
        thread.start()
        started.wait()
        thread.join(0.3)
        assert not done  # the second writer is waiting on the busy timeout, not failing
    thread.join(10)
    assert done == [True]
    rows = _human_rows(demo_review)
    assert {(r["coder"], r["decision"]) for r in rows} == {("Camille", "apply"),
                                                          ("Dominique", "reject")}
    with open_store(demo_review) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_blind_mode_hides_suggestions_and_the_others_codes(demo_review):
    ids = _ids(demo_review)
    sid = ids[(1, 10, 3)]
    Review(demo_review, "Camille").accept(sid, "recit.situation")
    blind = Review(demo_review, "Dominique", blind=True)
    assert blind.codings(sid) == []
    blind.add_code(sid, "affect")
    assert [(r["code"], r["coder"]) for r in blind.codings(sid)] == [("affect", "Dominique")]
    blind.validate_segment(sid)  # accepts nothing it did not show
    assert {r["code"] for r in _human_rows(demo_review) if r["coder"] == "Dominique"} == {"affect"}
    seen = Review(demo_review, "Dominique")
    assert {r["code"] for r in seen.codings(sid)} == {"travail.contrainte", "recit.situation",
                                                     "affect"}


def test_learned_suggestions_are_never_in_force(demo_review):
    from gacp_analysis.synthesis import load_tables

    ids = _ids(demo_review)
    sid = ids[(1, 10, 4)]
    with open_store(demo_review) as store:
        store.replace_model_suggestions([(sid, "affect", 0.8)], coder="modele-test")
        assert "affect" not in store.codes_in_force().get(sid, set())
        assert store_status(store)["codings"] == 4  # the four automatic codes, not the suggestion
    table = load_tables(demo_review).codings
    assert not ((table["segment_id"] == sid) & (table["code"] == "affect")).any()
    Review(demo_review, "Camille").accept(sid, "affect")  # accepted: now in force, as human
    table = load_tables(demo_review).codings
    row = table[(table["segment_id"] == sid) & (table["code"] == "affect")]
    assert row["provenance"].tolist() == ["human"]


def test_codes_in_force_for_one_coder_ignore_the_others_decisions(demo_review):
    ids = _ids(demo_review)
    sid = ids[(1, 10, 3)]
    Review(demo_review, "Camille").reject(sid, "travail.contrainte")
    Review(demo_review, "Dominique").add_code(sid, "affect")
    with open_store(demo_review) as store:
        assert store.codes_in_force()[sid] == {"recit.situation", "affect"}
        assert store.codes_in_force("Camille")[sid] == {"recit.situation"}
        assert store.codes_in_force("Dominique")[sid] == {"recit.situation", "travail.contrainte",
                                                          "affect"}
