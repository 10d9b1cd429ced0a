"""``motifnet scan``: FIMO hits through memelite, q-values, empirical FDR, enrichment per class."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pytest
from helpers import (
    dead_pid,
    make_genome,
    read_tsv,
    reverse_complement_text,
    scratch_name,
    signalled_while_input_stalls,
    write_fasta,
)

from motifnet.errors import OptionValueError
from motifnet.motifs.enrichment import enrichment_table
from motifnet.motifs.meme import MemeMotif, write_meme
from motifnet.motifs.scan import (
    ScanConfig,
    bh_q_values,
    empirical_fdr,
    load_scan_motifs,
    scan_files,
    window_counts,
)

PLANTED = "AGATAAGG"


def _pwm(consensus: str) -> np.ndarray:
    pwm = np.full((len(consensus), 4), 0.02)
    for position, letter in enumerate(consensus):
        pwm[position, "ACGT".index(letter)] = 0.94
    return pwm


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """gata.fa (60 records, one planted site each, odd records on '-'), bg.fa (60 without), the motif file,
    and the planted (record, start, strand)."""
    folder = tmp_path_factory.mktemp("scan")
    rng = np.random.default_rng(7)
    truth, records = set(), []
    for i in range(60):
        letters = list(rng.choice(list("ACGT"), 50))
        start, strand = int(rng.integers(0, 43)), "+-"[i % 2]
        letters[start:start + 8] = PLANTED if strand == "+" else reverse_complement_text(PLANTED)
        records.append((f"g{i}", "".join(letters)))
        truth.add((f"g{i}", start, strand))
    gata = write_fasta(folder / "gata.fa", records)
    bg = write_fasta(folder / "bg.fa", [(f"b{i}", "".join(rng.choice(list("ACGT"), 50))) for i in range(60)])
    motifs = folder / "motifs.meme"
    write_meme(motifs, [MemeMotif("gata", "", _pwm(PLANTED), 20), MemeMotif("other", "", _pwm("CCCTTTAA"), 20)],
               "ACGT", [0.25] * 4, strands=True)
    return folder, gata, bg, motifs, truth


@pytest.fixture(scope="module")
def scanned(planted, tmp_path_factory):
    """``motifnet scan`` of the planted files: (result of the CLI, output folder)."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder, gata, bg, motifs, _ = planted
    out = tmp_path_factory.mktemp("scan_out") / "out"
    result = CliRunner().invoke(main, ["scan", str(motifs), str(gata), str(bg), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return result, out


def test_hits_recover_the_planted_positions_and_strands(planted, scanned):
    _, out = scanned
    header, rows = read_tsv((out / "hits.tsv").read_text())
    assert header == ["motif", "record", "start", "end", "strand", "score", "p_value", "q_value", "empirical_fdr",
                      "sequence", "motif_alt_id"]
    found = {(row[1], int(row[2]), row[4]) for row in rows if row[0] == "gata"}
    truth = planted[4]
    assert truth <= found  # every planted site, on its strand, at its exact 0-based start
    assert len(found - truth) <= 3
    for row in rows:
        if (row[1], int(row[2]), row[4]) in truth:
            assert row[9] == PLANTED  # the site as read on the motif's strand
            assert int(row[3]) - int(row[2]) == 8


def test_q_values_and_empirical_fdr_grow_with_the_p_value(scanned):
    _, out = scanned
    _, rows = read_tsv((out / "hits.tsv").read_text())
    values = np.array([[float(row[6]), float(row[7]), float(row[8])] for row in rows])
    order = np.argsort(values[:, 0], kind="stable")
    assert np.all(np.diff(values[order, 1]) >= -1e-12)
    assert np.all((values[:, 1] >= values[:, 0]) & (values[:, 1] <= 1))
    assert np.all((values[:, 2] >= 0) & (values[:, 2] <= 1))
    for motif in {row[0] for row in rows}:
        mine = np.array([row[0] == motif for row in rows])
        p, fdr = values[mine, 0], values[mine, 2]
        assert np.all(np.diff(fdr[np.argsort(p, kind="stable")]) >= -1e-12)


def test_hits_bed_parses(scanned):
    _, out = scanned
    lines = (out / "hits.bed").read_text().splitlines()
    assert len(lines) == len((out / "hits.tsv").read_text().splitlines()) - 1
    for line in lines:
        chrom, start, end, name, score, strand = line.split("\t")
        assert int(start) < int(end) and strand in "+-" and name in ("gata", "other")
        float(score)


def test_enrichment_of_the_planted_class(scanned):
    _, out = scanned
    header, rows = read_tsv((out / "enrichment.tsv").read_text())
    table = {(row[0], row[1]): dict(zip(header, row)) for row in rows}
    gata = table["gata", "gata"]
    assert gata["records_with_hit"] == "60" and float(gata["fraction"]) == 1.0
    assert float(gata["odds_ratio"]) > 1 and float(gata["q_value"]) < 1e-6
    assert float(table["gata", "bg"]["log2_odds_ratio"]) < 0
    assert (out / "enrichment.png").stat().st_size > 0


def test_chunks_give_the_same_hits_and_rna_reads_u_as_t(planted, tmp_path):
    folder, gata, bg, motifs, truth = planted
    motif_set = load_scan_motifs(motifs)
    scan_files(motif_set, [gata], ScanConfig(chunk_records=1000), tmp_path / "a.tsv", tmp_path / "a.bed")
    scan_files(motif_set, [gata], ScanConfig(chunk_records=7), tmp_path / "b.tsv", tmp_path / "b.bed")
    assert (tmp_path / "a.tsv").read_text() == (tmp_path / "b.tsv").read_text()
    rna = tmp_path / "gata_rna.fa"
    rna.write_text(gata.read_text().replace("T", "U"))
    result = scan_files(motif_set, [rna], ScanConfig(), tmp_path / "r.tsv", tmp_path / "r.bed")
    _, rows = read_tsv((tmp_path / "r.tsv").read_text())
    assert truth <= {(row[1], int(row[2]), row[4]) for row in rows if row[0] == "gata"}
    assert result.records_per_class.tolist() == [60]


def test_report_folder_gives_its_distinct_motifs(planted, tmp_path):
    motifs = planted[3]
    (tmp_path / "motifs_distinct.meme").write_text(motifs.read_text())
    assert load_scan_motifs(tmp_path).names == ["gata", "other"]


def test_bh_q_values_are_scipys_and_scaled_by_the_tests():
    from scipy.stats import false_discovery_control

    p = np.array([1e-6, 5e-5, 2e-5, 9e-5])
    assert np.allclose(bh_q_values(p, 4), false_discovery_control(p))
    assert np.allclose(bh_q_values(p, 400), np.minimum(false_discovery_control(p) * 100, 1))


@pytest.mark.parametrize("block_positions", [1 << 24, 8])  # all rows at once, or one row at a time
def test_windows_holding_an_ambiguity_code_or_past_a_records_end_are_no_tests(monkeypatch, block_positions):
    from motifnet.motifs import scan
    from motifnet.motifs._scan_records import letter_indices

    monkeypatch.setattr(scan, "_COUNT_BLOCK_POSITIONS", block_positions)

    indices = np.full((2, 8), -1, dtype=np.int8)  # as chunks hold records: -1 past each one's end
    indices[0] = letter_indices(b"ACGTNACG", "r1")
    indices[1, :2] = letter_indices(b"AC", "r2")
    pwms = [np.full((width, 4), 0.25) for width in (3, 1, 9, 3)]
    # width 3: ACG, CGT and ACG of record 1 (not GTN, TNA, NAC; none in record 2); width 1: 7 + 2 letters
    assert window_counts(pwms, indices).tolist() == [6, 18, 0, 6]


def test_records_of_n_do_not_raise_the_q_values(planted, tmp_path):
    """The tests were counted by record length: 20,000 N (no window scored) made a hit's q-value 1."""
    motif_set = load_scan_motifs(planted[3])
    gaps = tmp_path / "with_gaps.fa"
    # 'part' has 7 letters in a row, fewer than the motifs' 8: it adds no window either.
    gaps.write_text(planted[1].read_text() + ">gap\n" + "N" * 20000 + "\n>part\n" + "N" * 30 + "ACGNACGTACG\n")
    config = ScanConfig(background="uniform")
    plain = scan_files(motif_set, [planted[1]], config, tmp_path / "a.tsv", tmp_path / "a.bed")
    gapped = scan_files(motif_set, [gaps], config, tmp_path / "b.tsv", tmp_path / "b.bed")
    assert gapped.tests.tolist() == plain.tests.tolist() == [2 * 60 * (50 - 8 + 1)] * 2
    assert (tmp_path / "a.tsv").read_text() == (tmp_path / "b.tsv").read_text()


def test_empirical_fdr_counts_shuffled_hits_below_each_p():
    p = np.array([1e-6, 1e-5, 1e-4, 1e-3])
    null = np.array([5e-5, 5e-4, 5e-4])
    # At 1e-4: one null hit over three real ones; at 1e-3: 3 over 4; then monotone from the top.
    assert np.allclose(empirical_fdr(p, null, 1), [0, 0, 1 / 3, 3 / 4])
    assert np.allclose(empirical_fdr(p, null, 3), [0, 0, 1 / 9, 1 / 4])


def test_enrichment_table_has_fisher_odds_and_q_values():
    rows = enrichment_table(["m"], ["a", "b"], np.array([[8, 1]]), np.array([10, 10]))
    a = rows[0]
    assert a["odds_ratio"] == pytest.approx(8 * 9 / (2 * 1)) and a["fisher_p"] < 0.01
    assert a["q_value"] >= a["fisher_p"]
    single = enrichment_table(["m"], ["a"], np.array([[3]]), np.array([10]))
    assert single[0]["odds_ratio"] is None and single[0]["fraction"] == 0.3
    # No record with a hit: the odds ratio is undefined, NA in enrichment.tsv (it wrote nan)
    none = enrichment_table(["m"], ["a", "b"], np.array([[0, 0]]), np.array([10, 10]))
    assert [row["odds_ratio"] for row in none] == [None, None] and none[0]["fisher_p"] == 1.0
    from motifnet.workflows.scan import enrichment_text

    assert enrichment_text(none).splitlines()[1].split("\t")[6] == "NA"


def test_a_motif_that_was_not_scanned_is_not_reported_as_tested(planted, tmp_path):
    """A motif no window can reach --threshold with is not scanned: it was listed with 0 records with a hit,
    fisher_p 1 and q 1 ('not enriched'), and its cells counted among the q-values' tests."""
    from scipy.stats import false_discovery_control

    from motifnet.workflows.scan import scan_to_folder

    folder, gata, bg, _, _ = planted
    motif_file = tmp_path / "two.meme"
    write_meme(motif_file, [MemeMotif("gata", "", _pwm(PLANTED), 20), MemeMotif("short", "", _pwm("GAT"), 20)],
               "ACGT", [0.25] * 4, strands=True)
    result = scan_to_folder(motif_file, [gata, bg], tmp_path / "out", ScanConfig(background="uniform"))
    assert result.scanned.tolist() == [True, False]
    header, rows = read_tsv((tmp_path / "out" / "enrichment.tsv").read_text())
    table = {(row[0], row[1]): dict(zip(header, row)) for row in rows}
    for name in ("gata", "bg"):
        short = table["short", name]
        assert [short[key] for key in ("records_with_hit", "fraction", "fisher_p", "q_value")] == ["NA"] * 4
    fisher = [float(table["gata", name]["fisher_p"]) for name in ("gata", "bg")]
    q_values = [float(table["gata", name]["q_value"]) for name in ("gata", "bg")]
    assert q_values == pytest.approx(false_discovery_control(fisher), rel=1e-5)
    rows = json.loads((tmp_path / "out" / "scan.json").read_text())["enrichment"]
    assert [row["records_with_hit"] for row in rows if row["motif"] == "short"] == [None, None]


@pytest.mark.parametrize("arguments, message", [
    (["missing.meme", "{gata}"], "missing.meme: no such motif file"),
    (["{gata}", "{gata}"], "gata.fa: a FASTA file (a '>' header followed by sequence letters), not a motif file in "
                          "MEME, JASPAR, TRANSFAC or HOMER format"),
    (["{protein_meme}", "{gata}"], "scan needs DNA or RNA motifs"),
    (["{twice_meme}", "{gata}"], "twice.meme: motifs 1 and 2 are both named 'm'; give each motif a name of its own"),
    (["{motifs}", "{protein}"], "is not DNA or RNA"),
    (["{motifs}", "missing.fa"], "missing.fa"),
    (["{motifs}", "{gata}", "--threshold", "2"], "--threshold is a p-value"),
    (["{folder}", "{gata}"], "a folder without motifs_distinct.meme or patterns.meme"),
    (["{motifs}", "{gata}", "--background", "gc"], "--background is uniform, input or a MEME background file"),
    (["{motifs}", "{gata}", "--background", "{folder}"], "a MEME background file ('A 0.3' lines), received: "
                                                         "'{folder}' (a folder)"),  # it said 'no such file'
    (["{motifs}", "{gata}", "--background", "{gata}"], "expected a letter and its frequency"),
    (["{motifs}", "peaks.bed"], "BED input needs --genome"),
    (["{motifs}", "{gata}", "{gata}"], "gata.fa is given twice: each FASTA file is one class"),
    (["{motifs}", "{gata}", "{gata_elsewhere}"], "class names (from the file names) must be distinct, received: "
                                                 "gata, gata; name the classes with --class-names"),
    (["{motifs}", "{gata}", "{gata_elsewhere}", "--class-names", "g"],
     "--class-names gives 1 name(s) for 2 file(s): give one per FASTA or BED file, in their order"),
    (["{motifs}", "{gata}", "{gata_elsewhere}", "--class-names", "g,g"],
     "--class-names must be distinct, received: g, g"),
    (["{motifs}", "{repeated}"], "repeated.fa, record 3 ('r1'): the record id 'r1' is also that of "
                                 "{repeated}, record 1; hits.tsv names records by id"),
    (["{motifs}", "{repeated}", "--background", "uniform"], "the record id 'r1' is also that of"),
    (["{motifs}", "{gata}", "{other_g3}"], "other.fa, record 2 ('g3'): the record id 'g3' is also that of "
                                           "{gata}, record 4; hits.tsv names records by id"),
    # it was counted as a record without a hit, lowering the class's fraction; train and motifs refuse it
    (["{motifs}", "{gata}", "{empty}"], "empty.fa, record 1 ('a'): empty sequence (a header without sequence "
                                        "lines); remove the record or give its sequence"),
])
def test_bad_inputs_are_one_line(planted, tmp_path, cli, arguments, message):
    folder, gata, _, motifs, _ = planted
    protein = write_fasta(tmp_path / "protein.fa", [("p1", "MKWVTFISLLEEQ")])
    protein_meme = tmp_path / "protein.meme"
    write_meme(protein_meme, [MemeMotif("p", "", np.full((3, 20), 0.05), 1)], "ACDEFGHIKLMNPQRSTVWY", [0.05] * 20)
    twice_meme = tmp_path / "twice.meme"
    write_meme(twice_meme, [MemeMotif("m", "", np.full((3, 4), 0.25), 1)] * 2, "ACGT", [0.25] * 4)
    (tmp_path / "elsewhere").mkdir()
    names = {"gata": gata, "motifs": motifs, "protein": protein, "protein_meme": protein_meme, "twice_meme": twice_meme,
             "folder": tmp_path, "gata_elsewhere": write_fasta(tmp_path / "elsewhere" / "gata.fa", [("e", "ACGT")]),
             "repeated": write_fasta(tmp_path / "repeated.fa", [("r1", "ACGTACGT"), ("r2", "ACGT"), ("r1 b", "AC")]),
             "other_g3": write_fasta(tmp_path / "other.fa", [("o1", "ACGTACGT"), ("g3", "ACGT")]),
             "empty": tmp_path / "empty.fa"}
    names["empty"].write_text(">a\n>b\nACGT\n")
    result = cli("scan", *[a.format(**names) for a in arguments], "-o", tmp_path / "out" / "scan")
    # a value outside the option's range is a usage error, as Click's own range checks
    # (BED input without --genome, seen in the command line: a usage error, it exited 1)
    assert result.exit_code == (2 if "--threshold" in arguments or "peaks.bed" in arguments else 1), result.output
    assert message.format(**names) in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    assert not (tmp_path / "out").exists()  # refused without leaving the folders it would have made


def test_a_failed_scan_removes_only_the_empty_folders_it_made(planted, tmp_path, cli):
    _, gata, _, motifs, _ = planted
    bad = write_fasta(tmp_path / "bad.fa", [("p1", "MKWVTFISLLEEQ")])
    (tmp_path / "kept").mkdir()
    result = cli("scan", motifs, gata, bad, "-o", tmp_path / "kept" / "a" / "b")
    assert result.exit_code == 1 and "is not DNA or RNA" in result.output
    assert (tmp_path / "kept").is_dir() and not (tmp_path / "kept" / "a").exists()
    (tmp_path / "kept" / "notes.txt").write_text("mine")
    result = cli("scan", motifs, gata, bad, "-o", tmp_path / "kept")
    assert result.exit_code == 1
    assert sorted(path.name for path in (tmp_path / "kept").iterdir()) == ["notes.txt"]


def test_a_scratch_table_left_by_a_killed_scan_is_removed_by_the_next_scan_and_nothing_else(planted, tmp_path, cli):
    """A SIGKILL leaves the scratch table of hits (as large as hits.tsv); the next scan into the folder now
    removes it, as attribute and motifs remove theirs. Files of other names stay."""
    _, gata, _, motifs, _ = planted
    out = tmp_path / "scan"
    out.mkdir()
    stale = out / scratch_name("hits.tsv", ".scratch", dead_pid())
    stale.write_text("m\tr\t1\n")
    # a user's files, and the table of another scan into the folder that is still working (it failed there)
    kept = [out / ".hits.tsv.mine.scratch", out / scratch_name("hits.tsv", ".tsv", dead_pid()),
            out / stale.name[1:], out / scratch_name("hits.tsv", ".scratch", os.getpid())]
    for path in kept:
        path.write_text("mine\n")
    result = cli("scan", motifs, gata, "-o", out)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and all(path.read_text() == "mine\n" for path in kept)
    assert not [path for path in out.glob(".hits.tsv.*") if path not in kept]  # its own is gone too


def test_a_scan_into_an_earlier_scans_folder_removes_the_files_it_did_not_write(planted, scanned, tmp_path, cli):
    import json
    import shutil

    _, gata, _, motifs, _ = planted
    out = tmp_path / "out"
    shutil.copytree(scanned[1], out)  # two classes: enrichment.png
    (out / "enrichment_notes.png").write_bytes(b"not scan's")
    (out / "kernels").mkdir()
    (out / "kernels" / "enrichment.png").write_bytes(b"not scan's either")
    assert (out / "enrichment.png").is_file()
    result = cli("scan", motifs, gata, "-o", out)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "scan.json").read_text())["image"] is None
    assert not (out / "enrichment.png").exists()
    assert sorted(path.name for path in out.iterdir()) == ["enrichment.tsv", "enrichment_notes.png", "hits.bed",
                                                           "hits.tsv", "kernels", "scan.json"]
    assert (out / "kernels" / "enrichment.png").read_bytes() == b"not scan's either"
    # The scan there now wrote no enrichment.png (scan.json's image is None): one put there is the user's.
    (out / "enrichment.png").write_bytes(b"mine")
    assert cli("scan", motifs, gata, "-o", out).exit_code == 0
    assert (out / "enrichment.png").read_bytes() == b"mine"
    fresh = tmp_path / "fresh"  # no scan.json: an enrichment.png there is the user's
    fresh.mkdir()
    (fresh / "enrichment.png").write_bytes(b"mine")
    assert cli("scan", motifs, gata, "-o", fresh).exit_code == 0
    assert (fresh / "enrichment.png").read_bytes() == b"mine"


def test_rna_sites_on_the_minus_strand_are_written_in_rna_letters(planted, tmp_path):
    _, gata, _, motifs, truth = planted
    rna = tmp_path / "gata_rna.fa"
    rna.write_text(gata.read_text().replace("T", "U"))
    scan_files(load_scan_motifs(motifs), [rna], ScanConfig(), tmp_path / "r.tsv", tmp_path / "r.bed")
    _, rows = read_tsv((tmp_path / "r.tsv").read_text())
    planted_rows = [row for row in rows if (row[1], int(row[2]), row[4]) in truth]
    assert {row[4] for row in planted_rows} == {"+", "-"} and len(planted_rows) == len(truth)
    assert {row[9] for row in planted_rows} == {PLANTED.replace("T", "U")}
    assert not any("T" in row[9] for row in rows)


def test_output_naming_an_input_is_refused(planted, cli, tmp_path):
    _, gata, _, motifs, _ = planted
    result = cli("scan", motifs, gata, "-o", gata)
    assert result.exit_code == 1 and "is the input file" in result.output
    # A background file named scan.json in OUT_DIR was replaced by scan's summary.
    out = tmp_path / "out"
    out.mkdir()
    (out / "scan.json").write_text("A 0.3\nC 0.2\nG 0.2\nT 0.3\n")
    result = cli("scan", motifs, gata, "--background", out / "scan.json", "-o", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: --background {out / 'scan.json'}: motifnet scan writes this file in "
                                     f"{out}, which would replace it; copy it elsewhere or choose another -o folder")
    assert (out / "scan.json").read_text() == "A 0.3\nC 0.2\nG 0.2\nT 0.3\n"
    assert sorted(out.iterdir()) == [out / "scan.json"]


def test_q_threshold_keeps_only_hits_at_or_below_it(planted, tmp_path):
    _, gata, bg, motifs, truth = planted
    motif_set = load_scan_motifs(motifs)
    loose = scan_files(motif_set, [gata, bg], ScanConfig(threshold=1e-3), tmp_path / "a.tsv", tmp_path / "a.bed")
    strict = scan_files(motif_set, [gata, bg], ScanConfig(threshold=1e-3, q_threshold=0.01), tmp_path / "b.tsv",
                        tmp_path / "b.bed")
    _, rows = read_tsv((tmp_path / "b.tsv").read_text())
    assert strict.hits == len(rows) < loose.hits
    assert all(float(row[7]) <= 0.01 for row in rows)
    assert truth <= {(row[1], int(row[2]), row[4]) for row in rows if row[0] == "gata"}
    assert strict.records_with_hit[0].tolist() == [60, 0]


# -- background ---------------------------------------------------------------------------------------

def _scan_scores(motif_set, fasta, config, folder) -> dict:
    """(motif, record, start, strand) -> score, p-value of ``scan_files``."""
    scan_files(motif_set, [fasta], config, folder / "h.tsv", folder / "h.bed")
    _, rows = read_tsv((folder / "h.tsv").read_text())
    return {(row[0], row[1], int(row[2]), row[4]): (float(row[5]), float(row[6])) for row in rows}


def test_a_background_changes_scores_by_its_log_odds_exactly(tmp_path):
    from motifnet.motifs.fimo_background import EPS

    pwm = _pwm("GATTACA")
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("m", "", pwm, 20)], "ACGT", [0.25] * 4, strands=True)
    fasta = write_fasta(tmp_path / "s.fa", [("s", "CCGATTACACC")])
    background = tmp_path / "bg.txt"
    background.write_text("# order-0\nA 0.35\nC 0.15\nG 0.15\nT 0.35\nAA 0.2\n")
    motif_set = load_scan_motifs(motif_file)
    uniform = _scan_scores(motif_set, fasta, ScanConfig(background="uniform", threshold=1e-2), tmp_path)
    skewed = _scan_scores(motif_set, fasta, ScanConfig(background=str(background), threshold=1e-2), tmp_path)
    frequency = dict(zip("ACGT", (0.35, 0.15, 0.15, 0.35)))
    expected = sum(np.log2(pwm[i, "ACGT".index(letter)] + EPS) - np.log2(frequency[letter])
                   for i, letter in enumerate("GATTACA"))
    assert skewed["m", "s", 2, "+"][0] == pytest.approx(expected, abs=1e-4)
    shift = sum(np.log2(0.25) - np.log2(frequency[letter]) for letter in "GATTACA")
    assert skewed["m", "s", 2, "+"][0] - uniform["m", "s", 2, "+"][0] == pytest.approx(shift, abs=2e-4)
    # an AT-rich background makes this AT-rich site likelier by chance
    assert skewed["m", "s", 2, "+"][1] > uniform["m", "s", 2, "+"][1]


def test_uniform_table_is_memelites_and_skewed_table_is_exact_on_its_bins():
    import itertools

    from memelite import fimo

    from motifnet.motifs.fimo_background import EPS, UNIFORM, log_odds, survival_table

    rng = np.random.default_rng(3)
    pwm = rng.dirichlet([0.5] * 4, size=8)
    letters = rng.integers(0, 4, size=(10, 300))
    one_hot = (letters[:, None, :] == np.arange(4)[None, :, None]).astype(np.int8)
    hits = fimo({"m": pwm.T.copy()}, one_hot, threshold=1e-2, reverse_complement=False)[0]
    table = survival_table(log_odds(pwm, UNIFORM, EPS), UNIFORM)
    assert len(hits) > 10
    # memelite reads its table at the bin of the exact score (towards 0), clipped to the last non-zero entry
    memelite_bins = np.trunc(hits["score"].to_numpy() / 0.1).astype(int) - table.smallest
    memelite_bins = np.minimum(memelite_bins, np.flatnonzero(table.p_values > 0)[-1])
    np.testing.assert_allclose(table.p_values[memelite_bins], hits["p-value"].to_numpy(), rtol=1e-12)
    # weights on the bin grid: the table is the exact distribution of the score under the background
    weights = rng.integers(-20, 20, size=(5, 4)) / 10
    background = np.array([0.4, 0.1, 0.1, 0.4])
    words = np.array(list(itertools.product(range(4), repeat=5)))
    scores = weights[np.arange(5), words].sum(axis=1)
    probabilities = background[words].prod(axis=1)
    skewed = survival_table(weights, background)
    for score in np.unique(np.round(scores, 6)):
        assert skewed.p_values_of(round(score * 10)) == pytest.approx(probabilities[scores >= score - 1e-9].sum(),
                                                                      rel=1e-9)


CONSENSUS = "ACCGGAAGTG"


@pytest.mark.parametrize("background", [[0.25] * 4, [0.246145, 0.253855, 0.253855, 0.246145], [0.3, 0.2, 0.2, 0.3]])
def test_each_hits_p_value_is_the_exact_tail_of_its_rounded_score(background):
    """Read at the bin of its exact score, a one-mismatch site got the consensus's p-value (12x too small)."""
    import itertools

    from motifnet.motifs.fimo_background import log_odds, prepare_motifs, symmetric
    from motifnet.motifs.scan import scan_indices

    pwm = np.array([[0.91 if letter == base else 0.03 for letter in "ACGT"] for base in CONSENSUS])
    rng = np.random.default_rng(8)
    sites = [CONSENSUS, "ACCGAAAGTG", "ACCGGACGTG", "ACCGGTAGTT"]
    letters = np.array([["ACGT".index(c) for c in site + "".join(rng.choice(list("ACGT"), 30))] for site in sites]
                       + list(rng.integers(0, 4, size=(40, 40))), dtype=np.int8)
    prepared = prepare_motifs([pwm], np.array(background), 1e-2)
    hits = scan_indices(prepared, letters, np.full(len(letters), 40))
    background = symmetric(background)
    words = np.array(list(itertools.product(range(4), repeat=len(CONSENSUS))))
    probabilities = background[words].prod(axis=1)
    exact = log_odds(pwm, background)[np.arange(len(CONSENSUS)), words].sum(axis=1)
    rounded = prepared.bins[0][np.arange(len(CONSENSUS)), words].sum(axis=1)
    found = set()
    for row, start, strand, score, p_value in zip(hits["row"], hits["start"], hits["strand"], hits["score"],
                                                   hits["p_value"]):
        word = letters[row, start:start + len(CONSENSUS)].astype(int)
        word = 3 - word[::-1] if strand == "-" else word
        code = int(np.ravel_multi_index(word, (4,) * len(CONSENSUS)))
        assert score == pytest.approx(exact[code], abs=1e-4)
        assert p_value == pytest.approx(probabilities[rounded >= rounded[code]].sum(), rel=1e-9)
        # binning moves a p-value by a few per cent at most, never by the factors it did
        assert 0.9 < p_value / probabilities[exact >= exact[code] - 1e-9].sum() < 1.5
        found.add((int(row), int(start), str(strand)))
    # every window passing under the background is reported, and only those
    expected = set()
    for row in range(len(letters)):
        for start in range(40 - len(CONSENSUS) + 1):
            for strand in "+-":
                word = letters[row, start:start + len(CONSENSUS)].astype(int)
                word = 3 - word[::-1] if strand == "-" else word
                code = int(np.ravel_multi_index(word, (4,) * len(CONSENSUS)))
                if probabilities[rounded >= rounded[code]].sum() < 1e-2:
                    expected.add((row, start, strand))
    assert found == expected and {(row, 0, "+") for row in range(4)} <= found
    first = {int(row): p for row, start, strand, p in zip(hits["row"], hits["start"], hits["strand"], hits["p_value"])
             if start == 0 and strand == "+"}
    assert first[0] < first[1] and first[0] < first[2] < first[3]


def test_a_motif_that_cannot_pass_the_threshold_loosens_no_other_motifs_memelite_call():
    """A 4-letter motif cannot reach 1e-4 (its best site has p 4**-4): it once set memelite's one threshold to
    3.9e-3 for every motif, 46 times the windows (2 GB for one chunk of JASPAR's CORE)."""
    from motifnet.motifs.fimo_background import UNIFORM, prepare_motifs

    short = np.array([[0.97 if letter == base else 0.01 for letter in "ACGT"] for base in "GATA"])
    long = np.array([[0.91 if letter == base else 0.03 for letter in "ACGT"] for base in CONSENSUS])
    wide = np.tile(long, (2, 1))
    prepared = prepare_motifs([short, long, wide], UNIFORM, 1e-4)
    assert prepared.tables[0].first_passing(1e-4) is None
    members = [number for _, numbers in prepared.groups for number in numbers]
    assert sorted(members) == [1, 2]  # the short motif is not scanned at all: none of its windows could pass
    assert all(1e-4 < threshold < 1e-2 for threshold, _ in prepared.groups)
    hits = _scan_indices_of([short, long], [CONSENSUS + "GATA" * 5, "GATA" * 10])
    assert set(hits["motif"].tolist()) == {1}


def test_a_motif_that_cannot_reach_the_threshold_is_named(planted, tmp_path, cli):
    """It was not scanned and showed 0 hits without a word, as if its sites were absent."""
    folder, gata, _, _, _ = planted
    motifs = tmp_path / "m.meme"
    write_meme(motifs, [MemeMotif("gata", "", _pwm(PLANTED), 20), MemeMotif("g1", "", _pwm("G"), 20),
                        MemeMotif("gata4", "", _pwm("GATA"), 20)], "ACGT", [0.25] * 4, strands=True)
    result = cli("scan", motifs, gata, "-o", tmp_path / "out", "--background", "uniform")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "--threshold" in line]
    # the best possible p of a window: 1/4 for one column, about 4**-4 for four
    assert warnings == ["warning: 2 motif(s) cannot reach --threshold 0.0001, so they are not scanned and have no "
                        "hits: their best possible p-value is not below it (g1 (best 0.25), gata4 (best 0.0039)); "
                        "give a larger --threshold to scan them"], result.stderr
    header, rows = read_tsv((tmp_path / "out" / "hits.tsv").read_text())
    assert {row[header.index("motif")] for row in rows} == {"gata"}
    # short motifs alone (a report's kernels of 8 trimmed to 7 cannot reach FIMO's 1e-4): the value that would do
    short = tmp_path / "short.meme"
    write_meme(short, [MemeMotif("gata4", "", _pwm("GATA"), 20)], "ACGT", [0.25] * 4, strands=True)
    result = cli("scan", short, gata, "-o", tmp_path / "short", "--background", "uniform")
    assert "(gata4 (best 0.0039)); give --threshold 0.004 or larger to scan them" in result.stderr, result.stderr
    result = cli("scan", short, gata, "-o", tmp_path / "short", "--background", "uniform", "--threshold", "0.004")
    assert result.exit_code == 0 and "cannot reach" not in result.stderr, result.stderr
    assert json.loads((tmp_path / "short" / "scan.json").read_text())["hits"] > 0
    # records refused: the refusal alone (the warning came first, and the user read it before the error)
    protein = write_fasta(tmp_path / "protein.fa", [("p1", "MKWVTFISLLEEQ")])
    result = cli("scan", motifs, gata, protein, "-o", tmp_path / "refused", "--background", "uniform")
    assert result.exit_code == 1 and [line for line in result.stderr.splitlines() if "--threshold" in line] == []
    assert "protein.fa, record 1 ('p1'): letter 'F' at position 6 is not DNA or RNA" in result.stderr  # M, K, W: IUPAC


def _scan_indices_of(pwms, sequences):
    from motifnet.motifs.fimo_background import UNIFORM, prepare_motifs
    from motifnet.motifs.scan import scan_indices

    width = max(map(len, sequences))
    letters = np.full((len(sequences), width), -1, dtype=np.int8)
    for row, sequence in enumerate(sequences):
        letters[row, :len(sequence)] = ["ACGT".index(c) for c in sequence]
    return scan_indices(prepare_motifs(pwms, UNIFORM, 1e-4), letters, np.array(list(map(len, sequences))))


def test_input_background_is_the_letter_frequencies_made_strand_symmetric(tmp_path):
    import json

    from motifnet.workflows.scan import scan_to_folder

    pwm = _pwm("GGGCCC")
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("m", "", pwm, 20)], "ACGT", [0.25] * 4, strands=True)
    fasta = write_fasta(tmp_path / "gc.fa", [("a", "GGGGGGCCCA" * 3), ("b", "AGGGCCCTTT")])
    scan_to_folder(motif_file, [fasta], tmp_path / "out", ScanConfig())
    summary = json.loads((tmp_path / "out" / "scan.json").read_text())
    counts = np.array([3 + 1, 9 + 3, 18 + 3, 3]) + 1.0  # A, C, G, T of the 40 letters, plus one each
    counts = (counts + counts[::-1]) / 2
    expected = counts / counts.sum()
    assert summary["background"] == "input"
    assert [summary["background_frequencies"][letter] for letter in "ACGT"] == pytest.approx(expected, abs=1e-6)
    from motifnet.motifs.fimo_background import read_background_file, symmetric
    (tmp_path / "b.txt").write_text("A 0.5\nC 0.17\nG 0.17\nU 0.17\n")  # rounded: rescaled to sum to 1
    assert read_background_file(tmp_path / "b.txt") == pytest.approx(np.array([0.5, 0.17, 0.17, 0.17]) / 1.01)
    assert symmetric([0.5, 1 / 6, 1 / 6, 1 / 6]) == pytest.approx([1 / 3, 1 / 6, 1 / 6, 1 / 3])


@pytest.mark.parametrize("text, message", [
    # The last A won without a word.
    ("A 0.3\nC 0.2\nG 0.2\nT 0.3\nA 0.1\n",
     "{path}, line 5: a second frequency for A (A 0.1; line 1 gives one already); list each letter once"),
    ("# order 0\nA 0.3\nC 0.2\nG 0.2\nT 0.3\nu 0.3\n",
     "{path}, line 6: a second frequency for T (u 0.3; line 5 gives one already); list each letter once"),
])
def test_background_files_with_a_letter_twice_are_refused(tmp_path, text, message):
    from motifnet.errors import InputError
    from motifnet.motifs.fimo_background import read_background_file

    path = tmp_path / "bg.txt"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_background_file(path)
    assert str(error.value) == message.format(path=path)


def test_background_files_are_read_as_every_text_file(tmp_path):
    from motifnet.errors import InputError
    from motifnet.motifs.fimo_background import read_background_file

    text = "A 0.3\nC 0.2\nG 0.2\nT 0.3\n"
    (tmp_path / "bg.txt.gz").write_bytes(gzip.compress(text.encode()))
    assert read_background_file(tmp_path / "bg.txt.gz") == pytest.approx([0.3, 0.2, 0.2, 0.3])
    (tmp_path / "utf16.txt").write_text(text, encoding="utf-16")  # a UnicodeDecodeError's traceback before
    with pytest.raises(InputError, match=f"^{tmp_path / 'utf16.txt'}, line 1: NUL bytes: a UTF-16 file"):
        read_background_file(tmp_path / "utf16.txt")


def test_meme_background_files_with_higher_orders_and_rounding_are_read(tmp_path, caplog, monkeypatch):
    import logging

    from motifnet.motifs.fimo_background import read_background_file
    from motifnet.motifs.meme import ROW_SUM_TOLERANCE

    # As fasta-get-markov writes them: comments, order 0 in lower or upper case, then longer words.
    path = tmp_path / "markov.bg"
    path.write_text("# 1-order Markov frequencies from file x.fa\n# order 0\na 2.951e-01\nc 2.049e-01\n"
                    "g 2.049e-01\nt 2.951e-01\n# order 1\naa 9.6e-02\nac 5.2e-02\nAA 0.1\nCA 0.07\n")
    assert read_background_file(path) == pytest.approx([0.2951, 0.2049, 0.2049, 0.2951])
    # Within the tolerance of a matrix row the sum is rescaled to 1 quietly; beyond it (counts, say) it was
    # rescaled without a word, and now with a warning.
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    path.write_text(f"A 0.3\nC 0.2\nG 0.2\nT {0.3 + ROW_SUM_TOLERANCE - 0.001}\n")
    assert read_background_file(path)[3] == pytest.approx(0.349 / 1.049) and caplog.messages == []
    for text, total in ((f"A 0.3\nC 0.2\nG 0.2\nT {0.3 + ROW_SUM_TOLERANCE + 0.001}\n", "1.051"),
                        ("A 3\nC 1\nG 1\nT 1\n", "6"), ("A 0.2\nC 0.2\nG 0.2\nT 0.3\n", "0.9")):
        caplog.clear()
        path.write_text(text)
        values = np.array([float(line.split()[1]) for line in text.splitlines()])
        assert read_background_file(path) == pytest.approx(values / values.sum())
        # (a record may reach the capture twice, through the motifnet logger and the root one)
        assert set(caplog.messages) == {f"{path}: the frequencies of A, C, G and T sum to {total}, not 1; "
                                        "they are rescaled to sum to 1"}


# -- genome input -------------------------------------------------------------------------------------

def test_hits_in_bed_windows_point_at_the_planted_genome_sites(tmp_path, cli):
    genome = make_genome(tmp_path)
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("ets", "", _pwm("ACCGGAAGTG"), 20)], "ACGT", [0.25] * 4, strands=True)
    out = tmp_path / "out"
    result = cli("scan", motif_file, genome["bed"], "--genome", genome["genome"], "--length", "120", "-o", out)
    assert result.exit_code == 0, result.output
    header, rows = read_tsv((out / "hits.tsv").read_text())
    assert header[1] == "chrom" and header[-2:] == ["window", "motif_alt_id"]
    hits = [dict(zip(header, row)) for row in rows]
    found = {(hit["chrom"], int(hit["start"])) for hit in hits if hit["strand"] == "+"}
    assert set(genome["sites"]) <= found  # planted on the genome's + strand, in + and - windows alike
    planted = set(genome["sites"])
    on_sites = [hit for hit in hits if (hit["chrom"], int(hit["start"])) in planted]
    assert {hit["window"][-2] for hit in on_sites} == {"+", "-"}
    for hit in on_sites:
        chrom, start = hit["chrom"], int(hit["start"])
        assert int(hit["end"]) == start + 10 and hit["strand"] == "+" and hit["sequence"] == "ACCGGAAGTG"
        assert genome["sequences"][chrom][start:start + 10] == "ACCGGAAGTG"
    bed = [line.split("\t") for line in (out / "hits.bed").read_text().splitlines()]
    assert {(line[0], int(line[1]), line[5]) for line in bed} >= {(chrom, start, "+") for chrom, start in planted}


def test_bed_windows_given_twice_are_named_in_a_warning(tmp_path, cli):
    """A BED line given twice (or a peak in two classes) was scanned twice and its hits listed twice, in silence."""
    genome = make_genome(tmp_path)
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("ets", "", _pwm("ACCGGAAGTG"), 20)], "ACGT", [0.25] * 4, strands=True)
    first, second = genome["bed"].read_text().splitlines()[:2]
    twice = tmp_path / "twice.bed"
    twice.write_text(f"{first}\n{second}\n{first}\n")
    result = cli("scan", motif_file, twice, "--genome", genome["genome"], "--length", "60", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    window = read_tsv((tmp_path / "out" / "hits.tsv").read_text())[1][0][-2]
    assert window.startswith(first.split("\t")[0] + ":")
    assert ("warning: 1 window(s) of the BED input occur more than once (e.g. window 3 of twice.bed, also window 1 of "
            "twice.bed): each copy is scanned") in " ".join(result.stderr.split()).replace(str(tmp_path) + "/", "")
    assert result.stderr.count("more than once") == 1  # the background's pass over the records said it again
    once = tmp_path / "once.bed"
    once.write_text(f"{first}\n{second}\n")
    result = cli("scan", motif_file, once, "--genome", genome["genome"], "--length", "60", "-o", tmp_path / "out2")
    assert result.exit_code == 0 and "more than once" not in result.stderr


def test_records_that_do_not_span_their_window_names_keep_their_own_places(tmp_path, cli):
    """A record named chr1:0-10(+) holding 60 letters gave hits at chr1 30-40, outside the window it names."""
    genome = make_genome(tmp_path)
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("ets", "", _pwm("ACCGGAAGTG"), 20)], "ACGT", [0.25] * 4, strands=True)
    chrom = next(iter(genome["sequences"]))
    letters = "A" * 30 + "ACCGGAAGTG" + "A" * 20
    fasta = tmp_path / "named.fa"
    fasta.write_text(f">{chrom}:0-10(+)\n{letters}\n>{chrom}:100-160(-)\n{letters}\n>{chrom}:200-210(+)\n{letters}\n")
    out = tmp_path / "out"
    result = cli("scan", motif_file, fasta, "--genome", genome["genome"], "-o", out, "--chunk-records", "1")
    assert result.exit_code == 0, result.output
    # one warning of both, from chunks of one record each (the third one holds no valid window at all)
    warning = ("2 record(s) named as genome windows hold another number of letters than their names span "
               f"(e.g. '{chrom}:0-10(+)': 60 letters, not 10)")
    assert " ".join(result.stderr.split()).count("hold another number of letters") == 1
    assert warning in " ".join(result.stderr.split())
    header, rows = read_tsv((out / "hits.tsv").read_text())
    hits = sorted((row[1], int(row[2]), int(row[3]), row[4], row[header.index("window")]) for row in rows)
    # the second spans its window, but its letters are not the genome's there (below)
    assert hits == [(f"{chrom}:0-10(+)", 30, 40, "+", "NA"), (f"{chrom}:100-160(-)", 30, 40, "+", "NA"),
                    (f"{chrom}:200-210(+)", 30, 40, "+", "NA")]


def test_fasta_records_named_as_windows_are_placed_only_where_the_genome_has_their_letters(tmp_path, cli,
                                                                                           monkeypatch):
    """Records named chrX:900-1100(+) (no chrX in --genome), chr1:999900-1000100(+) (past its end) or a window
    one base off the letters were given genome coordinates that do not exist or miss the site by a base."""
    from motifnet.data.genome import reverse_complement

    genome = make_genome(tmp_path)
    motif_file = tmp_path / "m.meme"
    write_meme(motif_file, [MemeMotif("ets", "", _pwm("ACCGGAAGTG"), 20)], "ACGT", [0.25] * 4, strands=True)
    chrom, site = genome["sites"][0]
    letters = genome["sequences"][chrom][site - 20:site + 40]
    minus = reverse_complement(letters.encode()).decode()
    fasta = tmp_path / "named.fa"
    fasta.write_text(f">{chrom}:{site - 20}-{site + 40}(+)\n{letters}\n>{chrom}:{site - 20}-{site + 40}(-)\n{minus}\n"
                     f">{chrom}:{site - 19}-{site + 41}(+)\n{letters}\n>chrX:{site - 20}-{site + 40}(+)\n{letters}\n"
                     f">{chrom}:999900-999960(+)\n{letters}\n>{chrom}:{site - 20}-{site + 40}(+)_lower\n"
                     f"{letters.lower()}\n")
    out = tmp_path / "out"
    result = cli("scan", motif_file, fasta, "--genome", genome["genome"], "-o", out)
    assert result.exit_code == 0, result.output
    header, rows = read_tsv((out / "hits.tsv").read_text())
    hits = {(row[1], int(row[2]), row[4], row[header.index("window")]) for row in rows}
    assert hits == {(chrom, site, "+", f"{chrom}:{site - 20}-{site + 40}(+)"),
                    (chrom, site, "+", f"{chrom}:{site - 20}-{site + 40}(-)"),
                    (f"{chrom}:{site - 19}-{site + 41}(+)", 20, "+", "NA"),
                    (f"chrX:{site - 20}-{site + 40}(+)", 20, "+", "NA"),
                    (f"{chrom}:999900-999960(+)", 20, "+", "NA"),
                    (f"{chrom}:{site - 20}-{site + 40}(+)_lower", 20, "+", "NA")}  # not a window's name
    # a record scanned in pieces (longer than PIECE_LETTERS) keeps its place: a piece is not the whole window
    from motifnet.motifs import _scan_records

    monkeypatch.setattr(_scan_records, "PIECE_LETTERS", 25)
    pieces = tmp_path / "pieces.fa"
    pieces.write_text(f">{chrom}:{site - 20}-{site + 40}(+)\n{letters}\n")
    assert cli("scan", motif_file, pieces, "--genome", genome["genome"], "-o", tmp_path / "pieces").exit_code == 0
    header, rows = read_tsv((tmp_path / "pieces" / "hits.tsv").read_text())
    assert [(row[1], int(row[2]), row[header.index("window")]) for row in rows] == [
        (chrom, site, f"{chrom}:{site - 20}-{site + 40}(+)")]
    assert ("warning: 3 FASTA record(s) named as genome windows do not hold the letters of --genome genome.fa there "
            f"(e.g. '{chrom}:{site - 19}-{site + 41}(+)';") in " ".join(result.stderr.split()).replace(
        f"{tmp_path}/", "")


def test_hits_and_enrichment_carry_each_motifs_alternate_name(planted, cli, tmp_path):
    """Only the ID (MA0001.1) was written: a scan of a JASPAR collection named no factor, where FIMO gives
    motif_alt_id. The new column is last, so that columns cut by number stay where they were."""
    _, gata, bg, _, truth = planted
    counts = np.round(_pwm(PLANTED) * 100).astype(int)
    motif_file = tmp_path / "two.jaspar"
    matrix = "".join(f"{letter} [ {' '.join(map(str, counts[:, column]))} ]\n" for column, letter in enumerate("ACGT"))
    motif_file.write_text(">MA0001.1 GATA-like\n" + matrix + ">MA0002.1\n" + matrix)  # the second without a name
    result = cli("scan", motif_file, gata, bg, "-o", tmp_path / "out", "--background", "uniform")
    assert result.exit_code == 0, result.output
    def table(name):  # an empty last cell ends the file with a tab: not stripped
        header, *rows = [line.split("\t") for line in (tmp_path / "out" / name).read_text().rstrip("\n").split("\n")]
        assert {len(row) for row in rows} == {len(header)}
        return header, rows

    header, rows = table("hits.tsv")
    hits = [dict(zip(header, row)) for row in rows]
    assert {(hit["record"], int(hit["start"]), hit["strand"]) for hit in hits if hit["motif"] == "MA0001.1"} >= truth
    assert {hit["motif_alt_id"] for hit in hits if hit["motif"] == "MA0001.1"} == {"GATA-like"}
    assert {hit["motif_alt_id"] for hit in hits if hit["motif"] == "MA0002.1"} == {""}  # empty cells, the last
    header, rows = table("enrichment.tsv")
    assert header[-1] == "motif_alt_id"
    assert sorted((row[0], row[1], row[-1]) for row in rows) == [
        ("MA0001.1", "bg", "GATA-like"), ("MA0001.1", "gata", "GATA-like"), ("MA0002.1", "bg", ""),
        ("MA0002.1", "gata", "")]
    summary = json.loads((tmp_path / "out" / "scan.json").read_text())  # what the report's section shows
    assert {(row["motif"], row["motif_alt_id"]) for row in summary["enrichment"]} == {
        ("MA0001.1", "GATA-like"), ("MA0002.1", "")}


def test_a_motif_longer_than_every_record_is_named_in_a_warning(planted, cli, tmp_path):
    # It scanned no window of it and said only "0 hits".
    _, gata, _, _, truth = planted
    motifs = tmp_path / "wide.meme"
    write_meme(motifs, [MemeMotif("gata", "", _pwm(PLANTED), 20), MemeMotif("wide", "", _pwm("ACGT" * 13), 20)],
               "ACGT", [0.25] * 4, strands=True)
    result = cli("scan", motifs, gata, "-o", tmp_path / "out", "--background", "uniform")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: motif wide (52 positions) is longer than every record: it has no window to score"]
    _, rows = read_tsv((tmp_path / "out" / "hits.tsv").read_text())
    assert truth <= {(row[1], int(row[2]), row[4]) for row in rows if row[0] == "gata"}


@pytest.mark.parametrize("length", ["50", "200"])  # 200 is the default: given, it is still refused
def test_length_without_genome_is_refused(planted, tmp_path, cli, length):
    # --length sets the window of BED lines read on --genome; without --genome it was ignored without a word.
    _, gata, _, motifs, _ = planted
    result = cli("scan", motifs, gata, "--length", length, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: --length {length} applies to BED inputs read on --genome")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_length_with_genome_but_no_bed_input_is_refused(planted, tmp_path, cli):
    # With --genome, a --length over FASTA inputs alone was ignored: FASTA records are scanned whole.
    _, gata, _, motifs, _ = planted
    genome = make_genome(tmp_path)
    result = cli("scan", motifs, gata, "--genome", genome["genome"], "--length", "50", "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --length 50 applies to BED inputs (.bed, .narrowPeak, .broadPeak), "
                                    "and none of the inputs is one")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    # A BED input among them uses it.
    result = cli("scan", motifs, gata, genome["bed"], "--genome", genome["genome"], "--length", "120",
                 "-o", tmp_path / "mixed")
    assert result.exit_code == 0, result.output


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc to see the signal handlers")
def test_a_signal_while_the_motifs_on_standard_input_stall_stops_at_once(planted, tmp_path):
    """scan - waited for more motifs after SIGTERM (only a second signal ended it): the read of standard input
    never looked at the stop flag."""
    _, gata, _, motifs, _ = planted
    half = motifs.read_bytes()[:60]  # the MEME header, then nothing more
    stderr, returncode = signalled_while_input_stalls(["scan", "-", str(gata), "-o", str(tmp_path / "out")], half)
    assert returncode == 1, stderr.decode()
    assert stderr.decode().strip().endswith("files not yet complete were not written")
    assert not (tmp_path / "out" / "hits.tsv").exists()


# -- statistics per motif, strands, enrichment ----------------------------------------------------------

def _q_values_by_site(path) -> dict:
    _, rows = read_tsv(path.read_text())
    return {(row[0], row[1], row[2], row[4]): float(row[7]) for row in rows}


def test_each_motif_is_its_own_family_of_tests(planted, tmp_path):
    """q-values were BH over every motif's windows: 20 other motifs in the file (or one too short to be
    scanned, whose windows are no tests) raised a motif's q-values and could remove its hits."""
    _, gata, bg, _, _ = planted
    alone, crowded = tmp_path / "alone.meme", tmp_path / "crowded.meme"
    write_meme(alone, [MemeMotif("gata", "", _pwm(PLANTED), 20)], "ACGT", [0.25] * 4, strands=True)
    rng = np.random.default_rng(3)
    others = [MemeMotif(f"r{i}", "", _pwm("".join(rng.choice(list("ACGT"), 8))), 20) for i in range(20)]
    write_meme(crowded, [MemeMotif("gata", "", _pwm(PLANTED), 20), MemeMotif("short", "", _pwm("GAT"), 20),
                         *others], "ACGT", [0.25] * 4, strands=True)
    config = ScanConfig(background="uniform")
    one = scan_files(load_scan_motifs(alone), [gata, bg], config, tmp_path / "a.tsv", tmp_path / "a.bed")
    scan_files(load_scan_motifs(crowded), [gata, bg], config, tmp_path / "b.tsv", tmp_path / "b.bed")
    q_alone = _q_values_by_site(tmp_path / "a.tsv")
    q_crowded = {site: q for site, q in _q_values_by_site(tmp_path / "b.tsv").items() if site[0] == "gata"}
    assert q_crowded == q_alone and len(q_alone) >= 60
    _, rows = read_tsv((tmp_path / "a.tsv").read_text())
    p_values = np.array([float(row[6]) for row in rows])
    assert one.tests.tolist() == [2 * 120 * (50 - 8 + 1)]
    assert [q_alone[row[0], row[1], row[2], row[4]] for row in rows] == pytest.approx(
        bh_q_values(p_values, int(one.tests[0])), rel=1e-5)


@pytest.fixture(scope="module")
def rna_planted(tmp_path_factory):
    """RNA records with the planted site on the forward strand (even records) or its reverse complement (odd),
    and the motif as an RNA motif file (ALPHABET= ACGU)."""
    folder = tmp_path_factory.mktemp("scan_rna")
    rng = np.random.default_rng(11)
    records, forward = [], set()
    for i in range(40):
        letters = list(rng.choice(list("ACGU"), 50))
        start = int(rng.integers(0, 43))
        site = PLANTED if i % 2 == 0 else reverse_complement_text(PLANTED)
        letters[start:start + 8] = site.replace("T", "U")
        records.append((f"r{i}", "".join(letters)))
        if i % 2 == 0:
            forward.add((f"r{i}", start))
    fasta = write_fasta(folder / "rna.fa", records)
    motifs = folder / "rna.meme"
    write_meme(motifs, [MemeMotif("pum", "", _pwm(PLANTED), 20)], "ACGU", [0.25] * 4)
    return fasta, motifs, forward


def test_rna_motifs_are_scanned_on_the_records_own_strand(rna_planted, cli, tmp_path):
    """RNA motifs were scanned on both strands, as DNA: reverse-complement 'sites' of a transcript, twice the
    tests, and a background averaged over complementary letters (RNA has none; FIMO scans one strand)."""
    fasta, motifs, forward = rna_planted
    result = cli("scan", motifs, fasta, "-o", tmp_path / "given")
    assert result.exit_code == 0, result.stderr
    _, rows = read_tsv((tmp_path / "given" / "hits.tsv").read_text())
    assert {row[4] for row in rows} == {"+"} and forward <= {(row[1], int(row[2])) for row in rows}
    summary = json.loads((tmp_path / "given" / "scan.json").read_text())
    letters = "".join(line for line in fasta.read_text().splitlines() if not line.startswith(">"))
    counts = np.array([letters.count(letter) + 1 for letter in "ACGU"], dtype=float)
    assert summary["strands"] == "given"
    assert list(summary["background_frequencies"].values()) == pytest.approx(counts / counts.sum(), abs=1e-6)
    assert list(summary["background_frequencies"]) == list("ACGU")  # RNA letters, as the motifs' (it said T)
    assert f"background letter frequencies (input): A {counts[0] / counts.sum():.3f}" in result.stderr
    assert "U " in result.stderr.split("background letter frequencies")[1].splitlines()[0]
    loaded = load_scan_motifs(motifs)
    given = scan_files(loaded, [fasta], ScanConfig(), tmp_path / "g.tsv", tmp_path / "g.bed")
    both = scan_files(loaded, [fasta], ScanConfig(strands="both"), tmp_path / "b.tsv", tmp_path / "b.bed")
    assert both.tests.tolist() == [2 * given.tests[0]] == [2 * 40 * (50 - 8 + 1)]
    _, rows = read_tsv((tmp_path / "b.tsv").read_text())
    assert "-" in {row[4] for row in rows}
    dna = tmp_path / "dna.meme"
    write_meme(dna, [MemeMotif("pum", "", _pwm(PLANTED), 20)], "ACGT", [0.25] * 4, strands=True)
    assert ScanConfig().both_strands(load_scan_motifs(dna)) and not ScanConfig().both_strands(loaded)
    assert not ScanConfig(strands="given").both_strands(load_scan_motifs(dna))


def test_enrichment_is_one_sided_and_undefined_without_hits():
    """Fisher's test was two-sided (a class without hits 'significant' as an enriched one), and a motif with no
    hit at all had a log2 odds ratio of the log ratio of the class sizes, coloured in the heat map."""
    from scipy.stats import fisher_exact

    rows = enrichment_table(["m"], ["a", "b"], np.array([[8, 1]]), np.array([10, 10]))
    assert rows[0]["fisher_p"] == pytest.approx(fisher_exact([[8, 2], [1, 9]], alternative="greater").pvalue)
    assert rows[1]["fisher_p"] == pytest.approx(fisher_exact([[1, 9], [8, 2]], alternative="greater").pvalue)
    assert rows[0]["fisher_p"] < 0.01 < 0.99 < rows[1]["fisher_p"]
    none = enrichment_table(["m"], ["a", "b"], np.array([[0, 0]]), np.array([10, 1000]))
    every = enrichment_table(["m"], ["a", "b"], np.array([[10, 1000]]), np.array([10, 1000]))
    assert [row["log2_odds_ratio"] for row in none + every] == [None] * 4


def test_classes_of_different_record_lengths_are_warned_about(planted, tmp_path, caplog, monkeypatch):
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="motifnet")
    _, gata, bg, motifs, _ = planted
    motif_set = load_scan_motifs(motifs)
    scan_files(motif_set, [gata, bg], ScanConfig(), tmp_path / "a.tsv", tmp_path / "a.bed")
    assert not [message for message in caplog.messages if "record length" in message]
    rng = np.random.default_rng(5)
    long = write_fasta(tmp_path / "long.fa", [(f"l{i}", "".join(rng.choice(list("ACGT"), 100))) for i in range(30)])
    scan_files(motif_set, [gata, long], ScanConfig(), tmp_path / "b.tsv", tmp_path / "b.bed")
    assert {message for message in caplog.messages if "record length" in message} == {
        "the classes differ in record length (mean letters per record: gata 50, long 100): a longer record has more "
        "windows and so more often a hit, which the enrichment counts as enrichment; compare classes of records of "
        "one length (BED input: --length)"}


def test_motifs_from_a_pipe_are_read_as_from_their_file(planted, tmp_path):
    """scan <(zcat motifs.meme.gz) ... said 'no such motif file' (a pipe is no regular file); compare too."""
    import subprocess
    import sys
    import threading

    _, gata, bg, motifs, _ = planted
    pipe = tmp_path / "motifs_pipe"
    os.mkfifo(pipe)

    def feed_once():  # as <(cat motifs.meme) does
        with open(pipe, "wb") as handle:
            handle.write(motifs.read_bytes())

    thread = threading.Thread(target=feed_once, daemon=True)
    thread.start()
    # In a process of its own, ended after two minutes: one that opened the pipe twice would wait forever.
    result = subprocess.run([sys.executable, "-m", "motifnet", "scan", str(pipe), str(gata), str(bg), "-o",
                             str(tmp_path / "piped"), "--background", "uniform"], capture_output=True, text=True,
                            timeout=120)
    thread.join(5)
    assert result.returncode == 0, result.stderr
    scan_files(load_scan_motifs(motifs), [gata, bg], ScanConfig(background="uniform"), tmp_path / "f.tsv",
               tmp_path / "f.bed")
    assert (tmp_path / "piped" / "hits.tsv").read_text() == (tmp_path / "f.tsv").read_text()


def _long_records(folder, rng):
    """Three records, 1,000 to 2,300 letters with N gaps, PLANTED on both strands across the pieces' joins
    (pieces of 100 letters in the tests below), and two short ones between them."""
    records = []
    for name, length in (("long1", 1000), ("s1", 30), ("long2", 2300), ("s2", 12), ("long3", 1234)):
        letters = list(rng.choice(list("ACGT"), length))
        for start in range(95, length - 8, 97):  # starts 95..102 cross a join of pieces of 100 at some point
            site = PLANTED if start % 2 else reverse_complement_text(PLANTED)
            letters[start:start + 8] = site
        if length > 500:
            letters[400:420] = "N" * 20
        records.append((name, "".join(letters)))
    return write_fasta(folder / "long.fa", records)


def test_long_records_are_scanned_in_pieces_that_find_each_hit_once_and_count_each_window_once(
        planted, tmp_path, monkeypatch):
    """A chromosome-length record was one chunk of about 50 bytes per base (12 GB for chr1); pieces of a
    bounded size must give the hits, q-values and tests of the whole record."""
    from motifnet.motifs import _scan_records

    motif_set = load_scan_motifs(planted[3])
    long_fa = _long_records(tmp_path, np.random.default_rng(3))
    whole = scan_files(motif_set, [long_fa], ScanConfig(shuffles=2), tmp_path / "w.tsv", tmp_path / "w.bed")
    monkeypatch.setattr(_scan_records, "PIECE_LETTERS", 100)
    monkeypatch.setattr(_scan_records, "CHUNK_POSITIONS", 450)
    held = []
    chunks = _scan_records.record_chunks

    def record_chunks(*args, **kwargs):
        for chunk in chunks(*args, **kwargs):
            held.append(chunk.indices.size)
            yield chunk

    monkeypatch.setattr("motifnet.motifs.scan.record_chunks", record_chunks)
    pieces = scan_files(motif_set, [long_fa], ScanConfig(shuffles=2), tmp_path / "p.tsv", tmp_path / "p.bed")
    assert max(held) <= 450 and len(held) > 10
    header, whole_rows = read_tsv((tmp_path / "w.tsv").read_text())
    _, piece_rows = read_tsv((tmp_path / "p.tsv").read_text())
    fdr = header.index("empirical_fdr")  # the shuffles of pieces differ from those of whole records
    assert [row[:fdr] + row[fdr + 1:] for row in piece_rows] == [row[:fdr] + row[fdr + 1:] for row in whole_rows]
    planted_sites = {(row[1], int(row[2])) for row in whole_rows if row[0] == "gata" and float(row[6]) < 1e-4}
    assert {("long2", start) for start in range(95, 2292, 97)} <= planted_sites
    assert pieces.tests.tolist() == whole.tests.tolist()
    assert pieces.records_per_class.tolist() == whole.records_per_class.tolist() == [5]
    assert pieces.records_with_hit.tolist() == whole.records_with_hit.tolist()
    assert (tmp_path / "p.bed").read_text() == (tmp_path / "w.bed").read_text()


def test_pieces_rebuild_their_record_and_their_shuffles_do_not_depend_on_the_chunks(tmp_path, monkeypatch):
    from motifnet.motifs import _scan_records

    monkeypatch.setattr(_scan_records, "PIECE_LETTERS", 100)
    long_fa = _long_records(tmp_path, np.random.default_rng(4))
    texts = {record_id: text for record_id, text in
             (block.split("\n", 1) for block in long_fa.read_text().lstrip(">").split("\n>"))}
    texts = {record_id: text.replace("\n", "") for record_id, text in texts.items()}
    shuffles = {}
    for chunk_records in (1, 3, 1000):
        rebuilt, owned_sizes = {}, {}
        for chunk in _scan_records.record_chunks([long_fa], chunk_records, overlap=7):
            shuffled = _scan_records.shuffled_indices(chunk, seed=5, copy=1)
            for row, record_id in enumerate(chunk.ids):
                offset, length, owned = (int(chunk.offsets[row]), int(chunk.lengths[row]), int(chunk.owned[row]))
                text = texts[record_id]
                assert chunk.letters[row] == text[offset:offset + length].encode()
                assert length == min(owned + 7, len(text) - offset) if len(text) > 100 else owned == length
                rebuilt[record_id] = rebuilt.get(record_id, "") + chunk.letters[row][:owned].decode()
                owned_sizes.setdefault(record_id, []).append(owned)
                shuffles.setdefault((record_id, offset), set()).add(shuffled[row, :length].tobytes())
        assert rebuilt == texts
        # of one size: a last piece of a few letters was padded to a full piece's length in its chunk
        assert all(max(sizes) - min(sizes) <= 1 for sizes in owned_sizes.values()), owned_sizes
    assert {len(drawn) for drawn in shuffles.values()} == {1}
    assert len(shuffles) == 2 + 10 + 23 + 13  # the short records, and pieces of at most 100 of the long ones


def test_a_chunk_of_records_of_mixed_lengths_is_bounded_by_its_positions(tmp_path, monkeypatch):
    """One long record among short ones padded them all to its length: 10,000 rows x 1 Mb."""
    from motifnet.motifs import _scan_records

    monkeypatch.setattr(_scan_records, "CHUNK_POSITIONS", 500)
    fasta = write_fasta(tmp_path / "mixed.fa", [("long", "ACGT" * 100)] + [(f"s{i}", "ACGTA") for i in range(300)])
    chunks = list(_scan_records.record_chunks([fasta], 10000))
    assert max(chunk.indices.size for chunk in chunks) <= 500
    assert [len(chunk.ids) for chunk in chunks] == [1, 100, 100, 100]
    assert np.concatenate([chunk.records for chunk in chunks]).tolist() == list(range(301))


def test_padding_and_n_runs_are_not_handed_to_memelite_as_windows_that_pass(planted, tmp_path, monkeypatch):
    """memelite scores an N (or the padding of a chunk's shorter rows) as 0: for a long, sharp motif, whose score
    threshold is below 0, it reported every such window, two per position (gigabytes for a chunk of one long and
    several short rows, or a centromere), which were dropped only afterwards."""
    import memelite

    consensus = "ACCGGAAGTGCCTTAGGACATGCAG"
    motifs = tmp_path / "sharp.meme"
    write_meme(motifs, [MemeMotif("sharp", "", _pwm(consensus), 20)], "ACGT", [0.25] * 4, strands=True)
    rng = np.random.default_rng(5)
    long = list(rng.choice(list("ACGT"), 6000))
    long[1000:1025] = consensus
    long[2000:5000] = "N" * 3000
    records = [("long", "".join(long))] + [(f"s{i}", "".join(rng.choice(list("ACGT"), 30))) for i in range(40)]
    fasta = write_fasta(tmp_path / "mixed.fa", records)
    reported = []
    fimo = memelite.fimo

    def counting(*args, **kwargs):
        tables = fimo(*args, **kwargs)
        reported.append(sum(len(table) for table in tables))
        return tables

    monkeypatch.setattr(memelite, "fimo", counting)
    motif_set = load_scan_motifs(motifs)
    together = scan_files(motif_set, [fasta], ScanConfig(), tmp_path / "a.tsv", tmp_path / "a.bed")
    assert sum(reported) < 1000, reported  # the real site, and windows of random letters at about the p threshold
    alone = scan_files(motif_set, [fasta], ScanConfig(chunk_records=1), tmp_path / "b.tsv", tmp_path / "b.bed")
    assert (tmp_path / "a.tsv").read_text() == (tmp_path / "b.tsv").read_text()
    _, rows = read_tsv((tmp_path / "a.tsv").read_text())
    assert ("long", "1000", "+") in {(row[1], row[2], row[4]) for row in rows}
    assert together.tests.tolist() == alone.tests.tolist() == [2 * (2000 - 24 + 1000 - 24 + 40 * (30 - 24))]


@pytest.mark.parametrize("name, content", [
    ("hits.tsv", "mine"), ("enrichment.tsv", "mine"), ("scan.json", '{"tool": "other"}'), ("scan.json", "not JSON"),
])
def test_a_users_file_of_a_name_scan_writes_is_refused_and_kept(planted, tmp_path, cli, name, content):
    """A folder without a scan.json of motifnet's: the user's hits.tsv was replaced with exit 0."""
    folder, gata, bg, motifs, _ = planted
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text(content)
    result = cli("scan", motifs, gata, bg, "-o", out)
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == (
        f"Error: -o {out}: holds {name}, which this scan run writes, but no scan.json of motifnet's; nothing was "
        f"written: choose another folder, or move {name} away")
    assert sorted(path.name for path in out.iterdir()) == [name] and (out / name).read_text() == content
    assert cli("scan", motifs, gata, bg, "-o", tmp_path / "own").exit_code == 0
    assert cli("scan", motifs, gata, "-o", tmp_path / "own").exit_code == 0  # its own earlier scan: replaced


def test_a_users_enrichment_png_beside_a_scan_of_one_class_is_refused_and_kept(planted, tmp_path, cli):
    """A scan of one class draws no enrichment.png; a user's one there was replaced by the next scan of two."""
    _, gata, bg, motifs, _ = planted
    out = tmp_path / "out"
    assert cli("scan", motifs, gata, "-o", out).exit_code == 0
    (out / "enrichment.png").write_text("mine")
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    result = cli("scan", motifs, gata, bg, "-o", out)
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == (
        f"Error: -o {out}: holds enrichment.png, which this scan run writes, but the scan.json there does not list "
        "it as its run's; nothing was written: choose another folder, or move enrichment.png away")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    (out / "enrichment.png").unlink()
    assert cli("scan", motifs, gata, bg, "-o", out).exit_code == 0  # then its own, replaced by the next scans
    assert cli("scan", motifs, bg, gata, "-o", out).exit_code == 0


@pytest.mark.parametrize("name", ["tab\tname", "new\nline"])
def test_class_names_that_would_break_the_tables_are_refused(planted, tmp_path, cli, name):
    """A file name with a tab or a line break made a class name that split enrichment.tsv's rows."""
    source = tmp_path / f"{name}.fa"
    source.write_text(planted[1].read_text())
    result = cli("scan", planted[3], source, planted[2], "-o", tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (f"Error: class names (from the file names) must be non-empty and hold no tab or line "
                             f"break (they are values of enrichment.tsv), received: {name!r}; name the classes with "
                             "--class-names\n")
    assert not (tmp_path / "out").exists()
    assert cli("scan", planted[3], source, planted[2], "-o", tmp_path / "out", "--class-names", "a,b").exit_code == 0


def test_class_names_name_the_classes_of_the_tables(planted, tmp_path, cli):
    """Scan had no --class-names: a class was named after its file, 63 for the shell's <(zcat gata.fa.gz)."""
    _, gata, background, motifs, _ = planted
    result = cli("scan", motifs, gata, background, "-o", tmp_path / "out", "--class-names", "bound, unbound")
    assert result.exit_code == 0, result.output
    named = cli("scan", motifs, gata, background, "-o", tmp_path / "named")
    rows = [line.split("\t") for line in (tmp_path / "out" / "enrichment.tsv").read_text().splitlines()]
    named_rows = [line.split("\t") for line in (tmp_path / "named" / "enrichment.tsv").read_text().splitlines()]
    assert named.exit_code == 0 and [row[1] for row in rows[1:3]] == ["bound", "unbound"]
    assert [row[:1] + row[2:] for row in rows] == [row[:1] + row[2:] for row in named_rows]  # only the names differ


def test_files_named_as_columns_of_predicts_table_are_scanned(planted, tmp_path, cli):
    """Names reserved for train's classes (columns of predict's table) are values of scan's tables: a scan of
    start.fa and end.fa was refused."""
    files = [tmp_path / "start.fa", tmp_path / "end.fa"]
    files[0].write_text(planted[1].read_text())
    files[1].write_text(planted[2].read_text())
    result = cli("scan", planted[3], *files, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    _, rows = read_tsv((tmp_path / "out" / "enrichment.tsv").read_text())
    assert {row[1] for row in rows} == {"start", "end"}


def test_shuffles_are_at_most_a_thousand(planted, tmp_path, cli):
    """--shuffles 1000000000 was taken, and the scan would never end (no progress line either)."""
    result = cli("scan", planted[3], planted[1], "-o", tmp_path / "out", "--shuffles", "1000000000")
    assert result.exit_code == 2 and "1000000000 is not in the range 1<=x<=1000" in result.stderr
    with pytest.raises(OptionValueError, match="--shuffles must be 1 to 1000"):
        ScanConfig(shuffles=1001).checked()


def test_a_motif_file_without_letters_scanned_on_rna_records_says_it_read_both_strands(rna_planted, cli, tmp_path):
    """An RNA model's HOMER export, read back without letters as DNA, was scanned on both strands of RNA records
    without a word, where its MEME export scans their own strand."""
    from motifnet.motifs.homer import format_homer

    fasta, _, _ = rna_planted
    homer = tmp_path / "pum.motif"
    homer.write_text(format_homer([MemeMotif("pum", "", _pwm(PLANTED), 20)], "ACGU"))
    result = cli("scan", homer, fasta, "-o", tmp_path / "auto")
    assert result.exit_code == 0, result.stderr
    assert (f"warning: {homer} names no letters (HOMER, .pfm) and is read as DNA: its motifs were scanned on both "
            "strands of 40 RNA record(s); give --strands given to scan an RNA record's own strand only, as RNA motifs "
            "are") in result.stderr
    assert json.loads((tmp_path / "auto" / "scan.json").read_text())["strands"] == "both"
    given = cli("scan", homer, fasta, "-o", tmp_path / "given", "--strands", "given")
    assert given.exit_code == 0 and "names no letters" not in given.stderr
    _, rows = read_tsv((tmp_path / "given" / "hits.tsv").read_text())
    assert {row[4] for row in rows} == {"+"}
    dna = tmp_path / "dna.fa"
    dna.write_text(fasta.read_text().replace("U", "T"))
    assert "names no letters" not in cli("scan", homer, dna, "-o", tmp_path / "dna").stderr
