"""The consent register: who agreed to be recorded, quoted, and to appear in the written bilan.

In ``groupe.yaml``, per participant::

    consentements:
      enregistrement: {accord: true, date: 2026-01-13}
      citation: {accord: true, date: 2026-01-13}
      bilan_ecrit: {accord: false, date: 2026-01-13}

A consent not written is *not recorded* and counts as not given, except that
the older key ``consentement_citation: true`` (still accepted) meant « accepts to
be quoted in a written bilan »: it stands for citation and written-bilan consent,
with no date. This module is the one place that turns the register into
decisions: :func:`may_quote`, :func:`in_written_bilan`, :func:`recording_withheld`
and, for ``gacp status``, :func:`missing_consents`. A facilitator is never quoted
and needs no register.
"""
from __future__ import annotations

from datetime import date as Date
from pathlib import Path

from ..errors import E, GacpError
from ..models import Consent, ConsentRegister, Speaker

CONSENT_KEYS = ("enregistrement", "citation", "bilan_ecrit")
CONSENT_LABELS = {
    "enregistrement": "enregistrement",
    "citation": "citation",
    "bilan_ecrit": "bilan écrit",
}
REFUSED = "refusé"
NOT_RECORDED = "non renseigné"


def _line(doc, keys: list) -> int:
    from ..corpus.yamlio import line_of

    return line_of(doc, keys)


def parse_consents(entry: dict, *, path: Path, doc, where: list, facilitator: bool) -> ConsentRegister:
    """Turn ``consentements`` (and the older ``consentement_citation``) of one person into a register.

    The entry has already been validated against ``groupe.schema.json`` (its shape
    errors are E151, numbered there): this only reads it and checks what the
    schema cannot say, that the two keys agree.

    Args:
        entry: the person's mapping in ``groupe.yaml``.
        path, doc: the file and its YAML node tree (for line numbers).
        where: the keys leading to the person, e.g. ``["participants", 2]``.
        facilitator: facilitators are never quoted; their register is kept as written.

    Raises:
        GacpError: E701 when ``consentement_citation`` contradicts ``consentements.citation``.
    """
    from ..corpus.yamlio import schema_date

    legacy = entry.get("consentement_citation")
    consents = {key: Consent(accord=value["accord"], date=schema_date(value["date"]))
                for key, value in (entry.get("consentements") or {}).items()}
    if legacy is not None:
        written = consents.get("citation")
        if written is not None and written.accord != legacy:
            raise GacpError(E.E701, path=path, line=_line(doc, [*where, "consentement_citation"]),
                            where=f"{where[0]}[{where[1] + 1}]", legacy=str(legacy).lower(),
                            accord=str(written.accord).lower())
        if written is None:
            consents["citation"] = Consent(accord=legacy)
        if legacy and "bilan_ecrit" not in consents:
            consents["bilan_ecrit"] = Consent(accord=True)
    return ConsentRegister(**consents)


def may_quote(speaker: Speaker) -> bool:
    """Whether a verbatim of this person may appear: a participant who consented to quotation
    and to the written bilan (a quote is always written somewhere)."""
    consents = speaker.consents
    return (not speaker.is_facilitator and consents.citation.given
            and consents.bilan_ecrit.given)


def in_written_bilan(speaker: Speaker) -> bool:
    """Whether this person's content may appear, attributed, in the written bilan."""
    return not speaker.is_facilitator and speaker.consents.bilan_ecrit.given


def recording_withheld(speaker: Speaker, session_date: Date) -> str | None:
    """Why this person's words of a session must not be stored (None: they may).

    Refused recording, or recording consent dated after the session, withholds them; a
    consent not recorded does not (``gacp status`` lists it to be filled in).
    """
    consent = speaker.consents.enregistrement
    if speaker.is_facilitator:
        return None if consent.accord is not False else "refus d'enregistrement"
    if consent.accord is False:
        return "refus d'enregistrement"
    if consent.given and consent.date is not None and consent.date > session_date:
        return f"consentement à l'enregistrement donné le {consent.date.isoformat()}, après la séance"
    return None


def consent_states(speaker: Speaker) -> dict[str, dict]:
    """``{key: {"accord": True|False|None, "date": "AAAA-MM-JJ"|None}}`` for each consent."""
    out = {}
    for key in CONSENT_KEYS:
        consent = getattr(speaker.consents, key)
        out[key] = {"accord": consent.accord,
                    "date": consent.date.isoformat() if consent.date else None}
    return out


def missing_consents(group) -> dict[str, dict[str, str]]:
    """Participants who have not consented to something, by pseudonym.

    Returns:
        ``{pseudonym: {consent key: "refusé" | "non renseigné"}}``, participants in
        the order of ``groupe.yaml``, only those missing at least one consent.
    """
    out: dict[str, dict[str, str]] = {}
    for speaker in group.participants:
        missing = {}
        for key in CONSENT_KEYS:
            consent = getattr(speaker.consents, key)
            if consent.accord is False:
                missing[key] = REFUSED
            elif consent.accord is None:
                missing[key] = NOT_RECORDED
        if missing:
            out[speaker.pseudonym] = missing
    return out
