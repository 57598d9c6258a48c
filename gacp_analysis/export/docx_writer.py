"""Render a :class:`~.content.Document` as DOCX with real Word styles.

Headings use « Heading 1/2 » (so Word and LibreOffice build the navigation
pane and the table of contents from them), tables the « Light Grid Accent 1 »
table style with a repeated header row, captions the « Caption » style with
``SEQ`` fields (« Tableau 1 », « Figure 1 », numbered by Word), the footer a
``PAGE`` / ``NUMPAGES`` field, the contents a ``TOC`` field. A draft carries
« BROUILLON » in the header of every section, so every page shows it, in
Word and in the PDF. Document properties (author, title...) are set to
non-identifying values: python-docx's template would otherwise say who
generated it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .content import Bullets, Document, Figure, Paragraph, Quote, Section, Table

TABLE_STYLE = "Light Grid Accent 1"
FIGURE_WIDTH_CM = 16.0
FIGURE_MAX_HEIGHT_CM = 12.0  # a taller figure leaves half a page empty before it
TEXT_WIDTH_CM = 16.6  # A4 minus 2 × 2.2 cm margins
DRAFT_MARK = "BROUILLON – document de travail, non validé par le groupe"
LANGUAGE = "fr-FR"


def _field(paragraph, instruction: str, cached: str = "") -> None:
    """Append a complex field (``begin / instrText / separate / cached text / end``)."""
    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")  # Word recomputes it on opening
        run._r.append(el)
        return run

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run(cached)
    fld("end")


def _set_language(doc) -> None:
    """French as the proofing language of the default style (hyphenation, spelling)."""
    rpr = doc.styles.element.find(qn("w:docDefaults"))
    rpr = rpr.find(qn("w:rPrDefault")).find(qn("w:rPr")) if rpr is not None else None
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _update_fields_on_open(doc) -> None:
    """Ask Word to refresh fields (table of contents, page numbers) when the file opens."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


def _core_properties(doc, document: Document) -> None:
    props = doc.core_properties
    props.author = "gacp-analysis"
    props.last_modified_by = "gacp-analysis"
    props.title = document.meta_title
    props.subject = document.subtitle
    props.keywords = " ".join(document.keywords)
    props.comments = "Document du collectif de travail : diffusion décidée par le groupe."
    props.category = "brouillon" if document.draft else "validé"
    props.identifier = ""
    props.language = LANGUAGE
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    props.created = now
    props.modified = now
    props.revision = 1


def _header_footer(doc, document: Document) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
        section.top_margin = section.bottom_margin = Cm(2.2)
        section.left_margin = section.right_margin = Cm(2.2)
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if document.draft:
            run = header.add_run(DRAFT_MARK)
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        else:
            header.add_run(document.meta_title).italic = True
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        _field(footer, "PAGE", "1")
        footer.add_run(" sur ")
        _field(footer, "NUMPAGES", "1")


def _cover(doc, document: Document) -> None:
    doc.add_paragraph(document.title, style="Title")
    doc.add_paragraph(document.subtitle, style="Subtitle")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in document.cover:
        cells = table.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = value
    table.autofit = False
    for column, width in zip(table.columns, (Cm(4), Cm(TEXT_WIDTH_CM - 4))):
        column.width = width
        for cell in column.cells:
            cell.width = width
    status = doc.add_paragraph()
    status.paragraph_format.space_before = Pt(18)
    run = status.add_run(document.status_line)
    run.bold = True
    if document.draft:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _toc(doc, document: Document) -> None:
    doc.add_paragraph("Sommaire", style="TOC Heading")
    paragraph = doc.add_paragraph()
    # Cached entries, shown until fields are refreshed (LibreOffice's PDF export keeps them).
    titles = [s.title for s in (*document.sections, *document.appendices)]
    _field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', "")
    # The cached text is placed inside the field: rebuild it as lines.
    runs = paragraph.runs
    cached_run = runs[-2]  # the run between « separate » and « end »
    cached_run.text = ""
    for i, title in enumerate(titles):
        if i:
            cached_run.add_break()
        cached_run.add_text(f"{i + 1}. {title}" if i < len(document.sections) else title)


def _caption(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph(style="Caption")
    # A table's caption sits above it; a figure's below it: never part them from it.
    paragraph.paragraph_format.keep_with_next = label == "Tableau"
    paragraph.add_run(f"{label} ")
    number = sum(1 for _ in doc.element.body.iter(qn("w:instrText"))
                 if (_.text or "").strip().startswith(f"SEQ {label}"))
    _field(paragraph, f"SEQ {label} \\* ARABIC", str(number + 1))
    paragraph.add_run(f" – {text}")


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _table(doc, block: Table) -> None:
    _caption(doc, "Tableau", block.caption)
    if not block.rows:
        doc.add_paragraph("(aucune donnée)")
        return
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = TABLE_STYLE
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header):
        cell.text = text
    _repeat_header(table.rows[0])
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = text
    _column_widths(table, block)
    size = Pt(9) if len(block.header) > 4 or len(block.rows) > 12 else Pt(10)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size
    if block.note:
        note = doc.add_paragraph()
        note.add_run(block.note).italic = True


def _column_widths(table, block: Table) -> None:
    """Share the text width by the columns' longest words and texts (labels need room)."""
    columns = list(zip(block.header, *block.rows))
    weights = []
    for values in columns:
        longest_word = max((len(w) for v in values for w in v.split()), default=1)
        longest_text = max((len(v) for v in values), default=1)
        weights.append(max(longest_word, min(longest_text, 45) * 0.6, 7))
    total = sum(weights)
    table.autofit = False
    for column, weight in zip(table.columns, weights):
        width = Cm(TEXT_WIDTH_CM * weight / total)
        column.width = width
        for cell in column.cells:
            cell.width = width


def _figure(doc, block: Figure) -> None:
    from PIL import Image

    with Image.open(block.path) as image:
        ratio = image.height / image.width
    if FIGURE_WIDTH_CM * ratio > FIGURE_MAX_HEIGHT_CM:
        doc.add_picture(str(block.path), height=Cm(FIGURE_MAX_HEIGHT_CM))
    else:
        doc.add_picture(str(block.path), width=Cm(FIGURE_WIDTH_CM))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    # Alternative text for screen readers: the caption.
    for docpr in picture._p.iter(qn("wp:docPr")):
        docpr.set("descr", block.caption)
        docpr.set("name", f"Figure – {block.caption}")
    _caption(doc, "Figure", block.caption)
    if block.note:
        doc.add_paragraph().add_run(block.note).italic = True


def _quote(doc, block: Quote) -> None:
    doc.add_paragraph(f"« {block.text} »", style="Quote").paragraph_format.keep_with_next = True
    source = doc.add_paragraph()
    source.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    source.add_run(f"— {block.source}").italic = True


def _section(doc, section: Section, *, level: int) -> None:
    doc.add_heading(section.title, level=level)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            doc.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)
        elif isinstance(block, Quote):
            _quote(doc, block)
    for sub in section.subsections:
        _section(doc, sub, level=level + 1)


def write_docx(document: Document, path: Path) -> Path:
    """Write ``document`` to ``path`` (a ``.docx`` file); return the path."""
    doc = new_docx()
    _set_language(doc)
    _update_fields_on_open(doc)
    _core_properties(doc, document)
    _header_footer(doc, document)
    _cover(doc, document)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _toc(doc, document)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for section in document.sections:
        _section(doc, section, level=1)
    # No page break before the appendices: after a short last section it left a page nearly
    # empty; the appendix heading follows on the same page.
    for appendix in document.appendices:
        _section(doc, appendix, level=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
