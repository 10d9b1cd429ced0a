"""Tests for motifnet.data.encoding: compact codes, one-hot input, crop/pad and structure encodings."""

import numpy as np
import pytest

from motifnet.data.alphabets import DNA, PROTEIN, RNA, get_alphabet, structure_alphabet
from motifnet.data.encoding import Encoder, fit_length
from motifnet.data.fasta import FastaRecord
from motifnet.errors import InputError, ParamError

A, C, G, T = np.eye(4, dtype=np.float32)
PAD = np.zeros(4, dtype=np.float32)
DOT_BRACKET = structure_alphabet("().")


def _records(*bodies):
    """Records named s1, s2, ... from bodies given as one string per line."""
    return [FastaRecord("test.fa", number, f"s{number} description", [line.encode() for line in lines])
            for number, lines in enumerate(bodies, start=1)]


def _one_hot(encoder, *bodies):
    encoded = encoder.encode(_records(*bodies))
    return encoder.one_hot(encoded.codes, encoded.structure)


def test_dna_one_hot_with_iupac_codes():
    x = _one_hot(Encoder(DNA, 7), ["ACGTNRY"])
    expected = np.array([[A, C, G, T, [0.25] * 4, [0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5]]], dtype=np.float32)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, expected)


def test_every_dna_ambiguity_code_is_the_even_distribution_over_its_letters():
    x = _one_hot(Encoder(DNA, 11), ["RYSWKMBDHVN"])[0]
    for row, code in zip(x, "RYSWKMBDHVN"):
        members = DNA.ambiguity[code]
        expected = [1 / len(members) if letter in members else 0.0 for letter in "ACGT"]
        np.testing.assert_allclose(row, expected, rtol=1e-6)
    np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=1e-6)


def test_lowercase_input_encodes_like_uppercase():
    encoder = Encoder(DNA, 6)
    np.testing.assert_array_equal(encoder.encode(_records(["acgtnr"])).codes,
                                  encoder.encode(_records(["ACGTNR"])).codes)


def test_codes_are_small_integers_with_zero_for_padding():
    encoded = Encoder(DNA, 5).encode(_records(["ACGTN"]))
    assert encoded.codes.dtype == np.uint8
    np.testing.assert_array_equal(encoded.codes, [[1, 2, 3, 4, 15]])
    assert encoded.ids == ["s1"]
    assert encoded.headers == ["s1 description"]
    assert encoded.structure is None


def test_multi_line_records_are_one_sequence():
    np.testing.assert_array_equal(_one_hot(Encoder(DNA, 4), ["AC", "GT"]), [[A, C, G, T]])


def test_protein_with_x_and_b():
    x = _one_hot(Encoder(PROTEIN, 3), ["AXB"])[0]
    expected = np.zeros((3, 20), dtype=np.float32)
    expected[0, 0] = 1.0                       # A
    expected[1, :] = 1 / 20                    # X: any amino acid
    expected[2, [2, 11]] = 0.5                 # B: D or N
    np.testing.assert_allclose(x, expected, rtol=1e-6)


def test_rna_one_hot():
    x = _one_hot(Encoder(RNA, 5), ["ACGUN"])[0]
    np.testing.assert_array_equal(x, [A, C, G, T, [0.25] * 4])


def test_rna_refuses_t():
    with pytest.raises(InputError, match=r"sequence character 'T' at position 2 is not in the rna alphabet"):
        Encoder(RNA, 2).encode(_records(["UT"]))


def test_custom_alphabet():
    x = _one_hot(Encoder(get_alphabet("xyz"), 4), ["XzyX"])[0]
    np.testing.assert_array_equal(x, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]])


def test_case_sensitive_custom_alphabet_refuses_the_other_case():
    encoder = Encoder(get_alphabet("aB"), 2)
    np.testing.assert_array_equal(_one_hot(encoder, ["Ba"])[0], [[0, 1], [1, 0]])
    with pytest.raises(InputError, match="character 'A' at position 1"):
        encoder.encode(_records(["AB"]))


@pytest.mark.parametrize("values, length, expected", [
    ([1, 2, 3, 4], 4, [1, 2, 3, 4]),
    ([1, 2, 3, 4, 5, 6], 4, [2, 3, 4, 5]),          # even excess: one off each side
    ([1, 2, 3, 4, 5, 6], 3, [2, 3, 4]),             # odd excess: the extra one is cut on the right
    ([1, 2, 3, 4, 5], 2, [2, 3]),
    ([1, 2], 4, [0, 1, 2, 0]),                      # even padding: one zero each side
    ([1, 2], 5, [0, 1, 2, 0, 0]),                   # odd padding: the extra zero goes right
    ([1], 4, [0, 1, 0, 0]),
])
def test_fit_length(values, length, expected):
    result = fit_length(np.array(values, dtype=np.int32), length)
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, expected)


def test_fit_length_keeps_trailing_axes():
    array = np.arange(6, dtype=np.float32).reshape(3, 2) + 1
    np.testing.assert_array_equal(fit_length(array, 5), [[0, 0], [1, 2], [3, 4], [5, 6], [0, 0]])
    np.testing.assert_array_equal(fit_length(array, 1), [[3, 4]])


def test_resize_crops_the_centre_and_pads_with_zero_rows():
    encoder = Encoder(DNA, 4, resize=True)
    x = _one_hot(encoder, ["AACGTT"], ["ACGTAGC"], ["GT"], ["C"])
    np.testing.assert_array_equal(x, [
        [A, C, G, T],           # AACGTT: one letter off each end
        [C, G, T, A],           # ACGTAGC: odd excess, two cut on the right
        [PAD, G, T, PAD],
        [PAD, C, PAD, PAD],     # odd padding: the extra padding row goes right
    ])


def test_without_resize_a_different_length_is_an_error():
    with pytest.raises(InputError, match=r"test\.fa, record 2 \('s2'\): sequence length 3 differs from 4; "
                                         r"sequences must be equally long, or pass --length N"):
        Encoder(DNA, 4).encode(_records(["ACGT"], ["ACG"]))


def test_for_model_encoder_explains_the_model_constraint():
    encoder = Encoder(DNA, 4)
    encoder.for_model = True
    with pytest.raises(InputError, match="the model takes this length only"):
        encoder.encode(_records(["ACG"]))
    with pytest.raises(InputError, match="the model was trained on this alphabet"):
        encoder.encode(_records(["ACGX"]))
    with pytest.raises(InputError, match="'U' at position 4 is not in the dna alphabet .*; this record looks like "
                                         "RNA and the model was trained on DNA: write U as T$"):
        encoder.encode(_records(["ACGU"]))


@pytest.mark.parametrize("alphabet, sequence, message", [
    (DNA, "ACGU", r"'U' at position 4 is not in the dna alphabet \(allowed: ACGTRYSWKMBDHVN\); this record looks like "
                  r"RNA: give every file in one alphabet \(write U as T\), or choose --alphabet$"),
    (DNA, "ACGu", r"'u' at position 4 .*this record looks like RNA: give every file in one alphabet \(write U as T\), "
                  r"or choose --alphabet$"),
    (RNA, "ACGT", r"'T' at position 4 is not in the rna alphabet \(allowed: ACGURYSWKMBDHVN\); this record looks "
                  r"like DNA: give every file in one alphabet \(write T as U\), or choose --alphabet$"),
    # protein: "the model was trained on this alphabet; give data of the same kind", of protein data
    (PROTEIN, "MKUV", r"'U' at position 3 is not in the protein alphabet \(allowed: ACDEFGHIKLMNPQRSTVWYBZJX\); U is "
                      "selenocysteine: write it as C$"),
    (PROTEIN, "MKVo", r"'o' at position 4 .*; O is pyrrolysine: write it as K$"),
    (PROTEIN, "MKV*", r"'\*' at position 4 .*; a '\*' ending a record is a stop codon: remove it$"),
])
def test_dna_and_rna_mixed_says_so(alphabet, sequence, message):
    with pytest.raises(InputError, match=message):
        Encoder(alphabet, 4).encode(_records([sequence]))


@pytest.mark.parametrize("lines, message", [
    (["ACGTX"], r"sequence character 'X' at position 5 is not in the dna alphabet \(allowed: ACGTRYSWKMBDHVN\); "
                "fix the record or choose --alphabet"),
    (["ACG", "T-A"], r"sequence character '-' at position 5"),          # positions count across lines
    (["AC GT"], r"sequence character ' ' at position 3"),
    (["ACG\u00e9T"], r"sequence character '\u00e9' at position 4"),  # it was 'Ã', the first of its two bytes
    ([b"ACG\xe9T"], r"sequence character byte 0xe9 \(not UTF-8 text\) at position 4"),
    ([], "empty sequence"),
])
def test_sequence_errors_name_file_record_and_position(lines, message):
    records = [FastaRecord("data/pos.fa", 2, "seq7", [line if isinstance(line, bytes) else line.encode()
                                                      for line in lines])]
    with pytest.raises(InputError, match=r"^data/pos\.fa, record 2 \('seq7'\): " + message):
        Encoder(DNA, 5, resize=True).encode(records)


def test_sequence_and_structure_letters_use_the_product_alphabet():
    encoder = Encoder(DNA, 2, structure=DOT_BRACKET, structure_mode="letters")
    assert encoder.channels == 12
    assert encoder.channel_names[:4] == ["A|(", "A|)", "A|.", "C|("]
    x = _one_hot(encoder, ["AC", "(."])
    expected = np.zeros((1, 2, 12), dtype=np.float32)
    expected[0, 0, 0 * 3 + 0] = 1.0     # A with '('
    expected[0, 1, 1 * 3 + 2] = 1.0     # C with '.'
    np.testing.assert_array_equal(x, expected)


def test_product_alphabet_channel_is_sequence_index_times_structure_letters_plus_structure_index():
    encoder = Encoder(DNA, 12, structure=DOT_BRACKET, structure_mode="letters")
    sequence, structure = "AAACCCGGGTTT", "().().().()."
    x = _one_hot(encoder, [sequence, structure])[0]
    expected = np.zeros((12, 12), dtype=np.float32)
    for position, (letter, fold) in enumerate(zip(sequence, structure)):
        expected[position, "ACGT".index(letter) * 3 + "().".index(fold)] = 1.0
    np.testing.assert_array_equal(x, expected)


def test_product_alphabet_spreads_ambiguity_codes_and_pads_with_zeros():
    encoder = Encoder(DNA, 4, resize=True, structure=DOT_BRACKET, structure_mode="letters")
    x = _one_hot(encoder, ["NG", ".)"])[0]
    expected = np.zeros((4, 12), dtype=np.float32)
    expected[1, [2, 5, 8, 11]] = 0.25   # N with '.'
    expected[2, 2 * 3 + 1] = 1.0        # G with ')'
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("structure_line", ["((..)) (-3.40)", "((..))  ( -12.5 )", "((..)) (0)", "((..))"])
def test_structure_line_may_end_with_an_energy(structure_line):
    encoder = Encoder(RNA, 6, structure=DOT_BRACKET, structure_mode="letters")
    x = _one_hot(encoder, ["GGAACC", structure_line])[0]
    assert x.argmax(axis=1).tolist() == [2 * 3 + 0, 2 * 3 + 0, 0 * 3 + 2, 0 * 3 + 2, 1 * 3 + 1, 1 * 3 + 1]


@pytest.mark.parametrize("lines, message", [
    (["ACG", "(.)", "..."], r"expected three lines per record \(header, sequence, structure\), found 3 line\(s\) "
                            r"after the header; --structure-alphabet reads records of three lines"),
    (["ACG"], r"expected three lines per record .* found 1 line\(s\) after the header"),
    (["ACG", "(."], "the structure line has 2 characters but the sequence has 3"),
    (["ACG", "(.)(-1.0)"], "the structure line has 9 characters"),   # an energy needs a space before it
    (["ACG", "(x)"], r"structure character 'x' at position 2 is not in the structure alphabet '\(\)\.'; "
                     "fix the record or --structure-alphabet"),
])
def test_structure_letter_errors(lines, message):
    encoder = Encoder(DNA, 3, structure=DOT_BRACKET, structure_mode="letters")
    with pytest.raises(InputError, match=r"^test\.fa, record 1 \('s1'\): " + message):
        encoder.encode(_records(lines))


def test_a_profile_read_as_structure_letters_names_structure_pwm():
    # fold --format profile's six rows of numbers, given to --structure-alphabet FHIMST without --structure-pwm,
    # were refused as records of three lines alone.
    encoder = Encoder(RNA, 3, structure=structure_alphabet("FHIMST"), structure_mode="letters")
    rows = ["1 0.5 0", "0 0.25 0", "0 0.25 1", "0 0 0", "0 0 0", "0 0 0"]
    with pytest.raises(InputError, match=r"found 7 line\(s\) after the header; its lines after the sequence hold "
                                         r"numbers: a structure profile \(motifnet fold --format profile\), which "
                                         "--structure-pwm reads$"):
        encoder.encode(_records(["ACG", *rows]))
    with pytest.raises(InputError, match="--structure-alphabet reads records of three lines$"):  # not numbers
        encoder.encode(_records(["ACG", "FFF", "SSS", "III", "MMM", "HHH", "TTT"]))


def test_plain_records_for_a_structure_model_say_to_fold_them():
    # It named --structure-alphabet, an option of train, not of the command that read them for a model.
    encoder = Encoder(DNA, 3, structure=DOT_BRACKET, structure_mode="letters")
    encoder.for_model = True
    with pytest.raises(InputError, match=r"found 1 line\(s\) after the header; the model was trained on sequence "
                                         r"and structure letters '\(\)\.': fold plain FASTA with motifnet fold "
                                         "--format dotbracket first$"):
        encoder.encode(_records(["ACG"]))
    other = Encoder(DNA, 3, structure=structure_alphabet("LP"), structure_mode="letters")  # not motifnet fold's
    other.for_model = True
    with pytest.raises(InputError, match=r"the model was trained on sequence and structure letters 'LP'$"):
        other.encode(_records(["ACG"]))


PWM_BODY = ["AC", "0.2 0.0", "0.3 1.0", "0.5 0.0"]


def test_structure_pwm_is_the_outer_product_of_sequence_and_structure_probabilities():
    encoder = Encoder(DNA, 2, structure=DOT_BRACKET, structure_mode="pwm")
    encoded = encoder.encode(_records(PWM_BODY))
    np.testing.assert_allclose(encoded.structure, [[[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]])
    x = encoder.one_hot(encoded.codes, encoded.structure)
    expected = np.stack([np.outer(A, [0.2, 0.3, 0.5]).ravel(), np.outer(C, [0.0, 1.0, 0.0]).ravel()])
    np.testing.assert_allclose(x, expected[None], rtol=1e-6)
    assert x.shape == (1, 2, 12)


def test_structure_pwm_is_padded_like_the_sequence():
    encoder = Encoder(DNA, 4, resize=True, structure=DOT_BRACKET, structure_mode="pwm")
    encoded = encoder.encode(_records(PWM_BODY))
    np.testing.assert_allclose(encoded.structure[0], [[0, 0, 0], [0.2, 0.3, 0.5], [0, 1, 0], [0, 0, 0]])
    x = encoder.one_hot(encoded.codes, encoded.structure)[0]
    assert not x[0].any() and not x[3].any()
    np.testing.assert_allclose(x[1], np.outer(A, [0.2, 0.3, 0.5]).ravel(), rtol=1e-6)


@pytest.mark.parametrize("lines, message", [
    (["AC", "0.2 0.0", "0.3 1.0", "0.4 0.0"], r"structure PWM column 1 sums to 0\.9; every column must hold "
                                              "non-negative probabilities summing to 1"),
    (["AC", "0.2 0.1", "0.3 1.0", "0.5 0.0"], r"structure PWM column 2 sums to 1\.1"),
    (["AC", "1.2 0.0", "-0.2 1.0", "0.0 0.0"], "structure PWM column 1 sums to 1;"),
    # a NaN passed (every comparison with it is false) and made the trained network's weights NaN
    (["AC", "0.2 0.0", "0.3 nan", "0.5 0.0"], "structure PWM column 2 holds nan; every column must hold "
                                              "non-negative probabilities"),
    (["AC", "0.2 0.0", "inf 1.0", "0.5 0.0"], "structure PWM column 1 holds inf;"),
    (["AC", "0.2 0.0", "0.8 1.0"], r"expected the sequence line and 3 structure rows \(one per letter of "
                                   r"'\(\)\.'\) with --structure-pwm, found 3 line\(s\) after the header"),
    (["AC", "0.2 0.0", "0.3 one", "0.5 0.0"], "structure PWM rows must hold numbers"),
    (["AC", "0.2 0.0 0", "0.3 1.0 0", "0.5 0.0 1"], r"structure PWM rows have \[3\] values but the sequence "
                                                    "has 2 positions"),
    (["AC", "0.2 0.0", "0.3", "0.5 0.0"], r"structure PWM rows have \[1, 2\] values"),
])
def test_structure_pwm_errors(lines, message):
    encoder = Encoder(DNA, 2, structure=DOT_BRACKET, structure_mode="pwm")
    with pytest.raises(InputError, match=r"^test\.fa, record 1 \('s1'\): " + message):
        encoder.encode(_records(lines))


@pytest.mark.parametrize("kwargs, message", [
    ({"structure": DOT_BRACKET, "structure_mode": "both"}, "structure mode must be one of"),
    ({"structure": DOT_BRACKET}, "a structure alphabet and a structure mode go together"),
    ({"structure_mode": "letters"}, "a structure alphabet and a structure mode go together"),
    ({"length": 0}, "--length must be a positive number of positions, at most 1,000,000, received: 0"),
    # NumPy's "Maximum allowed dimension exceeded" traceback
    ({"length": 10**20}, "--length must be a positive number of positions, at most 1,000,000, received: 10{20}"),
])
def test_encoder_option_errors(kwargs, message):
    arguments = {"alphabet": DNA, "length": 4, **kwargs}
    with pytest.raises(ParamError, match=message):
        Encoder(**arguments)


@pytest.mark.parametrize("encoder", [
    Encoder(DNA, 5, resize=True),
    Encoder(get_alphabet("aB"), 3),
    Encoder(PROTEIN, 8, structure=structure_alphabet("FHIMST"), structure_mode="letters"),
    Encoder(RNA, 6, structure=DOT_BRACKET, structure_mode="pwm"),
])
def test_json_round_trip_keeps_the_code_table(encoder):
    restored = Encoder.from_json(encoder.to_json())
    assert restored.to_json() == encoder.to_json()
    np.testing.assert_array_equal(restored.code_table, encoder.code_table)
    assert restored.channels == encoder.channels


def test_protein_with_structure_codes_fit_in_one_byte():
    encoder = Encoder(PROTEIN, 8, resize=True, structure=structure_alphabet("FHIMST"), structure_mode="letters")
    assert encoder.channels == 20 * 6
    assert encoder.code_dtype == np.uint8
    x = _one_hot(encoder, ["ACXW", "FHIM"])[0]
    assert x.shape == (8, 120)
    np.testing.assert_allclose(x.sum(axis=1), [0, 0, 1, 1, 1, 1, 0, 0], rtol=1e-6)
    assert x[2, 0 * 6 + 0] == 1.0 and x[3, 1 * 6 + 1] == 1.0
    np.testing.assert_allclose(x[4].reshape(20, 6)[:, 2], 1 / 20, rtol=1e-6)


def test_reversing_and_permuting_by_the_complement_channels_gives_the_reverse_complement():
    encoder = Encoder(DNA, 7)
    assert encoder.complement_channels == (3, 2, 1, 0)
    record = FastaRecord("f.fa", 1, "s", [b"AACGRTN"])
    forward = encoder.one_hot(encoder.encode([record]).codes)[0]
    reverse = encoder.one_hot(encoder.encode([FastaRecord("f.fa", 1, "r", [b"NAYCGTT"])]).codes)[0]
    np.testing.assert_array_equal(forward[::-1][:, list(encoder.complement_channels)], reverse)
    assert Encoder(RNA, 5).complement_channels == (3, 2, 1, 0)
    assert Encoder(PROTEIN, 5).complement_channels is None
    assert Encoder(RNA, 5, structure=structure_alphabet("()."), structure_mode="letters").complement_channels is None
    assert Encoder(RNA, 5, structure=structure_alphabet("()."), structure_mode="letters").describe_input() \
        == "rna (ACGU, ambiguity codes RYSWKMBDHVN) with structure letters '().'"


@pytest.mark.parametrize("line, named", [
    (b"AC\xc3\xa9GT", "sequence character '\u00e9' at position 3 is not a letter; give"),  # UTF-8 e-acute
    (b"AC\xce\xb1GT", "sequence character '\u03b1' at position 3 is not a letter; give"),  # UTF-8 alpha
    (b"AC\xe9GT", "sequence character byte 0xe9 \\(not UTF-8 text\\) at position 3 is not a letter; give"),  # Latin-1
    (b"AC@GT", "sequence character '@' at position 3 is not a letter; give"),
    (b"AC7GT", "sequence character '7' at position 3 is not a letter \\(a position number of a GenBank-style"),
])
def test_a_character_that_is_no_letter_is_named_as_written(line, named):
    """An accented or Greek letter was named by the first byte of its UTF-8 form ('\u00c3' for '\u00e9'), with the
    GenBank hint meant for digits. (A record of the model's length is named by the alphabet's check.)"""
    encoder = Encoder(DNA, 4)
    encoder.for_model = True
    with pytest.raises(InputError, match=f"test.fa, record 1 \\('s1'\\): {named}"):
        encoder.encode([FastaRecord("test.fa", 1, "s1", [line])])


@pytest.mark.parametrize("structure", [False, True])
def test_a_character_that_is_no_letter_is_named_not_taken_for_a_length_difference(structure):
    """A GenBank-style position number ('1 ACGT...') made a model's commands say 'sequence length 5 differs from 4'."""
    letters = structure_alphabet("().") if structure else None
    encoder = Encoder(DNA, 4, structure=letters, structure_mode="letters" if structure else None)
    encoder.for_model = True
    lines = ["1ACGT", "((..)"] if structure else ["1ACGT"]
    with pytest.raises(InputError, match="test.fa, record 1 \\('s1'\\): sequence character '1' at position 1 is not a "
                                         "letter"):
        encoder.encode(_records(lines))
    with pytest.raises(InputError, match="sequence length 5 differs from 4"):  # letters only: the length is named
        encoder.encode(_records(["AACGT", "((..)"] if structure else ["AACGT"]))


def test_holds_letters_marks_the_letters_of_a_padded_record_and_ignores_feature_channels():
    codes = Encoder(DNA, 5).encode(_records(["ACNGT"])).codes  # N: an ambiguity code, a letter
    padded = np.stack([fit_length(codes[0], 8)])
    encoder = Encoder(DNA, 8)
    inputs = np.concatenate([encoder.one_hot(padded), np.ones((1, 8, 2), dtype=np.float32)], axis=-1)  # 2 tracks
    np.testing.assert_array_equal(encoder.holds_letters(inputs), [[False, True, True, True, True, True, False, False]])
    np.testing.assert_array_equal(encoder.holds_letters(inputs[0]), padded[0] != 0)


def test_a_cropping_model_warns_once_of_records_far_longer_than_it_reads(monkeypatch):
    """predict on a --length 200 model gave one prediction per 50 Mb chromosome, of its central 200 letters,
    without a word."""
    import motifnet.data.encoding as encoding

    warned = []  # the module's own logger, not caplog: a handler other tests left on it would count a line twice
    monkeypatch.setattr(encoding.log, "warning", lambda message, *args: warned.append(message % args))
    encoder = Encoder(DNA, 10, resize=True)
    encoder.for_model = True
    where = "s{}".format
    encoder.encode_sequences([b"ACGT" * 25, b"ACGT" * 5], where)  # 100 letters: ten times, as training may cut
    assert warned == []
    codes = encoder.encode_sequences([b"AC" * 3, b"A" + b"ACGT" * 25, b"C" * 500], where)
    encoder.encode_sequences([b"C" * 500], where)  # once a command
    assert warned == [
        "s1 has 101 letters, and the model reads the central 10 of a record (it was trained with --length 10): cut "
        "long sequences into windows of that length (e.g. bedtools makewindows and getfasta) to read all of them, or "
        "find motif sites with motifnet scan"]
    assert codes.shape == (3, 10)  # read all the same
    Encoder(DNA, 10, resize=True).encode_sequences([b"C" * 500], where)  # training's own reading: cropping asked for
    assert len(warned) == 1
