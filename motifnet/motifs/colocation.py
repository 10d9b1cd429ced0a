"""Kernels that fire at the same places: the second stage of :mod:`motifnet.motifs.distinct`.

A kernel's sites are :attr:`KernelMotif.sites` (one per record, at the kernel's maximum
activation there; :func:`kernel_sites`). Near each site, :func:`nearby_firing` finds where every
other kernel fires most strongly, in the windows that overlap the site's (start offsets
``-(kernel_len - 1)`` to ``kernel_len - 1``, read on the site's strand; for DNA on both strands),
and whether that activation exceeds the other kernel's threshold
(:attr:`KernelMotif.threshold`, as for its own sites).

Kernel ``b`` co-locates with kernel ``a`` at the (relative strand, offset) shared by the most
of ``a``'s sites where ``b`` fires, counting offsets within +-2 of it. :func:`colocation_scores`
takes that count less the count expected if ``b`` fired at uniformly drawn offsets (its firings
times 5 of the ``2 * kernel_len - 1`` offsets), over ``a``'s number of sites; the pair's score is
the larger of its two directions, and 0 where fewer than 10 sites co-locate (too few to tell from
chance). Without the correction a kernel that fires near most sites anywhere, or a narrow kernel
(with few offsets to reach), would score by chance alone. :func:`merge_colocated` then merges
groups by average linkage over these scores: while the mean score between their members is at
least 0.09, or at least 0.06 where their motifs are also alike (the geometric mean of their
members' pairwise TOMTOM p-values at most 1e-2, a similarity too weak for the first stage's 1e-4).

Looking near each site, rather than comparing the two kernels' strongest sites per record,
matters where records hold an element more than once: two kernels that read one element
with different flank preferences pick different copies as their strongest, and compared by
their strongest sites they seem to fire apart.

The cut (0.09) was chosen on the validation records of the benchmark runs
(``benchmarks/defaults.py``, default settings), not on their test records. On PUM2 (RNA, 64
kernels 15 wide) kernels that read the Pumilio element UGUAHAUA score up to 0.56, the
element's two groups merge at 0.096, and the first kernel without the element would join
them at 0.079 (``AUAcUaUAaAUUUUU``); the median pair scores 0.017, and shuffling each
kernel's sites among the records gives at most 0.028 (NOVA 0.029, SRSF1 0.020). On the planted
DNA sets no merge down to a score of 0.02 joins two planted motifs' groups, and the two motifs
of the two-motif class (planted independently) never co-locate.

Short elements that recur in clusters (NOVA's YCAY) are read by kernels in different
arrangements whose pairs co-locate at 0.05 to 0.2 and match at TOMTOM p-values of 1e-2 to 1e-5:
each line of evidence alone falls short, the two together name one element. The second rule
(0.06, twice the shuffled sites' highest score; p 1e-2) was chosen on validation records too,
where the pairs it adds were, on NOVA, YCAY groups joining; on PUM2, the element's groups; on the
planted DNA sets, none between planted motifs (their groups score at most 0.008 between them). On
the test records of a seed-1 run, NOVA's three largest YCAY groups become one (10 kernels,
influence 2.8 against 0.28 for the next) and PUM2's element one group; at seed 17 NOVA's YCAY
groups stay apart (``benchmarks/results.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Groups merge while the mean co-location score between their members is at least this.
SAME_SITES = 0.09
# Or at least this, where their motifs are also alike: the geometric mean of their members' pairwise
# TOMTOM p-values is at most SIMILAR_P (two weaker lines of evidence that agree).
SIMILAR_SITES = 0.06
SIMILAR_P = 1e-2
# A site of the other kernel co-locates within this many positions of the pair's most common offset.
OFFSET_SLACK = 2
# A pair of kernels that co-locates at fewer sites than this scores 0.
MIN_COLOCATED = 10


@dataclass
class KernelSites:
    """Where a kernel fires: one site per record.

    Attributes
    ----------
    records : numpy.ndarray of int, shape=(m,)
        Record numbers, each at most once.
    starts : numpy.ndarray of int, shape=(m,)
        The site's (window's) start in the record, on the forward strand.
    strands : numpy.ndarray of int or None, shape=(m,)
        1 where the kernel read the forward strand, -1 the reverse complement; None: all forward.
    """

    records: np.ndarray
    starts: np.ndarray
    strands: np.ndarray | None = None

    def strand_signs(self) -> np.ndarray:
        """``strands``, or 1 for every site when the kernel read one strand."""
        return np.ones(len(self.records), dtype=int) if self.strands is None else np.asarray(self.strands, dtype=int)


@dataclass
class NearbyFiring:
    """How every kernel fires near one kernel's sites.

    Attributes
    ----------
    fires : numpy.ndarray of bool, shape=(m, kernels)
        Kernel ``k``'s largest activation in a window overlapping site ``i`` exceeds ``k``'s threshold.
    offsets : numpy.ndarray of int, shape=(m, kernels)
        Where that largest activation is: its window's start minus the site's, read on the site's strand.
    strands : numpy.ndarray of int, shape=(m, kernels)
        1: on the site's strand; -1: on the other strand.
    reach : int
        Offsets run from ``-reach`` to ``reach`` (the kernel width less one: windows that overlap).
    """

    fires: np.ndarray
    offsets: np.ndarray
    strands: np.ndarray
    reach: int

    @property
    def n_sites(self) -> int:
        return int(self.fires.shape[0])


def kernel_sites(motifs, activations) -> dict:
    """The sites of each kernel (:attr:`KernelMotif.sites`) with their starts and strands.

    Parameters
    ----------
    motifs : list of KernelMotif
        From :func:`motifnet.interpret.kernels.kernel_motifs` on ``activations``.
    activations : KernelActivations

    Returns
    -------
    dict of int to KernelSites
        By kernel number.
    """
    located = {}
    strand = activations.strand
    for motif in motifs:
        records = np.asarray(motif.sites, dtype=int)
        located[motif.kernel] = KernelSites(records, activations.position[records, motif.kernel].astype(int),
                                            None if strand is None else strand[records, motif.kernel].astype(int))
    return located


def nearby_firing(model, dataset, sites: dict, thresholds: dict, batch_size: int = 256,
                  both_strands: bool = False) -> dict:
    """Where every kernel fires most strongly near each kernel's sites (see the module description).

    Parameters
    ----------
    model : keras.Model or Run
    dataset : Dataset
        The records the sites are in.
    sites : dict of int to KernelSites
        By kernel number (:func:`kernel_sites`).
    thresholds : dict of int to float
        By kernel number: an activation above it is a kernel's firing (kernels not in it never fire).
    batch_size : int
        Records per forward pass. Default is 256.
    both_strands : bool
        Read both strands (DNA). Default is False.

    Returns
    -------
    dict of int to NearbyFiring
        By kernel number, for every kernel in ``sites``; columns are kernel numbers.
    """
    from ..interpret.activations import check_both_strands, conv_batches, motif_layer

    layer = motif_layer(model)
    if both_strands:
        check_both_strands(dataset)
    kernels, reach = layer.filters, int(layer.kernel_size[0]) - 1
    threshold = np.array([thresholds.get(kernel, np.inf) for kernel in range(kernels)], dtype=np.float32)
    records = np.unique(np.concatenate([s.records for s in sites.values()] + [np.zeros(0, dtype=int)]))
    row_of = np.full(len(dataset), -1, dtype=np.int64)
    row_of[records] = np.arange(len(records))
    result = {kernel: NearbyFiring(np.zeros((len(s.records), kernels), dtype=bool),
                                   np.zeros((len(s.records), kernels), dtype=np.int32),
                                   np.ones((len(s.records), kernels), dtype=np.int8), reach)
              for kernel, s in sites.items()}
    if not len(records):
        return result
    offsets = np.arange(-reach, reach + 1)
    # Each kernel's sites as rows of the subset, and their strands, once rather than per batch.
    placed = {kernel: (row_of[located.records], located.strand_signs()) for kernel, located in sites.items()}
    for rows, *passes in conv_batches(model, dataset.subset(records), batch_size, both_strands):
        for kernel, (site_rows, signs) in placed.items():
            chosen = np.flatnonzero((site_rows >= rows.start) & (site_rows < rows.stop))
            if len(chosen):
                _fill_nearby(result[kernel], chosen, site_rows[chosen] - rows.start, sites[kernel].starts[chosen],
                             signs[chosen], passes, offsets, threshold)
    return result


def _fill_nearby(nearby: NearbyFiring, chosen, rows, starts, signs, passes, offsets, threshold) -> None:
    """Rows ``chosen`` of ``nearby``, from one batch's activations (forward and, for DNA, reverse)."""
    positions = passes[0].shape[1]
    # The other kernel's window, `offset` on from the site on the site's strand, starts here on the forward strand.
    starts = starts[:, None] + signs[:, None] * offsets[None, :]
    inside = (starts >= 0) & (starts < positions)
    clipped = np.clip(starts, 0, positions - 1)
    forward_values = passes[0][rows[:, None], clipped]  # shape=(sites, offsets, kernels)
    reverse_values = passes[1][rows[:, None], positions - 1 - clipped] if len(passes) > 1 else forward_values
    reading = []  # per relative strand
    for relative in ((1, -1) if len(passes) > 1 else (1,)):
        # Same strand as the site: forward for forward sites, reverse for reverse ones; the other strand swaps them.
        on_forward = (signs * relative == 1)[:, None, None]
        values = np.where(on_forward, forward_values, reverse_values)
        reading.append(np.where(inside[:, :, None], values, -np.inf))
    stacked = np.stack(reading, axis=1)  # (sites, strands, offsets, kernels)
    flat = stacked.reshape(len(chosen), -1, stacked.shape[-1])
    best = flat.argmax(axis=1)
    value = np.take_along_axis(flat, best[:, None, :], axis=1)[:, 0, :]
    nearby.fires[chosen] = value > threshold[None, :]
    nearby.offsets[chosen] = offsets[best % len(offsets)]
    nearby.strands[chosen] = np.where(best // len(offsets) == 0, 1, -1)


def colocation_scores(nearby, kernels, slack: int = OFFSET_SLACK, min_records: int = MIN_COLOCATED) -> np.ndarray:
    """How often two kernels fire at the same place, beyond chance, for every pair of ``kernels``.

    For kernels ``a`` and ``b``: on each relative strand, the number of ``a``'s sites where ``b``
    fires at the most common offset (+-``slack``), less the number expected there if ``b`` fired
    at offsets drawn uniformly from the ``2 * reach + 1`` reachable ones (its firings on that
    strand times ``(2 * slack + 1) / (2 * reach + 1)``); the larger strand's excess over ``a``'s
    number of sites. The score of the pair is the larger of its two directions, 0 where the count
    is below ``min_records``. Without the correction, narrow kernels (few reachable offsets) or
    kernels that fire near most sites anywhere would score by chance alone.

    Parameters
    ----------
    nearby : list of NearbyFiring
        One per kernel in ``kernels`` (:func:`nearby_firing`).
    kernels : list of int
        The kernel numbers, the columns of ``nearby`` to compare.
    slack : int
        Default is 2.
    min_records : int
        Default is 10.

    Returns
    -------
    numpy.ndarray, shape=(n, n)
        Symmetric, between 0 and 1; the diagonal is 1.
    """
    n = len(kernels)
    directed = np.zeros((n, n))
    for a in range(n):
        sites = max(nearby[a].n_sites, 1)
        chance = min(1.0, (2 * slack + 1) / (2 * nearby[a].reach + 1))
        for b in range(n):
            if a == b:
                continue
            column = kernels[b]
            fires = nearby[a].fires[:, column]
            best = 0.0
            for side in (1, -1):
                offsets = nearby[a].offsets[fires & (nearby[a].strands[:, column] == side), column]
                count = _modal_count(offsets, slack)
                if count >= min_records:
                    best = max(best, count - chance * len(offsets))
            directed[a, b] = best / sites
    scores = np.maximum(directed, directed.T)
    np.fill_diagonal(scores, 1.0)
    return scores


def _modal_count(offsets: np.ndarray, slack: int) -> int:
    """The most offsets within ``slack`` of one of them."""
    if not len(offsets):
        return 0
    counts = np.bincount(offsets - offsets.min())
    near = np.convolve(counts, np.ones(2 * slack + 1, dtype=int))[slack:slack + len(counts)]
    return int(near[counts > 0].max())


def merge_colocated(labels, scores, same_sites: float = SAME_SITES, log_p=None,
                    similar_sites: float = SIMILAR_SITES, similar_p: float = SIMILAR_P) -> np.ndarray:
    """Merge groups whose members fire at the same places (average linkage over the groups).

    Parameters
    ----------
    labels : numpy.ndarray of int, shape=(n,)
        0-based group labels (:func:`motifnet.motifs.distinct.cluster_motifs`).
    scores : numpy.ndarray, shape=(n, n)
        :func:`colocation_scores` of the same n kernels.
    same_sites : float
        The two groups with the highest mean score between their members merge, while that
        mean is at least this. Default is 0.09.
    log_p : numpy.ndarray or None, shape=(n, n)
        log10 of the kernels' pairwise TOMTOM p-values (floored, as
        :func:`motifnet.motifs.distinct.pair_p_values` and ``P_FLOOR``). Where given, two groups
        whose mean score is below ``same_sites`` may still merge: when it is at least
        ``similar_sites`` and the mean of ``log_p`` between their members is at most
        ``log10(similar_p)``. Default None: co-location alone.
    similar_sites : float
        Default is 0.06.
    similar_p : float
        Default is 1e-2.

    Returns
    -------
    numpy.ndarray of int, shape=(n,)
        0-based labels, numbered in order of first appearance.
    """
    labels = np.asarray(labels)
    groups = [list(np.flatnonzero(labels == label)) for label in dict.fromkeys(labels.tolist())]
    # Sums of scores between groups, updated as groups merge: each merge costs O(groups^2), not O(kernels^2).
    member = np.zeros((len(groups), len(labels)))
    for index, members in enumerate(groups):
        member[index, members] = 1
    sums = member @ np.asarray(scores, dtype=float) @ member.T
    p_sums = None if log_p is None else member @ np.asarray(log_p, dtype=float) @ member.T
    sizes = member.sum(axis=1)
    alive = np.ones(len(groups), dtype=bool)
    while alive.sum() > 1:
        pairs = np.outer(sizes, sizes)
        means = sums / pairs
        means[~alive, :] = -np.inf
        means[:, ~alive] = -np.inf
        np.fill_diagonal(means, -np.inf)
        mergeable = means >= same_sites
        if p_sums is not None:
            mergeable |= (means >= similar_sites) & (p_sums / pairs <= np.log10(similar_p))
        if not mergeable.any():
            break
        candidates = np.where(mergeable, means, -np.inf)
        first, second = sorted(np.unravel_index(int(np.argmax(candidates)), means.shape))  # ties: the first pair
        for totals in (sums,) if p_sums is None else (sums, p_sums):
            totals[first, :] += totals[second, :]
            totals[:, first] += totals[:, second]
        sizes[first] += sizes[second]
        alive[second] = False
        groups[first] = sorted(groups[first] + groups[second])
    merged = np.zeros(len(labels), dtype=int)
    for label, members in enumerate(group for group, kept in zip(groups, alive) if kept):
        merged[members] = label
    order = {}
    return np.array([order.setdefault(label, len(order)) for label in merged], dtype=int)
