"""The four notebooks, executed headless (papermill) against a copy of corpora/demo.

Notebook 01 imports and codes a fresh copy; 02, 03 and 04 then read the same store.
The notebooks in the repository are stored without outputs, with a first cell of
parameters, and never write into corpora/demo.
"""
from __future__ import annotations

import json
import os
import re

import nbformat
import pytest

from conftest import DEMO, ROOT, copy_group

papermill = pytest.importorskip("papermill")

NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_importer_et_coder", "02_analyse_de_seance", "03_synthese_inter_seances",
         "04_preparation_du_bilan")


def _run(name: str, out_dir, **parameters):
    with pytest.MonkeyPatch.context() as mp:
        # The kernel imports the package from this work tree even before « pip install -e . ».
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        mp.setenv("MPLBACKEND", "Agg")
        return papermill.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"), str(out_dir / f"{name}.ipynb"),
            parameters=parameters, kernel_name="python3", cwd=str(out_dir), progress_bar=False,
            execution_timeout=300)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run the four notebooks in order on one copy of the demo group."""
    root = tmp_path_factory.mktemp("notebooks")
    folder = copy_group(DEMO, root / "demo")
    demo_store_before = (DEMO / ".gacp").exists()
    out = {"folder": folder, "figures": root / "figures_bilan"}
    out["01"] = _run(NAMES[0], root, dossier=str(folder))
    out["02"] = _run(NAMES[1], root, dossier=str(folder), seance=3, recherche="nuit")
    out["03"] = _run(NAMES[2], root, dossier=str(folder), recherche="fatigue")
    out["04"] = _run(NAMES[3], root, dossier=str(folder), dossier_figures=str(out["figures"]))
    out["demo_store_created"] = (DEMO / ".gacp").exists() and not demo_store_before
    return out


def _outputs(nb, kind: str) -> list:
    """Every output payload of a MIME type (or stream text with kind == "stream")."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if kind == "stream" and output["output_type"] == "stream":
                found.append(output["text"])
            elif kind in output.get("data", {}):
                found.append(output["data"][kind])
    return found


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _strip(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def _column(html: str, header: str) -> list[str]:
    """The cells under ``header`` in every HTML table of ``html`` that has that header."""
    cells = []
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        head, _, body = table.partition("</thead>")
        headers = [_strip(h) for h in re.findall(r"<th[^>]*>.*?</th>", head, flags=re.S)]
        if header not in headers:
            continue
        position = headers.index(header)
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells.append(_strip(re.findall(r"<td[^>]*>.*?</td>", row, flags=re.S)[position]))
    return cells


def test_stored_without_outputs_with_parameters():
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "code" and "parameters" in first.metadata.get("tags", []), name
        assert "dossier" in first.source, name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name
        assert nb.metadata["kernelspec"]["name"] == "python3"


def test_no_errors_and_demo_untouched(executed):
    for key in ("01", "02", "03", "04"):
        for cell in executed[key].cells:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", (key, cell.source[:60])
    assert not executed["demo_store_created"]


def test_01_imports_and_codes(executed):
    markdown = " ".join(_text(m) for m in _outputs(executed["01"], "text/markdown"))
    assert "**Soignants de nuit** (Groupe A) : 8 séance(s) nouvelle(s), 0 modifiée(s)" in markdown
    match = re.search(r"(\d+) segment\(s\) codé\(s\) sur (\d+) \(0 inchangé", markdown)
    assert match and match.group(1) == match.group(2) and int(match.group(1)) > 1000
    html = " ".join(_text(h) for h in _outputs(executed["01"], "text/html"))
    assert "Séances importées" in html and "Segments codés, par code et par séance" in html
    assert "Situation vécue" in html
    assert "Nadia" not in html and "Ambre" in html


def test_02_one_session(executed):
    nb = executed["02"]
    html = " ".join(_text(h) for h in _outputs(nb, "text/html"))
    assert "Séance 3" in html and "Arrangements de la séance" in html
    assert "« nuit » dans la séance 3" in html
    assert "Situations apportées en séance 3" in html
    assert "Les échanges de la séance, tour par tour" in html
    assert "place dans l&#x27;échange" in html or "place dans l'échange" in html
    assert len(_outputs(nb, "image/png")) == 1


def test_02_unknown_session_says_so(executed, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run(NAMES[1], tmp_path, dossier=str(executed["folder"]), seance=42)
    assert "E303 séance 42 introuvable dans le groupe « Groupe A »" in str(info.value)


def test_03_across_sessions(executed):
    nb = executed["03"]
    assert len(_outputs(nb, "image/png")) == 7  # heatmap, trajectories, co-occurrence...
    html = " ".join(_text(h) for h in _outputs(nb, "text/html"))
    for caption in ("Trajectoires des codes", "Arrangements et conséquences, par séance",
                    "Thèmes et rationalités", "Divergences et lectures communes, par thème",
                    "Rebonds les plus fréquents", "« fatigue » (",
                    "Ce que le groupe a travaillé, séance par séance", "Les situations apportées",
                    "Arrangements et contraintes qui reviennent", "Les échanges débattus, par thème",
                    "Un échange par thème, tel qu"):
        assert caption in html, caption
    assert _outputs(nb, "application/vnd.jupyter.widget-view+json")  # the explorer


def test_04_bilan_preparation(executed):
    from nbconvert import HTMLExporter

    from gacp_analysis.corpus.group import load_group
    from gacp_analysis.privacy import find_secrets, group_secrets

    nb = executed["04"]
    assert sorted(p.name for p in executed["figures"].iterdir()) == [
        "arrangements.png", "divergences_accords.png", "rationalites.png", "themes_seances.png",
        "trajectoires.png"]
    assert len(_outputs(nb, "image/png")) == 5
    html, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    assert "document de travail, non validé par le groupe" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert find_secrets(text, group_secrets(load_group(executed["folder"]))) == []
    # Quoted tables name consenting participants only (Firmin and Hortense did not consent):
    # in each table's « pseudonyme » column.
    quoted = " ".join(_text(h) for h in _outputs(nb, "text/html"))
    assert "Verbatims" in quoted
    # What the group worked on: the annex's own tables (same captions).
    for caption in ("Les situations apportées, séance par séance", "Les échanges par thème",
                    "Arrangement, adaptation : ce qui revient"):
        assert caption in quoted, caption
    speakers = set(_column(quoted, "pseudonyme"))
    assert "Ambre" in speakers
    assert not speakers & {"Firmin", "Hortense", "Animatrice"}


def test_04_parameters_documented():
    nb = nbformat.read(NOTEBOOKS / "04_preparation_du_bilan.ipynb", as_version=4)
    assert "dossier_figures" in nb.cells[0].source
    json.dumps(nb)  # plain JSON, no outputs to strip
