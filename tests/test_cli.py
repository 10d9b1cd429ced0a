"""The command line end to end: train, predict, info, and one-line errors for bad input."""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import TINY_PARAMS, copy_run, random_dna, write_fasta

from motifnet.run.rundir import open_run


def read_tsv(text):
    lines = text.strip().split("\n")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def test_train_writes_a_complete_run_folder(trained_run):
    run_dir, (up, down) = trained_run
    assert {p.name for p in run_dir.iterdir()} == {
        "model.keras", "motifnet.json", "data.npz", "split.tsv", "history.tsv", "metrics.json"}
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["data"]["class_names"] == ["up", "down"]
    assert meta["data"]["encoder"]["alphabet"]["name"] == "dna"
    assert meta["data"]["encoder"]["length"] == 40
    assert meta["params"]["kernel_num"] == 4 and meta["params"]["dropout_dense"] == 0.6
    assert meta["seed"] == 3
    assert meta["training"]["status"] == "complete"
    import hashlib
    assert meta["data"]["files"][0]["sha256"] == hashlib.sha256(up.read_bytes()).hexdigest()
    assert meta["data"]["files"][0]["records"] == 40
    header, rows = read_tsv((run_dir / "history.tsv").read_text())
    assert header[:3] == ["epoch", "loss", "val_loss"] and "learning_rate" in header
    assert [row[0] for row in rows] == ["1", "2"]
    header, rows = read_tsv((run_dir / "split.tsv").read_text())
    assert header == ["index", "id", "file", "group"] and len(rows) == 80
    groups = [row[3] for row in rows]
    assert (groups.count("train"), groups.count("val"), groups.count("test")) == (56, 12, 12)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["n"] == 12
    assert set(metrics["per_class"]) == {"up", "down"}
    assert 0 <= metrics["roc_auc_mean"] <= 1 and 0 <= metrics["pr_auc_mean"] <= 1


def test_predict_writes_one_row_per_record_in_input_order(trained_run, cli, tmp_path):
    run_dir, (up, down) = trained_run
    result = cli("predict", run_dir, up, down)
    assert result.exit_code == 0, result.output
    header, rows = read_tsv(result.stdout)
    assert header == ["id", "up", "down"]
    assert [row[0] for row in rows] == [f"up{i}" for i in range(40)] + [f"down{i}" for i in range(40)]
    probabilities = np.array([[float(v) for v in row[1:]] for row in rows])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    out = tmp_path / "p.tsv"
    assert cli("predict", run_dir, up, down, "-o", out, "--batch-size", "7").exit_code == 0
    header7, rows7 = read_tsv(out.read_text())  # chunking and batch size do not change results
    assert header7 == header and [row[0] for row in rows7] == [row[0] for row in rows]
    np.testing.assert_allclose([[float(v) for v in row[1:]] for row in rows7], probabilities, atol=2e-6)


def test_predict_writes_nothing_to_standard_output_for_refused_input(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    bad = tmp_path / "bad.fa"
    bad.write_text("hello\n>a\nACGT\n")
    result = cli("predict", run_dir, bad)
    assert result.exit_code == 1 and "not a FASTA file" in result.stderr
    assert result.stdout == ""


def test_prediction_rows_are_formatted_as_one_row_at_a_time():
    from motifnet.run.predict import tsv_rows

    rng = np.random.default_rng(4)
    values = np.concatenate([rng.random((50, 3)), rng.normal(0, 1e6, (5, 3)), [[1e-30, -0.0, 1.0]]]).astype(np.float32)
    ids = [f"r{i}" for i in range(len(values))]
    expected = "".join(record_id + "\t" + "\t".join(format(float(v), ".9g") for v in row) + "\n"
                       for record_id, row in zip(ids, values))
    assert tsv_rows(ids, values) == expected
    assert tsv_rows([], values[:0]) == ""
    # Every value reads back as the model's float32: with 6 digits, regression values near 1,000,000 all read
    # 1.00001e+06, and probabilities above 0.9999995 read 1.
    values = np.array([[1000012.31, 0.99999988], [1000013.13, 0.99999994], [1000009.94, 1e-7]], dtype=np.float32)
    table = tsv_rows(["a", "b", "c"], values)
    read = np.array([line.split("\t")[1:] for line in table.splitlines()], dtype=np.float64).astype(np.float32)
    np.testing.assert_array_equal(read, values)
    assert table.splitlines()[0] == "a\t1000012.31\t0.999999881"


def test_predict_matches_the_model_on_the_training_data(trained_run, cli):
    run_dir, (up, down) = trained_run
    run = open_run(run_dir)
    dataset = run.dataset
    expected = run.model.predict(dataset.encoder.one_hot(dataset.codes), verbose=0)
    _, rows = read_tsv(cli("predict", run_dir, up, down).stdout)
    got = np.array([[float(v) for v in row[1:]] for row in rows])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_predict_reads_gzip_and_standard_input(trained_run, cli, tmp_path):
    run_dir, (up, _) = trained_run
    compressed = tmp_path / "up.fa.gz"
    compressed.write_bytes(gzip.compress(up.read_bytes()))
    plain = cli("predict", run_dir, up).stdout
    assert cli("predict", run_dir, compressed).stdout == plain
    assert cli("predict", run_dir, "-", input=up.read_text()).stdout == plain


def test_dash_output_is_standard_output(trained_run, cli, tmp_path, monkeypatch):
    run_dir, (up, _) = trained_run
    monkeypatch.chdir(tmp_path)
    plain = cli("predict", run_dir, up).stdout
    result = cli("predict", run_dir, "-", "-o", "-", input=up.read_text())  # standard input and output
    assert result.exit_code == 0 and result.stdout == plain, result.output
    assert not (tmp_path / "-").exists()


def test_info_lists_layers_and_metrics(trained_run, cli):
    run_dir, _ = trained_run
    result = cli("info", run_dir)
    assert result.exit_code == 0
    assert "conv_1" in result.stdout and "output" in result.stdout
    assert "test metrics (12 records)" in result.stdout


def _outputs(cli, run_dir, files) -> tuple:
    return ((run_dir / "split.tsv").read_text(), open_run(run_dir).model.get_weights(),
            cli("predict", run_dir, *files).stdout)


def test_same_seed_gives_identical_split_weights_and_predictions(trained_run, cli, tmp_path):
    shared, files = trained_run  # trained with --seed 3 and TINY_PARAMS
    run_dir = tmp_path / "again"
    assert cli("train", *files, "-o", run_dir, "--seed", "3", *TINY_PARAMS).exit_code == 0
    first, second = _outputs(cli, shared, files), _outputs(cli, run_dir, files)
    assert first[0] == second[0]
    for one, two in zip(first[1], second[1]):
        np.testing.assert_array_equal(one, two)
    assert first[2] == second[2]


def test_different_seeds_give_different_weights(trained_run, cli, tmp_path):
    shared, files = trained_run
    assert cli("train", *files, "-o", tmp_path / "other", "--seed", "4", *TINY_PARAMS).exit_code == 0
    assert not np.array_equal(open_run(shared).model.get_layer("conv_1").get_weights()[0],
                              open_run(tmp_path / "other").model.get_layer("conv_1").get_weights()[0])


def test_existing_run_is_kept_unless_overwrite(trained_run, cli, tmp_path):
    shared, files = trained_run
    run_dir = copy_run(shared, tmp_path / "run")
    before = (run_dir / "model.keras").read_bytes()
    result = cli("train", *files, "-o", run_dir, *TINY_PARAMS)
    assert result.exit_code == 1 and "--overwrite" in result.stderr
    assert (run_dir / "model.keras").read_bytes() == before
    assert cli("train", *files, "-o", run_dir, "--overwrite", "--seed", "4", *TINY_PARAMS).exit_code == 0
    assert (run_dir / "model.keras").read_bytes() != before


def test_overwrite_that_fails_half_way_leaves_no_complete_looking_run(trained_run, cli, tmp_path, monkeypatch):
    from pathlib import Path

    shared, files = trained_run
    run_dir = copy_run(shared, tmp_path / "run")
    unlink = Path.unlink

    def refused(self, *args, **kwargs):  # a file of the run that may not be removed (e.g. another owner's)
        if self.parent == run_dir and self.name != "motifnet.json":
            raise PermissionError(1, "Operation not permitted", str(self))
        return unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", refused)
    result = cli("train", *files, "-o", run_dir, "--overwrite", *TINY_PARAMS)
    assert result.exit_code == 1 and "Operation not permitted" in result.stderr
    assert not (run_dir / "motifnet.json").exists()
    monkeypatch.undo()
    result = cli("predict", run_dir, files[0])
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.slow
def test_length_option_trains_on_sequences_of_varied_length(cli, tmp_path):
    rng = np.random.default_rng(5)
    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in
                                        enumerate(random_dna(rng, 20, 30) + random_dna(rng, 20, 50))])
    b = write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 40, 44))])
    result = cli("train", a, b, "-o", tmp_path / "run", "--length", "40", *TINY_PARAMS)
    assert result.exit_code == 0, result.stderr
    codes = open_run(tmp_path / "run").dataset.codes
    assert codes.shape == (80, 40)
    assert (codes[:20, :5] == 0).all() and (codes[:20, 35:] == 0).all()  # padded 30 -> 40
    assert (codes[20:40] != 0).all()  # cropped 50 -> 40


def test_multi_label_training_and_prediction(multi_label_run, cli):
    run_dir, path = multi_label_run  # headers like 's1 1,2'; every fourth header is the labels alone; 's9 -'
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"roc_auc_micro", "roc_auc_macro", "pr_auc_micro", "pr_auc_macro"} <= set(metrics)
    header, rows = read_tsv(cli("predict", run_dir, path).stdout)
    # predict takes the first word of the header as the id
    assert header == ["id", "x", "y", "z"] and rows[0][0] == "0" and rows[1][0] == "s1" and rows[9][0] == "s9"
    assert len(rows) == 60


def test_sequence_structure_training(rna_structure_run, cli):
    run_dir, (p, _) = rna_structure_run
    run = open_run(run_dir)
    assert tuple(run.model.inputs[0].shape) == (None, 20, 12)  # ACGU x ().
    assert run.meta["data"]["encoder"]["alphabet"]["name"] == "rna"
    header, rows = read_tsv(cli("predict", run_dir, p).stdout)
    assert header == ["id", "p", "q"] and len(rows) == 30


@pytest.mark.slow
def test_structure_pwm_training(cli, tmp_path):
    rng = np.random.default_rng(4)
    files = []
    for name in ("p", "q"):
        records = []
        for i, sequence in enumerate(random_dna(rng, 30, 20)):
            probabilities = rng.dirichlet(np.ones(3), size=20).T
            records.append((f"{name}{i}", [sequence] + [" ".join(f"{v:.4f}" for v in row) for row in probabilities]))
        files.append(write_fasta(tmp_path / f"{name}.fa", records))
    result = cli("train", *files, "--structure-alphabet", "HIS", "--structure-pwm", "-o", tmp_path / "run",
                 *TINY_PARAMS, "--param", "kernel_len=3")
    assert result.exit_code == 0, result.stderr
    assert tuple(open_run(tmp_path / "run").model.inputs[0].shape) == (None, 20, 12)


@pytest.mark.slow
def test_features_and_tracks_train_and_predict(dna_files, cli, tmp_path):
    a, b = dna_files
    feature_files, track_files = [], []
    for path, value in ((a, 1.0), (b, 0.0)):
        features = tmp_path / f"{path.stem}.features"
        features.write_text("#gc\tscore\n" + "".join(f"{0.4 + i / 100}\t{value}\n" for i in range(30)))
        feature_files.append(features)
        ids = [line[1:] for line in path.read_text().split("\n") if line.startswith(">")]
        track = tmp_path / f"{path.stem}.track"
        track.write_text("".join(f">{record_id}\n" + " ".join(["0.5"] * 40) + "\n" for record_id in ids))
        track_files.append(track)
    args = [*dna_files, "-o", tmp_path / "run", *TINY_PARAMS, "--features", feature_files[0], "--features",
            feature_files[1], "--track", f"cons={track_files[0]},{track_files[1]}"]
    result = cli("train", *args)
    assert result.exit_code == 0, result.stderr
    run = open_run(tmp_path / "run")
    assert [tuple(i.shape) for i in run.model.inputs] == [(None, 40, 5), (None, 2)]
    assert run.meta["data"]["tracks"] == ["cons"]
    result = cli("predict", tmp_path / "run", a, "--features", feature_files[0], "--track", f"cons={track_files[0]}")
    assert result.exit_code == 0, result.stderr
    assert len(read_tsv(result.stdout)[1]) == 30
    result = cli("predict", tmp_path / "run", a)
    assert result.exit_code == 1 and "--track" in result.stderr
    # predict read feature rows unchecked: a row of 3 columns ended in a traceback, and nan or inf were predicted
    # (a wrong class, or nan probabilities) with exit status 0; train refused them
    good = feature_files[0].read_text().split("\n")
    bad = {"three columns": ("\n".join([good[0], good[1] + "\t1", *good[2:]]), "line 2: 3 column(s), expected 2 (gc, "
                                                                                  "score)"),
           "nan": ("\n".join([good[0], "nan\t1.0", *good[2:]]), "line 2: feature 'gc' value 'nan' is not a finite"),
           "inf": ("\n".join([*good[:3], "0.4\tinf", *good[4:]]), "line 4: feature 'score' value 'inf' is not"),
           "extra line": ("\n".join([*good[:-1], "0.5\t1.0", ""]), "a.fa has records; give one line per record"),
           "other columns": ("\n".join(["#score\tgc", *good[1:]]), "its header names the columns score, gc, and the "
                                                                     "model was trained on gc, score, in that order")}
    for name, (text, message) in bad.items():
        features = tmp_path / f"bad {name}.tsv"
        features.write_text(text)
        result = cli("predict", tmp_path / "run", a, "--features", features, "--track", f"cons={track_files[0]}")
        assert result.exit_code == 1 and message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == ""
    headerless = tmp_path / "headerless.tsv"
    headerless.write_text("\n".join(good[1:]))
    result = cli("predict", tmp_path / "run", a, "--features", headerless, "--track", f"cons={track_files[0]}")
    assert result.exit_code == 0 and len(read_tsv(result.stdout)[1]) == 30, result.stderr


@pytest.mark.slow
def test_predict_names_the_file_and_line_of_a_category_training_never_saw(dna_files, cli, tmp_path):
    """The message named the record's number within a chunk of records ('record 3'), not the file and its line."""
    a, b = dna_files
    features = []
    for path, kind in ((a, "promoter"), (b, "enhancer")):
        features.append(tmp_path / f"{path.stem}.tsv")
        features[-1].write_text("#kind\n" + f"{kind}\n" * 30)
    result = cli("train", a, b, "-o", tmp_path / "run", *TINY_PARAMS, "--features", features[0], "--features",
                 features[1], "--categorical-features")
    assert result.exit_code == 0, result.stderr
    unseen = tmp_path / "unseen.tsv"
    unseen.write_text("#kind\n" + "promoter\n" * 2 + "silencer\n" + "enhancer\n" * 27)
    result = cli("predict", tmp_path / "run", a, "--features", unseen)
    assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert ("unseen.tsv, line 4: feature 'kind' has the category 'silencer', which was not seen in training "
            "(known: enhancer, promoter); give one of those") in result.stderr


@pytest.mark.slow
def test_learns_the_planted_motifs_of_the_sample_data(sample_run):
    metrics = json.loads((sample_run / "metrics.json").read_text())
    assert metrics["roc_auc_mean"] >= 0.9, metrics
    assert min(c["roc_auc"] for c in metrics["per_class"].values()) >= 0.85


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_killed_training_leaves_a_usable_model(dna_files, tmp_path, signum):
    # The first signal stops training at the next batch: the epoch under way when it came is not finished.
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "motifnet", "train", *map(str, dna_files), "-o", str(run_dir),
               "--param", "epochs=100000", "--param", "patience_stopping=100000", "--param", "kernel_len=5"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (run_dir / "history.tsv").exists() and time.time() < deadline:  # written after the model
        time.sleep(0.2)
    assert (run_dir / "model.keras").exists()
    time.sleep(1.0)
    epochs_before = len((run_dir / "history.tsv").read_text().strip().split("\n")) - 1
    process.send_signal(signum)
    try:
        _, stderr = process.communicate(timeout=60)  # generous: a lost signal would train for ever
    finally:
        process.kill()
    assert process.returncode == 1
    assert "Traceback" not in stderr and "keeps the best model" in stderr
    assert f"{signal.Signals(signum).name} received: stopping at the next safe point" in stderr
    assert not [p for p in run_dir.iterdir() if ".partial" in p.name]
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert meta["training"]["status"] == "interrupted" and meta["training"]["best_epoch"] >= 1
    # At most the epoch whose end was being written when the signal came is recorded after it.
    assert epochs_before <= meta["training"]["epochs_run"] <= epochs_before + 1
    result = subprocess.run([sys.executable, "-m", "motifnet", "predict", str(run_dir), str(dna_files[0])],
                            capture_output=True, text=True)
    assert result.returncode == 0 and len(result.stdout.strip().split("\n")) == 31
    assert "did not complete" in result.stderr


def test_tensorflow_start_up_noise_is_hidden(trained_run):
    run_dir, (up, _) = trained_run
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    result = subprocess.run([sys.executable, "-m", "motifnet", "predict", str(run_dir), str(up)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert result.stderr.strip().split("\n") == ["predicted 40 record(s)"]


def test_a_full_disk_names_the_file_and_does_not_claim_a_saved_model(dna_files, cli, tmp_path, monkeypatch):
    import errno

    import keras

    def full_disk(model, filepath, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(filepath))

    monkeypatch.setattr(keras.Model, "save", full_disk)
    run_dir = tmp_path / "run"
    result = cli("train", *dna_files, "-o", run_dir, "--seed", "1", *TINY_PARAMS)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert lines[-1] == f"Error: {run_dir / 'model.keras'}: No space left on device; no model was saved", lines
    assert [line for line in lines if "Error" in line or "saved" in line or "model so far" in line] == lines[-1:]
    assert json.loads((run_dir / "motifnet.json").read_text())["training"]["status"] == "failed"
    assert not (run_dir / "model.keras").exists() and not list(run_dir.glob(".*partial*"))


def test_device_cpu_hides_gpus_from_tensorflow(trained_run, cli, monkeypatch):
    run_dir, _ = trained_run
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert cli("info", run_dir, "--device", "cpu").exit_code == 0
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""
    result = cli("info", run_dir, "--device", "tpu")
    assert result.exit_code == 2 and "'tpu' is not one of 'auto', 'cpu'" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"], ["visualize-kernels", "--help"]])
def test_help_imports_no_heavy_library(args):
    # What keeps `motifnet --help` well under a second: no TensorFlow, scikit-learn, SciPy,
    # pandas or matplotlib until a command needs them.
    heavy = ["tensorflow", "keras", "sklearn", "scipy", "pandas", "matplotlib", "numba", "dask", "jinja2"]
    code = ("import sys\nfrom motifnet.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print('imported:', [name for name in {heavy!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    assert "Usage:" in result.stdout and result.stdout.rstrip().endswith("imported: []"), result.stdout[-300:]


@pytest.mark.parametrize("command", [["attribute", "--method", "ism"],
                                     ["motifs", "--no-match", "--window", "8", "--flank", "2"]])
def test_no_room_for_a_scratch_array_is_one_line_and_leaves_nothing(trained_run, cli, tmp_path, monkeypatch, command):
    """On a full disk both ended with SIGBUS (exit 135), no message, and their hidden scratch file left behind."""
    import errno

    def full(descriptor, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full, raising=False)
    out = tmp_path / "out"
    result = cli(command[0], trained_run[0], "-o", out, *command[1:])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output
    # the scratch file's name: its kind, process id and host, and tempfile's 8 characters
    assert re.fullmatch(rf"Error: {re.escape(str(out))}/\.(attributions|patterns)\.{os.getpid()}@[^/]+\.\w{{8}}\.npy: "
                        "No space left on device", lines[-1]), lines
    assert not out.exists()


def _tensorflow_out_of_memory():
    import tensorflow as tf

    return tf.errors.ResourceExhaustedError(
        None, None, "{{function_node __wrapped__StatelessRandomUniformV2_device_/job:localhost/replica:0/task:0/device:"
                    "CPU:0}} OOM when allocating tensor with shape[5,4,1000000000] and type float on /job:localhost/"
                    "replica:0/task:0/device:CPU:0 by allocator cpu [Op:StatelessRandomUniformV2] name: ")


@pytest.mark.parametrize("make_error, reason", [
    (lambda: MemoryError("Unable to allocate 90.9 TiB for an array with shape (1000, 100000000000) and data type "
                         "uint8"),
     " (Unable to allocate 90.9 TiB for an array with shape (1000, 100000000000) and data type uint8)"),
    (MemoryError, ""),  # Python's own, as reading a block of --batch-size 100000000 records raised
    (_tensorflow_out_of_memory, " (OOM when allocating tensor with shape[5,4,1000000000] and type float)"),
])
def test_running_out_of_memory_is_one_line_and_writes_nothing(trained_run, cli, tmp_path, monkeypatch, make_error,
                                                               reason):
    """A --batch-size, --length or network too large for the machine ended in a traceback."""
    import motifnet.run.predict

    def exhausted(*args, **kwargs):
        raise make_error()

    monkeypatch.setattr(motifnet.run.predict, "write_predictions", exhausted)
    run_dir, (up, _) = trained_run
    result = cli("predict", run_dir, up, "-o", tmp_path / "p.tsv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: out of memory{reason}; use a smaller --batch-size, or fewer or smaller inputs, or a machine with "
        "more memory"]
    assert list(tmp_path.iterdir()) == []


def test_the_advice_for_running_out_of_memory_names_options_the_command_has(cli, tmp_path, monkeypatch):
    """compare, which has no --batch-size, was told to use a smaller --batch-size (a query 3,000 positions wide)."""
    import motifnet.motifs.matching

    def exhausted(*args, **kwargs):
        raise MemoryError("Unable to allocate 78.6 TiB")

    monkeypatch.setattr(motifnet.motifs.matching, "compare_file", exhausted)
    result = cli("compare", tmp_path / "q.meme")
    assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
        "Error: out of memory (Unable to allocate 78.6 TiB); give fewer or smaller inputs, or a machine with more "
        "memory"]
    import motifnet.workflows.scan

    monkeypatch.setattr(motifnet.workflows.scan, "scan_to_folder", exhausted)
    (tmp_path / "q.meme").write_text("MEME version 4\n")
    (tmp_path / "x.fa").write_text(">a\nACGT\n")
    result = cli("scan", tmp_path / "q.meme", tmp_path / "x.fa", "-o", tmp_path / "out")
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: out of memory (Unable to allocate 78.6 TiB); use a smaller --chunk-records, or fewer or smaller "
        "inputs, or a machine with more memory")


def test_resources_other_than_memory_are_not_called_memory(trained_run, cli, tmp_path, monkeypatch):
    """TensorFlow reports a full disk as resources exhausted too: that is no advice to lower --batch-size."""
    import tensorflow as tf

    import motifnet.run.predict

    def full_disk(*args, **kwargs):
        raise tf.errors.ResourceExhaustedError(None, None, "model.keras; No space left on device")

    monkeypatch.setattr(motifnet.run.predict, "write_predictions", full_disk)
    run_dir, (up, _) = trained_run
    result = cli("predict", run_dir, up, "-o", tmp_path / "p.tsv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == ["Error: resources exhausted: model.keras; No space left on device"]


def test_a_closed_standard_input_is_one_line(tmp_path):
    """A command started with standard input closed (`<&-`) ended in a traceback ('NoneType' has no 'buffer')."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "motifnet", "compare", "-"], capture_output=True, text=True,
                            preexec_fn=lambda: os.close(0), timeout=120, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: standard input is closed: give a file, or pipe the input ('-' reads standard input)"]


@pytest.mark.parametrize("arguments", [["predict", "{run}", "-", "-"], ["train", "-", "-", "-o", "{tmp}/r"],
                                       ["scan", "{tmp}/m.meme", "-", "-o", "{tmp}/s"]])
def test_standard_input_given_twice_is_a_usage_error(trained_run, cli, tmp_path, arguments):
    """predict - - and train - - exited 1, where scan - - and compare - --db - exit 2 (found in the command line)."""
    (tmp_path / "m.meme").write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m\nletter-probability matrix: "
                                     "alength= 4 w= 1\n0.1 0.2 0.3 0.4\n")
    result = cli(*[argument.format(run=trained_run[0], tmp=tmp_path) for argument in arguments])
    assert result.exit_code == 2 and "standard input ('-') can be read only once" in result.stderr, result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("command", [["info", "{run}"], ["fold", "{up}", "-o", "-", "--jobs", "1"],
                                     ["predict", "{run}", "{up}"], ["--help"], ["--version"], ["train", "--help"],
                                     ["scan", "--help"]])
def test_a_full_disk_behind_standard_output_is_named(trained_run, command):
    """`> file` on a full disk said only "Error: No space left on device", as if a file of motifnet's were at fault
    (`motifnet --help`: a traceback; `motifnet train --help`: no word of standard output)."""
    run_dir, (up, _) = trained_run
    arguments = [str(part).format(run=run_dir, up=up) for part in command]
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "motifnet", *arguments], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Error: standard output: No space left on device", result.stderr


def test_a_failed_read_of_an_input_while_predicting_to_standard_output_names_the_input(trained_run, cli,
                                                                                        monkeypatch):
    """Read errors of the work that writes standard output were said as errors of standard output."""
    import errno

    run_dir, (up, _) = trained_run

    def failing(path, *args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr("motifnet.run.predict.iter_fasta_blocks", failing)
    result = cli("predict", run_dir, up)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == f"Error: {up}: Input/output error"


def _motifnet_with(descriptor_closed: int, arguments: list, cwd, **kwargs):
    """``motifnet ARGUMENTS`` in a process started with ``descriptor_closed`` closed (the shell's ``>&-``, ``2>&-``)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "motifnet", *map(str, arguments)], text=True, timeout=300,
                          preexec_fn=lambda: os.close(descriptor_closed), cwd=cwd, **kwargs)


def test_a_closed_standard_output_is_one_line_or_no_path(trained_run, tmp_path):
    """`info RUN >&-` (and `predict RUN FASTA >&-`) ended in a traceback ('NoneType' has no 'write'); a command
    that wrote its files failed as it printed their path."""
    import subprocess

    run_dir, (up, _) = trained_run
    for arguments in (["info", run_dir], ["predict", run_dir, up]):
        result = _motifnet_with(1, arguments, tmp_path, stderr=subprocess.PIPE)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            "Error: standard output is closed (>&-), and this result is written there: leave it open, or give "
            "-o FILE where the command has it")
    result = _motifnet_with(1, ["attribute", run_dir, up, "--method", "saliency", "-o", tmp_path / "a", "--top", 0,
                                "-q"], tmp_path, stderr=subprocess.PIPE)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (tmp_path / "a" / "attributions.npz").is_file()


def test_a_closed_standard_error_leaves_the_results_whole(trained_run, tmp_path):
    """`predict RUN FASTA 2>&- > out.tsv` failed with 'Bad file descriptor', and that error line went into
    out.tsv: a file opened later took descriptor 2."""
    import subprocess

    run_dir, (up, _) = trained_run
    expected = subprocess.run([sys.executable, "-m", "motifnet", "predict", str(run_dir), str(up)], text=True,
                              capture_output=True, timeout=300, check=True).stdout
    result = _motifnet_with(2, ["predict", run_dir, up], tmp_path, stdout=subprocess.PIPE)
    assert result.returncode == 0 and result.stdout == expected


def test_an_output_named_by_a_descriptor_is_written_through_it(trained_run, tmp_path):
    """`-o /dev/stdout >> log.tsv` replaced log.tsv (the file was opened again by name and renamed over), and
    `-o /dev/stdout | cmd` failed naming '/proc/PID/fd/pipe:[...]'."""
    import subprocess

    run_dir, (up, _) = trained_run
    table = subprocess.run([sys.executable, "-m", "motifnet", "predict", str(run_dir), str(up)], text=True,
                           capture_output=True, timeout=300, check=True).stdout
    log = tmp_path / "log.tsv"
    log.write_text("kept\n")
    command = f"{sys.executable} -m motifnet predict {run_dir} {up} -q"
    subprocess.run(f"{command} -o /dev/stdout >> {log} && {command} -o /dev/fd/7 7>> {log}", shell=True,
                   check=True, timeout=300)
    assert log.read_text() == "kept\n" + table + table
    piped = subprocess.run(f"{command} -o /dev/stdout | cat", shell=True, capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and piped.stdout == table, piped.stderr


def test_train_help_names_the_columns_of_its_parameter_table(cli):
    """The table's three value columns were named only in its title line, and 'motifnet' (8 letters) pushed its
    column out of line with the others."""
    from motifnet.model.params import PARAMS, PRESETS

    lines = cli("train", "--help").output.splitlines()
    header = next(line for line in lines if line.strip().startswith("parameter "))
    assert header.split() == ["parameter", "motifnet", "centred", "pysster", "meaning"]
    rows = {line.split()[0]: line for line in lines if line.strip() and line.split()[0] in PRESETS["motifnet"]}
    assert len(rows) == len(PARAMS)
    for name in ("motifnet", "centred", "pysster"):  # every value starts under its column's name
        column = header.index(name)
        assert all(row[column - 1] == " " and row[column] != " " for row in rows.values()), name


@pytest.mark.parametrize("command", ["fold", "compare", "scan"])
def test_commands_that_run_no_network_do_not_offer_device_but_accept_it(cli, command):
    """fold, compare and scan listed --device and 'TensorFlow's own log' in their help, though no network runs."""
    text = cli(command, "--help").output
    assert "--device" not in text and "TensorFlow" not in text and "-v, --verbose" in text
    result = cli(command, "--device", "cpu", "--help")  # scripts that pass it to every command keep working
    assert result.exit_code == 0 and "Usage:" in result.output
