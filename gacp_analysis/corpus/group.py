"""The group file ``groupe.yaml``: metadata, speakers and names to mask."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date as Date
from pathlib import Path

import yaml

from ..errors import E, GacpError
from ..models import Retention, Speaker
from .yamlio import line_of, load_yaml_text

GROUP_FILENAME = "groupe.yaml"
SESSIONS_DIRNAME = "seances"


def normalise_label(label: str) -> str:
    """Key used to compare speaker labels: case-folded, single spaces, NFC."""
    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


@dataclass(frozen=True)
class Group:
    """A group as described by its ``groupe.yaml``."""

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


def _speaker(entry: object, *, path: Path, doc: object, where: list, facilitator: bool) -> Speaker:
    line = line_of(doc, where)
    place = f"{where[0]}[{where[1] + 1}] (ligne {line})"
    if not isinstance(entry, dict):
        raise GacpError(E.E104, path=path, where=place, problem="entrée qui n'est pas une liste de clés",
                        fix="Écrivez « - nom: ... » puis « pseudonyme: ... » sur les lignes suivantes.")
    for key in ("nom", "pseudonyme"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise GacpError(E.E104, path=path, where=place, problem=f"clé « {key} » absente ou vide",
                            fix=f"Ajoutez « {key}: ... » à cette personne.")
    aliases = entry.get("alias") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GacpError(E.E104, path=path, where=place, problem="« alias » doit être une liste de noms",
                        fix='Écrivez par exemple alias: ["Nadia B.", "NADIA"].')
    from ..confidentiality.consent import may_quote, parse_consents

    consents = parse_consents(entry, path=path, doc=doc, where=where, facilitator=facilitator)
    role = entry.get("role") or ("animation" if facilitator else "participant·e")
    speaker = Speaker(label=entry["nom"].strip(), pseudonym=str(entry["pseudonyme"]).strip(),
                      role=str(role).strip(), is_facilitator=facilitator,
                      aliases=tuple(a.strip() for a in aliases if a.strip()), consents=consents)
    return replace(speaker, consent_quote=may_quote(speaker))


def parse_group(text: str, *, path: Path, folder: Path) -> Group:
    """Validate the text of a ``groupe.yaml`` and build the :class:`Group`."""
    data, doc = load_yaml_text(text, path=path)
    if not isinstance(data, dict):
        raise GacpError(E.E103, path=path, key="groupe",
                        hint='le fichier doit commencer par « groupe: "Nom du groupe" »')
    hints = {
        "groupe": 'nom d\'affichage, par exemple groupe: "Soignants de nuit"',
        "structure": 'organisation, masquée dans les exports, par exemple structure: "EHPAD ..."',
        "animation": "liste des animateurs : - nom: ... / pseudonyme: ...",
        "participants": "liste des participants : - nom: ... / pseudonyme: ... / role: ...",
    }
    for key, hint in hints.items():
        if data.get(key) in (None, "", []):
            raise GacpError(E.E103, path=path, key=key, hint=hint)
    for key in ("animation", "participants"):
        if not isinstance(data[key], list):
            raise GacpError(E.E104, path=path, where=f"{key} (ligne {line_of(doc, [key])})",
                            problem="ce n'est pas une liste",
                            fix="Chaque personne commence par « - nom: ».")
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
    to_mask = data.get("a_masquer") or []
    if not isinstance(to_mask, list) or not all(isinstance(x, str) for x in to_mask):
        raise GacpError(E.E104, path=path, where=f"a_masquer (ligne {line_of(doc, ['a_masquer'])})",
                        problem="ce n'est pas une liste de noms",
                        fix='Écrivez par exemple a_masquer: ["Dr Martin", "Mme Lefort"].')
    bilan = data.get("bilan") or {}
    status = str(bilan.get("statut", "brouillon")).strip() if isinstance(bilan, dict) else "brouillon"
    if status not in ("brouillon", "valide"):
        raise GacpError(E.E104, path=path, where=f"bilan.statut (ligne {line_of(doc, ['bilan', 'statut'])})",
                        problem=f"valeur « {status} » inconnue",
                        fix="Écrivez « statut: brouillon » ou « statut: valide » avec « valide_le: AAAA-MM-JJ ».")
    validated_on = bilan.get("valide_le") if isinstance(bilan, dict) else None
    if status == "valide":
        if not isinstance(validated_on, Date):
            raise GacpError(E.E104, path=path,
                            where=f"bilan.valide_le (ligne {line_of(doc, ['bilan'])})",
                            problem="date de validation absente ou illisible",
                            fix="Ajoutez « valide_le: AAAA-MM-JJ », la date où le groupe a validé le bilan.")
    else:
        validated_on = None
    from ..confidentiality.retention import parse_retention

    retention = parse_retention(data.get("conservation"), path=path, doc=doc)
    name = str(data["groupe"]).strip()
    return Group(
        folder=folder, name=name, organisation=str(data["structure"]).strip(),
        sector=str(data.get("secteur") or "").strip(),
        label=str(data.get("pseudonyme") or name).strip(),
        facilitators=facilitators, participants=participants,
        to_mask=tuple(x.strip() for x in to_mask if x.strip()),
        show_organisation=data.get("afficher_structure") is True,
        period=str(data.get("periode") or "").strip(),
        bilan_status=status, bilan_validated_on=validated_on, retention=retention, _index=index,
    )


def load_group(folder: Path | str) -> Group:
    """Read and validate ``<folder>/groupe.yaml``.

    Raises:
        GacpError: E100 (no folder), E101 (no file), E102-E106 (invalid content).
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
