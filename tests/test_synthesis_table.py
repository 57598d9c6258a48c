"""The tidy tables: codings in force, speech turns, sessions (hand-built groups A and B).

The codings are listed in tests/fixtures/synthesis/codages_a.tsv and codages_b.tsv.
"""
from __future__ import annotations

import shutil

import pytest

from gacp_analysis.errors import GacpError
from gacp_analysis.synthesis import concat_tables, french, load_tables, turn_codes
from gacp_analysis.synthesis.table import CODING_COLUMNS, SESSION_COLUMNS, TURN_COLUMNS


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def test_columns(tables):
    assert list(tables.codings.columns) == CODING_COLUMNS
    assert list(tables.turns.columns) == TURN_COLUMNS
    assert list(tables.sessions.columns) == SESSION_COLUMNS
    assert tables.groups == ["Groupe A", "Groupe B"]
    assert tables.masked


def test_codings_in_force(tables):
    a = tables.codings[tables.codings["group"] == "Groupe A"]
    # 28 lines in codages_a.tsv: 3 human rejections remove recit.situation (1/5/0) and
    # travail.arrangement (3/1/2) and are not codings themselves; travail.contrainte 3/1/0
    # is coded by the coder and confirmed by a person: one coding in force.
    # Session 1: 8, session 2: 9, session 3: 8.
    assert len(a) == 25
    assert a.groupby("session").size().to_dict() == {1: 8, 2: 9, 3: 8}
    assert not ((a["code"] == "recit.situation")).any()
    s3_arrangements = a[(a["session"] == 3) & (a["code"] == "travail.arrangement")]
    assert list(s3_arrangements["text"]) == ["Alors on note sur papier la nuit."]
    confirmed = a[(a["session"] == 3) & (a["code"] == "travail.contrainte")]
    assert list(confirmed["provenance"]) == ["human"]
    assert sorted(a.loc[a["provenance"] == "human", "code"]) == [
        "debat.divergence", "identite", "rationalite.instrumentale", "travail.contrainte",
        "travail.contrainte", "travail.ressource"]
    assert list(a.loc[a["needs_review"], "code"]) == ["consequence.collectif"]
    assert len(tables.codings[tables.codings["group"] == "Groupe B"]) == 6


def test_coding_row(tables):
    row = tables.codings[(tables.codings["group"] == "Groupe A") & (tables.codings["session"] == 1)
                         & (tables.codings["code"] == "debat.divergence")].iloc[0]
    assert row["date"].isoformat() == "2026-01-12"
    assert row["session_type"] == "analyse"
    assert row["turn"] == 4  # the event « (rires) » is turn 2
    assert row["speech_rank"] == 3
    assert row["segment_index"] == 0
    assert (row["speaker"], row["role"]) == ("Capucine", "aide-soignante")
    assert not row["is_facilitator"] and not row["consent_quote"]
    assert row["family"] == "debat"
    assert row["text"] == "Moi je suis pas d'accord avec ça."
    # Turn 4 starts at 210 in the session text: 44 + 1 + 89 + 1 + 7 + 1 + 66 + 1.
    assert (row["start"], row["end"]) == (210, 243)


def test_texts_are_masked_by_default(tables, synthesis_groups):
    texts = list(tables.codings["text"]) + list(tables.turns["text"])
    assert "Et on est crevés, Ambre aussi." in texts
    assert "[nom masqué] le sait bien." in " ".join(texts)
    assert not any(name in text for text in texts for name in ("Nadia", "Karim", "Lefort"))
    raw = load_tables(synthesis_groups["a"], masked=False)
    assert not raw.masked
    # Names never enter the store (pseudonymised at import): even unmasked tables hold pseudonyms.
    assert "Et on est crevés, Ambre aussi." in list(raw.codings["text"])


def test_words_and_turns(tables):
    sessions = tables.sessions.set_index(["group", "session"])
    # Whitespace-separated words of each speech turn, counted on the text as stored
    # (pseudonymised at import: « Mme Lefort » is « [nom masqué] », 2 words too).
    assert sessions.loc[("Groupe A", 1), "words"] == 9 + 17 + 13 + 19 + 4
    assert sessions.loc[("Groupe A", 2), "words"] == 9 + 18 + 11 + 9
    assert sessions.loc[("Groupe A", 3), "words"] == 7 + 22 + 12 + 16
    assert sessions.loc[("Groupe B", 1), "words"] == 5 + 13 + 3
    assert sessions.loc[("Groupe B", 2), "words"] == 6 + 15
    assert sessions["turns"].tolist() == [5, 4, 4, 3, 2]  # the event is no speech turn
    first = tables.turns.iloc[0]
    assert (first["speaker"], first["words"], first["speech_rank"]) == ("Animatrice", 9, 0)


def test_turn_codes_union_of_segments(tables):
    turns = turn_codes(tables).set_index(["group", "session", "turn"])
    assert turns.loc[("Groupe A", 1, 4), "codes"] == frozenset(
        {"debat.divergence", "rationalite.axiologique", "consequence.qualite"})
    assert turns.loc[("Groupe A", 1, 0), "codes"] == frozenset()


def test_speakers_of_two_groups_never_mix(tables):
    ambre = tables.turns[tables.turns["speaker"] == "Ambre"]
    assert sorted(set(zip(ambre["group"], ambre["role"]))) == [
        ("Groupe A", "aide-soignante"), ("Groupe B", "caissière")]


def test_select(tables):
    one = tables.select(groups=["Groupe B"], sessions=[2])
    assert one.groups == ["Groupe B"]
    assert len(one.codings) == 2 and len(one.turns) == 2 and len(one.sessions) == 1
    assert len(tables.select(session_types=["bilan"]).sessions) == 0


def test_same_label_twice_is_refused(synthesis_groups):
    with pytest.raises(GacpError) as info:
        load_tables([synthesis_groups["a"], synthesis_groups["a"]])
    assert info.value.code == "E300"
    assert "« Groupe A »" in str(info.value)


def test_masked_and_unmasked_are_not_mixed(synthesis_groups):
    with pytest.raises(GacpError) as info:
        concat_tables([load_tables(synthesis_groups["a"]),
                       load_tables(synthesis_groups["b"], masked=False)])
    assert info.value.code == "E301"


def test_group_not_imported(tmp_path, synthesis_groups):
    folder = tmp_path / "vide"
    folder.mkdir()
    shutil.copy(synthesis_groups["a"] / "groupe.yaml", folder / "groupe.yaml")
    with pytest.raises(GacpError) as info:
        load_tables(folder)
    assert info.value.code == "E132"
    assert not (folder / ".gacp").exists()


def test_french_headers(tables):
    shown = french(tables.codings.head(1))
    assert list(shown.columns[:3]) == ["groupe", "séance", "date"]
    assert shown["code"].iloc[0] == "Contrainte"
    assert shown["famille"].iloc[0] == "Le travail et ses contraintes"


def test_one_session(tables):
    one = tables.select(groups=["Groupe A"]).session(2)
    assert one.sessions["session"].tolist() == [2]
    assert len(one.codings) == 9
    assert tables.session(1, group="Groupe B").groups == ["Groupe B"]
    with pytest.raises(GacpError) as info:
        tables.session(9)
    assert str(info.value) == ("E303 séance 9 introuvable dans le groupe « Groupe A ». "
                               "Séances importées : 1, 2, 3.")


def test_french_index_and_matrix_labels(tables):
    from gacp_analysis.synthesis import theme_matrix

    shown = french(theme_matrix(tables.select(groups=["Groupe A"]), value="count"))
    assert shown.index.names == ["groupe", "code"]
    assert shown.columns.name == "séance"
    assert shown.loc[("Groupe A", "Effet sur la santé")].tolist() == [1, 2, 1]


def test_a_group_code_keeps_its_family_and_label(tmp_path):
    from conftest import FIXTURES, copy_group
    from gacp_analysis.corpus.importer import import_group
    from gacp_analysis.store import open_store
    from gacp_analysis.synthesis import theme_counts

    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / "groupe_a")
    import_group(folder)
    with open_store(folder) as store:
        # As the coder records a group's codebook.yaml: « local.transmissions », family travail.
        store.execute("INSERT INTO codes (id, label, family) VALUES "
                      "('local.transmissions', 'Transmissions', 'travail')")
        segment = store.execute("SELECT id FROM segments WHERE text = "
                                "'Aujourd''hui on parle des transmissions du matin.'").fetchone()[0]
        store.add_human_coding(segment, "local.transmissions", coder="Animatrice")
    tables = load_tables(folder)
    assert tables.codings[["code", "family"]].values.tolist() == [["local.transmissions", "travail"]]
    counts = theme_counts(tables, level="family")
    assert counts[counts["family"] == "travail"]["count"].tolist() == [0, 0, 1]
    assert french(tables.codings)["code"].tolist() == ["Transmissions"]
