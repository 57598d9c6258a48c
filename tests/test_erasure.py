"""``gacp forget``: a participant's words leave the store, its files and the caches for good."""
from __future__ import annotations

import io
import json
import re
import shutil

import pytest

from gacp_analysis.cli import main
from gacp_analysis.coding.run import code_group
from gacp_analysis.confidentiality.erasure import forget
from gacp_analysis.confidentiality.withhold import ERASED_MARKER
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.errors import GacpError
from gacp_analysis.status import store_status
from gacp_analysis.store import open_store, store_path
from gacp_analysis.synthesis import load_tables, quotes

# Words Nadia (Ambre) says in session 1 (lines 17 and 20 of 2026-02-10_seance-01.txt), and
# nobody else in the demo says (checked with grep over corpora/demo/seances; « poste non
# pourvu », which she says too, is quoted by Karim and Julie, and stays).
NADIA_PHRASES = ("passe la main sous le drap", "chacune vingt-huit résidents", "verre d'eau est là",
                 "dormi l'après-midi")


@pytest.fixture()
def coded(demo_coded, tmp_path):
    """A modifiable copy of the imported and coded demo (store and cache included)."""
    return shutil.copytree(demo_coded, tmp_path / "demo")


def _files(folder):
    """Every file of the store folder: database, WAL, shared memory, caches."""
    return sorted(p for p in (folder / ".gacp").rglob("*") if p.is_file())


def _ambre_words(store) -> set[str]:
    """Long words found in Ambre's turns and in no one else's (masked store text)."""
    mine, others = set(), set()
    for row in store.execute("SELECT t.text, sp.pseudonym FROM turns t LEFT JOIN speakers sp "
                             "ON sp.id = t.speaker_id WHERE t.kind = 'speech'"):
        words = {w for w in re.findall(r"\w+", row["text"].casefold()) if len(w) >= 9}
        (mine if row["pseudonym"] == "Ambre" else others).update(words)
    for row in store.execute("SELECT label || ' ' || definition FROM codes"):  # the codebook's words
        others.update(re.findall(r"\w+", row[0].casefold()))
    return mine - others


def _segment_of(store, pseudonym, number=1):
    return store.execute(
        "SELECT g.id FROM segments g JOIN turns t ON t.id = g.turn_id JOIN speakers sp "
        "ON sp.id = t.speaker_id JOIN sessions s ON s.id = g.session_id "
        "WHERE sp.pseudonym = ? AND s.number = ? ORDER BY g.start LIMIT 1",
        (pseudonym, number)).fetchone()[0]


def test_forget_scans_the_files_bytes(coded):
    with open_store(coded) as store:
        ambre = _segment_of(store, "Ambre")
        capucine = _segment_of(store, "Capucine")
        store.add_human_coding(ambre, "recit.situation", coder="Animatrice")
        kept_coding = store.add_human_coding(capucine, "debat.accord", coder="Animatrice")
        store.add_memo("Tournée raccourcie : à reprendre.", author="Animatrice", segment_id=ambre)
        store.add_memo("Capucine soutient sa collègue.", author="Animatrice", segment_id=capucine)
        store.add_memo("Séance dense.", author="Animatrice", session_number=1)
        before = store_status(store)
        words = _ambre_words(store)
        codings_ambre = store.execute(
            "SELECT COUNT(*) FROM codings c JOIN segments g ON g.id = c.segment_id JOIN turns t "
            "ON t.id = g.turn_id JOIN speakers sp ON sp.id = t.speaker_id "
            "WHERE sp.pseudonym = 'Ambre'").fetchone()[0]
    turns_ambre = sum(s["speakers"].get("Ambre", {"turns": 0})["turns"] for s in before["sessions"])
    assert turns_ambre > 50 and len(words) > 30 and codings_ambre > 100
    data = b"".join(p.read_bytes() for p in _files(coded))
    for phrase in NADIA_PHRASES:  # the scan can find them before the erasure
        assert phrase.encode() in data, phrase

    report = forget(coded, "Nadia B.", operator="Animatrice")

    assert report.pseudonym == "Ambre"
    assert report.counts["tours"] == turns_ambre
    assert report.counts["codages"] == codings_ambre  # the human coding included
    assert report.counts["memos"] == 1
    assert report.counts["fichiers_cache"] >= 1
    files = _files(coded)
    assert all(not p.is_relative_to(coded / ".gacp" / "cache") for p in files)
    data = b"".join(p.read_bytes() for p in files)
    for phrase in NADIA_PHRASES:
        assert phrase.encode() not in data, phrase
    leaked = sorted(w for w in words  # as whole words: « respiration » is in « respirations »
                    if re.search(rb"(?<![\w\x80-\xff])" + w.encode() + rb"(?![\w\x80-\xff])", data))
    assert leaked == []
    wal = store_path(coded).with_name("projet.sqlite-wal")
    assert not wal.exists() or wal.stat().st_size == 0

    with open_store(coded) as store:
        after = store_status(store)
        markers = store.execute("SELECT COUNT(*) FROM turns WHERE kind = 'event' AND text = ?",
                                (ERASED_MARKER,)).fetchone()[0]
        assert markers == turns_ambre
        memos = sorted(r[0] for r in store.execute("SELECT text FROM memos"))
        assert memos == ["Capucine soutient sa collègue.", "Séance dense."]
        row = store.execute("SELECT decision, needs_review, segment_id FROM codings WHERE id = ?",
                            (kept_coding,)).fetchone()
        assert tuple(row) == ("apply", 0, capucine)
        (log,) = store.erasures()
        assert (log["pseudonym"], log["operator"]) == ("Ambre", "Animatrice")
        assert json.loads(log["counts"]) == report.counts
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", log["erased_at"])
        # Each session's text is its turns joined by newlines, offsets exact.
        for session in store.execute("SELECT id, text FROM sessions"):
            for t in store.execute("SELECT start, end, text FROM turns WHERE session_id = ?",
                                   (session["id"],)):
                assert session["text"][t["start"]:t["end"]] == t["text"]
        for g in store.execute("SELECT g.start, g.end, g.text, s.text AS session FROM segments g "
                               "JOIN sessions s ON s.id = g.session_id"):
            assert g["session"][g["start"]:g["end"]] == g["text"]
    assert all("Ambre" not in s["speakers"] for s in after["sessions"])
    for a, b in zip(before["sessions"], after["sessions"]):
        assert a["events"] + a["speakers"].get("Ambre", {"turns": 0})["turns"] == b["events"]
        assert {k: v for k, v in a["speakers"].items() if k != "Ambre"} == b["speakers"]
    assert set(quotes(load_tables(coded))["speaker"]) and "Ambre" not in set(
        quotes(load_tables(coded))["speaker"])


def test_reimport_and_recode_never_store_them_again(coded):
    forget(coded, "ambre", operator="Animatrice")
    report = import_group(coded)
    assert not report.new and report.flagged == 0
    code_group(coded, progress=False)
    data = b"".join(p.read_bytes() for p in _files(coded))
    for phrase in NADIA_PHRASES:
        assert phrase.encode() not in data, phrase
    # A pseudonym changed afterwards in groupe.yaml does not bring them back (names hashed).
    yaml_path = coded / "groupe.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace('"Ambre"', '"Aurore"'),
                         encoding="utf-8")
    import_group(coded)
    with open_store(coded) as store:
        status = store_status(store)
        texts = " ".join(r[0] for r in store.execute("SELECT text FROM sessions"))
    assert all("Aurore" not in s["speakers"] for s in status["sessions"])
    assert "passe la main sous le drap" not in texts and ERASED_MARKER in texts


def test_unknown_person_and_facilitator(coded):
    with pytest.raises(GacpError) as info:
        forget(coded, "Nadine")
    assert str(info.value) == (
        f"E702 {coded} : personne inconnue « Nadine ». Indiquez un nom, un alias ou un pseudonyme "
        "de groupe.yaml ; les plus proches : Ambre.")  # « Nadia », shown by pseudonym
    with pytest.raises(GacpError) as info:
        forget(coded, "Claire")
    assert str(info.value) == ("E703 « Animatrice » est l'animation du groupe : seules les paroles "
                               "d'un·e participant·e peuvent être retirées avec « gacp forget ».")


def test_cli_asks_for_confirmation(coded, capsys, monkeypatch):
    size = store_path(coded).stat().st_size
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: refuse without --yes
    assert main(["forget", str(coded), "Karim"]) == 1
    err = capsys.readouterr().err
    assert "E705 confirmation impossible : pas de terminal pour répondre." in err

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal("non\n"))
    assert main(["forget", str(coded), "Karim"]) == 1
    assert "E704 opération annulée : rien n'a été modifié." in capsys.readouterr().err
    with open_store(coded) as store:
        assert store.erasures() == [] and store_path(coded).stat().st_size == size
    (coded / "bilan").mkdir()
    (coded / "bilan" / "bilan-Groupe A.html").write_text("<p>ancien bilan</p>", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", Terminal("oui\n"))
    assert main(["forget", str(coded), "Karim"]) == 0
    captured = capsys.readouterr()
    assert "Paroles de Basile retirées :" in captured.out and "Karim" not in captured.out
    assert f"W702 {coded} : fichiers écrits avant le retrait" in captured.err
    assert main(["forget", str(coded), "Basile", "--yes"]) == 0  # again: nothing left, no error
    assert "0 prise(s) de parole" in capsys.readouterr().out
