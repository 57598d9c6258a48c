"""The `gacp` command: init, import, status (text and JSON), exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gacp_analysis.cli import main
from gacp_analysis.corpus.group import load_group

from conftest import DEMO, FIXTURES, ROOT, copy_group


@pytest.fixture()
def mini(tmp_path):
    return copy_group(FIXTURES / "mini", tmp_path / "mini")


def test_status_json_counts_by_hand(mini, capsys):
    assert main(["import", str(mini)]) == 0
    capsys.readouterr()
    assert main(["status", str(mini), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["codings"] == 0
    assert status["groupe"] == "Groupe M"
    sessions = {s["number"]: s for s in status["sessions"]}
    assert list(sessions) == [3, 4, 5]
    # Session 3 (.txt): Claire 10 words, Nadia 23, Karim 7 (":" and "?" are tokens); one event.
    assert {k: sessions[3][k] for k in ("date", "type", "turns", "events", "words")} == {
        "date": "2026-03-12", "type": "analyse", "turns": 3, "events": 1, "words": 40}
    assert sessions[3]["speakers"] == {"Ambre": {"turns": 1, "words": 23},
                                       "Animatrice": {"turns": 1, "words": 10},
                                       "Basile": {"turns": 1, "words": 7}}
    # Session 4 (.vtt): two cues of Nadia form one turn of 8 words.
    assert sessions[4]["speakers"] == {"Ambre": {"turns": 1, "words": 8},
                                       "Animatrice": {"turns": 1, "words": 3},
                                       "Basile": {"turns": 1, "words": 3}}
    assert (sessions[4]["turns"], sessions[4]["events"]) == (3, 1)
    # Session 5 (.srt): Nadia 16 words over two cues.
    assert sessions[5]["speakers"]["Ambre"] == {"turns": 1, "words": 16}
    # No real name in the status output.
    assert "Nadia" not in json.dumps(status) and "Karim" not in json.dumps(status)


def test_status_text_lists_sessions(mini, capsys):
    main(["import", str(mini)])
    capsys.readouterr()
    assert main(["status", str(mini)]) == 0
    out = capsys.readouterr().out
    assert "  3  2026-03-12  analyse          3      1      40  seances/2026-03-12_seance-03.txt" in out
    assert "Ambre" in out and "Nadia" not in out


def test_status_before_import_is_bad_input(mini, capsys):
    assert main(["status", str(mini)]) == 1
    assert f"E132 {mini} : aucune séance importée" in capsys.readouterr().err


def test_bad_input_exit_code_1_and_french_message(mini, capsys):
    (mini / "seances/2026-07-02_seance-07.txt").write_text("Paul : bonjour\n", encoding="utf-8")
    assert main(["import", str(mini)]) == 1
    assert "locuteur inconnu « Paul »" in capsys.readouterr().err


def test_usage_error_exit_code_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["import"])
    assert info.value.code == 2
    assert "arguments obligatoires manquants" in capsys.readouterr().err
    assert main([]) == 2


def test_init_writes_a_valid_commented_template(tmp_path, capsys):
    folder = tmp_path / "nouveau"
    assert main(["init", str(folder)]) == 0
    text = (folder / "groupe.yaml").read_text(encoding="utf-8")
    assert "# groupe.yaml" in text and "bilan_ecrit: {accord: false, date: 2026-01-13}" in text
    assert "conservation:" in text
    group = load_group(folder)  # the template itself is valid
    assert group.participants[0].pseudonym == "Pseudo"
    assert (folder / "seances").is_dir()
    assert main(["init", str(folder)]) == 1
    assert "E140" in capsys.readouterr().err


def test_console_script_runs(mini):
    gacp = ROOT / ".venv" / "bin" / "gacp"
    cmd = [str(gacp)] if gacp.exists() else [sys.executable, "-m", "gacp_analysis.cli"]
    result = subprocess.run([*cmd, "import", str(mini)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "3 nouvelle(s) (3, 4, 5)" in result.stdout


def test_demo_corpus_imports_and_lists_every_session(demo_imported, capsys):
    assert main(["status", str(demo_imported), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    sessions = status["sessions"]
    assert [s["number"] for s in sessions] == list(range(8))
    assert [s["type"] for s in sessions] == ["information"] + ["analyse"] * 6 + ["bilan"]
    suffixes = {s["source"].rsplit(".", 1)[1] for s in sessions}
    assert {"txt", "docx", "vtt"} <= suffixes
    group = load_group(DEMO)
    pseudonyms = {s.pseudonym for s in group.speakers()}
    for s in sessions:
        assert set(s["speakers"]) <= pseudonyms
        assert sum(v["words"] for v in s["speakers"].values()) == s["words"]
        if s["type"] == "analyse":
            assert 2500 <= s["words"] <= 4000, (s["number"], s["words"])
    # Every participant speaks at least once over the accompaniment.
    spoken = set().union(*(s["speakers"] for s in sessions))
    assert spoken == pseudonyms
