"""The confidentiality part of ``gacp status``: missing consents, retention, erasures."""
from __future__ import annotations

from datetime import date as Date

from .consent import CONSENT_LABELS, missing_consents
from .retention import retention_warning


def confidentiality_status(group, today: Date | None = None) -> dict:
    """A JSON-ready summary, pseudonyms only.

    Returns:
        ``{"consentements_manquants": {pseudonym: {key: "refusé"|"non renseigné"}},
        "conservation": {"fin_accompagnement", "duree_mois", "jusqu_au", "depassee"} or None,
        "avertissements": [W701...]}``
    """
    retention = group.retention
    warning = retention_warning(group, today)
    return {
        "consentements_manquants": missing_consents(group),
        "conservation": None if retention is None else {
            "fin_accompagnement": retention.end.isoformat(), "duree_mois": retention.months,
            "jusqu_au": retention.deadline.isoformat(), "depassee": warning is not None},
        "avertissements": [warning] if warning else [],
    }


def print_confidentiality(status: dict) -> None:
    """The human-readable lines of :func:`confidentiality_status` (stdout)."""
    print()
    missing = status["consentements_manquants"]
    if not missing:
        print("Consentements : tous les participant·es ont consenti à l'enregistrement, à la "
              "citation et au bilan écrit.")
    else:
        print("Consentements non donnés (groupe.yaml, « consentements ») :")
        for pseudonym, keys in missing.items():
            parts = ", ".join(f"{CONSENT_LABELS[k]} {v}" for k, v in keys.items())
            print(f"  {pseudonym:<18} {parts}")
    retention = status["conservation"]
    if retention is None:
        print("Conservation : non renseignée (ajoutez « conservation: » dans groupe.yaml).")
    else:
        state = "dépassée" if retention["depassee"] else "en cours"
        print(f"Conservation : jusqu'au {retention['jusqu_au']} ({state}).")
