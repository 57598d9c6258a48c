"""``gacp tag``: JSON Lines in, one JSON line out per input line."""
from __future__ import annotations

import io
import json

from gacp_analysis.coding.tag import tag_lines, tag_stream

LINES = [
    '{"id": 1, "text": "franchement j\'avais honte"}',
    '{"id": 2, "text": "pas fini',
    '',
    '{"id": 3}',
    '{"id": "q", "text": "Qui veut commencer ?", "facilitator": true}',
    '{"id": 5, "text": "moi aussi, chez nous c\'est pareil", "speaker": "Karim", '
    '"previous": {"speaker": "Nadia", "text": "on était deux au lieu de trois"}}',
]


def test_tag_lines(coder):
    out = list(tag_lines(LINES, coder))
    assert len(out) == 5  # the blank line 3 gives nothing
    first = out[0]
    assert first["id"] == 1 and "affect" in first["codes"]
    honte = next(e for e in first["evidence"] if e["code"] == "affect")
    assert (honte["start"], honte["end"], honte["text"], honte["rule"]) == (20, 25, "honte", "honte")
    assert out[1] == {"line": 2, "error": "E206 entrée standard, ligne 2 : JSON invalide "
                      "(Unterminated string starting at). Chaque ligne doit être un objet JSON, "
                      "par exemple {\"id\": 1, \"text\": \"...\"}."}
    assert out[2] == {"id": 3, "line": 4, "error": "E207 entrée standard, ligne 4 : champ « text » "
                      "absent ou vide. Chaque ligne doit contenir le texte à coder dans « text »."}
    assert out[3] == {"id": "q", "codes": [], "evidence": []}
    assert out[4]["id"] == 5 and "debat.accord" in out[4]["codes"]
    text = "moi aussi, chez nous c'est pareil"
    for e in out[4]["evidence"]:
        assert text[e["start"]:e["end"]] == e["text"]


def test_tag_stream_writes_json_lines_and_counts_errors(coder):
    stdout = io.StringIO()
    errors = tag_stream(io.StringIO("\n".join(LINES) + "\n"), stdout, coder)
    assert errors == 2
    rows = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [r.get("id") for r in rows] == [1, None, 3, "q", 5]


def test_tag_command(monkeypatch, capsys, coder):
    from gacp_analysis.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "a", "text": "je suis épuisée"}\n{]\n'))
    assert main(["tag"]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert rows[0]["id"] == "a" and "consequence.sante" in rows[0]["codes"]
    assert rows[1]["line"] == 2 and rows[1]["error"].startswith("E206 entrée standard, ligne 2")
    assert "1 ligne(s) en erreur" in captured.err
