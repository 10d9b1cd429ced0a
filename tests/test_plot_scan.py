"""Heat maps of scan and marginalize (motifnet.plot.scan): they draw the numbers given, on the Axes given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from motifnet.plot.scan import plot_effects, plot_enrichment, plot_spacing  # noqa: E402


def _cells(ax) -> np.ndarray:
    return np.asarray(ax.collections[0].get_array()).ravel()


def test_heat_maps_draw_their_matrices_with_labels():
    figure, axes = plt.subplots(3)
    try:
        odds = np.array([[3.0, -3.0], [np.nan, 0.5]])
        assert plot_enrichment(odds, ["m1", "m2"], ["a", "b"], ax=axes[0]) is axes[0]
        assert [t.get_text() for t in axes[0].get_xticklabels()] == ["a", "b"]
        assert [t.get_text() for t in axes[0].get_yticklabels()] == ["m1", "m2"]
        assert np.allclose(np.ma.filled(_cells(axes[0]), np.nan)[[0, 1, 3]], [3, -3, 0.5])
        plot_effects(np.array([[0.5, -0.5]]), ["m"], ["a", "b"], ax=axes[1])
        assert np.allclose(_cells(axes[1]), [0.5, -0.5])
        cooperativity = np.arange(6, dtype=float).reshape(2, 3)
        plot_spacing(cooperativity, ["same", "opposite"], [0, 1, 2], "A then B", ax=axes[2])
        assert np.allclose(_cells(axes[2]), cooperativity.ravel()) and axes[2].get_title() == "A then B"
    finally:
        plt.close(figure)


def test_a_motif_that_was_not_scanned_is_labelled_so():
    """Its row is blank (no test was made); the label said nothing of why."""
    ax = plot_enrichment(np.array([[1.0, -1.0], [np.nan, np.nan]]), ["m1", "short"], ["a", "b"],
                         scanned=np.array([True, False]))
    try:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["m1", "short (not scanned)"]
    finally:
        plt.close(ax.figure)


def test_a_motif_without_an_odds_ratio_is_labelled_why():
    """A motif with no hit (or a hit in every record) has no odds ratio: its row was blank without a word."""
    ax = plot_enrichment(np.array([[1.0, -1.0], [np.nan, np.nan], [np.nan, np.nan], [np.nan, np.nan]]),
                         ["m1", "none", "all", "short"], ["a", "b"], scanned=np.array([True, True, True, False]),
                         records_with_hit=np.array([5, 0, 20, 0]), records=20)
    try:
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "m1", "none (no hits)", "all (a hit in every record)", "short (not scanned)"]
    finally:
        plt.close(ax.figure)


def test_a_new_figure_when_no_axes_are_given():
    ax = plot_enrichment(np.zeros((1, 2)), ["m"], ["a", "b"])
    try:
        assert ax.figure is not None
    finally:
        plt.close(ax.figure)


def test_thousands_of_motifs_show_the_strongest_sixty():
    """10,000 motifs made a figure 296,627 pixels tall that took minutes to draw (and to stop)."""
    from motifnet.plot.scan import MAX_ROWS, strongest_rows

    assert strongest_rows(np.array([[1.0], [-5.0], [np.nan]]), 2).tolist() == [1, 0]
    assert strongest_rows(np.array([[1.0], [-5.0]]), 2).tolist() == [0, 1]  # all of them, in their order
    rng = np.random.default_rng(0)
    effects = rng.normal(size=(10_000, 3)) * 0.01
    effects[[7, 4_242]] = [[0.9, 0, 0], [0, -0.8, 0]]
    names = [f"m{i}" for i in range(10_000)]
    ax = plot_effects(effects, names, ["a", "b", "c"])
    try:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert len(labels) == MAX_ROWS == 60 and labels[:2] == ["m7", "m4242"]
        assert np.allclose(_cells(ax)[:6], [0.9, 0, 0, 0, -0.8, 0])
        assert "60 of 10,000 motifs" in ax.get_title() and ax.figure.get_size_inches()[1] < 25
    finally:
        plt.close(ax.figure)

