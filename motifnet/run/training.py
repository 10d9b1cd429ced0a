"""Training a model on a data set and writing the run folder."""

from __future__ import annotations

import logging
import math
import secrets
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import _progress
from .._io import atomic_path, write_json, write_text
from .._version import __version__
from ..data.dataset import GROUPS, Dataset, make_split
from ..errors import ParamError
from ..model.adjacency import read_adjacencies
from ..model.params import check_length, resolve, to_json
from . import rundir
from .evaluation import compute_metrics, format_metric
from .predict import predict_arrays

log = logging.getLogger("motifnet")

_HISTORY_COLUMNS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy", "auc", "val_auc",
                    "learning_rate", "seconds")


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


class _RunFolderCallback:
    """Keeps the best model on disk, history.tsv current and the user informed, epoch by epoch."""

    def __init__(self, run_dir: Path, meta: dict, epochs: int, columns=_HISTORY_COLUMNS, saving=None,
                 steps_per_epoch: int | None = None):
        import contextlib

        import keras

        class Callback(keras.callbacks.Callback):
            pass

        self.run_dir, self.meta, self.epochs = run_dir, meta, epochs
        self.columns = columns
        self.saving = saving or contextlib.nullcontext  # regression: save with the target scale folded in
        self.rows: list = []
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.tty = sys.stderr.isatty()
        self.callback = Callback()
        self.callback.on_epoch_begin = self.on_epoch_begin
        self.callback.on_epoch_end = self.on_epoch_end
        if self.tty:
            # A batch hook makes Keras wait for every batch's logs; only a terminal shows them.
            self.callback.on_train_batch_end = self.on_batch_end
        else:
            # Logs and batch jobs get a line every REPORT_SECONDS from a thread that reads the
            # optimizer's step counter, which costs the training loop nothing.
            self.callback.on_train_begin = self.start_reporter
            self.callback.on_train_end = self.stop_reporter
        self.steps_per_epoch = steps_per_epoch
        self.progress = None
        self.reporter = None
        self.started = time.perf_counter()

    def _steps_done(self) -> int:
        return int(np.asarray(self.callback.model.optimizer.iterations))

    def start_reporter(self, logs=None):
        import threading

        stop = threading.Event()

        def report():
            while not stop.wait(_progress.REPORT_SECONDS):
                progress = self.progress
                if progress is not None:
                    progress.update(max(0, self._steps_done() - self.epoch_first_step))

        self.reporter = (stop, threading.Thread(target=report, name="motifnet-progress", daemon=True))
        self.reporter[1].start()

    def stop_reporter(self, logs=None):
        if self.reporter is not None:
            self.reporter[0].set()
            self.reporter[1].join()
            self.reporter = None

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()
        self.epoch = epoch + 1
        if not self.tty:
            self.epoch_first_step = self._steps_done()
            self.progress = _progress.Progress(f"epoch {self.epoch}/{self.epochs}", total=self.steps_per_epoch,
                                               unit="batches", every=0)

    def on_batch_end(self, batch, logs=None):
        if batch % 10 == 0:
            sys.stderr.write(f"\repoch {self.epoch}/{self.epochs}  batch {batch + 1}  loss {logs.get('loss', 0):.4f}")
            sys.stderr.flush()

    def on_epoch_end(self, epoch, logs=None):
        self.progress = None
        model = self.callback.model
        logs = dict(logs or {})
        seconds = time.perf_counter() - self.started
        learning_rate = float(np.asarray(model.optimizer.learning_rate))
        row = {"epoch": epoch + 1, **{k: logs.get(k) for k in self.columns[1:7]},
               "learning_rate": learning_rate, "seconds": seconds}
        self.rows.append(row)
        val_loss = logs.get("val_loss", math.inf)
        improved = val_loss < self.best_loss
        if improved:
            self.best_loss, self.best_epoch = val_loss, epoch + 1
            self.best_weights = model.get_weights()
            with atomic_path(self.run_dir / rundir.MODEL, suffix=".keras") as tmp, self.saving(model):
                model.save(tmp)
            self.meta["training"].update(best_epoch=self.best_epoch, best_val_loss=float(val_loss))
            write_json(self.run_dir / rundir.META, self.meta)
        write_text(self.run_dir / rundir.HISTORY, history_text(self.rows, self.columns))
        if self.tty:
            sys.stderr.write("\r\x1b[K")
        log.info("epoch %d/%d  loss %.4f  val_loss %.4f  %s %s  lr %.3g  %.1fs%s", epoch + 1, self.epochs,
                 logs.get("loss", math.nan), val_loss, self.columns[6], format_metric(logs.get(self.columns[6])),
                 learning_rate, seconds, "  *best, saved" if improved else "")


def history_text(rows, columns=_HISTORY_COLUMNS) -> str:
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join("" if row[c] is None else (str(row[c]) if c == "epoch" else f"{row[c]:.6g}")
                               for c in columns))
    return "\n".join(lines) + "\n"


def train(dataset: Dataset, config: TrainConfig) -> dict:
    """Train a model on ``dataset`` and write the run folder ``config.run_dir``.

    The best model so far (lowest validation loss) is on disk after every epoch that
    improves it, so a job killed at any point leaves a loadable model; ``motifnet.json``
    records whether training completed.

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
    params = resolve(config.params)
    check_length(params, dataset.encoder.length)
    adjacency = read_adjacencies(params)
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    run_dir = Path(config.run_dir)

    from .._tf import seed_everything
    seed_everything(seed, deterministic=config.seed is not None)
    from ..data.pipeline import dataset_arrays, make_tf_dataset
    from ..model.build import build_model, summary_lines
    from .regression import HISTORY_COLUMNS, RegressionSetup, split_labels

    is_regression = dataset.task == "regression"
    if config.epistatic_reg is not None and not is_regression:
        raise ParamError("--epistatic-reg needs --task regression")
    groups = make_split(split_labels(dataset) if is_regression else dataset.labels, config.split[0], config.split[1],
                        seed)
    index = {name: np.flatnonzero(groups == code) for code, name in enumerate(GROUPS)}
    for name in ("train", "val"):
        if len(index[name]) == 0:
            raise ParamError(f"the {name} split is empty; use more records or larger --split fractions")
    dataset.fit_features(index["train"])
    regression = (RegressionSetup.prepare(dataset, index["train"], config.epistatic_reg, config.reference)
                  if is_regression else None)
    model = build_model(params, dataset.encoder.length, dataset.channels, len(dataset.output_names),
                        dataset.multi_label, dataset.features.shape[1] if dataset.features is not None else 0,
                        adjacency=adjacency, task=dataset.task)
    if regression is not None:
        model = regression.wrap(model, dataset, params["learning_rate"])
    # Only now, with the model built (adjacency shapes checked), is an existing run replaced.
    prepare_run_dir(run_dir, config.overwrite, config.keep_folded)
    for line in summary_lines(model):
        log.info("%s", line)
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    log.info("training on %d records (validation %d, test %d), seed %d, on %s", len(index["train"]),
             len(index["val"]), len(index["test"]), seed,
             f"{len(gpus)} GPU(s)" if gpus else "the CPU")

    meta = {
        "motifnet_version": __version__,
        "data": dataset.describe(),
        "params": to_json(params),
        **({"adjacency": {layer: matrix.to_json() for layer, matrix in adjacency.items()}} if adjacency else {}),
        **({"regression": regression.describe()} if regression is not None else {}),
        "seed": seed,
        "split": {"fractions": list(config.split), **{name: int(len(i)) for name, i in index.items()}},
        "training": {"status": "running", "best_epoch": None, "epochs_run": 0},
    }
    dataset.save(run_dir / rundir.DATA)
    write_text(run_dir / rundir.SPLIT, rundir.split_text(dataset, groups))
    write_json(run_dir / rundir.META, meta)

    import keras

    batch_size = params["batch_size"]
    fit_targets = regression.fit_targets if regression is not None else dataset.labels
    train_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, index["train"]),
                                 fit_targets[index["train"]], batch_size, shuffle_seed=seed)
    val_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, index["val"]),
                               fit_targets[index["val"]], batch_size)
    steps_per_epoch = -(-len(index["train"]) // batch_size)
    columns, saving = (HISTORY_COLUMNS, regression.saving) if regression is not None else (_HISTORY_COLUMNS, None)
    tracker = _RunFolderCallback(run_dir, meta, params["epochs"], columns, saving, steps_per_epoch=steps_per_epoch)
    callbacks = [
        tracker.callback,
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=params["patience_lr"],
                                          verbose=0),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=params["patience_stopping"], verbose=0),
    ]
    status = "interrupted"
    try:
        model.fit(train_data, validation_data=val_data, epochs=params["epochs"], callbacks=callbacks, verbose=0)
        status = "complete"
    finally:
        tracker.stop_reporter()  # also when training was interrupted
        meta["training"].update(status=status, epochs_run=len(tracker.rows))
        write_json(run_dir / rundir.META, meta)
        if status != "complete":
            log.warning("training stopped after %d epoch(s); the best model so far (epoch %s) is in %s",
                        len(tracker.rows), tracker.best_epoch or "none", run_dir)
    if tracker.best_weights is not None:
        model.set_weights(tracker.best_weights)
    log.info("best epoch %d of %d (validation loss %.4f)", tracker.best_epoch, len(tracker.rows), tracker.best_loss)

    if regression is not None:  # the model predicts original values from here on
        metrics = regression.finish(model, dataset, index["test"], run_dir, batch_size)
        meta["training"]["test_pearson_mean"] = metrics["pearson_mean"]
    else:
        probabilities = predict_arrays(model, dataset, index["test"], batch_size)
        metrics = {"split": "test", **compute_metrics(dataset.labels[index["test"]], probabilities,
                                                       dataset.class_names, dataset.multi_label)}
        meta["training"]["test_roc_auc_mean"] = metrics["roc_auc_mean"]
    write_json(run_dir / rundir.METRICS, metrics)
    write_json(run_dir / rundir.META, meta)
    return metrics
