"""The group file ``groupe.yaml``: metadata, speakers, consents and names to mask.

Validated by the published schema ``gacp_analysis/data/schemas/groupe.schema.json``.
"""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date as Date
from pathlib import Path

from ..errors import E, GacpError
from ..models import Retention, Speaker
from .yamlio import SchemaProblem, check_schema, line_of, load_yaml_text, schema_date, type_name

GROUP_FILENAME = "groupe.yaml"
SESSIONS_DIRNAME = "seances"


def normalise_label(label: str) -> str:
    """Key used to compare speaker labels: case-folded, single spaces, NFC."""
    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


@dataclass(frozen=True)
class Group:
    """A group as described by its ``groupe.yaml``.

    Attributes:
        retention: ``conservation`` (end of the support and months kept), or None.
            Each speaker carries their consent register (``Speaker.consents``).
    """

    folder: Path
    name: str
    organisation: str
    sector: str
    label: str
    facilitators: tuple[Speaker, ...]
    participants: tuple[Speaker, ...]
    to_mask: tuple[str, ...] = ()
    show_organisation: bool = False
    period: str = ""
    bilan_status: str = "brouillon"
    bilan_validated_on: Date | None = None
    retention: Retention | None = None
    _index: dict[str, Speaker] = field(default_factory=dict, repr=False, compare=False)

    def speakers(self) -> tuple[Speaker, ...]:
        """Facilitators then participants."""
        return self.facilitators + self.participants

    def resolve(self, label: str) -> Speaker | None:
        """The speaker a transcript label designates (name or alias, any case)."""
        return self._index.get(normalise_label(label))

    def closest_names(self, label: str, n: int = 3) -> list[str]:
        """Known names and aliases closest to an unknown label, for error messages."""
        names = [name for s in self.speakers() for name in (s.label, *s.aliases)]
        by_key: dict[str, str] = {}
        for name in names:
            by_key.setdefault(normalise_label(name), name)
        close = difflib.get_close_matches(normalise_label(label), list(by_key), n=n, cutoff=0.4)
        return [by_key[k] for k in close] or [s.label for s in self.speakers()][:n]

    @property
    def pseudonyms(self) -> dict[str, str]:
        """Real name or alias -> pseudonym, for masking names inside speech."""
        return {name: s.pseudonym for s in self.speakers() for name in (s.label, *s.aliases)}


CONSENT_KINDS = ("enregistrement", "citation", "bilan_ecrit")

_HINTS = {
    "groupe": 'nom d\'affichage, par exemple groupe: "Soignants de nuit"',
    "structure": 'organisation, masquée dans les exports, par exemple structure: "EHPAD ..."',
    "animation": "liste des animateurs : - nom: ... / pseudonyme: ...",
    "participants": "liste des participants : - nom: ... / pseudonyme: ... / role: ...",
}
_PERSON_FIXES = {
    "alias": ("« alias » doit être une liste de noms", 'Écrivez par exemple alias: ["Nadia B.", "NADIA"].'),
    "role": ("« role » doit être un texte", 'Écrivez par exemple role: "aide-soignante de nuit".'),
}
_CONSENT_FIX = "Écrivez par exemple « citation: {accord: true, date: 2026-01-13} »."
_RETENTION_FIX = "Écrivez par exemple « conservation: {fin_accompagnement: 2026-09-30, duree_mois: 24} »."


def _unknown_key(problem: SchemaProblem, *, path: Path, where: str) -> GacpError:
    key = str(problem.path[-1])
    close = difflib.get_close_matches(key, list(problem.expected), n=1, cutoff=0.6)
    suggestion = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
    return GacpError(E.E150, path=path, line=problem.line, key=key, where=where,
                     suggestion=suggestion, known=", ".join(problem.expected))


def _person_error(problem: SchemaProblem, *, path: Path, doc: object) -> GacpError:
    list_key, index = problem.path[0], problem.path[1]
    who = f"{list_key}[{index + 1}]"
    place = f"{who} (ligne {line_of(doc, [list_key, index])})"
    rest = problem.path[2:]
    if not rest:
        return GacpError(E.E104, path=path, where=place, problem="entrée qui n'est pas une liste de clés",
                         fix="Écrivez « - nom: ... » puis « pseudonyme: ... » sur les lignes suivantes.")
    if rest[0] == "consentements":
        return _consent_error(problem, rest[1:], path=path, who=who)
    if problem.kind == "unknown_key":
        return _unknown_key(problem, path=path, where=f"pour {who}")
    key = rest[0]
    if key in ("nom", "pseudonyme") and problem.kind == "type" and problem.value is not None:
        return GacpError(E.E104, path=path, where=place,
                         problem=f"« {key} » doit être un texte, pas {type_name(problem.value)}",
                         fix=f"Écrivez-le entre guillemets, par exemple "
                             f'{key}: "{_example(problem.value, key)}".')
    if key in ("nom", "pseudonyme"):
        return GacpError(E.E104, path=path, where=place, problem=f"clé « {key} » absente ou vide",
                         fix=f"Ajoutez « {key}: ... » à cette personne.")
    if key == "consentement_citation":
        return GacpError(E.E104, path=path, where=place,
                         problem=f"« consentement_citation » vaut « {problem.value} »",
                         fix="Écrivez true (citations autorisées) ou false.")
    text, fix = _PERSON_FIXES[key]
    return GacpError(E.E104, path=path, where=place, problem=text, fix=fix)


def _example(value: object, key: str) -> str:
    """The value itself when it is a scalar (« 1789 »), else a sample name."""
    if isinstance(value, (list, dict)):
        return "Nadia" if key == "nom" else "Ambre"
    return str(value)


def _consent_error(problem: SchemaProblem, rest: tuple, *, path: Path, who: str) -> GacpError:
    if not rest:  # the register itself is not a mapping
        return GacpError(E.E151, path=path, line=problem.line, who=who, kind="consentements",
                         problem="ce doit être un dictionnaire type -> {accord, date}", fix=_CONSENT_FIX)
    kind = str(rest[0])
    if len(rest) == 1 and problem.kind == "unknown_key":
        return GacpError(E.E151, path=path, line=problem.line, who=who, kind=kind,
                         problem="type de consentement inconnu",
                         fix="Types possibles : " + ", ".join(CONSENT_KINDS) + ".")
    if len(rest) == 1:
        return GacpError(E.E151, path=path, line=problem.line, who=who, kind=kind,
                         problem="ce doit être un accord daté", fix=_CONSENT_FIX)
    key = str(rest[1])
    if problem.kind == "unknown_key":
        text = f"clé « {key} » inconnue (clés possibles : accord, date)"
    elif key == "accord":
        text = ("« accord » absent" if problem.kind == "missing_key"
                else f"« accord » vaut « {problem.value} » au lieu de true ou false")
    else:
        text = ("date du recueil absente" if problem.kind == "missing_key"
                else f"date « {problem.value} » illisible (format AAAA-MM-JJ)")
    return GacpError(E.E151, path=path, line=problem.line, who=who, kind=kind, problem=text,
                     fix=_CONSENT_FIX)


def _group_error(problem: SchemaProblem, *, path: Path, doc: object) -> GacpError:
    """The French, numbered error for the first schema problem of a groupe.yaml."""
    top = problem.path[0] if problem.path else None
    if top is None:
        return GacpError(E.E103, path=path, key="groupe",
                         hint='le fichier doit commencer par « groupe: "Nom du groupe" »')
    if top in _HINTS and len(problem.path) == 1 and (
            problem.kind in ("missing_key", "empty") or problem.value in (None, "", [])):
        return GacpError(E.E103, path=path, key=top, hint=_HINTS[top])
    if len(problem.path) == 1 and problem.kind == "unknown_key":
        return _unknown_key(problem, path=path, where="en tête de fichier")
    if top in ("animation", "participants"):
        if len(problem.path) == 1:
            return GacpError(E.E104, path=path, where=f"{top} (ligne {problem.line})",
                             problem="ce n'est pas une liste", fix="Chaque personne commence par « - nom: ».")
        return _person_error(problem, path=path, doc=doc)
    if top == "conservation":
        key = problem.path[1] if len(problem.path) > 1 else None
        if problem.kind == "unknown_key":
            text = f"clé « {key} » inconnue (clés possibles : fin_accompagnement, duree_mois)"
        elif key is None:
            text = "ce doit être un dictionnaire de clés"
        elif problem.kind == "missing_key":
            text = f"clé « {key} » absente"
        elif key == "duree_mois":
            text = f"« duree_mois » vaut « {problem.value} » au lieu d'un nombre entier de mois (1 ou plus)"
        else:
            text = f"date « {problem.value} » illisible (format AAAA-MM-JJ)"
        return GacpError(E.E152, path=path, line=problem.line, problem=text, fix=_RETENTION_FIX)
    if top == "a_masquer":
        return GacpError(E.E104, path=path, where=f"a_masquer (ligne {problem.line})",
                         problem="ce n'est pas une liste de noms",
                         fix='Écrivez par exemple a_masquer: ["Dr Martin", "Mme Lefort"].')
    if top == "bilan":
        key = problem.path[1] if len(problem.path) > 1 else None
        if problem.kind == "unknown_key":
            return _unknown_key(problem, path=path, where="dans « bilan »")
        if key == "statut":
            return GacpError(E.E104, path=path, where=f"bilan.statut (ligne {problem.line})",
                             problem=f"valeur « {problem.value} » inconnue",
                             fix="Écrivez « statut: brouillon » ou « statut: valide » avec "
                                 "« valide_le: AAAA-MM-JJ ».")
        if key == "valide_le":
            return GacpError(E.E104, path=path, where=f"bilan.valide_le (ligne {problem.line})",
                             problem="date de validation absente ou illisible",
                             fix="Ajoutez « valide_le: AAAA-MM-JJ », la date où le groupe a validé le bilan.")
        return GacpError(E.E104, path=path, where=f"bilan (ligne {problem.line})",
                         problem="ce doit être un dictionnaire de clés",
                         fix="Écrivez « bilan: » puis, en retrait, « statut: brouillon ».")
    if top == "afficher_structure":
        return GacpError(E.E104, path=path, where=f"afficher_structure (ligne {problem.line})",
                         problem=f"« afficher_structure » vaut « {problem.value} »",
                         fix="Écrivez true (la structure peut être nommée) ou false.")
    return GacpError(E.E104, path=path, where=f"{top} (ligne {problem.line})",
                     problem=f"« {top} » doit être un texte", fix="Écrivez le texte entre guillemets.")


def _speaker(entry: dict, *, path: Path, doc: object, where: list, facilitator: bool) -> Speaker:
    aliases = entry.get("alias") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    from ..confidentiality.consent import may_quote, parse_consents

    consents = parse_consents(entry, path=path, doc=doc, where=where, facilitator=facilitator)
    role = entry.get("role") or ("animation" if facilitator else "participant·e")
    speaker = Speaker(label=entry["nom"].strip(), pseudonym=str(entry["pseudonyme"]).strip(),
                      role=str(role).strip(), is_facilitator=facilitator,
                      aliases=tuple(a.strip() for a in aliases if a.strip()), consents=consents)
    return replace(speaker, consent_quote=may_quote(speaker))


def parse_group(text: str, *, path: Path, folder: Path) -> Group:
    """Validate the text of a ``groupe.yaml`` against its schema and build the :class:`Group`.

    The schema is the published ``gacp_analysis/data/schemas/groupe.schema.json``;
    its first problem becomes one French, numbered error with the line.
    """
    data, doc = load_yaml_text(text, path=path)
    if not isinstance(data, dict):
        raise GacpError(E.E103, path=path, key="groupe",
                        hint='le fichier doit commencer par « groupe: "Nom du groupe" »')
    problem = check_schema(data, "groupe", doc)
    if problem is not None:
        raise _group_error(problem, path=path, doc=doc)
    facilitators = tuple(_speaker(e, path=path, doc=doc, where=["animation", i], facilitator=True)
                         for i, e in enumerate(data["animation"]))
    participants = tuple(_speaker(e, path=path, doc=doc, where=["participants", i], facilitator=False)
                         for i, e in enumerate(data["participants"]))
    index: dict[str, Speaker] = {}
    pseudos: dict[str, Speaker] = {}
    for speaker in facilitators + participants:
        for name in (speaker.label, *speaker.aliases):
            key = normalise_label(name)
            other = index.get(key)
            if other is not None and other is not speaker:
                raise GacpError(E.E105, path=path, name=name, first=other.label, second=speaker.label)
            index[key] = speaker
        pkey = normalise_label(speaker.pseudonym)
        if pkey in pseudos:
            raise GacpError(E.E106, path=path, name=speaker.pseudonym)
        pseudos[pkey] = speaker
    bilan = data.get("bilan") or {}
    status = bilan.get("statut", "brouillon")
    validated_on = schema_date(bilan.get("valide_le")) if status == "valide" else None
    from ..confidentiality.retention import parse_retention

    retention = parse_retention(data.get("conservation"), path=path, doc=doc)
    name = str(data["groupe"]).strip()
    return Group(
        folder=folder, name=name, organisation=str(data["structure"]).strip(),
        sector=str(data.get("secteur") or "").strip(),
        label=str(data.get("pseudonyme") or name).strip(),
        facilitators=facilitators, participants=participants,
        to_mask=tuple(x.strip() for x in data.get("a_masquer") or [] if x.strip()),
        show_organisation=data.get("afficher_structure") is True,
        period=str(data.get("periode") or "").strip(),
        bilan_status=status, bilan_validated_on=validated_on, retention=retention, _index=index,
    )


def load_group(folder: Path | str) -> Group:
    """Read and validate ``<folder>/groupe.yaml``.

    Raises:
        GacpError: E100 (no folder), E101 (no file), E102-E106, E150-E152 and E700-E701 (consent register)
            (invalid content).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise GacpError(E.E100, path=folder)
    path = folder / GROUP_FILENAME
    if not path.is_file():
        raise GacpError(E.E101, path=path, folder=folder)
    from .encoding import read_text  # local: encoding imports nothing from here
    text, _warnings = read_text(path)
    return parse_group(text, path=path, folder=folder)


GROUP_TEMPLATE = """\
# groupe.yaml : description du groupe pour gacp-analysis.
# Ce fichier contient les vrais prénoms : il reste dans le dossier du groupe et
# n'est jamais exporté. La base (.gacp/), les caches et tous les exports n'ont que
# les pseudonymes : les noms sont remplacés dès l'import.

groupe: "Nom du groupe"               # nom d'affichage (ex. "Soignants de nuit")
structure: "Nom de la structure"      # organisation : masquée dans tous les exports
secteur: "médico-social"              # secteur d'activité (texte libre)
pseudonyme: "Groupe A"                # libellé du groupe dans les comparaisons entre groupes
periode: ""                           # ex. "janvier - juin 2026"
# afficher_structure: true            # décommentez si le groupe accepte que la structure soit nommée

animation:                            # animateur·rice(s) : parlent dans les transcriptions
  - nom: "Claire"                     # étiquette telle qu'elle apparaît dans les transcriptions
    pseudonyme: "Animatrice"

participants:                         # une entrée par participant·e volontaire
  - nom: "Prénom"                     # étiquette dans les transcriptions (le vrai prénom, en général)
    alias: ["Prénom N.", "PRÉNOM"]    # autres graphies rencontrées dans les transcriptions
    pseudonyme: "Pseudo"              # ce que tous les exports affichent à la place
    role: "métier ou fonction"        # sert à regrouper dans les synthèses
    consentements:                    # recueillis par écrit ; accord: true ou false, date du recueil
      enregistrement: {accord: false, date: 2026-01-13}  # false : ses paroles ne sont pas importées
      citation: {accord: false, date: 2026-01-13}        # true : peut être citée (extraits) dans le bilan
      bilan_ecrit: {accord: false, date: 2026-01-13}     # true : ses propos peuvent figurer dans le bilan écrit
    # Un consentement absent compte comme non donné (sauf l'enregistrement : « gacp status »
    # le signale). L'ancienne clé « consentement_citation: true » vaut citation et bilan écrit.

a_masquer:                            # autres noms (usagers, encadrants, lieux) masqués partout
  - "Mme Exemple"

conservation:                         # durée de conservation de la base (gacp status prévient)
  fin_accompagnement: 2026-09-30      # date de fin de l'accompagnement du groupe
  duree_mois: 24                      # mois de conservation après cette date ; ensuite : gacp purge

bilan:
  statut: brouillon                   # brouillon | valide
  # valide_le: 2026-06-30             # date de validation du bilan par le groupe
"""
