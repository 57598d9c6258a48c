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

    group = load_group(args.dossier)
    with open_store(group.folder, create=False) as store:
        status = store_status(store)
    if args.json:
        status = {"groupe": group.label, **status}
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    if not status["sessions"]:
        raise GacpError(E.E132, folder=args.dossier)
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
    return 0


class _FrenchParser(argparse.ArgumentParser):
    """argparse with French usage errors (exit code 2)."""

    def error(self, message: str) -> None:  # noqa: D401
        self.print_usage(sys.stderr)
        translations = {
            "the following arguments are required": "arguments obligatoires manquants",
            "unrecognized arguments": "arguments non reconnus",
            "invalid choice": "choix invalide",
            "expected one argument": "une valeur est attendue",
        }
        for english, french in translations.items():
            message = message.replace(english, french)
        print(f"gacp : erreur d'utilisation : {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog="gacp",
        description="Analyse des groupes d'analyse clinique des pratiques (GACP) : import des "
                    "transcriptions, codage explicable, synthèses et bilan.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parser.add_argument("--version", action="version", version=f"gacp-analysis {__version__}",
                        help="affiche la version")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_FrenchParser)

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        p.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
        p.set_defaults(func=func)
        return p

    p = command("init", "crée un dossier de groupe avec un modèle de groupe.yaml commenté", _cmd_init)
    p.add_argument("dossier", help="dossier du groupe à créer")

    p = command("import", "importe (ou réimporte) les transcriptions d'un groupe", _cmd_import)
    p.add_argument("dossier", help="dossier du groupe (contenant groupe.yaml)")

    p = command("status", "résume les séances importées et les codages", _cmd_status)
    p.add_argument("dossier", help="dossier du groupe")
    p.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")

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
