"""The default codebook and a group's changes to it."""
from __future__ import annotations

import pytest
import yaml

from gacp_analysis.coding.codebook import default_codebook_text, load_codebook
from gacp_analysis.errors import GacpError

LEAVES = (
    "recit.situation", "recit.echec", "recit.succes", "recit.surprise",
    "travail.contrainte", "travail.arrangement", "travail.ressource",
    "consequence.pratiques", "consequence.collectif", "consequence.sante", "consequence.qualite",
    "rationalite.instrumentale", "rationalite.axiologique", "rationalite.subjective",
    "identite", "debat.accord", "debat.divergence", "affect",
)


def write(folder, text: str):
    (folder / "codebook.yaml").write_text(text, encoding="utf-8")
    return folder


def test_default_codebook_has_exactly_the_fixed_ids():
    codebook = load_codebook()
    assert codebook.ids == LEAVES
    assert sorted(codebook.families) == ["consequence", "debat", "rationalite", "recit", "travail"]
    for code in codebook.codes:
        assert code.label and code.definition and code.inclusion and code.exclusion, code.id
        assert code.examples and code.markers, code.id
    assert [c.id for c in codebook.codes if c.exchange] == ["debat.accord", "debat.divergence"]
    assert codebook.get("rationalite.instrumentale").reported_to == "travail.contrainte"


def test_default_motifs_are_valid_spacy_patterns():
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    data = yaml.safe_load(default_codebook_text())
    matcher = Matcher(Vocab(), validate=True)
    count = 0
    for code_id, entry in data["codes"].items():
        for name, pattern in (entry["marqueurs"].get("motifs") or {}).items():
            matcher.add(f"{code_id}|{name}", [pattern])
            count += 1
    assert count == 5


def test_group_codebook_adds_removes_and_switches_off(tmp_path):
    write(tmp_path, """
codes:
  travail.contrainte:
    ajouter:
      expressions: ["la badgeuse"]
    retirer: ["planning"]
  recit.surprise:
    actif: false
  local.transmissions:
    label: "Transmissions"
    famille: travail
    definition: "Le passage de consignes entre équipes."
    marqueurs:
      expressions: ["transmissions", "la relève"]
""")
    codebook = load_codebook(tmp_path)
    names = [m.name for m in codebook.get("travail.contrainte").markers]
    assert "la badgeuse" in names and "planning" not in names and "le planning" in names
    assert not codebook.get("recit.surprise").active
    assert "recit.surprise" not in codebook.ids
    assert codebook.ids[-1] == "local.transmissions"
    assert [m.name for m in codebook.get("local.transmissions").markers] == ["transmissions", "la relève"]
    assert codebook.signature != load_codebook().signature
    assert load_codebook().signature == load_codebook().signature


@pytest.mark.parametrize("text, message", [
    ("codes:\n  recit.echec:\n    retirer: [\"introuvable\"]\n",
     "E202 {path}:3 : code « recit.echec » : le marqueur « introuvable » à retirer n'existe pas."),
    ("codes:\n  recit.echec:\n    actif: peut-être\n",
     "E201 {path}:3 : code « recit.echec » : « actif » vaut « peut-être ». Écrivez « actif: true » "
     "ou « actif: false »."),
    ("codes:\n  recit.echec:\n    couleur: rouge\n",
     "E201 {path}:3 : code « recit.echec » : clé « couleur » inconnue."),
    ("codes:\n  local.x:\n    label: X\n    famille: inconnue\n",
     "E201 {path}:4 : code « local.x » : famille « inconnue » inconnue."),
    ("codes:\n  local.x:\n    famille: travail\n",
     "E201 {path}:2 : code « local.x » : clé « label » absente ou vide pour un nouveau code."),
    ("codes:\n  local.x:\n    label: X\n    famille: travail\n    marqueurs:\n      motifs:\n"
     "        m: [{LEMME: \"x\"}]\n",
     "E203 {path}:7 : code « local.x » : motif « m » invalide"),
    ("codes:\n  recit.echec:\n    bloque_si: [ironie]\n",
     "E201 {path}:3 : code « recit.echec » : contexte « ironie » inconnu dans « bloque_si »."),
    ("codes:\n  recit.echec:\n    negation_vers: recit.inconnu\n",
     "E201 {path}:3 : code « recit.echec » : « negation_vers » désigne « recit.inconnu », code inconnu."),
    ("codes:\n  recit.echec:\n    actif: [false\n",
     "E200 {path}:4 : grille de codage YAML invalide"),
    ("- recit.echec\n", "E204 {path} : la grille doit contenir une clé « codes »"),
])
def test_invalid_group_codebook_names_file_line_and_code(tmp_path, text, message):
    write(tmp_path, text)
    with pytest.raises(GacpError) as info:
        load_codebook(tmp_path)
    assert str(info.value).startswith(message.format(path=tmp_path / "codebook.yaml"))


def test_no_group_codebook_means_the_default(tmp_path):
    assert load_codebook(tmp_path).signature == load_codebook().signature
