"""What the store holds: sessions, turns, words per speaker, codings."""
from __future__ import annotations

from collections import defaultdict

from .corpus.turns import speech_words
from .store import CODINGS_IN_FORCE_SQL, Store  # noqa: F401 (the rule is the store's; re-exported)


def store_status(store: Store) -> dict:
    """A JSON-ready summary of the store.

    Returns:
        ``{"sessions": [{"number", "date", "type", "source", "turns", "events", "words",
        "speakers": {pseudonym: {"turns", "words"}}}], "codings": N, "codages": {...}}``
        where words are whitespace-separated tokens of speech (events excluded) and
        ``codings`` counts the (segment, code) pairs in force.
    """
    sessions = []
    for row in store.sessions():
        speakers: dict[str, dict[str, int]] = defaultdict(lambda: {"turns": 0, "words": 0})
        turns = events = 0
        for turn in store.turns_of(row["id"]):
            if turn.kind == "event":
                events += 1
                continue
            turns += 1
            entry = speakers[turn.speaker]
            entry["turns"] += 1
            entry["words"] += speech_words(turn.text)
        sessions.append({
            "number": row["number"], "date": row["date"], "type": row["type"],
            "source": row["source"], "turns": turns, "events": events,
            "words": sum(s["words"] for s in speakers.values()),
            "speakers": dict(sorted(speakers.items())),
        })
    in_force = store.codings_in_force_count()
    detail = store.coding_counts()
    memos = store.counts()["memos"]
    return {
        "sessions": sessions,
        "codings": in_force,
        "codages": {"auto": detail["auto"], "humains": detail["human"], "a_revoir": detail["needs_review"]},
        "memos": memos,
    }
