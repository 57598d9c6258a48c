"""Transcript readers: .txt, .docx, .vtt, .srt, registered by file suffix.

Each reader returns the file's units as :class:`~.turns.RawTurn` records and
the metadata; :func:`read_session` builds the :class:`~..models.Session`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..errors import E, GacpError
from ..models import Session, SessionMeta
from .encoding import read_text
from .group import Group
from .metadata import resolve_meta, sidecar_meta, split_front_matter
from .turns import RawTurn, build_session, is_event, parse_timestamp, split_label

Reader = Callable[[Path, Group], tuple[list[RawTurn], SessionMeta, list[str], bool]]
READERS: dict[str, Reader] = {}


def register(*suffixes: str) -> Callable[[Reader], Reader]:
    def wrap(func: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = func
        return func
    return wrap


def _line_units(lines: list[tuple[int | str, str]], group: Group, path: Path) -> list[RawTurn]:
    """Units of line-oriented text (txt lines, docx paragraphs)."""
    units: list[RawTurn] = []
    for line_no, line in lines:
        if not line.strip():
            continue
        timestamp, rest = parse_timestamp(line)
        if is_event(rest):
            units.append(RawTurn(line=line_no, label=None, text=rest.strip(), timestamp=timestamp,
                                 event=True))
            continue
        split = split_label(rest, group, path=path, line_no=line_no)
        if split is None:
            units.append(RawTurn(line=line_no, label=None, text=rest, timestamp=timestamp))
        else:
            units.append(RawTurn(line=line_no, label=split[0], text=split[1], timestamp=timestamp))
    return units


@register(".txt")
def read_txt(path: Path, group: Group) -> tuple[list[RawTurn], SessionMeta, list[str], bool]:
    """Plain text, optional YAML front matter, ``[hh:mm:ss] Name : text`` turns."""
    text, warnings = read_text(path)
    yaml_text, first_line, body_start = split_front_matter(text, path=path)
    if yaml_text is not None:
        meta = resolve_meta(path, yaml_text=yaml_text, yaml_path=path, first_line=first_line)
    else:
        meta, side_warnings = sidecar_meta(path)
        warnings += side_warnings
    lines = text.split("\n")
    numbered = [(i + 1, lines[i]) for i in range(body_start, len(lines))]
    return _line_units(numbered, group, path), meta, warnings, False


@register(".docx")
def read_docx(path: Path, group: Group) -> tuple[list[RawTurn], SessionMeta, list[str], bool]:
    """Word document typed by a secretary: one paragraph per turn, ``Name : text``.

    Line numbers in messages are paragraph numbers (« paragraphe N »).
    """
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise GacpError(E.E120, path=path, problem=str(exc) or type(exc).__name__) from exc
    meta, warnings = sidecar_meta(path)
    paragraphs = []
    for i, paragraph in enumerate(document.paragraphs, start=1):
        # Soft line breaks inside a paragraph are part of the same turn.
        paragraphs.append((f"paragraphe {i}", paragraph.text.replace("\n", " ").replace("\t", " ")))
    return _line_units(paragraphs, group, path), meta, warnings, False


_VTT_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
TIMING_RE = re.compile(rf"^\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}")
VOICE_RE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>(.*?)(?:</v>|$)", re.DOTALL)
TAG_RE = re.compile(r"</?[^>]+>")
BRACKET_LABEL_RE = re.compile(r"^\s*\[([^\[\]]{1,40})\]\s*(.*)$", re.DOTALL)


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _cue_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks, each a list of (line number, line)."""
    blocks, current = [], []
    for i, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            current.append((i, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cue_units(path: Path, group: Group, blocks: list[list[tuple[int, str]]]) -> list[RawTurn]:
    """Units of subtitle cues: a speaker from ``<v Name>``, ``Name:`` or ``[Name]``."""
    units: list[RawTurn] = []
    for block in blocks:
        timing_index = next((k for k, (_, line) in enumerate(block) if "-->" in line), None)
        if timing_index is None:
            continue  # NOTE, STYLE, REGION blocks, or a lone cue number
        line_no, timing = block[timing_index]
        m = TIMING_RE.match(timing)
        if not m:
            raise GacpError(E.E122, path=path, line=line_no, value=timing.strip())
        start = _seconds(m.groups()[:4])
        payload = "\n".join(line for _, line in block[timing_index + 1:])
        voices = VOICE_RE.findall(payload)
        if voices:
            for name, said in voices:
                said = " ".join(TAG_RE.sub("", said).split())
                units.append(_cue_unit(path, group, line_no, start, name.strip(), said))
            continue
        plain = " ".join(TAG_RE.sub("", payload).split())
        if not plain:
            continue
        if is_event(plain):
            inner = plain.strip()[1:-1].strip()
            if plain.strip().startswith("[") and group.resolve(inner) is not None:
                units.append(RawTurn(line=line_no, label=inner, text="", timestamp=start))
            else:
                units.append(RawTurn(line=line_no, label=None, text=plain, timestamp=start, event=True))
            continue
        bracket = BRACKET_LABEL_RE.match(plain)
        if bracket and group.resolve(bracket.group(1).strip()) is not None:
            units.append(RawTurn(line=line_no, label=bracket.group(1).strip(),
                                 text=bracket.group(2), timestamp=start))
            continue
        split = split_label(plain, group, path=path, line_no=line_no)
        if split is None:
            units.append(RawTurn(line=line_no, label=None, text=plain, timestamp=start))
        else:
            units.append(RawTurn(line=line_no, label=split[0], text=split[1], timestamp=start))
    return units


def _cue_unit(path: Path, group: Group, line_no: int, start: float, name: str, said: str) -> RawTurn:
    if group.resolve(name) is None:
        raise GacpError(E.E110, path=path, line=line_no, label=name,
                        closest=", ".join(group.closest_names(name)))
    return RawTurn(line=line_no, label=name, text=said, timestamp=start)


@register(".vtt")
def read_vtt(path: Path, group: Group) -> tuple[list[RawTurn], SessionMeta, list[str], bool]:
    """WebVTT as written by Teams, Zoom or Whisper tooling."""
    text, warnings = read_text(path)
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first.startswith("WEBVTT"):
        raise GacpError(E.E122, path=path, line=1, value=first[:40])
    meta, side_warnings = sidecar_meta(path)
    blocks = _cue_blocks(text)[1:]  # the header block
    return _cue_units(path, group, blocks), meta, warnings + side_warnings, True


@register(".srt")
def read_srt(path: Path, group: Group) -> tuple[list[RawTurn], SessionMeta, list[str], bool]:
    """SubRip subtitles; speaker from a ``NAME:`` or ``[Name]`` prefix."""
    text, warnings = read_text(path)
    meta, side_warnings = sidecar_meta(path)
    return _cue_units(path, group, _cue_blocks(text)), meta, warnings + side_warnings, True


def read_session(path: Path, group: Group) -> Session:
    """Read one transcript of the group into a :class:`Session`.

    Raises:
        GacpError: E119 for an unsupported format, or any reader error.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise GacpError(E.E119, path=path, suffix=path.suffix)
    units, meta, warnings, merge = reader(path, group)
    source = path.relative_to(group.folder).as_posix() if path.is_relative_to(group.folder) else path.name
    return build_session(units, meta=meta, group=group, path=path, source=source,
                         warnings=warnings, merge_same_speaker=merge)
