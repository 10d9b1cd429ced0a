"""motifnet.data.options.DataOptions: tuples, hashing, equality, copies, and the same data as keywords."""

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest
from helpers import random_dna, write_fasta

from motifnet.data.dataset import load_dataset
from motifnet.data.options import DataOptions


def test_lists_become_tuples_and_paths_become_strings():
    options = DataOptions([Path("a.fa"), "b.fa"], class_names=["x", "y"], feature_files=["a.tsv", "b.tsv"],
                          tracks=[["cons", ["a.track", "b.track"]]], target_names=None)
    assert options.fasta == ("a.fa", "b.fa")
    assert options.class_names == ("x", "y")
    assert options.feature_files == ("a.tsv", "b.tsv")
    assert options.tracks == (("cons", ("a.track", "b.track")),)
    assert hash(options) == hash(options.replace())
    assert options.target_names is None
    assert DataOptions(("a.fa",), feature_files=None, tracks=None).feature_files == ()


def test_equal_values_are_equal_and_hash_alike():
    first = DataOptions(["a.fa", "b.fa"], class_names=["x", "y"], length=40)
    second = DataOptions((Path("a.fa"), Path("b.fa")), class_names=("x", "y"), length=40)
    assert first == second and hash(first) == hash(second)
    assert len({first, second}) == 1
    assert first != DataOptions(["a.fa", "b.fa"], class_names=["x", "y"], length=41)
    assert first != DataOptions(["b.fa", "a.fa"], class_names=["x", "y"], length=40)  # file order is class order


def test_frozen_replaced_and_sent_to_another_process():
    options = DataOptions(["a.fa", "b.fa"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.length = 10
    folded = options.replace(fasta=["folded/a.fa", "folded/b.fa"], structure="FHIMST")
    assert folded.fasta == ("folded/a.fa", "folded/b.fa") and folded.structure == "FHIMST"
    assert options.fasta == ("a.fa", "b.fa") and options.structure is None
    assert pickle.loads(pickle.dumps(folded)) == folded


def test_defaults_are_those_of_train():
    options = DataOptions(["a.fa"])
    assert (options.multi_label, options.class_names, options.alphabet, options.structure, options.structure_pwm,
            options.length, options.categorical_features, options.task, options.targets_file) == (
        False, None, None, None, False, None, False, "classification", None)


@pytest.fixture
def two_classes(tmp_path):
    rng = np.random.default_rng(6)
    return [write_fasta(tmp_path / f"{name}.fa", [(f"{name}{i}", s) for i, s in
                                                  enumerate(random_dna(rng, 12, length, "GATA"))])
            for name, length in (("left", 30), ("right", 36))]


def test_load_dataset_reads_the_same_data_from_options_or_keywords(two_classes):
    keywords = {"class_names": ["L", "R"], "alphabet": "dna", "length": 32}
    from_keywords = load_dataset([str(path) for path in two_classes], **keywords)
    from_options = load_dataset(DataOptions(two_classes, **keywords))
    np.testing.assert_array_equal(from_options.codes, from_keywords.codes)
    np.testing.assert_array_equal(from_options.labels, from_keywords.labels)
    np.testing.assert_array_equal(from_options.ids, from_keywords.ids)
    assert from_options.describe() == from_keywords.describe()
    assert from_options.class_names == ["L", "R"] and from_options.codes.shape == (24, 32)


def test_load_dataset_refuses_options_and_keywords_together(two_classes):
    with pytest.raises(TypeError, match="either DataOptions or keywords"):
        load_dataset(DataOptions(two_classes), length=32)
