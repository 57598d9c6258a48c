"""What the bilan may quote, and the memos marked for it (hand-built groups A and B)."""
from __future__ import annotations

import pandas as pd
import pytest

from gacp_analysis.errors import GacpError
from gacp_analysis.store import open_store
from gacp_analysis.synthesis import bilan_memos, load_tables, quotes


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_only_consenting_participants(tables):
    table = quotes(tables)
    # Capucine has no quotation consent, the facilitators are never quoted,
    # consequence.collectif (A2) is « à revoir ».
    assert set(table["speaker"]) == {"Ambre", "Basile", "Bruno"}
    a = table[table["group"] == "Groupe A"]
    assert len(a) == 25 - 9 - 1  # 3 codings on each of Capucine's 3 turns, 1 to review
    assert "Et on est crevés, Ambre aussi." in set(a["text"])


def test_withdrawn_consent_holds_before_any_reimport(tmp_path):
    from conftest import FIXTURES, apply_codings_file, copy_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    import_group(folder)
    apply_codings_file(folder, FIXTURES / "synthesis" / "codages_a.tsv")
    path = folder / "groupe.yaml"
    text = path.read_text(encoding="utf-8")
    # Karim (Basile) withdraws his consent; the store still holds the old flag.
    path.write_text(text.replace('pseudonyme: "Basile"\n    role: "infirmier"\n    consentement_citation: true',
                                 'pseudonyme: "Basile"\n    role: "infirmier"\n    consentement_citation: false'),
                    encoding="utf-8")
    assert set(quotes(folder)["speaker"]) == {"Ambre"}


def test_filters_and_per_code(tables):
    sante = quotes(tables, codes="consequence.sante", per_code=1)
    assert sante[["group", "session", "text"]].values.tolist() == [
        ["Groupe A", 1, "Je suis rentrée épuisée."], ["Groupe B", 1, "Je prends sur moi tout le temps."]]
    travail = quotes(tables.select(groups=["Groupe A"]), codes=["travail"], per_code=1)
    # Human-validated first: travail.contrainte A1 is a human coding.
    assert travail[["code", "provenance"]].values.tolist() == [
        ["travail.contrainte", "human"], ["travail.arrangement", "auto"],
        ["travail.ressource", "human"]]
    human = quotes(tables, human_only=True, sessions=[2])
    assert human["code"].tolist() == ["travail.ressource"]


def test_unmasked_tables_are_refused(synthesis_groups):
    with pytest.raises(GacpError) as info:
        quotes(load_tables(synthesis_groups["a"], masked=False))
    assert info.value.code == "E306"


def test_bilan_memos(tmp_path, synthesis_groups):
    from conftest import FIXTURES, apply_codings_file, copy_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    import_group(folder)
    apply_codings_file(folder, FIXTURES / "synthesis" / "codages_a.tsv")
    with open_store(folder) as store:
        store.add_memo("Nadia a parlé de Mme Lefort.", author="Claire", session_number=1,
                       for_bilan=True)
        store.add_memo("Note pour moi seule.", author="Claire", session_number=2)
        store.add_memo("Le groupe tient bien.", author="Claire", for_bilan=True)
    memos = bilan_memos(folder)
    # Group-level memos first; names masked, the author's name too.
    assert memos[["group", "text", "author"]].values.tolist() == [
        ["Groupe A", "Le groupe tient bien.", "Animatrice"],
        ["Groupe A", "Ambre a parlé de [nom masqué].", "Animatrice"]]
    assert pd.isna(memos["session"].iloc[0]) and memos["session"].iloc[1] == 1
