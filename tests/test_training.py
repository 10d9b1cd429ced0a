"""motifnet.run.training: the run folder kept current epoch by epoch, an interrupted training, regression."""

import json
import logging

import numpy as np
import pytest
from helpers import gata_records, two_classes, write_fasta

from motifnet.data.dataset import load_dataset
from motifnet.run import _epochs
from motifnet.run.rundir import HISTORY_COLUMNS, MODEL, open_run, read_history, read_metrics
from motifnet.run.training import TrainConfig, train

# A high learning rate makes the validation loss go up and down: some epochs improve, some do not.
# Dropout after the convolution (pysster's 0.3; the default network has none) keeps these short trainings noisy:
# some epochs must fail to improve.
PARAMS = {"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "neuron_num": 8, "epochs": 5, "batch_size": 16,
          "learning_rate": 0.05, "patience_lr": 5, "patience_stopping": 5, "dropout_conv": 0.3}


@pytest.fixture(scope="module")
def fasta(tmp_path_factory):
    """Two classes of 40 records of length 30; class 'up' carries TTGACA."""
    return [str(path) for path in two_classes(tmp_path_factory.mktemp("training"))]


def saved_weights(run_dir):
    import keras

    return keras.saving.load_model(run_dir / MODEL, compile=False).get_weights()


def same_weights(first, second) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(first, second))


def test_each_improving_epoch_leaves_its_model_and_every_epoch_its_history_row(fasta, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    seen = []
    epoch_ended = _epochs.RunFolderRecorder.epoch_ended

    def checked(self, model, epoch, logs, improved):
        epoch_ended(self, model, epoch, logs, improved)
        training = open_run(run_dir).meta["training"]
        seen.append((improved, same_weights(saved_weights(run_dir), model.get_weights()),
                     len(read_history(run_dir)["epoch"]), training["best_epoch"]))
        # what a run killed outright at this point leaves: as many epochs counted as history rows
        assert training["epochs_run"] == len(read_history(run_dir)["epoch"]) == epoch

    monkeypatch.setattr(_epochs.RunFolderRecorder, "epoch_ended", checked)
    metrics = train(load_dataset(fasta), TrainConfig(str(run_dir), PARAMS, seed=4))
    assert [rows for _, _, rows, _ in seen] == [1, 2, 3, 4, 5]
    assert [saved for _, saved, _, _ in seen] == [improved for improved, _, _, _ in seen]  # saved when improved
    assert {improved for improved, _, _, _ in seen} == {True, False}, "the test needs epochs that do not improve"
    best_epochs = [best for _, _, _, best in seen]
    assert best_epochs == [max(i + 1 for i in range(epoch + 1) if seen[i][0]) for epoch in range(5)]

    run = open_run(run_dir)
    assert run.meta["training"]["status"] == "complete" and run.meta["training"]["epochs_run"] == 5
    history = read_history(run_dir)
    assert list(history) == list(HISTORY_COLUMNS) and history["epoch"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert int(np.argmin(history["val_loss"])) + 1 == run.meta["training"]["best_epoch"] == best_epochs[-1]
    assert read_metrics(run_dir) == metrics and run.meta["training"]["test_roc_auc_mean"] == metrics["roc_auc_mean"]


def test_an_interrupted_training_keeps_the_best_model_and_says_how_it_ended(fasta, tmp_path, monkeypatch, caplog):
    run_dir = tmp_path / "run"
    epoch_ended = _epochs.RunFolderRecorder.epoch_ended

    def interrupted(self, model, epoch, logs, improved):
        epoch_ended(self, model, epoch, logs, improved)
        if epoch == 2:
            raise KeyboardInterrupt  # as the command line turns SIGTERM into

    monkeypatch.setattr(_epochs.RunFolderRecorder, "epoch_ended", interrupted)
    with caplog.at_level(logging.WARNING, logger="motifnet"), pytest.raises(KeyboardInterrupt):
        train(load_dataset(fasta), TrainConfig(str(run_dir), PARAMS, seed=4))
    run = open_run(run_dir)
    training = run.meta["training"]
    assert training["status"] == "interrupted" and training["epochs_run"] == 2 and training["best_epoch"] in (1, 2)
    assert run.model.predict(run.dataset.model_inputs(slice(0, 3)), verbose=0).shape == (3, 2)
    assert len(read_history(run_dir)["epoch"]) == 2 and read_metrics(run_dir) is None
    assert (f"training stopped after 2 epoch(s); the best model so far (epoch {training['best_epoch']}) is in "
            f"{run_dir}") in caplog.text


def test_a_diverging_training_stops_keeps_the_best_model_and_says_diverged(fasta, tmp_path, monkeypatch):
    from motifnet.errors import TrainingDiverged

    run_dir = tmp_path / "run"
    epoch_ended = _epochs.RunFolderRecorder.epoch_ended

    def poisoned(self, model, epoch, logs, improved):
        epoch_ended(self, model, epoch, logs, improved)
        if epoch == 1:  # as a far too high learning rate would: every later loss is NaN
            model.set_weights([np.full_like(weights, np.nan) for weights in model.get_weights()])

    monkeypatch.setattr(_epochs.RunFolderRecorder, "epoch_ended", poisoned)
    with pytest.raises(TrainingDiverged) as raised:
        train(load_dataset(fasta), TrainConfig(str(run_dir), PARAMS, seed=4))
    assert str(raised.value) == (f"{run_dir}: training diverged at epoch 2 (loss nan, val_loss nan); lower the "
                                 "learning rate (--param learning_rate) or constrain the weights (--param "
                                 f"kernel_constraint); the best model so far (epoch 1) is in {run_dir / MODEL}")
    run = open_run(run_dir)
    assert run.meta["training"]["status"] == "diverged" and run.meta["training"]["epochs_run"] == 2
    assert not run.complete and read_metrics(run_dir) is None
    assert all(np.isfinite(weights).all() for weights in run.model.get_weights())  # epoch 1's model


@pytest.mark.parametrize("failing_save", [1, 2])
def test_a_full_disk_names_the_file_and_says_which_model_was_saved(fasta, tmp_path, monkeypatch, failing_save):
    import errno

    import keras

    run_dir = tmp_path / "run"
    save = keras.Model.save
    saves = []

    def full_disk(model, filepath, *args, **kwargs):
        saves.append(filepath)
        if len(saves) >= failing_save:
            raise OSError(errno.ENOSPC, "No space left on device", str(filepath))
        return save(model, filepath, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "save", full_disk)
    with pytest.raises(OSError) as raised:
        train(load_dataset(fasta), TrainConfig(str(run_dir), PARAMS, seed=4))
    training = open_run(run_dir).meta["training"] if failing_save > 1 else None
    saved = (f"the best model so far (epoch {training['best_epoch']}) is in {run_dir / MODEL}" if training
             else "no model was saved")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(run_dir / MODEL)
    assert raised.value.strerror == f"No space left on device; {saved}"
    assert (run_dir / MODEL).exists() == (failing_save > 1) and not list(run_dir.glob(".*partial*"))
    meta = json.loads((run_dir / "motifnet.json").read_text())["training"]
    assert meta["status"] == "failed" and read_metrics(run_dir) is None
    if training:  # the model on disk is the one motifnet.json names
        assert meta["best_epoch"] < meta["epochs_run"]


def test_a_regression_run_saves_a_model_that_predicts_original_units(tmp_path):
    from motifnet.run.evaluation import regression_metrics
    from motifnet.run.predict import predict_arrays
    from motifnet.run.regression import HISTORY_COLUMNS as REGRESSION_COLUMNS

    records = gata_records(120, seed=0, length=30)
    fasta = write_fasta(tmp_path / "gata.fa", [(f"{name} {value:.4f}", seq) for name, seq, value in records])
    params = {**PARAMS, "epochs": 3, "learning_rate": 0.001}
    metrics = train(load_dataset([str(fasta)], task="regression"), TrainConfig(str(tmp_path / "run"), params, seed=1))
    run = open_run(tmp_path / "run")
    test = np.flatnonzero(run.groups == 2)
    predicted = predict_arrays(run.model, run.dataset, test, 16)
    # Targets have mean 1.27 and sd 0.92: standardised predictions would centre on 0.
    assert predicted.mean() == pytest.approx(run.dataset.targets[test].mean(), abs=0.5)
    again = regression_metrics(run.dataset.targets[test], predicted, run.dataset.target_names)
    assert again["pearson_mean"] == pytest.approx(metrics["pearson_mean"], abs=1e-5)
    assert list(read_history(run.path)) == list(REGRESSION_COLUMNS)
    assert run.meta["training"]["test_pearson_mean"] == metrics["pearson_mean"] == read_metrics(run.path)[
        "pearson_mean"]


def test_the_preset_and_the_strand_it_resolves_to_are_recorded_and_built(fasta, tmp_path):
    from helpers import reverse_complement_text

    from motifnet.model.params import PRESETS
    from motifnet.run.predict import predict_arrays

    run_dir = tmp_path / "run"
    train(load_dataset(fasta), TrainConfig(str(run_dir), {"epochs": 2, "kernel_num": 4}, seed=1, preset="motifnet"))
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["preset"] == "motifnet"
    # DNA: strand 'auto' reads both; kernel_len 'auto' is 15 for a 4-letter alphabet.
    expected = {**PRESETS["motifnet"], "epochs": 2, "kernel_num": 4, "strand": "both", "kernel_len": 15}
    assert meta["params"] == {key: list(value) if isinstance(value, tuple) else value
                              for key, value in expected.items()}
    run = open_run(run_dir)
    assert {"reverse_complement", "strand_merge", "global_pool"} <= {layer.name for layer in run.model.layers}
    forward = load_dataset(fasta)
    reverse_dir = tmp_path / "reverse"
    reverse_dir.mkdir()
    reverse = []
    for path in fasta:
        records = [line for line in open(path).read().split("\n") if line]
        reverse.append(write_fasta(reverse_dir / path.rsplit("/", 1)[-1], [
            (header[1:], reverse_complement_text(sequence)) for header, sequence in zip(records[::2], records[1::2])]))
    index = np.arange(len(forward))
    np.testing.assert_allclose(predict_arrays(run.model, forward, index, 16),
                               predict_arrays(run.model, load_dataset(reverse), index, 16), atol=1e-6)


def test_kernel_len_auto_gives_protein_kernels_of_8_recorded_and_built(tmp_path, caplog):
    rng = np.random.default_rng(0)
    files = [write_fasta(tmp_path / f"{name}.fa", [(f"{name}{i}", "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), 30)))
                                                   for i in range(20)]) for name in ("a", "b")]
    run_dir = tmp_path / "run"
    with caplog.at_level(logging.INFO, logger="motifnet"):
        train(load_dataset(files, alphabet="protein"),
              TrainConfig(str(run_dir), {"epochs": 1, "kernel_num": 4}, seed=1))
    assert "kernel_len auto: kernels of 8 for an alphabet of 20 letters" in caplog.messages
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["params"]["kernel_len"] == 8 and meta["params"]["strand"] == "forward"
    assert open_run(run_dir).model.get_layer("conv_1").kernel.shape == (8, 20, 4)
    # A length given as a number is kept, for protein too.
    train(load_dataset(files, alphabet="protein"),
          TrainConfig(str(tmp_path / "eleven"), {"epochs": 1, "kernel_num": 4, "kernel_len": 11}, seed=1))
    assert json.loads((tmp_path / "eleven" / "motifnet.json").read_text())["params"]["kernel_len"] == 11


def test_both_strands_on_protein_are_refused_before_anything_is_written(tmp_path):
    from motifnet.errors import ParamError

    rng = np.random.default_rng(0)
    files = [write_fasta(tmp_path / f"{name}.fa", [(f"{name}{i}", "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), 30)))
                                                   for i in range(20)]) for name in ("a", "b")]
    with pytest.raises(ParamError, match="parameter strand='both' needs input with a reverse complement .* "
                                         "received: protein"):
        train(load_dataset(files, alphabet="protein"),
              TrainConfig(str(tmp_path / "run"), {**PARAMS, "strand": "both"}, seed=1))
    assert not (tmp_path / "run").exists()


def test_a_class_left_out_of_a_split_by_rounding_is_warned(tmp_path, caplog):
    # 3 records split 0.7/0.15/0.15 are 2/1/0: the class had no test record, and only "n/a" said so.
    from motifnet.run.training import _split, _warn_missing_classes

    rng = np.random.default_rng(0)
    big = write_fasta(tmp_path / "big.fa", [(f"b{i}", "".join(rng.choice(list("ACGT"), 30))) for i in range(20)])
    small = write_fasta(tmp_path / "small.fa", [(f"s{i}", "".join(rng.choice(list("ACGT"), 30))) for i in range(3)])
    dataset = load_dataset([big, small])
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        groups, index = _split(dataset, (0.7, 0.15), 1)
        _warn_missing_classes(dataset, index, (0.7, 0.15))
    assert dataset.labels[index["test"], 1].sum() == 0
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "class 'small' has no record in the test split (3 record(s) in all, split 0.7/0.15/0.15): its test scores "
        "are n/a; give the class more records or change --split"]
    assert "no test split" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="motifnet"):
        _warn_missing_classes(dataset, _split(dataset, (0.8, 0.2), 1)[1], (0.8, 0.2))  # no test split asked for:
        # nothing missing, but said once
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("no test split")] == [
        "no test split: --split 0.8,0.2 leaves no records for it, so the run has no test metrics (score held-out "
        "records with 'motifnet predict')"]


def test_every_write_of_motifnet_json_accepts_the_model_file_on_disk(fasta, tmp_path, monkeypatch):
    """motifnet.json records model.keras's SHA-256 (a model of another run, even of the same shapes, is refused). A job
    killed between any two writes must leave a model its motifnet.json accepts: while the file is replaced, both."""
    from motifnet._io import sha256
    from motifnet.run.rundir import MODEL_DIGESTS

    run_dir = tmp_path / "run"
    write_json, seen = _epochs.write_json, []

    def checking(path, obj):
        write_json(path, obj)
        if (run_dir / MODEL).exists():
            recorded = json.loads((run_dir / "motifnet.json").read_text())["training"].get(MODEL_DIGESTS, [])
            seen.append((len(recorded), sha256(run_dir / MODEL) in recorded))

    monkeypatch.setattr(_epochs, "write_json", checking)
    train(load_dataset(fasta), TrainConfig(str(run_dir), PARAMS, seed=4))
    assert seen and all(accepted for _, accepted in seen)
    assert {count for count, _ in seen} == {1, 2}  # two while a new best model replaces the old one
    run = open_run(run_dir)
    assert run.meta["training"][MODEL_DIGESTS] == [sha256(run_dir / MODEL)]
    assert run.model is not None  # accepted


def test_replacing_a_run_names_the_files_kept_once_not_again_for_a_folder_without_a_run(tmp_path):
    """grid-search --overwrite named best/'s kept files when it removed best/'s run, and the retraining into the
    emptied folder named them again as 'replacing the run'."""
    import logging

    from motifnet.run.training import remove_run_files

    (tmp_path / "motifnet.json").write_text("{}")
    (tmp_path / "model.keras").write_text("x")
    (tmp_path / "notes.txt").write_text("mine")
    # A handler of its own: through caplog (the root logger) a record may arrive twice after other tests.
    records, logger = [], logging.getLogger("motifnet")
    handler, level = logging.Handler(logging.INFO), logger.level
    handler.emit = records.append
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert remove_run_files(tmp_path) == ["notes.txt"]
        assert remove_run_files(tmp_path) == ["notes.txt"]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [record.getMessage() for record in records if "replacing" in record.getMessage()] == [
        f"{tmp_path}: replacing the run; keeping 1 file(s) that motifnet did not write: notes.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
