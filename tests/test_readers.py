"""Each reader on a small hand-made transcript: turns, speakers, timestamps, offsets."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from gacp_analysis.corpus.group import load_group
from gacp_analysis.corpus.readers import read_session
from gacp_analysis.errors import GacpError

from conftest import FIXTURES, copy_group

MINI = FIXTURES / "mini"


@pytest.fixture()
def group(tmp_path):
    return load_group(copy_group(MINI, tmp_path / "mini"))


def _turns(session):
    return [(t.kind, t.speaker, t.text, t.line, t.timestamp) for t in session.turns]


def _check_offsets(session):
    for turn in session.turns:
        assert session.text[turn.start:turn.end] == turn.text
    for segment in session.segments:
        assert session.text[segment.start:segment.end] == segment.text


def test_txt_turns_events_timestamps(group):
    session = read_session(group.folder / "seances/2026-03-12_seance-03.txt", group)
    assert (session.meta.number, session.meta.date.isoformat(), session.meta.type) == (3, "2026-03-12", "analyse")
    assert _turns(session) == [
        ("speech", "Animatrice", "Bonjour à toutes et à tous. Qui veut commencer ?", 6, 12.0),
        ("speech", "Ambre", "Moi. Alors la semaine dernière, on était deux au lieu de trois et là il a "
                            "fallu faire les toilettes en une heure.", 7, None),
        ("event", None, "(rires)", 9, None),
        ("speech", "Basile", 'Et elle t\'a dit : "débrouillez-vous" ?', 10, 220.0),
    ]
    # Offsets counted by hand: turn 0 is 48 characters, turns are joined by "\n".
    assert [(t.start, t.end) for t in session.turns] == [(0, 48), (49, 162), (163, 170), (171, 209)]
    # "Moi." alone is too short to be a segment: it joins the next sentence.
    assert [(s.start, s.end) for s in session.segments] == [(0, 27), (28, 48), (49, 162), (171, 209)]
    assert [s.turn_index for s in session.segments] == [0, 0, 1, 3]
    _check_offsets(session)
    assert session.warnings == ()


def test_vtt_voices_merge_consecutive_cues(group):
    session = read_session(group.folder / "seances/2026-04-09_seance-04.vtt", group)
    assert (session.meta.number, session.meta.date.isoformat()) == (4, "2026-04-09")
    assert _turns(session) == [
        ("speech", "Animatrice", "Bonjour à tous.", 4, 1.0),
        ("speech", "Ambre", "Alors moi la nuit dernière on était deux.", 8, 4.5),
        ("event", None, "[Rires]", 16, 10.0),
        ("speech", "Basile", "Pareil chez nous.", 20, 11.5),
    ]
    _check_offsets(session)


def test_srt_prefixes_and_metadata_from_file_name(group):
    session = read_session(group.folder / "seances/2026-05-07_seance-05.srt", group)
    assert (session.meta.number, session.meta.date.isoformat(), session.meta.type) == (5, "2026-05-07", "analyse")
    assert _turns(session) == [
        ("speech", "Animatrice", "On reprend ?", 2, 1.0),
        ("speech", "Ambre", "Oui. Moi j'ai changé ma façon de faire les transmissions. "
                            "Je note tout sur un papier.", 6, 3.5),
        ("event", None, "[rires]", 15, 8.5),
        ("speech", "Basile", "Nous on ne fait pas comme ça.", 19, 9.5),
    ]
    _check_offsets(session)


def _write_docx(path: Path, paragraphs: list[tuple[str | None, str]]) -> None:
    document = docx.Document()
    for name, text in paragraphs:
        paragraph = document.add_paragraph()
        if name:
            paragraph.add_run(name).bold = True
            paragraph.add_run(" : " + text)
        else:
            paragraph.add_run(text)
    document.save(str(path))


def test_docx_bold_labels_and_continuation_paragraphs(group):
    path = group.folder / "seances/2026-06-04_seance-06.docx"
    _write_docx(path, [
        (None, "Groupe d'analyse des pratiques - séance du 4 juin 2026"),
        ("Claire", "Qui commence ?"),
        ("Nadia", "Moi je veux bien."),
        (None, "La nuit de lundi on a eu trois chutes."),
        (None, "(silence)"),
        ("Karim L.", "Trois chutes, d'accord."),
    ])
    (group.folder / "seances/2026-06-04_seance-06.yaml").write_text("seance: 6\ndate: 2026-06-04\n",
                                                                      encoding="utf-8")
    session = read_session(path, group)
    assert _turns(session) == [
        ("speech", "Animatrice", "Qui commence ?", "paragraphe 2", None),
        ("speech", "Ambre", "Moi je veux bien. La nuit de lundi on a eu trois chutes.", "paragraphe 3", None),
        ("event", None, "(silence)", "paragraphe 5", None),
        ("speech", "Basile", "Trois chutes, d'accord.", "paragraphe 6", None),
    ]
    # The title before the first turn is not lost silently: a warning names it.
    assert len(session.warnings) == 1 and session.warnings[0].startswith("W105 ")
    assert "paragraphe 1" in session.warnings[0]
    _check_offsets(session)


def test_docx_unreadable_file(group):
    path = group.folder / "seances/2026-06-04_seance-06.docx"
    path.write_bytes(b"PK\x03\x04 pas vraiment un docx")
    with pytest.raises(GacpError) as info:
        read_session(path, group)
    assert info.value.code == "E120"
    assert str(path) in str(info.value)


def test_colon_inside_speech_does_not_start_a_turn(group):
    path = group.folder / "seances/2026-03-12_seance-03.txt"
    path.write_text("---\nseance: 3\ndate: 2026-03-12\n---\nNadia : Et là elle me fait\n"
                    "elle m'a dit : non, pas ce soir\n", encoding="utf-8")
    session = read_session(path, group)
    assert _turns(session) == [
        ("speech", "Ambre", "Et là elle me fait elle m'a dit : non, pas ce soir", 5, None)]


def test_label_case_and_alias_resolution(group):
    path = group.folder / "seances/2026-03-12_seance-03.txt"
    path.write_text("---\nseance: 3\ndate: 2026-03-12\n---\nNADIA: Oui je suis là.\n"
                    "nadia b. : Encore moi ici.\n[12:05] Karim L. : Bon on y va.\n", encoding="utf-8")
    session = read_session(path, group)
    assert [(t.speaker, t.timestamp) for t in session.turns] == [
        ("Ambre", None), ("Ambre", None), ("Basile", 725.0)]
