"""The network: pysster's architecture on Keras 3, with stable layer names.

Layer names (later commands address layers by these):

============================  ==============================================
``sequence``                  input, shape (length, channels)
``features``                  input of per-sequence features (if used)
``dropout_input``             dropout after the input
``conv_1`` ... ``conv_N``     1-D convolutions (ReLU); ``conv_1`` is the motif layer
``pool_1`` ... ``pool_N``     max pooling after each convolution
``dropout_conv_1`` ...        dropout after each pooling layer
``rnn_1`` ... ``rnn_M``       LSTM/GRU layers (bidirectional by default), if ``rnn_type``
``flatten``                   flattening before the dense block (without RNN)
``sparse_features``           sparse layer on the features (ReLU), if ``features_adjacency``
``concat_features``           joins per-sequence features (if used)
``dense_1`` ... ``dense_K``   dense layers (ReLU); sparsely connected where ``dense_adjacency``
                              names a file (:class:`motifnet.model.layers.SparselyConnected`)
``dropout_dense_1`` ...       dropout after each dense layer
``output``                    softmax (single-label), sigmoid (multi-label) or linear (regression)
============================  ==============================================
"""

from __future__ import annotations

from .params import check_length, layer_value


def build_model(params: dict, length: int, channels: int, n_classes: int, multi_label: bool,
                n_features: int = 0, adjacency: dict | None = None, task: str = "classification"):
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

    Returns
    -------
    keras.Model

    Raises
    ------
    ParamError
        When the sequence length shrinks to zero or below, or an adjacency matrix does not fit
        its layer's input (the message states both shapes).
    """
    import keras

    from .adjacency import read_adjacencies
    from .compile import compile_model

    check_length(params, length)
    if adjacency is None:
        adjacency = read_adjacencies(params)
    constraint = _max_norm(params["kernel_constraint"])
    sequence = keras.Input(shape=(length, channels), name="sequence")
    inputs = [sequence]
    x = _convolutions(sequence, params, constraint)
    x = _recurrent(x, params, constraint) if params["rnn_type"] is not None else keras.layers.Flatten(name="flatten")(x)
    if n_features:
        features = keras.Input(shape=(n_features,), name="features")
        inputs.append(features)
    x, source = _join_features(x, features if n_features else None, n_features, adjacency, constraint)
    x = _dense_block(x, params, adjacency, source, constraint)
    activation = "linear" if task == "regression" else "sigmoid" if multi_label else "softmax"
    outputs = keras.layers.Dense(n_classes, activation=activation, kernel_constraint=constraint(0),
                                 bias_constraint=constraint(0), name="output")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="motifnet")
    compile_model(model, params["learning_rate"], multi_label, task)
    return model


def _max_norm(limit):
    """``constraint(axis)``: Keras' MaxNorm at ``limit`` over ``axis`` (None without a limit)."""
    import keras

    def constraint(axis):
        return keras.constraints.MaxNorm(limit, axis=axis) if limit is not None else None

    return constraint


def _convolutions(x, params: dict, constraint):
    """Input dropout, then ``conv_num`` blocks of convolution (ReLU), max pooling and dropout."""
    from keras import layers

    x = layers.Dropout(params["dropout_input"], name="dropout_input")(x)
    for i in range(params["conv_num"]):
        x = layers.Conv1D(layer_value(params, "kernel_num", i), layer_value(params, "kernel_len", i),
                          activation="relu", padding="valid", kernel_constraint=constraint([0, 1]),
                          bias_constraint=constraint(0), name=f"conv_{i + 1}")(x)
        x = layers.MaxPooling1D(layer_value(params, "pool_size", i), layer_value(params, "pool_stride", i),
                                name=f"pool_{i + 1}")(x)
        x = layers.Dropout(layer_value(params, "dropout_conv", i), name=f"dropout_conv_{i + 1}")(x)
    return x


def _recurrent(x, params: dict, constraint):
    """``rnn_num`` LSTM or GRU layers (bidirectional by default); the last returns one vector."""
    from keras import layers

    cell = layers.LSTM if params["rnn_type"] == "LSTM" else layers.GRU
    for i in range(params["rnn_num"]):
        last = i == params["rnn_num"] - 1
        rnn = cell(layer_value(params, "rnn_units", i), return_sequences=not last,
                   dropout=layer_value(params, "rnn_dropout_input", i),
                   recurrent_dropout=layer_value(params, "rnn_dropout_recurrent", i),
                   kernel_constraint=constraint(0), recurrent_constraint=constraint(0),
                   name=f"rnn_{i + 1}" if not params["rnn_bidirectional"] else f"rnn_{i + 1}_cell")
        x = layers.Bidirectional(rnn, name=f"rnn_{i + 1}")(x) if params["rnn_bidirectional"] else rnn(x)
    return x


def _join_features(x, features, n_features: int, adjacency: dict, constraint) -> tuple:
    """Concatenate the (optionally sparse) feature layer to ``x``; returns ``x`` and its description."""
    from keras import layers

    from .layers import sparse_features

    if features is None:
        sparse_features(None, adjacency, 0)  # refuses features_adjacency without features
        return x, ""
    joined = sparse_features(features, adjacency, n_features, activation="relu",
                             kernel_constraint=constraint(0), bias_constraint=constraint(0))
    flat = int(x.shape[-1])
    x = layers.Concatenate(name="concat_features")([x, joined])
    return x, f"concat_features: {flat} from the sequence + {int(joined.shape[-1])} from the features"


def _dense_block(x, params: dict, adjacency: dict, source: str, constraint):
    """``dense_num`` dense (or sparsely connected) ReLU layers, each followed by dropout."""
    from keras import layers

    from .layers import dense_or_sparse

    for i in range(params["dense_num"]):
        x = dense_or_sparse(x, f"dense_{i + 1}", layer_value(params, "neuron_num", i), adjacency,
                            source=source if i == 0 else "", activation="relu",
                            kernel_constraint=constraint(0), bias_constraint=constraint(0))
        x = layers.Dropout(layer_value(params, "dropout_dense", i), name=f"dropout_dense_{i + 1}")(x)
    return x


def summary_lines(model) -> list:
    """The Keras architecture summary as text lines."""
    lines: list = []
    model.summary(print_fn=lambda line, **_: lines.append(line), line_length=90)
    return "\n".join(lines).splitlines()
