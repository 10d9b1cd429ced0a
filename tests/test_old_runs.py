"""Run folders written before the layered layout still open, predict the same values and can be interpreted."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from motifnet import open_run
from motifnet.errors import ParamError
from motifnet.model.params import resolve
from motifnet.run.info import describe_run

OLD = Path(__file__).parent / "data" / "runs-0.1.0"


def read_table(path) -> dict:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return {"header": rows[0], "ids": [row[0] for row in rows[1:]],
            "values": np.array([[float(value) for value in row[1:]] for row in rows[1:]])}


@pytest.mark.parametrize(("run", "inputs"), [("classification", ["ap1.fa", "gata.fa"]),
                                             ("regression", ["variants.fa"])])
def test_old_run_predicts_what_it_predicted_then(cli, tmp_path, run, inputs):
    output = tmp_path / "predictions.tsv"
    result = cli("predict", OLD / run, *(OLD / name for name in inputs), "-o", output)
    assert result.exit_code == 0, result.output
    now, then = read_table(output), read_table(OLD / f"{run}_predictions.tsv")
    assert now["header"] == then["header"] and now["ids"] == then["ids"]
    # The old table holds 6 significant digits.
    np.testing.assert_allclose(now["values"], then["values"], rtol=1e-5, atol=1e-6)


def test_old_runs_open_with_their_data_and_describe_themselves():
    classification = open_run(OLD / "classification")
    assert classification.dataset.class_names == ["ap1", "gata"]
    assert len(classification.dataset) == 80
    assert "test metrics (12 records): ROC-AUC mean 0.333, PR-AUC mean 0.465" in describe_run(classification)
    regression = open_run(OLD / "regression")
    assert type(regression.model).__name__ == "EpistaticNet"
    assert "L1 norm of the Walsh-Hadamard spectrum" in describe_run(regression)


def test_visualize_kernels_on_an_old_run(cli, tmp_path):
    run_dir = tmp_path / "classification"
    shutil.copytree(OLD / "classification", run_dir)  # nothing writes into the kept folder
    result = cli("visualize-kernels", run_dir, "-o", tmp_path / "report", "--no-match", "--group", "all")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report" / "summary.html").is_file()
    assert (tmp_path / "report" / "motifs.meme").is_file()


def test_a_run_saved_with_values_past_the_bounds_of_new_networks_still_describes_itself_and_predicts(cli, tmp_path):
    """The upper bounds of integer parameters guard new networks against typing slips; a saved run was built
    already, so reading it back does not apply them (it was refused with 'expects an integer from 1 to ...')."""
    run_dir = tmp_path / "classification"
    shutil.copytree(OLD / "classification", run_dir)
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["params"].update(epochs=2_000_000, patience_stopping=5_000_000)
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert "  epochs = 2000000" in describe_run(open_run(run_dir)).splitlines()
    result = cli("info", run_dir)
    assert result.exit_code == 0 and "patience_stopping = 5000000" in result.output, result.output
    output = tmp_path / "predictions.tsv"
    result = cli("predict", run_dir, *(OLD / name for name in ["ap1.fa", "gata.fa"]), "-o", output)
    assert result.exit_code == 0, result.output
    np.testing.assert_allclose(read_table(output)["values"],
                               read_table(OLD / "classification_predictions.tsv")["values"], rtol=1e-5, atol=1e-6)
    with pytest.raises(ParamError, match="parameter epochs expects an integer from 1 to 1,000,000"):
        resolve({"epochs": 2_000_000})


@pytest.mark.parametrize("std", ["missing", [0.0], [1.0, 2.0], ["x"]])
def test_a_regression_run_without_usable_target_sds_compares_raw_values(tmp_path, caplog, monkeypatch, std):
    """variants and marginalize read regression.std of every regression run: a motifnet.json without it (or a
    hand-edited one) ended in a KeyError traceback."""
    import json
    import logging
    import shutil

    from motifnet.run.rundir import open_run

    run_dir = tmp_path / "run"
    shutil.copytree(OLD / "regression", run_dir)
    meta = json.loads((run_dir / "motifnet.json").read_text())
    assert open_run(run_dir).output_scale is not None  # the run as it is records one
    if std == "missing":
        del meta["regression"]
    else:
        meta["regression"]["std"] = std
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert open_run(run_dir).output_scale is None
    assert any("records no standard deviation of each target (regression.std)" in m for m in caplog.messages)
