"""What the store holds: sessions, turns, words per speaker, codings."""
from __future__ import annotations

from collections import defaultdict

from .corpus.turns import speech_words
from .store import Store

# (segment, code) pairs in force: a person's decision wins over the automatic coder.
CODINGS_IN_FORCE_SQL = """
SELECT c.segment_id, c.code FROM codings c
WHERE c.provenance = 'human' AND c.decision = 'apply'
UNION
SELECT c.segment_id, c.code FROM codings c
WHERE c.provenance = 'auto' AND NOT EXISTS (
    SELECT 1 FROM codings h WHERE h.provenance = 'human' AND h.segment_id = c.segment_id
    AND h.code = c.code AND h.decision = 'reject')
"""


def store_status(store: Store) -> dict:
    """A JSON-ready summary of the store.

    Returns:
        ``{"sessions": [{"number", "date", "type", "source", "turns", "events", "words",
        "speakers": {pseudonym: {"turns", "words"}}}], "codings": N, "codages": {...}}``
        where words are whitespace-separated tokens of speech (events excluded) and
        ``codings`` counts the (segment, code) pairs in force.
    """
    sessions = []
    for row in store.execute("SELECT id, number, date, type, source FROM sessions ORDER BY number"):
        speakers: dict[str, dict[str, int]] = defaultdict(lambda: {"turns": 0, "words": 0})
        turns = events = 0
        for turn in store.execute(
                "SELECT t.kind, t.text, sp.pseudonym FROM turns t LEFT JOIN speakers sp "
                "ON sp.id = t.speaker_id WHERE t.session_id = ? ORDER BY t.idx", (row["id"],)):
            if turn["kind"] == "event":
                events += 1
                continue
            turns += 1
            entry = speakers[turn["pseudonym"]]
            entry["turns"] += 1
            entry["words"] += speech_words(turn["text"])
        sessions.append({
            "number": row["number"], "date": row["date"], "type": row["type"],
            "source": row["source"], "turns": turns, "events": events,
            "words": sum(s["words"] for s in speakers.values()),
            "speakers": dict(sorted(speakers.items())),
        })
    in_force = store.execute(f"SELECT COUNT(*) FROM ({CODINGS_IN_FORCE_SQL})").fetchone()[0]
    detail = store.execute(
        "SELECT SUM(provenance = 'auto'), SUM(provenance = 'human'), SUM(needs_review = 1) "
        "FROM codings").fetchone()
    memos = store.execute("SELECT COUNT(*) FROM memos").fetchone()[0]
    return {
        "sessions": sessions,
        "codings": in_force,
        "codages": {"auto": detail[0] or 0, "humains": detail[1] or 0, "a_revoir": detail[2] or 0},
        "memos": memos,
    }
