"""Clustering of sequences and first-layer kernels by their maximum activations (pysster's plot_clustering).

Each kernel's maximum activations are standardised (z-scores), so that kernels with large
weights do not dominate the distances; sequences (rows) and kernels (columns) are then
clustered hierarchically with Ward linkage on Euclidean distances. The linkages are
computed here, once, and handed to the plot, so that what is tested is what is drawn.
"""

from __future__ import annotations

import logging
import operator
from dataclasses import dataclass

import numpy as np

from .._validate import check_indices, name_or_index
from ..errors import ParamError
from .activations import KernelActivations

log = logging.getLogger("motifnet")

LINKAGE_METHOD = "ward"
LINKAGE_METRIC = "euclidean"


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


def check_classes(classes, class_names: list, regression: bool = False, option: str = "classes") -> np.ndarray | None:
    """``classes`` checked against the model's classes: cheap, so callers check them before any model runs.

    Parameters
    ----------
    classes : list of int or str, or None
        Classes (``--classes``): class names or 0-based indices (a string that is a class name is
        the name, else it is read as an index); None: all classes.
    class_names : list of str
        The model's classes.
    regression : bool
        The model is a regression model, which has no classes to colour sequences by. Default is False.
    option : str
        How messages name ``classes``. Default is ``classes``.

    Returns
    -------
    numpy.ndarray of int or None
        The distinct indices, sorted; None for all classes.

    Raises
    ------
    ParamError
        A regression model, or a value that is neither a class name nor an index in range.
    """
    if regression:
        raise ParamError("cluster colours sequences by class, and a regression model has no classes; use "
                         "'motifnet activations' for the maximum activations of its kernels")
    if classes is None:
        return None
    names = [str(name) for name in class_names]
    valid = "give class names or 0-based indices: " + ", ".join(f"{index}={name}" for index, name in enumerate(names))
    indices = []
    for value in classes:
        if isinstance(value, str):
            try:
                value = name_or_index(value, names)
            except ValueError:
                raise ParamError(f"{option}: {value.strip()!r} is not a class of the model; {valid}") from None
        indices.append(value)
    checked = check_indices(indices, len(names), option, ("class", "class names or indices", "index"), valid)
    return np.unique(checked)


def clustered_rows(data, classes: list[int] | None = None, max_sequences: int = 2000, seed: int = 0) -> tuple:
    """The rows :func:`cluster_activations` clusters, from the labels alone (before any model runs).

    Parameters
    ----------
    data : KernelActivations or motifnet.data.dataset.Dataset
        Anything with ``labels``, ``ids``, ``class_names`` and ``targets`` (None unless regression).
    classes, max_sequences, seed
        See :func:`cluster_activations`.

    Returns
    -------
    (kept, row_classes, subsampled_from, chosen)
        Increasing row indices, the class of every row of ``data``, the number of rows before the
        subsample (None without one), and how messages name the selection.

    Raises
    ------
    ParamError
        As :func:`cluster_activations`, but for activations that do not differ.
    """
    class_names = list(data.class_names)
    wanted = check_classes(None if classes is None else list(classes), class_names,
                           getattr(data, "targets", None) is not None)
    labels = np.asarray(data.labels)
    per_row = labels.sum(axis=1)
    off = np.flatnonzero(per_row != 1)
    if off.size:
        first = int(off[0])
        counts = [f"{count} {what}" for count, what in ((int(np.sum(per_row > 1)), "carry more than one class"),
                                                        (int(np.sum(per_row == 0)), "carry none")) if count]
        raise ParamError(
            "clustering needs single-label data (exactly one class per sequence), but of "
            f"{len(labels)} sequences {' and '.join(counts)} (first: {data.ids[first]!s} with "
            f"{int(per_row[first])}); the sequences are coloured by their class"
        )
    try:
        max_sequences = operator.index(max_sequences)
    except TypeError:
        raise ParamError(f"max_sequences must be an integer of at least 2, received: {max_sequences!r}") from None
    if max_sequences < 2:
        raise ParamError(f"max_sequences must be at least 2, received: {max_sequences}")

    row_classes = labels.argmax(axis=1)
    kept = np.arange(len(labels))
    if wanted is not None:
        kept = np.flatnonzero(np.isin(row_classes, wanted))
    chosen = "the data" if wanted is None else "classes " + ", ".join(
        f"{index} ({class_names[index]})" for index in wanted)
    if len(kept) < 2:
        raise ParamError(f"clustering needs at least 2 sequences; {chosen} gave {len(kept)}")
    subsampled_from = None
    if len(kept) > max_sequences:
        subsampled_from = len(kept)
        before = np.unique(row_classes[kept])
        kept = kept[stratified_sample(row_classes[kept], max_sequences, seed)]
        left_out = np.setdiff1d(before, row_classes[kept])
        if left_out.size:  # their share of max_sequences rounded to none
            log.warning("a sample of %d sequences leaves class(es) %s out (too small a share); give a larger "
                        "--max-sequences, or choose classes with --classes", max_sequences,
                        ", ".join(repr(class_names[index]) for index in left_out))
    return kept, row_classes, subsampled_from, chosen


def cluster_activations(activations: KernelActivations, classes: list[int] | None = None,
                        max_sequences: int = 2000, seed: int = 0) -> ClusterResult:
    """Cluster sequences and kernels hierarchically by the kernels' maximum activations.

    Parameters
    ----------
    activations : KernelActivations
        Maximum activation per sequence and kernel (see :func:`motifnet.interpret.activations.max_activations`).
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
        Regression or multi-label data, class indices out of range, fewer than two sequences
        selected, sequences whose activations do not differ (every kernel constant), or
        ``max_sequences`` below 2. All but the activations can be checked before they are
        computed, with :func:`clustered_rows` on the data.
    """
    kept, row_classes, subsampled_from, chosen = clustered_rows(activations, classes, max_sequences, seed)
    return _cluster(np.asarray(activations.max_activation)[kept], row_classes[kept], kept,
                    np.asarray(activations.ids)[kept], list(activations.class_names), subsampled_from, chosen)


def cluster_sequences(model, dataset, classes: list[int] | None = None, max_sequences: int = 2000, seed: int = 0,
                      batch_size: int = 256) -> ClusterResult:
    """:func:`cluster_activations` of ``dataset``, with the model run on the clustered sequences only.

    The rows are chosen from the labels first (:func:`clustered_rows`), so a large data set
    costs one forward pass over at most ``max_sequences`` records; the result is the same as
    clustering the activations of every record.

    Parameters
    ----------
    model : keras.Model or Run
        A motifnet model, or a run folder opened with :func:`motifnet.open_run`.
    dataset : motifnet.data.dataset.Dataset
        Single-label records.
    classes, max_sequences, seed
        See :func:`cluster_activations`.
    batch_size : int
        Records per forward pass. Default is 256.

    Returns
    -------
    ClusterResult

    Raises
    ------
    ParamError
        As :func:`cluster_activations`, all but the constant activations before the model runs.
    """
    from .activations import max_activations

    kept, row_classes, subsampled_from, chosen = clustered_rows(dataset, classes, max_sequences, seed)
    activations = max_activations(model, dataset.subset(kept), batch_size)
    return _cluster(np.asarray(activations.max_activation), row_classes[kept], kept, np.asarray(dataset.ids)[kept],
                    list(dataset.class_names), subsampled_from, chosen)


def _cluster(values, row_classes, kept, ids, class_names, subsampled_from, chosen) -> ClusterResult:
    from scipy.cluster.hierarchy import leaves_list, linkage

    matrix = standardize(values)
    if not matrix.any():
        # Every kernel is constant over the sequences (identical records, say): the heat map would be
        # blank and every merge of the clustering at distance 0, so there is nothing to show.
        raise ParamError(f"clustering needs at least 2 sequences with differing activations; all {len(kept)} "
                         f"sequences of {chosen} give each kernel the same maximum activation (identical "
                         "sequences?); give sequences that differ")
    row_linkage = linkage(matrix, method=LINKAGE_METHOD, metric=LINKAGE_METRIC)
    if matrix.shape[1] > 1:
        col_linkage = linkage(matrix.T, method=LINKAGE_METHOD, metric=LINKAGE_METRIC)
        col_order = leaves_list(col_linkage)
    else:
        col_linkage, col_order = None, np.zeros(1, dtype=np.int32)
    return ClusterResult(matrix, row_linkage, col_linkage, leaves_list(row_linkage), col_order,
                         np.asarray(row_classes, dtype=np.int64), np.asarray(kept, dtype=np.int64), ids,
                         class_names, subsampled_from)
