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
    """Read ``consentements`` (and the older ``consentement_citation``) of one person.

    Args:
        entry: the person's mapping in ``groupe.yaml``.
        path, doc: the file and its YAML node tree (for line numbers).
        where: the keys leading to the person, e.g. ``["participants", 2]``.
        facilitator: facilitators are never quoted; their register is kept as written.

    Raises:
        GacpError: E700 for a malformed register, E701 when the two keys disagree.
    """
    legacy = entry.get("consentement_citation")
    place = f"{where[0]}[{where[1] + 1}]"
    if legacy is not None and not isinstance(legacy, bool):
        raise GacpError(E.E700, path=path, line=_line(doc, [*where, "consentement_citation"]),
                        where=f"{place}.consentement_citation", problem=f"valeur « {legacy} »",
                        fix="Écrivez true (citations autorisées) ou false.")
    raw = entry.get("consentements")
    consents: dict[str, Consent] = {}
    if raw is not None:
        if not isinstance(raw, dict):
            raise GacpError(E.E700, path=path, line=_line(doc, [*where, "consentements"]),
                            where=f"{place}.consentements", problem="ce n'est pas une liste de clés",
                            fix="Écrivez, sur des lignes en retrait : enregistrement: {accord: true, "
                                "date: AAAA-MM-JJ}, puis citation: ..., bilan_ecrit: ...")
        for key, value in raw.items():
            line = _line(doc, [*where, "consentements", key])
            here = f"{place}.consentements.{key}"
            if key not in CONSENT_KEYS:
                raise GacpError(E.E700, path=path, line=line, where=here, problem="clé inconnue",
                                fix="Clés possibles : " + ", ".join(CONSENT_KEYS) + ".")
            consents[key] = _consent(value, path=path, line=line, where=here)
    if legacy is not None:
        written = consents.get("citation")
        if written is not None and written.accord is not None and written.accord != legacy:
            raise GacpError(E.E701, path=path, line=_line(doc, [*where, "consentement_citation"]),
                            where=place, legacy=str(legacy).lower(), accord=str(written.accord).lower())
        if written is None or written.accord is None:
            consents["citation"] = Consent(accord=legacy)
        if legacy and "bilan_ecrit" not in consents:
            consents["bilan_ecrit"] = Consent(accord=True)
    return ConsentRegister(**consents)


def _consent(value: object, *, path: Path, line: int, where: str) -> Consent:
    fix = "Écrivez par exemple {accord: true, date: 2026-01-13} (accord : true ou false)."
    if isinstance(value, bool):  # « citation: true » : accepted, without a date
        return Consent(accord=value)
    if not isinstance(value, dict):
        raise GacpError(E.E700, path=path, line=line, where=where, problem=f"valeur « {value} »", fix=fix)
    unknown = sorted(set(value) - {"accord", "date"})
    if unknown:
        raise GacpError(E.E700, path=path, line=line, where=where,
                        problem=f"clé(s) inconnue(s) {', '.join(map(str, unknown))}", fix=fix)
    from ..corpus.yamlio import schema_date

    accord, when = value.get("accord"), schema_date(value.get("date"))
    if not isinstance(accord, bool):
        raise GacpError(E.E700, path=path, line=line, where=where,
                        problem=f"« accord » vaut « {accord} »", fix=fix)
    if when is not None and not isinstance(when, Date):
        raise GacpError(E.E700, path=path, line=line, where=where,
                        problem=f"date illisible « {when} »",
                        fix="Écrivez la date au format AAAA-MM-JJ (par exemple 2026-01-13).")
    return Consent(accord=accord, date=when)


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
