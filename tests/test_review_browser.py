"""End to end in a real browser: JupyterLab on 127.0.0.1, Debian's Chromium driven by Playwright.

Opens notebook 05 on a coded copy of the demo group, runs all its cells, accepts a suggestion,
moves to the next segment with the « j » shortcut, rejects a suggestion, writes a memo « pour le
bilan », restarts the kernel from the Kernel menu, runs the notebook again (the decisions are
still there), and reads the store. No request leaves 127.0.0.1 (any other is aborted and fails
the test). With GACP_CAPTURES=docs the screenshots of the README are saved in docs/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

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
CODE = "travail.contrainte"
CODE_LABEL = "Le travail et ses contraintes › Contrainte (travail.contrainte)"
MEMO = "Le sous-effectif revient à chaque séance."
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# True once the notebook's kernel is connected and idle (JupyterLab exposes its application
# object with --LabApp.expose_app_in_browser, as its own UI tests do).
KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
                 && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
RUN_ALL = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read() or b"null")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and its kernels (its own process group, started by this test)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # the kernels, if the server left any
    except ProcessLookupError:
        pass
    server.wait(10)


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
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={port}", "--ServerApp.token=", "--ServerApp.password=",
             "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True",
             "--LabApp.check_for_updates_class="
             "jupyterlab.handlers.announcements.NeverCheckForUpdate"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # wait for the server to answer (polling its API, not a fixed sleep)
            try:
                _get(f"{base}/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab n'a pas démarré : {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield {"base": base, "folder": folder, "log": log}
    finally:
        _stop(server)


def _run_notebook(page) -> None:
    """Run every cell once the kernel is ready; returns when they have all run."""
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    assert page.evaluate(RUN_ALL) is True
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)


def _filter_on_code(page) -> str:
    """Keep the segments with a « Contrainte » suggestion; returns the first one's position."""
    total = page.locator(".gacp-position").inner_text().split(" · ")[0]
    page.select_option(".gacp-filter-code select", label=CODE_LABEL)
    page.wait_for_function(
        "previous => { const e = document.querySelector('.gacp-position');"
        " return e && !e.innerText.startsWith(previous) && e.innerText.startsWith('Segment 1 /'); }",
        arg=total)
    return page.locator(".gacp-position").inner_text()


def _row(page):
    """The suggestion row of CODE on the segment shown."""
    row = page.locator(".gacp-coding", has=page.locator("code", has_text=CODE)).first
    row.wait_for()
    return row


def _where(position: str) -> tuple[int, int, str]:
    """(session, turn, speaker) read from « Segment 1 / 39 · séance 1 · tour 10 · Ambre (…) · … »."""
    parts = position.split(" · ")
    return int(parts[1].split()[1]), int(parts[2].split()[1]), parts[3].split(" (")[0]


def test_review_in_the_browser(lab, tmp_path):
    captures = Path(os.environ.get("GACP_CAPTURES") or tmp_path / "captures")
    captures.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []

    def local_only(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 1600})
            context.route("**/*", local_only)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{lab['base']}/lab/tree/revue.ipynb")
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            try:
                _run_notebook(page)
                review = page.wait_for_selector(".gacp-review")
            except playwright_api.TimeoutError:
                page.screenshot(path=str(captures / "echec.png"))
                raise
            first = _where(_filter_on_code(page))
            _row(page).locator(".gacp-accept").click()
            page.wait_for_selector(f".gacp-message:has-text('« {CODE} » accepté')")
            review.scroll_into_view_if_needed()
            page.locator(".gacp-review").screenshot(path=str(captures / "revue_du_codage.png"))
            # Keyboard: the mouse over the turn, « j » goes to the next segment.
            page.hover(".gacp-text")
            page.keyboard.press("j")
            page.wait_for_selector(".gacp-position:has-text('Segment 2 /')")
            second = _where(page.locator(".gacp-position").inner_text())
            _row(page).locator(".gacp-reject").click()
            page.wait_for_selector(f".gacp-message:has-text('« {CODE} » rejeté')")
            page.fill(".gacp-memo textarea", MEMO)
            page.check(".gacp-memo-bilan input")
            page.click(".gacp-memo-save")
            page.wait_for_selector(".gacp-message:has-text('pour le bilan')")
            page.wait_for_selector(f".gacp-review :text('{MEMO}')")
            page.locator(".gacp-review").screenshot(path=str(captures / "revue_memo.png"))
            # Restart the kernel from the Kernel menu, confirm, run the notebook again.
            page.get_by_role("menuitem", name="Kernel", exact=True).click()
            page.get_by_role("menuitem", name="Restart Kernel…").click()
            page.click(".jp-Dialog .jp-mod-accept")
            page.wait_for_selector(".gacp-review.jupyter-widgets-disconnected")  # the old kernel's
            _run_notebook(page)
            page.wait_for_selector(".gacp-review:not(.jupyter-widgets-disconnected)")
            _filter_on_code(page)
            page.locator(".gacp-progress", has_text=re.compile(r"^2 / \d+ segment")).wait_for()
        finally:
            browser.close()
    assert outside == []
    assert first[0] == second[0] == 1
    with open_store(lab["folder"]) as store:
        segments = store.review_segments().set_index("segment_id")
        codings = store.segment_codings()
        human = codings[codings["provenance"] == "human"]
        memos = store.memos_frame()
        reviewed = store.reviewed_segments(CODER)
    decisions = [(int(segments.at[r.segment_id, "session"]), int(segments.at[r.segment_id, "turn"]),
                  segments.at[r.segment_id, "speaker"], r.code, r.decision, r.coder)
                 for r in human.sort_values("id").itertuples()]
    assert decisions == [(*first, CODE, "apply", CODER), (*second, CODE, "reject", CODER)]
    assert human["segment_id"].nunique() == 2 and human["start"].isna().all()  # whole segments
    assert reviewed == set(human["segment_id"])
    assert [(m.text, m.author, m.for_bilan, m.segment_id, m.session)
            for m in memos.itertuples()] == [(MEMO, CODER, 1, human["segment_id"].iloc[1], 1)]
