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

The model is not changed; it is cut in two, and the first part runs once per batch of records.
Where only per-kernel layers (pooling, batch normalisation, dropout) lie between ``conv_1`` and
``global_pool``, as in the default network, the cut is after ``global_pool``: a silenced kernel's
pooled values are those of its constant output, computed once, so only the dense layers run again
per group. Otherwise the cut is after ``conv_1``, and the layers after it run on the activations
with the group's columns set to their means. Either gives what setting the weights to 0 and the
biases to the means (to their logarithms with ``conv_activation`` exponential) would give, at a
fraction of the cost. A network that reads both strands shares ``conv_1`` between them, so a group is
silenced on both, and the mean activation is taken over both strands (a motif found on one
strand only would otherwise be replaced by too large a constant on the other).
"""

from __future__ import annotations

import numpy as np

from .._progress import Progress
from .._signals import check_stop
from ..data.dataset import Dataset
from ..errors import ParamError
from .activations import motif_layer

#: At most this many records (evenly spaced over the data) are used.
MAX_RECORDS = 10_000
_EPSILON = 1e-7
REVERSE_LAYER = "reverse_complement"  # present in networks that read both strands (``strand`` both)
FEATURES = "features"  # the input of per-sequence features, where a network has one


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
    batches = [slice(start, min(start + batch_size, len(records))) for start in range(0, len(records), batch_size)]
    cut = _Cut(model, layer)
    total = np.zeros(layer.filters)
    positions = 0
    for rows in batches:
        check_stop()  # a signal stops between batches
        for activations in cut.activations(records.model_inputs(rows)["sequence"]):
            total += activations.sum(axis=(0, 1))
            positions += activations.shape[0] * activations.shape[1]
    cut.silence_with((total / positions).astype(np.float32))
    # predictions[0]: the intact model; predictions[1 + g]: with group g silenced.
    predictions = np.zeros((1 + len(groups), len(records), model.outputs[0].shape[-1]))
    progress = Progress("influence of kernel groups", total=len(records), unit="sequences")
    for rows in batches:
        check_stop()
        predictions[:, rows] = cut.predictions(records.model_inputs(rows), groups)
        progress.advance(rows.stop - rows.start)
    losses = np.array([model_loss(records, values) for values in predictions])
    return losses[1:] - losses[0]


class _Cut:
    """The model cut where silencing kernels is cheapest to apply (see the module description).

    The default network (one convolution, then only per-kernel layers up to its global pooling)
    is cut after ``global_pool``: a silenced kernel's pooled values there are those of its constant
    mean activation, computed once, and only the dense layers run again per group. Any other
    network is cut after ``conv_1``, and the layers after it run on the activations with the
    group's columns set to their means.
    """

    STACK_BYTES = 64 * 2 ** 20  # silenced copies of a batch joined into one call of the layers after the cut

    def __init__(self, model, layer):
        import keras

        names = [item.name for item in model.layers]
        # One node per call of a layer in the network (the strands share it); calls made later outside the
        # network (a sub-model built on new inputs) would come after these.
        calls = self._strands = 2 if REVERSE_LAYER in names else 1
        sequence = model.get_layer("sequence").output
        extra = [model.get_layer(FEATURES).output] if FEATURES in names else []
        convolved = [node.output_tensors[0] for node in layer._inbound_nodes[:calls]]
        self.filters = layer.filters
        self._activations = keras.Model(sequence, convolved)
        per_kernel = "global_pool" in names and "conv_2" not in names and not any(name.startswith("rnn_")
                                                                                for name in names)
        if per_kernel:
            pool = model.get_layer("global_pool")
            pooled = [node.output_tensors[0] for node in pool._inbound_nodes[:calls]]
            self._pooled_of = keras.Model(convolved, pooled)
            self._values = keras.Model(sequence, pooled)
            self._head = keras.Model(pooled + extra, model.outputs[0])
            # max+avg: each kernel's maximum, then (after all maxima) its mean
            self._parts = pooled[0].shape[-1] // layer.filters
        else:
            self._pooled_of = None
            self._values = self._activations
            self._head = keras.Model(convolved + extra, model.outputs[0])
        self._silent = None

    def activations(self, sequence) -> list:
        """``conv_1``'s activations, one array per strand."""
        return _arrays(self._activations.predict_on_batch(sequence))

    def silence_with(self, mean_activation: np.ndarray) -> None:
        """Set the kernels' constant output: their mean activation."""
        if self._pooled_of is None:
            self._silent = [mean_activation] * self._strands
            return
        length = self._activations.outputs[0].shape[1]
        constant = np.broadcast_to(mean_activation, (1, length, self.filters)).copy()
        self._silent = [values[0] for values in _arrays(self._pooled_of.predict_on_batch([constant] * self._strands))]

    def _columns(self, group: list) -> list:
        if self._pooled_of is None:
            return group
        return [kernel + part * self.filters for part in range(self._parts) for kernel in group]

    def predictions(self, inputs: dict, groups: list) -> np.ndarray:
        """The model's outputs for a batch, intact and with each group silenced: shape (1 + groups, batch, outputs)."""
        values = _arrays(self._values.predict_on_batch(inputs["sequence"]))
        features = [inputs["features"]] if "features" in inputs else []
        copy_bytes = sum(array.nbytes for array in values)
        per_call = max(1, self.STACK_BYTES // max(copy_bytes, 1))
        variants = [None] + groups  # None: the intact model
        outputs = []
        for start in range(0, len(variants), per_call):
            chunk = variants[start:start + per_call]
            stacked = []
            for strand, silent in zip(values, self._silent):
                copies = np.repeat(strand[None], len(chunk), axis=0)
                for copy, group in zip(copies, chunk):
                    if group is not None:
                        columns = self._columns(group)
                        copy[..., columns] = silent[columns]
                stacked.append(copies.reshape(-1, *strand.shape[1:]))
            extra = [np.concatenate([array] * len(chunk)) for array in features]
            result = np.asarray(self._head.predict_on_batch(stacked + extra), dtype=np.float64)
            outputs.append(result.reshape(len(chunk), len(values[0]), -1))
        return np.concatenate(outputs)


def _arrays(value) -> list:
    """A Keras model's output(s) as a list of numpy arrays."""
    return [np.asarray(item) for item in (value if isinstance(value, (list, tuple)) else [value])]
