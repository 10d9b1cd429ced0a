"""``train --resume``: an interrupted training continues from its last epoch and ends as an uninterrupted one."""

from __future__ import annotations

import json
import logging
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import TINY_PARAMS, gata_records, make_genome, two_classes, write_fasta

from motifnet.data.dataset import load_dataset, records_sha256
from motifnet.data.options import DataOptions
from motifnet.errors import ParamError
from motifnet.run import _epochs, training
from motifnet.run.rundir import open_run

# A learning rate (and dropout) that makes the validation loss wander, so the schedule halves it and the best epoch is
# not the last: a resume that lost the schedule's counters or the best so far would end differently.
PARAMS = {"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "neuron_num": 8, "epochs": 9, "batch_size": 16,
          "learning_rate": 0.01, "patience_lr": 1, "patience_stopping": 5, "dropout_conv": 0.3}


@pytest.fixture(scope="module")
def fasta(tmp_path_factory):
    return [str(path) for path in two_classes(tmp_path_factory.mktemp("resume"))]


@pytest.fixture(scope="module")
def regression_fasta(tmp_path_factory):
    records = gata_records(120, seed=2, length=30)
    path = write_fasta(tmp_path_factory.mktemp("resume-regression") / "gata.fa",
                       [(f"{record_id} {value:.4f}", sequence) for record_id, sequence, value in records])
    return [str(path)]


def config(run_dir, inputs, **changes):
    return training.TrainConfig(str(run_dir), {**PARAMS, **changes.pop("params", {})}, seed=changes.pop("seed", 7),
                                inputs=tuple(inputs), **changes)


def load(inputs, task, length=None):
    return load_dataset(DataOptions(fasta=tuple(inputs), task=task, length=length))


def interrupt_after(monkeypatch, epoch: int):
    """A SIGTERM as the epoch ``epoch`` ends: training stops at the next batch."""
    epoch_ended = _epochs.RunFolderRecorder.epoch_ended

    def stopping(self, model, done, logs, improved):
        epoch_ended(self, model, done, logs, improved)
        if done == epoch:
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(_epochs.RunFolderRecorder, "epoch_ended", stopping)


def train_interrupted(run_dir, inputs, task, epoch, monkeypatch, **changes):
    from motifnet._signals import stop_on_signals

    with monkeypatch.context() as patch:
        interrupt_after(patch, epoch)
        with stop_on_signals(), pytest.raises(KeyboardInterrupt):
            training.train(load(inputs, task), config(run_dir, inputs, **changes))


def history_without_seconds(run_dir):
    rows = (run_dir / "history.tsv").read_text().strip().split("\n")
    return [row.rsplit("\t", 1)[0] for row in rows]


@pytest.mark.parametrize("task, params", [
    ("classification", {}),
    ("regression", {}),
    # The checkpoint holds the averaged weights in the model and the raw ones in the optimizer.
    ("classification", {"ema_momentum": 0.7}),
    # A resumed run decays what the uninterrupted one decays (biases and position weights excluded).
    ("classification", {"weight_decay": 0.5, "global_pool": "max", "position_bins": 2}),
])
def test_a_resumed_training_ends_as_an_uninterrupted_one(fasta, regression_fasta, tmp_path, monkeypatch, task,
                                                         params):
    inputs = fasta if task == "classification" else regression_fasta
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    metrics = training.train(load(inputs, task), config(whole, inputs, params=params))

    train_interrupted(resumed, inputs, task, 3, monkeypatch, params=params)
    meta = json.loads((resumed / "motifnet.json").read_text())
    assert meta["training"]["status"] == "interrupted" and meta["training"]["epochs_run"] == 3
    assert sorted(path.name for path in (resumed / "resume").iterdir()) == ["epoch-3.npz", "state.json"]

    assert training.train(load(inputs, task), config(resumed, inputs, resume=True, params=params)) == metrics
    assert history_without_seconds(resumed) == history_without_seconds(whole)
    meta, expected = (json.loads((run / "motifnet.json").read_text()) for run in (resumed, whole))
    # The model files differ by the time Keras saved them; their weights are compared below.
    digests = [run["training"].pop("model_sha256") for run in (meta, expected)]
    assert [len(digest) for digest in digests] == [1, 1]
    assert meta["training"] == expected["training"] and meta["training"]["status"] == "complete"
    assert meta["training"]["best_epoch"] < meta["training"]["epochs_run"], "the test needs a best epoch before last"
    for got, want in zip(open_run(resumed).model.get_weights(), open_run(whole).model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert not (resumed / "resume").exists()  # complete: nothing left to resume


@pytest.mark.parametrize("ending, status", [("signal", "interrupted"), ("full disk", "failed")])
def test_a_run_stopped_or_failed_while_the_test_split_is_scored_is_not_complete_and_resume_scores_it(
        fasta, tmp_path, monkeypatch, caplog, ending, status):
    """The run was marked complete before its test metrics were written: a SIGTERM (or a full disk) then left
    'complete' without metrics.json, and info said complete with the metrics 'missing or damaged'."""
    import errno

    from motifnet._signals import stop_on_signals
    from motifnet.run.predict import predict_arrays

    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    metrics = training.train(load(fasta, "classification"), config(whole, fasta))

    def scoring(*args, **kwargs):
        assert json.loads((stopped / "motifnet.json").read_text())["training"]["status"] == "running"
        if ending == "full disk":
            raise OSError(errno.ENOSPC, "No space left on device", str(stopped / "x"))
        signal.raise_signal(signal.SIGTERM)
        return predict_arrays(*args, **kwargs)  # stops at its first safe point

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    with monkeypatch.context() as patch, caplog.at_level(logging.WARNING, logger="motifnet"):
        patch.setattr(training, "predict_arrays", scoring)
        with stop_on_signals(), pytest.raises(KeyboardInterrupt if ending == "signal" else OSError):
            training.train(load(fasta, "classification"), config(stopped, fasta))
    # grid-search, which retrains its best trial through here, has no --resume: the warning named it
    # (a set: after other tests the record may reach the capture twice, through the root logger too)
    assert {record.getMessage() for record in caplog.records if "test split" in record.getMessage()} == (
        {"stopped while the best model was scored on the test split; --resume scores it"} if ending == "signal"
        else set())
    meta = json.loads((stopped / "motifnet.json").read_text())
    done = json.loads((whole / "motifnet.json").read_text())["training"]["epochs_run"]
    assert meta["training"]["status"] == status and meta["training"]["epochs_run"] == done
    assert not (stopped / "metrics.json").exists() and (stopped / "resume").is_dir()
    assert open_run(stopped).status == status

    assert training.train(load(fasta, "classification"), config(stopped, fasta, resume=True)) == metrics
    assert json.loads((stopped / "motifnet.json").read_text())["training"]["status"] == "complete"
    assert history_without_seconds(stopped) == history_without_seconds(whole) and not (stopped / "resume").exists()


def test_a_job_killed_between_its_checkpoint_files_resumes_from_the_epoch_before(fasta, tmp_path, monkeypatch):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    training.train(load(fasta, "classification"), config(whole, fasta))
    train_interrupted(resumed, fasta, "classification", 3, monkeypatch)
    # As if killed after epoch 4's archive and model were written but before its state.json:
    shutil.copy(resumed / "resume" / "epoch-3.npz", resumed / "resume" / "epoch-4.npz")
    (resumed / "model.keras").write_bytes(b"a later epoch's model, half written")
    training.train(load(fasta, "classification"), config(resumed, fasta, resume=True))
    assert history_without_seconds(resumed) == history_without_seconds(whole)
    for got, want in zip(open_run(resumed).model.get_weights(), open_run(whole).model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("change, message", [
    ({"params": {"kernel_num": 5}}, "params: kernel_num 4 -> 5"),
    ({"params": {"kernel_num": 5}}, "run the command of the run (to keep the run's parameters: --param kernel_num=4)"),
    ({"seed": 8}, "seed: 7 -> 8"),
    ({"split": (0.6, 0.2)}, "split: fractions"),
    ({"edit": True}, "up.fa changed since the run started (SHA-256 differs)"),
    ({"other": True}, "up.fa, not "),
    ({"other": True}, "other.fa (their contents differ)"),
    # It said only "data: encoder".
    ({"length": 28}, "but data: encoder.length 30 -> 28, encoder.resize False -> True; run the command"),
])
def test_resume_refuses_other_inputs_or_parameters_and_says_what_differs(fasta, tmp_path, monkeypatch, change,
                                                                         message):
    inputs = [shutil.copy(path, tmp_path / f"{name}.fa") for path, name in zip(fasta, ("up", "down"))]
    run_dir = tmp_path / "run"
    train_interrupted(run_dir, inputs, "classification", 2, monkeypatch)
    if change.pop("edit", False):
        with open(inputs[0], "a") as handle:
            handle.write(">extra\n" + "A" * 30 + "\n")
    if change.pop("other", False):  # another file given in place of one the run was trained on
        other = tmp_path / "other.fa"
        other.write_text(pathlib.Path(inputs[0]).read_text() + ">extra\n" + "A" * 30 + "\n")
        inputs = [str(other), inputs[1]]
    before = {path.name: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()}
    length = change.pop("length", None)
    with pytest.raises(ParamError, match="--resume needs the inputs and parameters of the run") as error:
        training.train(load(inputs, "classification", length), config(run_dir, inputs, resume=True, **change))
    assert message in str(error.value)
    assert {path.name: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()} == before


def test_a_run_begun_before_a_default_changed_resumes_with_the_parameter_the_message_names(fasta, tmp_path,
                                                                                          monkeypatch):
    # A run of a motifnet that had no position_bins (built as position_bins 0), resumed after the default became 16.
    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 2, monkeypatch, params={"position_bins": 0})
    meta_path = run_dir / "motifnet.json"
    meta = json.loads(meta_path.read_text())
    del meta["params"]["position_bins"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ParamError, match="position_bins 0 -> 16.*keep the run's parameters: --param position_bins=0"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True, params={"position_bins": 0}))
    assert json.loads(meta_path.read_text())["training"]["status"] == "complete"


def test_a_best_run_of_an_older_grid_search_without_recorded_inputs_resumes(fasta, tmp_path, monkeypatch):
    """grid-search's best/ recorded "inputs": [] before 2026-12-05; now that its retraining passes the inputs, an
    interrupted best/ of an older search must still continue, not be refused as a run of other inputs."""
    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 2, monkeypatch)
    meta_path = run_dir / "motifnet.json"
    meta = json.loads(meta_path.read_text())
    assert meta["inputs"] and meta["training"]["status"] == "interrupted"
    meta["inputs"] = []
    meta_path.write_text(json.dumps(meta))
    training.check_resume_inputs(run_dir, list(fasta))
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    meta = json.loads(meta_path.read_text())
    assert meta["training"]["status"] == "complete"


def test_resume_leaves_a_complete_run_as_it_is(fasta, tmp_path, caplog):
    run_dir = tmp_path / "run"
    metrics = training.train(load(fasta, "classification"), config(run_dir, fasta))
    before = {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in run_dir.iterdir()}
    with caplog.at_level("INFO", logger="motifnet"):
        assert training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True)) == metrics
    assert {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in run_dir.iterdir()} == before
    epochs = json.loads((run_dir / "motifnet.json").read_text())["training"]["epochs_run"]
    assert f"training is complete ({epochs} epochs); nothing to resume" in caplog.text


@pytest.mark.parametrize("left", ["nothing", "empty folder", "killed before its first epoch"])
def test_resume_without_a_run_to_continue_starts_one(fasta, tmp_path, monkeypatch, left):
    run_dir = tmp_path / "run"
    if left == "empty folder":
        run_dir.mkdir()
    elif left == "killed before its first epoch":
        train_interrupted(run_dir, fasta, "classification", 1, monkeypatch)
        for name in ("resume", "history.tsv", "model.keras"):  # what a job killed in its first epoch leaves
            shutil.rmtree(run_dir / name) if name == "resume" else (run_dir / name).unlink()
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True, seed=None))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["training"]["status"] == "complete" and (run_dir / "metrics.json").exists()
    # without --seed, a run begun with one (seed 7) restarts with it and with deterministic operations, as
    # it began (it took the seed but recorded "deterministic": false, and trained otherwise)
    killed = left == "killed before its first epoch"
    assert meta["deterministic"] is killed and (meta["seed"] == 7) is killed


def test_resume_refuses_a_diverged_run_and_overwrite_with_it(fasta, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "motifnet.json").write_text(json.dumps({"seed": 7, "params": {}, "training": {"status": "diverged"}}))
    with pytest.raises(ParamError, match="training diverged; resuming would repeat it"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    with pytest.raises(ParamError, match="pass one of them"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True, overwrite=True))


@pytest.mark.slow
def test_a_killed_batch_job_requeued_with_resume_completes(fasta, tmp_path):
    # SIGKILL, as a batch system sends after its grace period: the lock is left behind, the epoch under way lost.
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "motifnet", "train", *fasta, "-o", str(run_dir), "--seed", "3", *TINY_PARAMS,
               "--param", "epochs=40", "--param", "patience_stopping=40", "--resume"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (run_dir / "resume" / "state.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    process.kill()
    process.communicate()
    epochs_done = json.loads((run_dir / "resume" / "state.json").read_text())["fit"]["epoch"]
    assert epochs_done < 40

    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"resuming {run_dir} after epoch " in result.stderr and "Traceback" not in result.stderr
    epochs = [int(row.split("\t")[0]) for row in (run_dir / "history.tsv").read_text().strip().split("\n")[1:]]
    assert epochs == list(range(1, 41))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["training"]["status"] == "complete" and not (run_dir / "resume").exists()

    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 0
    assert f"{run_dir}: training is complete (40 epochs); nothing to resume" in again.stderr.strip().split("\n")


def test_resume_refuses_a_complete_run_whose_inputs_changed(fasta, tmp_path):
    # A requeued job whose inputs changed must not pass for done.
    inputs = [shutil.copy(path, tmp_path / f"{name}.fa") for path, name in zip(fasta, ("up", "down"))]
    run_dir = tmp_path / "run"
    training.train(load(inputs, "classification"), config(run_dir, inputs))
    with open(inputs[1], "a") as handle:
        handle.write(">extra\n" + "C" * 30 + "\n")
    with pytest.raises(ParamError, match="down.fa changed since the run started"):
        training.train(load(inputs, "classification"), config(run_dir, inputs, resume=True))
    with pytest.raises(ParamError, match="params: epochs 9 -> 10"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True, params={"epochs": 10}))


def test_resume_refuses_bed_peaks_whose_genome_changed_under_its_name(tmp_path):
    """The genome was recorded by path alone: a requeued job resumed on another genome's windows."""
    made = make_genome(tmp_path)
    data = DataOptions(fasta=(str(made["bed"]),), genome=str(made["genome"]), background="shuffle", length=40)
    run_dir = tmp_path / "run"
    inputs = data.input_files()
    metrics = training.train(load_dataset(data), config(run_dir, inputs))
    assert training.train(load_dataset(data), config(run_dir, inputs, resume=True)) == metrics  # unchanged: done
    # the genome spelled otherwise is the same genome: "origin.genome.path 'genome.fa' -> './genome.fa'" refused it
    respelled = data.replace(genome=f"{tmp_path}/./{made['genome'].name}")
    assert training.train(load_dataset(respelled), config(run_dir, inputs, resume=True)) == metrics
    # another genome of the same chromosomes is named as such, not as the run's changed (its path is not compared)
    (tmp_path / "other").mkdir()
    other = make_genome(tmp_path / "other", seed=2)
    with pytest.raises(ParamError, match=re.escape(f"the run was trained on the windows of --genome {made['genome']}, "
                                                   f"and those of {other['genome']} differ")):
        training.train(load_dataset(data.replace(genome=str(other["genome"]))), config(run_dir, inputs, resume=True))
    make_genome(tmp_path, seed=1)  # other letters, the same names, lengths and line layout (the index stays valid)
    with pytest.raises(ParamError, match=re.escape(
            f"--resume needs the inputs and parameters of the run, but the windows read from --genome "
            f"{made['genome']} differ from the run's (the genome changed since the run started); run the command")):
        training.train(load_dataset(data), config(run_dir, inputs, resume=True))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    del meta["records_sha256"]  # as a run of an older motifnet: not compared
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert training.train(load_dataset(data), config(run_dir, inputs, resume=True)) == metrics


def test_resume_without_seed_continues_with_the_runs_background_seed(tmp_path):
    """--resume without --seed took the run's training seed but the default background seed 0, and was refused:
    'data: origin.background.seed 3 -> 0'."""
    from motifnet.workflows.train import train_from_files

    made = make_genome(tmp_path)
    data = DataOptions(fasta=(str(made["bed"]),), genome=str(made["genome"]), background="shuffle", length=40,
                       background_seed=3)
    run_dir = tmp_path / "run"
    metrics = train_from_files(data, config(run_dir, (), seed=3))
    again = data.replace(background_seed=0)  # what the CLI gives without --seed
    assert train_from_files(again, config(run_dir, (), seed=None, resume=True)) == metrics  # unchanged: done
    with pytest.raises(ParamError, match="origin.background.seed 3 -> 4"):  # a seed given is the user's
        train_from_files(data.replace(background_seed=4), config(run_dir, (), seed=4, resume=True))


def test_overlapping_windows_dropped_by_the_split_keep_their_features_and_do_not_pass_for_a_changed_genome(
        tmp_path):
    """The checksum was of the records left after the split dropped val/test windows overlapping training ones, which
    depends on the seed: resuming with another seed also said the genome had changed. And the features of such a run
    were lost without a word (data.features null)."""
    made = make_genome(tmp_path)
    peaks = made["bed"].read_text().splitlines()
    shifted = lambda lines, by: [f"{c}\t{int(a) + by}\t{int(b) + by}\t{rest}" for c, a, b, rest in  # noqa: E731
                                 (line.split("\t", 3) for line in lines)]
    (tmp_path / "a.bed").write_text("\n".join(peaks + shifted(peaks, 5)) + "\n")  # each window overlaps another
    (tmp_path / "b.bed").write_text("\n".join(shifted(peaks, 150)) + "\n")
    for name, count in (("a", 2 * len(peaks)), ("b", len(peaks))):
        (tmp_path / f"{name}.tsv").write_text("".join(f"{'xy'[i % 2]}\n" for i in range(count)))
    data = DataOptions(fasta=(str(tmp_path / "a.bed"), str(tmp_path / "b.bed")), genome=str(made["genome"]),
                       length=40, feature_files=(str(tmp_path / "a.tsv"), str(tmp_path / "b.tsv")),
                       categorical_features=True)
    run_dir = tmp_path / "run"
    training.train(load_dataset(data), config(run_dir, data.input_files()))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["split"]["dropped_overlapping"] > 0
    assert meta["data"]["features"]["categories"] == [["x", "y"]]
    read = load_dataset(data)
    assert meta["records_sha256"] == records_sha256(read.codes, read.labels, read.ids, read.structure, read.targets,
                                                    read.tracks)
    with pytest.raises(ParamError) as error:
        training.train(load_dataset(data), config(run_dir, data.input_files(), resume=True, seed=8))
    assert "seed: 7 -> 8" in str(error.value) and "genome" not in str(error.value)


def test_resume_refuses_epochs_without_a_checkpoint_instead_of_replacing_them(fasta, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 2, monkeypatch)
    shutil.rmtree(run_dir / "resume")  # as a run of a motifnet without --resume leaves it
    with pytest.raises(ParamError, match=r"holds 2 epochs of a training but not what --resume needs \(resume/ is "
                                         r"missing: a run of an older motifnet, or removed\)"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    assert (run_dir / "model.keras").exists()


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 half an archive"])
def test_a_damaged_checkpoint_is_one_clear_error(fasta, tmp_path, monkeypatch, damage):
    from motifnet.errors import RunDirError

    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 2, monkeypatch)
    (run_dir / "resume" / "epoch-2.npz").write_bytes(damage)
    with pytest.raises(RunDirError, match="resume: damaged .*; train again with --overwrite"):
        training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))


def test_a_resumed_run_says_running_while_it_trains(fasta, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 2, monkeypatch)
    seen = []
    epoch_ended = _epochs.RunFolderRecorder.epoch_ended

    def recording(self, model, done, logs, improved):
        seen.append(json.loads((run_dir / "motifnet.json").read_text())["training"]["status"])
        epoch_ended(self, model, done, logs, improved)

    monkeypatch.setattr(_epochs.RunFolderRecorder, "epoch_ended", recording)
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    assert seen and set(seen) == {"running"}


@pytest.mark.slow
def test_fold_resume_refuses_changed_inputs_before_folding_them(tmp_path, monkeypatch):
    from test_folding import plain_rna_subset

    from motifnet.data.options import DataOptions
    from motifnet.workflows.train import train_from_files

    inputs = plain_rna_subset(tmp_path, 30)
    run_dir = tmp_path / "run"
    options = DataOptions(fasta=tuple(str(path) for path in inputs))
    train_config = training.TrainConfig(str(run_dir), {**PARAMS, "epochs": 2}, seed=1)
    train_from_files(options, train_config, fold="context")
    folded = {path.name: path.read_bytes() for path in (run_dir / "folded").iterdir()}
    with open(inputs[0], "a") as handle:
        handle.write(">extra\n" + "ACGU" * 10 + "\n")
    import dataclasses

    with pytest.raises(ParamError, match="changed since the run started"):
        train_from_files(options, dataclasses.replace(train_config, resume=True), fold="context")
    assert {path.name: path.read_bytes() for path in (run_dir / "folded").iterdir()} == folded


def test_resume_compares_standard_input_by_its_records(fasta, tmp_path, cli):
    up, down = fasta
    text = pathlib.Path(up).read_text()
    run_dir = tmp_path / "run"
    assert cli("train", "-", down, "-o", run_dir, *TINY_PARAMS, input=text).exit_code == 0
    entry = json.loads((run_dir / "motifnet.json").read_text())["inputs"][0]
    assert entry["path"] == "-" and len(entry["sha256"]) == 64
    result = cli("train", "-", down, "-o", run_dir, "--resume", *TINY_PARAMS, input=text)
    assert result.exit_code == 0, result.output  # the same records: complete, nothing to resume
    lines = text.split("\n")
    lines[1] = ("C" if lines[1][0] != "C" else "G") + lines[1][1:]  # one letter of the first record, same counts
    result = cli("train", "-", down, "-o", run_dir, "--resume", *TINY_PARAMS, input="\n".join(lines))
    assert result.exit_code == 1 and "standard input (-) holds other records than the run's" in result.stderr


def test_a_run_whose_first_checkpoint_was_never_written_resumes_by_training_again(fasta, tmp_path, monkeypatch, caplog):
    """A full disk while epoch 1's checkpoint was written left a failed run, its model and one history row but no
    resume/: --resume said it was a run of an older motifnet, so a requeued job could never finish."""
    import errno
    import logging

    from motifnet.run import _checkpoint

    whole, failed = tmp_path / "whole", tmp_path / "failed"
    training.train(load(fasta, "classification"), config(whole, fasta))
    with monkeypatch.context() as patch:
        def full_disk(run_dir, *args):
            raise OSError(errno.ENOSPC, "No space left on device", str(run_dir / "resume" / "epoch-1.npz"))

        patch.setattr(_checkpoint, "save", full_disk)
        with pytest.raises(OSError):
            training.train(load(fasta, "classification"), config(failed, fasta))
    assert json.loads((failed / "motifnet.json").read_text())["training"]["status"] == "failed"
    assert (failed / "model.keras").exists() and not (failed / "resume" / "state.json").exists()
    (failed / "notes.txt").write_text("the user's")
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    with caplog.at_level(logging.INFO, logger="motifnet"):
        training.train(load(fasta, "classification"), config(failed, fasta, resume=True))
    warning = (f"{failed}: resume/ holds no state of epoch 1 (a write that failed, as on a full disk, a job killed "
               "outright while it saved, or a run of an older motifnet); training starts again")
    assert warning in {record.getMessage() for record in caplog.records}
    assert history_without_seconds(failed) == history_without_seconds(whole)
    assert (failed / "notes.txt").read_text() == "the user's"


def test_resuming_a_run_without_model_digests_keeps_its_model_accepted_at_every_write(fasta, tmp_path, monkeypatch):
    """The digests recorded while a model is replaced took the 'old' one from motifnet.json: a run of an older motifnet
    (none recorded) resumed got [new] while the old file was still on disk, so a kill then left a refused model."""
    from motifnet._io import sha256
    from motifnet.run.rundir import MODEL_DIGESTS

    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 3, monkeypatch)
    meta = json.loads((run_dir / "motifnet.json").read_text())
    del meta["training"][MODEL_DIGESTS]  # as an older motifnet leaves it
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    write_json, accepted = _epochs.write_json, []

    def checking(path, obj):
        write_json(path, obj)
        recorded = json.loads((run_dir / "motifnet.json").read_text())["training"].get(MODEL_DIGESTS)
        accepted.append(recorded is None or sha256(run_dir / "model.keras") in recorded)

    monkeypatch.setattr(_epochs, "write_json", checking)
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    assert accepted and all(accepted), accepted
    assert open_run(run_dir).model is not None


def test_a_resume_that_cannot_save_the_best_model_again_is_failed_not_running(fasta, tmp_path, monkeypatch):
    """resume saves the checkpoint's best model again; when that write failed (a model.keras made read-only or
    immutable), motifnet.json still said 'running' and the error did not say what was on disk."""
    import errno

    run_dir = tmp_path / "run"
    train_interrupted(run_dir, fasta, "classification", 3, monkeypatch)
    best = json.loads((run_dir / "motifnet.json").read_text())["training"]["best_epoch"]
    model_bytes = (run_dir / "model.keras").read_bytes()

    def refused(self, *args):
        raise OSError(errno.EPERM, "Operation not permitted", str(run_dir / "model.keras"))

    with monkeypatch.context() as patch:
        patch.setattr(_epochs.RunFolderRecorder, "_save_best", refused)
        with pytest.raises(OSError, match=re.escape(f"the best model so far (epoch {best}) is in")):
            training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    assert json.loads((run_dir / "motifnet.json").read_text())["training"]["status"] == "failed"
    assert (run_dir / "model.keras").read_bytes() == model_bytes
    assert open_run(run_dir).model.count_params() > 0  # still accepted as the run's own model
    training.train(load(fasta, "classification"), config(run_dir, fasta, resume=True))
    assert json.loads((run_dir / "motifnet.json").read_text())["training"]["status"] == "complete"
