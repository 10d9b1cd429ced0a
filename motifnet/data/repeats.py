"""Records of the same letters: in two classes (labels that contradict each other), or on both sides of the split.

Either goes unnoticed in a table of ids and skews what training reports: a sequence labelled
both ways caps what any model can reach, and a held-out record that is also a training record
makes the validation and test metrics overstate how the network does on new sequences. Training
warns of both (:func:`warn_repeated_sequences`); nothing is removed. For a network that reads both
strands, a record and the reverse complement of another are the same input, and count as repeats too.
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger("motifnet")

#: Rows hashed at a time: bounds the memory of the hash to about 30 MB for records of 200 positions.
_ROWS_PER_BLOCK = 16384


def sequence_groups(codes: np.ndarray) -> np.ndarray:
    """A group number for each row of ``codes``: rows of the same codes, and only those, share one.

    Rows are hashed (64 bits, weights from a fixed seed); rows of a hash that other rows have too are
    then grouped by their letters, so a collision of the hash never joins rows that differ.

    Parameters
    ----------
    codes : numpy.ndarray, shape=(n, ...)
        Encoded records of one length.

    Returns
    -------
    numpy.ndarray of int, shape=(n,)
        Group numbers from 0, in the order of each group's first row.
    """
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    flat = np.ascontiguousarray(codes).reshape(len(codes), -1)
    _, groups = np.unique(_row_hashes(flat), return_inverse=True)
    groups = groups.reshape(-1).astype(np.int64)
    counts = np.bincount(groups, minlength=1)
    shared = np.flatnonzero(counts[groups] > 1)  # rows whose hash another row has: grouped by their letters
    if shared.size:
        rows = np.ascontiguousarray(flat[shared]).view(np.dtype((np.void, flat.shape[1] * flat.itemsize))).ravel()
        _, exact = np.unique(rows, return_inverse=True)
        groups[shared] = len(counts) + exact.reshape(-1)
    # Numbered in the order of each group's first row, so the numbers depend on the rows alone.
    _, first_rows, inverse = np.unique(groups, return_index=True, return_inverse=True)
    rank = np.empty(len(first_rows), dtype=np.int64)
    rank[np.argsort(first_rows, kind="stable")] = np.arange(len(first_rows))
    return rank[inverse.reshape(-1)]


def either_strand(codes: np.ndarray, code_table: np.ndarray, complement) -> np.ndarray:
    """Each row of ``codes`` or the codes of its reverse complement, whichever comes first in code order: two
    records get the same row exactly when one is the other or its reverse complement.

    The letters between a row's padding (code 0; ``--length`` pads a short record, the odd letter on the right)
    are reverse-complemented in place, so a padded record and its padded reverse complement get one row. A
    record cropped to the length is compared as cropped.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape=(n, length)
    code_table : numpy.ndarray, shape=(codes, channels)
        Each code's row of the model input (:attr:`motifnet.data.encoding.Encoder.code_table`).
    complement : sequence of int
        For each channel, the channel of its complement (:attr:`motifnet.data.dataset.Dataset.complement_channels`).

    Returns
    -------
    numpy.ndarray, shape=(n, length)
        Of ``codes``' dtype.
    """
    complemented = code_table[:, list(complement)]
    # a code's complement is the code whose input row is its own with the channels complemented (N stays N)
    lookup = np.array([int(np.flatnonzero((code_table == row).all(axis=1))[0]) for row in complemented])
    chosen = np.empty_like(codes)
    positions = np.arange(codes.shape[1])
    for start in range(0, len(codes), _ROWS_PER_BLOCK):  # blocks: a copy of the reverse complements at a time
        block = codes[start:start + _ROWS_PER_BLOCK]
        letters = block != 0
        first = letters.argmax(axis=1)[:, None]
        end = codes.shape[1] - letters[:, ::-1].argmax(axis=1)[:, None]  # past the last letter
        inside = (positions >= first) & (positions < end)
        source = np.where(inside, first + end - 1 - positions, positions)
        reverse = lookup[np.take_along_axis(block, source, axis=1)].astype(codes.dtype)
        differ = block != reverse
        first_difference = differ.argmax(axis=1)
        rows = np.arange(len(block))
        take = differ[rows, first_difference] & (reverse[rows, first_difference] < block[rows, first_difference])
        chosen[start:start + len(block)] = np.where(take[:, None], reverse, block)
    return chosen


def _row_hashes(flat: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row: the sum of its codes times odd weights from a fixed seed, modulo 2**64."""
    weights = np.random.default_rng(0).integers(1, 2**63, size=flat.shape[1], dtype=np.uint64) | np.uint64(1)
    hashes = np.empty(len(flat), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(flat), _ROWS_PER_BLOCK):
            block = flat[start:start + _ROWS_PER_BLOCK].astype(np.uint64)
            hashes[start:start + len(block)] = (block * weights).sum(axis=1, dtype=np.uint64)
    return hashes


def warn_repeated_sequences(dataset, index: dict, both_strands: bool = False) -> dict:
    """Warn of records of the same letters in two classes (single-label data), and of validation or test records
    that are also training records; returns how many of each it found.

    Parameters
    ----------
    dataset : Dataset
    index : dict
        The record indices of ``train``, ``val`` and ``test``.
    both_strands : bool
        The network reads both strands (``strand`` both): a record and another's reverse complement are the
        same input to it, and count as the same letters. Default is False.

    Returns
    -------
    dict
        ``conflicting_sequences`` (sequences that occur under two classes or more; single-label
        classification only) and ``val_in_train``, ``test_in_train`` (held-out records whose letters
        are those of a training record).
    """
    strands = both_strands and dataset.complement_channels is not None
    codes = either_strand(dataset.codes, dataset.encoder.code_table, dataset.complement_channels) if strands \
        else dataset.codes
    groups = sequence_groups(codes)
    same = "the same letters (on either strand, which the network reads alike)" if strands else "the same letters"
    found = {}
    if dataset.task != "regression" and not dataset.multi_label and len(groups):
        classes = dataset.labels.argmax(axis=1)
        pairs = np.unique(np.stack([groups, classes], axis=1), axis=0)
        per_sequence = np.bincount(pairs[:, 0], minlength=int(groups.max()) + 1)
        conflicting = np.flatnonzero(per_sequence > 1)
        found["conflicting_sequences"] = int(conflicting.size)
        if conflicting.size:
            rows = np.flatnonzero(groups == conflicting[0])
            first, other = rows[0], rows[classes[rows] != classes[rows[0]]][0]
            # Structure, tracks or features may still tell such records apart; their letters alone cannot.
            other_inputs = any(value is not None for value in (dataset.structure, dataset.tracks, dataset.features))
            consequence = "labels that contradict each other if the other inputs are the same too" if other_inputs \
                else "the network cannot tell them apart"
            log.warning("%d sequence(s) occur in more than one class, e.g. %s (class %r) and %s (class %r), %s: %s; "
                        "keep each in one class", conflicting.size, dataset.where(int(first)),
                        dataset.class_names[classes[first]], dataset.where(int(other)),
                        dataset.class_names[classes[other]], same, consequence)
    training = np.zeros(int(groups.max()) + 1 if len(groups) else 0, dtype=bool)
    training[groups[index["train"]]] = True
    for name in ("val", "test"):
        rows = np.asarray(index.get(name, []), dtype=np.int64)
        repeated = rows[training[groups[rows]]] if rows.size else rows
        found[f"{name}_in_train"] = int(repeated.size)
        if repeated.size:
            what = {"val": "validation", "test": "test"}[name]
            log.warning("%d of the %d %s record(s) have the letters of a training record%s, e.g. %s: the %s metrics "
                        "overstate how the network does on new sequences; remove repeated sequences from the "
                        "input", repeated.size, rows.size, what, " (on either strand)" if strands else "",
                        dataset.where(int(repeated[0])), what)
    return found
