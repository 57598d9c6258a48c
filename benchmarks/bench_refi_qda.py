"""Cost of the REFI-QDA exchange on the demo corpus (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_refi_qda.py

Imports a copy of corpora/demo, puts one human coding on every segment and a span on every
third one (no spaCy: the exchange's cost, not the coder's), then prints, best of 3:

(a) ``gacp import`` of the demo into an empty store, the baseline;
(b) ``gacp export --format qdpx`` (masking, word alignment, XML, audit), as ratio of (a);
(c) ``gacp import-qdpx`` of that file into a fresh copy, as ratio of (a);
(d) ``--format xlsx``, as ratio of (a);
and checks the round trip: every coding back, on the same segment, code and span.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gacp_analysis.corpus.importer import import_group  # noqa: E402
from gacp_analysis.export.qdpx_import import import_qdpx  # noqa: E402
from gacp_analysis.export.refi_qda import export_group  # noqa: E402
from gacp_analysis.store import open_store  # noqa: E402

DEMO = ROOT / "corpora" / "demo"
CODES = ("recit.situation", "travail.contrainte", "affect", "consequence.sante")


def fresh(tmp: Path, name: str) -> tuple[Path, float]:
    folder = tmp / name
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns(".gacp", "exports"))
    t = time.perf_counter()
    import_group(folder)
    return folder, time.perf_counter() - t


def code_everything(folder: Path) -> None:
    with open_store(folder) as store:
        for session in store.sessions():
            for k, seg in enumerate(store.session_segments(session["id"])):
                store.add_human_coding(seg["id"], CODES[k % len(CODES)], coder="Animatrice")
                words = seg["text"].split(" ")
                if k % 3 == 0 and len(words) > 4:
                    end = seg["start"] + len(" ".join(words[:3]))
                    store.add_human_coding(seg["id"], "rationalite.subjective",
                                           coder="Animatrice", start=seg["start"], end=end)


def codings(folder: Path) -> list[tuple]:
    with open_store(folder) as store:
        return sorted(tuple(r) for r in store.execute(
            "SELECT s.number, g.start, c.code, c.start, c.end FROM codings c "
            "JOIN segments g ON g.id = c.segment_id JOIN sessions s ON s.id = g.session_id"))


def main() -> None:
    best = {"import": [], "qdpx": [], "import-qdpx": [], "xlsx": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for run in range(3):
            source, t_import = fresh(tmp, f"source{run}")
            best["import"].append(t_import)
            code_everything(source)
            t = time.perf_counter()
            report = export_group(source, "qdpx", out=tmp / f"demo{run}.qdpx")
            best["qdpx"].append(time.perf_counter() - t)
            target, _ = fresh(tmp, f"cible{run}")
            t = time.perf_counter()
            import_qdpx(report.path, target)
            best["import-qdpx"].append(time.perf_counter() - t)
            t = time.perf_counter()
            export_group(source, "xlsx", out=tmp / f"demo{run}.xlsx")
            best["xlsx"].append(time.perf_counter() - t)
            same = codings(source) == codings(target)
    base = min(best["import"])
    print(f"{report.selections} codings, {report.sessions} sessions; round trip identical: {same}")
    print(f"(a) gacp import (baseline)   {base:7.2f} s")
    for key, label in (("qdpx", "(b) export qdpx"), ("import-qdpx", "(c) import-qdpx"),
                       ("xlsx", "(d) export xlsx")):
        print(f"{label:28} {min(best[key]):7.2f} s   {min(best[key]) / base:5.2f}x (a)")


if __name__ == "__main__":
    main()
