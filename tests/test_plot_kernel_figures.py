"""The per-kernel figures of visualize-kernels, drawn from hand-made KernelFigureData (headless)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from motifnet.plot.kernel_figures import KernelFigureData, kernel_figures  # noqa: E402
from motifnet.workflows.kernel_figures import write_kernel_figures  # noqa: E402


def figure_data(tmp_path, **changes) -> KernelFigureData:
    rng = np.random.default_rng(0)
    fields = dict(
        out=str(tmp_path), kernel=2, title="kernel 2", kernel_len=6, letters="ACGT",
        pwm=rng.dirichlet(np.ones(4), size=6), structure_letters="", structure_pwm=None, class_names=["up", "down"],
        positions=[np.array([1, 5, 5]), np.array([30])], length=35, mean=rng.random((2, 35)),
        std=rng.random((2, 35)) / 5, threshold=0.4, violin_values=[rng.random(10), rng.random(12)],
        activation=None, target_values=None, target=None, correlation=None, track_names=[], track_windows=None)
    return KernelFigureData(**{**fields, **changes})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_classification_kernel_figures(tmp_path):
    figures = kernel_figures(figure_data(tmp_path))
    assert list(figures) == ["motif_kernel_2.png", "activations_kernel_2.png", "position_kernel_2.png"]
    logo = figures["motif_kernel_2.png"].axes[0]
    assert logo.get_title() == "kernel 2" and logo.get_ylabel() == "bits" and logo.get_xlim()[1] > 6
    violins = figures["activations_kernel_2.png"].axes[0]
    assert [t.get_text() for t in violins.get_xticklabels()] == ["up", "down"]
    assert [line.get_ydata()[0] for line in violins.lines if line.get_label() == "threshold"] == [0.4]
    positions, profile = figures["position_kernel_2.png"].axes
    assert [text.get_text() for text in positions.get_legend().get_texts()] == ["up (n=3)", "down (n=1)"]
    assert len(profile.lines) == 2


def test_regression_structure_and_track_figures(tmp_path):
    rng = np.random.default_rng(1)
    data = figure_data(tmp_path, pwm=None, class_names=["all"], positions=[np.array([3])], mean=rng.random((1, 35)),
                       std=rng.random((1, 35)), violin_values=None, activation=rng.random(20),
                       target_values=rng.random(20), target="count", correlation=0.25, track_names=["cons", "gc"],
                       track_windows=rng.random((4, 6, 2)))
    figures = kernel_figures(data)
    assert "no sequence of the top class" in figures["motif_kernel_2.png"].axes[0].texts[0].get_text()
    target = figures["activations_kernel_2.png"].axes[0]
    assert target.get_title() == "kernel 2: r = +0.250 with count" and target.get_ylabel() == "count"
    tracks = figures["additional_features_kernel_2.png"].axes
    assert [ax.get_ylabel() for ax in tracks] == ["cons", "gc"]
    structure = kernel_figures(figure_data(tmp_path, structure_letters="().",
                                           structure_pwm=np.tile([0.8, 0.1, 0.1], (6, 1))))["motif_kernel_2.png"]
    assert [ax.get_title() for ax in structure.axes] == ["kernel 2", ""]
    # each panel names its kind beside its axis; only the lower one has the x label
    assert [ax.get_ylabel() for ax in structure.axes] == ["sequence\nbits", "structure\nbits"]
    assert [ax.get_xlabel() for ax in structure.axes] == ["", "position"]
    # a key names the structure letters' colours: a '.' stretched to a column's height is a plain bar
    key = structure.axes[1].get_legend()
    assert [text.get_text() for text in key.get_texts()] == ["(", ")", "."] and structure.axes[0].get_legend() is None


def test_write_kernel_figures_saves_every_figure(tmp_path):
    names = write_kernel_figures(figure_data(tmp_path))
    assert names == ["motif_kernel_2.png", "activations_kernel_2.png", "position_kernel_2.png"]
    assert all((tmp_path / name).stat().st_size > 1000 for name in names)
    assert plt.get_fignums() == []  # saved figures are closed


def test_the_legends_of_the_kernel_figures_cover_no_data(tmp_path):
    # The tallest bin and the tallest violin at the right edge, where the legends are: they were drawn over them.
    data = figure_data(tmp_path, positions=[np.array([1, 5]), np.array([34, 34, 34, 34])],
                       violin_values=[np.full(10, 0.1), np.linspace(0, 1.0, 12)])
    figures = kernel_figures(data)
    for name, top in (("position_kernel_2.png", 4), ("activations_kernel_2.png", 1.0)):
        figure = figures[name]
        figure.canvas.draw()
        ax = figure.axes[0]
        legend = ax.get_legend().get_window_extent()
        highest = ax.transData.transform((ax.get_xlim()[1], top))[1]
        assert highest < legend.y0, name


def _shaded(ax) -> list:
    """The shaded column spans of a logo, as 1-based (first, last) column numbers."""
    return sorted((round(patch.get_x() + 0.5), round(patch.get_x() + patch.get_width() - 0.5))
                  for patch in ax.patches if patch.get_alpha() == 0.45)


def test_a_kernel_logo_shades_the_columns_its_exported_motif_trims(tmp_path):
    """Only the match figure showed what motifs.meme keeps: a kernel without a match had no shading."""
    logo = kernel_figures(figure_data(tmp_path, kept=(1, 4)))["motif_kernel_2.png"].axes[0]
    assert _shaded(logo) == [(1, 1), (5, 6)]  # columns 1, 5 and 6 trimmed
    assert logo.get_xlabel() == "position (shaded: trimmed from motifs.meme)"
    structure = kernel_figures(figure_data(tmp_path, kept=(0, 5), structure_letters="().",
                                           structure_pwm=np.tile([0.8, 0.1, 0.1], (6, 1))))["motif_kernel_2.png"]
    assert [_shaded(ax) for ax in structure.axes] == [[(6, 6)], [(6, 6)]]
    for untrimmed in (None, (0, 6)):
        assert _shaded(kernel_figures(figure_data(tmp_path, kept=untrimmed))["motif_kernel_2.png"].axes[0]) == []


def test_the_shaded_columns_are_those_the_export_keeps():
    from types import SimpleNamespace

    from motifnet.motifs.export import trimmed_columns

    flat, sharp = [0.25] * 4, [0.97, 0.01, 0.01, 0.01]
    motif = SimpleNamespace(pwm=np.array([flat, sharp, flat, sharp, flat, flat]), structure_pwm=None)
    assert trimmed_columns(motif, None, None, 0.3) == (1, 4, True)
    motif.structure_pwm = np.array([[1 / 3] * 3] * 5 + [[0.98, 0.01, 0.01]])  # an informative structure column
    assert trimmed_columns(motif, None, None, 0.3) == (1, 6, True)
    assert trimmed_columns(SimpleNamespace(pwm=np.array([flat] * 3), structure_pwm=None), None, None, 0.3) == \
        (0, 3, False)
