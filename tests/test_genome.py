"""BED + genome input (motifnet.data.genome) and what train and predict make of it, on a small synthetic genome
with planted sites (helpers.make_genome): windows centred on the summit or the centre, minus-strand windows
reverse-complemented, positives-only training with each background kind, chromosome hold-out, predictions with
genome coordinates, and each input error as one line naming file, line and value."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import TINY_PARAMS, make_genome, write_fasta

from motifnet.data.genome import (
    BedInterval,
    Genome,
    Window,
    iter_bed_blocks,
    parse_window_id,
    read_bed,
    read_bed_block,
    reverse_complement,
)
from motifnet.errors import InputError

MOTIF = "ACCGGAAGTG"


@pytest.fixture
def planted(tmp_path):
    return make_genome(tmp_path)


@pytest.fixture
def large(tmp_path):
    """A genome with room for GC-matched background windows beside the 45 peaks."""
    return make_genome(tmp_path, sizes={"chr1": 20000, "chr2": 16000, "chr3": 12000})


def _split(run_dir):
    with open(run_dir / "split.tsv") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# -- reading BED and the genome --------------------------------------------------------------------------------

def test_bed3_bed6_and_narrowpeak_lines(tmp_path):
    path = tmp_path / "mixed.bed"
    path.write_text("track name=x\n# comment\nchr1\t100\t200\n"
                    "chr1\t100\t201\tp\t0\t-\n"
                    "chr2\t100\t200\tp\t0\t.\t1\t1\t1\t10\n"
                    "chr2\t100\t200\tp\t0\t+\t1\t1\t1\t-1\n"
                    # BED12: column 10 is blockCount, not a summit (it moved the window by 2 bases)
                    "chr2\t100\t200\tp\t0\t+\t100\t200\t0,0,0\t2\t10,10\t0,90\n")
    intervals = read_bed(path)
    assert intervals == [BedInterval("chr1", 100, 200, ".", -1, 3), BedInterval("chr1", 100, 201, "-", -1, 4),
                         BedInterval("chr2", 100, 200, ".", 10, 5), BedInterval("chr2", 100, 200, "+", -1, 6),
                         BedInterval("chr2", 100, 200, "+", -1, 7)]
    assert [interval.window(20) for interval in intervals] == [
        Window("chr1", 140, 160), Window("chr1", 140, 160, "-"),  # the centre, (start + end) // 2
        Window("chr2", 100, 120), Window("chr2", 140, 160),       # the summit 100 + 10; -1: the centre
        Window("chr2", 140, 160)]
    assert [interval.window(21).end - interval.window(21).start for interval in intervals] == [21] * 5


def test_trailing_tabs_keep_a_narrowpeak_summit_and_coordinates_are_plain_integers(tmp_path):
    """An 11th, empty column (a trailing tab) made a narrowPeak line lose its summit without a word; int() read
    '1_000' and '+720' as coordinates."""
    path = tmp_path / "edited.narrowPeak"
    path.write_text("chr2\t100\t200\tp\t0\t.\t1\t1\t1\t10\t\n"
                    "chr2\t100\t200\tp\t0\t.\t1\t1\t1\t10\t \t\n")
    assert [interval.summit for interval in read_bed(path)] == [10, 10]
    for start, end in (("1_000", "2000"), ("+720", "900"), ("720", "9e2")):
        path.write_text(f"chr1\t{start}\t{end}\n")
        with pytest.raises(InputError, match=re.escape(f"line 1: start and end must be integers, found '{start}' and "
                                                       f"'{end}'")):
            read_bed(path)
    path.write_text("chr1\t100\t200\tp\t0\t.\t1\t1\t1\t+1\n")
    with pytest.raises(InputError, match="the summit \\(column 10\\) must be an integer, found '\\+1'"):
        read_bed(path)


def test_a_linked_genome_in_a_folder_without_write_permission_is_indexed_elsewhere(planted, tmp_path, monkeypatch):
    """The folder checked was the link target's, but pyfaidx writes LINK.fai beside the link: 'Read-only file
    system' on a read-only folder of links to a writable one."""
    from motifnet.data import genome as genome_module

    target = tmp_path / "data" / "g.fa"
    target.parent.mkdir()
    target.write_bytes(planted["genome"].read_bytes())
    locked = tmp_path / "links"
    locked.mkdir()
    (locked / "g.fa").symlink_to(target)
    real_access = os.access
    monkeypatch.setattr(genome_module.os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    with Genome(str(locked / "g.fa")) as genome:
        assert genome.lengths == {"chr1": 6000, "chr2": 5000, "chr3": 4000}
    assert sorted(locked.iterdir()) == [locked / "g.fa"]


def test_minus_strand_window_is_the_reverse_complement(planted):
    sequence = planted["sequences"]["chr1"]
    with Genome(planted["genome"]) as genome:
        block = read_bed_block(planted["bed"], genome, 200)
        ids = block.ids()
        # peak1 is chr1 573-673 on '-': the window 523-723, read on the minus strand.
        assert ids[:2] == ["chr1:150-350(+)", "chr1:523-723(-)"]
        letters = bytes(block.letters[200:400]).decode()
        assert letters == reverse_complement(sequence[523:723].encode()).decode()
        assert letters[95:105] == "CACTTCCGGT"  # the motif at 618-628 on '+' reads reverse-complemented
        assert bytes(block.letters[:200]).decode()[95:105] == MOTIF
        assert genome.fetch(Window("chr1", 5990, 6010)) == sequence[5990:].encode() + b"N" * 10
        assert genome.fetch(Window("chr1", -3, 2, "-")) == reverse_complement(b"NNN" + sequence[:2].encode())


def test_streamed_blocks_hold_the_windows_read_at_once(planted):
    with Genome(planted["genome"]) as genome:
        whole = read_bed_block(planted["bed"], genome, 50)
        blocks = list(iter_bed_blocks(planted["bed"], genome, 50, records=7))
    assert [len(block.lengths) for block in blocks] == [7] * 6 + [3]
    assert [block.first_number for block in blocks] == list(range(1, 46, 7))
    assert sum((block.ids() for block in blocks), []) == whole.ids()
    assert b"".join(bytes(block.letters) for block in blocks) == bytes(whole.letters)


def test_narrowpeak_windows_centre_on_the_summit(planted):
    with Genome(planted["genome"]) as genome:
        block = read_bed_block(planted["narrowpeak"], genome, 30)
    assert block.ids()[0] == "chr1:235-265(+)"  # 200 + summit 50 - 15
    assert bytes(block.letters[:30]).decode()[10:20] == MOTIF


def test_window_ids_parse_back_with_a_suffix():
    assert parse_window_id("chrX:10-30(-)/shuffle2") == Window("chrX", 10, 30, "-")
    assert parse_window_id("seq1") is None


def test_a_window_reaching_before_the_chromosome_start_keeps_its_coordinates(planted, tmp_path):
    from motifnet.data.split import chromosome_split

    bed = tmp_path / "edge.bed"
    bed.write_text("chr2\t0\t20\tedge\t0\t+\n")
    with Genome(planted["genome"]) as genome:
        block = read_bed_block(bed, genome, 60)
    assert block.ids() == ["chr2:-20-40(+)"]
    assert parse_window_id("chr2:-20-40(+)") == Window("chr2", -20, 40, "+")
    assert parse_window_id("chr2:-20-40(+)/shuffle1") == Window("chr2", -20, 40, "+")
    # Chromosome hold-out must place such a window by its chromosome, not refuse it as "not a window".
    groups = chromosome_split(["chr2:-20-40(+)", "chr1:100-160(+)"], [[1], [1]], (0.7, 0.15), 0,
                              val_chroms=["chr2"], test_chroms=["chr3"])
    assert groups.tolist() == [1, 0]


def _rewrapped(source, target, width):
    """The FASTA ``source`` written again with ``width`` letters per line (its .fai then no longer fits)."""
    records = []
    for line in source.read_text().splitlines():
        if line.startswith(">"):
            records.append([line, ""])
        else:
            records[-1][1] += line
    target.write_text("".join(f"{header}\n" + "".join(body[i:i + width] + "\n" for i in range(0, len(body), width))
                              for header, body in records))
    return target


@pytest.mark.parametrize(("index_text", "fragment"), [
    (None, "the lines of chr1 are not 60 letters long"),  # the index of the same genome wrapped at 60
    ("chr1\t9000\t13\t50\t51\nchr2\t5000\t6146\t50\t51\nchr3\t4000\t11259\t50\t51\n",
     "chr1 is not 9000 letters long, as the index says"),
    ("chr1\t6000\t20\t50\t51\n", "chr1 does not start at byte 20"),
])
def test_an_index_that_belongs_to_another_file_is_refused(planted, tmp_path, index_text, fragment):
    folder = tmp_path / "copy"
    folder.mkdir()
    fasta = _rewrapped(planted["genome"], folder / "genome.fa", 50)
    index = folder / "genome.fa.fai"
    index.write_text(index_text or (planted["genome"].parent / "genome.fa.fai").read_text())
    os.utime(index, (fasta.stat().st_mtime + 10, fasta.stat().st_mtime + 10))  # newer: pyfaidx keeps it
    with pytest.raises(InputError, match=f"its index .* does not match the FASTA \\({fragment}\\)"):
        Genome(fasta)
    index.unlink()
    with Genome(fasta) as rebuilt, Genome(planted["genome"]) as original:
        assert rebuilt.fetch(Window("chr3", 3900, 4000)) == original.fetch(Window("chr3", 3900, 4000))


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda lines: [], "its index .* does not match the FASTA \\(it lists no record\\)"),
    # a record added to the FASTA after it was indexed (the index is newer, so pyfaidx keeps it)
    (lambda lines: lines[:-1], "its index .* does not match the FASTA \\(the file goes on after chr2, its last "
                               "indexed record\\)"),
    (lambda lines: ["id\tchrom\tstart\tend\tpeaks\tbackground", "chr1:1-61(+)\tchr1\t1\t61\t0.5\t0.5"],
     "its index .*genome.fa.fai is not a FASTA index"),
])
@pytest.mark.parametrize("age", [10, -10])
def test_an_index_that_does_not_list_every_record_is_refused(planted, tmp_path, change, fragment, age):
    """These indexes were read as they were: 'chromosome chr1 is not in the genome ()', or Python's unpack error.
    One older than the FASTA (age -10) was written over by pyfaidx's index, even a file that was no index at all."""
    folder = tmp_path / "copy"
    folder.mkdir()
    fasta = folder / "genome.fa"
    fasta.write_bytes(planted["genome"].read_bytes())
    lines = (planted["genome"].parent / "genome.fa.fai").read_text().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["chr1", "chr2", "chr3"]
    index = folder / "genome.fa.fai"
    text = "".join(line + "\n" for line in change(lines))
    index.write_text(text)
    os.utime(index, (fasta.stat().st_mtime + age, fasta.stat().st_mtime + age))
    with pytest.raises(InputError, match=f"--genome {fasta}: {fragment}.*delete the index so that it is built again"):
        Genome(fasta)
    assert index.read_text() == text
    index.unlink()
    with Genome(fasta) as rebuilt:
        assert list(rebuilt.lengths) == ["chr1", "chr2", "chr3"]


@pytest.mark.parametrize("writable", [True, False])
def test_a_fasta_whose_new_index_does_not_read_it_back_is_refused_and_the_index_removed(tmp_path, monkeypatch,
                                                                                        writable):
    """A record whose last line is longer than the others: pyfaidx indexes it, the check finds letters where the
    index says the record ends, and motifnet advised deleting the index it had just written beside the user's
    genome (it was built again, wrongly, on every run; other tools would read shifted letters through it)."""
    import motifnet.data.genome as genome_module

    rng = np.random.default_rng(1)
    body = "".join(rng.choice(list("ACGT"), 200))
    lines = [body[:60], body[60:120], body[120:]]  # the last line 80 letters
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">chr1\n" + "\n".join(lines) + "\n>chr2\n" + body[:50] + "\n")  # not the last record
    if not writable:
        monkeypatch.setattr(genome_module, "_index_writable", lambda path: False)
    with pytest.raises(InputError) as raised:
        Genome(fasta)
    assert str(raised.value) == (
        f"--genome {fasta}: cannot be indexed as FASTA: the index built from it does not read it back (chr1 is not "
        "200 letters long, as the index says), as when a record's lines are of different lengths (a last line "
        "longer than the others); rewrap it to lines of one length (e.g. seqkit seq -w 60)")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["genome.fa"]


def test_an_index_older_than_its_fasta_that_fits_it_is_used_as_it_is(planted, tmp_path):
    """A copy that gave the FASTA the later time (cp -r in folder order): the index was rebuilt, not used."""
    folder = tmp_path / "copy"
    folder.mkdir()
    fasta = folder / "genome.fa"
    fasta.write_bytes(planted["genome"].read_bytes())
    index = folder / "genome.fa.fai"
    index.write_bytes((planted["genome"].parent / "genome.fa.fai").read_bytes())
    os.utime(index, (fasta.stat().st_mtime - 10, fasta.stat().st_mtime - 10))
    before = index.stat().st_mtime_ns
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyfaidx's warning of an older index went to standard error as it is
        with Genome(fasta) as genome, Genome(planted["genome"]) as original:
            assert genome.fetch(Window("chr2", 4900, 5000, "-")) == original.fetch(Window("chr2", 4900, 5000, "-"))
    assert index.stat().st_mtime_ns == before


def test_a_genome_in_a_folder_without_write_access_is_indexed_elsewhere(planted, tmp_path, monkeypatch):
    import motifnet.data.genome as genome_module

    folder = tmp_path / "readonly"
    folder.mkdir()
    fasta = folder / "genome.fa"
    fasta.write_bytes(planted["genome"].read_bytes())
    monkeypatch.setattr(genome_module.os, "access", lambda path, mode: False)
    with Genome(fasta) as genome, Genome(planted["genome"]) as original:
        assert genome.lengths == original.lengths
        assert genome.fetch(Window("chr2", 4900, 5000, "-")) == original.fetch(Window("chr2", 4900, 5000, "-"))
    assert sorted(path.name for path in folder.iterdir()) == ["genome.fa"]


def test_a_chromosome_named_without_chr_gets_a_hint(planted, tmp_path):
    bed = tmp_path / "plain.bed"
    bed.write_text("1\t100\t200\n")
    with Genome(planted["genome"]) as genome, pytest.raises(InputError, match="it names it 'chr1'"):
        read_bed_block(bed, genome, 60)


def test_headers_that_share_a_name_before_the_first_space_are_refused(tmp_path):
    fasta = write_fasta(tmp_path / "g.fa", [("chr 1", "ACGTACGTAC"), ("chr 2", "ACGTAAAAAA")])
    with pytest.raises(InputError, match="two records have the name \"chr\" \\(a record's name is its header up to"):
        Genome(fasta)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["g.fa"]  # the half-built index left g.fa.fai


def test_a_bgzip_genome_reads_the_same_windows(planted, tmp_path):
    from Bio import bgzf  # pyfaidx reads bgzip through Biopython (a dependency)
    packed = tmp_path / "genome.fa.gz"
    with bgzf.BgzfWriter(str(packed), "wb") as handle:
        handle.write(planted["genome"].read_bytes())
    with Genome(planted["genome"]) as plain, Genome(packed) as compressed:
        assert compressed.lengths == plain.lengths == {"chr1": 6000, "chr2": 5000, "chr3": 4000}
        for window in (Window("chr1", 4000, 4200, "-"), Window("chr3", 3950, 4010)):
            assert compressed.fetch(window) == plain.fetch(window)
    assert (tmp_path / "genome.fa.gz.fai").is_file()


def _bgzip(text: str, path):
    from Bio import bgzf

    with bgzf.BgzfWriter(str(path), "wb") as handle:
        handle.write(text.encode())
    return path


def test_a_bgzip_genome_whose_index_belongs_to_another_file_is_refused(tmp_path):
    """Its index was never checked: a copy of another genome with an older date (cp -p, rsync -a) read the letters
    of other chromosomes with exit 0, and a damaged .gzi ended in struct.error's traceback."""
    rng = np.random.default_rng(5)
    chromosomes = {name: "".join(rng.choice(list("ACGT"), size=size)) for name, size in
                   (("chr1", 90_000), ("chr2", 70_000), ("chr3", 8_000))}  # several 64 KB bgzip blocks

    def fasta(width, records):
        return "".join(f">{name}\n" + "".join(letters[i:i + width] + "\n" for i in range(0, len(letters), width))
                       for name, letters in records.items())

    plain = tmp_path / "plain.fa"
    plain.write_text(fasta(60, chromosomes))
    packed = _bgzip(fasta(60, chromosomes), tmp_path / "genome.fa.gz")
    with Genome(packed) as compressed, Genome(plain) as original:  # indexed, and checked across blocks
        for window in (Window("chr2", 65_500, 65_700, "-"), Window("chr3", 7_900, 8_000)):
            assert compressed.fetch(window) == original.fetch(window)
    old = packed.stat().st_mtime - 1000
    other = dict(chromosomes, chr1=chromosomes["chr1"] + "ACGT" * 500)  # chr1 longer: the others move
    _bgzip(fasta(60, other), packed)
    os.utime(packed, (old, old))  # older than its index: pyfaidx keeps the index
    with pytest.raises(InputError, match=f"--genome {packed}: its index {packed}.fai and {packed}.gzi does not "
                                         r"match the FASTA \(chr2 does not start at byte 91512\); delete the "
                                         "index so that it is built again"):
        Genome(packed)
    Path(f"{packed}.gzi").write_text("not a gzi index\n")
    with pytest.raises(InputError, match=f"--genome {packed}: its index {packed}.gzi is not a bgzip index"):
        Genome(packed)
    for suffix in (".fai", ".gzi"):
        Path(f"{packed}{suffix}").unlink()
    with Genome(packed) as rebuilt:
        assert rebuilt.lengths == {"chr1": 92_000, "chr2": 70_000, "chr3": 8_000}
        assert rebuilt.fetch(Window("chr3", 0, 50)) == chromosomes["chr3"][:50].encode()


def test_a_gzip_genome_without_random_access_is_refused(planted, tmp_path):
    packed = tmp_path / "genome.fa.gz"
    packed.write_bytes(gzip.compress(planted["genome"].read_bytes()))
    with pytest.raises(InputError, match="compress it with bgzip"):
        Genome(packed)
    # named .fa: "cannot be indexed as FASTA ('utf-8' codec can't decode byte 0x8b ...)"
    misnamed = tmp_path / "packed.fa"
    misnamed.write_bytes(packed.read_bytes())
    with pytest.raises(InputError, match=f"^--genome {misnamed}: gzip-compressed, but its name does not end in .gz"):
        Genome(misnamed)


def test_an_index_that_cannot_be_rebuilt_is_named_without_pyfaidx_advice(planted, tmp_path, monkeypatch):
    """pyfaidx's message advised 'Fasta(rebuild=False), Faidx(rebuild=False) or faidx --no-rebuild'."""
    import pyfaidx

    def unwritable(path, **kwargs):
        raise pyfaidx.FastaIndexingError(f"{path}.fai may not be writable. Please use Fasta(rebuild=False), "
                                         "Faidx(rebuild=False) or faidx --no-rebuild.")

    monkeypatch.setattr(pyfaidx, "Fasta", unwritable)
    with pytest.raises(InputError) as error:
        Genome(planted["genome"])
    assert str(error.value) == (f"--genome {planted['genome']}: its index {planted['genome']}.fai is out of date and "
                                "cannot be written again; delete it, or give a copy of the genome in a folder you "
                                "can write to")


# -- training on BED with a generated or given background -----------------------------------------------------

def _origin(run_dir):
    meta = json.loads((run_dir / "motifnet.json").read_text())
    return meta["data"]["class_names"], meta["data"].get("origin"), meta["split"]


@pytest.mark.slow
def test_train_on_bed_with_a_shuffled_background(cli, planted, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("train", planted["bed"], "--genome", planted["genome"], "--background", "shuffle", "--shuffle-k", 3,
                 "-o", run_dir, "--seed", 2, *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    names, origin, _ = _origin(run_dir)
    assert names == ["peaks", "background"]
    assert origin == {"genome": {"path": str(planted["genome"]), "chromosomes": 3}, "window_length": 200,
                      "background": {"kind": "shuffle", "ratio": 1.0, "seed": 2, "records": 45, "shuffle_k": 3}}
    rows = _split(run_dir)
    assert len(rows) == 90
    assert sum(row["id"].endswith("/shuffle1") for row in rows) == 45


@pytest.mark.slow
def test_train_on_bed_with_a_genomic_background_and_chromosome_hold_out(cli, large, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("train", large["narrowpeak"], "--genome", large["genome"], "--background", "genomic",
                 "--background-ratio", 2, "--val-chroms", "chr2", "--test-chroms", "chr3", "--length", 100,
                 "-o", run_dir, "--seed", 1, *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    names, origin, split = _origin(run_dir)
    assert names == ["peaks", "background"]
    assert origin["background"] == {"kind": "genomic", "ratio": 2.0, "seed": 1, "records": 90}
    assert origin["window_length"] == 100
    assert split["val_chroms"] == ["chr2"] and split["test_chroms"] == ["chr3"]
    assert split["dropped_overlapping"] == 0
    rows = _split(run_dir)
    chroms = {group: {parse_window_id(row["id"]).chrom for row in rows if row["group"] == group}
              for group in ("train", "val", "test")}
    assert chroms == {"train": {"chr1"}, "val": {"chr2"}, "test": {"chr3"}}
    positives = [parse_window_id(row["id"]) for row in rows if row["file"] == str(large["narrowpeak"])]
    drawn = [parse_window_id(row["id"]) for row in rows if row["file"] == "background"]
    assert len(positives) == 45 and len(drawn) == 90
    assert not any(a.chrom == b.chrom and a.start < b.end and b.start < a.end for a in drawn for b in positives)
    # info said nothing of the genome, the background or the held-out chromosomes
    lines = cli("info", run_dir).output.splitlines()
    assert f"genome: {large['genome']} (3 chromosomes, windows of 100)" in lines
    assert "background: genomic, GC-matched windows of the genome, ratio 2, seed 1" in lines
    assert [line for line in lines if line.startswith("split:")] == [
        "split: train 52, val 46, test 37, val chromosomes chr2, test chromosomes chr3"]


@pytest.mark.slow
def test_only_test_chromosomes_held_out_the_rest_split_at_random(cli, planted, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("train", planted["bed"], "--genome", planted["genome"], "--background", "shuffle",
                 "--test-chroms", "chr3", "-o", run_dir, "--seed", 1, *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    rows = _split(run_dir)
    test = {parse_window_id(row["id"]).chrom for row in rows if row["group"] == "test"}
    assert test == {"chr3"}
    assert {parse_window_id(row["id"]).chrom for row in rows if row["group"] == "val"} <= {"chr1", "chr2"}
    assert sum(row["group"] == "test" for row in rows) == 30  # chr3's 15 peaks and their 15 shuffles


@pytest.mark.slow
def test_overlapping_windows_across_groups_are_dropped_with_a_count(cli, tmp_path):
    genome = make_genome(tmp_path, sizes={"chr1": 30000})["genome"]
    crowded = tmp_path / "crowded.bed"  # 100 intervals 120 bases apart: 200-base windows overlap their neighbours
    crowded.write_text("".join(f"chr1\t{200 + 120 * i}\t{300 + 120 * i}\n" for i in range(100)))
    run_dir = tmp_path / "run"
    result = cli("train", crowded, "--genome", genome, "--background", "genomic", "-o", run_dir, "--seed", 4,
                 "--split", "0.8,0.1", *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    _, origin, split = _origin(run_dir)
    rows = _split(run_dir)
    dropped = split["dropped_overlapping"]
    assert dropped > 0 and len(rows) == 100 + origin["background"]["records"] - dropped
    assert f"dropped {dropped} validation/test window(s)" in result.output
    train = [parse_window_id(row["id"]) for row in rows if row["group"] == "train"]
    for row in rows:
        if row["group"] != "train":
            window = parse_window_id(row["id"])
            assert not any(window.start < other.end and other.start < window.end for other in train), row


@pytest.mark.slow
def test_train_with_a_background_file_in_bed(cli, planted, tmp_path):
    background = tmp_path / "control.bed"
    background.write_text("".join(f"chr{c}\t{60 + 370 * i}\t{160 + 370 * i}\n" for c in (1, 2) for i in range(10)))
    run_dir = tmp_path / "run"
    result = cli("train", planted["bed"], "--genome", planted["genome"], "--background", background, "-o", run_dir,
                 "--seed", 1, *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    names, origin, split = _origin(run_dir)
    assert names == ["peaks", "background"]
    assert origin["background"] == {"kind": "file", "path": str(background)}
    rows = _split(run_dir)
    assert len(rows) == 65 - split["dropped_overlapping"]  # control windows overlap peaks: those in val/test go
    assert sum(row["file"] == str(background) for row in rows) >= 20 - split["dropped_overlapping"]


@pytest.mark.slow
def test_one_fasta_file_with_a_shuffled_background(cli, tmp_path):
    fasta = write_fasta(tmp_path / "bound.fa", [(f"s{i}", "ACGT" * 5 + MOTIF + "TTGCA" * 4) for i in range(30)])
    run_dir = tmp_path / "run"
    result = cli("train", fasta, "--background", "shuffle", "-o", run_dir, "--seed", 1, *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    names, origin, _ = _origin(run_dir)
    assert names == ["bound", "background"]
    assert origin == {"background": {"kind": "shuffle", "ratio": 1.0, "seed": 1, "records": 30, "shuffle_k": 2}}


def test_class_names_that_clash_with_a_generated_background_name_their_source(cli, tmp_path):
    # Both blamed a --class-names that was never given.
    fasta = write_fasta(tmp_path / "background.fa", [(f"s{i}", "ACGT" * 10) for i in range(10)])
    result = cli("train", fasta, "--background", "shuffle", "-o", tmp_path / "run", *TINY_PARAMS)
    assert result.exit_code == 1 and "Error: class names (from the file names) must be distinct, received: " \
        "background, background; name the classes with --class-names" in result.output
    result = cli("train", fasta, "--class-names", "background", "--background", "shuffle", "-o", tmp_path / "run")
    assert result.exit_code == 1 and "Error: --class-names must be distinct, received: background, background\n" \
        in result.output
    assert not (tmp_path / "run").exists()


def test_the_report_says_how_the_inputs_were_made():
    from motifnet.report.summary import describe_origin

    origin = {"genome": {"path": "hg38.fa", "chromosomes": 25}, "window_length": 200,
              "background": {"kind": "genomic", "ratio": 2.0, "seed": 3, "records": 90}}
    split = {"train": 10, "val": 2, "test": 2, "val_chroms": ["chr8"], "test_chroms": ["chr9", "chr10"],
             "dropped_overlapping": 4}
    assert describe_origin(origin, split) == [
        ("genome", "hg38.fa (25 chromosomes); windows of 200 bases around each BED line's summit or centre"),
        ("class background", "90 random windows of the genome matched to the inputs' GC content in bins of 0.1 and "
                             "overlapping no input (2 per input, seed 3)"),
        ("chromosome hold-out", "validation chr8; test chr9, chr10"),
        ("dropped", "4 validation/test window(s) overlapping a training window")]
    shuffled = {"background": {"kind": "shuffle", "ratio": 1.0, "seed": 0, "records": 5, "shuffle_k": 2}}
    assert describe_origin(shuffled, {}) == [
        ("class background", "5 shuffled copies of the inputs, each keeping its 2-mer counts (1 per input, seed 0)")]
    assert describe_origin({"background": {"kind": "file", "path": "neg.fa"}}, {}) == [
        ("class background", "the records of neg.fa")]
    assert describe_origin(None, {"train": 3}) == []


# -- predicting BED windows ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_predict_on_bed_gives_genome_coordinates(cli, planted, tmp_path):
    run_dir = tmp_path / "run"
    assert cli("train", planted["bed"], "--genome", planted["genome"], "--background", "shuffle", "--length", 60,
               "-o", run_dir, "--seed", 1, *TINY_PARAMS).exit_code == 0
    out = tmp_path / "predictions.tsv"
    result = cli("predict", run_dir, planted["bed"], "--genome", planted["genome"], "-o", out)
    assert result.exit_code == 0, result.output
    with open(out) as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert list(rows[0]) == ["id", "chrom", "start", "end", "peaks", "background"]
    assert len(rows) == 45
    assert [(row["id"], row["chrom"], row["start"], row["end"]) for row in rows[:2]] == [
        ("chr1:220-280(+)", "chr1", "220", "280"), ("chr1:593-653(-)", "chr1", "593", "653")]
    for row in rows:
        assert abs(float(row["peaks"]) + float(row["background"]) - 1) < 1e-4
    # the genome's index is an input too: predict wrote its table over it
    result = cli("predict", run_dir, planted["bed"], "--genome", planted["genome"], "-o",
                 str(planted["genome"]) + ".fai")
    _check_one_line(result, f"is the index of the input file {planted['genome']}; writing there would replace it")
    assert Genome(planted["genome"]).lengths
    # nor the index that the command itself builds: it was written, then replaced by the table (and the next
    # command said 'its index is not a FASTA index')
    fresh = tmp_path / "fresh.fa"
    fresh.write_bytes(Path(planted["genome"]).read_bytes())
    result = cli("predict", run_dir, planted["bed"], "--genome", fresh, "-o", f"{fresh}.fai")
    _check_one_line(result, f"is the index of the input file {fresh}; writing there would replace it")
    assert not Path(f"{fresh}.fai").exists()
    bad = _bad_bed(tmp_path, "chr3\t3990\t4001\n")
    result = cli("predict", run_dir, bad, "--genome", planted["genome"])
    _check_one_line(result, "bad.bed, line 1: end 4001 lies past the end of chr3 (4000 bases")
    assert "chrom\tstart" not in result.output


# -- errors: one line naming file, line and value --------------------------------------------------------------

def _bad_bed(folder, text):
    path = folder / "bad.bed"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("bed_text", "fragment"), [
    ("chr1\t10\t50\nchrZ\t10\t50\n", "bad.bed, line 2: chromosome 'chrZ' is not in the genome"),
    ("chr1\t10\t50\nchr2\t4990\t5010\n", "bad.bed, line 2: end 5010 lies past the end of chr2 (5000 bases"),
    ("chr1\t50\t10\n", "bad.bed, line 1: the interval must have 0 <= start < end, found 50-10"),
    ("chr1\tten\t50\n", "bad.bed, line 1: start and end must be integers, found 'ten' and '50'"),
    ("chrom\tstart\tend\nchr1\t10\t50\n", "bad.bed, line 1: start and end must be integers, found 'start' and "
                                         "'end'; a column header? start it with # (or remove it)"),
    ("chr1\t10\t50\tp\t0\t*\n", "bad.bed, line 1: strand (column 6) must be +, - or ., found '*'"),
    ("chr1\t10\t50\tp\t0\t.\t1\t1\t1\t40\n", "bad.bed, line 1: the summit offset (column 10) 40 lies outside"),
])
def test_bad_bed_input_is_one_line_naming_file_line_and_value(cli, planted, tmp_path, bed_text, fragment):
    bed = _bad_bed(tmp_path, bed_text)
    result = cli("train", bed, "--genome", planted["genome"], "--background", "shuffle", "-o", tmp_path / "run")
    _check_one_line(result, fragment)
    assert not (tmp_path / "run").exists()


def _check_one_line(result, fragment):
    assert result.exit_code != 0
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit), result.output
    assert fragment in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize(("arguments", "fragment"), [
    (["{fasta}", "--background", "genomic"],
     "--background genomic draws windows of the genome: give --genome FILE.fa"),
    # a BED background without --genome was told that train does not read BED (found in review)
    (["{fasta}", "--background", "{bed}"], "--background {bed}: BED input needs --genome FILE.fa"),
    (["--genome", "{genome}", "--val-chroms", "chr2", "--test-chroms", "chr2", "--background", "shuffle"],
     "--val-chroms and --test-chroms share chr2"),
    (["--genome", "{genome}", "--val-chroms", "chrQ", "--background", "shuffle"], "the val split is empty"),
    (["--genome", "{genome}", "--test-chroms", "chrQ", "--background", "shuffle"],  # it did not name chrQ
     "the test split is empty: no record on --test-chroms (chrQ: no record lies there); check the chromosome names "
     "(records lie on chr1, chr2, chr3)"),
    (["--genome", "{genome}", "--background", "genomic", "--background-ratio", "1e9"],
     "Invalid value for '--background-ratio': 1000000000.0 is not in the range 0<x<=1000.0"),  # as --help shows
    (["--genome", "{genome}.missing", "--background", "shuffle"], "no such file"),
    # A folder was called "no such file".
    (["--genome", "{folder}", "--background", "shuffle"],
     "--genome {folder}: a folder, not a FASTA file; give the genome's .fa (or bgzip .fa.gz) file"),
    ([], "needs --genome FILE.fa"),
])
def test_bad_genome_options_are_refused(cli, planted, tmp_path, arguments, fragment):
    fasta = write_fasta(tmp_path / "bound.fa", [("s1", MOTIF * 4)])
    arguments = [str(a).replace("{genome}", str(planted["genome"])).replace("{folder}", str(tmp_path))
                 .replace("{bed}", str(planted["bed"])) for a in arguments]
    inputs = [fasta, *arguments[1:]] if arguments[:1] == ["{fasta}"] else [planted["bed"], *arguments]
    result = cli("train", *inputs, "-o", tmp_path / "run", *TINY_PARAMS)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert fragment.replace("{folder}", str(tmp_path)).replace("{bed}", str(planted["bed"])) in \
        " ".join(result.output.split()), result.output


def test_windows_in_an_assembly_gap_are_warned_about(tmp_path, caplog, monkeypatch):
    """Peaks in a run of N (another assembly's coordinates) trained as positives without a word."""
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), 1000)) + "N" * 500 + "".join(rng.choice(list("ACGT"), 1000))
    fasta = write_fasta(tmp_path / "g.fa", [("chr1", sequence)])
    bed = tmp_path / "peaks.bed"
    # the second in the gap, the third a quarter in it, the fourth 100 bases past the end (padding, no gap)
    bed.write_text("chr1\t100\t300\nchr1\t1150\t1350\nchr1\t1450\t1650\nchr1\t2400\t2500\n")
    with Genome(str(fasta)) as genome:
        read_bed_block(bed, genome, 200)
    assert {message for message in caplog.messages if "half N" in message} == {
        f"{bed}: 1 of 4 window(s) are more than half N (the first: chr1:1150-1350), as in an assembly gap; are the BED "
        f"file and --genome {fasta} of the same assembly?"}


def test_a_genome_given_as_a_pipe_is_refused_saying_why(tmp_path):
    """It said 'no such file' of a pipe that was there."""
    pipe = tmp_path / "genome_pipe"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match=re.escape(f"--genome {pipe}: a pipe (or another stream), but a genome is "
                                                   "read by position through its index (.fai): give the FASTA file")):
        Genome(str(pipe))


def test_a_genome_with_a_short_line_inside_a_record_is_refused_with_the_advice_to_rewrap(tmp_path):
    """pyfaidx's own refusal ('Line length of fasta file is not consistent!') came without the advice."""
    rng = np.random.default_rng(2)
    body = "".join(rng.choice(list("ACGT"), 200))
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">chr1\n" + "\n".join([body[:60], body[60:100], body[100:160], body[160:]]) + "\n")
    with pytest.raises(InputError, match=r"^--genome .*genome\.fa: cannot be indexed as FASTA \(.*[Ll]ine length.*\); "
                                         r"rewrap it to lines of one length \(e\.g\. seqkit seq -w 60\)$"):
        Genome(fasta)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["genome.fa"]


@pytest.mark.slow
def test_fasta_positives_get_a_genomic_background_of_their_own_length(cli, large, tmp_path):
    """Without --length, 100-letter FASTA positives got windows of BED's 200 and training failed on 'background,
    record 1: sequence length 200 differs from 100'; records of several lengths are refused up front, naming
    --length."""
    peaks = [line.split("\t") for line in large["bed"].read_text().splitlines()]
    records = [(f"peak_{i}", large["sequences"][chrom][int(start):int(end)])
               for i, (chrom, start, end, *_) in enumerate(peaks)]
    fasta = write_fasta(tmp_path / "peaks.fa", records)
    run_dir = tmp_path / "run"
    result = cli("train", fasta, "--genome", large["genome"], "--background", "genomic", "-o", run_dir, "--seed", 1,
                 *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    drawn = [parse_window_id(row["id"]) for row in _split(run_dir) if row["file"] == "background"]
    assert len(drawn) == 45 and {window.end - window.start for window in drawn} == {100}
    uneven = write_fasta(tmp_path / "uneven.fa", [*records[:-1], ("short", records[-1][1][:80])])
    result = cli("train", uneven, "--genome", large["genome"], "--background", "genomic", "-o", tmp_path / "run2")
    assert result.exit_code != 0 and ("--background genomic: the FASTA records are 80 to 100 letters long, and the "
                                      "background's windows need one length; give --length N") in result.output
    assert not (tmp_path / "run2").exists()
    # an empty record is named as such, not as records "0 to 100 letters long" needing --length
    empty = write_fasta(tmp_path / "empty.fa", [*records, ("nothing", "")])
    result = cli("train", empty, "--genome", large["genome"], "--background", "genomic", "-o", tmp_path / "run3")
    assert result.exit_code != 0 and "empty sequence" in result.output and "--length" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    (">s1\nACGT\n", "{path}: named as a BED file; the file looks like FASTA: give it a FASTA name (.fa, .fa.gz), "
                    "not a BED one"),
    ("\n@r1\nACGT\n+\nIIII\n", "{path}: named as a BED file; the file looks like FASTQ: convert it to FASTA"),
    ("chr1\t1\t5\n", "real.bed: BED input needs --genome FILE.fa (the sequences of its intervals)"),
])
def test_a_fasta_file_named_bed_is_named_as_such_without_genome(cli, tmp_path, text, expected):
    """Without --genome it was told that BED input needs --genome, which sent the user the wrong way."""
    path = tmp_path / "peaks.bed"
    path.write_text(text)
    real = tmp_path / "real.bed"  # a BED file before it: each is looked at
    real.write_text("chr1\t1\t5\n")
    result = cli("train", real, path, "-o", tmp_path / "run", *TINY_PARAMS)
    assert result.exit_code != 0
    assert expected.format(path=path) in " ".join(result.output.split()), result.output


def test_a_class_emptied_by_chromosome_hold_out_or_by_dropped_overlaps_is_warned(tmp_path, caplog, monkeypatch):
    """A class left without validation records once the windows overlapping training windows were dropped (dense
    peaks), or without test records on the held-out chromosomes, gave val_auc 1.000 and test n/a without a word."""
    import logging

    from motifnet.data.dataset import load_dataset
    from motifnet.run.training import TrainConfig, _split_windows

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    genome = make_genome(tmp_path, sizes={"chr1": 30000, "chr2": 6000})["genome"]
    dense = tmp_path / "dense.bed"  # windows of 200 bases, 40 apart: every val/test window overlaps a training one
    dense.write_text("".join(f"chr1\t{1000 + 40 * i}\t{1050 + 40 * i}\n" for i in range(100)))
    spread = tmp_path / "spread.bed"
    spread.write_text("".join(f"chr{c}\t{500 + 1000 * i}\t{600 + 1000 * i}\n" for c in (1, 2) for i in range(5)))
    dataset = load_dataset([dense, spread], genome=str(genome))

    def warnings_of(config):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="motifnet"):
            kept, _, _, extra = _split_windows(dataset, config, 3)
        # a set: after some other tests caplog sees a record twice
        return kept, extra, sorted({r.getMessage() for r in caplog.records if r.levelno == logging.WARNING})

    kept, extra, said = warnings_of(TrainConfig(str(tmp_path / "r1"), {}, split=(0.7, 0.15)))
    left = int(kept.labels[:, 0].sum())
    assert extra["dropped_overlapping"] > 0 and left < 100
    dense_val = [r for r in said if r.startswith("class 'dense' has no record in the validation split")]
    assert dense_val == [f"class 'dense' has no record in the validation split ({left} record(s) in all, "
                         f"split 0.7/0.15/0.15, after dropping {extra['dropped_overlapping']} validation/test "
                         "window(s) overlapping a training window): its validation scores are n/a; give the class "
                         "more records or change --split"]
    # the test chromosome carries no window of class 'one'
    one = tmp_path / "one.bed"
    one.write_text("".join(f"chr1\t{800 + 1000 * i}\t{900 + 1000 * i}\n" for i in range(20)))
    dataset = load_dataset([one, spread], genome=str(genome))
    _, _, said = warnings_of(TrainConfig(str(tmp_path / "r2"), {}, split=(0.7, 0.15), test_chroms=("chr2",)))
    assert said == ["class 'one' has no record in the test split (20 record(s) in all, --test-chroms chr2): its "
                    "test scores are n/a; hold out chromosomes that carry the class's records"]
    # every record of the class on the held-out chromosomes: not a matter of --split
    _, _, said = warnings_of(TrainConfig(str(tmp_path / "r3"), {}, split=(0.7, 0.15), test_chroms=("chr1",)))
    assert [r for r in said if r.startswith("class 'one'")] == [
        f"class 'one' has no record in the {group} split (20 record(s) in all, all of them on --test-chroms chr1): "
        f"{consequence}; hold out other chromosomes" for group, consequence in
        (("training", "the network does not learn it"), ("validation", "its validation scores are n/a"))]
