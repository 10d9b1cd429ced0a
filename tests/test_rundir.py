"""motifnet.run.rundir: opening run folders of each kind, the split file, and folders that are not runs."""

import json

import numpy as np
import pytest
from helpers import copy_run, diverged_copy

from motifnet.errors import RunDirError
from motifnet.run.rundir import open_run, read_split, split_text


def test_each_kind_of_run_names_its_outputs(trained_run, multi_label_run, regression_run, rna_structure_run):
    expected = [(trained_run[0], "classification", ["up", "down"]),
                (multi_label_run[0], "classification", ["x", "y", "z"]),
                (regression_run[0], "regression", ["gata_count"]),
                (rna_structure_run[0], "classification", ["p", "q"])]
    for run_dir, task, outputs in expected:
        run = open_run(run_dir)
        assert (run.task, run.output_names, run.complete) == (task, outputs, True), run_dir
        assert run.model.output.shape[-1] == len(outputs)
        assert len(run.groups) == len(run.dataset)


def test_the_split_file_reads_back_as_group_codes(trained_run, tmp_path):
    run = open_run(trained_run[0])
    text = split_text(run.dataset, run.groups)
    assert text == (trained_run[0] / "split.tsv").read_text()
    lines = text.split("\n")
    assert lines[0] == "index\tid\tfile\tgroup" and lines[1].startswith("0\tup0\t")
    (tmp_path / "split.tsv").write_text(text)
    groups = read_split(tmp_path / "split.tsv")
    assert groups.dtype == np.int8 and np.bincount(groups).tolist() == [56, 12, 12]
    (tmp_path / "other.tsv").write_text("index\tid\tfile\tfold\n")
    with pytest.raises(RunDirError, match="not a motifnet split file"):
        read_split(tmp_path / "other.tsv")


def test_folders_that_are_not_runs(tmp_path):
    with pytest.raises(RunDirError, match=r"missing: no such run folder \(make one with 'motifnet train'\)"):
        open_run(tmp_path / "missing")
    (tmp_path / "notes").mkdir()
    with pytest.raises(RunDirError, match=r"notes: not a motifnet run folder \(motifnet.json is missing\)"):
        open_run(tmp_path / "notes")
    (tmp_path / "killed").mkdir()  # a training killed before motifnet.json: "not a motifnet run folder" said no more
    (tmp_path / "killed" / ".motifnet.unfinished").write_text("")
    (tmp_path / "killed" / "data.npz").write_bytes(b"")
    with pytest.raises(RunDirError, match=r"killed: a training that stopped before it wrote motifnet.json \(killed "
                                          r"early, or running still\): not a run yet; train into it again with "
                                          r"--resume or --overwrite$"):
        open_run(tmp_path / "killed")
    (tmp_path / "search").mkdir()  # a grid-search folder: the message said only that motifnet.json was missing
    (tmp_path / "search" / "search.json").write_text("{}")
    with pytest.raises(RunDirError, match=r"search: a grid-search folder, not a run folder, and it holds no best "
                                          r"trial's run: the search ended before best/ was trained \(see its "
                                          r"log\); the same grid-search command goes on$"):
        open_run(tmp_path / "search")  # it named search/best, which was not there
    ok, failed = "trial\tstatus\nabc\tok\n", "trial\tstatus\nabc\tfailed\n"
    for status, results, why in (("failed", failed, r"every trial failed \(see its results.tsv\)"),
                                 # a trial succeeded and best/'s retraining failed: not 'every trial failed'
                                 ("failed", ok, r"the search ended 'failed' before best/ was trained"),
                                 ("running", ok, r"a search is running there, or was killed"),
                                 ("interrupted", "", r"the search ended 'interrupted' before best/"),
                                 ("complete", ok, r"its best/ was removed; the same grid-search command trains it")):
        (tmp_path / "search" / "search.json").write_text(json.dumps({"settings": {}, "status": status}))
        (tmp_path / "search" / "results.tsv").write_text(results)
        with pytest.raises(RunDirError, match=f"holds no best trial's run: {why}"):
            open_run(tmp_path / "search")
    (tmp_path / "search" / "best").mkdir()
    (tmp_path / "search" / "best" / "motifnet.json").write_text("{}")
    with pytest.raises(RunDirError, match=r"search: a grid-search folder, not a run folder; its best trial's run is "
                                          r".*search/best$"):
        open_run(tmp_path / "search")
    (tmp_path / "a.fa").write_text(">r\nACGT\n")
    with pytest.raises(RunDirError, match=r"a.fa: a file, not a run folder \(give the folder that 'motifnet train -o'"):
        open_run(tmp_path / "a.fa")


@pytest.mark.parametrize("damage, message", [
    (lambda run: (run / "motifnet.json").write_text("{"), r"motifnet.json: damaged \(JSONDecodeError"),
    (lambda run: (run / "motifnet.json").write_text(json.dumps({"data": {}})), r"motifnet.json: damaged \(KeyError"),
])
def test_damaged_metadata_is_refused_when_opening(trained_run, tmp_path, damage, message):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    damage(run_dir)
    with pytest.raises(RunDirError, match=message):
        open_run(run_dir)


@pytest.mark.parametrize("name, attribute, message", [
    ("model.keras", "model", "model.keras is missing, though training saved one (best epoch"),
    ("data.npz", "dataset", "data.npz: missing or damaged"),
    ("split.tsv", "groups", "split.tsv: missing or damaged"),
])
def test_missing_files_are_refused_when_first_used(trained_run, tmp_path, name, attribute, message):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / name).unlink()
    run = open_run(run_dir)  # opening reads only motifnet.json
    with pytest.raises(RunDirError) as raised:
        getattr(run, attribute)
    assert message in str(raised.value)


def _cut(path, keep):
    data = path.read_bytes()
    path.write_bytes(data[:keep(data)])


@pytest.mark.parametrize("name, attribute, keep, message", [
    # A cut archive gave a traceback (zipfile.BadZipFile was not caught).
    ("data.npz", "dataset", lambda data: 1000, "missing or damaged (File is not a zip file); train again"),
    # A cut split file was read as a run of 4 records, and commands looked at the wrong ones.
    ("split.tsv", "groups", lambda data: len(b"".join(data.splitlines(keepends=True)[:5])),
     "damaged (4 rows for the 80 records of data.npz); train again"),
])
def test_cut_files_are_refused_when_first_used(trained_run, tmp_path, name, attribute, keep, message):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    _cut(run_dir / name, keep)
    with pytest.raises(RunDirError) as raised:
        getattr(open_run(run_dir), attribute)
    assert str(raised.value) == f"{run_dir / name}: {message}"


def test_a_diverged_run_says_it_diverged_and_which_parameters_to_change(trained_run, tmp_path):
    # It said "training stopped before its first epoch ended - train again", which would diverge again.
    run = open_run(diverged_copy(trained_run[0], tmp_path / "run"))
    assert run.status == "diverged"
    with pytest.raises(RunDirError) as raised:
        _ = run.model
    message = str(raised.value)
    assert message.startswith(f"{run.path}: training diverged and saved no model (model.keras is missing)")
    assert "a smaller learning rate than 1e+30 (--param learning_rate=...)" in message
    assert "--param kernel_constraint=3" in message and "--overwrite" in message and "\n" not in message
    assert message == f"{run.path}: {run.missing_model()}"
    assert open_run(trained_run[0]).missing_model() is None


# -- the readers: one function per run-folder file -------------------------------------------------

def test_history_reads_back_the_rows_written(tmp_path):
    from motifnet.run.rundir import HISTORY, HISTORY_COLUMNS, history_text, read_history

    rows = [{"epoch": 1, "loss": 0.693147, "val_loss": 0.7, "accuracy": 0.5, "val_accuracy": None, "auc": 0.25,
             "val_auc": 0.123456789, "learning_rate": 0.001, "seconds": 12.5},
            {"epoch": 2, "loss": 0.6, "val_loss": 0.65, "accuracy": 0.75, "val_accuracy": 0.5, "auc": 0.5,
             "val_auc": 0.5, "learning_rate": 0.0005, "seconds": 1e-3}]
    assert read_history(tmp_path) is None  # no history.tsv yet
    (tmp_path / HISTORY).write_text(history_text(rows[:0]))
    assert read_history(tmp_path) is None  # a header, no epoch yet
    (tmp_path / HISTORY).write_text(history_text(rows))
    history = read_history(tmp_path)
    assert list(history) == list(HISTORY_COLUMNS)
    assert history["epoch"] == [1.0, 2.0] and history["val_auc"][0] == 0.123457  # 6 significant digits
    assert np.isnan(history["val_accuracy"][0]) and history["val_accuracy"][1] == 0.5
    assert {name: values for name, values in history.items() if name not in ("val_accuracy", "val_auc")} == {
        name: [row[name] for row in rows] for name in HISTORY_COLUMNS if name not in ("val_accuracy", "val_auc")}


def test_history_of_a_trained_run_has_a_row_per_epoch(trained_run):
    from motifnet.run.rundir import read_history

    run = open_run(trained_run[0])
    history = read_history(run.path)
    assert history["epoch"] == [float(epoch) for epoch in range(1, run.meta["training"]["epochs_run"] + 1)]
    best = run.meta["training"]["best_epoch"]
    assert history["val_loss"][best - 1] == min(history["val_loss"])
    assert history["val_loss"][best - 1] == pytest.approx(run.meta["training"]["best_val_loss"], rel=1e-5)


def test_metrics_read_back_as_written_and_none_before_they_exist(trained_run, tmp_path):
    from motifnet.run.rundir import METRICS, read_metrics

    assert read_metrics(trained_run[0]) == json.loads((trained_run[0] / METRICS).read_text())
    assert read_metrics(trained_run[0])["roc_auc_mean"] == open_run(trained_run[0]).meta["training"][
        "test_roc_auc_mean"]
    assert read_metrics(tmp_path) is None
    (tmp_path / METRICS).write_text('{"roc_auc_mean": 0.5')  # cut short
    assert read_metrics(tmp_path) is None


def test_search_settings_read_back_as_written(tmp_path):
    from motifnet.run.search_folder import SETTINGS, read_search_state

    state = {"motifnet_version": "0.1.0", "settings": {"seed": 3, "metric": "roc-auc"}, "status": "running",
             "best": None}
    (tmp_path / SETTINGS).write_text(json.dumps(state))
    assert read_search_state(tmp_path) == state
    for damaged in ('{"settings": ', '["settings"]', '{"status": "running"}'):
        (tmp_path / SETTINGS).write_text(damaged)
        with pytest.raises(ValueError):
            read_search_state(tmp_path)
    with pytest.raises(OSError):
        read_search_state(tmp_path / "missing")


def _edit(change):
    """A function of the old classification run's metadata that applies a hand edit to a copy of it."""
    from pathlib import Path

    def edited(run_dir):
        old = Path(__file__).parent / "data" / "runs-0.1.0" / "classification" / "motifnet.json"
        meta = json.loads(old.read_text())
        change(meta)
        run_dir.mkdir()
        (run_dir / "motifnet.json").write_text(json.dumps(meta))
    return edited


@pytest.mark.parametrize("edit, message", [
    (_edit(lambda meta: meta["data"]["class_names"].pop()), "data.class_names lists 1 class(es) (ap1) but the run "
                                                            "was trained on 2"),
    (_edit(lambda meta: meta["data"]["class_names"].append("extra")), "lists 3 class(es) (ap1, gata, extra)"),
    (_edit(lambda meta: meta["data"].update(class_names="ap1,gata")), "data.class_names must be a list of distinct"),
    (_edit(lambda meta: meta["data"].update(class_names=["ap1", 2])), "data.class_names must be a list of distinct"),
    (_edit(lambda meta: meta["data"].update(class_names=["ap1", "ap1"])), "data.class_names must be a list of"),
    (_edit(lambda meta: meta["data"].update(class_names=[])), "data.class_names must be a list of distinct"),
    # predict wrote them into its table's header, breaking its columns.
    (_edit(lambda meta: meta["data"].update(class_names=["ap1", "ga\tta"])), "without tabs or line breaks, found"),
    (_edit(lambda meta: meta["data"].update(class_names=["ap1\n", "gata"])), "without tabs or line breaks, found"),
    (_edit(lambda meta: meta["data"].update(records_per_class="40")), "data.records_per_class must be a list of"),
    (_edit(lambda meta: meta["data"].update(multi_label="no")), "data.multi_label must be true or false"),
    (_edit(lambda meta: meta["data"].update(task="ranking")), "data.task must be 'classification' or 'regression'"),
    (_edit(lambda meta: meta["data"].update(task="regression")), "data.target_names must be a list of distinct"),
    (_edit(lambda meta: meta["data"].update(encoder=[])), "data.encoder must be a JSON object, found list"),
    (_edit(lambda meta: meta.update(params=None)), "params must be a JSON object, found NoneType"),
    (_edit(lambda meta: meta["data"].update(files=["ap1.fa"])), "data.files must be a list of objects with a path"),
    (_edit(lambda meta: meta.update(training="complete")), "training must be an object with a status text"),
    (_edit(lambda meta: meta["data"]["files"][0].pop("sha256")), "data.files must be a list of objects with a path, a"),
    (_edit(lambda meta: meta["data"]["files"][1].update(records="40")), "a number of records and a sha256"),
    (_edit(lambda meta: meta.update(split=[56, 12, 12])), "split must be an object with a number of records per"),
    (_edit(lambda meta: meta["split"].update(train=-1)), "per group (train, val, test), found {"),
    (_edit(lambda meta: meta["data"]["encoder"].update(alphabet=5)), "data.encoder does not describe an encoder ("),
    (_edit(lambda meta: meta["data"]["encoder"].pop("length")), "data.encoder does not describe an encoder (missing"),
    (_edit(lambda meta: meta.update(adjacency="conv_1")), "adjacency must be an object of layers, each with a path"),
    (_edit(lambda meta: meta.update(adjacency={"dense_1": {"path": "a.tsv"}})), "adjacency must be an object of"),
    (_edit(lambda meta: meta.update(preset_choice="auto")), "preset_choice must be an object with a reason text"),
    (_edit(lambda meta: meta.pop("training")), "training must be an object with a status text, found None"),
    (_edit(lambda meta: meta["training"].pop("status")), "training must be an object with a status text, found {"),
    (_edit(lambda meta: meta.pop("split")), "split must be an object with a number of records per group"),
    (_edit(lambda meta: meta["split"].pop("test")), "split must be an object with a number of records per group"),
])
def test_hand_edited_metadata_is_refused_when_opening(tmp_path, edit, message):
    edit(tmp_path / "run")
    with pytest.raises(RunDirError) as raised:
        open_run(tmp_path / "run")
    assert str(raised.value).startswith(f"{tmp_path / 'run' / 'motifnet.json'}: damaged (")
    assert message in str(raised.value)


def test_records_motifnet_made_have_no_checksum_and_open(tmp_path):
    """A generated background (train --background) is an input without a file: its sha256 is null."""
    _edit(lambda meta: meta["data"]["files"][1].update(path="background (shuffle of 40 records)", sha256=None))(
        tmp_path / "run")
    assert open_run(tmp_path / "run").meta["data"]["files"][1]["sha256"] is None


def test_metadata_as_training_wrote_it_opens_for_each_kind_of_run():
    from pathlib import Path

    for kind in ("classification", "regression"):
        assert open_run(Path(__file__).parent / "data" / "runs-0.1.0" / kind).meta["data"]["task"] == kind


def test_a_killed_runs_model_is_used_with_a_warning_and_the_report_says_interrupted(trained_run, tmp_path, cli):
    """Only predict warned; the report showed a killed run's status as 'running'."""
    from motifnet.report.summary import run_facts

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"]["status"] = "running"  # as a training killed outright leaves it, with no live holder
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    result = cli("activations", run_dir, "-o", tmp_path / "a.tsv")
    assert result.exit_code == 0, result.output
    assert (f"warning: training in {run_dir} did not complete (interrupted); using its best model so far"
            in result.stderr.splitlines())
    assert run_facts(open_run(run_dir))["training"]["status"] == "interrupted"
    assert "did not complete" not in cli("activations", trained_run[0], "-o", tmp_path / "b.tsv").stderr


@pytest.mark.parametrize("command", [["activations", "-o", "{tmp}/a.tsv"], ["cluster", "-o", "{tmp}/c.png"],
                                     ["attribute", "--method", "saliency", "-o", "{tmp}/attr"]])
def test_a_run_without_a_model_is_one_line_before_its_data_is_read(trained_run, cli, tmp_path, command):
    # stderr said "looking at 16 sequences (test split)" and then the error.
    run_dir = diverged_copy(trained_run[0], tmp_path / "run")
    name, *options = command
    result = cli(name, run_dir, *(option.format(tmp=tmp_path) for option in options))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {run_dir}: training diverged and saved no model"), lines


def test_a_run_read_while_its_training_saves_a_better_model_loads_the_new_one(trained_run, tmp_path):
    """The run's motifnet.json was read when it was opened: a better model saved since (a run read while it trains)
    was refused as 'copied from another run'."""
    import json

    import keras

    from motifnet._io import sha256
    from motifnet.run import rundir

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    reader = open_run(run_dir)
    better = keras.saving.load_model(run_dir / "model.keras", compile=False)
    better.set_weights([weights * 0.5 for weights in better.get_weights()])
    # As the training does: the new file renamed in, motifnet.json with its digest.
    better.save(tmp_path / "new.keras")
    (tmp_path / "new.keras").replace(run_dir / "model.keras")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"][rundir.MODEL_DIGESTS] = [sha256(run_dir / "model.keras")]
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    for got, want in zip(reader.model.get_weights(), better.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_model_replaced_at_every_read_says_so_not_that_it_is_another_runs(trained_run, tmp_path, monkeypatch):
    """A reader slower than the training's saves hashed one file and loaded the next: the run's own model was refused
    as 'copied from another run'. Now the bytes hashed are the bytes loaded, and a file replaced at every read says
    so."""
    import keras

    from motifnet._io import sha256
    from motifnet.run import rundir

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    model = keras.saving.load_model(run_dir / "model.keras", compile=False)
    reader = open_run(run_dir)

    def saved_meanwhile(self):  # a better model saved after each read, before motifnet.json is read
        model.set_weights([weights * 0.9 for weights in model.get_weights()])
        model.save(run_dir / "model.keras")
        return [sha256(run_dir / "model.keras")]

    monkeypatch.setattr(rundir.Run, "_recorded_digests", saved_meanwhile)
    with pytest.raises(RunDirError, match=r"its training replaced it with a better model each time it was read \(3 "
                                          r"times\); run the command again"):
        _ = reader.model


def test_a_run_trained_again_or_being_written_while_read_is_not_called_damaged(trained_run, tmp_path):
    """A report read from a run that train --overwrite replaced meanwhile ended in 'split.tsv: damaged (1000 rows
    for the 1500 records); train again': the run was not damaged."""
    import json

    from motifnet.run.lock import acquire

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    run = open_run(run_dir)
    _cut(run_dir / "split.tsv", lambda data: len(b"".join(data.splitlines(keepends=True)[:5])))
    with acquire(run_dir, "train"):
        with pytest.raises(RunDirError) as raised:
            _ = run.groups
    assert str(raised.value).startswith(f"{run_dir / 'split.tsv'}: does not fit the run as it was opened (damaged "
                                        f"(4 rows for the 80 records of data.npz)); {run_dir} is being written by "
                                        "motifnet train (pid ")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["seed"] = 12345
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    with pytest.raises(RunDirError) as raised:
        _ = run.groups  # opened before the run was trained again
    assert str(raised.value).endswith(f"; {run_dir} was trained again while it was read: run again")


@pytest.mark.parametrize("version, warned", [("9.9.9", True), ("0.10.0", True), ("0.1.0", False), ("0.0.9", False),
                                             ("0.1.0.dev3", False), ("0.1.0.0", False), (None, False)])
def test_a_run_of_a_newer_motifnet_is_used_with_a_warning(trained_run, tmp_path, caplog, monkeypatch, version,
                                                         warned):
    """A run whose motifnet.json says version 9.9.9 was used without a word."""
    import logging

    import motifnet.run.rundir as rundir_module

    monkeypatch.setattr(rundir_module, "__version__", "0.1.0")
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["motifnet_version"] = version
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        open_run(run_dir)
    expected = [f"{run_dir} was trained by motifnet {version}, newer than this motifnet 0.1.0: what it holds may be "
                "read wrongly; update motifnet"] if warned else []
    assert [record.getMessage() for record in caplog.records] == expected


def test_a_data_npz_of_another_run_is_refused(trained_run, tmp_path, cli):
    """Another run's data.npz gave a traceback (IndexError) with fewer records, or, with as many, predictions and
    activations under wrong labels and ids, exit 0."""
    from motifnet.data.dataset import Dataset

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert isinstance(meta["data_sha256"], str)
    dataset = open_run(run_dir).dataset
    swapped = Dataset(dataset.encoder, dataset.codes, dataset.labels[:, ::-1].copy(), dataset.ids, dataset.sources,
                      dataset.class_names, dataset.multi_label, dataset.files)
    swapped.save(run_dir / "data.npz")
    with pytest.raises(RunDirError) as refused:
        _ = open_run(run_dir).dataset
    assert str(refused.value) == (f"{run_dir / 'data.npz'}: does not match motifnet.json: it is not the data this "
                                  "training saved (its SHA-256 is not the one motifnet.json records); was it copied "
                                  "from another run? Put back this run's data.npz, or train again")
    result = cli("activations", run_dir, "-o", tmp_path / "a.tsv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == f"Error: {refused.value}"
    # A run of an older motifnet records no digest: a data.npz of another number of records is refused.
    del meta["data_sha256"]
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert len(open_run(run_dir).dataset) == len(dataset)  # as many records: nothing tells them apart
    index = np.arange(len(dataset) - 5)
    Dataset(dataset.encoder, dataset.codes[index], dataset.labels[index], dataset.ids[index], dataset.sources[index],
            dataset.class_names, dataset.multi_label, dataset.files).save(run_dir / "data.npz")
    with pytest.raises(RunDirError, match=f"data.npz: does not match motifnet.json \\({len(dataset) - 5} records, "
                                          f"motifnet.json describes {len(dataset)}\\); train again"):
        _ = open_run(run_dir).dataset
