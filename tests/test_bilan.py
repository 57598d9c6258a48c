"""The bilan annex: content (exact, on a small hand-coded group), DOCX structure, end to end."""
from __future__ import annotations

import dataclasses
import re
import zipfile

import pytest
from conftest import FIXTURES, apply_codings_file, copy_group
from docx import Document as open_docx
from docx.oxml.ns import qn

from gacp_analysis.corpus.group import load_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.errors import GacpError
from gacp_analysis.export.annex import parse_formats
from gacp_analysis.export.bilan import assemble_bilan, french_date, slug
from gacp_analysis.export.content import Bullets, Quote, Table
from gacp_analysis.export.docx_writer import DRAFT_MARK, TABLE_STYLE, write_docx
from gacp_analysis.store import open_store

SMALL = FIXTURES / "bilan"


@pytest.fixture(scope="module")
def small_group(tmp_path_factory):
    """The small group of tests/fixtures/bilan, imported, hand-coded, with two memos."""
    folder = copy_group(SMALL, tmp_path_factory.mktemp("bilan") / "petit")
    import_group(folder)
    apply_codings_file(folder, SMALL / "codages.tsv")
    with open_store(folder) as store:
        store.add_memo("Lucien et Gisèle ont parlé de M. Fontaine avec Jean-Pierre Dupont.",
                       author="Paule", session_number=1, for_bilan=True)
        store.add_memo("Note de travail, pas pour le bilan.", author="Paule", session_number=2)
    return folder


@pytest.fixture(scope="module")
def small_document(small_group):
    return assemble_bilan(load_group(small_group), figures_dir=small_group / "figures")


def section(document, title):
    return next(s for s in document.all_sections() if s.title == title)


def table(document, caption):
    return next(b for b in document.blocks(Table) if b.caption == caption)


def test_cover_names_the_group_masks_the_organisation(small_document):
    assert small_document.cover == (
        ("Groupe", "Agents d'accueil"),
        ("Structure", "[structure] (masquée)"),
        ("Secteur", "fonction publique territoriale"),
        ("Période", "mars - avril 2026"),
        ("Séances", "2 : 3 mars 2026, 7 avril 2026"),
        ("Animation", "Animatrice"),
    )
    assert small_document.draft is False
    assert small_document.status_line == "Validé par le groupe le 20 mai 2026."
    assert small_document.meta_title == "Bilan GACP – Groupe T"


def test_sections_in_reading_order(small_document):
    assert [s.title for s in small_document.sections] == [
        "À qui appartient ce document", "Le dispositif et la participation",
        "Ce que le groupe a travaillé", "Les thèmes au fil des séances",
        "Les arrangements et leurs conséquences",
        "Les rationalités", "Les ressources et les marges de manœuvre",
        "Divergences et lectures communes", "Paroles du groupe", "Notes de l'animation"]
    assert [s.title for s in small_document.appendices] == ["Annexe : grille de codage"]


def test_notice_says_the_collective_owns_the_document(small_document):
    texts = [b.text for b in section(small_document, "À qui appartient ce document").blocks]
    assert "sa diffusion et son utilisation sont décidées par le groupe" in texts[0]
    assert texts[1] == ("Statut : validé par le groupe le 20 mai 2026. Toute diffusion suit ce "
                        "que le groupe a décidé.")


def test_sessions_table_counts_participants_not_the_animation(small_document):
    sessions = table(small_document, "Les séances du groupe")
    # Words by hand: session 1 = 28 (Lucien) + 11 (Gisèle) + 22 (Marcel) + 10 (Lucien).
    # Session 2: 50 words in the transcript, counted on the text as stored (names masked at
    # import): Marcel's « la mairie de Valmorin » is the organisation, « la [structure] », 2 less.
    assert sessions.rows == (
        ("1", "3 mars 2026", "analyse des pratiques", "3", "4", "71"),
        ("2", "7 avril 2026", "analyse des pratiques", "3", "3", "48"),
    )
    roles = table(small_document, "Composition du groupe par métier")
    assert roles.rows == (("agent d'accueil", "2"), ("responsable d'équipe", "1"))


def test_theme_table_counts_segments_per_session(small_document):
    themes = table(small_document, "Segments codés par thème et par séance")
    assert themes.header == ("thème", "S1", "S2")
    assert themes.rows == (
        ("Situation vécue", "1", "1"),
        ("Contrainte", "1", "0"),
        ("Arrangement, adaptation", "2", "1"),
        ("Ressource, marge de manœuvre", "0", "1"),
        ("Effet sur le collectif", "0", "1"),
        ("Effet sur la santé", "1", "0"),
        ("Rationalité axiologique", "0", "1"),
        ("Identité professionnelle", "0", "1"),
        ("Lecture commune", "1", "0"),
        ("Divergence", "0", "1"),
        ("Évocation affectée", "1", "0"),
    )


def test_debate_table_counts_trades_not_people(small_document):
    debate = table(small_document, "Lectures communes et divergences par thème")
    assert debate.header == ("thème", "lecture commune", "divergence", "métiers impliqués",
                             "séances")
    # Rita agrees with Oscar's turn (session 1); Victor disagrees with Oscar's (session 2).
    assert debate.rows == (
        ("Situation vécue", "1", "0", "1", "1"),
        ("Contrainte", "1", "0", "1", "1"),
        ("Ressource, marge de manœuvre", "0", "1", "1", "2"),
        ("Identité professionnelle", "0", "1", "1", "2"),
        ("Évocation affectée", "1", "0", "1", "1"),
    )


def test_quotes_only_from_consenting_participants_masked(small_document):
    quotes = list(small_document.blocks(Quote))
    # One quote per turn, grown to about 25 words with the next sentences of the turn.
    assert [(q.source, q.text) for q in quotes] == [
        ("Oscar, séance 1 (situation vécue)",
         "Moi. Lundi un usager a crié au guichet parce que [nom masqué] avait fermé le service à "
         "midi. Je suis resté seul une heure avec la file d'attente."),
        ("Victor, séance 1 (arrangement, adaptation)",
         "On a une consigne de fermeture mais on ne l'applique pas quand il y a du monde. C'est un "
         "arrangement entre nous."),
        ("Oscar, séance 2 (ressource, marge de manœuvre)",
         "Oui, et Rita m'a appris à dire non calmement, c'est une vraie ressource pour moi."),
        ("Oscar, séance 1 (effet sur la santé)", "Le soir j'avais mal au dos et je dormais mal."),
        ("Victor, séance 2 (rationalité axiologique)",
         "Moi je ne suis pas d'accord, le relais casse la continuité pour les usagers de la "
         "[structure]."),
    ]
    # Rita (no consent) and the animation are coded but never quoted; nor is a coding to review.
    assert {q.speaker for q in quotes} == {"Oscar", "Victor"}


def test_memos_for_the_bilan_only_masked_with_ner(small_document):
    blocks = section(small_document, "Notes de l'animation").blocks
    bullets = [b for b in blocks if isinstance(b, Bullets)]
    assert bullets[0].items == (
        "Séance 1 : Oscar et Rita ont parlé de [nom masqué] avec [nom masqué].",)


def test_codebook_appendix_lists_every_active_code(small_document):
    grid = table(small_document, "Grille de codage")
    assert grid.header == ("famille", "code", "définition")
    assert len(grid.rows) == 18
    assert grid.rows[0][:2] == ("Récit de situation", "Situation vécue")


def test_passage_grows_to_about_25_words_within_the_turn():
    from gacp_analysis.synthesis.excerpts import passage

    turn = [(1, "Un deux trois quatre cinq."), (2, " ".join(["mot"] * 12) + "."),
            (3, " ".join(["fin"] * 10) + "."), (4, " ".join(["trop"] * 40) + ".")]
    text, words = passage(turn, 2)
    # 12 words, then the next sentence (22), not the 40-word one (62 > 60), then the previous.
    assert words == 27
    assert text.startswith("Un deux trois quatre cinq. mot") and text.endswith("fin. (...)")
    assert passage(turn, 3)[1] == 50 and passage(turn, 3)[0].startswith("(...) fin fin")
    assert passage(turn[:1], 1) == ("Un deux trois quatre cinq.", 5)


def test_french_date_and_slug():
    from datetime import date

    assert french_date(date(2026, 3, 1)) == "1er mars 2026"
    assert french_date("2026-09-15") == "15 septembre 2026"
    assert slug("Groupe À 2") == "groupe-a-2"


def test_parse_formats():
    assert parse_formats("pdf, DOCX") == ("docx", "pdf")
    with pytest.raises(GacpError) as info:
        parse_formats("docx,rtf")
    assert info.value.code == "E400"
    assert info.value.exit_code == 2
    assert "« rtf »" in str(info.value)


# -- DOCX ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_docx(small_document, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    final = write_docx(small_document, out / "valide.docx")
    draft = write_docx(dataclasses.replace(small_document, draft=True), out / "brouillon.docx")
    return final, draft


def _instructions(path):
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                      if n.startswith("word/") and n.endswith(".xml"))
    return xml


def test_docx_uses_word_styles(small_docx):
    doc = open_docx(str(small_docx[0]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["À qui appartient ce document", "Le dispositif et la participation",
                            "Ce que le groupe a travaillé", "Les thèmes au fil des séances"]
    assert headings[-1] == "Annexe : grille de codage"
    assert doc.paragraphs[0].style.name == "Title"
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Tableau 1 – Les séances du groupe"
    assert captions[1] == "Tableau 2 – Composition du groupe par métier"
    assert {t.style.name for t in doc.tables[1:]} == {TABLE_STYLE}
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes[1] == ("« On a une consigne de fermeture mais on ne l'applique pas quand il y a "
                         "du monde. C'est un arrangement entre nous. »")


def test_docx_fields_toc_page_numbers_captions(small_docx):
    xml = _instructions(small_docx[0])
    assert ' TOC \\o "1-2" \\h \\z \\u ' in xml
    assert " PAGE " in xml and " NUMPAGES " in xml
    assert xml.count(" SEQ Tableau \\* ARABIC ") == len(
        [p for p in open_docx(str(small_docx[0])).paragraphs if p.text.startswith("Tableau ")])


def test_docx_properties_do_not_identify(small_docx):
    props = open_docx(str(small_docx[0])).core_properties
    assert props.author == "gacp-analysis"
    assert props.last_modified_by == "gacp-analysis"
    assert props.title == "Bilan GACP – Groupe T"
    assert props.category == "validé"


def test_draft_is_marked_in_every_section_header(small_docx):
    final, draft = small_docx
    doc = open_docx(str(draft))
    assert all(DRAFT_MARK in s.header.paragraphs[0].text for s in doc.sections)
    assert open_docx(str(draft)).core_properties.category == "brouillon"
    assert all("BROUILLON" not in s.header.paragraphs[0].text
               for s in open_docx(str(final)).sections)
    body = open_docx(str(draft)).element.body
    assert body.find(qn("w:sectPr")) is not None


def test_cli_bilan_docx_only(small_group, tmp_path, capsys):
    from gacp_analysis.cli import main

    out = tmp_path / "sortie"
    assert main(["bilan", str(small_group), "--formats", "docx", "--out", str(out),
                 "--sans-codage"]) == 0
    printed = capsys.readouterr().out
    assert f"Bilan (validé) écrit dans {out} :\n  {out / 'bilan-groupe-t.docx'}\n" in printed
    assert "5 figure(s)" in printed
    assert "Vérification : aucun nom réel dans les 6 fichier(s) écrits." in printed
    assert sorted(p.name for p in out.iterdir()) == ["bilan-groupe-t.docx", "figures"]


def test_cli_bilan_unknown_format(small_group, capsys):
    from gacp_analysis.cli import main

    assert main(["bilan", str(small_group), "--formats", "docx,rtf"]) == 2
    assert "E400 format « rtf » inconnu dans --formats." in capsys.readouterr().err


def test_leaking_annex_is_deleted(tmp_path):
    """A name the annex cannot mask (here a word of its own title) fails the run, files removed."""
    from gacp_analysis.export.annex import write_bilan

    folder = copy_group(SMALL, tmp_path / "groupe")
    yaml_path = folder / "groupe.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        '  - "Valmorin"\n', '  - "Valmorin"\n  - "accompagnement"\n'), encoding="utf-8")
    with pytest.raises(GacpError) as info:
        write_bilan(folder, formats="docx", code=False)
    assert info.value.code == "E407"
    assert "« accompagnement »" in str(info.value)
    assert not (folder / "bilan" / "bilan-groupe-t.docx").exists()


def test_shown_organisation_on_the_cover(tmp_path):
    folder = copy_group(SMALL, tmp_path / "groupe")
    yaml_path = folder / "groupe.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "afficher_structure: true\n",
                         encoding="utf-8")
    import_group(folder)
    document = assemble_bilan(load_group(folder), figures_dir=tmp_path / "figures")
    assert ("Structure", "Mairie de Valmorin") in document.cover


def test_html_from_a_notebook_no_code_masked_consent_enforced(small_group, tmp_path):
    """Whatever a notebook prints, the HTML shows no code, no name, no unquotable excerpt."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from gacp_analysis.export.html import REMOVED, notebook_html

    nb = new_notebook()
    parameters = new_code_cell('dossier = "ailleurs"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, new_markdown_cell("# Préparation du bilan"),
                new_code_cell("from gacp_analysis.synthesis import load_tables\n"
                              "for text in load_tables(dossier).turns.text:\n    print(text)"),
                new_code_cell("print('Lucien a parlé de M. Fontaine')")]
    notebook = tmp_path / "carnet.ipynb"
    nbformat.write(nb, notebook)
    path = notebook_html(load_group(small_group), tmp_path / "bilan.html", notebook=notebook)
    page = path.read_text(encoding="utf-8")
    assert "load_tables" not in page and "print(" not in page
    # nbconvert's basic template: no JupyterLab stylesheet, icons or scripts.
    assert "--jp-" not in page and "<svg" not in page and "<script" not in page
    assert "Oscar a parlé de [nom masqué]" in page
    assert f"Oscar a tenu bon, franchement. {REMOVED}" in page  # Rita's turn, session 1
    assert "Depuis, avec" not in page and "Moi je serais partie" not in page
    assert "Moi. Lundi un usager a crié au guichet parce que [nom masqué]" in page


def test_html_missing_or_failing_notebook(small_group, tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from gacp_analysis.export.html import notebook_html as write_html

    group = load_group(small_group)
    with pytest.raises(GacpError) as info:
        write_html(group, tmp_path / "a.html", notebook=tmp_path / "absent.ipynb")
    assert str(info.value).startswith(f"E402 {tmp_path / 'absent.ipynb'} : carnet introuvable")
    nb = new_notebook()
    nb.cells = [new_code_cell("raise ValueError('cellule cassée')")]
    nbformat.write(nb, tmp_path / "casse.ipynb")
    with pytest.raises(GacpError) as info:
        write_html(group, tmp_path / "b.html", notebook=tmp_path / "casse.ipynb")
    assert info.value.code == "E403"
    assert "ValueError: cellule cassée" in str(info.value)
    assert not (tmp_path / "b.html").exists()


# -- end to end: the demo group, all formats, built once --------------------------------------

DEMO_SECTIONS = ["À qui appartient ce document", "Le dispositif et la participation",
                 "Ce que le groupe a travaillé", "Les thèmes au fil des séances",
        "Les arrangements et leurs conséquences",
                 "Les rationalités", "Les ressources et les marges de manœuvre",
                 "Divergences et lectures communes", "Paroles du groupe",
                 "Notes de l'animation", "Annexe : grille de codage"]


@pytest.fixture(scope="module")
def demo_bilan(tmp_path_factory):
    """`gacp bilan` on a copy of corpora/demo, in the four formats (the expensive part).

    Built once per run, even when pytest-xdist spreads these tests over several
    workers: they share the run's temporary folder, and a lock makes one build it.
    """
    import fcntl
    import os

    from conftest import DEMO

    from gacp_analysis.cli import main

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by the workers
    folder, built = root / "demo_bilan" / "demo", root / "demo_bilan" / "construit"
    out = folder / "annexe"
    (root / "demo_bilan").mkdir(exist_ok=True)
    with open(root / "demo_bilan" / "verrou", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            copy_group(DEMO, folder)
            assert main(["bilan", str(folder), "--formats", "docx,odt,pdf,html",
                         "--out", str(out)]) == 0
            built.touch()
    return folder, out


def _normal(text: str) -> str:
    return " ".join(text.split())


def _unquotable(folder):
    """Masked texts (8 words or more) of the demo speakers who may not be quoted, but for
    the words a speaker who may be quoted said too (the facilitator repeats « Tout le monde
    fait pareil mais personne le dit. » after Thomas: quoted, they are his)."""
    from gacp_analysis.privacy import Masker, quotable_pseudonyms

    group = load_group(folder)
    masker = Masker(group)
    allowed = quotable_pseudonyms(group)
    with open_store(folder) as store:
        rows = store.execute(
            "SELECT g.text, sp.pseudonym FROM segments g JOIN turns t ON t.id = g.turn_id "
            "JOIN speakers sp ON sp.id = t.speaker_id").fetchall()
    said_by_allowed = {_normal(masker(text)) for text, pseudonym in rows if pseudonym in allowed}
    by_speaker: dict[str, list[str]] = {}
    for text, pseudonym in rows:
        if pseudonym not in allowed and len(text.split()) >= 8:
            masked = _normal(masker(text))
            if masked not in said_by_allowed:
                by_speaker.setdefault(pseudonym, []).append(masked)
    return by_speaker


def _outputs_text(out):
    from pypdf import PdfReader

    docx = open_docx(str(out / "bilan-groupe-a.docx"))
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    texts = {"docx": _normal(" ".join([p.text for p in docx.paragraphs] + cells))}
    texts["pdf"] = _normal(" ".join(p.extract_text() for p in
                                    PdfReader(str(out / "bilan-groupe-a.pdf")).pages))
    import html as html_lib
    import re
    page = (out / "bilan-groupe-a.html").read_text(encoding="utf-8")
    texts["html"] = _normal(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))
    with zipfile.ZipFile(out / "bilan-groupe-a.odt") as z:
        texts["odt"] = _normal(html_lib.unescape(re.sub(r"<[^>]+>", " ", z.read(
            "content.xml").decode("utf-8"))))
    return texts


def test_demo_files_written(demo_bilan):
    _, out = demo_bilan
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert names == ["bilan-groupe-a.docx", "bilan-groupe-a.html", "bilan-groupe-a.odt",
                     "bilan-groupe-a.pdf"]
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["arrangements.png", "divergences_accords.png", "rationalites.png",
                       "themes_seances.png", "trajectoires.png"]


def test_demo_docx_headings_tables_figures(demo_bilan):
    _, out = demo_bilan
    doc = open_docx(str(out / "bilan-groupe-a.docx"))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == DEMO_SECTIONS
    assert len(doc.inline_shapes) == 5
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Figure")] == [
        "Figure 1 – Thèmes abordés séance par séance (segments pour 1 000 mots)",
        "Figure 2 – Trajectoires des familles de thèmes",
        "Figure 3 – Arrangements et conséquences qui leur sont reliées, par séance",
        "Figure 4 – Part de chaque rationalité dans les justifications, par séance",
        "Figure 5 – Divergences et lectures communes, par thème"]
    assert len([c for c in captions if c.startswith("Tableau")]) == len(doc.tables) - 1
    sessions = doc.tables[1]
    assert [c.text for c in sessions.rows[0].cells][:3] == ["séance", "date", "type"]
    with open_store(demo_bilan[0]) as store:
        assert len(sessions.rows) == 1 + store.counts()["sessions"]
    # The demo group has not validated its bilan: every section header says so.
    assert all(DRAFT_MARK in s.header.paragraphs[0].text for s in doc.sections)
    assert len([p for p in doc.paragraphs if p.style.name == "Quote"]) >= 5


ELABORATION_SUBSECTIONS = ["Séance par séance", "Les situations apportées",
                           "Les arrangements et les contraintes qui reviennent",
                           "Les échanges débattus"]


def test_demo_shows_what_the_group_worked_on(demo_bilan):
    _, out = demo_bilan
    doc = open_docx(str(out / "bilan-groupe-a.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    start = headings.index("Ce que le groupe a travaillé")
    assert headings[start + 1:start + 5] == ELABORATION_SUBSECTIONS
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert "Tableau 3 – Les situations apportées, séance par séance" in captions
    assert "Tableau 4 – Contrainte : ce qui revient" in captions
    assert "Tableau 5 – Arrangement, adaptation : ce qui revient" in captions
    assert "Tableau 6 – Les échanges par thème" in captions
    # the demo's best-known arrangement, « regarder par la porte », is one of the groups
    arrangements = doc.tables[5]
    assert [c.text for c in arrangements.rows[0].cells] == [
        "ce qui revient (mots-clés)", "séances", "participants", "phrases", "par exemple"]
    assert any({"porte", "regarder"} <= set(row.cells[0].text.split(", "))
               for row in arrangements.rows[1:])
    # Hortense refused the written bilan: never named; Firmin and Hortense never quoted.
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Hortense" not in " ".join(cells)
    assert "une personne du groupe" in cells


def _page_fill(pdf) -> list[float]:
    """For each page, how far down the body (between header and footer) ink goes, 0 to 1."""
    import subprocess
    import tempfile
    from pathlib import Path

    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
        out = []
        for page in pages:
            ink = np.asarray(Image.open(page)) < 200
            body = ink[int(ink.shape[0] * 0.09):int(ink.shape[0] * 0.92)]
            rows = np.flatnonzero(body.any(axis=1))
            out.append(0.0 if rows.size == 0 else (rows[-1] + 1) / body.shape[0])
    return out


def test_demo_pdf_has_no_near_empty_page_and_no_word_broken_in_tables(demo_bilan):
    from pypdf import PdfReader

    _, out = demo_bilan
    fill = _page_fill(out / "bilan-groupe-a.pdf")
    # The cover and the table of contents stand alone; the last page ends where it ends.
    # Every other page is at least half full (the demo had one at a tenth, before the
    # appendix).
    assert [round(f, 2) for f in fill[2:-1] if f < 0.5] == []
    text = "\n".join(p.extract_text() for p in PdfReader(str(out / "bilan-groupe-a.pdf")).pages)
    doc = open_docx(str(out / "bilan-groupe-a.docx"))
    words = set()
    for t in doc.tables:
        words |= {w for c in t.rows[0].cells for w in c.text.split()}
        words |= {w for row in t.rows[1:] for w in row.cells[0].text.split()}
    # A header word or a first-column word cut over two lines (« séan / ce », « Capucin / e »)
    # reads in the PDF's text as its two pieces on two lines; a cut after a hyphen is fine.
    broken = [f"{w[:i]}|{w[i:]}" for w in words for i in range(2, len(w) - 1)
              if w[i - 1] != "-" and f"{w[:i]}\n{w[i:]}" in text]
    assert len(words) > 100 and broken == []


def test_table_columns_fit_the_page_and_their_longest_word():
    from gacp_analysis.export.docx_writer import TEXT_WIDTH_CM, column_widths_cm, word_width_cm

    block = Table(caption="t", header=("séance", "participants", "extrait"),
                  rows=(("1", "Capucine", "un texte assez long " * 8),))
    widths = column_widths_cm(block)
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 1e-9
    assert widths[0] >= word_width_cm("séance", 10, bold=True) + 0.5
    assert widths[1] >= word_width_cm("participants", 10, bold=True) + 0.5
    assert widths[2] > widths[1] > widths[0]
    # Too many long words for the page: shrunk in proportion, still the page's width.
    wide = Table(caption="t", header=tuple("anticonstitutionnellement" for _ in range(8)),
                 rows=())
    assert abs(sum(column_widths_cm(wide)) - TEXT_WIDTH_CM) < 1e-9


def test_demo_pdf_sections_pages_and_draft_mark(demo_bilan):
    from pypdf import PdfReader

    _, out = demo_bilan
    reader = PdfReader(str(out / "bilan-groupe-a.pdf"))
    assert 10 <= len(reader.pages) <= 40
    pages = [_normal(p.extract_text()) for p in reader.pages]
    assert all("BROUILLON" in page for page in pages)
    assert pages[0].startswith("BROUILLON") and "Bilan de fin d'accompagnement" in pages[0]
    assert f"Page 1 sur {len(pages)}" in pages[0]
    body = " ".join(pages[2:])
    positions = [body.find(title) for title in DEMO_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert reader.metadata.author == "gacp-analysis"
    assert reader.metadata.title == "Bilan GACP – Groupe A"


def test_demo_html_is_the_document_light_and_static(demo_bilan):
    from bs4 import BeautifulSoup

    _, out = demo_bilan
    path = out / "bilan-groupe-a.html"
    page = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    # The same sections as the DOCX, the same five figures inside the page.
    assert [h.get_text() for h in soup.find_all("h2")] == ["Sommaire", *DEMO_SECTIONS]
    assert len(soup.find_all("img", src=re.compile("^data:image/png;base64,"))) == 5
    # Light and static: no notebook interface, nothing fetched or run when it is opened.
    assert "jp-" not in page and "<svg" not in page and "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "@import" not in page
    assert path.stat().st_size < 300_000  # 213 KB for the demo; 865 KB as a notebook
    # Printable: A4 page rules, the draft mark repeated on every printed page.
    assert "@page { size: A4" in page and f"@top-center {{ content: \"{DRAFT_MARK}\"" in page
    assert soup.find("p", class_="marque").get_text() == DRAFT_MARK


def test_demo_outputs_hold_no_real_name(demo_bilan):
    from gacp_analysis.export.audit import audit_paths
    from gacp_analysis.privacy import group_secrets

    folder, out = demo_bilan
    report = audit_paths([out], group_secrets(load_group(folder)))
    assert len(report.checked) == 9
    assert report.ok, report.messages()


def test_demo_participants_without_consent_never_quoted(demo_bilan):
    folder, out = demo_bilan
    unquotable = _unquotable(folder)
    assert {"Firmin", "Hortense", "Animatrice"} <= set(unquotable)
    texts = _outputs_text(out)
    for fmt, text in texts.items():
        for speaker, segments in unquotable.items():
            quoted = [s for s in segments if s in text]
            assert quoted == [], (fmt, speaker, quoted)
    doc = open_docx(str(out / "bilan-groupe-a.docx"))
    sources = [p.text for p in doc.paragraphs if p.text.startswith("— ")]
    assert sources and not any(name in s for s in sources
                               for name in ("Firmin", "Hortense", "Animatrice"))
