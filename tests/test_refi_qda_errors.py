"""REFI-QDA import of bad files: a numbered French error naming the file, the element, its
line and the fix; the store and codebook.yaml unchanged (compared whole, before and after)."""
from __future__ import annotations

import zipfile

import pytest

from conftest import FIXTURES
from gacp_analysis.cli import main
from gacp_analysis.errors import GacpError
from gacp_analysis.export.qdpx_import import import_qdc, import_qdpx
from gacp_analysis.store import open_store
from test_refi_qda_import import NVIVO, imported_group, zip_dir

QDE = "Projet Passeurs.qde"
QDE_TEXT = (NVIVO / QDE).read_text(encoding="utf-8")
CODEBOOK = """\
# Grille du groupe R : nos ajouts (commentaire à garder).
version: 1

codes:
  # ajouté en séance 2
  local.planning:
    label: "Planning imposé"
    famille: travail
"""


def line_of(text: str, needle: str) -> int:
    """1-based line where the element holding ``needle`` begins (its « < ») in a .qde."""
    i = text.index(needle)
    return text[:i if needle.startswith("<") else text.rindex("<", 0, i)].count("\n") + 1


@pytest.fixture
def group(tmp_path):
    folder = imported_group(tmp_path)
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return folder


def state(folder):
    with open_store(folder) as store:
        dump = list(store.conn.iterdump())
    return dump, (folder / "codebook.yaml").read_bytes()


def bad_project(tmp_path, old: str, new: str):
    assert QDE_TEXT.count(old) >= 1, old
    qde = QDE_TEXT.replace(old, new, 1)
    return zip_dir(NVIVO, tmp_path / "bad.qdpx", replace={QDE: qde.encode("utf-8")}), qde


def check_refused(capsys, group, path, expected: str):
    """Refused by the function and by the CLI (exit 1, message on stderr), nothing changed."""
    before = state(group)
    with pytest.raises(GacpError) as exc:
        import_qdpx(path, group)
    assert str(exc.value) == expected
    assert main(["import-qdpx", str(path), str(group)]) == 1
    assert capsys.readouterr().err == f"gacp : erreur : {expected}\n"
    assert state(group) == before


def test_not_a_zip(tmp_path, group, capsys):
    path = tmp_path / "projet.qdpx"
    path.write_bytes(b"<?xml version='1.0'?><Project/>")
    check_refused(capsys, group, path, (
        f"E601 {path} : ce n'est pas un projet QDPX lisible (File is not a zip file). Réexportez "
        "le projet depuis votre logiciel au format REFI-QDA (.qdpx, une archive ZIP)."))


def test_truncated_zip(tmp_path, group, capsys):
    whole = zip_dir(NVIVO, tmp_path / "whole.qdpx").read_bytes()
    path = tmp_path / "coupe.qdpx"
    path.write_bytes(whole[: len(whole) // 2])  # a download cut in the middle
    before = state(group)
    with pytest.raises(GacpError) as exc:
        import_qdpx(path, group)
    assert str(exc.value).startswith(f"E601 {path} : ce n'est pas un projet QDPX lisible (")
    assert state(group) == before


def test_corrupt_member(tmp_path, group, capsys):
    """A ZIP whose directory is intact but whose .qde bytes are damaged (bad CRC)."""
    good = zip_dir(NVIVO, tmp_path / "good.qdpx")
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(QDE)
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
    data[offset:offset + 8] = b"\x00" * 8
    path = tmp_path / "abime.qdpx"
    path.write_bytes(bytes(data))
    before = state(group)
    with pytest.raises(GacpError) as exc:
        import_qdpx(path, group)
    assert str(exc.value).startswith(f"E601 {path} : ce n'est pas un projet QDPX lisible (")
    assert state(group) == before


def test_no_qde(tmp_path, group, capsys):
    path = tmp_path / "vide.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Sources/a.txt", "bonjour")
    check_refused(capsys, group, path, (
        f"E602 {path} : aucun fichier .qde dans l'archive (contenu : Sources/a.txt). Un projet "
        "QDPX contient un fichier project.qde et un dossier sources/ : réexportez-le."))


def test_qde_against_the_schema(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, 'startPosition="166"', 'startPosition="cent"')
    line = line_of(qde, 'startPosition="cent"')
    check_refused(capsys, group, path, (
        f"E615 {path} ({QDE}), ligne {line} : l'élément « PlainTextSelection » ne respecte pas "
        "le schéma REFI-QDA (Project-mrt2019.xsd) : Element 'PlainTextSelection', attribute "
        "'startPosition': 'cent' is not a valid value of the atomic type 'xs:integer'. "
        "Réexportez le fichier depuis votre logiciel au format REFI-QDA 1.0 ; s'il a été modifié "
        "à la main, corrigez cette ligne. Rien n'a été importé."))


def test_a_missing_required_element(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, '<CodeRef targetGUID="E5F6A7B8-C9D0-4123-E4F5-A6B7C8D9E0F1"/>',
                            "")
    line = line_of(qde, '<Coding guid="{22222222-AAAA-4BBB-8CCC-DDDDDDDDDDD6}"')
    with pytest.raises(GacpError) as exc:
        import_qdpx(path, group)
    assert exc.value.code == "E615" and f"ligne {line} :" in str(exc.value)
    assert "« Coding »" in str(exc.value) and "Missing child element(s)" in str(exc.value)


def test_malformed_xml(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, "</Notes>", "</Note>")
    with pytest.raises(GacpError) as exc:
        import_qdpx(path, group)
    assert exc.value.code == "E603" and str(exc.value).startswith(f"E603 {path} ({QDE}), ligne ")
    assert "Réexportez le fichier depuis votre logiciel" in str(exc.value)


def test_selection_out_of_range(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, 'startPosition="166" endPosition="199"',
                            'startPosition="166" endPosition="1990"')
    line = line_of(qde, 'endPosition="1990"')
    check_refused(capsys, group, path, (
        f"E610 {path} ({QDE}), ligne {line} : sélection 166-1990 hors du texte de la source "
        "« 2026-01-12_seance-01 » (238 caractères). Réexportez le projet depuis votre logiciel."))


def test_unknown_code_ref(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, '<CodeRef targetGUID="E5F6A7B8-C9D0-4123-E4F5-A6B7C8D9E0F1"/>',
                            '<CodeRef targetGUID="E5F6A7B8-C9D0-4123-E4F5-000000000000"/>')
    line = line_of(qde, "E5F6A7B8-C9D0-4123-E4F5-000000000000")
    check_refused(capsys, group, path, (
        f"E611 {path} ({QDE}), ligne {line} : « CodeRef » désigne l'identifiant "
        "e5f6a7b8-c9d0-4123-e4f5-000000000000, qui ne correspond à aucun code du projet. "
        "Réexportez le projet depuis votre logiciel."))


def test_unknown_note_ref(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, '<NoteRef targetGUID="{33333333-AAAA-4BBB-8CCC-DDDDDDDDDDD1}"/>',
                            '<NoteRef targetGUID="{33333333-AAAA-4BBB-8CCC-DDDDDDDDDDD9}"/>')
    line = line_of(qde, "DDDDDDDDDDD9")
    check_refused(capsys, group, path, (
        f"E611 {path} ({QDE}), ligne {line} : « NoteRef » désigne l'identifiant "
        "33333333-aaaa-4bbb-8ccc-ddddddddddd9, qui ne correspond à aucun mémo (Note) du projet. "
        "Réexportez le projet depuis votre logiciel."))


def test_code_absent_from_the_group_codebook(tmp_path, group, capsys):
    path, qde = bad_project(tmp_path, 'name="Contrainte"', 'name="Pression des familles"')
    line = line_of(qde, 'name="Pression des familles"')
    check_refused(capsys, group, path, (
        f"E609 {path} ({QDE}), ligne {line} : codes absents de la grille du groupe : « Pression "
        f"des familles ». Ajoutez-les d'abord avec « gacp import-qdc {path} {group} », puis "
        f"relancez « gacp import-qdpx {path} {group} »."))
    # the fix the message gives works: the code is added, then the project imports
    assert main(["import-qdc", str(path), str(group)]) == 0
    assert main(["import-qdpx", str(path), str(group)]) == 0
    text = (group / "codebook.yaml").read_text(encoding="utf-8")
    assert text.startswith(CODEBOOK)  # the comments and entries as written


def test_missing_source_text(tmp_path, group, capsys):
    path = tmp_path / "sans-texte.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(QDE, QDE_TEXT)
    line = line_of(QDE_TEXT, '<TextSource guid="8A1F0C3E')
    check_refused(capsys, group, path, (
        f"E606 {path} ({QDE}), ligne {line} : le texte de la source « 2026-01-12_seance-01 » est "
        "introuvable (internal://8A1F0C3E-2B4D-4E6F-9A1B-3C5D7E9F1A2B.txt). Les textes d'un QDPX "
        "sont dans sources/ (ou Sources/) : réexportez le projet avec ses sources."))


def test_missing_file(tmp_path, group, capsys):
    path = tmp_path / "absent.qdpx"
    check_refused(capsys, group, path, (
        f"E600 {path} : fichier introuvable. Indiquez le projet REFI-QDA (.qdpx) ou la grille "
        "(.qdc) exporté par votre logiciel."))


def test_qdc_against_the_schema(tmp_path, group):
    path = tmp_path / "grille.qdc"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="main">\n'
                    '  <Codes>\n'
                    '    <Code name="Sans identifiant" isCodable="true"/>\n'
                    '  </Codes>\n'
                    '</CodeBook>\n', encoding="utf-8")
    before = state(group)
    with pytest.raises(GacpError) as exc:
        import_qdc(path, group)
    assert str(exc.value) == (
        f"E615 {path} (grille.qdc), ligne 4 : l'élément « Code » ne respecte pas le schéma "
        "REFI-QDA (Codebook-mrt2019.xsd) : Element 'Code': The attribute 'guid' is required but "
        "missing. Réexportez le fichier depuis votre logiciel au format REFI-QDA 1.0 ; s'il a été "
        "modifié à la main, corrigez cette ligne. Rien n'a été importé.")
    assert state(group) == before


def test_a_project_of_another_group(tmp_path, group, capsys):
    """Group A's export names its sources « Séance 01 »... with a « séance » variable: the
    numbers exist here, the words do not: of the 51 words (3 letters or more) of its source 1,
    11 are in this group's session 1 (tous, qui, suis, moi, avec, nom, masqué, ambre, basile,
    merci twice), 22 %."""
    from conftest import apply_codings_file, copy_group
    from gacp_analysis.corpus.importer import import_group
    from gacp_analysis.export.refi_qda import export_group

    other = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "a")
    import_group(other)
    apply_codings_file(other, FIXTURES / "synthesis" / "codages_a.tsv")
    path = export_group(other, "qdpx", out=tmp_path / "a.qdpx").path
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    line = line_of(qde, '<TextSource guid="')
    check_refused(capsys, group, path, (
        f"E616 {path} (project.qde), ligne {line} : la source « Séance 01 (2026-01-12) » se dit "
        "séance 1, mais 22 % seulement de ses mots sont dans la séance 1 du groupe "
        f"{group} : ce projet vient sans doute d'un autre groupe. Importez-le dans le dossier "
        "de son groupe ; si c'est bien ce groupe, corrigez le numéro de séance de la source "
        "dans votre logiciel. Rien n'a été importé."))
