"""BED + genome input of activations, visualize-kernels and attribute (issue 20), on a synthetic genome.

Each command must give with ``--fasta peaks.bed --genome genome.fa`` what it gives with the same
windows written as FASTA (cut here from the genome's letters, independently of motifnet's
reader), and its genome coordinates must point at the bases the model read, minus-strand
windows included.
"""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import TINY_PARAMS, make_genome, write_fasta

from motifnet.data.windows import window_table
from motifnet.interpret.activations import KernelActivations
from motifnet.workflows.attribution import bedgraph_tracks
from motifnet.workflows.visualize import kernel_sites_bed

LENGTH = 60  # the model's window: BED lines are read as LENGTH bases around their centres
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _reverse_complement(text: str) -> str:
    return text.translate(_COMPLEMENT)[::-1]


def _windows_as_fasta(bed, sequences: dict, path):
    """The BED file's windows as FASTA records named chrom:start-end(strand), cut from ``sequences`` here."""
    records = []
    for line in bed.read_text().splitlines():
        chrom, start, end, *rest = line.split("\t")
        strand = rest[2] if len(rest) > 2 and rest[2] == "-" else "+"
        left = (int(start) + int(end)) // 2 - LENGTH // 2
        letters = sequences[chrom][left:left + LENGTH]
        records.append((f"{chrom}:{left}-{left + LENGTH}({strand})",
                        _reverse_complement(letters) if strand == "-" else letters))
    return write_fasta(path, records)


def _resized_windows_as_fasta(bed, sequences: dict, path, extra: int):
    """As :func:`_windows_as_fasta`, each window ``extra`` bases wider on each side (narrower when negative), as
    ``bedtools getfasta -s`` of wider intervals writes them: the model crops (or pads) them to its LENGTH."""
    records = []
    for line in bed.read_text().splitlines():
        chrom, start, end, *rest = line.split("\t")
        strand = rest[2] if len(rest) > 2 and rest[2] == "-" else "+"
        left = (int(start) + int(end)) // 2 - LENGTH // 2 - extra
        letters = sequences[chrom][left:left + LENGTH + 2 * extra]
        records.append((f"{chrom}:{left}-{left + LENGTH + 2 * extra}({strand})",
                        _reverse_complement(letters) if strand == "-" else letters))
    return write_fasta(path, records)


def _genome_letters(sequences: dict, chrom: str, start: int, end: int, strand: str) -> str:
    letters = sequences[chrom][start:end]
    return _reverse_complement(letters) if strand == "-" else letters


@pytest.fixture(scope="module")
def genome_run(tmp_path_factory):
    """A tiny run trained on BED peaks + shuffled background, the BED files and the same windows as FASTA."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder = tmp_path_factory.mktemp("genome")
    made = make_genome(folder)
    # A second class: intervals 150 bases downstream of the peaks (strands kept), mostly without the motif.
    other = folder / "other.bed"
    lines = []
    for line in made["bed"].read_text().splitlines():
        chrom, start, end, name, score, strand = line.split("\t")
        lines.append(f"{chrom}\t{int(start) + 150}\t{int(end) + 150}\t{name}b\t{score}\t{strand}")
    other.write_text("\n".join(lines) + "\n")
    run_dir = folder / "run"
    result = CliRunner().invoke(main, ["train", str(made["bed"]), "--genome", str(made["genome"]), "--background",
                                       "shuffle", "--length", str(LENGTH), "-o", str(run_dir), "--seed", "2",
                                       *TINY_PARAMS])
    assert result.exit_code == 0, result.output
    fasta = (_windows_as_fasta(made["bed"], made["sequences"], folder / "peaks.fa"),
             _windows_as_fasta(other, made["sequences"], folder / "other.fa"))
    return {**made, "run": run_dir, "other": other, "fasta": fasta}


def test_activations_bed_equals_fasta_and_points_at_the_bases(genome_run, cli, tmp_path):
    g = genome_run
    bed_out, fasta_out = tmp_path / "bed.tsv", tmp_path / "fasta.tsv"
    result = cli("activations", g["run"], "--fasta", g["bed"], "--fasta", g["other"], "--genome", g["genome"],
                 "-o", bed_out)
    assert result.exit_code == 0, result.output
    result = cli("activations", g["run"], "--fasta", g["fasta"][0], "--fasta", g["fasta"][1], "-o", fasta_out)
    assert result.exit_code == 0, result.output
    assert bed_out.read_text() == fasta_out.read_text()

    rows = [line.split("\t") for line in bed_out.read_text().splitlines()]
    header, rows = rows[0], rows[1:]
    assert header[:4] == ["id", "classes", "chrom", "strand"]
    assert len(rows) == 2 * len(g["sites"])
    records = dict(line.split("\n", 1) for line in
                   (g["fasta"][0].read_text() + g["fasta"][1].read_text()).lstrip(">").split("\n>"))
    width = 5  # TINY_PARAMS' kernel_len
    minus = 0
    for row in rows:
        values = dict(zip(header, row))
        sequence = records[values["id"]].replace("\n", "")
        for kernel in range(4):
            position = int(values[f"kernel_{kernel}_position"])
            start = int(values[f"kernel_{kernel}_genome_start"])
            # The genome bases named, read on the window's strand, are the letters the kernel saw.
            assert _genome_letters(g["sequences"], values["chrom"], start, start + width, values["strand"]) \
                == sequence[position:position + width]
        minus += values["strand"] == "-"
    # make_genome alternates strands, other.bed keeps them: both strands were checked.
    assert minus == 2 * g["bed"].read_text().count("\t-\n") > 0


def test_activations_npz_has_genome_starts(genome_run, cli, tmp_path):
    g = genome_run
    out = tmp_path / "act.npz"
    result = cli("activations", g["run"], "--fasta", g["bed"], "--fasta", g["other"], "--genome", g["genome"],
                 "-o", out, "--batch-size", "7")
    assert result.exit_code == 0, result.output
    with np.load(out) as arrays:
        windows = window_table(arrays["ids"])
        expected, _ = windows.intervals(arrays["position"], int(arrays["kernel_len"]))
        assert np.array_equal(arrays["genome_start"], expected)
        assert list(arrays["strand"][:2]) == ["+", "-"]


def test_genome_places_of_records_the_model_cropped_or_padded(genome_run, cli, tmp_path):
    """Records named chrom:start-end(strand) of another length than the model's were placed as if not cropped or
    padded: 20 bases off for windows 40 wider, activations' genome starts outside the window for narrower ones."""
    g = genome_run
    wider = [_resized_windows_as_fasta(bed, g["sequences"], tmp_path / f"wide{i}.fa", 20)
             for i, bed in enumerate((g["bed"], g["other"]))]
    narrower = [_resized_windows_as_fasta(bed, g["sequences"], tmp_path / f"narrow{i}.fa", -10)
                for i, bed in enumerate((g["bed"], g["other"]))]
    tables = {}
    for name, inputs in (("bed", ["--fasta", g["bed"], "--fasta", g["other"], "--genome", g["genome"]]),
                         ("wide", ["--fasta", wider[0], "--fasta", wider[1]]),
                         ("narrow", ["--fasta", narrower[0], "--fasta", narrower[1]])):
        result = cli("activations", g["run"], *inputs, "-o", tmp_path / f"{name}.tsv")
        assert result.exit_code == 0, result.output
        header, *rows = [line.split("\t") for line in (tmp_path / f"{name}.tsv").read_text().splitlines()]
        tables[name] = header, rows
    header, bed_rows = tables["bed"]
    starts = [column for column, name in enumerate(header) if name.endswith("_genome_start")]
    # The wider records, centre-cropped, are the BED windows: the same bases, the same maxima, the same places.
    assert [[row[c] for c in starts] for row in tables["wide"][1]] == [[row[c] for c in starts] for row in bed_rows]
    header, rows = tables["narrow"]
    checked = 0
    for row in rows:
        values = dict(zip(header, row))
        chrom, span = values["id"].split(":")
        low, high = (int(part) for part in span[:-3].split("-"))
        for kernel in range(4):
            position, start = int(values[f"kernel_{kernel}_position"]), int(values[f"kernel_{kernel}_genome_start"])
            if 10 <= position <= LENGTH - 10 - 5:  # a kernel window wholly on the record's letters (5 wide)
                assert low <= start and start + 5 <= high
                model_letters = ("N" * 10 + _genome_letters(g["sequences"], chrom, low, high, values["strand"]))
                assert _genome_letters(g["sequences"], chrom, start, start + 5, values["strand"]) == \
                    model_letters[position:position + 5]
                checked += 1
    assert checked > len(rows)
    result = cli("attribute", g["run"], wider[0], "-o", tmp_path / "wide_attr", "--method", "grad-input", "--top", "0",
                 "--bedgraph")
    assert result.exit_code == 0, result.output
    result = cli("attribute", g["run"], g["bed"], "--genome", g["genome"], "-o", tmp_path / "bed_attr", "--method",
                 "grad-input", "--top", "0", "--bedgraph")
    assert result.exit_code == 0, result.output
    for path in (tmp_path / "bed_attr").glob("*.bedGraph"):
        assert path.read_text() == (tmp_path / "wide_attr" / path.name).read_text()
    # padded records: their scores lie on their own bases; the padding's zeros lay on the bases beside them
    result = cli("attribute", g["run"], narrower[0], "-o", tmp_path / "narrow_attr", "--method", "grad-input",
                 "--top", "0", "--bedgraph")
    assert result.exit_code == 0, result.output
    spans = {}
    for line in narrower[0].read_text().splitlines():
        if line.startswith(">"):
            chrom, span = line[1:].split(":")
            low, high = (int(part) for part in span[:-3].split("-"))
            spans.setdefault(chrom, set()).update(range(low, high))
    bases = [(chrom, int(start)) for path in (tmp_path / "narrow_attr").glob("*.bedGraph")
             for chrom, start, _, _ in (line.split("\t") for line in path.read_text().splitlines()[1:])]
    assert bases and all(base in spans[chrom] for chrom, base in bases)
    assert len(bases) == sum(len(value) for value in spans.values())


def test_records_that_do_not_span_their_window_names_are_not_placed(genome_run, cli, tmp_path):
    g = genome_run
    chrom = next(iter(g["sequences"]))
    fasta = write_fasta(tmp_path / "named.fa", [(f"{chrom}:0-10(+)", g["sequences"][chrom][:LENGTH]),
                                                (f"{chrom}:0-{LENGTH}(+)", g["sequences"][chrom][:LENGTH])])
    other = write_fasta(tmp_path / "other.fa", [(f"{chrom}:{LENGTH}-{2 * LENGTH}(+)",
                                                 g["sequences"][chrom][LENGTH:2 * LENGTH])])
    result = cli("activations", g["run"], "--fasta", fasta, "--fasta", other, "-o", tmp_path / "a.tsv")
    assert result.exit_code == 0, result.output
    assert (f"1 record(s) named as genome windows hold another number of letters than their names span (e.g. "
            f"'{chrom}:0-10(+)': {LENGTH} letters, not 10); their sites are given along the records, not in the "
            "genome") in " ".join(result.stderr.split())
    header, *rows = [line.split("\t") for line in (tmp_path / "a.tsv").read_text().splitlines()]
    assert [row[header.index("chrom")] for row in rows] == ["", chrom, chrom]
    assert rows[0][header.index("kernel_0_genome_start")] == "" and rows[1][header.index("kernel_0_genome_start")] != ""
    # plain FASTA arguments (attribute, motifs) are read by predict's reader: their lengths are known too
    result = cli("attribute", g["run"], fasta, "-o", tmp_path / "attr", "--method", "saliency", "--top", "0",
                 "--bedgraph")
    assert result.exit_code == 0, result.output
    assert "1 record(s) named as genome windows hold another number of letters" in " ".join(result.stderr.split())
    tracks = [line.split("\t") for path in (tmp_path / "attr").glob("*.bedGraph")
              for line in path.read_text().splitlines()[1:]]
    assert {int(start) for _, start, _, _ in tracks} == set(range(LENGTH))  # the second record's bases alone


def test_window_table_of_cropped_and_padded_records():
    """fit_length keeps the middle (the extra base to the right) and pads with the extra zero to the right."""
    table = window_table(["chr1:1000-1300(+)", "chr1:1000-1300(-)", "chr1:1100-1200(+)", "chr1:1100-1200(-)",
                          "chr1:5-7(+)", "seq"], length=201, lengths=[300, 300, 100, 100, 3, 201])
    assert table.valid.tolist() == [True, True, True, True, False, False] and table.mismatched.tolist() == [4]
    assert table.start.tolist()[:4] == [1049, 1050, 1050, 1049]
    assert table.end.tolist()[:4] == [1250, 1251, 1251, 1250]
    # a BED line chr1 1000 1300 on the minus strand is read as the window chr1:1050-1251(-)
    start, end = table.intervals(np.zeros((6, 1), dtype=int), 1)
    assert start[:4, 0].tolist() == [1049, 1250, 1050, 1249]  # padded: model position 50 is genome 1199
    assert window_table(["chr1:1000-1300(+)"]).start.tolist() == [1000]  # read as it is: no length


def test_maxima_in_a_short_records_padding_have_no_genome_place(tmp_path):
    """A kernel's maximum wholly in the zeros a short record was padded with was given the bases beside the
    record; one reaching into them gave kernel_sites.bed bases the model did not read."""
    # 10-letter records padded to the model's 20: letters at model positions 5-14, kernels of 5
    positions = np.array([[0, 3, 7, 12, 15]] * 2 + [[0, 2, 7, 12, 15]] * 2)
    activations = KernelActivations(
        max_activation=np.ones((4, 5)), position=positions, labels=np.ones((4, 1), dtype=np.uint8),
        ids=np.array(["chr1:100-110(+)", "chr1:100-110(-)", "chr1:-5-15(+)", "seq"]), class_names=["a"],
        kernel_len=5, input_length=20, lengths=np.array([10, 10, 20, 20]))
    places = activations.genome_sites()
    assert places.placed.tolist() == [[False, True, True, True, False]] * 2 + [[True] * 5, [False] * 5]
    assert places.start.tolist() == [[-1, 98, 102, 107, -1], [-1, 107, 103, 98, -1], [-5, -3, 2, 7, 10], [-1] * 5]
    assert places.read_start.tolist()[:2] == [[-1, 100, 102, 107, -1], [-1, 107, 103, 100, -1]]
    assert places.read_end.tolist()[:2] == [[-1, 103, 107, 110, -1], [-1, 110, 108, 103, -1]]
    activations.save(tmp_path / "a.npz")
    with np.load(tmp_path / "a.npz") as arrays:
        assert np.array_equal(arrays["genome_placed"], places.placed)
        assert np.array_equal(arrays["genome_start"], places.start)
    header, *rows = [line.split("\t") for line in activations.to_tsv().splitlines()]
    assert [[row[header.index(f"kernel_{kernel}_genome_start")] for kernel in range(5)] for row in rows] == [
        ["", "98", "102", "107", ""], ["", "107", "103", "98", ""], ["-5", "-3", "2", "7", "10"], [""] * 5]
    motifs = [SimpleNamespace(kernel=kernel, sites=[0, 1, 2, 3]) for kernel in range(5)]
    assert kernel_sites_bed(motifs, activations).splitlines() == [
        "chr1\t0\t2\tkernel_1\t1\t+", "chr1\t2\t7\tkernel_2\t1\t+", "chr1\t7\t12\tkernel_3\t1\t+",
        "chr1\t10\t15\tkernel_4\t1\t+",
        "chr1\t100\t103\tkernel_1\t1\t+", "chr1\t100\t103\tkernel_3\t1\t-", "chr1\t102\t107\tkernel_2\t1\t+",
        "chr1\t103\t108\tkernel_2\t1\t-", "chr1\t107\t110\tkernel_1\t1\t-", "chr1\t107\t110\tkernel_3\t1\t+"]


def test_attribute_bed_equals_fasta_and_bedgraph_maps_back(genome_run, cli, tmp_path):
    g = genome_run
    common = ["--method", "grad-input", "--top", "1", "--bedgraph"]
    result = cli("attribute", g["run"], g["bed"], "--genome", g["genome"], "-o", tmp_path / "bed", *common)
    assert result.exit_code == 0, result.output
    result = cli("attribute", g["run"], g["fasta"][0], "-o", tmp_path / "fasta", *common)
    assert result.exit_code == 0, result.output
    with np.load(tmp_path / "bed" / "attributions.npz") as bed, \
            np.load(tmp_path / "fasta" / "attributions.npz") as fasta:
        for name in ("ids", "attributions", "position_scores", "target", "logit"):
            assert np.array_equal(bed[name], fasta[name]), name
        ids, scores, targets = bed["ids"], bed["position_scores"], bed["target"]
        names = list(bed["class_names"])
    written = sorted(path.name for path in (tmp_path / "bed").glob("*.bedGraph"))
    assert written == sorted(f"attributions_{names[t]}.bedGraph" for t in set(targets.tolist()))
    # The peaks' windows do not overlap, so every base has one window's score: check each one.
    values = {}
    for name in written:
        lines = (tmp_path / "bed" / name).read_text().splitlines()
        assert lines[0].startswith("track type=bedGraph")
        for line in lines[1:]:
            chrom, start, end, value = line.split("\t")
            assert int(end) == int(start) + 1
            values[chrom, int(start)] = float(value)
    assert len(values) == len(ids) * LENGTH
    for row, identifier in enumerate(ids):
        chrom, span = identifier.split(":")
        start, end = (int(part) for part in span[:-3].split("-"))
        bases = range(end - 1, start - 1, -1) if identifier.endswith("(-)") else range(start, end)
        got = [values[chrom, base] for base in bases]
        assert np.allclose(got, scores[row], rtol=1e-5, atol=1e-6), identifier


def test_attribute_bedgraph_of_the_runs_own_data_leaves_the_shuffled_background_out(genome_run, cli, tmp_path):
    g = genome_run
    result = cli("attribute", g["run"], "--group", "all", "--method", "saliency", "--top", "0", "--bedgraph",
                 "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "are not genome windows" in result.output
    covered = set()
    for line in g["bed"].read_text().splitlines():
        chrom, start, end, *_ = line.split("\t")
        left = (int(start) + int(end)) // 2 - LENGTH // 2
        covered.update((chrom, base) for base in range(left, left + LENGTH))
    bases = [tuple(line.split("\t")[:2]) for path in (tmp_path / "out").glob("*.bedGraph")
             for line in path.read_text().splitlines()[1:]]
    assert {(chrom, int(start)) for chrom, start in bases} == covered  # every peak base, nothing else


def test_cluster_reads_bed_windows_of_the_genome_and_a_command_without_genome_names_bed(genome_run, cli, tmp_path):
    """cluster refused BED input as needing --genome, an option it did not have; marginalize --fasta (and fold) said
    to name a .bed file .bed and pass --genome, which they do not take."""
    g = genome_run
    result = cli("cluster", g["run"], "-o", tmp_path / "bed.png", "--fasta", g["bed"], "--fasta", g["other"],
                 "--genome", g["genome"])
    assert result.exit_code == 0, result.output
    same = cli("cluster", g["run"], "-o", tmp_path / "fasta.png", "--fasta", g["fasta"][0], "--fasta", g["fasta"][1])
    assert same.exit_code == 0, same.output
    from matplotlib.image import imread

    assert "looking at 90 sequences (BED files" in result.stderr
    assert np.array_equal(imread(tmp_path / "bed.png"), imread(tmp_path / "fasta.png"))  # the same windows alike
    refused = cli("fold", g["bed"], "-o", tmp_path / "folded.fa")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.stderr.strip().splitlines()[-1] == (
        f"Error: {g['bed']}: BED, which this command does not read; give it FASTA (the windows' sequences: bedtools "
        "getfasta -s)")


@pytest.mark.slow
def test_motifs_of_the_runs_own_data_places_its_windows_on_the_genome(genome_run, cli, tmp_path):
    """A run trained on BED gave seqlets along its own windows only, and --genome was refused as not needed, while
    activations, attribute and visualize-kernels placed the same windows on the genome."""
    g = genome_run
    result = cli("motifs", g["run"], "--group", "all", "--method", "saliency", "--no-match", "--min-seqlets", "5",
                 "--min-metacluster-size", "5", "--leiden-runs", "2", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "seqlets.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["chrom", "start", "end", "strand", "pattern", "contribution", "window"]
    for line in lines[1:]:  # a BED window's seqlet on the genome; a shuffled background record's along it
        chrom, start, end, strand, _, _, window = line.split("\t")
        if window == "NA":
            assert chrom not in g["sequences"]
            continue
        assert chrom in g["sequences"] and window.startswith(f"{chrom}:")
        first, last = (int(part) for part in window.split(":")[1][:-3].split("-"))
        assert first <= int(start) < int(end) <= last


def test_bedgraph_tracks_known_case():
    """Two overlapping windows on opposite strands: minus-strand positions run backwards, overlaps average."""
    windows = window_table(["chr2:10-14(+)", "chr1:12-16(-)", "chr1:14-18(+)"])
    scores = np.arange(12, dtype=np.float32).reshape(3, 4)
    tracks = bedgraph_tracks(scores, np.array([0, 0, 1]), windows)
    chrom, position, value = tracks[0]
    assert list(zip(chrom.tolist(), position.tolist(), value.tolist())) == [
        ("chr1", 12, 7.0), ("chr1", 13, 6.0), ("chr1", 14, 5.0), ("chr1", 15, 4.0),
        ("chr2", 10, 0.0), ("chr2", 11, 1.0), ("chr2", 12, 2.0), ("chr2", 13, 3.0),
    ]
    chrom, position, value = tracks[1]
    assert list(zip(chrom.tolist(), position.tolist(), value.tolist())) == [
        ("chr1", 14, 8.0), ("chr1", 15, 9.0), ("chr1", 16, 10.0), ("chr1", 17, 11.0)]
    overlapping = bedgraph_tracks(scores, np.array([0, 0, 0]), windows)[0]
    assert dict(zip(overlapping[1][:4].tolist(), overlapping[2][:4].tolist())) == {
        12: 7.0, 13: 6.0, 14: (5.0 + 8.0) / 2, 15: (4.0 + 9.0) / 2}


def test_bedgraph_stops_at_each_chromosomes_end():
    """A window padded with N past a chromosome's end: those bases have no bedGraph line (UCSC tools refuse them)."""
    windows = window_table(["chr1:8-12(+)", "chr2:3-7(-)"])
    scores = np.arange(8, dtype=np.float32).reshape(2, 4)
    tracks = bedgraph_tracks(scores, np.array([0, 0]), windows, chrom_sizes={"chr1": 10, "chr2": 6})
    chrom, position, value = tracks[0]
    # chr1 ends at 10: positions 10 and 11 go; chr2 (minus strand, 6 long): genome 6 is record position 0.
    assert list(zip(chrom.tolist(), position.tolist(), value.tolist())) == [
        ("chr1", 8, 0.0), ("chr1", 9, 1.0), ("chr2", 3, 7.0), ("chr2", 4, 6.0), ("chr2", 5, 5.0)]
    assert len(bedgraph_tracks(scores, np.array([0, 0]), windows)[0][0]) == 8  # no sizes: every base


def test_window_intervals_on_both_strands():
    windows = window_table(["chr1:100-120(+)", "chr1:100-120(-)"])
    start, end = windows.intervals(np.array([[0, 3], [0, 3]]), 5)
    assert start.tolist() == [[100, 103], [115, 112]]
    assert (end - start).tolist() == [[5, 5], [5, 5]]
    mixed = window_table(["chr1:100-120(+)", "seq7", "chr1:100-120(+)/shuffle1"])
    assert mixed.valid.tolist() == [True, False, False]
    assert mixed.strand.tolist() == ["+", "", ""]
    assert window_table(["seq7"]) is None


def test_visualize_kernels_bed_equals_fasta(genome_run, cli, tmp_path):
    g = genome_run
    common = ["--no-match", "--jobs", "1", "--top", "1", "--quiet"]
    result = cli("visualize-kernels", g["run"], "--fasta", g["bed"], "--fasta", g["other"], "--genome",
                 g["genome"], "-o", tmp_path / "bed", *common)
    assert result.exit_code == 0, result.output
    result = cli("visualize-kernels", g["run"], "--fasta", g["fasta"][0], "--fasta", g["fasta"][1],
                 "-o", tmp_path / "fasta", *common)
    assert result.exit_code == 0, result.output
    for name in ("kernels.tsv", "motifs.meme", "kernel_sites.bed"):
        assert (tmp_path / "bed" / name).read_text() == (tmp_path / "fasta" / name).read_text(), name
    result = cli("activations", g["run"], "--fasta", g["bed"], "--fasta", g["other"], "--genome", g["genome"],
                 "-o", tmp_path / "act.tsv")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in (tmp_path / "act.tsv").read_text().splitlines()]
    header = rows[0]
    starts = {(row[2], row[3], kernel, int(row[header.index(f"kernel_{kernel}_genome_start")]))
              for row in rows[1:] for kernel in range(4)}
    sites = [line.split("\t") for line in (tmp_path / "bed" / "kernel_sites.bed").read_text().splitlines()]
    assert sites
    for chrom, start, end, name, _, strand in sites:
        assert int(end) - int(start) == 5
        assert (chrom, strand, int(name.removeprefix("kernel_")), int(start)) in starts


@pytest.mark.parametrize(("arguments", "message"), [
    (["activations", "{run}", "--fasta", "{bed}", "--fasta", "{other}", "-o", "{tmp}/a.tsv"],
     "BED input needs --genome"),
    (["attribute", "{run}", "{bed}", "--method", "saliency", "-o", "{tmp}/out"], "BED input needs --genome"),
    (["visualize-kernels", "{run}", "--fasta", "{bed}", "--fasta", "{other}", "-o", "{tmp}/vk"],
     "BED input needs --genome"),
    (["activations", "{run}", "--genome", "{genome}", "-o", "{tmp}/a.tsv"], "--genome reads the windows of BED"),
    # --genome with FASTA inputs alone was ignored without a word (scan, motifs and attribute --bedgraph map FASTA
    # records named as windows onto it, so only predict refuses it)
    (["predict", "{run}", "{fasta}", "--genome", "{genome}"], "--genome {genome} reads the windows of BED files "
     "(.bed, .narrowPeak, .broadPeak), and none of the inputs is one: FASTA records are read as they are; leave out "
     "--genome"),
    # BED lines in a .txt file: the refusal above said to leave out --genome
    (["predict", "{run}", "{tmp}/peaks.txt", "--genome", "{genome}"], "{tmp}/peaks.txt: looks like BED, and BED "
     "files are told by their names: name it .bed (or .narrowPeak, .broadPeak) to read its windows from --genome"),
    (["attribute", "{run}", "{tmp}/plain.fa", "--method", "saliency", "--bedgraph", "-o", "{tmp}/out"],
     "--bedgraph needs records that are genome windows"),
    (["attribute", "{run}", "{tmp}/missing.bed", "--genome", "{genome}", "--method", "saliency", "-o", "{tmp}/out"],
     "chromosome 'chrX' is not in the genome"),
])
def test_bad_genome_inputs(genome_run, cli, tmp_path, arguments, message):
    g = genome_run
    (tmp_path / "missing.bed").write_text("chr1\t100\t200\nchrX\t10\t90\n")
    (tmp_path / "peaks.txt").write_text("track name=x\nchr1\t100\t200\tp1\n")
    write_fasta(tmp_path / "plain.fa", [("seq1", "ACGT" * 15)])
    values = {"run": g["run"], "bed": g["bed"], "other": g["other"], "genome": g["genome"], "tmp": tmp_path,
              "fasta": g["fasta"][0]}
    result = cli(*(argument.format(**{k: str(v) for k, v in values.items()}) for argument in arguments))
    assert result.exit_code != 0
    assert message.format(genome=g["genome"], tmp=tmp_path) in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1


@pytest.mark.parametrize("command", ["train", "variants"])
def test_an_output_folder_named_like_the_genomes_index_is_refused_before_any_work(genome_run, cli, tmp_path, command):
    """The folder kept pyfaidx from building the index: train said 'cannot be indexed as FASTA (Could not read index
    file ...)', variants scored every variant and then said 'File exists'."""
    genome = tmp_path / "unindexed.fa"
    shutil.copy(genome_run["genome"], genome)
    vcf = tmp_path / "v.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   f"chr1\t300\t.\t{genome_run['sequences']['chr1'][299]}\tA\t.\t.\t.\n")
    arguments = {"train": ["train", genome_run["bed"], "--length", str(LENGTH), *TINY_PARAMS],
                 "variants": ["variants", genome_run["run"], "--vcf", vcf]}[command]
    result = cli(*arguments, "--genome", genome, "-o", f"{genome}.fai")
    assert result.exit_code == 1 and "Traceback" not in result.output
    expected = {"train": f"the input file {genome}; give a new folder for the run",
                "variants": f"--genome {genome}; choose another -o folder"}[command]
    assert result.stderr.strip().splitlines()[-1] == f"Error: -o {genome}.fai is the index of {expected}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["unindexed.fa", "v.vcf"]


def test_variants_refuses_an_output_that_is_a_file_and_leaves_it(genome_run, cli, tmp_path):
    vcf = tmp_path / "v.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   f"chr1\t300\t.\t{genome_run['sequences']['chr1'][299]}\tN\t.\t.\t.\n")
    before = vcf.read_bytes()
    result = cli("variants", genome_run["run"], "--vcf", vcf, "--genome", genome_run["genome"], "-o", vcf)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"-o {vcf}: must be a folder, not a file; give a new or existing folder" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert vcf.read_bytes() == before


def test_scan_maps_fasta_records_named_as_windows_onto_the_genome(genome_run, cli, tmp_path):
    # FASTA records named chrom:start-end(strand) (bedtools getfasta -s, motifnet's windows) with --genome give
    # genome coordinates; a refusal of --genome without BED inputs had taken that away.
    from motifnet.motifs.meme import MemeMotif, write_meme

    pwm = np.full((10, 4), 0.01)
    pwm[np.arange(10), ["ACGT".index(letter) for letter in "ACCGGAAGTG"]] = 0.97
    write_meme(tmp_path / "m.meme", [MemeMotif("ets", "", pwm, 20)], "ACGT", [0.25] * 4, strands=True)
    result = cli("scan", tmp_path / "m.meme", genome_run["fasta"][0], "--genome", genome_run["genome"],
                 "--background", "uniform", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    header, *rows = (tmp_path / "out" / "hits.tsv").read_text().splitlines()
    assert header.split("\t")[:2] == ["motif", "chrom"] and rows
    window = header.split("\t").index("window")
    assert all(row.split("\t")[window].startswith(row.split("\t")[1] + ":") for row in rows)  # window after chrom
