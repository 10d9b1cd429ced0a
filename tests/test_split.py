"""motifnet.data.split: the seeded stratified split and folds, pinned to the assignments that run folders and
searches written earlier recorded; and the --split option's fractions (parsed by motifnet.cli.options)."""

import numpy as np
import pytest

import motifnet
from motifnet.data.split import (
    GROUPS,
    chromosome_split,
    group_indices,
    make_folds,
    make_split,
    overlapping_windows,
    split_indices,
)
from motifnet.data.targets import split_strata
from motifnet.errors import ParamError


def _single_label(*counts):
    return np.repeat(np.eye(len(counts), dtype=np.uint8), counts, axis=0)


def _multi_label(n):
    return np.array([[i % 2, (i // 2) % 2, 1 - i % 2] for i in range(n)], dtype=np.uint8)


# -- pinned: computed with motifnet before the split and the folds shared their code -----------------

def test_a_seed_gives_the_split_it_gave_before():
    assert make_split(_single_label(10, 7, 6), 0.6, 0.2, 7).tolist() == [
        1, 2, 0, 0, 0, 0, 0, 1, 0, 2, 0, 1, 2, 1, 0, 0, 0, 0, 1, 0, 2, 0, 0]
    assert make_split(_multi_label(17), 0.5, 0.25, 3).tolist() == [
        2, 1, 1, 0, 1, 0, 0, 0, 0, 2, 2, 1, 1, 0, 0, 2, 0]
    values = np.array([0.13, -0.13, 0.64, 0.1, -0.54, 0.36, 1.3, 0.95, -0.7, -1.27, -0.62, 0.04, -2.33, -0.22,
                       -1.25, -0.73, -0.54, -0.32, 0.41, 1.04, -0.13, 1.37, -0.67, 0.35, 0.9])
    assert make_split(split_strata(values), 0.6, 0.2, 11).tolist() == [  # regression: quantile bins
        1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 1, 0, 2, 0, 0, 2, 0, 2, 1, 2, 0, 0]


def test_a_seed_gives_the_folds_it_gave_before():
    folds = make_folds(_single_label(10, 7, 6), np.arange(2, 21), 3, 5)
    assert [fold.tolist() for fold in folds] == [[5, 7, 8, 10, 12, 17, 20], [2, 4, 11, 15, 16, 18],
                                                 [3, 6, 9, 13, 14, 19]]
    folds = make_folds(_multi_label(17), np.arange(17), 4, 2)
    assert [fold.tolist() for fold in folds] == [[4, 5, 8, 10, 15], [1, 2, 11, 16], [3, 9, 12, 14], [0, 6, 7, 13]]


def test_the_package_exports_the_same_split():
    assert motifnet.make_split is make_split


# -- the split -----------------------------------------------------------------------------------

def test_make_split_is_reproducible_with_a_seed():
    labels = _single_label(30, 30)
    first = make_split(labels, 0.7, 0.15, seed=3)
    assert first.dtype == np.int8
    np.testing.assert_array_equal(first, make_split(labels, 0.7, 0.15, seed=3))
    assert not np.array_equal(first, make_split(labels, 0.7, 0.15, seed=4))


def test_make_split_sizes_per_class_are_rounded():
    labels = _single_label(10, 7, 3)
    groups = make_split(labels, 0.6, 0.2, seed=0)
    counts = [[int(np.sum(groups[labels[:, c] == 1] == g)) for g in range(3)] for c in range(3)]
    # 10: 6/2/2; 7: round(4.2)=4, round(5.6)-4=2, 1 left; 3: round(1.8)=2, round(2.4)-2=0, 1 left
    assert counts == [[6, 2, 2], [4, 2, 1], [2, 0, 1]]


def test_make_split_keeps_class_proportions_in_every_group():
    labels = _single_label(40, 20)
    groups = make_split(labels, 0.5, 0.25, seed=1)
    for group, size in enumerate([30, 15, 15]):
        members = labels[groups == group]
        assert len(members) == size
        assert members.sum(axis=0).tolist() == [size * 2 // 3, size // 3]


def test_make_split_without_test_fraction_leaves_test_empty():
    groups = make_split(_single_label(7, 13), 0.8, 0.2, seed=5)
    assert np.bincount(groups, minlength=3).tolist() == [round(7 * 0.8) + round(13 * 0.8), 1 + 3, 0]


def test_make_split_stratifies_multi_label_data_by_combination():
    combinations = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 0, 1]], dtype=np.uint8)
    labels = np.repeat(combinations, [10, 5, 10, 5], axis=0)
    groups = make_split(labels, 0.6, 0.2, seed=2)
    for combination, (n_train, n_val, n_test) in zip(combinations, [(6, 2, 2), (3, 1, 1), (6, 2, 2), (3, 1, 1)]):
        stratum = groups[(labels == combination).all(axis=1)]
        assert np.bincount(stratum, minlength=3).tolist() == [n_train, n_val, n_test]


def test_make_split_shuffles_within_a_class():
    groups = make_split(_single_label(100), 0.5, 0.25, seed=0)
    assert np.bincount(groups).tolist() == [50, 25, 25]
    assert not np.array_equal(groups, np.repeat([0, 1, 2], [50, 25, 25]))


def test_group_indices_name_the_records_of_each_group():
    labels = _single_label(12, 8)
    groups = make_split(labels, 0.5, 0.25, seed=4)
    index = split_indices(labels, (0.5, 0.25), 4)
    assert list(index) == list(GROUPS)
    assert all(np.array_equal(index[name], group_indices(groups)[name]) for name in GROUPS)
    assert np.array_equal(np.sort(np.concatenate(list(index.values()))), np.arange(20))
    for code, name in enumerate(GROUPS):
        assert (groups[index[name]] == code).all()


# -- folds ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("labels, folds", [
    (_single_label(20, 30), 4),
    (_single_label(5, 11, 9), 3),
    (_multi_label(40), 5),
])
def test_folds_are_a_partition_that_keeps_the_class_proportions(labels, folds):
    index = np.arange(3, len(labels) - 2)
    parts = make_folds(labels, index, folds, seed=1)
    assert len(parts) == folds and all(np.array_equal(part, np.sort(part)) for part in parts)
    assert np.array_equal(np.sort(np.concatenate(parts)), index)  # every record once
    keys = [tuple(row) for row in labels[index]]
    for stratum in set(keys):
        counts = [sum(tuple(labels[i]) == stratum for i in part) for part in parts]
        assert max(counts) - min(counts) <= 1, (stratum, counts)
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 1  # dealing continues across strata


def test_folds_depend_on_the_seed_only():
    labels = _single_label(20, 30)
    index = np.arange(3, 48)
    folds = make_folds(labels, index, 4, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(folds, make_folds(labels, index, 4, seed=1)))
    assert not all(np.array_equal(a, b) for a, b in zip(folds, make_folds(labels, index, 4, seed=2)))


# -- chromosome hold-out (BED windows) ----------------------------------------------------------------------------

def _window_ids():
    return ["chr1:0-100(+)", "chr1:500-600(-)", "chr2:0-100(+)", "chr2:0-100(+)/shuffle1", "chr3:50-150(+)",
            "chr3:400-500(+)", "chr1:900-1000(+)/shuffle1", "chrX:10-110(+)"]


def test_chromosome_split_puts_each_chromosome_in_its_group():
    labels = _single_label(4, 4)
    groups = chromosome_split(_window_ids(), labels, (0.7, 0.15), 0, val_chroms=["chr2"], test_chroms=["chr3", "chrX"])
    assert [GROUPS[g] for g in groups] == ["train", "train", "val", "val", "test", "test", "train", "test"]


def test_chromosome_split_with_test_chromosomes_only_splits_the_rest_for_validation():
    ids = [f"chr{1 + i % 2}:{i * 300}-{i * 300 + 100}(+)" for i in range(40)] + ["chr9:0-100(+)"] * 10
    labels = _single_label(25, 25)
    groups = chromosome_split(ids, labels, (0.6, 0.2), 5, test_chroms=["chr9"])
    assert (groups[40:] == 2).all() and not (groups[:40] == 2).any()
    assert (groups[:40] == 1).sum() == 10  # 0.2 / (0.6 + 0.2) of the other 40 records
    assert np.array_equal(groups, chromosome_split(ids, labels, (0.6, 0.2), 5, test_chroms=["chr9"]))


@pytest.mark.parametrize(("ids", "val", "test", "message"), [
    (["chr1:0-10(+)"], ["chr1"], ["chr1"], "--val-chroms and --test-chroms share chr1"),
    (["chr1:0-10(+)", "seq7"], ["chr1"], [], "record 2 is 'seq7'"),
])
def test_chromosome_split_refuses(ids, val, test, message):
    with pytest.raises(ParamError, match=message):
        chromosome_split(ids, _single_label(len(ids)), (0.7, 0.15), 0, val, test)


def test_overlapping_windows_marks_held_out_windows_that_touch_a_training_window():
    ids = ["chr1:0-100(+)", "chr1:99-199(+)", "chr1:100-200(-)", "chr2:0-100(+)", "chr1:300-400(+)",
           "chr1:50-150(+)/shuffle1", "chr1:1000-1100(+)", "chr1:350-450(+)"]
    groups = np.array([0, 1, 2, 2, 0, 1, 0, 1], dtype=np.int8)
    # 99-199 overlaps 0-100; 100-200 touches it only (half-open); chr2 has no training window; the shuffle is no
    # window of the genome; 350-450 overlaps 300-400.
    assert overlapping_windows(ids, groups).tolist() == [False, True, False, False, False, False, False, True]
