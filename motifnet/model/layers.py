"""Custom Keras layers of motifnet: the sparsely connected layer of visible neural networks, and the
reverse complement of one-hot input for networks that read both strands.

:class:`SparselyConnected` is a dense layer in which unit ``j`` sees input ``i`` only where a
fixed binary adjacency matrix ``A`` (inputs x units) holds 1: its output is
``activation(x @ (A * W) + b)``. Prior knowledge (kernels that form a motif family, features
of one pathway) decides ``A``, so the weights of each unit can be read as the weights of one
named group. Models that use it load with ``custom_objects=CUSTOM_OBJECTS`` (safe mode on).
"""

from __future__ import annotations

import logging

import keras
import numpy as np
from keras import ops

from .adjacency import FEATURES_LAYER, adjacency_problem, check_layer_input
from .epistasis import EpistaticNet
from .metrics import ClassMeanAUC
from .optimizer import SelectiveDecayAdam

log = logging.getLogger("motifnet")


class _MaskedConstraint(keras.constraints.Constraint):
    """The user's constraint (if any), then zero every weight where the adjacency is 0.

    Applied by the optimizer after each update, so the stored kernel itself stays exactly 0
    outside the adjacency (and a max-norm constraint sees only live weights).
    """

    def __init__(self, inner, mask: np.ndarray):
        self.inner = inner
        self.mask = mask

    def __call__(self, w):
        if self.inner is not None:
            w = self.inner(w)
        return ops.multiply(w, ops.cast(self.mask, w.dtype))


@keras.saving.register_keras_serializable(package="motifnet")
class SparselyConnected(keras.layers.Layer):
    """A dense layer whose connections are fixed by a binary adjacency matrix.

    Computes ``activation((A * W)^T x + b)`` with ``*`` the element-wise product: the weight
    from input ``i`` to unit ``j`` is used only where ``A[i, j]`` is 1, so its gradient is
    exactly 0 where ``A`` is 0, and the kernel is kept at exactly 0 there (at initialisation
    and after every constrained update). ``A`` is a constant (saved in the layer's config),
    not a weight.

    Parameters
    ----------
    adjacency : array-like, shape=(inputs, units)
        0 and 1 only (booleans accepted), at least one 1. The number of units is its column count.
    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
    bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint
        As for ``keras.layers.Dense``. Default is no activation, a bias, Glorot-uniform kernel.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``...).

    Raises
    ------
    ValueError
        ``adjacency`` is not a 2-D 0/1 matrix with a 1 somewhere; at build time, an input whose
        last axis differs from the number of rows of ``adjacency``.
    """

    def __init__(self, adjacency, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        problem = adjacency_problem(adjacency)
        if problem:
            raise ValueError(f"SparselyConnected: invalid adjacency: {problem}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.adjacency = np.asarray(adjacency).astype(np.uint8)
        self.units = int(self.adjacency.shape[1])
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)
        self.supports_masking = True

    @property
    def connections(self) -> int:
        """Number of weights that can be non-zero (the 1 entries of the adjacency)."""
        return int(self.adjacency.sum())

    def build(self, input_shape):
        inputs = input_shape[-1]
        if inputs != self.adjacency.shape[0]:
            raise ValueError(
                f"SparselyConnected {self.name!r}: the adjacency has shape {self.adjacency.shape} "
                f"(inputs x units) but the layer receives inputs of shape {tuple(input_shape)}; "
                f"expected {self.adjacency.shape[0]} inputs"
            )
        mask = self.adjacency.astype(np.float32)
        initializer = self.kernel_initializer

        def masked_initializer(shape, dtype=None):
            return ops.multiply(initializer(shape, dtype=dtype), ops.cast(mask, dtype or "float32"))

        self.kernel = self.add_weight(name="kernel", shape=self.adjacency.shape, initializer=masked_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=_MaskedConstraint(self.kernel_constraint, mask))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: inputs})

    @property
    def effective_kernel(self):
        """``A * W``, shape=(inputs, units): the weights the layer actually uses."""
        kernel = ops.cast(self.kernel, self.compute_dtype)
        return ops.multiply(kernel, ops.cast(self.adjacency, self.compute_dtype))

    def pre_activation(self, inputs):
        """``x @ (A * W) + b``: the layer's value before its activation."""
        x = ops.matmul(inputs, self.effective_kernel)
        return ops.add(x, self.bias) if self.bias is not None else x

    def call(self, inputs):
        x = self.pre_activation(inputs)
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "adjacency": self.adjacency.astype(int).tolist(),
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
        })
        return config


def complement_problem(complement) -> str | None:
    """What makes ``complement`` unusable as a channel complement (None when nothing does).

    It must list each channel once (a permutation of 0..n-1) and be its own inverse (the
    complement of the complement is the channel itself), so that reversing twice gives the input.
    """
    try:
        values = [int(value) for value in complement]
    except (TypeError, ValueError):
        return f"expected a sequence of channel indices, received: {complement!r}"
    if any(not isinstance(value, (int, np.integer)) or isinstance(value, bool) for value in complement):
        return f"expected integer channel indices, received: {complement!r}"
    if sorted(values) != list(range(len(values))) or not values:
        return f"expected each channel 0..{len(values) - 1} exactly once, received: {values}"
    if any(values[value] != channel for channel, value in enumerate(values)):
        return f"expected a permutation that is its own inverse (complement of the complement), received: {values}"
    return None


@keras.saving.register_keras_serializable(package="motifnet")
class ReverseComplement(keras.layers.Layer):
    """The reverse complement of encoded sequences: positions reversed, channels permuted.

    With ``complement`` the channel of each channel's complementary letter (DNA ``ACGT``:
    ``(3, 2, 1, 0)``), output position ``p`` channel ``c`` is input position ``length - 1 - p``
    channel ``complement[c]``. One-hot input becomes the one-hot of the reverse complement;
    ambiguity codes (distributions over letters) and zero padding are mapped alike. No weights.

    Parameters
    ----------
    complement : sequence of int
        A permutation of the channels that is its own inverse.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``...).

    Raises
    ------
    ValueError
        ``complement`` is not such a permutation; at build time, input that is not
        (batch, length, channels) with ``len(complement)`` channels.
    """

    def __init__(self, complement, **kwargs):
        problem = complement_problem(complement)
        if problem:
            raise ValueError(f"ReverseComplement: invalid complement: {problem}")
        super().__init__(**kwargs)
        self.complement = tuple(int(value) for value in complement)
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: len(self.complement)})

    def call(self, inputs):
        return ops.take(ops.flip(inputs, axis=1), np.asarray(self.complement, dtype="int32"), axis=2)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"complement": list(self.complement)})
        return config


def _max_and_mean(x):
    """Each channel's maximum over positions, then its mean: (batch, length, channels) -> (batch, 2 * channels)."""
    return ops.concatenate([ops.max(x, axis=1), ops.mean(x, axis=1)], axis=-1)


@keras.saving.register_keras_serializable(package="motifnet")
class PositionWeightedMaxPooling1D(keras.layers.Layer):
    """Global max pooling of activations weighted by a learned factor per channel and stretch of the sequence.

    The sequence axis is cut into ``bins`` near-equal stretches (position ``i`` in bin
    ``floor(i * bins / length)``); channel ``c`` at position ``i`` is multiplied by the
    non-negative weight ``w[bin(i), c]`` before the maximum over all positions is taken, giving
    shape (batch, channels). The weights start at 1, so the layer starts as global max pooling:
    a kernel scores its best site wherever it lies, and learns to count sites more (or less) in
    some stretches, such as the centre of inputs centred on a site (CLIP crosslinks, ChIP summits).
    The bins follow the length, so any length works (with fewer positions than bins, each position
    has a bin of its own and the other bins go unused). The weighting is meant for non-negative
    input (a convolution's ReLU): a weight below 1 moves a negative value up towards 0. In a
    network that reads both strands the reverse complement passes through the same layer, so it
    is weighted in its own coordinates.

    Parameters
    ----------
    bins : int
        Number of stretches, at least 1.
    mean : bool
        Also return each channel's mean over positions of the same weighted activations, after the
        maxima: shape (batch, 2 * channels). The mean grows with the number of sites, which the
        maximum does not see. Default is False.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``...).

    Raises
    ------
    ValueError
        ``bins`` is not a positive integer; at build time, input that is not (batch, length,
        channels) or whose channels are unknown.
    """

    def __init__(self, bins, mean=False, **kwargs):
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
            raise ValueError(f"PositionWeightedMaxPooling1D: bins must be a positive integer, received: {bins!r}")
        super().__init__(**kwargs)
        self.bins = int(bins)
        self.mean = bool(mean)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("PositionWeightedMaxPooling1D: the number of channels must be known")
        self.position_weights = self.add_weight(name="position_weights", shape=(self.bins, channels),
                                                initializer="ones", constraint=keras.constraints.NonNeg())
        super().build(input_shape)

    def scale(self, length):
        """The weight of each position and channel, shape=(length, channels)."""
        return ops.take(self.position_weights, ops.floor_divide(ops.arange(length) * self.bins, length), axis=0)

    def call(self, inputs):
        weighted = inputs * self.scale(ops.shape(inputs)[1])[None]
        return _max_and_mean(weighted) if self.mean else ops.max(weighted, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] * (2 if self.mean else 1))

    def get_config(self):
        config = super().get_config()
        config.update({"bins": self.bins, "mean": self.mean})
        return config


@keras.saving.register_keras_serializable(package="motifnet")
class GlobalMaxAvgPooling1D(keras.layers.Layer):
    """Each channel's maximum over positions, then its mean: shape (batch, 2 * channels).

    The maximum is a kernel's best site; the mean also grows with the number and strength of its
    other sites, which the maximum alone does not see (``global_pool`` max+avg without
    ``position_bins``; with them, :class:`PositionWeightedMaxPooling1D` with ``mean=True``).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def call(self, inputs):
        return _max_and_mean(inputs)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None if input_shape[-1] is None else 2 * input_shape[-1])


#: Pass to ``keras.saving.load_model`` for models that use motifnet's layers (and its optimiser).
CUSTOM_OBJECTS = {keras.saving.get_registered_name(SelectiveDecayAdam): SelectiveDecayAdam,
                  keras.saving.get_registered_name(SparselyConnected): SparselyConnected,
                  keras.saving.get_registered_name(ReverseComplement): ReverseComplement,
                  keras.saving.get_registered_name(PositionWeightedMaxPooling1D): PositionWeightedMaxPooling1D,
                  keras.saving.get_registered_name(GlobalMaxAvgPooling1D): GlobalMaxAvgPooling1D,
                  keras.saving.get_registered_name(EpistaticNet): EpistaticNet,  # --epistatic-reg models
                  keras.saving.get_registered_name(ClassMeanAUC): ClassMeanAUC}  # the metric a model is compiled with


def sparse_weights(layer) -> tuple | None:
    """(live, total) weights of a sparse layer, or None for any other layer.

    ``live`` counts the connections of the adjacency plus the biases; ``total`` is every weight
    the layer stores (what ``count_params`` reports).
    """
    if not isinstance(layer, SparselyConnected):
        return None
    return layer.connections + (layer.units if layer.use_bias else 0), int(layer.count_params())


def _source(tensor) -> str:
    """Name of the layer that produced a symbolic tensor, or '' when Keras does not say."""
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None) or (history[0] if history else None)
    return getattr(operation, "name", "") or ""


def dense_or_sparse(x, name: str, units: int, adjacency: dict, source: str = "", **options):
    """Apply a Dense layer, or a SparselyConnected one when ``adjacency`` has a matrix for ``name``.

    Parameters
    ----------
    x : KerasTensor, shape=(None, inputs)
    name : str
        Layer name (``dense_1``...).
    units : int
        Units of the Dense layer; a sparse layer takes its units from the matrix.
    adjacency : dict
        Layer name -> :class:`motifnet.model.adjacency.Adjacency`.
    source : str
        What feeds the layer, for the shape message. Default is the producing layer's name.
    **options
        Activation, constraints... for either layer.

    Raises
    ------
    ParamError
        The matrix's row count differs from the input size (the message states both shapes).
    """
    return dense_or_sparse_layer(x, name, units, adjacency, source, **options)(x)


def dense_or_sparse_layer(x, name: str, units: int, adjacency: dict, source: str = "", **options):
    """The layer that :func:`dense_or_sparse` applies to ``x``, not yet applied (to share it between strands).

    ``x`` serves only to check the adjacency's shape. Parameters and errors as for :func:`dense_or_sparse`.
    """
    matrix = adjacency.get(name)
    if matrix is None:
        return keras.layers.Dense(units, name=name, **options)
    check_layer_input(matrix, name, int(x.shape[-1]), source or _source(x))
    log.info("%s: sparsely connected, %d units from %s (%d of %d connections)", name, matrix.shape[1],
             matrix.path, matrix.connections, matrix.matrix.size)
    empty = matrix.unconnected_units
    if len(empty):
        shown = ", ".join(str(unit) for unit in empty[:10]) + (", ..." if len(empty) > 10 else "")
        log.warning("%s: %d unit(s) of %s have no inputs (all-zero columns: %s); they output only "
                    "their bias", matrix.path, len(empty), name, shown)
    return SparselyConnected(matrix.matrix, name=name, **options)


def sparse_features(features, adjacency: dict, n_features: int, **options):
    """The per-sequence features, through the ``sparse_features`` layer when it has a matrix.

    Raises
    ------
    ParamError
        ``features_adjacency`` was given but the model has no features, or its rows differ from
        the feature width.
    """
    from ..errors import ParamError

    matrix = adjacency.get(FEATURES_LAYER)
    if matrix is None:
        return features
    if features is None:
        raise ParamError(f"parameter features_adjacency: {matrix.path} is given, but the model has no "
                         "per-sequence features; add --features or leave features_adjacency out")
    return dense_or_sparse(features, FEATURES_LAYER, 0, adjacency,
                           source=f"features: {n_features} columns after encoding", **options)
