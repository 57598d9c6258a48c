"""argparse speaks French through gettext: exact usage errors and help headings."""
from __future__ import annotations

import argparse
import inspect
import sys

import pytest

from gacp_analysis.cli import build_parser, main
from gacp_analysis.i18n import argparse_translation, compile_mo, parse_po, po_text

# Python 3.13 lets gettext translate the colon after a heading (French puts a space before it).
COLON = " :" if sys.version_info >= (3, 13) else ":"


def usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_missing_argument(capsys):
    assert usage_error(capsys, ["import"]) == (
        "utilisation : gacp import [-h] dossier\n"
        "E010 gacp import : erreur d'utilisation : arguments obligatoires manquants : dossier. "
        "Voir « gacp import --help ».\n")


def test_two_missing_arguments(capsys):
    assert usage_error(capsys, ["audit"]).splitlines()[-1] == (
        "E010 gacp audit : erreur d'utilisation : arguments obligatoires manquants : dossier, "
        "fichiers. Voir « gacp audit --help ».")


def test_unknown_option(capsys):
    assert usage_error(capsys, ["status", "corpora/demo", "--jsn"]) == (
        "utilisation : gacp [-h] [--version] COMMANDE ...\n"
        "E010 gacp : erreur d'utilisation : arguments non reconnus : --jsn. Voir « gacp --help ».\n")


def test_invalid_choice_of_command(capsys):
    # The verbs of this branch; other branches add verbs after them.
    verbs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(verbs)[:9] == ["init", "import", "status", "bilan", "audit", "code", "synthesize",
                               "tag", "evaluate"]
    assert usage_error(capsys, ["impot", "corpora/demo"]) == (
        "utilisation : gacp [-h] [--version] COMMANDE ...\n"
        "E010 gacp : erreur d'utilisation : argument COMMANDE : choix invalide : 'impot' (choix "
        "possibles : " + ", ".join(f"'{v}'" for v in verbs) + "). Voir « gacp --help ».\n")


def test_option_without_its_value(capsys):
    assert usage_error(capsys, ["bilan", "corpora/demo", "--formats"]).splitlines()[-1] == (
        "E010 gacp bilan : erreur d'utilisation : argument --formats : une valeur est attendue. "
        "Voir « gacp bilan --help ».")


def test_value_given_to_a_switch(capsys):
    assert usage_error(capsys, ["status", "corpora/demo", "--json=oui"]).splitlines()[-1] == (
        "E010 gacp status : erreur d'utilisation : argument --json : valeur 'oui' inattendue pour "
        "cette option. Voir « gacp status --help ».")


def test_help_headings_of_gacp(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "utilisation : gacp [-h] [--version] COMMANDE ..."
    assert [line for line in lines if line and not line.startswith(" ") and line.endswith(":")] == [
        f"options{COLON}", f"commandes{COLON}"]
    squeezed = [" ".join(line.split()) for line in lines]  # column width follows the verbs
    assert "-h, --help affiche cette aide et quitte" in squeezed
    assert "--version affiche la version et quitte" in squeezed
    assert any(line.startswith("import importe (ou réimporte)") for line in squeezed)


def test_help_headings_of_a_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["import", "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out == (
        "utilisation : gacp import [-h] dossier\n\n"
        "importe (ou réimporte) les transcriptions d'un groupe\n\n"
        f"arguments{COLON}\n"
        "  dossier     dossier du groupe (contenant groupe.yaml)\n\n"
        f"options{COLON}\n"
        "  -h, --help  affiche cette aide et quitte\n")


def test_other_parsers_keep_their_language():
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="autre")
    assert other.format_usage() == "usage: autre [-h]\n"
    assert "show this help message and exit" in other.format_help()


def test_the_catalog_translates_argparse_own_messages():
    """A Python whose argparse renamed a message would print English: this test says which."""
    source = inspect.getsource(argparse)
    for msgid in ("usage: ", "positional arguments", "options", "show this help message and exit",
                  "the following arguments are required: %s", "unrecognized arguments: %s",
                  "invalid choice: %(value)r (choose from %(choices)s)", "expected one argument",
                  "argument %(argument_name)s: %(message)s", "ignored explicit argument %r"):
        assert repr(msgid) in source or f'"{msgid}"' in source, msgid
        assert msgid == "options" or argparse_translation().gettext(msgid) != msgid, msgid
    entries = parse_po(po_text())
    assert entries["expected %s argument\0expected %s arguments"] == "%s valeur attendue\0%s valeurs attendues"
    assert argparse_translation().ngettext("expected %s argument", "expected %s arguments", 1) == "%s valeur attendue"
    assert argparse_translation().ngettext("expected %s argument", "expected %s arguments", 2) == "%s valeurs attendues"
    assert compile_mo({"": "", "a": "b"})[:4] == b"\xde\x12\x04\x95"  # GNU .mo magic, little-endian


def test_evaluate_offers_every_mix_of_the_coder():
    # The parser spells the mixes out (importing the coder would slow every command's start).
    from gacp_analysis.coding.coder import MIXES

    verbs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    melange = next(a for a in verbs["evaluate"]._actions if a.dest == "melange")
    assert tuple(melange.choices) == MIXES == ("union", "moyenne", "marqueur")
