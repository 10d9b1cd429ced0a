"""Plot functions: each takes ``ax=None``, draws, and returns the Axes; callers save figures.

The numbers behind each plot are computed elsewhere (and tested there).
"""

from __future__ import annotations

import contextlib
import functools
import warnings

import numpy as np

from .._pwm import information_matrix
from .._text import short_labels, shown_text

# Colour-blind-safe letter colours in the usual nucleotide convention (A green, C blue,
# G orange, T/U red).
NUCLEOTIDE_COLORS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839", "U": "#D62839"}
# The two sides of a stem apart: an opening bracket (its 5' side) dark blue, a closing one (3') light blue.
STRUCTURE_COLORS = {"(": "#4C72B0", ")": "#64B5CD", ".": "#999999", "F": "#8172B2", "T": "#CCB974",
                    "H": "#C44E52", "I": "#55A868", "M": "#64B5CD", "S": "#4C72B0"}
# Amino acids by chemistry, the grouping of WebLogo's and logomaker's "chemistry" scheme: polar green, amides
# purple, basic blue, acidic red, hydrophobic black (letters of one kind told apart by their shapes).
PROTEIN_COLORS = {**dict.fromkeys("GSTYC", "#109648"), **dict.fromkeys("NQ", "#8172B2"),
                  **dict.fromkeys("KRH", "#255C99"), **dict.fromkeys("DE", "#D62839"),
                  **dict.fromkeys("AVLIPWFM", "#222222")}


def logo_width(positions: int) -> float:
    """Width in inches of a figure with a logo of ``positions`` columns: about 0.38 inch each, at least 5.5."""
    return max(5.5, 0.38 * positions + 1.2)


@contextlib.contextmanager
def seaborn_matrix_quietly():
    """Silence seaborn 0.13's matrix plots' call of ``Colormap.set_bad``, which matplotlib 3.10 marks as pending
    deprecation: a note for seaborn's authors, not for a user of a plot."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The set_bad function", category=PendingDeprecationWarning)
        yield


def _axes(ax, figsize=(6, 2)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


#: The colour map of every heat map centred on 0 (blue below, red above).
DIVERGING = "RdBu_r"


def symmetric_limit(matrix) -> float:
    """The largest absolute finite value of ``matrix`` (1 when there is none above 0): a colour scale centred on 0."""
    matrix = np.asarray(matrix, dtype=float)
    finite = np.abs(matrix[np.isfinite(matrix)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def shade_columns(ax, spans) -> None:
    """Shade the logo columns of each half-open span ``(low, high)`` (0-based; logos number columns from 1): the
    trimmed flanks of a motif."""
    for low, high in spans:
        if high > low:
            ax.axvspan(low + 0.5, high + 0.5, color="#d0d0d0", alpha=0.45, linewidth=0, zorder=0)


def letter_colors(letters: str, structure: bool = False) -> dict:
    """Colours for logo letters: fixed for nucleotides and structure, by chemistry for the 20 amino acids, a palette
    otherwise (an alphabet of letters of its own, ``ACGTN`` or a reduced amino-acid alphabet among them: there
    the chemistry's groups would give letters of one alphabet one colour)."""
    fixed = STRUCTURE_COLORS if structure else NUCLEOTIDE_COLORS
    if all(letter in fixed for letter in letters):
        return {letter: fixed[letter] for letter in letters}
    if not structure and sorted(letters) == sorted(PROTEIN_COLORS):
        return {letter: PROTEIN_COLORS[letter] for letter in letters}
    import seaborn as sns

    palette = sns.color_palette("husl", len(letters))
    return {letter: palette[i] for i, letter in enumerate(letters)}


def letter_key(ax, letters: str, structure: bool = False) -> None:
    """A key of the logo's letters beside ``ax``: a swatch of each letter's colour, named.

    For structure logos, whose letters are marks: stretched to a column's height, an unpaired ``.`` is a plain
    bar that nothing else tells from a bar chart's.
    """
    from matplotlib.patches import Patch

    colors = letter_colors(letters, structure)
    _legend_beside(ax, handles=[Patch(color=colors[letter], label=letter) for letter in letters], fontsize=9,
                   handlelength=1, handletextpad=0.5, title="key", title_fontsize=8)


def _legend_beside(ax, **options) -> None:
    """A legend to the right of ``ax``, its top at the axes' top (``bbox_inches="tight"`` keeps it in the image)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, frameon=False, **options)


def plot_logo(pwm: np.ndarray, letters: str, ax=None, title: str | None = None, structure: bool = False,
              bits: bool = True):
    """Draw a sequence logo (logomaker) of a position weight matrix, in bits by default.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(positions, letters)
    letters : str
        Column letters. Letters that are not plain characters (e.g. brackets) are drawn as they are.
    ax : matplotlib Axes or None
    title : str or None
    structure : bool
        Use structure colours.
    bits : bool
        Heights in bits (information content); probabilities otherwise.
    """
    import logomaker
    import pandas as pd

    ax = _axes(ax)
    heights = information_matrix(pwm) if bits else np.asarray(pwm, dtype=np.float64)
    frame = pd.DataFrame(heights, columns=list(letters))
    frame.index = np.arange(1, len(frame) + 1)
    logomaker.Logo(frame, ax=ax, color_scheme=letter_colors(letters, structure), font_name="DejaVu Sans Mono",
                   show_spines=False)
    ax.set_ylim(0, np.log2(len(letters)) if bits else 1)
    ax.set_ylabel("bits" if bits else "probability")
    ax.set_xlabel("position")
    if len(frame) > 30:
        step = int(np.ceil(len(frame) / 15))
        ax.set_xticks(np.arange(1, len(frame) + 1, step))
    else:
        ax.set_xticks(np.arange(1, len(frame) + 1))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


#: seaborn's colour-blind palette reordered so that its two oranges (#de8f05, #d55e00) and the brown are not among
#: the first four classes' colours: in its own order, the second and the fourth class were hard to tell apart.
CLASS_COLORS = ("#0173b2", "#de8f05", "#029e73", "#cc78bc", "#56b4e9", "#d55e00", "#949494", "#ca9161", "#ece133",
                "#fbafe4")
#: Class names in legends and on axes are cut to this many characters (:func:`motifnet._text.short_labels`).
CLASS_LABEL_CHARACTERS = 24


def class_palette(class_names) -> list:
    """One distinct colour per class (:data:`CLASS_COLORS`, colour-blind safe; husl above ten classes)."""
    import seaborn as sns

    n = len(class_names)
    return sns.color_palette(CLASS_COLORS[:n]) if n <= len(CLASS_COLORS) else sns.color_palette("husl", n)


def class_labels(class_names, limit: int = CLASS_LABEL_CHARACTERS) -> list:
    """Class names as figures show them: control characters escaped, long names cut in the middle (distinct)."""
    return short_labels(class_names, limit)


def plot_site_positions(positions_by_class, length: int, class_names, ax=None, bins: int = 40):
    """Histogram of the positions of the maximum activation, one outline per class.

    Parameters
    ----------
    positions_by_class : list of numpy.ndarray
        Per class, the 0-based start positions of the sites.
    length : int
        Number of possible start positions.
    """
    from matplotlib.ticker import MaxNLocator

    ax = _axes(ax)
    colors = class_palette(class_names)
    class_names = class_labels(class_names, LEGEND_LABEL_CHARACTERS)
    # Bins of a whole number of positions (89 positions in 40 bins of 2.2 mixed bins of two and three starts),
    # each centred on its positions, so that the axis matches plot_activation_profile's beside it.
    width = max(1, -(-length // bins))
    edges = np.arange(0, length + width, width) - 0.5
    for positions, name, color in zip(positions_by_class, class_names, colors):
        if len(positions):
            ax.hist(positions, bins=edges, histtype="step", linewidth=1.6, color=color,
                    label=f"{name} (n={len(positions)})")
    ax.set_xlim(*position_limits(length))
    ax.set_ylabel("sites")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no tick at 0.5
    ax.set_title("position of the maximum activation", fontsize=10)
    _legend_above_the_data(ax)
    return ax


def position_limits(positions: int) -> tuple:
    """x limits of a figure of ``positions`` window starts (0-based), each drawn at its number: half a position
    of margin on either side, one axis for the histogram of sites and the activation profile beside it."""
    return -0.5, max(positions, 2) - 0.5


#: Class names in the legends of the narrow panels of the kernel figures are cut to this many characters: longer,
#: a legend in the upper right reached over the tick labels on its left and over the legend of the panel beside.
LEGEND_LABEL_CHARACTERS = 18


def _legend_above_the_data(ax) -> None:
    """A legend in the upper right, with the y axis raised so that it covers none of the data.

    The step outlines and violins of the kernel figures reach the top of the axes wherever their
    tallest bin is, the right edge included.
    """
    entries = len(ax.get_legend_handles_labels()[0])
    if not entries:
        return
    bottom, top = ax.get_ylim()
    share = min(0.08 + 0.07 * entries, 0.5)  # of the raised axis, for the legend's rows
    ax.set_ylim(bottom, bottom + (top - bottom) / (1 - share))
    ax.legend(fontsize=8, frameon=False, loc="upper right")


#: A class's activation profile is drawn from this many sequences above the threshold on (unless no class has as
#: many): the mean of one or two sequences is a spike that set the scale and flattened the profiles of the others.
MIN_PROFILE_SEQUENCES = 5


def plot_activation_profile(mean, std, class_names, ax=None, counts=None):
    """Mean activation (line) and its standard deviation (band) along the sequence, per class.

    Parameters
    ----------
    mean, std : numpy.ndarray, shape=(classes, positions)
        NaN rows (no sequences) are skipped.
    counts : sequence of int or None
        Each class's sequences above the threshold: the legend gives them, and a class with fewer
        than :data:`MIN_PROFILE_SEQUENCES` (or, where no class has as many, than the class of the most) is named
        in it, not drawn.
        Default is None: every class drawn, no counts.
    """
    ax = _axes(ax)
    colors = class_palette(class_names)
    class_names = class_labels(class_names, LEGEND_LABEL_CHARACTERS)
    x = np.arange(mean.shape[1])
    counts = [None] * len(class_names) if counts is None else [int(count) for count in counts]
    fewest = min(MIN_PROFILE_SEQUENCES, max([count for count in counts if count is not None], default=0))
    for row_mean, row_std, name, color, count in zip(mean, std, class_names, colors, counts):
        if np.isnan(row_mean).all():
            continue
        if count is not None and count < fewest:
            ax.plot([], [], color=color, linewidth=1.4, linestyle=":", label=f"{name} (n={count}: too few, not drawn)")
            continue
        ax.plot(x, row_mean, color=color, linewidth=1.4, label=name if count is None else f"{name} (n={count})")
        # Activations are ReLU (or exponential) outputs, never negative: the band stops at zero.
        ax.fill_between(x, np.maximum(row_mean - row_std, 0), row_mean + row_std, color=color, alpha=0.18,
                        linewidth=0)
    ax.set_xlim(*position_limits(mean.shape[1]))
    ax.set_xlabel("position in sequence (window start, from 0)")
    ax.set_ylabel("activation")
    ax.set_title("mean activation ± sd (sequences above threshold)", fontsize=10)
    if counts[0] is not None:
        _legend_above_the_data(ax)
    return ax


#: Violin labels longer than this are rotated: level, labels of 1.1 inches per class ran into each other.
VIOLIN_LABEL_LEVEL = 12


def plot_activation_violins(values_by_class, class_names, threshold: float | None = None, ax=None):
    """Violin plots of the maximum activation per class, with the site threshold as a dashed line."""
    import pandas as pd
    import seaborn as sns

    ax = _axes(ax, figsize=(max(3.5, 1.1 * len(class_names) + 1.5), 3.2))
    class_names = class_labels(class_names)
    frame = pd.DataFrame({
        "class": np.concatenate([[name] * len(v) for name, v in zip(class_names, values_by_class)]),
        "max activation": np.concatenate([np.asarray(v, dtype=float) for v in values_by_class]),
    })
    sns.violinplot(data=frame, x="class", y="max activation", hue="class", order=list(class_names),
                   hue_order=list(class_names), palette=class_palette(class_names), cut=0, inner="quartile",
                   linewidth=1, legend=False, ax=ax)
    if threshold is not None:
        ax.axhline(threshold, color="0.3", linestyle="--", linewidth=1, label="threshold")
        _legend_above_the_data(ax)
    ax.set_xlabel("")
    if len(class_names) > 4 or max(map(len, class_names)) > VIOLIN_LABEL_LEVEL:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():  # rotated about its end, which stays under its violin
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
    ax.set_title("maximum activation per class", fontsize=10)
    return ax


def plot_track_windows(windows, track_name: str, ax=None):
    """Mean ± sd of a position-wise track across the motif's sites, by position in the motif.

    Parameters
    ----------
    windows : numpy.ndarray, shape=(sites, kernel_len)
    """
    ax = _axes(ax, figsize=(5, 2.2))
    x = np.arange(1, windows.shape[1] + 1)
    mean, std = windows.mean(axis=0), windows.std(axis=0)
    ax.plot(x, mean, color="#4C72B0", linewidth=1.5)
    ax.fill_between(x, mean - std, mean + std, color="#4C72B0", alpha=0.2, linewidth=0)
    ax.set_xlim(1, windows.shape[1])
    ax.set_xlabel("position in motif")
    ax.set_ylabel(track_name)
    return ax


def plot_training_curves(history: dict, ax=None, loss: str = "loss"):
    """Loss and validation loss per epoch, the best epoch marked.

    Parameters
    ----------
    history : dict
        Columns of ``history.tsv``: ``epoch``, ``loss``, ``val_loss`` (lists of numbers).
    loss : str
        The y axis' label: what the loss is (:func:`loss_label`). Default is ``loss``.
    """
    from matplotlib.ticker import MaxNLocator

    ax = _axes(ax, figsize=(5.5, 3.4))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs: no tick at 1.25
    ax.plot(history["epoch"], history["loss"], label="training loss", color="#4C72B0", linewidth=1.5)
    ax.plot(history["epoch"], history["val_loss"], label="validation loss", color="#DD8452", linewidth=1.5)
    best = int(np.nanargmin(history["val_loss"]))
    ax.axvline(history["epoch"][best], color="0.5", linestyle=":", linewidth=1,
               label=f"best epoch ({int(history['epoch'][best])})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(loss)
    ax.set_title("training curves", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return ax


def loss_label(task: str, multi_label: bool) -> str:
    """What a run's loss is, for the axis of its training curves: a regression's is in its targets' standard
    deviations (they are standardised), so 1 is a model that predicts each target's mean."""
    if task == "regression":
        return "loss (mean squared error of the standardised targets)"
    return "loss (binary cross-entropy)" if multi_label else "loss (cross-entropy)"


def _per_class_curves(labels, probabilities, class_names, ax, curve):
    """Draw ``curve(truth, scores) -> (x, y, legend text)`` for every class with both outcomes."""
    for index, (name, color) in enumerate(zip(class_labels(class_names), class_palette(class_names))):
        truth = labels[:, index]
        if truth.min() == truth.max():
            continue
        x, y, text = curve(truth, probabilities[:, index])
        ax.plot(x, y, color=color, linewidth=1.5, label=f"{name} ({text})")


#: Curves of more classes than this, or with a longer legend line, have their legend beside the axes: inside, it
#: covered the curves.
LEGEND_INSIDE_AT_MOST = 4
LEGEND_INSIDE_CHARACTERS = 24


def _curve_legend(ax, loc: str) -> None:
    """The legend of per-class curves: inside at ``loc`` on a white ground for a few short lines, else beside."""
    lines = ax.get_legend_handles_labels()[1]
    if len(lines) > LEGEND_INSIDE_AT_MOST or max(map(len, lines), default=0) > LEGEND_INSIDE_CHARACTERS:
        _legend_beside(ax, fontsize=8)
    else:
        ax.legend(fontsize=8, loc=loc, frameon=True, framealpha=0.85, edgecolor="none")


def plot_roc_curves(labels, probabilities, class_names, ax=None):
    """One-vs-rest ROC curve per class with its AUC in the legend."""
    from sklearn.metrics import roc_auc_score, roc_curve

    def curve(truth, scores):
        fpr, tpr, _ = roc_curve(truth, scores)
        return fpr, tpr, f"AUC {roc_auc_score(truth, scores):.3f}"

    ax = _axes(ax, figsize=(4.2, 3.8))
    _per_class_curves(labels, probabilities, class_names, ax, curve)
    ax.plot([0, 1], [0, 1], color="0.7", linestyle="--", linewidth=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC (test split)", fontsize=10)
    _curve_legend(ax, "lower right")
    return ax


def plot_pr_curves(labels, probabilities, class_names, ax=None):
    """Precision-recall curve per class with its average precision in the legend."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    def curve(truth, scores):
        precision, recall, _ = precision_recall_curve(truth, scores)
        return recall, precision, f"AP {average_precision_score(truth, scores):.3f}"

    ax = _axes(ax, figsize=(4.2, 3.8))
    _per_class_curves(labels, probabilities, class_names, ax, curve)
    # The margins of the ROC figure: a precision of 1, or the last point at a recall of 1, is not on the frame.
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("precision-recall (test split)", fontsize=10)
    _curve_legend(ax, "lower left")
    return ax


_HEXBIN_ABOVE = 2000  # points; denser scatter plots become hexagonal bins


def _scatter_or_hexbin(ax, x, y, color="#4C72B0"):
    if len(x) > _HEXBIN_ABOVE:
        ax.hexbin(x, y, gridsize=40, cmap="Blues", mincnt=1, linewidths=0)
    else:
        ax.scatter(x, y, s=12 if len(x) > 300 else 18, color=color, alpha=0.6, linewidths=0)


def plot_predicted_measured(measured, predicted, target_name: str, pearson=None, r2=None, ax=None):
    """Predicted against measured values of one target (test split), with the diagonal.

    Parameters
    ----------
    measured, predicted : numpy.ndarray, shape=(n,)
    target_name : str
    pearson, r2 : float or None
        Shown in the title (computed by :func:`motifnet.run.evaluation.regression_metrics`).
    """
    ax = _axes(ax, figsize=(4.2, 4))
    measured, predicted = np.asarray(measured, dtype=float), np.asarray(predicted, dtype=float)
    _scatter_or_hexbin(ax, measured, predicted)
    if len(measured):
        low = min(measured.min(), predicted.min())
        high = max(measured.max(), predicted.max())
        pad = 0.04 * (high - low or 1.0)
        ax.plot([low - pad, high + pad], [low - pad, high + pad], color="0.6", linestyle="--", linewidth=1,
                label="predicted = measured")
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(low - pad, high + pad)
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"measured {target_name}")
    ax.set_ylabel(f"predicted {target_name}")

    def shown(value):
        return "n/a" if value is None else f"{value:.3f}"

    ax.set_title(f"{target_name} (test split, n={len(measured)})\nr = {shown(pearson)}, R² = {shown(r2)}",
                 fontsize=10)
    return ax


def plot_activation_target(max_activation, values, target_name: str, correlation: float | None = None,
                           threshold: float | None = None, ax=None):
    """A kernel's maximum activation against a regression target (scatter, or hexagonal bins).

    Parameters
    ----------
    max_activation, values : numpy.ndarray, shape=(n,)
    target_name : str
    correlation : float or None
        Pearson correlation, shown in the title.
    threshold : float or None
        The site threshold (mean maximum activation), drawn as a dashed line.
    """
    ax = _axes(ax, figsize=(4.2, 3.6))
    _scatter_or_hexbin(ax, np.asarray(max_activation, dtype=float), np.asarray(values, dtype=float))
    if threshold is not None:
        ax.axvline(threshold, color="0.3", linestyle="--", linewidth=1, label="threshold (mean)")
        ax.legend(fontsize=8, frameon=False, loc="best")
    ax.set_xlabel("maximum activation")
    ax.set_ylabel(target_name)
    ax.set_title(f"maximum activation against {target_name}"
                 + (f" (r = {correlation:+.3f})" if correlation is not None else ""), fontsize=10)
    return ax


#: File name endings :func:`save_figure` writes, each in the format it names.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def _shown_label(label_of, value, position=None) -> str:
    return shown_text(label_of(value, position))


def save_figure(figure, path) -> None:
    """Save a figure atomically, in the format its suffix names (PNG, PDF or SVG), and close it (saved or not).

    Every text is drawn as written: names from input files (classes, motifs, records, targets) may hold
    ``$``, which matplotlib would otherwise read as mathtext (``a$b$c`` drawn as "abc" with an italic b).
    No figure of motifnet uses mathtext itself.

    Raises
    ------
    ParamError
        Another suffix (see :data:`FIGURE_SUFFIXES`).
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    from .._io import atomic_path
    from .._validate import check_suffix

    try:  # closed also when it cannot be saved (a full disk): a process that goes on keeps no figure open
        suffix = check_suffix(path, FIGURE_SUFFIXES)
        # Texts made so far, and those made while drawing (tick labels), are plain.
        with matplotlib.rc_context({"text.parse_math": False}), atomic_path(path, suffix=suffix) as tmp:
            for text in figure.findobj(Text):
                text.set_parse_math(False)
                # a name from the input with a control character: a box, a missing-glyph warning, or the
                # text after a direction override read backwards ("AUC 0.393" as "393.0 CUA")
                text.set_text(shown_text(text.get_text()))
            for ax in figure.axes:  # tick labels are made again from the axis' formatter while drawing
                for axis in (ax.xaxis, ax.yaxis):
                    formatter = axis.get_major_formatter()
                    if isinstance(formatter, FixedFormatter):
                        formatter.seq = [shown_text(label) for label in formatter.seq]
                    elif isinstance(formatter, FuncFormatter):  # what set_ticklabels makes of a list of names
                        formatter.func = functools.partial(_shown_label, formatter.func)
            figure.savefig(tmp, dpi=110, bbox_inches="tight", format=suffix[1:])
    finally:
        plt.close(figure)
