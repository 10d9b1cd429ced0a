"""TOMTOM (memelite) of motifs against motifs: p-, E- and q-values, offsets and strands.

The numbers follow MEME's TOMTOM: the Euclidean column distance with complete scores
(memelite); for DNA both strands of every target are tried and the p-value accounts for it;
the E-value is the p-value times the number of targets; q-values are Benjamini-Hochberg
false discovery rates over all targets of one query. An offset is the position of the
query's first column on the target (query column ``i`` faces target column ``i + offset``),
with the target reverse-complemented when the alignment is on the reverse strand.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass

import numpy as np

from .._numba import numba_cache
from ..errors import ParamError

log = logging.getLogger("motifnet")

# MEME's TOMTOM warns below this many targets: the null model samples the target columns.
MIN_TARGETS = 50


@dataclass
class Comparison:
    """TOMTOM results of every query against every target; arrays of shape=(queries, targets).

    Attributes
    ----------
    p_values, e_values, q_values : numpy.ndarray of float
    offsets : numpy.ndarray of int
        Query column ``i`` faces target column ``i + offset`` (target in ``reverse`` orientation).
    overlaps : numpy.ndarray of int
        Columns the two motifs share in the best alignment.
    reverse : numpy.ndarray of bool
        The best alignment uses the target's reverse complement.
    """

    p_values: np.ndarray
    e_values: np.ndarray
    q_values: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    reverse: np.ndarray

    def ranked(self, query: int, top: int | None = None) -> np.ndarray:
        """Target indices for ``query``, best first: smallest p-value, then largest overlap, then index."""
        order = np.lexsort((np.arange(self.p_values.shape[1]), -self.overlaps[query], self.p_values[query]))
        return order[:top] if top else order


#: Scratch memory TOMTOM's threads may take together. memelite gives each thread 3,200 x width^3 bytes for the
#: widest query (86 MB at 30 columns, 1.6 GB at 80): a query of 100 columns asked for 52 GB on 16 cores.
TOMTOM_SCRATCH_BYTES = 2 * 1024**3


def tomtom_threads(widest: int) -> int:
    """Threads for memelite's TOMTOM with queries of up to ``widest`` columns: numba's, fewer when their scratch
    memory would pass :data:`TOMTOM_SCRATCH_BYTES` (one at least, whatever its size)."""
    import numba

    return int(max(1, min(numba.get_num_threads(), TOMTOM_SCRATCH_BYTES // (3200 * widest**3))))


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of a 1-D array of p-values (same order)."""
    p_values = np.asarray(p_values, dtype=np.float64)
    n = len(p_values)
    if not n:
        return p_values.copy()
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * n / np.arange(1, n + 1)
    q_sorted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    q_values = np.empty(n)
    q_values[order] = q_sorted
    return q_values


#: How far :func:`_without_ties` moves a target matrix's entries at most.
TIE_BREAK = 1e-9


def _without_ties(targets: list) -> list:
    """The target matrices with every entry moved up by less than :data:`TIE_BREAK` (seeded) and renormalised.

    memelite's TOMTOM null distribution goes wrong where target columns are exactly equal: against a database of
    consensus k-mers written as sharp matrices, a one-column query got p-value 0 against every target (a column
    any 12-column target holds on either strand: p near 1), and on JASPAR, whose count-derived columns often
    repeat, some p-values moved by up to a factor of 4.5 when the entries moved by 1e-9 (memesuite-lite issue 7).
    Apart, the columns give p-values that other draws of that size move by 8% at most. The draws are seeded, so
    one database always gives the same p-values.
    """
    rng = np.random.default_rng(0)
    untied = []
    for target in targets:
        sums = target.sum(axis=1, keepdims=True)
        # a row of zeros (a kernel's column that only padding filled) stays one: it holds no letter to move
        matrix = target + rng.uniform(0.0, TIE_BREAK, target.shape) * (sums > 0)
        untied.append(np.divide(matrix, matrix.sum(axis=1, keepdims=True), out=np.zeros_like(matrix), where=sums > 0))
    return untied


def compare_motifs(queries, targets, reverse_complement: bool = False, warn: bool = True) -> Comparison:
    """TOMTOM (memelite) of every query against every target.

    Parameters
    ----------
    queries : list of numpy.ndarray, each shape=(width, letters)
        Probability matrices (rows sum to 1).
    targets : list of numpy.ndarray, each shape=(width, letters)
        Same letters. The p-values use the columns of all targets as the null model, so they
        are reliable for databases of at least about 50 motifs.
    reverse_complement : bool
        Also try each target's reverse complement (DNA with columns in ACGT order only).
        Default is False.
    warn : bool
        Log a warning when there are fewer than 50 targets. Default is True.

    Returns
    -------
    Comparison

    Raises
    ------
    ParamError
        No targets, or matrices of different widths of letters.
    """
    queries = [np.asarray(q, dtype=np.float64) for q in queries]
    targets = [np.asarray(t, dtype=np.float64) for t in targets]
    if not targets:
        raise ParamError("TOMTOM needs at least one target motif, received none")
    letters = {m.shape[1] for m in queries + targets if m.ndim == 2}
    if len(letters) != 1 or any(m.ndim != 2 or not len(m) for m in queries + targets):
        raise ParamError(f"TOMTOM needs non-empty matrices over one alphabet, received letter counts {sorted(letters)}")
    n_queries, n_targets = len(queries), len(targets)
    if not n_queries:
        empty = np.zeros((0, n_targets))
        return Comparison(empty, empty, empty, empty.astype(int), empty.astype(int), empty.astype(bool))
    if warn and n_targets < MIN_TARGETS:
        log.warning("only %d target motif(s); TOMTOM's p-values use the target columns as background "
                    "and are unreliable below about %d", n_targets, MIN_TARGETS)
    numba_cache()
    from memelite.tomtom import tomtom

    targets = _without_ties(targets)
    import numba

    threads = numba.get_num_threads()  # memelite sets n_jobs threads and restores them only when it succeeds
    with warnings.catch_warnings(), contextlib.ExitStack() as restore:
        restore.callback(numba.set_num_threads, threads)
        warnings.simplefilter("ignore")  # its few-targets warning is logged above
        # memelite merges target columns that fall into the same bins by a key of 100**letter terms, which
        # overflows past about 8 letters: distinct protein columns were merged and p-values came out near 1e-9
        # for chance matches. Columns are taken as they are (no merging) beyond DNA's and RNA's 4 letters.
        p_values, scores, offsets, overlaps, strands = tomtom([np.ascontiguousarray(q.T) for q in queries],
                                                         [np.ascontiguousarray(t.T) for t in targets],
                                                         reverse_complement=reverse_complement,
                                                         n_target_bins=100 if letters == {4} else None,
                                                         n_jobs=tomtom_threads(max(len(q) for q in queries)))
    p_values = np.clip(np.asarray(p_values, dtype=np.float64), 0.0, 1.0)
    q_values = np.stack([benjamini_hochberg(row) for row in p_values])
    # A pair without any alignment that scores (a G/C query against A/T targets: score 0, p-value 1) keeps
    # whatever memelite's scratch memory held as offset and overlap (1e+187, NaN, an earlier query's values; cast
    # to int: -9223372036854775808). Such a pair has no alignment: offset 0, overlap 0, the given strand.
    aligned = np.asarray(scores, dtype=np.float64) > 0
    offsets, overlaps = (np.rint(np.where(aligned, values, 0)).astype(int) for values in (offsets, overlaps))
    return Comparison(p_values, p_values * n_targets, q_values, offsets, overlaps,
                      aligned & (np.asarray(strands) > 0.5))
