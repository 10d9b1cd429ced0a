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
    from ..model.params import resolve_strand

    # strand 'auto': both strands for DNA only (grid-search trials come here without train's resolution);
    # build_model decides kernel_len 'auto' from the alphabet's letters.
    params = resolve_strand(params, dataset.complement_channels, dataset.describe_input(), dataset.double_stranded)
    seed_everything(seed, deterministic=deterministic)
    n_features = dataset.features.shape[1] if dataset.features is not None else 0
    with keras_seeds_from(seed):
        return build_model(params, dataset.encoder.length, dataset.channels, len(dataset.output_names),
                           dataset.multi_label, n_features, adjacency=adjacency, task=dataset.task,
                           complement=dataset.complement_channels, letters=len(dataset.encoder.alphabet.letters))


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


@dataclass
class FitState:
    """Where a fit stands after an epoch: what resuming it needs besides the weights and optimizer.

    Attributes
    ----------
    epoch : int
        Epochs done.
    best_epoch, best_loss
        As in :class:`FitResult`.
    finished : bool
        Whether fitting ended with this epoch (the last epoch, or early stopping).
    schedule : dict
        The counters of the learning-rate schedule (``lr``) and of early stopping (``stopping``).
    """

    epoch: int
    best_epoch: int
    best_loss: float
    finished: bool
    schedule: dict

    def to_json(self) -> dict:
        def number(value):
            return value if value is None or math.isfinite(value) else None

        return {"epoch": self.epoch, "best_epoch": self.best_epoch, "best_loss": number(self.best_loss),
                "finished": self.finished,
                "schedule": {part: {name: number(value) if isinstance(value, float) else value
                                    for name, value in counters.items()}
                             for part, counters in self.schedule.items()}}

    @classmethod
    def from_json(cls, obj: dict) -> FitState:
        best_loss = obj["best_loss"]
        return cls(int(obj["epoch"]), int(obj["best_epoch"]), math.inf if best_loss is None else float(best_loss),
                   bool(obj["finished"]), {part: dict(counters) for part, counters in obj["schedule"].items()})


# The attributes of Keras' ReduceLROnPlateau and EarlyStopping that carry over from epoch to epoch.
_SCHEDULE_COUNTERS = {"lr": ("wait", "best", "cooldown_counter"),
                      "stopping": ("wait", "best", "best_epoch", "stopped_epoch")}


@dataclass
class Resume:
    """What :func:`fit_model` needs to continue a fit besides the model's weights and optimizer state.

    Attributes
    ----------
    state : FitState
        As the checkpoint of the last epoch done recorded it.
    best_weights : list of numpy.ndarray or None
        The best epoch's weights (``model.get_weights()`` order).
    """

    state: FitState
    best_weights: list | None


def _best_epoch_callback():
    import keras

    class BestEpoch(keras.callbacks.Callback):
        """Keeps the weights of the epoch with the lowest validation loss."""

        def __init__(self):
            super().__init__()
            self.result = FitResult(0, 0, math.inf)
            self.weights = None
            self.improved = False

        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss", math.inf)
            self.improved = loss < self.result.best_loss
            self.result.epochs_run = epoch + 1
            if self.improved:
                self.result.best_loss, self.result.best_epoch = loss, epoch + 1
                self.weights = self.model.get_weights()

    return BestEpoch()


def _epoch_end_callback(best, schedule: dict, epochs: int, on_epoch_end, checkpoint, resume):
    """The last callback of every epoch: ``on_epoch_end``, then the checkpoint, then the divergence check.

    It runs after the learning-rate schedule and early stopping, so the checkpoint holds their
    counters for the next epoch; ``on_epoch_end`` gets the learning rate the epoch used. At the
    start of a resumed fit it sets the schedule's counters (after their own ``on_train_begin``
    reset them).
    """
    import keras

    divergence = stop_at_divergence_callback()

    class EpochEnd(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            if resume is not None:
                for part, callback in schedule.items():
                    for name, value in resume.schedule[part].items():
                        setattr(callback, name, value)

        def on_epoch_begin(self, epoch, logs=None):
            self.learning_rate = float(np.asarray(self.model.optimizer.learning_rate))

        def on_epoch_end(self, epoch, logs=None):
            logs = {**(logs or {}), "learning_rate": self.learning_rate}
            if on_epoch_end is not None:
                on_epoch_end(self.model, epoch + 1, logs, best.improved)
            finite = all(math.isfinite(logs.get(name, 0.0)) for name in ("loss", "val_loss"))
            if checkpoint is not None and finite:  # a diverged epoch is not one to resume from
                state = FitState(epoch + 1, best.result.best_epoch, best.result.best_loss,
                                 bool(self.model.stop_training) or epoch + 1 >= epochs,
                                 {part: {name: _plain(getattr(callback, name)) for name in _SCHEDULE_COUNTERS[part]}
                                  for part, callback in schedule.items()})
                checkpoint(self.model, state, best.weights)
            divergence.on_epoch_end(epoch, logs)

    return EpochEnd()


def _weight_average_callbacks(model, resumed: bool) -> list:
    """What validates and keeps the moving average of the weights, when the optimizer keeps one.

    Keras' ``SwapEMAWeights`` puts the averaged weights into the model for validation and at each
    epoch's end (so the best epoch's weights and the checkpoint are the averaged ones; the optimizer
    then holds the raw ones), and swaps them back when the next epoch starts. A checkpoint is saved
    in that swapped state, so a resumed fit starts from it.
    """
    import keras

    if not getattr(model.optimizer, "use_ema", False):
        return []
    swap = keras.callbacks.SwapEMAWeights(swap_on_epoch=True)
    swap._ema_weights_in_model = resumed
    return [swap]


def _plain(value):
    """A counter of a Keras callback as a plain Python number (they may hold NumPy scalars), or None."""
    if value is None:
        return None
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def stop_at_signal_callback():
    """A Keras callback that stops fitting (or predicting) at the next batch boundary once a signal asked to stop.

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

        def on_predict_batch_begin(self, batch, logs=None):
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
              seed: int, callbacks=(), on_epoch_end=None, checkpoint=None, resume: Resume | None = None) -> FitResult:
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
        Compiled (see :func:`build_seeded`); when resuming, with the weights and optimizer state
        of the last epoch done (see :mod:`motifnet.run._checkpoint`).
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
        Called as ``on_epoch_end(model, epoch, logs, improved)`` after each epoch (1-based ``epoch``;
        ``logs`` with the ``learning_rate`` the epoch used); ``improved`` tells whether it has the
        lowest validation loss so far. Default is None.
    checkpoint : callable or None
        Called as ``checkpoint(model, state, best_weights)`` after each epoch with finite losses,
        after ``on_epoch_end``: ``state`` is a :class:`FitState`, ``best_weights`` the best
        epoch's weights (``model.get_weights()`` order) or None. Default is None.
    resume : Resume or None
        Continue a fit that stopped after ``resume.state.epoch`` epochs: the epochs after it run
        as they would have without the stop (the same record order, schedule and best so far).
        Default is None: start at epoch 1.

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
    best = _best_epoch_callback()
    first_epoch = 0
    if resume is not None:
        state = resume.state
        best.result = FitResult(state.epoch, state.best_epoch, state.best_loss)
        best.weights = resume.best_weights
        if state.finished:
            if best.weights is not None:
                model.set_weights(best.weights)
            return best.result
        first_epoch = state.epoch
    # One pipeline holds every epoch left, each in an order that depends only on the seed and the
    # epoch, so a resumed fit sees the orders an uninterrupted one would have seen.
    train_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, train_index), targets[train_index],
                                 batch_size, shuffle_seed=seed, epochs=params["epochs"], first_epoch=first_epoch)
    val_data = make_tf_dataset(dataset.encoder, dataset_arrays(dataset, val_index), targets[val_index], batch_size)
    schedule = {
        "lr": keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=params["patience_lr"],
                                                verbose=0),
        "stopping": keras.callbacks.EarlyStopping(monitor="val_loss", patience=params["patience_stopping"],
                                                  verbose=0),
    }
    epoch_end = _epoch_end_callback(best, schedule, params["epochs"], on_epoch_end, checkpoint,
                                    resume.state if resume is not None else None)
    # shuffle=False: the pipeline shuffles the training records (seeded); Keras could not shuffle it anyway.
    model.fit(train_data, validation_data=val_data, epochs=params["epochs"], initial_epoch=first_epoch,
              steps_per_epoch=-(-len(train_index) // batch_size),
              callbacks=[stop_at_signal_callback(), *callbacks, *_weight_average_callbacks(model, resume is not None),
                         best, *schedule.values(), epoch_end],
              shuffle=False, verbose=0)
    if best.weights is not None:
        model.set_weights(best.weights)
    return best.result
