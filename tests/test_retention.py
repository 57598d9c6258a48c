"""Retention (``conservation`` in groupe.yaml), its warning in ``gacp status``, ``gacp purge``."""
from __future__ import annotations

import io
from datetime import date

import pytest

from gacp_analysis.cli import main
from gacp_analysis.confidentiality.status import confidentiality_status
from gacp_analysis.corpus.group import load_group, parse_group
from gacp_analysis.errors import GacpError
from gacp_analysis.models import Retention

from conftest import DEMO, copy_group

HEAD = """groupe: "Test"
structure: "Foyer Test"
animation:
  - nom: "Claire"
    pseudonyme: "Animatrice"
participants:
  - nom: "Nadia"
    pseudonyme: "Ambre"
"""


def test_deadline_adds_calendar_months():
    assert Retention(end=date(2026, 9, 30), months=24).deadline == date(2028, 9, 30)
    assert Retention(end=date(2026, 8, 31), months=6).deadline == date(2027, 2, 28)
    assert Retention(end=date(2027, 11, 15), months=3).deadline == date(2028, 2, 15)
    assert Retention(end=date(2026, 1, 31), months=0).deadline == date(2026, 1, 31)


def test_demo_retention_and_warning_once_passed():
    group = load_group(DEMO)
    assert group.retention == Retention(end=date(2026, 9, 30), months=24)
    assert confidentiality_status(group, today=date(2028, 9, 30))["avertissements"] == []
    late = confidentiality_status(group, today=date(2028, 10, 1))
    assert late["conservation"] == {"fin_accompagnement": "2026-09-30", "duree_mois": 24,
                                    "jusqu_au": "2028-09-30", "depassee": True}
    assert late["avertissements"] == [
        f"W701 {DEMO} : durée de conservation dépassée depuis le 2028-09-30 (fin de "
        "l'accompagnement le 2026-09-30 + 24 mois). Supprimez la base et les caches avec "
        f"« gacp purge {DEMO} » et les transcriptions selon la procédure du service."]


# The published schema (corpus/yamlio.check_schema) reads `conservation` before
# confidentiality.retention does: its messages (E152) name the line and the value.
@pytest.mark.parametrize("block, line, message", [
    ("conservation: 24\n", 9, "conservation : ce doit être un dictionnaire de clés"),
    ("conservation:\n  fin_accompagnement: bientôt\n  duree_mois: 24\n", 10,
     "conservation : date « bientôt » illisible (format AAAA-MM-JJ)"),
    ("conservation:\n  fin_accompagnement: 2026-09-30\n  duree_mois: deux ans\n", 11,
     "conservation : « duree_mois » vaut « deux ans » au lieu d'un nombre entier de mois (1 ou plus)"),
    ("conservation:\n  fin: 2026-09-30\n", 10,
     "conservation : clé « fin » inconnue (clés possibles : fin_accompagnement, duree_mois)"),
])
def test_bad_retention_names_the_line(tmp_path, block, line, message):
    with pytest.raises(GacpError) as info:
        parse_group(HEAD + block, path=tmp_path / "groupe.yaml", folder=tmp_path)
    assert str(info.value) == (f"E152 {tmp_path / 'groupe.yaml'}:{line} : {message}. Écrivez par "
                               "exemple « conservation: {fin_accompagnement: 2026-09-30, duree_mois: 24} ».")


@pytest.fixture()
def passed(tmp_path):
    folder = copy_group(DEMO, tmp_path / "demo")
    path = folder / "groupe.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "fin_accompagnement: 2026-09-30", "fin_accompagnement: 2020-01-31"), encoding="utf-8")
    assert main(["import", str(folder)]) == 0
    return folder


def test_status_warns_and_purge_deletes_store_and_caches(passed, capsys, monkeypatch):
    capsys.readouterr()
    assert main(["status", str(passed)]) == 0
    captured = capsys.readouterr()
    assert ("attention : W701 " f"{passed} : durée de conservation dépassée depuis le 2022-01-31 "
            "(fin de l'accompagnement le 2020-01-31 + 24 mois).") in captured.err
    assert "Conservation : jusqu'au 2022-01-31 (dépassée)." in captured.out
    (passed / ".gacp" / "cache").mkdir()
    (passed / ".gacp" / "cache" / "docs-x.spacy").write_bytes(b"x")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["purge", str(passed)]) == 1  # no terminal to confirm: nothing deleted
    assert "E705" in capsys.readouterr().err and (passed / ".gacp" / "projet.sqlite").exists()
    assert main(["purge", str(passed), "--yes"]) == 0
    out = capsys.readouterr().out
    assert not (passed / ".gacp").exists()
    assert (passed / "groupe.yaml").exists() and len(list((passed / "seances").iterdir())) == 11
    assert "fichier(s) supprimé(s)" in out
    assert main(["purge", str(passed), "--yes"]) == 1
    assert f"E709 {passed} : aucune base ni cache à supprimer" in capsys.readouterr().err
