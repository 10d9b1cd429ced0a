"""``motifnet marginalize``: inserted motifs, pairs by spacing and orientation, ablation of scanned sites."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from helpers import copy_run, read_tsv, write_fasta

from motifnet.data.alphabets import DNA
from motifnet.data.encoding import Encoder
from motifnet.data.fasta import read_fasta
from motifnet.errors import InputError
from motifnet.interpret.marginalize import (
    MarginalizeConfig,
    _instances,
    ablation_effects,
    insertion_effects,
    motif_codes,
    pair_effects,
    reverse_complement_codes,
    shuffle_codes,
)
from motifnet.interpret.outputs import OutputsAndLogits
from motifnet.motifs.export import format_transfac
from motifnet.motifs.meme import MemeMotif, read_meme, write_meme

LENGTH = 40
MOTIF_A, MOTIF_B = "CAT", "GGA"
SPACING = 5


def _pwm(consensus: str) -> np.ndarray:
    pwm = np.full((len(consensus), 4), 0.02)
    for position, letter in enumerate(consensus):
        pwm[position, "ACGT".index(letter)] = 0.94
    return pwm


def build_pair_detector():
    """conv_1: CAT (kernel 0) and GGA (kernel 1), exactly 1 on a perfect match (ReLU, bias -2) ->
    conv_2: 1 where CAT starts 8 positions before GGA (CAT, 5 positions, GGA) -> global max ->
    output logits (4 h - 2, 2 - 4 h): class 'pair' goes from 0.018 to 0.982 when the pair is there."""
    import keras

    sequence = keras.Input(shape=(LENGTH, 4), name="sequence")
    conv_1 = keras.layers.Conv1D(2, 3, activation="relu", name="conv_1")
    conv_2 = keras.layers.Conv1D(1, 3 + SPACING + 1, activation="relu", name="conv_2")
    x = keras.layers.GlobalMaxPooling1D(name="pool")(conv_2(conv_1(sequence)))
    output = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model([sequence], output(x))  # a list of inputs, as motifnet's own networks have
    kernel_1 = np.zeros((3, 4, 2), dtype=np.float32)
    for k, motif in enumerate((MOTIF_A, MOTIF_B)):
        for position, letter in enumerate(motif):
            kernel_1[position, "ACGT".index(letter), k] = 1.0
    conv_1.set_weights([kernel_1, np.array([-2.0, -2.0], dtype=np.float32)])
    kernel_2 = np.zeros((3 + SPACING + 1, 2, 1), dtype=np.float32)
    kernel_2[0, 0, 0] = kernel_2[3 + SPACING, 1, 0] = 1.0
    conv_2.set_weights([kernel_2, np.array([-1.0], dtype=np.float32)])
    output.set_weights([np.array([[4.0, -4.0]], dtype=np.float32), np.array([-2.0, 2.0], dtype=np.float32)])
    return model


@pytest.fixture(scope="module")
def detector():
    return OutputsAndLogits(build_pair_detector(), Encoder(DNA, LENGTH), batch_size=64)


@pytest.fixture(scope="module")
def background():
    rng = np.random.default_rng(0)
    return shuffle_codes(rng.integers(1, 5, size=(60, LENGTH)).astype(np.uint8), rng)


def test_motif_codes_consensus_sampled_and_reverse_complement():
    rng = np.random.default_rng(0)
    assert motif_codes(_pwm("ACGT"), 2, rng).tolist() == [[1, 2, 3, 4]] * 2
    sampled = motif_codes(_pwm("ACGT"), 2000, rng, sample=True)
    assert np.isclose(np.mean(sampled == np.array([1, 2, 3, 4])), 0.94, atol=0.02)
    assert reverse_complement_codes(np.array([[1, 1, 3]])).tolist() == [[2, 4, 4]]  # AAG -> CTT


def test_a_consensus_column_without_a_preferred_letter_is_drawn_among_its_tied_letters_not_taken_as_a():
    """A flat column (0.25 each) or a tie (A and T at 0.5) was inserted as A, the first letter: an uninformative
    motif had the effect of a poly-A stretch. Now the tied letters are drawn, per sequence, reproducibly."""
    flat_at = np.array([[0.25] * 4, [0.5, 0.0, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0], [0.333333, 0.333334, 0.333333, 0.0],
                        [0.333, 0.333, 0.334, 0.0], [0.45, 0.0, 0.0, 0.55]])  # 1/3 printed with 3 digits; no tie
    codes = motif_codes(flat_at, 4000, np.random.default_rng(3))
    for column, letters in enumerate([[1, 2, 3, 4], [1, 4], [3], [1, 2, 3], [1, 2, 3], [4]]):
        counts = np.bincount(codes[:, column], minlength=5)[1:] / len(codes)
        expected = np.isin(np.arange(1, 5), letters) / len(letters)
        np.testing.assert_allclose(counts, expected, atol=0.03)
    assert motif_codes(_pwm("ACGT"), 3, np.random.default_rng(0)).tolist() == [[1, 2, 3, 4]] * 3  # no tie: as before
    config = MarginalizeConfig(n=50, seed=4)
    whole = _instances([flat_at, _pwm("GATTACA")], 0, 50, config, 1)
    in_chunks = [_instances([flat_at, _pwm("GATTACA")], first, 10, config, 1) for first in range(0, 50, 10)]
    for motif in range(2):  # each sequence gets the same instance in any chunk
        np.testing.assert_array_equal(whole[motif], np.concatenate([chunk[motif] for chunk in in_chunks]))
    assert len({tuple(row) for row in whole[0]}) > 10 and (whole[1] == [3, 1, 4, 4, 1, 2, 1]).all()
    assert not (whole[0][:, 0] == 1).all()
    # a motif's letters do not depend on the motifs beside it (they depended on the widths of those before it)
    for sample in (False, True):
        config = MarginalizeConfig(n=50, seed=4, sample=sample)
        alone = _instances([flat_at], 0, 50, config, 1)[0]
        np.testing.assert_array_equal(alone, _instances([_pwm("GATTACAGATTACA"), flat_at], 0, 50, config, 1)[1])


def test_a_draw_on_a_columns_boundary_never_picks_a_letter_of_probability_zero():
    """A draw of exactly 0 picked A from a column without A (its cumulative probability starts at 0)."""
    from motifnet.interpret.marginalize import _drawn_codes

    column = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.5]])
    assert _drawn_codes(column, np.array([[0.0, 0.0], [0.999999, 0.5], [0.3, 0.4999]])).tolist() == \
        [[2, 2], [2, 4], [2, 2]]


def test_shuffle_keeps_letters_and_padding():
    rng = np.random.default_rng(1)
    codes = np.array([[0, 1, 2, 3, 4, 1, 2, 0]], dtype=np.uint8)
    shuffled = shuffle_codes(codes, rng)
    assert shuffled[0, 0] == 0 and shuffled[0, -1] == 0
    assert sorted(shuffled[0]) == sorted(codes[0])


def test_inserting_the_pair_as_one_motif_raises_its_class(detector, background):
    pair = _pwm(MOTIF_A + "A" * SPACING + MOTIF_B)
    effects = insertion_effects(detector, background, [pair, _pwm(MOTIF_A)], MarginalizeConfig(n=60))
    assert effects.mean[0, 0] > 0.9 and effects.low[0, 0] > 0.9  # class 0 rises from 0.018 to 0.982
    assert np.isclose(effects.mean[0, 1], -effects.mean[0, 0])
    # Log-odds of class 0, (4 h - 2) - (2 - 4 h): from -4 to 4 as h goes from 0 to 1; class 1 the mirror image.
    assert effects.logit[0, 0] == pytest.approx(8.0, abs=0.4) and effects.logit[0, 1] == pytest.approx(-8.0, abs=0.4)
    assert abs(effects.mean[1, 0]) < 0.05  # motif A alone does nothing


def test_the_pair_peaks_at_its_spacing_in_its_orientation(detector, background):
    result = pair_effects(detector, background, _pwm(MOTIF_A), _pwm(MOTIF_B), MarginalizeConfig(n=60, max_spacing=12))
    assert result["spacings"] == list(range(13))
    same = result["cooperativity"][0, :, 0]
    assert int(np.argmax(same)) == SPACING and same[SPACING] > 0.8  # less where a background had the pair
    assert np.all(np.abs(np.delete(same, SPACING)) < 0.1)
    assert np.all(np.abs(result["cooperativity"][1, :, 0]) < 0.1)  # GGA reverse-complemented is TCC
    assert np.allclose(result["pair"] - result["expected"], result["cooperativity"])


def _additive_pair_effects(weights, bias) -> dict:
    """:func:`pair_effects` of CAT and GGA on a network whose logits add: conv_1 finds CAT (kernel 0) and GGA
    (kernel 1), exactly 1 on a perfect match, and a softmax output of ``weights`` (2 x classes) and ``bias`` reads
    their global maxima. On backgrounds of A and T only, so that no insertion overwrites a site the other did not
    make."""
    import keras

    sequence = keras.Input(shape=(LENGTH, 4), name="sequence")
    conv_1 = keras.layers.Conv1D(2, 3, activation="relu", name="conv_1")
    output = keras.layers.Dense(len(bias), activation="softmax", name="output")
    model = keras.Model([sequence], output(keras.layers.GlobalMaxPooling1D(name="pool")(conv_1(sequence))))
    kernel_1 = np.zeros((3, 4, 2), dtype=np.float32)
    for k, motif in enumerate((MOTIF_A, MOTIF_B)):
        for position, letter in enumerate(motif):
            kernel_1[position, "ACGT".index(letter), k] = 1.0
    conv_1.set_weights([kernel_1, np.array([-2.0, -2.0], dtype=np.float32)])
    output.set_weights([np.array(weights, dtype=np.float32), np.array(bias, dtype=np.float32)])
    additive = OutputsAndLogits(model, Encoder(DNA, LENGTH), batch_size=64)
    at_only = np.random.default_rng(0).choice(np.array([1, 4], dtype=np.uint8), size=(60, LENGTH))
    return pair_effects(additive, at_only, _pwm(MOTIF_A), _pwm(MOTIF_B), MarginalizeConfig(n=60, max_spacing=4))


def test_motifs_whose_logits_add_have_no_logit_cooperativity():
    """Cooperativity was measured on probabilities only: two motifs that each add 2 to the logit looked competing
    (-0.24), as the softmax saturates, though the network adds them independently."""
    result = _additive_pair_effects([[2.0, -2.0], [2.0, -2.0]], [-1.0, 1.0])
    # Same orientation (CAT ... GGA: no site made across a junction): the logits add exactly.
    assert np.abs(result["logit_cooperativity"][0]).max() < 1e-5
    assert result["cooperativity"][0, :, 0].max() < -0.15  # the probabilities of the same insertions
    assert np.allclose(result["pair_logit"] - result["expected_logit"], result["logit_cooperativity"])


def test_ablating_the_pair_sites_lowers_its_class(detector):
    rng = np.random.default_rng(3)
    codes = rng.integers(1, 5, size=(20, LENGTH)).astype(np.uint8)
    site = np.array([2, 1, 4] + [1] * SPACING + [3, 3, 1], dtype=np.uint8)  # CAT AAAAA GGA
    codes[:, 10:10 + len(site)] = site
    sites = [(0, row, 10, 13) for row in range(20)]  # only CAT is ablated
    (records, effects), (none_records, none) = ablation_effects(detector, codes, sites, 2, rng)
    assert records == 20 and none_records == 0 and none is None
    assert effects.mean[0, 0] < -0.8


def test_ablation_shuffles_the_records_with_sites_alone(detector, monkeypatch):
    """Every record of --fasta was shuffled, however few had sites: 200,000 shuffles (minutes) for 11,000 sites."""
    import motifnet.interpret.marginalize as marginalize_module

    calls = []
    real = marginalize_module.dinucleotide_shuffle
    monkeypatch.setattr(marginalize_module, "dinucleotide_shuffle", lambda codes, rng: calls.append(1) or real(codes,
                                                                                                            rng))
    rng = np.random.default_rng(3)
    codes = rng.integers(1, 5, size=(500, LENGTH)).astype(np.uint8)
    site = np.array([2, 1, 4] + [1] * SPACING + [3, 3, 1], dtype=np.uint8)
    rows = [7, 30, 31, 400]
    codes[rows, 10:10 + len(site)] = site
    before = codes.copy()
    (records, effects), _ = ablation_effects(detector, codes, [(0, row, 10, 13) for row in rows], 2, rng)
    assert records == 4 and effects.mean[0, 0] < -0.8 and len(calls) == 4
    assert np.array_equal(codes, before)  # the records themselves are left as they were


def _write_motifs(path, motifs):
    write_meme(path, [MemeMotif(name, "", _pwm(consensus), 10) for name, consensus in motifs], "ACGT", [0.25] * 4)
    return path


def test_marginalize_command_writes_every_table(trained_run, tmp_path, cli):
    run_dir, (up, down) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    scan_out = tmp_path / "scan"
    # A 6-mer's best p-value is 4^-6 = 2.4e-4: above the default threshold.
    assert cli("scan", motifs, up, down, "-o", scan_out, "--threshold", "0.001").exit_code == 0
    out = tmp_path / "marg"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 40, "--pairs", 2,
                 "--max-spacing", 3, "--hits", scan_out / "hits.tsv", "--fasta", up, "--fasta", down)
    assert result.exit_code == 0, result.output
    header, rows = read_tsv((out / "effects.tsv").read_text())
    assert header == ["motif", "class", "mean_delta", "ci_low", "ci_high", "mean_logit_delta", "background_mean"]
    assert [(row[0], row[1]) for row in rows] == [("ttgaca", "up"), ("ttgaca", "down"), ("ggg", "up"),
                                                   ("ggg", "down")]
    for row in rows:
        assert float(row[3]) <= float(row[2]) <= float(row[4])
    header, rows = read_tsv((out / "pairs.tsv").read_text())
    assert header == ["motif_a", "motif_b", "orientation", "spacing", "class", "mean_delta", "expected_delta",
                      "cooperativity", "mean_logit_delta", "expected_logit_delta", "logit_cooperativity"]
    assert len(rows) == 2 * 4 * 2  # orientations x spacings x classes
    header, rows = read_tsv((out / "ablation.tsv").read_text())
    assert header[:3] == ["motif", "class", "records"] and int(rows[0][2]) >= 40
    _, hits = read_tsv((scan_out / "hits.tsv").read_text())  # the ablation said nothing of what it ablated
    assert (f"ablating {len(hits)} site(s) of {len({hit[0] for hit in hits})} motif(s) in "
            f"{len({hit[1] for hit in hits})} record(s)") in result.stderr
    assert (out / "effects.png").exists() and len(list(out.glob("pair_*.png"))) == 1


def test_hit_sites_are_read_on_the_records_strand(tmp_path):
    from motifnet.workflows.marginalize import read_hit_sites

    hits = tmp_path / "hits.tsv"
    hits.write_bytes("motif\trecord\tstart\tend\tstrand\tsequence\n"
                     "m\tr1\t2\t6\t-\tGAuc\n"  # lower case and U, as an RNA scan writes them
                     "m\tr2\t0\t3\t-\tA\xe9C\n".encode("latin-1"))  # not UTF-8: a traceback before
    sites = read_hit_sites(hits, ["m"])
    assert [(site[:5]) for site in sites] == [("m", "r1", 2, 6, "GATC"), ("m", "r2", 0, 3, "G?T")]
    assert sites[0][5] == f"{hits}, line 2"


def test_hits_on_the_genome_are_refused_saying_so(tmp_path):
    """It said 'not a hits.tsv of motifnet scan (missing columns: record)' of scan's own genome hits."""
    from motifnet.motifs.scan import GENOME_HIT_COLUMNS
    from motifnet.workflows.marginalize import read_hit_sites

    hits = tmp_path / "hits.tsv"
    hits.write_text("\t".join(GENOME_HIT_COLUMNS) + "\n")
    with pytest.raises(InputError, match="^" + re.escape(
            f"{hits}: hits on the genome (a scan of BED files with --genome); --hits ablates sites in FASTA records: "
            "scan the FASTA files given with --fasta") + "$"):
        read_hit_sites(hits, ["m"])


def test_a_regression_model_gets_no_logit_column(regression_run, tmp_path, cli):
    """Its outputs are values: mean_logit_delta repeated mean_delta under a name that means nothing there."""
    run_dir, fasta, _ = regression_run
    motifs = _write_motifs(tmp_path / "m.meme", [("gata", "GATAAG")])
    assert cli("scan", motifs, fasta, "-o", tmp_path / "scan", "--threshold", "0.001").exit_code == 0
    out = tmp_path / "out"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10, "--hits",
                 tmp_path / "scan" / "hits.tsv", "--fasta", fasta)
    assert result.exit_code == 0, result.output
    header, rows = read_tsv((out / "effects.tsv").read_text())
    assert header == ["motif", "class", "mean_delta", "ci_low", "ci_high", "background_mean"]
    assert rows[0][:2] == ["gata", "gata_count"]
    assert read_tsv((out / "ablation.tsv").read_text())[0] == ["motif", "class", "records", "mean_delta", "ci_low",
                                                               "ci_high"]
    assert set(json.loads((out / "marginalize.json").read_text())["effects"][0]) == {
        "motif", "class", "mean_delta", "ci_low", "ci_high", "background_mean"}
    from motifnet.report.motif_sites import marginalize_entries

    assert [entry["effects"][0]["class"] for entry in marginalize_entries(out)] == ["gata_count"]


def test_hits_of_other_records_or_a_file_given_twice_are_refused(trained_run, tmp_path, cli):
    """The same ids with other letters were ablated where the sites are not, without a word; a --fasta file
    given twice was read twice, with a warning of duplicate ids."""
    run_dir, (up, down) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TGAC")])  # short: sites on both strands
    assert cli("scan", motifs, up, "-o", tmp_path / "scan", "--threshold", "0.005").exit_code == 0
    hits = tmp_path / "scan" / "hits.tsv"
    header, rows = read_tsv(hits.read_text())
    assert {row[4] for row in rows} == {"+", "-"}  # both strands checked
    records = list(read_fasta(up))
    first = next(record for record in records if record.id == rows[0][1])
    other = write_fasta(tmp_path / "other.fa", [(record.id, b"".join(record.lines).decode() if record is not first
                                                 else "C" * len(b"".join(record.lines))) for record in records])
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10, "--hits", hits,
                 "--fasta", other)
    assert result.exit_code == 1 and not (tmp_path / "out").exists(), result.output
    start, end, strand = int(rows[0][2]), int(rows[0][3]), rows[0][4]
    letters = rows[0][header.index("sequence")].upper()
    assert result.stderr.strip() == (  # both on the site's strand, as the sequence column gives it
        f"Error: --hits {hits}, line 2: the site of ttgaca in record {first.id!r} ({start} to {end}, strand {strand}) "
        f"is {letters} in its sequence column, but the record reads {('C' if strand == '+' else 'G') * (end - start)} "
        "there; give the FASTA files that were scanned")
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10, "--hits", hits,
                 "--fasta", up, "--fasta", up)
    # exit 1, as scan's file given twice and the README's exit statuses have it (it was a usage error, 2)
    assert result.exit_code == 1 and not (tmp_path / "out").exists(), result.output
    assert f"--fasta {up} is given twice (as {up}); give each file once" in result.stderr
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10, "--hits", hits,
                 "--fasta", up)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_inserting_the_planted_motif_raises_its_class(trained_run, tmp_path, cli):
    run_dir, _ = trained_run  # class 'up' carries TTGACA
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "marg", "-n", 200)
    assert result.exit_code == 0, result.output
    _, rows = read_tsv((tmp_path / "marg" / "effects.tsv").read_text())
    up = next(row for row in rows if row[1] == "up")
    assert float(up[2]) > 0 and float(up[5]) > float(next(row for row in rows if row[1] == "down")[5])
    # The same motif in TRANSFAC format on standard input (--motifs -) has the same effects.
    _, [motif] = read_meme(motifs)
    result = cli("marginalize", run_dir, "--motifs", "-", "-o", tmp_path / "stdin", "-n", 200,
                 input=format_transfac([motif], "ACGT"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stdin" / "effects.tsv").read_text() == (tmp_path / "marg" / "effects.tsv").read_text()
    assert json.loads((tmp_path / "stdin" / "marginalize.json").read_text())["motif_file"] == "standard input"
    both = cli("marginalize", run_dir, "--motifs", "-", "--hits", "-", "--fasta", motifs, "-o", tmp_path / "x")
    assert both.exit_code == 2 and "--motifs and --hits or --fasta cannot both be - (standard input)" in both.output


@pytest.mark.parametrize("extra, message", [
    (["--motifs", "missing.meme"], "missing.meme: no such motif file"),
    (["--motifs", "{fasta}"], "up.fa: a FASTA file (a '>' header followed by sequence letters), not a motif file"),
    (["--motifs", "{motifs}", "--hits", "{hits}"], "--hits needs --fasta"),
    (["--motifs", "{motifs}", "--position", "39"], "m.meme: motif 'ttgaca' (6 positions from position 39) does "
                                                   "not fit in the model's 40 positions; choose a smaller --position"),
    # It advised a smaller --position, which no position could satisfy, and named no motif.
    (["--motifs", "{wide}"], "wide.meme: motif 'wide' is 41 positions wide, more than the model's 40; leave it out "
                             "of the motif file or trim it"),
    # Two motifs that fit alone but not side by side: the advice is about pairs, not the motif file.
    (["--motifs", "{long_pair}", "--pairs", "2"], "is 42 positions wide, more than the model's 40; ask for fewer "
                                                  "--pairs, or give narrower motifs"),
    (["--motifs", "{motifs}", "--hits", "missing.tsv", "--fasta", "{fasta}"], "no such hits file"),
    # Both wrote an empty pairs.tsv and exited 0 (and removed an earlier run's pair figures).
    (["--motifs", "{long_pair}", "--pairs", "1"], "--pairs 1 makes no pair: give the number of motifs to pair, at "),
    (["--motifs", "{motifs}", "--pairs", "2"], "m.meme holds one motif (ttgaca), and a pair needs two; give a file"),
    (["--motifs", "{protein}"], "motifs over the alphabet 'ACDEFGHIKLMNPQRSTVWY'; marginalize needs DNA or RNA"),
    (["--motifs", "{counts}"], "counts.meme: motif c, row 1: the probabilities sum to 9.46, not 1"),
])
def test_bad_inputs_are_one_line(trained_run, tmp_path, cli, extra, message):
    run_dir, (up, _) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\n")
    protein = tmp_path / "protein.meme"
    write_meme(protein, [MemeMotif("p", "", np.full((3, 20), 0.05), 5)], "ACDEFGHIKLMNPQRSTVWY", [0.05] * 20)
    counts = tmp_path / "counts.meme"
    counts.write_text(motifs.read_text().replace("MOTIF ttgaca", "MOTIF c").replace("0.940000", "9.400000", 1))
    wide = _write_motifs(tmp_path / "wide.meme", [("ttgaca", "TTGACA"), ("wide", "A" * 41)])
    long_pair = _write_motifs(tmp_path / "long_pair.meme", [("ttgaca", "TTGACA"), ("long", "AC" * 18)])
    names = {"motifs": motifs, "fasta": up, "hits": hits, "protein": protein, "counts": counts, "wide": wide,
             "long_pair": long_pair}
    result = cli("marginalize", run_dir, *[a.format(**names) for a in extra], "-o", tmp_path / "out", "-n", 10)
    # --pairs 1 is outside the option's range, and --hits without --fasta visible in the command line alone:
    # usage errors, as Click's own checks (--hits without --fasta exited 1)
    assert result.exit_code == (2 if message.startswith(("--pairs 1", "--hits needs")) else 1), result.output
    assert message in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1


def test_structure_runs_and_outputs_naming_inputs_are_refused(rna_structure_run, trained_run, tmp_path, cli):
    motifs = _write_motifs(tmp_path / "m.meme", [("ggac", "GGAC")])
    result = cli("marginalize", rna_structure_run[0], "--motifs", motifs, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "cannot change the structure given in this model's input" in result.output
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", run_dir / "data.npz")
    assert result.exit_code == 1 and "is the input file" in result.output
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", motifs)
    assert result.exit_code == 1 and "is the input file" in result.output
    # A motif file named marginalize.json in OUT_DIR was replaced by the run's summary.
    (tmp_path / "kept").mkdir()
    kept = _write_motifs(tmp_path / "kept" / "marginalize.json", [("ggac", "GGAC")])
    before = kept.read_bytes()
    result = cli("marginalize", run_dir, "--motifs", kept, "-o", tmp_path / "kept")
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: --motifs {kept}: motifnet marginalize writes this file in {tmp_path / 'kept'}, which would replace "
        "it; copy it elsewhere or choose another -o folder")
    assert kept.read_bytes() == before
    # Nor is one named like a pair figure.
    figure = _write_motifs(tmp_path / "kept" / "pair_01_a_b.png", [("ggac", "GGAC")])
    result = cli("marginalize", run_dir, "--motifs", figure, "-o", tmp_path / "kept")
    assert result.exit_code == 1 and f"--motifs {figure}: motifnet marginalize writes this file" in result.stderr
    # Nor one of an older name that an earlier run's marginalize.json lists: the rerun would remove it.
    older = _write_motifs(tmp_path / "kept" / "pair_a_b.png", [("ggac", "GGAC")])
    (tmp_path / "kept" / "marginalize.json").write_text(json.dumps({"pair_images": ["pair_a_b.png"]}))
    result = cli("marginalize", run_dir, "--motifs", older, "-o", tmp_path / "kept")
    assert result.exit_code == 1 and f"--motifs {older}: motifnet marginalize writes this file" in result.stderr
    assert older.is_file()


def test_a_pair_that_cannot_fit_is_refused_before_any_work_and_leaves_the_earlier_files(trained_run, tmp_path, cli):
    """It was refused only after every single motif had been inserted; nothing of the new run is written."""
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    out = tmp_path / "marg"
    assert cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10).exit_code == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    # Each motif (6 positions) fits from position 30 of 40; the pair (12) does not.
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 12, "--seed", 5, "--pairs", 2,
                 "--position", 30)
    assert result.exit_code == 1 and "does not fit" in result.output, result.output
    assert "inserting" not in result.output  # refused before the single motifs are inserted
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    fresh = tmp_path / "fresh"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", fresh, "-n", 12, "--pairs", 2, "--position", 30)
    assert result.exit_code == 1 and not fresh.exists()


@pytest.mark.parametrize("extra, message", [
    (["-o", "{plain_file}"], "must be a folder, not a file"),
    (["-o", "{plain_file}/sub"], "is a file; give a new or existing folder"),
    (["--hits", "{hits}", "--fasta", "missing.fa"], "missing.fa: no such file"),
    # it said "cannot be read ('utf-8' codec can't decode ...)"
    (["--hits", "{binary}", "--fasta", "{up}"], "binary.tsv, line 2: NUL bytes: a UTF-16 file"),
    (["--fasta", "{up}"], "--fasta applies to the ablation of the sites of --hits"),
    (["--hits", "{hits}", "--fasta", "{twice}"], "the same id as"),
    (["--hits", "{hits}", "--fasta", "{up}", "--fasta", "{up_again}"], "give every record a distinct id"),
    # a hits file of other records of the same ids: the site was used as far as it fitted
    (["--hits", "{past_end}", "--fasta", "{up}"], "past_end.tsv, line 2: the site of ttgaca in record 'up1' ends at "
                                                  "45, past the record's 40 positions; give the FASTA files that "
                                                  "were scanned"),
    (["--hits", "{backwards}", "--fasta", "{up}"], "backwards.tsv, line 2: a site from 9 to 3"),
], ids=["output-is-a-file", "output-below-a-file", "missing-fasta", "unreadable-hits", "fasta-without-hits",
        "duplicate-id-in-one-file", "duplicate-id-across-files", "site-past-the-record", "site-backwards"])
def test_bad_inputs_are_refused_before_any_prediction(trained_run, tmp_path, cli, monkeypatch, extra, message):
    def no_prediction(*args, **kwargs):
        raise AssertionError("a prediction ran before the inputs were checked")

    monkeypatch.setattr("motifnet.workflows.marginalize.insertion_effects", no_prediction)
    run_dir, (up, _) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\nttgaca\tup1\t3\t9\n")
    binary = tmp_path / "binary.tsv"
    binary.write_bytes(b"motif\trecord\tstart\tend\n\xff\xfe\x00\n")
    plain_file = tmp_path / "notes.txt"
    plain_file.write_text("mine\n")
    twice = write_fasta(tmp_path / "twice.fa", [("up1", "ACGT" * 10), ("up1", "TTGACA" + "A" * 34)])
    up_again = write_fasta(tmp_path / "again.fa", [("up1", "ACGT" * 10)])
    past_end = tmp_path / "past_end.tsv"
    past_end.write_text("motif\trecord\tstart\tend\nttgaca\tup1\t39\t45\n")
    backwards = tmp_path / "backwards.tsv"
    backwards.write_text("motif\trecord\tstart\tend\nttgaca\tup1\t9\t3\n")
    names = {"up": up, "hits": hits, "binary": binary, "plain_file": plain_file, "twice": twice,
             "up_again": up_again, "past_end": past_end, "backwards": backwards}
    arguments = [a.format(**names) for a in extra]
    if "-o" not in arguments:
        arguments += ["-o", tmp_path / "out"]
    result = cli("marginalize", run_dir, "--motifs", motifs, *arguments, "-n", 10)
    # --fasta without --hits is visible in the command line alone: a usage error (it exited 1)
    assert result.exit_code == (2 if "--fasta applies" in message else 1), result.output
    assert message in result.output and "Traceback" not in result.output, result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    assert plain_file.read_text() == "mine\n"


def test_a_folder_another_run_holds_is_refused_before_any_prediction(trained_run, tmp_path, cli, monkeypatch):
    """Two jobs writing one -o: the second made every insertion and was refused only when it came to write."""
    from motifnet.run.lock import acquire

    monkeypatch.setattr("motifnet.workflows.marginalize.insertion_effects",
                        lambda *args, **kwargs: pytest.fail("predicted into a held folder"))
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    out = tmp_path / "held"
    with acquire(out, "marginalize"):
        result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10)
    assert result.exit_code == 1 and "in use by motifnet marginalize (pid" in result.output, result.output
    assert "Traceback" not in result.output


def test_a_hits_file_without_hits_is_named(trained_run, tmp_path, cli):
    """It gave an ablation.tsv of NA rows without a word."""
    run_dir, (up, _) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\n")
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10, "--hits", hits,
                 "--fasta", up)
    assert result.exit_code == 0, result.output
    assert (f"warning: {hits} holds no hits: no site to ablate, so ablation.tsv has no effect to show"
            in " ".join(result.stderr.split()))


def test_duplicate_record_ids_are_named_with_their_file(trained_run, tmp_path, cli):
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\nttgaca\tr1\t0\t6\n")
    fasta = write_fasta(tmp_path / "dup.fa", [("r1", "ACGT" * 10), ("r2", "ACGT" * 10), ("r1", "TTGACA" + "C" * 34)])
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10, "--hits", hits,
                 "--fasta", fasta)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"--fasta {fasta}, record 3 ('r1'): the same id as {fasta}, record 1 ('r1')" in result.output
    assert not (tmp_path / "out").exists()


def test_a_reused_folder_keeps_only_this_runs_outputs_and_the_users_files(trained_run, tmp_path, cli):
    run_dir, (up, down) = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\nttgaca\tup1\t3\t9\n")
    out = tmp_path / "marg"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10, "--pairs", 2, "--max-spacing", 1,
                 "--hits", hits, "--fasta", up, "--fasta", down)
    assert result.exit_code == 0, result.output
    assert {"pairs.tsv", "ablation.tsv"} <= {path.name for path in out.iterdir()}
    assert len(list(out.glob("pair_*.png"))) == 1
    # A pair figure of an earlier naming, listed by the earlier summary, and files the user put there.
    summary = json.loads((out / "marginalize.json").read_text())
    assert summary["files"] == sorted(["effects.tsv", "effects.png", "pairs.tsv", "ablation.tsv",
                                       *summary["pair_images"]])
    (out / "pair_old_name.png").write_bytes(b"old figure")
    summary["files"].append("pair_old_name.png")
    (out / "marginalize.json").write_text(json.dumps(summary))
    users = {"pair_notes.png": b"mine", "enrichment.png": b"scan's", "notes.tsv": b"mine"}
    for name, content in users.items():
        (out / name).write_bytes(content)
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10)
    assert result.exit_code == 0, result.output
    assert {path.name for path in out.iterdir()} == {"effects.tsv", "effects.png", "marginalize.json", *users}
    assert all((out / name).read_bytes() == content for name, content in users.items())
    assert json.loads((out / "marginalize.json").read_text())["pair_images"] == []
    # Files of the command's names that the earlier run (without --pairs or --hits) did not write are the
    # user's: they were removed as that run's.
    theirs = {"pairs.tsv": b"mine", "ablation.tsv": b"mine", "pair_99_x_y.png": b"mine"}
    for name, content in theirs.items():
        (out / name).write_bytes(content)
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10)
    assert result.exit_code == 0 and "removed" not in result.stderr, result.output
    assert all((out / name).read_bytes() == content for name, content in {**users, **theirs}.items())
    # An older summary without its list of files: only the pair figures it names are taken as its.
    summary = json.loads((out / "marginalize.json").read_text())
    del summary["files"]
    summary["pair_images"] = ["pair_99_x_y.png"]
    (out / "marginalize.json").write_text(json.dumps(summary))
    assert cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10).exit_code == 0
    assert not (out / "pair_99_x_y.png").exists() and (out / "pairs.tsv").read_bytes() == b"mine"
    # In a folder without an earlier marginalize.json, files of those names are the user's: kept.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for name in ("ablation.tsv", "pairs.tsv", "pair_01_x_y.png"):
        (fresh / name).write_bytes(b"mine")
    assert cli("marginalize", run_dir, "--motifs", motifs, "-o", fresh, "-n", 10).exit_code == 0
    assert all((fresh / name).read_bytes() == b"mine" for name in ("ablation.tsv", "pairs.tsv", "pair_01_x_y.png"))


def test_pair_figures_of_names_that_look_alike_do_not_overwrite_each_other(trained_run, tmp_path, cli):
    """'A/B' and 'A_B' are the same file name once made safe: three pairs must still give three figures."""
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("A/B", "TTGACA"), ("A_B", "GGGGGG"), ("C", "CATCAT")])
    out = tmp_path / "marg"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10, "--pairs", 3, "--max-spacing", 1)
    assert result.exit_code == 0, result.output
    _, rows = read_tsv((out / "pairs.tsv").read_text())
    pairs = list(dict.fromkeys((row[0], row[1]) for row in rows))
    images = json.loads((out / "marginalize.json").read_text())["pair_images"]
    assert len(pairs) == 3 and len(set(images)) == 3
    assert sorted(path.name for path in out.glob("pair_*.png")) == sorted(images)
    for rank, ((a, b), image) in enumerate(zip(pairs, images), start=1):  # the figures in the table's order
        assert image == f"pair_{rank:02d}_{a.replace('/', '_')}_{b.replace('/', '_')}.png"
    assert "--pairs" not in result.stderr  # K is the number of motifs: nothing to say
    # K above the file's motifs pairs them all, and says so (it was silent, as if it paired K)
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 10, "--pairs", 10, "--max-spacing", 1)
    assert result.exit_code == 0, result.output
    assert f"--pairs 10: {motifs} holds 3 motifs; pairing all of them (3 pairs)" in result.stderr


def test_a_pair_figure_has_one_colour_scale_for_all_its_panels():
    """Each output's panel had its own scale (one red was 0.8 in one and 4.5 in the next), and each its own colour
    bar, whose label ran into the next panel's title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motifnet.workflows.marginalize import _pair_figure

    cooperativity = np.zeros((2, 3, 2))
    cooperativity[0, 1, 0], cooperativity[1, 2, 1] = 0.8, -4.5
    figure = _pair_figure({"logit_cooperativity": cooperativity, "spacings": [0, 1, 2]}, "A", "B", ["x", "y"],
                          label="log-odds cooperativity")
    try:
        panels = [ax for ax in figure.axes if ax.get_title()]
        assert [ax.get_title() for ax in panels] == ["x", "y"] and figure.get_suptitle() == "A then B"
        assert {ax.collections[0].get_clim() for ax in panels} == {(-4.5, 4.5)}
        [bar] = [ax for ax in figure.axes if not ax.get_title()]
        assert bar.get_ylabel() == "log-odds cooperativity"
    finally:
        plt.close(figure)


def test_a_capped_max_spacing_is_a_warning(trained_run, tmp_path, cli):
    # It said "spacings 0 to 20" for a pair that fits only up to 14 in 40 positions, then only in an
    # info line that --quiet hid; a huge --max-spacing took minutes to list the spacings that fit.
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    for max_spacing in (20, 10**9):
        out = tmp_path / f"marg_{max_spacing}"
        result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 6, "--pairs", 2,
                     "--max-spacing", max_spacing, "--quiet")
        assert result.exit_code == 0, result.output
        # Centred, the pair (12 positions) starts at 14: B at 14 + 6 + s ends by 40 up to s = 14.
        assert result.stderr.splitlines() in ([
            f"warning: --max-spacing {max_spacing} capped at 14 for the pair {pair}: wider spacings do not fit the "
            "model's 40 positions (6 + 6 positions from position 14)"] for pair in ("ttgaca + ggg", "ggg + ttgaca"))
        pairs = (out / "pairs.tsv").read_text().strip().split("\n")
        assert max(int(line.split("\t")[3]) for line in pairs[1:]) == 14
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "two", "-n", 6, "--pairs", 2,
                 "--max-spacing", 2)
    assert "at spacings 0 to 2\n" in result.stderr and "warning" not in result.stderr


# -- backgrounds made and predicted a chunk at a time --------------------------------------------------------

def _records(count=30, seed=4):
    codes = np.random.default_rng(seed).integers(1, 5, size=(count, LENGTH)).astype(np.uint8)
    codes[::3, :5] = 0  # records shorter than the model: padding stays where it is
    return codes


def test_backgrounds_are_the_same_in_one_chunk_or_several():
    from motifnet.interpret.marginalize import Backgrounds

    records = _records()
    for n in (20, 45):  # without replacement (fewer than the records), then with
        background = Backgrounds(records, n, seed=2)
        whole = background.chunk(0, n)
        assert whole.shape == (n, LENGTH) == background.shape and len(background) == n
        np.testing.assert_array_equal(np.concatenate([background.chunk(0, 7), background.chunk(7, 8),
                                                      background.chunk(8, n)]), whole)
        np.testing.assert_array_equal(np.asarray(background), whole)
        counts = {tuple(np.bincount(row, minlength=5)) for row in records}
        assert all(tuple(np.bincount(row, minlength=5)) in counts for row in whole)  # shuffles of records
        padded = (whole == 0).any(axis=1)
        assert padded.any() and np.all(whole[padded, :5] == 0) and np.all(whole[:, 5:] > 0)
    assert not np.array_equal(Backgrounds(records, 20, seed=3).chunk(0, 20), Backgrounds(records, 20, 2).chunk(0, 20))


def test_effects_are_the_same_in_one_chunk_or_several(detector, monkeypatch):
    """-n allocated all N sequences times every experiment at once (21 GB for a large N); chunks bound it."""
    from motifnet.interpret.marginalize import Backgrounds

    background = Backgrounds(_records(), 50, seed=1)
    pwms = [_pwm(MOTIF_A + "A" * SPACING + MOTIF_B), _pwm(MOTIF_A)]
    config = MarginalizeConfig(n=50, sample=True, max_spacing=6)
    whole = insertion_effects(detector, background, pwms, config)
    rows = []
    each = detector.each
    monkeypatch.setattr(detector, "each", lambda arrays: rows.append(sum(map(len, arrays))) or each(arrays))
    chunked = insertion_effects(detector, background, pwms, config, chunk=8)
    assert max(rows) == 8 * 3 and sum(rows) == 50 * 3  # the background and one copy per motif, 8 at a time
    for name in ("mean", "low", "high", "logit"):
        np.testing.assert_allclose(getattr(chunked, name), getattr(whole, name), rtol=1e-6, atol=1e-7)
    assert whole.mean[0, 0] > 0.5  # sampled: about 0.94^6 of the instances have the six letters the model reads
    monkeypatch.undo()
    whole = pair_effects(detector, background, _pwm(MOTIF_A), _pwm(MOTIF_B), config)
    chunked = pair_effects(detector, background, _pwm(MOTIF_A), _pwm(MOTIF_B), config, chunk=16)
    assert whole["spacings"] == chunked["spacings"] == list(range(7))
    for name in ("pair", "expected", "cooperativity"):
        np.testing.assert_allclose(chunked[name], whole[name], rtol=1e-6, atol=1e-7)


def test_the_interval_of_rows_added_in_batches_is_that_of_all_rows():
    from motifnet.interpret.marginalize import Moments, mean_interval

    deltas = np.random.default_rng(0).normal(3.0, 0.01, size=(101, 2)).astype(np.float32)
    moments = Moments()
    for start in range(0, 101, 13):
        moments.add(deltas[start:start + 13])
    mean, low, high = mean_interval(deltas)
    np.testing.assert_allclose(moments.interval(), (mean, low, high), rtol=1e-12)
    np.testing.assert_allclose(mean, deltas.astype(np.float64).mean(axis=0), rtol=1e-12)
    from scipy.stats import t
    half = t.ppf(0.975, 100) * deltas.astype(np.float64).std(axis=0, ddof=1) / np.sqrt(101)
    np.testing.assert_allclose(high - mean, half, rtol=1e-9)


def test_a_stop_request_stops_between_chunks(detector, monkeypatch):
    from motifnet._signals import StopRequested, request_stop, stop_on_signals
    from motifnet.interpret.marginalize import Backgrounds

    background = Backgrounds(_records(), 40, seed=0)
    calls = []
    each = detector.each

    def first_then_stop(arrays):
        calls.append(len(arrays))
        result = each(arrays)
        request_stop()  # as SIGTERM's handler does, while the first chunk is predicted
        return result

    monkeypatch.setattr(detector, "each", first_then_stop)
    with stop_on_signals(), pytest.raises(StopRequested):
        insertion_effects(detector, background, [_pwm(MOTIF_A)], MarginalizeConfig(n=40), chunk=10)
    assert len(calls) == 1
    with stop_on_signals(), pytest.raises(StopRequested):
        pair_effects(detector, background, _pwm(MOTIF_A), _pwm(MOTIF_B), MarginalizeConfig(n=40), chunk=10)
    assert len(calls) == 2


def test_a_signal_stops_marginalize_while_it_makes_a_large_background(trained_run, tmp_path, cli, monkeypatch):
    """The first SIGTERM was not heeded while the N background sequences were made (and allocated) at once."""
    import signal

    import motifnet.interpret.marginalize as marginalize

    shuffled = []

    def shuffle(symbols, rng):
        shuffled.append(len(symbols))
        if len(shuffled) == 5:
            signal.raise_signal(signal.SIGTERM)
        return symbols

    monkeypatch.setattr(marginalize, "dinucleotide_shuffle", shuffle)
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 10**6)
    assert result.exit_code == 1 and "stopped by a signal" in result.stderr, result.output
    assert "Traceback" not in result.output and len(shuffled) == 5  # stopped at the next sequence
    assert not (tmp_path / "out").exists()


def test_log_odds_do_not_change_with_a_constant_added_to_every_softmax_input(background):
    """The 'logit' was the output layer's value before the softmax: adding one constant to every class's value (the
    same model, the same predictions) changed it, even its sign, and two classes' changes were no mirror images."""
    model = build_pair_detector()
    shifted = build_pair_detector()
    kernel, bias = shifted.get_layer("output").get_weights()
    shifted.get_layer("output").set_weights([kernel + np.array([[3.0, 3.0]], np.float32), bias + 5.0])
    config = MarginalizeConfig(n=30)
    effects = [insertion_effects(OutputsAndLogits(network, Encoder(DNA, LENGTH), batch_size=64), background,
                                 [_pwm(MOTIF_A + "A" * SPACING + MOTIF_B)], config) for network in (model, shifted)]
    np.testing.assert_allclose(effects[0].mean, effects[1].mean, atol=1e-6)
    np.testing.assert_allclose(effects[0].logit, effects[1].logit, atol=1e-4)
    np.testing.assert_allclose(effects[0].logit[:, 1], -effects[0].logit[:, 0], atol=1e-9)


def test_ablation_refuses_standard_input_as_fasta(trained_run, tmp_path, cli):
    """--hits with --fasta - read standard input twice, then said it held no records."""
    from motifnet.motifs.scan import HIT_COLUMNS

    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA")])
    hits = tmp_path / "hits.tsv"
    hits.write_text("\t".join(HIT_COLUMNS) + "\n" + "\t".join(
        ["ttgaca", "r1", "0", "6", "+", "9.1", "1e-05", "0.01", "0", "TTGACA"]) + "\n")
    result = cli("marginalize", trained_run[0], "--motifs", motifs, "--hits", hits, "--fasta", "-", "-o",
                 tmp_path / "out", "-n", 10, input=">r1\nTTGACAAAAA\n")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--fasta - (standard input): marginalize --hits reads the --fasta files twice" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["effects.tsv", "effects.png", "marginalize.json", "pairs.tsv", "PAIR_FIGURE"])
def test_a_folder_with_a_users_file_of_an_output_name_and_no_summary_is_refused(trained_run, tmp_path, cli, name):
    """marginalize replaced a user's effects.tsv, effects.png or marginalize.json in OUT_DIR with exit 0 (scan,
    attribute and motifs refused such a folder); the names of pair figures are known only after the work."""
    run_dir = trained_run[0]
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    arguments = ("marginalize", run_dir, "--motifs", motifs, "-n", 10, "--pairs", 2, "--max-spacing", 1)
    if name == "PAIR_FIGURE":
        result = cli(*arguments, "-o", tmp_path / "scratch")
        assert result.exit_code == 0, result.output
        name = json.loads((tmp_path / "scratch" / "marginalize.json").read_text())["pair_images"][0]
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text("the user's")
    result = cli(*arguments, "-o", out)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: -o {out}: holds {name}, which this marginalize run writes, but no marginalize.json of "
        f"motifnet's; nothing was written: choose another folder, or move {name} away")
    assert [path.name for path in out.iterdir()] == [name] and (out / name).read_text() == "the user's"


def test_insertions_report_progress_in_background_sequences(trained_run, tmp_path, cli, monkeypatch):
    """marginalize -n 600000 said nothing for minutes after 'inserting 2 motifs into 600000 shuffled records'."""
    import motifnet._progress
    import motifnet.interpret.marginalize as marginalize_module

    monkeypatch.setattr(motifnet._progress, "REPORT_SECONDS", 0.0)
    monkeypatch.setattr(marginalize_module, "CHUNK_BYTES", 4 * 3 * 40)  # 4 sequences of 40 a chunk, 3 copies
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    result = cli("marginalize", trained_run[0], "--motifs", motifs, "-o", tmp_path / "marg", "-n", 10, "--pairs", 2,
                 "--max-spacing", 1)
    assert result.exit_code == 0, result.output
    counts = re.findall(r"^inserting 2 motif\(s\): (\d+) of 10 background sequences", result.stderr, re.MULTILINE)
    assert counts == ["4", "8", "10"], result.stderr
    assert "inserting ttgaca and ggg at every spacing: 10 of 10 background sequences" in result.stderr
    assert "inserting 2 motif(s) into 10 shuffled record(s)\n" in result.stderr  # 10 of the run's 80 records
    # more than the run's records: drawn with replacement, which was said nowhere
    result = cli("marginalize", trained_run[0], "--motifs", motifs, "-o", tmp_path / "marg", "-n", 100)
    assert result.exit_code == 0, result.output
    assert ("inserting 2 motif(s) into 100 shuffled record(s) (drawn with replacement: -n is more than the run's 80 "
            "records)\n") in result.stderr


def test_bad_hits_are_named_by_file_line_and_value_as_the_file_gives_them(tmp_path):
    """A site on the - strand quoted the reverse complement of the file's letters ('reads AAAA there, the record
    ...'), a site past its record's end named no file or line, and a start that is no number was 'expected motif,
    record, start and end'."""
    from motifnet.workflows.marginalize import ablation_sites, read_hit_sites

    hits = tmp_path / "hits.tsv"
    hits.write_text("motif\trecord\tstart\tend\tstrand\tsequence\n"
                    "m\tr1\t2\t6\t-\tTTTT\n"
                    "m\tr1\t8\t12\t+\tACGT\n")
    records = ["ACCAGGTAACGT"]
    sites = read_hit_sites(hits, ["m"])
    with pytest.raises(InputError) as error:
        ablation_sites(sites[:1], ["m"], ["r1"], records, 12)
    assert str(error.value) == (f"--hits {hits}, line 2: the site of m in record 'r1' (2 to 6, strand -) is TTTT in "
                                "its sequence column, but the record reads CCTG there; give the FASTA files that "
                                "were scanned")
    with pytest.raises(InputError) as error:
        ablation_sites(sites[1:], ["m"], ["r1"], ["ACCAGGTACG"], 10)
    assert str(error.value) == (f"--hits {hits}, line 3: the site of m in record 'r1' ends at 12, past the record's "
                                "10 positions; give the FASTA files that were scanned")
    assert ablation_sites(sites[1:], ["m"], ["r1"], records, 12) == [(0, 0, 8, 12)]
    # scan's folder is read as its hits.tsv, as --motifs reads a folder (it said "no such hits file")
    assert read_hit_sites(tmp_path, ["m"]) == sites
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: a folder without hits.tsv; give scan's hits.tsv"):
        read_hit_sites(tmp_path / "empty", ["m"])
    for text in ("abc", "--5", "\u00b2"):  # (a superscript two passes str.isdigit, and int() refuses it)
        hits.write_text(f"motif\trecord\tstart\tend\nm\tr1\t{text}\t6\n")
        with pytest.raises(InputError, match="^" + re.escape(f"{hits}, line 2: start {text!r} is not a whole number "
                                                             "(scan's positions are 0-based)") + "$"):
            read_hit_sites(hits, ["m"])
    hits.write_text("motif\trecord\tstart\tend\tstrand\tsequence\nm\tr1\t2\t6\n")
    with pytest.raises(InputError, match="^" + re.escape(f"{hits}, line 2: expected motif, record, start and end, "
                                                         "strand and sequence") + "$"):
        read_hit_sites(hits, ["m"])


def test_a_file_of_the_users_that_the_earlier_run_did_not_write_is_refused_not_replaced(trained_run, tmp_path, cli):
    """A pairs.tsv the user put beside an earlier run's outputs (that run had no --pairs) was replaced by a rerun
    with --pairs, with exit 0."""
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG")])
    out = tmp_path / "marg"
    assert cli("marginalize", trained_run[0], "--motifs", motifs, "-o", out, "-n", 10).exit_code == 0
    (out / "pairs.tsv").write_text("the user's")
    before = sorted(path.name for path in out.iterdir())
    result = cli("marginalize", trained_run[0], "--motifs", motifs, "-o", out, "-n", 10, "--pairs", 2,
                 "--max-spacing", 1)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [(  # before the work: the experiments took minutes, then refused
        f"Error: -o {out}: holds pairs.tsv, which this marginalize run writes, but the marginalize.json there does "
        "not list it as its run's; nothing was written: choose another folder, or move pairs.tsv away")]
    assert sorted(path.name for path in out.iterdir()) == before and (out / "pairs.tsv").read_text() == "the user's"


def test_targets_of_different_sizes_are_compared_in_their_own_units():
    """A regression model's --pairs motifs and effects.png took the targets in raw units (and the figure called
    them changes of probability, by class): a target of large values decided alone."""
    import matplotlib.pyplot as plt

    from motifnet.interpret.marginalize import Effects, top_motifs
    from motifnet.plot.scan import plot_effects

    mean = np.array([[0.9, 3.0], [0.1, 8.0], [0.5, 1.0]])  # target 2's values are ten times target 1's
    effects = Effects(mean, mean - 1, mean + 1, mean)
    assert top_motifs(effects, 2) == [1, 0]
    assert top_motifs(effects, 2, scale=[1.0, 10.0]) == [0, 1]  # 0.9 and 0.8 SD, against 0.5 for motif 2
    ax = plot_effects(mean, ["a", "b", "c"], ["small", "large"], scale=[1.0, 10.0])
    try:
        assert np.asarray(ax.collections[0].get_array()).reshape(3, 2) == pytest.approx(mean / [1.0, 10.0])
        assert ax.get_xlabel() == "target"
        assert ax.figure.axes[-1].get_ylabel() == "mean change (SD of the target)"
    finally:
        plt.close(ax.figure)
    ax = plot_effects(mean, ["a", "b", "c"], ["up", "down"])
    try:
        assert (ax.get_xlabel(), ax.figure.axes[-1].get_ylabel()) == ("class", "mean change of probability")
    finally:
        plt.close(ax.figure)


def test_the_interval_of_a_change_of_probability_stays_within_one():
    """An insertion that took nearly every record's probability from 0 to 1 had a 95% interval up to 1.00011
    (1.00324 of two records): a change of probability beyond 1."""
    from motifnet.interpret.marginalize import mean_interval

    deltas = np.array([[1.0, -1.0], [0.999, -0.999], [0.9, -0.9]])
    mean, low, high = mean_interval(deltas)
    assert high[0] > 1 and low[1] < -1  # the t-interval itself
    clipped = mean_interval(deltas, bound=1.0)
    np.testing.assert_array_equal(clipped[0], mean)
    np.testing.assert_array_equal(clipped[1], [low[0], -1.0])
    np.testing.assert_array_equal(clipped[2], [1.0, high[1]])


def test_changes_of_probability_are_bounded_and_regression_values_are_not(detector, regression_run):
    from motifnet.interpret.marginalize import _bound
    from motifnet.run.rundir import open_run

    run = open_run(regression_run[0])
    assert _bound(detector) == 1.0
    assert _bound(OutputsAndLogits(run.model, run.dataset_encoder, 8)) is None


def test_two_motifs_that_each_raise_another_class_show_no_logit_cooperativity_in_a_third():
    """Three classes: CAT raises class 0's logit, GGA class 1's, and nothing changes class 2's. The log-odds of
    class 2 against the others, z_2 - logsumexp(z_0, z_1), fall by less for both motifs than the sum of their
    single falls, so the pair figures showed a strong 'cooperativity' in the class that neither motif is for."""
    from motifnet.interpret.outputs import class_contrast, log_odds

    result = _additive_pair_effects([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0]], [0.0, 0.0, 0.0])
    assert np.abs(result["logit_cooperativity"][0]).max() < 1e-5  # every class, every spacing
    # the class's logit against the others' mean: CAT raises class 0's by 4 and lowers 1's and 2's by 2
    np.testing.assert_allclose(result["expected_logit"][0, 0], [2.0, 2.0, -4.0], atol=1e-5)
    # what the log-odds of class 2 would have said: -log(e^4 + e^4) + 2 log(e^4 + 1) - log 2 = 2.65
    z = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [4.0, 4.0, 0.0]])
    odds = log_odds(z, "softmax")[:, 2]
    assert odds[3] - odds[1] - odds[2] + odds[0] == pytest.approx(2.65, abs=0.01)
    # for two classes the contrast is the log-odds
    two = log_odds(np.array([[1.5, -0.5], [30.0, -20.0]]), "softmax")
    np.testing.assert_allclose(class_contrast(two), two, atol=1e-12)


def test_the_pair_figures_share_one_colour_scale(trained_run, tmp_path, cli, monkeypatch):
    """Each pair figure had its own colour scale: the same red meant 3.9 in one and 2.2 in the next, stacked in
    the report."""
    import motifnet.workflows.marginalize as workflow

    drawn = []
    original = workflow._pair_figure

    def recording(result, name_a, name_b, outputs, key="logit_cooperativity", scale=None, limit=None, label=None):
        drawn.append((limit, label))
        return original(result, name_a, name_b, outputs, key, scale, limit, label)

    monkeypatch.setattr(workflow, "_pair_figure", recording)
    run_dir, _ = trained_run
    motifs = _write_motifs(tmp_path / "m.meme", [("ttgaca", "TTGACA"), ("ggg", "GGGGGG"), ("acgt", "ACGTAC")])
    out = tmp_path / "marg"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 12, "--pairs", 3, "--max-spacing", 2)
    assert result.exit_code == 0, result.output
    _, rows = read_tsv((out / "pairs.tsv").read_text())
    largest = max(abs(float(row[-1])) for row in rows)
    # two classes: softmax's contrast is the log-odds
    assert drawn == [(pytest.approx(largest, rel=1e-4), "logit cooperativity (class against the others' mean)")] * 3
