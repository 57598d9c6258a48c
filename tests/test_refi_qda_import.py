"""REFI-QDA import of a project written by another tool (hand-written fixture).

``tests/fixtures/qdpx/nvivo`` is a project as NVivo, ATLAS.ti, MAXQDA or QualCoder write one:
a ``.qde`` not named project.qde, texts in ``Sources/`` named by upper-case GUIDs, source 1
with a UTF-8 BOM, CRLF line ends, speaker labels with the real first names, accented letters
and emoji (non-BMP) before the coded passages; two coders; a note. Its positions were computed
by hand in code points of each text (BOM not counted, CR+LF two characters):

source 1 (« Claire : Bonsoir à tous 👋, qui commence ?\\r\\nNadia : L'aînée a crié « ça
suffit » 👍 et je suis partie. J'ai pleuré dans la voiture.\\r\\nKarim : Moi aussi avec Mme
Lefort. On se sent seul face à la famille.\\r\\n... »): line 1 is 41 code points + CRLF, so
line 2 starts at 43 and its words at 51 (« Nadia : » is 8); « je » is the 35th code point of
the words (« L'aînée a crié « ça suffit » 👍 et » is 34, the emoji one), hence 85-99 « je suis
partie », 101-129 « J'ai pleuré dans la voiture. »; line 2 is 86 long, so line 3 starts at
131 (its label) and 166-199 is « On se sent seul face à la famille ».
source 2 (LF, no BOM): line 2 starts at 54, its words at 62, 62-112 two sentences.

The group's store text (labels gone, names masked at import) puts the same words at:
session 1 « je suis partie » 67-81 inside segment 33-82; segment 83-111 « J'ai pleuré... »;
segment 112-140 « Moi aussi avec [nom masqué]. »; « On se sent seul face à la famille »
141-174 inside segment 141-175; session 2 segments 45-64 and 65-95.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, copy_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.export.qdpx_import import import_qdpx
from gacp_analysis.export.refi_qda import schema_path
from gacp_analysis.store import open_store

NVIVO = FIXTURES / "qdpx" / "nvivo"
GROUP = FIXTURES / "refi" / "groupe"
SOURCE_1 = NVIVO / "Sources" / "8A1F0C3E-2B4D-4E6F-9A1B-3C5D7E9F1A2B.txt"


def zip_dir(folder: Path, out: Path, *, replace: dict[str, bytes] | None = None) -> Path:
    """A QDPX of a fixture folder (file names kept as written, ``Sources/`` included)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.writestr(name, (replace or {}).get(name, path.read_bytes()))
    return out


def imported_group(tmp_path: Path, name: str = "groupe") -> Path:
    folder = copy_group(GROUP, tmp_path / name)
    import_group(folder)
    return folder


def coded(folder: Path) -> list[tuple]:
    """(session, code, coder, provenance, start, end, coded text) of every coding, sorted."""
    with open_store(folder) as store:
        rows = store.execute(
            "SELECT s.number, c.code, c.coder, c.provenance, c.start, c.end, s.text, g.text "
            "FROM codings c JOIN segments g ON g.id = c.segment_id "
            "JOIN sessions s ON s.id = g.session_id").fetchall()
    return sorted(((n, code, coder, prov, start, end,
                    text[start:end] if start is not None else seg)
                   for n, code, coder, prov, start, end, text, seg in rows),
                  key=lambda r: (r[0], r[1], r[2], r[6]))


def test_the_fixture_is_what_its_docstring_says():
    data = SOURCE_1.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 4
    text = data.decode("utf-8-sig")
    assert (text[85:99], text[101:129], text[131:165], text[166:199]) == (
        "je suis partie", "J'ai pleuré dans la voiture.", "Karim : Moi aussi avec Mme Lefort.",
        "On se sent seul face à la famille")
    assert "👍" in text[:85] and "👋" in text[:85]
    qde = etree.parse(str(NVIVO / "Projet Passeurs.qde"))
    etree.XMLSchema(etree.parse(str(schema_path("qdpx")))).assertValid(qde)


def test_hand_written_project_lands_every_selection_on_its_words(tmp_path):
    folder = imported_group(tmp_path)
    qdpx = zip_dir(NVIVO, tmp_path / "nvivo.qdpx")
    report = import_qdpx(qdpx, folder)
    assert coded(folder) == [
        (1, "affect", "Jean Roux", "human", None, None, "J'ai pleuré dans la voiture."),
        (1, "affect", "Jean Roux", "human", 141, 174, "On se sent seul face à la famille"),
        # the coding with no creatingUser takes its selection's
        (1, "consequence.sante", "Sophie Martin", "human", None, None,
         "J'ai pleuré dans la voiture."),
        # a selection starting on the speaker label starts on the turn's first word;
        # « Mme Lefort » of the other tool's text is « [nom masqué] » in the store
        (1, "recit.situation", "Jean Roux", "human", None, None, "Moi aussi avec [nom masqué]."),
        (1, "recit.situation", "Sophie Martin", "human", 67, 81, "je suis partie"),
        # one selection over two sentences: one coding on each segment; « Nadia » is « Ambre »
        (2, "travail.contrainte", "Jean Roux", "human", None, None, "Ambre avait raison."),
        (2, "travail.contrainte", "Jean Roux", "human", None, None,
         "Le planning change sans arrêt."),
    ]
    assert (report.sources, report.codings, report.memos) == (2, 7, 1)
    assert report.by_coder == {"Jean Roux": 5, "Sophie Martin": 2}
    assert report.warnings == []
    with open_store(folder) as store:
        dates = sorted(r[0] for r in store.execute("SELECT created_at FROM codings"))
        memos = store.execute(
            "SELECT m.text, m.author, g.text, s.number, m.created_at FROM memos m "
            "JOIN segments g ON g.id = m.segment_id JOIN sessions s ON s.id = m.session_id"
        ).fetchall()
    assert [tuple(m) for m in memos] == [(
        "Partir : fuite ou protection ? À reprendre avec le groupe 🤔.", "Sophie Martin",
        "L'aînée a crié « ça suffit » 👍 et je suis partie.", 1,
        "2026-03-01T09:12:00+00:00")]
    # the dates of the codings are the other tool's (creationDateTime), not the import's
    assert dates == ["2026-03-01T09:10:00+00:00", "2026-03-01T09:11:00+00:00",
                     "2026-03-02T14:00:00+00:00", "2026-03-02T14:05:00+00:00",
                     "2026-03-02T14:06:00+00:00", "2026-03-02T14:10:00+00:00",
                     "2026-03-02T14:10:00+00:00"]


def test_importing_the_same_project_twice_adds_nothing(tmp_path):
    folder = imported_group(tmp_path)
    qdpx = zip_dir(NVIVO, tmp_path / "nvivo.qdpx")
    import_qdpx(qdpx, folder)
    with open_store(folder) as store:
        before = list(store.conn.iterdump())
    import_qdpx(qdpx, folder)
    with open_store(folder) as store:
        assert list(store.conn.iterdump()) == before


def test_a_later_decision_of_the_coder_survives_a_re_import(tmp_path):
    """A coder who rejected, here, a code they had applied in the other tool keeps the reject."""
    folder = imported_group(tmp_path)
    qdpx = zip_dir(NVIVO, tmp_path / "nvivo.qdpx")
    import_qdpx(qdpx, folder)
    with open_store(folder) as store:
        seg = store.execute("SELECT segment_id FROM codings WHERE code = 'consequence.sante'"
                            ).fetchone()[0]
        store.add_human_coding(seg, "consequence.sante", coder="Sophie Martin", decision="reject")
        before = list(store.conn.iterdump())
    import_qdpx(qdpx, folder)
    with open_store(folder) as store:
        assert list(store.conn.iterdump()) == before


SOURCE_1_POSITIONS = [(85, 99), (101, 129), (131, 165), (166, 199)]


def _shifted_project(shift) -> bytes:
    """The fixture's .qde with source 1's positions counted another way."""
    qde = (NVIVO / "Projet Passeurs.qde").read_text(encoding="utf-8")
    for start, end in SOURCE_1_POSITIONS:
        qde = qde.replace(f'startPosition="{start}" endPosition="{end}"',
                          f'startPosition="{shift(start)}" endPosition="{shift(end)}"')
    return qde.encode("utf-8")


@pytest.mark.parametrize("shift, convention", [
    # UTF-16 code units: the two emoji before the passages count two each (+1 +1)
    (lambda p: p + 2, "en unités UTF-16 (un emoji compte pour deux)"),
    # CR+LF counted as one character: -1 on line 2, -2 on line 3
    (lambda p: p - (1 if p < 131 else 2),
     "avec les fins de ligne CR+LF comptées pour un caractère"),
], ids=["utf16", "crlf-as-one"])
def test_positions_counted_another_way_land_on_the_same_words(tmp_path, shift, convention):
    folder = imported_group(tmp_path)
    expected_folder = imported_group(tmp_path, "attendu")
    import_qdpx(zip_dir(NVIVO, tmp_path / "standard.qdpx"), expected_folder)
    qdpx = zip_dir(NVIVO, tmp_path / "other.qdpx",
                   replace={"Projet Passeurs.qde": _shifted_project(shift)})
    report = import_qdpx(qdpx, folder)
    assert coded(folder) == coded(expected_folder)
    assert report.warnings == [
        f"W602 {qdpx} : source « 2026-01-12_seance-01 » : positions lues {convention} (c'est "
        "ainsi que toutes ses sélections tombent sur des mots entiers)."]


def test_a_code_on_a_whole_source_is_reported(tmp_path):
    folder = imported_group(tmp_path)
    qde = (NVIVO / "Projet Passeurs.qde").read_text(encoding="utf-8").replace(
        '    </TextSource>\n    <TextSource guid="5E2D',
        '      <Coding guid="44444444-AAAA-4BBB-8CCC-DDDDDDDDDDD1">\n'
        '        <CodeRef targetGUID="E5F6A7B8-C9D0-4123-E4F5-A6B7C8D9E0F1"/>\n'
        '      </Coding>\n    </TextSource>\n    <TextSource guid="5E2D')
    qdpx = zip_dir(NVIVO, tmp_path / "whole.qdpx", replace={"Projet Passeurs.qde": qde.encode()})
    report = import_qdpx(qdpx, folder)
    assert report.codings == 7
    assert report.warnings == [
        f"W603 {qdpx} : 1 codage(s) d'une source entière (et non d'un passage) ignoré(s) : "
        "« Contrainte ». Une séance n'a pas de code dans son ensemble ici : codez les passages "
        "dans votre logiciel, ou notez-le dans un mémo de séance."]


def test_a_project_zipped_by_hand_inside_a_folder(tmp_path):
    """A user who zips the project folder gets « Projet/Projet Passeurs.qde » and
    « Projet/Sources/... »: read as if at the root."""
    plain = imported_group(tmp_path, "a")
    import_qdpx(zip_dir(NVIVO, tmp_path / "root.qdpx"), plain)
    nested = imported_group(tmp_path, "b")
    path = tmp_path / "nested.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(NVIVO.rglob("*")):
            if file.is_file():
                archive.writestr("Projet/" + file.relative_to(NVIVO).as_posix(), file.read_bytes())
    import_qdpx(path, nested)
    assert coded(nested) == coded(plain) and len(coded(plain)) == 7
