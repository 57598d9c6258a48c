"""Notebook 05 executed headless (papermill) on a coded copy of the demo with a few decisions."""
from __future__ import annotations

import json
import os
import shutil

import nbformat
import pytest

from conftest import ROOT
from gacp_analysis.review.actions import Review

papermill = pytest.importorskip("papermill")
NOTEBOOK = ROOT / "notebooks" / "05_revue_du_codage.ipynb"


def test_notebook_is_stored_without_outputs_and_with_parameters():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].metadata.get("tags") == ["parameters"]
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


def test_notebook_runs_and_shows_the_review_and_the_agreement(tmp_path, demo_coded):
    folder = shutil.copytree(demo_coded, tmp_path / "demo")
    review = Review(folder, "Animatrice")
    for sid in review.segments["segment_id"][:30]:
        review.validate_segment(int(sid))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        mp.setenv("MPLBACKEND", "Agg")
        nb = papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "out.ipynb"),
                                        parameters={"dossier": str(folder), "seance": 0},
                                        kernel_name="python3", cwd=str(tmp_path),
                                        progress_bar=False, execution_timeout=300)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "Accord entre auto et Animatrice sur 30 segment(s)" in html
    assert "Thomas" not in json.dumps(nb)  # pseudonyms only in what the notebook shows
