"""Clustering of sequences and first-layer kernels by their maximum activations (pysster's plot_clustering).

Each kernel's maximum activations are standardised (z-scores), so that kernels with large
weights do not dominate the distances; sequences (rows) and kernels (columns) are then
clustered hierarchically with Ward linkage on Euclidean distances. The linkages are
computed here, once, and handed to the plot, so that what is tested is what is drawn.
"""

from __future__ import annotations

import operator
import warnings
from dataclasses import dataclass

import numpy as np

from ._validate import check_indices
from .activations import KernelActivations
from .errors import ParamError

LINKAGE_METHOD = "ward"
LINKAGE_METRIC = "euclidean"
# Above this many rows the sequence identifiers are not drawn: they would overlap.
MAX_ROW_LABELS = 60
# At most this many kernel names along the x axis; above it every n-th kernel is named.
MAX_COLUMN_LABELS = 60
COLORBAR_LABEL = "max activation (z-score)"
# Width in inches of the strip left of the dendrogram that holds the colour bar and the legend.
STRIP = 1.6


@dataclass
class ClusterResult:
    """Standardised activations with row (sequence) and column (kernel) clusterings.

    Attributes
    ----------
    matrix : numpy.ndarray, shape=(rows, kernels)
        Maximum activations of the kept sequences, standardised per kernel (z-scores; a
        constant kernel is all zeros). Rows are in the order of ``kept_rows``.
    row_linkage : numpy.ndarray, shape=(rows - 1, 4)
        SciPy linkage matrix of the rows.
    col_linkage : numpy.ndarray or None, shape=(kernels - 1, 4)
        SciPy linkage matrix of the columns; None with a single kernel.
    row_order : numpy.ndarray of int, shape=(rows,)
        Leaf order of the row dendrogram: a permutation of ``range(rows)`` (indices into ``matrix``).
    col_order : numpy.ndarray of int, shape=(kernels,)
        Leaf order of the column dendrogram: a permutation of ``range(kernels)``.
    row_classes : numpy.ndarray of int, shape=(rows,)
        Class index of each kept sequence.
    kept_rows : numpy.ndarray of int, shape=(rows,)
        Index of each row of ``matrix`` in the original activations, increasing.
    ids : numpy.ndarray of str, shape=(rows,)
        Identifiers of the kept sequences.
    class_names : list of str
        Names of all classes of the model (``row_classes`` indexes into it).
    subsampled_from : int or None
        Number of sequences before the stratified random subsample, or None when all were kept.
    """

    matrix: np.ndarray
    row_linkage: np.ndarray
    col_linkage: np.ndarray | None
    row_order: np.ndarray
    col_order: np.ndarray
    row_classes: np.ndarray
    kept_rows: np.ndarray
    ids: np.ndarray
    class_names: list
    subsampled_from: int | None

    @property
    def kernel_names(self) -> list:
        return [f"kernel_{kernel}" for kernel in range(self.matrix.shape[1])]


def standardize(matrix: np.ndarray) -> np.ndarray:
    """Z-score each column (population standard deviation); constant columns become 0.

    Parameters
    ----------
    matrix : numpy.ndarray, shape=(rows, columns)

    Returns
    -------
    numpy.ndarray of float64, shape=(rows, columns)
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    centred = matrix - matrix.mean(axis=0)
    spread = matrix.std(axis=0)
    # Relative test: float noise in a constant column must not be blown up to +-1.
    constant = spread <= 1e-12 * np.maximum(np.abs(matrix).max(axis=0, initial=0.0), 1.0)
    return np.divide(centred, spread, out=np.zeros_like(centred), where=~constant)


def stratified_sample(classes: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """Seeded random subsample of ``size`` rows keeping the class proportions.

    Each class gets its proportional share rounded by the largest-remainder method, so the
    shares sum to exactly ``size``.

    Parameters
    ----------
    classes : numpy.ndarray of int, shape=(n,)
    size : int
        Rows to keep, at most ``n``.
    seed : int

    Returns
    -------
    numpy.ndarray of int
        Increasing row indices, ``size`` of them.
    """
    rng = np.random.default_rng(seed)
    present, counts = np.unique(classes, return_counts=True)
    exact = counts * size / counts.sum()
    shares = np.floor(exact).astype(int)
    # Ties in the remainders go to the earlier class, so the result depends on the seed only.
    by_remainder = np.argsort(-(exact - shares), kind="stable")
    shares[by_remainder[: size - shares.sum()]] += 1
    chosen = [rng.choice(np.flatnonzero(classes == label), share, replace=False)
              for label, share in zip(present, shares)]
    return np.sort(np.concatenate(chosen))


def _check_classes(classes, class_names: list) -> np.ndarray:
    valid = f"valid class indices are 0 to {len(class_names) - 1} (" + ", ".join(
        f"{index}={name}" for index, name in enumerate(class_names)) + ")"
    checked = check_indices(classes, len(class_names), "classes", ("class index", "class indices", "index"), valid)
    return np.unique(checked)


def cluster_activations(activations: KernelActivations, classes: list[int] | None = None,
                        max_sequences: int = 2000, seed: int = 0) -> ClusterResult:
    """Cluster sequences and kernels hierarchically by the kernels' maximum activations.

    Parameters
    ----------
    activations : KernelActivations
        Maximum activation per sequence and kernel (see :func:`motifnet.activations.max_activations`).
        Single-label data only.
    classes : list of int or None
        Keep only the sequences of these class indices. Default is None (all classes).
    max_sequences : int
        When more sequences remain, cluster a seeded random subsample of this size, stratified
        by class (``subsampled_from`` of the result says so). Ward linkage needs memory and time
        quadratic in the number of rows. Default is 2000.
    seed : int
        Seed of the subsample. Default is 0.

    Returns
    -------
    ClusterResult

    Raises
    ------
    ParamError
        Multi-label data, class indices out of range, fewer than two sequences selected, or
        ``max_sequences`` below 2.
    """
    if getattr(activations, "targets", None) is not None:
        raise ParamError("cluster colours sequences by class, and a regression model has no classes; use "
                         "'motifnet activations' for the maximum activations of its kernels")
    labels = np.asarray(activations.labels)
    class_names = list(activations.class_names)
    per_row = labels.sum(axis=1)
    off = np.flatnonzero(per_row != 1)
    if off.size:
        first = int(off[0])
        raise ParamError(
            "clustering needs single-label data (exactly one class per sequence), but "
            f"{off.size} of {len(labels)} sequences carry {'more' if per_row[first] > 1 else 'fewer'} "
            f"than one class (first: {activations.ids[first]!s} with {int(per_row[first])}); the sequences "
            "are coloured by their class"
        )
    try:
        max_sequences = operator.index(max_sequences)
    except TypeError:
        raise ParamError(f"max_sequences must be an integer of at least 2, received: {max_sequences!r}") from None
    if max_sequences < 2:
        raise ParamError(f"max_sequences must be at least 2, received: {max_sequences}")

    row_classes = labels.argmax(axis=1)
    kept = np.arange(len(labels))
    if classes is not None:
        wanted = _check_classes(list(classes), class_names)
        kept = np.flatnonzero(np.isin(row_classes, wanted))
    if len(kept) < 2:
        chosen = "the data" if classes is None else "classes " + ", ".join(
            f"{index} ({class_names[index]})" for index in wanted)
        raise ParamError(f"clustering needs at least 2 sequences; {chosen} gave {len(kept)}")
    subsampled_from = None
    if len(kept) > max_sequences:
        subsampled_from = len(kept)
        kept = kept[stratified_sample(row_classes[kept], max_sequences, seed)]

    matrix = standardize(np.asarray(activations.max_activation)[kept])
    return _cluster(matrix, row_classes[kept], kept, np.asarray(activations.ids)[kept], class_names,
                    subsampled_from)


def _cluster(matrix, row_classes, kept, ids, class_names, subsampled_from) -> ClusterResult:
    from scipy.cluster.hierarchy import leaves_list, linkage

    row_linkage = linkage(matrix, method=LINKAGE_METHOD, metric=LINKAGE_METRIC)
    if matrix.shape[1] > 1:
        col_linkage = linkage(matrix.T, method=LINKAGE_METHOD, metric=LINKAGE_METRIC)
        col_order = leaves_list(col_linkage)
    else:
        col_linkage, col_order = None, np.zeros(1, dtype=np.int32)
    return ClusterResult(matrix, row_linkage, col_linkage, leaves_list(row_linkage), col_order,
                         np.asarray(row_classes, dtype=np.int64), np.asarray(kept, dtype=np.int64), ids,
                         class_names, subsampled_from)


def _shorten(name: str, limit: int = 22) -> str:
    """Class names longer than the legend strip are cut, keeping the start."""
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def plot_clustermap(result: ClusterResult, title: str | None = None, width: float = 9.0,
                    height: float | None = None, vmax: float = 3.0, cmap: str = "vlag"):
    """Draw the clustered, standardised activations as a seaborn clustermap.

    The dendrograms are the precomputed linkages of ``result``; rows carry a colour bar of
    their class, with a legend. The figure belongs to the returned grid (seaborn makes its
    own); save it with ``grid.savefig`` and close it with ``matplotlib.pyplot.close(grid.figure)``.

    Parameters
    ----------
    result : ClusterResult
    title : str or None
        Figure title. Default is a description of what is shown.
    width, height : float
        Figure size in inches (at 100 dpi, 9 inches is 900 pixels). Default height grows with
        the number of sequences, from 7 to 11 inches.
    vmax : float
        Z-scores beyond +-``vmax`` get the end colours, so a few outliers do not wash out the
        rest. Default is 3.
    cmap : str
        Diverging matplotlib colour map centred on 0. Default is 'vlag'.

    Returns
    -------
    seaborn.matrix.ClusterGrid
    """
    import pandas as pd
    import seaborn as sns
    from matplotlib.patches import Patch

    n_rows, n_kernels = result.matrix.shape
    if height is None:
        height = float(np.clip(6 + n_rows / 100, 7, 11))
    from .plots import class_palette

    palette = class_palette(result.class_names)
    # Positional row index: identifiers need not be unique, and seaborn aligns colours by index.
    row_colors = pd.Series([palette[c] for c in result.row_classes], name="class")
    frame = pd.DataFrame(result.matrix, columns=result.kernel_names)
    column_step = max(1, int(np.ceil(n_kernels / MAX_COLUMN_LABELS)))
    with warnings.catch_warnings():
        # seaborn 0.13 calls Colormap.set_bad, which matplotlib 3.10 marks as pending deprecation.
        warnings.filterwarnings("ignore", message="The set_bad function", category=PendingDeprecationWarning)
        grid = sns.clustermap(
            frame, row_linkage=result.row_linkage, col_linkage=result.col_linkage,
            col_cluster=result.col_linkage is not None, row_colors=row_colors, cmap=cmap, center=0,
            vmin=-vmax, vmax=vmax, figsize=(width, height),
            yticklabels=[str(i) for i in result.ids] if n_rows <= MAX_ROW_LABELS else False,
            xticklabels=column_step, dendrogram_ratio=(0.12, 0.12), colors_ratio=0.025,
            cbar_kws={"orientation": "horizontal"}, tree_kws={"linewidths": 0.6},
        )
    # seaborn fills the figure; a strip on the left takes the colour bar and the class legend,
    # which would otherwise sit on the dendrogram and the colour-bar label.
    left = STRIP / width
    grid.gs.update(left=left + 0.01, top=1 - 0.5 / height)
    grid.ax_cbar.set_position((0.02, 1 - 1.0 / height, left - 0.04, 0.15 / height))
    grid.ax_cbar.set_title(COLORBAR_LABEL, fontsize=8)
    grid.ax_cbar.tick_params(labelsize=7)
    heatmap = grid.ax_heatmap
    heatmap.set_xlabel("kernel")
    heatmap.set_ylabel(f"sequences ({n_rows})" if n_rows > MAX_ROW_LABELS else "")
    heatmap.tick_params(axis="x", labelsize=8 if n_kernels <= 40 else 6, rotation=90)
    if n_rows <= MAX_ROW_LABELS:
        heatmap.tick_params(axis="y", labelsize=7 if n_rows <= 40 else 5)
    shown = sorted(set(result.row_classes.tolist()))
    handles = [Patch(facecolor=palette[c], label=_shorten(result.class_names[c])) for c in shown]
    grid.figure.legend(handles=handles, title="class", loc="upper left", bbox_to_anchor=(0.01, 1 - 1.4 / height),
                       fontsize=8, title_fontsize=8, frameon=False, alignment="left")
    if title is None:
        title = f"Clustered maximum activations of {n_kernels} first-layer kernels in {n_rows} sequences"
        if result.subsampled_from is not None:
            title += f" (random sample of {result.subsampled_from})"
    grid.figure.suptitle(title, fontsize=11, y=1 - 0.1 / height, va="top")
    return grid
