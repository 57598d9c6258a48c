"""Figures read back from their matplotlib objects against counts made by hand.

The two small groups of tests/fixtures/synthesis (codings in codages_a.tsv and
codages_b.tsv). By hand, from those files:

- codings in force: the human « reject » of recit.situation (A1, turn 5) and of
  travail.arrangement (A3, turn 1, segment 2) removes the automatic coding; the
  coding « à revoir » (A2) counts;
- words of speech per session (whitespace-separated, events left out):
  A1 13 + 17 + 13 + 19 = 62 (Animatrice, Ambre, Basile, Capucine), A2 9 + 11 + 18 + 9 = 47,
  A3 7 + 22 + 12 + 16 = 57, B1 5 + 13 + 3 = 21 (Animateur, Ambre, Bruno), B2 6 + 15 = 21;
- codes carried by each coded speech turn:
  A1 Ambre {contrainte, arrangement, santé}, Basile {accord, instrumentale},
     Capucine {divergence, axiologique, qualité};
  A2 Basile {ressource, pratiques, santé}, Ambre {accord, santé, collectif},
     Capucine {affect, identité, subjective};
  A3 Ambre {contrainte, arrangement}, Basile {pratiques, santé, échec},
     Capucine {divergence, qualité, instrumentale};
  B1 Ambre {contrainte, arrangement, santé}, Bruno {accord}; B2 Ambre {arrangement, santé}.
"""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.figure import Figure

from gacp_analysis.synthesis import load_tables
from gacp_analysis.synthesis.figures import DPI, FIGURES, OKABE_ITO, palette, save_all

# Group A's codes in codebook order, with their French labels (codebook.yaml).
CODES_A = {
    "recit.echec": "Échec, problème",
    "travail.contrainte": "Contrainte",
    "travail.arrangement": "Arrangement, adaptation",
    "travail.ressource": "Ressource, marge de manœuvre",
    "consequence.pratiques": "Effet sur les pratiques",
    "consequence.collectif": "Effet sur le collectif",
    "consequence.sante": "Effet sur la santé",
    "consequence.qualite": "Effet sur la qualité du travail",
    "rationalite.instrumentale": "Rationalité instrumentale",
    "rationalite.axiologique": "Rationalité axiologique",
    "rationalite.subjective": "Rationalité subjective",
    "identite": "Identité professionnelle",
    "debat.accord": "Lecture commune",
    "debat.divergence": "Divergence",
    "affect": "Évocation affectée",
}
# Segments carrying each code, sessions 1, 2, 3 (segments, not codings: A3's contrainte is
# coded twice on one segment).
COUNTS_A = {
    "recit.echec": [0, 0, 1], "travail.contrainte": [1, 0, 1], "travail.arrangement": [1, 0, 1],
    "travail.ressource": [0, 1, 0], "consequence.pratiques": [0, 1, 1],
    "consequence.collectif": [0, 1, 0], "consequence.sante": [1, 2, 1],
    "consequence.qualite": [1, 0, 1], "rationalite.instrumentale": [1, 0, 1],
    "rationalite.axiologique": [1, 0, 0], "rationalite.subjective": [0, 1, 0],
    "identite": [0, 1, 0], "debat.accord": [1, 1, 0], "debat.divergence": [1, 0, 1],
    "affect": [0, 1, 0],
}
COUNTS_B = {"travail.contrainte": [1, 0], "travail.arrangement": [1, 1],
            "consequence.sante": [1, 1], "debat.accord": [1, 0]}
WORDS_A, WORDS_B = [62, 47, 57], [21, 21]
TURNS_A = [  # codes of each coded speech turn of group A (see the module docstring)
    {"travail.contrainte", "travail.arrangement", "consequence.sante"},
    {"debat.accord", "rationalite.instrumentale"},
    {"debat.divergence", "rationalite.axiologique", "consequence.qualite"},
    {"travail.ressource", "consequence.pratiques", "consequence.sante"},
    {"debat.accord", "consequence.sante", "consequence.collectif"},
    {"affect", "identite", "rationalite.subjective"},
    {"travail.contrainte", "travail.arrangement"},
    {"consequence.pratiques", "consequence.sante", "recit.echec"},
    {"debat.divergence", "consequence.qualite", "rationalite.instrumentale"},
]


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def _image(ax) -> np.ndarray:
    return np.ma.filled(ax.images[0].get_array().astype(float), np.nan)


def _cell_texts(ax) -> dict[tuple[int, int], str]:
    """Text written in each heatmap cell, keyed by (row, column)."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}


def _bars(ax) -> list[list[tuple[float, float]]]:
    """Per bar series: (left, width) of each bar, top to bottom."""
    return [[(p.get_x(), p.get_width()) for p in container.patches] for container in ax.containers]


def test_heatmap_counts(tables):
    figure = FIGURES["themes_seances"](tables, value="count")
    a, b, colorbar = figure.axes
    assert (a.get_title(), b.get_title(), figure.get_suptitle()) == (
        "Groupe A", "Groupe B", "Thèmes abordés, séance par séance")
    assert _ticks(a.get_yticklabels()) == list(CODES_A.values())
    assert _ticks(a.get_xticklabels()) == ["1", "2", "3"] and _ticks(b.get_xticklabels()) == ["1", "2"]
    assert a.get_xlabel() == b.get_xlabel() == "Séance"
    assert colorbar.get_ylabel() == "segments codés"
    np.testing.assert_array_equal(_image(a), np.array(list(COUNTS_A.values()), dtype=float))
    expected_b = np.full((len(CODES_A), 2), np.nan)  # B's panel keeps A's rows, empty where B is silent
    for code, counts in COUNTS_B.items():
        expected_b[list(CODES_A).index(code)] = counts
    np.testing.assert_array_equal(_image(b), expected_b)
    # Every non-zero cell carries its count; zeros carry nothing.
    assert _cell_texts(a) == {(i, j): str(v) for i, row in enumerate(COUNTS_A.values())
                              for j, v in enumerate(row) if v}


def test_heatmap_rates_per_thousand_words(tables):
    figure = FIGURES["themes_seances"](tables)
    a = figure.axes[0]
    expected = np.array([[1000 * c / w for c, w in zip(row, WORDS_A)] for row in COUNTS_A.values()])
    np.testing.assert_allclose(_image(a), expected)
    sante = list(CODES_A).index("consequence.sante")
    # 1000/62 = 16.1, 2000/47 = 42.6, 1000/57 = 17.5
    assert [_cell_texts(a)[(sante, j)] for j in range(3)] == ["16", "43", "18"]
    assert figure.axes[2].get_ylabel() == "pour 1 000 mots"
    # One scale for both panels, up to the highest rate: one segment in B's 21 words.
    assert a.images[0].get_clim() == pytest.approx((0, 1000 / 21))
    assert figure.axes[1].images[0].get_clim() == pytest.approx((0, 1000 / 21))


FAMILIES = ["Récit de situation", "Le travail et ses contraintes", "Conséquences", "Rationalités",
            "Identité professionnelle", "Évocation affectée", "Mise en débat"]


def test_trajectories_of_families(tables):
    figure = FIGURES["trajectoires"](tables)
    a, b = figure.axes
    # Segments carrying at least one code of the family, sessions 1-3 (by hand from TURNS_A).
    families_a = {"Récit de situation": [0, 0, 1], "Le travail et ses contraintes": [2, 1, 2],
                  "Conséquences": [2, 4, 3], "Rationalités": [2, 1, 1],
                  "Identité professionnelle": [0, 1, 0], "Évocation affectée": [0, 1, 0],
                  "Mise en débat": [2, 1, 1]}
    assert [line.get_label() for line in a.get_lines()] == FAMILIES
    for line in a.get_lines():
        assert list(line.get_xdata()) == [1, 2, 3]
        assert list(line.get_ydata()) == pytest.approx(
            [1000 * c / w for c, w in zip(families_a[line.get_label()], WORDS_A)]), line.get_label()
    families_b = {"Le travail et ses contraintes": [2, 1], "Conséquences": [1, 1], "Mise en débat": [1, 0]}
    assert [line.get_label() for line in b.get_lines()] == list(families_b)
    for line in b.get_lines():
        assert list(line.get_ydata()) == pytest.approx([1000 * c / 21 for c in families_b[line.get_label()]])
    # One style per family in both panels, and one legend for the figure.
    colour = {line.get_label(): line.get_color() for line in a.get_lines()}
    assert colour["Conséquences"] == OKABE_ITO[2]
    assert all(line.get_color() == colour[line.get_label()] for line in b.get_lines())
    assert [t.get_text() for t in figure.legends[0].get_texts()] == FAMILIES
    assert a.get_ylabel() == "Pour 1 000 mots" and a.get_xlabel() == "Séance"
    assert list(a.get_xticks()) == [1, 2, 3] and list(b.get_xticks()) == [1, 2]


def test_cooccurrence_within_a_turn(tables):
    figure = FIGURES["cooccurrences"](tables)
    a, b = figure.axes
    codes = list(CODES_A)
    expected = np.zeros((len(codes), len(codes)))
    for carried in TURNS_A:
        for x in carried:
            for y in carried:
                expected[codes.index(x), codes.index(y)] += 1
    np.testing.assert_array_equal(_image(a), expected)
    # Spot checks of the hand count: santé in 4 turns, contrainte with arrangement in 2.
    assert expected[codes.index("consequence.sante"), codes.index("consequence.sante")] == 4
    assert expected[codes.index("travail.contrainte"), codes.index("travail.arrangement")] == 2
    assert _ticks(a.get_xticklabels()) == _ticks(a.get_yticklabels()) == list(CODES_A.values())
    # Group B: contrainte, arrangement, santé, accord.
    np.testing.assert_array_equal(_image(b), [[1, 1, 1, 0], [1, 2, 2, 0], [1, 2, 2, 0], [0, 0, 0, 1]])
    assert _ticks(b.get_yticklabels()) == ["Contrainte", "Arrangement, adaptation",
                                           "Effet sur la santé", "Lecture commune"]
    assert figure.get_suptitle() == "Codes qui vont ensemble (même tour de parole)"


def test_arrangements_and_their_consequences(tables):
    figure = FIGURES["arrangements"](tables)
    a, b = figure.axes
    # A1: Ambre's arrangement, santé in the same turn, qualité two speech turns later.
    # A3: Ambre's arrangement, pratiques and santé next turn, qualité two turns later.
    # Series (codebook order): pratiques, santé, qualité; bars: séance 1, séance 3.
    assert _bars(a) == [[(0, 0), (0, 1)], [(0, 1), (1, 1)], [(1, 1), (2, 1)]]
    assert _ticks(a.get_yticklabels()) == ["Séance 1", "Séance 3"]
    # B1 and B2: Léa's arrangement and santé in the same turn.
    assert _bars(b) == [[(0, 0), (0, 0)], [(0, 1), (0, 1)], [(1, 0), (1, 0)]]
    assert _ticks(b.get_yticklabels()) == ["Séance 1", "Séance 2"]
    assert [t.get_text() for t in figure.legends[0].get_texts()] == [
        "Effet sur les pratiques", "Effet sur la santé", "Effet sur la qualité du travail"]
    assert a.get_xlabel() == "Liens arrangement → conséquence"


def test_rationality_shares(tables):
    figure = FIGURES["rationalites"](tables)
    a, b = figure.axes
    # A1 instrumentale + axiologique, A2 subjective, A3 instrumentale.
    assert _bars(a) == [[(0, 0.5), (0, 0), (0, 1)],
                        [(0.5, 0.5), (0, 0), (1, 0)],
                        [(1, 0), (0, 1), (1, 0)]]
    assert _bars(b) == [[(0, 0), (0, 0)]] * 3  # no rationality in group B
    assert [t.get_text() for t in figure.legends[0].get_texts()] == [
        "Rationalité instrumentale", "Rationalité axiologique", "Rationalité subjective"]
    assert a.get_xlim() == (0, 1) and a.get_xlabel() == "Part des justifications"
    assert _ticks(a.get_yticklabels()) == ["Séance 1", "Séance 2", "Séance 3"]


def test_divergences_and_common_readings(tables):
    figure = FIGURES["divergences_accords"](tables)
    a, b = figure.axes
    # A debate turn is about its own themes and those of the previous speaker's turn:
    # A1 Basile accord -> contrainte, arrangement, santé; A1 Capucine divergence -> qualité;
    # A2 Ambre accord -> ressource, pratiques, collectif, santé;
    # A3 Capucine divergence -> échec, pratiques, santé, qualité.
    themes = ["Échec, problème", "Contrainte", "Arrangement, adaptation", "Ressource, marge de manœuvre",
              "Effet sur les pratiques", "Effet sur le collectif", "Effet sur la santé",
              "Effet sur la qualité du travail"]
    divergence = [1, 0, 0, 0, 1, 0, 1, 2]
    accord = [0, 1, 1, 1, 1, 1, 2, 0]
    assert _ticks(a.get_yticklabels()) == themes
    left, right = a.containers
    assert [p.get_width() for p in left.patches] == [-d for d in divergence]
    assert [p.get_width() for p in right.patches] == accord
    assert a.get_xlim() == (-2.5, 2.5)
    assert _ticks(b.get_yticklabels()) == ["Contrainte", "Arrangement, adaptation", "Effet sur la santé"]
    assert [p.get_width() for p in b.containers[1].patches] == [1, 1, 1]
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Divergence", "Lecture commune"]
    # Tick labels read as counts on both sides of zero.
    formatter = a.xaxis.get_major_formatter()
    assert [formatter(v, 0) for v in (-2, -1, 0, 1, 2)] == ["2", "1", "0", "1", "2"]


def test_participation_shares_of_words(tables):
    figure = FIGURES["participation"](tables)
    a, b = figure.axes
    words = {"Animatrice": [13, 9, 7], "Ambre": [17, 11, 22], "Basile": [13, 18, 12],
             "Capucine": [19, 9, 16]}
    assert [t.get_text() for t in a.get_legend().get_texts()] == list(words)
    for container, (speaker, counts) in zip(a.containers, words.items()):
        assert [p.get_width() for p in container.patches] == pytest.approx(
            [w / total for w, total in zip(counts, WORDS_A)]), speaker
    ends = np.sum([[p.get_width() for p in c.patches] for c in a.containers], axis=0)
    assert list(ends) == pytest.approx([1, 1, 1])
    assert [t.get_text() for t in b.get_legend().get_texts()] == ["Animateur", "Ambre", "Bruno"]
    widths = [[p.get_width() for p in c.patches] for c in b.containers]
    assert widths[0] == pytest.approx([5 / 21, 6 / 21])  # Animateur
    assert widths[1] == pytest.approx([13 / 21, 15 / 21])  # Ambre (Léa)
    assert widths[2] == pytest.approx([3 / 21, 0])  # Bruno is silent in B2
    assert a.get_xlabel() == "Part des mots prononcés"


def test_every_figure_is_saved_at_its_size(tables, tmp_path):
    paths = save_all(tables, tmp_path)
    assert sorted(p.name for p in paths.values()) == sorted(f"{n}.png" for n in FIGURES)
    for name, path in paths.items():
        figure = FIGURES[name](tables)
        width, height = figure.get_size_inches() * DPI
        image = mpimg.imread(path)
        assert image.shape[:2] == (round(height), round(width)), name


def test_one_group_gives_one_panel(tables):
    for name, function in FIGURES.items():
        figure = function(tables.select(groups=["Groupe A"]))
        assert isinstance(figure, Figure)
        panels = [ax for ax in figure.axes if ax.get_title()]
        assert [ax.get_title() for ax in panels] == ["Groupe A"], name


def test_palette_is_okabe_ito():
    assert palette(2) == ["#E69F00", "#56B4E9"]
    assert palette(9)[8] == OKABE_ITO[0]


def test_figures_of_a_group_without_codings(tmp_path):
    from conftest import FIXTURES, copy_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_b", tmp_path / "groupe_b")
    import_group(folder)
    empty = {"themes_seances": "Aucun codage", "trajectoires": "Aucun codage",
             "cooccurrences": "Aucun codage", "arrangements": "Aucun arrangement relié",
             "divergences_accords": "Aucun échange codé"}
    for name, message in empty.items():
        figure = FIGURES[name](folder)
        assert [t.get_text() for t in figure.axes[0].texts] == [message], name
    assert _bars(FIGURES["rationalites"](folder).axes[0]) == [[(0, 0), (0, 0)]] * 3
    # Participation needs no coding: B1 5/21, 13/21, 3/21.
    first = [c.patches[0].get_width() for c in FIGURES["participation"](folder).axes[0].containers]
    assert first == pytest.approx([5 / 21, 13 / 21, 3 / 21])


def test_nine_speakers_get_nine_distinct_styles(demo_coded):
    figure = FIGURES["participation"](demo_coded)
    bars = figure.axes[0].containers
    styles = {(tuple(b.patches[0].get_facecolor()), b.patches[0].get_hatch()) for b in bars}
    assert len(bars) == 9 and len(styles) == 9
