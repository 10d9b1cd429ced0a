"""Heat maps of ``motifnet scan`` (enrichment per motif and class) and ``motifnet marginalize`` (effects, spacings)."""

from __future__ import annotations

import numpy as np

from .._text import short_labels
from .figures import DIVERGING, _axes, class_labels, seaborn_matrix_quietly, symmetric_limit

#: Motif names on a heat map's rows are cut to this many characters (both ends kept): a long name shrank the cells
#: to a corner of the figure.
MOTIF_LABEL_CHARACTERS = 32


def _heatmap(matrix, row_labels, column_labels, ax, label: str, title: str, annotate: bool = True,
             limit: float | None = None):
    """A heat map centred on 0 from ``-limit`` to ``limit`` (default :func:`symmetric_limit`); no colour bar
    when ``label`` is None."""
    import seaborn as sns

    matrix = np.asarray(matrix, dtype=float)
    limit = symmetric_limit(matrix) if limit is None else limit
    with seaborn_matrix_quietly():
        sns.heatmap(matrix, ax=ax, cmap=DIVERGING, center=0, vmin=-limit, vmax=limit, annot=annotate, fmt=".2g",
                    xticklabels=list(column_labels), yticklabels=list(row_labels), cbar=label is not None,
                    cbar_kws={"label": label} if label is not None else None, linewidths=0.5, linecolor="white")
    ax.set_title(title)
    ax.tick_params(axis="y", rotation=0)
    return ax


#: Rows a motif-by-class heat map shows at most: JASPAR-sized files (thousands of motifs) made figures
#: hundreds of thousands of pixels tall that took minutes to draw and could not be read.
MAX_ROWS = 60


def strongest_rows(matrix, count: int = MAX_ROWS) -> np.ndarray:
    """Indices of the ``count`` rows of ``matrix`` with the largest absolute value (NaN as 0), largest first.

    All rows, in their order, when there are no more than ``count``.
    """
    matrix = np.asarray(matrix, dtype=float)
    if len(matrix) <= count:
        return np.arange(len(matrix))
    strength = np.nan_to_num(np.abs(matrix), nan=0.0).max(axis=1)
    return np.argsort(-strength, kind="stable")[:count]


def _motif_by_class(matrix, motif_names, class_names, ax, label: str, title: str):
    """A motif-by-class heat map on its own figure (sized to the table) or on ``ax``; numbers in cells up to 200.

    At most :data:`MAX_ROWS` motifs, the strongest (:func:`strongest_rows`); the title then says so.
    """
    rows = strongest_rows(matrix)
    if len(rows) < len(motif_names):
        title = f"{title}\n{len(rows)} of {len(motif_names):,} motifs, the largest |{label}|; all in the table"
    matrix, motif_names = np.asarray(matrix, dtype=float)[rows], [motif_names[i] for i in rows]
    motif_names, class_names = short_labels(motif_names, 2 * MOTIF_LABEL_CHARACTERS), class_labels(class_names)
    ax = _axes(ax, figsize=(1.2 + 0.9 * len(class_names), 1.0 + 0.35 * len(motif_names)))
    _heatmap(matrix, motif_names, class_names, ax, label, title, annotate=len(motif_names) * len(class_names) <= 200)
    ax.set_xlabel("class")
    ax.set_ylabel("motif")
    return ax


def plot_enrichment(log2_odds, motif_names, class_names, ax=None, scanned=None, records_with_hit=None, records=None):
    """Heat map of the log2 odds ratios of :func:`motifnet.motifs.enrichment.log2_odds_matrix`.

    Parameters
    ----------
    log2_odds : numpy.ndarray, shape=(motifs, classes)
        NaN cells are left blank.
    motif_names, class_names : list of str
    ax : matplotlib.axes.Axes or None
    scanned : array-like of bool, shape=(motifs,), optional
        Whether each motif was scanned (:attr:`motifnet.motifs.scan.ScanResult.scanned`); the row of
        one that was not, blank, is labelled ``NAME (not scanned)``. Default is all scanned.
    records_with_hit : array-like of int, shape=(motifs,), optional
        Records with a hit of each motif, over every class, and ``records`` (int) the records scanned: the
        blank row of a motif without an odds ratio says why, ``NAME (no hits)`` or ``NAME (a hit in every
        record)``. Default is None: not labelled.

    Returns
    -------
    matplotlib.axes.Axes
    """
    labels = short_labels(motif_names, MOTIF_LABEL_CHARACTERS)
    for m, name in enumerate(list(labels)):
        if scanned is not None and not scanned[m]:
            labels[m] = f"{name} (not scanned)"
        elif records_with_hit is not None and records_with_hit[m] == 0:
            labels[m] = f"{name} (no hits)"
        elif records_with_hit is not None and records_with_hit[m] == records:
            labels[m] = f"{name} (a hit in every record)"
    return _motif_by_class(log2_odds, labels, class_names, ax, "log2 odds ratio",
                           "records with a hit vs other classes")


def plot_effects(mean_deltas, motif_names, output_names, ax=None, scale=None):
    """Heat map of the mean change of each output when each motif is inserted.

    Parameters
    ----------
    mean_deltas : numpy.ndarray, shape=(motifs, outputs)
        Changes of probabilities, or of a regression model's values.
    motif_names, output_names : list of str
    ax : matplotlib.axes.Axes or None
    scale : array-like, shape=(outputs,), or None
        A regression model's targets' standard deviations: each change is drawn in standard
        deviations of its target, so that one colour is one size of change across targets. Default
        (None): changes of probability, as they are.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..interpret.outputs import in_units

    label = "mean change of probability" if scale is None else "mean change (SD of the target)"
    ax = _motif_by_class(in_units(mean_deltas, scale), motif_names, output_names, ax, label, "motif inserted")
    if scale is not None:
        ax.set_xlabel("target")
    return ax


def plot_spacing(cooperativity, orientations, spacings, title: str, ax=None, label: str | None = "cooperativity",
                 limit: float | None = None):
    """Heat map of a pair's cooperativity (pair effect minus the sum of the single effects) by spacing.

    Parameters
    ----------
    cooperativity : numpy.ndarray, shape=(orientations, spacings)
    orientations : list of str
    spacings : list of int
    title : str
    ax : matplotlib.axes.Axes or None
    label : str or None
        The colour bar's label; None: no colour bar (the caller draws one for several panels). Default is
        ``cooperativity``.
    limit : float or None
        The colour scale runs from ``-limit`` to ``limit``: one scale for several panels. Default: this
        matrix's largest absolute value.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, figsize=(1.5 + 0.35 * len(spacings), 1.6))
    _heatmap(cooperativity, orientations, [str(s) for s in spacings], ax, label, title, annotate=False, limit=limit)
    ax.set_xlabel("spacing (positions between the motifs)")
    ax.set_ylabel("orientation")
    return ax
