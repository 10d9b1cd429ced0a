"""Motif files in MEME, JASPAR, TRANSFAC and HOMER format: read back, told apart, refused in one line."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from helpers import read_tsv

from motifnet.errors import InputError
from motifnet.motifs.export import write_motifs
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
    read_letters, read = read_motifs(path)
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
    letters, [motif] = read_motifs(path)
    assert (letters, motif.name, motif.alt_name, motif.nsites) == ("ACGT", "MA0004.1", "Arnt", 20)
    np.testing.assert_array_equal(motif.pwm, ARNT_COUNTS / 20)
    # JASPAR's .pfm download: rows of counts without letters; gzip is read as the plain file
    pfm = tmp_path / "MA0004.1.pfm.gz"
    pfm.write_bytes(gzip.compress((">MA0004.1\tArnt\n" + "\n".join(" ".join(str(count) for count in row)
                                                                 for row in ARNT_COUNTS.T) + "\n").encode()))
    letters, [motif] = read_motifs(pfm)
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
    letters, motifs = read_motifs(path)
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
    letters, motifs = read_motifs(path)
    assert [(motif.name, motif.alt_name, motif.nsites) for motif in motifs] == [("MA0004.1", "Arnt", 20),
                                                                                ("MA0004.2", "Arnt", 20)]
    np.testing.assert_array_equal(motifs[1].pwm, ARNT_COUNTS / 20)


def test_a_homer_library_reads_its_probabilities(tmp_path):
    path = tmp_path / "known.motifs"
    path.write_text(">ATGACTCA\tAP-1(bZIP)/ThioMac-PU.1-ChIP-Seq(GSE21512)/Homer\t6.049537\t-1.782996e+03\t0\t"
                    "9805.3,5781.0\n0.419\t0.275\t0.277\t0.029\n0.001\t0.001\t0.001\t0.997\n")
    letters, [motif] = read_motifs(path)
    assert (letters, motif.name, motif.alt_name) == ("ACGT", "AP-1(bZIP)/ThioMac-PU.1-ChIP-Seq(GSE21512)/Homer",
                                                     "ATGACTCA")
    np.testing.assert_allclose(motif.pwm, [[0.419, 0.275, 0.277, 0.029], [0.001, 0.001, 0.001, 0.997]])


@pytest.mark.parametrize("text, message", [
    ("hello\n", "x: not a motif file in MEME, JASPAR, TRANSFAC or HOMER format (its first line is 'hello')"),
    (">seq1\nACGTACGT\n", "x: a FASTA file (a '>' header followed by sequence letters), not a motif file"),
    (">a b\nA [1 2]\nC [1 2]\nG [0 0]\n", "x: 1 JASPAR matrix begins, but none is complete"),
    (">a b\nA [1 2]\nC [1 2 3]\nG [0 0]\nT [0 0]\n", "x: not a readable JASPAR motif file (data has inconsistent"),
    (">a b\nA [1 -2]\nC [1 2]\nG [0 0]\nT [1 1]\n", "x: motif a, position 2: negative or non-numeric counts "
                                                   "(-2 2 0 1)"),
    (">a b\nA [0 1]\nC [0 2]\nG [0 0]\nT [0 1]\n", "x: motif a, position 1: all counts are 0"),
    (">p\nA [1]\nC [1]\nD [1]\nE [1]\n", "x: JASPAR matrices over the letters ACDE; JASPAR files are read for DNA"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  x  4\nXX\n//\n", "x: not a readable TRANSFAC motif file (could not"),
    ("AC  m\nXX\nP0  A  C  G  T\n01  1  2  3  4\nXX\n", "x: 1 TRANSFAC matrix begins, but none is complete"),
    (">ACG\tm\t3.0\n>CCC\tn\t2.0\n0.1 0.2 0.3 0.4\n", "x:2: the motif 'm' has no rows of probabilities"),
    (">ACG\tm\t3.0\n0.1 0.2 0.3\n", "x:2: a matrix row of 4 probabilities expected"),
])
def test_files_in_no_format_or_broken_are_refused_naming_file_and_motif(tmp_path, text, message):
    path = tmp_path / "x"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_motifs(path)
    assert str(error.value).startswith(str(tmp_path / message)), str(error.value)


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
