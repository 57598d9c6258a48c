"""The bilan as HTML: the facilitator's notebook, executed for the group, without code.

``notebooks/04_preparation_du_bilan.ipynb`` is run headless against the
group (its parameters cell receives the group folder, papermill's
convention), then exported by nbconvert with ``exclude_input=True``: the
reader sees the markdown, tables and figures, never a code cell.

The page then loses its scripts (no request to a CDN when it is opened) and
goes through the same masking as every other output
(:class:`~gacp_analysis.privacy.Masker`, on the text between tags), and any
excerpt of a person who may not be quoted is removed: the notebook is a
working tool that may display more than the bilan may cite, so the rule is
enforced here, on what leaves, whatever the notebook shows.
"""
from __future__ import annotations

import html as html_lib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from ..corpus.group import Group
from ..errors import E, GacpError
from ..privacy import Masker, quotable_pseudonyms
from ..store import open_store

NOTEBOOK = "04_preparation_du_bilan.ipynb"
PARAMETER = "dossier"  # the notebook's parameter holding the group folder
FIGURES_PARAMETER = "dossier_figures"  # where it writes its figures
KERNEL = "python3"
TIMEOUT_S = 900
REMOVED = "[extrait retiré : pas d'accord pour être cité]"
MIN_REMOVED_WORDS = 6  # shorter segments (« Bon, d'accord. ») are common phrases, not quotes
MIN_TRUNCATED_CHARS = 20
_SCRIPT_RE = re.compile(r"(?is)<script\b.*?</script>")
_SPLIT_RE = re.compile(r"(?is)(<script\b.*?</script>|<style\b.*?</style>|<[^>]+>)")


def notebook_path() -> Path:
    """Where the bilan notebook is (``notebooks/`` next to the package)."""
    return Path(__file__).resolve().parents[2] / "notebooks" / NOTEBOOK


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


def render_html(nb) -> str:
    """nbconvert's HTML of an executed notebook, without code cells or prompts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(nb)
    return body


def unquotable_texts(group: Group, masker: Masker) -> list[str]:
    """Masked texts of the segments that may not be quoted (animation, no consent)."""
    allowed = quotable_pseudonyms(group)
    with open_store(group.folder, create=False) as store:
        rows = store.execute(
            "SELECT g.text, sp.pseudonym FROM segments g JOIN turns t ON t.id = g.turn_id "
            "JOIN speakers sp ON sp.id = t.speaker_id").fetchall()
    texts = {masker(r["text"]) for r in rows
             if r["pseudonym"] not in allowed and len(r["text"].split()) >= MIN_REMOVED_WORDS}
    return sorted(texts, key=len, reverse=True)


def sanitise_html(page: str, group: Group) -> str:
    """Mask names in the text of a page and remove excerpts that may not be quoted.

    Scripts are removed too: the annex is a static page, and nbconvert's
    template would load require.js, MathJax and mermaid from a CDN each time
    the page is opened; a confidential document makes no network request.
    """
    masker = Masker(group)
    removed = unquotable_texts(group, masker)
    page = _SCRIPT_RE.sub("", page)
    pieces = _SPLIT_RE.split(page)
    texts: dict[int, str] = {}
    for i in range(0, len(pieces), 2):  # odd pieces are tags, scripts and styles
        if not pieces[i].strip():
            continue
        text = masker(html_lib.unescape(pieces[i]))
        for excerpt in removed:
            if excerpt in text:
                text = text.replace(excerpt, REMOVED)
        texts[i] = REMOVED if _truncated_unquotable(text, removed) else text
    # Sentences (quotes, memos) also get the NER pass; short labels only the known names.
    long = [i for i, text in texts.items() if len(text.split()) >= MIN_REMOVED_WORDS]
    texts.update(zip(long, masker.quotes([texts[i] for i in long])))
    for i, text in texts.items():
        pieces[i] = html_lib.escape(text, quote=False)
    return "".join(pieces)


def _truncated_unquotable(text: str, removed: list[str]) -> bool:
    """A table cell pandas cut short (« Moi je serais par... ») of a text that may not be quoted."""
    stripped = text.strip()
    for ellipsis in ("...", "…"):
        if stripped.endswith(ellipsis):
            prefix = stripped[: -len(ellipsis)].rstrip()
            return len(prefix) >= MIN_TRUNCATED_CHARS and any(
                excerpt.startswith(prefix) for excerpt in removed)
    return False


def write_html(group: Group, path: Path, *, notebook: Path | None = None) -> Path:
    """Execute the bilan notebook for ``group`` and write it as HTML to ``path``."""
    page = sanitise_html(render_html(execute_notebook(group, notebook=notebook)), group)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
