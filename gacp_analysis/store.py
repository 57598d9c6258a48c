"""The project store: one SQLite file inside the group folder.

One owner: :func:`open_store` is the only place that opens the database.
The schema is versioned with ``PRAGMA user_version`` and migrated forward
by :data:`MIGRATIONS`; every write happens in a transaction
(``with store.transaction():``) so a failed import leaves the file as it was.

Real names never enter the store: speakers are keyed by pseudonym, texts are
pseudonymised at import (``confidentiality.withhold``), and the pseudonym <-> name
key stays in ``groupe.yaml``.

Tables:

- ``sessions``: one row per transcript (number, date, type, source file,
  content hash, normalised text).
- ``speakers``: pseudonym, role, facilitator flag, quotation consent.
- ``turns``: speech turns and non-verbal events with offsets into the
  session text; replaced whole when a transcript changes.
- ``segments``: sentences inside speech turns, the unit of coding. Their ids
  are stable across re-imports when their text is unchanged; a segment whose
  text changed or disappeared is kept as an *orphan* (``turn_id`` NULL) so
  the codings and memos attached to it survive, flagged ``needs_review``.
- ``codes``: the codebook in force (id, label, family) as last used.
- ``codings``: a code on a segment, provenance ``auto`` (the shipped coder),
  ``human`` (a person's decision) or ``modele`` (a suggestion learned from a
  group's reviewed segments, never a decision); a human decision may ``apply``
  or ``reject`` a code; evidence spans as JSON; ``start``/``end`` (offsets into
  the session text) when the code covers a span inside the segment, NULL for
  the whole segment.
- ``coded_segments``: which segments the automatic coder has seen, with the
  signature (coder version + codebook hash) it used, so a re-run only codes
  what changed.
- ``memos``: the facilitator's notes, on the group, a session, a segment, a
  coding or a code (``code``); ``for_bilan`` marks those to include in the bilan annex.
- ``reviews``: the segments a person has reviewed (read and decided), with when.
- ``erasures``: the log of ``gacp forget`` (date, who ran it, counts) and the one
  identity table: salted hashes of an erased person's names, to withhold their turns
  at every later import.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .errors import E, GacpError
from .models import Turn

STORE_DIRNAME = ".gacp"
STORE_FILENAME = "projet.sqlite"

MIGRATIONS: tuple[str, ...] = (
    # version 1
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        date TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('information', 'analyse', 'bilan')),
        duration_min INTEGER,
        source TEXT NOT NULL UNIQUE,
        source_sha256 TEXT NOT NULL,
        text TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    CREATE TABLE speakers (
        id INTEGER PRIMARY KEY,
        pseudonym TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL DEFAULT '',
        is_facilitator INTEGER NOT NULL DEFAULT 0,
        consent_quote INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('speech', 'event')),
        speaker_id INTEGER REFERENCES speakers(id),
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        line INTEGER NOT NULL,
        timestamp REAL,
        UNIQUE (session_id, idx)
    );
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        turn_id INTEGER REFERENCES turns(id) ON DELETE SET NULL,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        text_sha256 TEXT NOT NULL
    );
    CREATE INDEX segments_turn ON segments(turn_id);
    CREATE INDEX segments_session ON segments(session_id);
    CREATE TABLE codes (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        family TEXT NOT NULL,
        definition TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE codings (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        provenance TEXT NOT NULL CHECK (provenance IN ('auto', 'human')),
        decision TEXT NOT NULL DEFAULT 'apply' CHECK (decision IN ('apply', 'reject')),
        coder TEXT NOT NULL,
        created_at TEXT NOT NULL,
        rule TEXT,
        score REAL,
        evidence TEXT NOT NULL DEFAULT '[]',
        needs_review INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX codings_segment ON codings(segment_id);
    CREATE UNIQUE INDEX codings_human_unique ON codings(segment_id, code, coder)
        WHERE provenance = 'human';
    CREATE TABLE coded_segments (
        segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE,
        signature TEXT NOT NULL,
        coded_at TEXT NOT NULL
    );
    CREATE TABLE memos (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL,
        coding_id INTEGER REFERENCES codings(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        for_bilan INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '[]',
        needs_review INTEGER NOT NULL DEFAULT 0
    );
    """,
    # version 2: codings on a span inside a segment, suggestions learned from the
    # facilitator's decisions (provenance 'modele'), memos on a code. SQLite cannot
    # alter a CHECK constraint, so codings is rebuilt (foreign keys are off during
    # migrations: see _migrate).
    """
    CREATE TABLE codings_new (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        provenance TEXT NOT NULL CHECK (provenance IN ('auto', 'human', 'modele')),
        decision TEXT NOT NULL DEFAULT 'apply' CHECK (decision IN ('apply', 'reject')),
        coder TEXT NOT NULL,
        created_at TEXT NOT NULL,
        rule TEXT,
        score REAL,
        evidence TEXT NOT NULL DEFAULT '[]',
        needs_review INTEGER NOT NULL DEFAULT 0,
        start INTEGER,
        end INTEGER,
        CHECK ((start IS NULL) = (end IS NULL) AND (start IS NULL OR start < end))
    );
    INSERT INTO codings_new (id, segment_id, code, provenance, decision, coder, created_at,
                             rule, score, evidence, needs_review)
        SELECT id, segment_id, code, provenance, decision, coder, created_at,
               rule, score, evidence, needs_review FROM codings;
    DROP TABLE codings;
    ALTER TABLE codings_new RENAME TO codings;
    CREATE INDEX codings_segment ON codings(segment_id);
    CREATE UNIQUE INDEX codings_human_unique
        ON codings(segment_id, code, coder, COALESCE(start, -1), COALESCE(end, -1))
        WHERE provenance = 'human';
    ALTER TABLE memos ADD COLUMN code TEXT;
    """,
    # version 3: which segments a person has reviewed (the review notebook's « segment revu »),
    # so agreement counts the segments both coders read, even those they left uncoded.
    """
    CREATE TABLE reviews (
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        PRIMARY KEY (segment_id, coder)
    );
    """,
    # version 4: confidentiality (issue 13). Segments remember their speaker, so an orphan
    # (its text left the transcript) can still be erased with its author; ``erasures`` is the
    # store's one identity table and the audit log of ``gacp forget``: no real name, only
    # salted hashes of the erased person's names (to recognise them at re-import), the date,
    # who ran it and what was removed, as counts.
    """
    ALTER TABLE segments ADD COLUMN speaker_id INTEGER REFERENCES speakers(id);
    UPDATE segments SET speaker_id = (SELECT t.speaker_id FROM turns t WHERE t.id = segments.turn_id);
    CREATE TABLE erasures (
        id INTEGER PRIMARY KEY,
        pseudonym TEXT NOT NULL,
        name_hashes TEXT NOT NULL,
        salt TEXT NOT NULL,
        erased_at TEXT NOT NULL,
        operator TEXT NOT NULL,
        counts TEXT NOT NULL DEFAULT '{}'
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# (segment, code) pairs in force: a person's decision wins over the automatic coder (one
# person's « apply » puts a code in force, a « reject » removes the automatic one), and a
# 'modele' suggestion is never a decision. The one statement of this rule: every method
# that reads codings in force uses it (``status.CODINGS_IN_FORCE_SQL`` re-exports it).
CODINGS_IN_FORCE_SQL = """
SELECT c.segment_id, c.code FROM codings c
WHERE c.provenance = 'human' AND c.decision = 'apply'
UNION
SELECT c.segment_id, c.code FROM codings c
WHERE c.provenance = 'auto' AND NOT EXISTS (
    SELECT 1 FROM codings h WHERE h.provenance = 'human' AND h.segment_id = c.segment_id
    AND h.code = c.code AND h.decision = 'reject')
"""


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_path(folder: Path) -> Path:
    """Where a group folder's store lives."""
    return Path(folder) / STORE_DIRNAME / STORE_FILENAME


class Store:
    """A connection to one group's store. Use :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    # -- transactions -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block of writes atomically; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """Raw SQL, for tests that check the stored rows; package code calls the methods below."""
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- speakers ---------------------------------------------------------------
    def upsert_speaker(self, *, pseudonym: str, role: str, is_facilitator: bool,
                       consent_quote: bool) -> int:
        """Insert or update a speaker by pseudonym; return its id."""
        self.conn.execute(
            "INSERT INTO speakers (pseudonym, role, is_facilitator, consent_quote) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(pseudonym) DO UPDATE SET role = excluded.role, "
            "is_facilitator = excluded.is_facilitator, consent_quote = excluded.consent_quote",
            (pseudonym, role, int(is_facilitator), int(consent_quote)),
        )
        return self.conn.execute("SELECT id FROM speakers WHERE pseudonym = ?",
                                 (pseudonym,)).fetchone()[0]

    # -- codings ----------------------------------------------------------------
    def add_human_coding(self, segment_id: int, code: str, *, coder: str,
                         decision: str = "apply", start: int | None = None,
                         end: int | None = None) -> int:
        """Record a person's decision on a code for a segment (replaces their previous one).

        Args:
            start, end: offsets into the session text when the code covers a span
                inside the segment; None for the whole segment. A decision on a span
                and one on the whole segment are distinct decisions.
        """
        with self.transaction():
            self.conn.execute(
                "INSERT INTO codings (segment_id, code, provenance, decision, coder, created_at, "
                "start, end) VALUES (?, ?, 'human', ?, ?, ?, ?, ?) "
                "ON CONFLICT(segment_id, code, coder, COALESCE(start, -1), COALESCE(end, -1)) "
                "WHERE provenance = 'human' "
                "DO UPDATE SET decision = excluded.decision, created_at = excluded.created_at, "
                "needs_review = 0",
                (segment_id, code, decision, coder, now_iso(), start, end),
            )
            return self.conn.execute(
                "SELECT id FROM codings WHERE segment_id = ? AND code = ? AND coder = ? "
                "AND provenance = 'human' AND start IS ? AND end IS ?",
                (segment_id, code, coder, start, end)).fetchone()[0]

    def add_memo(self, text: str, *, author: str, session_number: int | None = None,
                 segment_id: int | None = None, coding_id: int | None = None,
                 for_bilan: bool = False, tags: tuple[str, ...] = (), code: str | None = None,
                 created_at: str | None = None) -> int:
        """Store a facilitator's memo; return its id (``code``: a memo on a code)."""
        with self.transaction():
            session_id = None
            if session_number is not None:
                row = self.conn.execute("SELECT id FROM sessions WHERE number = ?",
                                        (session_number,)).fetchone()
                session_id = row[0] if row else None
            if session_id is None and segment_id is not None:
                session_id = self.conn.execute("SELECT session_id FROM segments WHERE id = ?",
                                               (segment_id,)).fetchone()[0]
            cur = self.conn.execute(
                "INSERT INTO memos (session_id, segment_id, coding_id, text, author, created_at, "
                "for_bilan, tags, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, segment_id, coding_id, text, author, created_at or now_iso(),
                 int(for_bilan), json.dumps(list(tags), ensure_ascii=False), code),
            )
            return cur.lastrowid

    def prune_orphans(self, *, session_id: int | None = None, drop_auto: bool = False) -> None:
        """Delete orphan segments (their text left the transcript) that nothing is attached to.

        Args:
            session_id: limit to one session.
            drop_auto: first delete the automatic codings of orphans: the coder has
                replaced them with codings of the new text. Human codings and memos stay.
        """
        where = "turn_id IS NULL" + (" AND session_id = ?" if session_id is not None else "")
        params = (session_id,) if session_id is not None else ()
        orphans = f"SELECT id FROM segments WHERE {where}"
        with self.transaction():
            if drop_auto:
                self.conn.execute(f"DELETE FROM codings WHERE provenance = 'auto' AND segment_id IN ({orphans})",
                                  params)
            self.conn.execute(
                f"DELETE FROM segments WHERE id IN ({orphans}) "
                "AND id NOT IN (SELECT segment_id FROM codings) "
                "AND id NOT IN (SELECT segment_id FROM memos WHERE segment_id IS NOT NULL)", params)

    # -- reading for the bilan (export/, synthesis/excerpts) ------------------------
    def segment_texts_by_speaker(self) -> list[tuple[str, str | None]]:
        """(raw text, speaker pseudonym or None) of every segment still in a turn."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT g.text, sp.pseudonym FROM segments g JOIN turns t ON t.id = g.turn_id "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id ORDER BY g.id")]

    def turn_segments(self) -> list[tuple[int, int, int, str]]:
        """(session number, turn index, segment id, raw text) of every segment, in reading
        order."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT s.number, t.idx, g.id, g.text FROM segments g JOIN turns t ON t.id = g.turn_id "
            "JOIN sessions s ON s.id = g.session_id ORDER BY s.number, t.idx, g.idx")]

    def bilan_memos(self) -> list[dict]:
        """Memos marked for the bilan: ``session`` (number or None), ``text``, ``author``,
        ``created_at``, ``needs_review``; group-level memos first, then by session."""
        return [dict(r) for r in self.conn.execute(
            "SELECT s.number AS session, m.text, m.author, m.created_at, m.needs_review "
            "FROM memos m LEFT JOIN sessions s ON s.id = m.session_id WHERE m.for_bilan = 1 "
            "ORDER BY s.number IS NOT NULL, s.number, m.id")]

    def codings_in_force_count(self) -> int:
        """How many (segment, code) pairs are in force (:data:`CODINGS_IN_FORCE_SQL`)."""
        return self.conn.execute(f"SELECT COUNT(*) FROM ({CODINGS_IN_FORCE_SQL})").fetchone()[0]

    # -- review (the review notebook, agreement, learning) ----------------------
    def human_coding(self, segment_id: int, code: str, *, coder: str, start: int | None = None,
                     end: int | None = None) -> dict | None:
        """A person's decision on a code for a segment (or a span of it), None if none."""
        row = self.conn.execute(
            "SELECT id, decision, created_at FROM codings WHERE provenance = 'human' "
            "AND segment_id = ? AND code = ? AND coder = ? AND start IS ? AND end IS ?",
            (segment_id, code, coder, start, end)).fetchone()
        return dict(row) if row else None

    def restore_human_coding(self, coding_id: int, previous: dict | None) -> None:
        """Put a human coding back as it was (``previous`` from :meth:`human_coding`;
        None deletes it): how the review notebook undoes a decision."""
        with self.transaction():
            if previous is None:
                self.conn.execute("DELETE FROM codings WHERE id = ? AND provenance = 'human'",
                                  (coding_id,))
            else:
                self.conn.execute("UPDATE codings SET decision = ?, created_at = ? WHERE id = ?",
                                  (previous["decision"], previous["created_at"], coding_id))

    def delete_memo(self, memo_id: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM memos WHERE id = ?", (memo_id,))

    def mark_reviewed(self, segment_id: int, *, coder: str) -> str | None:
        """Record that ``coder`` reviewed a segment; return the previous time (None if new)."""
        with self.transaction():
            row = self.conn.execute("SELECT reviewed_at FROM reviews WHERE segment_id = ? "
                                    "AND coder = ?", (segment_id, coder)).fetchone()
            self.conn.execute(
                "INSERT INTO reviews (segment_id, coder, reviewed_at) VALUES (?, ?, ?) "
                "ON CONFLICT(segment_id, coder) DO UPDATE SET reviewed_at = excluded.reviewed_at",
                (segment_id, coder, now_iso()))
            return row[0] if row else None

    def restore_reviewed(self, segment_id: int, *, coder: str, previous: str | None) -> None:
        """Undo :meth:`mark_reviewed` (``previous`` is what it returned)."""
        with self.transaction():
            if previous is None:
                self.conn.execute("DELETE FROM reviews WHERE segment_id = ? AND coder = ?",
                                  (segment_id, coder))
            else:
                self.conn.execute("UPDATE reviews SET reviewed_at = ? WHERE segment_id = ? "
                                  "AND coder = ?", (previous, segment_id, coder))

    def reviewed_segments(self, coder: str) -> set[int]:
        """Ids of the current segments ``coder`` has reviewed."""
        return {r[0] for r in self.conn.execute(
            "SELECT r.segment_id FROM reviews r JOIN segments g ON g.id = r.segment_id "
            "WHERE r.coder = ? AND g.turn_id IS NOT NULL", (coder,))}

    def human_coders(self) -> list[str]:
        """Names of the people who decided or reviewed something, sorted."""
        return [r[0] for r in self.conn.execute(
            "SELECT coder FROM codings WHERE provenance = 'human' UNION "
            "SELECT coder FROM reviews ORDER BY 1")]

    def review_segments(self):
        """Current segments in reading order with their turn and speaker, as a DataFrame.

        Columns: segment_id, session, session_type, turn, turn_start, turn_text,
        segment_index, start, end, text, speaker (pseudonym), role, is_facilitator.
        """
        import pandas as pd

        return pd.read_sql_query(
            "SELECT g.id AS segment_id, s.number AS session, s.type AS session_type, "
            "t.idx AS turn, t.start AS turn_start, t.text AS turn_text, g.idx AS segment_index, "
            "g.start AS start, g.end AS end, g.text AS text, sp.pseudonym AS speaker, "
            "sp.role AS role, sp.is_facilitator AS is_facilitator "
            "FROM segments g JOIN turns t ON t.id = g.turn_id JOIN sessions s ON s.id = g.session_id "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id ORDER BY s.number, g.start", self.conn)

    def segment_codings(self, segment_ids=None):
        """Every coding (auto, human, modele) of current segments, as a DataFrame.

        Columns: id, segment_id, code, provenance, decision, coder, created_at, rule,
        score, evidence (JSON text), start, end.
        """
        import pandas as pd

        sql = ("SELECT c.id, c.segment_id, c.code, c.provenance, c.decision, c.coder, c.created_at, "
               "c.rule, c.score, c.evidence, c.start, c.end FROM codings c "
               "JOIN segments g ON g.id = c.segment_id WHERE g.turn_id IS NOT NULL")
        params: tuple = ()
        if segment_ids is not None:
            ids = [int(i) for i in segment_ids]
            sql += f" AND c.segment_id IN ({','.join('?' * len(ids))})"
            params = tuple(ids)
        return pd.read_sql_query(sql + " ORDER BY c.segment_id, c.id", self.conn, params=params)

    def memos_frame(self):
        """Every memo with its session number, as a DataFrame (columns id, session,
        segment_id, code, text, author, created_at, for_bilan)."""
        import pandas as pd

        return pd.read_sql_query(
            "SELECT m.id, s.number AS session, m.segment_id, m.code, m.text, m.author, "
            "m.created_at, m.for_bilan FROM memos m LEFT JOIN sessions s ON s.id = m.session_id "
            "ORDER BY m.id", self.conn)

    def codes_in_force(self, coder: str | None = None) -> dict[int, set[str]]:
        """Codes in force per segment (the rule of :data:`CODINGS_IN_FORCE_SQL`).

        Args:
            coder: restrict the human decisions to this person's (the automatic
                codes they did not reject stay); None applies everyone's.
        """
        if coder is None:
            sql, params = CODINGS_IN_FORCE_SQL, ()
        else:
            # The same rule read on a view of the codings without the other people's decisions.
            sql = (f"WITH codings AS (SELECT * FROM main.codings WHERE provenance <> 'human' "
                   f"OR coder = ?) {CODINGS_IN_FORCE_SQL}")
            params = (coder,)
        out: dict[int, set[str]] = {}
        for segment_id, code in self.conn.execute(sql, params):
            out.setdefault(segment_id, set()).add(code)
        return out

    def human_codes(self, coder: str) -> dict[int, set[str]]:
        """The codes a person applied, per segment (their decisions only)."""
        out: dict[int, set[str]] = {}
        for segment_id, code in self.conn.execute(
                "SELECT segment_id, code FROM codings WHERE provenance = 'human' AND coder = ? "
                "AND decision = 'apply'", (coder,)):
            out.setdefault(segment_id, set()).add(code)
        return out

    def auto_codes(self) -> dict[int, set[str]]:
        """The automatic coder's codes per segment (before any human decision)."""
        out: dict[int, set[str]] = {}
        for segment_id, code in self.conn.execute(
                "SELECT segment_id, code FROM codings WHERE provenance = 'auto'"):
            out.setdefault(segment_id, set()).add(code)
        return out

    def auto_coded_segments(self) -> set[int]:
        """Ids of the current segments the automatic coder has seen (coded or left uncoded)."""
        return {r[0] for r in self.conn.execute(
            "SELECT g.id FROM segments g WHERE g.turn_id IS NOT NULL AND (g.id IN "
            "(SELECT segment_id FROM coded_segments) OR g.id IN "
            "(SELECT segment_id FROM codings WHERE provenance = 'auto'))")}

    def replace_model_suggestions(self, suggestions: list[tuple[int, str, float]], *,
                                  coder: str) -> int:
        """Replace every 'modele' suggestion with ``(segment_id, code, score)`` rows."""
        with self.transaction():
            self.conn.execute("DELETE FROM codings WHERE provenance = 'modele'")
            now = now_iso()
            self.conn.executemany(
                "INSERT INTO codings (segment_id, code, provenance, decision, coder, created_at, "
                "rule, score) VALUES (?, ?, 'modele', 'apply', ?, ?, 'modele appris', ?)",
                [(int(s), c, coder, now, float(p)) for s, c, p in suggestions])
        return len(suggestions)

    # -- confidentiality (issue 13) ------------------------------------------------------
    def erasures(self) -> list[sqlite3.Row]:
        """The erasure log, oldest first: pseudonym, name_hashes (JSON), salt, erased_at,
        operator, counts (JSON)."""
        return self.conn.execute("SELECT * FROM erasures ORDER BY id").fetchall()

    def speaker_content_counts(self, pseudonym: str) -> dict[str, int]:
        """What the store holds of one speaker: speech turns, segments (orphans included),
        codings and memos on those segments or codings."""
        own = "SELECT g.id FROM segments g JOIN speakers sp ON sp.id = g.speaker_id WHERE sp.pseudonym = ?"
        turns = self.conn.execute(
            "SELECT COUNT(*) FROM turns t JOIN speakers sp ON sp.id = t.speaker_id "
            "WHERE sp.pseudonym = ? AND t.kind = 'speech'", (pseudonym,)).fetchone()[0]
        segments = self.conn.execute(f"SELECT COUNT(*) FROM ({own})", (pseudonym,)).fetchone()[0]
        codings = self.conn.execute(f"SELECT COUNT(*) FROM codings WHERE segment_id IN ({own})",
                                    (pseudonym,)).fetchone()[0]
        memos = self.conn.execute(
            f"SELECT COUNT(*) FROM memos WHERE segment_id IN ({own}) OR coding_id IN "
            f"(SELECT id FROM codings WHERE segment_id IN ({own}))", (pseudonym, pseudonym)).fetchone()[0]
        return {"tours": turns, "segments": segments, "codages": codings, "memos": memos}

    def erase_speaker(self, pseudonym: str, *, name_hashes: list[str], salt: str, operator: str,
                      counts: dict[str, int]) -> None:
        """Delete a speaker's segments, their codings and the memos on them, and log the erasure.

        Their turns are replaced by a marker when the sessions are written again
        (``corpus.importer.write_sessions``, in the same transaction).
        """
        own = "SELECT g.id FROM segments g JOIN speakers sp ON sp.id = g.speaker_id WHERE sp.pseudonym = ?"
        with self.transaction():
            self.conn.execute(
                f"DELETE FROM memos WHERE segment_id IN ({own}) OR coding_id IN "
                f"(SELECT id FROM codings WHERE segment_id IN ({own}))", (pseudonym, pseudonym))
            self.conn.execute(f"DELETE FROM codings WHERE segment_id IN ({own})", (pseudonym,))
            self.conn.execute(f"DELETE FROM coded_segments WHERE segment_id IN ({own})", (pseudonym,))
            self.conn.execute(f"DELETE FROM segments WHERE id IN ({own})", (pseudonym,))
            self.conn.execute(
                "INSERT INTO erasures (pseudonym, name_hashes, salt, erased_at, operator, counts) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (pseudonym, json.dumps(name_hashes), salt, now_iso(), operator,
                 json.dumps(counts, ensure_ascii=False)))

    def compact_securely(self) -> None:
        """Leave no deleted content in the files: VACUUM rewrites every page, then the WAL is
        checkpointed and truncated (``secure_delete`` is on for every connection)."""
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- REFI-QDA exchange and coded-segment tables (export/refi_qda.py, qdpx_import.py) ------
    def sessions(self) -> list[sqlite3.Row]:
        """Every session: ``id, number, date, type, duration_min, source, text``, by number."""
        return self.conn.execute("SELECT id, number, date, type, duration_min, source, text "
                                 "FROM sessions ORDER BY number").fetchall()

    def speakers(self) -> list[sqlite3.Row]:
        """Every speaker: ``id, pseudonym, role, is_facilitator``, facilitators first."""
        return self.conn.execute("SELECT id, pseudonym, role, is_facilitator FROM speakers "
                                 "ORDER BY is_facilitator DESC, id").fetchall()

    def session_turns(self, session_id: int) -> list[sqlite3.Row]:
        """A session's turns in order: ``id, idx, kind, pseudonym, start, end, text``."""
        return self.conn.execute(
            "SELECT t.id, t.idx, t.kind, sp.pseudonym, t.start, t.end, t.text FROM turns t "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id WHERE t.session_id = ? ORDER BY t.idx",
            (session_id,)).fetchall()

    def session_segments(self, session_id: int) -> list[sqlite3.Row]:
        """A session's current segments (orphans excluded): ``id, turn_id, start, end, text``."""
        return self.conn.execute(
            "SELECT id, turn_id, start, end, text FROM segments WHERE session_id = ? "
            "AND turn_id IS NOT NULL ORDER BY start", (session_id,)).fetchall()

    def segment_place(self, segment_id: int) -> sqlite3.Row | None:
        """Where a current segment is: ``start, end, number`` (session), ``pseudonym``;
        None for an orphan."""
        return self.conn.execute(
            "SELECT g.start, g.end, s.number, sp.pseudonym FROM segments g "
            "JOIN sessions s ON s.id = g.session_id JOIN turns t ON t.id = g.turn_id "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id WHERE g.id = ?", (segment_id,)).fetchone()

    def codings_to_exchange(self) -> list[sqlite3.Row]:
        """One row per coding in force, as other tools and spreadsheets receive them.

        The pairs (segment, code) in force are those of :data:`CODINGS_IN_FORCE_SQL`;
        each is represented by the people's decisions that apply it (one row per coder and
        span) or, when nobody decided, by the automatic coding. Rows on orphan segments
        (``turn_id`` NULL: their text left the transcript) are included: callers report them.

        Returns:
            ``id, segment_id, code, provenance, coder, created_at, span_start, span_end,
            seg_start, seg_end, seg_text, turn_id, session_id, session, date, type, turn,
            pseudonym, role``, in reading order.
        """
        return self.conn.execute(f"""
            WITH in_force AS ({CODINGS_IN_FORCE_SQL})
            SELECT c.id, c.segment_id, c.code, c.provenance, c.coder, c.created_at,
                   c.start AS span_start, c.end AS span_end, g.start AS seg_start,
                   g.end AS seg_end, g.text AS seg_text, g.turn_id, s.id AS session_id,
                   s.number AS session, s.date, s.type, t.idx AS turn, sp.pseudonym, sp.role
            FROM in_force f
            JOIN codings c ON c.segment_id = f.segment_id AND c.code = f.code
            JOIN segments g ON g.id = c.segment_id
            JOIN sessions s ON s.id = g.session_id
            LEFT JOIN turns t ON t.id = g.turn_id
            LEFT JOIN speakers sp ON sp.id = t.speaker_id
            WHERE (c.provenance = 'human' AND c.decision = 'apply')
               OR (c.provenance = 'auto'
                   AND c.id = (SELECT MIN(a.id) FROM codings a WHERE a.segment_id = c.segment_id
                               AND a.code = c.code AND a.provenance = 'auto')
                   AND NOT EXISTS (SELECT 1 FROM codings h WHERE h.segment_id = c.segment_id
                                   AND h.code = c.code AND h.provenance = 'human'
                                   AND h.decision = 'apply'))
            ORDER BY s.number, COALESCE(c.start, g.start), g.start, c.code, c.id
        """).fetchall()

    def memos_to_exchange(self) -> list[sqlite3.Row]:
        """Every memo with what it is attached to: ``id, text, author, created_at, for_bilan,
        tags, session, segment_id, coding_id, code, orphan`` (orphan: on a segment whose
        text left the transcript)."""
        return self.conn.execute(
            "SELECT m.id, m.text, m.author, m.created_at, m.for_bilan, m.tags, s.number AS session, "
            "COALESCE(m.segment_id, c.segment_id) AS segment_id, m.coding_id, m.code, "
            "(g.id IS NOT NULL AND g.turn_id IS NULL) AS orphan "
            "FROM memos m LEFT JOIN codings c ON c.id = m.coding_id "
            "LEFT JOIN segments g ON g.id = COALESCE(m.segment_id, c.segment_id) "
            "LEFT JOIN sessions s ON s.id = COALESCE(m.session_id, g.session_id) "
            "ORDER BY m.id").fetchall()

    def add_auto_coding(self, segment_id: int, code: str, *, coder: str,
                        start: int | None = None, end: int | None = None,
                        created_at: str | None = None) -> int:
        """Record an automatic coding received from an exchange file, unless already there.

        Returns:
            The coding's id (the existing one when the same coding is already stored).
        """
        return self._add_coding_once(segment_id, code, "auto", coder=coder, same_coder=False,
                                     start=start, end=end, created_at=created_at)

    def import_human_coding(self, segment_id: int, code: str, *, coder: str,
                            start: int | None = None, end: int | None = None,
                            created_at: str | None = None) -> int:
        """Record a person's coding received from an exchange file, unless that person
        already decided on this code and span: the decision in the store (applied or
        rejected, older or newer) is kept as it is.

        Returns:
            The id of the person's coding on that code and span (existing or new).
        """
        return self._add_coding_once(segment_id, code, "human", coder=coder, same_coder=True,
                                     start=start, end=end, created_at=created_at)

    def _add_coding_once(self, segment_id: int, code: str, provenance: str, *, coder: str,
                         same_coder: bool, start: int | None, end: int | None,
                         created_at: str | None) -> int:
        """Insert an applied coding unless one of that provenance (and, with ``same_coder``,
        of that coder) is on the same code and span; the id of the one in the store."""
        where = ("segment_id = ? AND code = ? AND provenance = ? AND start IS ? AND end IS ?"
                 + (" AND coder = ?" if same_coder else ""))
        params = (segment_id, code, provenance, start, end) + ((coder,) if same_coder else ())
        with self.transaction():
            row = self.conn.execute(f"SELECT id FROM codings WHERE {where}", params).fetchone()
            if row:
                return row[0]
            return self.conn.execute(
                "INSERT INTO codings (segment_id, code, provenance, decision, coder, created_at, "
                "start, end) VALUES (?, ?, ?, 'apply', ?, ?, ?, ?)",
                (segment_id, code, provenance, coder, created_at or now_iso(), start, end)).lastrowid

    def memo_exists(self, text: str, *, author: str, session_id: int | None,
                    segment_id: int | None, coding_id: int | None, code: str | None) -> bool:
        """Whether the same memo (text, author, attachment) is already stored."""
        return self.conn.execute(
            "SELECT 1 FROM memos WHERE text = ? AND author = ? AND session_id IS ? "
            "AND segment_id IS ? AND coding_id IS ? AND code IS ?",
            (text, author, session_id, segment_id, coding_id, code)).fetchone() is not None

    # -- import (corpus/importer.py): written inside the import's one transaction -------------
    def session_sources(self) -> list[str]:
        """The source file of every stored session, by session number."""
        return [r[0] for r in self.conn.execute("SELECT source FROM sessions ORDER BY number")]

    def find_session(self, source: str, number: int) -> sqlite3.Row | None:
        """The stored session of a transcript (``id, source_sha256``), found by its source
        file or else by its number (a renamed file keeps its session); None for a new one."""
        row = self.conn.execute("SELECT id, source_sha256 FROM sessions WHERE source = ?",
                                (source,)).fetchone()
        if row is None:
            row = self.conn.execute("SELECT id, source_sha256 FROM sessions WHERE number = ?",
                                    (number,)).fetchone()
        return row

    def insert_session(self, number: int, date: str, type: str, duration_min: int | None,
                       source: str, source_sha256: str, text: str, imported_at: str) -> int:
        """Add a session (``date`` ISO, ``source_sha256`` its fingerprint); return its id."""
        return self.conn.execute(
            "INSERT INTO sessions (number, date, type, duration_min, source, source_sha256, text, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (number, date, type, duration_min, source, source_sha256, text, imported_at)).lastrowid

    def update_session(self, session_id: int, number: int, date: str, type: str,
                       duration_min: int | None, source: str, source_sha256: str, text: str,
                       imported_at: str) -> None:
        """Replace a stored session's metadata and text (its turns are replaced apart)."""
        self.conn.execute(
            "UPDATE sessions SET number = ?, date = ?, type = ?, duration_min = ?, source = ?, "
            "source_sha256 = ?, text = ?, imported_at = ? WHERE id = ?",
            (number, date, type, duration_min, source, source_sha256, text, imported_at, session_id))

    def segment_keys(self, session_id: int) -> list[sqlite3.Row]:
        """A session's current segments, by position: ``id, text_sha256, text, start,
        pseudonym`` (of the turn's speaker), to match them with a new version's."""
        return self.conn.execute(
            "SELECT g.id, g.text_sha256, g.text, g.start, sp.pseudonym FROM segments g "
            "JOIN turns t ON t.id = g.turn_id "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id WHERE g.session_id = ? ORDER BY g.start",
            (session_id,)).fetchall()

    def delete_turns(self, session_id: int) -> None:
        """Delete a session's turns; its segments stay, as orphans, until matched again."""
        self.conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))

    def insert_turn(self, session_id: int, idx: int, kind: str, speaker_id: int | None,
                    start: int, end: int, text: str, line: int, timestamp: float | None) -> int:
        """Add a turn (``kind`` 'speech' or 'event'); return its id."""
        return self.conn.execute(
            "INSERT INTO turns (session_id, idx, kind, speaker_id, start, end, text, line, timestamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, idx, kind, speaker_id, start, end, text, line, timestamp)).lastrowid

    def move_segment(self, segment_id: int, turn_id: int, idx: int, start: int, end: int,
                     text: str, text_sha256: str, speaker_id: int | None) -> None:
        """Attach a kept segment (same id, so its codings and memos) to its new place."""
        self.conn.execute(
            "UPDATE segments SET turn_id = ?, idx = ?, start = ?, end = ?, text = ?, "
            "text_sha256 = ?, speaker_id = ? WHERE id = ?",
            (turn_id, idx, start, end, text, text_sha256, speaker_id, segment_id))

    def insert_segment(self, session_id: int, turn_id: int, idx: int, start: int, end: int,
                       text: str, text_sha256: str, speaker_id: int | None) -> int:
        """Add a segment; return its id."""
        return self.conn.execute(
            "INSERT INTO segments (session_id, turn_id, idx, start, end, text, text_sha256, "
            "speaker_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, turn_id, idx, start, end, text, text_sha256, speaker_id)).lastrowid

    def flag_span_codings(self, segment_id: int) -> None:
        """Mark ``needs_review`` the codings on a span inside a segment (its text changed)."""
        self.conn.execute("UPDATE codings SET needs_review = 1 WHERE segment_id = ? "
                          "AND start IS NOT NULL", (segment_id,))

    def shift_codings(self, segment_id: int, delta: int) -> None:
        """Move a segment's coded spans and evidence offsets by ``delta`` characters (the
        segment moved by as much in the session text)."""
        with self.transaction():
            self.conn.execute("UPDATE codings SET start = start + ?, end = end + ? "
                              "WHERE segment_id = ? AND start IS NOT NULL", (delta, delta, segment_id))
            for row in self.conn.execute("SELECT id, evidence FROM codings WHERE segment_id = ? "
                                         "AND evidence != '[]'", (segment_id,)).fetchall():
                evidence = json.loads(row["evidence"])
                for item in evidence:
                    if isinstance(item, dict) and "start" in item and "end" in item:
                        item["start"] += delta
                        item["end"] += delta
                self.conn.execute("UPDATE codings SET evidence = ? WHERE id = ?",
                                  (json.dumps(evidence, ensure_ascii=False), row["id"]))

    def flag_orphans(self, session_id: int) -> int:
        """Mark ``needs_review`` the codings and memos on a session's orphan segments (their
        text left the transcript); return how many were newly marked."""
        orphans = "SELECT id FROM segments WHERE session_id = ? AND turn_id IS NULL"
        with self.transaction():
            flagged = self.conn.execute(
                f"UPDATE codings SET needs_review = 1 WHERE needs_review = 0 AND segment_id IN ({orphans})",
                (session_id,)).rowcount
            flagged += self.conn.execute(
                f"UPDATE memos SET needs_review = 1 WHERE needs_review = 0 AND segment_id IN ({orphans})",
                (session_id,)).rowcount
        return flagged

    # -- status and stored sessions (status.py, confidentiality/erasure.py) ---------------
    def turns_of(self, session_id: int) -> list[Turn]:
        """A session's turns and events as stored, in order (``speaker``: the pseudonym)."""
        return [Turn(index=t["idx"], kind=t["kind"], speaker=t["pseudonym"], text=t["text"],
                     start=t["start"], end=t["end"], line=t["line"], timestamp=t["timestamp"])
                for t in self.conn.execute(
                    "SELECT t.idx, t.kind, sp.pseudonym, t.text, t.start, t.end, t.line, t.timestamp "
                    "FROM turns t LEFT JOIN speakers sp ON sp.id = t.speaker_id "
                    "WHERE t.session_id = ? ORDER BY t.idx", (session_id,))]

    def coding_counts(self) -> dict[str, int]:
        """Stored codings by provenance (``auto``, ``human``, ``modele``) and how many are
        flagged ``needs_review``, whatever is in force."""
        row = self.conn.execute(
            "SELECT SUM(provenance = 'auto'), SUM(provenance = 'human'), SUM(provenance = 'modele'), "
            "SUM(needs_review = 1) FROM codings").fetchone()
        return {"auto": row[0] or 0, "human": row[1] or 0, "modele": row[2] or 0,
                "needs_review": row[3] or 0}

    # -- tidy tables (synthesis/table.py) --------------------------------------------
    def _frame(self, sql: str, params: tuple = ()):
        import pandas as pd

        cur = self.conn.execute(sql, params)
        columns = [d[0] for d in cur.description]
        return pd.DataFrame([dict(r) for r in cur], columns=columns)

    def codings_frame(self):
        """One row per coding in force on a current segment, in reading order, as a DataFrame.

        Columns: session, date, session_type, turn, segment_id, segment_index, speaker, role,
        is_facilitator, consent_quote (the store's copy), code, text (raw), start, end,
        provenance ('human' when a person applied the code, else 'auto'), needs_review (the
        maximum over the pair's codings).
        """
        return self._frame(f"""
WITH in_force AS ({CODINGS_IN_FORCE_SQL})
SELECT s.number AS session, s.date AS date, s.type AS session_type, t.idx AS turn,
       g.id AS segment_id, g.idx AS segment_index, sp.pseudonym AS speaker, sp.role AS role,
       sp.is_facilitator AS is_facilitator, sp.consent_quote AS consent_quote, f.code AS code,
       g.text AS text, g.start AS start, g.end AS end,
       CASE WHEN EXISTS (SELECT 1 FROM codings h WHERE h.segment_id = f.segment_id
            AND h.code = f.code AND h.provenance = 'human' AND h.decision = 'apply')
            THEN 'human' ELSE 'auto' END AS provenance,
       (SELECT MAX(c.needs_review) FROM codings c WHERE c.segment_id = f.segment_id
            AND c.code = f.code) AS needs_review
FROM in_force f
JOIN segments g ON g.id = f.segment_id
JOIN turns t ON t.id = g.turn_id
JOIN sessions s ON s.id = g.session_id
LEFT JOIN speakers sp ON sp.id = t.speaker_id
ORDER BY s.number, g.start, f.code
""")

    def speech_turns_frame(self):
        """One row per speech turn (events excluded), in reading order, as a DataFrame.

        Columns: session, date, session_type, turn, speaker, role, is_facilitator,
        consent_quote, text (raw), start, end.
        """
        return self._frame("""
SELECT s.number AS session, s.date AS date, s.type AS session_type, t.idx AS turn,
       sp.pseudonym AS speaker, sp.role AS role, sp.is_facilitator AS is_facilitator,
       sp.consent_quote AS consent_quote, t.text AS text, t.start AS start, t.end AS end
FROM turns t JOIN sessions s ON s.id = t.session_id
LEFT JOIN speakers sp ON sp.id = t.speaker_id
WHERE t.kind = 'speech'
ORDER BY s.number, t.idx
""")

    def sessions_frame(self):
        """One row per session (columns session, date, session_type), by number."""
        return self._frame("SELECT number AS session, date, type AS session_type FROM sessions "
                           "ORDER BY number")

    def code_labels(self) -> dict[str, tuple[str, str]]:
        """``{code id: (label, family)}`` of every code the store has seen, active or not."""
        return {r["id"]: (r["label"], r["family"])
                for r in self.conn.execute("SELECT id, label, family FROM codes")}

    # -- learned suggestions (review/learning.py) ----------------------------------------
    def segment_starts(self) -> dict[int, int]:
        """``{segment id: start offset in its session text}``, orphans included."""
        return dict(self.conn.execute("SELECT id, start FROM segments").fetchall())

    def set_suggestion_evidence(self, segment_id: int, code: str, evidence: list[dict]) -> None:
        """The evidence (``{"start", "end", "text"}`` in session offsets) of a 'modele'
        suggestion."""
        self.conn.execute("UPDATE codings SET evidence = ? WHERE provenance = 'modele' "
                          "AND segment_id = ? AND code = ?",
                          (json.dumps(evidence, ensure_ascii=False), segment_id, code))

    # -- the automatic coding run (coding/run.py) ------------------------------------------
    def speech_turns_for_coding(self) -> list[sqlite3.Row]:
        """Every speech turn, by session and order: ``id, session_id, idx, text, pseudonym,
        is_facilitator``."""
        return self.conn.execute(
            "SELECT t.id, t.session_id, t.idx, t.text, sp.pseudonym, sp.is_facilitator FROM turns t "
            "LEFT JOIN speakers sp ON sp.id = t.speaker_id WHERE t.kind = 'speech' "
            "ORDER BY t.session_id, t.idx").fetchall()

    def segments_for_coding(self) -> list[sqlite3.Row]:
        """Current segments by session and offset, with the signature of their last automatic
        coding (None if never coded): ``id, turn_id, idx, start, text, text_sha256, signature``."""
        return self.conn.execute(
            "SELECT g.id, g.turn_id, g.idx, g.start, g.text, g.text_sha256, c.signature FROM segments g "
            "LEFT JOIN coded_segments c ON c.segment_id = g.id WHERE g.turn_id IS NOT NULL "
            "ORDER BY g.session_id, g.start").fetchall()

    def current_segment_texts(self) -> list[str]:
        """The raw text of every current segment (orphans excluded)."""
        return [r[0] for r in self.conn.execute("SELECT text FROM segments WHERE turn_id IS NOT NULL")]

    def codes(self) -> list[sqlite3.Row]:
        """The ``codes`` table: ``id, label, family, definition, active``."""
        return self.conn.execute("SELECT id, label, family, definition, active FROM codes").fetchall()

    def write_codes(self, codes: list[tuple[str, str, str, str, bool]]) -> None:
        """Make ``(id, label, family, definition, active)`` the codebook in force; codes no
        longer in it stay, inactive (codings may still name them)."""
        with self.transaction():
            self.conn.execute("UPDATE codes SET active = 0")
            self.conn.executemany(
                "INSERT INTO codes (id, label, family, definition, active) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET label = excluded.label, family = excluded.family, "
                "definition = excluded.definition, active = excluded.active",
                [(i, label, family, definition, int(active))
                 for i, label, family, definition, active in codes])

    def replace_auto_codings(self, segment_id: int, codings: list[tuple[str, str | None,
                             float | None, list[dict]]], *, coder: str, signature: str,
                             at: str) -> None:
        """Replace a segment's automatic codings with ``(code, rule, score, evidence)`` rows
        and record the coder's ``signature`` for it; human and 'modele' codings stay."""
        with self.transaction():
            self.conn.execute("DELETE FROM codings WHERE segment_id = ? AND provenance = 'auto'",
                              (segment_id,))
            self.conn.executemany(
                "INSERT INTO codings (segment_id, code, provenance, decision, coder, created_at, "
                "rule, score, evidence) VALUES (?, ?, 'auto', 'apply', ?, ?, ?, ?, ?)",
                [(segment_id, code, coder, at, rule, score, json.dumps(evidence, ensure_ascii=False))
                 for code, rule, score, evidence in codings])
            self.conn.execute(
                "INSERT INTO coded_segments (segment_id, signature, coded_at) VALUES (?, ?, ?) "
                "ON CONFLICT(segment_id) DO UPDATE SET signature = excluded.signature, "
                "coded_at = excluded.coded_at", (segment_id, signature, at))

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for status and tests)."""
        return {t: self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("sessions", "speakers", "turns", "segments", "codings", "memos")}


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the store to :data:`SCHEMA_VERSION`, one transaction per version.

    Foreign keys are off while tables are rebuilt (dropping a table would
    otherwise cascade to the rows that reference it), then checked.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise GacpError(E.E130, path=path, found=version, supported=SCHEMA_VERSION)
    if version == SCHEMA_VERSION:
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        _apply_migrations(conn, version)
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.DatabaseError(f"clés étrangères rompues après migration : {problems[:3]}")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _apply_migrations(conn: sqlite3.Connection, version: int) -> None:
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit implicitly)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def open_store(folder: Path | str, *, create: bool = True, any_thread: bool = False) -> Store:
    """Open (creating and migrating if needed) the store of a group folder.

    Args:
        folder: the group folder (the one holding ``groupe.yaml``).
        create: when False, a missing store raises E132 instead of being created.
        any_thread: let other threads than the opening one use the connection (the review
            widget: ipykernel runs widget callbacks in another thread than the cells); the
            caller makes sure they take turns.
    """
    folder = Path(folder)
    path = store_path(folder)
    if not path.exists():
        if not create:
            raise GacpError(E.E132, folder=folder)
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30,
                           check_same_thread=not any_thread)
    conn.row_factory = sqlite3.Row
    try:
        # WAL lets two notebooks (or a notebook and `gacp code`) use one store: readers do
        # not block the writer, and the 30 s timeout waits for the other's transaction.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted or replaced content is overwritten with zeros, not left in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise GacpError(E.E131, path=path, problem=str(exc)) from exc
    return Store(conn, path)
