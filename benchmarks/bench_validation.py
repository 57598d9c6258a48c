"""Cost of validating groupe.yaml and codebook.yaml with the JSON schemas (run it by hand).

    .venv/bin/python benchmarks/bench_validation.py [--repetitions 50] [--base be42fbf]

Prints, for the demo group file and for a group codebook that changes every code
of the default grid, the time per file of

(a) the YAML parse alone (``yamlio.load_yaml_text``: what every run pays anyway),
(b) the hand-written validator of the ``--base`` commit (before the schemas),
    loaded from git into this process (it parses with this tree's ``yamlio``, so that
    (c) - (b) is the cost of the validation alone),
(c) the schema validation of this tree,

and the ratios (c)/(a) and (c)/(b), all measured in the same run; then the time of a fresh
Python process that loads the demo group (what every ``gacp`` command starts with: imports
included, jsonschema's among them) for this tree and for ``--base`` (extracted with
``git archive``), against a bare ``python -c pass``.
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def old_module(commit: str, path: str, name: str):
    """A module of ``commit`` imported under ``name`` inside its package (relative imports work)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"], check=True,
                            capture_output=True, text=True).stdout
    package = name.rsplit(".", 1)[0]
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = package
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def best(functions, repetitions: int, rounds: int = 7) -> list[float]:
    """Per function, the best of ``rounds`` timings of ``repetitions`` calls, in ms per call.

    The functions take turns in every round, so that a busy neighbour on the machine
    slows them alike.
    """
    times = [[] for _ in functions]
    for _ in range(rounds):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            for _ in range(repetitions):
                function()
            times[i].append((time.perf_counter() - start) / repetitions * 1000)
    return [min(t) for t in times]


def group_codebook_text() -> str:
    """A group codebook that touches every code of the default grid, and adds one."""
    from gacp_analysis.coding.codebook import default_codebook

    lines = ["codes:"]
    for code in default_codebook().codes:
        lines += [f"  {code.id}:", f'    definition: "Définition du groupe pour {code.id}."',
                  '    exemples: ["Un exemple du groupe."]', "    ajouter:",
                  '      expressions: ["une expression du groupe", "une autre"]']
    lines += ["  local.transmissions:", "    label: Transmissions", "    famille: travail",
              "    marqueurs:", '      expressions: ["la relève", "les transmissions"]']
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--base", default="be42fbf", help="commit of the hand-written validator")
    args = parser.parse_args()

    from gacp_analysis.coding import codebook as new_codebook
    from gacp_analysis.corpus import group as new_group
    from gacp_analysis.corpus.yamlio import load_yaml_text

    old_group = old_module(args.base, "gacp_analysis/corpus/group.py", "gacp_analysis.corpus._old_group")
    old_codebook = old_module(args.base, "gacp_analysis/coding/codebook.py",
                              "gacp_analysis.coding._old_codebook")

    demo = ROOT / "corpora" / "demo" / "groupe.yaml"
    text = demo.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "codebook.yaml"
        book.write_text(group_codebook_text(), encoding="utf-8")
        book_text = book.read_text(encoding="utf-8")
        cases = {
            f"groupe.yaml de la démo ({len(text.splitlines())} lignes)": (
                lambda: load_yaml_text(text, path=demo),
                lambda: old_group.parse_group(text, path=demo, folder=demo.parent),
                lambda: new_group.parse_group(text, path=demo, folder=demo.parent)),
            f"codebook.yaml de groupe ({len(book_text.splitlines())} lignes)": (
                lambda: load_yaml_text(book_text, path=book),
                lambda: old_codebook.load_codebook(path=book),
                lambda: new_codebook.load_codebook(path=book)),
        }
        for check in cases.values():  # warm up: caches (default codebook, compiled schema)
            for function in check:
                function()
        print(f"{'fichier':42} {'YAML seul':>10} {'avant':>10} {'schéma':>10} "
              f"{'schéma/YAML':>12} {'schéma/avant':>13}")
        for label, (yaml_only, before, after) in cases.items():
            a, b, c = best((yaml_only, before, after), args.repetitions)
            print(f"{label:42} {a:8.2f}ms {b:8.2f}ms {c:8.2f}ms {c / a:12.2f} {c / b:13.2f}")

        base_tree = Path(tmp) / "base"
        base_tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "gacp_analysis"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive, check=True)
        load = ("import sys; sys.path.insert(0, {tree!r}); from gacp_analysis.corpus.group import "
                "load_group; load_group({demo!r})")
        commands = {"python -c pass": "pass",
                    f"chargement du groupe ({args.base})": load.format(tree=str(base_tree), demo=str(demo.parent)),
                    "chargement du groupe (schéma)": load.format(tree=str(ROOT), demo=str(demo.parent))}
        print()
        print(f"{'nouveau processus':42} {'temps':>10} {'- python seul':>14}")
        timings = {}
        for label, code in commands.items():
            runs = []
            for _ in range(7):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], check=True)
                runs.append((time.perf_counter() - start) * 1000)
            timings[label] = sorted(runs)[3]  # the median of seven
            print(f"{label:42} {timings[label]:8.0f}ms {timings[label] - timings['python -c pass']:12.0f}ms")


if __name__ == "__main__":
    main()
