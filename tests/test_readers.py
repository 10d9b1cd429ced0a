"""Motif files in MEME, JASPAR, TRANSFAC and HOMER format: read back, told apart, refused in one line."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from helpers import read_tsv

from motifnet.errors import InputError, ParamError
from motifnet.motifs.export import write_motifs
from motifnet.motifs.jaspar import in_query_letters
from motifnet.motifs.meme import MemeMotif, write_meme
from motifnet.motifs.readers import read_motifs

# JASPAR's MA0004.1 (Arnt) as its .jaspar download writes it.
ARNT_JASPAR = """>MA0004.1\tArnt
A  [     4     19      0      0      0      0 ]
C  [    16      0     20      0      0      0 ]
G  [     0      1      0     20      0     20 ]
T  [     0      0      0      0     20      0 ]
"""
ARNT_COUNTS = np.array([[4, 16, 0, 0], [19, 0, 1, 0], [0, 20, 0, 0], [0, 0, 20, 0], [0, 0, 0, 20], [0, 0, 20, 0]])


def _read(path) -> tuple:
    database = read_motifs(path)
    return database.letters, database.motifs


def _motifs(letters: str) -> list:
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 12, size=(7, 4)) + 1  # whole counts: the count formats write them exactly
    return [MemeMotif("kernel_1", "importance=0.81", counts / counts.sum(axis=1, keepdims=True), 0),
            MemeMotif("kernel_2", "", np.eye(4)[[0, 3, 2, 1, 1]], 20)]


@pytest.mark.parametrize("letters", ["ACGT", "ACGU"])
@pytest.mark.parametrize("fmt", ["meme", "jaspar", "transfac", "homer"])
def test_each_export_format_reads_back_as_the_matrices_written(tmp_path, fmt, letters):
    motifs = _motifs(letters)
    # nsites: the counts' total; kernel_1's rows have other totals, so give it the one of its first row
    motifs[0] = MemeMotif(motifs[0].name, motifs[0].alt_name, motifs[0].pwm, 1000)
    [path] = write_motifs(tmp_path / "motifs", motifs, letters, [0.25] * 4, formats=(fmt,))
    database = read_motifs(path)
    if fmt == "homer":  # HOMER files name no alphabet: DNA, matched with T as U against RNA motifs
        assert (database.letters, database.nucleic) == ("ACGT", True)
        database = in_query_letters(letters, database, "the query")
    read_letters, read = database.letters, database.motifs
    assert read_letters == letters
    assert len(read) == 2
    for written, back in zip(motifs, read):
        np.testing.assert_allclose(back.pwm, written.pwm, atol=5e-4 if fmt in ("jaspar", "transfac") else 1e-6)
    if fmt == "homer":  # HOMER's name column joins name and alternate name; the consensus is the alternate name
        assert [motif.name for motif in read] == ["kernel_1/importance=0.81", "kernel_2"]
        assert read[1].alt_name == "ATGCC".replace("T", letters[3])
    else:
        assert [(motif.name, motif.alt_name) for motif in read] == [("kernel_1", "importance=0.81"), ("kernel_2", "")]
        assert read[1].nsites == 20


def test_a_jaspar_download_reads_as_its_counts_over_their_total(tmp_path):
    path = tmp_path / "MA0004.1.jaspar"
    path.write_text(ARNT_JASPAR)
    letters, [motif] = _read(path)
    assert (letters, motif.name, motif.alt_name, motif.nsites) == ("ACGT", "MA0004.1", "Arnt", 20)
    np.testing.assert_array_equal(motif.pwm, ARNT_COUNTS / 20)
    # JASPAR's .pfm download: rows of counts without letters; gzip is read as the plain file
    pfm = tmp_path / "MA0004.1.pfm.gz"
    pfm.write_bytes(gzip.compress((">MA0004.1\tArnt\n" + "\n".join(" ".join(str(count) for count in row)
                                                                 for row in ARNT_COUNTS.T) + "\n").encode()))
    letters, [motif] = _read(pfm)
    np.testing.assert_array_equal(motif.pwm, ARNT_COUNTS / 20)


def test_a_transfac_library_reads_names_and_counts(tmp_path):
    path = tmp_path / "matrix.dat"
    path.write_text("VV  TRANSFAC MATRIX TABLE, Release 2.2\nXX\n//\n"
                    "AC  M00001\nXX\nID  V$MYOD_01\nXX\nNA  MyoD\nXX\nDE  myoblast determination gene product\nXX\n"
                    "P0      A      C      G      T\n"
                    "01      1      2      2      0      S\n"
                    "02      2      1      2      0      R\n"
                    "03      3      0      1      1      A\nXX\nBA  5 functional elements\nXX\n//\n"
                    "AC  M00002\nXX\nP0\tA\tC\tG\tT\n01\t0\t0\t0\t4\nXX\n//\n")
    letters, motifs = _read(path)
    assert letters == "ACGT"
    assert [(motif.name, motif.alt_name, motif.nsites) for motif in motifs] == [("M00001", "V$MYOD_01", 5),
                                                                                ("M00002", "", 4)]
    np.testing.assert_array_equal(motifs[0].pwm, [[0.2, 0.4, 0.4, 0], [0.4, 0.2, 0.4, 0], [0.6, 0, 0.2, 0.2]])
    np.testing.assert_array_equal(motifs[1].pwm, [[0, 0, 0, 1]])


def test_jaspars_transfac_export_names_each_matrix_by_its_accession(tmp_path):
    """JASPAR's TRANSFAC files give ID the factor's name, which several matrices share: the accession names them."""
    rows = "".join(f"{index:02d}\t" + "\t".join(f"{count:.1f}" for count in row) + "\tN\n"
                   for index, row in enumerate(ARNT_COUNTS, start=1))
    block = "AC {ac}\nXX\nID Arnt\nXX\nDE {ac} Arnt ; From JASPAR\nPO\tA\tC\tG\tT\n" + rows + \
        "XX\nCC tax_group:vertebrates\nXX\n//\n"
    path = tmp_path / "JASPAR_CORE_pfms_transfac.txt"
    path.write_text(block.format(ac="MA0004.1") + block.format(ac="MA0004.2"))
    letters, motifs = _read(path)
    assert [(motif.name, motif.alt_name, motif.nsites) for motif in motifs] == [("MA0004.1", "Arnt", 20),
                                                                                ("MA0004.2", "Arnt", 20)]
    np.testing.assert_array_equal(motifs[1].pwm, ARNT_COUNTS / 20)


def test_a_homer_library_reads_its_probabilities(tmp_path):
    path = tmp_path / "known.motifs"
    path.write_text(">ATGACTCA\tAP-1(bZIP)/ThioMac-PU.1-ChIP-Seq(GSE21512)/Homer\t6.049537\t-1.782996e+03\t0\t"
                    "9805.3,5781.0\n0.419\t0.275\t0.277\t0.029\n0.001\t0.001\t0.001\t0.997\n")
    letters, [motif] = _read(path)
    assert (letters, motif.name, motif.alt_name) == ("ACGT", "AP-1(bZIP)/ThioMac-PU.1-ChIP-Seq(GSE21512)/Homer",
                                                     "ATGACTCA")
    np.testing.assert_allclose(motif.pwm, [[0.419, 0.275, 0.277, 0.029], [0.001, 0.001, 0.001, 0.997]])


def test_matrices_of_one_row_per_position_are_read_as_positions(tmp_path):
    """HOCOMOCO's .pcm files and HOMER files with a short header were read as JASPAR: the first four rows taken as
    the A, C, G and T rows, the rest dropped (a motif of 6 positions came back 4 wide), without a word."""
    hocomoco = np.array([[40, 18, 56, 38], [10, 5, 130, 9], [1, 150, 2, 1], [3, 2, 149, 0], [0, 0, 0, 154],
                         [2, 1, 150, 1]], dtype=float)
    path = tmp_path / "AHR.pcm"
    path.write_text(">AHR_HUMAN.H11MO.0.B\n" + "".join("\t".join(map(str, row)) + "\n" for row in hocomoco) +
                    ">GATAAG\tGATA-like\n" + "0.1\t0.1\t0.1\t0.7\n0.7\t0.1\t0.1\t0.1\n" * 2)
    database = read_motifs(path)
    assert database.nucleic  # no letters: DNA or RNA
    assert [(motif.name, motif.alt_name, len(motif.pwm)) for motif in database.motifs] == [
        ("AHR_HUMAN.H11MO.0.B", "", 6), ("GATA-like", "GATAAG", 4)]  # HOMER's header without a threshold
    np.testing.assert_allclose(database.motifs[0].pwm, hocomoco / hocomoco.sum(axis=1, keepdims=True))
    # Four rows of four: positions when the rows have one total and the columns do not, else JASPAR's four letters
    four = np.array([[40, 18, 56, 40], [10, 5, 130, 9], [1, 150, 2, 1], [3, 2, 149, 0]])  # each position 154
    path.write_text(">pos\n" + "".join("\t".join(map(str, row)) + "\n" for row in four) +
                    ">let\n" + "".join(" ".join(map(str, row)) + "\n" for row in ARNT_COUNTS[:4].T))
    positions, letters_first = read_motifs(path).motifs
    np.testing.assert_allclose(positions.pwm, four / 154)
    np.testing.assert_allclose(letters_first.pwm, ARNT_COUNTS[:4] / 20)  # a row per letter: its columns total 20


def test_a_homer_motif_of_four_positions_is_read_by_position_whatever_its_totals(tmp_path):
    """Rows and columns of one total (each letter once in the consensus) were read as JASPAR's letter rows:
    motifnet's own HOMER export of CGTA read back as TACG."""
    pwm = np.full((4, 4), 0.05) + 0.8 * np.eye(4)[[1, 2, 3, 0]]
    [path] = write_motifs(tmp_path / "m", [MemeMotif("cgta", "", pwm, 0)], "ACGT", [0.25] * 4, ("homer",))
    np.testing.assert_allclose(read_motifs(path).motifs[0].pwm, pwm, atol=1e-6)


def test_a_query_file_without_letters_matches_rna_targets(cli, tmp_path):
    """compare Q.homer --db RNA.meme refused the query as DNA; --db Q.homer against an RNA query worked."""
    rng = np.random.default_rng(8)
    pwm = rng.dirichlet(np.ones(4) * 0.3, size=6)
    [homer] = write_motifs(tmp_path / "q", [MemeMotif("q1", "", pwm, 0)], "ACGU", [0.25] * 4, ("homer",))
    rna = tmp_path / "rna.meme"
    write_meme(rna, [MemeMotif("r1", "", pwm, 0)], "ACGU", [0.25] * 4)
    forward, backward = cli("compare", homer, "--db", rna), cli("compare", rna, "--db", homer)
    assert forward.exit_code == 0 and backward.exit_code == 0, forward.output + backward.output
    assert forward.stdout.splitlines()[1].split("\t")[1:3] == ["r1", "0"]
    assert backward.stdout.splitlines()[1].split("\t")[1:3] == ["q1", "0"]


def test_homer_rows_are_checked_and_counts_become_probabilities(tmp_path):
    """Negative HOMER values passed unchecked and crashed scan with a traceback; counts were kept as probabilities."""
    path = tmp_path / "counts.motifs"
    path.write_text(">ACGT\tcounts\t5.0\n10\t20\t30\t40\n5\t5\t5\t85\n")
    np.testing.assert_allclose(read_motifs(path).motifs[0].pwm, [[0.1, 0.2, 0.3, 0.4], [0.05, 0.05, 0.05, 0.85]])
    path.write_text(">ACGT\t\t5.0\n0.1\t0.2\t0.3\t0.4\n")  # no name: the consensus names it
    assert read_motifs(path).motifs[0].name == "ACGT"


def test_a_file_without_letters_matches_rna_motifs_with_t_as_u(tmp_path):
    """motifnet's HOMER export of RNA motifs, whose consensus held no U, was refused as DNA against RNA motifs."""
    rng = np.random.default_rng(5)
    pwm = rng.dirichlet(np.ones(4), size=5)
    [path] = write_motifs(tmp_path / "rna", [MemeMotif("kernel_1", "", pwm, 0)], "ACGU", [0.25] * 4, ("homer",))
    database = read_motifs(path)
    assert database.letters == "ACGT" and database.nucleic
    as_rna = in_query_letters("ACGU", database, "the query")
    assert as_rna.letters == "ACGU"
    np.testing.assert_allclose(as_rna.motifs[0].pwm, pwm, atol=1e-6)
    meme = tmp_path / "dna.meme"  # a MEME file names its alphabet: DNA stays DNA
    write_meme(meme, [MemeMotif("m", "", pwm, 0)], "ACGT", [0.25] * 4)
    with pytest.raises(ParamError, match="the query has the alphabet ACGU"):
        in_query_letters("ACGU", read_motifs(meme), "the query")


def test_transfac_blocks_are_read_one_by_one(tmp_path):
    """A second VV header (two files concatenated) made '4 matrices begin, but 5 are complete'; text after the
    last motif was ignored."""
    one = ("VV  TRANSFAC MATRIX TABLE\nXX\n//\nAC  M1\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n//\n"
           "AC  M2\nXX\nP0  A  C  G  T\n01  4  3  2  1\nXX\n//\n")
    path = tmp_path / "twice.dat"
    path.write_text(one + one.replace("M1", "M3").replace("M2", "M4"))
    assert [motif.name for motif in read_motifs(path).motifs] == ["M1", "M2", "M3", "M4"]


def test_motifs_of_another_format_after_a_meme_file_are_refused(tmp_path):
    """JASPAR or TRANSFAC motifs appended to a MEME file were skipped without a word (read as text between MEME's
    sections); HOMER ones were blamed as 'not a number'."""
    meme = tmp_path / "a.meme"
    write_meme(meme, [MemeMotif("m1", "", np.eye(4)[[0, 1, 2]], 5)], "ACGT", [0.25] * 4)
    lines = len(meme.read_text().splitlines())
    transfac, homer = "AC  M1\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n//\n", ">ACG\tm\t6.0\n0.1 0.2 0.3 0.4\n"
    for appended in (ARNT_JASPAR, transfac, homer):
        path = tmp_path / "mixed.txt"
        path.write_text(meme.read_text() + appended)
        with pytest.raises(InputError, match=f"mixed.txt:{lines + 1 + appended.startswith('AC') * 2}: a motif of "
                                             "another format .* in a MEME file; give one format per file"):
            read_motifs(path)


def test_four_rows_of_four_with_rows_and_columns_of_one_total_are_warned_of(tmp_path, caplog, monkeypatch):
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    path = tmp_path / "cyc.pcm"
    path.write_text(">cyc\n0 10 0 0\n0 0 10 0\n0 0 0 10\n10 0 0 0\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        [motif] = read_motifs(path).motifs
    assert "".join("ACGT"[i] for i in motif.pwm.argmax(axis=1)) == "TACG"  # JASPAR's rows, as documented
    assert any("cyc.pcm:1: motif cyc: four rows of four numbers whose rows and columns have one total each" in message
               for message in caplog.messages)


@pytest.mark.parametrize("text, message", [
    ("", "x: an empty file; give a motif file (MEME, JASPAR, TRANSFAC or HOMER)"),
    ("hello\n", "x: not a motif file in MEME, JASPAR, TRANSFAC or HOMER format (its first line is 'hello')"),
    (">seq1\nACGTACGT\n", "x: a FASTA file (a '>' header followed by sequence letters), not a motif file"),
    (">a b\nA [1 2]\nC [1 2]\nG [0 0]\n", "x:1: motif a: rows for A C G; a JASPAR matrix has one row for each of "
                                          "A C G T"),
    (">a b\nA [1 2]\nC [1 2 3]\nG [0 0]\nT [0 0]\n", "x:1: motif a: not a readable JASPAR/HOMER matrix (Exception: "
                                                    "data has inconsistent lengths)"),
    (">a b\nA [1 -2]\nC [1 2]\nG [0 0]\nT [1 1]\n", "x:1: motif a, position 2: negative or non-numeric counts "
                                                   "(-2 2 0 1)"),
    (">a b\nA [0 1]\nC [0 2]\nG [0 0]\nT [0 1]\n", "x:1: motif a, position 1: all counts are 0"),
    (">p\nA [1]\nC [1]\nD [1]\nE [1]\n", "x: JASPAR matrices over the letters ACDE; JASPAR files are read for DNA"),
    (">a\nA [1]\nC [1]\nG [1]\nT [1]\n>b\nA [1]\nA [2]\nC [1]\nG [1]\n", "x:6: motif b: rows for A A C G;"),
    (">M1 x\nA [1 2]\nC [1 2]\nG [1 2]\nT [1 2]\nA [5 5]\n", "x:1: motif M1: rows for A C G T A; a JASPAR matrix "
                                                              "has one row for each of A C G T"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n//\nAC  M2\n", "x:7: text after the last '//' that holds no "
                                                                  "matrix ('AC  M2')"),
    (">a\nA [1]\nC [1]\nG [1]\nT [1]\nThis is the end\n", "x:6: motif a: a row without a letter among rows "
                                                        "with letters ('This is the end')"),
    (">P1 five\n1 2 3\n1 2 3\n1 2 3\n1 2 3\n1 2 3\n", "x:1: motif P1: 5 rows of 3 values, neither four rows of "
                                                      "counts (A, C, G, T) nor rows of four numbers per position"),
    (">a\n", "x:1: motif a: no rows of counts follow its '>' line"),
    (">ACGT\tneg\t5.0\n-0.1\t0.5\t0.3\t0.3\n", "x:1: motif neg, position 1: negative or non-numeric counts"),
    (">ACGT\tzero\t5.0\n0\t0\t0\t0\n", "x:1: motif zero, position 1: all counts are 0"),
    (">ACG\tm\t3.0\n0.1 0.2 0.3\n", "x:1: motif m: 1 row of 3 values"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  x  4\nXX\n//\n", "x:1: motif 1: not a readable TRANSFAC matrix "
                                                          "(ValueError: could not convert string to float: 'x')"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n", "x:1: the last motif does not end with '//'"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n//\ngarbage\n", "x:7: not a TRANSFAC line ('garbage')"),
    ("ID  x\nXX\nP0  A  C  G  T\n01 1 2 3\nXX\n//\n", "x:1: motif 1: not a readable TRANSFAC matrix (ValueError: "
                                                      "A TRANSFAC matrix line should have a value for each nucleotide"),
])
def test_files_in_no_format_or_broken_are_refused_naming_file_and_motif(tmp_path, text, message):
    path = tmp_path / "x"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_motifs(path)
    assert str(error.value).startswith(f"{tmp_path}/{message}"), str(error.value)


def test_scan_and_compare_read_a_jaspar_file_as_the_same_motifs_in_meme_format(cli, tmp_path):
    """A motif given as JASPAR counts finds the same sites, and the same TOMTOM matches, as given in MEME format."""
    rng = np.random.default_rng(11)
    records = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(40)]
    records = [record[:20] + "CACGTG" + record[26:] if i % 2 else record for i, record in enumerate(records)]
    fasta = tmp_path / "ebox.fa"
    fasta.write_text("".join(f">r{i}\n{record}\n" for i, record in enumerate(records)))
    jaspar = tmp_path / "arnt.jaspar"
    jaspar.write_text(ARNT_JASPAR)
    meme = tmp_path / "arnt.meme"
    write_meme(meme, [MemeMotif("MA0004.1", "Arnt", ARNT_COUNTS / 20, 20)], "ACGT", [0.25] * 4, strands=True)
    outputs = []
    for motifs in (jaspar, meme):
        out = tmp_path / f"scan_{motifs.suffix[1:]}"
        result = cli("scan", motifs, fasta, "-o", out, "--threshold", "1e-3")  # a 6-mer reaches 4 ** -6 at best
        assert result.exit_code == 0, result.output
        outputs.append(read_tsv((out / "hits.tsv").read_text())[1])
    assert outputs[0] == outputs[1] and len(outputs[0]) >= 20
    # MOTIFS - reads standard input
    result = cli("scan", "-", fasta, "-o", tmp_path / "scan_stdin", "--threshold", "1e-3", input=ARNT_JASPAR)
    assert result.exit_code == 0, result.output
    assert read_tsv((tmp_path / "scan_stdin" / "hits.tsv").read_text())[1] == outputs[0]
    both = cli("scan", "-", "-", "-o", tmp_path / "x", input=ARNT_JASPAR)
    assert both.exit_code == 2 and "MOTIFS and a FASTA file cannot both be - (standard input)" in both.output
    compared = [cli("compare", jaspar, "--db", meme), cli("compare", meme, "--db", jaspar)]
    assert all(result.exit_code == 0 for result in compared), [result.output for result in compared]
    assert compared[0].stdout == compared[1].stdout
    assert compared[0].stdout.splitlines()[1].split("\t")[:3] == ["MA0004.1", "MA0004.1", "0"]


@pytest.mark.filterwarnings("error")  # a warning is a line on the user's stderr
def test_probabilities_that_sum_past_the_float_limit_are_one_error_line(cli, tmp_path):
    """numpy's overflow warning (and the source line it quotes) came before the error: three lines, not one."""
    meme = tmp_path / "big.meme"
    meme.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 2\n"
                    "1e308 1e308 0 0\n0 1 0 0\n")
    result = cli("compare", meme)
    assert result.exit_code == 1 and result.stderr == (
        f"Error: {meme}: motif m1, row 1: the probabilities sum to inf, not 1; a letter-probability matrix holds "
        "probabilities (for counts, divide each row by its total)\n")
