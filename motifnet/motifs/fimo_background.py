"""The background of ``motifnet scan``: FIMO's log-odds scores and p-values against letter frequencies.

memelite's :func:`memelite.fimo` takes no background: it scores a window with
``sum(log2(p + eps) - log2(0.25))`` and computes p-values for sequences of independent, equally
likely letters. FIMO scores against a background ``b`` instead, ``sum(log2((p + eps) / b))``, with
p-values for letters drawn from ``b``. Both are folded in here, around memelite's call:

- Scores: memelite is given the matrix ``0.25 * (p + eps) / b - eps`` (:func:`fold_background`),
  whose memelite score is ``log2((p + eps) / b)`` per column, FIMO's log-odds against ``b``.
- p-values: memelite's table of p-values by score bin assumes letters of probability 1/4.
  :func:`survival_table` runs the same dynamic programme over the same bins (weights rounded to
  ``bin_size``) with the letters weighted by ``b``.
- Reading the table: the table is the distribution of the sum of the *rounded* weights. memelite
  reads it at the bin of a window's exact score, ``int(score / bin_size)``, which lies up to half a
  bin per column away from the window's own rounded sum: when the rounding errors add up (near-
  uniform backgrounds, where every matched letter's weight rounds down), a site one mismatch from
  the consensus was given the consensus's p-value, ten times too small. As MEME's FIMO does with its
  integer matrices, each window's p-value is read here at its rounded sum (:func:`window_bins`), for
  every background, the uniform one included. memelite is called with a p-value threshold loose
  enough to report every window whose rounded sum passes (:attr:`FimoMotifs.fimo_threshold`); the
  windows are then kept by that p-value.

Both strands are scanned with one matrix and one table per motif, which is right only for a
background whose complementary letters are equally frequent, so backgrounds are made
strand-symmetric (A and T, C and G averaged; :func:`symmetric`), as MEME does for DNA; a scan of the
records' own strand only (RNA motifs) keeps the background as it is.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.fasta import iter_text_stream
from ..errors import InputError, ParamError
from .meme import ROW_SUM_TOLERANCE

log = logging.getLogger("motifnet")

#: memelite's pseudocount and bin width (``fimo``'s ``eps`` and ``bin_size`` defaults), passed explicitly.
EPS = 1e-4
BIN_SIZE = 0.1
UNIFORM = np.full(4, 0.25)
#: ``--background`` values other than a file.
BACKGROUND_KINDS = ("uniform", "input")


def check_background(background: str) -> str:
    """``background`` if it is ``uniform``, ``input`` or an existing file.

    Raises
    ------
    ParamError
        Anything else.
    """
    if background in BACKGROUND_KINDS or (Path(background).exists() and not Path(background).is_dir()):
        return background  # a file, or a pipe (<(zcat bg.txt.gz)), read once
    missing = "a folder" if Path(background).is_dir() else "no such file"
    raise ParamError(f"--background is uniform, input or a MEME background file ('A 0.3' lines), received: "
                     f"{background!r} ({missing})")


def read_background_file(path) -> np.ndarray:
    """Order-0 letter frequencies of a MEME background file: ``A 0.3`` lines, ``#`` comments.

    Lines of longer words (a higher-order Markov background, ``AA 0.09``) are skipped; U reads as T,
    lower case as upper case.

    Returns
    -------
    numpy.ndarray, shape=(4,)
        Frequencies of A, C, G, T, rescaled to sum to 1 (with a warning when they sum to 1 only further
        off than :data:`~motifnet.motifs.meme.ROW_SUM_TOLERANCE`, as counts do).

    Raises
    ------
    InputError
        A line that is not a word and a number, a letter given twice (A and a, or T and U, count as
        the same letter), a letter missing, or a frequency that is not positive. Frequencies of A, C,
        G and T that sum to 1 only further off than the tolerance (counts, say) are rescaled with a
        warning.
    """
    frequencies = {}
    lines = {}  # the line each letter's frequency is on
    with iter_text_stream(path, "a MEME background file") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            try:
                word, value = fields[0].upper().replace("U", "T"), float(fields[1])
            except (IndexError, ValueError):
                raise InputError(f"{path}, line {number}: expected a letter and its frequency ('A 0.3'), "
                                 f"received: {line.strip()!r}") from None
            if len(word) != 1:
                continue
            if word in frequencies:
                # The last line used to win without a word, whichever frequency was meant.
                raise InputError(f"{path}, line {number}: a second frequency for {word} ({fields[0]} {fields[1]}; "
                                 f"line {lines[word]} gives one already); list each letter once")
            frequencies[word], lines[word] = value, number
    missing = [letter for letter in "ACGT" if letter not in frequencies]
    if missing:
        raise InputError(f"{path}: no frequency for {', '.join(missing)}; a MEME background file lists A, C, G "
                         "and T (or U), one 'A 0.3' line each")
    values = np.array([frequencies[letter] for letter in "ACGT"], dtype=np.float64)
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise InputError(f"{path}: letter frequencies must be finite and positive, received: {values.tolist()}")
    total = values.sum()
    if abs(total - 1) > ROW_SUM_TOLERANCE:
        # Counts, or frequencies of a larger alphabet: rescaled as before, but not without a word.
        log.warning("%s: the frequencies of A, C, G and T sum to %g, not 1; they are rescaled to sum to 1",
                    path, total)
    return values / total


def symmetric(frequencies) -> np.ndarray:
    """``frequencies`` of A, C, G, T averaged with those of their complements, summing to 1."""
    frequencies = np.asarray(frequencies, dtype=np.float64)
    frequencies = (frequencies + frequencies[::-1]) / 2
    return frequencies / frequencies.sum()


def input_background(counts) -> np.ndarray:
    """The frequencies of letter ``counts`` (A, C, G, T), one pseudocount each (:func:`symmetric` makes them
    strand-symmetric)."""
    counts = np.asarray(counts, dtype=np.float64) + 1
    return counts / counts.sum()


def fold_background(pwm: np.ndarray, background, eps: float = EPS) -> np.ndarray:
    """The matrix whose memelite log-odds are ``pwm``'s FIMO log-odds against ``background``.

    memelite scores letter ``j`` of a column ``q`` as ``log2(q[j] + eps) - log2(0.25)``; for
    ``q = 0.25 * (p + eps) / b - eps`` that is ``log2((p[j] + eps) / b[j])``.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(width, 4)
        Letter probabilities.
    background : numpy.ndarray, shape=(4,)

    Returns
    -------
    numpy.ndarray, shape=(width, 4)
    """
    background = np.asarray(background, dtype=np.float64)
    return 0.25 * (np.asarray(pwm, dtype=np.float64) + eps) / background[None, :] - eps


def log_odds(pwm: np.ndarray, background, eps: float = EPS) -> np.ndarray:
    """FIMO's log-odds in bits, ``log2((p + eps) / b)``: shape=(width, 4)."""
    return np.log2(np.asarray(pwm, dtype=np.float64) + eps) - np.log2(np.asarray(background, np.float64))[None, :]


def _memelite_weights(matrix: np.ndarray, eps: float) -> np.ndarray:
    """The weights memelite computes from a matrix it is given (shape=(width, 4)), bit for bit."""
    return np.log2(matrix + eps) - math.log2(0.25)


def binned_weights(weights: np.ndarray) -> np.ndarray:
    """``weights`` (bits, shape=(width, 4)) in whole bins, rounded as memelite rounds them: int64."""
    return np.round(np.asarray(weights, dtype=np.float64) / BIN_SIZE).astype(np.int64)


def window_bins(bins: np.ndarray, indices: np.ndarray, rows, starts, minus) -> np.ndarray:
    """The rounded score of each window: its letters' weights in whole bins (:func:`binned_weights`), summed.

    Parameters
    ----------
    bins : numpy.ndarray of int, shape=(width, 4)
    indices : numpy.ndarray of int8, shape=(n, length)
        Letter indices (A, C, G, T as 0-3; ambiguity codes negative: such windows get a meaningless
        sum and are left out by the caller).
    rows, starts : numpy.ndarray of int, shape=(hits,)
        Each window's record and first position (on the forward strand).
    minus : numpy.ndarray of bool, shape=(hits,)
        Windows read on the reverse strand: the matrix is matched to their reverse complement.

    Returns
    -------
    numpy.ndarray of int64, shape=(hits,)
    """
    width = len(bins)
    positions = np.minimum(np.asarray(starts)[:, None] + np.arange(width)[None, :], indices.shape[1] - 1)
    letters = indices[np.asarray(rows)[:, None], positions].astype(np.int64)
    letters = np.where(np.asarray(minus)[:, None], 3 - letters[:, ::-1], letters)
    return bins[np.arange(width)[None, :], np.clip(letters, 0, 3)].sum(axis=1)


@dataclass
class SurvivalTable:
    """p-values of a motif's scores by score bin, as memelite tabulates them.

    Attributes
    ----------
    smallest : int
        The bin of the table's first entry.
    p_values : numpy.ndarray, shape=(bins,)
        Probability of a score in this bin or above, for a window of background letters.
    """

    smallest: int
    p_values: np.ndarray

    def p_values_of(self, bins) -> np.ndarray:
        """p-values of windows whose rounded weights sum to ``bins`` (:func:`window_bins`)."""
        return self.p_values[np.asarray(bins, dtype=np.int64) - self.smallest]

    def first_passing(self, threshold: float) -> int | None:
        """The first entry below ``threshold`` that a window can reach; None when there is none.

        The entries past the best reachable score are 0: a motif whose reachable entries all lie at
        or above ``threshold`` (a short or weak one) has no passing entry.
        """
        passing = np.flatnonzero((self.p_values < threshold) & (self.p_values > 0))
        return int(passing[0]) if len(passing) else None


def survival_table(weights: np.ndarray, background) -> SurvivalTable:
    """memelite's score-to-p-value table of ``weights`` with letters drawn from ``background``.

    The same bins as memelite's: each weight rounded to a multiple of :data:`BIN_SIZE`, the table
    running from the smallest to the largest prefix sum of column minima and maxima (plus one bin
    per column). With the uniform background it gives memelite's p-values.

    Parameters
    ----------
    weights : numpy.ndarray, shape=(width, 4)
        Log-odds in bits, as memelite computes them.
    background : numpy.ndarray, shape=(4,)

    Returns
    -------
    SurvivalTable
    """
    binned = binned_weights(weights)
    background = np.asarray(background, dtype=np.float64)
    smallest = int(np.cumsum(binned.min(axis=1)).min())
    largest = int(np.cumsum(binned.max(axis=1)).max()) + len(binned)
    size = largest - smallest + 1
    density = np.zeros(size)
    np.add.at(density, binned[0] - smallest, background)
    for column in binned[1:]:
        following = np.zeros(size)
        for weight, probability in zip(column, background):
            # bin j + weight of the next column: memelite's `idx = j + int_log_pwm[k, i]`
            if weight >= 0:
                following[weight:] += probability * density[:size - weight]
            else:
                following[:weight] += probability * density[-weight:]
        density = following
    return SurvivalTable(smallest, np.cumsum(density[::-1])[::-1])


@dataclass
class FimoMotifs:
    """Motifs prepared for memelite against one background.

    Attributes
    ----------
    matrices : dict of str to numpy.ndarray, shape=(4, width)
        What memelite is given, keyed by the motif's number.
    background : numpy.ndarray, shape=(4,)
    bins : list of numpy.ndarray, shape=(width, 4)
        Each motif's weights in whole bins (:func:`binned_weights`), to read its table by.
    tables : list of SurvivalTable
        p-values under ``background``, by rounded score.
    threshold : float
        Hits have a p-value below it (FIMO's rule).
    groups : list of (float, list of int)
        The p-value threshold memelite is called with, and the motifs (numbers) it is called for:
        each motif's own threshold is loose enough that no window whose rounded score passes
        ``threshold`` is left out; motifs whose thresholds lie within a factor of 2 share one call
        (at the loosest of them). A motif no window can pass under ``threshold`` is in no group.
    """

    matrices: dict
    background: np.ndarray
    bins: list
    tables: list
    threshold: float
    groups: list


def prepare_motifs(pwms, background, threshold: float, both_strands: bool = True) -> FimoMotifs:
    """memelite's matrices of ``pwms`` against ``background``, their tables and its threshold.

    Parameters
    ----------
    pwms : list of numpy.ndarray, shape=(width, 4)
    background : numpy.ndarray, shape=(4,)
    threshold : float
        Hits have a p-value below it, under ``background``.
    both_strands : bool
        Both strands are read with one matrix, so ``background`` is made strand-symmetric. Default is True.

    Returns
    -------
    FimoMotifs
    """
    background = symmetric(background) if both_strands else np.asarray(background, dtype=np.float64)
    if np.allclose(background, UNIFORM, rtol=0, atol=1e-12):
        background = UNIFORM.copy()
    matrices, bins, tables, groups = {}, [], [], {}
    for number, pwm in enumerate(pwms):
        folded = fold_background(pwm, background)
        weights = _memelite_weights(folded, EPS)
        table = survival_table(weights, background)
        matrices[str(number)] = np.ascontiguousarray(folded.T)
        bins.append(binned_weights(weights))
        tables.append(table)
        entry = table.first_passing(threshold)
        if entry is None:
            continue
        # memelite passes windows by their exact score, which lies below their rounded one by at most
        # the largest upward rounding of each column, summed (int() and float32 may lose one more bin):
        # the threshold puts memelite's first passing bin that far before `entry`, in its own
        # (uniform) table of the same weights
        rounded_up = max(float((bins[-1] - weights / BIN_SIZE).max(axis=1).sum()), 0.0)
        first = max(entry - math.ceil(rounded_up) - 1, 0)
        own = min(float(survival_table(weights, UNIFORM).p_values[first]) * (1 + 1e-6), 1.0)
        groups.setdefault(math.ceil(math.log2(own)), []).append((own, number))
    return FimoMotifs(matrices, background, bins, tables, threshold,
                      [(max(own for own, _ in members), [number for _, number in members])
                       for _, members in sorted(groups.items())])
