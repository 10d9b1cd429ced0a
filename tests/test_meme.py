"""MEME minimal format: what is written parses back to the same matrices."""

import gzip
import logging

import numpy as np
import pytest

from motifnet.errors import InputError
from motifnet.motifs.meme import MemeMotif, format_meme, read_meme, write_meme


def test_dna_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    motifs = [MemeMotif(f"kernel_{i}", f"importance={i / 10:.4f}", rng.dirichlet(np.ones(4), size=6 + i), 10 * i)
              for i in range(3)]
    path = tmp_path / "m.meme"
    write_meme(path, motifs, "ACGT", [0.3, 0.2, 0.2, 0.3], strands=True)
    text = path.read_text()
    assert text.startswith("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n")
    assert "Background letter frequencies\nA 0.3000 C 0.2000 G 0.2000 T 0.3000" in text
    assert "MOTIF kernel_1 importance=0.1000\nletter-probability matrix: alength= 4 w= 7 nsites= 10 E= 0" in text
    letters, back = read_meme(path)
    assert letters == "ACGT"
    assert [m.name for m in back] == ["kernel_0", "kernel_1", "kernel_2"]
    for original, parsed in zip(motifs, back):
        np.testing.assert_allclose(parsed.pwm, original.pwm, atol=5e-7)
        assert parsed.nsites == original.nsites and parsed.alt_name == original.alt_name


def test_custom_alphabet_is_defined_and_has_no_strands(tmp_path):
    text = format_meme([MemeMotif("k", "", np.eye(3), 1)], "HIS", [1 / 3] * 3, alphabet_name="structure")
    assert 'ALPHABET "structure"\nH\nI\nS\nEND ALPHABET' in text and "strands" not in text
    path = tmp_path / "s.meme"
    path.write_text(text)
    letters, motifs = read_meme(path)
    assert letters == "HIS"
    np.testing.assert_array_equal(motifs[0].pwm, np.eye(3))


def test_custom_alphabet_columns_follow_memes_sorted_order_of_the_symbols(tmp_path):
    # MEME sorts a custom alphabet's core symbols (letters, digits, others; each by code): its own DNA-like
    # definition lists A ~ T before C ~ G, and the matrices' columns are A, C, G, T.
    path = tmp_path / "dna_like.meme"
    path.write_text('MEME version 5\n\nALPHABET "DNA" DNA-LIKE\nA "Adenine" CC0000 ~ T "Thymine" 008000\n'
                    'C "Cytosine" 0000CC ~ G "Guanine" FFB300\nN "Any base" = ACGT\nEND ALPHABET\n\n'
                    "MOTIF gata\nletter-probability matrix: alength= 4 w= 2 nsites= 3 E= 0\n"
                    "0 0 1 0\n1 0 0 0\n")
    letters, motifs = read_meme(path)
    assert letters == "ACGT"
    np.testing.assert_array_equal(motifs[0].pwm, [[0, 0, 1, 0], [1, 0, 0, 0]])


def test_a_custom_alphabet_in_another_order_is_written_in_memes_order_and_reads_back(tmp_path):
    from motifnet.motifs.jaspar import MotifDatabase, in_query_letters

    rng = np.random.default_rng(1)
    motif = MemeMotif("k", "", rng.dirichlet(np.ones(5), size=4), 2)
    background = [0.1, 0.2, 0.3, 0.15, 0.25]
    write_meme(tmp_path / "m.meme", [motif], ".Z1aB", background, alphabet_name="mine")
    text = (tmp_path / "m.meme").read_text()
    assert 'ALPHABET "mine"\nB\nZ\na\n1\n.\nEND ALPHABET' in text
    assert "B 0.2500 Z 0.2000 a 0.1500 1 0.3000 . 0.1000" in text
    letters, back = read_meme(tmp_path / "m.meme")
    assert letters == "BZa1."
    np.testing.assert_allclose(back[0].pwm, motif.pwm[:, [4, 1, 3, 2, 0]], atol=5e-7)
    # Put back in the model's order, the matrix is the one written.
    restored = in_query_letters(".Z1aB", MotifDatabase(letters, back, "m.meme"), "the model")
    np.testing.assert_allclose(restored.motifs[0].pwm, motif.pwm, atol=5e-7)


def test_not_a_meme_file(tmp_path):
    path = tmp_path / "x.meme"
    path.write_text("hello\n")
    with pytest.raises(InputError, match="not a MEME motif file"):
        read_meme(path)


@pytest.mark.parametrize("name, write", [
    ("bom.meme", lambda path, text: path.write_bytes(b"\xef\xbb\xbf" + text.encode())),
    ("blank.meme", lambda path, text: path.write_text("\n  \n\n" + text)),
    ("windows.meme", lambda path, text: path.write_bytes(("\r\n" + text.replace("\n", "\r\n")).encode())),
    ("motifs.meme.gz", lambda path, text: path.write_bytes(gzip.compress(text.encode()))),
])
def test_files_meme_tools_accept_read_back_the_same_matrices(tmp_path, name, write):
    # A byte-order mark (Windows editors) or blank lines before "MEME version" were refused as not MEME,
    # and a gzip file as not UTF-8.
    rng = np.random.default_rng(1)
    motifs = [MemeMotif(f"m{i}", "", rng.dirichlet(np.ones(4), size=5), 7) for i in range(2)]
    write(tmp_path / name, format_meme(motifs, "ACGT", [0.25] * 4))
    letters, back = read_meme(tmp_path / name)
    assert letters == "ACGT" and [motif.name for motif in back] == ["m0", "m1"]
    for original, parsed in zip(motifs, back):
        np.testing.assert_allclose(parsed.pwm, original.pwm, atol=5e-7)


_STARS = "*" * 80
_DASHES = "-" * 80
# The layout of MEME 5's text output (meme.txt), abridged: a banner before the version line, the training set, and
# per motif a header line, a log-odds matrix and then the letter-probability matrix.
MEME_TXT = f"""{_STARS}
MEME - Motif discovery tool
{_STARS}
MEME version 5.5.4 (Release date: Fri Jun 16 12:19:08 2023 -0700)

For further information on how to interpret these results please access https://meme-suite.org/meme.

{_STARS}
TRAINING SET
{_STARS}
PRIMARY SEQUENCES= peaks.fa
ALPHABET= ACGT
Sequence name            Weight Length  Sequence name            Weight Length
-------------            ------ ------  -------------            ------ ------
peak1                    1.0000    100  peak2                    1.0000    100
{_STARS}

{_STARS}
MOTIF GATAAG MEME-1\twidth =   3  sites =  13  llr = 142  E-value = 1.1e-018
{_STARS}
{_DASHES}
\tMotif GATAAG MEME-1 sites sorted by position p-value
{_DASHES}
Sequence name             Start   P-value                Site
peak1                        12  1.30e-05 ACGTACGTAC GATAAG ACGTACGTAC
{_DASHES}
\tMotif GATAAG MEME-1 position-specific scoring matrix
{_DASHES}
log-odds matrix: alength= 4 w= 3 n= 1234 bayes= 5.2 E= 1.1e-018
 -123    -45    210   -300
  210   -300    -45   -123
 -300    -45   -123    210
{_DASHES}
\tMotif GATAAG MEME-1 position-specific probability matrix
{_DASHES}
letter-probability matrix: alength= 4 w= 3 nsites= 13 E= 1.1e-018
  0.000000  0.076923  0.923077  0.000000
  0.923077  0.000000  0.076923  0.000000
  0.000000  0.000000  0.076923  0.923077
{_DASHES}

Time  0.05 secs.

{_STARS}
MOTIF CCAAT MEME-2\twidth =   2  sites =   5  llr = 40  E-value = 2.3e-002
{_STARS}
\tMotif CCAAT MEME-2 position-specific probability matrix
{_DASHES}
letter-probability matrix: alength= 4 w= 2 nsites= 5 E= 2.3e-002
  0.000000  1.000000  0.000000  0.000000
  0.200000  0.800000  0.000000  0.000000
{_DASHES}
"""


def test_memes_text_output_is_read_as_tomtom_and_fimo_read_it(tmp_path):
    """meme.txt was refused: "first line must be 'MEME version ...'"."""
    path = tmp_path / "meme.txt"
    path.write_text(MEME_TXT)
    letters, motifs = read_meme(path)
    assert letters == "ACGT"
    assert [(motif.name, motif.alt_name, motif.nsites) for motif in motifs] == [("GATAAG", "MEME-1", 13),
                                                                            ("CCAAT", "MEME-2", 5)]
    np.testing.assert_allclose(motifs[0].pwm, [[0, 0.076923, 0.923077, 0], [0.923077, 0, 0.076923, 0],
                                               [0, 0, 0.076923, 0.923077]], atol=1e-6)
    np.testing.assert_allclose(motifs[1].pwm, [[0, 1, 0, 0], [0.2, 0.8, 0, 0]])
    path.write_text(MEME_TXT.replace("MEME version 5.5.4", "STREME version 5.5.4"))
    with pytest.raises(InputError, match="not a MEME motif file"):
        read_meme(path)


@pytest.mark.parametrize("text, message", [
    # The last motif has no matrix: "list index out of range" leaked.
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n\nMOTIF m2 alt\n\n",
     "bad.meme: motif m2 has no letter-probability matrix; give each MOTIF a 'letter-probability matrix: "
     "alength= LETTERS w= WIDTH' line followed by WIDTH rows of probabilities"),
    # A motif without a matrix before the next: it took the next motif's matrix, and the next motif was lost.
    ("MOTIF m1\nlog-odds matrix: alength= 4 w= 1\n1 -1 -1 -1\n\nMOTIF m2\nletter-probability matrix: "
     "alength= 4 w= 1\n0.25 0.25 0.25 0.25\n", "bad.meme: motif m1 has no letter-probability matrix"),
    ("MOTIF m1\nletter-probability matrix alength= 4 w= 1\n0.25 0.25 0.25 0.25\n",
     "bad.meme: motif m1 has no letter-probability matrix"),
    ("MOTIF\nletter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n",
     "bad.meme: motif 1 has no name; write 'MOTIF NAME' on its line"),
])
def test_motifs_without_a_usable_matrix_are_refused_naming_file_and_motif(tmp_path, text, message):
    path = tmp_path / "bad.meme"
    path.write_text("MEME version 4\n\nALPHABET= ACGT\n\n" + text)
    with pytest.raises(InputError) as error:
        read_meme(path)
    assert message in str(error.value)


def test_files_that_cannot_be_read_as_meme_text_are_refused_naming_them(tmp_path):
    (tmp_path / "utf16.meme").write_text("MEME version 4\n", encoding="utf-16")
    with pytest.raises(InputError, match="utf16.meme, line 1: NUL bytes: a UTF-16 file .*save it as UTF-8"):
        read_meme(tmp_path / "utf16.meme")
    (tmp_path / "cut.meme.gz").write_bytes(gzip.compress(b"MEME version 4\n" * 100)[:30])
    with pytest.raises(InputError, match="cut.meme.gz: cannot be read, a damaged or truncated gzip file"):
        read_meme(tmp_path / "cut.meme.gz")
    with pytest.raises(InputError, match="none.meme: no such file"):
        read_meme(tmp_path / "none.meme")
    with pytest.raises(InputError, match=f"{tmp_path}: a folder, not a motif file"):
        read_meme(tmp_path)


def test_a_latin1_motif_name_is_read_with_a_warning_naming_its_line(tmp_path, caplog, monkeypatch):
    text = "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF caf\xe9\nletter-probability matrix: alength= 4 w= 1\n1 0 0 0\n"
    (tmp_path / "latin1.meme").write_bytes(text.encode("latin-1"))
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        _, motifs = read_meme(tmp_path / "latin1.meme")
    assert [motif.name for motif in motifs] == ["caf\ufffd"]
    assert set(caplog.messages) == {f"{tmp_path / 'latin1.meme'}, line 5: bytes that are not UTF-8 text, read as "
                                    "the replacement character U+FFFD; ids and names from such lines will not match "
                                    "the file's: save it as UTF-8 to keep them"}


def _one_motif(rows, width=None):
    width = len(rows) if width is None else width
    body = "\n".join(rows)
    return (f"MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1 alt\nletter-probability matrix: alength= 4 w= {width} "
            f"nsites= 10 E= 0\n{body}\n\nMOTIF m2\nletter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n")


@pytest.mark.parametrize("rows, width, message", [
    (["nan 0.01 0.01 0.01", "0.25 0.25 0.25 0.25"], None, "motif m1, row 1: negative or non-numeric"),
    (["0.25 0.25 0.25 0.25", "-0.97 0.01 0.01 0.01"], None, "motif m1, row 2: negative or non-numeric"),
    ([], 0, "motif m1: w= 0; a motif needs at least one row"),
    (["97 1 1 1", "1 97 1 1"], None, "motif m1, row 1: the probabilities sum to 100, not 1"),
    (["0.5 0.01 0.01 0.01"], None, "row 1: the probabilities sum to 0.53, not 1"),
    (["0.25 0.25 0.25 0.25"] * 7, 9, "motif m1: w= 9 but 7 rows of numbers follow"),
    (["0.25 0.25 0.25 0.25"] * 2 + ["0.1 abc 0.2 0.6"] + ["0.25 0.25 0.25 0.25"] * 3, None,
     "motif m1, row 3: 'abc' is not a number"),
    (["abc 0.25 0.25 0.25"] + ["0.25 0.25 0.25 0.25"] * 5, None, "motif m1, row 1: 'abc' is not a number"),
    # Every value with a decimal comma: the matrix seemed to end there ('w= 2 but 0 rows of numbers follow').
    (["0,25 0,25 0,25 0,25"] * 2, None, "motif m1, row 1: '0,25' is not a number; write decimals with a point (0.25)"),
    (["0.25 0.25 0.25 0.25", "0,1 0.3 0.3 0.3"], None, "motif m1, row 2: '0,1' is not a number; write decimals "
                                                        "with a point (0.1)"),
    (["0.25 0.25 0.25 0.25", "0.3 0.3 0.4"], None, "rows of different lengths"),
    (["0.2 0.2 0.2 0.2 0.2"], None, "motif m1: rows of 5 values; the alphabet ACGT needs 4"),
])
def test_matrices_that_are_not_probabilities_are_refused_naming_motif_and_row(tmp_path, rows, width, message):
    path = tmp_path / "bad.meme"
    path.write_text(_one_motif(rows, width))
    with pytest.raises(InputError, match="bad.meme") as error:
        read_meme(path)
    assert message in str(error.value)


@pytest.mark.parametrize("alength", ["20", "3", "four"])
def test_an_alength_other_than_the_alphabets_is_refused_naming_the_motif(tmp_path, alength):
    path = tmp_path / "alength.meme"
    path.write_text(_one_motif(["0.25 0.25 0.25 0.25"]).replace("alength= 4 w= 1\n", f"alength= {alength} w= 1\n"))
    with pytest.raises(InputError, match=f"alength.meme: motif m2: alength= {alength}, but the alphabet ACGT and "
                                         "the matrix rows have 4 letters; write alength= 4"):
        read_meme(path)
    path.write_text(_one_motif(["0.25 0.25 0.25 0.25"]).replace("alength= 4 ", ""))  # alength= may be left out
    assert [motif.name for motif in read_meme(path)[1]] == ["m1", "m2"]


def test_rows_rounded_to_few_decimals_are_rescaled_to_sum_to_one(tmp_path):
    path = tmp_path / "rounded.meme"
    path.write_text(_one_motif(["0.33 0.33 0.33 0.00", "0.97 0.01 0.01 0.01"]))
    _, motifs = read_meme(path)
    np.testing.assert_allclose(motifs[0].pwm.sum(axis=1), 1.0)
    np.testing.assert_allclose(motifs[0].pwm[0], [1 / 3, 1 / 3, 1 / 3, 0])
    assert [motif.name for motif in motifs] == ["m1", "m2"] and motifs[0].nsites == 10


def test_missing_rows_before_the_next_motif_are_counted_not_read_as_numbers(tmp_path):
    # No blank line between the motifs: the next MOTIF and matrix lines hold numbers, but end the matrix.
    path = tmp_path / "short.meme"
    path.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 3\n"
                    "0.25 0.25 0.25 0.25\nMOTIF 2\nletter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n")
    with pytest.raises(InputError, match="motif m1: w= 3 but 1 rows of numbers follow"):
        read_meme(path)


@pytest.mark.parametrize("header, message", [
    # These ended in "... WIDTH rows of numbers (KeyError: 'w')" and "(ValueError: invalid literal for int() ...)".
    ("alength= 4 w= x", "bad.meme: motif m1: w= 'x' is not a whole number; write the matrix's number of rows "
                        "(positions) after w=, or leave w= out"),
    ("alength= 4 w= 2.5", "bad.meme: motif m1: w= '2.5' is not a whole number"),
    ("alength= 4 w= nan", "bad.meme: motif m1: w= 'nan' is not a whole number"),
    ("alength= 4 w= 2 nsites= x", "bad.meme: motif m1: nsites= 'x' is not a number of sites; write the number of "
                                  "sites the matrix was made from (0 if unknown) after nsites="),
    ("alength= 4 w= 2 nsites= inf", "bad.meme: motif m1: nsites= 'inf' is not a number of sites"),
    ("alength= 4 w= 2 nsites= -3", "bad.meme: motif m1: nsites= '-3' is not a number of sites"),
    ("alength= x w= 2", "bad.meme: motif m1: alength= x, but the alphabet ACGT and the matrix rows have 4 letters; "
                        "write alength= 4"),
])
def test_matrix_headers_with_a_missing_or_unreadable_number_are_refused_in_words(tmp_path, header, message):
    path = tmp_path / "bad.meme"
    path.write_text(f"MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: {header}\n"
                    "0.25 0.25 0.25 0.25\n0.25 0.25 0.25 0.25\n")
    with pytest.raises(InputError) as error:
        read_meme(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value) and "Error" not in str(error.value)


def test_whole_numbers_written_as_decimals_and_fractional_nsites_are_read(tmp_path):
    path = tmp_path / "decimals.meme"
    path.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 2.0 "
                    "nsites= 17.5 E= 1.2e-03\n0.25 0.25 0.25 0.25\n0.25 0.25 0.25 0.25\n")
    _, motifs = read_meme(path)
    assert motifs[0].pwm.shape == (2, 4) and motifs[0].nsites == 17


@pytest.mark.parametrize("after", ["\n\nMOTIF m2\n", "\nMOTIF m2\n", "\nURL http://x\n\nMOTIF m2\n"])
def test_more_rows_than_w_are_refused_not_cut_to_w(tmp_path, after):
    # The first 2 of 4 rows were read as the motif and the other 2 dropped without a word.
    path = tmp_path / "long.meme"
    path.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 2\n"
                    + "\n".join(["0.25 0.25 0.25 0.25", "0.1 0.2 0.3 0.4", "0.4 0.3 0.2 0.1", "0.7 0.1 0.1 0.1"])
                    + after + "letter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n")
    with pytest.raises(InputError) as error:
        read_meme(path)
    assert str(error.value) == (f"{path}: motif m1: w= 2 but 4 rows of numbers follow the 'letter-probability "
                                "matrix' line; give WIDTH rows of one number per letter")


@pytest.mark.parametrize("after", [
    "", "\n", "\n\n\n", "\nMOTIF m2\n", "\nURL http://jaspar.genereg.net/matrix/MA0001.1\n\nMOTIF m2\n",
    "\n\nURL http://x\nMOTIF m2\n", "\n" + "-" * 80 + "\nMOTIF m2\n",
    "\nlog-odds matrix: alength= 4 w= 2\n1 -1 -1 -1\n",
])
def test_matrices_of_w_rows_end_where_meme_files_end_them(tmp_path, after):
    rows = ["0.25 0.25 0.25 0.25", "0.1 0.2 0.3 0.4"]
    path = tmp_path / "good.meme"
    text = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
            "A 0.3 C 0.2 G 0.2 T 0.3\n\nMOTIF m1 alt\nletter-probability matrix: alength= 4 w= 2 nsites= 5 E= 0\n"
            + "\n".join(rows) + after)
    if "MOTIF m2" in after:
        text += "letter-probability matrix: alength= 4 w= 1 nsites= 1 E= 0\n0.7 0.1 0.1 0.1\n"
    path.write_text(text)
    _, motifs = read_meme(path)
    np.testing.assert_array_equal(motifs[0].pwm, [[0.25] * 4, [0.1, 0.2, 0.3, 0.4]])
    assert [motif.name for motif in motifs] == (["m1", "m2"] if "MOTIF m2" in after else ["m1"])


def test_a_second_alphabet_other_than_the_first_is_refused_and_the_same_one_read(tmp_path):
    # Two files concatenated by hand: the last ALPHABET won, so the DNA motifs were read as protein columns.
    dna = format_meme([MemeMotif("dna1", "", np.full((3, 4), 0.25), 5)], "ACGT", [0.25] * 4)
    protein = format_meme([MemeMotif("prot1", "", np.full((2, 20), 0.05), 5)], "ACDEFGHIKLMNPQRSTVWY", [0.05] * 20)
    path = tmp_path / "both.meme"
    path.write_text(dna + "\n" + protein)
    with pytest.raises(InputError, match="both.meme: two ALPHABET definitions, ACGT and then ACDEFGHIKLMNPQRSTVWY; "
                                         "a MEME file holds motifs over one alphabet"):
        read_meme(path)
    path.write_text(dna + "\n" + dna.replace("dna1", "dna2"))  # the same alphabet twice is one alphabet
    letters, motifs = read_meme(path)
    assert letters == "ACGT" and [motif.name for motif in motifs] == ["dna1", "dna2"]


def test_a_file_without_an_alphabet_line_is_refused_saying_what_to_add(tmp_path):
    path = tmp_path / "noalpha.meme"
    path.write_text(format_meme([MemeMotif("m", "", np.full((2, 4), 0.25), 5)], "ACGT", [0.25] * 4)
                    .replace("ALPHABET= ACGT\n", ""))
    with pytest.raises(InputError, match="noalpha.meme: no ALPHABET line; add one after the 'MEME version' line: "
                                         "'ALPHABET= ACGT' for DNA"):
        read_meme(path)


@pytest.mark.parametrize("alphabet, letters", [("ALPHABET= acgt", "ACGT"), ("ALPHABET= acgu", "ACGU"),
                                               ("ALPHABET= acdefghiklmnpqrstvwy", "ACDEFGHIKLMNPQRSTVWY"),
                                               ('ALPHABET "mine"\nx\ny\nz\nEND ALPHABET', "xyz"),
                                               ('ALPHABET "cased"\nA\na\nEND ALPHABET', "Aa")])
def test_an_alphabet_in_lower_case_is_read_as_meme_reads_it_whatever_the_case(tmp_path, alphabet, letters):
    """'ALPHABET= acgt' was an alphabet of its own: matched on one strand and refused against JASPAR and a file in
    upper case. MEME's alphabets ignore case unless they define a letter in both cases; motifnet's custom alphabets
    keep theirs, so that a model's motifs in them read back (test above)."""
    width = len(letters)
    rows = "\n".join(" ".join("1" if column == row else "0" for column in range(width)) for row in range(width))
    path = tmp_path / "m.meme"
    path.write_text(f"MEME version 4\n\n{alphabet}\n\nMOTIF one\nletter-probability matrix: alength= {width} "
                    f"w= {width}\n{rows}\n")
    read, motifs = read_meme(path)
    assert read == letters
    np.testing.assert_array_equal(motifs[0].pwm, np.eye(width))


def test_a_lower_case_dna_file_is_compared_on_both_strands_with_one_in_upper_case(cli, tmp_path):
    rng = np.random.default_rng(3)
    motifs = [MemeMotif(f"m{i}", "", rng.dirichlet(np.full(4, 0.3), size=8), 20) for i in range(3)]
    upper = tmp_path / "upper.meme"
    write_meme(upper, motifs, "ACGT", [0.25] * 4, strands=True)
    lower = tmp_path / "lower.meme"
    lower.write_text(upper.read_text().replace("ALPHABET= ACGT", "ALPHABET= acgt"))
    for query, out in ((lower, "l.tsv"), (upper, "u.tsv")):
        result = cli("compare", query, "--db", upper, "-o", tmp_path / out)
        assert result.exit_code == 0, result.stderr
    assert (tmp_path / "l.tsv").read_text() == (tmp_path / "u.tsv").read_text()


def test_a_matrix_without_w_takes_its_width_from_its_rows(tmp_path):
    """MEME's format makes w= optional (the rows give the width); such files, valid for FIMO and TOMTOM, were
    refused."""
    path = tmp_path / "no_w.meme"
    path.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 nsites= 3\n"
                    "0.7 0.1 0.1 0.1\n0.1 0.7 0.1 0.1\n0.1 0.1 0.7 0.1\nMOTIF m2\nletter-probability matrix:\n"
                    "0 0 0 1\n\nMOTIF m3\nletter-probability matrix: alength= 4\nURL http://example.org\n")
    with pytest.raises(InputError, match="motif m3: no rows of numbers follow the 'letter-probability matrix' line"):
        read_meme(path)
    path.write_text(path.read_text().split("MOTIF m3")[0])
    _, motifs = read_meme(path)
    assert [motif.name for motif in motifs] == ["m1", "m2"] and [motif.nsites for motif in motifs] == [3, 0]
    np.testing.assert_array_equal(motifs[0].pwm, [[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]])
    np.testing.assert_array_equal(motifs[1].pwm, [[0, 0, 0, 1]])
