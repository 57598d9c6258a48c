"""Shared fixtures: expensive things (the spaCy pipeline, an imported demo group) once per run."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "corpora" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_group(src: Path, dst: Path) -> Path:
    """Copy a group folder without its store."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".gacp"))
    return dst


@pytest.fixture(scope="session")
def demo_imported(tmp_path_factory) -> Path:
    """A copy of corpora/demo, imported once for the whole run. Do not modify it."""
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(DEMO, tmp_path_factory.mktemp("demo") / "demo")
    import_group(folder)
    return folder


def apply_codings_file(folder: Path, codings: Path) -> None:
    """Add the codings listed in a TSV file (session, turn, segment, code, provenance,
    decision, needs_review) to an imported group's store: human ones through the store's
    API, automatic ones as the coder would write them."""
    from gacp_analysis.store import now_iso, open_store

    with open_store(folder) as store:
        for line in codings.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            session, turn, segment, code, provenance, decision, review = line.split("\t")
            segment_id = store.execute(
                "SELECT g.id FROM segments g JOIN turns t ON t.id = g.turn_id JOIN sessions s "
                "ON s.id = g.session_id WHERE s.number = ? AND t.idx = ? AND g.idx = ?",
                (int(session), int(turn), int(segment))).fetchone()[0]
            if provenance == "human":
                store.add_human_coding(segment_id, code, coder="Animatrice", decision=decision)
            else:
                with store.transaction():
                    store.execute(
                        "INSERT INTO codings (segment_id, code, provenance, coder, created_at, "
                        "needs_review) VALUES (?, ?, 'auto', 'test-coder', ?, ?)",
                        (segment_id, code, now_iso(), int(review)))


@pytest.fixture(scope="session")
def synthesis_groups(tmp_path_factory) -> dict[str, Path]:
    """The two tiny hand-coded groups of tests/fixtures/synthesis ("a" and "b"). Do not modify."""
    from gacp_analysis.corpus.importer import import_group

    root = tmp_path_factory.mktemp("synthesis")
    folders = {}
    for key in ("a", "b"):
        folder = copy_group(FIXTURES / "synthesis" / f"groupe_{key}", root / f"groupe_{key}")
        import_group(folder)
        apply_codings_file(folder, FIXTURES / "synthesis" / f"codages_{key}.tsv")
        folders[key] = folder
    return folders


@pytest.fixture(scope="session")
def coder():
    """The default auto-coder (rules + shipped model), built once: loading spaCy is slow."""
    from gacp_analysis.coding.coder import Coder

    return Coder()


@pytest.fixture(scope="session")
def demo_coded(tmp_path_factory) -> Path:
    """A copy of corpora/demo, imported and auto-coded once for the whole run. Do not modify it."""
    from gacp_analysis.coding.run import code_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(DEMO, tmp_path_factory.mktemp("demo_coded") / "demo")
    import_group(folder)
    code_group(folder, progress=False)
    return folder


# Automatic codings the review tests start from (session, turn, segment, code, evidence):
# written by hand so the tests do not depend on what the shipped coder decides.
REVIEW_AUTO = ((1, 10, 2, "recit.situation", "c'était la nuit du"),
               (1, 10, 3, "travail.contrainte", "au lieu de trois"),
               (1, 10, 3, "recit.situation", "On était deux"),
               (1, 10, 4, "travail.contrainte", "pas remplacée"))


def segment_id_at(store, session: int, turn: int, index: int) -> int:
    """The id of a segment by its place: session number, turn index, sentence index."""
    return store.execute(
        "SELECT g.id FROM segments g JOIN turns t ON t.id = g.turn_id JOIN sessions s "
        "ON s.id = g.session_id WHERE s.number = ? AND t.idx = ? AND g.idx = ?",
        (session, turn, index)).fetchone()[0]


@pytest.fixture
def demo_review(tmp_path, demo_imported) -> Path:
    """A writable copy of the imported demo group, store included, with the automatic
    codings of :data:`REVIEW_AUTO` (for the review tests)."""
    import json

    from gacp_analysis.store import now_iso, open_store

    folder = Path(shutil.copytree(demo_imported, tmp_path / "demo"))
    with open_store(folder) as store, store.transaction():
        for session, turn, index, code, words in REVIEW_AUTO:
            sid = segment_id_at(store, session, turn, index)
            seg = store.execute("SELECT start, text FROM segments WHERE id = ?", (sid,)).fetchone()
            at = seg["text"].index(words)
            evidence = [{"start": seg["start"] + at, "end": seg["start"] + at + len(words),
                         "text": words}]
            store.execute(
                "INSERT INTO codings (segment_id, code, provenance, coder, created_at, rule, score, "
                "evidence) VALUES (?, ?, 'auto', 'test-coder', ?, 'test', 0.9, ?)",
                (sid, code, now_iso(), json.dumps(evidence, ensure_ascii=False)))
    return folder
