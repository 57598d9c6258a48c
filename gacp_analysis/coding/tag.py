"""``gacp tag``: code JSON Lines read from standard input, one result line per input line.

Input: ``{"id": ..., "text": ..., "speaker": ..., "facilitator": false,
"previous": {"speaker": ..., "text": ...}}`` (only ``text`` is required).
Output: ``{"id": ..., "codes": [...], "evidence": [{"code", "start", "end",
"text", "rule", "score"}]}`` with offsets into the input text; a bad line gives
``{"line": N, "error": "..."}`` and the other lines are still coded.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..errors import E
from .features import Unit

BATCH = 256


def _parse_line(line: str, number: int) -> tuple[object, Unit | None, dict | None]:
    """(id, unit, None) for a good line, (id, None, error object) for a bad one."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, {"line": number, "error": E.E206.format(line=number, problem=exc.msg)}
    if not isinstance(row, dict):
        return None, None, {"line": number, "error": E.E206.format(line=number,
                                                                   problem="ce n'est pas un objet")}
    ident = row.get("id")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return ident, None, {"id": ident, "line": number, "error": E.E207.format(line=number)}
    previous = row.get("previous") if isinstance(row.get("previous"), dict) else {}
    unit = Unit(text=text, speaker=row.get("speaker"), facilitator=bool(row.get("facilitator", False)),
                previous_speaker=previous.get("speaker"), previous_text=previous.get("text"))
    return ident, unit, None


def tag_lines(lines: Iterable[str], coder) -> Iterator[dict]:
    """Result objects, in input order (blank lines are skipped)."""
    pending: list[tuple[int, object, Unit | None, dict | None]] = []

    def flush() -> Iterator[dict]:
        units = [p[2] for p in pending if p[2] is not None]
        decisions = iter(coder.code(units)) if units else iter(())
        for _, ident, unit, error in pending:
            if error is not None:
                yield error
                continue
            ds = next(decisions)
            yield {"id": ident, "codes": [d.code for d in ds],
                   "evidence": [{"code": d.code, "start": s, "end": e, "text": unit.text[s:e],
                                 "rule": d.rule, "score": d.score} for d in ds for s, e in d.spans]}
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        pending.append((number, *_parse_line(line, number)))
        if len(pending) >= BATCH:
            yield from flush()
    yield from flush()


def tag_stream(stdin: TextIO, stdout: TextIO, coder) -> int:
    """Code ``stdin`` into ``stdout``; return the number of error lines."""
    errors = 0
    for result in tag_lines(stdin, coder):
        errors += "error" in result
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    stdout.flush()
    return errors
