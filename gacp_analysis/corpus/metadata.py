"""Session metadata: front matter (.txt), sidecar .yaml, or the file name."""
from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime
from pathlib import Path

from ..errors import E, GacpError
from ..models import SESSION_TYPES, SessionMeta
from .encoding import read_text
from .yamlio import line_of, load_yaml_text

FILENAME_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_s[ée]ance-?(?P<number>\d+)", re.IGNORECASE)
FILENAME_PATTERN = "AAAA-MM-JJ_seance-NN"


def split_front_matter(text: str, *, path: Path) -> tuple[str | None, int, int]:
    """Find a ``---`` front matter block at the top of a .txt transcript.

    Returns:
        (yaml text or None, file line of the yaml's first line, index of the
        first transcript line after the block, 0-based).
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return None, 0, 0
    for j in range(first + 1, len(lines)):
        if lines[j].strip() == "---":
            return "\n".join(lines[first + 1:j]), first + 2, j + 1
    raise GacpError(E.E118, path=path, line=first + 1,
                    problem="bloc « --- » ouvert mais jamais fermé")


def sidecar_path(path: Path) -> Path | None:
    for suffix in (".yaml", ".yml"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def _parse_date(value: object, *, path: Path, line: int | str) -> Date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, Date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise GacpError(E.E113, path=path, line=line, value=text)


def resolve_meta(path: Path, *, yaml_text: str | None = None, yaml_path: Path | None = None,
                 first_line: int = 1) -> SessionMeta:
    """Build a session's metadata from its YAML (front matter or sidecar) and file name.

    YAML values win over the file name. ``yaml_path`` is the file errors name
    (the sidecar, or the transcript for front matter).

    Raises:
        GacpError: E111 (no number), E113 (unreadable date), E114 (no date),
            E117 (unknown type), E118 (invalid YAML).
    """
    data: dict = {}
    doc = None
    where_path = yaml_path or path
    if yaml_text is not None:
        loaded, doc = load_yaml_text(yaml_text, path=where_path, first_line=first_line,
                                     template=E.E118)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise GacpError(E.E118, path=where_path, line=first_line,
                            problem="les métadonnées doivent être des lignes « clé: valeur »")
        data = loaded
    where = "front matter entre « --- »" if path.suffix.lower() == ".txt" else f"fichier {path.stem}.yaml"
    m = FILENAME_RE.match(path.name)

    number = data.get("seance")
    if number is None and m:
        number = int(m.group("number"))
    if number is None:
        raise GacpError(E.E111, path=path, where=where, suffix=path.suffix)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise GacpError(E.E123, path=where_path, line=line_of(doc, ["seance"], first_line=first_line),
                        value=number, key="seance", fix="écrivez un nombre entier (0, 1, 2...).")

    if "date" in data and data["date"] is not None:
        when = _parse_date(data["date"], path=where_path,
                           line=line_of(doc, ["date"], first_line=first_line))
    elif m:
        when = _parse_date(m.group("date"), path=path, line="nom du fichier")
    else:
        raise GacpError(E.E114, path=path, where=where, suffix=path.suffix)

    kind = str(data.get("type") or ("information" if number == 0 else "analyse")).strip().lower()
    if kind not in SESSION_TYPES:
        raise GacpError(E.E117, path=where_path, line=line_of(doc, ["type"], first_line=first_line),
                        value=kind)
    duration = data.get("duree_min")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)):
        raise GacpError(E.E123, path=where_path, line=line_of(doc, ["duree_min"], first_line=first_line),
                        value=duration, key="duree_min", fix="écrivez une durée en minutes (ex. 150).")
    return SessionMeta(number=number, date=when, type=kind, duration_min=duration)


def sidecar_meta(path: Path) -> tuple[SessionMeta, list[str]]:
    """Metadata for formats without front matter (.docx, .vtt, .srt)."""
    side = sidecar_path(path)
    if side is None:
        return resolve_meta(path), []
    text, warnings = read_text(side)
    return resolve_meta(path, yaml_text=text, yaml_path=side), warnings
