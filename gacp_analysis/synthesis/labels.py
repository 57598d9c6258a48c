"""French labels and display order of codes, families and table columns.

One place turns identifiers into what a facilitator reads: code ids into the
codebook's labels, and the English column names of the synthesis tables into
French headers (:func:`french`).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

# Families in reading order: the story, the work, its effects, the reasons, the self, the debate.
FAMILY_ORDER = ("recit", "travail", "consequence", "rationalite", "identite", "affect", "debat")
RATIONALITIES = ("rationalite.instrumentale", "rationalite.axiologique", "rationalite.subjective")
DEBATE_CODES = ("debat.accord", "debat.divergence")
ARRANGEMENT = "travail.arrangement"
CONSTRAINT = "travail.contrainte"
CONSEQUENCE_FAMILY = "consequence"

COLUMN_LABELS = {
    "group": "groupe",
    "session": "séance",
    "date": "date",
    "session_type": "type",
    "turn": "tour",
    "segment_id": "segment",
    "speaker": "pseudonyme",
    "role": "rôle",
    "is_facilitator": "animation",
    "consent_quote": "citation autorisée",
    "code": "code",
    "code_label": "libellé",
    "family": "famille",
    "text": "extrait",
    "start": "début",
    "end": "fin",
    "provenance": "provenance",
    "needs_review": "à revoir",
    "words": "mots",
    "turns": "tours",
    "count": "nombre",
    "rate": "pour 1 000 mots",
    "first": "première séance",
    "last": "dernière séance",
    "peak": "séance du pic",
    "peak_rate": "taux au pic",
    "sessions_present": "séances présentes",
    "recurrence": "récurrence",
    "status": "évolution",
    "arrangement": "arrangement",
    "consequence": "conséquence",
    "consequence_turn": "tour de la conséquence",
    "consequence_text": "extrait (conséquence)",
    "distance": "distance (tours)",
    "constraint": "contrainte proche",
    "constraint_text": "extrait (contrainte)",
    "rationality": "rationalité",
    "share": "part",
    "theme": "thème",
    "accord": "lecture commune",
    "divergence": "divergence",
    "speakers": "pseudonymes",
    "roles": "rôles",
    "from_theme": "thème de départ",
    "to_theme": "thème suivant",
    "word_share": "part des mots",
    "turn_share": "part des tours",
    "left": "contexte gauche",
    "match": "occurrence",
    "right": "contexte droit",
    "codes": "codes",
    "kind": "échange",
    "sessions": "séances",
    "participants": "participant·es",
    "arrangements": "arrangements",
    "sans_consequence": "sans conséquence nommée",
    "last_rate": "taux à la dernière séance",
    "consequence_speaker": "pseudonyme (conséquence)",
    "speech_rank": "rang du tour",
    "segment_index": "n° du segment dans le tour",
    # synthesis.elaboration
    "key_terms": "de quoi il s'agit (mots-clés)",
    "excerpt": "extrait",
    "label": "ce qui revient (mots-clés)",
    "segments": "phrases",
    "n_sessions": "nombre de séances",
    "exchange": "échange",
    "exchanges": "échanges",
    "position": "place dans l'échange",
    "stance": "position",
    "quoted": "citable",
    "situations": "situations apportées par",
    "recurring": "arrangements et contraintes qui reviennent",
    "debated": "thèmes débattus",
}


@lru_cache(maxsize=1)
def _default_codebook():
    from ..coding.codebook import load_codebook

    return load_codebook()


# Codes a group added in its own codebook.yaml, as read from its store: id -> (label, family).
_GROUP_CODES: dict[str, tuple[str, str]] = {}


def register_codes(codes: dict[str, tuple[str, str]]) -> None:
    """Make a group's own codes known (label, family) to the functions below.

    Called when a group's tables are loaded: the store's ``codes`` table holds the codebook
    in force for that group. The default codebook's codes keep their labels.
    """
    for code, (label, family) in codes.items():
        if _default_codebook().get(code) is None:
            _GROUP_CODES[code] = (label, family)


def family_of(code: str) -> str:
    """The family of a code id: the codebook's, else the part before the dot."""
    known = _default_codebook().get(code)
    if known is not None:
        return known.family
    if code in _GROUP_CODES:
        return _GROUP_CODES[code][1]
    return code.split(".", 1)[0]


def code_label(code: str) -> str:
    """The French label of a code id (the id itself for a code no codebook names)."""
    known = _default_codebook().get(code)
    if known is not None:
        return known.label
    return _GROUP_CODES[code][0] if code in _GROUP_CODES else code


def family_label(family: str) -> str:
    """The French label of a family (``identite`` and ``affect`` are their own family)."""
    codebook = _default_codebook()
    entry = codebook.families.get(family)
    if entry and entry.get("label"):
        return str(entry["label"])
    known = codebook.get(family)
    return known.label if known is not None else family


def code_order() -> tuple[str, ...]:
    """Code ids of the default codebook in codebook order, then the groups' own codes."""
    return tuple(c.id for c in _default_codebook().codes) + tuple(_GROUP_CODES)


def sort_codes(codes) -> list[str]:
    """Codes in codebook order; unknown codes after, alphabetically."""
    order = {c: i for i, c in enumerate(code_order())}
    return sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))


def sort_families(families) -> list[str]:
    order = {f: i for i, f in enumerate(FAMILY_ORDER)}
    return sorted(set(families), key=lambda f: (order.get(f, len(order)), f))


def is_theme(code: str) -> bool:
    """Codes that name what is talked about (not the debate, not the reasons given)."""
    return family_of(code) not in ("debat", "rationalite")


def french(df: pd.DataFrame, *, labels: bool = True) -> pd.DataFrame:
    """A copy of a synthesis table for display: French headers, code labels.

    Args:
        df: any table of this package.
        labels: replace code ids by their French labels in code-valued columns.
    """
    out = df.copy()
    if labels:
        for column in ("code", "consequence", "rationality", "theme", "from_theme", "to_theme"):
            if column in out.columns:
                out[column] = out[column].map(lambda c: code_label(c) if isinstance(c, str) else c)
        if "family" in out.columns:
            out["family"] = out["family"].map(lambda f: family_label(f) if isinstance(f, str) else f)
    if labels:
        out.index = _label_index(out.index)
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([COLUMN_LABELS.get(n, n) for n in out.index.names])
    elif out.index.name is not None:
        out.index.name = COLUMN_LABELS.get(out.index.name, out.index.name)
    if labels and out.columns.name in ("code", "rationality", "consequence", "theme"):
        out.columns = [code_label(c) if isinstance(c, str) else c for c in out.columns]
    elif labels and out.columns.name == "family":
        out.columns = [family_label(c) if isinstance(c, str) else c for c in out.columns]
    else:
        known = set(code_order()) if labels else set()
        out = out.rename(columns=lambda c: code_label(c) if c in known
                         else COLUMN_LABELS.get(c, c))
    if out.columns.name in COLUMN_LABELS:
        out.columns.name = COLUMN_LABELS[out.columns.name]
    return out


_CODE_LEVELS = ("code", "consequence", "rationality", "theme", "from_theme", "to_theme")


def _label_index(index: pd.Index) -> pd.Index:
    """Replace code and family ids by their labels in the levels named after them."""
    def relabel(level: pd.Index) -> pd.Index:
        if level.name in _CODE_LEVELS:
            return level.map(lambda c: code_label(c) if isinstance(c, str) else c)
        if level.name == "family":
            return level.map(lambda f: family_label(f) if isinstance(f, str) else f)
        return level

    if isinstance(index, pd.MultiIndex):
        return index.set_levels([relabel(level) for level in index.levels], verify_integrity=False)
    return relabel(index)
