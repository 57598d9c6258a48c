"""The consent register of groupe.yaml: parsing, quotation, written bilan, recording, status."""
from __future__ import annotations

import json
from datetime import date

import pytest

from gacp_analysis.cli import main
from gacp_analysis.confidentiality.consent import (in_written_bilan, missing_consents, may_quote,
                                                   recording_withheld)
from gacp_analysis.confidentiality.withhold import UNRECORDED_MARKER
from gacp_analysis.corpus.group import GROUP_TEMPLATE, load_group, parse_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.errors import GacpError
from gacp_analysis.privacy import quotable_pseudonyms
from gacp_analysis.store import open_store, store_path

from conftest import DEMO

HEAD = """groupe: "Test"
structure: "Foyer Test"
animation:
  - nom: "Claire"
    pseudonyme: "Animatrice"
participants:
"""

NADIA = """  - nom: "Nadia"
    pseudonyme: "Ambre"
"""


def _group(text, tmp_path):
    return parse_group(HEAD + text, path=tmp_path / "groupe.yaml", folder=tmp_path)


def test_register_read_with_dates(tmp_path):
    group = _group(NADIA + """    consentements:
      enregistrement: {accord: true, date: 2026-01-13}
      citation: {accord: false, date: 2026-01-14}
      bilan_ecrit: {accord: true, date: 2026-01-15}
""", tmp_path)
    register = group.participants[0].consents
    assert (register.enregistrement.accord, register.enregistrement.date) == (True, date(2026, 1, 13))
    assert (register.citation.accord, register.citation.date) == (False, date(2026, 1, 14))
    assert (register.bilan_ecrit.accord, register.bilan_ecrit.date) == (True, date(2026, 1, 15))
    speaker = group.participants[0]
    assert not may_quote(speaker) and in_written_bilan(speaker)
    assert quotable_pseudonyms(group) == frozenset()


def test_legacy_key_means_citation_and_written_bilan(tmp_path):
    group = _group(NADIA + "    consentement_citation: true\n"
                   + '  - nom: "Karim"\n    pseudonyme: "Basile"\n    consentement_citation: false\n',
                   tmp_path)
    nadia, karim = group.participants
    assert (nadia.consents.citation.accord, nadia.consents.citation.date) == (True, None)
    assert nadia.consents.bilan_ecrit.accord is True
    assert nadia.consents.enregistrement.accord is None  # not recorded
    assert karim.consents.citation.accord is False and karim.consents.bilan_ecrit.accord is None
    assert quotable_pseudonyms(group) == frozenset({"Ambre"})
    assert missing_consents(group) == {
        "Ambre": {"enregistrement": "non renseigné"},
        "Basile": {"enregistrement": "non renseigné", "citation": "refusé",
                   "bilan_ecrit": "non renseigné"}}


def test_citation_without_written_bilan_is_not_quoted(tmp_path):
    group = _group(NADIA + """    consentements:
      citation: {accord: true, date: 2026-01-13}
      bilan_ecrit: {accord: false, date: 2026-01-13}
""", tmp_path)
    assert quotable_pseudonyms(group) == frozenset()
    assert group.participants[0].consent_quote is False


def test_demo_register():
    group = load_group(DEMO)
    assert quotable_pseudonyms(group) == frozenset(
        {"Ambre", "Basile", "Capucine", "Damien", "Elsa", "Gaëlle"})
    assert missing_consents(group) == {"Firmin": {"citation": "refusé"},
                                       "Hortense": {"citation": "refusé", "bilan_ecrit": "refusé"}}


def test_contradicting_keys_give_e701_with_the_line(tmp_path):
    with pytest.raises(GacpError) as info:
        _group(NADIA + """    consentement_citation: true
    consentements:
      citation: {accord: false, date: 2026-01-13}
""", tmp_path)
    # The legacy key is on line 9 of the file (HEAD has 6 lines, NADIA 2).
    assert str(info.value) == (
        f"E701 {tmp_path / 'groupe.yaml'}:9 : participants[1] : « consentement_citation: true » "
        "contredit « consentements: citation: accord: false ». Gardez une seule des deux clés "
        "(de préférence « consentements »).")


def test_bad_register_gives_e700_with_line_and_fix(tmp_path):
    with pytest.raises(GacpError) as info:
        _group(NADIA + """    consentements:
      enregistrement: {accord: oui, date: 2026-01-13}
""", tmp_path)
    # the published schema (corpus/yamlio.check_schema) reads the register first
    assert str(info.value) == (
        f"E151 {tmp_path / 'groupe.yaml'}:10 : participants[1] : consentement « enregistrement » : "
        "« accord » vaut « oui » au lieu de true ou false. Écrivez par exemple "
        "« citation: {accord: true, date: 2026-01-13} ».")
    with pytest.raises(GacpError) as info:
        _group(NADIA + "    consentements:\n      diffusion: {accord: true}\n", tmp_path)
    assert info.value.code == "E151" and "type de consentement inconnu" in str(info.value)


def test_template_parses_and_consents_nothing_by_default(tmp_path):
    group = parse_group(GROUP_TEMPLATE, path=tmp_path / "groupe.yaml", folder=tmp_path)
    (speaker,) = group.participants
    assert missing_consents(group) == {speaker.pseudonym: {
        "enregistrement": "refusé", "citation": "refusé", "bilan_ecrit": "refusé"}}
    assert group.retention is not None and group.retention.deadline == date(2028, 9, 30)


def test_recording_consent_dated_after_the_session(tmp_path):
    group = _group(NADIA + "    consentements:\n      enregistrement: {accord: true, date: 2026-02-01}\n",
                   tmp_path)
    nadia = group.participants[0]
    assert recording_withheld(nadia, date(2026, 2, 1)) is None
    assert recording_withheld(nadia, date(2026, 1, 31)) == (
        "consentement à l'enregistrement donné le 2026-02-01, après la séance")


SESSIONS = {
    "2026-01-12_seance-01.txt": """---
seance: 1
date: 2026-01-12
type: analyse
---
Claire : Bonjour à tous. Karim, tu commences ?
Karim : Les toilettes en une heure, c'est intenable pour moi.
Nadia : Chez nous pareil, Karim a raison.
Karim : Et la cadre ne voit rien du tout.
""",
    "2026-02-09_seance-02.txt": """---
seance: 2
date: 2026-02-09
type: analyse
---
Claire : On reprend.
Karim : Depuis la dernière fois la relève se passe mieux.
""",
}


@pytest.fixture()
def refusing(tmp_path):
    """Karim refused recording; Nadia consented."""
    folder = tmp_path / "groupe"
    (folder / "seances").mkdir(parents=True)
    (folder / "groupe.yaml").write_text(HEAD + NADIA + """    consentements:
      enregistrement: {accord: true, date: 2026-01-05}
  - nom: "Karim"
    pseudonyme: "Basile"
    consentements:
      enregistrement: {accord: false, date: 2026-01-05}
""", encoding="utf-8")
    for name, text in SESSIONS.items():
        (folder / "seances" / name).write_text(text, encoding="utf-8")
    return folder


def test_refused_recording_is_marked_at_import(refusing):
    report = import_group(refusing)
    marker = UNRECORDED_MARKER
    assert report.warnings == [
        f"W700 {refusing / 'seances' / '2026-01-12_seance-01.txt'} : séance 1 : 2 prise(s) de parole "
        f"de Basile remplacée(s) par « {marker} » : refus d'enregistrement. Le fichier n'est pas "
        "modifié ; rien de ces paroles n'entre dans la base.",
        f"W700 {refusing / 'seances' / '2026-02-09_seance-02.txt'} : séance 2 : 1 prise(s) de parole "
        f"de Basile remplacée(s) par « {marker} » : refus d'enregistrement. Le fichier n'est pas "
        "modifié ; rien de ces paroles n'entre dans la base."]
    with open_store(refusing) as store:
        turns = [(r["kind"], r["speaker"], r["text"]) for r in store.execute(
            "SELECT t.kind, sp.pseudonym AS speaker, t.text FROM turns t LEFT JOIN speakers sp "
            "ON sp.id = t.speaker_id JOIN sessions s ON s.id = t.session_id "
            "WHERE s.number = 1 ORDER BY t.idx")]
        text = store.execute("SELECT text FROM sessions WHERE number = 1").fetchone()[0]
        segments = [r[0] for r in store.execute("SELECT text FROM segments ORDER BY session_id, start")]
    # Names in the others' speech are pseudonymised too; the exchange keeps its order.
    assert turns == [("speech", "Animatrice", "Bonjour à tous. Basile, tu commences ?"),
                     ("event", None, marker),
                     ("speech", "Ambre", "Chez nous pareil, Basile a raison."),
                     ("event", None, marker)]
    assert text == "\n".join(t[2] for t in turns)
    # Only the consenting speakers' sentences are segments (and so coded).
    assert segments == ["Bonjour à tous.", "Basile, tu commences ?",
                        "Chez nous pareil, Basile a raison.", "On reprend."]
    data = store_path(refusing).read_bytes()
    for words in ("toilettes", "intenable", "cadre", "relève", "Karim"):
        assert words.encode() not in data, words


def test_status_shows_missing_consents(refusing, capsys):
    import_group(refusing)
    assert main(["status", str(refusing)]) == 0
    out = capsys.readouterr().out
    assert ("Consentements non donnés (groupe.yaml, « consentements ») :\n"
            "  Ambre              citation non renseigné, bilan écrit non renseigné\n"
            "  Basile             enregistrement refusé, citation non renseigné, bilan écrit non "
            "renseigné\n") in out
    assert "Karim" not in out and "Nadia" not in out
    assert main(["status", str(refusing), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["consentements_manquants"]["Basile"]["enregistrement"] == "refusé"
