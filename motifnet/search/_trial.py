"""What a grid-search worker runs: read the data once per process, train one trial, score it.

Everything here runs inside Dask worker processes; the functions take and return plain,
picklable values so that the same code serves a local cluster, a remote scheduler and
SLURM/PBS jobs.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..errors import MotifnetError

log = logging.getLogger("motifnet")

METRICS = ("roc-auc", "pr-auc", "val-loss")
# Keras' seeds and session are per process: two trials in threads of one worker (a worker with
# several threads, or a cancelled trial still finishing) would disturb each other's results.
_ONE_TRIAL_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class DataOptions:
    """How the FASTA files are read (the options of ``motifnet train`` that grid-search takes).

    ``sha256`` is part of the value so that a worker never reuses a cached data set after a
    file changed.
    """

    fasta: tuple
    sha256: tuple
    multi_label: bool = False
    class_names: tuple | None = None
    alphabet: str | None = None
    structure: str | None = None
    structure_pwm: bool = False
    length: int | None = None


@dataclass(frozen=True)
class TrialTask:
    """One attempt at one trial, as sent to a worker.

    Attributes
    ----------
    trial : str
        Trial id (see :func:`motifnet.search.grid.trial_id`).
    params : dict
        Hyperparameter overrides (JSON values).
    seed : int
        Seed of weights, shuffling and dropout of this trial.
    split_seed : int
        Seed of the train/val/test split and of the folds, the same for every trial.
    split : tuple of float
        Train and validation fractions.
    metric : str
        One of :data:`METRICS`.
    folds : int or None
        K-fold cross-validation on the train and validation records instead of the validation split.
    threads : int or None
        TensorFlow intra- and inter-op threads of the worker process (None: TensorFlow's choice).
    data : DataOptions
    """

    trial: str
    params: dict
    seed: int
    split_seed: int
    split: tuple
    metric: str
    folds: int | None
    threads: int | None
    data: DataOptions


@functools.lru_cache(maxsize=2)
def cached_dataset(options: DataOptions):
    """The data set of ``options``, read once per worker process."""
    from ..data.dataset import load_dataset

    return load_dataset(list(options.fasta), multi_label=options.multi_label,
                        class_names=list(options.class_names) if options.class_names else None,
                        alphabet=options.alphabet, structure=options.structure,
                        structure_pwm=options.structure_pwm, length=options.length)


def configure_threads(threads: int | None) -> None:
    """Limit TensorFlow's thread pools so that workers sharing a machine do not fight for cores.

    The pools can be sized only before TensorFlow first runs an operation in the process;
    later calls (the next trial on the same worker) keep what the first one chose.
    """
    from .._tf import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    if not threads or tf.config.threading.get_intra_op_parallelism_threads() == threads:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # already initialised by an earlier trial in this process


def make_folds(labels: np.ndarray, index: np.ndarray, folds: int, seed: int) -> list:
    """Split the records ``index`` into ``folds`` parts, stratified by class (label combination).

    Within each stratum the records are shuffled (seeded) and dealt out in turn, so fold sizes
    differ by at most one per stratum.

    Returns
    -------
    list of numpy.ndarray
        ``folds`` sorted arrays of record indices that together are ``index``.
    """
    rng = np.random.default_rng(seed)
    keys = np.packbits(labels[index].astype(bool), axis=1)
    _, strata = np.unique(keys, axis=0, return_inverse=True)
    assignment = np.empty(len(index), dtype=np.int64)
    offset = 0
    for stratum in np.unique(strata):
        members = rng.permutation(np.flatnonzero(strata == stratum))
        # Continue dealing where the previous stratum stopped, so small strata do not all start at fold 0.
        assignment[members] = (np.arange(len(members)) + offset) % folds
        offset += len(members)
    return [np.sort(index[assignment == fold]) for fold in range(folds)]


def split_groups(labels: np.ndarray, split: tuple, seed: int) -> dict:
    """Record indices of the train, val and test splits (as ``motifnet train`` makes them)."""
    from ..data.dataset import GROUPS, make_split

    groups = make_split(labels, split[0], split[1], seed)
    return {name: np.flatnonzero(groups == code) for code, name in enumerate(GROUPS)}


def describe_data(options: DataOptions, split: tuple, split_seed: int) -> dict:
    """Read the data on a worker (cached there for the trials) and describe what the search needs.

    A problem with the data is returned as ``{"error": MotifnetError}`` rather than raised, so that
    the worker does not log it as a crash; the search raises it.
    """
    try:
        dataset = cached_dataset(options)
    except MotifnetError as error:
        return {"error": error}
    index = split_groups(dataset.labels, split, split_seed)
    searched = np.concatenate([index["train"], index["val"]])
    return {
        "records": len(dataset),
        "length": int(dataset.encoder.length),
        "class_names": list(dataset.class_names),
        "alphabet": dataset.encoder.alphabet.name,
        "split": {name: int(len(value)) for name, value in index.items()},
        "searched_per_class": [int(v) for v in dataset.labels[searched].sum(axis=0)],
    }


@contextmanager
def keras_seeds_from(seed: int):
    """Let Keras draw the seeds of layers and initializers created without one from its own generator.

    Keras takes those seeds from Python's global ``random`` (which ``keras.utils.set_random_seed``
    seeds). In a Dask worker other threads (Tornado's periodic callbacks) draw from that generator
    too, at moments that vary from run to run, so the same trial would start from different weights.
    Here Keras' draws (``random.randint``) come from a generator seeded as ``set_random_seed`` seeds
    the global one, so the weights are those of ``motifnet train --seed`` in a quiet process. One
    trial runs at a time per process (see ``_ONE_TRIAL_AT_A_TIME``), so the swap is not shared.
    """
    saved = random.randint
    random.randint = random.Random(seed).randint
    try:
        yield
    finally:
        random.randint = saved


def _best_weights_callback():
    import keras

    class BestWeights(keras.callbacks.Callback):
        """Keeps the weights of the epoch with the lowest validation loss (as training does)."""

        def __init__(self):
            super().__init__()
            self.loss, self.epoch, self.weights, self.epochs_run = math.inf, 0, None, 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs_run = epoch + 1
            loss = (logs or {}).get("val_loss", math.inf)
            if loss < self.loss:
                self.loss, self.epoch, self.weights = loss, epoch + 1, self.model.get_weights()

    return BestWeights()


def _predict_eagerly(model, dataset, index, chunk: int = 2048):
    """Predictions for ``index`` by calling the model directly (no predict function to trace per trial)."""
    parts = [np.asarray(model(dataset.model_inputs(index[start:start + chunk]), training=False))
             for start in range(0, len(index), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, len(dataset.class_names)), dtype=np.float32)


def fit_and_score(dataset, params: dict, train_index, val_index, seed: int, metric: str) -> dict:
    """Train on ``train_index`` with early stopping on ``val_index`` and score the best epoch there.

    Returns
    -------
    dict
        ``score`` (None when undefined, e.g. a class missing from the validation records),
        ``epochs`` run and ``best_epoch``.
    """
    import keras

    from .._tf import seed_everything
    from ..data.pipeline import dataset_arrays, make_tf_dataset
    from ..model.adjacency import read_adjacencies
    from ..model.build import build_model
    from ..run.evaluation import compute_metrics

    keras.backend.clear_session()  # a worker runs many trials: free the previous graphs
    seed_everything(seed)
    with keras_seeds_from(seed):
        model = build_model(params, dataset.encoder.length, dataset.channels, len(dataset.class_names),
                            dataset.multi_label, 0, adjacency=read_adjacencies(params))
    batch_size = params["batch_size"]
    train_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, train_index),
                                 dataset.labels[train_index], batch_size, shuffle_seed=seed)
    val_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, val_index),
                               dataset.labels[val_index], batch_size)
    best = _best_weights_callback()
    callbacks = [
        best,
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=params["patience_lr"], verbose=0),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=params["patience_stopping"], verbose=0),
    ]
    model.fit(train_data, validation_data=val_data, epochs=params["epochs"], callbacks=callbacks, verbose=0)
    if best.weights is None:
        raise FloatingPointError("the validation loss was never finite (training diverged)")
    if metric == "val-loss":
        score = float(best.loss)
    else:
        model.set_weights(best.weights)
        probabilities = _predict_eagerly(model, dataset, val_index)
        metrics = compute_metrics(dataset.labels[val_index], probabilities, dataset.class_names,
                                  dataset.multi_label)
        score = metrics["roc_auc_mean" if metric == "roc-auc" else "pr_auc_mean"]
    return {"score": score, "epochs": best.epochs_run, "best_epoch": best.epoch}


def run_trial(task: TrialTask) -> dict:
    """Train and score one trial; never raises for a problem of the trial itself.

    Returns
    -------
    dict
        ``trial``, ``status`` (``ok`` or ``failed``), ``score``, ``epochs``, ``best_epoch`` (means
        over folds with ``folds``), ``fold_scores``, ``seconds``, ``error`` and ``retry`` (False for
        parameter errors, which fail the same way every time).
    """
    with _ONE_TRIAL_AT_A_TIME:
        return _run_trial(task)


def _run_trial(task: TrialTask) -> dict:
    from ..model.params import check_length, resolve

    started = time.perf_counter()
    result = {"trial": task.trial, "status": "failed", "score": None, "epochs": None, "best_epoch": None,
              "fold_scores": None, "error": "", "retry": True}
    try:
        configure_threads(task.threads)
        dataset = cached_dataset(task.data)
        params = resolve(task.params)
        check_length(params, dataset.encoder.length)
        index = split_groups(dataset.labels, task.split, task.split_seed)
        if task.folds:
            searched = np.concatenate([index["train"], index["val"]])
            parts = make_folds(dataset.labels, searched, task.folds, task.split_seed)
            runs = [fit_and_score(dataset, params, np.setdiff1d(searched, part), part, task.seed, task.metric)
                    for part in parts]
        else:
            runs = [fit_and_score(dataset, params, index["train"], index["val"], task.seed, task.metric)]
        scores = [run["score"] for run in runs]
        if any(score is None or not math.isfinite(score) for score in scores):
            raise ValueError(f"the {task.metric} score is undefined on the validation records "
                             "(a class without positive or negative records there); use a larger --split "
                             "validation fraction or fewer --folds")
        result.update(status="ok", score=float(np.mean(scores)),
                      epochs=float(np.mean([run["epochs"] for run in runs])),
                      best_epoch=float(np.mean([run["best_epoch"] for run in runs])),
                      fold_scores=scores if task.folds else None)
    except MotifnetError as error:
        result.update(error=str(error), retry=False)
    except Exception as error:  # noqa: BLE001 - a failed trial is recorded, the search goes on
        last = traceback.extract_tb(error.__traceback__)[-1:] or None
        where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        result.update(error=f"{type(error).__name__}: {error}{where}")
    result["seconds"] = time.perf_counter() - started
    return result


def retrain_best(data: DataOptions, config, threads: int | None) -> dict:
    """Train the chosen parameters with ``motifnet train``'s path into ``config.run_dir``.

    Returns the test metrics (see :func:`motifnet.run.training.train`).
    """
    from ..run.training import train

    with _ONE_TRIAL_AT_A_TIME, keras_seeds_from(config.seed):
        configure_threads(threads)
        return train(cached_dataset(data), config)
