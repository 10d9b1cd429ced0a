"""Kernels that fire at the same places: sites, firing near them, co-location scores, merging groups."""

import numpy as np
import pytest

from motifnet.data.alphabets import DNA, PROTEIN
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.errors import ParamError
from motifnet.interpret.activations import forward_and_both_strand_activations, max_activations
from motifnet.interpret.kernels import kernel_motifs
from motifnet.motifs.colocation import (
    SAME_SITES,
    KernelSites,
    NearbyFiring,
    colocation_scores,
    kernel_sites,
    merge_colocated,
    nearby_firing,
)


def dna_dataset(texts, labels):
    codes = np.array([["ACGT".index(letter) + 1 for letter in text] for text in texts], dtype=np.uint8)
    n = len(texts)
    return Dataset(Encoder(DNA, len(texts[0])), codes, np.array(labels, dtype=np.uint8),
                   np.array([f"s{i}" for i in range(n)]), np.zeros(n, dtype=np.int32), ["motif", "background"],
                   False, [])


def conv_model(length, weights, bias):
    """A model whose conv_1 has the given kernels, shape=(width, 4, kernels)."""
    import keras

    sequence = keras.Input(shape=(length, 4), name="sequence")
    conv = keras.layers.Conv1D(weights.shape[2], weights.shape[0], activation="relu", name="conv_1")
    model = keras.Model(sequence, keras.layers.Flatten()(conv(sequence)))
    conv.set_weights([weights.astype(np.float32), np.asarray(bias, dtype=np.float32)])
    return model


def reverse_complement_text(text):
    return text[::-1].translate(str.maketrans("ACGT", "TGCA"))


def firing(columns, n_sites, reach=14):
    """NearbyFiring of one kernel's ``n_sites`` sites; ``columns``: kernel -> (site rows, offsets, strands)."""
    kernels = max(columns) + 1
    fires = np.zeros((n_sites, kernels), dtype=bool)
    offsets = np.zeros((n_sites, kernels), dtype=int)
    strands = np.ones((n_sites, kernels), dtype=int)
    for kernel, (rows, where, strand) in columns.items():
        fires[rows, kernel] = True
        offsets[rows, kernel] = where
        strands[rows, kernel] = strand
    return NearbyFiring(fires, offsets, strands, reach)


# Chance share of a +-2 window among the 29 offsets of kernels 15 wide.
CHANCE = 5 / 29


def test_unrelated_kernels_firing_near_a_few_sites_at_random_offsets_score_below_the_cut():
    rng = np.random.default_rng(2)
    rows = rng.choice(300, 45, replace=False)  # kernel 1 fires near 15% of kernel 0's sites, anywhere
    nearby = [firing({1: (rows, rng.integers(-14, 15, 45), 1)}, 300), firing({0: ([], [], 1)}, 300)]
    assert colocation_scores(nearby, [0, 1])[0, 1] < SAME_SITES
    assert merge_colocated(np.array([0, 1]), colocation_scores(nearby, [0, 1])).tolist() == [0, 1]


@pytest.mark.parametrize("together, expected", [(9, 0.0), (10, (10 - 12 * CHANCE) / 12)])
def test_fewer_than_ten_co_located_sites_score_zero(together, expected):
    rows = np.arange(12)
    offsets = np.where(rows < together, 5, rows - 14)  # `together` at offset 5, the others 8 or more away
    nearby = [firing({1: (rows, offsets, 1)}, 12), firing({0: ([], [], 1)}, 12)]
    assert colocation_scores(nearby, [0, 1])[0, 1] == pytest.approx(expected)


def test_a_kernel_firing_near_every_site_at_offsets_spread_evenly_scores_zero():
    # 290 sites, 10 at each of the 29 offsets: 50 within +-2 of any offset, exactly the 290 * 5/29 expected by chance.
    rows = np.arange(290)
    nearby = [firing({1: (rows, rows % 29 - 14, 1)}, 290), firing({0: ([], [], 1)}, 290)]
    assert colocation_scores(nearby, [0, 1])[0, 1] == pytest.approx(0.0)


@pytest.mark.parametrize("reach, expected", [(2, 0.0), (3, 1 - 5 / 7), (14, 1 - CHANCE)])
def test_narrow_kernels_co_locate_only_beyond_the_offsets_they_can_reach(reach, expected):
    # Every site at offset 0: kernels 3 wide (reach 2) reach only the +-2 window, so the offset tells nothing.
    rows = np.arange(40)
    nearby = [firing({1: (rows, 0, 1)}, 40, reach), firing({0: ([], [], 1)}, 40, reach)]
    assert colocation_scores(nearby, [0, 1])[0, 1] == pytest.approx(expected)


def test_firing_on_the_same_and_on_the_other_strand_are_different_placements():
    rows = np.arange(20)
    nearby = [firing({1: (rows, 4, np.where(rows < 10, 1, -1))}, 20), firing({0: ([], [], 1)}, 20)]
    assert colocation_scores(nearby, [0, 1])[0, 1] == pytest.approx(10 * (1 - CHANCE) / 20)  # one strand's 10


def test_scores_compare_the_named_columns_and_take_the_larger_direction():
    # Three kernels; scores for kernels 2 and 0 (in that order) read columns 2 and 0.
    nearby = {0: firing({2: (np.arange(30), 3, 1)}, 40), 2: firing({0: (np.arange(12), -3, 1)}, 60)}
    scores = colocation_scores([nearby[2], nearby[0]], [2, 0])
    larger = 30 * (1 - CHANCE) / 40  # not 12 * (1 - CHANCE) / 60
    np.testing.assert_allclose(scores, [[1.0, larger], [larger, 1.0]])


def test_merging_only_joins_whole_groups_and_labels_are_numbered_in_order():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0, 0.3, (12, 12))
    scores = (scores + scores.T) / 2
    labels = np.array([0, 1, 0, 2, 3, 1, 4, 5, 2, 6, 7, 3])
    merged = merge_colocated(labels, scores)
    for label in set(labels.tolist()):
        assert len(set(merged[labels == label].tolist())) == 1  # a TOMTOM group is never split
    assert len(set(merged.tolist())) < len(set(labels.tolist()))
    assert list(dict.fromkeys(merged.tolist())) == list(range(merged.max() + 1))
    assert merge_colocated(labels, np.eye(12)).tolist() == labels.tolist()  # nothing co-locates: unchanged


def _merge_by_recomputing_every_mean(labels, scores, same_sites, log_p=None, similar_sites=0.06, similar_p=1e-2):
    """Average linkage over groups as its definition reads: every mean recomputed from the scores."""
    groups = [list(np.flatnonzero(labels == label)) for label in dict.fromkeys(labels.tolist())]
    while len(groups) > 1:
        best, pair = -np.inf, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                between = np.ix_(groups[i], groups[j])
                mean = scores[between].mean()
                alike = log_p is not None and mean >= similar_sites and log_p[between].mean() <= np.log10(similar_p)
                if (mean >= same_sites or alike) and mean > best:
                    best, pair = mean, (i, j)
        if pair is None:
            break
        groups[pair[0]] = sorted(groups[pair[0]] + groups.pop(pair[1]))
    merged = np.zeros(len(labels), dtype=int)
    for label, members in enumerate(groups):
        merged[members] = label
    order = {}
    return np.array([order.setdefault(label, len(order)) for label in merged], dtype=int)


@pytest.mark.parametrize("seed", range(5))
def test_merging_with_updated_sums_equals_recomputing_every_mean(seed):
    rng = np.random.default_rng(seed)
    n = 40
    scores = rng.uniform(0, 0.3, (n, n)) ** 2 * 3
    scores = (scores + scores.T) / 2
    np.fill_diagonal(scores, 1.0)
    labels = rng.integers(0, 25, n)
    labels = np.unique(labels, return_inverse=True)[1]
    expected = _merge_by_recomputing_every_mean(labels, scores, 0.13)
    assert 1 < len(set(expected)) < len(set(labels))  # some groups merge, not all
    np.testing.assert_array_equal(merge_colocated(labels, scores, 0.13), expected)
    # With the motifs' similarity, groups below the cut merge where their motifs are alike.
    log_p = -rng.uniform(0, 3, (n, n)) ** 2
    log_p = (log_p + log_p.T) / 2
    alike = _merge_by_recomputing_every_mean(labels, scores, 0.13, log_p, 0.08, 1e-3)
    assert len(set(alike)) < len(set(expected))
    np.testing.assert_array_equal(merge_colocated(labels, scores, 0.13, log_p, 0.08, 1e-3), alike)


@pytest.mark.parametrize("score,log_p,merged", [
    (0.07, -3.0, True),  # co-located beyond chance and alike: one element learned in different flanks
    (0.07, -1.5, False),  # co-located, but different motifs (an element and the sequence around it)
    (0.05, -6.0, False),  # alike, but not co-located enough
    (0.09, 0.0, True),  # co-located at the cut: merged whatever the motifs
])
def test_groups_below_the_cut_merge_only_where_their_motifs_are_alike(score, log_p, merged):
    # Two groups of two kernels each; every pair between them scores `score` with log10 p `log_p`.
    labels = np.array([0, 0, 1, 1])
    scores = np.full((4, 4), score)
    scores[:2, :2] = scores[2:, 2:] = 0.5
    logs = np.full((4, 4), log_p)
    logs[:2, :2] = logs[2:, 2:] = -20.0
    expected = [0, 0, 0, 0] if merged else [0, 0, 1, 1]
    assert merge_colocated(labels, scores, log_p=logs).tolist() == expected
    assert merge_colocated(labels, scores).tolist() == ([0, 0, 0, 0] if score >= SAME_SITES else [0, 0, 1, 1])


def _nearby_by_hand(texts, weights, bias, sites, thresholds):
    """NearbyFiring computed window by window from the letters: each kernel on both strands at every
    start whose window overlaps the site's, read on the site's strand."""
    width, _, kernels = weights.shape
    expected = {}
    for kernel, located in sites.items():
        fires = np.zeros((len(located.records), kernels), dtype=bool)
        offsets = np.zeros_like(fires, dtype=int)
        strands = np.ones_like(fires, dtype=int)
        for row, (record, start, sign) in enumerate(zip(located.records, located.starts, located.strand_signs())):
            text = texts[record]
            for other in range(kernels):
                best = (-np.inf, 0, 1)
                for relative in (1, -1):
                    for offset in range(-(width - 1), width):
                        begin = start + sign * offset
                        if not 0 <= begin <= len(text) - width:
                            continue
                        window = text[begin:begin + width]
                        read = window if sign * relative == 1 else reverse_complement_text(window)
                        one_hot = np.eye(4)[["ACGT".index(letter) for letter in read]]
                        value = max(float((one_hot * weights[:, :, other]).sum() + bias[other]), 0.0)
                        if value > best[0]:
                            best = (value, offset, relative)
                fires[row, other] = best[0] > thresholds[other]
                offsets[row, other], strands[row, other] = best[1], best[2]
        expected[kernel] = NearbyFiring(fires, offsets, strands, width - 1)
    return expected


@pytest.mark.parametrize("batch_size", [1, 7, 256])
def test_nearby_firing_equals_reading_every_overlapping_window_by_hand(batch_size):
    rng = np.random.default_rng(8)
    texts = ["".join(rng.choice(list("ACGT"), 24)) for _ in range(12)]
    weights = rng.normal(0, 1, (5, 4, 3)).astype(np.float32)  # continuous weights: no ties between windows
    bias = np.array([0.5, 0.2, 0.0], dtype=np.float32)
    data = dna_dataset(texts, [[1, 0]] * 6 + [[0, 1]] * 6)
    model = conv_model(24, weights, bias)
    sites = {0: KernelSites(np.array([0, 3, 4, 9, 11]), np.array([0, 19, 7, 10, 3]), np.array([1, -1, -1, 1, 1])),
             2: KernelSites(np.array([1, 3, 10]), np.array([5, 2, 19]), np.array([-1, 1, 1]))}
    thresholds = {0: 4.0, 1: 3.5, 2: 4.5}
    found = nearby_firing(model, data, sites, thresholds, batch_size, both_strands=True)
    expected = _nearby_by_hand(texts, weights, bias, sites, thresholds)
    assert sorted(found) == [0, 2]
    for kernel in sites:
        np.testing.assert_array_equal(found[kernel].fires, expected[kernel].fires)
        assert found[kernel].fires.any() and not found[kernel].fires.all()
        fires = found[kernel].fires
        np.testing.assert_array_equal(found[kernel].offsets[fires], expected[kernel].offsets[fires])
        np.testing.assert_array_equal(found[kernel].strands[fires], expected[kernel].strands[fires])


def test_a_kernel_and_its_reverse_complement_fire_together_only_when_both_strands_are_read():
    """DNA: element ACCGTCG on either strand; kernel 0 reads its start (ACCG), kernel 1 the reverse complement
    of its end (CGAC, 3 positions on); A/T background (no chance hits)."""
    rng = np.random.default_rng(5)
    texts, labels = [], []
    for row in range(48):
        text = list("".join(rng.choice(list("AT"), 16)))
        if row < 20:  # the element in 20 of 24 positives: 10 on the forward strand, 10 on the reverse
            start = int(rng.integers(0, 10))
            text[start:start + 7] = "ACCGTCG" if row % 2 else reverse_complement_text("ACCGTCG")
        texts.append("".join(text))
        labels.append([1, 0] if row < 24 else [0, 1])
    data = dna_dataset(texts, labels)
    kernel = np.zeros((4, 4, 2), dtype=np.float32)
    for column, (start, end) in enumerate(zip("ACCG", "CGAC")):
        kernel[column, "ACGT".index(start), 0] = kernel[column, "ACGT".index(end), 1] = 1.0
    model = conv_model(16, kernel, [-3.0, -3.0])  # 1 on an exact match, else 0

    def scores(activations, both_strands):
        motifs = kernel_motifs(activations, data)
        nearby = nearby_firing(model, data, kernel_sites(motifs, activations),
                               {m.kernel: m.threshold for m in motifs}, both_strands=both_strands)
        return nearby, colocation_scores([nearby[0], nearby[1]], [0, 1])

    forward_only = max_activations(model, data)
    assert forward_only.strand is None
    one_strand = kernel_sites(kernel_motifs(forward_only, data), forward_only)
    assert not set(one_strand[0].records) & set(one_strand[1].records)  # each sees one orientation
    assert scores(forward_only, False)[1][0, 1] == 0

    both = max_activations(model, data, both_strands=True)
    located = kernel_sites(kernel_motifs(both, data), both)
    assert sorted(located[0].records) == sorted(located[1].records) == list(range(20))
    for kernel_number in (0, 1):  # the window of the element, on the strand that holds the kernel's motif
        for record, start, strand in zip(*vars(located[kernel_number]).values()):
            window = texts[record][start:start + 4]
            read = window if strand == 1 else reverse_complement_text(window)
            assert read == ("ACCG", "CGAC")[kernel_number]
    nearby, both_scores = scores(both, True)
    # Read on kernel 0's strand, kernel 1 fires on the other strand 3 positions on, at every site; and read on
    # kernel 1's strand (CGACGGT), kernel 0 fires on the other strand 3 positions on too (CGGT, reverse of ACCG).
    for kernel_number in (0, 1):
        other = 1 - kernel_number
        assert nearby[kernel_number].fires[:, other].all()
        assert set(nearby[kernel_number].offsets[:, other].tolist()) == {3}
        assert set(nearby[kernel_number].strands[:, other].tolist()) == {-1}
    assert both_scores[0, 1] == pytest.approx(1 - 5 / 7)  # kernels 4 wide: 7 offsets
    assert merge_colocated(np.array([0, 1]), both_scores).tolist() == [0, 0]

    # visualize-kernels reads both from one pass over the data: the same as the two calls.
    one_pass = forward_and_both_strand_activations(model, data)
    for separate, shared in zip((forward_only, both), one_pass):
        for name in ("max_activation", "position", "strand"):
            np.testing.assert_array_equal(getattr(shared, name), getattr(separate, name))


def test_kernels_reading_one_element_co_locate_where_records_hold_it_twice():
    """Two kernels read the core ACCG and prefer different letters after it (A, T); each positive record
    holds the element twice, once with each letter, so each kernel's strongest site is a different copy.
    Compared by their strongest sites the kernels lie apart at random distances; near each site the other
    kernel fires on the same copy."""
    rng = np.random.default_rng(6)
    texts, labels = [], []
    for row in range(80):
        text = list("".join(rng.choice(list("AT"), 40)))
        if row < 24:  # 24 of 40 positives hold both copies, far apart, in either order
            first, second = sorted(rng.choice(np.arange(0, 36, 6), 2, replace=False))
            copies = ["ACCGA", "ACCGT"][::1 if row % 2 else -1]
            text[first:first + 5], text[second:second + 5] = copies
        texts.append("".join(text))
        labels.append([1, 0] if row < 40 else [0, 1])
    data = dna_dataset(texts, labels)
    weights = np.zeros((5, 4, 2), dtype=np.float32)
    for column, letter in enumerate("ACCG"):
        weights[column, "ACGT".index(letter), :] = 1.0
    weights[4, 0, 0] = weights[4, 3, 1] = 0.25  # kernel 0 prefers ACCGA, kernel 1 ACCGT
    model = conv_model(40, weights, [-3.0, -3.0])
    activations = max_activations(model, data)
    motifs = kernel_motifs(activations, data)
    located = kernel_sites(motifs, activations)
    assert sorted(located[0].records) == sorted(located[1].records) == list(range(24))
    apart = np.abs(located[1].starts - located[0].starts)
    assert apart.min() >= 6 and len(set(apart.tolist())) >= 4  # the strongest sites: never the same copy
    nearby = nearby_firing(model, data, located, {m.kernel: m.threshold for m in motifs})
    assert nearby[0].fires[:, 1].all() and set(nearby[0].offsets[:, 1].tolist()) == {0}
    assert colocation_scores([nearby[0], nearby[1]], [0, 1])[0, 1] == pytest.approx(1 - 5 / 9)  # 9 offsets


def test_nearby_firing_of_kernels_without_sites_is_empty():
    data = dna_dataset(["ACGTACGTAC"] * 4, [[1, 0], [1, 0], [0, 1], [0, 1]])
    model = conv_model(10, np.ones((3, 4, 2)), [0.0, 0.0])
    empty = KernelSites(np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    nearby = nearby_firing(model, data, {0: empty, 1: empty}, {0: 0.0, 1: 0.0})
    assert nearby[0].fires.shape == (0, 2) and nearby[0].n_sites == 0
    assert colocation_scores([nearby[0], nearby[1]], [0, 1]).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_an_activation_equal_to_the_threshold_is_not_firing():
    # Kernel 1 has no weights: ReLU gives 0 everywhere, its threshold; it must not fire near kernel 0's sites.
    data = dna_dataset(["ACGTACGTAC"] * 4, [[1, 0], [1, 0], [0, 1], [0, 1]])
    weights = np.zeros((3, 4, 2))
    weights[:, :, 0] = 1.0
    model = conv_model(10, weights, [0.0, 0.0])
    sites = {0: KernelSites(np.arange(4), np.zeros(4, dtype=int))}
    nearby = nearby_firing(model, data, sites, {0: 2.0, 1: 0.0})
    assert nearby[0].fires[:, 0].all() and not nearby[0].fires[:, 1].any()


def test_both_strands_need_input_with_a_reverse_complement():
    codes = np.ones((4, 10), dtype=np.uint8)
    data = Dataset(Encoder(PROTEIN, 10), codes, np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.uint8),
                   np.array([f"s{i}" for i in range(4)]), np.zeros(4, dtype=np.int32), ["a", "b"], False, [])
    import keras

    sequence = keras.Input(shape=(10, 20), name="sequence")
    model = keras.Model(sequence, keras.layers.Conv1D(2, 3, name="conv_1")(sequence))
    with pytest.raises(ParamError, match="both_strands needs input with a reverse complement"):
        nearby_firing(model, data, {0: KernelSites(np.arange(2), np.zeros(2, dtype=int))}, {0: 0.0},
                      both_strands=True)
