"""Input pipelines: compact codes in, float model input made batch by batch (tf.data)."""

from __future__ import annotations

import numpy as np

from .encoding import Encoder


def make_to_input(encoder: Encoder):
    """Return a TensorFlow function turning a batch of codes (+ structure, tracks) into model input."""
    import tensorflow as tf

    table = tf.constant(encoder.code_table)
    channels = encoder.channels

    def to_input(codes, structure=None, tracks=None):
        x = tf.gather(table, tf.cast(codes, tf.int32))
        if structure is not None:
            x = x[..., :, None] * structure[..., None, :]
            x = tf.reshape(x, tf.concat([tf.shape(codes), [channels]], axis=0))
        if tracks is not None:
            x = tf.concat([x, tracks], axis=-1)
        return x

    return to_input


def make_tf_dataset(encoder: Encoder, arrays: dict, labels: np.ndarray | None, batch_size: int,
                    shuffle_seed: int | None = None, epochs: int = 1, first_epoch: int = 0):
    """A batched tf.data pipeline over in-memory compact arrays.

    Parameters
    ----------
    encoder : Encoder
    arrays : dict
        ``codes`` (n, length) and, when used, ``structure``, ``tracks``, ``features``.
    labels : numpy.ndarray or None, shape=(n, classes)
    batch_size : int
    shuffle_seed : int or None
        Shuffle the record order anew every epoch, reproducibly from this seed; None keeps order.
    epochs, first_epoch : int
        With ``shuffle_seed``: the pipeline holds the epochs ``first_epoch`` to ``epochs - 1``
        (0-based) one after the other, so that one iterator serves a whole fit (see
        :func:`index_batches`). Default is one epoch, the first.

    Returns
    -------
    tf.data.Dataset
        Yields ``({'sequence': ..., ['features': ...]}, labels)`` or just the input dict.
    """
    import tensorflow as tf

    to_input = make_to_input(encoder)
    n = len(arrays["codes"])
    tensors = {name: tf.constant(value) for name, value in arrays.items() if value is not None}
    if labels is not None:
        tensors["labels"] = tf.constant(labels.astype(np.float32))
    index = index_batches(n, batch_size, shuffle_seed, epochs, first_epoch)

    def gather(batch_index):
        picked = {name: tf.gather(value, batch_index) for name, value in tensors.items()}
        inputs = {"sequence": to_input(picked["codes"], picked.get("structure"), picked.get("tracks"))}
        if "features" in picked:
            inputs["features"] = picked["features"]
        return (inputs, picked["labels"]) if labels is not None else inputs

    return index.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(tf.data.AUTOTUNE)


def index_batches(n: int, batch_size: int, shuffle_seed: int | None = None, epochs: int = 1, first_epoch: int = 0):
    """Batches of record indices: in order, or shuffled per epoch reproducibly from ``shuffle_seed``.

    Each epoch's order depends only on the seed and the epoch's number, not on how often the
    pipeline was iterated before, so that a resumed training sees the orders an uninterrupted
    one would have seen.

    Parameters
    ----------
    n, batch_size : int
    shuffle_seed : int or None
        None: one epoch of the records in order.
    epochs, first_epoch : int
        With ``shuffle_seed``: the epochs ``first_epoch`` to ``epochs - 1`` (0-based) follow one
        another. Default is one epoch, the first.

    Returns
    -------
    tf.data.Dataset
        Yields int64 vectors of ``batch_size`` indices (each epoch's last one shorter when
        ``batch_size`` does not divide ``n``); its number of batches is known, as Keras needs.
    """
    import tensorflow as tf

    if shuffle_seed is None:  # whole batches at once, not index by index
        starts = tf.data.Dataset.range(0, n, batch_size)
        return starts.map(lambda start: tf.range(start, tf.minimum(start + batch_size, n)))

    def epoch_batches(epoch):
        order = tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64),
                                                         seed=tf.stack([tf.constant(shuffle_seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    batches = -(-n // batch_size) * max(0, epochs - first_epoch)
    return (tf.data.Dataset.range(first_epoch, epochs).flat_map(epoch_batches)
            .apply(tf.data.experimental.assert_cardinality(batches)))


def dataset_arrays(dataset, index=None) -> dict:
    """The compact arrays of a :class:`motifnet.data.dataset.Dataset` (optionally a subset)."""
    pick = (lambda a: a) if index is None else (lambda a: None if a is None else a[index])
    return {"codes": pick(dataset.codes), "structure": pick(dataset.structure),
            "tracks": pick(dataset.tracks), "features": pick(dataset.features)}
