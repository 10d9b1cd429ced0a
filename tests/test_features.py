"""motifnet.data.features: feature tables (standardised or one-hot from the training rows) and position tracks."""

import numpy as np
import pytest
from helpers import write_fasta

from motifnet.data.features import (
    FeatureSpec,
    check_categories,
    encode_features,
    fit_features,
    iter_feature_rows,
    read_feature_table,
    read_track,
    unseen_categories,
)
from motifnet.errors import InputError, ParamError


def write(path, text):
    path.write_text(text)
    return path


# -- feature files ------------------------------------------------------------------------------------------------

def test_rows_skip_blank_and_comment_lines_and_start_with_the_column_names(tmp_path):
    path = write(tmp_path / "f.tsv", "#gc\tscore\n0.4\t1\n\n# a note\n0.6\t2\r\n")
    assert list(iter_feature_rows(path)) == [["gc", "score"], (2, ["0.4", "1"]), (5, ["0.6", "2"])]
    unnamed = write(tmp_path / "g.tsv", "1\t2\n")
    assert list(iter_feature_rows(unnamed)) == [None, (1, ["1", "2"])]
    with pytest.raises(InputError, match="empty.tsv: feature file has no lines"):
        list(iter_feature_rows(write(tmp_path / "empty.tsv", "\n\n")))


def test_one_table_from_one_file_per_fasta_file_in_record_order(tmp_path):
    first = write(tmp_path / "a.tsv", "#gc\tkind\n0.4\tx\n0.5\ty\n")
    second = write(tmp_path / "b.tsv", "0.6\tx\n")  # without a header: read by position
    names, rows = read_feature_table([first, second], [2, 1], categorical=True)
    assert names == ["gc", "kind"] and rows == [["0.4", "x"], ["0.5", "y"], ["0.6", "x"]]
    names, _ = read_feature_table([write(tmp_path / "c.tsv", "1\t2\t3\n")], [1], categorical=False)
    assert names == ["feature_1", "feature_2", "feature_3"]


@pytest.mark.parametrize("files, counts, categorical, error, message", [
    (["#a\tb\n1\t2\n"], [1, 1], False, ParamError, "give one feature file per FASTA file: 2 FASTA file(s), 1 feature"),
    (["#a\tb\n1\t2\n3\n"], [2], False, InputError, "f0.tsv, line 3: 1 column(s), expected 2 (a, b)"),
    (["1\n2\n"], [3], False, InputError, "f0.tsv: 2 feature line(s) but its FASTA file has 3 record(s)"),
    (["#a\tb\n1\thigh\n"], [1], False, InputError,
     "f0.tsv, line 2: feature 'b' value 'high' is not a number; use --categorical-features"),
    (["#a\tb\n1\tnan\n"], [1], False, InputError, "f0.tsv, line 2: feature 'b' value 'nan' is not a finite number"),
    (["#a\tb\n1e999\t2\n"], [1], False, InputError, "f0.tsv, line 2: feature 'a' value '1e999' is not a finite"),
    (["0.5\n-inf\n"], [2], False, InputError, "f0.tsv, line 2: feature 'feature_1' value '-inf' is not a finite"),
    # a second file's header was ignored: its columns, in another order, were read as the first file's
    (["#gc\tscore\n1\t2\n", "#score\tgc\n2\t1\n"], [1, 1], False, InputError,
     "f1.tsv: its header names the columns score, gc, and "),
    (["#gc\tscore\n1\t2\n", "#score\tgc\n2\t1\n"], [1, 1], False, InputError,
     "f0.tsv's gc, score; give every feature file the same columns in the same order"),
])
def test_bad_feature_tables(tmp_path, files, counts, categorical, error, message):
    paths = [write(tmp_path / f"f{i}.tsv", text) for i, text in enumerate(files)]
    with pytest.raises(error) as raised:
        read_feature_table(paths, counts, categorical)
    assert message in str(raised.value)


def test_numeric_features_are_standardised_with_the_training_rows_only():
    rows = [["1", "5"], ["3", "5"], ["100", "7"]]
    spec = fit_features(["a", "b"], rows, categorical=False, train_index=np.array([0, 1]))
    assert spec.mean == [2.0, 5.0]
    assert spec.std == [1.0, 1.0]  # column b is constant in training: std 0 becomes 1, not a division by zero
    np.testing.assert_array_equal(encode_features(spec, rows), np.array([[-1, 0], [1, 0], [98, 2]], dtype=np.float32))
    assert encode_features(spec, rows).dtype == np.float32 and spec.width == 2


def test_categorical_features_are_one_hot_over_the_training_categories():
    rows = [["x", "on"], ["y", "off"], ["x", "off"], ["z", "on"]]
    spec = fit_features(["kind", "state"], rows, categorical=True, train_index=np.array([0, 1, 2]))
    assert spec.categories == [["x", "y"], ["off", "on"]] and spec.width == 4
    np.testing.assert_array_equal(encode_features(spec, rows[:3]), [[1, 0, 0, 1], [0, 1, 1, 0], [1, 0, 1, 0]])
    # Unknown categories encode as none of the known ones (scikit-learn's handle_unknown="ignore").
    np.testing.assert_array_equal(encode_features(spec, rows)[3], [0, 0, 0, 1])
    assert unseen_categories(spec, rows) == [("kind", ["z"], [3])]
    assert unseen_categories(spec, rows[:3]) == []
    with pytest.raises(InputError, match=r"^f.tsv, line 5: feature 'kind' has the category 'z'"):
        check_categories(spec, rows[3], "f.tsv, line 5")
    check_categories(spec, rows[2], "f.tsv, line 4")  # known categories pass


def test_spec_survives_its_json_round_trip():
    spec = fit_features(["a"], [["1"], ["2"]], categorical=False, train_index=np.array([0, 1]))
    again = FeatureSpec.from_json(spec.to_json())
    assert again == spec
    rows = [["4"]]
    np.testing.assert_array_equal(encode_features(again, rows), encode_features(spec, rows))


# -- tracks -------------------------------------------------------------------------------------------------------

def test_track_values_are_aligned_and_padded_like_the_sequence(tmp_path):
    path = write_fasta(tmp_path / "t.track", [("r1", ["1 2", "3\t4"]), ("r2 note", "5 6")])
    values = read_track(path, ["r1", "r2"], [4, 2], length=4)
    np.testing.assert_array_equal(values, [[1, 2, 3, 4], [0, 5, 6, 0]])  # r2 centred: one zero each side
    cropped = read_track(path, ["r1", "r2"], [4, 2], length=2)
    np.testing.assert_array_equal(cropped, [[2, 3], [5, 6]])


@pytest.mark.parametrize("records, ids, lengths, message", [
    ([("r1", "1 2"), ("rX", "3 4")], ["r1", "r2"], [2, 2],
     "track record id 'rX' does not match the sequence record 'r2'"),
    ([("r1", "1 2 3")], ["r1"], [2], "3 track value(s) for a sequence of 2 positions"),
    ([("r1", "1 x")], ["r1"], [2], "track values must be numbers"),
    # accepted once: nan trained a model of nan weights to 'complete', inf was blamed on the learning rate
    ([("r1", "1 2"), ("r2", "3 nan")], ["r1", "r2"], [2, 2],
     "record 2 ('r2'): track value 'nan' at position 2 is not a finite number within float32's range (+-3.4e38); "
     "give a finite value (impute missing ones)"),
    ([("r1", "-inf 2")], ["r1"], [2], "track value '-inf' at position 1 is not a finite number"),
    ([("r1", "1 1e39")], ["r1"], [2], "track value '1e39' at position 2 is not a finite number"),  # past float32
    ([("r1", "1 2"), ("r2", "3 4")], ["r1"], [2], "the track file has more records than its FASTA file (1)"),
    ([("r1", "1 2")], ["r1", "r2"], [2, 2], "1 track record(s) but the FASTA file has 2"),
])
def test_bad_track_files(tmp_path, records, ids, lengths, message):
    path = write_fasta(tmp_path / "t.track", records)
    with pytest.raises(InputError) as raised:
        read_track(path, ids, lengths, length=2)
    assert message in str(raised.value)
