"""The right to erasure: ``gacp forget DIR PARTICIPANT``.

A participant who asks to be withdrawn is removed from the store: their
segments (orphans included), every coding on them and the memos on those
segments or codings; their turns are replaced, in place, by the marker
« [propos retirés à la demande de la personne] » so the other speakers'
exchange stays readable. The parsed documents cache is deleted (rebuilt by the
next ``gacp code``). The database is then vacuumed and its WAL truncated, with
``secure_delete`` on, so that no page of the file still holds their words.

The transcripts on disk are not touched (they are the facilitator's and the
service's records); every later import replaces that speaker's turns by the
marker again and never stores them. The erasure is recorded in the store's
``erasures`` table (date, who ran it, how many turns, segments, codings, memos
and cache files were removed) with salted hashes of the person's names and
aliases, never their words nor their name.
"""
from __future__ import annotations

import difflib
import getpass
import hashlib
import json
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import E, W, GacpError
from ..models import Session, SessionMeta, Speaker, Turn

EXPORT_DIRNAMES = ("bilan", "syntheses")


def _hash(salt: str, name: str) -> str:
    from ..corpus.group import normalise_label

    return hashlib.sha256((salt + normalise_label(name)).encode("utf-8")).hexdigest()


def _names(speaker: Speaker) -> list[str]:
    return [speaker.label, *speaker.aliases, speaker.pseudonym]


def erased_pseudonyms(store, group) -> set[str]:
    """Pseudonyms of the group's people erased from this store.

    A person is recognised by the pseudonym recorded at erasure or by any of
    their names (salted hashes), so a pseudonym changed afterwards in
    ``groupe.yaml`` does not bring their words back.
    """
    out: set[str] = set()
    for row in store.erasures():
        out.add(row["pseudonym"])
        hashes = set(json.loads(row["name_hashes"]))
        for speaker in group.speakers():
            if any(_hash(row["salt"], name) in hashes for name in _names(speaker)):
                out.add(speaker.pseudonym)
    return out


def find_person(group, who: str) -> Speaker:
    """The person ``who`` designates: a name, an alias or a pseudonym (any case).

    Raises:
        GacpError: E702 (unknown, with the closest pseudonyms), E703 (a facilitator).
    """
    from ..corpus.group import normalise_label

    speaker = group.resolve(who)
    if speaker is None:
        speaker = next((s for s in group.speakers()
                        if normalise_label(s.pseudonym) == normalise_label(who)), None)
    if speaker is None:
        # Matched on names and pseudonyms, shown as pseudonyms.
        by_name = {normalise_label(n): s.pseudonym for s in group.participants for n in _names(s)}
        close = []
        for name in difflib.get_close_matches(normalise_label(who), list(by_name), n=6, cutoff=0.6):
            if by_name[name] not in close:
                close.append(by_name[name])
        close = close[:3] or [s.pseudonym for s in group.participants][:3]
        raise GacpError(E.E702, folder=group.folder, who=who, closest=", ".join(close))
    if speaker.is_facilitator:
        raise GacpError(E.E703, who=speaker.pseudonym)
    return speaker


@dataclass
class ErasureReport:
    """What ``gacp forget`` removed (counts only) and what it could not reach."""

    pseudonym: str
    counts: dict[str, int] = field(default_factory=dict)
    exports: list[Path] = field(default_factory=list)  # files written before the erasure
    warnings: list[str] = field(default_factory=list)


def preview(folder: Path | str, who: str) -> ErasureReport:
    """What :func:`forget` would remove, without changing anything (for the confirmation)."""
    from ..corpus.group import load_group
    from ..store import open_store

    group = load_group(folder)
    speaker = find_person(group, who)
    with open_store(group.folder, create=False) as store:
        counts = store.speaker_content_counts(speaker.pseudonym)
    return ErasureReport(pseudonym=speaker.pseudonym, counts=counts)


def stored_sessions(store) -> list[Session]:
    """The sessions as the store holds them (already protected), to be written again."""
    sessions = []
    for row in store.execute("SELECT * FROM sessions ORDER BY number").fetchall():
        from datetime import date as Date

        turns = tuple(
            Turn(index=t["idx"], kind=t["kind"], speaker=t["pseudonym"], text=t["text"],
                 start=t["start"], end=t["end"], line=t["line"], timestamp=t["timestamp"])
            for t in store.execute(
                "SELECT t.*, sp.pseudonym FROM turns t LEFT JOIN speakers sp ON sp.id = t.speaker_id "
                "WHERE t.session_id = ? ORDER BY t.idx", (row["id"],)))
        meta = SessionMeta(number=row["number"], date=Date.fromisoformat(row["date"]),
                           type=row["type"], duration_min=row["duration_min"])
        sessions.append(Session(meta=meta, source=row["source"], text=row["text"], turns=turns))
    return sessions


def forget(folder: Path | str, who: str, *, operator: str | None = None) -> ErasureReport:
    """Erase a participant from the group's store, caches included (see the module docstring).

    Args:
        folder: the group folder.
        who: a name, alias or pseudonym of ``groupe.yaml``.
        operator: who runs the erasure, for the log (default: the system account name,
            masked like any text so that a group member's name is stored as their pseudonym).

    Raises:
        GacpError: E702, E703 for an unknown person or a facilitator; E132 without a store.
    """
    from ..coding.pipeline import CACHE_DIRNAME
    from ..corpus.group import load_group
    from ..corpus.importer import ImportReport, write_sessions
    from ..privacy import Masker
    from ..store import STORE_DIRNAME, open_store

    group = load_group(folder)
    speaker = find_person(group, who)
    operator = Masker(group)(operator or getpass.getuser() or "inconnu")
    report = ErasureReport(pseudonym=speaker.pseudonym)
    cache = Path(group.folder) / STORE_DIRNAME / CACHE_DIRNAME
    with open_store(group.folder, create=False) as store:
        counts = store.speaker_content_counts(speaker.pseudonym)
        cache_files = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
        counts["fichiers_cache"] = len(cache_files)
        salt = secrets.token_hex(16)
        with store.transaction():
            store.erase_speaker(speaker.pseudonym, name_hashes=[_hash(salt, n) for n in _names(speaker)],
                                salt=salt, operator=operator, counts=counts)
            write_sessions(store, group, stored_sessions(store), ImportReport(group=group))
        if cache.exists():
            shutil.rmtree(cache)
        store.compact_securely()
    report.counts = counts
    for dirname in EXPORT_DIRNAMES:
        out = Path(group.folder) / dirname
        if out.is_dir():
            report.exports += sorted(p for p in out.rglob("*") if p.is_file())
    if report.exports:
        report.warnings.append(W.W702.format(
            folder=group.folder, files=", ".join(str(p) for p in report.exports[:5])
            + (f" (et {len(report.exports) - 5} autre(s))" if len(report.exports) > 5 else "")))
    return report
