"""Every figure is written as a PNG: a non-empty image of sensible size, for one group or two."""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.figure import Figure

from gacp_analysis.synthesis import load_tables
from gacp_analysis.synthesis.figures import FIGURES, OKABE_ITO, palette, save_all


@pytest.fixture(scope="module")
def tables(synthesis_groups):
    return load_tables([synthesis_groups["a"], synthesis_groups["b"]])


def _check_png(path):
    assert path.stat().st_size > 5_000
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    assert 300 <= width <= 4000 and 250 <= height <= 4000, (path.name, width, height)
    # Not a blank page: many distinct pixel values, and some dark ink (text, axes).
    rgb = (image[..., :3] * 255).astype(np.uint32)
    assert len(np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2])) > 20
    assert (image[..., :3].mean(axis=2) < 0.3).mean() > 0.002


def test_every_figure_for_two_groups(tables, tmp_path):
    paths = save_all(tables, tmp_path)
    assert sorted(p.name for p in paths.values()) == sorted(f"{n}.png" for n in FIGURES)
    for path in paths.values():
        _check_png(path)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_for_one_group(name, tables, tmp_path):
    figure = FIGURES[name](tables.select(groups=["Groupe A"]), path=tmp_path / "f.png")
    assert isinstance(figure, Figure)
    assert figure.axes
    _check_png(tmp_path / "f.png")


def test_french_labels(tables):
    figure = FIGURES["themes_seances"](tables)
    texts = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    assert "Effet sur la santé" in texts
    assert figure.axes[0].get_xlabel() == "Séance"
    assert figure.axes[0].get_title() == "Groupe A" and figure.axes[1].get_title() == "Groupe B"


def test_palette_is_okabe_ito():
    assert palette(2) == ["#E69F00", "#56B4E9"]
    assert palette(9)[8] == OKABE_ITO[0]


def test_figure_of_a_group_without_codings(tmp_path, synthesis_groups):
    from conftest import FIXTURES, copy_group
    from gacp_analysis.corpus.importer import import_group

    folder = copy_group(FIXTURES / "synthesis" / "groupe_b", tmp_path / "groupe_b")
    import_group(folder)
    for name, function in FIGURES.items():
        function(folder, path=tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1_000


def test_nine_speakers_get_nine_distinct_styles(demo_coded):
    figure = FIGURES["participation"](demo_coded)
    bars = figure.axes[0].containers
    styles = {(tuple(b.patches[0].get_facecolor()), b.patches[0].get_hatch()) for b in bars}
    assert len(bars) == 9 and len(styles) == 9
