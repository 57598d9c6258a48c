"""The whole pipeline with the network cut, then a scan of everything it wrote for real names.

Python's socket layer is blocked in this process and in every Python process it
starts (the notebooks' kernels, the coder's parsing worker) by
:func:`gacp_analysis.confidentiality.offline.block_network`: connections are refused
except ``AF_UNIX`` (local IPC) and, in the kernels only, loopback addresses; name
lookups are refused except ``localhost`` and numeric loopback addresses. Every refused
attempt fails the test, even one a library caught and ignored (they are logged to a
file). ``.ci/run`` runs this file again inside a fresh network namespace (``unshare -n``,
loopback only), which also covers programs that are not Python (LibreOffice).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from gacp_analysis.cli import main
from gacp_analysis.confidentiality.offline import NetworkBlocked, block_network
from gacp_analysis.corpus.group import load_group
from gacp_analysis.export.audit import audit_paths
from gacp_analysis.privacy import find_secrets, group_secrets

from conftest import DEMO, ROOT, copy_group

papermill = pytest.importorskip("papermill")

NOTEBOOKS = ("01_importer_et_coder", "02_analyse_de_seance", "03_synthese_inter_seances",
             "04_preparation_du_bilan")


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    """import → code → status → synthesize → bilan → the four notebooks, network blocked."""
    root = tmp_path_factory.mktemp("hors_ligne")
    folder = copy_group(DEMO, root / "demo")
    log = root / "reseau.jsonl"
    out = {"folder": folder, "log": log, "notebooks": root / "carnets", "exit": {}}
    out["notebooks"].mkdir()
    capture = pytest.MonkeyPatch()
    with block_network(log) as attempts:
        os.environ["MPLBACKEND"] = "Agg"
        for verb in ("import", "code", "status", "synthesize", "bilan"):
            out["exit"][verb] = main([verb, str(folder)])
        parameters = {"01_importer_et_coder": {}, "02_analyse_de_seance": {"seance": 3},
                      "03_synthese_inter_seances": {}, "04_preparation_du_bilan": {
                          "dossier_figures": str(root / "figures")}}
        for name in NOTEBOOKS:
            papermill.execute_notebook(
                str(ROOT / "notebooks" / f"{name}.ipynb"), str(out["notebooks"] / f"{name}.ipynb"),
                parameters={"dossier": str(folder), **parameters[name]}, kernel_name="python3",
                cwd=str(root), progress_bar=False, execution_timeout=300)
        out["attempts"] = list(attempts)
    capture.undo()
    return out


def test_guard_refuses_the_network_in_process_and_in_subprocesses(tmp_path):
    log = tmp_path / "reseau.jsonl"
    with block_network(log):
        with pytest.raises(NetworkBlocked):
            socket.create_connection(("example.org", 443), timeout=2)
        with socket.socket() as raw, pytest.raises(NetworkBlocked):
            raw.connect(("192.0.2.1", 80))  # a numeric address, no lookup
        a, b = socket.socketpair(socket.AF_UNIX)  # local IPC stays allowed
        a.close(), b.close()
        child = subprocess.run(
            [sys.executable, "-c", "import socket; socket.socket().connect(('127.0.0.1', 9)); "],
            capture_output=True, text=True)
        # Subprocesses may reach loopback (a kernel's own channels): refused by the port, not us.
        assert "ConnectionRefusedError" in child.stderr, child.stderr
        child = subprocess.run(
            [sys.executable, "-c", "import socket; socket.socket().connect(('192.0.2.1', 80))"],
            capture_output=True, text=True)
    assert child.returncode == 1 and "NetworkBlocked: connexion réseau refusée" in child.stderr
    logged = [json.loads(line)["tentative"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert logged == ["getaddrinfo 'example.org'", "connect ('192.0.2.1', 80)",
                      "connect ('192.0.2.1', 80)"]
    socket.getaddrinfo("localhost", 80)  # the guard is gone after the block


def test_pipeline_runs_without_network(offline_run):
    assert offline_run["exit"] == {"import": 0, "code": 0, "status": 0, "synthesize": 0, "bilan": 0}
    assert offline_run["attempts"] == []
    assert not offline_run["log"].exists(), offline_run["log"].read_text(encoding="utf-8")
    bilan = offline_run["folder"] / "bilan"
    assert sorted(p.suffix for p in bilan.iterdir() if p.is_file()) == [".docx", ".html", ".pdf"]
    for name in NOTEBOOKS:
        nb = json.loads((offline_run["notebooks"] / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]


def test_no_real_name_in_store_caches_or_outputs(offline_run):
    """Real names live in groupe.yaml only: not in the store (any table, WAL included), the
    parsed documents cache, the syntheses, the bilan or the executed notebooks."""
    from spacy.tokens import DocBin

    folder = offline_run["folder"]
    group = load_group(folder)
    secrets = group_secrets(group)
    assert {"Nadia", "Claire", "Mme Le Goff", "Kerlann", "EHPAD Les Tilleuls de Kerlann"} <= set(secrets)
    store_files = sorted(p for p in (folder / ".gacp").rglob("*") if p.is_file())
    # The coder's cache of the lemmas of the codebook's marker phrases holds the codebook's
    # words only (the shipped codebook has a marker « comme Nadia », a demo name): checked apart.
    (lemmas,) = [p for p in store_files if p.name.startswith("lemmes-")]
    codebook = (ROOT / "gacp_analysis" / "data" / "codebook.yaml").read_text(encoding="utf-8")
    assert all(f'"{phrase}"' in codebook for phrase in json.loads(lemmas.read_text(encoding="utf-8")))
    store_files.remove(lemmas)
    outputs = [p for d in ("bilan", "syntheses") for p in (folder / d).rglob("*") if p.is_file()]
    assert len(outputs) > 10
    report = audit_paths([*store_files, *outputs], secrets)
    assert report.messages() == [] and report.ok
    # The executed notebooks' outputs (their markdown is ours: « plus la case est claire »).
    notebooks = sorted(offline_run["notebooks"].glob("*.ipynb"))
    assert len(notebooks) == 4
    for path in notebooks:
        outputs_json = json.dumps([c.get("outputs", []) for c in json.loads(path.read_text("utf-8"))["cells"]],
                                  ensure_ascii=False)
        assert len(outputs_json) > 1000 and find_secrets(outputs_json, secrets) == [], path.name
    # The DocBin cache is compressed: read its strings (every token, lemma and norm).
    caches = [p for p in store_files if p.suffix == ".spacy"]
    assert caches
    for path in caches:
        strings = " ".join(DocBin().from_disk(path).strings)
        assert len(strings) > 10000 and find_secrets(strings, secrets) == []
    # The store really holds the sessions, under pseudonyms.
    import sqlite3

    conn = sqlite3.connect(folder / ".gacp" / "projet.sqlite")
    text = " ".join(r[0] for r in conn.execute("SELECT text FROM sessions"))
    conn.close()
    assert "Ben Ambre, t'avais dit que tu parlerais." in text  # « Ben Nadia, ... » in the file
    assert "Mme Le Goff" not in text and "[nom masqué] se met à crier" in text
