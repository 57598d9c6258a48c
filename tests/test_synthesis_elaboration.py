"""What the group worked on, in words: situations, recurring arrangements, debated exchanges.

The hand-made group of tests/fixtures/elaboration (3 sessions, 4 participants):

- Ambre (Nadia) and Basile (Karim) consented to quotation and to the written bilan;
  Capucine (Sylvie) to quotation but not to the written bilan; Damien (Thomas) to the
  written bilan but not to quotation. Only Ambre and Basile may ever be quoted.
- Arrangements (codages.tsv): « regarder par la porte » said by Ambre (S1 t1 s1), Basile
  (S1 t2), Capucine (S1 t3, « la porte entrouverte ça suffit pas ») and Capucine again
  (S3 t1 s2); « noter sur un carnet » by Damien (S2 t1) and Ambre (S2 t2); « appeler
  l'infirmière de l'autre bâtiment » by Basile (S3 t2) and Ambre (S3 t4). No content lemma
  is shared between these three sets (porte/résident/regarder, carnet/note/tablette,
  appeler/infirmier/bâtiment), so their cosine distance is 1 > 0.85 and they can only form
  three groups; inside each set every segment shares at least « porte » and « résident »,
  or the set's three lemmas.
- Situations: Ambre in S1 (22 + 24 = 46 words), Capucine in S3 (34 + 10 = 44 words),
  Basile's one-line remark in S2 (13 words) is not a situation.
- Exchanges: S1 Ambre -> Basile (accord) -> Capucine (divergence); S2 Damien -> Ambre
  (accord) -> Basile (divergence); S3 the animation -> Ambre (accord). Each is mostly
  about ``travail.arrangement`` (3, 2 and 1 arrangement segments against at most 2
  situation segments in S1).
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import FIXTURES, apply_codings_file, copy_group

from gacp_analysis.synthesis import elaboration as el

QUOTABLE = {"Ambre", "Basile"}
REAL_NAMES = ("Nadia", "Karim", "Sylvie", "Thomas", "Claire", "Lefort")


@pytest.fixture(scope="module")
def group_e(tmp_path_factory):
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "elaboration", tmp_path_factory.mktemp("elab") / "groupe_e")
    (folder / "codages.tsv").unlink()
    import_group(folder)
    apply_codings_file(folder, FIXTURES / "elaboration" / "codages.tsv")
    return folder


def segment_ids(folder, places):
    from conftest import segment_id_at
    from gacp_analysis.store import open_store

    with open_store(folder, create=False) as store:
        return tuple(segment_id_at(store, *p) for p in places)


def test_cluster_cuts_at_the_cosine_threshold_and_numbers_in_order():
    # rows 0 and 1: cosine similarity 0.9/sqrt(0.82) = 0.994 -> distance 0.006; row 2 is
    # orthogonal to both (distance 1 > 0.85); row 3 has no content.
    vectors = np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.1], [0.0, 0.0]])
    assert el.cluster(vectors).tolist() == [0, 1, 1, -1]
    # cut above every distance: one group
    assert el.cluster(vectors, threshold=1.5).tolist() == [0, 0, 0, -1]
    assert el.cluster(np.zeros((2, 0))).tolist() == [-1, -1]


def test_key_terms_prefer_what_members_share():
    lemmas = [["porte", "regarder", "nuit"], ["porte", "résident"], ["carnet", "noter"]]
    # « porte » is in both members of the first group: first. Then the heaviest TF-IDF
    # (smooth idf: ln(4/2) + 1 = 1.693 for a lemma in one text, ln(4/3) + 1 = 1.288 for
    # « porte »; rows L2-normalised): « résident » 1.693 / sqrt(1.288² + 1.693²) = 0.796 in
    # a two-lemma text beats « nuit » and « regarder », 1.693 / 2.719 = 0.623 each, which
    # tie and go alphabetically.
    assert el.key_terms(lemmas, [[0, 1], [2]], n=2) == [["porte", "résident"],
                                                        ["carnet", "noter"]]
    assert el.key_terms(lemmas, [[0, 1]], n=4) == [["porte", "résident", "nuit", "regarder"]]


def test_content_lemmas_are_spacy_lemmas_without_names_fillers_or_masks():
    lemmas = el.content_lemmas(
        ["Ambre regardait les portes, tout le monde fait pareil avec [nom masqué]."],
        exclude=["Ambre"])
    assert lemmas == [["regarder", "porte"]]


def test_recurring_arrangements_are_grouped_by_meaning(group_e):
    frame = el.recurring_themes(group_e, codes=["travail.arrangement"])
    porte = segment_ids(group_e, [(1, 1, 1), (1, 2, 0), (1, 3, 0), (3, 1, 2)])
    appel = segment_ids(group_e, [(3, 2, 0), (3, 4, 0)])
    carnet = segment_ids(group_e, [(2, 1, 0), (2, 2, 0)])
    assert list(frame["segment_ids"]) == [porte, appel, carnet]
    assert list(frame["sessions"]) == ["1, 3", "3", "2"]
    assert list(frame["n_sessions"]) == [2, 1, 1]
    # porte: Ambre, Basile, Capucine; appel: Basile, Ambre; carnet: Damien, Ambre
    assert list(frame["participants"]) == [3, 2, 2]
    assert list(frame["segments"]) == [4, 2, 2]
    assert [set(label.split(", ")) for label in frame["label"]] == [
        {"porte", "résident", "regarder"}, {"appeler", "bâtiment", "infirmier"},
        {"carnet", "note", "tablette"}]
    # The longest member a consenting participant said (Capucine's 15 words may not be).
    assert frame["excerpt"].iloc[0] == ("Alors je regarde par la porte entrouverte les "
                                        "résidents qui dorment.")
    assert frame["excerpt"].iloc[2] == ("Moi je note aussi sur un carnet, comme Damien, avant "
                                        "de tout saisir sur la tablette.")


def test_a_single_segment_or_a_segment_saying_too_little_is_no_group(group_e):
    frame = el.recurring_themes(group_e, codes=["travail.contrainte"])
    # Constraints: S1 t1 s0 (effectifs), S2 t3 (carnet réglementaire), S3 t1 s0 (seule
    # au deuxième étage) share no content lemma (« résident » / « résidente » are two
    # lemmas for the tagger): three groups of one segment, none kept.
    assert frame.empty


def test_situations_say_who_told_them_and_when(group_e):
    frame = el.situations(group_e)
    assert list(zip(frame["session"], frame["speaker"], frame["words"])) == [
        (1, "Ambre", 46), (3, "Capucine", 44)]
    # Ambre may be quoted: her longest situation sentence, the resident's name masked.
    assert frame["excerpt"].iloc[0] == (
        "[nom masqué] dormait profondément, je suis pas rentrée dans sa chambre, et à cinq "
        "heures elle était trempée et très en colère contre moi.")
    # Capucine did not consent to the written bilan: never quoted.
    assert frame["excerpt"].iloc[1] == ""
    assert "chambre" in frame["key_terms"].iloc[0].split(", ")
    # Fewer words, a remark: with a lower bar, Basile's line of S2 counts.
    low = el.situations(group_e, min_words=10)
    assert list(zip(low["session"], low["speaker"])) == [(1, "Ambre"), (2, "Basile"),
                                                         (3, "Capucine")]


def test_exchanges_show_the_turn_and_the_answers_quoting_only_consenting(group_e):
    frame = el.exchanges(group_e)
    got = list(zip(frame["exchange"], frame["position"], frame["speaker"], frame["stance"],
                   frame["quoted"]))
    assert got == [
        (1, 0, "Ambre", "propos", True), (1, 1, "Basile", "accord", True),
        (1, 2, "Capucine", "divergence", False),
        (2, 0, "Damien", "propos", False), (2, 1, "Ambre", "accord", True),
        (2, 2, "Basile", "divergence", True),
        (3, 0, "Animatrice", "propos", False), (3, 1, "Ambre", "accord", True)]
    assert set(frame["theme"]) == {"travail.arrangement"}
    assert list(frame["session"]) == [1, 1, 1, 2, 2, 2, 3, 3]
    for row in frame.itertuples():
        if row.speaker == "Animatrice":
            assert row.excerpt == el.FACILITATION
        elif row.speaker not in QUOTABLE:
            assert row.excerpt == el.NOT_QUOTED
    assert frame["excerpt"].iloc[4] == ("Moi je note aussi sur un carnet, comme Damien, avant "
                                        "de tout saisir sur la tablette.")
    # The first turn is longer than 25 words: cut, « (...) » marking it.
    assert frame["excerpt"].iloc[0].endswith("Alors je regarde (...)")
    assert len(frame["excerpt"].iloc[0].split()) == 26
    for text in frame["excerpt"]:
        assert not any(name in text for name in REAL_NAMES)

    summary = el.exchange_summary(frame)
    assert summary[["theme", "exchanges", "accord", "divergence", "sessions"]].values.tolist() \
        == [["travail.arrangement", 3, 3, 2, "1, 2, 3"]]
    # Both stances in exchanges 1 and 2; exchange 2 has two quotable answers, exchange 1 one.
    chosen = el.telling_exchanges(frame)
    assert set(chosen["exchange"]) == {2}
    assert set(el.telling_exchanges(frame, per_theme=2)["exchange"]) == {1, 2}


def test_session_overview_and_determinism(group_e):
    overview = el.session_overview(group_e)
    assert list(overview["situations"]) == ["Ambre", "", "Capucine"]
    assert overview["debated"].tolist() == [["travail.arrangement"]] * 3
    first = overview["recurring"].iloc[2].split(" ; ")
    assert [set(x.split(", ")) for x in first] == [{"porte", "résident", "regarder"},
                                                  {"appeler", "bâtiment", "infirmier"}]
    again = el.recurring_themes(group_e)
    assert again.equals(el.recurring_themes(group_e))


def test_parse_cache_is_used_when_the_group_was_coded(group_e, tmp_path):
    # Lemmas from the group's parse cache and from a fresh parse are the same.
    from gacp_analysis.coding.pipeline import DocCache

    folder = shutil.copytree(group_e, tmp_path / "g")
    texts = ["Je regarde par la porte entrouverte."]
    cache = DocCache(folder)
    cache.get_docs(texts)
    cache.save(texts)
    assert el.content_lemmas(texts, folder=folder) == el.content_lemmas(texts) == [
        ["regarder", "porte", "entrouvert"]]


def test_bilan_section_names_only_who_agreed_and_quotes_only_who_may_be(group_e):
    from gacp_analysis.corpus.group import load_group
    from gacp_analysis.export.bilan import UNNAMED, elaboration_section, read_inputs
    from gacp_analysis.export.content import Bullets, Table

    section = elaboration_section(read_inputs(load_group(group_e)))
    assert section.title == "Ce que le groupe a travaillé"
    assert [s.title for s in section.subsections] == [
        "Séance par séance", "Les situations apportées",
        "Les arrangements et les contraintes qui reviennent", "Les échanges débattus"]
    overview, told, recurring, debated = section.subsections
    items = next(b for b in overview.blocks if isinstance(b, Bullets)).items
    assert items[0].startswith("Séance 1 (12 janvier 2026) : situations apportées par Ambre ; "
                               "arrangements et contraintes : ")
    # Capucine refused the written bilan: her situation is told, not attributed, not quoted.
    assert items[2].startswith(f"Séance 3 (9 mars 2026) : situations apportées par {UNNAMED} ;")
    rows = next(b for b in told.blocks if isinstance(b, Table)).rows
    assert [(r[0], r[1], r[2], r[4][:12]) for r in rows] == [
        ("1", "Ambre", "aide-soignante", "[nom masqué]"), ("3", UNNAMED, "", "")]
    tables = [b for b in recurring.blocks if isinstance(b, Table)]
    assert [t.caption for t in tables] == ["Arrangement, adaptation : ce qui revient"]
    assert [(r[1], r[2], r[3]) for r in tables[0].rows] == [("1, 3", "3", "4"), ("3", "2", "2"),
                                                             ("2", "2", "2")]
    tables = [b for b in debated.blocks if isinstance(b, Table)]
    assert tables[0].rows == (("Arrangement, adaptation", "3", "3", "2", "1, 2, 3"),)
    assert tables[1].caption == "Arrangement, adaptation : un échange (séance 2)"
    assert tables[1].rows == (
        ("Damien", "propos", el.NOT_QUOTED),
        ("Ambre", "accord", "Moi je note aussi sur un carnet, comme Damien, avant de tout "
                            "saisir sur la tablette."),
        ("Basile", "divergence", "Le carnet c'est pas réglementaire, il faut saisir les soins "
                                 "tout de suite."))
    text = " ".join(" ".join(r) for t in tables for r in t.rows)
    assert not any(name in text for name in REAL_NAMES) and "Capucine" not in text
