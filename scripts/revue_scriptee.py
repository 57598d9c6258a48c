"""A scripted review of demo sessions, to measure `gacp learn` and `gacp agreement` (README).

Not a facilitator's judgement: a reviewer with two fixed, stated habits, applied to every
segment of the sessions given, through the same package API as the review widget:

- rejects « consequence.collectif » wherever the automatic coder suggests it;
- adds « affect » wherever a word of feeling is said (fatigu*, peur, pleur*, culpabil*, honte);
- then validates the segment (accepts what is left).

Usage: python scripts/revue_scriptee.py DOSSIER SEANCE [SEANCE ...]
(DOSSIER imported and coded: gacp import DOSSIER && gacp code DOSSIER).
"""
from __future__ import annotations

import re
import sys

from gacp_analysis.review.actions import Review

CODER = "Script"
REJECTED = "consequence.collectif"
ADDED = "affect"
FEELING = re.compile(r"fatigu|peur|pleur|culpabil|honte", re.IGNORECASE)


def scripted_review(folder: str, sessions: list[int]) -> int:
    """Review every segment of ``sessions`` as described above; returns how many."""
    review = Review(folder, CODER)
    segs = review.segments[review.segments["session"].isin(sessions)]
    for sid, text in zip(segs["segment_id"], segs["text"]):
        sid = int(sid)
        if any(r["code"] == REJECTED for r in review.codings(sid)):
            review.reject(sid, REJECTED)
        if FEELING.search(text):
            review.add_code(sid, ADDED)
        review.validate_segment(sid)
    return len(segs)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__.split("\n\n")[-1])
    count = scripted_review(sys.argv[1], [int(n) for n in sys.argv[2:]])
    print(f"{count} segment(s) revu(s) par « {CODER} ».")
