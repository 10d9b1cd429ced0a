"""Tests for motifnet.data.fasta: streaming FASTA reading and its error messages."""

import gzip
import io
import logging
import re
import sys

import numpy as np
import pytest

from motifnet.data.fasta import FastaRecord, display_name, iter_fasta_blocks, iter_text_stream, read_fasta
from motifnet.errors import InputError

TWO_RECORDS = ">s1 first record\nACG\nTTA\n>s2\nGG\n"
EXPECTED = [("s1 first record", [b"ACG", b"TTA"]), ("s2", [b"GG"])]


def _summary(records):
    return [(record.header, record.lines) for record in records]


def _fake_stdin(monkeypatch, data: bytes):
    buffer = io.BufferedReader(io.BytesIO(data))
    monkeypatch.setattr(sys, "stdin", type("FakeStdin", (), {"buffer": buffer})())
    return buffer


def test_multi_line_records_are_joined_per_record(tmp_path):
    path = tmp_path / "seqs.fa"
    path.write_text(TWO_RECORDS)
    records = list(read_fasta(path))
    assert _summary(records) == EXPECTED
    assert [record.number for record in records] == [1, 2]
    assert [record.id for record in records] == ["s1", "s2"]
    assert {record.path for record in records} == {str(path)}


def test_crlf_line_endings_leave_no_carriage_returns(tmp_path):
    path = tmp_path / "windows.fa"
    path.write_bytes(TWO_RECORDS.replace("\n", "\r\n").encode())
    assert _summary(read_fasta(path)) == EXPECTED


def test_blank_lines_and_surrounding_whitespace_are_dropped(tmp_path):
    path = tmp_path / "blank.fa"
    path.write_text("\n\n  >s1 first record  \n\nACG  \n   \n  TTA\n\n>s2\n\nGG\n\n\n")
    assert _summary(read_fasta(path)) == EXPECTED


@pytest.mark.parametrize("name", ["seqs.fa.gz", "seqs.fa", "no_extension"])
def test_gzip_is_detected_from_the_content_not_the_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(TWO_RECORDS.encode()))
    assert _summary(read_fasta(path)) == EXPECTED


def _fifo_fed(path, data: bytes):
    """A named pipe at ``path`` that a thread fills with ``data`` once a reader opens it (as <(zcat x.fa.gz) is)."""
    import os
    import threading

    os.mkfifo(path)

    def feed():
        with open(path, "wb") as pipe:
            pipe.write(data)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("compress", [False, True])
def test_a_named_pipe_is_read_once_plain_or_gzip(tmp_path, compress):
    """A pipe was read two bytes, then sought back ('not seekable') or opened again for gzip (no records)."""
    text = b">a\nACGT\n>b\nGGCC\n"
    thread = _fifo_fed(tmp_path / "pipe", gzip.compress(text) if compress else text)
    records = [(record.header, b"".join(record.lines)) for record in read_fasta(tmp_path / "pipe")]
    assert records == [("a", b"ACGT"), ("b", b"GGCC")]
    thread.join(5)


def test_plain_file_named_gz_is_read_as_text(tmp_path):
    path = tmp_path / "not_really.fa.gz"
    path.write_text(TWO_RECORDS)
    assert _summary(read_fasta(path)) == EXPECTED


def test_empty_header_gives_a_numbered_id(tmp_path):
    path = tmp_path / "anon.fa"
    path.write_text(">\nAC\n>   \nGT\n")
    assert [record.id for record in read_fasta(path)] == ["record_1", "record_2"]


def test_record_without_body_has_no_lines(tmp_path):
    path = tmp_path / "empty_body.fa"
    path.write_text(">s1\n>s2\nAC\n")
    assert _summary(read_fasta(path)) == [("s1", []), ("s2", [b"AC"])]


def test_where_names_file_record_number_and_id():
    record = FastaRecord("data/pos.fa", 3, "seq7 some description", [b"AC"])
    assert record.where() == "data/pos.fa, record 3 ('seq7')"


def test_records_are_streamed_before_a_later_problem(tmp_path):
    path = tmp_path / "seqs.fa"
    path.write_bytes(gzip.compress(TWO_RECORDS.encode())[:-12])  # truncated gzip
    records = read_fasta(path)
    assert next(records).header == "s1 first record"
    with pytest.raises(InputError, match="cannot be read"):
        list(records)


def _write_text(text):
    return lambda path: path.write_text(text)


@pytest.mark.parametrize("setup, message", [
    (_write_text(""), "contains no FASTA records"),
    (_write_text("\n  \n\r\n"), "contains no FASTA records"),
    (lambda path: path.write_bytes(gzip.compress(b"")), "contains no FASTA records"),
    (_write_text("ACGT\n>s1\nACGT\n"), r"not a FASTA file: line 1 \('ACGT'\) comes before any header"),
    (_write_text("\n# a comment\n>s1\nAC\n"), r"not a FASTA file: line 2 \('# a comment'\)"),
    (lambda path: None, "no such file"),
    (lambda path: path.mkdir(), "is a folder, expected a FASTA file"),
    (lambda path: path.write_bytes(b"\x1f\x8b" + b"not gzip at all"), "cannot be read"),
    (lambda path: path.write_bytes(gzip.compress(b">s1\nACGT\n" * 50)[:30]), "cannot be read"),
])
def test_unreadable_files_raise_input_error_naming_the_file(tmp_path, setup, message):
    path = tmp_path / "input.fa"
    setup(path)
    with pytest.raises(InputError, match=re.escape(str(path)) + ": " + message):
        list(read_fasta(path))


def test_standard_input_is_read_with_dash(monkeypatch):
    buffer = _fake_stdin(monkeypatch, TWO_RECORDS.encode())
    records = list(read_fasta("-"))
    assert _summary(records) == EXPECTED
    assert records[0].where() == "standard input, record 1 ('s1')"
    assert not buffer.closed  # standard input belongs to the caller


def test_gzip_on_standard_input_is_detected(monkeypatch):
    _fake_stdin(monkeypatch, gzip.compress(TWO_RECORDS.replace("\n", "\r\n").encode()))
    assert _summary(read_fasta("-")) == EXPECTED


def test_empty_standard_input_is_named_in_the_error(monkeypatch):
    _fake_stdin(monkeypatch, b"")
    with pytest.raises(InputError, match="^standard input: contains no FASTA records"):
        list(read_fasta("-"))


def test_display_name():
    assert display_name("-") == "standard input"
    assert display_name("a/b.fa") == "a/b.fa"


@pytest.mark.parametrize("compress", [False, True])
def test_iter_text_stream_reads_plain_and_gzip_text(tmp_path, compress):
    path = tmp_path / "table.txt"
    data = b"a\tb\r\n1\t2\n"
    path.write_bytes(gzip.compress(data) if compress else data)
    with iter_text_stream(path) as handle:
        assert handle.read().splitlines() == ["a\tb", "1\t2"]


def test_bytes_that_are_not_utf8_are_named_once_by_file_and_line(tmp_path, caplog):
    """A Latin-1 VCF id became U+FFFD in variants.tsv without a word."""
    path = tmp_path / "latin1.vcf"
    path.write_bytes(b"##fileformat=VCFv4.2\nchr1\t5\trs\xe9\tA\tC\nchr1\t9\tr\xe8\tA\tC\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"), iter_text_stream(path) as handle:
        lines = list(handle)
    assert lines[1] == "chr1\t5\trs\ufffd\tA\tC\n"
    assert [record.getMessage() for record in caplog.records] == [
        f"{path}, line 2: bytes that are not UTF-8 text, read as the replacement character U+FFFD; ids and names "
        "from such lines will not match the file's: save it as UTF-8 to keep them"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="motifnet"), iter_text_stream(path) as handle:
        assert handle.readline() and handle.readline() and handle.readline()
    assert "line 2:" in caplog.records[0].getMessage() and len(caplog.records) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_refused_naming_file_and_line(tmp_path, encoding):
    """UTF-16 BED and feature files got messages about their columns ("start and end must be integers, found
    '\\x001\\x000\\x00'"): the NUL bytes are named, whatever reads the file."""
    path = tmp_path / "peaks.bed"
    path.write_bytes("chr1\t100\t200\n".encode(encoding))
    with pytest.raises(InputError) as error, iter_text_stream(path) as handle:
        list(handle)
    assert str(error.value) == (f"{path}, line 1: NUL bytes: a UTF-16 file (as some Windows tools save text), or "
                                "not text at all; save it as UTF-8 (or plain ASCII) text")


def test_a_bam_file_given_as_text_is_named(tmp_path):
    """A BAM file given as peaks was called "NUL bytes: a UTF-16 file"."""
    path = tmp_path / "reads.bed"
    path.write_bytes(gzip.compress(b"BAM\x01" + (12).to_bytes(4, "little") + b"@HD\tVN:1.6\n\x00\x00"))
    with pytest.raises(InputError) as error, iter_text_stream(path) as handle:
        list(handle)
    assert str(error.value) == (f"{path}: a BAM file (binary alignments), not text; give peaks as BED or sequences "
                                "as FASTA")


@pytest.mark.parametrize("content, what", [
    (gzip.compress(b"BAM\x01" + (12).to_bytes(4, "little") + b"@HD\tVN:1.6\n\x00\x00"),
     "a BAM file (binary alignments)"),
    (b"CRAM\x03\x00" + b"\x00" * 20, "a CRAM file (compressed alignments)"),
])
def test_an_alignment_file_given_as_fasta_is_named(cli, tmp_path, content, what):
    """A BAM or CRAM file given as sequences was 'not a FASTA file: line 1 ('BAM\\x01...') comes before any header'."""
    path = tmp_path / "reads.fa"
    path.write_bytes(content)
    other = tmp_path / "other.fa"
    other.write_text(">a\nACGT\n")
    result = cli("train", path, other, "-o", tmp_path / "run")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == f"Error: {path}: {what}, not a FASTA file; give peaks as BED or sequences as FASTA"
    path.write_text("CRAMP1\tgene\n")  # text that begins like a CRAM file's magic is not taken for one
    result = cli("train", path, other, "-o", tmp_path / "run")
    assert "not a FASTA file: line 1 ('CRAMP1\\tgene')" in result.stderr


def test_utf16_bed_and_feature_files_are_refused_in_one_line(cli, tmp_path):
    bed = tmp_path / "peaks.bed"
    bed.write_bytes("chr1\t10\t30\tp\t0\t+\n".encode("utf-16"))
    features = tmp_path / "features.tsv"
    features.write_bytes("1.0\n".encode("utf-16"))
    (tmp_path / "genome.fa").write_text(">chr1\n" + "ACGT" * 20 + "\n")
    (tmp_path / "a.fa").write_text(">a1 0.5\nACGTACGTAC\n")
    message = "line 1: NUL bytes: a UTF-16 file (as some Windows tools save text), or not text at all"
    result = cli("train", bed, "--genome", tmp_path / "genome.fa", "--length", "10", "--background", "shuffle",
                 "-o", tmp_path / "r1")
    assert result.exit_code == 1 and result.stderr.strip().splitlines()[-1].startswith(f"Error: {bed}, {message}")
    result = cli("train", tmp_path / "a.fa", "--features", features, "--task", "regression", "-o", tmp_path / "r2")
    assert result.exit_code == 1 and f"Error: {features}, {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "r1").exists() and not (tmp_path / "r2").exists()


@pytest.mark.parametrize("bulk", [False, True])
def test_fasta_headers_that_are_not_utf8_are_named_once_per_file(tmp_path, caplog, bulk):
    """A Latin-1 FASTA header became U+FFFD in every output without a word (text files warned already)."""
    path = tmp_path / "latin1.fa"
    path.write_bytes(b">s1 ok\nACGT\n>s\xe92 caf\xe9\nACGT\n>s\xe93\nACGT\n")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        if bulk:
            headers = [header for block in iter_fasta_blocks(path, block_bytes=8) for header in block.headers]
        else:
            headers = [record.header for record in read_fasta(path)]
    assert headers == ["s1 ok", "s\ufffd2 caf\ufffd", "s\ufffd3"]
    assert [record.getMessage() for record in caplog.records] == [
        f"{path}, record 2: its header 's\ufffd2 caf\ufffd' has bytes that are not UTF-8 text, read as the "
        "replacement character U+FFFD; ids and descriptions from such headers will not be the file's: save it as "
        "UTF-8 to keep them"]


def test_utf8_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.fa"
    path.write_bytes(b"\xef\xbb\xbf>s1\nACGT\n")
    records = list(read_fasta(path))
    assert [(r.header, r.lines) for r in records] == [("s1", [b"ACGT"])]


BULK_CASES = [
    b">a desc\nACGT\nAC\n>b\nGG\n",
    b">a\r\nAC\r\nGT\r\n\r\n>b x>y\r\nTT\r\n",
    b"\n\n>a\nAC\n\n>b\n\nGT\n>c\nA",
    b"\xef\xbb\xbf>a\nAC GT\n>b\nA\tA\n",
    b">only\n" + b"ACGT" * 50 + b"\n",
    b">a\nAC\x01GT\x00\n>b\nGG",          # control characters stay, for the encoder to report
    b">a\n>b x\nAC\n>c",                  # records without sequence, a header at the very end
    b">\xc3\xa9t\xe9\nAC\n>b\n\x0bGT\x0c\n",   # UTF-8 and broken UTF-8 in a header; VT and FF
]


@pytest.mark.parametrize("content", BULK_CASES)
@pytest.mark.parametrize("block_bytes", [1, 5, 16, 1 << 20])
def test_bulk_blocks_give_the_records_of_the_line_reader(tmp_path, content, block_bytes):
    path = tmp_path / "x.fa"
    path.write_bytes(content)
    expected = [(r.number, r.header, b"".join(r.lines).replace(b" ", b"").replace(b"\t", b""))
                for r in read_fasta(path)]
    got = []
    for block in iter_fasta_blocks(path, block_bytes):
        got += [(block.first_number + i, h, block.sequence(i)) for i, h in enumerate(block.headers)]
    assert got == expected


@pytest.mark.parametrize("compress", [False, True])
def test_a_file_smaller_than_a_block_is_one_block(tmp_path, compress):
    content = b"".join(b">s%d\nACGTACGT\n" % i for i in range(40))
    path = tmp_path / "x.fa"
    path.write_bytes(gzip.compress(content) if compress else content)
    assert [len(block) for block in iter_fasta_blocks(path, 1 << 20)] == [40]
    # Blocks just above a third of the file: three blocks, the file's last record in the last.
    sizes = [len(block) for block in iter_fasta_blocks(path, len(content) // 3 + 1)]
    assert sum(sizes) == 40 and len(sizes) == 3


def test_bulk_blocks_say_how_far_into_the_file_they_reach(tmp_path):
    """For predict's time left: a block reaches to where the next block's first record starts (plain), and the
    last to the file's end (plain and gzip); standard input and pipes cannot tell."""
    content = b"".join(b">s%d\n%s\n" % (i, b"ACGT" * (i % 7 + 1)) for i in range(60))
    path = tmp_path / "x.fa"
    path.write_bytes(content)
    blocks = list(iter_fasta_blocks(path, 50))
    assert len(blocks) > 5
    starts = [content.index(b">s%d\n" % (block.first_number - 1)) for block in blocks]
    assert [block.bytes_read for block in blocks] == starts[1:] + [len(content)]
    packed = tmp_path / "x.fa.gz"
    packed.write_bytes(gzip.compress(content * 50))
    reach = [block.bytes_read for block in iter_fasta_blocks(packed, 4000)]
    assert reach == sorted(reach) and 0 < reach[0] < reach[-1] == packed.stat().st_size
    thread = _fifo_fed(tmp_path / "pipe", content)
    assert {block.bytes_read for block in iter_fasta_blocks(tmp_path / "pipe", 50)} == {None}
    thread.join(5)


def test_bulk_blocks_read_gzip_and_name_records(tmp_path):
    path = tmp_path / "x.fa.gz"
    path.write_bytes(gzip.compress(b">a\nAC\n>b two\nGT\n>\nTT\n"))
    blocks = list(iter_fasta_blocks(path, 4))
    ids = [i for block in blocks for i in block.ids()]
    assert ids == ["a", "b", "record_3"]
    assert blocks[-1].where(len(blocks[-1]) - 1) == f"{path}, record 3 ('record_3')"


@pytest.mark.parametrize("content,fragment", [
    (b"", "contains no FASTA records"),
    (b"\n  \n", "contains no FASTA records"),
    (b"\nhello\n>a\nAC\n", "not a FASTA file: line 2 ('hello')"),
])
def test_bulk_blocks_refuse_empty_and_non_fasta(tmp_path, content, fragment):
    path = tmp_path / "x.fa"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(fragment)):
        list(iter_fasta_blocks(path, 3))


@pytest.mark.parametrize("seed", range(6))
def test_bulk_blocks_agree_with_the_line_reader_on_random_files(tmp_path, seed):
    rng = np.random.default_rng(seed)
    line_end = [b"\n", b"\r\n"][seed % 2]
    parts = [b"\n" * int(rng.integers(0, 3))]
    for _ in range(int(rng.integers(1, 60))):
        header = b"".join(rng.choice([b"s", b"x", b" ", b">", b"\t", b"\xc3\xa9", b"|"], int(rng.integers(0, 12))))
        parts.append(b">" + header + line_end)
        sequence = bytes(rng.choice(list(b"ACGTNacgtn"), int(rng.integers(0, 250))))
        wrap = int(rng.integers(1, 90))
        for start in range(0, len(sequence), wrap):
            parts.append(sequence[start:start + wrap] + (b" " if rng.random() < 0.1 else b"") + line_end)
            if rng.random() < 0.05:
                parts.append(line_end)  # a blank line inside a record
    content = b"".join(parts)
    if rng.random() < 0.5:
        content = content.rstrip(b"\r\n")  # no line break at the end of the file
    path = tmp_path / "random.fa"
    path.write_bytes(content)
    expected = [(r.number, r.header, b"".join(r.lines).replace(b" ", b"")) for r in read_fasta(path)]
    for block_bytes in (7, 100, 4096, 1 << 20):
        got = [(block.first_number + i, header, block.sequence(i))
               for block in iter_fasta_blocks(path, block_bytes) for i, header in enumerate(block.headers)]
        assert got == expected, block_bytes


def _damaged_gzip(path):
    """A gzip file whose deflate stream is corrupted in the middle (zlib.error while reading)."""
    data = bytearray(gzip.compress(b"".join(b">s%d\nACGTACGTTGCA\n" % i for i in range(2000))))
    data[40:60] = b"\xff" * 20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    _damaged_gzip,
    lambda path: path.write_bytes(gzip.compress(b">s1\nACGT\n" * 500)[:-12]),  # truncated: EOFError
    lambda path: path.write_bytes(b"\x1f\x8b" + b"not gzip at all"),  # BadGzipFile
])
@pytest.mark.parametrize("reader", [
    lambda path: list(read_fasta(path)),
    lambda path: list(iter_fasta_blocks(path, block_bytes=64)),
    lambda path: list(iter_text_stream(path)),
])
def test_every_reader_names_a_damaged_gzip_file(tmp_path, damage, reader):
    path = tmp_path / "input.fa.gz"
    damage(path)
    with pytest.raises(InputError, match=re.escape(str(path)) + ": cannot be read"):
        reader(path)


@pytest.mark.parametrize("reader", [read_fasta, iter_fasta_blocks])
def test_carriage_return_line_endings_are_named(tmp_path, reader):
    # Read as one line, the first record was reported as an "empty sequence".
    path = tmp_path / "mac.fa"
    path.write_bytes(b">r1\rACGTACGT\r>r2\rTTGCA\r")
    with pytest.raises(InputError, match=re.escape(f"{path}: its lines end in a carriage return alone")):
        list(reader(str(path)))
    # lines that end in a carriage return alone after a first line that ends in a line feed: the letters ran on
    # into the next header ("character '\\r' at position 13 is not a nucleotide", or a '>' in the letters)
    # ... from a header on, which then held the rest of the file (the block reader: "empty sequence")
    for content in (b">a\nGGGGAAAACCCC\r>b\rGGGGAAAACCCC\r", b">a\nACGT\n>b\rTTTT\rGGGG\r>c\rAAAA\r"):
        path.write_bytes(content)
        with pytest.raises(InputError, match=re.escape(f"{path}: its lines end in a carriage return alone")):
            list(reader(str(path)))
    path.write_bytes(b">a\r\r\nACGT\r\r\nAC \r\n")  # line endings converted twice, a space before one: as before
    records = list(reader(str(path)))
    assert (b"".join(records[0].lines) if reader is read_fasta else records[0].sequence(0)) == b"ACGTAC"
    path.write_bytes(b">r1\r\nACGTACGT\r\n>r2\r\nTTGCA\r\n")  # Windows line endings read as before
    records = list(reader(str(path)))
    assert (records[0].header if reader is read_fasta else records[0].headers[0]) == "r1"
