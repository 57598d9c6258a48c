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
