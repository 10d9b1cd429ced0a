"""Realistic FASTA and BED files users have (issue: hostile inputs): what is read as a serious tool reads it, and
what is refused in one line naming the file, the record or line, and the fix."""

from __future__ import annotations

import logging
import os
import re

import numpy as np
import pytest
from helpers import random_dna, write_fasta

from motifnet.data.dataset import load_dataset
from motifnet.data.fasta import iter_fasta_blocks, read_fasta
from motifnet.data.genome import read_bed
from motifnet.errors import InputError

MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nMOTIF m1\n"
        "letter-probability matrix: alength= 4 w= 3 nsites= 10 E= 0\n 1 0 0 0\n 0 1 0 0\n 0 0 1 0\n")


def _blocks(path):
    return [(header, block.sequence(i)) for block in iter_fasta_blocks(path, 16)
            for i, header in enumerate(block.headers)]


def _lines(path):
    return [(record.header, b"".join(record.lines)) for record in read_fasta(path)]


@pytest.mark.parametrize("reader", [_blocks, _lines], ids=["blocks", "lines"])
def test_both_readers_read_stop_codons_and_comment_lines_as_letters_alike(tmp_path, reader):
    # '*' and ';' may be letters of a custom alphabet (--alphabet 'AB*;'), so neither reader drops or refuses
    # them; the alphabet detection warns, and DNA, RNA and protein encoders refuse them naming the record.
    path = tmp_path / "proteins.fa"
    path.write_bytes(b">p1\nMKVL\nWW*\n>p2\nMK*V*  \n>p3\n*\n>p4\nAC\n;note\n  ;x\nDE\n")
    assert reader(path) == [("p1", b"MKVLWW*"), ("p2", b"MK*V*"), ("p3", b"*"), ("p4", b"AC;note;xDE")]


@pytest.mark.parametrize("stray, named, fix", [("*", "'*'", "a '*' ending a record is a stop codon: remove it"),
                                               (";", "';'", "a line starting with ';' is a comment: remove it"),
                                               ("U", "'U'", "U is selenocysteine: write it as C"),
                                               ("O", "'O'", "O is pyrrolysine: write it as K")])
def test_stop_codons_or_comments_beside_protein_letters_are_warned_of(tmp_path, caplog, monkeypatch, stray, named,
                                                                      fix):
    # Translated proteins end in '*': read as a letter, it made a 21-letter custom alphabet without a word (and a
    # selenocysteine U still does).
    rng = np.random.default_rng(0)
    paths = []
    for name in ("a", "b"):
        records = "".join(f">{name}{i}\n{''.join(rng.choice(list('ACDEFGHIKLMNPQRSTVWY'), 30))}{stray}\n"
                          for i in range(12))
        paths.append(tmp_path / f"{name}.fa")
        paths[-1].write_text(records)
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        dataset = load_dataset(paths)
    assert dataset.encoder.alphabet.name == "custom" and stray in dataset.encoder.alphabet.symbols
    assert set(caplog.messages) == {
        f"the records hold {named} beside amino-acid letters, read as letters of a custom alphabet; for "
        f"protein, {fix}, or pass --alphabet protein to have them refused by record"}
    caplog.clear()
    for path in paths:
        path.write_text(path.read_text().replace(stray, ""))
    with caplog.at_level(logging.WARNING, logger="motifnet"):  # the same records without them: protein, no warning
        assert load_dataset(paths).encoder.alphabet.name == "protein"
    assert not caplog.messages


# (file content, expected message fragment); {path} is the file.
READER_CASES = [
    (b"@r1\nACGT\n+\nIIII\n", "{path}: not a FASTA file: line 1 ('@r1') comes before any header; FASTA records start "
                              "with a '>' header line; it looks like FASTQ: convert it to FASTA (e.g. seqkit fq2fa)"),
    (b"chr1\t100\t200\tpeak1\n", "line 1 ('chr1\\t100\\t200\\tpeak1') comes before any header; FASTA records start "
                                 "with a '>' header line; it looks like BED: name it .bed (or .narrowPeak) and pass "
                                 "--genome FILE.fa"),
    (b"chr1\t100\t200\r\n", "it looks like BED"),
    (b";from GenBank\n>s1\nACGT\n", "line 1 (';from GenBank') comes before any header; FASTA records start with a "
                                    "'>' header line; ';' comment lines are not read: remove them (e.g. grep -v '^;')"),
]


@pytest.mark.parametrize("reader", [_blocks, _lines], ids=["blocks", "lines"])
@pytest.mark.parametrize("content, fragment", READER_CASES, ids=[f[:24] for _, f in READER_CASES])
def test_files_that_are_not_fasta_say_what_they_look_like(tmp_path, reader, content, fragment):
    path = tmp_path / "input.fa"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(fragment.format(path=path))):
        reader(path)


def test_a_not_fasta_line_without_a_known_look_gets_no_hint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello world\n>s\nACGT\n")
    with pytest.raises(InputError, match=re.escape("header line") + "$"):
        list(read_fasta(path))


def test_a_byte_order_mark_before_a_bed_line_is_not_part_of_the_chromosome(tmp_path):
    # Read into the chromosome name: "chromosome '\ufeffchr1' is not in the genome".
    path = tmp_path / "peaks.bed"
    path.write_bytes(b"\xef\xbb\xbfchr1\t100\t200\r\nchr2\t5\t9\r\n")
    assert [(i.chrom, i.start, i.end, i.line) for i in read_bed(path)] == [("chr1", 100, 200, 1), ("chr2", 5, 9, 2)]


@pytest.mark.parametrize("content, fragment", [
    (b">s1\nACGT\n", "line 1: a BED line needs tab-separated chrom, start and end, found '>s1'; the file looks like "
                     "FASTA: give it a FASTA name (.fa, .fa.gz), not a BED one"),
    (b"@r1\nACGT\n+\nIIII\n", "line 1: a BED line needs tab-separated chrom, start and end, found '@r1'; the "
                              "file looks like FASTQ: convert it to FASTA (e.g. seqkit fq2fa)"),
])
def test_fasta_named_as_bed_says_so(tmp_path, content, fragment):
    path = tmp_path / "peaks.bed"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(f"{path}, {fragment}")):
        read_bed(path)


def _run_fasta(folder, name: str, body: bytes) -> str:
    path = folder / name
    path.write_bytes(body)
    return str(path)


def _records(n=3, length=40, seed=0) -> list:
    return random_dna(np.random.default_rng(seed), n, length)


# (command, input file name, its content, expected message fragment) for predict and scan.
def _cli_cases():
    a, b, c = _records()
    fasta = f">s1\n{a}\n>s2\n{b}\n".encode()
    return [
        ("predict", "reads.fq", f"@s1\n{a}\n+\n{'I' * 40}\n".encode(), "reads.fq: not a FASTA file: line 1 ('@s1') "
         "comes before any header; FASTA records start with a '>' header line; it looks like FASTQ"),
        ("scan", "reads.fq", f"@s1\n{a}\n+\n{'I' * 40}\n".encode(), "reads.fq: not a FASTA file: line 1 ('@s1') "
         "comes before any header; FASTA records start with a '>' header line; it looks like FASTQ"),
        ("predict", "peaks.txt", b"chr1\t100\t200\n", "peaks.txt: not a FASTA file: line 1 ('chr1\\t100\\t200') comes "
         "before any header; FASTA records start with a '>' header line; it looks like BED: name it .bed"),
        ("predict", "notes.fa", fasta + f">s3\n{c[:20]}\n;edited\n{c[27:]}\n".encode(),  # 40 letters in all
         "notes.fa, record 3 ('s3'): sequence character ';' at position 21 is not in the dna alphabet (allowed: "
         "ACGTRYSWKMBDHVN); a ';' comment line read as sequence? remove comment lines"),
        ("scan", "notes.fa", fasta + f">s3\n{c[:20]}\n;edited\n{c[20:]}\n".encode(),
         "notes.fa, record 3 ('s3'): letter ';' at position 21 is not DNA or RNA; a ';' comment line read as "
         "sequence? remove comment lines"),
        ("predict", "aligned.fa", fasta + f">s3\n{c[:10]}--{c[12:]}\n".encode(),
         "aligned.fa, record 3 ('s3'): sequence character '-' at position 11 is not in the dna alphabet (allowed: "
         "ACGTRYSWKMBDHVN); an alignment gap: remove the gaps (e.g. seqkit seq -g)"),
        ("scan", "aligned.fa", fasta + f">s3\n{c[:10]}..{c[12:]}\n".encode(),
         "aligned.fa, record 3 ('s3'): letter '.' at position 11 is not DNA or RNA; an alignment gap: remove the "
         "gaps (e.g. seqkit seq -g)"),
        # Sequence + dot-bracket records given to a sequence-only model or to scan.
        ("predict", "folded.fa", fasta + f">s3\n{c}\n{'((((....))))':.<40}\n".encode(),
         "folded.fa, record 3 ('s3'): sequence length 80 differs from 40; the record looks like a sequence line "
         "followed by a dot-bracket structure line ('().' read as sequence); the model reads sequence only: give the "
         "sequence lines alone"),
        ("scan", "folded.fa", fasta + f">s3\n{c}\n{'((((....))))':.<40}\n".encode(),
         "folded.fa, record 3 ('s3'): letter '(' at position 41 is not DNA or RNA; the record looks like a sequence "
         "line followed by a dot-bracket structure line ('().' read as sequence); scan reads sequence only: give the "
         "sequence lines alone"),
        # ... and records of fold --format context (FHIMST: H, M, S and T are nucleotide letters too), whose stem and
        # loop letters scan took for IUPAC codes and T without a word.
        ("predict", "context.fa", fasta + f">s3\n{c}\n{'FFSSSSHHHHSSSSTT':T<40}\n".encode(),
         "context.fa, record 3 ('s3'): sequence length 80 differs from 40; the record looks like a sequence line "
         "followed by a structure line of motifnet fold's context format (its letters FHIMST read as sequence); the "
         "model reads sequence only: give the sequence lines alone"),
        ("scan", "context.fa", fasta + f">s3\n{c}\n{'SSSSSHHHHSSSSS':T<40}\n".encode(),
         "context.fa, record 3 ('s3'): the record looks like a sequence line followed by a structure line of motifnet "
         "fold's context format (its letters FHIMST read as sequence); scan reads sequence only: give the sequence "
         "lines alone"),
        ("scan", "profile.fa", fasta + f">s3\n{c}\n{' '.join(['0.250'] * 40)}\n".encode(),
         "profile.fa, record 3 ('s3'): letter '0' at position 41 is not DNA or RNA; the record looks like a sequence "
         "line followed by the rows of a structure profile, as motifnet fold --format profile writes them"),
        ("predict", "empty.fa", fasta + b">s3\n", "empty.fa, record 3 ('s3'): empty sequence (a header without "
         "sequence lines); remove the record or give its sequence"),
        ("predict", "header.fa", b">only\n", "header.fa, record 1 ('only'): empty sequence (a header without "),
    ]


CLI_CASES = _cli_cases()


@pytest.mark.parametrize("command, name, body, fragment", CLI_CASES,
                         ids=[f"{case[0]}-{case[1]}-{case[3][-30:]}" for case in CLI_CASES])
def test_realistic_bad_inputs_give_one_line_naming_file_and_record(cli, trained_run, tmp_path, command, name, body,
                                                                    fragment):
    path = _run_fasta(tmp_path, name, body)
    if command == "predict":
        result = cli("predict", trained_run[0], path, "-o", tmp_path / "p.tsv")
    else:
        (tmp_path / "m.meme").write_text(MEME)
        result = cli("scan", tmp_path / "m.meme", path, "-o", tmp_path / "scan", "--background", "uniform")
    lines = result.stderr.strip().splitlines()  # progress lines, then one error line
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and [line for line in lines if line.startswith("Error:")] == lines[-1:]
    assert f"{tmp_path}/{fragment}" in lines[-1], lines
    assert not (tmp_path / "p.tsv").exists() and (tmp_path / name).read_bytes() == body


def test_bed_on_standard_input_is_told_to_go_to_a_file(cli, trained_run):
    """The hint said 'name it .bed', which standard input cannot be."""
    result = cli("predict", trained_run[0], "-", input=b"chr1\t100\t200\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: standard input: not a FASTA file: line 1 ('chr1\\t100\\t200') comes before any header; FASTA records "
        "start with a '>' header line; it looks like BED, which is read from files only: save it as a .bed file and "
        "pass --genome FILE.fa")


def _motifnet(*args, timeout: int = 120):
    """``motifnet ARGS`` in a process of its own, ended after ``timeout`` seconds: a command that opens a pipe a
    second time waits for a writer forever (the test then fails, not hangs)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "motifnet", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def test_commands_that_read_an_input_twice_refuse_a_pipe(tmp_path):
    """A pipe was read, then hashed (or read again) when empty: train recorded the checksum of nothing, which
    --resume then matched against any input; scan --background input found no records."""
    import threading

    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", "ACGTACGTAA") for i in range(6)])
    motifs = tmp_path / "m.meme"
    motifs.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m\nletter-probability matrix: w= 2\n"
                      "0.25 0.25 0.25 0.25\n0.25 0.25 0.25 0.25\n")
    pipe = tmp_path / "b.fa"
    os.mkfifo(pipe)  # refused before anything opens it
    result = _motifnet("train", a, pipe, "-o", tmp_path / "run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {pipe}: a pipe, which can be read only once, and train reads each input file twice (its records, "
        "its checksum); save it to a file, or give it as - (standard input)")
    result = _motifnet("scan", motifs, a, pipe, "-o", tmp_path / "scan")
    assert result.returncode == 1 and "--background input reads the records twice" in result.stderr
    assert not (tmp_path / "run").exists() and not (tmp_path / "scan").exists()

    def feed_once():  # as <(cat b.fa) does
        with open(pipe, "wb") as handle:
            handle.write(a.read_bytes().replace(b">a", b">b"))

    thread = threading.Thread(target=feed_once, daemon=True)
    thread.start()
    result = _motifnet("scan", motifs, pipe, "-o", tmp_path / "scan", "--background", "uniform")
    assert result.returncode == 0, result.stderr
    thread.join(5)
