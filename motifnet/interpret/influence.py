"""Influence of groups of first-layer kernels: how much worse the network fits when they are silenced.

A kernel group (e.g. the kernels of one distinct motif) is nullified by setting its kernels'
weights to 0 and their biases to their mean activation over the records' positions, so that
each of them outputs that constant everywhere: the network keeps the kernels' average input
but loses where and how strongly they fire (Basset's filter influence, Kelley et al. 2016,
applied to a group at once). The group's influence is the rise of the model's loss on the
records: categorical (single-label) or binary (multi-label) cross-entropy for a classifier,
and for a regression model the mean squared error divided by each target's variance on the
records, averaged over the targets. Silencing the whole group matters where a network has
learned one motif many times over: removing one copy changes little while its copies remain.

The kernels' weights are restored afterwards, also when an error or a signal stops the work.
A network that reads both strands shares ``conv_1`` between them, so a group is silenced on
both, and the mean activation is taken over both strands (a motif found on one strand only
would otherwise be replaced by too large a constant on the other).
"""

from __future__ import annotations

import numpy as np

from .._signals import check_stop
from ..data.dataset import Dataset
from ..errors import ParamError
from .activations import conv_batches, motif_layer

REVERSE_LAYER = "reverse_complement"  # present in networks that read both strands (``strand`` both)
#: At most this many records (evenly spaced over the data) are used; one forward pass per group.
MAX_RECORDS = 10_000
_EPSILON = 1e-7


def evenly_spaced(n: int, limit: int = MAX_RECORDS) -> np.ndarray:
    """Indices of at most ``limit`` of ``n`` records, evenly spaced (all of them when ``n <= limit``)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, limit)).astype(int))


def model_loss(dataset: Dataset, predictions: np.ndarray) -> float:
    """The loss of ``predictions`` on ``dataset``'s labels (see the module description).

    Parameters
    ----------
    dataset : Dataset
    predictions : numpy.ndarray, shape=(n, outputs)

    Returns
    -------
    float
    """
    predictions = np.asarray(predictions, dtype=np.float64)
    if dataset.task == "regression":
        targets = np.asarray(dataset.targets, dtype=np.float64)
        variance = targets.var(axis=0)
        variance[variance == 0] = 1.0
        return float((((predictions - targets) ** 2).mean(axis=0) / variance).mean())
    labels = np.asarray(dataset.labels, dtype=np.float64)
    probabilities = np.clip(predictions, _EPSILON, 1 - _EPSILON)
    if dataset.multi_label:
        terms = labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities)
        return float(-terms.mean())
    return float(-(labels * np.log(probabilities)).sum(axis=1).mean())


def group_influence(model, dataset: Dataset, kernel_groups, batch_size: int = 256,
                    max_records: int = MAX_RECORDS) -> np.ndarray:
    """Loss increase when each group of ``conv_1`` kernels is nullified (see the module description).

    Parameters
    ----------
    model : keras.Model
    dataset : Dataset
        Labelled records (classes or regression targets) the model can read.
    kernel_groups : list of list of int
        Kernel numbers of ``conv_1``, one list per group, e.g. ``[[3, 7], [0]]``.
    batch_size : int
        Records per forward pass. Default is 256.
    max_records : int
        Records used at most, evenly spaced over ``dataset``. Default is 10,000.

    Returns
    -------
    numpy.ndarray, shape=(len(kernel_groups),)
        The loss with the group nullified minus the loss of the intact model (near 0 or
        slightly negative for a group the network does not use).

    Raises
    ------
    ParamError
        An empty group, a kernel number the layer does not have, or ``max_records`` below 1.
    """
    from ..run.predict import predict_arrays

    layer = motif_layer(model)
    groups = [[int(kernel) for kernel in group] for group in kernel_groups]
    for group in groups:
        if not group or min(group) < 0 or max(group) >= layer.filters:
            raise ParamError(f"kernel groups must be non-empty lists of kernels 0 to {layer.filters - 1}, "
                             f"received: {group}")
    if max_records < 1:
        raise ParamError(f"max_records must be at least 1, received: {max_records}")
    if not groups:
        return np.zeros(0)
    records = dataset.subset(evenly_spaced(len(dataset), max_records))
    everything = np.arange(len(records))
    both_strands = REVERSE_LAYER in [item.name for item in model.layers]
    total = np.zeros(layer.filters)
    positions = 0
    for _, *strands in conv_batches(model, records, batch_size, both_strands=both_strands):
        for activations in strands:
            total += activations.sum(axis=(0, 1))
            positions += activations.shape[0] * activations.shape[1]
    mean_activation = total / positions
    weights, bias = (np.array(value) for value in layer.get_weights())
    baseline = model_loss(records, predict_arrays(model, records, everything, batch_size))
    influence = np.zeros(len(groups))
    try:
        for index, group in enumerate(groups):
            check_stop()  # a signal stops between groups; the weights are restored below
            silenced_weights, silenced_bias = weights.copy(), bias.copy()
            silenced_weights[..., group] = 0.0
            silenced_bias[group] = mean_activation[group]
            layer.set_weights([silenced_weights, silenced_bias])
            influence[index] = model_loss(records, predict_arrays(model, records, everything, batch_size)) - baseline
    finally:
        layer.set_weights([weights, bias])
    return influence
