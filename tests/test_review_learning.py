"""Suggestions learned from reviewed segments: written as 'modele', never in force, measured."""
from __future__ import annotations

import shutil

import pytest

from gacp_analysis.cli import main
from gacp_analysis.errors import GacpError
from gacp_analysis.review.actions import Review
from gacp_analysis.review.learning import LEARNER, MODEL_FILENAME, learn, load_learned
from gacp_analysis.store import STORE_DIRNAME, open_store


@pytest.fixture
def coded_copy(tmp_path, demo_coded):
    return shutil.copytree(demo_coded, tmp_path / "demo")


def _review_session(folder, number, *, reject="consequence.collectif"):
    """A scripted review: validate every segment of a session, rejecting one code everywhere
    and adding « affect » where « fatigu » is said."""
    review = Review(folder, "Script")
    segs = review.segments[review.segments["session"] == number]
    for sid, text in zip(segs["segment_id"], segs["text"]):
        sid = int(sid)
        if any(r["code"] == reject for r in review.codings(sid)):
            review.reject(sid, reject)
        if "fatigu" in text.lower():
            review.add_code(sid, "affect")
        review.validate_segment(sid)
    return [int(i) for i in segs["segment_id"]]


def test_too_few_reviewed_segments(coded_copy):
    review = Review(coded_copy, "Script")
    for sid in review.segments["segment_id"][:5]:
        review.validate_segment(int(sid))
    with pytest.raises(GacpError) as err:
        learn(coded_copy)
    assert err.value.code == "E508" and "5 segment(s) revu(s), il en faut au moins 20" in str(err.value)


def test_learn_writes_suggestions_that_are_never_in_force(coded_copy, capsys):
    reviewed = _review_session(coded_copy, 1)
    with open_store(coded_copy) as store:
        in_force = store.codes_in_force()
        human = store.execute("SELECT * FROM codings WHERE provenance = 'human' ORDER BY id").fetchall()
        auto = store.auto_codes()
        accepted = store.execute(
            "SELECT COUNT(*) FROM codings WHERE provenance = 'human' AND coder = 'Script' "
            "AND decision = 'apply' AND code IN (SELECT code FROM codings a WHERE "
            "a.provenance = 'auto' AND a.segment_id = codings.segment_id)").fetchone()[0]
        rejected = store.execute("SELECT COUNT(*) FROM codings WHERE provenance = 'human' "
                                 "AND decision = 'reject'").fetchone()[0]
    report = learn(coded_copy)
    assert report.reviewed == len(reviewed) == 345
    assert "affect" in report.codes and "consequence.collectif" not in report.codes
    assert report.train_seconds < 30
    with open_store(coded_copy) as store:
        rows = store.execute("SELECT segment_id, code, coder, decision FROM codings "
                             "WHERE provenance = 'modele'").fetchall()
        assert len(rows) == report.suggestions > 0
        assert {r["coder"] for r in rows} == {LEARNER}
        assert not {r["segment_id"] for r in rows} & set(reviewed)  # reviewed: nothing to suggest
        assert not any(r["code"] in auto.get(r["segment_id"], ()) for r in rows)  # only misses
        assert store.codes_in_force() == in_force  # suggestions are never in force
        assert store.execute("SELECT * FROM codings WHERE provenance = 'human' "
                             "ORDER BY id").fetchall() == human
    # The shipped coder on the reviewed segments, over the learned codes: its accepted codes are
    # true positives; what was rejected is a false positive (all rejections are of a code
    # without a head, so they are outside the scope), what was added (affect) a miss.
    shipped = report.scores.set_index("codeur").loc["codeur livré"]
    assert rejected > 0
    assert shipped["precision"] == pytest.approx(1.0)
    assert shipped["predicted"] <= accepted
    assert 0 < shipped["recall"] < 1
    data = load_learned(coded_copy)
    assert sorted(data["heads"]) == sorted(report.codes) and data["reviewed"] == 345
    # Re-learning replaces the suggestions; it does not pile them up.
    again = learn(coded_copy)
    with open_store(coded_copy) as store:
        assert store.execute("SELECT COUNT(*) FROM codings WHERE provenance = 'modele'"
                             ).fetchone()[0] == again.suggestions
    assert main(["learn", str(coded_copy), "--sans-suggestions"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Apprentissage sur 345 segment(s) revu(s)")
    assert "codeur livré" in out and "modèle appris (validation croisée)" in out


def test_damaged_model_file(coded_copy):
    path = coded_copy / STORE_DIRNAME / MODEL_FILENAME
    path.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(GacpError) as err:
        load_learned(coded_copy)
    assert err.value.code == "E509" and f"gacp learn {coded_copy}" in str(err.value)
