"""Cost of confidentiality at import and of an erasure (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_privacy.py [--copies 6]

Builds a group from the demo corpus repeated ``--copies`` times (sessions renumbered),
then prints, best of 3 alternating runs:

(a) reading and validating every transcript (``read_group``), the baseline;
(b) pseudonymising them and withholding turns (``protect_sessions``), as ratio of (a);
(c) a first ``gacp import`` into an empty store, as ratio of (a);
(d) ``gacp forget`` of one participant on the imported store (not coded), as ratio of (c).
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gacp_analysis.confidentiality.erasure import forget  # noqa: E402
from gacp_analysis.confidentiality.withhold import protect_sessions  # noqa: E402
from gacp_analysis.corpus.group import load_group  # noqa: E402
from gacp_analysis.corpus.importer import import_group, read_group  # noqa: E402

DEMO = ROOT / "corpora" / "demo"


def build(folder: Path, copies: int) -> None:
    (folder / "seances").mkdir(parents=True)
    shutil.copy(DEMO / "groupe.yaml", folder / "groupe.yaml")
    for k in range(copies):
        for path in sorted((DEMO / "seances").iterdir()):
            m = re.match(r"(\d{4}-\d\d-\d\d)_seance-(\d+)(\..+)$", path.name)
            number = k * 10 + int(m.group(2))
            target = folder / "seances" / f"{m.group(1)}_seance-{number:02d}{m.group(3)}"
            if path.suffix in (".txt", ".yaml"):
                text = path.read_text(encoding="utf-8")
                text = re.sub(r"^seance: \d+", f"seance: {number}", text, flags=re.M)
                target.write_text(text, encoding="utf-8")
            else:
                shutil.copy(path, target)


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "groupe"
        build(folder, args.copies)
        group = load_group(folder)
        sessions, _ = read_group(group)
        words = sum(len(s.text.split()) for s in sessions)
        best = {"a": [], "b": [], "c": [], "d": []}
        for _ in range(3):
            best["a"].append(timed(lambda: read_group(group)))
            best["b"].append(timed(lambda: protect_sessions(group, sessions, set())))
            shutil.rmtree(folder / ".gacp", ignore_errors=True)
            best["c"].append(timed(lambda: import_group(folder)))
            best["d"].append(timed(lambda: forget(folder, "Nadia", operator="bench")))
        a, b, c, d = (min(best[k]) for k in "abcd")
    print(f"{len(sessions)} séances, {words} mots")
    print(f"(a) lecture et validation     {a:6.2f} s   1")
    print(f"(b) pseudonymisation, retraits {b:6.2f} s   {b / a:.2f} x (a)")
    print(f"(c) import complet            {c:6.2f} s   {c / a:.2f} x (a)")
    print(f"(d) gacp forget (non codé)    {d:6.2f} s   {d / c:.2f} x (c)")


if __name__ == "__main__":
    main()
