"""Typed, frozen records that modules hand each other.

Offsets are character offsets into a session's normalised plain text
(``Session.text``): ``session.text[turn.start:turn.end] == turn.text``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date

SESSION_TYPES = ("information", "analyse", "bilan")
PROVENANCES = ("auto", "human", "modele")


@dataclass(frozen=True)
class Consent:
    """One consent of a participant: given (True), refused (False) or not recorded (None)."""

    accord: bool | None = None
    date: Date | None = None

    @property
    def given(self) -> bool:
        return self.accord is True


@dataclass(frozen=True)
class ConsentRegister:
    """A participant's consents (``consentements`` in ``groupe.yaml``)."""

    enregistrement: Consent = Consent()
    citation: Consent = Consent()
    bilan_ecrit: Consent = Consent()


@dataclass(frozen=True)
class Retention:
    """How long the store may be kept (``conservation`` in ``groupe.yaml``)."""

    end: Date  # fin_accompagnement
    months: int  # duree_mois

    @property
    def deadline(self) -> Date:
        """``end`` plus ``months`` calendar months (last day of the month when shorter)."""
        import calendar

        month0 = self.end.month - 1 + self.months
        year, month = self.end.year + month0 // 12, month0 % 12 + 1
        return Date(year, month, min(self.end.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Speaker:
    """A person who speaks in a group's transcripts.

    ``label`` is the real name used in transcripts; it never leaves the
    group folder. Everything downstream of the store uses ``pseudonym``.
    """

    label: str
    pseudonym: str
    role: str
    is_facilitator: bool = False
    consent_quote: bool = False
    aliases: tuple[str, ...] = ()
    consents: ConsentRegister = ConsentRegister()


@dataclass(frozen=True)
class Turn:
    """One speaker turn, or one non-verbal event (``kind == "event"``)."""

    index: int
    kind: str  # "speech" | "event"
    speaker: str | None  # pseudonym; None for events
    text: str
    start: int
    end: int
    line: int  # 1-based line (or cue / paragraph number) in the source file
    timestamp: float | None = None  # seconds from the start of the recording


@dataclass(frozen=True)
class Segment:
    """A sentence inside a speech turn: the unit of coding."""

    turn_index: int
    index: int  # position inside the turn
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SessionMeta:
    number: int
    date: Date
    type: str
    duration_min: int | None = None


@dataclass(frozen=True)
class Session:
    """A parsed transcript: metadata, normalised text, turns and segments."""

    meta: SessionMeta
    source: str  # path relative to the group folder, with forward slashes
    text: str
    turns: tuple[Turn, ...]
    segments: tuple[Segment, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Words that triggered a code, as offsets into the session text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Coding:
    """A code applied to a segment, automatically or by a person."""

    segment_id: int
    code: str
    provenance: str  # "auto" | "human" | "modele"
    coder: str  # coder version for "auto", a person's name for "human"
    decision: str = "apply"  # "apply" | "reject" (a human rejecting an auto code)
    rule: str | None = None
    score: float | None = None
    evidence: tuple[Evidence, ...] = ()
    id: int | None = None
    created_at: str | None = None
    needs_review: bool = False


@dataclass(frozen=True)
class Memo:
    """A facilitator's note, on a segment, a coding, a session or the group."""

    text: str
    author: str
    session_number: int | None = None
    segment_id: int | None = None
    coding_id: int | None = None
    for_bilan: bool = False
    id: int | None = None
    created_at: str | None = None
    needs_review: bool = False
    tags: tuple[str, ...] = field(default=())
