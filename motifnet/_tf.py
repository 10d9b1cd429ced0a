"""Importing TensorFlow quietly, and seeding it for reproducible runs."""

from __future__ import annotations

import logging
import os
import warnings


def quiet_tensorflow(verbose: bool = False) -> None:
    """Hide TensorFlow's start-up messages unless ``verbose``; call before importing it."""
    if verbose:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    warnings.filterwarnings("ignore", module="keras")
    logging.getLogger("absl").setLevel(logging.ERROR)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    # TensorFlow's C++ start-up lines (absl) ignore TF_CPP_MIN_LOG_LEVEL; silence the file
    # descriptor itself while it loads. Import errors still propagate as exceptions.
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Make weights, shuffling and dropout depend only on ``seed``.

    With ``deterministic`` (a seed the user asked for) TensorFlow's ops are made deterministic
    too, so CPU runs are bit-identical; that costs speed, so a run without ``--seed`` skips it.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
