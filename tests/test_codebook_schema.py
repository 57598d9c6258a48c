"""A group's codebook.yaml validated by the published JSON schema: every key, valid and invalid.

Expected lines are counted by hand in the texts below (line 1 is the first line).
"""
from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from gacp_analysis.coding.codebook import Marker, default_codebook_text, load_codebook
from gacp_analysis.corpus.yamlio import schema_path
from gacp_analysis.errors import GacpError

FULL = """\
version: 1
familles:
  local:
    label: "Spécifique au groupe"
    definition: "Les codes propres à ce groupe."
codes:
  recit.echec:
    label: "Échec"
    definition: "Ce qui a raté."
    inclusion: "Un raté raconté."
    exclusion: "Les généralités."
    exemples: ["Ça n'a pas marché.", "J'ai oublié."]
    famille: recit
    bloque_si: discours_rapporte
    discours_rapporte_vers: recit.situation
    negation_vers: recit.succes
    echange: true
    actif: true
    retirer: "mal fait"
    ajouter:
      expressions: ["raté", "  pas  réussi "]
      motifs:
        echouer: [{LEMMA: "échouer"}]
  recit.surprise:
    actif: false
  local.transmissions:
    label: Transmissions
    famille: local
    definition: 12
    exemples: "À la relève, rien n'était noté."
    bloque_si: [negation, discours_rapporte]
    negation_vers: recit.echec
    marqueurs:
      expressions: ["la relève"]
      motifs:
        transmettre: [{LEMMA: "transmettre"}]
  recit.succes:
    marqueurs:
      expressions: ["ça a marché"]
  affect:
"""


def load(tmp_path, text: str):
    (tmp_path / "codebook.yaml").write_text(text, encoding="utf-8")
    return load_codebook(tmp_path)


def test_every_key_of_a_valid_group_codebook(tmp_path):
    default = load_codebook()
    codebook = load(tmp_path, FULL)
    assert codebook.families["local"] == {"label": "Spécifique au groupe",
                                          "definition": "Les codes propres à ce groupe."}
    echec = codebook.get("recit.echec")
    assert (echec.label, echec.definition, echec.inclusion, echec.exclusion) == (
        "Échec", "Ce qui a raté.", "Un raté raconté.", "Les généralités.")
    # Bug fixed: a group's « exemples » for an existing code were dropped.
    assert echec.examples == ("Ça n'a pas marché.", "J'ai oublié.")
    assert echec.examples != default.get("recit.echec").examples
    assert (echec.family, echec.blocked_by, echec.reported_to, echec.negated_to) == (
        "recit", ("discours_rapporte",), "recit.situation", "recit.succes")
    assert echec.exchange is True and echec.active is True
    names = [m.name for m in echec.markers]
    default_names = [m.name for m in default.get("recit.echec").markers]
    assert names == [n for n in default_names if n != "mal fait"] + ["raté", "pas réussi", "echouer"]
    assert echec.markers[-1] == Marker(name="echouer", kind="motif", pattern=({"LEMMA": "échouer"},))
    assert not codebook.get("recit.surprise").active
    new = codebook.get("local.transmissions")
    assert (new.label, new.family, new.definition, new.examples, new.blocked_by, new.negated_to) == (
        "Transmissions", "local", "12", ("À la relève, rien n'était noté.",),
        ("negation", "discours_rapporte"), "recit.echec")
    assert (new.inclusion, new.exclusion, new.reported_to, new.exchange, new.active) == ("", "", None, False, True)
    assert [m.name for m in new.markers] == ["la relève", "transmettre"]
    assert [m.name for m in codebook.get("recit.succes").markers] == ["ça a marché"]  # replaced wholesale
    assert codebook.get("affect") == default.get("affect")  # an empty entry changes nothing
    assert codebook.ids == tuple(i for i in default.ids if i != "recit.surprise") + ("local.transmissions",)


def test_empty_values_clear_a_target_and_a_text(tmp_path):
    codebook = load(tmp_path, "codes:\n  rationalite.instrumentale:\n    discours_rapporte_vers:\n"
                              "    inclusion:\n    exemples:\n    bloque_si:\n")
    code = codebook.get("rationalite.instrumentale")
    assert (code.reported_to, code.inclusion, code.examples, code.blocked_by) == (None, "", (), ())


def test_an_empty_file_is_the_default(tmp_path):
    assert load(tmp_path, "# rien\n").signature == load_codebook().signature


BASE = "codes:\n  recit.echec:\n"  # the key under test is on line 3
NEW = "codes:\n  local.x:\n    label: X\n    famille: travail\n"  # the key under test is on line 5
CODE_KEYS = ("actif, ajouter, bloque_si, definition, discours_rapporte_vers, echange, exclusion, "
             "exemples, famille, inclusion, label, marqueurs, negation_vers, retirer")


@pytest.mark.parametrize("text, message", [
    # Bug fixed: a list for a target code crashed with a TypeError.
    (BASE + "    negation_vers: [recit.succes, recit.situation]\n",
     "E201 {path}:3 : code « recit.echec » : « negation_vers » doit être l'identifiant d'un seul code, pas "
     "une liste. Écrivez par exemple « negation_vers: recit.echec »."),
    (BASE + "    discours_rapporte_vers: [travail.contrainte]\n",
     "E201 {path}:3 : code « recit.echec » : « discours_rapporte_vers » doit être l'identifiant d'un seul "
     "code, pas une liste. Écrivez par exemple « discours_rapporte_vers: travail.contrainte »."),
    (NEW + "    negation_vers: {code: recit.echec}\n",
     "E201 {path}:5 : code « local.x » : « negation_vers » doit être l'identifiant d'un seul code, pas un "
     "dictionnaire de clés."),
    (BASE + "    negation_vers: recit.inconnu\n",
     "E201 {path}:3 : code « recit.echec » : « negation_vers » désigne « recit.inconnu », code inconnu."),
    (BASE + "    discours_rapporte_vers: autre\n",
     "E201 {path}:3 : code « recit.echec » : « discours_rapporte_vers » désigne « autre », code inconnu."),
    # texts
    (BASE + "    label: [Échec]\n",
     "E201 {path}:3 : code « recit.echec » : « label » doit être un texte. Écrivez le texte entre guillemets."),
    (BASE + "    definition: {a: b}\n", "E201 {path}:3 : code « recit.echec » : « definition » doit être un texte."),
    (BASE + "    inclusion: [a]\n", "E201 {path}:3 : code « recit.echec » : « inclusion » doit être un texte."),
    (BASE + "    exclusion: true\n", "E201 {path}:3 : code « recit.echec » : « exclusion » doit être un texte."),
    (BASE + "    famille: [recit]\n", "E201 {path}:3 : code « recit.echec » : « famille » doit être un texte."),
    (BASE + "    famille: recits\n",
     "E201 {path}:3 : code « recit.echec » : famille « recits » inconnue. Familles possibles : consequence, "
     "debat, rationalite, recit, travail (ou « recit.echec » pour un code sans famille)."),
    (BASE + "    exemples: {un: exemple}\n",
     "E201 {path}:3 : code « recit.echec » : « exemples » doit être une liste de textes."),
    (BASE + "    exemples: [[imbriqué]]\n",
     "E201 {path}:3 : code « recit.echec » : « exemples » doit être une liste de textes."),
    # switches
    (BASE + "    actif: peut-être\n",
     "E201 {path}:3 : code « recit.echec » : « actif » vaut « peut-être ». Écrivez « actif: true » ou "
     "« actif: false »."),
    (BASE + "    echange: oui\n",
     "E201 {path}:3 : code « recit.echec » : « echange » vaut « oui ». Écrivez « echange: true » ou "
     "« echange: false »."),
    # contexts
    (BASE + "    bloque_si: [negation, ironie]\n",
     "E201 {path}:3 : code « recit.echec » : contexte « ironie » inconnu dans « bloque_si ». Contextes "
     "possibles : negation, discours_rapporte."),
    (BASE + "    bloque_si: ironie\n",
     "E201 {path}:3 : code « recit.echec » : contexte « ironie » inconnu dans « bloque_si »."),
    (BASE + "    bloque_si: {negation: true}\n",
     "E201 {path}:3 : code « recit.echec » : « bloque_si » doit être une liste de contextes."),
    # markers
    (BASE + "    retirer: {bruit: true}\n",
     'E201 {path}:3 : code « recit.echec » : « retirer » doit être une liste de marqueurs. Écrivez par '
     'exemple retirer: ["bruit", "planning"].'),
    (BASE + "    retirer: [\"mal fait\", \"introuvable\"]\n",
     "E202 {path}:3 : code « recit.echec » : le marqueur « introuvable » à retirer n'existe pas."),
    (BASE + "    ajouter: [raté]\n",
     "E201 {path}:3 : code « recit.echec » : les marqueurs doivent être un dictionnaire. Écrivez "
     "« expressions: [...] » et/ou « motifs: {nom: [...]} »."),
    (BASE + "    ajouter:\n      expression: [raté]\n",
     "E201 {path}:4 : code « recit.echec » : clé de marqueurs « expression » inconnue. Clés possibles : "
     "expressions, motifs."),
    (BASE + "    ajouter:\n      expressions: raté\n",
     "E201 {path}:4 : code « recit.echec » : « expressions » doit être une liste."),
    (BASE + "    ajouter:\n      expressions: [\"raté\", \"  \"]\n",
     "E201 {path}:4 : code « recit.echec » : expression vide ou non textuelle ('  '). Chaque expression est "
     "un texte entre guillemets."),
    (BASE + "    ajouter:\n      expressions:\n        - raté\n        - 3\n",
     "E201 {path}:6 : code « recit.echec » : expression vide ou non textuelle (3)."),
    (BASE + "    ajouter:\n      motifs: [rater]\n",
     "E201 {path}:4 : code « recit.echec » : « motifs » doit être un dictionnaire nom -> liste de jetons."),
    (BASE + "    ajouter:\n      motifs:\n        rater: rater\n",
     "E203 {path}:5 : code « recit.echec » : motif « rater » invalide (ce n'est pas une liste de jetons)."),
    (BASE + "    ajouter:\n      motifs:\n        rater: []\n",
     "E203 {path}:5 : code « recit.echec » : motif « rater » invalide (ce n'est pas une liste de jetons)."),
    (BASE + "    ajouter:\n      motifs:\n        rater: [LEMMA]\n",
     "E203 {path}:5 : code « recit.echec » : motif « rater » invalide (ce n'est pas une liste de jetons)."),
    (BASE + "    ajouter:\n      motifs:\n        rater: [{LEMME: \"rater\"}]\n",
     "E203 {path}:5 : code « recit.echec » : motif « rater » invalide"),
    (NEW + "    marqueurs: [x]\n", "E201 {path}:5 : code « local.x » : les marqueurs doivent être un dictionnaire."),
    # the entry and its keys
    (BASE + "    couleur: rouge\n",
     f"E201 {{path}}:3 : code « recit.echec » : clé « couleur » inconnue. Clés possibles : {CODE_KEYS}."),
    (BASE + "    negations_vers: recit.succes\n",
     "E201 {path}:3 : code « recit.echec » : clé « negations_vers » inconnue. Vouliez-vous dire "
     "« negation_vers » ?"),
    ("codes:\n  recit.echec: false\n",
     "E201 {path}:2 : code « recit.echec » : la définition doit être un dictionnaire de clés. Écrivez par "
     "exemple « actif: false » ou « ajouter: ... » sous le code."),
    ("codes:\n  local.x: [a]\n",
     "E201 {path}:2 : code « local.x » : la définition doit être un dictionnaire de clés. Donnez au moins "
     "« label », « famille » et « definition »."),
    ("codes:\n  local.x:\n    famille: travail\n",
     "E201 {path}:2 : code « local.x » : clé « label » absente ou vide pour un nouveau code."),
    ("codes:\n  local.x:\n    label: X\n",
     "E201 {path}:2 : code « local.x » : clé « famille » absente ou vide pour un nouveau code."),
    ("codes:\n  local.x:\n    label: X\n    famille: travail\n    retirer: [a]\n",
     "E201 {path}:2 : code « local.x » : « ajouter »/« retirer » s'appliquent à un code existant"),
    # families and the top of the file
    ("familles:\n  local:\n    label: [L]\ncodes: {}\n",
     "E154 {path}:3 : famille « local » : « label » doit être un texte. Écrivez le texte entre guillemets."),
    ("familles:\n  local:\n    couleur: bleu\ncodes: {}\n",
     "E154 {path}:3 : famille « local » : clé « couleur » inconnue. Clés possibles : label, definition."),
    ("familles:\n  local: [L]\ncodes: {}\n",
     "E154 {path}:2 : famille « local » : la définition doit être un dictionnaire de clés."),
    ("famille:\n  local: {label: L}\ncodes: {}\n",
     "E155 {path}:2 : clé « famille » inconnue en tête de grille. Vouliez-vous dire « familles » ? Clés "
     "possibles : version, familles, codes."),
    ("familles: [local]\ncodes: {}\n",
     "E155 {path}:1 : « familles » doit être un dictionnaire de clés. Écrivez « familles: » puis, en "
     "retrait, un identifiant par famille."),
    ("version: un\ncodes: {}\n",
     "E155 {path}:1 : « version » doit être un nombre entier. Écrivez « version: 1 »."),
    ("code:\n  recit.echec: {actif: false}\n", "E204 {path} : la grille doit contenir une clé « codes »"),
    ("codes: [recit.echec]\n", "E204 {path} : la grille doit contenir une clé « codes »"),
    (BASE + "    actif: [false\n", "E200 {path}:4 : grille de codage YAML invalide"),
])
def test_invalid_key_names_file_line_and_fix(tmp_path, text, message):
    with pytest.raises(GacpError) as info:
        load(tmp_path, text)
    expected = message.replace("{path}", str(tmp_path / "codebook.yaml"))
    assert str(info.value).startswith(expected), str(info.value)


def test_the_published_schema_accepts_the_default_and_the_full_file():
    schema = json.loads(schema_path("codebook").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for text in (default_codebook_text(), FULL):
        assert [e.message for e in validator.iter_errors(yaml.safe_load(text))] == []
    bad = yaml.safe_load(FULL.replace("negation_vers: recit.succes", "negation_vers: [recit.succes]"))
    assert [e.message for e in validator.iter_errors(bad)] == ["['recit.succes'] is not of type 'string', 'null'"]
