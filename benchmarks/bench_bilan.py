"""Time of `gacp bilan` on a 12-session group, after coding (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_bilan.py

Builds a 12-session group from the demo corpus (its 8 sessions, then its analysis
sessions 1 to 4 again as sessions 11 to 14, a year later), then prints:

(a) ``gacp import`` into an empty store, the baseline measured in the same run;
(b) ``gacp code`` (every segment), as ratio of (a) — not part of the target;
(c) the four tables of « Ce que le groupe a travaillé » (synthesis.elaboration) alone,
    as ratio of (a);
(d) ``gacp bilan`` (DOCX, PDF, HTML, audit included: the command as a facilitator runs it,
    after coding), as ratio of (a), and whether it stays under the 60 s target.

Run it on a quiet machine: every figure shares the machine's load, the ratios less so.
"""
from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gacp_analysis.cli import main as gacp  # noqa: E402

DEMO = ROOT / "corpora" / "demo"
REPEATED = (1, 2, 3, 4)  # analysis sessions copied once more
TARGET_S = 60.0


def build(folder: Path) -> int:
    """The demo group plus :data:`REPEATED` again (numbers + 10, dates a year later)."""
    (folder / "seances").mkdir(parents=True)
    shutil.copy(DEMO / "groupe.yaml", folder / "groupe.yaml")
    numbers = set()
    for path in sorted((DEMO / "seances").iterdir()):
        m = re.match(r"(\d{4})(-\d\d-\d\d)_seance-(\d+)(\..+)$", path.name)
        copies = [(m.group(1), int(m.group(3)))]
        if int(m.group(3)) in REPEATED:
            copies.append((str(int(m.group(1)) + 1), int(m.group(3)) + 10))
        for year, number in copies:
            numbers.add(number)
            target = folder / "seances" / f"{year}{m.group(2)}_seance-{number:02d}{m.group(4)}"
            if path.suffix in (".txt", ".yaml"):
                text = path.read_text(encoding="utf-8")
                text = re.sub(r"^seance: \d+", f"seance: {number}", text, flags=re.M)
                text = re.sub(r"^date: \d{4}", f"date: {year}", text, flags=re.M)
                target.write_text(text, encoding="utf-8")
            else:
                shutil.copy(path, target)
    # The copies are a year later: the retention period and the group's period follow.
    text = (folder / "groupe.yaml").read_text(encoding="utf-8")
    text = text.replace("fin_accompagnement: 2026-09-30", "fin_accompagnement: 2027-09-30")
    (folder / "groupe.yaml").write_text(text, encoding="utf-8")
    return len(numbers)


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    from gacp_analysis.export.bilan import SYNTHESIS_SESSION_TYPES
    from gacp_analysis.synthesis import elaboration
    from gacp_analysis.synthesis.table import load_tables

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "groupe12"
        sessions = build(folder)
        assert sessions == 12, sessions

        def run(*args: str) -> None:
            code = gacp(list(args))
            if code != 0:
                raise SystemExit(f"gacp {' '.join(args)} : code de sortie {code}")

        t_import = timed(lambda: run("import", str(folder)))
        t_code = timed(lambda: run("code", str(folder)))

        def tables_alone() -> None:
            tables = load_tables(folder).select(session_types=SYNTHESIS_SESSION_TYPES)
            elaboration.session_overview(tables, folder=folder)
            elaboration.telling_exchanges(elaboration.exchanges(tables))

        t_elaboration = timed(tables_alone)
        t_bilan = timed(lambda: run("bilan", str(folder), "--out", str(Path(tmp) / "annexe")))
    print(f"groupe de {sessions} séances (démo + séances {', '.join(map(str, REPEATED))} "
          "recopiées)")
    print(f"(a) gacp import            {t_import:7.1f} s   1,0 × (référence)")
    print(f"(b) gacp code              {t_code:7.1f} s {t_code / t_import:5.1f} × import")
    print(f"(c) tableaux d'élaboration {t_elaboration:7.1f} s {t_elaboration / t_import:5.1f} × import")
    print(f"(d) gacp bilan             {t_bilan:7.1f} s {t_bilan / t_import:5.1f} × import"
          f"   objectif < {TARGET_S:.0f} s : {'oui' if t_bilan < TARGET_S else 'NON'}")


if __name__ == "__main__":
    main()
