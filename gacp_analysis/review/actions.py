"""The facilitator's review decisions, each written to the store at once, and their undo.

Every method of :class:`Review` is one transaction on the group's store,
recorded with the coder's name and the time (``codings.created_at``,
``reviews.reviewed_at``, ``memos.created_at``): closing the notebook or
restarting the kernel loses nothing. The undo stack lives in memory (the last
actions of this notebook); undoing puts the rows back as they were.

What a person's codes are, for agreement and learning: the codes they
*applied* (accepted or added). A suggestion they left pending on a segment is
not theirs; « Valider le segment » accepts the pending automatic suggestions
explicitly. The syntheses read the codes in force
(:data:`gacp_analysis.status.CODINGS_IN_FORCE_SQL`) where a pending automatic
code counts until someone rejects it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..coding.codebook import Codebook, load_codebook
from ..errors import E, GacpError, W
from ..store import Store, open_store

STATUSES = ("à revoir", "validé", "rejeté")
MEMO_TARGETS = ("segment", "code", "séance")


@dataclass
class Action:
    """One undoable action: what it was (in French) and the steps to revert it."""

    label: str
    steps: list[tuple] = field(default_factory=list)


class Review:
    """A person's review of a group's codings.

    Args:
        folder: the group folder (already imported and coded).
        coder: the reviewer's name (recorded with each decision).
        blind: code blind: the automatic suggestions and the other people's
            decisions are hidden (for an agreement between two humans).
        store: an open store (default: opens the group's).
    """

    def __init__(self, folder: Path | str, coder: str, *, blind: bool = False,
                 store: Store | None = None, codebook: Codebook | None = None) -> None:
        coder = (coder or "").strip()
        if not coder:
            raise GacpError(E.E500)
        self.folder = Path(folder)
        self.coder = coder
        self.blind = blind
        self.store = store or open_store(self.folder, create=False)
        self.codebook = codebook or load_codebook(self.folder)
        self.history: list[Action] = []
        self.masker = None  # set by the widget when it shows pseudonyms: passages are read masked
        self.reload()

    # -- reading ----------------------------------------------------------------
    def reload(self) -> None:
        """Read the segments again (after an import or a re-coding)."""
        self.segments = self.store.review_segments()
        self._by_id = {int(r.segment_id): r for r in self.segments.itertuples(index=False)}

    def segment(self, segment_id: int):
        try:
            return self._by_id[int(segment_id)]
        except KeyError:
            raise GacpError(E.E504, segment=segment_id, folder=self.folder) from None

    def codings(self, segment_id: int) -> list[dict]:
        """What the reviewer sees of a segment's codings: suggestions (auto, modele) with their
        status for this reviewer, then this reviewer's own codes; blind mode shows only theirs."""
        frame = self.store.segment_codings([segment_id])
        rows = frame.to_dict("records")
        mine = {(r["code"], r["start"] if r["start"] == r["start"] else None): r for r in rows
                if r["provenance"] == "human" and r["coder"] == self.coder}
        out = []
        if not self.blind:
            for r in rows:
                if r["provenance"] in ("auto", "modele"):
                    decision = mine.pop((r["code"], None), None)
                    out.append({**r, "status": _status_of(decision)})
        for r in mine.values():
            out.append({**r, "status": _status_of(r)})
        for r in out:
            for key in ("start", "end"):
                r[key] = None if r[key] != r[key] or r[key] is None else int(r[key])
        return out

    def segment_status(self, segment_id: int, reviewed: set[int] | None = None,
                       applied: dict[int, set[str]] | None = None) -> str:
        """« à revoir » (not reviewed by this person), « validé » (reviewed, a code kept) or
        « rejeté » (reviewed, no code kept)."""
        reviewed = self.store.reviewed_segments(self.coder) if reviewed is None else reviewed
        if int(segment_id) not in reviewed:
            return STATUSES[0]
        applied = self.store.human_codes(self.coder) if applied is None else applied
        return STATUSES[1] if applied.get(int(segment_id)) else STATUSES[2]

    def statuses(self) -> dict[int, str]:
        reviewed = self.store.reviewed_segments(self.coder)
        applied = self.store.human_codes(self.coder)
        return {sid: self.segment_status(sid, reviewed, applied) for sid in self._by_id}

    def progress(self, segment_ids=None) -> tuple[int, int]:
        """(reviewed, total) over ``segment_ids`` (default: every segment)."""
        ids = set(self._by_id) if segment_ids is None else {int(i) for i in segment_ids}
        return len(ids & self.store.reviewed_segments(self.coder)), len(ids)

    def memos(self, segment_id: int | None = None):
        frame = self.store.memos_frame()
        if segment_id is not None:
            frame = frame[frame["segment_id"] == segment_id]
        return frame.reset_index(drop=True)

    # -- decisions --------------------------------------------------------------
    def accept(self, segment_id: int, code: str) -> str:
        """Accept a suggested code on the whole segment."""
        return self._decide(segment_id, code, "apply", f"code « {code} » accepté")

    def reject(self, segment_id: int, code: str, *, start: int | None = None,
               end: int | None = None) -> str:
        """Reject a code (a suggestion, or one's own code on the segment or a span)."""
        return self._decide(segment_id, code, "reject", f"code « {code} » rejeté",
                            start=start, end=end)

    def add_code(self, segment_id: int, code: str, passage: str | None = None) -> str:
        """Add a code from the codebook to the segment, or to a passage inside it.

        Args:
            passage: words of the segment as written (first occurrence, ignoring case);
                empty for the whole segment.
        """
        if self.codebook.get(code) is None:
            raise GacpError(E.E501, code=code)
        start = end = None
        passage = (passage or "").strip()
        if passage:
            seg = self.segment(segment_id)
            span = find_passage(seg.text, passage, self.masker)
            if span is None:
                raise GacpError(E.E502, passage=passage, segment=segment_id)
            start, end = int(seg.start) + span[0], int(seg.start) + span[1]
            if (start, end) == (int(seg.start), int(seg.end)):
                start = end = None
        where = f" sur « {passage} »" if start is not None else ""
        return self._decide(segment_id, code, "apply", f"code « {code} » ajouté{where}",
                            start=start, end=end)

    def validate_segment(self, segment_id: int) -> str:
        """Mark the segment reviewed, accepting its pending automatic suggestions."""
        self.segment(segment_id)
        action = Action(f"segment {segment_id} validé")
        with self.store.transaction():
            if not self.blind:
                for r in self.codings(segment_id):
                    if r["provenance"] == "auto" and r["status"] == STATUSES[0]:
                        self._write(action, segment_id, r["code"], "apply")
            action.steps.append(("review", segment_id,
                                 self.store.mark_reviewed(segment_id, coder=self.coder)))
        self.history.append(action)
        return action.label

    def memo(self, text: str, *, on: str = "segment", segment_id: int | None = None,
             code: str | None = None, session: int | None = None, for_bilan: bool = False) -> str:
        """Write a memo on a segment, a code or a session (« pour le bilan » with ``for_bilan``)."""
        text = (text or "").strip()
        if not text:
            raise GacpError(E.E503)
        if on == "segment":
            self.segment(segment_id)
            memo_id = self.store.add_memo(text, author=self.coder, segment_id=int(segment_id),
                                          for_bilan=for_bilan)
        elif on == "code":
            if self.codebook.get(code) is None:
                raise GacpError(E.E501, code=code)
            memo_id = self.store.add_memo(text, author=self.coder, code=code,
                                          session_number=session, for_bilan=for_bilan)
        else:
            memo_id = self.store.add_memo(text, author=self.coder, session_number=int(session),
                                          for_bilan=for_bilan)
        target = {"segment": f"le segment {segment_id}", "code": f"le code « {code} »"}.get(
            on, f"la séance {session}")
        action = Action(f"mémo sur {target}" + (" (pour le bilan)" if for_bilan else ""),
                        [("memo", memo_id)])
        self.history.append(action)
        return action.label

    def undo(self) -> str:
        """Revert the last action of this notebook; return what was undone."""
        if not self.history:
            return W.W500
        action = self.history.pop()
        with self.store.transaction():
            for step in reversed(action.steps):
                if step[0] == "coding":
                    self.store.restore_human_coding(step[1], step[2])
                elif step[0] == "review":
                    self.store.restore_reviewed(step[1], coder=self.coder, previous=step[2])
                else:
                    self.store.delete_memo(step[1])
        return f"annulé : {action.label}"

    # -- internals --------------------------------------------------------------
    def _decide(self, segment_id: int, code: str, decision: str, label: str, *,
                start: int | None = None, end: int | None = None) -> str:
        self.segment(segment_id)
        action = Action(label)
        with self.store.transaction():
            self._write(action, segment_id, code, decision, start=start, end=end)
            action.steps.append(("review", segment_id,
                                 self.store.mark_reviewed(segment_id, coder=self.coder)))
        self.history.append(action)
        return label

    def _write(self, action: Action, segment_id: int, code: str, decision: str, *,
               start: int | None = None, end: int | None = None) -> None:
        previous = self.store.human_coding(segment_id, code, coder=self.coder, start=start, end=end)
        coding_id = self.store.add_human_coding(segment_id, code, coder=self.coder,
                                                decision=decision, start=start, end=end)
        action.steps.append(("coding", coding_id, previous))


def find_passage(text: str, passage: str, masker=None) -> tuple[int, int] | None:
    """Where ``passage`` is in ``text`` (ignoring case): (start, end) offsets, or None.

    With a masker, a passage copied from the masked display (pseudonyms in place of
    names) is found too: the span of ``text`` whose masked form is the passage.
    """
    at = text.lower().find(passage.lower())
    if at >= 0:
        return at, at + len(passage)
    if masker is None:
        return None
    wanted = " ".join(passage.lower().split())
    bounds = [m.start() for m in re.finditer(r"\S+", text)]
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    for a in bounds:
        for b in ends:
            if b <= a:
                continue
            piece = " ".join(masker(text[a:b]).lower().split())
            if piece == wanted:
                return a, b
            if len(piece) > len(wanted) + 20:
                break
    return None


def _status_of(decision: dict | None) -> str:
    if decision is None:
        return STATUSES[0]
    return STATUSES[1] if decision["decision"] == "apply" else STATUSES[2]
