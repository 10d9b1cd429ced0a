"""TF-MoDISco (modisco-lite) on hypothetical contributions: seqlets, metaclusters by sign, patterns.

TF-MoDISco itself is not reimplemented here: :func:`find_patterns` calls
``modiscolite.tfmodisco.TFMoDISco(one_hot, hypothetical_contribs, ...)``, which finds seqlets
(windows of high total contribution, at a false discovery rate against a null of shuffled
scores), splits them by the sign of their contribution into two metaclusters, clusters each
(Leiden on a similarity of their hypothetical contributions, both strands) and returns the
patterns of each metacluster. This module turns those patterns into plain arrays:

- the **CWM** (contribution-weight matrix): the mean contribution of each letter over the
  pattern's aligned seqlets;
- the **PFM** (probability matrix): the letter frequencies of those seqlets;
- the **core**: the columns from the first to the last whose total absolute contribution
  reaches ``trim_fraction`` of the largest (modisco's own report trims the same way, 0.3);
- the seqlets: record, start, end (the core's columns in the record, 0-based, end exclusive),
  strand (``-``: the seqlet is the reverse complement of the pattern) and contribution (the
  sum of its observed contributions over the core).

TF-MoDISco sets its seqlet thresholds from the windows of each sign, and modisco-lite fails
(``IndexError``, ``ValueError``) on contributions whose windows are all of one sign, such as
contributions that are 0 everywhere (records of one repeated letter against their own
shuffles); :func:`no_seqlets_reason` names that case and :func:`find_patterns` then finds none.

modisco-lite trims each pattern to the ``trim_to_window_size`` columns of highest information
(30) and widens it by ``initial_flank_to_add`` (10) on each side; it fails (``IndexError``,
``ValueError``) when a pattern, widened by that flank, is narrower than the trim window, as
seqlets of fewer than 10 positions are. :meth:`ModiscoConfig.tfmodisco_arguments` therefore
trims to at most a seqlet's width and widens by at most ``flank``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import OptionValueError, ParamError

log = logging.getLogger("motifnet")

DEFAULT_TRIM_FRACTION = 0.3
# modisco-lite's defaults of trim_to_window_size and initial_flank_to_add: what seqlets of the
# default width (window 21 plus twice flank 10) get.
MODISCO_TRIM_WINDOW = 30
MODISCO_INITIAL_FLANK = 10
# modisco-lite first compares seqlets by their gapped k-mers of 4 to 6 letters; a shorter seqlet
# has none, every seqlet is then filtered out and its clustering fails on an empty list.
MODISCO_MIN_SEQLET = 4


@dataclass
class ModiscoConfig:
    """The options of TF-MoDISco that ``motifnet motifs`` exposes; defaults are modisco-lite's but one.

    Attributes
    ----------
    max_seqlets : int
        Seqlets per metacluster (``max_seqlets_per_metacluster``). Default is 2000, the value of
        modisco-lite's own README example: its library default, 20000, kept TF-MoDISco on
        100,000 records of 200 nt running for over 50 minutes on 2 cores without finishing.
    window : int
        Width of the sliding window that finds seqlets (``sliding_window_size``); a seqlet,
        ``window + 2 * flank`` positions, must be at least 4 long. Default is 21.
    flank : int
        Columns added on each side of a seqlet's window (``flank_size``), at least 1: with none,
        modisco-lite ignores every window and finds no seqlet. Patterns are trimmed to at most
        30 columns (``trim_to_window_size``), and no more than a seqlet's ``window + 2 * flank``,
        then widened by ``flank`` columns on each side, at most 10 (``initial_flank_to_add``).
        Default is 10.
    min_seqlets : int
        Seqlets a pattern needs to be kept (``final_min_cluster_size``). Default is 20.
    min_metacluster : int
        Seqlets a metacluster needs to be clustered at all (``min_metacluster_size``): fewer
        and it yields no pattern. Default is 100.
    fdr : float
        Target false discovery rate of seqlets (``target_seqlet_fdr``). Default is 0.2.
    leiden_runs : int
        Leiden clusterings per round, the best kept (``n_leiden_runs``). Default is 50.
    trim_fraction : float
        A pattern's core keeps the columns from the first to the last whose total absolute
        contribution reaches this fraction of the largest. Default is 0.3.
    """

    max_seqlets: int = 2000
    window: int = 21
    flank: int = 10
    min_seqlets: int = 20
    min_metacluster: int = 100
    fdr: float = 0.2
    leiden_runs: int = 50
    trim_fraction: float = DEFAULT_TRIM_FRACTION

    def __post_init__(self):
        # A flank of 0 makes modisco-lite drop every window (its ``scores[:, -flank:] = -inf``).
        # One seqlet per metacluster ends inside TF-MoDISco ("max() arg is an empty sequence"): two, to cluster.
        for name, minimum in (("max_seqlets", 2), ("window", 1), ("flank", 1), ("min_seqlets", 1),
                              ("min_metacluster", 1), ("leiden_runs", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                reason = " (with no flank TF-MoDISco finds no seqlets)" if name == "flank" else ""
                raise ParamError(f"--{_option(name)} must be an integer of at least {minimum}{reason}, "
                                 f"received: {value!r}")
        if self.window + 2 * self.flank < MODISCO_MIN_SEQLET:  # values out of their range together: a usage error
            raise OptionValueError(f"--window {self.window} plus twice --flank {self.flank} gives seqlets of "
                             f"{self.window + 2 * self.flank} positions, and TF-MoDISco compares seqlets by "
                             f"gapped k-mers of at least {MODISCO_MIN_SEQLET} letters: give --window and --flank "
                             f"whose window + 2 * flank is at least {MODISCO_MIN_SEQLET}")
        if not (isinstance(self.fdr, (int, float)) and 0 < self.fdr < 1):
            raise OptionValueError(f"--fdr must be a number between 0 and 1, received: {self.fdr!r}")
        if not (isinstance(self.trim_fraction, (int, float)) and math.isfinite(self.trim_fraction)
                and 0 <= self.trim_fraction <= 1):
            raise OptionValueError(f"--trim-fraction must be a number from 0 to 1, received: {self.trim_fraction!r}")

    def tfmodisco_arguments(self) -> dict:
        """The keyword arguments of ``modiscolite.tfmodisco.TFMoDISco`` these options set.

        modisco-lite slides its trim window (``trim_to_window_size``) over each pattern widened by
        ``initial_flank_to_add`` on each side, and fails when that is narrower than the window. A
        pattern is at least as wide as its seqlets, so trimming to no more than a seqlet's width
        always fits; the widening follows ``flank``. Both are modisco-lite's defaults (30 and 10)
        for seqlets of the default width.
        """
        return {"max_seqlets_per_metacluster": self.max_seqlets, "sliding_window_size": self.window,
                "flank_size": self.flank, "final_min_cluster_size": self.min_seqlets,
                "min_metacluster_size": self.min_metacluster, "target_seqlet_fdr": float(self.fdr),
                "n_leiden_runs": self.leiden_runs,
                "trim_to_window_size": min(MODISCO_TRIM_WINDOW, self.window + 2 * self.flank),
                "initial_flank_to_add": min(MODISCO_INITIAL_FLANK, self.flank)}


def _option(name: str) -> str:
    return {"min_metacluster": "min-metacluster-size"}.get(name, name.replace("_", "-"))


@dataclass
class Seqlet:
    """One seqlet of a pattern, at the pattern's core.

    Attributes
    ----------
    record : int
        Index of the record in the data given to :func:`find_patterns`.
    start, end : int
        The core's columns in the record (0-based, end exclusive), on the forward strand.
    strand : str
        ``+``: the seqlet reads as the pattern; ``-``: as its reverse complement.
    contribution : float
        Sum of the seqlet's observed contributions over the core.
    """

    record: int
    start: int
    end: int
    strand: str
    contribution: float


@dataclass
class Pattern:
    """A TF-MoDISco pattern.

    Attributes
    ----------
    sign : int
        +1: its seqlets raise the explained logit; -1: they lower it.
    index : int
        Its place among the patterns of its metacluster (modisco's order).
    cwm : numpy.ndarray, shape=(width, 4)
        Mean observed contribution per column and letter.
    hypothetical_cwm : numpy.ndarray, shape=(width, 4)
        Mean hypothetical contribution.
    pfm : numpy.ndarray, shape=(width, 4)
        Letter frequencies of the aligned seqlets (rows sum to 1).
    core : (start, end)
        Columns kept by trimming (half-open).
    seqlets : list of Seqlet
    """

    sign: int
    index: int
    cwm: np.ndarray
    hypothetical_cwm: np.ndarray
    pfm: np.ndarray
    core: tuple
    seqlets: list = field(default_factory=list)

    @property
    def core_pfm(self) -> np.ndarray:
        return self.pfm[self.core[0]:self.core[1]]

    @property
    def core_cwm(self) -> np.ndarray:
        return self.cwm[self.core[0]:self.core[1]]


def contribution_core(cwm: np.ndarray, fraction: float = DEFAULT_TRIM_FRACTION) -> tuple:
    """Columns from the first to the last whose total absolute contribution reaches ``fraction`` of the largest.

    Parameters
    ----------
    cwm : numpy.ndarray, shape=(width, letters)
    fraction : float
        Default is 0.3; 0 keeps every column.

    Returns
    -------
    (start, end)
        Half-open; the whole matrix when every column is zero.
    """
    score = np.abs(np.asarray(cwm, dtype=np.float64)).sum(axis=1)
    if not len(score) or score.max() <= 0:
        return 0, len(score)
    kept = np.flatnonzero(score >= fraction * score.max())
    return int(kept[0]), int(kept[-1]) + 1


def check_seqlet_length(length: int, config: ModiscoConfig) -> None:
    """Refuse sequences shorter than a seqlet (``window`` plus twice ``flank``).

    Raises
    ------
    ParamError
    """
    if length < config.window + 2 * config.flank:
        raise ParamError(f"sequences of {length} positions are shorter than a seqlet: --window "
                         f"{config.window} plus twice --flank {config.flank}; give a smaller --window or --flank")


def check_modisco_inputs(one_hot, hypothetical, config: ModiscoConfig) -> None:
    """Refuse arrays TF-MoDISco cannot take: shapes that differ or are not (n, length, 4), or too short.

    Raises
    ------
    ParamError
    """
    if one_hot.shape != hypothetical.shape or one_hot.ndim != 3 or one_hot.shape[2] != 4:
        raise ParamError(f"TF-MoDISco needs one-hot sequences and hypothetical contributions of one shape "
                         f"(n, length, 4), received {one_hot.shape} and {hypothetical.shape}")
    check_seqlet_length(one_hot.shape[1], config)


def no_seqlets_reason(one_hot, hypothetical, window: int, rows: int | None = None) -> str | None:
    """Why TF-MoDISco can find no seqlets in these contributions, or None when it may find some.

    TF-MoDISco scores every window of ``window`` positions by its total observed contribution
    and sets the seqlet threshold of each sign from the windows of that sign (a Laplace null
    fitted on each side of their mode). When no window is negative, or none is 0 or more, it
    has nothing to set one threshold from, and modisco-lite fails (``IndexError``,
    ``ValueError``) instead of finding nothing. Window totals are computed as modisco-lite
    computes them (float32 contributions, a float32 running sum per record), so the signs are
    the ones it sees.

    Parameters
    ----------
    one_hot : numpy.ndarray, shape=(n, length, 4)
        The sequences; may be memory-mapped (read ``rows`` records at a time).
    hypothetical : numpy.ndarray, shape=(n, length, 4)
        Hypothetical contributions.
    window : int
        Width of the sliding window that finds seqlets (:attr:`ModiscoConfig.window`).
    rows : int, optional
        Records read at a time. Default is about 4 million positions' worth (4096 records of 1,000).

    Returns
    -------
    str or None
        The reason, a phrase ending with "so TF-MoDISco has no seqlets to find"; None when
        there are windows of both signs.
    """
    negative = non_negative = nonzero = False
    rows = rows or max(1, (1 << 22) // max(1, one_hot.shape[1]))  # bounded memory for long records too
    for start in range(0, len(one_hot), rows):
        contributions = np.multiply(np.asarray(one_hot[start:start + rows], dtype=np.float32),
                                    np.asarray(hypothetical[start:start + rows], dtype=np.float32)).sum(axis=2)
        running = np.hstack([np.zeros((len(contributions), 1)), np.cumsum(contributions, axis=-1)])
        totals = running[:, window:] - running[:, :-window]
        negative = negative or bool(np.any(totals < 0))
        non_negative = non_negative or bool(np.any(totals >= 0))
        nonzero = nonzero or bool(np.any(contributions != 0))
        if negative and non_negative:
            return None
    if not nonzero:
        return "the contributions are 0 at every position, so TF-MoDISco has no seqlets to find"
    sign = "a negative total contribution" if non_negative else "a total contribution of 0 or more"
    return (f"no window of {window} positions (--window) has {sign}, and TF-MoDISco needs windows of both signs "
            "to set its seqlet thresholds, so it has no seqlets to find")


def find_patterns(one_hot: np.ndarray, hypothetical: np.ndarray, config: ModiscoConfig | None = None) -> list:
    """Run TF-MoDISco (modisco-lite) and return its patterns, positive metacluster first.

    Parameters
    ----------
    one_hot : numpy.ndarray, shape=(n, length, 4)
        The sequences (rows of zeros for padding).
    hypothetical : numpy.ndarray, shape=(n, length, 4)
        Hypothetical contributions (:func:`motifnet.interpret.hypothetical.hypothetical_contributions`).
    config : ModiscoConfig or None
        Default :class:`ModiscoConfig`.

    Returns
    -------
    list of Pattern
        Positive patterns then negative ones, each in modisco's order; empty when no
        metacluster had enough seqlets, or when there can be no seqlets (a warning gives
        :func:`no_seqlets_reason`).

    Raises
    ------
    ParamError
        Arrays of different shapes, or not four letters.
    """
    config = config or ModiscoConfig()
    one_hot = np.asarray(one_hot, dtype=np.float32)
    hypothetical = np.asarray(hypothetical, dtype=np.float32)
    check_modisco_inputs(one_hot, hypothetical, config)
    reason = no_seqlets_reason(one_hot, hypothetical, config.window)
    if reason is not None:
        log.warning("%s", reason)
        return []
    from modiscolite.tfmodisco import TFMoDISco

    positive, negative = TFMoDISco(one_hot, hypothetical, **config.tfmodisco_arguments())
    patterns = []
    for sign, found in ((1, positive), (-1, negative)):
        for index, pattern in enumerate(found or []):
            patterns.append(_pattern(pattern, sign, index, config.trim_fraction, one_hot, hypothetical))
    return patterns


def _pattern(found, sign: int, index: int, trim_fraction: float, one_hot: np.ndarray,
             hypothetical: np.ndarray) -> Pattern:
    """A modisco-lite ``SeqletSet`` as a :class:`Pattern`."""
    cwm = np.asarray(found.contrib_scores, dtype=np.float64)
    counts = np.asarray(found.sequence, dtype=np.float64)
    pfm = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
    core = contribution_core(cwm, trim_fraction)
    length = one_hot.shape[1]
    seqlets = []
    placed = set()
    for seqlet in found.seqlets:
        # The core's columns in the record; a reverse-complement seqlet reads the pattern backwards.
        if seqlet.is_revcomp:
            start, end = int(seqlet.end) - core[1], int(seqlet.end) - core[0]
        else:
            start, end = int(seqlet.start) + core[0], int(seqlet.start) + core[1]
        start, end = max(start, 0), min(end, length)
        record = int(seqlet.example_idx)
        if (record, start, end) in placed:
            # A palindrome's site found on both strands: two seqlets of shifted windows share one core. One site.
            continue
        placed.add((record, start, end))
        contribution = float(np.sum(one_hot[record, start:end] * hypothetical[record, start:end]))
        seqlets.append(Seqlet(record, start, end, "-" if seqlet.is_revcomp else "+", contribution))
    return Pattern(sign, index, cwm, np.asarray(found.hypothetical_contribs, dtype=np.float64), pfm, core, seqlets)
