"""The one fit loop of ``motifnet train`` and of grid-search trials.

:func:`build_seeded` builds (and compiles) the network of a data set from a seed;
:func:`fit_model` fits it with the learning-rate schedule and early stopping on the validation
loss, and leaves the weights of the epoch with the lowest validation loss in the model.
What only training needs (the run folder, progress lines) comes in through ``callbacks`` and
``on_epoch_end``.
"""

from __future__ import annotations

import math
import random
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


@contextmanager
def keras_seeds_from(seed: int):
    """Let Keras draw the seeds of layers and initializers created without one from its own generator.

    Keras takes those seeds from Python's global ``random`` (which ``keras.utils.set_random_seed``
    seeds). In a Dask worker other threads (Tornado's periodic callbacks) draw from that generator
    too, at moments that vary from run to run, so the same seed would start from different weights.
    Here Keras' draws (``random.randint``) come from a generator seeded as ``set_random_seed`` seeds
    the global one, so the weights are those of a quiet process. Callers that may run in threads
    of one process hold a lock around it (see :mod:`motifnet.search._trial`): the swap is global.
    """
    saved = random.randint
    random.randint = random.Random(seed).randint
    try:
        yield
    finally:
        random.randint = saved


def build_seeded(dataset, params: dict, seed: int, adjacency: dict | None = None, deterministic: bool = True):
    """The compiled network for ``dataset``, with initial weights that depend only on ``seed``.

    Parameters
    ----------
    dataset : Dataset
        Gives the length, channels, outputs, labels kind, feature width and task.
    params : dict
        Resolved hyperparameters.
    seed : int
        Seeds weights, dropout and TensorFlow's random operations.
    adjacency : dict or None
        Sparse layers' matrices (see :func:`motifnet.model.build.build_model`).
    deterministic : bool
        Make TensorFlow's operations deterministic (slower; for seeds the user asked for).
        Default is True.

    Returns
    -------
    keras.Model
    """
    from .._tf import seed_everything
    from ..model.build import build_model

    seed_everything(seed, deterministic=deterministic)
    n_features = dataset.features.shape[1] if dataset.features is not None else 0
    with keras_seeds_from(seed):
        return build_model(params, dataset.encoder.length, dataset.channels, len(dataset.output_names),
                           dataset.multi_label, n_features, adjacency=adjacency, task=dataset.task)


@dataclass
class FitResult:
    """How a fit went.

    Attributes
    ----------
    epochs_run : int
    best_epoch : int
        1-based epoch with the lowest validation loss; 0 when no epoch had a finite one.
    best_loss : float
        Its validation loss (``inf`` when ``best_epoch`` is 0).
    """

    epochs_run: int
    best_epoch: int
    best_loss: float


def _best_epoch_callback(on_epoch_end):
    import keras

    class BestEpoch(keras.callbacks.Callback):
        """Keeps the weights of the epoch with the lowest validation loss and tells ``on_epoch_end``."""

        def __init__(self):
            super().__init__()
            self.result = FitResult(0, 0, math.inf)
            self.weights = None

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(logs or {})
            loss = logs.get("val_loss", math.inf)
            improved = loss < self.result.best_loss
            self.result.epochs_run = epoch + 1
            if improved:
                self.result.best_loss, self.result.best_epoch = loss, epoch + 1
                self.weights = self.model.get_weights()
            if on_epoch_end is not None:
                on_epoch_end(self.model, epoch + 1, logs, improved)

    return BestEpoch()


def stop_at_signal_callback():
    """A Keras callback that stops fitting at the next batch boundary once a signal asked to stop.

    It raises :class:`motifnet._signals.StopRequested` before the next training or validation
    batch, rather than setting ``model.stop_training``: Keras would then still validate and end
    the partial epoch as if it were whole. The epoch in progress is dropped; those before it are
    as ``on_epoch_end`` left them. Only batch *begin* hooks are used, which cost nothing: a batch
    *end* hook would make Keras wait for each batch's logs.
    """
    import keras

    from .._signals import check_stop

    class StopAtSignal(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            check_stop()

        def on_test_batch_begin(self, batch, logs=None):
            check_stop()

    return StopAtSignal()


def stop_at_divergence_callback():
    """A Keras callback that ends fitting with :class:`motifnet.errors.TrainingDiverged` after an epoch
    whose training or validation loss is not finite.

    The check runs at epoch end, after the best-epoch callback (which never counts a NaN epoch as an
    improvement), so the best model so far stays as saved; an epoch-end hook costs nothing, where
    a batch-end one (``keras.callbacks.TerminateOnNaN``) makes Keras wait for every batch's logs.
    """
    import keras

    from ..errors import TrainingDiverged

    class StopAtDivergence(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            losses = {name: (logs or {}).get(name) for name in ("loss", "val_loss")}
            bad = {name: value for name, value in losses.items() if value is not None and not math.isfinite(value)}
            if bad:
                found = ", ".join(f"{name} {value}" for name, value in bad.items())
                raise TrainingDiverged(f"training diverged at epoch {epoch + 1} ({found}); lower the learning rate "
                                       "(--param learning_rate) or constrain the weights (--param kernel_constraint)")

    return StopAtDivergence()


def fit_model(model, dataset, targets: np.ndarray, train_index: np.ndarray, val_index: np.ndarray, params: dict,
              seed: int, callbacks=(), on_epoch_end=None) -> FitResult:
    """Fit ``model`` on ``train_index`` with early stopping on ``val_index``; keep the best epoch's weights.

    The learning rate halves after ``patience_lr`` epochs without a lower validation loss, and
    training stops after ``patience_stopping``; then the weights of the epoch with the lowest
    validation loss are set in the model (unless no epoch had a finite one). An exception raised
    while fitting (an interrupt) propagates and leaves the model at the last epoch's weights; a
    signal caught by :func:`motifnet._signals.stop_on_signals` stops it at the next batch
    boundary with :class:`motifnet._signals.StopRequested` (see :func:`stop_at_signal_callback`).

    Parameters
    ----------
    model : keras.Model
        Compiled (see :func:`build_seeded`).
    dataset : Dataset
        Inputs of the records.
    targets : numpy.ndarray, shape=(n, outputs)
        What the model learns for every record of ``dataset`` (labels, or standardised targets).
    train_index, val_index : numpy.ndarray of int
        Records to fit on and to stop on.
    params : dict
        Resolved hyperparameters: ``batch_size``, ``epochs``, ``patience_lr``, ``patience_stopping``.
    seed : int
        Seed of the training records' order, new every epoch.
    callbacks : sequence of keras.callbacks.Callback
        Run first in every epoch (e.g. progress lines). Default is none.
    on_epoch_end : callable or None
        Called as ``on_epoch_end(model, epoch, logs, improved)`` after each epoch (1-based ``epoch``),
        before the learning rate changes; ``improved`` tells whether it has the lowest validation
        loss so far. Default is None.

    Returns
    -------
    FitResult

    Raises
    ------
    TrainingDiverged
        An epoch ended with a non-finite loss (see :func:`stop_at_divergence_callback`); the model
        is left at that epoch's weights.
    """
    import keras

    from ..data.pipeline import dataset_arrays, make_tf_dataset

    batch_size = params["batch_size"]
    train_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, train_index), targets[train_index],
                                 batch_size, shuffle_seed=seed)
    val_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, val_index), targets[val_index], batch_size)
    best = _best_epoch_callback(on_epoch_end)
    # The best-epoch callback (and its on_epoch_end) runs before ReduceLROnPlateau changes the learning rate,
    # so history.tsv records the rate the epoch used.
    schedule = [
        best,
        stop_at_divergence_callback(),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=params["patience_lr"], verbose=0),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=params["patience_stopping"], verbose=0),
    ]
    # shuffle=False: the pipeline shuffles the training records (seeded); Keras could not shuffle it anyway.
    model.fit(train_data, validation_data=val_data, epochs=params["epochs"],
              callbacks=[stop_at_signal_callback(), *callbacks, *schedule], shuffle=False, verbose=0)
    if best.weights is not None:
        model.set_weights(best.weights)
    return best.result
