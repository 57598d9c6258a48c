"""Audit files for real names before they leave the group folder.

:func:`audit_file` reads a file the way a reader of it can, and only that:
an office document's text (body, headers, footers, footnotes, comments,
every XML part's text nodes) with its alternative texts and titles of
images, its document properties (``docProps/*.xml``, ``meta.xml``) and the
metadata of the images it embeds; a PDF's page text, annotations,
information dictionary, XMP metadata and bookmarks; an HTML page's visible
text, its shown attributes (``alt``, ``title``, ``aria-label``,
``placeholder``), its title and ``<meta>`` contents and its embedded
images; an image's metadata (PNG text chunks, EXIF, XMP, comments); and,
for any other file, its bytes read as text. Markup is not text: XML
attributes (``w:lang w:val="ja-JP"``), style and class names, CSS and
scripts are not read. Each text is searched for every secret of the group
(real names, aliases, ``a_masquer`` strings, the organisation unless shown)
with the masking rule of :func:`gacp_analysis.privacy.find_secrets` (whole
words, case as :func:`gacp_analysis.privacy.case_rule` decides).
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


# Elements that end a word in the text a reader sees: paragraphs, cells, breaks, tabs, ODF's
# <text:s/> (a space); runs and spans are inline and join their texts (« Na » « dia »).
XML_BREAKS = frozenset({"p", "h", "br", "cr", "tab", "tc", "tr", "table-cell", "s", "line-break",
                        "list-item", "title", "desc", "t-break", "footnote", "endnote", "comment"})
SHOWN_XML_ATTRIBUTES = frozenset({"descr", "title", "alt"})  # alternative texts of images


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_reading(root) -> str:
    """The text nodes of an XML tree as a reader sees them, plus shown attributes."""
    out: list[str] = []

    def walk(el) -> None:
        local = _local(el.tag)
        brk = local in XML_BREAKS
        if brk:
            out.append(" ")
        for name, value in el.attrib.items():
            if _local(name) in SHOWN_XML_ATTRIBUTES:
                out.append(f" {value} ")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if brk:
            out.append(" ")

    walk(root)
    return "".join(out)


def _xml_texts(data: bytes, *, fields: bool = False) -> list[str]:
    """An XML part's readable text: text nodes (not attributes: markup), and alternative texts.

    ``fields``: a part of properties (``docProps/core.xml``, ``meta.xml``, XMP), where each
    element is a field of its own, read apart.
    """
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return [TAG_RE.sub(" ", html.unescape(_decode(data)))]
    texts = [" \n ".join(root.itertext()) if fields else _xml_reading(root)]
    # A hyperlink's target is shown to a reader who points at the link.
    texts += [el.attrib.get("Target", "") for el in root.iter()
              if _local(el.tag) == "Relationship" and el.attrib.get("TargetMode") == "External"]
    return texts


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
                texts.extend(exif_texts(chunk))
        except (zlib.error, IndexError) as exc:
            raise Unreadable(f"bloc {kind.decode('latin-1')} de l'image illisible ({exc})") from exc
        if kind == b"IEND":
            break
    return texts


IMAGE_MAGICS = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"RIFF")
EXIF_IFDS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, interoperability sub-directories


def _value_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").replace("\0", " ")
    if isinstance(value, (tuple, list)):
        return " ".join(_value_text(v) for v in value)
    return str(value)


def exif_texts(data: bytes) -> list[str]:
    """The values of an EXIF block (author, description, comment...), as text."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(data)
        values = list(exif.values())
        for ifd in EXIF_IFDS:
            values += list(exif.get_ifd(ifd).values())
    except Exception as exc:  # Pillow raises many kinds on a broken block
        raise Unreadable(f"métadonnées EXIF illisibles ({exc})") from exc
    return [" ".join(_value_text(v) for v in values if isinstance(v, (str, bytes, tuple)))]


def image_texts(data: bytes) -> list[str]:
    """Metadata of a JPEG, GIF, TIFF or WebP image: comments, EXIF, XMP, text entries."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            info = dict(image.info)
            exif = image.getexif()
            values = list(exif.values())
            for ifd in EXIF_IFDS:
                values += list(exif.get_ifd(ifd).values())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Unreadable(f"image illisible ({exc})") from exc
    texts = [" ".join(_value_text(v) for v in values if isinstance(v, (str, bytes, tuple)))]
    for key, value in info.items():
        if key in ("xmp", "XML:com.adobe.xmp") and isinstance(value, (bytes, str)):
            raw = value.encode("utf-8") if isinstance(value, str) else value
            texts.extend(_xml_texts(raw.strip(b"\0 "), fields=True))
        elif key == "exif" and isinstance(value, bytes):
            continue  # read above, tag by tag
        elif isinstance(value, (str, bytes)):
            texts.append(f"{key} {_value_text(value)}")
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
        yield from _texts_of(part, name, inside=True)


def _pdf_texts(data: bytes) -> Iterator[tuple[str, list[str]]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        for number, page in enumerate(reader.pages, 1):
            yield f"page {number}", [page.extract_text() or ""]
            notes = []
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                notes += [str(annotation.get(k, "")) for k in ("/Contents", "/T", "/Subj")]
            if any(notes):
                yield f"annotations de la page {number}", [" \n ".join(notes)]
        info = reader.metadata or {}
        yield "métadonnées du PDF", [" \n ".join(str(v) for v in info.values())]
        xmp = reader.trailer["/Root"].get("/Metadata")
        if xmp is not None:
            yield "métadonnées XMP du PDF", _xml_texts(xmp.get_object().get_data(),
                                                                 fields=True)

        def titles(outline) -> Iterator[str]:
            for item in outline:
                if isinstance(item, list):
                    yield from titles(item)
                else:
                    yield str(getattr(item, "title", "") or "")
        yield "signets du PDF", [" ".join(titles(reader.outline))]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"PDF illisible ({exc})") from exc


# What a browser shows of an element besides its text (tooltips, alternative texts, fields).
SHOWN_HTML_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "label")
HTML_HIDDEN = ("script", "style", "template")
HTML_BLOCKS = ("p", "div", "td", "th", "tr", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
               "h6", "br", "hr", "caption", "figcaption", "blockquote", "pre", "section",
               "article", "header", "footer", "table", "ul", "ol", "title", "option")


def html_reading(soup) -> str:
    """The visible text of a parsed page: inline elements joined, blocks apart, no scripts."""
    from bs4 import Comment, NavigableString

    out: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                out.append(str(child))
                continue
            if child.name in HTML_HIDDEN:
                continue
            block = child.name in HTML_BLOCKS
            if block:
                out.append("\n")
            walk(child)
            if block:
                out.append("\n")

    walk(soup)
    return "".join(out)


def _html_texts(data: bytes) -> Iterator[tuple[str, list[str]]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    yield "texte de la page", [html_reading(soup)]
    shown = [str(el.get(attr)) for attr in SHOWN_HTML_ATTRIBUTES
             for el in soup.find_all(attrs={attr: True})]
    yield "attributs affichés (alt, title…)", [" \n ".join(shown)]
    meta = [str(el.get("content", "")) for el in soup.find_all("meta")
            if el.get("name") or el.get("property")]
    yield "métadonnées de la page", [" \n ".join(meta)]
    for i, match in enumerate(DATA_URI_RE.finditer(data), 1):
        try:
            image = base64.b64decode(re.sub(rb"\s+", b"", match.group(1)))
        except ValueError as exc:
            raise Unreadable(f"image intégrée n° {i} illisible ({exc})") from exc
        yield from _texts_of(image, f"image intégrée n° {i}")


def _texts_of(data: bytes, name: str, *, inside: bool = False) -> Iterator[tuple[str, list[str]]]:
    """(where, texts) pairs of a file's content, by what the bytes are (not the name).

    ``inside``: a part of an archive; a binary part that is neither XML nor an image
    (a font, a printer setting) is not read by anyone and is skipped.
    """
    lower = name.lower()
    head = data[:1024].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        yield from _zip_texts(data)
    elif data.startswith(b"%PDF"):
        yield from _pdf_texts(data)
    elif data.startswith(PNG_MAGIC):
        yield name, png_texts(data)
    elif data.startswith(IMAGE_MAGICS) and (not data.startswith(b"RIFF") or data[8:12] == b"WEBP"):
        yield name, image_texts(data)
    elif lower.endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html")):
        yield from _html_texts(data)
    elif lower.endswith((".xml", ".rels", ".svg")) or head.startswith(b"<?xml"):
        fields = lower.startswith("docprops/") or lower.endswith(("meta.xml", "manifest.rdf"))
        yield name, _xml_texts(data, fields=fields)
    elif inside:
        try:
            yield name, [data.decode("utf-8")]
        except UnicodeDecodeError:
            return
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
