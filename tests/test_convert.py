"""DOCX -> PDF / ODT through headless LibreOffice, and what happens without it."""
from __future__ import annotations

import zipfile

import pytest
from conftest import FIXTURES, copy_group
from docx import Document as new_docx
from pypdf import PdfReader

from gacp_analysis.errors import GacpError
from gacp_analysis.export.annex import write_bilan
from gacp_analysis.export.convert import convert, find_soffice

needs_soffice = pytest.mark.skipif(find_soffice() is None,
                                   reason="LibreOffice absent (apt-get install libreoffice-writer-nogui)")


@pytest.fixture(scope="module")
def small_docx(tmp_path_factory):
    doc = new_docx()
    doc.add_heading("Titre de section", level=1)
    doc.add_paragraph("Un paragraphe accentué : élaboration, débat, œuvre.")
    path = tmp_path_factory.mktemp("convert") / "essai.docx"
    doc.save(str(path))
    return path


@needs_soffice
def test_pdf_and_odt(small_docx):
    pdf = convert(small_docx, "pdf")
    assert pdf == small_docx.with_suffix(".pdf")
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "Titre de section" in text
    assert "élaboration, débat, œuvre" in text
    odt = convert(small_docx, "odt")
    with zipfile.ZipFile(odt) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "Titre de section" in z.read("content.xml").decode("utf-8")


def test_failing_libreoffice_gives_e401(small_docx, tmp_path):
    with pytest.raises(GacpError) as info:
        convert(small_docx, "pdf", soffice="/bin/false")
    assert info.value.code == "E401"
    assert str(info.value).startswith(f"E401 {small_docx.with_suffix('.pdf')} : la conversion en "
                                      "PDF par LibreOffice a échoué (")


def test_missing_libreoffice_writes_the_other_formats(tmp_path, monkeypatch):
    monkeypatch.setenv("GACP_SOFFICE", "")  # as on a machine without LibreOffice
    folder = copy_group(FIXTURES / "bilan", tmp_path / "groupe")
    report = write_bilan(folder, formats="docx,pdf,odt", code=False)
    assert [p.name for p in report.files] == ["bilan-groupe-t.docx"]
    assert (folder / "bilan" / "bilan-groupe-t.docx").is_file()
    assert not (folder / "bilan" / "bilan-groupe-t.pdf").exists()
    assert [w[:5] for w in report.warnings] == ["W401 ", "W400 "]
    assert report.warnings[1].startswith("W400 LibreOffice est introuvable (commande « soffice ») "
                                         ": ODT, PDF non produit(s)")
    assert report.errors == []
