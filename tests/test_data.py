"""Tests for motifnet.data.dataset (labelled data sets) and motifnet.data.features (features, tracks)."""

import hashlib
import io
import logging
import re
import sys

import numpy as np
import pytest
from helpers import TINY_PARAMS, write_fasta

from motifnet.data.alphabets import DNA, PROTEIN
from motifnet.data.dataset import Dataset, check_class_sizes, load_dataset, records_sha256
from motifnet.data.encoding import dot_bracket_fix
from motifnet.data.fasta import FastaRecord
from motifnet.data.features import FeatureSpec, check_tracks
from motifnet.data.labels import class_name_from_path, class_names_from_paths, parse_multi_label
from motifnet.errors import InputError, ParamError


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def _pair(folder, pos=">p1\nACGT\n>p2\nCCGG\n", neg=">n1\nTTTT\n"):
    return [_write(folder, "pos.fa", pos), _write(folder, "neg.fa", neg)]


def _where(path, number, record_id):
    return re.escape(f"{path}, record {number} ('{record_id}')")


# -- load_dataset ---------------------------------------------------------------------------------


def test_one_file_per_class(tmp_path):
    pos, neg = _pair(tmp_path)
    dataset = load_dataset([pos, neg])
    assert dataset.class_names == ["pos", "neg"]
    assert not dataset.multi_label
    np.testing.assert_array_equal(dataset.labels, [[1, 0], [1, 0], [0, 1]])
    assert dataset.labels.dtype == np.uint8
    assert dataset.ids.tolist() == ["p1", "p2", "n1"]
    assert dataset.sources.tolist() == [0, 0, 1]
    assert dataset.encoder.alphabet is DNA and dataset.encoder.length == 4 and not dataset.encoder.resize
    np.testing.assert_array_equal(dataset.codes, [[1, 2, 3, 4], [2, 2, 3, 3], [4, 4, 4, 4]])
    assert dataset.files == [
        {"path": str(pos), "sha256": hashlib.sha256(pos.read_bytes()).hexdigest(), "records": 2},
        {"path": str(neg), "sha256": hashlib.sha256(neg.read_bytes()).hexdigest(), "records": 1},
    ]
    assert len(dataset) == 3 and dataset.channels == 4
    assert dataset.structure is None and dataset.tracks is None and dataset.features is None


@pytest.mark.parametrize("pos, neg, record, character, position", [
    (">p1\nAC*GT\n>p2\nACGTT\n", ">n1\nACGTT\n", "p1", "*", 3),
    (">p1\nACGT\n", ">n1\nA\xe9T\n", "n1", "\xe9", 2),  # an accent, named as it is written (it was its first byte, Ã)
])
def test_unusable_character_is_reported_where_it_occurs_when_detecting_the_alphabet(
        tmp_path, pos, neg, record, character, position):
    paths = _pair(tmp_path, pos=pos, neg=neg)
    file = paths[0] if record.startswith("p") else paths[1]
    with pytest.raises(InputError, match="^" + _where(file, 1, record) + re.escape(
            f": sequence character {character!r} at position {position} is not in the ")):
        load_dataset(paths)


def test_whitespace_inside_sequence_lines_is_ignored(tmp_path):
    # As Biopython's FASTA parser does: spaces and tabs are layout, not letters.
    dataset = load_dataset(_pair(tmp_path, pos=">p1\nAC GT\n>p2\nAC\tGT\n", neg=">n1\n ACGT \n"))
    np.testing.assert_array_equal(dataset.codes, [[1, 2, 3, 4]] * 3)


def test_class_names_and_alphabet_can_be_given(tmp_path):
    dataset = load_dataset(_pair(tmp_path), class_names=[" bound", "unbound "], alphabet="protein")
    assert dataset.class_names == ["bound", "unbound"]
    assert dataset.encoder.alphabet is PROTEIN


def test_a_class_named_with_a_comma_by_its_file_is_warned_of(tmp_path, caplog, monkeypatch):
    """'p,q.fa' gave class 'p,q', which --classes p,q read as two names ("'p' is not a class of the model")."""
    (tmp_path / "p,q.fa").write_text(">a\nACGT\n")
    (tmp_path / "b.fa").write_text(">b\nACGA\n")
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        dataset = load_dataset([str(tmp_path / "p,q.fa"), str(tmp_path / "b.fa")])
    assert dataset.class_names == ["p,q", "b"]
    # (a record may reach the capture twice, through the motifnet logger and the root one)
    assert set(caplog.messages) == {"class 'p,q' (from its file name) holds a comma, and cluster --classes reads a "
                                    "comma as a separator: name it by its index (0) there, or name the classes with "
                                    "--class-names"}


def test_length_centre_crops_and_pads(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nAACGTT\n>p2\nAC\n", neg=">n1\nACGTAGC\n")
    dataset = load_dataset(paths, length=4)
    assert dataset.encoder.resize and dataset.encoder.length == 4
    #                  AACGTT -> ACGT, AC -> .AC., ACGTAGC -> CGTA
    np.testing.assert_array_equal(dataset.codes, [[1, 2, 3, 4], [0, 1, 2, 0], [2, 3, 4, 1]])


def test_sequences_from_standard_input(tmp_path, monkeypatch):
    buffer = io.BufferedReader(io.BytesIO(b">p1\nACGT\n"))
    monkeypatch.setattr(sys, "stdin", type("FakeStdin", (), {"buffer": buffer})())
    neg = _write(tmp_path, "neg.fa", ">n1\nTTTT\n")
    dataset = load_dataset(["-", neg])
    assert dataset.class_names == ["stdin", "neg"]  # it was '-', in predictions' headers and the report
    # read once, standard input is known by its records (what train --resume compares)
    expected = records_sha256(dataset.codes[:1], dataset.labels[:1], dataset.ids[:1])
    assert dataset.files[0] == {"path": "standard input", "sha256": expected, "records": 1}


def test_a_copy_of_a_class_file_is_refused(tmp_path, monkeypatch):
    """A byte-identical copy (or a gzip copy, or standard input and the file) trained as two classes of one set."""
    import gzip

    pos = _write(tmp_path, "pos.fa", ">p1\nACGT\n>p2\nAACC\n")
    copy = tmp_path / "pos_copy.fa.gz"
    copy.write_bytes(gzip.compress(pos.read_bytes()))
    with pytest.raises(InputError, match=f"{pos} and {copy} hold the same records \\(a copy of one file\\?\\)"):
        load_dataset([str(pos), str(copy)])
    buffer = io.BufferedReader(io.BytesIO(pos.read_bytes()))
    monkeypatch.setattr(sys, "stdin", type("FakeStdin", (), {"buffer": buffer})())
    with pytest.raises(InputError, match="standard input and .*pos.fa hold the same records"):
        load_dataset(["-", str(pos)])
    other = _write(tmp_path, "other.fa", ">p1\nACGT\n>p2\nAACG\n")
    load_dataset([str(pos), other])  # one record differs: fine
    with pytest.raises(InputError, match="hold the same windows of --length 2 \\(records that differ only outside"):
        load_dataset([str(pos), other], length=2)  # CG and AC in both


def test_copies_and_single_files_are_named_as_classes_or_parts_of_a_regression_set(tmp_path):
    """Every classifier's refusal spoke of "one part of a regression set" (grid-search's too, which has none), and a
    single file of values in the headers was told to add classes alone."""
    pos = _write(tmp_path, "pos.fa", ">p1 0.5\nACGT\n>p2 1.5\nAACC\n")
    copy = _write(tmp_path, "copy.fa", ">p1 0.5\nACGT\n>p2 1.5\nAACC\n")
    with pytest.raises(InputError, match=re.escape(f"{pos} and {copy} hold the same records (a copy of one file?): "
                                                   "each FASTA file is one class; give each its own records") + "$"):
        load_dataset([str(pos), str(copy)])
    with pytest.raises(InputError, match=re.escape(f"{pos} and {copy} hold the same records (a copy of one file?): "
                                                   "each FASTA file is one part of the regression set; give each its "
                                                   "own records") + "$"):
        load_dataset([str(pos), str(copy)], task="regression")
    with pytest.raises(InputError, match=re.escape(f"{pos} is given twice: each FASTA file is one part of the "
                                                   "regression set, read once; give each part once") + "$"):
        load_dataset([str(pos), str(pos)], task="regression")
    with pytest.raises(InputError, match=re.escape("or use --multi-label with class indices in the headers (values to "
                                                   "regress on are train's, with --task regression)") + "$"):
        load_dataset([str(pos)])


def test_a_character_that_is_no_letter_is_named_not_taken_for_a_length_difference(tmp_path):
    """A GenBank-style '1 ACGT...' line made the next record 'differ in length' from the first."""
    paths = _pair(tmp_path, pos=">p1\n1 ACGTAC\n>p2\nACGTAC\n", neg=">n1\nTTTTAA\n")
    with pytest.raises(InputError, match="pos.fa, record 1 \\('p1'\\): sequence character '1' at position 1 is not a "
                                         "letter"):
        load_dataset(paths)


def test_multi_label_headers(tmp_path):
    path = _write(tmp_path, "multi.fa", ">s1 0,2\nACGT\n>1\nACGA\n>s3 desc 2,\nACGG\n")
    dataset = load_dataset([path], multi_label=True)
    assert dataset.multi_label
    assert dataset.class_names == ["class_0", "class_1", "class_2"]
    np.testing.assert_array_equal(dataset.labels, [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    assert dataset.ids.tolist() == ["s1", "record_2", "s3"]
    assert dataset.describe()["records_per_class"] == [1, 1, 2]


def test_multi_label_records_of_no_class(tmp_path):
    path = _write(tmp_path, "multi.fa", ">s1 0,2\nACGT\n>s2 -\nACGA\n>s3 1\nACGG\n>-\nACTT\n")
    dataset = load_dataset([path], multi_label=True)
    assert dataset.class_names == ["class_0", "class_1", "class_2"]
    np.testing.assert_array_equal(dataset.labels, [[1, 0, 1], [0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert dataset.ids.tolist() == ["s1", "s2", "s3", "record_4"]
    assert dataset.describe()["records_per_class"] == [1, 1, 1]


def test_multi_label_class_names_may_name_unused_classes(tmp_path):
    path = _write(tmp_path, "multi.fa", ">s1 0\nACGT\n>s2 1\nACGA\n")
    dataset = load_dataset([path], multi_label=True, class_names=["a", "b", "c"])
    np.testing.assert_array_equal(dataset.labels, [[1, 0, 0], [0, 1, 0]])


def test_duplicate_ids_are_warned_once_naming_the_first_and_its_records(tmp_path, caplog):
    paths = _pair(tmp_path, pos=">p1\nACGT\n>x\nCCGG\n>y\nACGA\n", neg=">x\nTTTT\n>y\nTTTA\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        dataset = load_dataset(paths)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"duplicate record id 'x': {paths[0]}, record 2 ('x') and {paths[1]}, record 1 ('x') "
                                  "(2 id(s) occur more than once)")
    assert dataset.ids.tolist() == ["p1", "x", "y", "x", "y"]  # the records themselves are kept


def test_distinct_ids_give_no_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        load_dataset(_pair(tmp_path))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("counts, message", [
    ((3, 1), "{neg}: class 'neg' has 1 record(s); training needs at least 3 per class (to train on and to "
             "validate on; with so few the test split may get none)"),
    ((2, 5), "{pos}: class 'pos' has 2 record(s); training needs at least 3"),
])
def test_a_class_too_small_to_split_is_refused(tmp_path, counts, message):
    paths = _pair(tmp_path, pos="".join(f">p{i}\nACGT\n" for i in range(counts[0])),
                  neg="".join(f">n{i}\nTTTT\n" for i in range(counts[1])))
    dataset = load_dataset(paths)
    with pytest.raises(InputError, match="^" + re.escape(message.format(pos=paths[0], neg=paths[1]))):
        check_class_sizes(dataset)


def test_classes_of_three_records_are_accepted(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nACGT\n>p2\nACGA\n>p3\nACGG\n", neg=">n1\nTTTT\n>n2\nTTTA\n>n3\nTTTC\n")
    check_class_sizes(load_dataset(paths))


def test_a_multi_label_class_too_small_is_refused(tmp_path):
    path = _write(tmp_path, "m.fa", "".join(f">s{i} {i % 3}\nACGT\n" for i in range(7)))
    dataset = load_dataset([path], multi_label=True)
    with pytest.raises(InputError, match=re.escape(f"{path}: class 'class_1' has 2 record(s)")):
        check_class_sizes(dataset)


def test_training_refuses_a_class_of_one_record_before_writing_the_run(cli, tmp_path, dna_files):
    single = _write(tmp_path, "single.fa", ">s1\n" + "ACGT" * 10 + "\n")
    result = cli("train", dna_files[0], single, "-o", tmp_path / "run", *TINY_PARAMS)
    assert result.exit_code == 1, result.output
    assert f"{single}: class 'single' has 1 record(s); training needs at least 3" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run" / "model.keras").exists()


@pytest.mark.parametrize("headers, message", [
    (["0", "250"], "{m}, record 2 ('s2'): class index 250 leaves 249 class(es) without records (1, 2, 3, 4, 5, "
                   "...); class indices must run from 0 without gaps: renumber the classes"),
    # it also said "or name every class with --class-names", which the next check refuses (a class of no records)
    (["0", "2", "1,3"], "{m}, record 3 ('s3'): class index 3 leaves 0 class"),
    (["1", "2"], "{m}, record 2 ('s2'): class index 2 leaves 1 class(es) without records (0);"),
    (["0", "0,99999999"], "{m}, record 2 ('s2'): class index 99999999 is above 10000; multi-label headers end "
                          "with class indices 0, 1, 2, ..."),
])
def test_multi_label_indices_that_leave_classes_empty_are_refused(tmp_path, headers, message):
    path = _write(tmp_path, "m.fa", "".join(f">s{i} {h}\nACGT\n" for i, h in enumerate(headers, start=1)))
    if "leaves 0 class" in message:  # no gap: accepted
        assert load_dataset([path], multi_label=True).labels.shape == (3, 4)
        return
    with pytest.raises(InputError, match="^" + re.escape(message.format(m=path))):
        load_dataset([path], multi_label=True)


def test_multi_label_huge_index_is_refused_with_class_names_too(tmp_path):
    path = _write(tmp_path, "m.fa", ">s1 0\nACGT\n>s2 0,99999999\nACGA\n")
    with pytest.raises(InputError, match=re.escape(f"{path}, record 2 ('s2'): class index 99999999 is above")):
        load_dataset([path], multi_label=True, class_names=["a", "b"])


def test_dna_read_as_protein_is_warned(tmp_path, caplog):
    paths = _pair(tmp_path, pos=">p1\nACGT\n>p2\nCCGG\n", neg=">n1\nTTTN\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        load_dataset(paths, alphabet="protein")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"{paths[0]}: 100% of the letters are A, C, G, T/U or N: this looks like DNA or RNA, but "
                        "the model reads protein; its scores mean nothing for nucleotide sequences",
                        f"{paths[1]}: 100% of the letters are A, C, G, T/U or N: this looks like DNA or RNA, but "
                        "the model reads protein; its scores mean nothing for nucleotide sequences"]


def test_protein_read_as_protein_is_not_warned(tmp_path, caplog):
    paths = _pair(tmp_path, pos=">p1\nMKLVACGT\n", neg=">n1\nWWYYACGT\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        load_dataset(paths, alphabet="protein")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_structure_letters_with_energies(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nACG\n(.) (-1.20)\n", neg=">n1\nGGA\n.()\n")
    dataset = load_dataset(paths, alphabet="dna", structure="().")
    assert dataset.encoder.structure_mode == "letters" and dataset.channels == 12
    x = dataset.encoder.one_hot(dataset.codes)
    assert x.argmax(axis=2).tolist() == [[0 * 3 + 0, 1 * 3 + 2, 2 * 3 + 1], [2 * 3 + 2, 2 * 3 + 0, 0 * 3 + 1]]


def test_structure_alphabet_is_detected_from_the_sequence_line_only(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nACGU\n(..)\n", neg=">n1\nUUUU\n....\n")
    assert load_dataset(paths, structure="().").encoder.alphabet.name == "rna"


@pytest.mark.parametrize("neg, options, message", [
    # Detected, the brackets made a custom alphabet '().ACGU' and a network trained on twice the length.
    (">n1\nUUUU\n....\n>n2\nGGCC\n(..)\n", {},
     "{neg}, record 2 ('n2'): the record looks like a sequence line followed by a dot-bracket structure line ('().' "
     "read as sequence); pass --structure-alphabet '().' to read its lines as sequence and structure, or --alphabet "
     "to read these characters as letters"),
    # Records of other lengths were refused as "sequence length 10 differs from 8" first.
    (">n1\nUUUUU\n.....\n>n2\nGGCC\n(..)\n", {}, "{neg}, record 2 ('n2'): the record looks like a sequence line"),
    (">n1\nUUUUU\n.....\n>n2\nGGCC\n(..)\n", {"alphabet": "rna"},
     "{neg}, record 2 ('n2'): the record looks like a sequence line followed by a dot-bracket structure line ('().' "
     "read as sequence); pass --structure-alphabet '().' to read its lines as sequence and structure"),
    # A sequence-only model's commands (activations --fasta, visualize-kernels --fasta) have no --structure-alphabet.
    (">n1\nUUUUU\n.....\n>n2\nGGCC\n(..)\n", {"alphabet": "rna", "for_model": True},
     "{neg}, record 2 ('n2'): the record looks like a sequence line followed by a dot-bracket structure line ('().' "
     "read as sequence); the model reads sequence only: give the sequence lines alone"),
    # With --alphabet the '.' of an unpaired structure line was called an alignment gap.
    (">n1\nUUUU\n....\n", {"alphabet": "rna"},
     "{neg}, record 1 ('n1'): sequence character '.' at position 5 is not in the rna alphabet (allowed: "
     "ACGURYSWKMBDHVN); the record looks like a sequence line followed by a dot-bracket structure line ('.' read as "
     "sequence); pass --structure-alphabet '().' to read its lines as sequence and structure"),
])
def test_sequence_and_structure_records_without_structure_alphabet_say_so(tmp_path, neg, options, message):
    paths = _pair(tmp_path, pos=">p1\nACGUACGU\n", neg=neg)
    with pytest.raises(InputError, match="^" + re.escape(message.format(neg=paths[1]))):
        load_dataset(paths, **options)


def test_records_of_folds_context_format_read_as_sequence_are_refused(tmp_path):
    """Training on fold --format context files without --structure-alphabet detected a custom alphabet
    (ACFGHIMNSTU) and trained on sequence and structure lines joined, without a word; with it they are read."""
    rng = np.random.default_rng(0)
    records = []
    for i in range(6):
        sequence = "".join(rng.choice(list("ACGU"), 30))
        records.append(f">r{i}\n{sequence}\n{'FFSSSSHHHHSSSSMMMSSSSIIIISSSTT'}\n")
    pos, neg = _write(tmp_path, "pos.fa", "".join(records[:3])), _write(tmp_path, "neg.fa", "".join(records[3:]))
    with pytest.raises(InputError) as error:
        load_dataset([pos, neg])
    assert str(error.value) == (
        f"{pos}, record 1 ('r0'): the record looks like a sequence line followed by a structure line of motifnet "
        "fold's context format (its letters FHIMST read as sequence); pass --structure-alphabet FHIMST to read its "
        "lines as sequence and structure")
    assert load_dataset([pos, neg], structure="FHIMST").encoder.length == 30
    # ... so are the records of fold --format profile, whose numbers made a custom alphabet of digits
    rows = "\n".join(" ".join(f"{value:.3f}" for value in rng.random(30)) for _ in range(6))
    profiles = [_write(tmp_path, f"p{k}.fa", "".join(f">q{i}\n{''.join(rng.choice(list('ACGU'), 30))}\n{rows}\n"
                                                    for i in range(3))) for k in range(2)]
    with pytest.raises(InputError) as error:
        load_dataset(profiles)
    assert str(error.value) == (
        f"{profiles[0]}, record 1 ('q0'): the record looks like a sequence line followed by the rows of a structure "
        "profile, as motifnet fold --format profile writes them; train on such files with --structure-alphabet FHIMST "
        "--structure-pwm, or give the sequence lines alone")
    # DNA whose second half is T and a few IUPAC codes is no structure line
    from motifnet.data.encoding import context_line

    for sequence in (b"ACGTACGTTTTTTTTS", b"ACGTNNNNTTTTTTTS", b"ACTS", b"GGTHMT", b"AM", b"ACGTACGTTTTTTTTT"):
        assert not context_line(sequence), sequence
    assert context_line(b"ACGUACGUFFSSHHSS") and context_line(b"ACGUACGUSSSHHSSS") and context_line(b"ACGUIIII")
    plain = _write(tmp_path, "plain.fa", ">a\nACGTACGTACGTTTTTTTSTTTTT\n>b\nACGTACGTACGTACGTACGTACGT\n")
    other = _write(tmp_path, "other.fa", ">c\nACGTACGTACGTACGTACGTACGA\n>d\nACGTACGTACGTACGTACGTACGC\n")
    assert load_dataset([plain, other]).encoder.length == 24


@pytest.mark.parametrize("sequence", ["ACGU..", "AC.GU...", "ACGU-.AC"])
def test_a_gap_is_not_taken_for_a_structure_line(sequence):
    assert dot_bracket_fix(sequence.encode(), "ACGU") is None


def test_custom_alphabet_with_brackets_is_read_when_named(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nAC(G\n", neg=">n1\nGG)C\n")
    assert load_dataset(paths, alphabet="AC()G").encoder.alphabet.letters == "AC()G"


def test_structure_pwm(tmp_path):
    paths = _pair(tmp_path, pos=">p1\nAC\n0.5 0\n0.5 0\n0 1\n", neg=">n1\nGG\n1 1\n0 0\n0 0\n")
    dataset = load_dataset(paths, alphabet="dna", structure="().", structure_pwm=True, length=4)
    np.testing.assert_allclose(dataset.structure[0], [[0, 0, 0], [0.5, 0.5, 0], [0, 0, 1], [0, 0, 0]])
    assert dataset.structure.shape == (2, 4, 3)


@pytest.mark.parametrize("files, options, message", [
    ({"pos.fa": ">p1\nACGT\n"}, {}, "{pos.fa}: one FASTA file means a single class; give one FASTA file "
                                    "per class (at least two), or use --multi-label"),
    ({"m.fa": ">s1 0\nACGT\n>s2 0\nACGA\n"}, {"multi_label": True},
     "{m.fa}: every record carries the same single class; a classifier needs at least two classes"),
    ({"m.fa": ">s1 0\nACGT\n>s2 0\nACGA\n"}, {"multi_label": True, "class_names": ["a", "b"]},
     "{m.fa}: every record carries the same single class"),
    ({"m.fa": ">s1 0\nACGT\n>s2 1,3\nACGA\n"}, {"multi_label": True, "class_names": ["a", "b", "c"]},
     "{m.fa}, record 2 ('s2'): class index 3 is out of range for 3 class names (indices start at 0)"),
    ({"m.fa": ">s1 0\nACGT\n>s2 label\nACGA\n"}, {"multi_label": True},
     "{m.fa}, record 2 ('s2'): multi-label headers must end with comma-separated class indices "
     "(e.g. '>seq1 0,2'), or - for a record of no class, found header 's2 label'"),
    ({"m.fa": ">s1 0\nACGT\n>s2 -\nACGA\n>s3 0\nACGG\n"}, {"multi_label": True},
     "{m.fa}: every record that names a class names the same single class; a classifier needs at least two "
     "classes (records of no class, -, are not one)"),
    ({"m.fa": ">s1 -\nACGT\n>-\nACGA\n"}, {"multi_label": True},
     "{m.fa}: no record names a class (every header ends with -); multi-label headers end with class "
     "indices 0, 1, 2, ... (e.g. '>seq1 0,2')"),
    ({"m.fa": ">s1 0\nACGT\n>s2 0, -\nACGA\n"}, {"multi_label": True},
     "{m.fa}, record 2 ('s2'): multi-label headers must end with comma-separated class indices"),
    ({"pos.fa": ">p1\nACGT\n>p2\nACG\n", "neg.fa": ">n1\nACGT\n"}, {},
     "{pos.fa}, record 2 ('p2'): sequence length 3 differs from 4 ({pos.fa}, record 1 ('p1')); "
     "sequences must be equally long, or pass --length N"),
    ({"pos.fa": ">p1\nACGT\n", "neg.fa": ">n1\nAC\nGTA\n"}, {}, "{neg.fa}, record 1 ('n1'): sequence length 5"),
    ({"pos.fa": ">p1\nACGT\n>p2\n", "neg.fa": ">n1\nACGT\n"}, {}, "{pos.fa}, record 2 ('p2'): empty sequence"),
    ({"pos.fa": ">p1\nACGT\n", "neg.fa": ">n1\nACXT\n"}, {"alphabet": "dna"},
     "{neg.fa}, record 1 ('n1'): sequence character 'X' at position 3 is not in the dna alphabet"),
    ({"pos.fa": ">p1\nACG\n(.)\n", "neg.fa": ">n1\nACG\n(.\n"}, {"structure": "()."},
     "{neg.fa}, record 1 ('n1'): the structure line has 2 characters but the sequence has 3"),
    ({"pos.fa": ">p1\nACG\n(.)\n", "neg.fa": ">n1\nACG\n"}, {"structure": "()."},
     "{neg.fa}, record 1 ('n1'): expected three lines per record (header, sequence, structure)"),
    ({"pos.fa": ">p1\nACG\n(.)\n", "neg.fa": ">n1\n"}, {"structure": "()."}, "{neg.fa}, record 1 ('n1'): empty record"),
    ({"pos.fa": ">p1\nAC\n0.5 0\n0.5 1\n0 0\n", "neg.fa": ">n1\nAC\n0.5 0\n0.4 1\n0 0\n"},
     {"structure": "().", "structure_pwm": True},
     "{neg.fa}, record 1 ('n1'): structure PWM column 1 sums to 0.9"),
])
def test_load_dataset_input_errors(tmp_path, files, options, message):
    paths = {name: _write(tmp_path, name, text) for name, text in files.items()}
    for name, path in paths.items():
        message = message.replace("{" + name + "}", str(path))
    with pytest.raises(InputError, match="^" + re.escape(message)):
        load_dataset(list(paths.values()), **options)


@pytest.mark.parametrize("files, options, message", [
    ({"m.fa": ">s1 0\nACGT\n>s2 1\nACGT\n"}, {"multi_label": True, "class_names": ["a", "a"]},
     "--class-names must be distinct, received: a, a"),
    ({"a.fa": ">p1\nACGT\n", "a.fasta": ">n1\nACGT\n"}, {}, "class names (from the file names) must be distinct, "
                                                          "received: a, a; name the classes with --class-names"),
    ({"pos.fa": ">p1\nACGT\n", "neg.fa": ">n1\nACGT\n"}, {"class_names": ["x"]},
     "--class-names gives 1 name(s) for 2 FASTA file(s)"),
])
def test_load_dataset_class_name_errors(tmp_path, files, options, message):
    paths = [_write(tmp_path, name, text) for name, text in files.items()]
    with pytest.raises(ParamError, match="^" + re.escape(message)):
        load_dataset(paths, **options)


@pytest.mark.parametrize("paths, options, message", [
    ([], {}, "give at least one FASTA file"),
    (["-", "-"], {}, r"standard input \('-'\) can be read only once"),
    (["a.fa", "b.fa"], {"multi_label": True}, "--multi-label reads one FASTA file with labels in its headers, "
                                              "received 2"),
    (["a.fa", "b.fa"], {"structure_pwm": True}, "--structure-pwm needs --structure-alphabet"),
    (["a.fa", "b.fa"], {"structure": "dna"}, "--structure-alphabet expects the structure letters"),
])
def test_load_dataset_option_errors(tmp_path, paths, options, message):
    for name in paths:
        if name != "-":
            _write(tmp_path, name, ">s\nACGT\n")
    with pytest.raises(ParamError, match=message):
        load_dataset([tmp_path / name if name != "-" else name for name in paths], **options)


def test_a_file_given_twice_is_refused(tmp_path):
    # Two classes of the same records trained and reported a score (with --class-names a,b).
    a = _write(tmp_path, "a.fa", ">p1\nACGT\n>p2\nACGA\n")
    b = _write(tmp_path, "b.fa", ">n1\nTTGT\n")
    with pytest.raises(InputError, match="^" + re.escape(f"{a} is given twice: each FASTA file is one class")):
        load_dataset([a, b, a], class_names=["x", "y", "z"])
    link = tmp_path / "link.fa"
    link.symlink_to(a)
    with pytest.raises(InputError, match="^" + re.escape(f"{a} and {link} are the same file")):
        load_dataset([a, link], class_names=["x", "y"])
    with pytest.raises(InputError, match="^" + re.escape(f"{b} is given twice")):  # a class and --background
        load_dataset([a, b], background=str(b))


def test_missing_fasta_file_is_named(tmp_path):
    pos = _write(tmp_path, "pos.fa", ">p1\nACGT\n")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'nope.fa'}: no such file")):
        load_dataset([pos, tmp_path / "nope.fa"])


# -- names and headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("path, name", [
    ("pos.fa", "pos"), ("data/pos.fasta.gz", "pos"), ("CTCF.FA", "CTCF"), ("reads.fa.txt", "reads"),
    ("a.b.fna", "a.b"), ("peaks", "peaks"), (".fa", ".fa"), ("x.fa.gz.gz", "x"), ("-", "stdin"),
])
def test_class_name_from_path(path, name):
    assert class_name_from_path(path) == name


def test_a_class_named_after_a_pipe_of_the_shell_is_warned_of(caplog):
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert class_names_from_paths(["/dev/fd/63", "pos.fa", "/proc/self/fd/12"]) == ["63", "pos", "12"]
    assert [record.getMessage() for record in caplog.records] == [
        f"class {name!r} is named after {path}, a pipe (the shell's <(...)): name the classes with --class-names"
        for name, path in [("63", "/dev/fd/63"), ("12", "/proc/self/fd/12")]]


@pytest.mark.parametrize("header, expected", [
    ("s1 0,2", ("s1", [0, 2])),
    ("s1 some words 2,0,2", ("s1", [0, 2])),
    ("1", ("record_4", [1])),
    ("0,1,", ("record_4", [0, 1])),
    ("s1 0, 2", ("s1", [0, 2])),  # a space after a comma does not drop index 0
    ("s1 words 1, 0,  2", ("s1", [0, 1, 2])),
    ("0, 1", ("record_4", [0, 1])),
    # motifnet fold's energy after the first word is skipped; a first word is the id whatever it looks like
    ("0,2 mfe=-3.40", ("record_4", [0, 2])),
    ("s1 mfe=-3.40 0,2", ("s1", [0, 2])),
    ("mfe=-1 0", ("mfe=-1", [0])),
    # a record of no class ends with -
    ("s1 -", ("s1", [])),
    ("s1 bound by none -", ("s1", [])),
    ("-", ("record_4", [])),
    ("- mfe=-2.10", ("record_4", [])),
])
def test_parse_multi_label(header, expected):
    assert parse_multi_label(FastaRecord("m.fa", 4, header, [b"AC"]), 3) == expected


@pytest.mark.parametrize("header, n_classes, message", [
    ("s1", None, r"m\.fa, record 4 \('s1'\): multi-label headers must end with comma-separated class indices"),
    ("", None, r"record 4 \('record_4'\): multi-label headers must end"),
    ("s1 0;2", None, "found header 's1 0;2'"),
    ("s1 ,1", None, "found header 's1 ,1'"),
    ("s1 0 ,1", None, "found header 's1 0 ,1'"),
    ("s1 -1", None, "found header 's1 -1'"),
    ("s1 0,3", 3, r"class index 3 is out of range for 3 class names \(indices start at 0\)"),
    ("s1 0,2 -", None, r"m\.fa, record 4 \('s1'\): the header ends with class indices and - \(no class\), found "
                       r"header 's1 0,2 -'; give either"),
])
def test_parse_multi_label_errors(header, n_classes, message):
    with pytest.raises(InputError, match=message):
        parse_multi_label(FastaRecord("m.fa", 4, header, [b"AC"]), n_classes)


# -- per-sequence features ------------------------------------------------------------------------


def _three_records(tmp_path):
    return _pair(tmp_path, pos=">p1\nACGT\n>p2\nCCGG\n", neg=">n1\nTTTT\n")


def test_numeric_features_are_standardised_with_the_training_mean_and_std(tmp_path):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "#gc\tlength\n0.5\t10\n0.7\t20\n"),
                _write(tmp_path, "neg.tsv", "0.2\t30\n")]
    dataset = load_dataset(fasta, feature_files=features)
    assert dataset.features is None  # fixed only once the training records are known
    dataset.fit_features(np.array([0, 1]))
    spec = dataset.feature_spec
    assert spec.names == ["gc", "length"] and not spec.categorical and spec.width == 2
    np.testing.assert_allclose(spec.mean, [0.6, 15.0])
    np.testing.assert_allclose(spec.std, [0.1, 5.0])
    np.testing.assert_allclose(dataset.features, [[-1, -1], [1, 1], [-4, 3]], rtol=1e-5)
    assert dataset.features.dtype == np.float32


def test_constant_feature_keeps_a_standard_deviation_of_one(tmp_path):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "5\n5\n"), _write(tmp_path, "neg.tsv", "7\n")]
    dataset = load_dataset(fasta, feature_files=features)
    dataset.fit_features(np.array([0, 1]))
    assert dataset.feature_spec.names == ["feature_1"]
    assert dataset.feature_spec.std == [1.0]
    np.testing.assert_allclose(dataset.features, [[0], [0], [2]])


def test_categorical_features_are_one_hot_over_the_training_categories(tmp_path):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "b\tx\r\na\tx\r\n"), _write(tmp_path, "neg.tsv", "\na\ty\n\n")]
    dataset = load_dataset(fasta, feature_files=features, categorical_features=True)
    dataset.fit_features(np.array([0, 1, 2]))
    assert dataset.feature_spec.categories == [["a", "b"], ["x", "y"]]
    assert dataset.feature_spec.width == 4
    np.testing.assert_array_equal(dataset.features, [[0, 1, 1, 0], [1, 0, 1, 0], [1, 0, 0, 1]])
    restored = FeatureSpec.from_json(dataset.feature_spec.to_json())
    assert restored == dataset.feature_spec


def test_category_unseen_in_training_is_encoded_as_none_with_a_warning(tmp_path, caplog, monkeypatch):
    """A category only in validation/test records stopped training ('record 3: ... not seen in training'): the
    split, not the user, put it there."""
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "b\tx\na\tx\n"), _write(tmp_path, "neg.tsv", "a\ty\n")]
    dataset = load_dataset(fasta, feature_files=features, categorical_features=True)
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        caplog.clear()  # what loading logged
        dataset.fit_features(np.array([0, 1]))
    assert dataset.feature_spec.categories == [["a", "b"], ["x"]]
    np.testing.assert_array_equal(dataset.features, [[0, 1, 1], [1, 0, 1], [1, 0, 0]])
    assert set(caplog.messages) == {
        f"feature 'feature_2': 1 validation/test record(s) have a category no training record has ('y'; first: "
        f"{tmp_path / 'neg.fa'}, record 1 ('n1')); they are encoded as none of the known categories"}


def test_a_subset_names_its_records_by_file_and_number_as_read_and_keeps_unfitted_features(tmp_path):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "b\nc\n"), _write(tmp_path, "neg.tsv", "a\n")]
    subset = load_dataset(fasta, feature_files=features, categorical_features=True).subset(np.array([0, 2]))
    assert [subset.where(row) for row in (0, 1)] == [f"{fasta[0]}, record 1 ('p1')", f"{fasta[1]}, record 1 ('n1')"]
    assert subset.subset(np.array([1])).where(0) == f"{fasta[1]}, record 1 ('n1')"
    subset.fit_features(np.array([0, 1]))
    assert subset.feature_spec.categories == [["a", "b"]]
    np.testing.assert_array_equal(subset.features, [[0, 1], [1, 0]])


@pytest.mark.parametrize("pos_text, neg_text, bad_file, line", [
    ("#gc\tlength\n0.5\t1\nhigh\t2\n", "0.2\t3\n", "pos.tsv", 3),
    ("#gc\tlength\n0.5\t1\n0.7\t2\n", "high\t3\n", "neg.tsv", 1),     # record numbers restart per file
])
def test_non_numeric_feature_is_reported_with_file_and_line(tmp_path, pos_text, neg_text, bad_file, line):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", pos_text), _write(tmp_path, "neg.tsv", neg_text)]
    expected = (f"{tmp_path / bad_file}, line {line}: feature 'gc' value 'high' is not a number; "
                "use --categorical-features for categories")
    with pytest.raises(InputError, match="^" + re.escape(expected)):
        load_dataset(fasta, feature_files=features)


def test_non_numeric_feature_is_fine_as_a_category(tmp_path):
    fasta = _three_records(tmp_path)
    features = [_write(tmp_path, "pos.tsv", "high\nlow\n"), _write(tmp_path, "neg.tsv", "0.2\n")]
    dataset = load_dataset(fasta, feature_files=features, categorical_features=True)
    dataset.fit_features(np.array([0, 1, 2]))
    assert dataset.feature_spec.categories == [["0.2", "high", "low"]]


@pytest.mark.parametrize("pos_text, neg_text, message", [
    ("#gc\tlength\n0.5\t10\n0.7\n", "0.2\t30\n",
     r"{pos}, line 3: 1 column\(s\), expected 2 \(gc, length\)"),
    ("0.5\t10\n0.7\t20\n", "0.2\n", r"{neg}, line 1: 1 column\(s\), expected 2 \(feature_1, feature_2\)"),
    ("0.5\n", "0.2\n", r"{pos}: 1 feature line\(s\) but its FASTA file has 2 record\(s\); give one line per record"),
    ("0.5\n0.7\n", "0.2\n0.3\n", r"{neg}: 2 feature line\(s\) but its FASTA file has 1 record\(s\)"),
    ("#gc\n", "0.2\n", r"{pos}: 0 feature line\(s\) but its FASTA file has 2"),
    ("", "0.2\n", "{pos}: feature file has no lines"),
])
def test_feature_file_errors(tmp_path, pos_text, neg_text, message):
    fasta = _three_records(tmp_path)
    pos, neg = _write(tmp_path, "pos.tsv", pos_text), _write(tmp_path, "neg.tsv", neg_text)
    with pytest.raises(InputError, match=message.format(pos=re.escape(str(pos)), neg=re.escape(str(neg)))):
        load_dataset(fasta, feature_files=[pos, neg])


def test_one_feature_file_per_fasta_file(tmp_path):
    with pytest.raises(ParamError, match=r"give one feature file per FASTA file: 2 FASTA file\(s\), 1 feature"):
        load_dataset(_three_records(tmp_path), feature_files=[_write(tmp_path, "f.tsv", "1\n1\n")])


def test_missing_feature_file_is_named(tmp_path):
    missing = tmp_path / "missing.tsv"
    with pytest.raises(InputError, match=re.escape(f"{missing}: no such file")):
        load_dataset(_three_records(tmp_path), feature_files=[missing, missing])


# -- position-wise tracks -------------------------------------------------------------------------

POS_TRACK = ">p1\n1 2 3 4\n>p2 any description\n5 6\n7\t8\n"
NEG_TRACK = ">n1\n0 0 0 -1.5\n"


def _with_tracks(tmp_path, pos_track=POS_TRACK, neg_track=NEG_TRACK, **options):
    fasta = _three_records(tmp_path)
    _write(tmp_path, "pos.track", pos_track)
    _write(tmp_path, "neg.track", neg_track)
    track = ("cons", [tmp_path / "pos.track", tmp_path / "neg.track"])
    return load_dataset(fasta, tracks=[track], **options)


def test_tracks_become_extra_channels(tmp_path):
    dataset = _with_tracks(tmp_path)
    assert dataset.track_names == ["cons"] and dataset.channels == 5
    assert dataset.tracks.shape == (3, 4, 1) and dataset.tracks.dtype == np.float32
    np.testing.assert_array_equal(dataset.tracks[..., 0], [[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, -1.5]])


@pytest.mark.parametrize("length, expected", [
    (2, [[2, 3], [6, 7], [0, 0]]),
    (3, [[1, 2, 3], [5, 6, 7], [0, 0, 0]]),     # odd excess: the extra value is cut on the right
    (6, [[0, 1, 2, 3, 4, 0], [0, 5, 6, 7, 8, 0], [0, 0, 0, 0, -1.5, 0]]),
])
def test_tracks_are_cropped_and_padded_like_the_sequence(tmp_path, length, expected):
    dataset = _with_tracks(tmp_path, length=length)
    np.testing.assert_array_equal(dataset.tracks[..., 0], expected)
    sequence_positions = dataset.codes != 0
    np.testing.assert_array_equal(sequence_positions[0], np.array(expected[0]) != 0)


@pytest.mark.parametrize("pos_track, neg_track, message", [
    (POS_TRACK.replace(">p2", ">p3"), NEG_TRACK,
     "{pos}, record 2 ('p3'): track record id 'p3' does not match the sequence record 'p2'; "
     "track files must list the same records in the same order"),
    (POS_TRACK.replace("7\t8", "7"), NEG_TRACK,
     "{pos}, record 2 ('p2'): 3 track value(s) for a sequence of 4 positions; give one value per position"),
    (POS_TRACK, NEG_TRACK + ">n2\n1 1 1 1\n",
     "{neg}, record 2 ('n2'): the track file has more records than its FASTA file (1)"),
    (">p1\n1 2 3 4\n", NEG_TRACK, "{pos}: 1 track record(s) but the FASTA file has 2"),
    (POS_TRACK, ">n1\n0 0 x 0\n", "{neg}, record 1 ('n1'): track values must be numbers"),
    (POS_TRACK, "0 0 0 0\n", "{neg}: not a FASTA file"),
])
def test_track_errors(tmp_path, pos_track, neg_track, message):
    expected = message.format(pos=tmp_path / "pos.track", neg=tmp_path / "neg.track")
    with pytest.raises(InputError, match="^" + re.escape(expected)):
        _with_tracks(tmp_path, pos_track, neg_track)


def test_track_needs_one_file_per_fasta_file(tmp_path):
    fasta = _three_records(tmp_path)
    track = _write(tmp_path, "pos.track", POS_TRACK)
    with pytest.raises(ParamError, match=r"--track cons: give one file per FASTA file \(2\), received 1"):
        load_dataset(fasta, tracks=[("cons", [track])])


@pytest.mark.parametrize("tracks, message", [
    (["cons=a.wig"], "tracks are (name, [files]) pairs, received: 'cons=a.wig'"),
    ([("cons", "a.wig")], "tracks are (name, [files]) pairs, received: ('cons', 'a.wig')"),
    ([("", ["a.wig"])], "a track needs a name and at least one file"),
    ([("cons", [])], "a track needs a name and at least one file"),
    ([("cons", ["a"]), ("cons", ["c"])], "--track names must be distinct, received: cons, cons"),
])
def test_track_errors_in_python_values(tracks, message):
    with pytest.raises(ParamError) as raised:
        check_tracks(tracks)
    assert str(raised.value).startswith(message)


def test_check_tracks():
    assert check_tracks([(" cons ", ("a.txt", "b.txt")), ["acc", ["c.txt"]]]) == [("cons", ["a.txt", "b.txt"]),
                                                                                 ("acc", ["c.txt"])]


def test_model_inputs_join_one_hot_sequence_tracks_and_features(tmp_path):
    fasta = _three_records(tmp_path)
    _write(tmp_path, "pos.track", POS_TRACK)
    _write(tmp_path, "neg.track", NEG_TRACK)
    features = [_write(tmp_path, "pos.tsv", "1\n2\n"), _write(tmp_path, "neg.tsv", "3\n")]
    dataset = load_dataset(fasta, tracks=[("cons", [tmp_path / "pos.track", tmp_path / "neg.track"])],
                           feature_files=features)
    dataset.fit_features(np.array([0, 1, 2]))
    inputs = dataset.model_inputs(np.array([2, 0]))
    # n1 = TTTT with track 0 0 0 -1.5; p1 = ACGT with track 1 2 3 4
    np.testing.assert_array_equal(inputs["sequence"], [
        [[0, 0, 0, 1, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, -1.5]],
        [[1, 0, 0, 0, 1], [0, 1, 0, 0, 2], [0, 0, 1, 0, 3], [0, 0, 0, 1, 4]],
    ])
    np.testing.assert_allclose(inputs["features"], [[np.sqrt(1.5)], [-np.sqrt(1.5)]], rtol=1e-6)


def test_files_read_in_many_blocks_load_as_records_read_one_by_one(tmp_path, monkeypatch):
    import functools

    import motifnet.data.dataset
    import motifnet.data.letters
    from motifnet.data.encoding import Encoder
    from motifnet.data.fasta import iter_fasta_blocks, read_fasta

    rng = np.random.default_rng(5)
    files = []
    for name, count in (("pos.fa", 120), ("neg.fa", 90)):
        lines = []
        for i in range(count):
            sequence = "".join(rng.choice(list("ACGTN"), rng.integers(5, 40)))
            wrapped = "\n".join(sequence[j:j + 7] for j in range(0, len(sequence), 7))
            lines.append(f">{name[:3]}{i} record {i}\n{wrapped}")
        files.append(_write(tmp_path, name, "\n".join(lines) + "\n"))
    expected = load_dataset(files, length=30)
    # Blocks of 64 bytes and byte counts over 50 bytes at a time: every record boundary case occurs.
    small_blocks = functools.partial(iter_fasta_blocks, block_bytes=64)
    monkeypatch.setattr(motifnet.data.dataset, "iter_fasta_blocks", small_blocks)
    monkeypatch.setattr(motifnet.data.letters, "_COUNT_CHUNK_BYTES", 50)
    dataset = load_dataset(files, length=30)
    encoder = Encoder(DNA, 30, resize=True)
    one_by_one = np.concatenate([encoder.encode(list(read_fasta(path))).codes for path in files])
    for result in (expected, dataset):
        np.testing.assert_array_equal(result.codes, one_by_one)
        assert result.ids.tolist() == [f"pos{i}" for i in range(120)] + [f"neg{i}" for i in range(90)]
        assert result.labels[:, 0].sum() == 120 and result.sources.tolist() == [0] * 120 + [1] * 90
        assert result.encoder.alphabet is DNA

    files[1].write_text(files[1].read_text().replace(">neg57 record 57\n", ">neg57 record 57\nAC*\n"))
    with pytest.raises(InputError, match="^" + _where(files[1], 58, "neg57") + re.escape(": sequence character '*'")):
        load_dataset(files, length=30, alphabet="dna")


# -- saving ---------------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path):
    dataset = _with_tracks(tmp_path, length=6)
    path = tmp_path / "data.npz"
    dataset.save(path)
    restored = Dataset.load(path, {"data": dataset.describe()})
    for name in ("codes", "labels", "ids", "sources", "tracks"):
        np.testing.assert_array_equal(getattr(restored, name), getattr(dataset, name))
    assert restored.class_names == dataset.class_names and restored.track_names == ["cons"]
    assert restored.encoder.to_json() == dataset.encoder.to_json()
    subset = restored.subset(np.array([2, 0]))
    assert subset.ids.tolist() == ["n1", "p1"] and subset.tracks.shape == (2, 6, 1)


def test_complement_channels_of_a_data_set_and_what_its_input_is():
    from motifnet.data.encoding import Encoder

    def data(alphabet, tracks=()):
        n = 2
        return Dataset(Encoder(alphabet, 5), np.ones((n, 5), dtype=np.uint8), np.eye(2, dtype=np.uint8),
                       np.array(["a", "b"]), np.zeros(n, dtype=np.int32), ["x", "y"], False, [],
                       tracks=np.zeros((n, 5, len(tracks)), dtype=np.float32) if tracks else None,
                       track_names=list(tracks))

    assert data(DNA).complement_channels == (3, 2, 1, 0)
    # A track has no complement: a stranded signal would need the other strand's track.
    assert data(DNA, ["phylop"]).complement_channels is None
    assert data(DNA, ["phylop"]).describe_input() == "dna (ACGT, ambiguity codes RYSWKMBDHVN) with tracks phylop"
    assert data(PROTEIN).complement_channels is None
    assert data(PROTEIN).describe_input().startswith("protein (ACDEFGHIKLMNPQRSTVWY")


def test_only_dna_is_double_stranded(tmp_path):
    # strand 'auto' reads both strands where a motif may sit on either: DNA, not RNA (single-stranded).
    from helpers import write_fasta

    def dataset(letters, **options):
        rng = np.random.default_rng(0)
        files = [write_fasta(tmp_path / f"{letters}{name}.fa", [(f"{name}{i}", "".join(rng.choice(list(letters), 12)))
                                                                for i in range(4)]) for name in "ab"]
        return load_dataset(files, **options)

    dna, rna, protein = dataset("ACGT"), dataset("ACGU"), dataset("ACDEFGHIKLMNPQRSTVWY", alphabet="protein")
    assert dna.double_stranded and dna.complement_channels == (3, 2, 1, 0)
    assert not rna.double_stranded and rna.complement_channels == (3, 2, 1, 0)
    assert not protein.double_stranded and protein.complement_channels is None


def test_protein_detected_from_a_handful_of_letters_is_warned_about(tmp_path, caplog, monkeypatch):
    """A custom alphabet of four letters (XYZW) was read as protein, X and Z as ambiguity codes, without a word."""
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    rng = np.random.default_rng(0)
    files = [write_fasta(tmp_path / f"{name}.fa", [(f"{name}{i}", "".join(rng.choice(list("XYZW"), 30)))
                                                  for i in range(10)]) for name in ("a", "b")]
    dataset = load_dataset([str(path) for path in files])
    assert dataset.encoder.alphabet.name == "protein"
    assert {message for message in caplog.messages if "letters" in message} == {
        "the records use 4 letters (WXYZ), read as protein (the 20 amino acids and their ambiguity codes); if they "
        "are the letters of an alphabet of your own, pass --alphabet WXYZ"}
    caplog.clear()
    proteins = [write_fasta(tmp_path / f"p{name}.fa", [(f"p{name}{i}", "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"),
                                                                                          30))) for i in range(10)])
                for name in ("a", "b")]
    load_dataset([str(path) for path in proteins])
    assert not [message for message in caplog.messages if "letters (" in message]


@pytest.mark.parametrize("spec, warning", [
    ("TGCA", "--alphabet TGCA: a custom alphabet of DNA's letters in another order: the network reads one strand "
             "(strand auto) and refuses N and the other IUPAC codes; --alphabet dna reads both strands and N as any "
             "base"),
    ("ACGTN", "--alphabet ACGTN: a custom alphabet in which N is a letter of its own: the network reads one strand "
              "(strand auto) and refuses IUPAC codes that are not its letters; --alphabet dna reads both strands and N "
              "as any base"),
    ("ugca", "--alphabet ugca: a custom alphabet of RNA's letters in another order: the network refuses N and the "
             "other IUPAC codes; --alphabet rna reads N as any base"),
    ("ACGT", None), ("dna", None), ("ACGTRY", "--alphabet ACGTRY: a custom alphabet in which R, Y are letters of its "
                                              "own"),
    ("ACDEFGHIKLMNPQRSTVWY", None),  # protein's letters typed out hold A, C, G and T too: "--alphabet dna reads ..."
])
def test_dna_letters_reordered_or_extended_as_a_custom_alphabet_are_warned_about(tmp_path, caplog, monkeypatch,
                                                                                spec, warning):
    """--alphabet TGCA gave a custom alphabet, one strand and N refused, without a word."""
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    letters = "ACGU" if spec == "ugca" else "ACGT"
    files = [write_fasta(tmp_path / f"{name}.fa", [(f"{name}{i}", letters[shift:] + letters[:shift])
                                                  for i in range(5)]) for shift, name in enumerate("ab")]
    load_dataset([str(path) for path in files], alphabet=spec)
    found = [message for message in caplog.messages if message.startswith("--alphabet")]
    assert (found[:1] == [] if warning is None else found[0].startswith(warning)), found
    caplog.clear()  # later commands read data with the model's own letters: no warning (it came with each)
    load_dataset([str(path) for path in files], alphabet=spec, for_model=True, model_length=4)
    assert not [message for message in caplog.messages if message.startswith("--alphabet")]


def test_a_single_file_that_does_not_exist_is_named_as_missing(tmp_path):
    # it was told "one FASTA file means a single class", which hid the typo
    for name in ("missing.fa", "missing.fa.gz"):
        with pytest.raises(InputError, match=rf"^{re.escape(str(tmp_path / name))}: no such file$"):
            load_dataset([str(tmp_path / name)])


def test_first_repeat_names_the_first_later_record_whose_key_came_before():
    from motifnet.data.dataset import first_repeat

    assert first_repeat([5, 3, 9, 3, 5, 3]) == (1, 3, 2)  # 3 at 1 comes back at 3; 3 and 5 repeat
    assert first_repeat(np.array(["b", "a", "c"])) is None and first_repeat([7]) is None and first_repeat([]) is None
    assert first_repeat(np.array([2**62, -1, 2**62], dtype=np.int64)) == (0, 2, 1)
