"""REFI-QDA exchange in: codings and memos of a QDPX project, codes of a QDC codebook.

``gacp import-qdpx FILE DIR`` reads a project written by this toolkit or by
another tool (NVivo, ATLAS.ti, MAXQDA, QualCoder...) into a group's store:

1. the archive: any ``.qde`` name, texts under ``sources/`` or ``Sources/``;
2. each text source is matched to a session of the group (our GUID, a
   « séance » variable, a name « Séance N », else the session whose words it
   shares most);
3. its text is decoded (UTF-8 with or without BOM, UTF-16 with BOM) and its
   selections' positions are read under the convention that lands them on
   whole words: code points as the standard says, or with CR+LF counted as one
   character, a BOM counted, or UTF-16 code units (some tools count so);
4. the text is aligned word by word with the session text
   (:class:`~gacp_analysis.export.refi_text.Alignment`; speaker labels and
   timestamps at line starts are left out), and each selection becomes one
   coding per segment it covers: on the whole segment when it covers it, on a
   span (``codings.start/end``) otherwise;
5. codings are recorded as human decisions under their coder's name (those of
   this toolkit's automatic coder, « ... (codage automatique) », as automatic
   codings), notes as memos on what they were attached to.

Everything is read and checked before the store is touched, in one
transaction: bad input raises a numbered French error naming the file, the
element and its line, and the store is unchanged. Importing the same file
twice adds nothing.

``gacp import-qdc FILE DIR`` adds the codes of a codebook (a ``.qdc``, or the
codebook of a ``.qdpx``) that the group's codebook lacks to its
``codebook.yaml``: top-level codes with children become families, the others
codes; comments and existing entries of the file are kept as written.
"""
from __future__ import annotations

import bisect
import codecs
import json
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from lxml import etree

from ..coding.codebook import CODEBOOK_FILENAME, Codebook, apply_changes, default_codebook, load_codebook
from ..corpus.group import Group, load_group
from ..corpus.turns import TIMESTAMP_RE
from ..corpus.yamlio import load_yaml_text
from ..errors import E, W, GacpError
from ..store import open_store
from .refi_qda import AUTO_SUFFIX, CODEBOOK_NS, ID_LINE, PROJECT_NS, code_guid, source_guid
from .refi_text import TOKEN_RE, Alignment

UNKNOWN_CODER = "codeur inconnu (REFI-QDA)"
_LABEL_RE = re.compile(r"^[ \t]*(?:\[[0-9:.,]+\][ \t]*)?(?P<label>[^:\n\[\]()]{1,40}?)[ \t]*:[ \t]*",
                       re.MULTILINE)
_SESSION_NAME_RE = re.compile(r"s[ée]ance\D{0,3}0*(\d{1,3})", re.IGNORECASE)
_WORD_RE = re.compile(r"\w")


# -- reading the file --------------------------------------------------------------------------

def _norm_guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


@dataclass
class Archive:
    path: Path
    part: str  # name of the .qde inside the archive (or the file name of a .qdc)
    root: etree._Element
    files: dict[str, bytes] = field(default_factory=dict)  # lower-case base name -> bytes


def _parse_xml(data: bytes, *, path: Path, part: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        raise GacpError(E.E603, path=path, part=part, line=line, problem=exc.msg) from None
    return root


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def read_archive(path: Path | str) -> Archive:
    """Open a QDPX: its ``.qde`` (any name) and the files of ``sources/`` (any case).

    Raises:
        GacpError: E600 (no file), E601 (not a ZIP), E602 (no .qde), E603 (bad XML).
    """
    path = Path(path)
    if not path.is_file():
        raise GacpError(E.E600, path=path)
    try:
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        qdes = sorted((n for n in names if n.lower().endswith(".qde")),
                      key=lambda n: (n.count("/"), n.lower() != "project.qde", n))
        if not qdes:
            raise GacpError(E.E602, path=path, names=", ".join(names[:8]) or "vide")
        root = _parse_xml(archive.read(qdes[0]), path=path, part=qdes[0])
        files = {}
        for name in names:
            parts = PurePosixPath(name).parts
            if len(parts) >= 2 and parts[-2].lower() == "sources":
                files[parts[-1].lower()] = archive.read(name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise GacpError(E.E601, path=path, problem=str(exc)) from None
    return Archive(path=path, part=qdes[0], root=root, files=files)


def _check_root(root, expected: str, *, path: Path, part: str, kind: str, namespace: str) -> None:
    if _local(root) != expected or etree.QName(root).namespace not in (namespace, None):
        raise GacpError(E.E604, path=path, part=part, line=root.sourceline or 1,
                        found=etree.QName(root).text, expected=expected, namespace=namespace,
                        kind=kind)


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _child(el, name: str):
    return next((c for c in el if _local(c) == name), None)


def _text_of(el, name: str) -> str:
    child = _child(el, name)
    return (child.text or "") if child is not None else ""


def _required(el, attribute: str, *, path: Path, part: str) -> str:
    value = el.get(attribute)
    if value is None or not value.strip():
        raise GacpError(E.E605, path=path, part=part, line=el.sourceline or 1, element=_local(el),
                        attribute=attribute, value="absent")
    return value


def _position(el, attribute: str, *, path: Path, part: str) -> int:
    value = _required(el, attribute, path=path, part=part)
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise GacpError(E.E605, path=path, part=part, line=el.sourceline or 1, element=_local(el),
                        attribute=attribute, value=f"« {value} » n'est pas un entier positif")
    return number


# -- codes ---------------------------------------------------------------------------------------

@dataclass
class QdaCode:
    """A code of a REFI-QDA codebook, as read."""

    guid: str
    name: str
    codable: bool
    description: str
    line: int
    parent: QdaCode | None = None
    children: list[QdaCode] = field(default_factory=list)

    @property
    def declared_id(self) -> str | None:
        """The id this toolkit wrote in the description (« identifiant : recit.situation »)."""
        for line in self.description.splitlines():
            if line.startswith(ID_LINE):
                return line[len(ID_LINE):].strip() or None
        return None

    @property
    def definition(self) -> str:
        return "\n".join(l for l in self.description.splitlines()
                         if not l.startswith(ID_LINE)).strip()


def read_codes(codes_el, *, path: Path, part: str, parent: QdaCode | None = None) -> list[QdaCode]:
    out = []
    for el in _children(codes_el, "Code"):
        code = QdaCode(guid=_norm_guid(_required(el, "guid", path=path, part=part)),
                       name=_required(el, "name", path=path, part=part).strip(),
                       codable=(el.get("isCodable", "true").strip().lower() in ("true", "1")),
                       description=_text_of(el, "Description").strip(), line=el.sourceline or 1,
                       parent=parent)
        code.children = read_codes(el, path=path, part=part, parent=code)
        out.append(code)
    return out


def _walk(codes: list[QdaCode]):
    for code in codes:
        yield code
        yield from _walk(code.children)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class CodeMatcher:
    """Finds the group's code (or family) a REFI-QDA code stands for."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.by_guid = {code_guid(c.id): c.id for c in codebook.codes}
        self.family_by_guid = {code_guid(f): f for f in codebook.families}
        labels: dict[str, set[str]] = defaultdict(set)
        for c in codebook.codes:
            labels[_fold(c.label)].add(c.id)
            labels[_fold(c.id)].add(c.id)
        self.by_label = {k: next(iter(v)) for k, v in labels.items() if len(v) == 1}
        families: dict[str, set[str]] = defaultdict(set)
        for f, info in codebook.families.items():
            families[_fold(str(info.get("label") or f))].add(f)
            families[_fold(f)].add(f)
        self.family_by_label = {k: next(iter(v)) for k, v in families.items() if len(v) == 1}

    def code(self, code: QdaCode) -> str | None:
        if code.guid in self.by_guid:
            return self.by_guid[code.guid]
        declared = code.declared_id
        if declared and self.codebook.get(declared) is not None:
            return declared
        name = _fold(code.name)
        # « Situation vécue (recit.situation) »: a name made unique on export.
        m = re.fullmatch(r"(.*) \(([\w.]+)\)", code.name)
        if m and self.codebook.get(m.group(2)) is not None:
            return m.group(2)
        return self.by_label.get(name)

    def family(self, code: QdaCode) -> str | None:
        if code.guid in self.family_by_guid:
            return self.family_by_guid[code.guid]
        declared = code.declared_id
        if declared and declared in self.codebook.families:
            return declared
        return self.family_by_label.get(_fold(code.name))


# -- texts and positions -------------------------------------------------------------------------

def decode_source(data: bytes, *, path: Path, part: str) -> tuple[str, bool]:
    """A source's text as written (line ends kept) and whether it had a byte order mark."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), True
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), True
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        raise GacpError(E.E607, path=path, part=part,
                        problem=f"octet invalide en position {exc.start}") from None


@dataclass(frozen=True)
class Convention:
    """How a tool counted positions in a text."""

    bom: bool  # the byte order mark counted as character 0
    crlf_as_one: bool  # CR+LF counted as one character
    utf16: bool  # UTF-16 code units instead of code points

    def describe(self) -> str:
        parts = []
        if self.utf16:
            parts.append("en unités UTF-16 (un emoji compte pour deux)")
        if self.crlf_as_one:
            parts.append("avec les fins de ligne CR+LF comptées pour un caractère")
        if self.bom:
            parts.append("avec la marque d'ordre d'octets (BOM) comptée")
        return ", ".join(parts) or "en points de code Unicode"


STANDARD = Convention(bom=False, crlf_as_one=False, utf16=False)


def convention_text(text: str, had_bom: bool, convention: Convention) -> str:
    if convention.crlf_as_one:
        text = text.replace("\r\n", "\n")
    if convention.bom and had_bom:
        text = "\ufeff" + text
    return text


def _utf16_to_codepoints(text: str):
    units, total = [], 0
    for ch in text:
        units.append(total)
        total += 2 if ord(ch) > 0xFFFF else 1
    units.append(total)
    return lambda u: bisect.bisect_left(units, u)


def choose_convention(text: str, had_bom: bool, spans: list[tuple[int, int]]
                      ) -> tuple[Convention, str, list[tuple[int, int]]] | None:
    """The counting convention under which the selections fall on whole words.

    Returns:
        (convention, the text as counted, the spans in code points of that text), or
        None when no convention keeps every selection inside the text.
    """
    options = [STANDARD]
    for bom in ((False, True) if had_bom else (False,)):
        for crlf in ((False, True) if "\r\n" in text else (False,)):
            for utf16 in ((False, True) if any(ord(c) > 0xFFFF for c in text) else (False,)):
                c = Convention(bom=bom, crlf_as_one=crlf, utf16=utf16)
                if c not in options:
                    options.append(c)
    best = None
    for convention in options:
        counted = convention_text(text, had_bom, convention)
        to_cp = _utf16_to_codepoints(counted) if convention.utf16 else (lambda u: u)
        converted = [(to_cp(s), to_cp(e)) for s, e in spans]
        if any(not 0 <= s <= e <= len(counted) for s, e in converted):
            continue
        tokens = [(m.start(), m.end()) for m in TOKEN_RE.finditer(counted)]
        starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
        score = sum((s in starts) + (e in ends) for s, e in converted)
        if best is None or score > best[0]:
            best = (score, convention, counted, converted)
    return None if best is None else best[1:]


def label_spans(text: str, group: Group) -> list[tuple[int, int]]:
    """Speaker labels (name, alias or pseudonym) and timestamps at line starts."""
    pseudonyms = {_fold(s.pseudonym) for s in group.speakers()}
    spans = []
    for m in _LABEL_RE.finditer(text):
        label = m.group("label").strip().strip("*_").strip()
        if group.resolve(label) is not None or _fold(label) in pseudonyms:
            spans.append((m.start(), m.end()))
        else:
            t = TIMESTAMP_RE.match(text, m.start())
            if t and t.end() > m.start():
                spans.append((m.start(), t.end()))
    for m in re.finditer(r"^[ \t]*\[[0-9:.,]+\][ \t]*", text, re.MULTILINE):
        spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# -- the project ---------------------------------------------------------------------------------

@dataclass
class PlannedCoding:
    segment_id: int
    code: str
    coder: str
    provenance: str
    start: int | None
    end: int | None
    notes: list[str] = field(default_factory=list)  # note guids on this coding


@dataclass
class PlannedMemo:
    note: str
    session_id: int | None = None
    segment_id: int | None = None
    coding: PlannedCoding | None = None
    code: str | None = None


@dataclass
class ImportQdpxReport:
    group: str
    sources: int = 0
    codings: int = 0
    memos: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _variables(root) -> dict[str, str]:
    out = {}
    for var in root.iter():
        if _local(var) == "Variable" and var.get("guid"):
            out[_norm_guid(var.get("guid"))] = _fold(var.get("name") or "")
    return out


def _session_variable(source, variables: dict[str, str]) -> int | None:
    for vv in _children(source, "VariableValue"):
        ref = _child(vv, "VariableRef")
        name = variables.get(_norm_guid(ref.get("targetGUID")) if ref is not None else "", "")
        if unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() in (
                "seance", "session", "numero de seance"):
            for child in vv:
                if _local(child) in ("IntegerValue", "TextValue", "FloatValue"):
                    try:
                        return int(float((child.text or "").strip()))
                    except ValueError:
                        return None
    return None


def _match_session(source, text: str, sessions: list, group: Group, variables: dict[str, str]):
    by_number = {s["number"]: s for s in sessions}
    g = _norm_guid(source.get("guid"))
    for s in sessions:
        if source_guid(group, s["number"]) == g:
            return s
    number = _session_variable(source, variables)
    if number in by_number:
        return by_number[number]
    m = _SESSION_NAME_RE.search(source.get("name") or "")
    if m and int(m.group(1)) in by_number:
        return by_number[int(m.group(1))]
    words = Counter(w.casefold() for w in re.findall(r"\w{3,}", text))
    total = sum(words.values())
    if not total:
        return None
    scores = []
    for s in sessions:
        other = Counter(w.casefold() for w in re.findall(r"\w{3,}", s["text"]))
        scores.append((sum((words & other).values()) / total, s["number"]))
    scores.sort(reverse=True)
    if scores[0][0] >= 0.6 and (len(scores) == 1 or scores[0][0] - scores[1][0] >= 0.1):
        return by_number[scores[0][1]]
    return None


def _source_text(source, archive: Archive) -> tuple[bytes | None, str]:
    inline = _child(source, "PlainTextContent")
    if inline is not None and inline.text:
        return inline.text.encode("utf-8"), "PlainTextContent"
    target = source.get("plainTextPath") or ""
    name = re.sub(r"^[a-z]+://+", "", target).split("/")[-1]
    if not name:
        return None, target or "plainTextPath absent"
    return archive.files.get(name.lower()), target


def import_qdpx(path: Path | str, folder: Path | str) -> ImportQdpxReport:
    """Import the codings and memos of a QDPX into a group's store (see the module docstring).

    Raises:
        GacpError: E600-E611 for bad input, E132 when the group has no session; the store
            is then unchanged.
    """
    group = load_group(folder)
    archive = read_archive(path)
    path, part, root = archive.path, archive.part, archive.root
    _check_root(root, "Project", path=path, part=part, kind="projet", namespace=PROJECT_NS)
    report = ImportQdpxReport(group=group.label)
    users = {_norm_guid(u.get("guid")): (u.get("name") or "").strip() or UNKNOWN_CODER
             for u in root.iter() if _local(u) == "User"}
    codebook_el = _child(root, "CodeBook")
    codes_el = _child(codebook_el, "Codes") if codebook_el is not None else None
    qda_codes = read_codes(codes_el, path=path, part=part) if codes_el is not None else []
    by_guid = {c.guid: c for c in _walk(qda_codes)}
    matcher = CodeMatcher(load_codebook(group.folder))
    code_ids = {c.guid: matcher.code(c) for c in by_guid.values()}
    variables = _variables(root)

    notes: dict[str, etree._Element] = {}
    notes_el = _child(root, "Notes")
    for note in _children(notes_el, "Note") if notes_el is not None else []:
        notes[_norm_guid(_required(note, "guid", path=path, part=part))] = note

    def code_of(ref_parent) -> tuple[str | None, QdaCode]:
        ref = _child(ref_parent, "CodeRef")
        if ref is None:
            raise GacpError(E.E605, path=path, part=part, line=ref_parent.sourceline or 1,
                            element="Coding", attribute="CodeRef", value="absent")
        target = _norm_guid(_required(ref, "targetGUID", path=path, part=part))
        if target not in by_guid:
            raise GacpError(E.E611, path=path, part=part, line=ref.sourceline or 1,
                            element="CodeRef", guid=target, target="code")
        return code_ids[target], by_guid[target]

    unknown: dict[str, int] = {}
    planned: list[PlannedCoding] = []
    memos: list[PlannedMemo] = []
    placed_notes: set[str] = set()
    outside: list[str] = []

    def place_note(ref, memo: PlannedMemo) -> None:
        target = _norm_guid(_required(ref, "targetGUID", path=path, part=part))
        if target not in notes:
            raise GacpError(E.E611, path=path, part=part, line=ref.sourceline or 1,
                            element="NoteRef", guid=target, target="mémo (Note)")
        if target not in placed_notes:
            placed_notes.add(target)
            memo.note = target
            memos.append(memo)

    with open_store(group.folder, create=False) as store:
        sessions = [dict(r) for r in store.sessions()]
        if not sessions:
            raise GacpError(E.E132, folder=group.folder)
        sources = [el for el in root.iter() if _local(el) == "TextSource"
                   and _local(el.getparent()) == "Sources"]
        for source in sources:
            name = source.get("name") or source.get("guid") or "?"
            line = source.sourceline or 1
            data, target = _source_text(source, archive)
            if data is None:
                raise GacpError(E.E606, path=path, part=part, line=line, name=name, target=target)
            text, had_bom = decode_source(data, path=path, part=target)
            session = _match_session(source, text, sessions, group, variables)
            if session is None:
                raise GacpError(E.E608, path=path, part=part, line=line, name=name,
                                folder=group.folder,
                                known=", ".join(str(s["number"]) for s in sessions))
            selections = _children(source, "PlainTextSelection")
            spans = [(_position(sel, "startPosition", path=path, part=part),
                      _position(sel, "endPosition", path=path, part=part)) for sel in selections]
            chosen = choose_convention(text, had_bom, spans)
            if chosen is None:
                bad = next(sel for sel, (s, e) in zip(selections, spans)
                           if not 0 <= s <= e <= len(text))
                s, e = spans[selections.index(bad)]
                raise GacpError(E.E610, path=path, part=part, line=bad.sourceline or 1,
                                start=s, end=e, name=name, length=len(text))
            convention, counted, converted = chosen
            if convention != STANDARD and selections:
                report.warnings.append(W.W602.format(path=path, name=name,
                                                     convention=convention.describe()))
            alignment = Alignment(counted, session["text"], skip_a=label_spans(counted, group))
            segments = [dict(r) for r in store.session_segments(session["id"])]
            seg_starts = [g["start"] for g in segments]
            report.sources += 1
            for sel, (s, e) in zip(selections, converted):
                span = alignment.span(s, e)
                pieces = _segment_pieces(span, segments, seg_starts, session["text"]) if span else []
                if not pieces:
                    if _children(sel, "Coding") or _children(sel, "NoteRef"):
                        outside.append(f"« {' '.join(counted[s:e].split())[:40]} »")
                    continue
                sel_user = users.get(_norm_guid(sel.get("creatingUser")))
                for coding in _children(sel, "Coding"):
                    code_id, qda = code_of(coding)
                    if code_id is None:
                        unknown.setdefault(qda.name, qda.line)
                        continue
                    user = (users.get(_norm_guid(coding.get("creatingUser"))) or sel_user
                            or UNKNOWN_CODER)
                    auto = user.endswith(AUTO_SUFFIX)
                    coder = user.removesuffix(AUTO_SUFFIX) if auto else user
                    for k, (segment_id, ps, pe) in enumerate(pieces):
                        pc = PlannedCoding(segment_id=segment_id, code=code_id, coder=coder,
                                           provenance="auto" if auto else "human",
                                           start=ps, end=pe)
                        planned.append(pc)
                        if k == 0:  # a note on the coding goes to its first segment's coding
                            for ref in _children(coding, "NoteRef"):
                                place_note(ref, PlannedMemo(note="", coding=pc,
                                                            segment_id=segment_id,
                                                            session_id=session["id"]))
                for ref in _children(sel, "NoteRef"):
                    place_note(ref, PlannedMemo(note="", segment_id=pieces[0][0],
                                                session_id=session["id"]))
            for ref in _children(source, "NoteRef"):
                place_note(ref, PlannedMemo(note="", session_id=session["id"]))
        for el in root.iter():
            if _local(el) == "Code" and el.get("guid"):
                for ref in _children(el, "NoteRef"):
                    qda = by_guid[_norm_guid(el.get("guid"))]
                    code_id = code_ids[qda.guid] or matcher.family(qda)
                    if code_id is None:
                        unknown.setdefault(qda.name, qda.line)
                        continue
                    place_note(ref, PlannedMemo(note="", code=code_id))
        for ref in _children(root, "NoteRef"):
            place_note(ref, PlannedMemo(note=""))
        for guid_, note in notes.items():
            if guid_ not in placed_notes:
                placed_notes.add(guid_)
                memos.append(PlannedMemo(note=guid_))
        if unknown:
            first_line = min(unknown.values())
            raise GacpError(E.E609, path=path, part=part, line=first_line, folder=group.folder,
                            codes=", ".join(f"« {n} »" for n in sorted(unknown)))
        note_texts = {g: _note_content(n, archive, path=path) for g, n in notes.items()}
        if outside:
            report.warnings.append(W.W601.format(path=path, count=len(outside),
                                                 examples=", ".join(outside[:3])))

        with store.transaction():
            ids: dict[int, int] = {}
            for pc in planned:
                if pc.provenance == "auto":
                    ids[id(pc)] = store.add_auto_coding(pc.segment_id, pc.code, coder=pc.coder,
                                                        start=pc.start, end=pc.end)
                else:
                    ids[id(pc)] = store.add_human_coding(pc.segment_id, pc.code, coder=pc.coder,
                                                         start=pc.start, end=pc.end)
                report.codings += 1
                report.by_coder[pc.coder] = report.by_coder.get(pc.coder, 0) + 1
            for memo in memos:
                note = notes[memo.note]
                text, for_bilan, tags = note_texts[memo.note]
                if not text.strip():
                    continue
                author = users.get(_norm_guid(note.get("creatingUser"))) or UNKNOWN_CODER
                coding_id = ids[id(memo.coding)] if memo.coding is not None else None
                if store.memo_exists(text, author=author, session_id=memo.session_id,
                                     segment_id=memo.segment_id, coding_id=coding_id,
                                     code=memo.code):
                    continue
                session_number = None
                if memo.session_id is not None:
                    session_number = next(s["number"] for s in sessions if s["id"] == memo.session_id)
                store.add_memo(text, author=author, session_number=session_number,
                               segment_id=memo.segment_id, coding_id=coding_id, code=memo.code,
                               for_bilan=for_bilan, tags=tuple(tags),
                               created_at=note.get("creationDateTime"))
                report.memos += 1
    return report


def _note_content(note, archive: Archive, *, path: Path) -> tuple[str, bool, list[str]]:
    """A note's text (inline or in sources/), and the bilan flag and tags we wrote."""
    data, target = _source_text(note, archive)
    text = ""
    if data is not None:
        text, _ = decode_source(data, path=path, part=target)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    details = _text_of(note, "Description")
    for_bilan = "pour le bilan : oui" in details
    m = re.search(r"étiquettes : ([^;]*)", details)
    tags = [t.strip() for t in m.group(1).split(",") if t.strip()] if m else []
    return text, for_bilan, tags


def _segment_pieces(span: tuple[int, int], segments: list[dict], starts: list[int],
                    session_text: str) -> list[tuple[int, int | None, int | None]]:
    """The segments a session-text span covers: (segment id, start, end), start/end None
    when the whole segment is covered; pieces with no word are dropped."""
    s, e = span
    out = []
    k = max(0, bisect.bisect_right(starts, s) - 1)
    while k < len(segments) and segments[k]["start"] < e:
        g = segments[k]
        a, b = max(s, g["start"]), min(e, g["end"])
        if a < b and _WORD_RE.search(session_text[a:b]):
            whole = a <= g["start"] and b >= g["end"]
            out.append((g["id"], None, None) if whole else (g["id"], a, b))
        k += 1
    return out


# -- QDC -> codebook.yaml ----------------------------------------------------------------------

@dataclass
class ImportQdcReport:
    path: Path
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    families: list[str] = field(default_factory=list)
    known: int = 0


def _id_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_") or "code"


def _read_codebook_file(path: Path) -> tuple[list[QdaCode], str]:
    """Codes of a .qdc, or of a .qdpx's project; and the file's origin."""
    if not path.is_file():
        raise GacpError(E.E600, path=path)
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        archive = read_archive(path)
        root, part = archive.root, archive.part
        _check_root(root, "Project", path=path, part=part, kind="projet", namespace=PROJECT_NS)
        codebook = _child(root, "CodeBook")
    elif suffix in (".qdc", ".xml"):
        part = path.name
        root = _parse_xml(path.read_bytes(), path=path, part=part)
        _check_root(root, "CodeBook", path=path, part=part, kind="livre de codes",
                    namespace=CODEBOOK_NS)
        codebook = root
    else:
        raise GacpError(E.E613, path=path, suffix=path.suffix)
    codes_el = _child(codebook, "Codes") if codebook is not None else None
    codes = read_codes(codes_el, path=path, part=part) if codes_el is not None else []
    return codes, (root.get("origin") or "").strip()


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def import_qdc(path: Path | str, folder: Path | str) -> ImportQdcReport:
    """Add a codebook's new codes to the group's ``codebook.yaml`` (created if absent).

    Raises:
        GacpError: E600-E605, E613 for bad input, E200-E204 when the group's codebook.yaml is
            invalid or the result would be; the file is then unchanged.
    """
    path = Path(path)
    group = load_group(folder)
    codes, origin = _read_codebook_file(path)
    codebook = load_codebook(group.folder)
    matcher = CodeMatcher(codebook)
    target = group.folder / CODEBOOK_FILENAME
    report = ImportQdcReport(path=target)
    taken = {c.id for c in codebook.codes} | set(codebook.families)
    new_families: list[tuple[str, str, str]] = []
    new_codes: list[tuple[str, str, str, str]] = []

    def fresh(candidate: str) -> str:
        out, n = candidate, 2
        while out in taken:
            out, n = f"{candidate}_{n}", n + 1
        taken.add(out)
        return out

    def plan(code: QdaCode, family: str | None) -> None:
        existing = matcher.code(code)
        if existing is not None:
            report.known += 1
            for child in code.children:
                plan(child, codebook.get(existing).family if family is None else family)
            return
        fam = matcher.family(code) if family is None else None
        if fam is not None:
            report.known += 1
            for child in code.children:
                plan(child, fam)
            return
        if code.children and family is None:
            declared = code.declared_id
            fid = fresh(declared if declared and declared not in taken else _id_slug(code.name))
            new_families.append((fid, code.name, code.definition))
            report.families.append(fid)
            for child in code.children:
                plan(child, fid)
            return
        declared = code.declared_id
        if declared and declared not in taken and re.fullmatch(r"[\w.]+", declared):
            cid = fresh(declared)
        else:
            cid = fresh(f"{family}.{_id_slug(code.name)}" if family else f"local.{_id_slug(code.name)}")
        new_codes.append((cid, code.name, family or cid, code.definition))
        report.added.append((cid, code.name))
        for child in code.children:
            plan(child, family or cid if family else None)

    for code in codes:
        plan(code, None)
    if not new_codes and not new_families:
        return report
    stamp = (f"# Codes importés de {path.name}" + (f" ({origin})" if origin else "")
             + f" le {date.today().isoformat()} par « gacp import-qdc ».")
    text = target.read_text(encoding="utf-8") if target.exists() else None
    new_text = _insert_codes(text, stamp, new_families, new_codes, path=target)
    data, doc = load_yaml_text(new_text, path=target, template=E.E200)
    apply_changes(default_codebook(), data, doc, path=target)  # raises if the result is invalid
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(target)
    return report


def _entries(families, codes, indent: str, stamp: str) -> tuple[str, str]:
    fam = "".join(f"{indent}{fid}:\n{indent}  label: {_q(label)}\n"
                  + (f"{indent}  definition: {_q(d)}\n" if d else "")
                  for fid, label, d in families)
    cod = "".join(f"{indent}{cid}:\n{indent}  label: {_q(label)}\n{indent}  famille: {family}\n"
                  + (f"{indent}  definition: {_q(d)}\n" if d else "")
                  for cid, label, family, d in codes)
    return (f"{indent}{stamp}\n{fam}" if fam else ""), (f"{indent}{stamp}\n{cod}" if cod else "")


HEADER = """\
# Grille de codage du groupe : modifications de la grille par défaut de gacp-analysis
# (gacp_analysis/data/codebook.yaml). Voir le README, section « Auto-coding ».
# Un code ajouté ici sans marqueurs n'est jamais donné par le codage automatique :
# il sert aux codages faits à la main (ou importés d'un autre logiciel).
"""


def _insert_codes(text: str | None, stamp: str, families, codes, *, path: Path) -> str:
    """The codebook file with new families and codes added, the rest kept as written."""
    import yaml

    if text is None or not text.strip():
        fam, cod = _entries(families, codes, "  ", stamp)
        return HEADER + ("\nfamilles:\n" + fam if fam else "") + "\ncodes:\n" + cod
    data, doc = load_yaml_text(text, path=path, template=E.E200)
    if not isinstance(doc, yaml.MappingNode):
        raise GacpError(E.E204, path=path)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    insertions: list[tuple[int, str]] = []  # (line index, text)
    appended = ""
    nodes = {k.value: v for k, v in doc.value}
    for key, fam_or_code in (("familles", 0), ("codes", 1)):
        node = nodes.get(key)
        block = None
        if node is not None and isinstance(node, yaml.MappingNode) and node.value and \
                not node.flow_style:
            indent = " " * node.value[0][0].start_mark.column
            block = _entries(families, codes, indent, stamp)[fam_or_code]
            end = node.end_mark.line + (1 if node.end_mark.column else 0)
            # end_mark is past trailing blank lines and comments: insert after the last entry.
            while end > node.start_mark.line + 1 and not lines[end - 1].strip():
                end -= 1
            insertions.append((end, block))
        else:
            block = _entries(families, codes, "  ", stamp)[fam_or_code]
            if block:
                if node is not None and isinstance(node, yaml.MappingNode) and node.value:
                    raise GacpError(E.E614, path=path, key=key)
                if node is not None:  # « codes: {} »: replace that line
                    insertions.append((-(node.start_mark.line + 1), f"{key}:\n{block}"))
                else:
                    appended += f"\n{key}:\n{block}"
    for index, block in sorted(insertions, key=lambda t: -abs(t[0])):
        if index < 0:  # « codes: {} »: that line becomes the block
            lines[-index - 1] = block
        else:
            lines.insert(index, block)
    return "".join(lines) + appended
