"""Benchmark of ``gacp code`` against bare ``nlp.pipe`` and the bare encoder (run it by hand).

    nice -n 10 .venv/bin/python benchmarks/bench_coding.py [--mots 25000] [--encodeur DOSSIER]

Builds a group from the demo corpus repeated until it holds at least
``--mots`` words (each copy's sentences end with a different filler word so
that no two copies share a segment text: the caches cannot cheat), then
prints words per second, all measured in the same run, of

(a) ``nlp.pipe`` alone over the segment texts, with the coder's pipeline;
(b) the encoder alone (the shipped fine-tuned e5 under onnxruntime, its ``query``)
    over the same segments' encoder inputs (segment and exchange context), in
    batches as the coder sends them;
(c) the whole ``gacp code`` (parse, rules, model, encoder, occlusion evidence,
    store writes, caches), first run with empty caches;

the ratio of (c) to the combined rate of (a)+(b) (= (t_a + t_b) / t_c), the
session end to end as a ``gacp code`` command (Python start-up and model
loading included), and an unchanged re-run as a percentage of the first run.
The encoder is the package's (``--encodeur``: another folder with a
``head.npz``); without one, (b) is skipped and (c) codes without it.
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
    if target_words < words_per_copy:  # fewer words than the demo: a slice of every session
        share = target_words / words_per_copy
        step = max(1, round(1 / share))  # an opening is the facilitator's: take turns evenly
        turns = {sid: ts[::step] for sid, ts in turns.items()}
    copies = -(-target_words // words_per_copy)
    folder = dest / "bench"
    (folder / "seances").mkdir(parents=True)
    shutil.copy(demo / "groupe.yaml", folder / "groupe.yaml")
    number = 0
    for copy in range(copies):
        filler = FILLERS[copy % len(FILLERS)] + (f" {FILLERS[copy // len(FILLERS)]}" if copy >= len(FILLERS) else "")
        for sid, kind in sessions:
            number += 1
            # Dated after the consent register's dates (2026-01-13): earlier turns are not kept.
            lines = ["---", f"seance: {number}", f"date: 2026-02-{1 + number % 28:02d}", f"type: {kind}", "---"]
            for who, text in turns[sid]:
                text = " ".join(text.split())
                text = _END.sub(lambda m: f" {filler}{m.group(1)}", text)
                if not _END.search(text[-2:]):
                    text += f" {filler}."
                lines.append(f"{who} : {text}")
            (folder / "seances" / f"2026-02-01_seance-{number:03d}.txt").write_text(
                "\n".join(lines) + "\n", encoding="utf-8")
    import_group(folder)
    return folder, copies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mots", type=int, default=25_000)
    parser.add_argument("--encodeur", default=None, help="dossier de l'encodeur (head.npz)")
    args = parser.parse_args()

    import numpy as np

    from gacp_analysis.coding import encoder as encoder_mod
    from gacp_analysis.coding.encoder_input import encoder_input
    from gacp_analysis.coding.pipeline import EXCLUDED, MODEL_NAME, load_pipeline
    from gacp_analysis.coding.run import segments_to_code, code_group
    from gacp_analysis.coding.codebook import load_codebook
    from gacp_analysis.coding.coder import coding_signature
    from gacp_analysis.store import open_store

    enc_folder = Path(args.encodeur).resolve() if args.encodeur else None
    with_encoder = encoder_mod.available(enc_folder)
    with tempfile.TemporaryDirectory() as tmp:
        folder, copies = build_group(args.mots, Path(tmp))
        with open_store(folder) as store:
            rows = segments_to_code(store, coding_signature(load_codebook(folder), encoder_folder=enc_folder))
        texts = [r.text for r in rows]
        words = sum(len(t.split()) for t in texts)
        print(f"Corpus : démo x{copies}, {len(texts)} segments, {words} mots")

        start = time.perf_counter()
        nlp = load_pipeline()
        print(f"Chargement du modèle ({MODEL_NAME} sans {', '.join(EXCLUDED)}) : "
              f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=256):
            pass
        t_a = time.perf_counter() - start
        print(f"(a) nlp.pipe seul : {t_a:.1f} s, {words / t_a:,.0f} mots/s")

        t_b = 0.0
        if with_encoder:
            e5 = encoder_mod._load_e5(str(m) if (m := encoder_mod.model_file(enc_folder)) else None)
            inputs = [encoder_input(r.unit.text, r.unit.previous_text) for r in rows]
            start = time.perf_counter()
            for k in range(0, len(inputs), encoder_mod.EMBED_BATCH):
                np.asarray(e5.query(inputs[k:k + encoder_mod.EMBED_BATCH]))
            t_b = time.perf_counter() - start
            print(f"(b) encodeur seul (query, lots de {encoder_mod.EMBED_BATCH}) : {t_b:.1f} s, "
                  f"{words / t_b:,.0f} mots/s")
        else:
            print("(b) pas d'encodeur dans le paquet (--encodeur pour en donner un) : non mesuré")

        shutil.rmtree(folder / ".gacp" / "cache", ignore_errors=True)
        start = time.perf_counter()
        report = code_group(folder, progress=False, encoder=enc_folder)
        t_c = time.perf_counter() - start
        print(f"(c) gacp code, premier passage (sans cache) : {t_c:.1f} s, {words / t_c:,.0f} mots/s "
              f"({report.coded} segments, {report.parsed} analysés, {report.embedded} plongements "
              f"calculés dont {report.embedded - (len(texts) if with_encoder else 0)} pour "
              f"l'occultation, {report.codings} codages)")
        print(f"    rapport (c) / (a)+(b) [(t_a + t_b) / t_c] : {(t_a + t_b) / t_c:.2f}  (cible >= 0,8)")

        start = time.perf_counter()
        again = code_group(folder, progress=False, encoder=enc_folder)
        second = time.perf_counter() - start
        print(f"Second passage inchangé (dans le processus) : {second:.2f} s "
              f"({100 * second / t_c:.1f} % du premier ; {again.coded} segment recodé, "
              f"{again.embedded} plongement calculé)  (cible < 5 %)")

        # The whole session end to end, as the facilitator runs it (start-up included).
        shutil.rmtree(folder / ".gacp" / "cache", ignore_errors=True)
        first_cmd = [sys.executable, "-m", "gacp_analysis.cli", "code", str(folder), "--tout"]
        command = first_cmd[:-1]
        env = None
        if enc_folder is not None:
            import os

            env = dict(os.environ, GACP_BENCH_ENCODER=str(enc_folder))
            script = ("import os, sys; from gacp_analysis.coding.run import code_group; "
                      "code_group(sys.argv[1], force=len(sys.argv) > 2, "
                      "encoder=os.environ['GACP_BENCH_ENCODER'])")
            first_cmd = [sys.executable, "-c", script, str(folder), "--tout"]
            command = first_cmd[:-1]
        start = time.perf_counter()
        subprocess.run(first_cmd, check=True, cwd=ROOT, capture_output=True, env=env)
        whole = time.perf_counter() - start
        print(f"Séance de {words} mots de bout en bout (commande, démarrage et chargements compris, "
              f"caches vides) : {whole:.1f} s  (cible < 60 s)")
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True, env=env)
        rerun = time.perf_counter() - start
        print(f"Même commande, second passage inchangé : {rerun:.2f} s ({100 * rerun / whole:.1f} % "
              f"du premier)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
