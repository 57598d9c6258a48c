"""The bilan as one light HTML page: the same document as the DOCX, readable alone, printable.

:func:`render_html` writes a :class:`~.content.Document` as a single static
page: a short stylesheet of its own (A4 print rules, the draft mark on every
printed page, tables that wrap their text), the figures inside the page as
PNG data, no script, no font, no icon, nothing fetched when it is opened.
:func:`write_html` then passes the page through :func:`sanitise_html`, the
same barrier every HTML leaving the group folder goes through.

:func:`sanitise_html` works on the parsed page (BeautifulSoup), not on its
markup: the text of each block (paragraph, cell, item) is masked as a whole
(:class:`~gacp_analysis.privacy.Masker`), so a name or an excerpt split across
inline tags (« Na<b>dia</b> ») cannot slip through, and so are the attributes
a reader sees (``alt``, ``title``...) and the page's title and ``<meta>``
contents; scripts go; any excerpt of a person who may not be quoted is
replaced by :data:`REMOVED`. It also serves :func:`notebook_html`, the
facilitator's bilan notebook executed for the group and exported with
nbconvert's ``basic`` template (no JupyterLab stylesheet or icons): a
notebook may display more than the bilan may cite, so the rule is enforced
on what leaves, whatever the notebook shows.
"""
from __future__ import annotations

import base64
import html as html_lib
import os
import subprocess
import tempfile
from pathlib import Path

from ..corpus.group import Group
from ..errors import E, GacpError
from ..privacy import Masker, quotable_pseudonyms
from ..store import open_store
from .audit import HTML_BLOCKS, SHOWN_HTML_ATTRIBUTES
from .content import Bullets, Document, Figure, Paragraph, Quote, Section, Table
from .docx_writer import DRAFT_MARK

NOTEBOOK = "04_preparation_du_bilan.ipynb"
PARAMETER = "dossier"  # the notebook's parameter holding the group folder
FIGURES_PARAMETER = "dossier_figures"  # where it writes its figures
KERNEL = "python3"
TIMEOUT_S = 900
REMOVED = "[extrait retiré : pas d'accord pour être cité]"
MIN_REMOVED_WORDS = 6  # shorter segments (« Bon, d'accord. ») are common phrases, not quotes
MIN_TRUNCATED_CHARS = 20
PALETTE_COLOURS = 256

STYLE = """
:root { --accent: #0b4f8a; --draft: #c00000; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; }
body { max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.9em; color: var(--accent); margin-bottom: .2em; }
h2 { font-size: 1.35em; color: var(--accent); border-bottom: 1px solid #ccc; margin-top: 2em;
     break-after: avoid; }
h3 { font-size: 1.1em; color: var(--accent); break-after: avoid; }
.sous-titre { font-size: 1.2em; color: #444; margin-top: 0; }
.brouillon { color: var(--draft); font-weight: bold; text-align: center; }
.statut { font-weight: bold; margin: 1.5em 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .2em; font-size: .9em;
        break-inside: auto; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #bbb; padding: .2em .4em; text-align: left; vertical-align: top;
         overflow-wrap: break-word; hyphens: auto; }
thead th { background: #e8eef5; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.couverture th { width: 9em; background: none; }
.note { font-style: italic; font-size: .9em; margin-top: .2em; }
figure { margin: 1em 0; text-align: center; break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-weight: bold; font-size: .9em; }
blockquote { margin: 1em 2em; font-style: italic; break-inside: avoid; }
blockquote footer { text-align: right; font-size: .9em; }
nav ol { padding-left: 1.5em; }
@page { size: A4; margin: 2.2cm;
        @bottom-center { content: "Page " counter(page) " sur " counter(pages); font-size: 9pt; } }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; margin: 0; padding: 0; }
  table { font-size: 8.5pt; }
  figure img { max-height: 12cm; width: auto; }
  nav { break-after: page; }
  .couverture-bloc { break-after: page; }
  .marque { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""
# The draft mark on every printed page, in the page's top margin.
DRAFT_PAGE_RULE = ("@page { @top-center { content: \"%s\"; color: #c00000; font-weight: bold; "
                   "font-size: 9pt; } }")


def notebook_path() -> Path:
    """Where the bilan notebook is (``notebooks/`` next to the package)."""
    return Path(__file__).resolve().parents[2] / "notebooks" / NOTEBOOK


# -- the page, from the document ------------------------------------------------------------

def _e(text: str) -> str:
    return html_lib.escape(text, quote=True)


class _Counter:
    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0


def _table(block: Table, counter: _Counter) -> str:
    counter.tables += 1
    caption = f"<caption>Tableau {counter.tables} – {_e(block.caption)}</caption>"
    if not block.rows:
        return f"<table>{caption}<tbody><tr><td>(aucune donnée)</td></tr></tbody></table>"
    head = "".join(f"<th scope=\"col\">{_e(h)}</th>" for h in block.header)
    rows = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in block.rows)
    note = f'<p class="note">{_e(block.note)}</p>' if block.note else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}"


def web_png(path: Path) -> bytes:
    """A figure as a 256-colour PNG: plots in a few flat colours lose nothing visible and
    weigh about a quarter; no metadata chunk is carried over."""
    import io

    from PIL import Image

    with Image.open(path) as image:
        flat = image.convert("RGB").quantize(colors=PALETTE_COLOURS,
                                             method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    flat.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _figure(block: Figure, counter: _Counter) -> str:
    counter.figures += 1
    data = base64.b64encode(web_png(Path(block.path))).decode("ascii")
    note = f'<p class="note">{_e(block.note)}</p>' if block.note else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(block.caption)}">'
            f"<figcaption>Figure {counter.figures} – {_e(block.caption)}</figcaption></figure>"
            f"{note}")


def _block(block, counter: _Counter) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block, counter)
    if isinstance(block, Figure):
        return _figure(block, counter)
    if isinstance(block, Quote):
        return (f"<blockquote><p>« {_e(block.text)} »</p>"
                f"<footer>— {_e(block.source)}</footer></blockquote>")
    raise TypeError(f"bloc inconnu : {type(block).__name__}")


def _section(section: Section, anchor: str, counter: _Counter, *, level: int = 2) -> str:
    parts = [f'<section id="{anchor}"><h{level}>{_e(section.title)}</h{level}>']
    parts += [_block(b, counter) for b in section.blocks]
    parts += [_section(sub, f"{anchor}-{i}", counter, level=min(level + 1, 6))
              for i, sub in enumerate(section.subsections, 1)]
    parts.append("</section>")
    return "".join(parts)


def render_html(document: Document) -> str:
    """The document as one static HTML page (French, A4 when printed)."""
    counter = _Counter()
    mark = (f'<p class="brouillon marque">{_e(DRAFT_MARK)}</p>' if document.draft else "")
    draft_rule = DRAFT_PAGE_RULE % DRAFT_MARK if document.draft else ""
    cover_rows = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>'
                         for k, v in document.cover)
    status = f'<p class="statut{" brouillon" if document.draft else ""}">' \
             f"{_e(document.status_line)}</p>"
    everything = [*document.sections, *document.appendices]
    anchors = [f"partie-{i}" for i in range(1, len(everything) + 1)]
    toc = "".join(
        f'<li><a href="#{a}">{_e(s.title)}</a></li>' for a, s in zip(anchors, everything))
    body = "".join(_section(s, a, counter) for s, a in zip(everything, anchors))
    keywords = ", ".join(document.keywords)
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(document.meta_title)}</title>"
        f'<meta name="description" content="{_e(document.subtitle)}">'
        f'<meta name="keywords" content="{_e(keywords)}">'
        '<meta name="generator" content="gacp-analysis">'
        f"<style>{STYLE}{draft_rule}</style></head><body>{mark}"
        f'<header class="couverture-bloc"><h1>{_e(document.title)}</h1>'
        f'<p class="sous-titre">{_e(document.subtitle)}</p>'
        f'<table class="couverture"><tbody>{cover_rows}</tbody></table>{status}</header>'
        f'<nav><h2>Sommaire</h2><ol>{toc}</ol></nav>'
        f"<main>{body}</main></body></html>\n")


# -- the barrier: masking on the parsed page --------------------------------------------------

def unquotable_texts(group: Group, masker: Masker) -> list[str]:
    """Masked texts of the segments that may not be quoted (animation, no consent)."""
    allowed = quotable_pseudonyms(group)
    with open_store(group.folder, create=False) as store:
        rows = store.segment_texts_by_speaker()
    texts = {masker(text) for text, pseudonym in rows
             if pseudonym not in allowed and len(text.split()) >= MIN_REMOVED_WORDS}
    return sorted(texts, key=len, reverse=True)


def sanitise_html(page: str, group: Group, *, ner: bool = True) -> str:
    """Mask names in what a reader of a page sees and remove excerpts that may not be quoted.

    Scripts are removed too: a confidential document makes no network request
    and runs nothing.

    Args:
        ner: also mask the person names the NER model finds in sentences (a notebook's
            output); the bilan document's quotes and memos already went through it, and
            its captions and notes are the toolkit's own words (« Séances » is no one).
    """
    from bs4 import BeautifulSoup, Comment, NavigableString

    masker = Masker(group)
    removed = unquotable_texts(group, masker)
    soup = BeautifulSoup(page, "html.parser")
    for el in soup.find_all(["script", "template"]):
        el.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()

    def clean(text: str) -> str:
        text = masker(text)
        for excerpt in removed:
            if excerpt in text:
                text = text.replace(excerpt, REMOVED)
        return REMOVED if _truncated_unquotable(text, removed) else text

    # Each text node alone, then each block as a whole: a name or an excerpt split across
    # inline tags shows only in the block's text, which then replaces the block's content.
    strings = [s for s in soup.find_all(string=True)
               if isinstance(s, NavigableString) and not isinstance(s, Comment)
               and s.parent is not None and s.parent.name not in ("style", "script")]
    for s in strings:
        if s.strip():
            new = clean(str(s))
            if new != str(s):
                s.replace_with(new)
    long: list = []
    for block in soup.find_all(HTML_BLOCKS):
        if block.name in ("table", "tr", "ul", "ol", "section", "article") or \
                block.find(HTML_BLOCKS):
            continue
        text = block.get_text("")
        new = clean(text)
        if new != text:
            block.clear()
            block.append(new)
            text = new
        if len(text.split()) >= MIN_REMOVED_WORDS:
            long.append(block)
    for el in soup.find_all(attrs={a: True for a in SHOWN_HTML_ATTRIBUTES}):
        for attr in SHOWN_HTML_ATTRIBUTES:
            if el.get(attr):
                el[attr] = masker(str(el[attr]))
    for el in soup.find_all("meta"):
        if el.get("content") and (el.get("name") or el.get("property")):
            el["content"] = masker(str(el["content"]))
    # Sentences (quotes, memos) also get the NER pass; short labels only the known names.
    if not ner:
        return str(soup)
    texts = masker.quotes([b.get_text("") for b in long])
    for block, text in zip(long, texts):
        if text != block.get_text(""):
            block.clear()
            block.append(text)
    return str(soup)


def _truncated_unquotable(text: str, removed: list[str]) -> bool:
    """A table cell pandas cut short (« Moi je serais par... ») of a text that may not be quoted."""
    stripped = text.strip()
    for ellipsis in ("...", "…"):
        if stripped.endswith(ellipsis):
            prefix = stripped[: -len(ellipsis)].rstrip()
            return len(prefix) >= MIN_TRUNCATED_CHARS and any(
                excerpt.startswith(prefix) for excerpt in removed)
    return False


def write_html(document: Document, group: Group, path: Path) -> Path:
    """Write the bilan ``document`` of ``group`` as one light HTML page to ``path``."""
    page = sanitise_html(render_html(document), group, ner=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


# -- the facilitator's notebook, as a light page -------------------------------------------------

def execute_notebook(group: Group, *, notebook: Path | None = None):
    """Run the bilan notebook for a group; return the executed notebook (nbformat node).

    Raises:
        GacpError: E402 when the notebook is missing, E403 when a cell fails.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = Path(notebook or notebook_path())
    if not notebook.is_file():
        raise GacpError(E.E402, path=notebook)
    nb = load_notebook_node(str(notebook))  # papermill's reader: cells get their tags list
    # The kernel must import this very package, installed or not.
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
        "MPLBACKEND": "Agg"}
    # The notebook runs in a scratch folder: whatever it writes (figures) stays out of the
    # repository and out of the group folder; its images travel inside the HTML.
    with tempfile.TemporaryDirectory(prefix="gacp-carnet-") as scratch:
        nb = parameterize_notebook(nb, {PARAMETER: str(Path(group.folder).resolve()),
                                        FIGURES_PARAMETER: str(Path(scratch, "figures"))},
                                   kernel_name=KERNEL, language="python")
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=TIMEOUT_S,
                                resources={"metadata": {"path": scratch}})
        try:
            # The kernel's own chatter (transport warnings) is not for the facilitator's terminal.
            client.execute(env=env, stderr=subprocess.DEVNULL)
        except CellExecutionError as exc:
            problem = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", None) \
                else type(exc).__name__
            raise GacpError(E.E403, path=notebook, problem=problem, folder=group.folder) from exc
    return nb


def notebook_body(nb) -> str:
    """nbconvert's ``basic`` HTML of an executed notebook (no JupyterLab CSS), no code cells."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(nb)
    return body


def notebook_html(group: Group, path: Path, *, notebook: Path | None = None) -> Path:
    """The bilan notebook executed for ``group``, as a light page written to ``path``."""
    body = notebook_body(execute_notebook(group, notebook=notebook))
    page = ('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
            f"<title>Préparation du bilan</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")
    page = sanitise_html(page, group)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
