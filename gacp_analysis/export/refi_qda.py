"""REFI-QDA exchange out: QDPX projects and QDC codebooks, and the coded-segment tables.

``gacp export DIR --format qdpx|qdc|csv|xlsx`` reads the store (corpus), the
codings in force (coding) and the group's codebook, and writes:

- **qdpx**: a REFI-QDA 1.0 project (``project.qde`` + ``sources/<guid>.txt``):
  the coders as users, the codebook as nested codes (families, then codes) with
  colours and descriptions, one text source per session whose plain text is the
  *pseudonymised* session (one line per turn, « Pseudonyme : » before speech,
  names spoken and ``a_masquer`` strings masked), every coding in force as a
  selection in code points (0-based, end exclusive) of that text, the memos as
  notes, the speakers as cases with their variables, the session variables.
- **qdc**: the codebook alone (``Codebook-mrt2019.xsd``).
- **csv** / **xlsx**: one row per coding in force (session, date, pseudonym,
  role, code path, provenance, coder, masked text).

Interoperability rules the readers of these files taught (NVivo, ATLAS.ti,
MAXQDA, QualCoder): namespace exactly ``urn:QDA-XML:project:1.0``; an
``origin``; creating user and date on codings and notes; lower-case GUIDs;
source files UTF-8 without BOM, LF line ends, named by their GUID; no empty
container element; code names unique across the codebook; session and
participant variables also on each source (some readers drop case links).
GUIDs are UUID 5 of the group label and the store's ids, so two exports of one
store are byte-identical (they diff cleanly). Every file written is audited for
real names (:mod:`.audit`) and deleted if one is found.
"""
from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lxml import etree

from .. import __version__
from ..coding.codebook import Codebook, load_codebook
from ..corpus.group import Group, load_group
from ..errors import E, W, GacpError
from ..privacy import Masker, group_secrets
from ..store import open_store
from .refi_text import RenderedSession, render_session

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"gacp-analysis {__version__}"
FORMATS = ("qdpx", "qdc", "csv", "xlsx")
EXPORT_DIRNAME = "exports"
# The namespace of every GUID this toolkit writes (uuid5 of a name in it).
GUID_NAMESPACE = uuid.UUID("6f1c2a5e-7d0b-5b7e-9a43-3c2e8f1d0a61")
AUTO_SUFFIX = " (codage automatique)"
ID_LINE = "identifiant : "
SCHEMAS = {"qdpx": "Project-mrt2019.xsd", "qdc": "Codebook-mrt2019.xsd"}
# Okabe-Ito, as the figures (colour-blind safe); one colour per family.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
PROVENANCE_FR = {"auto": "automatique", "human": "humaine"}


def guid(*parts: object) -> str:
    """A stable, lower-case GUID for a thing of this toolkit (``guid("code", "recit")``)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def code_guid(code_id: str) -> str:
    """The GUID of a code: the same for every group, so codebooks merge across groups."""
    return guid("code", code_id)


def schema_path(fmt: str) -> Path:
    """The REFI-QDA schema shipped with the package for ``"qdpx"`` or ``"qdc"``."""
    return Path(str(resources.files("gacp_analysis").joinpath("data", "refi_qda", SCHEMAS[fmt])))


def slug(text: str) -> str:
    """ASCII, lower-case, words joined by « - » (file names) ."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "groupe"


# -- the codebook as a tree ------------------------------------------------------------------------

@dataclass
class CodeNode:
    """A code of the exchanged codebook: a family (not codable) or a code."""

    id: str
    name: str
    codable: bool
    color: str
    description: str
    guid: str
    children: list[CodeNode] = field(default_factory=list)


def _description(*parts: str, code_id: str) -> str:
    lines = [p for p in parts if p]
    lines.append(f"{ID_LINE}{code_id}")
    return "\n".join(lines)


def codebook_tree(codebook: Codebook, *, extra: dict[str, tuple[str, str]] | None = None,
                  mask=None) -> list[CodeNode]:
    """The group's codebook as REFI-QDA codes: families holding their codes.

    Args:
        codebook: the group's codebook (active codes are exported).
        extra: codes to export although not active (used by codings or memos):
            id -> (label, family).
        mask: applied to every name and description (a group's own codes may name people).
    """
    mask = mask or (lambda t: t)
    extra = dict(extra or {})
    entries: list[tuple[str, str, str, str]] = []  # id, label, family, description
    for code in codebook.codes:
        if code.active or code.id in extra:
            parts = [code.definition,
                     f"Inclusion : {code.inclusion}" if code.inclusion else "",
                     f"Exclusion : {code.exclusion}" if code.exclusion else ""]
            entries.append((code.id, code.label, code.family, _description(*parts, code_id=code.id)))
            extra.pop(code.id, None)
    for code_id, (label, family) in extra.items():
        entries.append((code_id, label or code_id, family or code_id,
                        _description(code_id=code_id)))
    families = list(dict.fromkeys(family for _, _, family, _ in entries))
    colors = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(families)}
    roots: list[CodeNode] = []
    by_family: dict[str, CodeNode] = {}
    for code_id, label, family, description in entries:
        node = CodeNode(id=code_id, name=mask(label), codable=True, color=colors[family],
                        description=mask(description), guid=code_guid(code_id))
        info = codebook.families.get(family)
        if family == code_id or info is None:
            roots.append(node)
            continue
        if family not in by_family:
            by_family[family] = CodeNode(
                id=family, name=mask(str(info.get("label") or family)), codable=False,
                color=colors[family], guid=code_guid(family),
                description=mask(_description(str(info.get("definition") or ""), code_id=family)))
            roots.append(by_family[family])
        by_family[family].children.append(node)
    _unique_names(roots)
    return roots


def _walk(nodes: list[CodeNode]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _unique_names(roots: list[CodeNode]) -> None:
    """Code names unique across the whole codebook (readers match codes by name)."""
    seen: dict[str, int] = defaultdict(int)
    for node in _walk(roots):
        seen[node.name.casefold()] += 1
    for node in _walk(roots):
        if seen[node.name.casefold()] > 1:
            node.name = f"{node.name} ({node.id})"


def code_paths(roots: list[CodeNode]) -> dict[str, str]:
    """Code id -> « Famille > Code » (the code path of the tables)."""
    out = {}

    def visit(nodes, prefix):
        for node in nodes:
            path = f"{prefix} > {node.name}" if prefix else node.name
            if node.codable:
                out[node.id] = path
            visit(node.children, path)
    visit(roots, "")
    return out


# -- what is exchanged, read once ----------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """A coding in force, placed in the exported text of its session."""

    row: dict  # the store's row (Store.codings_to_exchange)
    start: int  # positions in the session's exported text
    end: int
    text: str  # the exported (masked) text selected
    coder: str  # masked coder name, « ... (codage automatique) » for the coder


@dataclass
class Exchange:
    """Everything an export writes, masked: sessions, codings, memos, codebook, speakers."""

    group: Group
    codebook: list[CodeNode]
    sessions: list[dict]
    rendered: dict[int, RenderedSession]  # session number -> text
    selections: list[Selection]
    memos: list[dict]
    speakers: list[dict]
    speakers_by_session: dict[int, list[str]]
    warnings: list[str] = field(default_factory=list)


def collect(folder: Path | str) -> Exchange:
    """Read a group's store into an :class:`Exchange` (every text through the masker).

    Raises:
        GacpError: E132 when nothing was imported.
    """
    group = load_group(folder)
    masker = Masker(group)
    with open_store(group.folder, create=False) as store:
        sessions = [dict(r) for r in store.sessions()]
        if not sessions:
            raise GacpError(E.E132, folder=group.folder)
        rendered, speakers_by_session = {}, {}
        for s in sessions:
            turns = store.session_turns(s["id"])
            rendered[s["number"]] = render_session(turns, masker)
            speakers_by_session[s["number"]] = list(dict.fromkeys(
                t["pseudonym"] for t in turns if t["kind"] == "speech" and t["pseudonym"]))
        rows = [dict(r) for r in store.codings_to_exchange()]
        memos = [dict(r) for r in store.memos_to_exchange()]
        speakers = [dict(r) for r in store.speakers()]
        stored_codes = {r["id"]: (r["label"], r["family"])
                        for r in store.execute("SELECT id, label, family FROM codes")}
    codebook = load_codebook(group.folder)
    orphans = [r for r in rows if r["turn_id"] is None]
    orphan_memos = [m for m in memos if m["orphan"]]
    warnings = []
    if orphans or orphan_memos:
        warnings.append(W.W600.format(count=len(orphans), memos=len(orphan_memos)))
    selections = []
    for r in rows:
        if r["turn_id"] is None:
            continue
        text = rendered[r["session"]]
        start, end = ((r["span_start"], r["span_end"]) if r["span_start"] is not None
                      else (r["seg_start"], r["seg_end"]))
        s, e = text.span(start, end)
        coder = masker(r["coder"]) + (AUTO_SUFFIX if r["provenance"] == "auto" else "")
        selections.append(Selection(row=r, start=s, end=e, text=text.text[s:e], coder=coder))
    memos = [dict(m, text=masker(m["text"]), author=masker(m["author"]))
             for m in memos if not m["orphan"]]
    used = {r["code"] for r in rows} | {m["code"] for m in memos if m["code"]}
    extra = {c: stored_codes.get(c, (c, c.split(".", 1)[0])) for c in used
             if codebook.get(c) is None or not codebook.get(c).active}
    tree = codebook_tree(codebook, extra=extra, mask=masker)
    return Exchange(group=group, codebook=tree, sessions=sessions, rendered=rendered,
                    selections=selections, memos=memos, speakers=speakers,
                    speakers_by_session=speakers_by_session, warnings=warnings)


# -- XML -------------------------------------------------------------------------------------------

def _sub(parent, tag: str, ns: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in attrs.items()
                                                      if v is not None})
    if text is not None:
        el.text = text
    return el


def _codes_xml(parent, nodes: list[CodeNode], ns: str, notes_on: dict[str, list[str]] | None = None):
    for node in nodes:
        el = _sub(parent, "Code", ns, guid=node.guid, name=node.name,
                  isCodable="true" if node.codable else "false", color=node.color)
        if node.description:
            _sub(el, "Description", ns, node.description)
        for note in (notes_on or {}).get(node.id, []):
            _sub(el, "NoteRef", ns, targetGUID=note)
        _codes_xml(el, node.children, ns, notes_on)


def _tostring(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def codebook_xml(exchange: Exchange) -> bytes:
    """The QDC codebook (``urn:QDA-XML:codebook:1.0``)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=ORIGIN)
    _codes_xml(_sub(root, "Codes", CODEBOOK_NS), exchange.codebook, CODEBOOK_NS)
    return _tostring(root)


SESSION_TYPE_FR = {"information": "information", "analyse": "analyse", "bilan": "bilan"}
VARIABLES = (  # name, type, description, where
    ("séance", "Integer", "Numéro de la séance", "source"),
    ("date", "Date", "Date de la séance", "source"),
    ("type de séance", "Text", "information, analyse ou bilan", "source"),
    ("durée (min)", "Integer", "Durée de la séance en minutes", "source"),
    ("pseudonymes", "Text", "Pseudonymes des personnes qui parlent dans la séance", "source"),
    ("rôles", "Text", "Pseudonyme et rôle de chaque personne qui parle dans la séance", "source"),
    ("pseudonyme", "Text", "Pseudonyme de la personne", "case"),
    ("rôle", "Text", "Rôle ou métier de la personne", "case"),
    ("animation", "Boolean", "La personne anime le groupe", "case"),
)
VALUE_ELEMENT = {"Integer": "IntegerValue", "Date": "DateValue", "Text": "TextValue",
                 "Boolean": "BooleanValue"}


def _value(parent, name: str, value, ns: str = PROJECT_NS) -> None:
    if value is None or value == "":
        return
    kind = next(v[1] for v in VARIABLES if v[0] == name)
    vv = _sub(parent, "VariableValue", ns)
    _sub(vv, "VariableRef", ns, targetGUID=guid("variable", name))
    if kind == "Boolean":
        value = "true" if value else "false"
    _sub(vv, VALUE_ELEMENT[kind], ns, str(value))


def source_guid(group: Group, number: int) -> str:
    return guid(group.label, "session", number)


def project_xml(exchange: Exchange) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` document and the source texts (file name in ``sources/`` -> text)."""
    ns, group = PROJECT_NS, exchange.group
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name=group.label, origin=ORIGIN)
    users = list(dict.fromkeys([s.coder for s in exchange.selections]
                               + [m["author"] for m in exchange.memos]))
    user_guid = {name: guid(group.label, "user", name) for name in users}
    if users:
        el = _sub(root, "Users", ns)
        for name in users:
            _sub(el, "User", ns, guid=user_guid[name], name=name)

    note_guid = {m["id"]: guid(group.label, "memo", m["id"]) for m in exchange.memos}
    notes_on_code: dict[str, list[str]] = defaultdict(list)
    notes_on_session: dict[int, list[str]] = defaultdict(list)
    notes_on_coding: dict[int, list[str]] = defaultdict(list)
    notes_on_segment: dict[int, list[str]] = defaultdict(list)
    project_notes = []
    exported_codings = {s.row["id"] for s in exchange.selections}
    for m in exchange.memos:
        g = note_guid[m["id"]]
        if m["code"]:
            notes_on_code[m["code"]].append(g)
        elif m["coding_id"] is not None and m["coding_id"] in exported_codings:
            notes_on_coding[m["coding_id"]].append(g)
        elif m["segment_id"] is not None:
            notes_on_segment[m["segment_id"]].append(g)
        elif m["session"] is not None:
            notes_on_session[m["session"]].append(g)
        else:
            project_notes.append(g)

    if exchange.codebook:
        _codes_xml(_sub(_sub(root, "CodeBook", ns), "Codes", ns), exchange.codebook, ns,
                   notes_on_code)
    el = _sub(root, "Variables", ns)
    for name, kind, description, _where in VARIABLES:
        var = _sub(el, "Variable", ns, guid=guid("variable", name), name=name, typeOfVariable=kind)
        _sub(var, "Description", ns, description)

    # Selections: one per distinct span of a session, holding the codings on it.
    by_span: dict[tuple[int, int, int], list[Selection]] = defaultdict(list)
    for s in exchange.selections:
        by_span[(s.row["session"], s.start, s.end)].append(s)
    segment_spans: dict[int, tuple[int, int, int]] = {}
    for s in exchange.selections:
        if s.row["span_start"] is None:
            segment_spans.setdefault(s.row["segment_id"], (s.row["session"], s.start, s.end))
    speaker_of_span: dict[tuple[int, int, int], str | None] = {
        k: v[0].row["pseudonym"] for k, v in by_span.items()}
    notes_on_span: dict[tuple[int, int, int], list[str]] = defaultdict(list)
    for seg_id, (key, pseudonym) in _memo_spans(exchange, notes_on_segment, segment_spans).items():
        by_span.setdefault(key, [])
        speaker_of_span.setdefault(key, pseudonym)
        notes_on_span[key].extend(notes_on_segment[seg_id])
    selection_guid = {key: guid(group.label, "selection", *key) for key in by_span}

    cases = [sp for sp in exchange.speakers]
    if cases:
        el = _sub(root, "Cases", ns)
        for sp in cases:
            case = _sub(el, "Case", ns, guid=guid(group.label, "speaker", sp["pseudonym"]),
                        name=sp["pseudonym"])
            _value(case, "pseudonyme", sp["pseudonym"])
            _value(case, "rôle", sp["role"])
            _value(case, "animation", bool(sp["is_facilitator"]))
            for s in exchange.sessions:
                if sp["pseudonym"] in exchange.speakers_by_session[s["number"]]:
                    _sub(case, "SourceRef", ns, targetGUID=source_guid(group, s["number"]))
            for key in sorted(k for k, who in speaker_of_span.items() if who == sp["pseudonym"]):
                _sub(case, "SelectionRef", ns, targetGUID=selection_guid[key])

    roles = {sp["pseudonym"]: sp["role"] for sp in exchange.speakers}
    files: dict[str, str] = {}
    el = _sub(root, "Sources", ns)
    for s in exchange.sessions:
        number = s["number"]
        sguid = source_guid(group, number)
        files[f"{sguid}.txt"] = exchange.rendered[number].text
        src = _sub(el, "TextSource", ns, guid=sguid, name=f"Séance {number:02d} ({s['date']})",
                   plainTextPath=f"internal://{sguid}.txt")
        _sub(src, "Description", ns, f"{group.label}, séance {number} du {s['date']} "
             f"({s['type']}) : transcription pseudonymisée, un tour de parole par ligne.")
        for key in sorted(k for k in by_span if k[0] == number):
            _, start, end = key
            codings = by_span[key]
            first = codings[0] if codings else None
            text = exchange.rendered[number].text[start:end]
            sel = _sub(src, "PlainTextSelection", ns, guid=selection_guid[key],
                       name=_excerpt(text), startPosition=start, endPosition=end,
                       creatingUser=user_guid[first.coder] if first else None,
                       creationDateTime=first.row["created_at"] if first else None)
            for c in codings:
                coding = _sub(sel, "Coding", ns, guid=guid(group.label, "coding", c.row["id"]),
                              creatingUser=user_guid[c.coder],
                              creationDateTime=c.row["created_at"])
                _sub(coding, "CodeRef", ns, targetGUID=code_guid(c.row["code"]))
                for note in notes_on_coding.get(c.row["id"], []):
                    _sub(coding, "NoteRef", ns, targetGUID=note)
            for note in notes_on_span.get(key, []):
                _sub(sel, "NoteRef", ns, targetGUID=note)
        for note in notes_on_session.get(number, []):
            _sub(src, "NoteRef", ns, targetGUID=note)
        speakers = exchange.speakers_by_session[number]
        _value(src, "séance", number)
        _value(src, "date", s["date"])
        _value(src, "type de séance", SESSION_TYPE_FR.get(s["type"], s["type"]))
        _value(src, "durée (min)", s["duration_min"])
        _value(src, "pseudonymes", ", ".join(speakers))
        _value(src, "rôles", "; ".join(f"{p} ({roles.get(p) or '-'})" for p in speakers))

    if exchange.memos:
        el = _sub(root, "Notes", ns)
        for m in exchange.memos:
            note = _sub(el, "Note", ns, guid=note_guid[m["id"]], name=f"Mémo {m['id']}",
                        creatingUser=user_guid[m["author"]], creationDateTime=m["created_at"])
            details = memo_details(bool(m["for_bilan"]), _tags(m["tags"]))
            if details:
                _sub(note, "Description", ns, details)
            _sub(note, "PlainTextContent", ns, m["text"])
    for note in project_notes:
        _sub(root, "NoteRef", ns, targetGUID=note)
    return _tostring(root), files


def _memo_spans(exchange: Exchange, notes_on_segment: dict[int, list[str]],
                segment_spans: dict[int, tuple[int, int, int]]) -> dict:
    """segment id -> (selection key, pseudonym) for the segments that carry memos: the
    selection of their whole-segment codings, or a selection of their own."""
    out: dict = {}
    if not notes_on_segment:
        return out
    with open_store(exchange.group.folder, create=False) as store:
        for seg_id in notes_on_segment:
            row = store.segment_place(seg_id)
            if row is None:
                continue
            if seg_id in segment_spans:
                out[seg_id] = (segment_spans[seg_id], row["pseudonym"])
                continue
            start, end = exchange.rendered[row["number"]].span(row["start"], row["end"])
            out[seg_id] = ((row["number"], start, end), row["pseudonym"])
    return out


def memo_details(for_bilan: bool, tags: list[str]) -> str:
    """The Description of a note: what a memo has beyond its text (read back on import)."""
    parts = []
    if for_bilan:
        parts.append("pour le bilan : oui")
    if tags:
        parts.append("étiquettes : " + ", ".join(tags))
    return " ; ".join(parts)


def _tags(value) -> list[str]:
    import json
    try:
        tags = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _excerpt(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


# -- files -----------------------------------------------------------------------------------------

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def qdpx_bytes(exchange: Exchange) -> bytes:
    """The QDPX archive: ``project.qde`` then ``sources/<guid>.txt`` (UTF-8, no BOM, LF)."""
    qde, files = project_xml(exchange)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", qde)] + [
                (f"sources/{n}", t.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
                for n, t in sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


TABLE_COLUMNS = ["séance", "date", "type", "tour", "pseudonyme", "rôle", "code", "chemin du code",
                 "provenance", "codeur", "texte"]


def coded_segments_table(exchange: Exchange):
    """One row per coding in force, French headers, masked text (a DataFrame)."""
    import pandas as pd

    paths = code_paths(exchange.codebook)
    rows = [{
        "séance": s.row["session"], "date": pd.to_datetime(s.row["date"]).date(),
        "type": s.row["type"], "tour": s.row["turn"], "pseudonyme": s.row["pseudonym"],
        "rôle": s.row["role"], "code": s.row["code"],
        "chemin du code": paths.get(s.row["code"], s.row["code"]),
        "provenance": PROVENANCE_FR.get(s.row["provenance"], s.row["provenance"]),
        "codeur": s.coder.removesuffix(AUTO_SUFFIX), "texte": s.text,
    } for s in exchange.selections]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _write_xlsx(df, path: Path, *, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "codages"
    ws.append(list(df.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append(list(row))
    widths = {"texte": 80, "chemin du code": 40, "rôle": 28, "codeur": 28}
    for i, name in enumerate(df.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 14)
        if name == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "DD/MM/YYYY"
        if name == "texte":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    wb.properties.creator = ORIGIN
    wb.properties.title = title
    wb.save(path)


@dataclass
class ExportReport:
    path: Path
    selections: int
    memos: int
    sessions: int
    warnings: list[str]


def default_output(group: Group, fmt: str) -> Path:
    return group.folder / EXPORT_DIRNAME / f"{slug(group.label)}.{fmt if fmt != 'csv' else 'csv'}"


def export_group(folder: Path | str, fmt: str, *, out: Path | str | None = None) -> ExportReport:
    """Write one exchange file of a group (``fmt`` among :data:`FORMATS`), audited.

    Args:
        folder: the group folder (imported; coded or not).
        fmt: ``qdpx``, ``qdc``, ``csv`` or ``xlsx``.
        out: the file to write (default ``DIR/exports/<group label>.<fmt>``).

    Raises:
        GacpError: E132 when nothing was imported, E612 when the file would hold a real
            name (it is then deleted).
    """
    from ..synthesis.files import write_csv
    from .audit import audit_paths

    exchange = collect(folder)
    group = exchange.group
    path = Path(out) if out else default_output(group, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "qdpx":
        path.write_bytes(qdpx_bytes(exchange))
    elif fmt == "qdc":
        path.write_bytes(codebook_xml(exchange))
    elif fmt == "csv":
        write_csv(coded_segments_table(exchange), path)
    elif fmt == "xlsx":
        _write_xlsx(coded_segments_table(exchange), path, title=f"Codages - {group.label}")
    else:
        raise ValueError(fmt)
    report = audit_paths([path], group_secrets(group))
    if not report.ok:
        path.unlink(missing_ok=True)
        raise GacpError(E.E612, files=path, folder=group.folder)
    return ExportReport(path=path, selections=len(exchange.selections), memos=len(exchange.memos),
                        sessions=len(exchange.sessions), warnings=exchange.warnings)
