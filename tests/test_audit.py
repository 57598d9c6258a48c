"""`gacp audit`: real names found in text, metadata and images of any file."""
from __future__ import annotations

import base64
import io
import zipfile

import pytest
from conftest import FIXTURES
from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

from gacp_analysis.cli import main
from gacp_analysis.corpus.group import load_group
from gacp_analysis.export.audit import audit_file, audit_paths, png_texts
from gacp_analysis.privacy import group_secrets

GROUP = FIXTURES / "bilan"


@pytest.fixture(scope="module")
def secrets():
    return group_secrets(load_group(GROUP))


def png_bytes(**text: str) -> bytes:
    """A 4×4 PNG with text chunks (tEXt, and compressed iTXt for keys starting with z)."""
    info = PngInfo()
    for key, value in text.items():
        if key.startswith("z"):
            info.add_itxt(key, value, zip=True)
        else:
            info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def leaks_of(path, secrets):
    return [(leak.where, leak.secret) for leak in audit_file(path, secrets)]


def test_clean_text_file(tmp_path, secrets):
    path = tmp_path / "propre.txt"
    path.write_text("Oscar et Rita parlent de la [structure] et de [nom masqué].", encoding="utf-8")
    assert audit_file(path, secrets) == []


def test_text_in_any_encoding(tmp_path, secrets):
    path = tmp_path / "notes.txt"
    path.write_bytes("Réunion avec Gisèle".encode("cp1252"))
    assert leaks_of(path, secrets) == [("notes.txt", "Gisèle")]


def test_invisible_characters_do_not_hide_a_name(tmp_path, secrets):
    path = tmp_path / "cache.txt"
    path.write_text("Gi\u00adgi et Mar\u200bcel", encoding="utf-8")  # soft hyphen, zero width
    assert [secret for _, secret in leaks_of(path, secrets)] == ["Gigi", "Marcel"]


def test_docx_core_properties(tmp_path, secrets):
    doc = new_docx()
    doc.add_paragraph("Un texte propre sur Oscar.")
    doc.core_properties.author = "Paule Vernet"
    path = tmp_path / "auteur.docx"
    doc.save(str(path))
    assert leaks_of(path, secrets) == [("docProps/core.xml", "Paule"),
                                       ("docProps/core.xml", "Paule Vernet")]


def test_docx_name_split_across_runs(tmp_path, secrets):
    doc = new_docx()
    paragraph = doc.add_paragraph("Bonjour ")
    paragraph.add_run("Mar").bold = True
    paragraph.add_run("cel, ça va ?")
    doc.core_properties.author = "gacp-analysis"
    path = tmp_path / "runs.docx"
    doc.save(str(path))
    assert leaks_of(path, secrets) == [("word/document.xml", "Marcel")]


def test_docx_embedded_image_metadata(tmp_path, secrets):
    image = tmp_path / "figure.png"
    image.write_bytes(png_bytes(Author="Lulu"))
    doc = new_docx()
    doc.add_picture(str(image))
    doc.core_properties.author = "gacp-analysis"
    path = tmp_path / "image.docx"
    doc.save(str(path))
    assert leaks_of(path, secrets) == [("word/media/image1.png", "Lulu")]


def test_odt_meta_xml(tmp_path, secrets):
    path = tmp_path / "bilan.odt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office='
                   '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body>Oscar'
                   '</office:body></office:document-content>')
        z.writestr("meta.xml", '<?xml version="1.0"?><office:document-meta xmlns:office="urn:'
                   'oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:'
                   'opendocument:xmlns:meta:1.0"><office:meta><meta:initial-creator>Lucien K.'
                   '</meta:initial-creator></office:meta></office:document-meta>')
    assert leaks_of(path, secrets) == [("meta.xml", "Lucien"), ("meta.xml", "Lucien K.")]


def test_pdf_page_text(tmp_path, secrets):
    path = tmp_path / "texte.pdf"
    path.write_bytes(pdf_with_text("Compte rendu pour M. Fontaine"))
    assert leaks_of(path, secrets) == [("page 1", "M. Fontaine")]


def test_pdf_information_dictionary(tmp_path, secrets):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_metadata({"/Author": "Gigi", "/Title": "Bilan"})
    path = tmp_path / "meta.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    assert leaks_of(path, secrets) == [("métadonnées du PDF", "Gigi")]


def test_png_text_chunks_plain_and_compressed(tmp_path, secrets):
    path = tmp_path / "figure.png"
    path.write_bytes(png_bytes(Title="Figure 1", zComment="dessinée par Marcel"))
    assert leaks_of(path, secrets) == [("figure.png", "Marcel")]
    assert png_texts(png_bytes(Software="matplotlib")) == ["Software matplotlib"]


def test_html_attributes_entities_and_embedded_images(tmp_path, secrets):
    image = base64.b64encode(png_bytes(Author="Paule")).decode()
    path = tmp_path / "page.html"
    path.write_text(
        '<!DOCTYPE html><html><body><p>Oscar et Gis&egrave;le</p>'
        '<img alt="photo de Valmorin" src="data:image/png;base64,' + image + '"></body></html>',
        encoding="utf-8")
    found = leaks_of(path, secrets)
    assert ("texte de la page", "Gisèle") in found
    assert ("attributs affichés (alt, title…)", "Valmorin") in found
    assert ("image intégrée n° 1", "Paule") in found


def test_unreadable_and_missing_files_fail(tmp_path, secrets):
    broken = tmp_path / "casse.docx"
    broken.write_bytes(b"PK\x03\x04 pas une archive")
    report = audit_paths([broken, tmp_path / "absent.pdf"], secrets)
    assert not report.ok
    assert [p.name for p, _ in report.unreadable] == ["casse.docx"]
    assert [p.name for p in report.missing] == ["absent.pdf"]
    messages = report.messages()
    assert messages[0].startswith(f"E406 {broken} : fichier illisible (archive ZIP invalide")
    assert messages[1].startswith(f"E405 {tmp_path / 'absent.pdf'} : fichier introuvable.")


def test_cli_audit_exit_codes(tmp_path, capsys):
    clean = tmp_path / "propre.txt"
    clean.write_text("Oscar et Victor.", encoding="utf-8")
    leaky = tmp_path / "fuite.txt"
    leaky.write_text("Oscar et Marcel.", encoding="utf-8")
    assert main(["audit", str(GROUP), str(clean)]) == 0
    out = capsys.readouterr().out
    assert f"ok : {clean}" in out
    assert "Aucun nom réel trouvé dans 1 fichier(s)." in out
    assert main(["audit", str(GROUP), str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert (f"gacp : fuite : E404 {leaky} : noms réels trouvés : « Marcel » (fuite.txt : "
            "« Oscar et Marcel. »)") in captured.err
    assert f"ok : {clean}" in captured.out
    assert "1 fichier(s) à ne pas diffuser." in captured.err


# -- what a reader reads, not markup: a group with short, compound and common-word names -------

ALIAS = FIXTURES / "alias"


@pytest.fixture(scope="module")
def alias_secrets():
    return group_secrets(load_group(ALIAS))


def test_alias_group_secrets(alias_secrets):
    assert alias_secrets == ["Martine", "Martine S.", "Jean-Pierre", "JP", "Jean-Pierre Lebrun",
                             "Florence", "Flo", "Claire", "Claire B.", "Hélène", "Mme N'Diaye",
                             "Association Domicile Plus"]


def _docx_with(tmp_path, name, *, body="C'est clair, une idée claire : Yvon et Zoé.",
               header=None, alt=None):
    doc = new_docx()
    paragraph = doc.add_paragraph(body)
    # Markup that reads like the names: a Japanese language tag, a style called « JP Titre ».
    rpr = paragraph.runs[0]._r.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ja-JP")
    lang.set(qn("w:eastAsia"), "ja-JP")
    rpr.append(lang)
    doc.styles.add_style("JP Titre", WD_STYLE_TYPE.PARAGRAPH)
    doc.add_paragraph("Titre", style="JP Titre")
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    if alt is not None:
        image = tmp_path / "carre.png"
        image.write_bytes(png_bytes())
        doc.add_picture(str(image))
        doc.inline_shapes[0]._inline.docPr.set("descr", alt)
    path = tmp_path / name
    doc.save(str(path))
    return path


def test_docx_markup_is_not_read(tmp_path, alias_secrets):
    path = _docx_with(tmp_path, "propre.docx")
    assert b"ja-JP" in zipfile.ZipFile(path).read("word/document.xml")
    assert leaks_of(path, alias_secrets) == []


def test_docx_header_and_alt_text_are_read(tmp_path, alias_secrets):
    path = _docx_with(tmp_path, "entete.docx", header="Compte rendu de Jean-Pierre")
    assert leaks_of(path, alias_secrets) == [("word/header1.xml", "Jean-Pierre")]
    path = _docx_with(tmp_path, "image.docx", alt="Flo devant la porte")
    assert leaks_of(path, alias_secrets) == [("word/document.xml", "Flo")]


@pytest.mark.parametrize("text, found", [
    ("C'est clair, la situation n'était pas claire, c'est CLAIR.", []),
    ("Claire a raconté la porte fermée.", ["Claire"]),
    ("CLAIRE a raconté la porte fermée.", ["Claire"]),
    ("Le jpeg, jp-icon et ja-JP ne sont pas JP.", ["JP"]),
    ("Le jpeg, jp-icon et ja-JP, jp ne sont pas des noms.", []),
    ("Elle l’a dit à Flo. Le flot, la flore.", ["Flo"]),
    ("la tournée d’Hélène", ["Hélène"]),
    ("la tournee d'Helene", ["Hélène"]),
    ("l’équipe de Jean\u2011Pierre", ["Jean-Pierre"]),
    ("l’équipe de Jean Pierre", ["Jean-Pierre"]),
    ("chez Mme\u00a0N’Diaye", ["Mme N'Diaye"]),
])
def test_text_names_by_how_they_are_written(tmp_path, alias_secrets, text, found):
    path = tmp_path / "texte.txt"
    path.write_text(text, encoding="utf-8")
    assert [secret for _, secret in leaks_of(path, alias_secrets)] == found


def test_pdf_title_is_read_page_words_are_not_names(tmp_path, alias_secrets):
    source = tmp_path / "clair.pdf"
    source.write_bytes(pdf_with_text("C'est clair, une idee claire."))
    assert leaks_of(source, alias_secrets) == []
    writer = PdfWriter(clone_from=str(source))
    writer.add_metadata({"/Title": "Bilan de Claire"})
    path = tmp_path / "titre.pdf"
    writer.write(str(path))
    assert leaks_of(path, alias_secrets) == [("métadonnées du PDF", "Claire")]


def test_jpeg_exif_is_read(tmp_path, alias_secrets):
    image = Image.new("RGB", (4, 4), "white")
    exif = Image.Exif()
    exif[0x013B] = "Florence"  # Artist
    path = tmp_path / "photo.jpg"
    image.save(path, "JPEG", exif=exif)
    assert leaks_of(path, alias_secrets) == [("photo.jpg", "Florence")]
    image.save(path, "JPEG")
    assert leaks_of(path, alias_secrets) == []


JUPYTER_LIKE = (
    '<!DOCTYPE html><html lang="ja-JP"><head><meta charset="utf-8">'
    '<meta name="description" content="{meta}"><title>Bilan</title>'
    '<style>.jp-icon {{ color: red }} .jp-Cell {{ margin: 0 }}</style>'
    '<script>var JP = "Claire";</script></head><body class="jp-Notebook">'
    '<svg class="jp-icon3"><path d="M0 0"/></svg>'
    '<div class="jp-Cell jp-mod-noInput" data-jp-theme-name="JP"><p>C\'est clair, Yvon.</p>'
    '<img src="x.png" alt="{alt}" class="jp-img"></div></body></html>')


def test_html_markup_is_not_read_shown_attributes_are(tmp_path, alias_secrets):
    path = tmp_path / "page.html"
    path.write_text(JUPYTER_LIKE.format(meta="bilan", alt="la porte"), encoding="utf-8")
    assert leaks_of(path, alias_secrets) == []
    path.write_text(JUPYTER_LIKE.format(meta="bilan", alt="JP devant la porte"),
                    encoding="utf-8")
    assert leaks_of(path, alias_secrets) == [("attributs affichés (alt, title…)", "JP")]
    path.write_text(JUPYTER_LIKE.format(meta="notes de Martine", alt="la porte"),
                    encoding="utf-8")
    assert leaks_of(path, alias_secrets) == [("métadonnées de la page", "Martine")]


def test_html_name_split_across_inline_tags(tmp_path, alias_secrets):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>Flo<b>rence</b> est venue</p><td>JP</td><td>12</td>"
                    "</body></html>", encoding="utf-8")
    assert leaks_of(path, alias_secrets) == [("texte de la page", "JP"),
                                             ("texte de la page", "Florence")]
