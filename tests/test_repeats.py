"""motifnet.data.repeats: records of the same letters in two classes, or in a held-out split and the training one."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from helpers import TINY_PARAMS, random_dna, write_fasta

import motifnet.data.repeats as repeats
from motifnet.data.dataset import load_dataset
from motifnet.data.repeats import either_strand, sequence_groups, warn_repeated_sequences


def test_rows_of_the_same_codes_share_a_group_numbered_by_first_appearance():
    codes = np.array([[1, 2, 3], [0, 0, 0], [1, 2, 3], [3, 2, 1], [0, 0, 0], [1, 2, 3]], dtype=np.uint8)
    np.testing.assert_array_equal(sequence_groups(codes), [0, 1, 0, 2, 1, 0])
    assert sequence_groups(np.zeros((0, 4), dtype=np.uint8)).shape == (0,)


def test_a_collision_of_the_hash_never_joins_rows_that_differ(monkeypatch):
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, (300, 12), dtype=np.uint8)
    codes[100:150] = codes[:50]  # 50 repeats
    expected = sequence_groups(codes)
    monkeypatch.setattr(repeats, "_row_hashes", lambda flat: np.zeros(len(flat), dtype=np.uint64))  # all collide
    np.testing.assert_array_equal(sequence_groups(codes), expected)
    assert len(np.unique(expected)) == 250


@pytest.mark.parametrize("block", [1, 7, 16384])
def test_the_groups_do_not_depend_on_the_rows_hashed_at_a_time(monkeypatch, block):
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 5, (100, 30), dtype=np.uint8)
    codes[::3] = codes[0]
    monkeypatch.setattr(repeats, "_ROWS_PER_BLOCK", block)
    groups = sequence_groups(codes)
    assert (groups[::3] == 0).all() and len(np.unique(groups)) == 100 - 33


def _data(tmp_path):
    rng = np.random.default_rng(0)
    up = random_dna(rng, 6, 20)
    down = random_dna(rng, 6, 20)
    down[2] = up[4]  # labelled both ways
    write_fasta(tmp_path / "up.fa", [(f"u{i}", s) for i, s in enumerate(up)])
    write_fasta(tmp_path / "down.fa", [(f"d{i}", s) for i, s in enumerate(down)])
    return load_dataset([tmp_path / "up.fa", tmp_path / "down.fa"])


@pytest.fixture
def warnings_seen(caplog, monkeypatch):
    """The motifnet warnings logged in a test, each once: the CLI, run in-process by other tests, stops motifnet's
    log from reaching the root logger, where caplog listens."""
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    caplog.clear()
    return lambda: list(dict.fromkeys(record.getMessage() for record in caplog.records
                                      if record.levelno >= logging.WARNING))


def test_a_sequence_in_two_classes_and_a_held_out_copy_of_a_training_record_are_warned_of(tmp_path, caplog,
                                                                                           warnings_seen):
    dataset = _data(tmp_path)
    index = {"train": np.arange(0, 8), "val": np.array([8, 9]), "test": np.array([10, 11])}
    found = warn_repeated_sequences(dataset, index)  # record 8 (d2) is record 4 (u4), which trains
    assert found == {"conflicting_sequences": 1, "val_in_train": 1, "test_in_train": 0}
    assert warnings_seen() == [
        f"1 sequence(s) occur in more than one class, e.g. {tmp_path / 'up.fa'}, record 5 ('u4') (class 'up') and "
        f"{tmp_path / 'down.fa'}, record 3 ('d2') (class 'down'), the same letters: the network cannot tell them "
        "apart; keep each in one class",
        f"1 of the 2 validation record(s) have the letters of a training record, e.g. {tmp_path / 'down.fa'}, "
        "record 3 ('d2'): the validation metrics overstate how the network does on new sequences; remove repeated "
        "sequences from the input"]
    caplog.clear()
    found = warn_repeated_sequences(dataset, {"train": np.arange(0, 8), "val": np.array([9, 10]),
                                              "test": np.array([11, 8])})
    assert found == {"conflicting_sequences": 1, "val_in_train": 0, "test_in_train": 1}
    assert "1 of the 2 test record(s) have the letters of a training record" in warnings_seen()[-1]


@pytest.mark.parametrize("block", [1, 2, 16384])
def test_a_record_and_its_reverse_complement_get_the_same_row(tmp_path, monkeypatch, block):
    monkeypatch.setattr(repeats, "_ROWS_PER_BLOCK", block)
    # 0 and 1, 2 and 3, 6 and 7 each other's reverse complement (6 and 7 padded, the odd letter on the right)
    texts = ["AACGN", "NCGTT", "ACGTA", "TACGT", "ACGT", "AAAAA", "AACG", "CGTT"]
    write_fasta(tmp_path / "x.fa", [(f"r{i}", text) for i, text in enumerate(texts)])
    write_fasta(tmp_path / "y.fa", [("other", "GGGGG")])
    dataset = load_dataset([tmp_path / "x.fa", tmp_path / "y.fa"], length=5)  # ACGT padded
    chosen = either_strand(dataset.codes, dataset.encoder.code_table, dataset.complement_channels)
    assert chosen.dtype == dataset.codes.dtype
    np.testing.assert_array_equal(chosen[0], chosen[1])
    np.testing.assert_array_equal(chosen[2], chosen[3])
    assert {tuple(row) for row in chosen[[0, 2]]} <= {tuple(row) for row in dataset.codes[:4]}  # one of the two
    np.testing.assert_array_equal(sequence_groups(chosen)[[0, 1, 2, 3, 6, 7]], [0, 0, 1, 1, 4, 4])
    assert len(set(sequence_groups(chosen))) == 6  # ACGT (a palindrome), AAAAA and GGGGG: none but themselves


def test_a_held_out_reverse_complement_of_a_training_record_counts_for_a_network_of_both_strands(tmp_path,
                                                                                              warnings_seen):
    """A validation record that is the reverse complement of a training record: the same input to a network that
    reads both strands, and it was not counted."""
    from helpers import reverse_complement_text

    rng = np.random.default_rng(5)
    up, down = random_dna(rng, 6, 20), random_dna(rng, 6, 20)
    down[3] = reverse_complement_text(up[1])
    write_fasta(tmp_path / "up.fa", [(f"u{i}", s) for i, s in enumerate(up)])
    write_fasta(tmp_path / "down.fa", [(f"d{i}", s) for i, s in enumerate(down)])
    dataset = load_dataset([tmp_path / "up.fa", tmp_path / "down.fa"])
    index = {"train": np.arange(8), "val": np.array([8, 9]), "test": np.array([10, 11])}  # 9 is d3
    assert warn_repeated_sequences(dataset, index) == {"conflicting_sequences": 0, "val_in_train": 0,
                                                       "test_in_train": 0}
    assert warnings_seen() == []
    assert warn_repeated_sequences(dataset, index, both_strands=True) == {
        "conflicting_sequences": 1, "val_in_train": 1, "test_in_train": 0}
    assert warnings_seen() == [
        f"1 sequence(s) occur in more than one class, e.g. {tmp_path / 'up.fa'}, record 2 ('u1') (class 'up') and "
        f"{tmp_path / 'down.fa'}, record 4 ('d3') (class 'down'), the same letters (on either strand, which the "
        "network reads alike): the network cannot tell them apart; keep each in one class",
        f"1 of the 2 validation record(s) have the letters of a training record (on either strand), e.g. "
        f"{tmp_path / 'down.fa'}, record 4 ('d3'): the validation metrics overstate how the network does on new "
        "sequences; remove repeated sequences from the input"]


def test_training_warns_of_a_sequence_in_two_classes(tmp_path, cli):
    _data(tmp_path)
    result = cli("train", tmp_path / "up.fa", tmp_path / "down.fa", "-o", tmp_path / "run", *TINY_PARAMS,
                 "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "warning: 1 sequence(s) occur in more than one class" in result.stderr


def test_records_that_other_inputs_may_tell_apart_are_not_said_to_be_the_same(tmp_path, warnings_seen):
    import dataclasses

    dataset = _data(tmp_path)
    tracked = dataclasses.replace(dataset, tracks=np.zeros((len(dataset), 20, 1), dtype=np.float32),
                                  track_names=["conservation"])
    warn_repeated_sequences(tracked, {"train": np.arange(12), "val": np.array([], dtype=int), "test": []})
    (message,) = [text for text in warnings_seen() if "more than one class" in text]
    assert message.endswith("the same letters: labels that contradict each other if the other inputs are the same "
                            "too; keep each in one class")


def test_grid_searchs_retraining_of_its_best_trial_does_not_warn_again(tmp_path, warnings_seen):
    """grid-search retrains its best trial through train after every trial: the warnings came then, hours late
    and without their 'warning:' prefix."""
    from motifnet.run.training import TrainConfig, train

    dataset = _data(tmp_path)
    params = {"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "neuron_num": 8, "epochs": 1, "batch_size": 16}
    train(dataset, TrainConfig(str(tmp_path / "best"), params, seed=1, others_allowed=True))
    assert not [text for text in warnings_seen() if "more than one class" in text or "letters of a training" in text]
    train(dataset, TrainConfig(str(tmp_path / "run"), params, seed=1))
    assert [text for text in warnings_seen() if "more than one class" in text]
