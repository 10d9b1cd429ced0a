"""Stratified, seeded splits of records: train/val/test groups and K folds.

Both are dealt from the same strata: single-label records by class, multi-label records by
label combination, regression records by the bins of :func:`motifnet.data.targets.split_strata`.
Within each stratum the records are shuffled by a seeded generator, so a split depends only on
the labels and the seed. Run folders record their split, and a search recomputes its split from
its seed, so the assignments of a given seed must never change.
"""

from __future__ import annotations

import numpy as np

GROUPS = ("train", "val", "test")


def _shuffled_strata(labels: np.ndarray, seed: int):
    """Yield the row numbers of each stratum of ``labels``, shuffled, strata in a fixed order.

    A stratum is one distinct row of ``labels`` (a class, or a label combination). The strata
    come in the order of their packed label bits, each shuffled by one generator seeded with
    ``seed``; the draws happen in that order, which is what makes a seed's split reproducible.
    """
    rng = np.random.default_rng(seed)
    keys = np.packbits(np.asarray(labels).astype(bool), axis=1)
    _, strata = np.unique(keys, axis=0, return_inverse=True)
    strata = strata.reshape(-1)
    for stratum in np.unique(strata):
        yield rng.permutation(np.flatnonzero(strata == stratum))


def make_split(labels: np.ndarray, train: float, val: float, seed: int) -> np.ndarray:
    """Assign each record to train (0), val (1) or test (2), stratified by class, seeded.

    Within each stratum the sizes are rounded, so every group keeps the class proportions.

    Parameters
    ----------
    labels : numpy.ndarray, shape=(n, classes)
        One-hot or multi-hot labels (or the strata of regression targets).
    train, val : float
        Fractions of each stratum in the train and validation groups; the rest is the test group.
    seed : int

    Returns
    -------
    numpy.ndarray of int8, shape=(n,)
        Index into :data:`GROUPS` per record.
    """
    groups = np.full(len(labels), 2, dtype=np.int8)
    for members in _shuffled_strata(labels, seed):
        n_train = int(round(len(members) * train))
        n_val = int(round(len(members) * (train + val))) - n_train
        groups[members[:n_train]] = 0
        groups[members[n_train:n_train + n_val]] = 1
    return groups


def group_indices(groups: np.ndarray) -> dict:
    """Record indices of each group: ``{'train': ..., 'val': ..., 'test': ...}``.

    Parameters
    ----------
    groups : numpy.ndarray of int, shape=(n,)
        Index into :data:`GROUPS` per record (as :func:`make_split` returns).
    """
    return {name: np.flatnonzero(groups == code) for code, name in enumerate(GROUPS)}


def split_indices(labels: np.ndarray, split: tuple, seed: int) -> dict:
    """Record indices of each group of :func:`make_split` (see :func:`group_indices`).

    Parameters
    ----------
    labels : numpy.ndarray, shape=(n, classes)
    split : tuple of float
        Train and validation fractions.
    seed : int
    """
    return group_indices(make_split(labels, split[0], split[1], seed))


def make_folds(labels: np.ndarray, index: np.ndarray, folds: int, seed: int) -> list:
    """Split the records ``index`` into ``folds`` parts, stratified as :func:`make_split` is.

    Within each stratum the shuffled records are dealt out in turn, continuing where the previous
    stratum stopped, so fold sizes differ by at most one per stratum and small strata do not all
    start at fold 0.

    Parameters
    ----------
    labels : numpy.ndarray, shape=(n, classes)
        Labels of all records.
    index : numpy.ndarray of int, shape=(m,)
        The records to split (e.g. the train and validation records).
    folds : int
    seed : int

    Returns
    -------
    list of numpy.ndarray
        ``folds`` sorted arrays of record indices that together are ``index``.
    """
    index = np.asarray(index)
    assignment = np.empty(len(index), dtype=np.int64)
    offset = 0
    for members in _shuffled_strata(labels[index], seed):
        assignment[members] = (np.arange(len(members)) + offset) % folds
        offset += len(members)
    return [np.sort(index[assignment == fold]) for fold in range(folds)]


def window_chromosomes(ids) -> list:
    """The chromosome of each record id ``chrom:start-end(strand)`` (a suffix allowed); None for other ids."""
    from .genome import parse_window_id

    return [window.chrom if window is not None else None for window in map(parse_window_id, ids)]


def check_held_out_chroms(val_chroms, test_chroms) -> None:
    """Refuse a chromosome named by both ``--val-chroms`` and ``--test-chroms`` (a usage error, before any reading).

    Raises
    ------
    OptionValueError
        The chromosomes both name.
    """
    from ..errors import OptionValueError

    both = sorted(set(val_chroms) & set(test_chroms))
    if both:
        raise OptionValueError(f"--val-chroms and --test-chroms share {', '.join(both)}; a chromosome goes to one "
                               "group")


def chromosome_split(ids, labels: np.ndarray, split: tuple, seed: int, val_chroms=(), test_chroms=()) -> np.ndarray:
    """Assign records to groups by chromosome: ``val_chroms`` to val, ``test_chroms`` to test.

    The other records go to train; when only one of the two lists is given, they are split
    (stratified, seeded, as :func:`make_split`) between train and the other group in the ratio of
    the ``split`` fractions.

    Parameters
    ----------
    ids : sequence of str
        Record ids ``chrom:start-end(strand)`` (BED windows; a suffix such as ``/shuffle1`` allowed).
    labels : numpy.ndarray, shape=(n, classes)
    split : tuple of float
        Train and validation fractions (the rest: test).
    seed : int
    val_chroms, test_chroms : sequence of str

    Returns
    -------
    numpy.ndarray of int8, shape=(n,)
        Index into :data:`GROUPS` per record.

    Raises
    ------
    ParamError
        A chromosome in both lists, or a record whose id names no window.
    """
    from ..errors import ParamError

    check_held_out_chroms(val_chroms, test_chroms)
    chroms = window_chromosomes(ids)
    if None in chroms:
        row = chroms.index(None)
        raise ParamError(f"--val-chroms/--test-chroms need records of BED input (ids chrom:start-end(strand)); "
                         f"record {row + 1} is {str(ids[row])!r}")
    chroms = np.array(chroms, dtype=object)
    groups = np.zeros(len(chroms), dtype=np.int8)
    groups[np.isin(chroms, list(val_chroms))] = 1
    groups[np.isin(chroms, list(test_chroms))] = 2
    rest = np.flatnonzero(~np.isin(chroms, [*val_chroms, *test_chroms]))
    train, val = split
    other = None if (val_chroms and test_chroms) else (2 if val_chroms else 1)
    other_share = (1 - train - val) if other == 2 else val
    if other is not None and other_share > 1e-9 and len(rest):
        share = train / (train + other_share)
        inner = make_split(np.asarray(labels)[rest], share, 1 - share, seed)  # 0: train, 1: the other group
        groups[rest[inner == 1]] = other
    return groups


def overlapping_windows(ids, groups: np.ndarray) -> np.ndarray:
    """Which val and test records are windows overlapping a train window (same chromosome).

    Only ids that are exactly ``chrom:start-end(strand)`` (genome windows) count; generated
    records such as shuffled copies (``.../shuffle1``) are not windows of the genome.

    Returns
    -------
    numpy.ndarray of bool, shape=(n,)
    """
    from .genome import WINDOW_ID

    spans: dict = {}
    for row, identifier in enumerate(ids):
        match = WINDOW_ID.fullmatch(str(identifier))
        if match is not None:
            spans.setdefault(match["chrom"], []).append((row, int(match["start"]), int(match["end"])))
    overlapping = np.zeros(len(groups), dtype=bool)
    for entries in spans.values():
        rows, starts, ends = (np.array(column) for column in zip(*entries))
        is_train = groups[rows] == 0
        if not is_train.any() or is_train.all():
            continue
        order = np.argsort(starts[is_train], kind="stable")
        train_starts = starts[is_train][order]
        reach = np.maximum.accumulate(ends[is_train][order])  # the furthest end among the first k train windows
        held = ~is_train
        before = np.searchsorted(train_starts, ends[held], side="left")  # train windows starting before the end
        hit = (before > 0) & (reach[np.maximum(before - 1, 0)] > starts[held])
        overlapping[rows[held][hit]] = True
    return overlapping
