"""What a grid-search worker runs: read the data once per process, train one trial, score it.

Everything here runs inside Dask worker processes; the functions take and return plain,
picklable values so that the same code serves a local cluster, a remote scheduler and
SLURM/PBS jobs.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np

from ..data.options import DataOptions
from ..data.split import make_folds, split_indices
from ..errors import InputError, MotifnetError

log = logging.getLogger("motifnet")

METRICS = ("roc-auc", "pr-auc", "val-loss")
# Keras' seeds and session are per process: two trials in threads of one worker (a worker with
# several threads, or a cancelled trial still finishing) would disturb each other's results.
_ONE_TRIAL_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class TrialTask:
    """One attempt at one trial, as sent to a worker.

    Attributes
    ----------
    trial : str
        Trial id (see :func:`motifnet.search._space.trial_id`).
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
        How the FASTA files (absolute paths) are read.
    sha256 : tuple of str
        SHA-256 of each FASTA file when the search began (see :func:`cached_dataset`).
    preset : str
        The hyperparameters ``params`` override. Default is 'pysster'.
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
    sha256: tuple
    preset: str = "pysster"


@functools.lru_cache(maxsize=2)
def cached_dataset(data: DataOptions, sha256: tuple):
    """The data set of ``data``, read once per worker process.

    ``sha256`` (the files' checksums) is part of the cache key, so that a worker never reuses a
    data set read before a file changed.
    """
    from ..data.dataset import load_dataset

    return load_dataset(data)


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


def describe_data(data: DataOptions, sha256: tuple, split: tuple, split_seed: int, preset: str | None = None) -> dict:
    """Read the data on a worker (cached there for the trials) and describe what the search needs.

    With ``preset`` 'auto', also preset auto's pick by the input, as ``motifnet train`` makes it on the
    training records of the same split (:func:`motifnet.run.presets.pick_by_input`), under ``preset_pick``.

    A problem with the data is returned as ``{"error": MotifnetError}`` rather than raised, so that
    the worker does not log it as a crash; the search raises it.
    """
    from ..data.dataset import check_class_sizes
    from ..model.params import AUTO_PRESET, resolve_strand
    from ..run.presets import pick_by_input

    try:
        dataset = cached_dataset(data, sha256)
        check_class_sizes(dataset)
        index = split_indices(dataset.labels, split, split_seed)
        pick = {"preset_pick": pick_by_input(dataset, index["train"])} if preset == AUTO_PRESET else {}
    except MotifnetError as error:
        return {"error": error}
    searched = np.concatenate([index["train"], index["val"]])
    strand_auto = resolve_strand({"strand": "auto"}, dataset.complement_channels, dataset.describe_input(),
                                 dataset.double_stranded)["strand"]
    return {
        **pick,
        "strand_auto": strand_auto,
        "records": len(dataset),
        "length": int(dataset.encoder.length),
        "class_names": list(dataset.class_names),
        "alphabet": dataset.encoder.alphabet.name,
        "letters": len(dataset.encoder.alphabet.letters),
        "split": {name: int(len(value)) for name, value in index.items()},
        "searched_per_class": [int(v) for v in dataset.labels[searched].sum(axis=0)],
    }


def fit_and_score(dataset, params: dict, train_index, val_index, seed: int, metric: str) -> dict:
    """Train on ``train_index`` with early stopping on ``val_index`` and score the best epoch there.

    The network is built and fitted as ``motifnet train`` does (:mod:`motifnet.run.fit`), so a
    trial and a training with the same seed and records reach the same weights.

    Returns
    -------
    dict
        ``score`` (None when undefined, e.g. a class missing from the validation records),
        ``epochs`` run and ``best_epoch``.

    Raises
    ------
    FloatingPointError
        No epoch had a finite validation loss.
    """
    import keras

    from ..model.adjacency import read_adjacencies
    from ..run.fit import build_seeded, fit_model

    keras.backend.clear_session()  # a worker runs many trials: free the previous graphs
    model = build_seeded(dataset, params, seed, read_adjacencies(params))
    fitted = fit_model(model, dataset, dataset.labels, train_index, val_index, params, seed)
    if fitted.best_epoch == 0:
        raise FloatingPointError("the validation loss was never finite (training diverged)")
    if metric == "val-loss":
        score = float(fitted.best_loss)
    else:
        score = _predicted_score(model, dataset, val_index, params["batch_size"], metric)
    return {"score": score, "epochs": fitted.epochs_run, "best_epoch": fitted.best_epoch}


def _predicted_score(model, dataset, index, batch_size: int, metric: str):
    """``roc-auc`` or ``pr-auc`` (the mean over classes) of the model's predictions of the records at ``index``."""
    from ..run.evaluation import compute_metrics
    from ..run.predict import predict_arrays

    probabilities = predict_arrays(model, dataset, index, batch_size)
    metrics = compute_metrics(dataset.labels[index], probabilities, dataset.class_names, dataset.multi_label)
    return metrics["roc_auc_mean" if metric == "roc-auc" else "pr_auc_mean"]


def _count(values: list):
    """One training's epoch count as the integer it is; the mean over folds (``--folds``) as a number."""
    return int(values[0]) if len(values) == 1 else float(np.mean(values))


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
    from ..model.params import network_params

    started = time.perf_counter()
    result = {"trial": task.trial, "status": "failed", "score": None, "epochs": None, "best_epoch": None,
              "fold_scores": None, "error": "", "retry": True}
    try:
        configure_threads(task.threads)
        dataset = cached_dataset(task.data, task.sha256)
        params = network_params(task.params, task.preset, len(dataset.encoder.alphabet.letters),
                                dataset.encoder.length)
        index = split_indices(dataset.labels, task.split, task.split_seed)
        if task.folds:
            searched = np.concatenate([index["train"], index["val"]])
            parts = make_folds(dataset.labels, searched, task.folds, task.split_seed)
            runs = [fit_and_score(dataset, params, np.setdiff1d(searched, part), part, task.seed, task.metric)
                    for part in parts]
        else:
            runs = [fit_and_score(dataset, params, index["train"], index["val"], task.seed, task.metric)]
        scores = [run["score"] for run in runs]
        if any(score is None or not math.isfinite(score) for score in scores):
            # the same every time (the split is seeded): not a failure a second attempt or a continued search cures
            raise InputError(f"the {task.metric} score is undefined on the validation records "
                             "(a class without positive or negative records there); use a larger --split "
                             "validation fraction or fewer --folds")
        result.update(status="ok", score=float(np.mean(scores)), epochs=_count([run["epochs"] for run in runs]),
                      best_epoch=_count([run["best_epoch"] for run in runs]),
                      fold_scores=scores if task.folds else None)
    except MotifnetError as error:
        result.update(error=str(error), retry=False)
    except Exception as error:  # noqa: BLE001 - a failed trial is recorded, the search goes on
        last = traceback.extract_tb(error.__traceback__)[-1:] or None
        where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        result.update(error=f"{type(error).__name__}: {error}{where}")
    result["seconds"] = time.perf_counter() - started
    return result


def retrain_best(data: DataOptions, sha256: tuple, config, threads: int | None, stop_event: str | None = None,
                 metric: str | None = None):
    """Train the chosen parameters with ``motifnet train``'s path into ``config.run_dir``.

    Parameters
    ----------
    stop_event : str or None
        The name of a ``distributed.Event``: once the client sets it (the user's signal reached
        the search, not this worker), training stops at its next batch as after a signal,
        keeping what is done. Default is None.
    metric : str or None
        The search's score (:data:`METRICS`): the new run is scored with it on its validation records, as
        the trials were, under ``search_score``. Default is None: not scored.

    Returns
    -------
    dict or None
        The test metrics (see :func:`motifnet.run.training.train`), with ``search_score``; None when stopped.
    """
    from contextlib import nullcontext

    from .._signals import stop_when
    from ..run.training import train

    with _ONE_TRIAL_AT_A_TIME:
        configure_threads(threads)
        watch = nullcontext()
        if stop_event is not None:
            from distributed import Event, get_client

            try:
                # The client named explicitly: the watching thread is not the task's, where Dask finds it itself.
                watch = stop_when(Event(stop_event, client=get_client()).is_set)
            except Exception as error:  # noqa: BLE001 - retrain without the stop rather than not at all
                log.warning("the search cannot stop this retraining early (%s)", error)
        try:
            with watch:
                metrics = train(cached_dataset(data, sha256), config)
        except KeyboardInterrupt:
            return None
        if metrics is not None and metric is not None:
            try:
                metrics = {**metrics, "search_score": run_score(config.run_dir, metric)}
            except Exception as error:  # noqa: BLE001 - best/ is complete: a score it lacks fails nothing
                log.warning("%s: could not score the retrained run on its validation records (%s)", config.run_dir,
                            error)
        return metrics


def run_score(run_dir, metric: str) -> float | None:
    """The search's ``metric`` of a run folder's best model on its validation split, computed as a trial's is
    (:func:`fit_and_score`): the best epoch's validation loss, or the mean ROC-AUC or PR-AUC of its
    predictions there; None where undefined (a class without positive or negative records there)."""
    from ..run.rundir import open_run
    from ..run.selection import select_data

    run = open_run(run_dir)
    if metric == "val-loss":
        return run.meta["training"].get("best_val_loss")
    dataset = select_data(run, "val")
    score = _predicted_score(run.model, dataset, np.arange(len(dataset)), run.meta["params"]["batch_size"], metric)
    return None if score is None or not math.isfinite(score) else float(score)
