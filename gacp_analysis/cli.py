"""The ``gacp`` command: English verbs, French help and messages.

Thin by design: each ``_cmd_<verb>`` parses nothing itself and calls the
modules that do the work. Exit codes: 0 ok, 1 bad input, 2 usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import E, GacpError

DEFAULT_GROUP = "corpora/demo"


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"attention : {warning}", file=sys.stderr)


def _cmd_init(args: argparse.Namespace) -> int:
    from .corpus.group import GROUP_FILENAME, GROUP_TEMPLATE, SESSIONS_DIRNAME

    folder = Path(args.dossier)
    target = folder / GROUP_FILENAME
    if target.exists():
        raise GacpError(E.E140, path=target)
    (folder / SESSIONS_DIRNAME).mkdir(parents=True, exist_ok=True)
    target.write_text(GROUP_TEMPLATE, encoding="utf-8")
    print(f"Dossier de groupe créé : {folder}")
    print(f"  1. Complétez {target} (prénoms, pseudonymes, rôles, consentements).")
    print(f"  2. Déposez les transcriptions dans {folder / SESSIONS_DIRNAME}.")
    print(f"  3. Lancez « gacp import {folder} ».")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .corpus.importer import import_group

    report = import_group(args.dossier)
    _print_warnings(report.warnings)
    parts = []
    for label, numbers in (("nouvelle(s)", report.new), ("modifiée(s)", report.changed),
                           ("inchangée(s)", report.unchanged)):
        if numbers:
            parts.append(f"{len(numbers)} {label} ({', '.join(map(str, numbers))})")
    print(f"Import de « {report.group.name} » : " + "; ".join(parts) + ".")
    if report.flagged:
        print(f"{report.flagged} codage(s) ou mémo(s) à revoir : leur texte a changé.")
    for source in report.missing:
        print(f"attention : {source} est dans la base mais le fichier a disparu ; "
              "ses codages et mémos sont conservés.", file=sys.stderr)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from .corpus.group import load_group
    from .status import store_status
    from .store import open_store

    from .confidentiality.status import confidentiality_status, print_confidentiality

    group = load_group(args.dossier)
    with open_store(group.folder, create=False) as store:
        status = store_status(store)
    privacy = confidentiality_status(group)
    if args.json:
        status = {"groupe": group.label, **status, **privacy}
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    if not status["sessions"]:
        raise GacpError(E.E132, folder=args.dossier)
    _print_warnings(privacy["avertissements"])
    print(f"Groupe « {group.name} » : {len(status['sessions'])} séance(s), "
          f"{status['codings']} codage(s) en vigueur "
          f"({status['codages']['auto']} auto, {status['codages']['humains']} humains, "
          f"{status['codages']['a_revoir']} à revoir), {status['memos']} mémo(s).")
    print()
    print(f"{'N°':>3}  {'date':10}  {'type':11}  {'tours':>5}  {'évén.':>5}  {'mots':>6}  fichier")
    for s in status["sessions"]:
        print(f"{s['number']:>3}  {s['date']:10}  {s['type']:11}  {s['turns']:>5}  {s['events']:>5}  "
              f"{s['words']:>6}  {s['source']}")
        for pseudonym, counts in s["speakers"].items():
            print(f"{'':>5}{pseudonym:<18} {counts['turns']:>4} tours  {counts['words']:>6} mots")
    print_confidentiality(privacy)
    return 0


def _confirm(question: str, yes: bool) -> None:
    """Ask for « oui » on the terminal unless --yes; raise E704/E705 otherwise."""
    if yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise GacpError(E.E705)
    answer = input(f"{question} Tapez « oui » pour confirmer : ").strip().casefold()
    if answer not in ("oui", "o"):
        raise GacpError(E.E704)


def _cmd_forget(args: argparse.Namespace) -> int:
    from .confidentiality.erasure import forget, preview

    before = preview(args.dossier, args.personne)
    counts = before.counts
    print(f"Retrait de {before.pseudonym} : {counts['tours']} prise(s) de parole, "
          f"{counts['segments']} segment(s), {counts['codages']} codage(s), {counts['memos']} "
          "mémo(s) sur ces paroles seront supprimés de la base et des caches ; les transcriptions "
          "ne sont pas modifiées, et ces paroles ne seront plus jamais importées.")
    _confirm("Ce retrait est définitif.", args.yes)
    report = forget(args.dossier, args.personne)
    _print_warnings(report.warnings)
    print(f"Paroles de {report.pseudonym} retirées : {report.counts['tours']} prise(s) de parole "
          f"remplacée(s) par un marqueur, {report.counts['segments']} segment(s), "
          f"{report.counts['codages']} codage(s), {report.counts['memos']} mémo(s), "
          f"{report.counts['fichiers_cache']} fichier(s) de cache supprimés. Retrait consigné "
          "dans la base (date, auteur, nombres), sans les paroles.")
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from .confidentiality.retention import purge, purge_targets

    folder = Path(args.dossier)
    targets = purge_targets(folder)
    if not (folder / ".gacp").exists():
        raise GacpError(E.E709, folder=folder)
    print(f"Suppression de la base et des caches de {folder} ({len(targets)} fichier(s) dans "
          f"{folder / '.gacp'}) ; les transcriptions, groupe.yaml et les exports restent.")
    _confirm("Les codages et mémos seront perdus.", args.yes)
    deleted = purge(folder)
    print(f"{len(deleted)} fichier(s) supprimé(s). Pensez aux transcriptions et aux exports "
          "(bilan/, syntheses/) selon la procédure de conservation du service.")
    return 0


def _cmd_strip_notebook(args: argparse.Namespace) -> int:
    from .confidentiality.notebooks import strip_notebook

    for path in args.fichiers:
        changed = strip_notebook(path)
        print(f"{'sorties effacées' if changed else 'déjà sans sorties'} : {path}")
    return 0


def _cmd_bilan(args: argparse.Namespace) -> int:
    from .export.annex import write_bilan

    report = write_bilan(args.dossier, out=args.sortie, formats=args.formats,
                         code=not args.sans_codage)
    _print_warnings(report.warnings)
    imported = report.imported
    if imported is not None and (imported.new or imported.changed):
        print(f"Import : {len(imported.new)} nouvelle(s) séance(s), "
              f"{len(imported.changed)} modifiée(s).")
    if report.coded is not None:
        print(f"Codage automatique : {report.coded} segment(s) codé(s).")
    status = "brouillon" if report.document and report.document.draft else "validé"
    print(f"Bilan ({status}) écrit dans {report.out} :")
    for path in report.files:
        print(f"  {path}")
    if report.figures:
        print(f"  {len(report.figures)} figure(s) dans {report.out / 'figures'}")
    checked = len(report.audit.checked) if report.audit else 0
    print(f"Vérification : aucun nom réel dans les {checked} fichier(s) écrits.")
    for message in report.errors:
        print(f"gacp : erreur : {message}", file=sys.stderr)
    return 1 if report.errors else 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .corpus.group import load_group
    from .export.audit import audit_paths
    from .privacy import group_secrets

    group = load_group(args.dossier)
    report = audit_paths(args.fichiers, group_secrets(group))
    for message in report.messages():
        print(f"gacp : fuite : {message}", file=sys.stderr)
    leaking = (set(report.leaking_files()) | {path for path, _ in report.unreadable}
               | set(report.missing))
    for path in report.checked:
        if path not in leaking:
            print(f"ok : {path}")
    if report.ok:
        print(f"Aucun nom réel trouvé dans {len(report.checked)} fichier(s).")
        return 0
    print(f"{len(leaking)} fichier(s) à ne pas diffuser.", file=sys.stderr)
    return 1


def _cmd_code(args: argparse.Namespace) -> int:
    from .coding.run import code_group

    report = code_group(args.dossier, force=args.tout,
                        encoder=False if args.sans_encodeur else None)
    if not report.coded:
        print(f"Codage : {report.segments} segment(s), aucun changement depuis le dernier codage.")
        return 0
    print(f"Codage ({report.coder}) : {report.coded} segment(s) codé(s) sur {report.segments} "
          f"({report.unchanged} inchangé(s), {report.parsed} analysé(s) par spaCy), "
          f"{report.codings} codage(s) automatique(s).")
    for code, n in sorted(report.by_code.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {code:28} {n:>5}")
    return 0


def _cmd_synthesize(args: argparse.Namespace) -> int:
    from .synthesis.files import write_syntheses

    folders = args.dossiers
    out = Path(args.sortie) if args.sortie else (
        Path(folders[0]) / "syntheses" if len(folders) == 1 else Path("syntheses"))
    types = [t.strip() for t in args.types.split(",") if t.strip()] if args.types else None
    written = write_syntheses(folders, out, session_types=types)
    tables = [p for p in written if p.suffix == ".csv"]
    print(f"Synthèses écrites dans {out} : {len(tables)} tableau(x) CSV, "
          f"{len(written) - len(tables)} figure(s) PNG (pseudonymes seulement, aucun extrait).")
    return 0


def _cmd_tag(args: argparse.Namespace) -> int:
    from .coding.codebook import load_codebook
    from .coding.coder import Coder
    from .coding.tag import tag_stream

    coder = Coder(load_codebook(args.groupe) if args.groupe else None)
    errors = tag_stream(sys.stdin, sys.stdout, coder)
    if errors:
        print(f"gacp : {errors} ligne(s) en erreur (voir les lignes « error » de la sortie).",
              file=sys.stderr)
    return 1 if errors else 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .coding.codebook import load_codebook
    from .coding.coder import Coder
    from .coding.evaluate import evaluate_file, evaluate_parts, format_parts, format_report

    alone = args.regles_seules or args.encodeur_seul
    coder = Coder(load_codebook(args.groupe) if args.groupe else None,
                  model=False if alone or args.sans_modele else None,
                  encoder=False if args.regles_seules or args.sans_encodeur else args.encodeur,
                  mix=args.melange, weight=args.poids,
                  cache_dir=Path(args.cache) if args.cache else None)
    try:
        if args.parties:
            print(format_parts(evaluate_parts(args.gold, coder),
                               title=f"Évaluation par partie de {coder.name} sur {args.gold}"))
        else:
            report = evaluate_file(args.gold, coder)
            print(format_report(report, title=f"Évaluation de {coder.name} sur {args.gold}"))
    finally:
        if coder.encoder is not None and coder.encoder.cache is not None:
            coder.encoder.cache.save()
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export.refi_qda import export_group

    report = export_group(args.dossier, args.format, out=args.sortie)
    _print_warnings(report.warnings)
    if args.format == "qdc":
        print(f"Grille de codage REFI-QDA écrite : {report.path}")
    elif args.format == "taguette":
        print(f"Grille de codage pour Taguette écrite : {report.path} (dans Taguette : "
              "« Import a codebook » du projet).")
    else:
        print(f"Export {args.format} écrit : {report.path} ({report.sessions} séance(s), "
              f"{report.selections} codage(s) en vigueur"
              + (f", {report.memos} mémo(s)" if args.format == "qdpx" else "")
              + ", pseudonymes seulement, vérifié sans nom réel).")
    return 0


def _cmd_import_qdpx(args: argparse.Namespace) -> int:
    from .export.qdpx_import import import_qdpx

    report = import_qdpx(args.fichier, args.dossier)
    _print_warnings(report.warnings)
    print(f"Import de {args.fichier} dans « {report.group} » : {report.codings} codage(s) ajouté(s) "
          f"ou confirmé(s) sur {report.sources} source(s), {report.memos} mémo(s) ajouté(s).")
    for coder, n in sorted(report.by_coder.items()):
        print(f"  {coder:30} {n:>5}")
    return 0


def _cmd_import_qdc(args: argparse.Namespace) -> int:
    from .export.qdpx_import import import_qdc

    report = import_qdc(args.fichier, args.dossier)
    if not report.added:
        print(f"Aucun code nouveau : les {report.known} code(s) de {args.fichier} sont déjà dans "
              f"la grille du groupe.")
        return 0
    print(f"{len(report.added)} code(s) ajouté(s) à {report.path} "
          f"({report.known} déjà dans la grille) :")
    for code_id, label in report.added:
        print(f"  {code_id:34} {label}")
    return 0


def _cmd_agreement(args: argparse.Namespace) -> int:
    from .review.agreement import agreement, format_table, parse_coders, plot_agreement

    result = agreement(args.dossier, parse_coders(args.codeurs))
    print(format_table(result))
    if args.sortie:
        Path(args.sortie).parent.mkdir(parents=True, exist_ok=True)
        result.table.to_csv(args.sortie, sep=";", index=False, encoding="utf-8")
        print(f"Tableau écrit dans {args.sortie}")
    if args.figure:
        plot_agreement(result, path=args.figure)
        print(f"Figure écrite dans {args.figure}")
    return 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from .review.learning import format_report, learn

    report = learn(args.dossier, write=not args.sans_suggestions)
    print(format_report(report))
    return 0


def _in_french(method):
    """Run an argparse method with argparse's messages looked up in French (see i18n)."""
    def wrapper(self, *args, **kwargs):
        from .i18n import argparse_in_french

        with argparse_in_french():
            return method(self, *args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse speaking French through gettext, with numbered usage errors (E010, exit 2).

    argparse's own messages (usage, headings, errors) come from the French
    catalog ``data/locale/fr/LC_MESSAGES/argparse.po``: every method that builds
    or prints one runs with that catalog.
    """

    __init__ = _in_french(argparse.ArgumentParser.__init__)
    add_argument = _in_french(argparse.ArgumentParser.add_argument)
    add_argument_group = _in_french(argparse.ArgumentParser.add_argument_group)
    add_subparsers = _in_french(argparse.ArgumentParser.add_subparsers)
    parse_args = _in_french(argparse.ArgumentParser.parse_args)
    parse_known_args = _in_french(argparse.ArgumentParser.parse_known_args)
    format_usage = _in_french(argparse.ArgumentParser.format_usage)
    format_help = _in_french(argparse.ArgumentParser.format_help)

    def error(self, message: str) -> None:
        """Print the usage and the numbered French message on stderr; exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, E.E010.format(prog=self.prog, problem=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="gacp",
        description="Analyse des groupes d'analyse clinique des pratiques (GACP) : import des "
                    "transcriptions, codage explicable, synthèses et bilan.",
    )
    parser.add_argument("--version", action="version", version=f"gacp-analysis {__version__}",
                        help="affiche la version et quitte")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes")

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = command("init", "crée un dossier de groupe avec un modèle de groupe.yaml commenté", _cmd_init)
    p.add_argument("dossier", help="dossier du groupe à créer")

    p = command("import", "importe (ou réimporte) les transcriptions d'un groupe", _cmd_import)
    p.add_argument("dossier", help="dossier du groupe (contenant groupe.yaml)")

    p = command("status", "résume les séances importées et les codages", _cmd_status)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")

    p = command("bilan", "importe et code ce qui est nouveau, puis écrit le bilan du groupe "
                "(DOCX, PDF, HTML, ODT), pseudonymisé et vérifié", _cmd_bilan)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("--formats", default="docx,pdf,html",
                   help="formats séparés par des virgules parmi docx, odt, pdf, html "
                        "(défaut : docx,pdf,html)")
    p.add_argument("--out", "--sortie", dest="sortie", default=None,
                   help="dossier où écrire le bilan (défaut : DOSSIER/bilan)")
    p.add_argument("--sans-codage", action="store_true",
                   help="n'exécute pas le codage automatique (utilise les codages déjà en base)")

    p = command("audit", "vérifie que des fichiers (docx, odt, pdf, html, png, txt...) ne "
                "contiennent aucun nom réel du groupe, métadonnées comprises", _cmd_audit)
    p.add_argument("dossier", help="dossier du groupe (pour connaître les noms à chercher)")
    p.add_argument("fichiers", nargs="+", help="fichiers ou dossiers à vérifier")

    p = command("code", "code automatiquement les segments importés (codages « auto » ; les "
                "codages humains et les mémos ne sont jamais modifiés)", _cmd_code)
    p.add_argument("dossier", help="dossier du groupe (déjà importé)")
    p.add_argument("--tout", action="store_true",
                   help="recode tous les segments, même ceux qui n'ont pas changé")
    p.add_argument("--sans-encodeur", action="store_true",
                   help="code avec les règles et le modèle linéaire seuls, sans l'encodeur de "
                        "phrases (plus rapide, moins juste)")

    p = command("synthesize", "écrit les synthèses inter-séances d'un ou plusieurs groupes : "
                "tableaux CSV et figures PNG, côte à côte par groupe", _cmd_synthesize)
    p.add_argument("dossiers", nargs="+", help="dossier(s) de groupe (déjà importés et codés)")
    p.add_argument("--out", "--sortie", dest="sortie", default=None,
                   help="dossier où écrire (défaut : DOSSIER/syntheses pour un groupe, "
                        "./syntheses pour plusieurs)")
    p.add_argument("--types", default="analyse",
                   help="types de séance retenus, séparés par des virgules parmi information, "
                        "analyse, bilan (défaut : analyse)")

    p = command("tag", "code des segments lus en JSON Lines sur l'entrée standard "
                "({\"id\": ..., \"text\": ...} par ligne) et écrit une ligne JSON par segment",
                _cmd_tag)
    p.add_argument("--groupe", default=None,
                   help="dossier d'un groupe dont la grille (codebook.yaml) s'applique")

    p = command("evaluate", "compare le codage automatique à un fichier de référence JSON Lines : "
                "précision, rappel, F1 et kappa par code, F1 micro et macro", _cmd_evaluate)
    p.add_argument("gold", help="fichier de référence (par exemple corpora/gold/dev.jsonl)")
    p.add_argument("--groupe", default=None,
                   help="dossier d'un groupe dont la grille (codebook.yaml) s'applique")
    p.add_argument("--regles-seules", action="store_true",
                   help="évalue les règles seules, sans le modèle statistique ni l'encodeur")
    p.add_argument("--encodeur-seul", action="store_true",
                   help="évalue l'encodeur seul (avec les contraintes de l'échange et de la "
                        "parole d'animation), sans le modèle linéaire")
    p.add_argument("--sans-encodeur", action="store_true",
                   help="évalue les règles et le modèle linéaire, sans l'encodeur")
    p.add_argument("--sans-modele", action="store_true",
                   help="évalue les règles et l'encodeur, sans le modèle linéaire")
    # coder.MIXES, spelt out: importing the coder here would slow every command's start.
    p.add_argument("--melange", choices=("union", "moyenne", "marqueur"), default=None,
                   help="combinaison de l'encodeur et du modèle linéaire (défaut : celle du paquet)")
    p.add_argument("--poids", type=float, default=None,
                   help="poids de l'encodeur dans la moyenne, entre 0 et 1 (défaut : celui du paquet)")
    p.add_argument("--parties", action="store_true",
                   help="évalue chaque partie (règles seules, modèle linéaire, encodeur) et leur "
                        "combinaison, F1 par code pour chacune")
    p.add_argument("--encodeur", default=None,
                   help="dossier d'un autre encodeur (head.npz, fichier .bin) que celui du paquet")
    p.add_argument("--cache", default=None,
                   help="dossier où garder les plongements entre deux évaluations")

    p = command("agreement", "accord entre codeurs (kappa de Cohen par code et global, alpha de "
                "Krippendorff) sur les segments revus par chacun", _cmd_agreement)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("--codeurs", required=True,
                   help="noms séparés par des virgules (« auto » : le codage automatique), "
                        "par exemple auto,Camille ou Camille,Dominique")
    p.add_argument("--out", "--sortie", dest="sortie", default=None,
                   help="fichier CSV où écrire le tableau (séparateur point-virgule)")
    p.add_argument("--figure", default=None, help="fichier PNG où écrire la figure")

    p = command("learn", "apprend des segments revus des suggestions propres au groupe (provenance "
                "« modele », jamais comptées sans validation) et affiche leur précision et leur "
                "rappel à côté de ceux du codeur livré", _cmd_learn)
    p.add_argument("dossier", help="dossier du groupe (importé, codé, en partie revu)")
    p.add_argument("--sans-suggestions", action="store_true",
                   help="mesure seulement : n'écrit pas de suggestions dans la base")

    p = command("forget", "retire d'une base les paroles d'un·e participant·e qui le demande "
                "(tours, segments, codages, mémos, caches) ; les transcriptions ne sont pas "
                "modifiées mais ces paroles ne sont plus jamais importées", _cmd_forget)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("personne", help="nom, alias ou pseudonyme de la personne (groupe.yaml)")
    p.add_argument("--yes", "--oui", dest="yes", action="store_true",
                   help="ne demande pas de confirmation")

    p = command("purge", "supprime la base et les caches d'un groupe (dossier .gacp), par "
                "exemple à la fin de la durée de conservation", _cmd_purge)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("--yes", "--oui", dest="yes", action="store_true",
                   help="ne demande pas de confirmation")

    p = command("strip-notebook", "efface les sorties (textes, tableaux, figures) de carnets "
                "Jupyter avant de les partager", _cmd_strip_notebook)
    p.add_argument("fichiers", nargs="+", help="carnets .ipynb")

    p = command("export", "exporte le corpus codé d'un groupe pour d'autres logiciels : projet "
                "REFI-QDA (qdpx, pour NVivo, ATLAS.ti, MAXQDA, QualCoder), grille de codage (qdc), "
                "tableau des codages (csv, xlsx), grille pour Taguette (taguette) ; pseudonymisé et "
                "vérifié", _cmd_export)
    p.add_argument("dossier", help="dossier du groupe (déjà importé)")
    p.add_argument("--format", required=True, choices=["qdpx", "qdc", "csv", "xlsx", "taguette"],
                   help="format du fichier écrit (taguette : la grille en CSV, que Taguette "
                   "importe)")
    p.add_argument("--out", "--sortie", dest="sortie", default=None,
                   help="fichier à écrire (défaut : DOSSIER/exports/<pseudonyme du groupe>.<format>)")

    p = command("import-qdpx", "importe les codages et mémos d'un projet REFI-QDA (.qdpx) dans la "
                "base d'un groupe, comme codages humains au nom de leurs codeurs", _cmd_import_qdpx)
    p.add_argument("fichier", help="projet .qdpx exporté par NVivo, ATLAS.ti, MAXQDA, QualCoder...")
    p.add_argument("dossier", help="dossier du groupe (transcriptions déjà importées)")

    p = command("import-qdc", "ajoute à la grille du groupe (codebook.yaml) les codes d'une grille "
                "REFI-QDA (.qdc) ou d'un projet (.qdpx)", _cmd_import_qdc)
    p.add_argument("fichier", help="grille .qdc ou projet .qdpx")
    p.add_argument("dossier", help="dossier du groupe")

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except GacpError as exc:
        print(f"gacp : erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("gacp : interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
