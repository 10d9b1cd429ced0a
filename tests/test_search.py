"""grid-search: grid files, trial ids and seeds, results.tsv, folds, clusters, and searches on Dask."""

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import random_dna, write_fasta

from motifnet.data.dataset import load_dataset
from motifnet.data.options import DataOptions
from motifnet.errors import MotifnetError, ParamError
from motifnet.model.params import PRESETS, to_json
from motifnet.search._results import ResultsFile, parse_row, rank, result_row
from motifnet.search._space import check_grid, expand_grid, load_grid, trial_id, trial_seed
from motifnet.search.grid import RESULTS, SearchConfig, _prepare_folder, _settings, pinned_values, run_search

FIXED = ["--param", "conv_num=1", "--param", "neuron_num=8", "--param", "epochs=2", "--param", "batch_size=16",
         "--param", "dropout_input=0", "--param", "dropout_conv=0"]
FIXED_PARAMS = {"conv_num": 1, "neuron_num": 8, "epochs": 2, "batch_size": 16, "dropout_input": 0.0,
                "dropout_conv": 0.0}
GRID = {"kernel_num": [4, 8], "kernel_len": [5, 9]}


def small_data(folder: Path):
    """Two classes of 60 records of length 40; class 'motif' carries GGATCC."""
    rng = np.random.default_rng(7)
    a = write_fasta(folder / "motif.fa", [(f"m{i}", s) for i, s in enumerate(random_dna(rng, 60, 40, "GGATCC"))])
    b = write_fasta(folder / "plain.fa", [(f"p{i}", s) for i, s in enumerate(random_dna(rng, 60, 40))])
    return [a, b]


def results_table(folder: Path) -> dict:
    lines = (folder / RESULTS).read_text().splitlines()
    header = lines[0].split("\t")
    return {cells[0]: dict(zip(header, cells)) for cells in (line.split("\t") for line in lines[1:])}


# ---------------------------------------------------------------------------------------- grids


def test_grid_values_are_converted_like_param_and_tuples_have_one_canonical_form(tmp_path):
    path = tmp_path / "grid.json"
    path.write_text(json.dumps({"kernel_num": [10, "20"], "dense_num": [2],
                                "neuron_num": [[300, 100], "100,30"], "rnn_type": [None, "lstm"]}))
    grid = load_grid(path)
    assert grid == {"kernel_num": [10, 20], "dense_num": [2], "neuron_num": [(300, 100), (100, 30)],
                    "rnn_type": [None, "LSTM"]}
    as_list = expand_grid({"neuron_num": [[300, 100]]}, {}, 1)[0]
    as_text = expand_grid(check_grid({"neuron_num": ["300,100"]}), {}, 1)[0]
    assert as_list.id == as_text.id == hashlib.sha256(b'{"neuron_num":[300,100]}').hexdigest()[:12]


def test_grid_and_parameter_files_with_a_byte_order_mark_are_read(tmp_path):
    """As Windows editors save JSON; BED, VCF, MEME and feature files already took one."""
    from motifnet.model.params import load_params_file

    (tmp_path / "grid.json").write_bytes(b'\xef\xbb\xbf{"kernel_num": [4, 8]}')
    (tmp_path / "params.json").write_bytes(b'\xef\xbb\xbf{"kernel_num": 4}')
    assert load_grid(tmp_path / "grid.json") == {"kernel_num": [4, 8]}
    assert load_params_file(tmp_path / "params.json") == {"kernel_num": 4}


def test_expansion_order_ids_and_seeds_do_not_depend_on_scheduling_or_key_order():
    trials = expand_grid({"kernel_num": [4, 8], "kernel_len": [5, 9, 13]}, {"epochs": 2}, seed=5)
    assert [t.number for t in trials] == [1, 2, 3, 4, 5, 6]
    assert [(t.values["kernel_num"], t.values["kernel_len"]) for t in trials] == [
        (4, 5), (4, 9), (4, 13), (8, 5), (8, 9), (8, 13)]
    assert len({t.id for t in trials}) == 6 and len({t.seed for t in trials}) == 6
    assert trials[0].params == {"epochs": 2, "kernel_num": 4, "kernel_len": 5}
    swapped = expand_grid({"kernel_len": [13, 9, 5], "kernel_num": [8, 4]}, {"epochs": 2}, seed=5)
    assert {t.id: t.seed for t in swapped} == {t.id: t.seed for t in trials}
    digest = hashlib.sha256(b'5\n{"epochs":2,"kernel_len":5,"kernel_num":4}').digest()
    assert trials[0].seed == int.from_bytes(digest[:4], "big") % 2**31 == trial_seed(5, trials[0].params)
    other_seed = expand_grid({"kernel_num": [4, 8], "kernel_len": [5, 9, 13]}, {"epochs": 2}, seed=6)
    assert [t.id for t in other_seed] == [t.id for t in trials]
    assert all(a.seed != b.seed for a, b in zip(other_seed, trials))
    assert trial_id({"kernel_num": 4, "epochs": 2}) == trial_id({"epochs": 2, "kernel_num": 4})


def test_the_grid_replaces_fixed_parameters_of_the_same_name():
    trials = expand_grid({"kernel_num": [4, 8]}, {"kernel_num": 30, "epochs": 2}, seed=1)
    assert [t.params for t in trials] == [{"epochs": 2, "kernel_num": 4}, {"epochs": 2, "kernel_num": 8}]


GRID_ERRORS = [
    ('{"kernel_nums": [4, 8]}', "unknown parameter 'kernel_nums' (did you mean 'kernel_num'?)"),
    ('[{"kernel_num": [4]}]', "expected a JSON object mapping parameter names to lists of values"),
    ('{}', "the grid is empty"),
    ('{"kernel_num": []}', "parameter kernel_num has an empty list of values"),
    ('{"kernel_num": 8}', "parameter kernel_num needs a list of values to try (e.g. [8]), received: 8"),
    ('{"kernel_num": [4, -1]}', "parameter kernel_num expects an integer from 1 to 10,000"),
    ('{"kernel_num": [4, "4"]}', "parameter kernel_num lists the value 4 twice"),
    ('{"conv_num": [[1, 2]]}', "parameter conv_num takes a single value"),
    ('{"kernel_num": [4,', "not a JSON grid file"),
    ('{"kernel_num": [4], "kernel_num": [8]}', "not a JSON grid file (kernel_num given more than once in one "
                                               "object)"),  # only [8] was tried, without a word
]


@pytest.mark.parametrize("text, message", GRID_ERRORS)
def test_grid_file_errors_are_one_line_cli_errors(cli, tmp_path, text, message):
    fasta = small_data(tmp_path)
    grid = tmp_path / "grid.json"
    grid.write_text(text)
    result = cli("grid-search", *fasta, "-o", tmp_path / "search", "--grid", grid)
    assert result.exit_code == 1
    assert f"Error: {grid}: " in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "search").exists()


CLI_ERRORS = [
    (["--grid", "missing.json"], "missing.json: no such grid file"),
    (["--queue", "short"], "--queue applies only to batch jobs: add --slurm or --pbs"),
    (["--scheduler", "tcp://127.0.0.1:1", "--slurm"], "--scheduler and --slurm exclude each other"),
    (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "with --scheduler the cluster already has its workers"),
    (["--param", "kernel_nm=3"], "unknown parameter 'kernel_nm'"),
    (["--split", "0.9,0.3"], "--split fractions must be above 0 and sum to at most 1"),
]


@pytest.mark.parametrize("arguments, message", CLI_ERRORS)
def test_bad_search_options_are_refused_before_anything_starts(cli, tmp_path, monkeypatch, arguments, message):
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    monkeypatch.chdir(tmp_path)
    options = arguments if "--grid" in arguments else ["--grid", "grid.json", *arguments]
    result = cli("grid-search", *fasta, "-o", tmp_path / "search", *options)
    assert result.exit_code in (1, 2)
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "search").exists()


def test_a_signal_after_the_searchs_last_safe_point_says_the_search_finished(cli, tmp_path, monkeypatch):
    """A SIGTERM as the search wrote its last files said 'stopping at the next safe point', then exited 0 without
    the word train gives: the outputs are complete."""
    from types import SimpleNamespace

    from motifnet._signals import request_stop

    def late_signal(config, cluster):
        request_stop()  # as the handler does, once no safe point is left
        return SimpleNamespace(summary=tmp_path / "search" / "summary.html")

    monkeypatch.setattr("motifnet.search.grid.run_search", late_signal)
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    result = cli("grid-search", *fasta, "-o", tmp_path / "search", "--grid", tmp_path / "grid.json")
    assert result.exit_code == 0, result.output
    assert "warning: finished before the next safe point: the outputs are complete" in result.stderr
    assert result.stdout.strip() == str(tmp_path / "search" / "summary.html")


@pytest.mark.parametrize("output", ["new/search", "empty"])
def test_a_search_refused_for_its_data_leaves_no_search_behind(cli, tmp_path, output):
    """The data are read on a worker, after the folder is prepared: a refusal removes what the search wrote."""
    fasta = small_data(tmp_path)
    bad = tmp_path / "bad.fa"
    bad.write_text("hello world\n")
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    (tmp_path / "empty").mkdir()
    result = cli("grid-search", fasta[0], bad, "-o", tmp_path / output, "--grid", tmp_path / "grid.json",
                 "--workers", "1", "--threads", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (f"Error: {bad}: not a FASTA file: line 1 ('hello world') "
                                                      "comes before any header; FASTA records start with a '>' "
                                                      "header line")
    assert not (tmp_path / "new").exists()  # the folders it made, with nothing in them
    assert list((tmp_path / "empty").iterdir()) == []  # an empty folder of the user's stays


def test_standard_input_and_missing_fasta_files_are_refused(cli, tmp_path):
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    result = cli("grid-search", "-", tmp_path / "x.fa", "-o", tmp_path / "s", "--grid", tmp_path / "grid.json")
    assert result.exit_code == 1 and "standard input ('-') cannot be used" in result.stderr
    result = cli("grid-search", tmp_path / "x.fa", tmp_path / "y.fa", "-o", tmp_path / "s",
                 "--grid", tmp_path / "grid.json")
    assert result.exit_code == 1 and f"{tmp_path / 'x.fa'}: no such FASTA file" in result.stderr


# ------------------------------------------------------------------------ folder and results.tsv


def test_an_adjacency_file_changed_under_its_name_is_another_search_and_workers_get_it_by_absolute_path(
        tmp_path, monkeypatch):
    """A matrix of the grid changed between two calls was not noticed: the search went on, ranking trials of two
    networks as one. Workers in another folder could not find a matrix given by a relative path."""
    from motifnet.search.grid import _absolute_files

    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "adj.npy", np.ones((4, 2)))
    fasta = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    config = SearchConfig(fasta, str(folder), check_grid({"dense_adjacency": ["adj.npy", "-"]}), dict(FIXED_PARAMS),
                          seed=3)
    settings, _ = _prepare_folder(config)
    assert settings["parameter_files"] == {"adj.npy": hashlib.sha256((tmp_path / "adj.npy").read_bytes()).hexdigest()}
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    assert _prepare_folder(config)[1] is not None  # the same matrix: continued
    np.save(tmp_path / "adj.npy", np.ones((4, 3)))
    with pytest.raises(ParamError, match=r"other settings \(parameter_files differ: adj.npy changed\)"):
        _prepare_folder(config)
    (tmp_path / "adj.npy").rename(tmp_path / "moved.npy")
    with pytest.raises(ParamError, match=r"other settings \(parameter_files differ: adj.npy is gone\)"):
        _prepare_folder(config)
    (tmp_path / "moved.npy").rename(tmp_path / "adj.npy")
    # a search recorded before the files were goes on
    state = json.loads((folder / "search.json").read_text())
    del state["settings"]["parameter_files"]
    (folder / "search.json").write_text(json.dumps(state))
    assert _prepare_folder(config)[1] is not None
    assert _absolute_files({"dense_adjacency": ("adj.npy", "-"), "features_adjacency": "adj.npy", "kernel_num": 4}) \
        == {"dense_adjacency": (str(tmp_path / "adj.npy"), "-"), "features_adjacency": str(tmp_path / "adj.npy"),
            "kernel_num": 4}


def test_a_folder_with_another_search_is_refused_once_it_has_results_unless_overwrite(tmp_path):
    fasta = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    config = SearchConfig(fasta, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3)
    settings, earlier = _prepare_folder(config)
    assert earlier is None and settings["seed"] == 3 and (folder / "search.json").exists()
    # continuing without --seed takes the recorded one
    same = SearchConfig(fasta, str(folder), check_grid(GRID), dict(FIXED_PARAMS))
    assert _prepare_folder(same)[0]["seed"] == 3
    other = SearchConfig(fasta, str(folder), check_grid(GRID), dict(FIXED_PARAMS), metric="pr-auc", seed=3)
    # other settings: refused once a trial has finished, started over (nothing lost) before that
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    with pytest.raises(ParamError, match=r"holds a search with other settings \(metric differs\)"):
        _prepare_folder(other)
    reversed_files = SearchConfig(DataOptions(list(reversed(fasta.fasta))), str(folder), check_grid(GRID),
                                  dict(FIXED_PARAMS), seed=3)
    with pytest.raises(ParamError, match=r"other settings \(files differ\)"):  # it said "files differs"
        _prepare_folder(reversed_files)
    (folder / "results.tsv").write_text("trial\tstatus\n")
    assert _prepare_folder(other)[0]["metric"] == "pr-auc"
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    other.metric = "val-loss"
    other.overwrite = True
    assert _prepare_folder(other)[0]["metric"] == "val-loss" and not (folder / "results.tsv").exists()
    stranger = tmp_path / "full"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(ParamError, match="not empty and is not a motifnet search"):
        _prepare_folder(SearchConfig(fasta, str(stranger), check_grid(GRID)))


def test_starting_over_removes_only_what_the_search_wrote(tmp_path):
    """--overwrite removes the search's files and best/'s run files; a user's files stay, in both folders."""
    fasta = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    _prepare_folder(SearchConfig(fasta, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3))
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    for name in ("summary.html", "score_by_parameter.png", ".results.tsv.0a1b2c3d.partial"):
        (folder / name).write_text("written by the search")
    (folder / "best").mkdir()
    for name in ("model.keras", "motifnet.json", "history.tsv"):
        (folder / "best" / name).write_text("written by train")
    (folder / "my_analysis.txt").write_text("mine")
    (folder / "notes").mkdir()
    (folder / "notes" / "n.txt").write_text("mine too")
    other = SearchConfig(fasta, str(folder), check_grid(GRID), dict(FIXED_PARAMS), metric="pr-auc", seed=3,
                         overwrite=True)
    assert _prepare_folder(other)[0]["metric"] == "pr-auc"
    assert sorted(path.name for path in folder.iterdir()) == ["my_analysis.txt", "notes", "search.json"]
    assert (folder / "my_analysis.txt").read_text() == "mine" and (folder / "notes" / "n.txt").read_text() == "mine too"
    # best/ with a file of the user's keeps that file, and only that
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    (folder / "best").mkdir()
    (folder / "best" / "model.keras").write_text("written by train")
    (folder / "best" / "mine.txt").write_text("mine")
    other.metric = "val-loss"
    assert _prepare_folder(other)[0]["metric"] == "val-loss"
    assert [path.name for path in (folder / "best").iterdir()] == ["mine.txt"]


def test_a_search_folder_written_before_data_options_continues(tmp_path):
    """search.json as motifnet 0.1.0 wrote it (settings of separate data fields) matches the same search now."""
    from motifnet._io import sha256

    fasta = small_data(tmp_path)
    folder = tmp_path / "search"
    folder.mkdir()
    legacy = {
        "motifnet_version": "0.1.0",
        "settings": {
            "files": [{"name": path.name, "sha256": sha256(path)} for path in fasta],
            "multi_label": False, "class_names": ["m", "p"], "alphabet": "dna", "structure_alphabet": None,
            "structure_pwm": False, "length": 40, "split": [0.7, 0.15], "metric": "roc-auc", "folds": 3, "seed": 3,
            "grid": {"kernel_num": [4, 8], "neuron_num": [[8, 4]]}, "params": {"epochs": 2},
        },
        "status": "running", "best": None,
    }
    (folder / "search.json").write_text(json.dumps(legacy, indent=2))
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")  # a finished trial: a mismatch is refused
    data = DataOptions(fasta, class_names=["m", "p"], alphabet="dna", length=40)
    # Searches from before presets ran pysster's values: continuing one names that preset.
    config = SearchConfig(data, str(folder), check_grid({"kernel_num": [4, 8], "neuron_num": [[8, 4]]}),
                          {"epochs": 2}, folds=3, preset="pysster")
    settings, earlier = _prepare_folder(config)
    legacy["settings"]["preset"] = "pysster"
    legacy["settings"]["preset_values"] = to_json(PRESETS["pysster"])
    assert earlier == legacy and settings == legacy["settings"]  # continued, with the recorded seed
    assert (folder / "results.tsv").exists()


def test_a_search_is_not_continued_once_its_presets_values_changed(tmp_path):
    """Trials of one search must build the same networks: a preset whose values changed is refused."""
    data = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    config = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3, preset="motifnet")
    _prepare_folder(config)
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    assert _prepare_folder(config)[1] is not None  # the same values: continued
    state = json.loads((folder / "search.json").read_text())
    state["settings"]["preset_values"]["position_bins"] = 0  # as the motifnet preset was before position_bins
    (folder / "search.json").write_text(json.dumps(state))
    with pytest.raises(ParamError, match=re.escape("preset_values differ: preset 'motifnet' now has "
                                                   "position_bins 0 -> 16); continue it")):
        _prepare_folder(config)
    del state["settings"]["preset_values"]["position_bins"]  # recorded before the parameter existed:
    (folder / "search.json").write_text(json.dumps(state))    # it counts as pysster's value, 0
    with pytest.raises(ParamError, match=re.escape("position_bins 0 -> 16")):
        _prepare_folder(config)
    state["settings"]["preset_values"]["position_bins"] = 16
    state["settings"]["preset_values"]["retired_parameter"] = 3  # one since removed builds nothing
    (folder / "search.json").write_text(json.dumps(state))
    assert _prepare_folder(config)[1] is not None
    state["settings"]["preset_values"] = [1, 2]
    (folder / "search.json").write_text(json.dumps(state))
    with pytest.raises(ParamError) as refused:
        _prepare_folder(config)
    assert str(refused.value) == (f"{folder / 'search.json'}: damaged (preset_values is not a table of parameters), "
                                  "or not a search of motifnet's; choose another -o, or move search.json away")
    del state["settings"]["preset_values"]  # a search from before the values were recorded
    (folder / "search.json").write_text(json.dumps(state))
    with pytest.raises(ParamError, match="began before motifnet recorded the values of preset 'motifnet'"):
        _prepare_folder(config)


def test_a_search_begun_before_kernel_len_auto_continues_with_its_recorded_kernels(tmp_path):
    """A preset value now decided from the input ('auto') where the search recorded a number: the search
    continues, and its trials keep the recorded number (a trial's own value still wins)."""
    data = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    config = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3, preset="motifnet")
    settings, _ = _prepare_folder(config)
    assert pinned_values(settings) == {}  # a search begun now pins nothing
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    state = json.loads((folder / "search.json").read_text())
    state["settings"]["preset_values"]["kernel_len"] = 15  # as the motifnet preset was before 'auto'
    (folder / "search.json").write_text(json.dumps(state))
    settings, earlier = _prepare_folder(config)
    assert earlier is not None and pinned_values(settings) == {"kernel_len": 15}
    state["settings"]["preset_values"]["kernel_len"] = [15, 5]
    (folder / "search.json").write_text(json.dumps(state))
    assert pinned_values(_prepare_folder(config)[0]) == {"kernel_len": (15, 5)}
    state["settings"]["preset_values"].update(kernel_len=15, position_bins=0)  # another change is still refused
    (folder / "search.json").write_text(json.dumps(state))
    with pytest.raises(ParamError, match=re.escape("preset 'motifnet' now has kernel_len 15 -> 'auto', "
                                                   "position_bins 0 -> 16)")):
        _prepare_folder(config)


def test_a_pysster_search_recorded_before_a_new_parameter_continues(tmp_path):
    data = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    config = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3, preset="pysster")
    _prepare_folder(config)
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    state = json.loads((folder / "search.json").read_text())
    del state["settings"]["preset_values"]["position_bins"]  # pysster's value of a newer parameter keeps the network
    (folder / "search.json").write_text(json.dumps(state))
    assert _prepare_folder(config)[1] is not None


@pytest.mark.parametrize("changes, fragment", [
    ({"task": "regression"}, "task 'regression'"),
    ({"feature_files": ("a.tsv", "b.tsv")}, "2 feature file(s)"),
    ({"tracks": ("cons=a.tsv,b.tsv",)}, "1 track(s)"),
])
def test_data_options_the_trials_cannot_use_are_refused(tmp_path, changes, fragment):
    data = DataOptions(small_data(tmp_path)).replace(**changes)
    with pytest.raises(ParamError, match=re.escape(fragment)):
        SearchConfig(data, str(tmp_path / "search"), check_grid(GRID)).checked()


def test_a_grid_over_the_trial_limit_is_refused_unless_confirmed(tmp_path):
    from motifnet.search._space import MAX_TRIALS, grid_size

    # 7.8e8 trials, as a typing slip makes; counted, never expanded.
    huge = check_grid({"kernel_num": list(range(1, 301)), "kernel_len": list(range(1, 51)),
                       "neuron_num": list(range(1, 201)), "batch_size": list(range(1, 261))})
    assert grid_size(huge) == 780_000_000 and MAX_TRIALS == 10_000
    data = DataOptions(small_data(tmp_path))
    # Confirmed, it was expanded in memory before the first trial: 24 GB and deaf to signals until killed.
    for max_trials in (MAX_TRIALS, 780_000_000):
        with pytest.raises(ParamError, match=re.escape(
                "--grid: 780,000,000 trials (300 kernel_num x 50 kernel_len x 200 neuron_num x 260 batch_size) is "
                "more than motifnet searches (100,000, memory and time); use fewer values, or split the grid")):
            SearchConfig(data, str(tmp_path / "search"), huge, max_trials=max_trials).checked()
    larger = check_grid({"kernel_num": list(range(1, 101)), "neuron_num": list(range(1, 201))})
    with pytest.raises(ParamError, match=re.escape(
            "--grid: 20,000 trials (100 kernel_num x 200 neuron_num) is more than --max-trials 10,000; use fewer "
            "values, or confirm with --max-trials 20000")):
        SearchConfig(data, str(tmp_path / "search"), larger).checked()
    assert not (tmp_path / "search").exists()
    wide = check_grid({"kernel_num": list(range(1, 11)), "neuron_num": list(range(1, 11))})
    with pytest.raises(ParamError, match="100 trials .* more than --max-trials 99;"):
        SearchConfig(data, str(tmp_path / "search"), wide, max_trials=99).checked()
    SearchConfig(data, str(tmp_path / "search"), wide, max_trials=100).checked()


def test_a_worker_reads_the_data_again_when_a_file_changed(tmp_path):
    from motifnet.search._trial import cached_dataset

    data = DataOptions(small_data(tmp_path))
    first = cached_dataset(data, ("one", "two"))
    assert cached_dataset(DataOptions(list(data.fasta)), ("one", "two")) is first  # equal options: the cache
    assert cached_dataset(data, ("one", "changed")) is not first
    cached_dataset.cache_clear()


def test_results_file_keeps_complete_rows_and_drops_a_line_cut_short(tmp_path):
    path = tmp_path / RESULTS
    results = ResultsFile(path, ["kernel_num"])
    row = {"trial": "aaa", "status": "ok", "score": 0.1 + 0.2, "epochs": 3.0, "best_epoch": 2.0, "seconds": 1.5,
           "attempts": 1, "seed": 7, "kernel_num": "4", "params": '{"kernel_num":4}', "error": "a\tb\nc"}
    results.append(row)
    results.append({**row, "trial": "bbb", "status": "failed", "score": None, "error": "boom"})
    with open(path, "a") as handle:
        handle.write("ccc\tok\t0.9")  # the search was killed while writing this row
    reopened = ResultsFile(path, ["kernel_num"])
    rows = reopened.rows()
    assert list(rows) == ["aaa", "bbb"] and path.read_text().endswith("\n")
    parsed = parse_row(rows["aaa"])
    assert parsed["score"] == 0.1 + 0.2  # the exact float: a continued search ranks the same numbers
    assert parsed["error"] == "a b c" and parsed["params"] == {"kernel_num": 4} and parsed["attempts"] == 1
    assert parse_row(rows["bbb"])["score"] is None
    with pytest.raises(ParamError, match="not the results file of this search"):
        ResultsFile(path, ["kernel_len"])


def test_ranking_puts_the_best_score_first_and_failed_trials_last():
    trials = expand_grid({"kernel_num": [1, 2, 3, 4, 5]}, {}, 1)
    ids = [t.id for t in trials]
    rows = [{"trial": ids[0], "status": "ok", "score": 0.5}, {"trial": ids[1], "status": "failed", "score": None},
            {"trial": ids[2], "status": "ok", "score": 0.9}, {"trial": ids[3], "status": "ok", "score": 0.5},
            {"trial": ids[4], "status": "failed", "score": None}]
    assert [r["trial"] for r in rank(rows, trials, "roc-auc")] == [ids[2], ids[0], ids[3], ids[1], ids[4]]
    assert [r["trial"] for r in rank(rows, trials, "val-loss")] == [ids[0], ids[3], ids[2], ids[1], ids[4]]


# ------------------------------------------------------------------------------------- clusters


@pytest.mark.parametrize("kind, extra, expected", [
    ("slurm", "--account=lab", ["#SBATCH -p short", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=15G",
                                "#SBATCH -t 01:30:00", "#SBATCH --account=lab", "#SBATCH -J motifnet-trial"]),
    ("pbs", "-A lab", ["#PBS -q short", "#PBS -l select=1:ncpus=4:mem=15GB", "#PBS -l walltime=01:30:00",
                       "#PBS -A lab", "#PBS -N motifnet-trial"]),
])
def test_batch_job_scripts_carry_queue_cores_memory_walltime_and_one_trial_per_worker(tmp_path, kind, extra,
                                                                                       expected):
    from motifnet.search._cluster import ClusterOptions, make_jobqueue_cluster

    options = ClusterOptions(kind, queue="short", cores=4, memory="16GB", walltime="01:30:00",
                             job_extra=(extra,), interface="lo", log_directory=str(tmp_path))
    cluster = make_jobqueue_cluster(options.checked())
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in expected:
        assert line in script.splitlines(), (line, script)
    assert "--nthreads 4" in script and "--resources motifnet_trial=1" in script
    assert "tcp://127.0.0.1:" in script  # the scheduler listens on the interface asked for


def test_batch_jobs_without_cores_or_memory_say_what_to_give():
    import dask

    from motifnet.search._cluster import ClusterOptions

    with dask.config.set({"jobqueue.slurm.cores": None, "jobqueue.slurm.memory": None}):
        with pytest.raises(ParamError, match=re.escape("--slurm needs --cores and --memory for each job, e.g. "
                                                       "--cores 4 --memory 16GB")):
            ClusterOptions("slurm", queue="short", interface="lo").checked()
    with dask.config.set({"jobqueue.slurm.cores": 8, "jobqueue.slurm.memory": "24GB"}):
        ClusterOptions("slurm").checked()  # dask-jobqueue's configuration gives them


JOB = ["--cores", "4", "--memory", "16GB"]
PBS_FORMS = "HH:MM:SS (hours may pass 24: 36:00:00), MM:SS or seconds (e.g. 02:00:00)"
WALLTIME_FORMS = "HH:MM:SS, MM:SS, minutes, D-HH:MM:SS or UNLIMITED (e.g. 02:00:00 or 1-12:00:00)"
# (arguments, whether sbatch and qsub are on PATH, the one line the command prints)
BATCH_ERRORS = [
    (["--slurm"], True, "--slurm needs --cores and --memory for each job, e.g. --cores 4 --memory 16GB "
                        "(or set cores and memory in ~/.config/dask/jobqueue.yaml)"),
    (["--pbs", "--cores", "4"], True, "--pbs needs --memory for each job, e.g. --memory 16GB (or set memory in "
                                      "~/.config/dask/jobqueue.yaml)"),
    (["--slurm", "--pbs", *JOB], True, "--slurm and --pbs exclude each other"),
    (["--pbs", "--slurm", *JOB], True, "--slurm and --pbs exclude each other"),
    (["--slurm", *JOB, "--walltime", "2h"], True, f"--walltime of SLURM jobs must be {WALLTIME_FORMS}; "
                                                  "received: '2h'"),
    (["--slurm", *JOB, "--walltime", "1:75:00"], True, f"--walltime of SLURM jobs must be {WALLTIME_FORMS}; "
                                                       "received: '1:75:00'"),
    (["--pbs", *JOB, "--walltime", "1-00:00:00"], True, f"--walltime of PBS jobs must be {PBS_FORMS}; received: "
                                                        "'1-00:00:00'"),
    # PBS Pro (whose select= the job script uses) reads no days: 01:00:00:00 was written to the script as it was
    (["--pbs", *JOB, "--walltime", "01:00:00:00"], True, f"--walltime of PBS jobs must be {PBS_FORMS}; received: "
                                                         "'01:00:00:00'"),
    (["--slurm", "--cores", "4", "--memory", "16"], True, "--memory must be a size with a unit, e.g. 16GB, 4000MB "
                                                          "or 16GiB; received: '16'"),
    (["--pbs", "--cores", "4", "--memory", "lots"], True, "--memory must be a size with a unit, e.g. 16GB, 4000MB "
                                                          "or 16GiB; received: 'lots'"),
    (["--pbs", "--cores", "4", "--memory", "16GX"], True, "--memory must be a size with a unit, e.g. 16GB, 4000MB "
                                                          "or 16GiB; received: '16GX'"),
    (["--walltime", "02:00:00"], True, "--walltime applies only to batch jobs: add --slurm or --pbs"),
    (["--memory", "16GB"], True, "--memory applies only to batch jobs: add --slurm or --pbs"),
    (["--interface", "lo"], True, "--interface applies only to batch jobs: add --slurm or --pbs"),
    (["--queue", "short", "--job-extra", "-A lab"], True, "--queue, --job-extra apply only to batch jobs: add "
                                                          "--slurm or --pbs"),
    (["--slurm", *JOB], False, "--slurm needs the sbatch command, which is not on PATH: run grid-search on a "
                               "SLURM login node"),
    (["--pbs", *JOB, "--interface", "lo"], False, "--pbs needs the qsub command, which is not on PATH: run "
                                                  "grid-search on a PBS login node"),
    (["--slurm", *JOB, "--interface", "nosuch0"], True, "--interface nosuch0: no such network interface with an "
                                                        "IPv4 address on this machine; present: "),
    # each value is a line of the job script: a line break let the job run what followed it
    (["--pbs", *JOB, "--queue", "short\ntouch pwned"], True, "--queue must be one line without control characters "
                                                              "(it becomes a directive of the job script); received: "
                                                              "'short\\ntouch pwned'"),
    (["--slurm", *JOB, "--job-extra", "--account=lab", "--job-extra", "-A lab\rx"], True,
     "--job-extra must be one line without control characters (it becomes a directive of the job script); "
     "received: '-A lab\\rx'"),
]


@pytest.mark.parametrize("arguments, submit, message", BATCH_ERRORS)
def test_batch_job_options_are_refused_in_one_line_before_any_cluster_starts(cli, tmp_path, monkeypatch,
                                                                             arguments, submit, message):
    import dask
    import distributed

    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started")

    # sbatch and qsub where the case needs them, whatever this machine has; no cluster or job, ever.
    which = shutil.which
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: (f"/usr/bin/{name}" if submit else None)
                        if name in ("sbatch", "qsub") else which(name, *args, **kwargs))
    monkeypatch.setattr("motifnet.search._cluster.make_jobqueue_cluster", no_cluster)
    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    unset = {f"jobqueue.{kind}.{name}": None for kind in ("slurm", "pbs") for name in ("cores", "memory")}
    with dask.config.set(unset):  # what a jobqueue.yaml of this machine gives would hide a missing option
        result = cli("grid-search", *fasta, "-o", tmp_path / "search", "--grid", tmp_path / "grid.json", *arguments)
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), result.output
    assert not (tmp_path / "search").exists()


def test_batch_jobs_are_refused_a_search_folder_whose_path_has_a_space(cli, tmp_path, monkeypatch):
    """The job script's log directives (#SBATCH -o, #PBS -e) named the path unquoted: sbatch refused every job."""
    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started")

    which = shutil.which
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: f"/usr/bin/{name}"
                        if name in ("sbatch", "qsub") else which(name, *args, **kwargs))
    monkeypatch.setattr("motifnet.search._cluster.make_jobqueue_cluster", no_cluster)
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    folder = tmp_path / "my searches" / "s1"
    result = cli("grid-search", *fasta, "-o", folder, "--grid", tmp_path / "grid.json", "--slurm", *JOB)
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: batch jobs write their logs to {folder.resolve() / 'job-logs'}, and a SLURM directive cannot name "
        "a path with a space; choose a search folder (-o) whose full path has none")
    assert not (tmp_path / "my searches").exists()


def _fake_batch_system(folder: Path, monkeypatch, submit: str) -> Path:
    """sbatch (running ``submit``), squeue and scancel (which logs the job ids it is given) on PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name, text in (("sbatch", submit), ("squeue", "exit 0"),
                       ("scancel", f'echo "$@" >> "{folder}/cancelled.txt"')):
        (bin_dir / name).write_text(f"#!/bin/sh\n{text}\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return folder / "cancelled.txt"


REFUSED = 'echo "sbatch: error: QOSMaxSubmitJobPerUserLimit" >&2\nexit 1'
# the first job is accepted (and queued for ever), the next refused
FIRST_ACCEPTED = ('if mkdir "$(dirname "$0")/accepted" 2>/dev/null; then echo "Submitted batch job 4243"; exit 0; fi\n'
                  + REFUSED)


@pytest.mark.slow
@pytest.mark.parametrize("submit, workers, refused", [(REFUSED, "1", "1 of 1"), (FIRST_ACCEPTED, "2", "1 of 2")])
def test_a_batch_job_its_batch_system_refuses_is_one_error_and_leaves_no_search(tmp_path, monkeypatch, submit,
                                                                                 workers, refused):
    """The refusal came as tracebacks of dask-jobqueue's event loop, and the search waited for ever for the
    jobs' workers (a signal too was then ignored); with one job accepted, closing the cluster ended in a traceback."""

    cancelled = _fake_batch_system(tmp_path, monkeypatch, submit)
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    process = _grid_search(tmp_path / "search", *fasta, "--grid", tmp_path / "grid.json", "--slurm", *JOB,
                           "--interface", "lo", "--workers", workers, "--quiet")
    stderr = _stderr_once_ended(process)
    assert process.returncode == 1, stderr
    assert stderr.strip() == (
        f"Error: sbatch could not submit {refused} batch job(s) (exit status 1: sbatch: error: "
        "QOSMaxSubmitJobPerUserLimit); the search stopped: fix what it names (a limit of jobs per user: fewer "
        "--workers) and run the same command again")
    assert not (tmp_path / "search").exists()  # job-logs/ included
    ids = cancelled.read_text().split() if cancelled.exists() else []
    assert ids == (["4243"] if submit == FIRST_ACCEPTED else [])  # the accepted job, cancelled


@pytest.mark.parametrize("message, said", [
    ("Command exited with non-zero exit code.\nExit code: 1\nCommand:\nsbatch x.sh\nstdout:\n\nstderr:\n"
     "sbatch: error: Invalid account\n", "exit status 1: sbatch: error: Invalid account"),
    ("Could not parse job id from submission command output.\nJob id regexp is '(?P<job_id>\\d+)'\n"
     "Submission command output is:\nhello\n", "its output named no job id: hello"),
    ("[Errno 13] Permission denied: 'sbatch'", "[Errno 13] Permission denied: 'sbatch'"),
])
def test_a_job_not_submitted_is_said_in_one_line(message, said):
    """A submit command that printed no job id was said to have refused the job, its output cut off."""
    from motifnet.search._cluster import _refusal

    assert _refusal(message) == said


def test_a_search_whose_batch_jobs_never_join_says_so_now_and_then(monkeypatch, caplog):
    """Jobs queued for hours, ended as they started (a module missing on the nodes), or all ended later (at their
    wall time) left the search silent."""
    import motifnet.search._cluster as cluster

    class Client:
        workers = {}

        def nthreads(self):
            return self.workers

    now = [1000.0]
    monkeypatch.setattr(cluster.time, "monotonic", lambda: now[0])
    client = Client()
    connection = cluster.Connection(client, 4, None, "2 SLURM job(s)", [], "sbatch", 2, "slurm", "/runs/s/job-logs")
    connection.started = now[0]

    def said_at(*seconds):
        said = []
        for second in seconds:
            now[0] = 1000.0 + second
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="motifnet"):
                connection.check()
            said += [(second, record.levelname, record.getMessage()) for record in caplog.records]
        return said

    said = said_at(59, 61, 100, 125, 200, 250, 7000, 7300)
    assert [second for second, _, _ in said] == [61, 125, 250, 7000]  # after a minute, then twice as long each time
    assert said[0][1:] == ("WARNING", "no worker of the 2 SLURM job(s) for 1 min: waiting for them (queued: see "
                                      "squeue --me; or ended, their logs in /runs/s/job-logs)")
    assert said[3][2].startswith("no worker of the 2 SLURM job(s) for 1 h 56 min: waiting for them")
    client.workers = {"tcp://node-3:4000": 4}  # a worker joined: nothing said while one is there
    assert said_at(20000, 20030, 20070, 50000) == []
    client.workers = {}  # every job ended (its wall time): the wait counts from the last look that found a worker
    said = said_at(50030, 50061, 50115)
    assert [(second, message.split(":")[0]) for second, _, message in said] == [
        (50061, "no worker of the 2 SLURM job(s) for 1 min")]
    local = cluster.Connection(Client(), 4, None, "2 local worker process(es)")  # no batch jobs: never said
    now[0] = 1e6
    with caplog.at_level(logging.INFO, logger="motifnet"):
        local.check()
    assert not caplog.records


def test_an_input_inside_the_searchs_best_run_is_refused_before_anything_is_removed(cli, tmp_path):
    """--overwrite removed best/'s run files, the input among them, and then failed for the missing input."""
    fasta = small_data(tmp_path)
    folder = tmp_path / "search"
    (folder / "best").mkdir(parents=True)
    (folder / "search.json").write_text('{"settings": {"seed": 1}, "status": "complete", "best": null}')
    inside = folder / "best" / "split.tsv"
    shutil.copy(fasta[0], inside)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    result = cli("grid-search", inside, fasta[1], "-o", folder, "--grid", tmp_path / "grid.json", "--overwrite")
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: {inside}: input file inside the run folder {folder / 'best'}; move it out of the folder or choose "
        "another -o")
    assert sorted(path.name for path in folder.rglob("*")) == ["best", "search.json", "split.tsv"]


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])  # not slow (4 s each): make test runs it
def test_a_signal_stops_a_search_whose_batch_jobs_wait_in_the_queue_and_cancels_them(tmp_path, monkeypatch,
                                                                                     signal_name):
    """The search waited for the data's description without looking for a signal: SIGTERM did nothing while the
    jobs were queued, and they were never cancelled. SIGINT (Ctrl-C) then ended it with exit status 0 and no word:
    dask-jobqueue sets SIGINT to sys.exit() when it is imported."""
    import signal

    # queued for ever; the marker says that the job was submitted
    cancelled = _fake_batch_system(tmp_path, monkeypatch, f'echo "Submitted batch job 4242"; touch "{tmp_path}/sent"')
    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    folder = tmp_path / "search"
    process = _grid_search(folder, *fasta, "--grid", tmp_path / "grid.json", "--slurm", *JOB, "--interface", "lo",
                           "--workers", "1", "--seed", "5")
    # once the job is submitted and its worker awaited
    stderr = _stopped_by_signal(process, lambda: (folder / "search.json").exists() and (tmp_path / "sent").exists(),
                                "the search submitted no job", getattr(signal, signal_name), wait=1, timeout=300)
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1] == (f"Error: search interrupted; run the same command again to "
                                               f"continue it in {folder}")
    assert "Traceback" not in stderr, stderr
    assert cancelled.read_text().split() == ["4242"]
    assert json.loads((folder / "search.json").read_text())["status"] == "interrupted"


@pytest.mark.parametrize("kind, walltimes", [
    ("slurm", ["30", "30:00", "02:00:00", "100:00:00", "1-12", "1-12:30", "2-00:00:00", "UNLIMITED"]),
    ("pbs", ["3600", "30:00", "02:00:00", "100:00:00", "36:00:00"]),
])
def test_batch_jobs_take_the_walltimes_and_memory_sizes_their_batch_system_reads(kind, walltimes):
    from motifnet.search._cluster import ClusterOptions

    for walltime in walltimes:
        assert ClusterOptions(kind, cores=4, memory="16GB", walltime=walltime).checked().walltime == walltime
    for memory in ["16GB", "4000MB", "16GiB", "16 GB", "1.5TB", "500M", "16gb"]:
        assert ClusterOptions(kind, cores=4, memory=memory).checked().memory == memory


def test_an_interface_is_one_of_this_machines_with_an_ipv4_address(monkeypatch):
    import socket
    from types import SimpleNamespace

    import psutil

    from motifnet.search._cluster import ClusterOptions, check_environment

    ipv4, ipv6 = SimpleNamespace(family=socket.AF_INET), SimpleNamespace(family=socket.AF_INET6)
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: {"lo": [ipv4, ipv6], "ib0": [ipv6], "eth0": [ipv4]})
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: f"/usr/bin/{name}")
    check_environment(ClusterOptions("slurm", cores=4, memory="16GB", interface="eth0"))
    with pytest.raises(ParamError, match=re.escape("--interface ib0: no such network interface with an IPv4 "
                                                   "address on this machine; present: eth0, lo")):
        check_environment(ClusterOptions("pbs", cores=4, memory="16GB", interface="ib0"))
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    check_environment(ClusterOptions("local"))  # local workers need no batch system


@pytest.mark.parametrize(("workers", "pending", "jobs"), [(None, 50, 10), (None, 3, 3), (100, 6, 6), (4, 6, 4),
                                                          (4, 0, 1)])
def test_batch_jobs_are_at_most_one_per_trial(workers, pending, jobs):
    """--workers 100 with six trials submitted 100 jobs, 94 of which could never get a trial."""
    from motifnet.search._cluster import ClusterOptions, batch_jobs

    assert batch_jobs(ClusterOptions("slurm", workers), pending) == jobs


@pytest.mark.parametrize("workers, threads, pending, layout, fit", [
    (None, None, 50, (4, 1), None),  # the default: one worker per core
    (None, None, 2, (2, 2), None),  # fewer trials than cores: the cores go to their threads
    (2, None, 50, (2, 2), None),
    (16, None, 50, (16, 1), "--workers 4"),  # more workers than cores (it was done without a word)
    (2, 4, 50, (2, 4), "--workers 1 --threads 4"),
    (None, 2, 50, (4, 2), "--workers 2 --threads 2"),  # the threads asked for are kept
    (None, 8, 50, (4, 8), "--workers 1 --threads 4"),
    (16, None, 3, (3, 1), None),  # only three trials to run: three workers, within the cores
])
def test_local_workers_and_threads_past_the_cores_are_warned_of(caplog, monkeypatch, workers, threads, pending,
                                                                 layout, fit):
    from motifnet.search._cluster import ClusterOptions, local_layout

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert local_layout(ClusterOptions("local", workers, threads), 4, pending) == layout
    expected = {f"{layout[0]} local worker(s) of {layout[1]} thread(s) each on 4 core(s): the trials compete for "
                f"the cores, so each runs slower; {fit} use(s) them without competing"} if fit else set()
    assert set(caplog.messages) == expected


def test_an_unreachable_scheduler_is_one_error(tmp_path):
    from motifnet.search._cluster import ClusterOptions, connect

    with pytest.raises(ParamError, match="--scheduler tcp://127.0.0.1:9: cannot connect"):
        with connect(ClusterOptions("scheduler", scheduler="tcp://127.0.0.1:9", timeout=1), 1):
            pass


# ------------------------------------------------------------------------------------- plotting


def test_score_plot_groups_scores_by_value_and_stars_the_best(tmp_path):
    import matplotlib.pyplot as plt

    from motifnet.report.search_summary import plot_scores_by_value, scores_by_value

    rows = [{"status": "ok", "score": 0.7, "kernel_len": "5"}, {"status": "ok", "score": 0.9, "kernel_len": "9"},
            {"status": "ok", "score": 0.8, "kernel_len": "5"}, {"status": "failed", "score": None, "kernel_len": "13"}]
    groups = scores_by_value(rows, "kernel_len", ["5", "9", "13"])
    assert groups == [("5", [0.7, 0.8]), ("9", [0.9]), ("13", [])]
    ax = plot_scores_by_value(groups, "kernel_len", "roc-auc", best=("5", 0.8))
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 1].tolist()) == [0.7, 0.9]  # the best trial is drawn as a star instead
    star = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(star) == 1 and list(star[0].get_ydata()) == [0.8] and abs(star[0].get_xdata()[0] - 0) <= 0.15
    assert any(text.get_text() == "all trials\nfailed" for text in ax.texts)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "9", "13"]
    assert "ROC-AUC" in ax.get_ylabel()
    plt.close(ax.figure)


# ---------------------------------------------------------------------------- searches on Dask


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search_data")
    small_data(folder)
    # kernel_len 45 is longer than the sequences (40): two combinations that cannot be built
    (folder / "grid.json").write_text(json.dumps({**GRID, "kernel_len": [5, 9, 45]}))
    return folder


@pytest.fixture(scope="module")
def finished_search(data_dir):
    """The grid (4 trainable trials, 2 invalid) through the command line, on 2 local worker processes."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder = data_dir / "uninterrupted"
    arguments = ["grid-search", str(data_dir / "motif.fa"), str(data_dir / "plain.fa"), "-o", str(folder),
                 "--grid", str(data_dir / "grid.json"), *FIXED, "--workers", "2", "--threads", "1", "--seed", "11"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return folder, result


@pytest.fixture(scope="module")
def scheduler():
    """A running local Dask cluster (2 worker processes) that searches reach by address."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    yield cluster.scheduler_address
    cluster.close()


def search_config(data_dir, folder, grid=None, **kwargs):
    grid = grid or json.loads((data_dir / "grid.json").read_text())
    return SearchConfig(DataOptions([data_dir / "motif.fa", data_dir / "plain.fa"]), str(folder), check_grid(grid),
                        dict(FIXED_PARAMS), seed=11, **kwargs)


def on(address):
    from motifnet.search._cluster import ClusterOptions

    return ClusterOptions("scheduler", scheduler=address, threads=1)


def grid_order(data_dir):
    return [t.id for t in expand_grid(check_grid(json.loads((data_dir / "grid.json").read_text())),
                                      FIXED_PARAMS, 11)]


@pytest.mark.slow
def test_a_four_trial_search_ranks_the_trials_and_leaves_a_loadable_best_run(finished_search, data_dir):
    from motifnet._io import sha256
    from motifnet.run.rundir import open_run

    folder, result = finished_search
    assert result.stdout.strip() == str(folder / "summary.html")
    assert "6 trial(s), 0 finished earlier" in result.stderr and "2 local worker process(es)" in result.stderr
    table = results_table(folder)
    scored = {trial: row for trial, row in table.items() if row["status"] == "ok"}
    assert len(table) == 6 and len(scored) == 4
    assert {(row["kernel_num"], row["kernel_len"]) for row in scored.values()} == {
        ("4", "5"), ("4", "9"), ("8", "5"), ("8", "9")}
    scores = {trial: float(row["score"]) for trial, row in scored.items()}
    assert all(0 <= s <= 1 for s in scores.values())
    for row in scored.values():
        assert row["epochs"] == "2" and row["attempts"] == "1" and float(row["seconds"]) > 0  # not "2.0"
        assert int(row["seed"]) == trial_seed(11, json.loads(row["params"]))
    order = grid_order(data_dir)
    ranked = sorted(scores, key=lambda trial: (-scores[trial], order.index(trial)))  # ties: grid order
    state = json.loads((folder / "search.json").read_text())
    assert state["status"] == "complete" and state["best"]["trial"] == ranked[0]
    assert state["best"]["score"] == max(scores.values())
    html = (folder / "summary.html").read_text()
    positions = [html.index(f"<td><code>{trial}</code></td>") for trial in ranked]
    assert positions == sorted(positions)  # the table lists the trials best first
    assert "4 scored, 2 failed" in html
    assert 'src="score_by_parameter.png"' in html and (folder / "score_by_parameter.png").stat().st_size > 0
    run = open_run(folder / "best")
    assert run.complete and run.meta["seed"] == 11
    # best/ starts from seed 11's weights, the trial from its own seed's: the line that named the trial's score
    # beside best/ said nothing of best/'s own, which may be far below it
    from sklearn.metrics import roc_auc_score

    from motifnet.run.predict import predict_arrays
    from motifnet.run.selection import select_data

    val = select_data(run, "val")
    predicted = predict_arrays(run.model, val, np.arange(len(val)), run.meta["params"]["batch_size"])
    expected = np.mean([roc_auc_score(val.labels[:, c], predicted[:, c]) for c in range(val.labels.shape[1])])
    assert state["best"]["run_score"] == pytest.approx(expected, abs=1e-6)
    assert f"run folder {folder / 'best'} (retrained with seed 11: roc-auc {expected:.4f} on its validation split)" \
        in result.stderr
    # summary.html named the trial's score alone
    assert (f"that run scored {expected:.4f} on its validation records (its weights start from seed 11's, the "
            "trial's from its own).") in " ".join(html.split())
    # as train records them (best/ recorded none, so train --resume there checked no inputs)
    assert run.meta["inputs"] == [{"path": str((data_dir / name).resolve()), "sha256": sha256(data_dir / name)}
                                  for name in ("motif.fa", "plain.fa")]
    assert run.meta["params"]["kernel_num"] == int(table[ranked[0]]["kernel_num"])
    assert run.meta["params"]["kernel_len"] == int(table[ranked[0]]["kernel_len"])
    probabilities = run.model.predict(run.dataset.model_inputs(slice(0, 5)), verbose=0)
    assert probabilities.shape == (5, 2)
    # the best run's split is the search's: its test records were never used by a trial
    assert run.meta["split"]["test"] == 18


@pytest.mark.slow
def test_a_refused_continuation_leaves_a_complete_search_complete(finished_search, data_dir, tmp_path, cli):
    """A results file that is not the search's was refused, and the complete search then said 'failed'."""
    folder = tmp_path / "copy"
    shutil.copytree(finished_search[0], folder)
    results = folder / "results.tsv"
    results.write_text(results.read_text().replace("kernel_len", "kernel_size", 1))
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    result = cli("grid-search", data_dir / "motif.fa", data_dir / "plain.fa", "-o", folder, "--grid",
                 data_dir / "grid.json", *FIXED, "--workers", "2", "--threads", "1", "--seed", "11")
    assert result.exit_code == 1 and "not the results file of this search" in result.stderr
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before
    assert json.loads((folder / "search.json").read_text())["status"] == "complete"


def test_a_continued_search_that_fails_after_its_trials_says_failed(data_dir, scheduler):
    """A failure after the trials (here: every trial failed) put the earlier status back, as if it were a refusal."""
    folder = data_dir / "all-failed"
    config = search_config(data_dir, folder, {"kernel_len": [45]})  # the network cannot be built
    with pytest.raises(MotifnetError, match=r"all 1 trial\(s\) failed"):
        run_search(config, on(scheduler), runner=quick_runner)
    state = json.loads((folder / "search.json").read_text())
    assert state["status"] == "failed"
    (folder / "search.json").write_text(json.dumps({**state, "status": "interrupted"}))
    with pytest.raises(MotifnetError, match=r"all 1 trial\(s\) failed"):
        run_search(config, on(scheduler), runner=quick_runner)  # nothing left to run: it fails again
    assert json.loads((folder / "search.json").read_text())["status"] == "failed"


def test_an_invalid_combination_is_a_failed_trial_with_the_validation_message(finished_search):
    folder, result = finished_search
    failed = [row for row in results_table(folder).values() if row["status"] == "failed"]
    assert sorted(row["kernel_num"] for row in failed) == ["4", "8"] and {row["kernel_len"] for row in failed} == {"45"}
    for row in failed:
        assert row["attempts"] == "0" and row["score"] == "" and row["seconds"] == ""
        assert row["error"].startswith("the network shrinks the sequence to nothing (input 40 -> conv_1 -4); "
                                       "use fewer conv layers")
    assert "kernel_len=45 failed: the network shrinks the sequence to nothing" in result.stderr
    assert "shrinks the sequence to nothing" in (folder / "summary.html").read_text()


@pytest.mark.slow
def test_a_killed_search_continues_without_rerunning_trials_and_ends_as_an_uninterrupted_one(
        finished_search, data_dir, scheduler):
    reference_folder = finished_search[0]
    reference = results_table(reference_folder)
    folder = data_dir / "restarted"
    # A search killed after four trials, while it was writing the fifth row, before the best was trained.
    folder.mkdir()
    shutil.copy(reference_folder / "search.json", folder / "search.json")
    lines = (reference_folder / RESULTS).read_text().splitlines(keepends=True)
    (folder / RESULTS).write_text("".join(lines[:5]) + lines[5][:20])
    kept = [line.split("\t")[0] for line in lines[1:5]]
    to_run = sorted(set(reference) - set(kept))
    assert len(to_run) == 2

    class Stop(Exception):
        pass

    seen = []

    def stop_after_one(row, finished, total):
        seen.append((row["trial"], finished, total))
        raise Stop

    with pytest.raises(Stop):  # stopped again, by the progress hook, after one more trial
        run_search(search_config(data_dir, folder), on(scheduler), on_result=stop_after_one)
    assert len(seen) == 1 and seen[0][1:] == (5, 6) and seen[0][0] in to_run
    assert (folder / RESULTS).read_text().splitlines(keepends=True)[:5] == lines[:5]
    assert not (folder / "best").exists()

    result = run_search(search_config(data_dir, folder), on(scheduler))  # no --seed: the recorded one
    assert result.ran == sorted(set(to_run) - {seen[0][0]})  # only the trial that never finished ran
    after = (folder / RESULTS).read_text().splitlines(keepends=True)
    assert after[:5] == lines[:5] and len(after) == 7  # finished rows untouched, no trial twice
    table = results_table(folder)
    # trial seeds and the split do not depend on worker, process or order: the same scores, bit for bit
    assert {t: row["score"] for t, row in table.items()} == {t: row["score"] for t, row in reference.items()}
    assert result.best["trial"] == json.loads((reference_folder / "search.json").read_text())["best"]["trial"]
    assert open_run_params(folder / "best") == open_run_params(reference_folder / "best")

    again = run_search(search_config(data_dir, folder), on(scheduler))
    assert again.ran == [] and (folder / RESULTS).read_text().splitlines(keepends=True) == after


@pytest.mark.slow
def test_a_continued_search_gives_its_trials_the_kernel_len_it_began_with(data_dir, scheduler):
    from motifnet.run.rundir import open_run

    folder = data_dir / "pinned"
    config = search_config(data_dir, folder, {"kernel_num": [4]}, preset="motifnet")
    _prepare_folder(config)
    state = json.loads((folder / "search.json").read_text())
    state["settings"]["preset_values"]["kernel_len"] = 11  # recorded by a motifnet before kernel_len 'auto'
    (folder / "search.json").write_text(json.dumps(state))
    result = run_search(config, on(scheduler))
    assert len(result.ran) == 1 and result.best is not None
    best = open_run(folder / "best")
    assert best.meta["params"]["kernel_len"] == 11 and best.model.get_layer("conv_1").kernel.shape[0] == 11
    assert json.loads((folder / "search.json").read_text())["settings"]["preset_values"]["kernel_len"] == 11


@pytest.mark.slow
def test_preset_auto_gives_each_trial_the_preset_train_takes_and_a_continued_search_keeps_its_pick(tmp_path,
                                                                                                 scheduler):
    """Default preset auto: windows centred on an RNA element get centred, as train gives them, recorded with
    the reason; a trial with a value only motifnet's network takes gets motifnet, as train would; best/ is
    train's run; a search continued after the pick keeps it."""
    from helpers import two_class_files

    from motifnet.run.rundir import open_run

    files = two_class_files(tmp_path, np.random.default_rng(3), "centred", n=150)
    folder = tmp_path / "search"
    config = SearchConfig(DataOptions(files), str(folder), check_grid({"position_bins": [0, 4]}),
                          {"conv_num": 1, "neuron_num": 8, "epochs": 1, "batch_size": 32, "kernel_num": 4}, seed=2)
    result = run_search(config, on(scheduler))
    assert [row["status"] for row in result.rows] == ["ok", "ok"]
    # results.tsv names each trial's preset: position_bins only motifnet's network takes
    assert {row["position_bins"]: row["preset"] for row in result.rows} == {"0": "centred", "4": "motifnet"}
    state = json.loads((folder / "search.json").read_text())
    assert state["settings"]["preset"] == "auto" and state["settings"]["preset_taken"] == "centred"
    assert state["settings"]["preset_values"] == to_json(PRESETS["centred"])
    assert state["preset_choice"]["preset"] == "centred"
    assert state["preset_choice"]["reason"].startswith("RNA windows in which a class differs from the other "
                                                       "records by position (centred_bound against the other ")
    best = open_run(folder / "best").meta
    expected = "centred" if result.best["params"]["position_bins"] == 0 else "motifnet"
    assert best["preset"] == expected and best["preset_choice"]["reason"].startswith(state["preset_choice"]["reason"])
    page = (folder / "summary.html").read_text()
    assert "<code>centred</code>, taken by preset auto for RNA windows in which a class differs" in page
    # Begun (say, by an earlier motifnet) with motifnet for the same data: the trials and best/ keep motifnet.
    state["settings"].update(preset_taken="motifnet", preset_values=to_json(PRESETS["motifnet"]))
    (folder / "search.json").write_text(json.dumps(state))
    (folder / RESULTS).write_text((folder / RESULTS).read_text().splitlines(keepends=True)[0])
    again = run_search(config, on(scheduler))
    assert len(again.ran) == 2 and open_run(folder / "best").meta["preset"] == "motifnet"
    assert json.loads((folder / "search.json").read_text())["settings"]["preset_taken"] == "motifnet"


def test_preset_auto_continues_a_search_with_the_preset_it_began_with_and_a_new_one_picks_again(tmp_path):
    data = DataOptions(small_data(tmp_path))
    folder = tmp_path / "search"
    _prepare_folder(SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3, preset="motifnet"))
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    auto = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3)
    # begun with a named preset (before grid-search had auto, or with --preset): the same command continues it,
    # and --overwrite starts it over under auto
    settings, earlier = _prepare_folder(auto)
    assert earlier is not None and settings["preset"] == "motifnet"
    named = (folder / "search.json").read_text()
    settings, earlier = _prepare_folder(dataclasses.replace(auto, overwrite=True))
    assert earlier is None and settings["preset"] == "auto" and settings["preset_values"] is None
    (folder / "search.json").write_text(named)
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    state = json.loads((folder / "search.json").read_text())
    state["settings"].update(preset="auto", preset_taken="centred", preset_values=to_json(PRESETS["centred"]))
    (folder / "search.json").write_text(json.dumps(state))
    settings, earlier = _prepare_folder(auto)
    assert earlier is not None and settings["preset_taken"] == "centred"
    with pytest.raises(ParamError, match=re.escape("(preset, preset_values differ) (it began with --preset auto, "
                                                   "which took centred); continue it")):
        _prepare_folder(dataclasses.replace(auto, preset="motifnet"))
    state["settings"]["preset_taken"] = "biggest"
    (folder / "search.json").write_text(json.dumps(state))
    with pytest.raises(ParamError, match=re.escape("search.json: damaged (preset_taken 'biggest' is not a preset)")):
        _prepare_folder(auto)
    # Started over (other settings, --overwrite): the earlier pick is not kept, the input is read again.
    state["settings"]["preset_taken"] = "centred"
    (folder / "search.json").write_text(json.dumps(state))
    settings, earlier = _prepare_folder(dataclasses.replace(auto, metric="pr-auc", overwrite=True))
    assert earlier is None and "preset_taken" not in settings and settings["preset_values"] is None
    assert "preset_taken" not in json.loads((folder / "search.json").read_text())["settings"]


def test_preset_autos_pick_is_read_on_the_training_records_and_each_trial_settles_it_as_train_does(tmp_path):
    from helpers import two_class_files

    from motifnet.errors import WindowTooShortError
    from motifnet.run.presets import choose_preset
    from motifnet.search._trial import describe_data
    from motifnet.search.grid import trial_preset

    files = two_class_files(tmp_path, np.random.default_rng(3), "centred", n=150)
    facts = describe_data(DataOptions(files), ("x",), (0.7, 0.15), 1, "auto")
    pick = facts["preset_pick"]
    assert pick["preset"] == "centred" and pick["asked"] == "auto" and pick["position_tests"][0]["positional"]
    assert "preset_pick" not in describe_data(DataOptions(files), ("x",), (0.7, 0.15), 1, "centred")
    settings = {"preset": "auto", "preset_taken": "centred"}
    assert trial_preset(settings, pick, {"kernel_num": 4}, 4, 100) == ("centred", "")
    # a value only motifnet's network takes: motifnet, as train would give that trial
    assert trial_preset(settings, pick, {"position_bins": 4}, 4, 100) == (
        "motifnet", ", but centred does not take --param position_bins=4")
    assert choose_preset("auto", {"position_bins": 4}, load_dataset(files), None)[0] == "motifnet"
    # windows too short for the default kernels: that trial fails, one with shorter kernels runs (no whole refusal)
    with pytest.raises(WindowTooShortError):
        trial_preset(settings, pick, {}, 4, 12)
    assert trial_preset(settings, pick, {"kernel_len": 3, "conv_num": 1}, 4, 12) == ("centred", "")
    # centred's 3 convolutions do not fit
    assert trial_preset(settings, pick, {"kernel_len": 5}, 4, 12) == (
        "motifnet", ", but centred's network does not fit windows of 12")
    assert trial_preset({"preset": "pysster"}, None, {}, 4, 100) == ("pysster", "")


def test_a_results_file_without_the_preset_column_is_continued_in_its_layout(tmp_path):
    trials = expand_grid(check_grid({"kernel_num": [4, 8]}), {}, 1)
    path = tmp_path / RESULTS
    old = ["trial", "status", "score", "fold_scores", "epochs", "best_epoch", "seconds", "attempts", "seed",
           "kernel_num", "params", "error"]
    path.write_text("\t".join(old) + "\n")
    results = ResultsFile(path, ["kernel_num"])
    assert results.columns == old
    outcome = {"status": "ok", "score": 0.5, "epochs": 2, "best_epoch": 1, "seconds": 1.0}
    results.append(result_row(trials[0], outcome, 1, [], "centred"))
    assert len(path.read_text().splitlines()[1].split("\t")) == len(old)  # no preset cell in the old layout
    assert list(results.rows()) == [trials[0].id] and "preset" not in results.rows()[trials[0].id]
    new = tmp_path / "new.tsv"
    fresh = ResultsFile(new, ["kernel_num"])
    fresh.append(result_row(trials[1], outcome, 1, [], "centred"))
    assert fresh.columns == [*old, "preset"] and fresh.rows()[trials[1].id]["preset"] == "centred"


def test_the_summary_shows_a_grid_parameter_named_like_a_result_column_by_its_value(tmp_path):
    """A grid over epochs showed each trial's epochs run (early stopping: fewer) as its grid value."""
    from motifnet.report.search_summary import write_summary

    config = SearchConfig(DataOptions(small_data(tmp_path)), str(tmp_path / "s"), check_grid({"epochs": [3, 5]}),
                          preset="motifnet")
    trials = expand_grid(config.grid, {}, 1)
    folder = tmp_path / "s"
    folder.mkdir()
    results = ResultsFile(folder / RESULTS, ["epochs"])
    for trial, ran, score in zip(trials, (2, 4), (0.6, 0.7)):
        outcome = {"status": "ok", "score": score, "epochs": ran, "best_epoch": 1, "seconds": 1.0}
        results.append(result_row(trial, outcome, 1, [], "motifnet"))
    rows = rank([parse_row(row) for row in results.rows().values()], trials, "roc-auc")
    page = write_summary(folder, rows, trials, _settings(config, 1), None).read_text()
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr class=[^>]*>(.*?)</tr>", page, re.S)]
    # rank, trial (in <code>), score, the grid's epochs, then the epochs run
    assert [(cells_of[2], cells_of[3]) for cells_of in cells] == [("5", "4"), ("3", "2")], cells
    # an auto search continued from a results.tsv without the preset column (rows without it) renders too
    for row in rows:
        del row["preset"]
    settings = {**_settings(config, 1), "preset": "auto", "preset_taken": "motifnet"}
    assert "<th>preset</th>" in write_summary(folder, rows, trials, settings, None).read_text()


@pytest.mark.slow
def test_starting_over_retrains_best_into_the_folder_that_holds_its_report(data_dir, scheduler):
    """README has the report made in best/report; --overwrite then left best/ with the report and no run,
    and the retraining was refused after every trial had run ("not a motifnet run")."""
    from motifnet.run.rundir import open_run

    folder = data_dir / "with_report"
    run_search(search_config(data_dir, folder, {"kernel_num": [4]}, preset="motifnet"), on(scheduler))
    (folder / "best" / "report").mkdir()
    (folder / "best" / "report" / "summary.html").write_text("the user's report")
    again = run_search(search_config(data_dir, folder, {"kernel_num": [4]}, preset="motifnet", metric="val-loss",
                                     overwrite=True), on(scheduler))
    assert again.best is not None and open_run(folder / "best").complete
    assert (folder / "best" / "report" / "summary.html").read_text() == "the user's report"


def test_train_refuses_a_folder_of_others_unless_it_is_allowed(tmp_path):
    from motifnet.run.training import check_run_dir

    best = tmp_path / "best"
    (best / "report").mkdir(parents=True)
    with pytest.raises(ParamError, match="folder is not empty and is not a motifnet run"):
        check_run_dir(best, True)
    check_run_dir(best, True, others_allowed=True)


def test_the_same_grid_with_its_keys_in_another_order_continues(tmp_path):
    trials = expand_grid(check_grid({"kernel_num": [4], "kernel_len": [5]}), {}, 1)
    path = tmp_path / RESULTS
    outcome = {"status": "ok", "score": 0.5, "seconds": 1.0}
    ResultsFile(path, ["kernel_num", "kernel_len"]).append(result_row(trials[0], outcome, 1, []))
    results = ResultsFile(path, ["kernel_len", "kernel_num"])
    assert list(results.rows()) == [trials[0].id] and results.rows()[trials[0].id]["kernel_len"] == "5"


def test_a_folder_in_use_by_another_search_is_refused_and_left_as_it_was(tmp_path, cli):
    """Two searches in one folder appended to one results.tsv and retrained one best/ (there was no lock)."""
    import socket

    from motifnet.run.lock import acquire

    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    folder = tmp_path / "search"
    with acquire(folder, "grid-search"):  # a search running in this folder
        (folder / "search.json").write_text('{"settings": {}, "status": "running"}')
        before = {path.name: path.read_bytes() for path in folder.iterdir()}
        result = cli("grid-search", *fasta, "-o", folder, "--grid", tmp_path / "grid.json", "--workers", "1")
        assert result.exit_code == 1 and "Traceback" not in result.output
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith(f"Error: {folder}: in use by motifnet grid-search (pid {os.getpid()} on "
                               f"{socket.gethostname()}, since "), line
        assert line.endswith("); wait for it to end or choose another -o")
        assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert sorted(path.name for path in folder.iterdir()) == ["search.json"]  # the lock went with its holder


def test_a_search_takes_over_the_lock_of_a_killed_one(tmp_path, caplog):
    """A search killed with SIGKILL leaves its lock behind; the next search in the folder takes it over."""
    import socket

    from motifnet.run.lock import LOCK
    from motifnet.search._cluster import ClusterOptions

    folder = tmp_path / "search"
    config = SearchConfig(DataOptions(small_data(tmp_path)), str(folder), check_grid(GRID), dict(FIXED_PARAMS),
                          seed=3)
    folder.mkdir()
    (folder / LOCK).write_text(json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname(), "started": 0,
                                           "command": "grid-search"}))  # a pid above Linux's largest
    with pytest.raises(ParamError, match="cannot connect"), caplog.at_level("WARNING", logger="motifnet"):
        run_search(config, ClusterOptions("scheduler", scheduler="tcp://127.0.0.1:9", timeout=1))
    assert "is stale (no such process on this host any more); taking it over" in caplog.text
    assert list(folder.iterdir()) == []  # what the refused search wrote is gone, the dead one's lock too


def open_run_params(path):
    from motifnet.run.rundir import open_run

    return open_run(path).meta["params"]


def flaky_runner(task):
    """Kills its worker for kernel_num 4; raises for kernel_num 8 (two attempts, told apart by a marker file)."""
    marker = Path(task.data.fasta[0]).parent / f"attempted-{task.trial}"
    if task.params["kernel_num"] == 4:
        os._exit(1)
    attempt = 2 if marker.exists() else 1
    marker.write_text("1")
    raise RuntimeError(f"simulated out of memory, attempt {attempt}")


@pytest.mark.slow
def test_failed_trials_are_retried_once_and_a_lost_worker_does_not_stop_the_search(data_dir, scheduler):
    folder = data_dir / "faults"
    with pytest.raises(MotifnetError, match=r"all 2 trial\(s\) failed, the first with: attempt 1: worker lost"):
        run_search(search_config(data_dir, folder, {"kernel_num": [4, 8]}), on(scheduler), runner=flaky_runner)
    table = {row["kernel_num"]: row for row in results_table(folder).values()}
    assert table["4"]["status"] == "failed" and table["4"]["attempts"] == "2"
    assert table["4"]["error"].startswith("attempt 1: worker lost") and "attempt 2: worker lost" in table["4"]["error"]
    assert table["8"]["status"] == "failed" and table["8"]["attempts"] == "2"
    assert table["8"]["error"] == ("attempt 1: RuntimeError: simulated out of memory, attempt 1 | "
                                   "attempt 2: RuntimeError: simulated out of memory, attempt 2")
    state = json.loads((folder / "search.json").read_text())
    assert state["status"] == "failed" and state["best"] is None
    assert "Every trial failed" in (folder / "summary.html").read_text() and not (folder / "best").exists()
    # The same command runs them again (they were kept as failed: a search that looked complete without them),
    # and their new rows replace the old ones.
    with pytest.raises(MotifnetError, match=r"all 2 trial\(s\) failed, the first with: attempt 1: RuntimeError: "
                                            r"simulated, run again"):
        run_search(search_config(data_dir, folder, {"kernel_num": [4, 8]}), on(scheduler), runner=failing_runner)
    table = {row["kernel_num"]: row for row in results_table(folder).values()}
    assert {row["error"] for row in table.values()} == {"attempt 1: RuntimeError: simulated, run again | "
                                                        "attempt 2: RuntimeError: simulated, run again"}


def failing_runner(task):
    raise RuntimeError("simulated, run again")


def test_data_that_cannot_support_the_folds_or_the_split_is_refused():
    from motifnet.search.grid import _check_data

    facts = {"split": {"train": 8, "val": 2, "test": 2}, "searched_per_class": [6, 4]}
    config = SearchConfig(DataOptions(["a.fa", "b.fa"]), "s", {"kernel_num": [4]}, folds=5)
    with pytest.raises(ParamError, match="--folds 5: the smallest class has 4 train.validation record"):
        _check_data(config, facts)
    config.folds = 4
    _check_data(config, facts)
    config.folds = None
    with pytest.raises(ParamError, match="the train or validation split is empty"):
        _check_data(config, {**facts, "split": {"train": 10, "val": 0, "test": 2}})


@pytest.mark.slow
def test_a_trial_scored_by_cross_validation_averages_its_folds(data_dir, monkeypatch):
    from motifnet._io import sha256
    from motifnet.search._trial import TrialTask, run_trial

    data = DataOptions([data_dir / "motif.fa", data_dir / "plain.fa"])
    checksums = tuple(sha256(path) for path in data.fasta)
    params = {**FIXED_PARAMS, "kernel_num": 4, "kernel_len": 5}
    task = TrialTask("t", params, 5, 11, (0.7, 0.15), "val-loss", 2, 1, data, checksums)
    result = run_trial(task)
    assert result["status"] == "ok", result["error"]
    assert len(result["fold_scores"]) == 2 and all(score > 0 for score in result["fold_scores"])
    assert result["score"] == np.mean(result["fold_scores"]) and result["epochs"] == 2.0
    invalid = run_trial(TrialTask("u", {**params, "kernel_len": 41}, 5, 11, (0.7, 0.15), "roc-auc", None, 1, data,
                                  checksums))
    assert invalid["status"] == "failed" and invalid["retry"] is False
    assert invalid["error"].startswith("the network shrinks the sequence to nothing (input 40 -> conv_1 0)")
    # a score undefined on the validation records is so at every attempt (the split is seeded): it was retried,
    # and a continued search ran it again
    from motifnet.search import _trial

    monkeypatch.setattr(_trial, "fit_and_score", lambda *args: {"score": float("nan"), "epochs": 1, "best_epoch": 1})
    undefined = run_trial(TrialTask("v", params, 5, 11, (0.7, 0.15), "roc-auc", None, 1, data, checksums))
    assert undefined["status"] == "failed" and undefined["retry"] is False
    assert undefined["error"].startswith("the roc-auc score is undefined on the validation records")


def test_best_run_of_a_moved_search_with_an_adjacency_matrix_is_still_the_trials(tmp_path, monkeypatch):
    """best/ names the matrix by the absolute path it was trained with; after the search's folder moved, it was
    taken for a run of none of the trials (refused, with --overwrite as the way out)."""
    from types import SimpleNamespace

    from motifnet.model.params import resolve, resolve_kernel_len, to_json
    from motifnet.search.grid import _is_trial_run

    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "adj.npy", np.ones((4, 2)))
    digest = hashlib.sha256((tmp_path / "adj.npy").read_bytes()).hexdigest()
    params = {**FIXED_PARAMS, "dense_adjacency": "adj.npy"}
    trained = to_json(resolve_kernel_len(resolve({**params, "dense_adjacency": "/old/place/adj.npy"}, "motifnet"), 4))
    run = SimpleNamespace(meta={"seed": 3, "params": trained, "data": {"encoder": {"alphabet": {"letters": "ACGT"},
                                                                                  "length": 40}},
                                "adjacency": {"dense_1": {"parameter": "dense_adjacency", "path": "/old/place/adj.npy",
                                                          "sha256": digest}}})
    assert _is_trial_run(run, params, 3, "motifnet", None)
    np.save(tmp_path / "adj.npy", np.zeros((4, 2)))  # another matrix under the name: another network
    assert not _is_trial_run(run, params, 3, "motifnet", None)
    assert not _is_trial_run(run, {**params, "dense_adjacency": "-"}, 3, "motifnet", None)


def test_only_trials_failed_for_a_cause_that_may_pass_are_run_again():
    from motifnet.search._results import transient_failure

    assert transient_failure({"status": "failed", "error": "attempt 1: worker lost (x) | attempt 2: worker lost (x)"})
    assert not transient_failure({"status": "failed", "error": "the network shrinks the sequence to nothing"})
    assert not transient_failure({"status": "ok", "error": ""}) and not transient_failure({"status": "failed"})


@pytest.mark.parametrize("options, message", [
    ({"kind": "moon"}, "cluster kind must be one of local, scheduler, slurm, pbs, received: 'moon'"),
    ({"kind": "scheduler"}, "needs its scheduler's address (--scheduler ADDRESS)"),
    ({"kind": "pbs", "scheduler": "tcp://127.0.0.1:1"}, "it cannot be combined with a pbs cluster"),
    ({"cores": 4}, "--cores applies only to batch jobs: add --slurm or --pbs"),
    ({"workers": 0}, "--workers must be at least 1, received: 0"),
])
def test_cluster_options_that_do_not_fit_together_are_refused(options, message):
    from motifnet.search._cluster import ClusterOptions

    with pytest.raises(ParamError, match=re.escape(message)):
        ClusterOptions(**options).checked()


def test_the_best_runs_report_links_back_to_the_search_summary(tmp_path):
    from motifnet.report.search_summary import search_link

    folder = tmp_path / "search"
    (folder / "best" / "report").mkdir(parents=True)
    (folder / "search.json").write_text(json.dumps({"settings": {"metric": "pr-auc"},
                                                    "best": {"trial": "abc123", "score": 0.75}}))
    (folder / "summary.html").write_text("<html></html>")
    (folder / "results.tsv").write_text("trial\tstatus\nabc123\tok\ndef456\tfailed\n")
    link = search_link(folder / "best", folder / "best" / "report")
    assert link == {"href": "../../summary.html", "trial": "abc123", "score": 0.75, "metric": "pr-auc", "trials": 2}
    assert search_link(tmp_path / "elsewhere" / "run", folder / "best" / "report") is None


def quick_runner(task):
    """A trial that scores at once (the search's scheduling is what is tested)."""
    return {"status": "ok", "score": 0.5, "epochs": 1, "best_epoch": 1, "seconds": 0.0}


@pytest.mark.slow
def test_a_signal_starts_no_new_trial_and_leaves_the_search_continuable(data_dir, scheduler):
    import signal

    from motifnet._signals import StopRequested, stop_on_signals

    folder = data_dir / "signalled"
    grid = {"kernel_num": [2, 3, 4, 5, 6, 7]}
    seen = []

    def signal_after_the_first(row, finished, total):
        seen.append(row["trial"])
        signal.raise_signal(signal.SIGTERM)

    with stop_on_signals(), pytest.raises(StopRequested):
        run_search(search_config(data_dir, folder, grid), on(scheduler), on_result=signal_after_the_first,
                   runner=quick_runner)
    # Trials that finished together are all recorded; none is started after the signal (2 workers, 6 trials).
    assert 1 <= len(seen) <= 2 and set(results_table(folder)) == set(seen)
    assert not (folder / "best").exists()
    assert json.loads((folder / "search.json").read_text())["status"] == "interrupted"
    with pytest.raises(StopRequested):  # continuing runs only the others
        run_search(search_config(data_dir, folder, grid), on(scheduler), runner=quick_runner,
                   on_result=lambda row, finished, total: seen.append(row["trial"]) or _stop_when(len(seen) == 6))
    assert len(set(seen)) == len(seen) == 6 and len(results_table(folder)) == 6


def _stop_when(condition):
    if condition:  # every trial ran: stop before the best is retrained (that would train a network)
        from motifnet._signals import StopRequested

        raise StopRequested


def _grid_search(folder, *arguments, **kwargs):
    """``motifnet grid-search`` in a process of its own, with its own process group (as in a terminal)."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "motifnet", "grid-search", *map(str, arguments), "-o", str(folder)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)


def _stderr_once_ended(process, timeout: float = 300) -> str:
    """The standard error of ``process`` once it ended; a process still running after ``timeout`` seconds (a search
    waiting for a worker that never comes) is killed and fails the test."""
    import signal
    import subprocess

    try:
        return process.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"the search still waited after {timeout:g} s") from None


def _stopped_by_signal(process, ready, not_ready: str, signum, wait: float = 0.0, timeout: float = 600) -> str:
    """Send ``signum`` to the process group of ``process`` once ``ready()`` (and ``wait`` seconds more); returns
    its standard error once it ended. ``not_ready``: what the failure says when ``ready()`` took over ``timeout``."""
    import signal
    import time

    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"{not_ready} in {timeout:g} s"
            time.sleep(0.2)
        time.sleep(wait)
        os.killpg(process.pid, signum)
        return process.communicate(timeout=timeout)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def _finished_rows(folder) -> int:
    """Complete rows of the search's results.tsv so far (0 before it is written)."""
    try:
        return (folder / RESULTS).read_text().count("\n") - 1
    except FileNotFoundError:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_to_the_process_group_stops_the_search_in_one_line_and_the_same_command_finishes_it(
        tmp_path, signal_name):
    """Ctrl-C in a terminal (or a batch system's SIGTERM) reaches the local worker processes too: they leave
    the stop to the search, which keeps the finished trials; no worker is reported lost, no traceback."""
    import signal

    fasta = small_data(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [2, 3, 4]}')
    folder = tmp_path / "search"
    arguments = [*fasta, "--grid", tmp_path / "grid.json", *FIXED, "--param", "kernel_len=5", "--workers", "1",
                 "--threads", "1", "--seed", "5"]
    process = _grid_search(folder, *arguments)
    stderr = _stopped_by_signal(process, lambda: _finished_rows(folder) >= 1, "no trial finished",
                                getattr(signal, signal_name))
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1] == (f"Error: search interrupted; run the same command again to "
                                               f"continue it in {folder}")
    assert "Traceback" not in stderr and "worker lost" not in stderr and "ERROR" not in stderr, stderr
    assert json.loads((folder / "search.json").read_text())["status"] == "interrupted"
    kept = (folder / RESULTS).read_text().splitlines(keepends=True)
    assert len(kept) >= 2 and {line.split("\t")[1] for line in kept[1:]} == {"ok"}

    rerun = _grid_search(folder, *arguments)
    _, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr
    assert f"3 trial(s), {len(kept) - 1} finished earlier" in stderr
    after = (folder / RESULTS).read_text().splitlines(keepends=True)
    assert after[:len(kept)] == kept and len(after) == 4  # the finished trials were not run again
    assert json.loads((folder / "search.json").read_text())["status"] == "complete"


def test_a_grid_over_a_result_column_keeps_both_values(tmp_path):
    # A grid over epochs shared the column of the epochs trained: one value overwrote the other.
    [trial] = expand_grid({"epochs": [3], "kernel_num": [4]}, {}, seed=1)
    results = ResultsFile(tmp_path / RESULTS, ["epochs", "kernel_num"])
    header = (tmp_path / RESULTS).read_text().split("\n")[0].split("\t")
    assert "param_epochs" in header and header.count("epochs") == 1 and "kernel_num" in header
    outcome = {"status": "ok", "score": 0.9, "epochs": 7, "best_epoch": 5, "seconds": 1.0}
    results.append(result_row(trial, outcome, 1, []))
    [row] = ResultsFile(tmp_path / RESULTS, ["epochs", "kernel_num"]).rows().values()
    assert row["epochs"] == "7" and row["param_epochs"] == "3" and row["seed"] == str(trial.seed)
    assert parse_row(row)["params"] == {"epochs": 3, "kernel_num": 4}


def test_a_results_file_of_the_old_layout_is_continued_in_its_layout(tmp_path):
    legacy = ["trial", "status", "score", "fold_scores", "epochs", "best_epoch", "seconds", "attempts", "seed",
              "epochs", "params", "error"]
    (tmp_path / RESULTS).write_text("\t".join(legacy) + "\n")
    results = ResultsFile(tmp_path / RESULTS, ["epochs"])
    assert results.columns == legacy



@pytest.mark.slow
def test_a_signal_during_the_best_retraining_stops_it_and_the_search_continues_it(data_dir, scheduler):
    # The retraining runs on a worker, where the user's signal does not arrive: it used to train on to the end.
    import signal
    import threading
    import time

    from motifnet._signals import StopRequested, stop_on_signals

    folder = data_dir / "signalled-retraining"
    fixed = {**FIXED_PARAMS, "epochs": 25, "patience_stopping": 25}
    config = SearchConfig(DataOptions([data_dir / "motif.fa", data_dir / "plain.fa"]), str(folder),
                          check_grid({"kernel_num": [4]}), fixed, seed=11)
    state = folder / "best" / "resume" / "state.json"

    def signal_after_an_epoch():
        deadline = time.time() + 120
        while not state.exists() and time.time() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=signal_after_an_epoch, daemon=True).start()
    with stop_on_signals(), pytest.raises(StopRequested):
        run_search(config, on(scheduler), runner=quick_runner)
    meta = json.loads((folder / "best" / "motifnet.json").read_text())
    assert meta["training"]["status"] == "interrupted" and meta["training"]["epochs_run"] < 25
    assert json.loads((folder / "search.json").read_text())["status"] != "complete"

    result = run_search(config, on(scheduler), runner=quick_runner)  # the same command again
    meta = json.loads((folder / "best" / "motifnet.json").read_text())
    assert meta["training"]["status"] == "complete" and meta["training"]["epochs_run"] == 25
    epochs = [int(row.split("\t")[0]) for row in (folder / "best" / "history.tsv").read_text().split("\n")[1:] if row]
    assert epochs == list(range(1, 26)) and result.best is not None


def test_a_signal_as_the_last_trial_ends_starts_no_retraining(data_dir, scheduler):
    """The search went on to retrain the best trial so far into best/ after the stop was asked, then stopped it."""
    from motifnet._signals import StopRequested, request_stop, stop_on_signals

    folder = data_dir / "signalled-at-the-end"
    config = SearchConfig(DataOptions([data_dir / "motif.fa", data_dir / "plain.fa"]), str(folder),
                          check_grid({"kernel_num": [4, 8]}), FIXED_PARAMS, seed=11)
    rows = []

    def stop_after_the_last(row, finished, total):
        rows.append(row)
        if finished == total:
            request_stop()  # as SIGINT would, between the last row and the retraining

    with stop_on_signals(), pytest.raises(StopRequested):
        run_search(config, on(scheduler), on_result=stop_after_the_last, runner=quick_runner)
    assert len(rows) == 2 and not (folder / "best").exists()
    result = run_search(config, on(scheduler), runner=quick_runner)  # the same command again: no trial reruns
    assert result.ran == [] and (folder / "best" / "metrics.json").is_file()


def test_a_best_run_is_current_only_with_its_test_metrics(trained_run, tmp_path):
    # A retraining killed between status "complete" and metrics.json was taken as done; a diverged one resumed.
    from helpers import copy_run

    from motifnet.search.grid import _best_state

    best = copy_run(trained_run[0], tmp_path / "best")
    meta = json.loads((best / "motifnet.json").read_text())
    params, seed = meta["params"], meta["seed"]
    assert _best_state(best, params, seed, "pysster") == "current"
    assert _best_state(best, {**params, "kernel_num": 99}, seed, "pysster") is None
    (best / "metrics.json").unlink()
    assert _best_state(best, params, seed, "pysster") == "interrupted"
    meta["training"]["status"] = "diverged"
    (best / "motifnet.json").write_text(json.dumps(meta))
    assert _best_state(best, params, seed, "pysster") is None


# ------------------------------------------------------------------------------- BED and genome

def test_a_search_on_bed_records_its_genome_and_background_and_refuses_a_changed_genome(tmp_path):
    from helpers import make_genome

    from motifnet._io import sha256

    made = make_genome(tmp_path)
    data = DataOptions([made["bed"]], length=60, genome=str(made["genome"]), background="shuffle")
    folder = tmp_path / "search"
    config = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3).checked()
    settings, _ = _prepare_folder(config)
    assert settings["genome"] == {"name": "genome.fa", "sha256": sha256(made["genome"])}
    assert settings["background"] == {"source": "shuffle", "shuffle_k": 2, "ratio": 1.0}
    file_data = data.replace(background=str(made["bed"]), background_ratio=3.0, shuffle_k=4)
    file_config = SearchConfig(file_data, str(tmp_path / "other"), check_grid(GRID), dict(FIXED_PARAMS), seed=3)
    # A background file is read as it is: ratio and k-mers change nothing and are not recorded.
    assert _settings(file_config, 3)["background"] == {"source": {"name": "peaks.bed", "sha256": sha256(made["bed"])}}
    (folder / "results.tsv").write_text("trial\tstatus\nabc\tok\n")
    assert _prepare_folder(config)[1] is not None  # the same genome: continued
    with open(made["genome"], "a") as handle:
        handle.write(">chr4\nACGT\n")
    with pytest.raises(ParamError, match="genome differs"):
        _prepare_folder(config)
    other = SearchConfig(data.replace(background_ratio=2.0), str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3)
    with pytest.raises(ParamError, match=r"genome, background differ\)"):
        _prepare_folder(other)
    # a setting recorded only when given, left out now: it said "other settings ( differ)" (found in review)
    data = data.replace(background=None, fasta=[made["bed"], made["bed"].with_name("peaks.narrowPeak")])
    without = SearchConfig(data, str(folder), check_grid(GRID), dict(FIXED_PARAMS), seed=3)
    with pytest.raises(ParamError, match=r"other settings \(files, genome, background differ\)"):
        _prepare_folder(without)


@pytest.mark.parametrize("name", ["score_by_parameter.png", "results.tsv", "search.json", "summary.html"])
def test_an_input_named_like_a_file_the_search_writes_in_its_folder_is_refused(cli, tmp_path, name):
    """--overwrite removed a --grid file of such a name once read (the next command found a PNG there)."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / name).write_text('{"kernel_num": [4, 8]}')
    result = cli("grid-search", "a.fa", "b.fa", "-o", folder, "--grid", folder / name, "--overwrite")
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: --grid {folder / name}: motifnet grid-search writes this file in {folder}, which would replace it; "
        "copy it elsewhere or choose another -o folder")
    assert [path.name for path in folder.iterdir()] == [name]


@pytest.mark.parametrize("arguments, message, status", [
    (["--genome", "{tmp}/missing.fa"], "{tmp}/missing.fa: no such file (--genome)", 1),
    (["--genome", "{tmp}/genome.fa", "--background", "{tmp}/missing.bed"], "{tmp}/missing.bed: no such file "
                                                                           "(--background)", 1),
    # options that contradict each other or the inputs named: usage errors (they exited 1)
    (["--background", "shuffle"], "{tmp}/peaks.bed: BED input needs --genome FILE.fa", 2),
    (["--genome", "{tmp}/genome.fa"], "one FASTA file means a single class", 1),
    # an option's value out of its range: a usage error, as Click's own range checks
    (["--genome", "{tmp}/genome.fa", "--background", "shuffle", "--background-ratio", "nan"],
     "--background-ratio must be a positive number up to", 2),
    (["--genome", "{tmp}/genome.fa", "--background", "shuffle", "--multi-label"], "--background adds a class", 2),
])
def test_bad_genome_and_background_options_are_refused_before_a_worker_starts(cli, tmp_path, arguments, message,
                                                                               status):
    from helpers import make_genome

    made = make_genome(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    result = cli("grid-search", made["bed"], "-o", tmp_path / "s", "--grid", tmp_path / "grid.json",
                 *[argument.format(tmp=tmp_path) for argument in arguments])
    assert result.exit_code == status and message.format(tmp=tmp_path) in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "s").exists()


@pytest.mark.slow
def test_a_search_on_bed_peaks_trains_on_the_records_train_reads_with_the_same_seed(cli, tmp_path):
    """BED peaks + --genome + --background shuffle: best/ holds the data and split of `motifnet train --seed`."""
    from helpers import make_genome

    made = make_genome(tmp_path)
    (tmp_path / "grid.json").write_text('{"kernel_num": [4, 8]}')
    inputs = [made["bed"], "--genome", made["genome"], "--background", "shuffle", "--length", "60", *FIXED,
              "--param", "kernel_len=5", "--seed", "5"]
    result = cli("grid-search", *inputs, "-o", tmp_path / "search", "--grid", tmp_path / "grid.json",
                 "--workers", "1", "--threads", "1")
    assert result.exit_code == 0, result.output
    table = results_table(tmp_path / "search")
    assert sorted(row["kernel_num"] for row in table.values()) == ["4", "8"]
    assert {row["status"] for row in table.values()} == {"ok"}
    summary = (tmp_path / "search" / "summary.html").read_text()
    assert "; genome <code>genome.fa</code>; background: shuffle (1.0 per input record)" in summary
    best = json.loads((tmp_path / "search" / "search.json").read_text())["best"]
    result = cli("train", *inputs, "--param", f"kernel_num={best['params']['kernel_num']}", "-o", tmp_path / "run")
    assert result.exit_code == 0, result.output
    searched, trained = np.load(tmp_path / "search" / "best" / "data.npz"), np.load(tmp_path / "run" / "data.npz")
    assert sorted(searched.files) == sorted(trained.files)
    for name in trained.files:
        np.testing.assert_array_equal(searched[name], trained[name], err_msg=name)
    assert (tmp_path / "search" / "best" / "split.tsv").read_text() == (tmp_path / "run" / "split.tsv").read_text()
    meta = json.loads((tmp_path / "search" / "best" / "motifnet.json").read_text())
    assert meta["data"]["class_names"] == ["peaks", "background"]


def test_the_workers_get_every_input_by_its_absolute_path(tmp_path, monkeypatch):
    """Features, tracks and targets kept the paths as given, relative to the search's folder; a worker of a
    cluster started elsewhere (--scheduler) found no such file."""
    from motifnet.data.options import DataOptions
    from motifnet.search.grid import _for_workers

    monkeypatch.chdir(tmp_path)
    data = DataOptions(fasta=("a.fa", "b.fa"), feature_files=("a.tsv", "b.tsv"), tracks=(("cons", ("a.t", "b.t")),),
                       targets_file=None, genome=None)
    moved = _for_workers(data, 3)
    assert moved.fasta == (str(tmp_path / "a.fa"), str(tmp_path / "b.fa"))
    assert moved.feature_files == (str(tmp_path / "a.tsv"), str(tmp_path / "b.tsv"))
    assert moved.tracks == (("cons", (str(tmp_path / "a.t"), str(tmp_path / "b.t"))),)
    assert moved.targets_file is None and moved.genome is None and moved.background_seed == 0
    regression = _for_workers(DataOptions(fasta=("r.fa",), targets_file="t.tsv", task="regression"), 3)
    assert regression.targets_file == str(tmp_path / "t.tsv")


def test_a_retrained_best_run_that_cannot_be_scored_keeps_its_metrics(monkeypatch, caplog):
    """Scoring best/ on its validation split comes after its training: a failure there (memory, a file gone)
    would have failed a search whose best/ is complete."""
    import motifnet.run.training
    import motifnet.search._trial as trial
    from motifnet.run.training import TrainConfig

    def unreadable(run_dir, metric):
        raise OSError(5, "Input/output error", "motif.fa")

    monkeypatch.setattr(trial, "cached_dataset", lambda data, sha256: "the data")
    monkeypatch.setattr(motifnet.run.training, "train", lambda dataset, config: {"roc_auc_mean": 0.9})
    monkeypatch.setattr(trial, "run_score", unreadable)
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    config = TrainConfig("best")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert trial.retrain_best(None, (), config, None, None, "roc-auc") == {"roc_auc_mean": 0.9}
    assert [record.getMessage() for record in caplog.records][-1:] == [
        "best: could not score the retrained run on its validation records ([Errno 5] Input/output error: "
        "'motif.fa')"]
    monkeypatch.setattr(trial, "run_score", lambda run_dir, metric: 0.75)
    assert trial.retrain_best(None, (), config, None, None, "roc-auc") == {"roc_auc_mean": 0.9, "search_score": 0.75}


@pytest.mark.slow
def test_a_batch_job_refused_for_the_best_retraining_is_one_error_at_once(finished_search, data_dir, tmp_path,
                                                                          monkeypatch):
    """The search told a retraining that never began to stop, waited a minute for it and warned that it could
    not be told to stop; the folder then said that every trial had failed."""

    folder = tmp_path / "search"
    shutil.copytree(finished_search[0], folder)
    shutil.rmtree(folder / "best")
    state = json.loads((folder / "search.json").read_text())
    (folder / "search.json").write_text(json.dumps({**state, "status": "interrupted", "best": None}))
    _fake_batch_system(tmp_path, monkeypatch, REFUSED)
    process = _grid_search(folder, data_dir / "motif.fa", data_dir / "plain.fa", "--grid", data_dir / "grid.json",
                           *FIXED, "--seed", "11", "--slurm", *JOB, "--interface", "lo", "--workers", "1")
    stderr = _stderr_once_ended(process)
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1].startswith("Error: sbatch could not submit 1 of 1 batch job(s)")
    assert "could not be told to stop" not in stderr, stderr  # said after the minute a stopping retraining gets
    from motifnet.errors import RunDirError
    from motifnet.run.rundir import open_run

    with pytest.raises(RunDirError, match="the search ended 'failed' before best/ was trained"):
        open_run(folder)


def test_a_run_of_the_users_in_best_is_refused_not_replaced(finished_search, data_dir, tmp_path):
    """A rerun replaced a complete run trained by hand into SEARCH_DIR/best (another seed or parameters) without
    --overwrite and without a word."""
    from helpers import folder_digest

    from motifnet.errors import RunDirError

    folder = tmp_path / "search"
    shutil.copytree(finished_search[0], folder)
    meta_path = folder / "best" / "motifnet.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "seed": 12}))  # as `train --seed 12 -o search/best` records it
    before = folder_digest(folder / "best")
    with pytest.raises(RunDirError, match=re.escape(
            f"{folder / 'best'} holds a run that none of this search's trials made (other parameters or seed): "
            f"retraining the best trial there would replace it; move it out of {folder}, or give --overwrite to "
            "start the search over (its finished trials too)")):
        run_search(search_config(data_dir, folder))
    assert folder_digest(folder / "best") == before
    interrupted = {**meta, "seed": 12, "training": {**meta["training"], "status": "interrupted"}}
    meta_path.write_text(json.dumps(interrupted))  # a stopped run of the user's is refused as well
    with pytest.raises(RunDirError, match="holds a run that none of this search's trials made"):
        run_search(search_config(data_dir, folder))
    meta_path.write_text(json.dumps({**meta, "seed": 12, "params": {**meta["params"], "future_param": 1}}))
    from motifnet.search.grid import _refuse_other_best  # not comparable (a newer motifnet's run): left to retraining

    _refuse_other_best(folder / "best", [], {}, 11, "motifnet", None)
    meta_path.write_text(json.dumps(meta))  # the search's own run again: left as it is
    assert run_search(search_config(data_dir, folder)).ran == []


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_missing_or_damaged_best_model_is_trained_again(finished_search, data_dir, scheduler, tmp_path, caplog,
                                                          monkeypatch, damage):
    """A rerun said that best/ already held the best trial's run when its model.keras was gone or damaged;
    predict then failed."""
    from motifnet.run.rundir import open_run

    folder = tmp_path / "search"
    shutil.copytree(finished_search[0], folder)
    model = folder / "best" / "model.keras"
    model.unlink() if damage == "deleted" else model.write_bytes(b"garbage")
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        run_search(search_config(data_dir, folder), on(scheduler))
    assert f"{folder / 'best'}: its model.keras is missing or not the model its training saved: the best trial is " \
           "trained again" in caplog.messages
    reference = open_run(finished_search[0] / "best").model.get_weights()
    for got, want in zip(open_run(folder / "best").model.get_weights(), reference, strict=True):
        np.testing.assert_array_equal(got, want)  # the same seeded training


def test_a_report_made_before_best_was_trained_again_is_not_linked_as_its_report(tmp_path):
    """After --overwrite (or a new best), summary.html linked best/report, which showed the earlier model."""
    from motifnet.report.search_summary import write_summary

    config = SearchConfig(DataOptions(small_data(tmp_path)), str(tmp_path / "s"), check_grid({"epochs": [3]}),
                          preset="motifnet")
    trials = expand_grid(config.grid, {}, 1)
    folder = tmp_path / "s"
    (folder / "best" / "report").mkdir(parents=True)
    results = ResultsFile(folder / RESULTS, ["epochs"])
    results.append(result_row(trials[0], {"status": "ok", "score": 0.7, "epochs": 3, "best_epoch": 1, "seconds": 1.0},
                              1, [], "motifnet"))
    rows = rank([parse_row(row) for row in results.rows().values()], trials, "roc-auc")
    report, meta = folder / "best" / "report" / "summary.html", folder / "best" / "motifnet.json"
    report.write_text("<html></html>")
    meta.write_text("{}")

    def page_at(report_time, meta_time):
        os.utime(report, (report_time, report_time))
        os.utime(meta, (meta_time, meta_time))
        return " ".join(write_summary(folder, rows, trials, _settings(config, 1), folder / "best").read_text().split())

    stale = ('<a href="best/report/summary.html">best/report/summary.html</a> was made before <code>best/</code> '
             "was trained again and shows an earlier model: make it again with <code>motifnet visualize-kernels")
    # a command to paste from any folder: it was "visualize-kernels s/best/ -o s/best/report", the folder as typed
    # (relative to where the search began; a space in it split the command)
    best = (folder / "best").resolve()
    assert f"<code>motifnet visualize-kernels {best} -o {best / 'report'}</code>" in page_at(1000, 2000)
    assert "<th>epochs run</th>" in page_at(1000, 2000)  # a grid of epochs had two columns headed 'epochs'
    spaced = tmp_path / "my search"
    shutil.copytree(folder, spaced)
    page = " ".join(write_summary(spaced, rows, trials, _settings(config, 1), spaced / "best").read_text().split())
    assert f"<code>motifnet visualize-kernels &#39;{(spaced / 'best').resolve()}&#39; -o" in page
    # a report.json of an older motifnet, without the model's SHA-256: the times tell
    assert 'Its report: <a href="best/report/summary.html">' in page_at(2000, 1000)  # made after best/ was trained
    page = page_at(1000, 2000)
    assert "Its report:" not in page and stale in page
    # the models' SHA-256, whatever the times (a copied folder, a later section rewriting summary.html)
    meta.write_text(json.dumps({"training": {"model_sha256": ["aa", "bb"]}}))
    (report.parent / "report.json").write_text(json.dumps({"run": {"training": {"model_sha256": ["aa", "bb"]}}}))
    assert 'Its report: <a href="best/report/summary.html">' in page_at(1000, 2000)
    (report.parent / "report.json").write_text(json.dumps({"run": {"training": {"model_sha256": ["cc"]}}}))
    assert stale in page_at(2000, 1000)


def test_starting_over_names_the_files_it_keeps_once(tmp_path):
    """--overwrite named best/'s kept files twice: 'best: replacing the run; keeping ...' and 'starting over;
    keeping ... best/notes.txt'."""
    from motifnet.search.grid import _remove_search_files

    best = tmp_path / "best"
    best.mkdir()
    for name, text in (("motifnet.json", "{}"), ("model.keras", "x"), ("notes.txt", "mine")):
        (best / name).write_text(text)
    records, logger = [], logging.getLogger("motifnet")  # a handler of its own: caplog may see a record twice
    handler, level = logging.Handler(logging.INFO), logger.level
    handler.emit = records.append
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        _remove_search_files(tmp_path)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [record.getMessage() for record in records if "keeping" in record.getMessage()] == [
        f"{tmp_path}: starting over; keeping 1 file(s) that motifnet did not write: best/notes.txt"]
    assert [path.name for path in best.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("letters, rna, groups", [
    ("ACGT", False, [["auto/auto", "auto/both", "15/auto", "15/both"], ["auto/forward", "15/forward"],
                     ["9/auto", "9/both"]]),
    # RNA is single-stranded: strand auto reads the forward strand only
    ("ACGU", True, [["auto/auto", "auto/forward", "15/auto", "15/forward"], ["auto/both", "15/both"],
                    ["9/auto", "9/forward"]]),
])
def test_trials_whose_auto_values_build_the_same_network_are_named_in_one_warning(tmp_path, letters, rna, groups):
    from motifnet.search._trial import describe_data
    from motifnet.search.grid import same_networks, warn_same_networks

    rng = np.random.default_rng(4)
    files = []
    for name in ("a", "b"):
        records = [(f"{name}{i}", "".join(rng.choice(list(letters), 40))) for i in range(40)]
        files.append(write_fasta(tmp_path / f"{name}.fa", records))
    facts = describe_data(DataOptions(files), ("x",), (0.7, 0.15), 1, "motifnet")
    assert facts["strand_auto"] == ("forward" if rna else "both")
    trials = expand_grid({"kernel_len": ["auto", 15, 9], "strand": ["auto", "both", "forward"]}, {}, seed=1)
    presets = {trial.id: "motifnet" for trial in trials}
    found = same_networks(trials, presets, {}, facts)
    assert [[f"{t.values['kernel_len']}/{t.values['strand']}" for t in group] for group in found] == groups
    # protein: kernel_len auto is 8, and no trial builds another's network
    protein = expand_grid({"kernel_len": ["auto", 15]}, {}, seed=1)
    assert same_networks(protein, {t.id: "motifnet" for t in protein}, {},
                         {**facts, "letters": 20, "strand_auto": "forward"}) == []
    said = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    logging.getLogger("motifnet").addHandler(handler)
    try:
        warn_same_networks(trials, presets, {}, facts)
    finally:
        logging.getLogger("motifnet").removeHandler(handler)
    assert len(said) == 3
    assert said[2] == (f"trials {found[2][0].id} (kernel_len=9 strand=auto); {found[2][1].id} (kernel_len=9 "
                       f"strand={'forward' if rna else 'both'}) build the same network on this input ('auto' is "
                       "decided by the input): their scores differ by their seeds only; keep one of these values "
                       "in --grid")
