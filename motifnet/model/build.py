"""The network: pysster's architecture on Keras 3, with stable layer names.

Layer names (later commands address layers by these):

============================  ==============================================
``sequence``                  input, shape (length, channels)
``features``                  input of per-sequence features (if used)
``reverse_complement``        the input's reverse complement (``strand`` both only)
``dropout_input``             dropout after the input
``conv_1`` ... ``conv_N``     1-D convolutions (ReLU; ``conv_1``: ``conv_activation``); ``conv_1`` is
                              the motif layer
``batch_norm_1`` ...          batch normalisation after each convolution, if ``batch_norm``
``pool_1`` ... ``pool_N``     max pooling after each convolution (none where pool_size and
                              pool_stride are 1: that pooling is the identity)
``dropout_conv_1`` ...        dropout after each pooling layer
``rnn_1`` ... ``rnn_M``       LSTM/GRU layers (bidirectional by default), if ``rnn_type``
``flatten``                   flattening before the dense block (without RNN or global pooling)
``global_pool``               global max or average pooling over positions, or both side by side
                              (max+avg: :class:`motifnet.model.layers.GlobalMaxAvgPooling1D`),
                              after the RNN, if any, whose last layer then returns every
                              position, if ``global_pool``; with ``position_bins``, of activations
                              weighted per stretch
                              (:class:`motifnet.model.layers.PositionWeightedMaxPooling1D`)
``sparse_features``           sparse layer on the features (ReLU), if ``features_adjacency``
``concat_features``           joins per-sequence features (if used)
``dense_1`` ... ``dense_K``   dense layers (ReLU); sparsely connected where ``dense_adjacency``
                              names a file (:class:`motifnet.model.layers.SparselyConnected`)
``dropout_dense_1`` ...       dropout after each dense layer
``strand_merge``              mean of both strands' last hidden values (``strand`` both only)
``output``                    softmax (single-label), sigmoid (multi-label) or linear (regression)
============================  ==============================================

With ``strand`` both, every layer from ``dropout_input`` to the last dropout runs twice with
the same weights: first on the sequence, then on its reverse complement. ``strand_merge``
averages the two, so the ``output`` layer (applied once) sees the mean and its logits are the
mean of both strands' logits: the prediction of a sequence and of its reverse complement are
equal. A shared layer's ``output`` (``model.get_layer("conv_1").output``) is that of its first
call, the forward strand, so first-layer activations keep their meaning: positions on the
sequence as given.

Batch normalisation comes after each convolution's activation, not between the convolution and
the activation, so that ``conv_1`` still outputs ReLU(kernel * window + bias) (or exp(...) with
``conv_activation`` exponential): the activation that kernel interpretation thresholds and turns
into motifs, non-negative and in the kernel's own scale.
"""

from __future__ import annotations

import logging
import os

from ..errors import ParamError
from .params import check_length, layer_value, resolve_kernel_len, resolve_strand

log = logging.getLogger("motifnet")


class _SharedLayers:
    """Layers (and the features branch) made on their first use and reused after it, so that both strands
    share weights."""

    def __init__(self):
        self.made = {}

    def __call__(self, x, make, *args, name: str, **kwargs):
        """Apply the layer ``name`` to ``x``, making it with ``make(*args, name=name, **kwargs)`` the first time."""
        return self.once(name, make, *args, name=name, **kwargs)(x)

    def once(self, key: str, make, *args, **kwargs):
        """``make(*args, **kwargs)`` the first time, the same value after it."""
        if key not in self.made:
            self.made[key] = make(*args, **kwargs)
        return self.made[key]


def build_model(params: dict, length: int, channels: int, n_classes: int, multi_label: bool,
                n_features: int = 0, adjacency: dict | None = None, task: str = "classification",
                complement=None, letters: int | None = None):
    """Build and compile the network.

    Parameters
    ----------
    params : dict
        Resolved hyperparameters (see :func:`motifnet.model.params.resolve`).
    length : int
        Sequence length.
    channels : int
        Input channels (letters, letter pairs and tracks).
    n_classes : int
        Number of output units.
    multi_label : bool
        Sigmoid + binary cross-entropy when True, softmax + categorical cross-entropy otherwise.
    n_features : int
        Width of the per-sequence feature input (0: none).
    adjacency : dict or None
        Layer name -> :class:`motifnet.model.adjacency.Adjacency` for sparse layers. Default is None:
        read the files that ``dense_adjacency`` and ``features_adjacency`` name.
    task : {'classification', 'regression'}
        Regression: ``n_classes`` linear outputs (one per target) and mean squared error;
        ``multi_label`` is ignored. Default is 'classification'.
    complement : sequence of int or None
        For each input channel, the channel of its complement
        (:attr:`motifnet.data.dataset.Dataset.complement_channels`): needed by ``strand`` both,
        and ``strand`` auto reads both strands when it is given. Default is None: no complement.
    letters : int or None
        Letters of the sequence alphabet, which decide ``kernel_len`` 'auto'
        (:func:`motifnet.model.params.resolve_kernel_len`). Default is None: ``channels``, right
        for plain one-hot input only (structure and track channels are not letters).

    Returns
    -------
    keras.Model

    Raises
    ------
    ParamError
        When the sequence length shrinks to zero or below, an adjacency matrix does not fit
        its layer's input (the message states both shapes), or ``strand`` is both without a
        ``complement`` (or with one that does not fit the channels).
    """
    import keras

    from .adjacency import read_adjacencies
    from .compile import compile_model
    from .layers import ReverseComplement, complement_problem

    params = resolve_kernel_len(params, channels if letters is None else letters)
    check_length(params, length)
    strand = resolve_strand(params, complement)["strand"]
    if strand == "both":
        problem = complement_problem(complement)
        if problem is None and len(complement) != channels:
            problem = f"it lists {len(complement)} channels but the input has {channels}"
        if problem:
            raise ParamError(f"parameter strand='both': the channel complement does not fit the input: {problem}")
    if adjacency is None:
        adjacency = read_adjacencies(params)
    constraint = _max_norm(params["kernel_constraint"])
    sequence = keras.Input(shape=(length, channels), name="sequence")
    inputs = [sequence]
    features = None
    if n_features:
        features = keras.Input(shape=(n_features,), name="features")
        inputs.append(features)
    shared = _SharedLayers()
    x = _strand(sequence, features, params, adjacency, constraint, shared)
    if strand == "both":
        reverse = ReverseComplement(complement, name="reverse_complement")(sequence)
        x_reverse = _strand(reverse, features, params, adjacency, constraint, shared)
        x = keras.layers.Average(name="strand_merge")([x, x_reverse])
    activation = "linear" if task == "regression" else "sigmoid" if multi_label else "softmax"
    outputs = keras.layers.Dense(n_classes, activation=activation, kernel_constraint=constraint(0),
                                 bias_constraint=constraint(0), name="output")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="motifnet")
    compile_model(model, params["learning_rate"], multi_label, task, params.get("ema_momentum", 0.0),
                  params.get("weight_decay", 0.0))
    return model


def _strand(x, features, params: dict, adjacency: dict, constraint, shared: _SharedLayers):
    """One strand through the network up to the output layer: convolutions, RNN or pooling, features, dense.

    Layers are made in the order of pysster's network (their initialisers draw seeds as they are made).
    """
    from keras import layers

    from .layers import GlobalMaxAvgPooling1D, PositionWeightedMaxPooling1D

    x = _convolutions(x, params, constraint, shared)
    if params["rnn_type"] is not None:
        x = _recurrent(x, params, constraint, shared)
    if params["position_bins"]:
        positions = x.shape[1]
        if positions is not None and positions < params["position_bins"] and "global_pool" not in shared.made:
            log.warning("position_bins %d is more than the %d positions left after the convolutions; "
                        "%d bins go unused (give position_bins %d or fewer)", params["position_bins"], positions,
                        params["position_bins"] - positions, positions)
        x = shared(x, PositionWeightedMaxPooling1D, params["position_bins"], mean=params["global_pool"] == "max+avg",
                   name="global_pool")
    elif params["global_pool"] == "max+avg":
        x = shared(x, GlobalMaxAvgPooling1D, name="global_pool")
    elif params["global_pool"] is not None:
        pool = layers.GlobalMaxPooling1D if params["global_pool"] == "max" else layers.GlobalAveragePooling1D
        x = shared(x, pool, name="global_pool")
    elif params["rnn_type"] is None:
        x = shared(x, layers.Flatten, name="flatten")
    # The features branch is the same for both strands: made once, joined to each.
    joined = shared.once("features", _feature_branch, features, adjacency, constraint)
    source = ""
    if joined is not None:
        flat = int(x.shape[-1])
        x = shared([x, joined], layers.Concatenate, name="concat_features")
        source = f"concat_features: {flat} from the sequence + {int(joined.shape[-1])} from the features"
    return _dense_block(x, params, adjacency, source, constraint, shared)


def _max_norm(limit):
    """``constraint(axis)``: Keras' MaxNorm at ``limit`` over ``axis`` (None without a limit)."""
    import keras

    def constraint(axis):
        return keras.constraints.MaxNorm(limit, axis=axis) if limit is not None else None

    return constraint


def _convolutions(x, params: dict, constraint, shared: _SharedLayers):
    """Input dropout, then ``conv_num`` blocks of convolution (ReLU; the first: ``conv_activation``), batch
    normalisation, max pooling and dropout.

    A pooling of windows of 1 at steps of 1 is the identity and gets no layer: it would only cost time.
    """
    from keras import layers

    x = shared(x, layers.Dropout, params["dropout_input"], name="dropout_input")
    for i in range(params["conv_num"]):
        x = shared(x, layers.Conv1D, layer_value(params, "kernel_num", i), layer_value(params, "kernel_len", i),
                   activation=params["conv_activation"] if i == 0 else "relu", padding="valid",
                   kernel_constraint=constraint([0, 1]),
                   bias_constraint=constraint(0), name=f"conv_{i + 1}")
        if params["batch_norm"]:
            x = shared(x, layers.BatchNormalization, name=f"batch_norm_{i + 1}")
        pool, stride = layer_value(params, "pool_size", i), layer_value(params, "pool_stride", i)
        if (pool, stride) != (1, 1):  # pooling windows of 1 at steps of 1 are the identity: no layer
            x = shared(x, layers.MaxPooling1D, pool, stride, name=f"pool_{i + 1}")
        x = shared(x, layers.Dropout, layer_value(params, "dropout_conv", i), name=f"dropout_conv_{i + 1}")
    return x


def _recurrent(x, params: dict, constraint, shared: _SharedLayers):
    """``rnn_num`` LSTM or GRU layers (bidirectional by default); the last returns one vector, or every
    position's when ``global_pool`` pools them."""
    from keras import layers

    cell = layers.LSTM if params["rnn_type"] == "LSTM" else layers.GRU

    def make(i, name):
        last = i == params["rnn_num"] - 1 and params["global_pool"] is None
        rnn = cell(layer_value(params, "rnn_units", i), return_sequences=not last,
                   dropout=layer_value(params, "rnn_dropout_input", i),
                   recurrent_dropout=layer_value(params, "rnn_dropout_recurrent", i),
                   kernel_constraint=constraint(0), recurrent_constraint=constraint(0),
                   name=name if not params["rnn_bidirectional"] else f"{name}_cell")
        return layers.Bidirectional(rnn, name=name) if params["rnn_bidirectional"] else rnn

    for i in range(params["rnn_num"]):
        x = shared(x, make, i, name=f"rnn_{i + 1}")
    return x


def _feature_branch(features, adjacency: dict, constraint):
    """The per-sequence features as they join the dense block (through the sparse layer, if any); None without."""
    from .layers import sparse_features

    if features is None:
        sparse_features(None, adjacency, 0)  # refuses features_adjacency without features
        return None
    return sparse_features(features, adjacency, int(features.shape[-1]), activation="relu",
                           kernel_constraint=constraint(0), bias_constraint=constraint(0))


def _dense_block(x, params: dict, adjacency: dict, source: str, constraint, shared: _SharedLayers):
    """``dense_num`` dense (or sparsely connected) ReLU layers, each followed by dropout."""
    from keras import layers

    from .layers import dense_or_sparse_layer

    for i in range(params["dense_num"]):
        x = shared(x, dense_or_sparse_layer, x, units=layer_value(params, "neuron_num", i), adjacency=adjacency,
                   source=source if i == 0 else "", activation="relu", kernel_constraint=constraint(0),
                   bias_constraint=constraint(0), name=f"dense_{i + 1}")
        x = shared(x, layers.Dropout, layer_value(params, "dropout_dense", i), name=f"dropout_dense_{i + 1}")
    return x


def summary_lines(model) -> list:
    """The Keras architecture summary as text lines, whole.

    Keras draws the table with rich, whose console is as wide as the terminal, or 80 columns where
    there is none (a log file, a pipe, a batch job): the 90 columns of the table lost the parameter
    counts there. The console's width comes from ``COLUMNS`` while the table is drawn.
    """
    lines: list = []
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "120"
    try:
        model.summary(print_fn=lambda line, **_: lines.append(line), line_length=90)
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(lines).splitlines()
