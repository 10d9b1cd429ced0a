"""motifnet.run.info: the description of a run folder, for each kind of run."""

import json
import re

import pytest
from helpers import copy_run, diverged_copy

from motifnet.run.info import describe_run, layer_rows
from motifnet.run.rundir import open_run

# The default network (preset motifnet) on DNA: both strands through shared weights, pooled globally.
LAYERS = ["sequence", "reverse_complement", "dropout_input", "conv_1", "dropout_conv_1", "global_pool",
          "dense_1", "dropout_dense_1", "strand_merge", "output"]


def test_layer_rows_name_every_layer_its_shape_and_weights(trained_run):
    model = open_run(trained_run[0]).model
    rows = layer_rows(model)
    assert [row[0] for row in rows] == LAYERS
    by_name = {row[0]: row for row in rows}
    # length 40, 4 kernels of width 5: 36 positions, the maximum of each kernel (weighted in 8 stretches: 8 x 4
    # weights); dense of 8; 2 classes
    assert by_name["conv_1"] == ("conv_1", "Conv1D", "(36, 4)", 4, 5 * 4 * 4 + 4)
    assert by_name["global_pool"] == ("global_pool", "PositionWeightedMaxPooling1D", "(4,)", 4, 16 * 4)
    assert by_name["dense_1"] == ("dense_1", "Dense", "(8,)", 8, 4 * 8 + 8)
    assert by_name["strand_merge"] == ("strand_merge", "Average", "(8,)", 8, 0)
    assert by_name["output"] == ("output", "Dense", "(2,)", 2, 8 * 2 + 2)
    assert sum(row[4] for row in rows) == model.count_params()


def test_single_label_run(trained_run):
    run_dir, (up, down) = trained_run
    lines = describe_run(open_run(run_dir)).split("\n")
    assert lines[:4] == [f"run folder: {run_dir}", "motifnet version: 0.1.0", "training: complete, best epoch 2 of 2",
                         "seed: 3"]
    for line in ["alphabet: dna (ACGT)", "length: 40", "labels: single-label", "classes: up (40), down (40)",
                 "split: train 56, val 12, test 12", "  kernel_num = 4  * (preset: 64)",
                 # conv_num: given, but the preset's value; kernel_len: given, the preset's is 'auto'
                 "  epochs = 2  * (preset: 500)", "  conv_num = 1", "  kernel_len = 5  * (preset: auto)"]:
        assert line in lines, line
    # The values --param changed are marked: the parameters were listed as the preset's.
    assert [line.split()[0] for line in lines if line.endswith(")") and "  * (preset: " in line] == [
        "kernel_num", "kernel_len", "neuron_num", "batch_size", "epochs"]
    assert any(line.startswith("parameters (preset motifnet, chosen by preset auto") and
               line.endswith("; * set by --param or --params):") for line in lines)
    assert any(line.startswith(f"input: {up} (40 records, sha256 ") for line in lines)
    assert [line.split()[0] for line in lines if line.startswith("  ") and " = " not in line
            and ":" not in line] == LAYERS
    assert any(line.startswith("test metrics (12 records): ROC-AUC mean ") for line in lines)
    assert sum(line.endswith(", 6 positives") for line in lines) == 2  # up and down in the test split
    # The layer table's columns line up, the long type PositionWeightedMaxPooling1D included.
    table = lines[lines.index("layers (name, type, output shape, nodes, weights):") + 1:][:len(LAYERS)]
    starts = {(re.match(r"  \S+\s+", row).end(), row.index("("), re.search(r"\)\s+(\d)", row).start(1))
              for row in table}
    assert len(starts) == 1, table


def test_multi_label_run(multi_label_run):
    text = describe_run(open_run(multi_label_run[0]))
    assert "labels: multi-label" in text and "classes: x (31), y (31), z (31); records of no class: 6" in text
    assert "length: 30" in text and "split: train 43, val 7, test 10" in text
    assert "test metrics (10 records): ROC-AUC mean" in text


def test_regression_run(regression_run):
    text = describe_run(open_run(regression_run[0]))
    assert "task: regression" in text and "targets: gata_count (training mean " in text
    assert "labels:" not in text and "classes:" not in text
    assert "split: train 140, val 30, test 30" in text
    assert "test metrics (30 records): Pearson r mean" in text and "ROC-AUC" not in text


def test_sequence_and_structure_run(rna_structure_run):
    text = describe_run(open_run(rna_structure_run[0]))
    assert "alphabet: rna (ACGU)\nstructure: letters ( ) .\nlength: 20\n" in text  # was "(). (letters)"
    assert re.search(r"\n  sequence +InputLayer +\(20, 12\) ", text)  # 4 letters x 3 structure letters


def test_a_complete_run_without_metrics_says_the_file_is_missing(trained_run, tmp_path):
    # A complete run whose metrics.json was deleted read "training has not finished".
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "metrics.json").unlink()
    text = describe_run(open_run(run_dir))
    assert text.endswith("\ntest metrics: none (training is complete, but metrics.json is missing or damaged)")


@pytest.mark.parametrize("content", [
    '{"split": "test", "n": 5}',
    '{"n": 1, "roc_auc_mean": 0.5, "pr_auc_mean": 0.5, "per_class": []}',
    '{"n": 1, "roc_auc_mean": "a", "pr_auc_mean": 0.5, "per_class": {}}',
    '{"n": 1, "roc_auc_mean": 0.5, "pr_auc_mean": 0.5, "per_class": {"up": {"roc_auc": 0.5}}}',
    '{"task": "regression", "n": 3, "per_target": {"t": {"pearson": 1}}}',
    '[1, 2]',
])
def test_metrics_json_of_the_wrong_shape_is_damaged_not_a_traceback(trained_run, tmp_path, cli, content):
    """JSON of the wrong shape (valid JSON) gave KeyError, AttributeError or ValueError tracebacks in info, and
    visualize-kernels failed in its template after all the work."""
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "metrics.json").write_text(content)
    result = cli("info", run_dir)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert result.stdout.endswith(
        "\ntest metrics: none (training is complete, but metrics.json is missing or damaged)\n")
    result = cli("visualize-kernels", run_dir, "-o", tmp_path / "report", "--no-match", "--kernels", "0")
    assert result.exit_code == 0 and (tmp_path / "report" / "summary.html").is_file(), result.output


def test_an_unfinished_run_has_no_metrics_yet(trained_run, tmp_path):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "metrics.json").unlink()
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"]["status"] = "interrupted"
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    text = describe_run(open_run(run_dir))
    # it said only "training has not finished", and not how to go on
    assert text.endswith("\ntest metrics: none yet (training stopped before it finished; run the same motifnet "
                         "train command with --resume to continue it)")


def test_an_unfinished_best_run_of_a_search_says_to_run_the_search_again(trained_run, tmp_path):
    """grid-search retrains its best/, and goes on with it when run again: no train command made it."""
    run_dir = copy_run(trained_run[0], tmp_path / "search" / "best")
    (tmp_path / "search" / "search.json").write_text("{}")
    (run_dir / "metrics.json").unlink()
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"]["status"] = "interrupted"
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert describe_run(open_run(run_dir)).endswith("(training stopped before it finished; run the same motifnet "
                                                    "grid-search command again to continue it)")


def test_a_run_still_training_says_so(trained_run, tmp_path, monkeypatch):
    import motifnet.run.rundir

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "metrics.json").unlink()
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"]["status"] = "running"
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    monkeypatch.setattr(motifnet.run.rundir, "live_holder", lambda path: "pid 12 on this host")
    assert describe_run(open_run(run_dir)).endswith("\ntest metrics: none yet (training is running)")


def test_a_diverged_run_shows_its_status_and_why_it_has_no_layers(cli, trained_run, tmp_path):
    # info loaded the model first, and so failed with "holds no model yet" instead of describing the run.
    run_dir = diverged_copy(trained_run[0], tmp_path / "run")
    result = cli("info", run_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().split("\n")
    assert lines[2] == "training: diverged, best epoch none of 1"
    # A run stopped before its first epoch ended said "best epoch none of 0".
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"].update(status="interrupted", epochs_run=0)
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert cli("info", run_dir).stdout.split("\n")[2] == "training: interrupted, no epoch finished"
    # and a command that needs the model said "train again", which train refuses for the folder holding a run
    result = cli("cluster", run_dir, "-o", tmp_path / "c.png")
    assert result.exit_code == 1 and ("training stopped before its first epoch ended - run the same motifnet train "
                                      "command with --resume (or --overwrite) to train it") in result.stderr
    assert "  learning_rate = 1e+30" in lines and "classes: up (40), down (40)" in lines
    assert "layers: none; training diverged and saved no model (model.keras is missing); train again with " \
           "--overwrite and a smaller learning rate than 1e+30 (--param learning_rate=...) or a weight constraint " \
           "(--param kernel_constraint=3)" in lines
    assert lines[-1] == "test metrics: none (training diverged)"


def test_a_complete_run_whose_model_was_deleted_says_so(cli, trained_run, tmp_path):
    """It said 'training: complete, best epoch 3' and then 'holds no model yet ... stopped before its first epoch'."""
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "model.keras").unlink()
    result = cli("info", run_dir)
    assert result.exit_code == 0, result.output
    best = json.loads((run_dir / "motifnet.json").read_text())["training"]["best_epoch"]
    assert (f"layers: none; model.keras is missing, though training saved one (best epoch {best}); restore the file, "
            "or train again with --overwrite") in result.stdout.splitlines()


def test_a_run_whose_model_is_damaged_shows_the_rest(cli, trained_run, tmp_path):
    """It said only 'cannot be loaded as a Keras model' and exited 1: no data, parameters or metrics."""
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "model.keras").write_bytes(b"garbage")
    result = cli("info", run_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("parameters (preset") for line in lines)
    assert any(line.startswith(f"layers: none; {run_dir / 'model.keras'}: cannot be loaded as a Keras model")
               for line in lines), result.stdout
    assert any(line.startswith("test metrics (") for line in lines)


def test_a_run_whose_model_is_another_runs_says_so_and_shows_the_rest(cli, trained_run, tmp_path):
    """A model.keras of the same shapes copied from another run was described as this run's (its layers, the kernel
    count of motifnet.json beside another number of kernels)."""
    import keras

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    model = keras.saving.load_model(run_dir / "model.keras", compile=False)
    model.set_weights([weights * 2 for weights in model.get_weights()])
    model.save(run_dir / "model.keras")
    result = cli("info", run_dir)
    assert result.exit_code == 0, result.output
    assert any(line.startswith(f"layers: none; {run_dir / 'model.keras'}: does not match motifnet.json: it is not "
                               "the model this training saved") for line in result.stdout.splitlines()), result.stdout


def test_a_train_fold_run_names_the_files_it_folded_and_how(trained_run, tmp_path):
    # info of a train --fold run listed only the folded copies in the run folder.
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["fold"] = {"format": "context", "window": None, "span": None, "samples": None, "exact": False, "seed": 1}
    meta["inputs"] = [{"path": "rna/loop.fa", "sha256": "ab"}, {"path": "rna/stem.fa", "sha256": "cd"}]
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    lines = describe_run(open_run(run_dir)).split("\n")
    assert "folded by train --fold (format context) from: rna/loop.fa, rna/stem.fa" in lines  # nothing sampled
    meta["fold"].update(format="profile", samples=1000)
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert "folded by train --fold (format profile, samples 1000, seed 1) from: rna/loop.fa, rna/stem.fa" in \
        describe_run(open_run(run_dir)).split("\n")
    assert not any(line.startswith("folded by") for line in describe_run(open_run(trained_run[0])).split("\n"))


def test_the_other_input_files_and_what_predict_needs_are_listed(trained_run, tmp_path):
    """info listed the FASTA files alone: a run's features, tracks or targets files and checksums were in
    motifnet.json only, and nothing said that predict needs --track or --features."""
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    fasta = [entry["path"] for entry in meta["data"]["files"]]
    meta["inputs"] = [{"path": path, "sha256": "00"} for path in fasta] + [
        {"path": "up_track.txt", "sha256": "ab"}, {"path": "down_track.txt", "sha256": "cd"},
        {"path": "-", "sha256": "ef"}]  # standard input: listed with the FASTA files, as 'stdin'
    meta["data"]["tracks"] = ["cons"]
    meta["data"]["features"] = {"names": ["gc", "cat"], "categorical": False}
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    lines = describe_run(open_run(run_dir)).split("\n")
    assert [line for line in lines if line.startswith("input: ")][len(fasta):] == [
        "input: up_track.txt (sha256 ab)", "input: down_track.txt (sha256 cd)"]  # the FASTA files once each
    assert "tracks: cons (predict needs --track NAME=FILE for each, one file per FASTA file)" in lines
    assert "features: gc, cat (predict needs --features FILE, one per FASTA file)" in lines
    plain = describe_run(open_run(trained_run[0])).split("\n")
    assert not any(line.startswith(("tracks:", "features:")) for line in plain)
