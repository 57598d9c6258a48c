"""Audit files for real names before they leave the group folder.

:func:`audit_file` reads a file the way a curious reader would, not only as
its visible text: every XML part of an office document (DOCX, ODT, XLSX...)
including its properties (``docProps/core.xml``, ``meta.xml``) and the
images it embeds; a PDF's page text, information dictionary, XMP metadata
and bookmarks; an HTML page's text, attributes and embedded images; a PNG's
text chunks; and, for any other file, its bytes read as text. Each text is
searched for every secret of the group (real names, aliases, ``a_masquer``
strings, the organisation unless shown) with the masking rule of
:func:`gacp_analysis.privacy.find_secrets`.
"""
from __future__ import annotations

import base64
import html
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..errors import E
from ..privacy import find_secrets

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URI_RE = re.compile(rb"data:image/[a-z+]+;base64,([A-Za-z0-9+/=\s]+)")
TAG_RE = re.compile(r"<[^>]+>")
INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Leak:
    """A secret found in a file."""

    path: Path
    where: str  # the part of the file, e.g. « docProps/core.xml » or « page 3 »
    secret: str
    excerpt: str


@dataclass
class AuditReport:
    """The result of auditing files: what was checked, what leaked, what could not be read."""

    checked: list[Path] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unreadable and not self.missing

    def leaking_files(self) -> list[Path]:
        return list(dict.fromkeys(leak.path for leak in self.leaks))

    def messages(self) -> list[str]:
        """One French message per leaking or unreadable file (E404, E406)."""
        out = []
        for path in self.leaking_files():
            found = "; ".join(f"« {leak.secret} » ({leak.where} : « {leak.excerpt} »)"
                              for leak in self.leaks if leak.path == path)
            out.append(E.E404.format(path=path, found=found))
        for path, problem in self.unreadable:
            out.append(E.E406.format(path=path, problem=problem))
        for path in self.missing:
            out.append(E.E405.format(path=path))
        return out


class Unreadable(Exception):
    """A file whose content could not be read: it cannot be declared clean."""


# -- extracting texts ---------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _raw_texts(data: bytes) -> list[str]:
    """Bytes read as UTF-8 and as Latin-1 (metadata of binary files is often either)."""
    return [_decode(data), data.decode("latin-1")]


def _xml_texts(data: bytes) -> list[str]:
    """An XML part's text (runs joined, and separated) and its attribute values."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return [TAG_RE.sub(" ", html.unescape(_decode(data)))]
    pieces = list(root.itertext())
    attributes = [v for el in root.iter() for v in el.attrib.values()]
    # Joined: a name split across runs (« Na » « dia »); separated: words of adjacent paragraphs.
    return ["".join(pieces), " ".join(pieces), " ".join(attributes)]


def png_texts(data: bytes) -> list[str]:
    """Text chunks of a PNG (tEXt, zTXt, iTXt) and its EXIF block, decoded."""
    if not data.startswith(PNG_MAGIC):
        raise Unreadable("ce n'est pas une image PNG")
    texts, pos = [], len(PNG_MAGIC)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        try:
            if kind == b"tEXt":
                texts.append(chunk.replace(b"\0", b" ").decode("latin-1"))
            elif kind == b"zTXt":
                key, _, rest = chunk.partition(b"\0")
                texts.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
            elif kind == b"iTXt":
                key, _, rest = chunk.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _translated, _, body = rest.partition(b"\0")
                body = zlib.decompress(body) if compressed else body
                texts.append(key.decode("latin-1") + " " + body.decode("utf-8", errors="replace"))
            elif kind == b"eXIf":
                texts.extend(_raw_texts(chunk))
        except (zlib.error, IndexError) as exc:
            raise Unreadable(f"bloc {kind.decode('latin-1')} de l'image illisible ({exc})") from exc
        if kind == b"IEND":
            break
    return texts


def _zip_texts(data: bytes) -> Iterator[tuple[str, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"archive ZIP invalide ({exc})") from exc
    for name in names:
        if name.endswith("/"):
            continue
        try:
            part = archive.read(name)
        except (zipfile.BadZipFile, RuntimeError, zlib.error) as exc:
            raise Unreadable(f"partie {name} illisible ({exc})") from exc
        yield from _texts_of(part, name)


def _pdf_texts(data: bytes) -> Iterator[tuple[str, list[str]]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        for number, page in enumerate(reader.pages, 1):
            yield f"page {number}", [page.extract_text() or ""]
        info = reader.metadata or {}
        yield "métadonnées du PDF", [" ".join(f"{k} {v}" for k, v in info.items())]
        xmp = reader.trailer["/Root"].get("/Metadata")
        if xmp is not None:
            yield "métadonnées XMP du PDF", _xml_texts(xmp.get_object().get_data())

        def titles(outline) -> Iterator[str]:
            for item in outline:
                if isinstance(item, list):
                    yield from titles(item)
                else:
                    yield str(getattr(item, "title", "") or "")
        yield "signets du PDF", [" ".join(titles(reader.outline))]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"PDF illisible ({exc})") from exc


def _html_texts(data: bytes) -> Iterator[tuple[str, list[str]]]:
    source = _decode(data)
    without_scripts = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", source)
    yield "texte de la page", [html.unescape(TAG_RE.sub(" ", without_scripts))]
    yield "source de la page", [html.unescape(TAG_RE.sub(" ", re.sub(
        rb"data:[^\"')\s]+".decode(), " ", source))), html.unescape(source)]
    for i, match in enumerate(DATA_URI_RE.finditer(data), 1):
        try:
            image = base64.b64decode(re.sub(rb"\s+", b"", match.group(1)))
        except ValueError as exc:
            raise Unreadable(f"image intégrée n° {i} illisible ({exc})") from exc
        yield from _texts_of(image, f"image intégrée n° {i}")


def _texts_of(data: bytes, name: str) -> Iterator[tuple[str, list[str]]]:
    """(where, texts) pairs of a file's content, by what the bytes are (not the name)."""
    lower = name.lower()
    head = data[:1024].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        yield from _zip_texts(data)
    elif data.startswith(b"%PDF"):
        yield from _pdf_texts(data)
    elif data.startswith(PNG_MAGIC):
        yield name, png_texts(data)
    elif lower.endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html")):
        yield from _html_texts(data)
    elif lower.endswith((".xml", ".rels", ".svg")) or head.startswith(b"<?xml"):
        yield name, _xml_texts(data)
    else:
        yield name, _raw_texts(data)


# -- auditing -------------------------------------------------------------------------------

def _canonical(text: str) -> str:
    """Text as a reader sees it: ligatures unfolded (« ﬁ » -> « fi »), invisible characters
    (soft hyphen, zero-width spaces and joiners, BOM) removed, so they cannot hide a name."""
    return unicodedata.normalize("NFKC", INVISIBLE_RE.sub("", text))


def audit_file(path: Path, secrets: Iterable[str]) -> list[Leak]:
    """Every secret found in a file, at most once per secret and part of the file.

    Raises:
        Unreadable: the file (or a part of it) could not be read.
    """
    path = Path(path)
    secrets = list(secrets)
    leaks, seen = [], set()
    for where, texts in _texts_of(path.read_bytes(), path.name):
        for text in texts:
            for secret, excerpt in find_secrets(_canonical(text), secrets):
                if (where, secret) not in seen:
                    seen.add((where, secret))
                    leaks.append(Leak(path=path, where=where, secret=secret, excerpt=excerpt))
    return leaks


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files to audit: the files given, and every file under the folders given."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            out.append(path)
    return out


def audit_paths(paths: Iterable[Path | str], secrets: Iterable[str]) -> AuditReport:
    """Audit files and folders (recursively); a missing path makes the audit fail."""
    secrets = list(secrets)
    report = AuditReport()
    for path in expand(paths):
        if not path.is_file():
            report.missing.append(path)
            continue
        report.checked.append(path)
        try:
            report.leaks.extend(audit_file(path, secrets))
        except Unreadable as exc:
            report.unreadable.append((path, str(exc)))
        except OSError as exc:
            report.unreadable.append((path, exc.strerror or str(exc)))
    return report
