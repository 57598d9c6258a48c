"""Agreement figures, computed by hand on a tiny gold file."""
from __future__ import annotations

import json

import pytest

from gacp_analysis.coding.evaluate import cohen_kappa, format_report, read_gold, score
from gacp_analysis.errors import GacpError


def test_scores_by_hand():
    # Five segments, two codes.
    gold = [{"affect"}, {"affect", "identite"}, set(), {"identite"}, {"affect"}]
    pred = [{"affect"}, {"affect"}, {"affect"}, {"identite"}, set()]
    report = score(gold, pred, ["affect", "identite"])
    affect, identite = report.scores
    # affect: tp=2 (1, 2), fp=1 (3), fn=1 (5), tn=1 (4).
    assert (affect.tp, affect.support, affect.predicted) == (2, 3, 3)
    assert affect.precision == pytest.approx(2 / 3)
    assert affect.recall == pytest.approx(2 / 3)
    assert affect.f1 == pytest.approx(2 / 3)
    # po = 3/5; pe = (3*3 + 2*2)/25 = 13/25; kappa = (15/25 - 13/25) / (12/25) = 1/6.
    assert affect.kappa == pytest.approx(1 / 6)
    # identite: tp=1 (4), fp=0, fn=1 (2), tn=3.
    assert (identite.precision, identite.recall) == (1.0, 0.5)
    assert identite.f1 == pytest.approx(2 / 3)
    # po = 4/5; pe = (1*2 + 4*3)/25 = 14/25; kappa = (20/25 - 14/25) / (11/25) = 6/11.
    assert identite.kappa == pytest.approx(6 / 11)
    # micro: tp=3, fp=1, fn=2 -> P=3/4, R=3/5, F1=2/3.
    assert report.micro_precision == pytest.approx(0.75)
    assert report.micro_recall == pytest.approx(0.6)
    assert report.micro_f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx(2 / 3)
    text = format_report(report)
    assert "affect                           3       3     0.667   0.667  0.667  0.167" in text
    assert text.endswith("segments : 5 ; micro-F1 : 0.667 (précision 0.750, rappel 0.600) ; "
                         "macro-F1 : 0.667")


def test_macro_ignores_codes_absent_from_gold():
    report = score([{"affect"}, set()], [{"affect"}, {"identite"}], ["affect", "identite"])
    assert report.macro_f1 == 1.0  # identite has no gold support
    assert report.micro_f1 == pytest.approx(2 / 3)


def test_kappa_edge_cases():
    assert cohen_kappa(0, 0, 0, 10) == 1.0  # both always say no
    assert cohen_kappa(5, 0, 0, 5) == 1.0
    assert cohen_kappa(0, 0, 0, 0) == 0.0


def write_gold(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                              for r in rows) + "\n", encoding="utf-8")
    return path


def test_read_gold(tmp_path):
    path = write_gold(tmp_path / "g.jsonl", [
        {"id": "a", "text": "moi aussi", "speaker": "B", "previous": {"speaker": "A", "text": "dur"},
         "codes": ["debat.accord"], "occupation": "cariste"},
        "",
        {"id": "b", "text": "qui commence ?", "facilitator": True, "codes": []},
    ])
    items = read_gold(path)
    assert [(i.id, i.line, sorted(i.codes)) for i in items] == [("a", 1, ["debat.accord"]),
                                                                 ("b", 3, [])]
    assert items[0].unit.answers_someone and not items[1].unit.answers_someone
    assert items[1].unit.facilitator
    assert [i.group for i in items] == ["cariste", None]  # the occupation groups CV folds


@pytest.mark.parametrize("rows, message", [
    (['{"id": 1, "text": "x", "codes": []}', "{pas du json"],
     "E208 {path}:2 : JSON invalide"),
    ([{"id": 1, "codes": []}], "E208 {path}:1 : champ « text » absent."),
    ([{"id": 1, "text": "x", "codes": "affect"}],
     "E208 {path}:1 : champ « codes » absent ou qui n'est pas une liste."),
    ([{"id": 1, "text": "x", "codes": ["recit.inconnu"]}],
     "E209 {path}:1 : code « recit.inconnu » inconnu de la grille."),
])
def test_bad_gold_lines_name_file_and_line(tmp_path, rows, message):
    path = write_gold(tmp_path / "g.jsonl", rows)
    with pytest.raises(GacpError) as info:
        read_gold(path, known=["affect"])
    assert str(info.value).startswith(message.format(path=path))


def test_missing_gold_file(tmp_path):
    with pytest.raises(GacpError) as info:
        read_gold(tmp_path / "absent.jsonl")
    assert info.value.code == "E210"


def test_evaluate_command(tmp_path, capsys, coder):
    from gacp_analysis.cli import main

    path = write_gold(tmp_path / "g.jsonl", [
        {"id": "1", "text": "franchement j'avais honte", "codes": ["affect"]},
        {"id": "2", "text": "Qui veut commencer ?", "facilitator": True, "codes": []},
    ])
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Évaluation de gacp-codeur-0.1.0 sur {path}" in out
    assert "affect                           1       1     1.000   1.000  1.000  1.000" in out
    assert "segments : 2 ; micro-F1 : 1.000" in out
