"""Training a model on a data set and writing the run folder."""

from __future__ import annotations

import logging
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._io import write_json, write_text
from .._version import __version__
from ..data.dataset import Dataset
from ..data.split import group_indices, make_split
from ..errors import ParamError
from ..model.adjacency import read_adjacencies
from ..model.params import check_length, resolve, to_json
from . import rundir
from ._epochs import EpochProgress, RunFolderRecorder
from .evaluation import compute_metrics
from .fit import FitResult, build_seeded, fit_model
from .predict import predict_arrays

log = logging.getLogger("motifnet")


@dataclass
class TrainConfig:
    """What ``motifnet train`` was asked to do.

    Attributes
    ----------
    run_dir : str
        Output folder.
    params : dict
        Hyperparameter overrides (names from :mod:`motifnet.model.params`).
    split : tuple of float
        Train and validation fractions; the rest is the test split. Default is (0.7, 0.15).
    seed : int or None
        Seed of split, weights, shuffling and dropout; a random one is drawn (and recorded) when None.
    overwrite : bool
        Replace an existing run folder.
    epistatic_reg : float or None
        Regression only: weight of the epistatic-sparsity penalty (see :mod:`motifnet.model.epistasis`).
    reference : str or None
        ``--reference FILE.fa`` of the penalty's landscape; default: the training consensus.
    keep_folded : bool
        ``train --fold``: keep ``RUN_DIR/folded/`` (the folded inputs just written or reused)
        when the folder is replaced; otherwise it goes with the rest. Default is False.
    """

    run_dir: str
    params: dict = field(default_factory=dict)
    split: tuple = (0.7, 0.15)
    seed: int | None = None
    overwrite: bool = False
    epistatic_reg: float | None = None
    reference: str | None = None
    keep_folded: bool = False


def check_run_dir(path: Path, overwrite: bool) -> None:
    """Refuse an output folder that training may not use (``folded/`` of ``train --fold`` aside)."""
    if path.exists() and not path.is_dir():
        raise ParamError(f"{path}: exists and is not a folder; choose another -o")
    if path.is_dir() and any(entry.name != rundir.FOLDED for entry in path.iterdir()):
        if not (path / rundir.META).exists():
            raise ParamError(f"{path}: folder is not empty and is not a motifnet run; choose another -o")
        if not overwrite:
            raise ParamError(f"{path}: holds a run already; pass --overwrite to replace it or choose another -o")


def prepare_run_dir(path: Path, overwrite: bool, keep_folded: bool = False) -> None:
    """Create the output folder, emptying a run it holds (``folded/`` kept with ``keep_folded``)."""
    check_run_dir(path, overwrite)
    if path.is_dir():
        for entry in path.iterdir():
            if entry.name == rundir.FOLDED and keep_folded:
                continue  # train --fold has just written (or reused) the folded inputs there
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    path.mkdir(parents=True, exist_ok=True)


def train(dataset: Dataset, config: TrainConfig) -> dict:
    """Train a model on ``dataset`` and write the run folder ``config.run_dir``.

    The best model so far (lowest validation loss) is on disk after every epoch that
    improves it, so a job killed at any point (``KeyboardInterrupt``, which the command line
    raises on SIGTERM too) leaves a loadable model; ``motifnet.json`` records whether training
    completed.

    Parameters
    ----------
    dataset : Dataset
        Encoded data (see :func:`motifnet.data.dataset.load_dataset`).
    config : TrainConfig

    Returns
    -------
    dict
        The test-split metrics (also written to ``metrics.json``).

    Raises
    ------
    ParamError
        Bad parameters (checked before anything is written).
    """
    from .regression import RegressionSetup

    params = resolve(config.params)
    check_length(params, dataset.encoder.length)
    adjacency = read_adjacencies(params)
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    run_dir = Path(config.run_dir)
    if config.epistatic_reg is not None and dataset.task != "regression":
        raise ParamError("--epistatic-reg needs --task regression")
    groups, index = _split(dataset, config.split, seed)
    dataset.fit_features(index["train"])
    regression = (RegressionSetup.prepare(dataset, index["train"], config.epistatic_reg, config.reference)
                  if dataset.task == "regression" else None)
    model = build_seeded(dataset, params, seed, adjacency, deterministic=config.seed is not None)
    if regression is not None:
        model = regression.wrap(model, dataset, params["learning_rate"])
    # Only now, with the model built (adjacency shapes checked), is an existing run replaced.
    prepare_run_dir(run_dir, config.overwrite, config.keep_folded)
    _log_start(model, index, seed)
    meta = _run_meta(dataset, params, adjacency, regression, seed, config.split, index)
    dataset.save(run_dir / rundir.DATA)
    write_text(run_dir / rundir.SPLIT, rundir.split_text(dataset, groups))
    write_json(run_dir / rundir.META, meta)

    result = _fit_into_folder(model, dataset, index, params, seed, run_dir, meta, regression)
    log.info("best epoch %d of %d (validation loss %.4f)", result.best_epoch, result.epochs_run, result.best_loss)
    metrics = _test_metrics(model, dataset, index["test"], regression, run_dir, params["batch_size"])
    headline = "pearson_mean" if regression is not None else "roc_auc_mean"
    meta["training"][f"test_{headline}"] = metrics[headline]
    write_json(run_dir / rundir.METRICS, metrics)
    write_json(run_dir / rundir.META, meta)
    return metrics


def _split(dataset: Dataset, split: tuple, seed: int) -> tuple:
    """The group code of each record, and the record indices of each group; refuses an empty train or val."""
    from .regression import split_labels

    labels = split_labels(dataset) if dataset.task == "regression" else dataset.labels
    groups = make_split(labels, split[0], split[1], seed)
    index = group_indices(groups)
    for name in ("train", "val"):
        if len(index[name]) == 0:
            raise ParamError(f"the {name} split is empty; use more records or larger --split fractions")
    return groups, index


def _log_start(model, index: dict, seed: int) -> None:
    import tensorflow as tf

    from ..model.build import summary_lines

    for line in summary_lines(model):
        log.info("%s", line)
    gpus = tf.config.list_physical_devices("GPU")
    log.info("training on %d records (validation %d, test %d), seed %d, on %s", len(index["train"]),
             len(index["val"]), len(index["test"]), seed, f"{len(gpus)} GPU(s)" if gpus else "the CPU")


def _run_meta(dataset: Dataset, params: dict, adjacency: dict, regression, seed: int, split: tuple,
              index: dict) -> dict:
    """``motifnet.json`` as training starts."""
    return {
        "motifnet_version": __version__,
        "data": dataset.describe(),
        "params": to_json(params),
        **({"adjacency": {layer: matrix.to_json() for layer, matrix in adjacency.items()}} if adjacency else {}),
        **({"regression": regression.describe()} if regression is not None else {}),
        "seed": seed,
        "split": {"fractions": list(split), **{name: int(len(index[name])) for name in ("train", "val", "test")}},
        "training": {"status": "running", "best_epoch": None, "epochs_run": 0},
    }


def _fit_into_folder(model, dataset: Dataset, index: dict, params: dict, seed: int, run_dir: Path, meta: dict,
                     regression) -> FitResult:
    """Fit with progress lines and the run folder kept current; ``motifnet.json`` says how it ended."""
    from .regression import HISTORY_COLUMNS

    progress = EpochProgress(params["epochs"], steps_per_epoch=-(-len(index["train"]) // params["batch_size"]))
    if regression is not None:
        recorder = RunFolderRecorder(run_dir, meta, progress, HISTORY_COLUMNS, regression.saving)
    else:
        recorder = RunFolderRecorder(run_dir, meta, progress)
    targets = regression.fit_targets if regression is not None else dataset.labels
    status = "interrupted"
    try:
        result = fit_model(model, dataset, targets, index["train"], index["val"], params, seed,
                           callbacks=[progress.callback], on_epoch_end=recorder.epoch_ended)
        status = "complete"
    finally:
        progress.stop_reporter()  # also when training was interrupted
        meta["training"].update(status=status, epochs_run=len(recorder.rows))
        write_json(run_dir / rundir.META, meta)
        if status != "complete":
            log.warning("training stopped after %d epoch(s); the best model so far (epoch %s) is in %s",
                        len(recorder.rows), recorder.best_epoch or "none", run_dir)
    return result


def _test_metrics(model, dataset: Dataset, test_index: np.ndarray, regression, run_dir: Path,
                  batch_size: int) -> dict:
    """Metrics of the best model on the test split (regression: also ``epistasis.tsv``)."""
    if regression is not None:  # the model predicts original values from here on
        return regression.finish(model, dataset, test_index, run_dir, batch_size)
    probabilities = predict_arrays(model, dataset, test_index, batch_size)
    return {"split": "test", **compute_metrics(dataset.labels[test_index], probabilities, dataset.class_names,
                                               dataset.multi_label)}
