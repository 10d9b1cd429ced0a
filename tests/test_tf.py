"""motifnet._tf: TensorFlow imported quietly, and seeds that fix weights and random draws."""

import os

import numpy as np

from motifnet._tf import quiet_tensorflow, seed_everything


def draws(seed):
    import keras

    seed_everything(seed)
    layer = keras.layers.Dense(3, kernel_initializer="glorot_uniform")
    layer.build((None, 5))
    return layer.get_weights()[0], np.asarray(keras.random.uniform((4,))), np.random.random(2)


def test_the_same_seed_gives_the_same_weights_and_draws_another_seed_does_not():
    first, second, other = draws(7), draws(7), draws(8)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(first, other):
        assert not np.array_equal(a, b)


def test_quiet_sets_the_log_level_unless_the_user_did(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    quiet_tensorflow(verbose=True)  # verbose: TensorFlow's own log stays as configured
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and os.environ["KERAS_BACKEND"] == "tensorflow"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"


def test_standard_error_is_given_back_after_the_import(capfd):
    before = os.fstat(2)
    quiet_tensorflow()
    after = os.fstat(2)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
    os.write(2, b"still visible\n")
    assert capfd.readouterr().err == "still visible\n"
