"""`gacp audit`: real names found in text, metadata and images of any file."""
from __future__ import annotations

import base64
import io
import zipfile

import pytest
from conftest import FIXTURES
from docx import Document as new_docx
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
    assert ("source de la page", "Valmorin") in found
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
