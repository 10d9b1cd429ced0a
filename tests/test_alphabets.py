"""Tests for motifnet.data.alphabets: named and custom alphabets, and detection from data."""

from collections import Counter

import pytest

from motifnet.data.alphabets import DNA, PROTEIN, RNA, Alphabet, detect_alphabet, get_alphabet, structure_alphabet
from motifnet.errors import ParamError


def _counts(*sequences):
    return Counter("".join(sequences).upper())


@pytest.mark.parametrize("spec, expected", [
    ("dna", DNA), ("DNA", DNA), (" Rna ", RNA), ("protein", PROTEIN),
])
def test_named_alphabets(spec, expected):
    assert get_alphabet(spec) is expected


def test_named_alphabet_letters_and_symbols():
    assert DNA.letters == "ACGT"
    assert DNA.symbols == "ACGTRYSWKMBDHVN"
    assert RNA.letters == "ACGU"
    assert RNA.ambiguity["N"] == "ACGU"
    assert RNA.ambiguity["R"] == "AG"
    assert RNA.ambiguity["W"] == "AU"
    assert PROTEIN.letters == "ACDEFGHIKLMNPQRSTVWY"
    assert PROTEIN.symbols == "ACDEFGHIKLMNPQRSTVWYBZJX"


@pytest.mark.parametrize("spec, letters, case_sensitive", [
    ("XYZ", "XYZ", False),
    ("xyz", "XYZ", False),      # lower-case letters match either case
    ("aB", "aB", True),         # mixed case keeps case
    ("01", "01", False),
    ("().", "().", False),
])
def test_custom_alphabets(spec, letters, case_sensitive):
    alphabet = get_alphabet(spec)
    assert (alphabet.name, alphabet.letters, alphabet.ambiguity, alphabet.case_sensitive) == (
        "custom", letters, {}, case_sensitive)


@pytest.mark.parametrize("spec, message", [
    ("", "needs at least one letter"),
    ("ACA", "must be distinct, received: 'ACA'"),
    ("A C", "contains unusable characters ' '"),
    ("A>C", "contains unusable characters '>'"),
    ("Aé", "must use ASCII characters only"),
    (None, "no alphabet given"),
])
def test_invalid_alphabets(spec, message):
    with pytest.raises(ParamError, match=message):
        get_alphabet(spec)


def test_structure_alphabet():
    alphabet = structure_alphabet("FHIMST")
    assert (alphabet.name, alphabet.letters, alphabet.ambiguity) == ("structure", "FHIMST", {})
    assert structure_alphabet("().").letters == "()."


def test_structure_alphabet_refuses_a_named_alphabet():
    with pytest.raises(ParamError, match=r"--structure-alphabet expects the structure letters.*received: 'dna'"):
        structure_alphabet("dna")


@pytest.mark.parametrize("alphabet", [DNA, PROTEIN, get_alphabet("aB"), structure_alphabet("().")])
def test_json_round_trip(alphabet):
    assert Alphabet.from_json(alphabet.to_json()) == alphabet


def test_describe():
    assert get_alphabet("XYZ").describe() == "custom (XYZ)"
    assert DNA.describe() == "dna (ACGT, ambiguity codes RYSWKMBDHVN)"


@pytest.mark.parametrize("sequences, expected", [
    (["ACGTACGTTT", "acgtgg"], DNA),
    (["ACGUACGUUU", "GGCA"], RNA),
    (["NNNNNNNNNNNNNNNNNNNN", "NNNNNNNNNNNNNNNNNACT"], DNA),   # N-heavy DNA
    (["ACGTACGTACGTACGTACGT", "R"], DNA),                       # a few IUPAC codes
    (["NNNNNNNNNNNNNNNNNNNN", "NNNNNNNNNNNNNNNNNACU"], RNA),
    (["MKVLHEWQRSTPFYID"], PROTEIN),
    (["ACGTACGTAE"], DNA),                                     # 90% nucleotides: the stray E is a typo
    (["ACGTU"], DNA),                                          # as many T as U
    (["ACGUUT"], RNA),                                         # more U than T
    (["ACGTACGTAEE"], PROTEIN),                                # below 90% nucleotides
    (["ACGTACGTRYSWKM"], PROTEIN),                             # too many ambiguity codes to call DNA
    (["MKVLXBZJ"], PROTEIN),
    (["MKV L", "MK\tVL"], PROTEIN),
])
def test_detect_named_alphabets(sequences, expected):
    assert detect_alphabet(_counts(*sequences)) is expected


@pytest.mark.parametrize("sequences, letters", [
    (["0110", "1001"], "01"),
    (["ACGT@"], "@ACGT"),
    (["MKVLOU"], "KLMOUV"),     # O and U are no amino-acid codes
    (["((..))", "(..)"], "()."),
    (["01 10", "1\t0"], "01"),   # whitespace and other unusable characters are left to the encoder to report
    (["01\xc3\xa9>"], "01"),
])
def test_detect_custom_alphabet_of_the_letters_seen(sequences, letters):
    alphabet = detect_alphabet(_counts(*sequences))
    assert (alphabet.name, alphabet.letters, alphabet.case_sensitive) == ("custom", letters, False)


def test_detect_refuses_empty_sequences():
    with pytest.raises(ParamError, match="cannot detect the alphabet of empty sequences; pass --alphabet"):
        detect_alphabet(Counter())


@pytest.mark.parametrize(("alphabet", "complement"), [
    (DNA, "TGCA"), (RNA, "UGCA"), (get_alphabet("TGCA"), "ACGT"), (get_alphabet("ugca"), "ACGU"),
    (PROTEIN, None), (get_alphabet("ACGTN"), None), (get_alphabet("ACGTacgt"), None), (get_alphabet("ACG"), None),
])
def test_complement_of_nucleotide_alphabets_only(alphabet, complement):
    assert alphabet.complement == complement
