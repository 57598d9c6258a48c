"""Importing a group folder into its store.

Every transcript is read and validated before the store is touched; the
writes then happen in one transaction. Re-importing an unchanged file
changes nothing. When a file changed, segments whose text is unchanged keep
their ids (and so their codings and memos); segments whose text changed or
disappeared are kept as orphans and whatever is attached to them is flagged
``needs_review``: nothing the facilitator wrote is silently dropped.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import E, W, GacpError
from ..models import Session
from ..store import Store, now_iso, open_store, sha256_text
from .group import SESSIONS_DIRNAME, Group, load_group
from .readers import READERS, read_session

SIDECAR_SUFFIXES = {".yaml", ".yml"}


@dataclass
class ImportReport:
    """What an import did, session by session."""

    group: Group
    new: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    flagged: int = 0  # codings and memos marked "à revoir"
    missing: list[str] = field(default_factory=list)  # sources in the store, file gone
    warnings: list[str] = field(default_factory=list)


def transcript_files(group: Group) -> tuple[list[Path], list[str]]:
    """The transcripts of a group folder, in name order, and warnings for other files."""
    folder = group.folder / SESSIONS_DIRNAME
    if not folder.is_dir():
        raise GacpError(E.E107, path=group.folder, folder=folder)
    files, warnings = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in READERS:
            files.append(path)
        elif suffix not in SIDECAR_SUFFIXES:
            warnings.append(W.W106.format(path=path, suffix=path.suffix))
    if not files:
        raise GacpError(E.E107, path=group.folder, folder=folder)
    return files, warnings


def read_group(group: Group) -> tuple[list[Session], list[str]]:
    """Read and validate every transcript; no store access.

    Raises:
        GacpError: the first bad input found (E110-E123), or E112 for a duplicate number.
    """
    files, warnings = transcript_files(group)
    sessions: list[Session] = []
    seen: dict[int, Path] = {}
    for path in files:
        session = read_session(path, group)
        number = session.meta.number
        if number in seen:
            raise GacpError(E.E112, path=path, number=number, other=seen[number].name)
        seen[number] = path
        sessions.append(session)
        warnings.extend(session.warnings)
    return sorted(sessions, key=lambda s: s.meta.number), warnings


def session_fingerprint(session: Session) -> str:
    """Hash of everything the store keeps of a session (text, turns, metadata)."""
    payload = {
        "meta": [session.meta.number, session.meta.date.isoformat(), session.meta.type,
                 session.meta.duration_min],
        "text": session.text,
        "turns": [[t.kind, t.speaker, t.start, t.end, t.line, t.timestamp] for t in session.turns],
        "segments": [[s.start, s.end] for s in session.segments],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def import_group(folder: Path | str) -> ImportReport:
    """Import (or re-import) every transcript of a group folder into its store.

    Raises:
        GacpError: bad input; the store is then exactly as it was.
    """
    group = load_group(folder)
    sessions, warnings = read_group(group)
    report = ImportReport(group=group, warnings=warnings)
    with open_store(group.folder) as store, store.transaction():
        write_sessions(store, group, sessions, report)
    if report.flagged:
        report.warnings.append(W.W104.format(path=group.folder, count=report.flagged))
    return report


def write_sessions(store: Store, group: Group, sessions: list[Session], report: ImportReport) -> None:
    """Write sessions read from the transcripts, inside the caller's transaction.

    Each session first goes through
    :func:`~gacp_analysis.confidentiality.withhold.protect_sessions`: names become
    pseudonyms, and the words of erased people or of people who refused recording
    are replaced by a marker, so that none of them reaches the store.
    """
    from ..confidentiality.erasure import erased_pseudonyms
    from ..confidentiality.withhold import protect_sessions
    from ..privacy import Masker

    mask = Masker(group)
    sessions, warnings = protect_sessions(group, sessions, erased_pseudonyms(store, group), mask=mask)
    report.warnings.extend(warnings)
    speaker_ids = {
        s.pseudonym: store.upsert_speaker(pseudonym=s.pseudonym, role=s.role,
                                          is_facilitator=s.is_facilitator,
                                          consent_quote=s.consent_quote)
        for s in group.speakers()
    }
    sources = {s.source for s in sessions}
    for session in sessions:
        _import_session(store, session, speaker_ids, report, mask=mask)
    for row in store.execute("SELECT source FROM sessions ORDER BY number"):
        if row["source"] not in sources:
            report.missing.append(row["source"])


def _import_session(store: Store, session: Session, speaker_ids: dict[str, int],
                    report: ImportReport, *, mask=None) -> None:
    fingerprint = session_fingerprint(session)
    row = store.execute("SELECT id, source_sha256 FROM sessions WHERE source = ?",
                        (session.source,)).fetchone()
    if row is None:  # a renamed file keeps its session number
        row = store.execute("SELECT id, source_sha256 FROM sessions WHERE number = ?",
                            (session.meta.number,)).fetchone()
    meta = session.meta
    if row is not None and row["source_sha256"] == fingerprint:
        report.unchanged.append(meta.number)
        return
    values = (meta.number, meta.date.isoformat(), meta.type, meta.duration_min, session.source,
              fingerprint, session.text, now_iso())
    if row is None:
        session_id = store.execute(
            "INSERT INTO sessions (number, date, type, duration_min, source, source_sha256, text, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values).lastrowid
        report.new.append(meta.number)
        old_segments = []
    else:
        session_id = row["id"]
        store.execute(
            "UPDATE sessions SET number = ?, date = ?, type = ?, duration_min = ?, source = ?, "
            "source_sha256 = ?, text = ?, imported_at = ? WHERE id = ?", (*values, session_id))
        report.changed.append(meta.number)
        old_segments = store.execute(
            "SELECT g.id, g.text_sha256, g.text, g.start, sp.pseudonym FROM segments g "
            "JOIN turns t ON t.id = g.turn_id "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id WHERE g.session_id = ? ORDER BY g.start",
            (session_id,)).fetchall()
        store.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))

    turn_ids = []
    for turn in session.turns:
        turn_ids.append(store.execute(
            "INSERT INTO turns (session_id, idx, kind, speaker_id, start, end, text, line, timestamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, turn.index, turn.kind, speaker_ids.get(turn.speaker) if turn.speaker else None,
             turn.start, turn.end, turn.text, _line_number(turn.line), turn.timestamp)).lastrowid)

    new_keys = [(session.turns[s.turn_index].speaker, sha256_text(s.text)) for s in session.segments]
    # Old text is compared masked as new text is (a store written before names were
    # pseudonymised at import, or before an alias was added, keeps its codings).
    old_keys = [(r["pseudonym"], r["text_sha256"] if mask is None else sha256_text(mask(r["text"])))
                for r in old_segments]
    kept: dict[int, int] = {}  # new segment position -> old segment id
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            kept[block.b + k] = old_segments[block.a + k]["id"]
    old_by_id = {r["id"]: r for r in old_segments}
    for position, segment in enumerate(session.segments):
        speaker = session.turns[segment.turn_index].speaker
        values = (turn_ids[segment.turn_index], segment.index, segment.start, segment.end)
        if position in kept:
            old = old_by_id[kept[position]]
            store.execute("UPDATE segments SET turn_id = ?, idx = ?, start = ?, end = ?, text = ?, "
                          "text_sha256 = ?, speaker_id = ? WHERE id = ?",
                          (*values, segment.text, new_keys[position][1], speaker_ids.get(speaker),
                           kept[position]))
            _shift_codings(store, kept[position], segment.start - old["start"],
                           text_changed=old["text"] != segment.text)
        else:
            store.execute(
                "INSERT INTO segments (session_id, turn_id, idx, start, end, text, text_sha256, "
                "speaker_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, *values, segment.text, new_keys[position][1], speaker_ids.get(speaker)))
    report.flagged += _flag_orphans(store, session_id)


def _shift_codings(store: Store, segment_id: int, delta: int, *, text_changed: bool) -> None:
    """Keep a kept segment's coded spans and evidence on its words when the segment moved
    in the session text; a span inside a segment whose text was re-masked is flagged."""
    if text_changed:
        store.execute("UPDATE codings SET needs_review = 1 WHERE segment_id = ? AND start IS NOT NULL",
                      (segment_id,))
    if not delta:
        return
    store.execute("UPDATE codings SET start = start + ?, end = end + ? "
                  "WHERE segment_id = ? AND start IS NOT NULL", (delta, delta, segment_id))
    for row in store.execute("SELECT id, evidence FROM codings WHERE segment_id = ? AND evidence != '[]'",
                             (segment_id,)).fetchall():
        evidence = json.loads(row["evidence"])
        for item in evidence:
            if isinstance(item, dict) and "start" in item and "end" in item:
                item["start"] += delta
                item["end"] += delta
        store.execute("UPDATE codings SET evidence = ? WHERE id = ?",
                      (json.dumps(evidence, ensure_ascii=False), row["id"]))


def _flag_orphans(store: Store, session_id: int) -> int:
    """Flag what is attached to segments that no longer exist; drop bare orphans."""
    orphans = "SELECT id FROM segments WHERE session_id = ? AND turn_id IS NULL"
    flagged = store.execute(
        f"UPDATE codings SET needs_review = 1 WHERE needs_review = 0 AND segment_id IN ({orphans})",
        (session_id,)).rowcount
    flagged += store.execute(
        f"UPDATE memos SET needs_review = 1 WHERE needs_review = 0 AND segment_id IN ({orphans})",
        (session_id,)).rowcount
    store.prune_orphans(session_id=session_id)
    return flagged


def _line_number(line: int | str) -> int:
    """Store a paragraph label (« paragraphe 12 ») as its number."""
    return line if isinstance(line, int) else int(str(line).rsplit(" ", 1)[-1])
