"""Import into the store: bad input leaves it untouched, re-imports keep codings and memos."""
from __future__ import annotations

import hashlib

import pytest

from gacp_analysis.corpus.importer import import_group
from gacp_analysis.errors import GacpError
from gacp_analysis.store import open_store, store_path

from conftest import FIXTURES, copy_group

MINI = FIXTURES / "mini"
HEADER = "---\nseance: 7\ndate: 2026-07-02\ntype: analyse\n---\n"


@pytest.fixture()
def folder(tmp_path):
    folder = copy_group(MINI, tmp_path / "mini")
    import_group(folder)
    return folder


def _dump(folder) -> str:
    with open_store(folder) as store:
        return "\n".join(store.conn.iterdump())


def _file_hash(folder) -> str:
    return hashlib.sha256(store_path(folder).read_bytes()).hexdigest()


def _fails(folder, code: str) -> str:
    """Import must fail with ``code`` and leave the store byte for byte as it was."""
    before = _file_hash(folder)
    with pytest.raises(GacpError) as info:
        import_group(folder)
    assert info.value.code == code, str(info.value)
    assert _file_hash(folder) == before
    return str(info.value)


def test_first_import_counts(folder):
    with open_store(folder) as store:
        counts = store.counts()
    # 3 sessions; turns: 4 + 4 + 4 (speech and events); segments counted by hand:
    # s3: 2 + 1 + 1, s4: 1 + 1 + 1 (« Pareil chez nous. » is 3 words),
    # s5: 1 + 2 (« Oui. » joins « Moi j'ai changé... ») + 1.
    assert counts == {"sessions": 3, "speakers": 3, "turns": 12, "segments": 11, "codings": 0, "memos": 0}


def test_reimport_unchanged_changes_nothing(folder):
    before = _dump(folder)
    report = import_group(folder)
    assert report.unchanged == [3, 4, 5] and report.new == [] and report.changed == []
    assert _dump(folder) == before


def test_unknown_speaker_names_file_line_and_closest(folder):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_text(HEADER + "Claire : On commence.\nNadja : Moi je veux bien.\n", encoding="utf-8")
    message = _fails(folder, "E110")
    assert message == (f"E110 {path}:7 : locuteur inconnu « Nadja ». Noms connus les plus proches : "
                       "Nadia, Nadia B.. Corrigez l'étiquette dans la transcription ou ajoutez "
                       "« Nadja » comme alias dans groupe.yaml.")


def test_missing_session_number(folder):
    path = folder / "seances/notes-reunion.txt"
    path.write_text("---\ndate: 2026-07-02\n---\nClaire : Bonjour.\n", encoding="utf-8")
    message = _fails(folder, "E111")
    assert message.startswith(f"E111 {path} : numéro de séance absent.")


def test_duplicate_session_number(folder):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_text(HEADER.replace("seance: 7", "seance: 4") + "Claire : Bonjour à tous.\n", encoding="utf-8")
    message = _fails(folder, "E112")
    # Files are read in name order: the .vtt of session 4 comes first.
    assert message.startswith(f"E112 {path} : le numéro de séance 4 est déjà celui de 2026-04-09_seance-04.vtt.")


def test_unreadable_date_names_the_line(folder):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_text("---\nseance: 7\ndate: 2026-13-45\n---\nClaire : Bonjour.\n", encoding="utf-8")
    message = _fails(folder, "E113")
    assert message.startswith(f"E113 {path}:3 : date illisible « 2026-13-45 ».")


def test_unreadable_date_in_sidecar(folder):
    side = folder / "seances/2026-04-09_seance-04.yaml"
    side.write_text("seance: 4\ntype: analyse\ndate: 9 avril\n", encoding="utf-8")
    message = _fails(folder, "E113")
    assert message.startswith(f"E113 {side}:3 : date illisible « 9 avril ».")


def test_undecodable_bytes(folder):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_bytes(HEADER.encode() + b"Claire : Bonjour \x81\x90 tous.\n")
    message = _fails(folder, "E115")
    assert message.startswith(f"E115 {path}:6 : octets illisibles")


def test_empty_transcript(folder):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_text(HEADER + "\n(silence)\n", encoding="utf-8")
    message = _fails(folder, "E116")
    assert message.startswith(f"E116 {path} : transcription vide")


def test_group_file_not_yaml(folder):
    path = folder / "groupe.yaml"
    path.write_text('groupe: "Mini"\nstructure: "X"\nanimation:\n  - nom: "Claire"\n   pseudonyme: A\n',
                    encoding="utf-8")
    message = _fails(folder, "E102")
    assert message.startswith(f"E102 {path}:5 : YAML invalide")


def test_group_file_missing_key(folder):
    path = folder / "groupe.yaml"
    text = path.read_text(encoding="utf-8").replace('structure: "Clinique du Port"\n', "")
    path.write_text(text, encoding="utf-8")
    message = _fails(folder, "E103")
    assert message.startswith(f"E103 {path} : clé obligatoire « structure » absente.")


def test_participant_without_pseudonym(folder):
    path = folder / "groupe.yaml"
    text = path.read_text(encoding="utf-8").replace('    pseudonyme: "Basile"\n', "")
    path.write_text(text, encoding="utf-8")
    message = _fails(folder, "E104")
    assert message == (f"E104 {path} : participants[2] (ligne 14) : clé « pseudonyme » absente ou vide. "
                       "Ajoutez « pseudonyme: ... » à cette personne.")


@pytest.mark.parametrize("encode, warning", [
    (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "W101"),
    (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "W102"),
    (lambda t: t.encode("cp1252"), "W103"),
])
def test_bom_crlf_and_windows_1252_are_read_with_a_warning(folder, encode, warning):
    path = folder / "seances/2026-07-02_seance-07.txt"
    path.write_bytes(encode(HEADER + "Nadia : J'étais épuisée, vraiment « à bout ».\n"))
    report = import_group(folder)
    assert report.new == [7]
    assert any(w.startswith(f"{warning} {path}") for w in report.warnings)
    with open_store(folder) as store:
        text = store.execute("SELECT text FROM sessions WHERE number = 7").fetchone()[0]
    assert text == "J'étais épuisée, vraiment « à bout »."


def _segment_id(folder, text: str) -> int:
    with open_store(folder) as store:
        return store.execute("SELECT id FROM segments WHERE text = ?", (text,)).fetchone()[0]


def test_changed_file_keeps_codings_and_memos(folder):
    kept_text = "Qui veut commencer ?"
    changed_text = ("Moi. Alors la semaine dernière, on était deux au lieu de trois et là il a "
                    "fallu faire les toilettes en une heure.")
    kept_id, changed_id = _segment_id(folder, kept_text), _segment_id(folder, changed_text)
    with open_store(folder) as store:
        store.add_human_coding(kept_id, "recit.situation", coder="Claire")
        store.add_human_coding(changed_id, "travail.contrainte", coder="Claire")
        store.add_memo("Toilettes en une heure : à reprendre au bilan.", author="Claire",
                       segment_id=changed_id, for_bilan=True)

    path = folder / "seances/2026-03-12_seance-03.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("en une heure", "en quarante minutes").replace("Bonjour", "Bonsoir"),
                    encoding="utf-8")
    report = import_group(folder)
    assert report.changed == [3] and report.unchanged == [4, 5]
    assert report.flagged == 2  # the coding and the memo on the changed sentence

    with open_store(folder) as store:
        rows = store.execute(
            "SELECT c.segment_id, c.code, c.needs_review, g.turn_id IS NULL AS orphan, g.text, g.start "
            "FROM codings c JOIN segments g ON g.id = c.segment_id ORDER BY c.id").fetchall()
        memo = store.execute("SELECT segment_id, needs_review, for_bilan FROM memos").fetchone()
        session_text = store.execute("SELECT text FROM sessions WHERE number = 3").fetchone()[0]
    # Unchanged sentence: same segment id, new offsets ("Bonsoir" has the length of "Bonjour").
    assert tuple(rows[0]) == (kept_id, "recit.situation", 0, 0, kept_text, 28)
    assert session_text[28:48] == kept_text
    # Changed sentence: coding kept on the old text, flagged "à revoir".
    assert tuple(rows[1]) == (changed_id, "travail.contrainte", 1, 1, changed_text, 49)
    assert tuple(memo) == (changed_id, 1, 1)

    # Importing again changes nothing more and flags nothing twice.
    again = import_group(folder)
    assert again.unchanged == [3, 4, 5] and again.flagged == 0


def test_bad_input_after_changes_rolls_back_everything(folder):
    """An error in a later file leaves even the earlier, valid changes unwritten."""
    path = folder / "seances/2026-03-12_seance-03.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Bonjour", "Bonsoir"), encoding="utf-8")
    bad = folder / "seances/2026-07-02_seance-07.txt"
    bad.write_text(HEADER + "Inconnu : bonjour\n", encoding="utf-8")
    _fails(folder, "E110")
