"""The third stage of the distinct motifs: groups the network uses interchangeably merge."""

import numpy as np
import pytest

from motifnet.data.alphabets import DNA
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.interpret.influence import group_influence
from motifnet.motifs.distinct import MotifGroup
from motifnet.motifs.interchangeable import (
    MAX_COMPARED,
    compared_pairs,
    merge_interchangeable,
    shared_use,
)
from motifnet.motifs.meme import MemeMotif


def group(kernels, influence, top_class="bound", correlation=None):
    motif = MemeMotif(f"kernel_{kernels[0]}", "", np.full((3, 4), 0.25), 10)
    return MotifGroup(list(kernels), importance=1.0 / (1 + kernels[0]), sites=10, motif=motif,
                      consensus=f"c{kernels[0]}", top_class=top_class, correlation=correlation, influence=influence)


class Joint:
    """``influence_of`` from a table: single groups by their first kernel, unions by their kernels."""

    def __init__(self, table):
        self.table = {frozenset(kernels): value for kernels, value in table.items()}
        self.calls = []

    def __call__(self, kernel_groups):
        self.calls.append([sorted(kernels) for kernels in kernel_groups])
        return np.array([self.table[frozenset(kernels)] for kernels in kernel_groups])


def test_shared_use_is_the_part_of_the_joint_influence_neither_has_alone():
    assert shared_use(0.2, 0.1, 0.6) == pytest.approx(0.5)
    assert shared_use(0.2, 0.1, 0.3) == pytest.approx(0.0)
    assert shared_use(0.5, 0.5, 0.5) == pytest.approx(-1.0)  # both needed: either alone loses it all
    assert shared_use(0.1, 0.1, 0.0) == 0.0
    assert shared_use(0.1, 0.1, -0.2) == 0.0


def test_groups_of_one_class_used_interchangeably_merge_and_are_measured_again():
    groups = [group([0, 5], 0.30), group([1], 0.20, "negative"), group([2], 0.10), group([3], 0.09, "negative")]
    joint = Joint({(0, 5, 2): 0.80,  # shares (0.8 - 0.4) / 0.8 = 0.5
                   (1, 3): 0.35})  # (0.35 - 0.29) / 0.35 = 0.17: stays apart
    merged = merge_interchangeable(groups, joint)
    # Pairs across the classes are never measured; the union is measured again as one group.
    assert joint.calls == [[[0, 2, 5], [1, 3]], [[0, 2, 5]]]
    assert [g.members for g in merged] == [[0, 5, 2], [1], [3]]
    assert [g.influence for g in merged] == pytest.approx([0.80, 0.20, 0.09])
    first = merged[0]  # keeps the most influential part's motif, importance and class
    assert (first.consensus, first.importance, first.top_class) == ("c0", 1.0, "bound")


def test_average_linkage_keeps_a_group_that_shares_use_with_one_member_only():
    groups = [group([0], 0.3), group([1], 0.3), group([2], 0.3)]
    joint = Joint({(0, 1): 1.2,  # 0.5
                   (0, 2): 1.0,  # 0.4
                   (1, 2): 0.75})  # 0.2: the mean of 2 with {0, 1} is 0.3, below 0.33
    merged = merge_interchangeable(groups, joint)
    assert [g.members for g in merged] == [[0, 1], [2]]
    assert merged[0].influence == pytest.approx(1.2)


def test_nothing_merges_below_the_cut_and_the_groups_come_back_unchanged():
    groups = [group([0], 0.3), group([1], 0.2)]
    joint = Joint({(0, 1): 0.6})  # (0.6 - 0.5) / 0.6 = 0.17
    assert merge_interchangeable(groups, joint) is groups
    assert merge_interchangeable(groups, joint, same_use=0.16)[0].members == [0, 1]


def test_weak_groups_without_influence_or_class_are_not_compared():
    groups = [group([0], 1.0), group([1], 0.5), group([2], 0.099), group([3], 0.4, top_class=""),
              group([4], 0.3, top_class="", correlation=None),
              MotifGroup([6], 0.1, 0, None)]  # no motif: never measured
    assert compared_pairs(groups) == [(0, 1)]
    assert compared_pairs([group([0], -0.1), group([1], -0.2)]) == []  # the network uses none of them
    assert compared_pairs([]) == []


def test_regression_groups_are_never_compared():
    """Under the squared error independent effects add up quadratically: shared use means nothing there."""
    # As label_groups labels them: the target's name as the top class, and the correlation.
    groups = [group([0], 1.0, "target_1", 0.5), group([1], 0.9, "target_1", 0.4), group([2], 0.8, "target_1", -0.1)]
    assert compared_pairs(groups) == []
    assert merge_interchangeable(groups, Joint({})) is groups


def test_at_most_the_most_influential_groups_are_compared():
    groups = [group([k], 1.0 - k / 100) for k in range(MAX_COMPARED + 4)]
    pairs = compared_pairs(groups)
    assert {index for pair in pairs for index in pair} == set(range(MAX_COMPARED))
    assert len(pairs) == MAX_COMPARED * (MAX_COMPARED - 1) // 2


# A network whose class 1 is read from two kernels: 'AC' (kernel 0) and 'GT' (kernel 1), summed.
SEQUENCES = ["AACGTA", "TTTTTT", "GGGGGA", "CACGTC", "AAAAAA", "ACAGTT"]


def records(labels):
    lookup = {letter: code for code, letter in enumerate("ACGT", start=1)}
    codes = np.array([[lookup[letter] for letter in text] for text in SEQUENCES], dtype=np.uint8)
    n = len(codes)
    return Dataset(Encoder(DNA, codes.shape[1]), codes, np.asarray(labels, dtype=np.uint8),
                   np.array([f"s{i}" for i in range(n)]), np.zeros(n, dtype=np.int32), ["c0", "c1"], False, [])


def network(weight, bias):
    """logit(class 1) - logit(class 0) = weight * (max AC + max GT) + bias."""
    import keras

    sequence = keras.Input(shape=(6, 4), name="sequence")
    conv = keras.layers.Conv1D(2, 2, activation="relu", name="conv_1")
    dense = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(sequence, dense(keras.layers.GlobalMaxPooling1D()(conv(sequence))))
    kernel = np.zeros((2, 4, 2), dtype=np.float32)
    kernel[0, 0, 0] = kernel[1, 1, 0] = 1.0  # A then C
    kernel[0, 2, 1] = kernel[1, 3, 1] = 1.0  # G then T
    conv.set_weights([kernel, np.array([-1.0, -1.0], dtype=np.float32)])
    dense.set_weights([np.array([[0.0, weight], [0.0, weight]], dtype=np.float32),
                       np.array([0.0, bias], dtype=np.float32)])
    return model


@pytest.mark.parametrize("labels, bias, merges", [
    # Class 1 holds AC or GT (records 0, 3 and 5 hold both): either kernel reports it, the network
    # uses them interchangeably.
    ([[0, 1], [1, 0], [1, 0], [0, 1], [1, 0], [0, 1]], -4.0, True),
    # Class 1 holds both and needs both (the bias takes one kernel's evidence back): silencing
    # either already loses it, so they are two motifs.
    ([[0, 1], [1, 0], [1, 0], [0, 1], [1, 0], [0, 1]], -14.0, False),
])
def test_kernels_that_stand_in_for_each_other_merge_and_kernels_both_needed_do_not(labels, bias, merges):
    model, data = network(8.0, bias), records(labels)

    def influence_of(kernel_groups):
        return group_influence(model, data, kernel_groups)

    single = influence_of([[0], [1]])
    groups = [group([0], float(single[0])), group([1], float(single[1]))]
    merged = merge_interchangeable(groups, influence_of)
    assert [sorted(g.members) for g in merged] == ([[0, 1]] if merges else [[0], [1]])
