"""The syntheses as CSV tables and PNG figures, and the `gacp synthesize` command."""
from __future__ import annotations

import pandas as pd
import pytest

from gacp_analysis.cli import main
from gacp_analysis.errors import GacpError
from gacp_analysis.synthesis.files import TABLES, write_syntheses


@pytest.fixture(scope="module")
def written(synthesis_groups, tmp_path_factory):
    out = tmp_path_factory.mktemp("syntheses")
    return out, write_syntheses([synthesis_groups["a"], synthesis_groups["b"]], out)


def _read(path):
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def test_files_written(written):
    out, paths = written
    assert sorted(p.name for p in paths if p.suffix == ".csv") == sorted(f"{n}.csv" for n in TABLES)
    assert len([p for p in paths if p.suffix == ".png"]) == 7
    assert all(p.parent == out / "figures" for p in paths if p.suffix == ".png")


def test_csv_for_french_spreadsheets(written):
    out, _ = written
    raw = (out / "trajectoires.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("groupe;code;première séance;dernière séance;")
    table = _read(out / "trajectoires.csv")
    sante = table[(table["groupe"] == "Groupe A") & (table["code"] == "Effet sur la santé")].iloc[0]
    assert (sante["première séance"], sante["évolution"]) == (1, "en retrait")
    assert sante["taux au pic"] == pytest.approx(2000 / 47)
    assert "0,666" in text  # recurrence 2/3 of travail.contrainte, decimal comma


def test_side_by_side_and_no_excerpts(written):
    out, _ = written
    for path in out.glob("*.csv"):
        columns = _read(path).columns
        assert not {"extrait", "texte", "contexte gauche"} & set(columns), path.name
    participation = _read(out / "participation.csv")
    ambre = participation[participation["pseudonyme"] == "Ambre"]
    assert sorted(set(zip(ambre["groupe"], ambre["rôle"]))) == [
        ("Groupe A", "aide-soignante"), ("Groupe B", "caissière")]
    profile = _read(out / "rationalites_par_theme.csv")
    assert list(profile.columns) == ["groupe", "thème", "Rationalité instrumentale",
                                     "Rationalité axiologique", "Rationalité subjective"]


def test_command_for_one_group(tmp_path, capsys):
    from conftest import FIXTURES, apply_codings_file, copy_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    import_group(folder)
    apply_codings_file(folder, FIXTURES / "synthesis" / "codages_a.tsv")
    assert main(["synthesize", str(folder)]) == 0
    assert capsys.readouterr().out == (
        f"Synthèses écrites dans {folder / 'syntheses'} : 12 tableau(x) CSV, 7 figure(s) PNG "
        "(pseudonymes seulement, aucun extrait).\n")
    sessions = _read(folder / "syntheses" / "seances.csv")
    assert sessions["séance"].tolist() == [1, 2, 3]


def test_command_types_and_errors(synthesis_groups, tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["synthesize", str(synthesis_groups["b"]), "--out", str(out), "--types", "bilan"]) == 0
    assert _read(out / "seances.csv").empty
    assert main(["synthesize", str(synthesis_groups["a"]), str(synthesis_groups["a"]),
                 "--out", str(tmp_path / "t")]) == 1
    assert "E300 deux groupes portent le même pseudonyme « Groupe A »" in capsys.readouterr().err


def test_a_real_name_is_never_written(synthesis_groups, tmp_path):
    from conftest import FIXTURES, apply_codings_file, copy_group
    from gacp_analysis.corpus.importer import import_group

    # A careless group file: Sylvie's pseudonym is Karim's real name.
    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    yaml = (folder / "groupe.yaml").read_text(encoding="utf-8")
    (folder / "groupe.yaml").write_text(yaml.replace('pseudonyme: "Capucine"', 'pseudonyme: "Karim"'),
                                        encoding="utf-8")
    import_group(folder)
    apply_codings_file(folder, FIXTURES / "synthesis" / "codages_a.tsv")
    with pytest.raises(GacpError) as info:
        write_syntheses(folder, tmp_path / "out")
    assert info.value.code == "E307"
    assert "participation.csv" in str(info.value)
    assert not (tmp_path / "out" / "participation.csv").exists()
