"""QDC codebooks: export -> import gives the same codebook; an import into a group's
codebook.yaml keeps its comments and entries as written; the CLI verbs of the exchange."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date

import pytest

from conftest import FIXTURES, copy_group
from gacp_analysis.cli import main
from gacp_analysis.coding.codebook import load_codebook
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.export.qdpx_import import import_qdc

GROUP = FIXTURES / "refi" / "groupe"
OWN_CODEBOOK = """\
# Grille du groupe R : nos ajouts (commentaire à garder).
version: 1

familles:
  organisation:
    label: "Organisation du service"
    definition: "Ce qui tient à l'organisation."

codes:
  # ajouté en séance 2
  local.planning:
    label: "Planning imposé"
    famille: travail
    definition: "Le planning change sans concertation."
  organisation.relais:
    label: "Relais entre équipes"
    famille: organisation
    definition: "Transmissions."
    inclusion: "« on se passe le relais »"
    exclusion: "Les consignes écrites."
"""


def group(tmp_path, name, codebook: str | None = None, *, imported=True):
    folder = copy_group(GROUP, tmp_path / name)
    if codebook is not None:
        (folder / "codebook.yaml").write_text(codebook, encoding="utf-8")
    if imported:
        import_group(folder)
    return folder


def exchanged(folder):
    """What a QDC carries of a codebook: every active code and family, as compared."""
    cb = load_codebook(folder)
    codes = sorted((c.id, c.label, c.family, c.definition, c.inclusion, c.exclusion)
                   for c in cb.codes if c.active)
    families = sorted((f, str(i.get("label")), str(i.get("definition") or ""))
                      for f, i in cb.families.items())
    return codes, families


def test_qdc_round_trip_gives_the_same_codebook(tmp_path):
    source = group(tmp_path, "source", OWN_CODEBOOK)
    target = group(tmp_path, "cible", imported=False)
    qdc = tmp_path / "grille.qdc"
    assert main(["export", str(source), "--format", "qdc", "--sortie", str(qdc)]) == 0
    report = import_qdc(qdc, target)
    assert report.added == [("local.planning", "Planning imposé"),
                            ("organisation.relais", "Relais entre équipes")]
    assert report.families == ["organisation"]
    assert exchanged(target) == exchanged(source)
    assert len(exchanged(source)[0]) == 20  # the 18 default codes and the group's 2
    # and again: nothing new, the file unchanged
    before = (target / "codebook.yaml").read_bytes()
    assert import_qdc(qdc, target).added == []
    assert (target / "codebook.yaml").read_bytes() == before


def test_qdc_import_keeps_the_file_as_written(tmp_path):
    target = group(tmp_path, "cible", OWN_CODEBOOK, imported=False)
    qdc = tmp_path / "autre.qdc"
    qdc.write_text("""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 23">
  <Codes>
    <Code guid="{0A0B0C0D-1111-4222-8333-444455556666}" name="Organisation du service" isCodable="false">
      <Code guid="{0A0B0C0D-1111-4222-8333-444455556667}" name="Horaires" isCodable="true">
        <Description>Amplitude, coupures, nuits.</Description>
      </Code>
    </Code>
    <Code guid="{0A0B0C0D-1111-4222-8333-444455556668}" name="Planning imposé" isCodable="true"/>
    <Code guid="{0A0B0C0D-1111-4222-8333-444455556669}" name="Reconnaissance" isCodable="true"/>
  </Codes>
</CodeBook>
""", encoding="utf-8")
    report = import_qdc(qdc, target)
    assert report.added == [("organisation.horaires", "Horaires"),
                            ("local.reconnaissance", "Reconnaissance")]
    stamp = (f"  # Codes importés de autre.qdc (ATLAS.ti 23) le {date.today().isoformat()} par "
             "« gacp import-qdc ».\n")
    assert (target / "codebook.yaml").read_text(encoding="utf-8") == OWN_CODEBOOK + stamp + """\
  organisation.horaires:
    label: "Horaires"
    famille: organisation
    definition: "Amplitude, coupures, nuits."
  local.reconnaissance:
    label: "Reconnaissance"
    famille: local.reconnaissance
"""
    cb = load_codebook(target)
    assert cb.get("organisation.horaires").family == "organisation"
    assert cb.get("local.planning").definition == "Le planning change sans concertation."


def test_cli_verbs(tmp_path, capsys):
    folder = group(tmp_path, "g")
    for fmt, expected in (
            ("qdpx", "Export qdpx écrit : {path} (2 séance(s), 0 codage(s) en vigueur, 0 mémo(s), "
                     "pseudonymes seulement, vérifié sans nom réel).\n"),
            ("qdc", "Grille de codage REFI-QDA écrite : {path}\n"),
            ("csv", "Export csv écrit : {path} (2 séance(s), 0 codage(s) en vigueur, "
                    "pseudonymes seulement, vérifié sans nom réel).\n"),
            ("xlsx", "Export xlsx écrit : {path} (2 séance(s), 0 codage(s) en vigueur, "
                     "pseudonymes seulement, vérifié sans nom réel).\n")):
        assert main(["export", str(folder), "--format", fmt]) == 0
        path = folder / "exports" / f"groupe-r.{fmt}"  # the group's pseudonym, never its name
        assert capsys.readouterr().out == expected.format(path=path)
        assert path.is_file()
    with zipfile.ZipFile(folder / "exports" / "groupe-r.qdpx") as archive:
        assert archive.namelist()[0] == "project.qde"

    target = group(tmp_path, "cible")
    assert main(["import-qdpx", str(folder / "exports" / "groupe-r.qdpx"), str(target)]) == 0
    assert capsys.readouterr().out == (
        f"Import de {folder / 'exports' / 'groupe-r.qdpx'} dans « Groupe R » : 0 codage(s) "
        "ajouté(s) ou confirmé(s) sur 2 source(s), 0 mémo(s) ajouté(s).\n")
    assert main(["import-qdc", str(folder / "exports" / "groupe-r.qdc"), str(target)]) == 0
    assert capsys.readouterr().out == (
        f"Aucun code nouveau : les 23 code(s) de {folder / 'exports' / 'groupe-r.qdc'} sont déjà "
        "dans la grille du groupe.\n")

    # errors: numbered, in French, on stderr; usage errors exit 2
    fresh = group(tmp_path, "vide", imported=False)
    assert main(["export", str(fresh), "--format", "qdpx"]) == 1
    assert capsys.readouterr().err == (
        f"gacp : erreur : E132 {fresh} : aucune séance importée. Lancez d'abord "
        f"« gacp import {fresh} ».\n")
    assert not (fresh / "exports").exists()
    text = tmp_path / "grille.txt"
    text.write_text("recit\n", encoding="utf-8")
    assert main(["import-qdc", str(text), str(target)]) == 1
    assert capsys.readouterr().err == (
        f"gacp : erreur : E613 {text} : extension « .txt » inconnue. Importez une grille .qdc ou "
        "la grille d'un projet .qdpx.\n")
    with pytest.raises(SystemExit) as exc:
        main(["export", str(folder), "--format", "pdf"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "E010" in err and "pdf" in err


# -- Taguette 1.5: it imports codebooks as CSV only, and exports QDC --------------------------

def taguette_rules(data: bytes) -> list[tuple[str, str]]:
    """The file read as Taguette 1.5.2 reads a codebook (taguette/import_codebook.py:
    comma-separated, a header with exactly one of tag/name/path, an optional description,
    no empty tag); (tag, description) rows."""
    import csv

    rows = list(csv.reader(data.decode("utf-8").splitlines(keepends=True)))
    header = [c.lower() for c in rows[0]]
    assert sum(k in header for k in ("tag", "name", "path")) == 1
    col, desc = header.index("tag"), header.index("description")
    out = [(r[col].strip(), r[desc].strip()) for r in rows[1:] if any(r)]
    assert all(tag for tag, _ in out)
    return out


def test_taguette_codebook_csv(tmp_path, capsys):
    folder = group(tmp_path, "g", OWN_CODEBOOK)
    assert main(["export", str(folder), "--format", "taguette"]) == 0
    path = folder / "exports" / "groupe-r-grille-taguette.csv"
    assert capsys.readouterr().out == (
        f"Grille de codage pour Taguette écrite : {path} (dans Taguette : « Import a codebook » "
        "du projet).\n")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data.replace(b"\r\n", b"")
    rows = taguette_rules(data)
    # the 18 codable default codes and the group's 2; no family (Taguette's tags are flat)
    assert len(rows) == 20 and len({t for t, _ in rows}) == 20
    assert "Récit de situation" not in {t for t, _ in rows}
    assert ("Relais entre équipes", "Transmissions.\nInclusion : « on se passe le relais »\n"
            "Exclusion : Les consignes écrites.") in rows
    assert ("Planning imposé", "Le planning change sans concertation.") in rows


TAGUETTE = "taguette==1.5.2"
LIST_TAGS = ("import json, sys\nfrom taguette.import_codebook import list_tags\n"
             "with open(sys.argv[1], 'rb') as f:\n    print(json.dumps(list_tags(f)))")


def test_taguette_reads_our_codebook_with_its_own_code(tmp_path):
    """Taguette's own reader (``taguette.import_codebook.list_tags``) reads our CSV codebook.

    Taguette is not a dependency (its pins, SQLAlchemy 1.4 and Jinja2 3.1, would constrain
    the whole toolkit): it is installed from the package index into a venv of its own."""
    folder = group(tmp_path, "g", OWN_CODEBOOK)
    path = tmp_path / "grille.csv"
    main(["export", str(folder), "--format", "taguette", "--sortie", str(path)])
    venv = tmp_path / "venv-taguette"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    TAGUETTE], check=True)
    out = subprocess.run([str(python), "-c", LIST_TAGS, str(path)], check=True,
                         capture_output=True, text=True).stdout
    tags = json.loads(out)
    assert [(t["path"], t["description"]) for t in tags] == taguette_rules(path.read_bytes())
    assert len(tags) == 20


def test_a_codebook_exported_by_taguette_imports(tmp_path):
    """tests/fixtures/qdpx/taguette-1.5.2.qdc was written by Taguette 1.5.2's own
    ``taguette.export.codebook_xml`` (tags « fatigue », « Planning imposé », « Situation
    vécue »: a project that imported our codebook and added a tag): flat codes, upper-case
    GUIDs and an empty ``<Sets/>`` the schema forbids."""
    target = group(tmp_path, "cible", OWN_CODEBOOK, imported=False)
    report = import_qdc(FIXTURES / "qdpx" / "taguette-1.5.2.qdc", target)
    assert report.added == [("local.fatigue", "fatigue")]
    assert report.known == 2  # « Situation vécue » (default) and « Planning imposé » (the group's)
    cb = load_codebook(target)
    assert cb.get("local.fatigue").label == "fatigue"
