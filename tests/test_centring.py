"""motifnet.data.centring and preset auto: windows centred on a site told from motifs that lie anywhere."""

import dataclasses
import json
import logging
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import PUMILIO, rna_windows, two_class_files, write_fasta
from scipy.stats import chi2

from motifnet.data.centring import _no_three_way_fit, letter_table, position_test, position_tests
from motifnet.data.dataset import load_dataset
from motifnet.model.params import PRESETS, auto_preset, resolve, resolve_kernel_len
from motifnet.run.presets import choose_preset
from motifnet.run.training import TrainConfig, train

# Codes of a two-letter alphabet: 0 padding, 1 'A', 2 'B'.
TABLE = np.array([[0, 0], [1, 0], [0, 1]])
INSIDE = np.array([True, True, False, False])


def test_a_class_whose_letters_trade_places_along_the_window_gives_the_textbook_g_squared():
    # In the class A then B, in the others B then A: every two-way margin is flat, so the fit without a
    # three-way interaction is 2 in each of the 8 cells; 4 cells hold 4, 4 hold 0: G² = 2 x 4 x 4 ln(4/2) = 32 ln 2.
    codes = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [2, 2, 1, 1], [2, 2, 1, 1]])
    test = position_test(codes, INSIDE, TABLE, "in", bins=2)
    assert (test.dof, test.records) == (1, 2)
    assert test.statistic == pytest.approx(32 * np.log(2))
    assert test.p_value == pytest.approx(chi2.sf(32 * np.log(2), 1))
    assert test.effect == pytest.approx(np.sqrt(32 * np.log(2) / 16))


def test_a_class_that_differs_alike_everywhere_or_letters_that_change_alike_in_every_class_give_zero():
    # The class is A-rich at both ends, the others B-rich: a class effect, not a positional one.
    alike = np.array([[1, 1, 1, 2], [1, 2, 1, 1], [2, 2, 2, 1], [2, 1, 2, 2]])
    assert position_test(alike, INSIDE, TABLE, "in", bins=2).statistic == pytest.approx(0, abs=1e-9)
    # Every record A then B (a fixed adapter, or padding): a positional effect shared by all classes.
    shared = np.array([[1, 1, 2, 2]] * 4)
    test = position_test(shared, INSIDE, TABLE, "in", bins=2)
    assert test.statistic == pytest.approx(0, abs=1e-9) and not test.positional


def test_the_fit_keeps_every_two_way_margin_and_has_no_three_way_interaction():
    observed = np.random.default_rng(1).integers(1, 50, size=(2, 3, 4)).astype(float)
    fitted = _no_three_way_fit(observed)
    for axis in (0, 1, 2):
        np.testing.assert_allclose(fitted.sum(axis=axis), observed.sum(axis=axis), rtol=1e-7)
    # No three-way interaction: the odds ratios of (class, letter) are the same in every stretch.
    ratios = np.log(fitted[0] / fitted[1])
    ratios -= ratios[:, :1]
    np.testing.assert_allclose(ratios, np.broadcast_to(ratios[:1], ratios.shape), atol=1e-6)


def test_padding_ambiguity_codes_and_structure_letters_are_not_counted():
    from motifnet.data.alphabets import RNA, Alphabet
    from motifnet.data.encoding import Encoder

    table = letter_table(Encoder(RNA, 10))
    codes = {symbol: code for code, symbol in enumerate(RNA.symbols, start=1)}
    assert table.shape == (len(RNA.symbols) + 1, 4) and not table[0].any() and not table[codes["N"]].any()
    assert list(table[codes["G"]]) == [0, 0, 1, 0]
    # Sequence and structure letters together: the structure letter is summed out.
    joint = Encoder(RNA, 10, structure=Alphabet("custom", "().", {}), structure_mode="letters")
    table = letter_table(joint)
    assert table.shape == (len(joint.code_table), 4)
    assert {tuple(row) for row in table if row.any()} == {(1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)}


def test_windows_shorter_than_the_stretches_or_an_empty_side_give_no_test():
    assert position_test(np.array([[1, 2], [2, 1]]), np.array([True, False]), TABLE, "in", bins=1).dof == 0
    assert position_test(np.array([[1, 2], [2, 1]]), np.array([True, True]), TABLE, "in").p_value == 1.0


@pytest.fixture(scope="module")
def rna_sets(tmp_path_factory):
    """Per kind (centred, anywhere): a class carrying the Pumilio element and a plain one, 300 x 100 nt each."""
    folder = tmp_path_factory.mktemp("centring")
    rng = np.random.default_rng(3)
    return {kind: two_class_files(folder, rng, kind) for kind in ("centred", "anywhere")}


def test_an_element_at_the_centre_is_found_and_one_anywhere_is_not(rna_sets):
    centred = position_tests(load_dataset(rna_sets["centred"]))
    assert [test.group for test in centred] == ["centred_bound", "centred_plain"]
    assert all(test.positional for test in centred)  # two classes: each against the other, the same test
    assert centred[0].statistic == pytest.approx(centred[1].statistic)
    assert centred[0].effect > 0.03 and centred[0].p_value < 1e-20
    assert centred[0].describe().startswith("centred_bound against the other records: G² ")
    assert dataclasses.replace(centred[0], p_value=0.0).describe().endswith(", p < 1e-300, effect "
                                                                             f"{centred[0].effect:.3f}")
    anywhere = position_tests(load_dataset(rna_sets["anywhere"]))
    assert not any(test.positional for test in anywhere)
    assert min(test.p_value for test in anywhere) > 1e-3


def test_fixed_flanks_and_n_padding_shared_by_the_classes_do_not_make_windows_centred(tmp_path):
    rng = np.random.default_rng(5)
    # An adapter on both sides of a random region, the element anywhere in it (SELEX- or RNAcompete-like).
    flanked = two_class_files(tmp_path, rng, "anywhere", length=40, flanks="GGGAGACAAG")
    assert not any(test.positional for test in position_tests(load_dataset(flanked)))
    # Records of 50 to 100 letters, padded on the right with N to 100: N is not a letter.
    files = []
    for name, weights in (("au", [0.3, 0.2, 0.2, 0.3]), ("gc", [0.2, 0.3, 0.3, 0.2])):
        records = []
        for i in range(300):
            size = int(rng.integers(50, 101))
            records.append((f"{name}{i}", "".join(rng.choice(list("ACGU"), size, p=weights)) + "N" * (100 - size)))
        files.append(str(write_fasta(tmp_path / f"{name}.fa", records)))
    tests = position_tests(load_dataset(files))
    assert not any(test.positional for test in tests), [test.describe() for test in tests]


def test_regression_compares_the_records_above_the_median_with_the_others(tmp_path):
    rng = np.random.default_rng(0)
    records = []
    for i in range(400):
        high = i % 2 == 0
        name, sequence = rna_windows(rng, 1, 60, PUMILIO if high else None, True, f"r{i}_")[0]
        records.append((f"{name} {rng.normal(3 if high else 0):.3f}", sequence))
    dataset = load_dataset([str(write_fasta(tmp_path / "r.fa", records))], task="regression")
    tests = position_tests(dataset)
    assert [(test.group, test.records) for test in tests] == [(f"{dataset.target_names[0]} above its median", 200)]
    assert tests[0].positional
    # Only the records asked for are read (training reads its training split).
    assert position_tests(dataset, np.arange(100))[0].records == 50


def test_auto_takes_centred_for_centred_rna_only():
    assert auto_preset(rna=True, centred=True) == "centred"
    assert auto_preset(rna=True, centred=False) == "motifnet"
    assert auto_preset(rna=False, centred=True) == "motifnet"  # DNA keeps the network that reads both strands
    assert PRESETS["centred"] == {**PRESETS["pysster"], "kernel_len": 8}


def test_the_choice_reads_the_input_and_a_named_preset_is_kept(rna_sets, tmp_path):
    def choose(preset, files):
        chosen, params, why = choose_preset(preset, {}, load_dataset(files), None)
        assert params == resolve_kernel_len(resolve(None, chosen), 4)
        return chosen, why

    chosen, why = choose(None, rna_sets["centred"])
    assert chosen == "centred" and why["asked"] == "auto"
    assert why["reason"].startswith("RNA windows in which a class differs from the other records by position "
                                    "(centred_bound against the other records: G² ")
    assert [test["positional"] for test in why["position_tests"]] == [True, True]
    chosen, why = choose("auto", rna_sets["anywhere"])
    assert chosen == "motifnet" and why["reason"].startswith("RNA windows in which no class differs")
    assert why["reason"].endswith("; a class differs where p < 1e-06 and effect >= 0.01)")  # the threshold not met
    assert choose("pysster", rna_sets["centred"]) == ("pysster", None)
    # The same letters read as DNA (T for U) keep motifnet's network, untested.
    dna = [str(write_fasta(tmp_path / f"{i}.fa", [(line[1:], seq.replace("U", "T")) for line, seq in zip(
        *[iter(Path(path).read_text().split())] * 2)])) for i, path in enumerate(rna_sets["centred"])]
    assert choose("auto", dna) == ("motifnet", {"asked": "auto", "position_tests": [],
                                                "reason": "DNA input (auto takes centred for RNA windows only)"})


def test_centred_windows_too_short_for_the_centred_network_get_motifnet(tmp_path):
    files = two_class_files(tmp_path, np.random.default_rng(2), "centred", length=20)
    chosen, params, why = choose_preset(None, {}, load_dataset(files), None)
    assert chosen == "motifnet" and params["global_pool"] == "max"
    assert why["reason"].endswith(", but centred's network does not fit windows of 20")
    assert why["position_tests"][0]["positional"]


def test_windows_too_short_for_either_network_get_motifnets_error(tmp_path):
    from motifnet.errors import WindowTooShortError

    files = two_class_files(tmp_path, np.random.default_rng(2), "centred", length=20)
    # It named centred's network; the fix (shorter kernels) is the one of motifnet's, which auto falls back to.
    with pytest.raises(WindowTooShortError, match=r"^the network shrinks the sequence to nothing \(input 20 -> "
                                                  r"conv_1 0\); .*\(preset auto took motifnet for RNA windows in "
                                                  r"which a class differs .*, but centred's network does not fit "
                                                  r"windows of 20\)$"):
        choose_preset(None, {"kernel_len": 21}, load_dataset(files), None)


def test_a_run_of_preset_auto_records_the_preset_taken_and_why(rna_sets, tmp_path, caplog):
    from motifnet.report.summary import render_report
    from motifnet.run.info import describe_run
    from motifnet.run.rundir import open_run

    run_dir = tmp_path / "run"
    with caplog.at_level(logging.INFO, logger="motifnet"):
        train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), {"epochs": 1, "kernel_num": 4}, seed=1))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["preset"] == "centred"
    assert meta["params"]["kernel_len"] == 8 and meta["params"]["conv_num"] == 2 and meta["params"]["kernel_num"] == 4
    assert meta["preset_choice"]["reason"].startswith("RNA windows in which a class differs")
    assert any(message.startswith("preset auto: centred, for RNA windows") for message in caplog.messages)
    assert "parameters (preset centred, chosen by preset auto for RNA windows" in describe_run(open_run(run_dir))
    page = render_report(tmp_path / "report", run=open_run(run_dir)).read_text()
    assert ("preset <code>centred</code>, chosen by preset auto for RNA windows in which a class differs from the "
            "other records by position (centred_bound against the other records: G² ") in page


def test_an_override_only_motifnet_takes_makes_auto_take_motifnet_and_say_why(rna_sets, tmp_path):
    run_dir = tmp_path / "run"
    # position_bins belongs to motifnet's global pooling; centred input alone would make auto take centred.
    train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), {"position_bins": 4, "epochs": 1,
                                                                         "kernel_num": 4}, seed=1))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert (meta["preset"], meta["params"]["position_bins"]) == ("motifnet", 4)
    assert re.fullmatch(r"RNA windows in which a class differs from the other records by position \(centred_bound "
                        r"against [^()]*\), but centred does not take --param position_bins=4",
                        meta["preset_choice"]["reason"])


def test_the_reason_names_the_param_values_a_preset_refuses():
    from motifnet.run.presets import refused_overrides

    # Only position_bins is to blame (centred's pooling has no position weights); kernel_num is taken.
    assert refused_overrides({"kernel_num": 4, "position_bins": 4}, "centred") == "--param position_bins=4"
    # Together only: both are named.
    assert refused_overrides({"conv_num": 3, "kernel_len": "8,8"}, "centred") == \
        "--param conv_num=3 --param kernel_len=8,8"


def test_an_override_no_preset_of_auto_takes_says_which_preset_auto_took(rna_sets, tmp_path):
    from motifnet.errors import ParamError

    run_dir = tmp_path / "run"
    # Three kernel lengths: centred has two conv layers, motifnet one; the error is the one of centred,
    # the preset the input called for.
    with pytest.raises(ParamError, match=r"kernel_len has 3 values but conv_num is 2; .* \(preset auto took "
                                         r"centred for RNA windows in which a class differs from the other records "
                                         r"by position \(centred_bound against .*; --preset names another\)$"):
        train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), {"kernel_len": "8,8,8"}, seed=1))
    assert not run_dir.exists()
    with pytest.raises(ParamError, match=r"\(preset auto took motifnet for RNA windows in which no class differs"):
        train(load_dataset(rna_sets["anywhere"]), TrainConfig(str(run_dir), {"kernel_len": "8,8,8"}, seed=1))
    assert not run_dir.exists()


def test_resuming_a_run_of_another_preset_names_the_preset_to_keep(rna_sets, tmp_path):
    """A run begun with preset motifnet (or before auto chose by the input) is not continued as centred."""
    from motifnet.errors import ParamError

    run_dir = tmp_path / "run"
    params = {"epochs": 1, "kernel_num": 4}
    train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), params, seed=1, preset="motifnet"))
    with pytest.raises(ParamError, match=r"preset: 'motifnet' -> 'centred'; params: conv_num 1 -> 2, .*; run the "
                                         r"command of the run \(to keep the run's parameters: --preset motifnet\), "):
        train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), params, seed=1, resume=True))
    # The run's preset named: the complete run is left as it is.
    train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), params, seed=1, resume=True, preset="motifnet"))
    assert json.loads((run_dir / "motifnet.json").read_text())["preset"] == "motifnet"
    # A --param of the run's own is hinted beside the preset, one that only the preset set is not.
    other = tmp_path / "other"
    train(load_dataset(rna_sets["centred"]), TrainConfig(str(other), params, seed=1, preset="motifnet"))
    with pytest.raises(ParamError, match=r"\(to keep the run's parameters: --preset motifnet --param kernel_num=4\), "):
        train(load_dataset(rna_sets["centred"]), TrainConfig(str(other), {**params, "kernel_num": 5}, seed=1,
                                                              resume=True))


def test_the_command_line_trains_and_searches_with_preset_auto_unless_told(rna_sets, cli, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("train", *rna_sets["centred"], "--param", "epochs=1", "--param", "kernel_num=4", "--seed", "1",
                 "-o", run_dir)
    assert result.exit_code == 0, result.output
    assert json.loads((run_dir / "motifnet.json").read_text())["preset"] == "centred"
    assert "[default: auto]" in cli("train", "--help").output
    assert "[default: auto]" in cli("grid-search", "--help").output
    result = cli("grid-search", *rna_sets["centred"], "--grid", tmp_path / "grid.json", "--preset", "best",
                 "-o", tmp_path / "search")
    assert result.exit_code == 2 and "'best' is not one of 'auto', 'motifnet', 'centred', 'pysster'" in result.output
