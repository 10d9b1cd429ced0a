"""motifnet.run.fit: seeded building and the one fit loop of motifnet train and grid-search trials."""

import random
import threading

import numpy as np
import pytest
from helpers import two_classes

from motifnet.data.dataset import load_dataset
from motifnet.data.split import split_indices
from motifnet.model.params import resolve

PARAMS = {"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "neuron_num": 8, "epochs": 3, "batch_size": 16}


@pytest.fixture(scope="module")
def fasta(tmp_path_factory):
    """Two classes of 40 records of length 30; class 'up' carries TTGACA."""
    return [str(path) for path in two_classes(tmp_path_factory.mktemp("fit"))]


def same_weights(first, second) -> bool:
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))


def test_train_and_a_trial_with_the_same_seed_reach_the_same_weights(fasta, tmp_path, monkeypatch):
    from motifnet.run import fit, training
    from motifnet.run.rundir import open_run
    from motifnet.search._trial import fit_and_score

    fitted = []
    fit_model = fit.fit_model

    def recording_fit(model, *args, **kwargs):
        result = fit_model(model, *args, **kwargs)
        fitted.append((model.get_weights(), result))
        return result

    monkeypatch.setattr(fit, "fit_model", recording_fit)  # the trial imports it from motifnet.run.fit
    monkeypatch.setattr(training, "fit_model", recording_fit)
    training.train(load_dataset(fasta), training.TrainConfig(str(tmp_path / "run"), PARAMS, seed=7))
    dataset = load_dataset(fasta)
    index = split_indices(dataset.labels, (0.7, 0.15), 7)  # the split train made with seed 7
    score = fit_and_score(dataset, resolve(PARAMS), index["train"], index["val"], 7, "val-loss")

    (trained, trained_result), (trial, trial_result) = fitted
    assert same_weights(trained, trial)
    assert trained_result == trial_result and score["score"] == trial_result.best_loss
    run = open_run(tmp_path / "run")
    assert run.meta["training"]["best_epoch"] == trial_result.best_epoch == score["best_epoch"]
    assert run.meta["training"]["best_val_loss"] == pytest.approx(trial_result.best_loss, rel=1e-7)
    assert same_weights(run.model.get_weights(), trained)  # the saved model is the best epoch's


def test_the_best_epochs_weights_are_kept_and_each_epoch_is_reported(fasta):
    from motifnet.run.fit import build_seeded, fit_model

    dataset = load_dataset(fasta)
    # A high learning rate and dropout make the validation loss go up and down, so the best epoch is not the last.
    params = resolve({**PARAMS, "epochs": 8, "learning_rate": 0.05, "patience_lr": 8, "patience_stopping": 8,
                      "dropout_conv": 0.3})
    model = build_seeded(dataset, params, 3)
    epochs = []

    def on_epoch_end(model, epoch, logs, improved):
        epochs.append((epoch, logs["val_loss"], improved, model.get_weights()))

    result = fit_model(model, dataset, dataset.labels, np.arange(0, 80, 2), np.arange(1, 80, 2), params, 3,
                       on_epoch_end=on_epoch_end)
    losses = [loss for _, loss, _, _ in epochs]
    assert [epoch for epoch, *_ in epochs] == list(range(1, result.epochs_run + 1))
    assert [improved for _, _, improved, _ in epochs] == [loss < min(losses[:i], default=np.inf)
                                                          for i, loss in enumerate(losses)]
    best = int(np.argmin(losses))
    assert (result.best_epoch, result.best_loss) == (best + 1, losses[best])
    assert result.best_epoch < result.epochs_run, "the test needs a best epoch before the last"
    assert same_weights(model.get_weights(), epochs[best][3])


def test_a_moving_average_of_the_weights_is_validated_and_kept(fasta):
    import keras

    from motifnet.run.fit import build_seeded, fit_model

    dataset = load_dataset(fasta)
    momentum = 0.8
    params = resolve({**PARAMS, "epochs": 6, "learning_rate": 0.05, "patience_lr": 6, "patience_stopping": 6,
                      "dropout_conv": 0.3, "kernel_constraint": None, "ema_momentum": momentum})
    model = build_seeded(dataset, params, 3)
    assert model.optimizer.use_ema and model.optimizer.ema_momentum == momentum
    # The average computed here from the raw weights after each step (Keras starts it at the first step's).
    average, averages = None, []

    class Steps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            nonlocal average
            raw = [np.array(variable) for variable in self.model.trainable_variables]
            average = raw if average is None else [momentum * a + (1 - momentum) * w for a, w in zip(average, raw)]

        def on_epoch_end(self, epoch, logs=None):
            averages.append(average)

    epochs = []
    result = fit_model(model, dataset, dataset.labels, np.arange(0, 80, 2), np.arange(1, 80, 2), params, 3,
                       callbacks=[Steps()],
                       on_epoch_end=lambda model, epoch, logs, improved: epochs.append(logs["val_loss"]))
    best = result.best_epoch - 1
    assert result.best_loss == min(epochs) == epochs[best]
    for kept, expected in zip(model.trainable_variables, averages[best], strict=True):
        np.testing.assert_allclose(np.array(kept), expected, rtol=1e-5, atol=1e-6)
    # The kept (averaged) weights are the ones validated: they give the best epoch's validation loss.
    val = dataset.subset(np.arange(1, 80, 2))
    from motifnet.data.pipeline import dataset_arrays, make_tf_dataset

    loss = model.evaluate(make_tf_dataset(dataset.encoder, dataset_arrays(val, np.arange(len(val))), val.labels, 16),
                          verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(result.best_loss, rel=1e-5)


@pytest.mark.parametrize("decay", [0.0, 0.5])
@pytest.mark.parametrize("reloaded", [False, True])
@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # the optimiser saved before its first step
def test_weight_decay_shrinks_kernels_only(fasta, decay, reloaded, tmp_path):
    import keras

    from motifnet.model.layers import CUSTOM_OBJECTS
    from motifnet.run.fit import build_seeded

    rate = 0.01
    params = resolve({**PARAMS, "learning_rate": rate, "weight_decay": decay, "global_pool": "max",
                      "position_bins": 3, "batch_norm": True})
    model = build_seeded(load_dataset(fasta), params, 3)
    if reloaded:  # the exclusions are saved with the model: Keras' own were lost, and every variable decayed
        model.save(tmp_path / "model.keras")
        model = keras.saving.load_model(tmp_path / "model.keras", compile=True, safe_mode=True,
                                        custom_objects=CUSTOM_OBJECTS)
        assert (model.optimizer.weight_decay or 0.0) == pytest.approx(decay)
    variables = model.trainable_variables
    rng = np.random.default_rng(0)
    for variable in variables:  # biases start at 0, scales at 1: give every variable values that decay would move
        variable.assign(rng.uniform(0.1, 0.2, variable.shape).astype("float32"))
    before = {variable.path: np.array(variable) for variable in variables}
    # With zero gradients Adam moves nothing: what changes is the decay alone.
    model.optimizer.apply_gradients([(np.zeros(variable.shape, "float32"), variable) for variable in variables])
    names = {variable.name for variable in variables}
    assert {"kernel", "bias", "position_weights", "gamma", "beta"} <= names
    for variable in variables:
        factor = 1 - rate * decay if variable.name == "kernel" else 1
        np.testing.assert_allclose(np.array(variable), before[variable.path] * factor, rtol=1e-6,
                                   err_msg=variable.path)


def test_early_stopping_ends_the_fit_after_the_patience(fasta):
    from motifnet.run.fit import build_seeded, fit_model

    dataset = load_dataset(fasta)
    params = resolve({**PARAMS, "epochs": 30, "learning_rate": 0.05, "patience_lr": 30, "patience_stopping": 2})
    result = fit_model(build_seeded(dataset, params, 3), dataset, dataset.labels, np.arange(0, 80, 2),
                       np.arange(1, 80, 2), params, 3)
    assert result.epochs_run == result.best_epoch + 2 < 30


def test_initial_weights_do_not_depend_on_other_threads_drawing_random_numbers(fasta):
    """Keras draws layer seeds from Python's random, which Dask's threads use too (see keras_seeds_from)."""
    from motifnet.run.fit import build_seeded

    dataset = load_dataset(fasta)
    params = resolve(PARAMS)

    def initial_weights(seed, busy):
        stop = threading.Event()

        def draw():
            while not stop.is_set():
                random.random()

        other = threading.Thread(target=draw)
        if busy:
            other.start()
        try:
            return build_seeded(dataset, params, seed).get_weights()
        finally:
            stop.set()
            if busy:
                other.join()

    quiet, busy, other_seed = initial_weights(3, False), initial_weights(3, True), initial_weights(4, False)
    assert same_weights(quiet, busy)
    assert not same_weights(quiet, other_seed)


def test_a_signal_stops_the_fit_at_the_next_batch_without_ending_the_epoch(fasta):
    import signal

    import keras

    from motifnet._signals import StopRequested, stop_on_signals
    from motifnet.run.fit import build_seeded, fit_model

    dataset = load_dataset(fasta)
    params = resolve({**PARAMS, "epochs": 5})
    model = build_seeded(dataset, params, 3)
    epochs = []

    class SignalAfterFirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                signal.raise_signal(signal.SIGTERM)  # as a batch system's kill, in the middle of the first epoch

    with stop_on_signals(), pytest.raises(StopRequested):
        fit_model(model, dataset, dataset.labels, np.arange(0, 80, 2), np.arange(1, 80, 2), params, 3,
                  callbacks=[SignalAfterFirstBatch()], on_epoch_end=lambda *args: epochs.append(args))
    assert int(model.optimizer.iterations) == 1  # one batch of the 3 in an epoch, then stopped
    assert epochs == []  # the partial epoch is neither validated nor recorded


@pytest.mark.parametrize("logs, diverged", [
    ({"loss": 0.5, "val_loss": 0.7}, None),
    ({"loss": float("nan"), "val_loss": 0.7}, "loss nan"),
    ({"loss": 0.5, "val_loss": float("inf")}, "val_loss inf"),
    ({"loss": float("nan"), "val_loss": float("nan")}, "loss nan, val_loss nan"),
])
def test_a_non_finite_loss_ends_the_fit_as_diverged(logs, diverged):
    from motifnet.errors import TrainingDiverged
    from motifnet.run.fit import stop_at_divergence_callback

    callback = stop_at_divergence_callback()
    if diverged is None:
        callback.on_epoch_end(2, logs)
        return
    with pytest.raises(TrainingDiverged, match=f"training diverged at epoch 3 \\({diverged}\\); lower the learning"):
        callback.on_epoch_end(2, logs)
