"""``motifnet motifs``: hypothetical contributions, TF-MoDISco (modisco-lite), HOMER export, report section.

Fast tests check the pieces on the shared tiny runs; the slow ones train a small network on a planted GATA
motif (a third of the sites reverse-complemented) and run the whole command on it.
"""

import csv
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import check_in_chromium, dead_pid, make_genome, reverse_complement_text, scratch_name, write_fasta

from motifnet.cli.main import main
from motifnet.errors import ParamError
from motifnet.interpret.attribution import AttributionConfig, attribute
from motifnet.interpret.hypothetical import check_hypothetical_config, deepshap_rule, hypothetical_contributions
from motifnet.motifs.export import write_motifs
from motifnet.motifs.homer import format_homer, log_odds_threshold, read_homer
from motifnet.motifs.meme import MemeMotif
from motifnet.motifs.modisco import ModiscoConfig, contribution_core, find_patterns, no_seqlets_reason
from motifnet.run.rundir import open_run
from motifnet.run.selection import select_data

PLANTED = "AGATAAGG"
PLANTED_MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF planted GATA_planted
letter-probability matrix: alength= 4 w= 8 nsites= 100 E= 0
0.97 0.01 0.01 0.01
0.01 0.01 0.97 0.01
0.97 0.01 0.01 0.01
0.01 0.01 0.01 0.97
0.97 0.01 0.01 0.01
0.97 0.01 0.01 0.01
0.01 0.01 0.97 0.01
0.01 0.01 0.97 0.01
"""


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- hypothetical contributions ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(trained_run):
    run_dir, _ = trained_run
    run = open_run(run_dir)
    dataset = select_data(run, "all").subset(np.arange(12))
    one_hot = dataset.model_inputs(slice(0, len(dataset)))["sequence"][..., :4].astype(np.float32)
    return run, dataset, one_hot


@pytest.mark.parametrize("method, baseline", [("deeplift", "shuffle"), ("deeplift", "zeros"),
                                              ("integrated-gradients", "shuffle")])
def test_observed_part_of_hypothetical_contributions_is_the_attribution(tiny, method, baseline):
    """one_hot x hypothetical, summed over letters, is attribute()'s per-position score with the same references."""
    run, dataset, one_hot = tiny
    extra = {"steps": 8} if method == "integrated-gradients" else {}
    shuffles = 3 if baseline == "shuffle" else None
    config = AttributionConfig(method, 1, baseline, shuffles=shuffles, seed=4, batch_size=16, **extra)
    hypothetical = hypothetical_contributions(run.model, dataset, config)
    reference = attribute(run.model, dataset, config)
    observed = (one_hot * hypothetical).sum(axis=-1)
    # The integrated-gradients attribution weighs its end points by 0: the same midpoints are summed.
    np.testing.assert_allclose(observed, reference.scores, rtol=1e-4, atol=1e-5)
    assert hypothetical.shape == one_hot.shape and hypothetical.dtype == np.float32


def test_ism_hypothetical_contributions_are_centred_substitution_effects(tiny):
    run, dataset, one_hot = tiny
    config = AttributionConfig("ism", 0, batch_size=64)
    hypothetical = hypothetical_contributions(run.model, dataset, config)
    changes = attribute(run.model, dataset, config).values
    np.testing.assert_allclose(hypothetical.mean(axis=-1), 0, atol=1e-5)
    # Differences between letters are exact logit differences between the two sequences.
    np.testing.assert_allclose(hypothetical[..., 0] - hypothetical[..., 2], changes[..., 0] - changes[..., 2],
                               atol=1e-5)


def test_saliency_hypothetical_contributions_are_mean_centred_gradients(tiny):
    run, dataset, one_hot = tiny
    hypothetical = hypothetical_contributions(run.model, dataset, AttributionConfig("saliency", 0))
    np.testing.assert_allclose(hypothetical.sum(axis=-1), 0, atol=1e-5)
    # The gradient of every letter, rebuilt from the observed letter's (grad-input) and the differences
    # between letters, has the magnitudes saliency reports.
    observed_gradient = attribute(run.model, dataset, AttributionConfig("grad-input", 0)).values[..., :4].sum(-1)
    observed_hypothetical = (one_hot * hypothetical).sum(axis=-1)
    gradient = observed_gradient[..., None] - (observed_hypothetical[..., None] - hypothetical)
    saliency = attribute(run.model, dataset, AttributionConfig("saliency", 0)).values[..., :4]
    np.testing.assert_allclose(np.abs(gradient), saliency, rtol=1e-4, atol=1e-6)


def test_deepshap_rule_on_one_reference():
    multipliers = np.array([[[[1.0, 2.0, 3.0, 4.0]]]])
    reference = np.array([[[[0.0, 0.0, 1.0, 0.0]]]])  # G
    np.testing.assert_allclose(deepshap_rule(multipliers, reference), [[[-2.0, -1.0, 0.0, 1.0]]])
    uniform = np.full((1, 1, 1, 4), 0.25)
    np.testing.assert_allclose(deepshap_rule(multipliers, uniform), [[[-1.5, -0.5, 0.5, 1.5]]])


@pytest.mark.parametrize("config, message", [
    (AttributionConfig("grad-input"), "--method must be one of deeplift, integrated-gradients, saliency, ism"),
    (AttributionConfig("saliency", baseline="zeros"), "--baseline is used by"),
    (AttributionConfig("ism", shuffles=3), "--shuffles is used with --baseline shuffle only"),
])
def test_hypothetical_config_refusals(config, message):
    with pytest.raises(ParamError, match=message):
        check_hypothetical_config(config)


def test_deeplift_defaults_to_shuffled_references():
    config = check_hypothetical_config(AttributionConfig("deeplift"))
    assert config.baseline == "shuffle" and config.shuffles == 10


@pytest.mark.parametrize("alphabet, structure, accepted", [
    ("dna", None, True), ("rna", None, True), ("protein", None, False), ("ACGX", None, False), ("rna", "().", False),
])
def test_only_dna_and_rna_sequence_models_are_accepted(alphabet, structure, accepted):
    from motifnet.data.alphabets import Alphabet, get_alphabet, structure_alphabet
    from motifnet.data.encoding import Encoder
    from motifnet.interpret.hypothetical import check_modisco_alphabet

    letters = get_alphabet(alphabet) if alphabet in ("dna", "rna", "protein") else Alphabet("custom", alphabet, {})
    encoder = Encoder(letters, 20, structure=structure_alphabet(structure) if structure else None,
                      structure_mode="letters" if structure else None)
    if accepted:
        check_modisco_alphabet(encoder)
    else:
        with pytest.raises(ParamError, match="motifs \\(TF-MoDISco\\) needs a DNA or RNA sequence model"):
            check_modisco_alphabet(encoder)


# -- modisco options, trimming, HOMER ------------------------------------------------------------------------

def test_modisco_config_maps_to_tfmodisco_arguments():
    arguments = ModiscoConfig(max_seqlets=500, window=11, flank=4, min_seqlets=7, min_metacluster=30, fdr=0.1,
                              leiden_runs=3).tfmodisco_arguments()
    assert arguments == {"max_seqlets_per_metacluster": 500, "sliding_window_size": 11, "flank_size": 4,
                         "final_min_cluster_size": 7, "min_metacluster_size": 30, "target_seqlet_fdr": 0.1,
                         "n_leiden_runs": 3, "trim_to_window_size": 19, "initial_flank_to_add": 4}
    import inspect

    from modiscolite.tfmodisco import TFMoDISco

    assert set(arguments) <= set(inspect.signature(TFMoDISco).parameters)


def test_default_modisco_config_passes_what_it_always_did():
    import inspect

    from modiscolite.tfmodisco import TFMoDISco

    library = {name: parameter.default for name, parameter in inspect.signature(TFMoDISco).parameters.items()}
    arguments = ModiscoConfig().tfmodisco_arguments()
    before = {"max_seqlets_per_metacluster": 2000, "sliding_window_size": 21, "flank_size": 10,
              "final_min_cluster_size": 20, "min_metacluster_size": 100, "target_seqlet_fdr": 0.2, "n_leiden_runs": 50}
    assert {name: value for name, value in arguments.items() if name in before} == before
    assert {name: value for name, value in arguments.items() if name not in before} == {
        "trim_to_window_size": library["trim_to_window_size"], "initial_flank_to_add": library["initial_flank_to_add"]}


@pytest.mark.parametrize("window, flank, trim, widen", [
    (21, 10, 30, 10),  # the defaults: modisco-lite's own
    (40, 15, 30, 10),
    (21, 4, 29, 4),
    (15, 5, 25, 5),
    (5, 2, 9, 2),
    (3, 2, 7, 2),
    (2, 1, 4, 1),
])
def test_modisco_trims_patterns_to_what_their_seqlets_fill(window, flank, trim, widen):
    # modisco-lite slides its trim window over each pattern (at least as wide as a seqlet) widened by its initial
    # flank on both sides; a trim window wider than that failed: "IndexError: index 0 is out of bounds for axis 0
    # with size 0" (one column short, as with --window 5 --flank 2: 9 + 2 * 10 < 30) or "ValueError: negative
    # dimensions are not allowed" (shorter, as with --window 3 --flank 2).
    arguments = ModiscoConfig(window=window, flank=flank).tfmodisco_arguments()
    assert (arguments["trim_to_window_size"], arguments["initial_flank_to_add"]) == (trim, widen)
    assert trim <= window + 2 * flank


def test_small_seqlets_give_patterns_without_error():
    # --window 5 --flank 2 (seqlets of 9 positions, as check_seqlet_length accepts) made modisco-lite fail:
    # "IndexError: index 0 is out of bounds for axis 0 with size 0" in aggregator.polish_pattern.
    rng = np.random.default_rng(0)
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(200, 60))]
    hypothetical = rng.normal(size=one_hot.shape).astype(np.float32)
    patterns = find_patterns(one_hot, hypothetical,
                             ModiscoConfig(window=5, flank=2, min_metacluster=5, min_seqlets=3, leiden_runs=5))
    assert {pattern.sign for pattern in patterns} == {1, -1}  # random contributions: small patterns of both signs
    for pattern in patterns:
        # trimmed to the seqlets' 9 columns, widened by --flank on each side
        assert pattern.cwm.shape == pattern.pfm.shape == (9 + 2 * 2, 4)
        assert len(pattern.seqlets) >= 3
        for seqlet in pattern.seqlets:
            assert 0 <= seqlet.start < seqlet.end <= 60 and seqlet.end - seqlet.start <= 13


@pytest.mark.parametrize("kwargs, message", [
    ({"fdr": 1.5}, "--fdr must be a number between 0 and 1"),
    ({"window": 0}, "--window must be an integer of at least 1"),
    ({"flank": 0}, "--flank must be an integer of at least 1 \\(with no flank TF-MoDISco finds no seqlets\\), "
                   "received: 0"),
    ({"window": 1, "flank": 1}, "--window 1 plus twice --flank 1 gives seqlets of 3 positions, and TF-MoDISco "
                                "compares seqlets by gapped k-mers of at least 4 letters: give --window and --flank "
                                "whose window \\+ 2 \\* flank is at least 4"),
    ({"min_metacluster": 0}, "--min-metacluster-size must be an integer of at least 1"),
    ({"trim_fraction": -0.1}, "--trim-fraction must be a number from 0 to 1"),
])
def test_modisco_config_refusals(kwargs, message):
    with pytest.raises(ParamError, match=message):
        ModiscoConfig(**kwargs)


def test_contribution_core_keeps_columns_from_first_to_last_strong_one():
    cwm = np.zeros((10, 4))
    cwm[2, 0], cwm[4, 1], cwm[6, 3], cwm[8, 2] = 1.0, -0.05, -0.8, 0.1
    assert contribution_core(cwm, 0.3) == (2, 7)
    assert contribution_core(cwm, 0.0) == (0, 10)
    assert contribution_core(np.zeros((5, 4))) == (0, 5)


_BOTH_SIGNS = ("and TF-MoDISco needs windows of both signs to set its seqlet thresholds, so it has no seqlets to "
               "find")


@pytest.mark.parametrize("letters, contributions, reason", [
    # records of one repeated letter against their own shuffles (deeplift's default references)
    ("A", "zero", "the contributions are 0 at every position, so TF-MoDISco has no seqlets to find"),
    ("A", "positive", f"no window of 5 positions (--window) has a negative total contribution, {_BOTH_SIGNS}"),
    ("ACGT", "positive", f"no window of 5 positions (--window) has a negative total contribution, {_BOTH_SIGNS}"),
    ("ACGT", "negative", f"no window of 5 positions (--window) has a total contribution of 0 or more, {_BOTH_SIGNS}"),
])
def test_contributions_without_windows_of_both_signs_give_no_patterns_and_a_warning(
        letters, contributions, reason, caplog, monkeypatch):
    # modisco-lite failed on them: "IndexError: index -1 is out of bounds for axis 0 with size 0" (all one value)
    # or "ValueError: Sample weights must contain at least one non-zero number" (one sign, varied).
    rng = np.random.default_rng(0)
    one_hot = np.eye(4, dtype=np.float32)[rng.choice(["ACGT".index(letter) for letter in letters], size=(30, 40))]
    magnitudes = np.abs(rng.normal(size=one_hot.shape)).astype(np.float32)
    hypothetical = {"zero": 0 * magnitudes, "positive": magnitudes, "negative": -magnitudes}[contributions]
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert find_patterns(one_hot, hypothetical, ModiscoConfig(window=5, flank=2)) == []
    assert set(caplog.messages) == {reason}


def test_no_seqlets_reason_looks_at_window_totals_not_positions():
    one_hot = np.zeros((3, 30, 4), dtype=np.float32)
    one_hot[:, :, 2] = 1
    hypothetical = np.zeros_like(one_hot)
    hypothetical[:, 0::2, 2], hypothetical[:, 1::2, 2] = 2.0, -1.0  # windows of 5 positions total 1 or 4
    assert no_seqlets_reason(one_hot, hypothetical, 5) == (
        f"no window of 5 positions (--window) has a negative total contribution, {_BOTH_SIGNS}")
    assert no_seqlets_reason(one_hot, hypothetical, 1) is None
    assert no_seqlets_reason(one_hot, hypothetical, 5, rows=1) == no_seqlets_reason(one_hot, hypothetical, 5)
    hypothetical[2, 10:15, 2] = -1.0  # one record, read last, has a negative window
    assert no_seqlets_reason(one_hot, hypothetical, 5, rows=1) is None


def test_homer_file_parses_back_to_the_same_matrices(tmp_path):
    rng = np.random.default_rng(0)
    motifs = [MemeMotif(f"pattern_{i}", f"gata.pos.{i}", rng.dirichlet(np.ones(4), size=width), 10 + i)
              for i, width in enumerate((8, 12, 5), start=1)]
    paths = write_motifs(tmp_path / "patterns", motifs, "ACGT", [0.25] * 4, formats=("meme", "homer"))
    assert [p.name for p in paths] == ["patterns.meme", "patterns.homer"]
    read = read_homer(tmp_path / "patterns.homer")
    assert [motif.name for motif, _ in read] == [f"pattern_{i}/gata.pos.{i}" for i in (1, 2, 3)]
    for (motif, threshold), original in zip(read, motifs):
        np.testing.assert_allclose(motif.pwm, original.pwm, atol=5e-7)
        assert threshold == pytest.approx(log_odds_threshold(original.pwm), abs=1e-6)
        assert motif.alt_name == "".join("ACGT"[i] for i in original.pwm.argmax(axis=1))
    header = (tmp_path / "patterns.homer").read_text().splitlines()[0]
    assert header.count("\t") == 2 and header.startswith(">")


def test_homer_threshold_is_a_fraction_of_the_best_log_odds_score():
    pwm = np.eye(4)[[0, 1, 2, 3]]
    assert log_odds_threshold(pwm) == pytest.approx(0.6 * 4 * np.log(4))  # each column: ln(1 / 0.25)
    assert format_homer([], "ACGT") == ""


def test_visualize_kernels_accepts_homer_format():
    from motifnet.motifs.export import check_formats

    assert check_formats(("meme", "homer")) == ("meme", "homer")


# -- the command line ----------------------------------------------------------------------------------------

def test_help_lists_the_modisco_options():
    result = invoke("motifs", "--help")
    assert result.exit_code == 0
    for option in ("--max-seqlets", "--window", "--flank", "--min-seqlets", "--min-metacluster-size", "--target",
                   "--motif-db", "--formats", "--quiet", "--group", "DNA and RNA sequence models only"):
        assert option in result.output


@pytest.mark.parametrize("args, message, code", [
    (["--method", "grad-input"], "Invalid value for '--method'", 2),
    (["--fdr", "2"], "--fdr must be a number between 0 and 1, received: 2.0 (see 'main motifs --help')", 2),
    (["--formats", "meme,bed"], "--formats expects a comma-separated list of meme, jaspar, transfac, homer", 2),
    (["--steps", "5"], "--steps is used by integrated-gradients only", 2),
    (["--window", "0"], "Invalid value for '--window'", 2),
    # one seqlet per metacluster ended inside TF-MoDISco: "ValueError: max() arg is an empty sequence"
    (["--max-seqlets", "1"], "Invalid value for '--max-seqlets': 1 is not in the range x>=2", 2),
    # two values out of range together: a usage error as one out of range alone is (it exited 1)
    (["--window", "1", "--flank", "1"], "--window 1 plus twice --flank 1 gives seqlets of 3 positions", 2),
    # these three were told only after every record had been read ("looking at 40 sequences" came first)
    (["--target", "nosuch"], "--target 'nosuch' is not a class of the model", 1),
    (["--window", "60"], "shorter than a seqlet: --window 60", 1),
    (["--tax-group", "nosuch"], "--tax-group nosuch: not a taxonomic group of JASPAR", 2),
])
def test_bad_options_are_one_line(trained_run, tmp_path, args, message, code):
    run_dir, _ = trained_run
    result = invoke("motifs", run_dir, "-o", tmp_path / "out", *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _small_windows(run_dir, fasta, out, *extra):
    """``motifs`` on class 0 with windows that fit 40 letters, no matching: its result and its warning lines."""
    result = invoke("motifs", run_dir, fasta, "-o", out, "--no-match", "--window", "5", "--flank", "2", "--target",
                    "0", *extra)
    assert result.exit_code == 0, result.output
    return result, [line for line in result.output.splitlines() if line.startswith("warning:")]


def test_records_of_n_alone_give_no_patterns_and_a_warning(trained_run, tmp_path):
    # TF-MoDISco failed on them: "TF-MoDISco failed (exit status 1): IndexError: index -1 is out of bounds ...".
    run_dir, _ = trained_run
    unknown = write_fasta(tmp_path / "n.fa", [(f"n{i}", "N" * 40) for i in range(30)])
    result, warnings = _small_windows(run_dir, unknown, tmp_path / "out")
    assert warnings == ["warning: class up: the records hold no letter of ACGT (N alone), so TF-MoDISco has no "
                        "seqlets to find"], result.output
    assert "wrote 0 pattern(s)" in result.output and (tmp_path / "out" / "patterns.tsv").is_file()


def test_tf_modisco_finding_nothing_says_so_with_what_to_change(trained_run, tmp_path):
    """An empty patterns.meme and exit 0 without a word looked like a network that learned nothing."""
    run_dir, (up, _) = trained_run
    out = tmp_path / "out"
    result, warnings = _small_windows(run_dir, up, out, "--min-metacluster-size", "100000")
    assert warnings == ["warning: class up: TF-MoDISco found no pattern in 40 records: too few seqlets for a "
                        "metacluster (--min-metacluster-size 100000) or a pattern (--min-seqlets 20); give more "
                        "records, a larger --max-seqlets (now 2000), a smaller --min-metacluster-size or "
                        "--min-seqlets, or a smaller --window (now 5) and --flank (now 2)"], result.output
    # --max-seqlets 2 gave no pattern, its hint named it not; "smaller sizes" named no option
    assert "wrote 0 pattern(s)" in result.output and "MOTIF" not in (out / "patterns.meme").read_text()


def test_a_motif_database_on_standard_input_is_read_once(trained_run, tmp_path):
    """The options were checked before the records were read and again after: the second reading of --motif-db -
    found standard input empty ("standard input: an empty file")."""
    run_dir, (up, _) = trained_run
    database = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nMOTIF m1 known\n"
                "letter-probability matrix: alength= 4 w= 4\n1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n")
    result = CliRunner().invoke(main, [str(a) for a in ("motifs", run_dir, up, "-o", tmp_path / "out", "--window", 5,
                                                        "--flank", 2, "--target", 0, "--min-metacluster-size",
                                                        100000, "--motif-db", "-")], input=database)
    assert result.exit_code == 0, result.output
    assert "wrote 0 pattern(s)" in result.output


def test_records_of_one_repeated_letter_give_no_patterns_and_a_warning(trained_run, tmp_path):
    # Each record is its own shuffle, so against --baseline shuffle it contributes 0 everywhere. TF-MoDISco failed:
    # "TF-MoDISco failed (exit status 1): IndexError: index -1 is out of bounds for axis 0 with size 0".
    run_dir, _ = trained_run
    same = write_fasta(tmp_path / "a.fa", [(f"a{i}", "A" * 40) for i in range(30)])
    out = tmp_path / "out"
    result, warnings = _small_windows(run_dir, same, out)
    assert warnings == ["warning: class up: the contributions are 0 at every position, so TF-MoDISco has no seqlets "
                        "to find; give records of varied sequence, or --baseline uniform (a record of one repeated "
                        "letter is its own shuffle)"], result.output
    assert "TF-MoDISco (modisco-lite)" not in result.output and "Error" not in result.output
    assert "wrote 0 pattern(s)" in result.output
    assert (out / "patterns.tsv").read_text().count("\n") == 1 and (out / "seqlets.tsv").read_text().count("\n") == 1
    assert (out / "patterns.meme").is_file() and not list(out.glob("pattern_*.png"))


@pytest.fixture(scope="module")
def protein_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protein")
    rng = np.random.default_rng(0)
    letters = list("ACDEFGHIKLMNPQRSTVWY")
    files = [write_fasta(folder / f"{name}.fa", [(f"{name}{i}", "".join(rng.choice(letters, 30)))
                                                 for i in range(20)]) for name in ("x", "y")]
    result = invoke("train", *files, "--alphabet", "protein", "-o", folder / "run", "--seed", "1", "--quiet",
                    "--param", "conv_num=1", "--param", "kernel_num=2", "--param", "kernel_len=3",
                    "--param", "neuron_num=4", "--param", "epochs=1", "--param", "batch_size=16")
    assert result.exit_code == 0, result.output
    return folder / "run"


def test_protein_model_is_refused_in_one_line(protein_run, tmp_path):
    result = invoke("motifs", protein_run, "-o", tmp_path / "out", "--group", "all")
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: motifs (TF-MoDISco) needs a DNA or RNA sequence model; "
                                                   "this model reads protein")
    assert not (tmp_path / "out" / "patterns.meme").exists()


def test_structure_model_is_refused_in_one_line(rna_structure_run, tmp_path):
    run_dir = rna_structure_run[0] if isinstance(rna_structure_run, tuple) else rna_structure_run
    result = invoke("motifs", run_dir, "-o", tmp_path / "out", "--group", "all")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "needs a DNA or RNA sequence model; this model also reads RNA structure" in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- end to end on a planted motif -------------------------------------------------------------------------------

def test_tf_modisco_gets_the_records_in_a_seeded_random_order_and_seqlets_name_the_right_ones(
        trained_run, tmp_path, monkeypatch):
    # TF-MoDISco keeps the first --max-seqlets seqlets in record order: it must not see the files' order.
    from motifnet.motifs.modisco import Pattern, Seqlet
    from motifnet.workflows import patterns as workflow

    handed = []

    def tf_modisco(one_hot_path, hypothetical_path, config):
        handed.append(np.load(one_hot_path))
        seqlets = [Seqlet(0, 2, 6, "+", 1.0), Seqlet(1, 3, 7, "-", 0.5)]  # in the first two records handed over
        return [Pattern(1, 0, np.eye(4), np.eye(4), np.eye(4), (0, 4), seqlets)]

    monkeypatch.setattr(workflow, "find_patterns_stoppable", tf_modisco)
    run_dir, _ = trained_run
    for out in (tmp_path / "one", tmp_path / "two"):
        result = invoke("motifs", run_dir, "-o", out, "--group", "all", "--target", "0", "--method", "saliency",
                        "--window", "5", "--flank", "1", "--no-match", "--quiet")
        assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(handed[0], handed[1])  # the order is seeded (--seed 0)
    data = select_data(open_run(run_dir), "all")
    in_files = data.model_inputs(slice(0, len(data)))["sequence"][..., :4]
    order = [next(i for i in range(len(data)) if np.array_equal(in_files[i], row)) for row in handed[0]]
    assert sorted(order) == list(range(len(data))) and order != sorted(order)
    rows = read_rows(tmp_path / "one" / "seqlets.tsv")
    assert [row["id"] for row in rows] == [data.ids[order[0]], data.ids[order[1]]]
    assert [row["strand"] for row in rows] == ["+", "-"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A network that learned a planted GATA motif (every third site reverse-complemented), and the sites.

    The network is stated in full (plain global max pooling): the figures below were measured on it.
    """
    folder = tmp_path_factory.mktemp("planted")
    rng = np.random.default_rng(5)
    length, records, sites = 100, [], {}
    for i in range(150):
        letters = list(rng.choice(list("ACGT"), size=length))
        # Central sites: TF-MoDISco widens patterns by flanks and drops seqlets that would leave the sequence.
        start = int(rng.integers(25, length - 25 - len(PLANTED)))
        minus = i % 3 == 0
        letters[start:start + len(PLANTED)] = reverse_complement_text(PLANTED) if minus else PLANTED
        records.append((f"g{i}", "".join(letters)))
        sites[f"g{i}"] = (start, minus)
    background = [(f"b{i}", "".join(rng.choice(list("ACGT"), size=length))) for i in range(150)]
    gata = write_fasta(folder / "gata.fa", records)
    bg = write_fasta(folder / "bg.fa", background)
    (folder / "planted.meme").write_text(PLANTED_MEME)
    result = invoke("train", gata, bg, "-o", folder / "run", "--seed", "1", "--quiet",
                    "--param", "conv_num=1", "--param", "kernel_num=8", "--param", "kernel_len=10",
                    "--param", "global_pool=max", "--param", "position_bins=0", "--param", "strand=both",
                    "--param", "neuron_num=16",
                    "--param", "pool_size=2", "--param", "pool_stride=2",
                    "--param", "epochs=25", "--param", "batch_size=16", "--param", "learning_rate=0.01",
                    "--param", "dropout_input=0", "--param", "dropout_conv=0", "--param", "dropout_dense=0.1")
    assert result.exit_code == 0, result.output
    return folder, sites


def read_rows(path: Path) -> list:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.slow
def test_planted_motif_comes_out_as_a_matching_pattern(planted, monkeypatch):
    from helpers import folder_digest

    from motifnet._signals import request_stop
    from motifnet.plot import figures
    from motifnet.workflows import patterns as workflow

    folder, sites = planted
    report = folder / "report"
    result = invoke("visualize-kernels", folder / "run", "-o", report, "--group", "all", "--no-match", "--quiet")
    assert result.exit_code == 0, result.output
    out = report / "modisco"
    found, find = [], workflow.find_patterns_stoppable
    monkeypatch.setattr(workflow, "find_patterns_stoppable", lambda *args: found.append(find(*args)) or found[-1])
    arguments = ("motifs", folder / "run", "-o", out, "--group", "all", "--target", "gata",
                 "--min-metacluster-size", "30", "--min-seqlets", "10", "--leiden-runs", "4",
                 "--motif-db", folder / "planted.meme", "--formats", "meme,homer,jaspar")
    result = invoke(*arguments)
    assert result.exit_code == 0, result.output
    # A stop while the figures of a rerun are drawn leaves this run's files whole: the figures were drawn in
    # place before patterns.json, so a kill left new figures that no patterns.json listed, kept for good.
    before, save_figure = folder_digest(out), figures.save_figure

    def stopping_after_one(figure, path):
        save_figure(figure, path)
        request_stop()  # as SIGTERM's handler does

    monkeypatch.setattr(workflow, "find_patterns_stoppable", lambda *args: found[0])  # TF-MoDISco's, again
    monkeypatch.setattr(workflow, "save_figure", stopping_after_one)
    stopped = invoke(*arguments)
    assert stopped.exit_code == 1 and "stopped by a signal" in stopped.output, stopped.output
    assert folder_digest(out) == before
    # without meme in --formats, the path printed is a file written (it was patterns.meme, not written)
    monkeypatch.setattr(workflow, "save_figure", save_figure)
    homer = invoke(*arguments[:3], report / "homer", *arguments[4:-1], "homer")
    assert homer.exit_code == 0, homer.output
    assert homer.stdout.strip() == str(report / "homer" / "patterns.homer") and (report / "homer" / "patterns.homer"
                                                                                 ).is_file()
    monkeypatch.undo()
    assert result.stdout.strip() == str(out / "patterns.meme")
    for name in ("patterns.meme", "patterns.homer", "patterns.jaspar", "patterns.tsv", "seqlets.tsv",
                 "pattern_matches.tsv", "patterns.json", "pattern_1.png"):
        assert (out / name).is_file(), name
    assert not list(out.glob(".patterns.*"))  # the scratch arrays are gone

    patterns = read_rows(out / "patterns.tsv")
    first = patterns[0]
    assert first["pattern"] == "pattern_1" and first["sign"] == "+" and first["class"] == "gata"
    assert first["best_match_id"] == "planted" and float(first["best_match_q"]) < 0.05
    assert int(first["seqlets"]) >= 10 and int(first["seqlets_gata"]) >= 0.9 * int(first["seqlets"])
    assert (out / "match_pattern_1.png").is_file()
    signs = [row["sign"] for row in patterns]
    assert signs == sorted(signs, key=lambda sign: sign == "-")  # positive patterns first

    matches = read_rows(out / "pattern_matches.tsv")
    orientation = next(row["Orientation"] for row in matches if row["Query_ID"] == "pattern_1")
    seqlets = [row for row in read_rows(out / "seqlets.tsv") if row["pattern"] == "pattern_1"]
    assert len(seqlets) == int(first["seqlets"])
    on_minus = 0
    for row in seqlets:
        start, minus = sites[row["id"]]
        overlap = min(int(row["end"]), start + len(PLANTED)) - max(int(row["start"]), start)
        assert overlap >= len(PLANTED) // 2, row
        # A site planted as the reverse complement reads as the pattern on the other strand.
        expected = "-" if minus != (orientation == "-") else "+"
        assert row["strand"] == expected, row
        on_minus += minus
    assert on_minus > 0  # reverse-complemented sites were found, on the minus strand

    homer = read_homer(out / "patterns.homer")
    from motifnet.motifs.meme import read_meme

    _, meme = read_meme(out / "patterns.meme")
    assert [motif.name.split("/")[0] for motif, _ in homer] == [motif.name for motif in meme]
    for (motif, _), original in zip(homer, meme):
        np.testing.assert_allclose(motif.pwm, original.pwm, atol=1e-6)

    page = (report / "summary.html").read_text()
    assert "Motifs from attributions (TF-MoDISco)" in page and "modisco/pattern_1.png" in page
    checked = check_in_chromium(report / "summary.html", folder / "chromium")
    assert not checked["broken"] and not checked["errors"]


@pytest.mark.slow
def test_unlabelled_fasta_and_quiet(planted, tmp_path):
    folder, _ = planted
    records = (folder / "gata.fa").read_text().split("\n")[:120]  # 60 records, no labels needed
    fasta = tmp_path / "new.fa"
    fasta.write_text("\n".join(records) + "\n")
    result = CliRunner().invoke(main, ["motifs", str(folder / "run"), str(fasta), "-o", str(tmp_path / "out"),
                                       "--target", "0", "--method", "saliency", "--min-metacluster-size", "5",
                                       "--min-seqlets", "5", "--leiden-runs", "2", "--no-match", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    header = read_rows(tmp_path / "out" / "patterns.tsv")
    columns = (tmp_path / "out" / "patterns.tsv").read_text().splitlines()[0].split("\t")
    assert "seqlets_gata" not in columns  # unlabelled: no per-class counts
    assert all(row["best_match_id"] == "" for row in header)


@pytest.mark.slow
def test_sigint_during_tf_modisco_ends_it_and_leaves_no_scratch_files(planted, tmp_path):
    folder, _ = planted
    out = tmp_path / "out"
    out.mkdir()
    (out / scratch_name("patterns", ".npy", dead_pid())).write_bytes(b"left by a killed run")  # removed by the next run
    (out / ".patterns.keep").write_text("not a name motifnet gives its scratch files")
    live = out / scratch_name("patterns", ".npy", os.getpid())  # another run into the folder, working: kept
    live.write_bytes(b"in use")
    command = [sys.executable, "-m", "motifnet", "motifs", str(folder / "run"), "-o", str(out), "--group", "all",
               "--target", "gata", "--min-metacluster-size", "30", "--min-seqlets", "10", "--no-match"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stderr:  # progress: the line before TF-MoDISco's process starts
            if "TF-MoDISco (modisco-lite)" in line:
                break
        deadline = time.monotonic() + 60
        while not working_on(out) and time.monotonic() < deadline:  # TF-MoDISco's process is running
            time.sleep(0.05)
        assert working_on(out)
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1, rest
    assert "stopped by a signal" in rest and "Traceback" not in rest
    assert sorted(path.name for path in out.glob(".*")) == sorted([".patterns.keep", live.name])
    assert not (out / "patterns.json").exists()
    assert working_on(out) == []


def working_on(out) -> list:
    """Processes of TF-MoDISco working on this folder's arrays (named by their paths), zombies excluded."""
    return [pid for pid in os.listdir("/proc") if pid.isdigit() and "_modisco_process" in _reads(pid)
            and str(out) in _reads(pid) and _state(pid) not in ("Z", "")]


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _reads(pid: str) -> str:
    """A process's command line ('' when it is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline") as handle:
            return handle.read()
    except OSError:
        return ""


@pytest.mark.slow
def test_bed_windows_give_seqlets_at_the_planted_genome_sites(planted, tmp_path):
    folder, _ = planted
    genome = make_genome(tmp_path, motif=PLANTED, sites=20)  # planted on the genome's + strand
    out = tmp_path / "out"
    result = invoke("motifs", folder / "run", genome["bed"], "--genome", genome["genome"], "-o", out,
                    "--target", "gata", "--min-metacluster-size", "5", "--min-seqlets", "5", "--leiden-runs", "2",
                    "--no-match", "--quiet")
    assert result.exit_code == 0, result.output
    header = (out / "seqlets.tsv").read_text().splitlines()[0].split("\t")
    assert header == ["chrom", "start", "end", "strand", "pattern", "contribution", "window"]
    seqlets = [row for row in read_rows(out / "seqlets.tsv") if row["pattern"] == "pattern_1"]
    sites = set(genome["sites"])
    windows = {row["window"][-2] for row in seqlets}
    assert windows == {"+", "-"}  # BED6 lines on both strands: minus-strand windows are reverse-complemented
    on_site = 0
    for row in seqlets:
        chrom, start, end = row["chrom"], int(row["start"]), int(row["end"])
        site = next((s for c, s in sites if c == chrom and min(end, s + len(PLANTED)) - max(start, s) > 0), None)
        if site is not None:
            on_site += min(end, site + len(PLANTED)) - max(start, site) >= len(PLANTED) // 2
    assert on_site >= 0.8 * len(seqlets)
    # every planted site reads the same way on the genome, whichever window strand it was seen on
    assert len({row["strand"] for row in seqlets}) == 1


def test_seqlets_table_maps_window_seqlets_to_the_genome():
    from types import SimpleNamespace

    from motifnet.motifs.modisco import Seqlet
    from motifnet.workflows.patterns import seqlets_table

    pattern = SimpleNamespace(seqlets=[Seqlet(0, 10, 18, "+", 2.5), Seqlet(1, 10, 18, "+", 1.5),
                                       Seqlet(2, 3, 7, "-", 0.5)])
    motif = MemeMotif("pattern_1", "", np.full((8, 4), 0.25), 3)
    ids = ["chr1:100-200(+)", "chr2:100-200(-)", "plain"]
    header, *rows = [line.split("\t") for line in seqlets_table([("a", pattern)], [motif], ids, True).splitlines()]
    assert header == ["chrom", "start", "end", "strand", "pattern", "contribution", "window"]
    assert rows[0][:4] == ["chr1", "110", "118", "+"] and rows[0][-1] == "chr1:100-200(+)"
    assert rows[1][:4] == ["chr2", "182", "190", "-"]  # a minus-strand window: [end - 18, end - 10), other strand
    assert rows[2][:4] == ["plain", "3", "7", "-"] and rows[2][-1] == "NA"
    plain = seqlets_table([("a", pattern)], [motif], ids).splitlines()
    assert plain[0].startswith("id\t") and plain[2].split("\t")[:4] == ["chr2:100-200(-)", "10", "18", "+"]
    # the windows of 100 read by a model of 60 (centre-cropped: 20 bases in), as motifs gives them
    from motifnet.data.windows import window_table
    cropped = window_table(ids, 60, [100, 100, 60])
    header, *rows = [line.split("\t") for line in
                     seqlets_table([("a", pattern)], [motif], ids, True, cropped).splitlines()]
    assert rows[0][:4] == ["chr1", "130", "138", "+"] and rows[1][:4] == ["chr2", "162", "170", "-"]
    assert rows[2][:4] == ["plain", "3", "7", "-"]
    header, *rows = [line.split("\t") for line in
                     seqlets_table([("a", pattern)], [motif], ids, True, None).splitlines()]
    assert rows[0][:4] == ["chr1:100-200(+)", "10", "18", "+"] and rows[0][-1] == "NA"  # no record is a window


RNA_PLANTED = "UGCAUGU"


@pytest.mark.slow
def test_rna_model_gives_an_acgu_pattern_of_the_planted_motif(tmp_path):
    from motifnet.motifs.meme import read_meme

    rng = np.random.default_rng(11)
    length, sites = 100, {}
    records = []
    for i in range(150):
        letters = list(rng.choice(list("ACGU"), size=length))
        start = int(rng.integers(25, length - 25 - len(RNA_PLANTED)))
        letters[start:start + len(RNA_PLANTED)] = RNA_PLANTED
        records.append((f"r{i}", "".join(letters)))
        sites[f"r{i}"] = start
    bound = write_fasta(tmp_path / "bound.fa", records)
    unbound = write_fasta(tmp_path / "unbound.fa",
                          [(f"u{i}", "".join(rng.choice(list("ACGU"), size=length))) for i in range(150)])
    result = invoke("train", bound, unbound, "-o", tmp_path / "run", "--seed", "1", "--quiet",
                    "--param", "conv_num=1", "--param", "kernel_num=8", "--param", "kernel_len=8",
                    "--param", "global_pool=max", "--param", "neuron_num=16", "--param", "epochs=25",
                    "--param", "batch_size=16", "--param", "learning_rate=0.01", "--param", "dropout_input=0",
                    "--param", "dropout_conv=0", "--param", "dropout_dense=0.1")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    result = invoke("motifs", tmp_path / "run", "-o", out, "--group", "all", "--target", "bound",
                    "--min-metacluster-size", "20", "--min-seqlets", "10", "--leiden-runs", "2", "--window", "15",
                    "--flank", "5", "--no-match", "--quiet")
    assert result.exit_code == 0, result.output
    letters, patterns = read_meme(out / "patterns.meme")
    assert letters == "ACGU" and "ALPHABET= ACGU" in (out / "patterns.meme").read_text()
    first = read_rows(out / "patterns.tsv")[0]
    assert first["sign"] == "+" and first["class"] == "bound"
    consensus = "".join("ACGU"[letter] for letter in patterns[0].pwm.argmax(axis=1))
    assert len(consensus) >= 5 and consensus in RNA_PLANTED  # the trimmed core: most of the planted motif
    seqlets = [row for row in read_rows(out / "seqlets.tsv") if row["pattern"] == "pattern_1"]
    planted = [row for row in seqlets if row["id"] in sites]
    # the rest lie on chance copies of the core (CAUGU) in unbound records
    assert len(planted) >= 0.7 * len(seqlets)
    overlaps = [min(int(row["end"]), sites[row["id"]] + len(RNA_PLANTED)) - max(int(row["start"]), sites[row["id"]])
                for row in planted]
    assert sum(overlap >= len(RNA_PLANTED) // 2 for overlap in overlaps) >= 0.9 * len(planted)


def test_pattern_plot_draws_cwm_and_pfm_side_by_side():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motifnet.plot.patterns import contribution_logo_frame, plot_pattern

    cwm = np.zeros((6, 4))
    cwm[2, 0], cwm[3, 2] = 0.8, -0.4
    pfm = np.full((6, 4), 0.25)
    pfm[2] = [1, 0, 0, 0]
    frame = contribution_logo_frame(cwm, "ACGT")
    np.testing.assert_array_equal(frame.to_numpy(), cwm)
    assert list(frame.index) == [1, 2, 3, 4, 5, 6]
    left, right = plot_pattern(cwm, pfm, (2, 4), "ACGT")
    assert left.get_ylabel() == "contribution" and right.get_ylabel() == "bits"
    assert left.get_ylim()[0] < 0 < left.get_ylim()[1]  # a negative contribution goes below the line
    shaded = [patch for patch in left.patches if patch.get_alpha() == 0.45]
    assert len(shaded) == 2  # the trimmed flanks on both sides
    plt.close("all")


def test_a_wide_patterns_figure_shows_its_core_and_five_columns_each_side_numbered_as_in_the_pattern():
    """Drawn whole, a 50-column pattern with a core of 10 came out with letters and labels a few pixels tall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motifnet.plot.patterns import plot_pattern

    cwm = np.zeros((50, 4))
    cwm[20:30, 0] = 0.5
    pfm = np.full((50, 4), 0.25)
    pfm[20:30] = [0.97, 0.01, 0.01, 0.01]
    left, right = plot_pattern(cwm, pfm, (20, 30), "ACGT")
    plt.gcf().canvas.draw()
    for ax in (left, right):
        assert ax.get_xlim()[1] - ax.get_xlim()[0] < 22  # 20 columns shown, not 50
        labels = [int(label.get_text()) for label in ax.get_xticklabels() if label.get_text()]
        assert labels and min(labels) >= 16 and max(labels) <= 35  # columns 16-35 of the pattern (1-based)
        assert ax.get_xlabel() == "position (shaded: trimmed; 30 more not shown)"
        assert len(labels) <= 15  # 20 numbers ran into each other at the report's width
    heights = [patch for patch in left.patches if patch.get_alpha() != 0.45]
    assert heights  # the letters drawn
    plt.close("all")


def test_a_wide_patterns_match_figure_shows_the_columns_its_pattern_figure_shows(monkeypatch):
    """match_pattern_N.png drew all 50 columns of the PFM over a match of 8, its letters a few pixels tall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motifnet.motifs.matching import MotifMatch
    from motifnet.workflows import patterns as workflow

    pfm = np.full((50, 4), 0.25)
    pfm[20:30] = [0.97, 0.01, 0.01, 0.01]
    target = np.tile([0.9, 0.04, 0.03, 0.03], (8, 1))
    # target column 0 faces core column 2, pattern column 22 (0-based)
    match = MotifMatch("pattern_1", "MA0001.1", -2, 1e-6, 1e-4, 1e-3, 8, "AAAAAAAAAA", "AAAAAAAA", "+", "TEST",
                       target)
    figures = []
    monkeypatch.setattr("motifnet.plot.figures.save_figure", lambda figure, path: figures.append(figure))
    workflow._save_match_figure(Path("unused.png"), "pattern_1", SimpleNamespace(pfm=pfm, core=(20, 30)), match,
                                "ACGT")
    [figure] = figures
    top, bottom = figure.axes[:2]
    assert top.get_xlim() == bottom.get_xlim() == (0.5, 20.5)  # columns 16-35 of the pattern, not 50
    labels = [int(label.get_text()) for label in top.get_xticklabels()]
    assert labels == list(range(16, 36))  # numbered as in the pattern and in pattern_N.png
    assert [label.get_text() for label in bottom.get_xticklabels()] == [str(n) for n in range(1, 9)]
    assert top.get_xticks()[22 - 15] == bottom.get_xticks()[0]  # pattern column 23 (1-based) over target column 1
    plt.close("all")


# -- reruns in a folder that holds earlier results ----------------------------------------------------------

EARLIER = {"patterns.json": '{"patterns": [{"image": "pattern_3.png", "match_image": "match_pattern_3.png"}]}',
           "patterns.meme": "earlier", "patterns.homer": "earlier", "pattern_3.png": "x",
           "match_pattern_3.png": "x", "pattern_matches.tsv": "earlier", "notes.txt": "the user's",
           "pattern_3_mine.png": "the user's", "pattern_4.png": "the user's, not listed"}
SHORT = ("--window", "9", "--flank", "3")  # seqlets that fit the shared run's 40 positions


def earlier_results(out: Path) -> Path:
    out.mkdir()
    for name, text in EARLIER.items():
        (out / name).write_text(text)
    return out


def test_stopped_rerun_keeps_the_earlier_results(trained_run, tmp_path, monkeypatch):
    from motifnet._signals import StopRequested
    from motifnet.workflows import patterns

    def stopped(*args):
        raise StopRequested

    monkeypatch.setattr(patterns, "find_patterns_stoppable", stopped)
    out = earlier_results(tmp_path / "out")
    result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--no-match", "--quiet", *SHORT)
    assert result.exit_code == 1 and "stopped by a signal" in result.output, result.output
    assert {path.name: path.read_text() for path in out.iterdir()} == EARLIER


def test_rerun_removes_only_its_own_earlier_files_it_did_not_write_again(trained_run, tmp_path, monkeypatch):
    from motifnet.workflows import patterns

    monkeypatch.setattr(patterns, "find_patterns_stoppable", lambda *args: [])  # a run that finds no pattern
    out = earlier_results(tmp_path / "out")
    result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--no-match", "--quiet", *SHORT)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "pattern_3_mine.png", "pattern_4.png",
                                                            "patterns.json", "patterns.meme", "patterns.tsv",
                                                            "seqlets.tsv"]
    assert (out / "patterns.meme").read_text().startswith("MEME version")


def test_figures_of_motifs_names_that_no_earlier_run_wrote_are_kept(trained_run, tmp_path, monkeypatch):
    """Every pattern_N.png and match_pattern_N.png went, also in a folder motifs had never written to."""
    from motifnet.workflows import patterns

    monkeypatch.setattr(patterns, "find_patterns_stoppable", lambda *args: [])
    out = tmp_path / "mine"
    out.mkdir()
    for name in ("pattern_5.png", "match_pattern_2.png"):
        (out / name).write_text("the user's")
    result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--no-match", "--quiet", *SHORT)
    assert result.exit_code == 0, result.output
    assert (out / "pattern_5.png").read_text() == (out / "match_pattern_2.png").read_text() == "the user's"


@pytest.mark.parametrize("name", ["patterns.meme", "pattern_matches.tsv", "pattern_2.png"])
def test_motif_database_among_the_outputs_is_refused(trained_run, tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    database = out / name
    database.write_text(PLANTED_MEME)
    link = tmp_path / "link.meme"
    link.symlink_to(database)
    for given in (database, link):
        result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--motif-db", given, *SHORT)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"--motif-db {given}: motifnet motifs writes this file in {out}" in result.output
        assert database.read_text() == PLANTED_MEME


def test_output_file_linked_to_the_motif_database_is_refused(trained_run, tmp_path):
    database = tmp_path / "mine.meme"
    database.write_text(PLANTED_MEME)
    out = tmp_path / "out"
    out.mkdir()
    (out / "patterns.meme").symlink_to(database)  # writing the output would go through to the database
    result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--motif-db", database, *SHORT)
    assert result.exit_code == 1 and "motifnet motifs writes this file" in result.output, result.output
    assert database.read_text() == PLANTED_MEME


@pytest.mark.parametrize("name, content", [
    ("patterns.meme", "mine"), ("seqlets.tsv", "mine"), ("patterns.json", '{"tool": "other"}'),
])
def test_a_users_file_of_a_name_motifs_writes_is_refused_before_the_work(trained_run, tmp_path, name, content):
    """A folder without a patterns.json of motifnet's: the user's patterns.meme, patterns.tsv or seqlets.tsv were
    replaced with exit 0."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text(content)
    result = invoke("motifs", trained_run[0], "-o", out, "--group", "all", "--no-match", *SHORT)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"-o {out}: holds {name}, which this motifs run writes, but no patterns.json of motifnet's; nothing was "
            f"written: choose another folder, "
            f"or move {name} away") in result.output
    assert sorted(path.name for path in out.iterdir()) == [name] and (out / name).read_text() == content


def test_a_rerun_keeps_a_motif_file_of_a_format_the_earlier_run_did_not_write(trained_run, tmp_path, monkeypatch):
    """A rerun removed the user's patterns.jaspar beside a run that wrote MEME only: every format's file was taken
    for the earlier run's. patterns.json now lists the run's files."""
    from motifnet.workflows import patterns

    monkeypatch.setattr(patterns, "find_patterns_stoppable", lambda *args: [])
    out = tmp_path / "out"
    args = ("motifs", trained_run[0], "-o", out, "--group", "all", "--no-match", "--quiet", *SHORT)
    assert invoke(*args).exit_code == 0
    assert json.loads((out / "patterns.json").read_text())["files"] == ["patterns.json", "patterns.meme",
                                                                         "patterns.tsv", "seqlets.tsv"]
    (out / "patterns.jaspar").write_text("my JASPAR library")
    assert invoke(*args).exit_code == 0
    assert (out / "patterns.jaspar").read_text() == "my JASPAR library"


def test_a_users_figure_of_a_name_this_run_draws_is_refused(tmp_path):
    """A user's pattern_1.png in a new folder was replaced by the run's figure (attribute refuses the like)."""
    from motifnet.errors import ParamError
    from motifnet.workflows.patterns import _refuse_users_files

    (tmp_path / "pattern_1.png").write_text("mine")
    with pytest.raises(ParamError) as refused:
        _refuse_users_files(tmp_path, {"pattern_1.png", "patterns.meme"}, None)
    assert str(refused.value) == (f"-o {tmp_path}: holds pattern_1.png, which this motifs run writes, but no "
                                  "patterns.json; nothing was written: choose another folder, or move pattern_1.png "
                                  "away")
    with pytest.raises(ParamError, match="but the patterns.json there does not list it as its run's"):
        _refuse_users_files(tmp_path, {"pattern_1.png", "patterns.meme"}, ["patterns.meme"])
    _refuse_users_files(tmp_path, {"pattern_1.png", "patterns.meme"}, ["pattern_1.png"])  # the earlier run's


def test_a_palindromic_site_found_on_both_strands_is_one_seqlet():
    """modisco-lite may hold a palindrome's site twice, as seqlets of windows shifted so that their trimmed cores
    coincide, one of each orientation: seqlets.tsv listed the site twice and the counts held it twice."""
    from types import SimpleNamespace

    from motifnet.motifs.modisco import _pattern

    cwm = np.zeros((6, 4))
    cwm[1:5] = 1.0  # core: columns 1 to 5
    one_hot = np.zeros((2, 20, 4))
    one_hot[:, :, 0] = 1.0
    found = SimpleNamespace(contrib_scores=cwm, sequence=np.ones((6, 4)), hypothetical_contribs=cwm, seqlets=[
        SimpleNamespace(example_idx=0, start=4, end=10, is_revcomp=False),  # core 5-9
        SimpleNamespace(example_idx=0, start=4, end=10, is_revcomp=True),  # core 5-9 read backwards: the same site
        SimpleNamespace(example_idx=0, start=3, end=9, is_revcomp=True),  # core 4-8: another place
        SimpleNamespace(example_idx=1, start=4, end=10, is_revcomp=False)])
    pattern = _pattern(found, 1, 0, 0.3, one_hot, one_hot)
    assert [(seqlet.record, seqlet.start, seqlet.end, seqlet.strand) for seqlet in pattern.seqlets] == [
        (0, 5, 9, "+"), (0, 4, 8, "-"), (1, 5, 9, "+")]


def test_a_regression_models_target_is_named_a_target_not_a_class(regression_run, tmp_path):
    """The log lines named a regression target 'class gata_count'."""
    run_dir, _, _ = regression_run
    unknown = write_fasta(tmp_path / "n.fa", [(f"n{i}", "N" * 40) for i in range(30)])
    result, warnings = _small_windows(run_dir, unknown, tmp_path / "out")
    assert warnings == ["warning: target gata_count: the records hold no letter of ACGT (N alone), so TF-MoDISco "
                        "has no seqlets to find"], result.output
