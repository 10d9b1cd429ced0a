"""motifnet variants: SNVs from a VCF scored through a run's model (motifnet.data.vcf, motifnet.interpret.variants,
motifnet.workflows.variants). On a synthetic genome with a planted motif, SNVs that break a motif core change the
prediction far more than SNVs elsewhere in the same peaks; the reference column is the prediction of the window
around the variant; and each VCF error is one line naming file, line and value."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import folder_digest, make_genome, write_fasta

from motifnet.data.genome import Genome
from motifnet.data.vcf import Variant, read_snvs
from motifnet.errors import InputError
from motifnet.workflows.variants import variant_columns

_COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
_HEADER = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=6000>\n" + _COLUMNS
_OTHER = {"A": "T", "C": "A", "G": "C", "T": "A"}
# Small but able to learn the planted motif in a few seconds of CPU (checked: the core SNVs all rank first).
# 60 epochs without early stopping on 90 peaks: dropout after the convolution (pysster's 0.3) keeps the
# network on the planted motif rather than on the peaks' other letters.
# A small network tuned to learn the site from 90 peaks. position_bins stays at 8, its value when it was tuned:
# with the default's 16 stretches the network reached the same test ROC-AUC (1.0) but one core SNV moved its
# logit by 0.15 on average instead of 1.39 (far SNVs: 0.10 and 0.09), so the test would no longer have a
# clearly motif-driven model to score variants with.
_LEARNING = ["--param", "epochs=60", "--param", "learning_rate=0.005", "--param", "kernel_num=16",
             "--param", "kernel_len=10", "--param", "neuron_num=16", "--param", "batch_size=16",
             "--param", "patience_stopping=60", "--param", "dropout_conv=0.3", "--param", "position_bins=8"]


def _vcf(path, records, header=_HEADER):
    path.write_text(header + "".join("\t".join(map(str, record)) + "\t.\t.\t.\n" for record in records))
    return path


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """A run trained on 90 peaks with a planted ETS site (shuffled background), its genome, and a VCF.

    The VCF has, for every third site, one SNV in the motif core (GGAA, motif offset 4) and one 40 bases
    to the left of the motif, in the same peak window.
    """
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder = tmp_path_factory.mktemp("variants")
    genome = make_genome(folder, sizes={"chr1": 12000, "chr2": 10000, "chr3": 8000}, sites=30)
    run_dir = folder / "run"
    result = CliRunner().invoke(main, ["train", str(genome["bed"]), "--genome", str(genome["genome"]),
                                       "--background", "shuffle", "-o", str(run_dir), "--seed", "1", *_LEARNING])
    assert result.exit_code == 0, result.output
    records = []
    for number, (chrom, start) in enumerate(genome["sites"][::3]):
        for kind, position in (("core", start + 4), ("far", start - 40)):
            ref = genome["sequences"][chrom][position]
            records.append((chrom, position + 1, f"{kind}{number}", ref, _OTHER[ref]))
    vcf = _vcf(folder / "snvs.vcf", records, header="##fileformat=VCFv4.2\n" + _COLUMNS)
    return {"run": run_dir, "vcf": vcf, **genome}


def _table(path):
    with open(path) as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# -- reading the VCF ------------------------------------------------------------------------------------------

def test_read_snvs_keeps_snvs_and_counts_the_rest(tmp_path):
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    vcf = _vcf(tmp_path / "v.vcf", [
        ("chr1", 11, "rs1", sequence[10], _OTHER[sequence[10]]),
        ("chr1", 21, ".", sequence[20:22], sequence[20]),                                     # deletion
        ("chr1", 31, "rs3", sequence[30].lower(), f"{_OTHER[sequence[30]]},<DEL>,{sequence[30]}TT"),
        ("chr1", 41, "rs4", sequence[40], "."),                                                # no ALT allele
    ])
    with Genome(genome["genome"]) as opened:
        variants, counts = read_snvs(vcf, opened)
    assert variants == [Variant("chr1", 11, "rs1", sequence[10], _OTHER[sequence[10]], 4),
                        Variant("chr1", 31, "rs3", sequence[30], _OTHER[sequence[30]], 6)]
    assert (counts.snvs, counts.indels, counts.mismatches) == (2, 4, 0)
    packed = tmp_path / "v.vcf.gz"
    packed.write_bytes(gzip.compress(vcf.read_bytes()))
    with Genome(genome["genome"]) as opened:
        assert read_snvs(packed, opened)[0] == variants


def _two_snvs(folder):
    """A genome in ``folder``, two SNVs of its chr1 (their VCF columns to ALT) and a plain VCF of them."""
    genome = make_genome(folder)
    sequence = genome["sequences"]["chr1"]
    records = [("chr1", 11, "rs1", sequence[10], _OTHER[sequence[10]]), ("chr1", 31, "rs3", sequence[30],
                                                                         _OTHER[sequence[30]])]
    return genome, records, _vcf(folder / "plain.vcf", records)


def test_sample_columns_are_not_read(tmp_path, monkeypatch):
    """vcfpy parsed every genotype of every record (about 10 ms a record with 2,000 samples) that variants ignore."""
    import vcfpy

    genome, records, plain = _two_snvs(tmp_path)
    header = _HEADER.replace("#CHROM", '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">\n#CHROM')
    cohort = tmp_path / "cohort.vcf"
    cohort.write_text(header.rstrip("\n") + "\tFORMAT\ts1\ts2\ts3\r\n" + "".join(
        "\t".join(map(str, record)) + "\t.\t.\t.\tDP\t7\tnot-a-number\t9\r\n" for record in records))
    parsed = []
    original = vcfpy.Reader.from_stream

    def counting(stream, *args, **kwargs):
        reader = original(stream, *args, **kwargs)
        parsed.append(reader.header.samples.names)
        return reader

    monkeypatch.setattr(vcfpy.Reader, "from_stream", counting)
    with Genome(genome["genome"]) as opened:
        (found, counts), (expected, expected_counts) = read_snvs(cohort, opened), read_snvs(plain, opened)
    assert counts == expected_counts
    assert found == [replace(variant, line=variant.line + 1) for variant in expected]  # the ##FORMAT line
    assert parsed == [[], []]  # no sample reached vcfpy
    spaced = tmp_path / "spaced.vcf"  # a #CHROM line separated by spaces, which vcfpy reads with a warning
    spaced.write_text("##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1\n"
                      + "".join("\t".join(map(str, record)) + "\t.\t.\t.\tGT\t0|1\n" for record in records))
    with Genome(genome["genome"]) as opened:
        assert [(v.pos, v.alt) for v in read_snvs(spaced, opened)[0]] == [(v.pos, v.alt) for v in found]


def test_info_is_not_parsed(tmp_path, monkeypatch):
    """vcfpy parsed every INFO field of every record, which variants never read: an annotated VCF (150 fields a
    record) took twice the time of a plain one, and undeclared fields drew vcfpy's warnings."""
    import vcfpy.parser

    genome, records, plain = _two_snvs(tmp_path)
    header = _HEADER.replace("#CHROM", '##INFO=<ID=DP,Number=1,Type=Integer,Description="depth">\n#CHROM')
    annotated = tmp_path / "annotated.vcf"
    info = ";".join(["DP=not-a-number", *(f"ANN{field}={field}.5" for field in range(150)), "FLAG"])
    annotated.write_text(header + "".join("\t".join(map(str, record)) + f"\t.\tPASS\t{info}\n" for record in records)
                         + "\t".join(map(str, records[0])) + "\t.\t.\tDP=3\r\n")  # eight columns, a CRLF ending
    seen = []
    original = vcfpy.parser.RecordParser._parse_info

    def spying(self, info_str, *args, **kwargs):
        seen.append(info_str)
        return original(self, info_str, *args, **kwargs)

    monkeypatch.setattr(vcfpy.parser.RecordParser, "_parse_info", spying)
    with Genome(genome["genome"]) as opened:
        (found, counts), (expected, _) = read_snvs(annotated, opened), read_snvs(plain, opened)
    assert [(v.chrom, v.pos, v.id, v.ref, v.alt) for v in found] == \
        [(v.chrom, v.pos, v.id, v.ref, v.alt) for v in (*expected, expected[0])]
    assert counts.snvs == 3 and counts.duplicates == 1
    assert set(seen) <= {"."}


def test_reading_a_long_vcf_says_how_far_it_got(tmp_path, monkeypatch):
    """A VCF of a million lines took minutes to read without a word (30 s for 300,000 lines)."""
    from motifnet import _progress
    from motifnet.data import vcf

    said = []
    monkeypatch.setattr(_progress, "REPORT_SECONDS", 0.0)  # a line at every record
    monkeypatch.setattr(_progress.log, "info", lambda message, *args: said.append(message % args))
    genome, records, plain = _two_snvs(tmp_path)
    with Genome(genome["genome"]) as opened:
        assert len(vcf.read_snvs(plain, opened)[0]) == 2
    assert [line.split(" (")[0] for line in said] == [f"reading {plain}: {line} lines" for line in (4, 5)]


def test_contig_lengths_of_another_assembly_and_repeated_snvs_are_named(tmp_path, caplog, monkeypatch):
    """A VCF whose ##contig lengths are another assembly's, and repeated lines, were read without a word."""
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    snv = ("chr1", 11, "rs1", sequence[10], _OTHER[sequence[10]])
    header = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n##contig=<ID=chr2,length=5000>\n" \
             "##contig=<ID=chrUn,length=10>\n" + _COLUMNS
    vcf = _vcf(tmp_path / "v.vcf", [snv, snv, ("chr1", 11, "rs1b", sequence[10], sequence[10] + "A")], header=header)
    with Genome(genome["genome"]) as opened, caplog.at_level(logging.WARNING, logger="motifnet"):
        variants, counts = read_snvs(vcf, opened)
    assert len(variants) == 2 and counts.duplicates == 1
    assert set(caplog.messages) == {
        f"{vcf}: its header (##contig) gives 1 chromosome(s) another length than the genome "
        f"{genome['genome']} (chr1: 248956422 bases in the VCF, 6000 in the genome): were the variants called on "
        "another assembly?"}
    caplog.clear()
    with Genome(genome["genome"]) as opened, caplog.at_level(logging.WARNING, logger="motifnet"):
        assert read_snvs(_vcf(tmp_path / "w.vcf", [snv]), opened)[1].duplicates == 0
    assert not caplog.messages  # lengths that agree (chr1, 6000), one line each: nothing to say


def test_a_mismatching_ref_is_refused_or_skipped_and_counted(tmp_path):
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    wrong = _OTHER[sequence[99]]
    vcf = _vcf(tmp_path / "v.vcf", [("chr1", 11, ".", sequence[10], _OTHER[sequence[10]]),
                                    ("chr1", 100, "rsX", wrong, sequence[99])])
    with Genome(genome["genome"]) as opened:
        with pytest.raises(InputError, match=f"v.vcf, line 5: REF '{wrong}' at chr1:100 disagrees with the genome"):
            read_snvs(vcf, opened)
        variants, counts = read_snvs(vcf, opened, skip_mismatches=True)
    assert [variant.pos for variant in variants] == [11] and counts.mismatches == 1


def test_a_single_letter_ref_other_than_acgt_is_checked_against_the_genome(tmp_path):
    """REF 'N' where the genome has another letter is a REF mismatch (refused, or skipped and counted as one), not
    an allele of another kind; an IUPAC ALT is still skipped with the indels."""
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    letter = sequence[1499]
    vcf = _vcf(tmp_path / "v.vcf", [("chr1", 11, ".", sequence[10], _OTHER[sequence[10]]),
                                    ("chr1", 1500, "x", "N", _OTHER[letter]),
                                    ("chr1", 21, "iupac", sequence[20], "R")])
    with Genome(genome["genome"]) as opened:
        with pytest.raises(InputError) as error:
            read_snvs(vcf, opened)
        assert str(error.value) == (f"{vcf}, line 5: REF 'N' at chr1:1500 disagrees with the genome "
                                    f"{genome['genome']} ('{letter}'); pass --skip-mismatches to skip such variants")
        variants, counts = read_snvs(vcf, opened, skip_mismatches=True)
    assert [variant.pos for variant in variants] == [11]
    assert (counts.snvs, counts.indels, counts.mismatches) == (1, 1, 1)


def test_an_indels_ref_is_checked_against_the_genome_too(tmp_path):
    """An insertion or deletion whose REF the genome does not hold there was counted with the indels in silence:
    wrong coordinates or another assembly went unnoticed in a VCF of indels."""
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    wrong = sequence[199] + _OTHER[sequence[200]]
    vcf = _vcf(tmp_path / "v.vcf", [("chr1", 11, ".", sequence[10], _OTHER[sequence[10]]),
                                    ("chr1", 100, "ins", _OTHER[sequence[99]], _OTHER[sequence[99]] + "T"),
                                    ("chr1", 200, "del", wrong, sequence[199]),
                                    ("chr1", 300, "ok", sequence[299:302], sequence[299])])
    with Genome(genome["genome"]) as opened:
        with pytest.raises(InputError) as error:
            read_snvs(vcf, opened)
        assert str(error.value) == (f"{vcf}, line 5: REF '{_OTHER[sequence[99]]}' at chr1:100 disagrees with the "
                                    f"genome {genome['genome']} ('{sequence[99]}'); pass --skip-mismatches to skip "
                                    "such variants")
        variants, counts = read_snvs(vcf, opened, skip_mismatches=True)
    assert [variant.pos for variant in variants] == [11]
    assert (counts.snvs, counts.indels, counts.mismatches) == (1, 1, 2)


def test_a_ref_that_runs_past_the_chromosomes_end_is_named_so(tmp_path):
    """It was said to disagree with the genome's letters 'CN', an N the genome does not hold."""
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    end = len(sequence)
    vcf = _vcf(tmp_path / "v.vcf", [("chr1", end, ".", sequence[-1] + "A", sequence[-1])])
    with Genome(genome["genome"]) as opened, pytest.raises(InputError) as error:
        read_snvs(vcf, opened, skip_mismatches=True)
    assert str(error.value) == (f"{vcf}, line 4: REF '{sequence[-1]}A' at chr1:{end} runs past the end of chr1 ({end} "
                                f"bases in {genome['genome']}); were the variants called on another assembly?")


def test_blank_lines_do_not_end_the_vcf_and_lines_are_counted(tmp_path):
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    first = ("chr1", 11, "a", sequence[10], _OTHER[sequence[10]])
    second = ("chr1", 21, "b", sequence[20], _OTHER[sequence[20]])
    same = ("chr1", 31, "c", sequence[30], sequence[30])  # ALT = REF: no variant
    vcf = _vcf(tmp_path / "v.vcf", [first])
    vcf.write_text(vcf.read_text() + "\n\n" + _vcf(tmp_path / "w.vcf", [second, same], header="").read_text()
                   + "chr1 500 broken\n")
    with Genome(genome["genome"]) as opened:
        with pytest.raises(InputError) as error:
            read_snvs(vcf, opened)
        assert "v.vcf, line 9: not a valid VCF record" in str(error.value)
        assert "\n" not in str(error.value)
        vcf.write_text(vcf.read_text().replace("chr1 500 broken\n", ""))
        variants, counts = read_snvs(vcf, opened)
    assert [(variant.id, variant.line) for variant in variants] == [("a", 4), ("b", 7)]
    assert counts.indels == 1


def test_a_chromosome_named_without_chr_gets_a_hint(tmp_path):
    genome = make_genome(tmp_path)
    vcf = _vcf(tmp_path / "v.vcf", [("1", 11, ".", "A", "C")])
    with Genome(genome["genome"]) as opened:
        with pytest.raises(InputError, match="line 4: chromosome '1' .* names it 'chr1'"):
            read_snvs(vcf, opened)


def test_variants_table_columns():
    assert variant_columns(["peaks", "background"], "classification") == [
        "chrom", "pos", "id", "ref", "alt",
        "ref_peaks", "alt_peaks", "delta_peaks", "logit_delta_peaks",
        "ref_background", "alt_background", "delta_background", "logit_delta_background",
        "max_abs_delta", "p_value"]
    assert variant_columns(["y"], "regression") == ["chrom", "pos", "id", "ref", "alt", "ref_y", "alt_y", "delta_y",
                                                    "max_abs_delta", "p_value"]


# -- scoring with a model that learned the planted motif -------------------------------------------------------

@pytest.mark.slow
def test_snvs_breaking_the_motif_core_change_the_prediction_most(cli, learned, tmp_path):
    out = tmp_path / "out"
    result = cli("variants", learned["run"], "--vcf", learned["vcf"], "--genome", learned["genome"], "-o", out,
                 "--null", 19, "--seed", 3)
    assert result.exit_code == 0, result.output
    rows = _table(out / "variants.tsv")
    assert list(rows[0]) == variant_columns(["peaks", "background"], "classification")
    assert len(rows) == 60
    largest = [float(row["max_abs_delta"]) for row in rows]
    assert largest == sorted(largest, reverse=True)
    for row in rows:
        delta = float(row["alt_peaks"]) - float(row["ref_peaks"])
        assert abs(float(row["delta_peaks"]) - delta) < 1e-5
        assert abs(float(row["max_abs_delta"]) - max(abs(float(row["delta_peaks"])),
                                                     abs(float(row["delta_background"])))) < 1e-6
        assert 1 / 20 <= float(row["p_value"]) <= 1
        assert np.sign(float(row["logit_delta_peaks"])) == np.sign(float(row["delta_peaks"])) or delta == 0
    core = [abs(float(row["delta_peaks"])) for row in rows if row["id"].startswith("core")]
    far = [abs(float(row["delta_peaks"])) for row in rows if row["id"].startswith("far")]
    assert np.mean(core) > 5 * np.mean(far), (np.mean(core), np.mean(far))
    assert all(row["id"].startswith("core") for row in rows[:20]), [row["id"] for row in rows]
    p_core = [float(row["p_value"]) for row in rows if row["id"].startswith("core")]
    p_far = [float(row["p_value"]) for row in rows if row["id"].startswith("far")]
    assert np.median(p_core) < np.median(p_far)
    summary = json.loads((out / "variants.json").read_text())
    assert summary["snvs"] == 60 and summary["window_length"] == 200 and summary["offset"] == 100
    assert summary["logo_method"] == "integrated gradients, 50 steps, baseline: zeros"


@pytest.mark.slow
def test_ref_and_alt_are_the_predictions_of_the_windows_around_the_variant(cli, learned, tmp_path):
    chrom, start = learned["sites"][4]
    position = start + 5  # 0-based, in the motif
    sequence = learned["sequences"][chrom]
    alt = _OTHER[sequence[position]]
    vcf = _vcf(tmp_path / "one.vcf", [(chrom, position + 1, "v", sequence[position], alt)])
    out = tmp_path / "out"
    assert cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", out, "--null", 0,
               "--offset", 30).exit_code == 0
    row = _table(out / "variants.tsv")[0]
    assert row["p_value"] == ""
    window = sequence[position - 30:position - 30 + 200]
    fasta = write_fasta(tmp_path / "windows.fa", [("ref", window), ("alt", window[:30] + alt + window[31:])])
    result = cli("predict", learned["run"], fasta, "-o", tmp_path / "p.tsv")
    assert result.exit_code == 0, result.output
    predicted = {r["id"]: float(r["peaks"]) for r in _table(tmp_path / "p.tsv")}
    assert abs(float(row["ref_peaks"]) - predicted["ref"]) < 1e-5
    assert abs(float(row["alt_peaks"]) - predicted["alt"]) < 1e-5


# -- errors -----------------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("record", "fragment"), [
    (("chrQ", 10, ".", "A", "C"), "snvs.vcf, line 4: chromosome 'chrQ' is not in the genome"),
    (("chr3", 8001, ".", "A", "C"), "snvs.vcf, line 4: position 8001 lies outside chr3 (1 to 8000 in"),
    (("chr1", 1, "rs1", "{wrong}", "A"), "snvs.vcf, line 4: REF '{wrong}' at chr1:1 disagrees with the genome"),
])
def test_bad_variants_are_one_line_naming_file_line_and_value(cli, learned, tmp_path, record, fragment):
    wrong = _OTHER[learned["sequences"]["chr1"][0]]
    record = tuple(str(value).replace("{wrong}", wrong) for value in record)
    vcf = _vcf(tmp_path / "snvs.vcf", [record], header="##fileformat=VCFv4.2\n##source=test\n" + _COLUMNS)
    result = cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", tmp_path / "out")
    assert result.exit_code != 0
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit), result.output
    assert fragment.replace("{wrong}", wrong) in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "out" / "variants.tsv").exists()


@pytest.mark.slow
@pytest.mark.parametrize("kinds, reason", [
    (("indel",), "all skipped: indels, symbolic or other non-SNV alleles"),
    # It said "only indels, symbolic or other skipped alleles, or no records" of SNVs skipped for their REF.
    (("mismatch",), "all skipped: variants whose REF disagrees with the genome"),
    (("indel", "mismatch"), "all skipped: indels, symbolic or other non-SNV alleles and variants whose REF disagrees "
                            "with the genome"),
    ((), "no records"),
])
def test_a_vcf_with_nothing_to_score_says_why(cli, tiny, kinds, reason):
    sequence = tiny["sequence"]
    records = {"indel": ("chr1", 100, "ins", sequence[99], sequence[99] + "AC"),
               "mismatch": ("chr1", 200, "bad", _OTHER[sequence[199]], sequence[199])}
    vcf = _vcf(tiny["folder"] / "nothing.vcf", [records[kind] for kind in kinds])
    out = tiny["folder"] / f"out-{'-'.join(kinds)}"
    result = _variants(cli, tiny, vcf, out, "--skip-mismatches")
    assert result.exit_code == 0, result.output
    assert f"warning: {vcf} holds no SNV to score ({reason}); variants.tsv has its header only" in result.output
    assert len((out / "variants.tsv").read_text().splitlines()) == 1


def test_skip_mismatches_counts_what_it_skipped(cli, learned, tmp_path):
    sequence = learned["sequences"]["chr2"]
    records = [("chr2", 101, "bad", _OTHER[sequence[100]], sequence[100]),
               ("chr2", 201, "good", sequence[200], _OTHER[sequence[200]]),
               ("chr2", 301, "indel", sequence[300], sequence[300] + "A")]
    vcf = _vcf(tmp_path / "v.vcf", records, header="##fileformat=VCFv4.2\n" + _COLUMNS)
    out = tmp_path / "out"
    result = cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", out,
                 "--skip-mismatches", "--null", 5)
    assert result.exit_code == 0, result.output
    assert "skipped 1 variant(s) whose REF disagrees" in result.output
    assert [row["id"] for row in _table(out / "variants.tsv")] == ["good"]
    summary = json.loads((out / "variants.json").read_text())
    assert (summary["snvs"], summary["skipped_mismatches"], summary["skipped_indels"]) == (1, 1, 1)
    assert summary["repeated"] == 0 and summary["logo_method"].startswith("integrated gradients")
    # a repeated line is counted in variants.json too (stderr alone said it); --top 0 draws no logo and names no method
    vcf = _vcf(tmp_path / "v2.vcf", [*records, records[1]], header="##fileformat=VCFv4.2\n" + _COLUMNS)
    result = cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", tmp_path / "out2",
                 "--skip-mismatches", "--null", 5, "--top", 0)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out2" / "variants.json").read_text())
    assert (summary["snvs"], summary["repeated"], summary["logo_method"], summary["top"]) == (2, 1, None, [])


def test_windows_padded_past_a_chromosome_end_are_counted_and_named(cli, learned, tmp_path):
    """A SNV near a chromosome's end was scored on a window half of N without a word."""
    sequence = learned["sequences"]["chr2"]
    records = [("chr2", 2, "edge", sequence[1], _OTHER[sequence[1]]),
               ("chr2", 201, "inside", sequence[200], _OTHER[sequence[200]]),
               ("chr2", len(sequence), "last", sequence[-1], _OTHER[sequence[-1]])]
    vcf = _vcf(tmp_path / "v.vcf", records, header="##fileformat=VCFv4.2\n" + _COLUMNS)
    out = tmp_path / "out"
    result = cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", out, "--null", 5)
    assert result.exit_code == 0, result.output
    length = json.loads((out / "variants.json").read_text())["window_length"]
    assert (f"warning: {vcf}: the {length}-base windows of 2 SNV(s) reach past a chromosome's start or end and are "
            "padded with N there") in " ".join(result.stderr.split())
    assert json.loads((out / "variants.json").read_text())["padded_windows"] == 2
    assert sorted(row["id"] for row in _table(out / "variants.tsv")) == ["edge", "inside", "last"]  # all scored


# -- bad input, reruns and stops, with the tiny shared run (windows of 40) -------------------------------------

@pytest.fixture
def tiny(trained_run, tmp_path):
    """The shared tiny run, a genome whose chr1 matches :data:`_HEADER`, and a VCF of five SNVs on chr1."""
    genome = make_genome(tmp_path)
    sequence = genome["sequences"]["chr1"]
    snvs = [("chr1", position, f"v{position}", sequence[position - 1], _OTHER[sequence[position - 1]])
            for position in (100, 110, 120, 130, 140)]
    return {"run": trained_run[0], "genome": genome["genome"], "sequence": sequence, "snvs": snvs,
            "vcf": _vcf(tmp_path / "v.vcf", snvs), "folder": tmp_path}


def _variants(cli, tiny, vcf, out, *options, genome=None):
    return cli("variants", tiny["run"], "--vcf", vcf, "--genome", genome or tiny["genome"], "-o", out, "--null", 2,
               *options)


@pytest.mark.parametrize(("case", "fragment"), [
    ("ref", "bad.vcf, line 9: REF '{wrong}' at chr1:300 disagrees with the genome"),
    ("chrom", "bad.vcf, line 9: chromosome 'chrZ' is not in the genome"),
    ("malformed", "bad.vcf, line 9: not a valid VCF record"),
    ("empty", "--vcf {folder}/bad.vcf: an empty file; give a VCF with its header lines"),  # vcfpy's "Missing line"
    ("no_header", "--vcf {folder}/bad.vcf: not a readable VCF file"),
    # "give a VCF with its header lines" of a file that had them, but too few columns or a bad ##contig line
    ("five_columns", "--vcf {folder}/bad.vcf, line 2: the #CHROM line names 5 column(s) (#CHROM, POS, ID, REF, ALT); a "
                     "VCF has the eight #CHROM POS ID REF ALT QUAL FILTER INFO"),
    ("bad_contig", "--vcf {folder}/bad.vcf, line 2: a header line vcfpy cannot read (invalid literal for int() with "
                   "base 10: 'abc'): '##contig=<ID=chr1,length=abc>'; fix or remove that line"),
    ("utf16", "Error: {folder}/bad.vcf, line 1: NUL bytes: a UTF-16 file (as some Windows tools save text), or not "
              "text at all; save it as UTF-8 (or plain ASCII) text"),  # it said the file had no #CHROM line
    ("bcf", "Error: {folder}/bad.vcf: a BCF file (binary VCF), not text; convert it to a VCF first (bcftools view "
            "-Oz -o variants.vcf.gz FILE)"),  # it said "NUL bytes: a UTF-16 file"
    ("vcf_folder", "--vcf {folder}/a_folder: a folder, not a VCF file"),
    ("genome_folder", "Error: --genome {folder}/a_folder: a folder, not a FASTA file; give the genome's .fa (or bgzip "
                      ".fa.gz) file"),
    ("out_file", "-o {folder}/a_file: must be a folder, not a file; give a new or existing folder"),
    ("out_below_file", "-o {folder}/a_file/out: cannot be made, {folder}/a_file is a file"),
])
def test_bad_input_is_one_line_and_leaves_no_folder(cli, tiny, case, fragment):
    folder, sequence = tiny["folder"], tiny["sequence"]
    (folder / "a_file").write_text("the user's")
    (folder / "a_folder").mkdir()
    wrong = _OTHER[sequence[299]]
    last = {"ref": ("chr1", 300, "x", wrong, sequence[299]), "chrom": ("chrZ", 300, "x", "A", "C"),
            "malformed": ("chr1", "3x0", "x", "A", "C")}.get(case)
    vcf = _vcf(folder / "bad.vcf", [*tiny["snvs"], last] if last else tiny["snvs"])
    if case == "empty":
        vcf.write_text("\n\n")
    elif case == "no_header":
        vcf.write_text("chr1\t100\tv\tA\tC\t.\t.\t.\n")
    elif case == "five_columns":
        vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\nchr1\t100\tv\tA\tC\n")
    elif case == "utf16":
        vcf.write_bytes(vcf.read_text().encode("utf-16"))
    elif case == "bcf":  # as bcftools writes one: BGZF (read as gzip), magic, header length, header text
        header = b"##fileformat=VCFv4.2\n" + _COLUMNS.encode() + b"\x00"
        vcf.write_bytes(gzip.compress(b"BCF\x02\x02" + len(header).to_bytes(4, "little") + header))
    elif case == "bad_contig":
        vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=abc>\n" + _COLUMNS)
    vcf = folder / "a_folder" if case == "vcf_folder" else vcf
    out = {"out_file": folder / "a_file", "out_below_file": folder / "a_file" / "out"}.get(case, folder / "new" / "out")
    result = _variants(cli, tiny, vcf, out, genome=folder / "a_folder" if case == "genome_folder" else None)
    assert result.exit_code != 0
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit), result.output
    assert fragment.format(wrong=wrong, folder=folder) in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (folder / "new").exists()
    assert (folder / "a_file").read_text() == "the user's"


def test_a_genome_letter_the_model_lacks_is_named_by_its_place_in_the_genome_and_the_snv(cli, tiny):
    """It was 'variant window 1: sequence character 'X' at position 25 ...': neither the genome position nor the
    VCF line."""
    folder, sequence = tiny["folder"], tiny["sequence"]
    masked = sequence[:104] + "X" + sequence[105:]  # chr1:105, in the windows of the SNVs at 100 and 110
    write_fasta(folder / "x.fa", [("chr1", masked)], wrap=60)
    line = next(number for number, text in enumerate(tiny["vcf"].read_text().splitlines(), 1)
                if text.startswith("chr1\t100\t"))
    result = _variants(cli, tiny, tiny["vcf"], folder / "out", genome=folder / "x.fa")
    assert result.exit_code == 1 and not (folder / "out").exists(), result.output
    assert result.stderr.strip() == (
        f"Error: --genome {folder / 'x.fa'}: the letter 'X' at chr1:105, in the window of the SNV at chr1:100 (VCF "
        f"line {line}), is not in the model's dna alphabet (allowed: ACGTRYSWKMBDHVN); mask it as N in the genome, or "
        "leave that SNV out")


def test_an_offset_outside_the_models_window_is_refused_with_status_1_not_as_a_usage_error(cli, tiny):
    """The limit is the model's length, not the option's own range: exit 1, as other checks against the model."""
    out = tiny["folder"] / "offset_out"
    result = cli("variants", tiny["run"], "--vcf", tiny["vcf"], "--genome", tiny["genome"], "-o", out,
                 "--offset", 10_000)
    assert result.exit_code == 1 and "--offset must lie in the window, 0 to " in result.output
    assert "--help" not in result.output and not out.exists()


def test_a_null_above_its_limit_is_refused_in_one_line_before_any_work(cli, tiny, monkeypatch):
    import motifnet.workflows.variants as workflow
    from motifnet.errors import ParamError

    monkeypatch.setattr(workflow, "score_variants", lambda *args: pytest.fail("scored a --null above its limit"))
    out = tiny["folder"] / "out"
    result = cli("variants", tiny["run"], "--vcf", tiny["vcf"], "--genome", tiny["genome"], "-o", out,
                 "--null", 100_000_000_000)
    assert result.exit_code == 2  # a value outside the option's range: a usage error
    assert result.output == ("Error: --null must be at most 100,000, received: 100000000000 "
                             "(see 'main variants --help')\n")
    assert not out.exists()
    from motifnet.interpret.variants import MAX_NULL, VariantConfig

    assert MAX_NULL == 100_000 and VariantConfig(null=MAX_NULL).checked(40).null == MAX_NULL
    with pytest.raises(ParamError) as error:
        VariantConfig(null=MAX_NULL + 1).checked(40)
    assert str(error.value) == "--null must be at most 100,000, received: 100001"
    assert "(0: none; at most 100,000)" in " ".join(cli("variants", "--help").output.split())


def test_the_null_is_predicted_in_bounded_batches_with_progress_and_a_signal_stops_it(tiny, monkeypatch):
    """A large --null holds a bounded number of windows at a time, logs its progress, and the first SIGINT stops it
    before its next batch (it once built every window first: 9 GB, no progress, the signal unheeded)."""
    import logging
    import signal

    import motifnet._progress
    import motifnet.interpret.outputs as outputs
    import motifnet.interpret.variants as interpret
    from motifnet._signals import StopRequested, stop_on_signals
    from motifnet.run.rundir import open_run

    run = open_run(tiny["run"])
    length = run.dataset_encoder.length
    monkeypatch.setattr(interpret, "_NULL_BASES_PER_CALL", 100 * length, raising=False)  # 100 windows a call
    monkeypatch.setattr(motifnet._progress, "REPORT_SECONDS", 0.0)  # a progress line after every batch
    predict_encoded, predicted = interpret.predict_encoded, []

    def counting(model, encoder, arrays, batch_size):
        predicted.append(len(arrays["codes"]))
        values = predict_encoded(model, encoder, arrays, batch_size)
        if len(predicted) == 2:
            signal.raise_signal(signal.SIGINT)  # the first Ctrl-C, while the first batch of the null is predicted
        return values

    monkeypatch.setattr(interpret, "predict_encoded", counting)
    monkeypatch.setattr(outputs, "predict_encoded", counting)  # the reference and alternative windows' path
    lines = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("motifnet")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with Genome(tiny["genome"]) as genome, stop_on_signals(), pytest.raises(StopRequested):
            variants, _ = read_snvs(tiny["vcf"], genome)
            interpret.score_variants(run.model, run.dataset_encoder, genome, variants[:1],
                                     interpret.VariantConfig(null=100_000, batch_size=64))  # the most
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert predicted == [2, 100]  # the reference and alternative windows, then one batch of the null
    progress = [line.split(" (")[0] for line in lines if line.startswith("scoring SNVs")]
    assert progress == ["scoring SNVs: 2 of 100,002 windows", "scoring SNVs: 102 of 100,002 windows"]


def test_null_windows_do_not_depend_on_how_they_are_batched():
    from motifnet.interpret.variants import _null_batches, _null_windows

    refs = [b"ACGTNACGTA", b"GGGCCCAAAT"]
    whole = np.concatenate([_null_windows(ref, 30, np.random.default_rng((5, row))) for row, ref in enumerate(refs)])
    rows, windows = zip(*_null_batches(refs, [np.random.default_rng((5, row)) for row in range(2)], 30, 7))
    assert [len(batch) for batch in rows] == [7] * 8 + [4]
    assert np.array_equal(np.concatenate(windows), whole)
    assert np.array_equal(np.concatenate(rows), np.repeat([0, 1], 30))
    # Each null window is its reference with one A, C, G or T changed to another of them (never the N).
    changed = whole != np.frombuffer(b"".join(refs), dtype=np.uint8).reshape(2, -1)[np.repeat([0, 1], 30)]
    assert (changed.sum(axis=1) == 1).all() and not changed[:30, 4].any()
    assert np.isin(whole[changed], list(b"ACGT")).all()


def test_genome_is_a_required_option():
    from click.testing import CliRunner

    from motifnet.cli.main import main

    runner = CliRunner()
    assert "--genome FILE.fa Genome FASTA (plain or bgzip, indexed) the VCF's coordinates refer to. [required]" in \
        " ".join(runner.invoke(main, ["variants", "--help"]).output.split())
    result = runner.invoke(main, ["variants", "run", "--vcf", "v.vcf", "-o", "out"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["Error: Missing option '--genome'. (see 'main variants --help')"]


def test_the_python_api_refuses_an_output_that_is_a_file_before_any_work(tiny, monkeypatch):
    import motifnet.workflows.variants as workflow
    from motifnet.errors import ParamError
    from motifnet.interpret.variants import VariantConfig
    from motifnet.run.rundir import open_run

    monkeypatch.setattr(workflow, "score_variants", lambda *args: pytest.fail("scored before checking -o"))
    (tiny["folder"] / "a_file").write_text("the user's")
    with pytest.raises(ParamError, match="a_file: must be a folder, not a file"):
        workflow.variants_to_folder(open_run(tiny["run"]), tiny["vcf"], tiny["genome"], tiny["folder"] / "a_file",
                                    VariantConfig(null=0))


def test_a_folder_another_run_holds_is_refused_before_the_vcf_is_scored(tiny, monkeypatch):
    """Two jobs writing one -o: the second scored every SNV (hours with --null) and was refused only then."""
    import motifnet.workflows.variants as workflow
    from motifnet.errors import RunDirError
    from motifnet.interpret.variants import VariantConfig
    from motifnet.run.lock import acquire
    from motifnet.run.rundir import open_run

    monkeypatch.setattr(workflow, "score_variants", lambda *args, **kwargs: pytest.fail("scored a held folder"))
    out = tiny["folder"] / "held"
    with acquire(out, "variants"), pytest.raises(RunDirError, match="in use by motifnet variants"):
        workflow.variants_to_folder(open_run(tiny["run"]), tiny["vcf"], tiny["genome"], out, VariantConfig(null=0))


def test_a_rerun_replaces_the_earlier_results_and_keeps_the_users_files(cli, tiny):
    out = tiny["folder"] / "out"
    assert _variants(cli, tiny, tiny["vcf"], out, "--top", 5).exit_code == 0
    (out / "notes.txt").write_text("the user's")
    packed = tiny["folder"] / "one.vcf.gz"
    packed.write_bytes(gzip.compress(_vcf(tiny["folder"] / "one.vcf", tiny["snvs"][2:3]).read_bytes()))
    result = _variants(cli, tiny, packed, out, "--top", 5)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "variants.json").read_text())
    assert [row["id"] for row in _table(out / "variants.tsv")] == ["v120"] and summary["snvs"] == 1
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["notes.txt", "variants.json", "variants.tsv", summary["top"][0]["image"]])
    assert (out / "notes.txt").read_text() == "the user's"


def _first_logo_name(cli, tiny) -> str:
    """The name of the logo that ``variants --top 1`` draws for the tiny VCF."""
    assert _variants(cli, tiny, tiny["vcf"], tiny["folder"] / "scratch", "--top", 1).exit_code == 0
    return json.loads((tiny["folder"] / "scratch" / "variants.json").read_text())["top"][0]["image"]


def _refused_as_the_users(result, out, name: str, reason: str) -> None:
    """``reason`` ends with the separator before the advice ("; " or ": ")."""
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: -o {out}: holds {name}, which {reason}choose another folder, or move {name} away")
    assert (out / name).read_text() == "the user's"


@pytest.mark.parametrize("name", ["variants.tsv", "variants.json", "LOGO"])
def test_a_folder_with_a_users_file_of_an_output_name_and_no_summary_is_refused(cli, tiny, name):
    """variants replaced a user's variants.tsv, variants.json or a logo's namesake in OUT_DIR with exit 0 (scan,
    attribute and motifs refused such a folder); the logos' names are known only after the work."""
    name = _first_logo_name(cli, tiny) if name == "LOGO" else name
    out = tiny["folder"] / "mine"
    out.mkdir()
    (out / name).write_text("the user's")
    result = _variants(cli, tiny, tiny["vcf"], out, "--top", 1)
    _refused_as_the_users(result, out, name,
                          "this variants run writes, but no variants.json of motifnet's; nothing was written: ")
    assert [path.name for path in out.iterdir()] == [name]


def test_a_logos_namesake_that_the_earlier_run_did_not_draw_is_refused_not_replaced(cli, tiny):
    name = _first_logo_name(cli, tiny)
    out = tiny["folder"] / "out"
    assert _variants(cli, tiny, tiny["vcf"], out, "--top", 0).exit_code == 0
    (out / name).write_text("the user's")
    result = _variants(cli, tiny, tiny["vcf"], out, "--top", 1)
    _refused_as_the_users(result, out, name, "this variants run writes, but the variants.json there does not list it "
                                             "as its run's; nothing was written: ")


@pytest.mark.parametrize("stage", ["predict_encoded", "attribute"])
def test_a_stop_keeps_the_earlier_results_whole_and_makes_no_folder(cli, tiny, monkeypatch, stage):
    """A stop while scoring, or while computing the logos, writes nothing: an earlier run's files stay as they were
    (its variants.json still matches its logos), and a folder the command would have made is not left behind."""
    import shutil

    import motifnet.interpret.variants as interpret
    from motifnet._signals import request_stop
    from motifnet.workflows._variant_checkpoint import RESUME_FOLDER

    out = tiny["folder"] / "out"
    assert _variants(cli, tiny, tiny["vcf"], out, "--top", 5).exit_code == 0
    (out / "notes.txt").write_text("the user's")
    before = folder_digest(out)
    original = getattr(interpret, stage)

    def stopping(*args, **kwargs):
        request_stop()  # as the first SIGINT does; the next safe point stops
        return original(*args, **kwargs)

    monkeypatch.setattr(interpret, stage, stopping)
    sequence = tiny["sequence"]
    # 70 SNVs, with their null substitutions: a stop asked during a prediction is honoured at the next.
    snvs = [("chr1", position, ".", sequence[position - 1], _OTHER[sequence[position - 1]])
            for position in range(1000, 1700, 10)]
    other = _vcf(tiny["folder"] / "other.vcf", snvs)
    for folder in (out, tiny["folder"] / "new" / "out"):
        result = _variants(cli, tiny, other, folder, "--top", 5)
        assert result.exit_code != 0 and "stopped by a signal" in result.output, result.output
    kept = RESUME_FOLDER if stage == "attribute" else None  # all 70 scored before the logos: their scores are kept
    assert "kept the scores of 70 of 70 SNV(s)" in result.output if kept else "kept the scores" not in result.output
    shutil.rmtree(out / RESUME_FOLDER, ignore_errors=True)
    assert folder_digest(out) == before
    made = tiny["folder"] / "new"
    assert sorted(path.name for path in (made / "out").iterdir()) == [kept] if kept else not made.exists()


def test_a_failed_write_keeps_the_earlier_results_and_leaves_no_folder_it_made(cli, tiny, monkeypatch):
    import errno

    import motifnet.plot.figures

    out = tiny["folder"] / "out"
    assert _variants(cli, tiny, tiny["vcf"], out, "--top", 2).exit_code == 0
    before = folder_digest(out)

    def full_disk(figure, path):
        import matplotlib.pyplot as plt

        plt.close(figure)  # as save_figure does, saved or not
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(motifnet.plot.figures, "save_figure", full_disk)
    other = _vcf(tiny["folder"] / "other.vcf", tiny["snvs"][3:])
    for folder in (out, tiny["folder"] / "new" / "out"):
        result = _variants(cli, tiny, other, folder, "--top", 2)
        assert result.exit_code != 0 and "No space left on device" in result.output, result.output
        assert "Traceback" not in result.output
    assert folder_digest(out) == before
    assert not (tiny["folder"] / "new").exists()


# -- logos of the top variants and the report section ------------------------------------------------------------

@pytest.mark.slow
def test_top_variants_get_logos_and_a_report_section(cli, learned, tmp_path):
    report = tmp_path / "report"
    assert cli("visualize-kernels", learned["run"], "-o", report).exit_code == 0
    out = report / "variants"
    result = cli("variants", learned["run"], "--vcf", learned["vcf"], "--genome", learned["genome"], "-o", out,
                 "--null", 5, "--top", 3)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "variants.json").read_text())
    rows = _table(out / "variants.tsv")[:3]
    assert [(entry["rank"], entry["chrom"], str(entry["pos"]), entry["id"]) for entry in summary["top"]] == [
        (rank, row["chrom"], row["pos"], row["id"]) for rank, row in enumerate(rows, start=1)]
    for entry, row in zip(summary["top"], rows):
        assert entry["target"] in ("peaks", "background")
        assert abs(entry["delta"] - float(row[f"delta_{entry['target']}"])) < 1e-5
        assert abs(entry["delta"]) == pytest.approx(float(row["max_abs_delta"]), abs=1e-5)
        variant = f"{entry['chrom']}-{entry['pos']}-{entry['ref']}-{entry['alt']}"
        assert entry["image"] == f"variant_{entry['rank']}_{variant}.png"
        assert (out / entry["image"]).stat().st_size > 1000
    page = (report / "summary.html").read_text()
    assert 'id="variants' in page and "Variant effects" in page
    assert "<dt>class background</dt><dd>90 shuffled copies of the inputs, each keeping its 2-mer counts" in page
    assert all(f'src="variants/{entry["image"]}"' in page for entry in summary["top"])
    # A second call with fewer logos leaves no stale figure behind, and a figure the user named like one stays.
    mine = out / "variant_9_chr1-100-A-C.png"
    mine.write_bytes(b"the user's own figure")
    assert cli("variants", learned["run"], "--vcf", learned["vcf"], "--genome", learned["genome"], "-o", out,
               "--null", 0, "--top", 1).exit_code == 0
    assert sorted(path.name for path in out.glob("*.png")) == sorted([summary["top"][0]["image"], mine.name])
    assert mine.read_bytes() == b"the user's own figure"


def test_variant_logos_are_drawn_on_one_scale_with_the_variant_shaded():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from motifnet.plot.variants import plot_variant_logos

    ref = np.zeros((5, 4))
    ref[2, 2] = 1.0  # G at the variant supports the output
    alt = np.zeros((5, 4))
    alt[2, 1] = -0.5  # C opposes it
    axes = plot_variant_logos(ref, alt, "ACGT", 101, 103, ("ref", "alt"))
    try:
        assert len(axes) == 2 and axes[0].get_ylim() == axes[1].get_ylim()
        low, high = axes[0].get_ylim()
        assert low < -0.5 and high > 1.0
        assert [ax.get_xlim() for ax in axes] == [(100.5, 105.5)] * 2
        shaded = [patch for patch in axes[1].patches if isinstance(patch, Rectangle)]
        assert len(shaded) == 1
        assert (shaded[0].get_x(), shaded[0].get_width()) == (pytest.approx(102.5), pytest.approx(1.0))
        assert [ax.get_title(loc="left") for ax in axes] == ["ref", "alt"]
    finally:
        plt.close(axes[0].figure)
    # near a chromosome's start the window is padded with N: those columns were labelled -10 to 0
    axes = plot_variant_logos(np.zeros((25, 4)), np.zeros((25, 4)), "ACGT", -10, 3, ("ref", "alt"))
    try:
        ticks = axes[-1].get_xticks()
        assert len(ticks) and min(ticks) >= 1 and axes[-1].get_xlim() == (-10.5, 14.5)
    finally:
        plt.close(axes[0].figure)
    # at a chromosome's end likewise (positions 200,005 to 200,020 of a 200,000-base chromosome were labelled),
    # and large positions are written whole (they were "5 ... 40" with "+1.999e5" in the axis' corner)
    axes = plot_variant_logos(np.zeros((41, 4)), np.zeros((41, 4)), "ACGT", 199_980, 200_000, ("ref", "alt"),
                              chrom_length=200_000)
    try:
        axes[0].figure.canvas.draw()
        ticks = axes[-1].get_xticks()
        assert len(ticks) >= 2 and max(ticks) <= 200_000
        labels = [label.get_text() for label in axes[-1].get_xticklabels()]
        assert labels == [f"{tick:.0f}" for tick in ticks] and "200000" in labels
        assert axes[-1].xaxis.get_offset_text().get_text() == ""
    finally:
        plt.close(axes[0].figure)
    # a window of 4 positions got ticks at half positions, written 150120, 150120, 150121...
    axes = plot_variant_logos(np.zeros((4, 4)), np.zeros((4, 4)), "ACGT", 150_120, 150_121, ("ref", "alt"))
    try:
        axes[0].figure.canvas.draw()
        ticks = axes[-1].get_xticks()
        assert len(ticks) and all(tick == int(tick) for tick in ticks)
        labels = [label.get_text() for label in axes[-1].get_xticklabels()]
        assert len(set(labels)) == len(labels)
    finally:
        plt.close(axes[0].figure)
    # attributions of rounding error alone (1e-11) were drawn on their own scale, as if they were data
    noise = np.full((5, 4), 3e-11)
    axes = plot_variant_logos(noise, -noise, "ACGT", 101, 103, ("ref", "alt"))
    try:
        assert [ax.get_ylim() for ax in axes] == [(-1, 1)] * 2
        assert all(ax.texts[-1].get_text().startswith("no attribution") for ax in axes)
    finally:
        plt.close(axes[0].figure)


def test_null_windows_for_a_seed_are_those_of_earlier_versions():
    # Pinned from motifnet before the null was batched: the same seed gives the same p-values.
    from motifnet.interpret.variants import _null_windows

    windows = _null_windows(b"ACGTNACGTA", 4, np.random.default_rng((5, 0)))
    assert [bytes(row).decode() for row in windows] == ["ACGTNACTTA", "TCGTNACGTA", "ACGTNGCGTA", "ACGTNAAGTA"]


@pytest.mark.parametrize("name", ["variants.tsv", "variant_01_chr1-5-A-C.png"])
def test_a_vcf_named_like_an_output_in_out_dir_is_refused_before_any_work(cli, learned, tmp_path, name):
    # A VCF named like a logo was deleted as a stale logo of an earlier run.
    out = tmp_path / "out"
    out.mkdir()
    vcf = _vcf(out / name, [("chr1", 5, "v", learned["sequences"]["chr1"][4], "C")],
               header="##fileformat=VCFv4.2\n" + _COLUMNS)
    before = vcf.read_bytes()
    result = cli("variants", learned["run"], "--vcf", vcf, "--genome", learned["genome"], "-o", out)
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: --vcf {vcf}: motifnet variants writes this file in {out}, which would replace it; copy it "
        "elsewhere or choose another -o folder")
    assert vcf.read_bytes() == before and sorted(out.iterdir()) == [vcf]


def test_logit_deltas_of_a_confident_model_are_its_log_odds_not_clipped_probabilities(tiny):
    """logit_delta came from float32 probabilities clipped to [1e-7, 1 - 1e-7]: where the top class rounds to 1,
    two windows of very different log-odds had a delta near 0, and the classes' deltas were not mirror images."""
    import keras

    import motifnet.interpret.variants as interpret
    from motifnet.run.rundir import open_run

    run = open_run(tiny["run"])
    output = run.model.get_layer("output")
    kernel, bias = output.get_weights()
    output.set_weights([kernel * 1000, bias * 1000])  # the same model, 1000 times as sure: probabilities of 0 and 1
    with Genome(tiny["genome"]) as genome:
        variants, _ = read_snvs(tiny["vcf"], genome)
        effects = interpret.score_variants(run.model, run.dataset_encoder, genome, variants,
                                           interpret.VariantConfig(null=0))
        windows = [window for variant in variants for window in
                   interpret.variant_windows(genome, variant, run.dataset_encoder.length,
                                             run.dataset_encoder.length // 2)]
    hidden = keras.Model(run.model.inputs, output.input).predict(
        run.dataset_encoder.one_hot(interpret._encode(run.dataset_encoder, windows)["codes"]), verbose=0)
    z = hidden.astype(np.float64) @ (kernel * 1000).astype(np.float64) + (bias * 1000).astype(np.float64)
    margin = (z[:, 0] - z[:, 1]).reshape(len(variants), 2)  # log-odds of class 0 in the ref and alt windows
    assert np.abs(margin).min() > 50  # saturated: float32 probabilities are 0 and 1
    assert effects.logit_delta[:, 0] == pytest.approx(margin[:, 1] - margin[:, 0], rel=1e-4, abs=1e-3)
    assert effects.logit_delta[:, 1] == pytest.approx(-effects.logit_delta[:, 0])


def test_a_variants_p_value_does_not_depend_on_its_place_in_the_vcf(tiny):
    """The null substitutions were seeded by the variant's row: sorting or splitting the VCF changed p-values."""
    import motifnet.interpret.variants as interpret
    from motifnet.run.rundir import open_run

    run = open_run(tiny["run"])
    config = interpret.VariantConfig(null=30, seed=4)
    with Genome(tiny["genome"]) as genome:
        variants, _ = read_snvs(tiny["vcf"], genome)
        forward = interpret.score_variants(run.model, run.dataset_encoder, genome, variants, config)
        backward = interpret.score_variants(run.model, run.dataset_encoder, genome, variants[::-1], config)
        alone = interpret.score_variants(run.model, run.dataset_encoder, genome, variants[2:3], config)
    assert backward.p_values[::-1].tolist() == forward.p_values.tolist()
    assert alone.p_values.tolist() == forward.p_values[2:3].tolist()
    assert len(set(forward.p_values.tolist())) > 1


def test_the_vcf_may_come_from_a_pipe_or_standard_input(tiny, cli, tmp_path, monkeypatch):
    """--vcf <(bcftools view ...) said 'no such file' (a pipe is no regular file), and '-' was not read."""
    import os
    import threading

    pipe = tmp_path / "pipe.vcf"
    os.mkfifo(pipe)
    text = tiny["vcf"].read_bytes()

    def feed():
        with open(pipe, "wb") as handle:
            handle.write(gzip.compress(text))

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    with Genome(tiny["genome"]) as genome:
        from_pipe, _ = read_snvs(pipe, genome)
        from_file, _ = read_snvs(tiny["vcf"], genome)
    thread.join(5)
    assert from_pipe == from_file and len(from_file) == 5
    out = tmp_path / "out"
    (tmp_path / "-").mkdir()  # a folder named '-' where the command runs: '-' is standard input all the same
    monkeypatch.chdir(tmp_path)
    result = cli("variants", tiny["run"], "--vcf", "-", "--genome", tiny["genome"], "-o", out, "--null", 0,
                 "--top", 0, input=text)
    assert result.exit_code == 0, result.stderr
    assert len(_table(out / "variants.tsv")) == 5


def test_the_table_computes_each_effect_array_once_not_once_per_row():
    """variants_table read effects.max_abs_delta (a property over every SNV) for each row: quadratic, 124 s silent
    for 50,000 SNVs, and no stop heeded while it ran."""
    import motifnet.workflows.variants as workflow
    from motifnet.data.vcf import Variant
    from motifnet.interpret.variants import VariantEffects

    rng = np.random.default_rng(0)
    n = 300
    ref, alt = rng.random((n, 2)), rng.random((n, 2))
    calls = []

    class Counting(VariantEffects):
        @property
        def max_abs_delta(self):
            calls.append("max_abs_delta")
            return super().max_abs_delta

        @property
        def delta(self):
            calls.append("delta")
            return super().delta

    effects = Counting(ref, alt, np.full(n, 0.5), ref * 3, alt * 3)
    variants = [Variant("chr1", 10 + row, f"v{row}", "A", "C", row + 1) for row in range(n)]
    table = workflow.variants_table(variants, effects, ["a", "b"], "classification")
    rows = [line.split("\t") for line in table.splitlines()[1:]]
    assert len(rows) == n and len(calls) <= 10, calls  # a few, whatever the number of rows (it was 2 per row)
    largest = np.abs(alt - ref).max(axis=1)
    assert [float(row[-2]) for row in rows] == pytest.approx(np.sort(largest)[::-1], rel=1e-5)


def test_regression_values_on_a_large_scale_are_written_apart():
    """6 significant digits wrote 1000012.31 and 1000013.13 both as 1.00001e+06 (as predict did)."""
    import motifnet.workflows.variants as workflow
    from motifnet.data.vcf import Variant
    from motifnet.interpret.variants import VariantEffects

    ref = np.array([[1000012.31], [1000009.94]], dtype=np.float32)
    alt = np.array([[1000013.13], [1000009.94]], dtype=np.float32)
    effects = VariantEffects(ref, alt, np.full(2, np.nan), scale=np.ones(1))
    variants = [Variant("chr1", 10 + row, f"v{row}", "A", "C", row + 1) for row in range(2)]
    rows = [line.split("\t") for line in workflow.variants_table(variants, effects, ["y"], "regression").splitlines()]
    assert rows[1][5:8] == ["1000012.31", "1000013.12", "0.8125"]  # float32's own values and their difference
    assert rows[2][5:8] == ["1000009.94", "1000009.94", "0"]


def test_reference_and_alternative_windows_are_predicted_in_large_calls(tiny, monkeypatch):
    """64 SNVs per forward pass made scoring 17 times slower than predict: 70 SNVs are now one call, as many as a
    --batch-size of 1 predicts them."""
    import motifnet.interpret.outputs as outputs
    import motifnet.interpret.variants as interpret
    from motifnet.run.rundir import open_run

    run, sequence = open_run(tiny["run"]), tiny["sequence"]
    snvs = [("chr1", position, ".", sequence[position - 1], _OTHER[sequence[position - 1]])
            for position in range(1000, 1700, 10)]
    vcf = _vcf(tiny["folder"] / "seventy.vcf", snvs)
    predict_encoded, calls = outputs.predict_encoded, []

    def counting(model, encoder, arrays, batch_size):
        calls.append(len(arrays["codes"]))
        return predict_encoded(model, encoder, arrays, batch_size)

    monkeypatch.setattr(outputs, "predict_encoded", counting)
    with Genome(tiny["genome"]) as genome:
        variants, _ = read_snvs(vcf, genome)
        scored = [interpret.score_variants(run.model, run.dataset_encoder, genome, variants,
                                           interpret.VariantConfig(null=0, batch_size=batch_size))
                  for batch_size in (64, 1)]
    assert calls == [140, 140]
    assert scored[1].alt == pytest.approx(scored[0].alt, abs=1e-6)
    assert scored[1].logit_delta == pytest.approx(scored[0].logit_delta, abs=1e-5)


def test_targets_of_different_sizes_are_compared_in_their_own_units(tiny):
    """A regression model's largest |delta| and p-values took the targets in raw units: a target of large values
    decided them alone. With ``scale`` (the targets' SDs), a target and its unit scaled together change nothing."""
    import keras

    import motifnet.interpret.variants as interpret
    from motifnet.run.rundir import open_run

    run = open_run(tiny["run"])
    hidden = run.model.get_layer("output").input
    weights = np.random.default_rng(3).normal(size=(int(hidden.shape[-1]), 2)).astype(np.float32)

    def two_targets(factor):
        layer = keras.layers.Dense(2, activation="linear", name="output")
        model = keras.Model(run.model.inputs, layer(hidden))
        layer.set_weights([weights * np.array([1, factor], np.float32), np.zeros(2, np.float32)])
        return model

    config = interpret.VariantConfig(null=30, seed=4)
    with Genome(tiny["genome"]) as genome:
        variants, _ = read_snvs(tiny["vcf"], genome)
        unit = interpret.score_variants(two_targets(1), run.dataset_encoder, genome, variants, config)
        large = interpret.score_variants(two_targets(1000), run.dataset_encoder, genome, variants, config)
        scaled = interpret.score_variants(two_targets(1000), run.dataset_encoder, genome, variants, config,
                                          scale=[1, 1000])
    assert scaled.p_values.tolist() == unit.p_values.tolist()
    assert scaled.max_abs_delta == pytest.approx(unit.max_abs_delta, rel=1e-5)
    assert scaled.delta[:, 1] == pytest.approx(1000 * unit.delta[:, 1], rel=1e-4)  # the values stay the model's
    # the test tells: in raw units the large target alone decides, and the first target's changes are lost
    assert large.max_abs_delta == pytest.approx(np.abs(large.delta[:, 1]))
    assert (np.abs(unit.delta[:, 0]) > np.abs(unit.delta[:, 1])).any()
    assert large.p_values.tolist() != unit.p_values.tolist()


def test_the_logo_of_a_two_class_variant_explains_the_first_class_whatever_the_float32_noise():
    """Rank 1 explained 'peaks' and rank 2 'background': the two softmax deltas differ in the 7th digit only."""
    from motifnet.workflows.variants import largest_change

    deltas = np.array([[0.0983738, -0.09837383078], [-0.0983738, 0.09837383078], [0.1, -0.3], [0.0, 0.0],
                       [np.nan, 0.2], [np.nan, np.nan]])
    assert largest_change(deltas).tolist() == [0, 0, 1, 0, 1, 0]


# -- a stopped or killed run continues --------------------------------------------------------------------------

def _seventy_snvs(tiny, name="seventy.vcf", positions=range(1000, 1700, 10)):
    sequence = tiny["sequence"]
    return _vcf(tiny["folder"] / name, [("chr1", position, f"s{position}", sequence[position - 1],
                                        _OTHER[sequence[position - 1]]) for position in positions])


def _small_chunks(monkeypatch, tiny, per_chunk=4, null=2):
    """Chunks of ``per_chunk`` SNVs (with ``--null`` ``null``), and a count of the windows each run predicts."""
    import motifnet.interpret.outputs as outputs
    import motifnet.interpret.variants as interpret
    from motifnet.run.rundir import open_run

    length = open_run(tiny["run"]).dataset_encoder.length
    monkeypatch.setattr(interpret, "_CHUNK_BASES", per_chunk * (2 + null) * length)
    predicted, original = [], interpret.predict_encoded

    def counting(model, encoder, arrays, batch_size):
        predicted.append(len(arrays["codes"]))
        return original(model, encoder, arrays, batch_size)

    monkeypatch.setattr(interpret, "predict_encoded", counting)
    monkeypatch.setattr(outputs, "predict_encoded", counting)
    return predicted


def test_a_stopped_run_keeps_its_scores_and_the_same_command_continues_to_the_same_table(cli, tiny, monkeypatch):
    """A stop (a batch system's SIGTERM) threw away every SNV scored, hours of work with a large --null; the scores
    of the chunks done are kept in OUT_DIR and the same command scores only the rest, to the same table."""
    import motifnet.interpret.variants as interpret
    from motifnet._signals import request_stop
    from motifnet.workflows._variant_checkpoint import KEY_FILE, RESUME_FOLDER

    predicted = _small_chunks(monkeypatch, tiny)
    vcf = _seventy_snvs(tiny)
    whole = tiny["folder"] / "whole"
    assert _variants(cli, tiny, vcf, whole, "--top", 2).exit_code == 0
    assert sum(predicted) == 70 * 4 and not (whole / RESUME_FOLDER).exists()  # ref, alt and 2 null windows each
    counting = interpret.predict_encoded

    def stopping(model, encoder, arrays, batch_size):
        if len(predicted) == 9:  # in the 5th chunk: 4 chunks (16 SNVs) scored
            request_stop()
        return counting(model, encoder, arrays, batch_size)

    monkeypatch.setattr(interpret, "predict_encoded", stopping)
    out = tiny["folder"] / "new" / "out"
    predicted.clear()
    result = _variants(cli, tiny, vcf, out, "--top", 2)
    assert result.exit_code != 0 and "stopped by a signal" in result.output, result.output
    kept = out / RESUME_FOLDER
    assert sorted(path.name for path in out.iterdir()) == [RESUME_FOLDER]  # no variants.tsv: no partial table
    assert sorted(path.name for path in kept.iterdir()) == [KEY_FILE, "rows-000000000000.npz"]
    assert f"kept the scores of 16 of 70 SNV(s) in {kept}: the same command continues from them" in result.output
    monkeypatch.setattr(interpret, "predict_encoded", counting)
    predicted.clear()
    result = _variants(cli, tiny, vcf, out, "--top", 2)
    assert result.exit_code == 0
    assert f"{kept}: the scores of 16 SNV(s) kept by an earlier run that stopped" in result.output
    assert f"took the scores of 16 SNV(s) from {kept}" in result.output
    # the rest alone, and the logos' attributions (not predict_encoded)
    assert sum(predicted) == (70 - 16) * 4
    assert (out / "variants.tsv").read_bytes() == (whole / "variants.tsv").read_bytes()
    assert sorted(path.name for path in out.iterdir()) == sorted(path.name for path in whole.iterdir())


def test_scores_kept_by_a_killed_run_are_taken_only_for_the_same_model_options_snvs_and_windows(cli, tiny,
                                                                                              monkeypatch):
    """A run killed outright keeps what it saved (every SAVE_SECONDS); a rerun takes only chunks of the same SNVs
    and windows, under the same model and options: another seed, another VCF or another genome is scored anew,
    each to the table of an uninterrupted run."""
    import errno

    import motifnet.interpret.variants as interpret
    import motifnet.workflows._variant_checkpoint as checkpoint

    predicted = _small_chunks(monkeypatch, tiny)
    monkeypatch.setattr(checkpoint, "SAVE_SECONDS", 0.0)  # saved after every chunk
    vcf = _seventy_snvs(tiny)
    counting = interpret.predict_encoded

    def killed_in_the_fifth_chunk(model, encoder, arrays, batch_size):
        if len(predicted) == 9:  # a failure stands for SIGKILL: nothing runs after it but what was saved
            raise OSError(errno.EIO, "Input/output error")
        return counting(model, encoder, arrays, batch_size)

    def killed(out, *options, genome=None, snvs=vcf):
        monkeypatch.setattr(interpret, "predict_encoded", killed_in_the_fifth_chunk)
        predicted.clear()
        assert _variants(cli, tiny, snvs, out, "--top", 0, *options, genome=genome).exit_code == 1
        monkeypatch.setattr(interpret, "predict_encoded", counting)
        assert len(list((out / checkpoint.RESUME_FOLDER).glob("rows-*.npz"))) == 4  # a file a chunk

    def scored(out, *options, genome=None, snvs=vcf):
        predicted.clear()
        assert _variants(cli, tiny, snvs, out, "--top", 0, *options, genome=genome).exit_code == 0
        return sum(predicted), (out / "variants.tsv").read_bytes()

    out = tiny["folder"] / "out"
    killed(out)
    assert scored(out) == ((70 - 16) * 4, scored(tiny["folder"] / "whole")[1])
    killed(out)
    assert scored(out, "--seed", 3) == (70 * 4, scored(tiny["folder"] / "seed3", "--seed", 3)[1])
    killed(out)
    shifted = _seventy_snvs(tiny, "shifted.vcf", range(1010, 1710, 10))  # every chunk's SNVs differ
    assert scored(out, snvs=shifted) == (70 * 4, scored(tiny["folder"] / "shifted", snvs=shifted)[1])
    killed(out)
    # A genome whose chr1 differs in one base of the first SNV's window alone: the first chunk is scored anew.
    from motifnet.run.rundir import open_run

    base = 1000 - 1 - open_run(tiny["run"]).dataset_encoder.length // 2 + 5  # 0-based, 5 into the window of 1000
    folder = tiny["folder"] / "other"
    folder.mkdir()
    sequences = make_genome(folder)["sequences"]  # the same genome, written again
    sequences["chr1"] = sequences["chr1"][:base] + _OTHER[sequences["chr1"][base]] + sequences["chr1"][base + 1:]
    genome = folder / "changed.fa"
    write_fasta(genome, [(chrom, body) for chrom, body in sequences.items()], wrap=60)
    assert scored(out, genome=genome) == ((4 + 70 - 16) * 4, scored(tiny["folder"] / "genome2", genome=genome)[1])
    assert not (out / checkpoint.RESUME_FOLDER).exists()


def test_a_stop_while_the_logos_are_drawn_keeps_every_score(cli, tiny, monkeypatch):
    """Only a stop while scoring kept the scores: one while the logos were computed or drawn lost them all (and those
    of the last minute, unsaved, in a long run)."""
    import motifnet.plot.figures
    from motifnet._signals import request_stop

    predicted = _small_chunks(monkeypatch, tiny)
    vcf = _seventy_snvs(tiny)
    whole = tiny["folder"] / "whole"
    assert _variants(cli, tiny, vcf, whole, "--top", 3).exit_code == 0
    save_figure = motifnet.plot.figures.save_figure

    def stopping(figure, path):
        request_stop()  # as SIGTERM does: the next figure's check stops
        return save_figure(figure, path)

    monkeypatch.setattr(motifnet.plot.figures, "save_figure", stopping)
    out = tiny["folder"] / "out"
    result = _variants(cli, tiny, vcf, out, "--top", 3)
    assert result.exit_code == 1 and f"kept the scores of 70 of 70 SNV(s) in {out / '.variants.resume'}" in \
        result.output, result.output
    monkeypatch.setattr(motifnet.plot.figures, "save_figure", save_figure)
    predicted.clear()
    result = _variants(cli, tiny, vcf, out, "--top", 3)
    assert result.exit_code == 0 and predicted == [] and "took the scores of 70 SNV(s)" in result.output
    assert (out / "variants.tsv").read_bytes() == (whole / "variants.tsv").read_bytes()
    assert not (out / ".variants.resume").exists()


@pytest.mark.parametrize("kind", ["file", "link to a folder", "broken link"])
def test_a_resume_folder_that_is_not_a_folder_is_refused_before_the_work(cli, tiny, kind):
    """A file or a symbolic link named .variants.resume failed the first save, a minute into the work ('File
    exists'), or kept the scores in the link's folder, where no rerun looked."""
    out = tiny["folder"] / "out"
    out.mkdir()
    resume = out / ".variants.resume"
    if kind == "file":
        resume.write_text("the user's")
    else:
        (tiny["folder"] / "elsewhere").mkdir()
        resume.symlink_to(tiny["folder"] / ("elsewhere" if kind == "link to a folder" else "nowhere"))
    result = _variants(cli, tiny, tiny["vcf"], out)
    what = "a file" if kind == "file" else "a symbolic link"
    assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
        f"Error: {resume}: {what}, not a folder of motifnet's; variants keeps the scores of a stopped run there: "
        "move it away"], result.output
    assert sorted(path.name for path in out.iterdir()) == [".variants.resume"]
    assert resume.is_symlink() or resume.read_text() == "the user's"


def test_kept_scores_that_cannot_be_removed_leave_a_warning_not_a_failed_run(cli, tiny, monkeypatch):
    """A .variants.resume whose files could not be removed made a run that wrote all its results exit 1."""
    import errno

    import motifnet.workflows._variant_checkpoint as checkpoint

    monkeypatch.setattr(checkpoint, "SAVE_SECONDS", 0.0)  # the scores are saved: there is something to remove
    unlink = Path.unlink

    def refused(path, missing_ok=False):
        if path.parent.name == checkpoint.RESUME_FOLDER:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        return unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    out = tiny["folder"] / "out"
    result = _variants(cli, tiny, tiny["vcf"], out)
    assert result.exit_code == 0, result.output
    assert f"warning: {out / checkpoint.RESUME_FOLDER}: cannot remove the kept scores (Operation not permitted); " \
           "remove the folder by hand" in result.stderr
    assert len(_table(out / "variants.tsv")) == 5


def test_kept_scores_survive_a_rerun_of_other_options_until_it_keeps_its_own_and_a_batch_size_may_change(
        cli, tiny, monkeypatch):
    """Kept scores of other options were removed as the rerun began: a mistyped --seed, or a smaller --batch-size
    after running out of memory, lost hours of scores. They are not used, and go only once the rerun keeps its own;
    --batch-size is no option they depend on."""
    import motifnet.interpret.variants as interpret
    from motifnet._signals import request_stop

    predicted = _small_chunks(monkeypatch, tiny)
    vcf = _seventy_snvs(tiny)
    whole = tiny["folder"] / "whole"
    assert _variants(cli, tiny, vcf, whole, "--top", 0).exit_code == 0
    counting = interpret.predict_encoded

    def stop_at(call):
        def stopping(model, encoder, arrays, batch_size):
            if len(predicted) == call:
                request_stop()
            return counting(model, encoder, arrays, batch_size)
        return stopping

    out = tiny["folder"] / "out"
    monkeypatch.setattr(interpret, "predict_encoded", stop_at(9))  # 4 chunks (16 SNVs) kept
    predicted.clear()
    assert "kept the scores of 16 of 70" in _variants(cli, tiny, vcf, out, "--top", 0).output
    monkeypatch.setattr(interpret, "predict_encoded", stop_at(1))  # in the first chunk: nothing of its own kept
    predicted.clear()
    result = _variants(cli, tiny, vcf, out, "--top", 0, "--seed", 3)
    assert result.exit_code == 1 and "kept the scores" not in result.output
    assert f"warning: {out / '.variants.resume'}: scores kept by a stopped run of another seed; not used, and " \
           "replaced once this run keeps scores of its own" in result.stderr
    monkeypatch.setattr(interpret, "predict_encoded", counting)
    predicted.clear()
    result = _variants(cli, tiny, vcf, out, "--top", 0, "--batch-size", 7)
    assert result.exit_code == 0 and "took the scores of 16 SNV(s)" in result.output
    assert sum(predicted) == (70 - 16) * 4
    assert (out / "variants.tsv").read_bytes() == (whole / "variants.tsv").read_bytes()


def test_a_save_that_fails_is_a_warning_and_the_run_completes(cli, tiny, monkeypatch):
    """A full disk while the scores of a chunk were kept ended a run whose scores were all in memory."""
    import errno

    import motifnet.workflows._variant_checkpoint as checkpoint

    _small_chunks(monkeypatch, tiny)
    monkeypatch.setattr(checkpoint, "SAVE_SECONDS", 0.0)

    def full(path, arrays, compresslevel=1):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(checkpoint, "write_npz", full)
    vcf = _seventy_snvs(tiny)
    out = tiny["folder"] / "out"
    result = _variants(cli, tiny, vcf, out, "--top", 0)
    assert result.exit_code == 0, result.output
    assert result.stderr.count(f"warning: {out / '.variants.resume'}: cannot keep the scores of a stopped run there "
                               "(No space left on device); scoring goes on without keeping them") == 1
    monkeypatch.undo()
    assert _variants(cli, tiny, vcf, tiny["folder"] / "whole", "--top", 0).exit_code == 0
    assert (out / "variants.tsv").read_bytes() == (tiny["folder"] / "whole" / "variants.tsv").read_bytes()
    assert not (out / ".variants.resume").exists()
