"""motifnet.data.centring and preset auto: windows centred on a site told from motifs that lie anywhere."""

import json
import logging

import numpy as np
import pytest
from helpers import write_fasta
from scipy.stats import chi2

from motifnet.data.centring import position_test, position_tests
from motifnet.data.dataset import load_dataset
from motifnet.model.params import PRESETS, auto_preset
from motifnet.run.training import TrainConfig, _choose_preset, train

# Codes of a two-letter alphabet: 0 padding, 1 'A', 2 'B', 3 either (an ambiguity code).
TABLE = np.array([[0, 0], [1, 0], [0, 1], [0.5, 0.5]])
PUMILIO = "UGUAAAUA"


def test_letters_that_change_between_stretches_give_the_textbook_chi_square():
    # Stretch 1: A 4, B 0; stretch 2: A 0, B 4; every expected count 2: chi-square 4 x (2^2 / 2) = 8 on 1 df.
    test = position_test(np.array([[1, 1, 2, 2], [1, 1, 2, 2]]), TABLE, bins=2)
    assert (test.statistic, test.dof, test.records) == (8.0, 1, 2)
    assert test.p_value == pytest.approx(chi2.sf(8, 1)) == pytest.approx(0.004678, rel=1e-3)
    assert test.effect == pytest.approx(1.0)  # each stretch holds letters of its own


def test_the_same_composition_everywhere_gives_zero():
    test = position_test(np.array([[1, 2, 1, 2], [2, 1, 2, 1]]), TABLE, bins=2)
    assert (test.statistic, test.effect, test.p_value) == (0.0, 0.0, 1.0)
    assert not test.positional


def test_padding_is_not_counted_and_an_ambiguity_code_counts_as_its_share():
    padded = position_test(np.array([[1, 1, 2, 2, 0, 0], [1, 1, 2, 2, 0, 0]]), TABLE, bins=3)
    assert (padded.statistic, padded.dof) == (8.0, 1)  # the empty third stretch drops out
    # 'either' in stretch 2 adds half an A and half a B there: A 2 / 0.5, B 0 / 1.5 -> chi-square 2.4 (by hand).
    shared = position_test(np.array([[1, 1, 2, 3]]), TABLE, bins=2)
    assert shared.statistic == pytest.approx(2.4)


def test_one_stretch_or_one_letter_gives_no_test():
    assert position_test(np.array([[1, 1, 1, 1]]), TABLE, bins=2).dof == 0
    assert position_test(np.array([[1, 2, 1, 2]]), TABLE, bins=1).p_value == 1.0


def rna_windows(rng, n: int, length: int, motif: str | None, centred: bool, prefix: str = "r") -> list:
    """Random RNA of ``length``; ``motif`` at the centre (+-3), or anywhere, in each record."""
    records = []
    for i in range(n):
        letters = list(rng.choice(list("ACGU"), length))
        if motif:
            middle = (length - len(motif)) // 2
            start = middle + int(rng.integers(-3, 4)) if centred else int(rng.integers(0, length - len(motif) + 1))
            letters[start:start + len(motif)] = motif
        records.append((f"{prefix}{i}", "".join(letters)))
    return records


@pytest.fixture(scope="module")
def rna_sets(tmp_path_factory):
    """Per kind (centred, anywhere): a class carrying the Pumilio element and a plain one, 300 x 100 nt each."""
    folder = tmp_path_factory.mktemp("centring")
    rng = np.random.default_rng(3)
    sets = {}
    for kind in ("centred", "anywhere"):
        sets[kind] = [str(write_fasta(folder / f"{kind}_bound.fa", rna_windows(rng, 300, 100, PUMILIO,
                                                                                kind == "centred", "b"))),
                      str(write_fasta(folder / f"{kind}_plain.fa", rna_windows(rng, 300, 100, None, False, "p")))]
    return sets


def test_an_element_at_the_centre_is_found_and_one_anywhere_is_not(rna_sets):
    centred = position_tests(load_dataset(rna_sets["centred"]))
    assert [test.group for test in centred] == ["centred_bound", "centred_plain"]
    assert [test.positional for test in centred] == [True, False]
    assert centred[0].effect > 0.05 and centred[0].p_value < 1e-20
    anywhere = position_tests(load_dataset(rna_sets["anywhere"]))
    assert not any(test.positional for test in anywhere)
    assert min(test.p_value for test in anywhere) > 1e-3


def test_regression_is_tested_once_over_all_records(tmp_path):
    rng = np.random.default_rng(0)
    records = [(f"{name} {rng.normal():.3f}", sequence) for name, sequence in rna_windows(rng, 40, 30, None, False)]
    tests = position_tests(load_dataset([str(write_fasta(tmp_path / "r.fa", records))], task="regression"))
    assert [(test.group, test.records) for test in tests] == [("all records", 40)]


def test_auto_takes_centred_for_centred_rna_only():
    assert auto_preset(rna=True, centred=True) == "centred"
    assert auto_preset(rna=True, centred=False) == "motifnet"
    assert auto_preset(rna=False, centred=True) == "motifnet"  # DNA keeps the network that reads both strands
    assert PRESETS["centred"] == {**PRESETS["pysster"], "kernel_len": 8}


def test_the_choice_reads_the_input_and_a_named_preset_is_kept(rna_sets, tmp_path):
    chosen, why = _choose_preset(None, load_dataset(rna_sets["centred"]))
    assert chosen == "centred" and why["asked"] == "auto"
    assert why["reason"].startswith("RNA windows whose composition changes along the window (centred_bound: ")
    assert [test["positional"] for test in why["position_tests"]] == [True, False]
    assert _choose_preset("auto", load_dataset(rna_sets["anywhere"]))[0] == "motifnet"
    assert _choose_preset("pysster", load_dataset(rna_sets["centred"])) == ("pysster", None)
    # The same letters read as DNA (T for U) keep motifnet's network.
    dna = [str(write_fasta(tmp_path / f"{i}.fa", [(line[1:], seq.replace("U", "T")) for line, seq in zip(
        *[iter(open(path).read().split())] * 2)])) for i, path in enumerate(rna_sets["centred"])]
    chosen, why = _choose_preset("auto", load_dataset(dna))
    assert chosen == "motifnet" and why["reason"].startswith("DNA windows whose composition changes")


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
    assert meta["preset_choice"]["reason"].startswith("RNA windows whose composition changes")
    assert any(message.startswith("preset auto: centred, for RNA windows") for message in caplog.messages)
    assert "parameters (preset centred, chosen by preset auto for RNA windows" in describe_run(open_run(run_dir))
    page = render_report(tmp_path / "report", run=open_run(run_dir)).read_text()
    assert ("preset <code>centred</code>, chosen by preset auto for RNA windows whose composition changes along "
            "the window (centred_bound: chi-square") in page


def test_an_override_the_preset_taken_refuses_says_which_preset_auto_took(rna_sets, tmp_path):
    from motifnet.errors import ParamError

    run_dir = tmp_path / "run"
    # position_bins belongs to motifnet's global pooling; the centred input makes auto take centred.
    with pytest.raises(ParamError, match=r"position_bins=4 needs global_pool.* \(preset auto took centred for RNA "
                                         r"windows whose composition changes along the window \(centred_bound: .*"
                                         r"; --preset names another\)$"):
        train(load_dataset(rna_sets["centred"]), TrainConfig(str(run_dir), {"position_bins": 4}, seed=1))
    assert not run_dir.exists()
    # The same override on input whose motifs lie anywhere: auto takes motifnet, which accepts it.
    train(load_dataset(rna_sets["anywhere"]), TrainConfig(str(run_dir), {"position_bins": 4, "epochs": 1,
                                                                          "kernel_num": 4}, seed=1))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert (meta["preset"], meta["params"]["position_bins"]) == ("motifnet", 4)
    assert meta["preset_choice"]["reason"].startswith("RNA windows whose composition does not change")


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
