"""Notebooks carry no outputs in the repository; ``gacp strip-notebook`` removes them."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from gacp_analysis.cli import main
from gacp_analysis.confidentiality.notebooks import has_outputs, notebooks_with_outputs, strip_notebook
from gacp_analysis.errors import GacpError

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_repository_notebooks_have_no_outputs():
    assert NOTEBOOKS, "notebooks/ is empty"
    assert notebooks_with_outputs(NOTEBOOKS) == []


def _executed(tmp_path):
    """A notebook as Jupyter saves it after a run: outputs, counts, widget state."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("print('Ambre : on était deux au lieu de trois')")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                           text="Ambre : on était deux au lieu de trois\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Séance"), cell]
    path = tmp_path / "analyse.ipynb"
    nbformat.write(nb, path)
    return path


def test_strip_removes_outputs_counts_and_widget_state(tmp_path, capsys):
    path = _executed(tmp_path)
    assert notebooks_with_outputs([path]) == [path]
    assert main(["strip-notebook", str(path)]) == 0
    assert capsys.readouterr().out == f"sorties effacées : {path}\n"
    nb = nbformat.read(path, as_version=4)
    assert not has_outputs(nb)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert "widgets" not in nb.metadata
    assert nb.cells[1].source == "print('Ambre : on était deux au lieu de trois')"
    assert "au lieu de trois\\n" not in path.read_text(encoding="utf-8")
    assert strip_notebook(path) is False  # already clean


def test_check_mode_of_the_pre_commit_hook(tmp_path):
    path = _executed(tmp_path)
    cmd = [sys.executable, "-m", "gacp_analysis.confidentiality.notebooks", "--check"]
    dirty = subprocess.run([*cmd, str(path)], capture_output=True, text=True, cwd=ROOT)
    assert dirty.returncode == 1
    assert f"E708 1 carnet(s) contiennent des sorties : {path}." in dirty.stderr
    strip_notebook(path)
    clean = subprocess.run([*cmd, str(path), *map(str, NOTEBOOKS)], capture_output=True, text=True,
                           cwd=ROOT)
    assert clean.returncode == 0, clean.stderr


def test_pre_commit_config_runs_the_check_on_notebooks():
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert hooks["notebooks-sans-sorties"]["entry"].endswith(
        "-m gacp_analysis.confidentiality.notebooks --check")
    assert hooks["nbstripout"]["files"] == r"\.ipynb$"
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing downloaded


def test_not_a_notebook(tmp_path):
    bad = tmp_path / "notes.ipynb"
    bad.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(GacpError) as info:
        strip_notebook(bad)
    assert info.value.code == "E706" and str(bad) in str(info.value)
    with pytest.raises(GacpError) as info:
        strip_notebook(tmp_path / "notes.txt")
    assert str(info.value) == (f"E707 {tmp_path / 'notes.txt'} : ce n'est pas un carnet (.ipynb). "
                               "Indiquez des fichiers .ipynb.")
