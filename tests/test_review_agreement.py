"""Agreement between coders, against values computed by hand."""
from __future__ import annotations

import math

import pytest

from gacp_analysis.cli import main
from gacp_analysis.coding.codebook import load_codebook
from gacp_analysis.errors import GacpError
from gacp_analysis.review.actions import Review
from gacp_analysis.review.agreement import (agreement, cohen_kappa, krippendorff_alpha,
                                            parse_coders, plot_agreement)
from gacp_analysis.store import open_store


def _first_segments(folder, n):
    with open_store(folder) as store:
        frame = store.review_segments()
    return [int(i) for i in frame[frame["session"] == 1]["segment_id"][:n]]


def _code_blind(folder, coder, segments, codes):
    """``coder`` reviews ``segments`` blind, applying ``codes[segment]`` (a set)."""
    review = Review(folder, coder, blind=True)
    for sid in segments:
        for code in sorted(codes.get(sid, ())):
            review.add_code(sid, code)
        review.validate_segment(sid)


def test_kappa_and_alpha_helpers_match_hand_computed_values():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    # po = 8/10, pe = .4*.4 + .6*.6 = .52: kappa = .28/.48
    assert cohen_kappa(a, b) == pytest.approx(0.28 / 0.48)
    # 20 values (8 yes, 12 no), 2 disagreeing units: Do = 4/20, De = 2*8*12/(20*19)
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - 0.2 / (192 / 380))
    # three coders, units (1,1,1) (0,0,0) (1,1,0) (0,0,0): Do = 2/12, De = 70/132
    assert krippendorff_alpha([[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 0, 0]]) == pytest.approx(
        1 - (2 / 12) / (70 / 132))
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))


def test_two_humans_on_the_segments_both_reviewed(demo_review):
    s = _first_segments(demo_review, 11)
    a = {s[0]: {"affect"}, s[1]: {"affect"}, s[2]: {"affect"}, s[3]: {"affect"},
         s[5]: {"identite"}, s[10]: {"affect"}}
    b = {s[0]: {"affect"}, s[1]: {"affect"}, s[2]: {"affect"}, s[4]: {"affect"}}
    _code_blind(demo_review, "Camille", s, a)  # Camille also reviewed s[10]: not counted
    _code_blind(demo_review, "Dominique", s[:10], b)
    result = agreement(demo_review, ["Camille", "Dominique"])
    assert result.segments == tuple(sorted(s[:10]))
    t = result.table.set_index("code")
    assert t.loc["affect", ["segments", "oui Camille", "oui Dominique"]].tolist() == [10, 4, 4]
    assert t.loc["affect", "observed"] == pytest.approx(0.8)
    assert t.loc["affect", "kappa"] == pytest.approx(0.28 / 0.48)
    assert t.loc["affect", "alpha"] == pytest.approx(1 - 0.2 / (192 / 380))
    # identite: Camille once, Dominique never: po = .9, pe = .9: kappa 0
    assert t.loc["identite", "kappa"] == pytest.approx(0.0)
    assert math.isnan(t.loc["recit.echec", "kappa"])  # used by neither
    # pooled over the N = 10 x K decisions: 5 yes for Camille, 4 for Dominique, 3 shared
    n = 10 * len(load_codebook(demo_review).ids)
    po = (n - 3) / n
    pe = (5 * 4 + (n - 5) * (n - 4)) / n ** 2
    assert t.loc["ensemble", "kappa"] == pytest.approx((po - pe) / (1 - pe))
    fig = plot_agreement(result)
    assert "10 segments lus par Camille et Dominique" in fig.axes[0].get_xlabel()


def test_three_coders_get_alpha_and_no_kappa(demo_review):
    s = _first_segments(demo_review, 4)
    _code_blind(demo_review, "A", s, {s[0]: {"affect"}, s[2]: {"affect"}})
    _code_blind(demo_review, "B", s, {s[0]: {"affect"}, s[2]: {"affect"}})
    _code_blind(demo_review, "C", s, {s[0]: {"affect"}})
    t = agreement(demo_review, ["A", "B", "C"]).table.set_index("code")
    assert t.loc["affect", "alpha"] == pytest.approx(1 - (2 / 12) / (70 / 132))
    assert math.isnan(t.loc["affect", "kappa"])


def test_auto_against_a_human(demo_review):
    review = Review(demo_review, "Camille")
    ids = sorted(review.store.auto_coded_segments())  # the three segments of REVIEW_AUTO
    s2, s3, s4 = ids
    review.accept(s3, "travail.contrainte")
    review.reject(s4, "travail.contrainte")
    review.accept(s2, "recit.situation")
    t = agreement(demo_review, ["auto", "Camille"]).table.set_index("code")
    # travail.contrainte: auto (0, 1, 1), Camille (0, 1, 0): po 2/3, pe 4/9, kappa 2/5
    assert t.loc["travail.contrainte", "segments"] == 3
    assert t.loc["travail.contrainte", "kappa"] == pytest.approx(0.4)
    # recit.situation: auto (1, 1, 0); Camille left it pending on s3: not hers -> (1, 0, 0)
    assert t.loc["recit.situation", ["oui auto", "oui Camille"]].tolist() == [2, 1]


def test_errors(demo_review, capsys):
    with pytest.raises(GacpError) as err:
        parse_coders("Camille")
    assert err.value.code == "E505"
    with pytest.raises(GacpError) as err:
        agreement(demo_review, ["auto", "Personne"])
    assert err.value.code == "E506" and "Codeurs connus : auto" in str(err.value)
    s = _first_segments(demo_review, 2)
    _code_blind(demo_review, "A", s[:1], {})
    _code_blind(demo_review, "B", s[1:], {})
    with pytest.raises(GacpError) as err:
        agreement(demo_review, ["A", "B"])
    assert err.value.code == "E507"
    assert main(["agreement", str(demo_review), "--codeurs", "A"]) == 2
    assert "E505" in capsys.readouterr().err


def test_cli_prints_the_table(demo_review, capsys, tmp_path):
    s = _first_segments(demo_review, 4)
    _code_blind(demo_review, "A", s, {s[0]: {"affect"}})
    _code_blind(demo_review, "B", s, {s[0]: {"affect"}, s[1]: {"affect"}})
    out_csv = tmp_path / "accord.csv"
    assert main(["agreement", str(demo_review), "--codeurs", "A,B", "--sortie", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Accord entre A et B sur 4 segment(s)")
    # affect: A (1,0,0,0), B (1,1,0,0): po 3/4, pe .25*.5 + .75*.5 = .5, kappa .5;
    # alpha: 8 values (3 yes), one disagreeing unit: 1 - (2/8) / (2*3*5/(8*7)) = 0.533
    line = next(x for x in out.splitlines() if x.startswith("affect "))
    assert line.split() == ["affect", "1", "2", "75", "%", "0,50", "0,53"]
    assert out_csv.read_text(encoding="utf-8").startswith("code;label;segments")
