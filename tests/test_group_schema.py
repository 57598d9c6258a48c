"""groupe.yaml validated by its published JSON schema: every key, valid and invalid.

Expected lines are counted by hand in ``FULL`` below (line 1 is ``groupe:``).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from gacp_analysis.corpus.group import GROUP_TEMPLATE, parse_group
from gacp_analysis.models import Consent, ConsentRegister, Retention
from gacp_analysis.corpus.yamlio import schema_path
from gacp_analysis.errors import GacpError

FULL = """\
groupe: "Mini"
structure: "Clinique du Port"
secteur: "sanitaire"
pseudonyme: "Groupe M"
periode: "janvier - juin 2026"
afficher_structure: false
animation:
  - nom: "Claire"
    pseudonyme: "Animatrice"
participants:
  - nom: "Nadia"
    alias: ["Nadia B.", "NADIA"]
    pseudonyme: "Ambre"
    role: "aide-soignante"
    consentements:
      enregistrement: {accord: true, date: 2026-01-13}
      citation: {accord: true, date: 2026-01-13}
      bilan_ecrit: {accord: false, date: 2026-01-20}
  - nom: "Karim"
    alias: "Karim L."
    pseudonyme: "Basile"
    role: "infirmier"
    consentement_citation: false
a_masquer:
  - "Mme Lefort"
bilan:
  statut: valide
  valide_le: 2026-06-30
conservation:
  fin_accompagnement: 2026-09-30
  duree_mois: 24
"""
PATH = Path("g/groupe.yaml")


def parse(text: str):
    return parse_group(text, path=PATH, folder=PATH.parent)


def test_every_key_of_a_valid_file():
    group = parse(FULL)
    assert (group.name, group.organisation, group.sector, group.label, group.period) == (
        "Mini", "Clinique du Port", "sanitaire", "Groupe M", "janvier - juin 2026")
    assert group.show_organisation is False
    assert [s.pseudonym for s in group.facilitators] == ["Animatrice"]
    assert group.facilitators[0].role == "animation" and group.facilitators[0].is_facilitator
    nadia, karim = group.participants
    assert (nadia.label, nadia.aliases, nadia.role, nadia.consent_quote) == (
        "Nadia", ("Nadia B.", "NADIA"), "aide-soignante", False)
    # consentements.citation is given but bilan_ecrit refused: a quote is always written, so none
    assert (karim.aliases, karim.consent_quote) == (("Karim L.",), False)  # a lone alias is a list
    assert group.resolve("nadia b.") is nadia
    assert group.to_mask == ("Mme Lefort",)
    assert (group.bilan_status, group.bilan_validated_on) == ("valide", date(2026, 6, 30))
    assert nadia.consents == ConsentRegister(
        enregistrement=Consent(accord=True, date=date(2026, 1, 13)),
        citation=Consent(accord=True, date=date(2026, 1, 13)),
        bilan_ecrit=Consent(accord=False, date=date(2026, 1, 20)))
    assert karim.consents.enregistrement == Consent() and karim.consents.bilan_ecrit == Consent()
    assert group.facilitators[0].consents == ConsentRegister()
    assert group.retention == Retention(end=date(2026, 9, 30), months=24)


def test_optional_keys_may_be_absent_or_empty():
    group = parse('groupe: "G"\nstructure: 7\nsecteur:\nperiode:\na_masquer:\nbilan:\n'
                  'animation:\n  - {nom: A, pseudonyme: P}\n'
                  'participants:\n  - {nom: B, pseudonyme: Q, alias:, role:}\n')
    assert (group.organisation, group.sector, group.label, group.period) == ("7", "", "G", "")
    assert group.to_mask == () and group.bilan_status == "brouillon"
    assert group.bilan_validated_on is None and group.retention is None
    assert group.participants[0].role == "participant·e" and not group.participants[0].consent_quote


def test_quoted_dates_and_a_draft_bilan():
    text = (FULL.replace("date: 2026-01-13}", 'date: "2026-01-13"}')
            .replace("statut: valide", "statut: brouillon")
            .replace("fin_accompagnement: 2026-09-30", 'fin_accompagnement: "2026-09-30"'))
    group = parse(text)
    assert group.participants[0].consents.citation == Consent(accord=True, date=date(2026, 1, 13))
    assert group.bilan_status == "brouillon" and group.bilan_validated_on is None
    assert group.retention.end == date(2026, 9, 30)


def test_the_old_consent_key_agreeing_with_the_register():
    text = FULL.replace('    role: "aide-soignante"\n',
                        '    role: "aide-soignante"\n    consentement_citation: true\n')
    assert parse(text).participants[0].consents.citation.given is True


FIX_CONSENT = "Écrivez par exemple « citation: {accord: true, date: 2026-01-13} »."
FIX_KEEP = "Écrivez par exemple « conservation: {fin_accompagnement: 2026-09-30, duree_mois: 24} »."
TOP_KEYS = ("groupe, structure, secteur, pseudonyme, periode, afficher_structure, animation, "
            "participants, a_masquer, bilan, conservation")
PERSON_KEYS = "nom, pseudonyme, alias, role, consentement_citation, consentements"


@pytest.mark.parametrize("old, new, message", [
    # top level
    ("periode:", "période:",
     f"E150 {{path}}:5 : clé « période » inconnue en tête de fichier. Vouliez-vous dire « periode » ? "
     f"Clés possibles : {TOP_KEYS}."),
    ('groupe: "Mini"\n', "",
     'E103 {path} : clé obligatoire « groupe » absente. Ajoutez-la (nom d\'affichage, par exemple '
     'groupe: "Soignants de nuit").'),
    ('groupe: "Mini"', 'groupe: ""', "E103 {path} : clé obligatoire « groupe » absente."),
    ('structure: "Clinique du Port"', "structure: []", "E103 {path} : clé obligatoire « structure » absente."),
    ('structure: "Clinique du Port"', "structure:", "E103 {path} : clé obligatoire « structure » absente."),
    ('secteur: "sanitaire"', "secteur: [sanitaire]",
     "E104 {path} : secteur (ligne 3) : « secteur » doit être un texte. Écrivez le texte entre guillemets."),
    ('pseudonyme: "Groupe M"', "pseudonyme: {a: 1}", "E104 {path} : pseudonyme (ligne 4) : « pseudonyme » doit être un texte."),
    ('periode: "janvier - juin 2026"', "periode: [janvier, juin]", "E104 {path} : periode (ligne 5) : « periode » doit être un texte."),
    ("afficher_structure: false", "afficher_structure: oui",
     "E104 {path} : afficher_structure (ligne 6) : « afficher_structure » vaut « oui ». Écrivez true "
     "(la structure peut être nommée) ou false."),
    ('animation:\n  - nom: "Claire"\n    pseudonyme: "Animatrice"\n', 'animation: "Claire"\n',
     "E104 {path} : animation (ligne 7) : ce n'est pas une liste. Chaque personne commence par « - nom: »."),
    ("participants:\n  - nom: \"Nadia\"", "participants: []\nautres:\n  - nom: \"Nadia\"",
     "E103 {path} : clé obligatoire « participants » absente."),
    # a person
    ('  - nom: "Claire"\n    pseudonyme: "Animatrice"\n', '  - "Claire"\n',
     "E104 {path} : animation[1] (ligne 8) : entrée qui n'est pas une liste de clés. Écrivez « - nom: ... » "
     "puis « pseudonyme: ... » sur les lignes suivantes."),
    ('  - nom: "Karim"\n    alias: "Karim L."', '  - alias: "Karim L."',
     "E104 {path} : participants[2] (ligne 19) : clé « nom » absente ou vide. Ajoutez « nom: ... » à cette personne."),
    ('nom: "Karim"', 'nom: "  "', "E104 {path} : participants[2] (ligne 19) : clé « nom » absente ou vide."),
    ('pseudonyme: "Ambre"', "pseudonyme: [Ambre]",
     "E104 {path} : participants[1] (ligne 11) : « pseudonyme » doit être un texte, pas une liste. "
     "Écrivez-le entre guillemets, par exemple pseudonyme: \"Ambre\"."),
    ('nom: "Karim"', "nom: 1789",
     "E104 {path} : participants[2] (ligne 19) : « nom » doit être un texte, pas un nombre entier. "
     "Écrivez-le entre guillemets, par exemple nom: \"1789\"."),
    ('pseudonyme: "Basile"', "pseudonyme:",
     "E104 {path} : participants[2] (ligne 19) : clé « pseudonyme » absente ou vide."),
    ('alias: ["Nadia B.", "NADIA"]', "alias: [1, 2]",
     'E104 {path} : participants[1] (ligne 11) : « alias » doit être une liste de noms. Écrivez par exemple '
     'alias: ["Nadia B.", "NADIA"].'),
    ('role: "infirmier"', "role: [infirmier]",
     "E104 {path} : participants[2] (ligne 19) : « role » doit être un texte."),
    ("consentement_citation: false", "consentement_citation: oui",
     "E104 {path} : participants[2] (ligne 19) : « consentement_citation » vaut « oui ». Écrivez true "
     "(citations autorisées) ou false."),
    ('role: "infirmier"', 'rôle: "infirmier"',
     f"E150 {{path}}:22 : clé « rôle » inconnue pour participants[2]. Vouliez-vous dire « role » ? "
     f"Clés possibles : {PERSON_KEYS}."),
    ('pseudonyme: "Basile"', 'pseudonym: "Basile"',
     "E150 {path}:21 : clé « pseudonym » inconnue pour participants[2]. Vouliez-vous dire « pseudonyme » ?"),
    # the consent register
    ("    consentements:\n      enregistrement: {accord: true, date: 2026-01-13}\n"
     "      citation: {accord: true, date: 2026-01-13}\n      bilan_ecrit: {accord: false, date: 2026-01-20}\n",
     "    consentements: oui\n",
     f"E151 {{path}}:15 : participants[1] : consentement « consentements » : ce doit être un dictionnaire "
     f"type -> {{accord, date}}. {FIX_CONSENT}"),
    ("bilan_ecrit:", "photo:",
     "E151 {path}:18 : participants[1] : consentement « photo » : type de consentement inconnu. Types "
     "possibles : enregistrement, citation, bilan_ecrit."),
    ("citation: {accord: true, date: 2026-01-13}", "citation: true",
     f"E151 {{path}}:17 : participants[1] : consentement « citation » : ce doit être un accord daté. {FIX_CONSENT}"),
    ("citation: {accord: true, date: 2026-01-13}", "citation: {date: 2026-01-13}",
     "E151 {path}:17 : participants[1] : consentement « citation » : « accord » absent."),
    ("citation: {accord: true, date: 2026-01-13}", "citation: {accord: oui, date: 2026-01-13}",
     "E151 {path}:17 : participants[1] : consentement « citation » : « accord » vaut « oui » au lieu de "
     "true ou false."),
    ("enregistrement: {accord: true, date: 2026-01-13}", "enregistrement: {accord: true}",
     "E151 {path}:16 : participants[1] : consentement « enregistrement » : date du recueil absente."),
    ("bilan_ecrit: {accord: false, date: 2026-01-20}", "bilan_ecrit: {accord: false, date: 2026-13-45}",
     "E151 {path}:18 : participants[1] : consentement « bilan_ecrit » : date « 2026-13-45 » illisible "
     "(format AAAA-MM-JJ)."),
    ("citation: {accord: true, date: 2026-01-13}", "citation: {accord: true, date: 2026-01-13, par: Claire}",
     "E151 {path}:17 : participants[1] : consentement « citation » : clé « par » inconnue (clés possibles : "
     "accord, date)."),
    ('    role: "aide-soignante"\n', '    role: "aide-soignante"\n    consentement_citation: false\n',
     "E701 {path}:15 : participants[1] : « consentement_citation: false » contredit « consentements: "
     "citation: accord: true ». Gardez une seule des deux clés (de préférence « consentements »)."),
    # names to mask
    ('a_masquer:\n  - "Mme Lefort"', 'a_masquer: "Mme Lefort"',
     'E104 {path} : a_masquer (ligne 24) : ce n\'est pas une liste de noms. Écrivez par exemple '
     'a_masquer: ["Dr Martin", "Mme Lefort"].'),
    ('  - "Mme Lefort"', "  - {nom: Lefort}", "E104 {path} : a_masquer (ligne 25) : ce n'est pas une liste de noms."),
    # bilan
    ("statut: valide", "statut: validé",
     "E104 {path} : bilan.statut (ligne 27) : valeur « validé » inconnue. Écrivez « statut: brouillon » ou "
     "« statut: valide » avec « valide_le: AAAA-MM-JJ »."),
    ("  valide_le: 2026-06-30\n", "",
     "E104 {path} : bilan.valide_le (ligne 27) : date de validation absente ou illisible. Ajoutez "
     "« valide_le: AAAA-MM-JJ », la date où le groupe a validé le bilan."),
    ("valide_le: 2026-06-30", "valide_le: 2026-02-30",
     "E104 {path} : bilan.valide_le (ligne 28) : date de validation absente ou illisible."),
    ("valide_le: 2026-06-30", "date: 2026-06-30",
     "E150 {path}:28 : clé « date » inconnue dans « bilan ». Clés possibles : statut, valide_le."),
    ("bilan:\n  statut: valide\n  valide_le: 2026-06-30\n", "bilan: brouillon\n",
     "E104 {path} : bilan (ligne 26) : ce doit être un dictionnaire de clés."),
    # retention
    ("  duree_mois: 24\n", "",
     f"E152 {{path}}:30 : conservation : clé « duree_mois » absente. {FIX_KEEP}"),
    ("duree_mois: 24", "duree_mois: 24 mois",
     "E152 {path}:31 : conservation : « duree_mois » vaut « 24 mois » au lieu d'un nombre entier de mois "
     "(1 ou plus)."),
    ("duree_mois: 24", "duree_mois: 0",
     "E152 {path}:31 : conservation : « duree_mois » vaut « 0 » au lieu d'un nombre entier de mois"),
    ("duree_mois: 24", "duree_mois: 2.5", "E152 {path}:31 : conservation : « duree_mois » vaut « 2.5 »"),
    ("fin_accompagnement: 2026-09-30", "fin_accompagnement: fin septembre",
     "E152 {path}:30 : conservation : date « fin septembre » illisible (format AAAA-MM-JJ)."),
    ("conservation:\n  fin_accompagnement: 2026-09-30\n  duree_mois: 24\n", "conservation: 24\n",
     "E152 {path}:29 : conservation : ce doit être un dictionnaire de clés."),
    ("duree_mois: 24", "duree_annees: 2",
     "E152 {path}:31 : conservation : clé « duree_annees » inconnue (clés possibles : fin_accompagnement, "
     "duree_mois)."),
    # the same person twice
    ('alias: "Karim L."', 'alias: ["Karim L.", "Nadia B."]',
     "E105 {path} : le nom « Nadia B. » est utilisé par deux personnes (Nadia et Karim)."),
    ('pseudonyme: "Basile"', 'pseudonyme: "ambre"',
     "E106 {path} : le pseudonyme « ambre » est donné à deux personnes."),
])
def test_invalid_key_names_file_line_and_fix(old, new, message):
    assert old in FULL
    with pytest.raises(GacpError) as info:
        parse(FULL.replace(old, new, 1))
    assert str(info.value).startswith(message.replace("{path}", str(PATH))), str(info.value)


def test_the_published_schema_accepts_the_demo_the_template_and_the_full_file():
    """Editors validate with the schema file alone: it accepts what gacp accepts (dates as text)."""
    import yaml

    schema = json.loads(schema_path("groupe").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    demo = Path(__file__).parents[1] / "corpora" / "demo" / "groupe.yaml"
    def as_editor_sees(text):
        data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text, dates included
        return json.loads(json.dumps(data).replace('"true"', "true").replace('"false"', "false")
                          .replace('"24"', "24"))

    for text in (demo.read_text(encoding="utf-8"), GROUP_TEMPLATE, FULL):
        assert [e.message for e in validator.iter_errors(as_editor_sees(text))] == []
    bad = as_editor_sees(FULL.replace("2026-09-30", "2026-09-31").replace("statut: valide", "statut: fait"))
    assert sorted(e.message for e in validator.iter_errors(bad)) == [
        "'2026-09-31' is not a 'date'", "'fait' is not one of ['brouillon', 'valide']"]


def test_loading_a_group_does_not_import_slow_optional_format_checkers():
    """jsonschema would import rfc3987_syntax (1.8 s: it builds a grammar) on every command."""
    import subprocess
    import sys

    demo = Path(__file__).parents[1] / "corpora" / "demo"
    code = ("import sys; from gacp_analysis.corpus.group import load_group; "
            f"load_group({str(demo)!r}); "
            "print(sorted(m for m in ('rfc3987_syntax', 'isoduration', 'arrow') if m in sys.modules)); "
            "print([m for m, v in sys.modules.items() if v is None and m in "
            "('rfc3987_syntax', 'isoduration', 'idna')])")  # no placeholder left behind
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).parents[1]).stdout.split("\n")
    assert out[:2] == ["[]", "[]"]
