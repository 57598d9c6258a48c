"""The bilan annex: what it says, assembled from the store.

:func:`assemble_bilan` builds a :class:`~.content.Document` for one group:
cover, notice of ownership and validation status, the dispositif and
participation, the syntheses (themes across sessions, arrangements and their
consequences, rationalities, resources and leeway, divergences and common
readings), selected verbatims, the facilitator's memos marked for the bilan,
and the codebook as an appendix.

Confidentiality is decided here, once, before any file is written: every
text goes through :class:`~gacp_analysis.privacy.Masker` (quotes and memos
through :meth:`~gacp_analysis.privacy.Masker.quote`, which adds the NER
model's person names), verbatims come only from
:func:`~gacp_analysis.privacy.quotable_pseudonyms` (through the synthesis tables), and no table shows a
score per person.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

import pandas as pd

from ..coding.codebook import Codebook, load_codebook
from ..corpus.group import Group
from ..privacy import Masker
from ..synthesis import (arrangement_summary, bilan_memos, debate_by_theme, french,
                         rationality_balance, rationality_profile, theme_matrix, trajectories)
from ..synthesis import figures
from ..synthesis.excerpts import bilan_quotes
from ..synthesis.labels import RATIONALITIES, code_label, family_label, sort_codes
from ..synthesis.table import Tables, load_group_tables
from .content import Bullets, Document, Figure, Paragraph, Quote, Section, Table

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
SESSION_TYPES = {"information": "information", "analyse": "analyse des pratiques",
                 "bilan": "bilan"}
# The syntheses read the analysis sessions (step 2 of the dispositif), as the bilan notebook
# does; verbatims may also come from the bilan session (synthesis.excerpts decides).
SYNTHESIS_SESSION_TYPES = ("analyse",)
AUTHOR = "gacp-analysis"

NOTICE = (
    "Ce document est le bilan écrit d'un groupe d'analyse clinique des pratiques "
    "professionnelles. Il appartient au collectif de travail qui l'a élaboré : sa diffusion et "
    "son utilisation sont décidées par le groupe, et par lui seul."
)
CONFIDENTIALITY = (
    "Les participants y apparaissent sous pseudonyme ; les autres personnes citées, les lieux "
    "et la structure sont masqués. Les extraits cités proviennent uniquement des participants "
    "qui ont accepté d'être cités ; les interventions de l'animation n'en font pas partie. Les "
    "codes décrivent ce qui a été dit en séance, jamais les personnes : aucun tableau ne donne "
    "de score individuel."
)
DISPOSITIF = (
    "Le dispositif s'appuie sur la volonté de professionnels partageant une expérience commune "
    "de penser le travail et les pratiques, ainsi que leur sens, sur les plans subjectifs et au "
    "regard de l'action. L'intervenant ne se positionne pas en expert : il est garant du cadre "
    "(volontariat, confidentialité, non-jugement) et de l'aide à l'élaboration des questions."
)
STEPS = (
    "Étape 1 : analyse de la demande et réunion d'information préalable ; constitution d'un "
    "groupe de volontaires.",
    "Étape 2 : réunions d'analyse clinique des pratiques, environ une fois par mois, de deux à "
    "trois heures.",
    "Étape 3 : bilan de fin d'accompagnement, qui retrace le travail collectif d'élaboration et "
    "met en mots les divergences comme les lectures communes du groupe.",
)


def french_date(value: Date | str) -> str:
    """« 14 avril 2026 » (« 1er » for the first of the month)."""
    if isinstance(value, str):
        value = Date.fromisoformat(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def slug(text: str) -> str:
    """A file-name-safe lower-case form: « Groupe A » -> « groupe-a »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "groupe"


def _fmt(value: object) -> str:
    """A table cell: integers without decimals, floats with one, French decimal comma."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int) or (isinstance(value, float) and float(value).is_integer()):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, Date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def table_from_frame(df: pd.DataFrame, *, caption: str, note: str = "",
                     index: bool = True) -> Table:
    """A :class:`Table` from a DataFrame (the index becomes the first column)."""
    frame = df.reset_index() if index else df
    header = tuple(str(c) for c in frame.columns)
    rows = tuple(tuple(_fmt(v) for v in row) for row in frame.itertuples(index=False))
    return Table(caption=caption, header=header, rows=rows, note=note)


@dataclass(frozen=True)
class BilanInputs:
    """What the annex is made from, read once."""

    group: Group
    tables: Tables  # every session (participation)
    analysis: Tables  # the analysis sessions (step 2): what the syntheses read
    codebook: Codebook
    memos: tuple[tuple[int | None, str], ...]  # (session number, text), masked
    masker: Masker


def read_inputs(group: Group) -> BilanInputs:
    """Read the store of a group: masked tables, codebook, memos marked for the bilan."""
    masker = Masker(group)
    tables = load_group_tables(group, masked=True)
    rows = bilan_memos(group)
    texts = masker.quotes(list(rows["text"]))
    memos = tuple((None if pd.isna(n) else int(n), text) for n, text in zip(rows["session"], texts))
    return BilanInputs(group=group, tables=tables,
                       analysis=tables.select(session_types=SYNTHESIS_SESSION_TYPES),
                       codebook=load_codebook(group.folder), memos=memos, masker=masker)


# -- sections ---------------------------------------------------------------------------------

def cover(inputs: BilanInputs) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs of the cover page."""
    group, sessions, mask = inputs.group, inputs.tables.sessions, inputs.masker
    dates = [french_date(d) for d in sessions["date"]]
    facilitators = ", ".join(s.pseudonym for s in group.facilitators)
    lines = [("Groupe", mask(group.name))]
    lines.append(("Structure", group.organisation if group.show_organisation
                  else "[structure] (masquée)"))
    if group.sector:
        lines.append(("Secteur", mask(group.sector)))
    if group.period:
        lines.append(("Période", mask(group.period)))
    elif dates:
        lines.append(("Période", f"du {dates[0]} au {dates[-1]}"))
    lines.append(("Séances", f"{len(dates)} : " + ", ".join(dates) if dates else "aucune"))
    lines.append(("Animation", facilitators))
    return tuple(lines)


def status_line(group: Group) -> str:
    if group.bilan_status == "valide" and group.bilan_validated_on:
        return f"Validé par le groupe le {french_date(group.bilan_validated_on)}."
    return ("BROUILLON : document de travail, à relire et valider par le groupe avant toute "
            "diffusion.")


def notice_section(inputs: BilanInputs) -> Section:
    group = inputs.group
    if group.bilan_status == "valide" and group.bilan_validated_on:
        status = (f"Statut : validé par le groupe le {french_date(group.bilan_validated_on)}. "
                  "Toute diffusion suit ce que le groupe a décidé.")
    else:
        status = ("Statut : brouillon. Ce document n'a pas encore été validé par le groupe : il "
                  "ne doit pas être diffusé. Une fois validé, la date de validation est inscrite "
                  "dans groupe.yaml (bilan: statut: valide, valide_le: AAAA-MM-JJ).")
    return Section("À qui appartient ce document", (
        Paragraph(NOTICE), Paragraph(status), Paragraph(CONFIDENTIALITY)))


def dispositif_section(inputs: BilanInputs) -> Section:
    tables, group = inputs.tables, inputs.group
    turns = tables.turns
    participants = turns[~turns["is_facilitator"] & turns["speaker"].notna()]
    rows = []
    for s in tables.sessions.itertuples(index=False):
        present = participants[participants["session"] == s.session]
        rows.append((str(s.session), french_date(s.date), SESSION_TYPES.get(s.session_type,
                     s.session_type), str(present["speaker"].nunique()), str(len(present)),
                     str(int(present["words"].sum()))))
    sessions_table = Table(
        caption="Les séances du groupe",
        header=("séance", "date", "type", "participants présents", "prises de parole",
                "mots prononcés"),
        rows=tuple(rows),
        note="Participants présents : personnes ayant pris la parole (animation exclue).")
    roles: dict[str, int] = {}
    for speaker in group.participants:
        roles[speaker.role] = roles.get(speaker.role, 0) + 1
    roles_table = Table(
        caption="Composition du groupe par métier",
        header=("métier ou fonction", "participants"),
        rows=tuple((inputs.masker(role), str(n)) for role, n in sorted(roles.items())))
    total = len(group.participants)
    return Section("Le dispositif et la participation", (
        Paragraph(DISPOSITIF), Bullets(STEPS),
        Paragraph(f"Le groupe a réuni {total} participant{'s' if total > 1 else ''} volontaire"
                  f"{'s' if total > 1 else ''} et s'est retrouvé {len(rows)} fois."),
        sessions_table, roles_table))


def _per_group(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the ``group`` level or column: the annex is about one group."""
    if isinstance(frame.index, pd.MultiIndex) and "group" in frame.index.names:
        frame = frame.droplevel("group")
    if "group" in frame.columns:
        frame = frame.drop(columns="group")
    return frame


def _sessions_header(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [f"S{c}" if isinstance(c, (int, float)) and not isinstance(c, bool) else c
                     for c in frame.columns]
    return frame


SESSION_NOTE = "Sn : séance n."


def _figure(function: Callable, tables: Tables, figures_dir: Path, name: str, caption: str,
            **options) -> Figure:
    """Draw one synthesis figure to ``figures_dir/name.png`` and wrap it with its caption."""
    path = figures_dir / f"{name}.png"
    function(tables, path=path, **options)
    return Figure(caption=caption, path=path)


def synthesis_sections(inputs: BilanInputs, *, figures_dir: Path) -> tuple[Section, ...]:
    """The syntheses, one section each, from :mod:`gacp_analysis.synthesis`."""
    sections = []
    for title, intro, builder in SYNTHESES:
        blocks: list = [Paragraph(intro)]
        blocks.extend(builder(inputs, figures_dir))
        sections.append(Section(title, tuple(blocks)))
    return tuple(sections)


def _themes(inputs: BilanInputs, figures_dir: Path) -> list:
    tables = inputs.analysis
    matrix = _per_group(theme_matrix(tables, level="code", value="count"))
    matrix.index = [code_label(c) for c in matrix.index]
    matrix.index.name = "thème"
    blocks: list = [_figure(figures.heatmap_themes, tables, figures_dir, "themes_seances",
                            "Thèmes abordés séance par séance (segments pour 1 000 mots)",
                            level="code", value="rate")]
    blocks.append(table_from_frame(
        _sessions_header(matrix).astype("int64"), caption="Segments codés par thème et par séance",
        note=f"{SESSION_NOTE} Séances d'analyse des pratiques. Un segment est une phrase "
             "d'une prise de parole."))
    paths = trajectories(tables, level="code")
    if not paths.empty:
        paths = _per_group(paths)[["code", "first", "last", "sessions_present", "peak", "status"]]
        blocks.append(table_from_frame(french(paths), index=False,
                                       caption="Trajectoire de chaque thème",
                                       note="Évolution : nouveau (apparu à la dernière séance), "
                                            "persistant, en retrait, résolu (absent de la "
                                            "dernière séance), ponctuel (une seule séance)."))
    blocks.append(_figure(figures.plot_trajectories, tables, figures_dir, "trajectoires",
                          "Trajectoires des familles de thèmes", level="family"))
    return blocks


def _arrangements(inputs: BilanInputs, figures_dir: Path) -> list:
    summary = _per_group(arrangement_summary(inputs.analysis))
    if summary.empty:
        return [Paragraph("Aucun arrangement n'a été codé.")]
    summary = summary.rename(columns={c: code_label(c) for c in summary.columns if "." in c})
    summary = summary.rename(columns={"arrangements": "arrangements",
                                      "sans_consequence": "sans conséquence nommée"})
    summary.index.name = "séance"
    return [_figure(figures.plot_arrangements, inputs.analysis, figures_dir, "arrangements",
                    "Arrangements et conséquences qui leur sont reliées, par séance"),
            table_from_frame(summary, caption="Arrangements et conséquences nommées, par séance",
                             note="Une conséquence est reliée à un arrangement quand elle est "
                                  "nommée dans la même prise de parole ou dans les deux suivantes.")]


def _rationalities(inputs: BilanInputs, figures_dir: Path) -> list:
    blocks: list = []
    profile = _per_group(rationality_profile(inputs.analysis))
    if not profile.empty:
        profile.index = [code_label(c) for c in profile.index]
        profile.index.name = "thème"
        blocks.append(table_from_frame(french(profile), caption="Thèmes et rationalités qui les "
                                       "justifient", note="Nombre de prises de parole où le thème "
                                       "et la rationalité vont ensemble."))
    balance = _per_group(rationality_balance(inputs.analysis))
    pivot = balance.pivot_table(index="session", columns="rationality", values="count",
                                aggfunc="sum", sort=False).reindex(columns=list(RATIONALITIES))
    pivot.columns = [code_label(c) for c in pivot.columns]
    pivot.index.name = "séance"
    blocks.append(table_from_frame(pivot.fillna(0).astype("int64"),
                                   caption="Rationalités invoquées par séance"))
    blocks.append(_figure(figures.plot_rationalities, inputs.analysis, figures_dir,
                          "rationalites",
                          "Part de chaque rationalité dans les justifications, par séance"))
    return blocks


def _resources(inputs: BilanInputs, figures_dir: Path) -> list:
    codes = ["travail.ressource", "identite"]
    matrix = _per_group(theme_matrix(inputs.analysis, level="code", value="count"))
    matrix = matrix[matrix.index.isin(codes)]
    if matrix.empty:
        return [Paragraph("Aucune ressource ni marge de manœuvre n'a été codée.")]
    matrix.index = [code_label(c) for c in matrix.index]
    matrix.index.name = "thème"
    return [table_from_frame(_sessions_header(matrix).astype("int64"),
                             caption="Ressources, marges de manœuvre et identité professionnelle "
                                     "par séance", note=SESSION_NOTE)]


def _debate(inputs: BilanInputs, figures_dir: Path) -> list:
    by_theme = _per_group(debate_by_theme(inputs.analysis))
    if by_theme.empty:
        return [Paragraph("Aucune lecture commune ni divergence n'a été codée.")]
    # How many trades took part, not who: the bilan says what was debated, not who
    # disagreed with whom.
    by_theme = by_theme[["theme", "accord", "divergence", "roles", "sessions"]].copy()
    by_theme["roles"] = by_theme["roles"].map(lambda r: len([x for x in r.split(", ") if x]))
    return [_figure(figures.plot_debate, inputs.analysis, figures_dir, "divergences_accords",
                    "Divergences et lectures communes, par thème"),
            table_from_frame(french(by_theme).rename(columns={"sessions": "séances",
                                                              "rôles": "métiers impliqués"}),
                             index=False, caption="Lectures communes et divergences par thème",
                             note="Nombre de prises de parole d'accord ou de désaccord portant "
                                  "sur le thème ; métiers impliqués : nombre de métiers différents "
                                  "parmi ceux qui ont pris part à l'échange.")]


SYNTHESES: tuple[tuple[str, str, Callable[[BilanInputs, Path], list]], ...] = (
    ("Les thèmes au fil des séances",
     "Quels thèmes le groupe a travaillés au fil des séances d'analyse des pratiques, quand ils "
     "sont apparus, sont revenus ou se sont estompés.", _themes),
    ("Les arrangements et leurs conséquences",
     "Ce que les professionnels mettent en place face aux contraintes, et ce que ces "
     "arrangements font aux pratiques, au collectif, à la santé et à la qualité du travail.",
     _arrangements),
    ("Les rationalités",
     "Au nom de quoi les pratiques sont justifiées : l'efficacité (rationalité instrumentale), "
     "les valeurs (axiologique), ce qu'elles font à soi (subjective).", _rationalities),
    ("Les ressources et les marges de manœuvre",
     "Ce sur quoi le groupe s'appuie pour dépasser les difficultés du travail : soutiens, "
     "savoir-faire, autonomie, et ce que le métier représente pour chacun.", _resources),
    ("Divergences et lectures communes",
     "Ce qui a été débattu et ce qui a été partagé : la matière de la mise en mots des "
     "divergences comme des lectures communes.", _debate),
)


def quotes_section(inputs: BilanInputs) -> Section:
    quotes = [Quote(text=e.text, source=f"{e.speaker}, séance {e.session} "
                                        f"({code_label(e.code).lower()})",
                    speaker=e.speaker, segment_id=e.segment_id)
              for e in bilan_quotes(inputs.tables, inputs.group, masker=inputs.masker)]
    intro = ("Quelques paroles du groupe, choisies parmi les participants qui ont accepté d'être "
             "cités, pour donner à entendre les thèmes travaillés. Les noms qu'elles contiennent "
             "sont remplacés par des pseudonymes ou masqués.")
    if not quotes:
        return Section("Paroles du groupe", (Paragraph(intro), Paragraph(
            "Aucun extrait ne peut être cité : aucun segment codé d'un participant ayant "
            "accepté d'être cité.")))
    return Section("Paroles du groupe", (Paragraph(intro), *quotes))


def memos_section(inputs: BilanInputs) -> Section:
    if not inputs.memos:
        return Section("Notes de l'animation", (Paragraph(
            "Aucune note n'a été retenue pour le bilan (mémos marqués « pour le bilan »)."),))
    blocks = [Paragraph("Notes de l'animation retenues pour le bilan.")]
    items = [f"Séance {n} : {text}" if n is not None else text for n, text in inputs.memos]
    blocks.append(Bullets(tuple(items)))
    return Section("Notes de l'animation", tuple(blocks))


def codebook_appendix(inputs: BilanInputs) -> Section:
    mask = inputs.masker
    rows = []
    for code in inputs.codebook.active_codes:
        rows.append((family_label(code.family), mask(code.label), mask(code.definition)))
    return Section("Annexe : grille de codage", (
        Paragraph("Les segments (phrases des prises de parole) ont été codés avec la grille "
                  "ci-dessous, automatiquement puis relus par l'animation. Un segment peut "
                  "recevoir plusieurs codes."),
        Table(caption="Grille de codage", header=("famille", "code", "définition"),
              rows=tuple(rows))))


def assemble_bilan(group: Group, *, figures_dir: Path) -> Document:
    """Build the annex of a group from its store.

    Args:
        group: the group (its store must hold imported sessions).
        figures_dir: where the figures' PNG files are written.
    """
    inputs = read_inputs(group)
    figures_dir.mkdir(parents=True, exist_ok=True)
    draft = not (group.bilan_status == "valide" and group.bilan_validated_on)
    return Document(
        title="Bilan de fin d'accompagnement",
        subtitle="Groupe d'analyse clinique des pratiques professionnelles",
        cover=cover(inputs),
        draft=draft,
        status_line=status_line(group),
        meta_title=f"Bilan GACP – {group.label}",
        sections=(notice_section(inputs), dispositif_section(inputs),
                  *synthesis_sections(inputs, figures_dir=figures_dir), quotes_section(inputs),
                  memos_section(inputs)),
        appendices=(codebook_appendix(inputs),),
        validated_on=None if draft else group.bilan_validated_on,
        keywords=("GACP", "bilan"),
    )
