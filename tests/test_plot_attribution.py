"""Attribution figures: the glyphs, limits, rows and labels drawn (headless, no pixels compared)."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from motifnet.data.alphabets import DNA, structure_alphabet  # noqa: E402
from motifnet.data.encoding import Encoder  # noqa: E402
from motifnet.interpret.attribution import AttributionConfig  # noqa: E402
from motifnet.interpret.attribution_summary import MAX_LOGO_POSITIONS, sequence_view  # noqa: E402
from motifnet.plot.attribution import (  # noqa: E402
    _draw_glyphs,
    plot_attribution_logo,
    plot_letter_heatmap,
    plot_letter_strip,
    plot_sequence_attribution,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fake_result(length, method, channels=4):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(1, length)).astype(np.float32)
    return SimpleNamespace(values=rng.normal(size=(1, length, channels)).astype(np.float32), scores=scores,
                           targets=np.array([1]), logits=np.array([0.7], dtype=np.float32), reference_logits=None,
                           probabilities=np.array([0.8], dtype=np.float32),
                           channel_names=[f"c{i}" for i in range(channels)],
                           config=AttributionConfig(method).checked(), task="classification")


def test_glyphs_are_drawn_only_for_letters_with_a_height():
    _, ax = plt.subplots()
    heights = np.array([[0.0, 1.0], [-0.5, 0.0], [0.0, 0.0]])
    assert _draw_glyphs(ax, heights, "AC", {"A": "red", "C": "blue"}, 1) == 2
    assert len(ax.patches) == 2


def test_logo_limits_hold_positive_and_negative_stacks():
    heights = np.array([[2.0, 0, 0, 0], [0, -1.0, 0, 0], [0, 0, 0.5, 0.25]])
    ax = plot_attribution_logo(heights, "ACGT", title="t", first_position=11, ylabel="score")
    low, high = ax.get_ylim()
    assert low < -1.0 < 0 < 2.0 < high and high - 2.0 == pytest.approx(0.06 * 3.0)
    assert ax.get_xlim() == (10.5, 13.5) and ax.get_ylabel() == "score" and ax.get_title(loc="left") == "t"
    assert len(ax.patches) == 4


def test_strip_and_heatmap_draw_on_the_axes_they_are_given():
    _, (top, bottom) = plt.subplots(2, 1)
    assert plot_letter_strip(np.eye(4), "ACGT", top, first_position=5) is top
    assert len(top.patches) == 4 and top.get_ylim() == (0, 1) and top.get_xlim() == (4.5, 8.5)
    values = np.array([[-1.0, 2.0], [0.5, 0.0], [0.0, 0.0]])
    assert plot_letter_heatmap(values, ["A", "C"], bottom, label="change") is bottom
    image = bottom.images[0]
    assert image.get_array().shape == (2, 3) and image.get_clim() == (-2.0, 2.0)  # centred on zero
    assert [label.get_text() for label in bottom.get_yticklabels()] == ["A", "C"]
    magnitudes = plot_letter_heatmap(np.abs(values), ["A", "C"])
    assert magnitudes.images[0].get_clim() == (0.0, 2.0) and magnitudes.images[0].get_cmap().name == "Reds"


def test_sequence_figure_rows_for_a_short_ism_logo():
    dna = Encoder(DNA, 40)
    codes = np.tile([1, 2, 3, 4], 10)
    view = sequence_view(fake_result(40, "ism"), 0, dna.one_hot(codes[None])[0], dna, ["up", "down"], "up0", rank=1)
    figure = plot_sequence_attribution(view)
    logo, strip, heatmap = figure.axes[:3]
    assert strip.get_ylim() == (0, 1) and len(strip.patches) == 40  # every letter of the sequence
    assert logo.get_ylim()[0] < 0 < logo.get_ylim()[1]
    assert "up0" in logo.get_title(loc="left") and "probability" in logo.get_title(loc="left")
    assert [label.get_text() for label in heatmap.get_yticklabels()] == ["c0", "c1", "c2", "c3"]
    assert heatmap.get_xlabel() == "position" and not logo.get_xlabel()


def test_sequence_figure_of_a_long_structure_sequence_starts_with_the_profile():
    encoder = Encoder(DNA, 300, structure=structure_alphabet("()."), structure_mode="letters")
    codes = np.tile([1 * 4 + 1, 2 * 4 + 3, 4 * 4 + 2], 100)
    view = sequence_view(fake_result(300, "deeplift", 12), 0, encoder.one_hot(codes[None])[0], encoder,
                         ["up", "down"], "long")
    figure = plot_sequence_attribution(view)
    profile, logo, structure, strip, strip_structure = figure.axes
    assert len(profile.patches) >= 300 and "shown below" in profile.get_title(loc="left")
    assert logo.get_title(loc="left") == "" and structure.get_ylabel() == "structure"
    assert len(strip.patches) == len(strip_structure.patches) == MAX_LOGO_POSITIONS
    assert strip.get_xlim() == (view.first + 0.5, view.last + 0.5)
