"""Distinct motifs: kernels with the same motif, grouped so each learned motif appears once.

A network with many first-layer kernels learns its strongest motif many times over (shifted,
reverse-complemented, partial copies). Every pair of exported (trimmed) kernel motifs is
compared with TOMTOM (:func:`motifnet.motifs.tomtom.compare_motifs`, the kernels as both queries and
targets, both strands for DNA and RNA); the pair's p-value is the smaller of the two directions.

The kernels are clustered hierarchically (average linkage) on the distance
``log10(p / 1e-20)`` (p-values floored at ``1e-20``), and the tree is cut at the distance of
``p = 1e-4``: two groups are merged while the geometric mean of the p-values between their
members is below ``1e-4``. The geometric mean lets a partial copy join the group of the full
motif even where it matches another partial copy poorly. With 20-40 kernels there are 190-780
pairs, so about 0.02-0.08 unrelated pairs are expected below ``1e-4`` by chance. On the DNA
sample data (``make demo``: 20 kernels, 3 planted motifs) the 16 kernels that read a planted
motif form exactly three groups at this stage (copies of one motif: p from 6e-10 up to 6e-4
per pair, joined by the geometric mean; different planted motifs: p > 0.28), and the 4 noise
kernels stay single (the closest pair with one of them: p = 5e-4).

TOMTOM compares what kernels read, so it splits an element that long kernels learned at
different offsets inside different flanks: on the PUM2 CLIP benchmark (RNA, 64 kernels 15 wide)
the kernels with the Pumilio element UGUAHAUA form several TOMTOM groups, their trimmed motifs
sharing too few informative columns. A second stage therefore merges groups whose kernels fire
at the same places (:mod:`motifnet.motifs.colocation`): near each kernel's sites, where does
each other kernel fire, and how often at one (relative strand, offset); groups merge by average
linkage while the mean score between their members is at least 0.09, or at least 0.06 where the
geometric mean of their members' TOMTOM p-values is at most 1e-2 (two weaker lines of evidence
that agree; this joins the groups of a short element that recurs in clusters, as NOVA's YCAY).
For DNA both strands are read, as forward-strand sites would keep a motif's two orientations apart.

Kernels without sites (no motif) and kernels whose motif has no informative column (not
compared: flat motifs match weak columns of anything) each form a group of their own.

A group's motif is its best (most important) member's trimmed motif; its importance, sites,
consensus and best known-motif match are that member's too (sites are not summed: the members
fire on largely the same sequences).

visualize-kernels then ranks the groups by their influence
(:func:`motifnet.interpret.influence.group_influence`): how much the network's loss rises when all
of a group's kernels are silenced at once (:func:`rank_by_influence`). A kernel's importance
(pysster's spread of its mean maximum activation between classes) says how differently it fires,
not whether the network uses it, and the copies of one motif each score as if alone. Measured on
the test records of the benchmark runs of ``benchmarks/defaults.py`` (default network): on the
planted DNA set the four planted motifs' groups raise the loss by 0.47 to 0.85 and the next group
by 0.035; on the SRSF1 CLIP set the first group becomes the GGA-rich ``CCCUGGAAAGggAGG`` (7th by
importance) and the AU-rich motif of the negative class (other proteins' sites), first by
importance, second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import OptionValueError
from .colocation import SAME_SITES, colocation_scores, merge_colocated
from .meme import MemeMotif

# Two groups merge while the geometric mean of their members' pairwise TOMTOM p-values is below this.
SAME_P = 1e-4
# p-values are floored here before taking logarithms (TOMTOM reports down to about 1e-300).
P_FLOOR = 1e-20
COMPLEMENTED = ("ACGT", "ACGU")  # alphabets with a reverse complement in this column order


@dataclass
class MotifGroup:
    """Kernels with the same motif.

    Attributes
    ----------
    members : list of int
        Kernel numbers, most important first; ``members[0]`` is the best kernel.
    importance : float
        The best kernel's importance.
    sites : int
        The best kernel's number of sites.
    motif : MemeMotif or None
        The best kernel's trimmed motif (None: the kernel has no sites).
    consensus : str
        Of ``motif``.
    best_match : object
        The best kernel's best known-motif match (``motifnet.motifs.matching.MotifMatch``), or None.
    top_class : str
        Classification: the class in which the best kernel fires most strongly (its mean maximum
        activation is highest there), so a motif of a background or negative class, which marks
        the absence of binding, is told from one of the bound class. Empty when not set.
    correlation : float or None
        Regression: the best kernel's correlation with its target (None for classification).
    target : str
        Regression: that target's name (the one ``--target`` chose, or the one the best kernel correlates
        with most strongly). Empty when not set.
    influence : float or None
        The loss increase when the group's kernels are silenced (:func:`rank_by_influence`);
        None where not measured (a group without a motif).
    structure : MemeMotif or None
        Sequence+structure models: the best kernel's trimmed structure motif, over the columns of ``motif``.
    structure_consensus : str
        Of ``structure``; empty without one.
    """

    members: list
    importance: float
    sites: int
    motif: MemeMotif | None
    consensus: str = ""
    best_match: object = None
    top_class: str = ""
    correlation: float | None = None
    target: str = ""
    influence: float | None = None
    structure: MemeMotif | None = None
    structure_consensus: str = ""

    @property
    def best_kernel(self) -> int:
        return self.members[0]

    @property
    def motif_source(self) -> str:
        return f"best member (kernel {self.best_kernel})"


def pair_p_values(pwms, letters: str) -> np.ndarray:
    """TOMTOM p-value of every pair of motifs, the smaller of the two directions.

    Parameters
    ----------
    pwms : list of numpy.ndarray, each shape=(width, letters)
    letters : str
        Column letters; DNA (ACGT) and RNA (ACGU) are also compared on the reverse complement.

    Returns
    -------
    numpy.ndarray, shape=(n, n)
        Symmetric; the diagonal is 0.
    """
    from .tomtom import compare_motifs

    n = len(pwms)
    if n < 2:
        return np.zeros((n, n))
    comparison = compare_motifs(pwms, pwms, reverse_complement=letters in COMPLEMENTED, warn=False)
    p_values = np.minimum(comparison.p_values, comparison.p_values.T)
    np.fill_diagonal(p_values, 0.0)
    return p_values


def cluster_motifs(pwms, letters: str, same_p: float = SAME_P) -> np.ndarray:
    """Group labels of motifs (average linkage on log p-values, cut at ``same_p``).

    Parameters
    ----------
    pwms : list of numpy.ndarray, each shape=(width, letters)
    letters : str
    same_p : float
        Groups merge while the geometric mean of their pairwise p-values is below this.
        Default is 1e-4.

    Returns
    -------
    numpy.ndarray of int, shape=(n,)
        0-based labels, numbered in order of first appearance (deterministic for a given input).
    """
    return _cluster_p_values(pair_p_values(pwms, letters), same_p)


def _cluster_p_values(p_values, same_p: float) -> np.ndarray:
    """:func:`cluster_motifs` on the motifs' pairwise p-values (:func:`pair_p_values`)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(p_values)
    if n < 2:
        return np.zeros(n, dtype=int)
    distance = np.log10(np.maximum(p_values, P_FLOOR) / P_FLOOR)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    raw = fcluster(tree, t=np.log10(same_p / P_FLOOR), criterion="distance")
    order = {}
    return np.array([order.setdefault(label, len(order)) for label in raw], dtype=int)


def distinct_motifs(motifs, exported, letters: str, best_matches=None, same_p: float = SAME_P, nearby=None,
                    same_sites: float = SAME_SITES, structure_letters: str = "") -> list:
    """Group kernels whose (trimmed) motifs are the same, or that fire at the same places; one group per motif.

    Parameters
    ----------
    motifs : list of KernelMotif
    exported : list of motifnet.motifs.export.ExportedMotif
        The trimmed motifs of the kernels with sites.
    letters : str
    best_matches : dict of int to MotifMatch or None
        Best known-motif match per kernel.
    same_p : float
        See :func:`cluster_motifs`. Default is 1e-4.
    nearby : dict of int to NearbyFiring or None
        How the kernels fire near each kernel's sites (:func:`motifnet.motifs.colocation.nearby_firing`);
        default None: TOMTOM grouping only.
    same_sites : float
        See :func:`motifnet.motifs.colocation.merge_colocated`. Default is 0.09.
    structure_letters : str
        The structure alphabet's letters, for the consensus of the groups' structure motifs (sequence+structure
        models). The groups are made from the sequence motifs alone, as the kernels' matches are.

    Returns
    -------
    list of MotifGroup
        By best importance (ties: kernel number); groups without a motif last.
    """
    from ..interpret.kernels import consensus

    best_matches = best_matches or {}
    trimmed = {item.kernel: item for item in exported}
    ranked = sorted(motifs, key=lambda m: (-m.importance, m.kernel))
    compared = [m for m in ranked if m.kernel in trimmed and trimmed[m.kernel].informative]
    p_values = pair_p_values([trimmed[m.kernel].motif.pwm for m in compared], letters)
    labels = _cluster_p_values(p_values, same_p)
    if nearby is not None and len(compared) > 1:
        scores = colocation_scores([nearby[m.kernel] for m in compared], [m.kernel for m in compared])
        labels = merge_colocated(labels, scores, same_sites, log_p=np.log10(np.maximum(p_values, P_FLOOR)))
    members = {}
    for motif, label in zip(compared, labels):
        members.setdefault(int(label), []).append(motif)
    clusters = list(members.values())
    clusters += [[m] for m in ranked if m.kernel in trimmed and not trimmed[m.kernel].informative]
    groups = []
    for cluster in clusters:
        best = cluster[0]  # members keep the importance order
        motif, structure = trimmed[best.kernel].motif, trimmed[best.kernel].structure
        groups.append(MotifGroup([m.kernel for m in cluster], float(best.importance), int(best.n_sites), motif,
                                 consensus(motif.pwm, letters), best_matches.get(best.kernel), structure=structure,
                                 structure_consensus=consensus(structure.pwm, structure_letters) if structure else ""))
    groups.sort(key=lambda g: (-g.importance, g.best_kernel))
    groups += [MotifGroup([m.kernel], float(m.importance), int(m.n_sites), None)
               for m in ranked if m.kernel not in trimmed]
    return groups


def label_groups(groups, kernel_rows) -> None:
    """Give each group its best kernel's top class (classification) or correlation and target (regression).

    ``kernel_rows`` are the rows of ``kernels.tsv`` (``KernelPlots``: ``kernel``, ``top_class``,
    ``correlation`` and ``target``), in any order.
    """
    rows = {row.kernel: row for row in kernel_rows}
    for group in groups:
        row = rows[group.best_kernel]
        group.top_class, group.correlation, group.target = row.top_class or "", row.correlation, row.target or ""


def rank_by_influence(groups, influence) -> list:
    """The groups with a motif by influence, highest first, then the groups without one.

    Parameters
    ----------
    groups : list of MotifGroup
    influence : sequence of float
        One value per group with a motif, in the order of ``groups``
        (:func:`motifnet.interpret.influence.group_influence` of their members).

    Returns
    -------
    list of MotifGroup
        The same groups, each with its ``influence`` set; ties by importance, then best kernel.

    Raises
    ------
    ValueError
        ``influence`` does not have one value per group with a motif.
    """
    measured = [group for group in groups if group.motif is not None]
    if len(measured) != len(influence):
        raise ValueError(f"one influence per group with a motif ({len(measured)}), received {len(influence)}")
    for group, value in zip(measured, influence):
        group.influence = float(value)
    measured.sort(key=lambda g: (-g.influence, -g.importance, g.best_kernel))
    return measured + [group for group in groups if group.motif is None]


def class_ranks(groups) -> list:
    """Each group's rank among the groups with a motif and the same top class (1: that class's first).

    ``groups`` in their order (best first); None for a group without a motif or a top class, so
    that the motifs of one class, e.g. the bound class beside a negative class, read as their own
    list.
    """
    seen = {}
    ranks = []
    for group in groups:
        if group.motif is None or not group.top_class:
            ranks.append(None)
            continue
        seen[group.top_class] = seen.get(group.top_class, 0) + 1
        ranks.append(seen[group.top_class])
    return ranks


def distinct_table(groups) -> str:
    """``distinct_motifs.tsv``: one row per group, best first.

    The group's ``influence`` (empty where not measured), the best kernel's importance, then its
    ``top_class`` and the group's ``class_rank`` (see :func:`class_ranks`; classification) or
    ``correlation`` and ``target`` (regression), as in ``kernels.tsv``; ``structure_consensus`` after
    ``consensus`` where the groups have structure motifs.
    """
    regression = any(group.correlation is not None for group in groups)
    structure = any(group.structure is not None for group in groups)
    marked = ["correlation", "target"] if regression else ["top_class", "class_rank"]
    columns = ["rank", "group", "best_kernel", "influence", "importance", *marked, "members", "sites", "consensus",
               *(["structure_consensus"] if structure else []), "best_match_id", "best_match_name", "best_match_q",
               "motif_source"]
    lines = ["\t".join(columns)]
    for rank, (group, class_rank) in enumerate(zip(groups, class_ranks(groups)), start=1):
        match = group.best_match
        if not regression:
            marks = [group.top_class, "" if class_rank is None else str(class_rank)]
        else:
            marks = ["" if group.correlation is None else f"{group.correlation:.6g}", group.target]
        influence = "" if group.influence is None else f"{group.influence:.6g}"
        row = [str(rank), f"group_{rank}", str(group.best_kernel), influence, f"{group.importance:.6g}", *marks,
               ",".join(map(str, group.members)), str(group.sites), group.consensus or "-"]
        row += [group.structure_consensus or "-"] if structure else []
        row += [match.target_id, match.target_name, f"{match.q_value:.3g}"] if match else [""] * 3
        row.append(group.motif_source if group.motif is not None else "none (no sites)")
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def group_meme_motifs(groups) -> list:
    """One MemeMotif per group with a motif: ``group_RANK``, alternate name ``kernel_N`` (the best member)."""
    return [MemeMotif(f"group_{rank}", f"kernel_{group.best_kernel}", group.motif.pwm, group.motif.nsites)
            for rank, group in enumerate(groups, start=1) if group.motif is not None]


def check_top_kernels(top) -> int | None:
    """Validate ``--top`` of visualize-kernels (None: every kernel)."""
    if top is None:
        return None
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise OptionValueError(f"--top expects a number of kernels >= 1, received: {top!r}")
    return top
