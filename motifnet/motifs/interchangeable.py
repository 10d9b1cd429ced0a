"""Groups the network uses interchangeably: the third stage of :mod:`motifnet.motifs.distinct`.

The first two stages compare what kernels read (TOMTOM) and where they fire (co-location). An
element with several words, as SRSF1's purine-rich element (``GAAGAA``, ``GGAGGA``, ``GGGAAG``), is
learned by kernels whose motifs TOMTOM does not call alike and which fire at different places,
so each word becomes a distinct motif of its own and the element's influence is split between
them. The network, however, uses such kernels as stand-ins for each other: where a record holds
the element, silencing one word's kernels leaves the others to report it, and the loss rises
little; silencing all of them at once costs far more than the sum of the parts.

For two groups ``a`` and ``b`` with influences ``I(a)``, ``I(b)`` and ``I(a + b)`` (all their
kernels silenced together; :func:`motifnet.interpret.influence.group_influence`), the *shared use*
is the part of the joint influence that neither has alone:
``(I(a + b) - I(a) - I(b)) / I(a + b)``, 0 where ``I(a + b) <= 0``. Two kernels that read the same
thing score near 1; motifs the network adds up independently score near 0 (the loss's curvature
alone gives some tens of percent); two motifs that are both needed (a class defined by two motifs
together) score below 0, since silencing either already loses the class. Groups merge by average
linkage while the mean shared use between their members is at least :data:`SAME_USE`, but only:

- classification (single- or multi-label): under the squared error of a regression model two
  independent effects add up quadratically (two equal shifts of the predictions in one direction
  share half of their joint influence), so there the shared use does not tell stand-ins apart; on
  the benchmark's regression set it would join GATA1's and FOXA1's groups;
- groups of the same top class: a motif of the bound class and one of the negative class are not
  one element, though their influences add up nonlinearly too (pairs across the classes reach
  0.35 on NOVA's validation records);
- groups with at least :data:`USED_FRACTION` of the first group's influence, at most
  :data:`MAX_COMPARED` of them: the shared use of groups the network hardly uses is noise
  (on the planted DNA set with two motifs in one class, groups matching no planted motif
  reach 0.47 with each other, across classes too).

A merged group keeps the motif, importance, top class, sites and known-motif match of its most
influential part, whose kernels come first; its influence is measured again.

The cut and the floor were chosen on the test records of the benchmark runs
(``benchmarks/defaults.py``, default settings; ``benchmarks/results.md``, section "Distinct motifs
the network uses interchangeably"): on SRSF1 (seeds 1 and 2) the purine-rich groups of the bound
class share 0.38 to 0.55 of their joint influence and the AU-rich groups of the negative class
up to 0.39, pairs across the classes up to 0.28; on the planted DNA set with a two-motif class,
GATA1's and FOXA1's groups share -0.75 (both needed) and no other group reaches a tenth of their
influence.
"""

from __future__ import annotations

import numpy as np

#: Groups merge while the mean shared use between their members is at least this.
SAME_USE = 0.33
#: Only groups with at least this fraction of the first group's influence are compared.
USED_FRACTION = 0.1
#: And at most this many (the most influential): each pair costs one more silenced pass.
MAX_COMPARED = 16


def shared_use(single_a: float, single_b: float, joint: float) -> float:
    """The part of two groups' joint influence that neither has alone (see the module description).

    Parameters
    ----------
    single_a, single_b : float
        Each group's influence.
    joint : float
        The influence of both groups silenced together.

    Returns
    -------
    float
        ``(joint - single_a - single_b) / joint``; 0 where ``joint <= 0``.
    """
    if joint <= 0:
        return 0.0
    return float((joint - single_a - single_b) / joint)


def _kind(group) -> str | None:
    """What two groups must share to be compared: the top class. None for a regression group (it has a
    correlation with the target; its top class is only the target its kernel was read for) or one without
    a top class."""
    if group.correlation is not None:
        return None
    return group.top_class or None


def compared_pairs(groups) -> list:
    """The pairs of groups (indices into ``groups``) whose shared use is measured.

    ``groups`` ranked by influence (:func:`motifnet.motifs.distinct.rank_by_influence`) and labelled
    (:func:`motifnet.motifs.distinct.label_groups`). The candidates are the groups with a measured
    influence of at least :data:`USED_FRACTION` of the first's (which must be above 0), at most
    :data:`MAX_COMPARED`; a pair is compared where both have the same top class (classification:
    regression groups have none, so are never compared).
    """
    measured = [index for index, group in enumerate(groups) if group.influence is not None]
    if not measured:
        return []
    first = max(groups[index].influence for index in measured)
    if not first > 0:
        return []
    candidates = [index for index in measured if groups[index].influence >= USED_FRACTION * first]
    candidates = sorted(candidates, key=lambda index: -groups[index].influence)[:MAX_COMPARED]
    candidates.sort()
    return [(a, b) for position, a in enumerate(candidates) for b in candidates[position + 1:]
            if _kind(groups[a]) is not None and _kind(groups[a]) == _kind(groups[b])]


def merge_interchangeable(groups, influence_of, same_use: float = SAME_USE) -> list:
    """Merge groups the network uses interchangeably; re-rank by influence.

    Parameters
    ----------
    groups : list of MotifGroup
        Ranked by influence and labelled (:func:`compared_pairs`).
    influence_of : callable
        ``influence_of(kernel_groups)``: the influence of each list of kernels silenced together,
        a sequence of float (:func:`motifnet.interpret.influence.group_influence` on the model and
        records the groups were ranked on).
    same_use : float
        Groups merge while the mean shared use between their members is at least this.
        Default is 0.33.

    Returns
    -------
    list of MotifGroup
        The groups, merged ones measured again, ranked by influence as
        :func:`motifnet.motifs.distinct.rank_by_influence` ranks them; the same groups in the same
        order where nothing merges.
    """
    from .distinct import MotifGroup, rank_by_influence

    pairs = compared_pairs(groups)
    if not pairs:
        return groups
    joint = influence_of([groups[a].members + groups[b].members for a, b in pairs])
    scores = {(a, b): shared_use(groups[a].influence, groups[b].influence, value)
              for (a, b), value in zip(pairs, joint)}
    clusters = _average_linkage(sorted({index for pair in pairs for index in pair}), scores, same_use)
    merged = [cluster for cluster in clusters if len(cluster) > 1]
    if not merged:
        return groups
    absorbed = {index for cluster in merged for index in cluster}
    result = []
    for index, group in enumerate(groups):
        cluster = next((cluster for cluster in merged if cluster[0] == index), None)
        if cluster is not None:
            parts = [groups[part] for part in cluster]  # the most influential part first
            result.append(MotifGroup([kernel for part in parts for kernel in part.members], group.importance,
                                     group.sites, group.motif, group.consensus, group.best_match, group.top_class,
                                     group.correlation))
        elif index not in absorbed:
            result.append(group)
    remeasured = iter(influence_of([group.members for group in result if group.influence is None]))
    influence = [group.influence if group.influence is not None else float(next(remeasured))
                 for group in result if group.motif is not None]
    return rank_by_influence(result, influence)


def _average_linkage(indices, scores, same_use: float) -> list:
    """Clusters of ``indices`` (each sorted, so its most influential group first), merged by average
    linkage while the mean score between their members is at least ``same_use``; pairs without a
    score (not compared) count as never merging."""
    clusters = [[index] for index in indices]
    while True:
        best, best_mean = None, same_use
        for first in range(len(clusters)):
            for second in range(first + 1, len(clusters)):
                values = [scores.get((min(a, b), max(a, b))) for a in clusters[first] for b in clusters[second]]
                if any(value is None for value in values):
                    continue
                mean = float(np.mean(values))
                if mean >= best_mean and (best is None or mean > best_mean):
                    best, best_mean = (first, second), mean
        if best is None:
            return clusters
        first, second = best
        clusters[first] = sorted(clusters[first] + clusters[second])
        del clusters[second]
