"""save_figure: atomic writes of PNG, PDF and SVG, and every text drawn as written."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from motifnet.errors import ParamError  # noqa: E402
from motifnet.plot.figures import save_figure  # noqa: E402
from motifnet.plot.scan import plot_enrichment  # noqa: E402


def test_names_with_dollar_signs_are_drawn_as_written_not_as_mathtext(tmp_path):
    """A motif named 'a$b$c' was labelled 'abc' with an italic b in enrichment.png and effects.png; every figure
    goes through save_figure, which now draws each text as written, tick labels made while drawing too."""
    from matplotlib.image import imread

    def draw(motif, klass, category, path, saved_by_motifnet):
        figure, (heat, bars) = plt.subplots(2, figsize=(4, 5))
        plot_enrichment(np.array([[1.0]]), [motif], [klass], ax=heat)
        bars.bar([category], [1.0])  # categorical tick labels are made while the figure is drawn
        bars.set_title(motif)
        if saved_by_motifnet:
            save_figure(figure, path)
        else:  # the plain text written with escaped dollars, as matplotlib draws them literally
            figure.savefig(path, dpi=110, bbox_inches="tight")
            plt.close(figure)
        return imread(path)

    ours = draw("a$b$c", "$x$", "$y$ z", tmp_path / "ours.png", True)
    literal = draw(r"a\$b\$c", r"\$x\$", r"\$y\$ z", tmp_path / "literal.png", False)
    assert ours.shape == literal.shape and np.array_equal(ours, literal)


def test_control_and_direction_characters_of_names_are_drawn_escaped(tmp_path):
    """A class named 'cls\\u202eA' reversed the AUC after it in the ROC legend ('393.0 CUA'); a bell in a name
    was drawn as a box, with a missing-glyph warning."""
    import warnings

    figure, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="cls\u202eA (AUC 0.393)")
    ax.legend()
    ax.set_title("clsB\x07bell")
    ax.set_yticks([0, 1], ["id\u202eRTL", "k\x07"])  # tick labels are made again while the figure is drawn
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing glyph
        save_figure(figure, tmp_path / "names.png")
    assert ax.get_title() == "clsB\\u0007bell"
    assert ax.get_legend().get_texts()[0].get_text() == "cls\\u202eA (AUC 0.393)"
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["id\\u202eRTL", "k\\u0007"]


@pytest.mark.parametrize("suffix, start", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_a_figure_is_saved_in_the_format_its_suffix_names_and_closed(tmp_path, suffix, start):
    figure, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    save_figure(figure, tmp_path / f"line{suffix}")
    assert (tmp_path / f"line{suffix}").read_bytes().startswith(start)
    assert not plt.fignum_exists(figure.number) and [p.name for p in tmp_path.iterdir()] == [f"line{suffix}"]


def test_another_suffix_is_refused_before_anything_is_written(tmp_path):
    figure, _ = plt.subplots()
    try:
        with pytest.raises(ParamError):
            save_figure(figure, tmp_path / "line.jpg")
    finally:
        plt.close(figure)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["line.png", "line.jpg"])
def test_a_figure_that_cannot_be_saved_is_closed_and_leaves_no_file(tmp_path, monkeypatch, name):
    """A figure whose saving failed (a full disk, a wrong ending) stayed open in a process that goes on."""
    import errno

    plt.close("all")
    figure, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(figure, "savefig", full_disk)
    with pytest.raises((OSError, ParamError)):
        save_figure(figure, tmp_path / name)
    assert plt.get_fignums() == [] and list(tmp_path.iterdir()) == []


def test_an_activation_profile_of_too_few_sequences_is_named_not_drawn():
    """A class with one sequence above the threshold drew a spike that set the scale (kernel 14 of the demo: gata's
    0.31 against ets' profile of 0.05 from 28 sequences)."""
    from motifnet.plot.figures import plot_activation_profile

    mean = np.array([[0.05, 0.04, 0.06], [0.1, 0.0, 0.0], [0.0, 0.31, 0.0]])
    figure, ax = plt.subplots()
    plot_activation_profile(mean, np.zeros_like(mean), ["ets", "ap1", "gata"], ax=ax, counts=[28, 5, 1])
    drawn = [line for line in ax.lines if len(line.get_xdata())]
    assert [line.get_label() for line in drawn] == ["ets (n=28)", "ap1 (n=5)"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "ets (n=28)", "ap1 (n=5)", "gata (n=1: too few, not drawn)"]
    plt.close(figure)
    # No class with as many: the class of the most is drawn (a kernel of few sites still shows where it fires).
    figure, ax = plt.subplots()
    plot_activation_profile(mean, np.zeros_like(mean), ["ets", "ap1", "gata"], ax=ax, counts=[2, 3, 0])
    assert [line.get_label() for line in ax.lines if len(line.get_xdata())] == ["ap1 (n=3)"]
    plt.close(figure)


def test_site_positions_fall_in_bins_of_whole_positions_and_counts_get_whole_ticks():
    """89 positions went into 40 bins of 2.2 (bins of two and of three starts alike) and one site got a tick at 0.5."""
    from motifnet.plot.figures import plot_site_positions

    figure, ax = plt.subplots()
    plot_site_positions([np.array([0, 2, 3, 88]), np.array([5])], 89, ["a", "b"], ax=ax)
    # step outlines: their corners lie on the bin edges, every 3 positions (89 / 40 rounded up), half a position
    # before the first start of a bin, so that a bin is centred on its starts as the profile beside it draws them
    edges = np.unique(np.concatenate([patch.get_xy()[:, 0] for patch in ax.patches])) + 0.5
    assert np.allclose(edges, np.round(edges)) and set(np.round(edges).astype(int) % 3) == {0}
    figure.canvas.draw()
    ticks = [tick for tick in ax.get_yticks() if ax.get_ylim()[0] <= tick <= ax.get_ylim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
    plt.close(figure)


def test_the_two_panels_of_the_position_figure_share_one_axis_of_window_starts():
    """The histogram spanned 0-46 and the profile beside it 0-45 for the 46 starts 0-45."""
    from motifnet.plot.figures import plot_activation_profile, plot_site_positions

    figure, (left, right) = plt.subplots(1, 2)
    plot_site_positions([np.array([0, 45]), np.array([7])], 46, ["a", "b"], ax=left)
    plot_activation_profile(np.ones((2, 46)), np.zeros((2, 46)), ["a", "b"], ax=right, counts=[2, 1])
    assert left.get_xlim() == right.get_xlim() == (-0.5, 45.5)
    plt.close(figure)


def test_training_curves_of_few_epochs_have_whole_epoch_ticks():
    from motifnet.plot.figures import plot_training_curves

    figure, ax = plt.subplots()
    plot_training_curves({"epoch": [1, 2, 3], "loss": [0.7, 0.6, 0.5], "val_loss": [0.7, 0.65, 0.66]}, ax=ax)
    figure.canvas.draw()
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks)  # were 1.00, 1.25, ...
    plt.close(figure)


@pytest.mark.parametrize("task, multi_label, label", [
    ("regression", False, "loss (mean squared error of the standardised targets)"),
    ("classification", True, "loss (binary cross-entropy)"), ("classification", False, "loss (cross-entropy)")])
def test_the_training_curves_say_what_the_loss_is(task, multi_label, label):
    """The axis said 'loss' alone: a regression's, in standard deviations of standardised targets, read as raw units."""
    from motifnet.plot.figures import loss_label, plot_training_curves

    figure, ax = plt.subplots()
    plot_training_curves({"epoch": [1, 2], "loss": [0.7, 0.6], "val_loss": [0.7, 0.65]}, ax=ax,
                         loss=loss_label(task, multi_label))
    assert ax.get_ylabel() == label
    plt.close(figure)


@pytest.mark.parametrize("classes, prefix", [(2, "class"), (8, "class"), (3, "ENCFF001_K562_conservative_IDR_peaks")])
def test_the_legend_of_roc_and_pr_curves_covers_no_curve(classes, prefix):
    """Eight classes' legend lay inside the axes, over the curves; beside them now, and on a white ground when
    it fits inside. The PR axes have margins, so that a precision of 1 is not drawn on the frame."""
    from motifnet.plot.figures import plot_pr_curves, plot_roc_curves

    rng = np.random.default_rng(0)
    labels = rng.random((200, classes)) < 0.3
    labels[0], labels[1] = True, False
    scores = np.clip(labels + rng.normal(0, 0.6, labels.shape), 0, 1)
    names = [f"{prefix} {index}" for index in range(classes)]
    for plot in (plot_roc_curves, plot_pr_curves):
        figure, ax = plt.subplots()
        plot(labels, scores, names, ax=ax)
        figure.canvas.draw()
        legend = ax.get_legend()
        assert len(legend.get_texts()) == classes
        box, axes_box = legend.get_window_extent(), ax.get_window_extent()
        shown = [text.get_text().rsplit(" (", 1)[0] for text in legend.get_texts()]
        assert len(set(shown)) == classes and max(map(len, shown)) <= 24  # cut in the middle, told apart
        if classes > 4 or len(prefix) > 20:  # long names' legend covered the curves of three classes
            assert box.x0 > axes_box.x1  # beside the axes
        else:
            assert legend.get_frame_on() and legend.get_frame().get_alpha() == 0.85
        plt.close(figure)
    figure, ax = plt.subplots()
    plot_pr_curves(labels, scores, names, ax=ax)
    assert ax.get_xlim()[0] < 0 and ax.get_ylim() == (-0.02, 1.02)
    plt.close(figure)


@pytest.mark.parametrize("names, rotated", [(["a", "b", "c"], False), (["a", "b", "c", "d", "e"], True),
                                            (["CTCF_K562_peaks", "GATA1_K562_peaks"], True)])
def test_violin_labels_are_rotated_when_many_or_long_and_cut_when_very_long(names, rotated):
    """Four classes of 8 to 45 letters were written level, on top of each other; 70 letters collapsed the axes."""
    from motifnet.plot.figures import plot_activation_violins

    figure, ax = plt.subplots()
    plot_activation_violins([np.arange(5.0)] * len(names), names, ax=ax)
    ticks = ax.get_xticklabels()
    assert [tick.get_text() for tick in ticks] == names
    assert {tick.get_rotation() for tick in ticks} == ({30.0} if rotated else {0.0})
    plt.close(figure)
    figure, ax = plt.subplots()
    long_names = [f"ENCFF00{index}_{factor}_K562_conservative_IDR_thresholded_peaks" for index, factor in
                  enumerate(["CTCF", "GATA1", "ELK1"])]
    plot_activation_violins([np.arange(5.0)] * 3, long_names, ax=ax)
    # the end all share is cut: what tells them apart stays
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["ENCFF000_CTCF…", "ENCFF001_GATA1…", "ENCFF002_ELK1…"]
    plt.close(figure)


def test_the_first_four_class_colours_are_far_apart():
    """seaborn's colour-blind palette gave the second and fourth class two oranges (#de8f05, #d55e00)."""
    from matplotlib.colors import to_rgb

    from motifnet.plot.figures import class_palette

    colors = np.array([to_rgb(color) for color in class_palette(["a", "b", "c", "d"])])
    distances = np.linalg.norm(colors[:, None] - colors[None], axis=-1)[np.triu_indices(4, 1)]
    assert distances.min() > 0.25  # the two oranges: 0.19
    assert len({tuple(color) for color in class_palette(list("abcdefghij"))}) == 10
    assert len(class_palette(list("abcdefghijk"))) == 11


def test_amino_acids_are_coloured_by_chemistry_and_the_sides_of_a_stem_apart():
    """Protein logos took an alphabetical rainbow (N and P two near-identical teals, E and F both olive), and both
    sides of a stem, ( and ), one colour."""
    from motifnet.data.alphabets import PROTEIN
    from motifnet.plot.figures import letter_colors

    colors = letter_colors(PROTEIN.letters)
    groups = ["GSTYC", "NQ", "KRH", "DE", "AVLIPWFM"]
    assert sorted("".join(groups)) == sorted(PROTEIN.letters)
    assert all(len({colors[letter] for letter in group}) == 1 for group in groups)
    assert len({colors[group[0]] for group in groups}) == len(groups)  # five kinds, five colours
    assert colors["N"] != colors["P"] and colors["E"] != colors["F"]
    structure = letter_colors("().", structure=True)
    assert len(set(structure.values())) == 3
    assert letter_colors("ACGT") == {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839"}  # as before
    for custom in ("LFSKDGP*", "ACGTN", "AILV", "ACDE"):  # alphabets of their own: a palette of as many colours
        assert len(set(map(tuple, letter_colors(custom).values()))) == len(custom), custom
