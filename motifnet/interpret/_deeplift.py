"""DeepLIFT's rescale rule for motifnet's convolution/pooling/dense networks.

See :mod:`motifnet.interpret.attribution`.

The network is walked layer by layer twice at once, for the input and for the reference.
Each ReLU (and the exponential of ``conv_activation`` exponential) is replaced by the straight
line through its two points (input and reference activation), and each max-pooling window by a
linear map that passes the change of the window's maximum to a single unit. The network so
modified is linear between reference and input and agrees with the real one at both, so
``gradient * (input - reference)`` sums exactly to ``logit(input) - logit(reference)``.

Batch normalisation (in inference) and global average pooling are affine and pass through
unchanged; global max pooling is max pooling over one window of the whole length, after the fixed
scaling per position of ``position_bins`` where the network has it, and with ``global_pool``
max+avg the (linear) mean over positions of the same values sits beside it. A network
that reads both strands (``strand_merge``) is walked once on the input and reference and once
on their reverse complements; the mean of both is again linear between reference and input,
so the sum still holds.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParamError

# Below this difference between input and reference a secant slope is replaced by the gradient:
# the contribution it carries is then at most this small.
_SECANT_EPS = 1e-6
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D")
# Layers computing activation(affine map of the input).
_AFFINE = ("Conv1D", "Dense", "SparselyConnected")
# Affine layers (in inference) that DeepLIFT applies as they are.
_LINEAR = ("BatchNormalization", "GlobalAveragePooling1D")
_STRAND_MERGE = "strand_merge"


def _producer(tensor):
    """The layer that made a symbolic Keras tensor."""
    return tensor._keras_history.operation


def check_deeplift_model(model) -> list:
    """The layers from the sequence input to the output, in order; refuses what DeepLIFT cannot explain exactly.

    The chain is found by walking back from the ``output`` layer along each layer's input (the
    first input of the concatenation that joins per-sequence features: the features branch is
    the same for input and reference, so it carries no difference and is evaluated as it is;
    and the forward strand of ``strand_merge``, whose layers the reverse strand shares).
    Supported on the chain: dropout (off in inference), 1-D convolutions, dense and sparsely
    connected layers with ReLU, exponential or no activation, batch normalisation, max pooling ('valid'),
    global max and average pooling, flatten, that concatenation, the strand merge, and the
    Dense ``output`` layer (explained before its activation).

    Raises
    ------
    ParamError
        The model has recurrent layers or another layer type on the chain; the message names the layer.
    """
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _RECURRENT:
            raise ParamError(
                f"--method deeplift does not support recurrent models (layer {layer.name}: {kind}); the rescale "
                "rule here covers convolution, max pooling, dense and ReLU layers only. Use integrated-gradients, "
                "grad-input, saliency or ism for this model"
            )
    names = [layer.name for layer in model.layers]
    if "output" not in names or type(model.get_layer("output")).__name__ != "Dense":
        raise ParamError("--method deeplift: the model must end with its Dense layer 'output'")
    chain, layer = [], model.get_layer("output")
    while type(layer).__name__ != "InputLayer":
        kind = type(layer).__name__
        activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
        if kind in _AFFINE and layer.name != "output" and activation not in ("relu", "exponential", "linear"):
            raise ParamError(f"--method deeplift: layer {layer.name} has activation {activation}; only ReLU and "
                             "exponential are supported; use integrated-gradients or ism")
        if kind == "MaxPooling1D" and layer.padding != "valid":
            raise ParamError(f"--method deeplift: pooling layer {layer.name} uses padding {layer.padding!r}; "
                             "only 'valid' is supported")
        merge = kind == "Average" and layer.name == _STRAND_MERGE
        if kind not in _AFFINE + _LINEAR + ("Dropout", "MaxPooling1D", "GlobalMaxPooling1D", "GlobalMaxAvgPooling1D",
                                            "PositionWeightedMaxPooling1D", "Flatten", "Concatenate") and not merge:
            raise ParamError(f"--method deeplift: layer {layer.name} ({kind}) is not supported; use "
                             "integrated-gradients or ism")
        chain.append(layer)
        inputs = layer.input
        layer = _producer(inputs[0] if isinstance(inputs, (list, tuple)) else inputs)
    if layer.name != "sequence":
        raise ParamError(f"--method deeplift: the output does not lead back to the 'sequence' input (reached "
                         f"{layer.name!r})")
    return chain[::-1]


def _pre_activation(layer, x):
    """The value of a convolution, dense or sparsely connected layer before its activation."""
    import keras

    kind = type(layer).__name__
    if kind == "SparselyConnected":
        return layer.pre_activation(x)
    z = layer.convolution_op(x, layer.kernel) if kind == "Conv1D" else keras.ops.matmul(x, layer.kernel)
    return z + layer.bias if layer.bias is not None else z


def _rescale(z, z_ref, activation: str):
    """ReLU or exp replaced by its secant through the input's and the reference's activations."""
    import tensorflow as tf

    if activation == "linear":
        return z, z_ref
    if activation == "exponential":
        return _exp_secant(z, z_ref)
    out, out_ref = tf.nn.relu(z), tf.nn.relu(z_ref)
    delta = z - z_ref
    large = tf.abs(delta) > _SECANT_EPS
    # Where input and reference nearly agree the slope is the gradient at their midpoint.
    midpoint = tf.cast(z + z_ref > 0, z.dtype)
    slope = tf.stop_gradient(tf.where(large, (out - out_ref) / tf.where(large, delta, 1.0), midpoint))
    return out_ref + slope * delta, out_ref


def _exp_secant(z, z_ref):
    """exp replaced by its secant, with the slope computed without cancellation.

    ``(exp(z) - exp(z')) / (z - z')`` in float32 loses digits when ``z`` and ``z'`` are close
    (each exp is rounded, and the difference of two close numbers keeps only the rounding). For
    gaps below 1 the slope is written as ``exp(min(z, z')) * expm1(gap) / gap``, exact to rounding
    at any gap, and tends to the derivative as the gap closes; larger gaps keep the plain secant,
    where ``expm1`` of a large gap could overflow although the secant does not.
    """
    import tensorflow as tf

    out, out_ref = tf.exp(z), tf.exp(z_ref)
    delta = z - z_ref
    gap = tf.abs(delta)
    small = gap < 1.0
    bounded = tf.where(small, gap, 1.0)  # the gaps the expm1 form serves; 1 elsewhere, so that it cannot overflow
    ratio = tf.where(bounded > 0, tf.math.expm1(bounded) / tf.where(bounded > 0, bounded, 1.0), 1.0)
    close = tf.exp(tf.minimum(z, z_ref)) * ratio
    far = (out - out_ref) / tf.where(small, 1.0, delta)
    slope = tf.stop_gradient(tf.where(small, close, far))
    return out_ref + slope * delta, out_ref


def _maxpool_rescale(x, x_ref, pool_size: int, stride: int):
    """Max pooling as a linear map: each window's change of maximum goes to one unit.

    With ``y = max(window of x)`` and ``y' = max(window of x')``, the whole change ``y - y'``
    is assigned to the unit holding ``y`` when ``y >= y'`` and to the unit holding ``y'``
    otherwise; that unit's multiplier is ``(y - y') / (x_j - x'_j)``, between 0 and 1. So
    the window's contributions sum to ``y - y'`` exactly, also when input and reference
    peak at different places (where the plain gradient would not).
    """
    import tensorflow as tf

    windows = tf.signal.frame(x, pool_size, stride, axis=1)  # (n, outputs, pool, channels)
    windows_ref = tf.signal.frame(x_ref, pool_size, stride, axis=1)
    peak, peak_ref = tf.reduce_max(windows, axis=2), tf.reduce_max(windows_ref, axis=2)
    chosen = tf.where(peak >= peak_ref, tf.argmax(windows, axis=2), tf.argmax(windows_ref, axis=2))
    pick = tf.one_hot(chosen, pool_size, axis=2, dtype=x.dtype)
    delta = tf.reduce_sum(pick * (windows - windows_ref), axis=2)
    large = tf.abs(delta) > _SECANT_EPS
    slope = tf.stop_gradient(tf.where(large, (peak - peak_ref) / tf.where(large, delta, 1.0), 1.0))
    return peak_ref + slope * delta, peak_ref


def _global_max_rescale(x, x_ref, mean: bool):
    """Global max pooling as :func:`_maxpool_rescale` over one window; with ``mean``, the mean over
    positions (linear) after it."""
    import tensorflow as tf

    length = int(x.shape[1])
    peak, peak_ref = _maxpool_rescale(x, x_ref, length, length)
    peak, peak_ref = peak[:, 0], peak_ref[:, 0]
    if not mean:
        return peak, peak_ref
    return (tf.concat([peak, tf.reduce_mean(x, axis=1)], axis=-1),
            tf.concat([peak_ref, tf.reduce_mean(x_ref, axis=1)], axis=-1))


class DeepLift:
    """Target logits of input and reference through the network with DeepLIFT's rescale rule."""

    def __init__(self, model):
        import keras
        import tensorflow as tf

        self.plan = check_deeplift_model(model)
        self.input_names = [tensor.name for tensor in model.inputs]
        joins = [layer for layer in self.plan if type(layer).__name__ == "Concatenate"]
        # What the features branch contributes to the concatenation: the same for input and reference.
        self.side = keras.Model(model.inputs, list(joins[0].input[1:])) if joins else None
        names = [layer.name for layer in self.plan]
        # Both strands: the layers before the merge run on the input and on its reverse complement.
        merge = names.index(_STRAND_MERGE) if _STRAND_MERGE in names else None
        reverse = model.get_layer("reverse_complement") if merge is not None else None

        def walk(layers, x, x_ref, side, targets):
            for layer in layers:
                kind = type(layer).__name__
                if kind in _AFFINE and layer.name != "output":
                    x, x_ref = _rescale(_pre_activation(layer, x), _pre_activation(layer, x_ref),
                                        layer.activation.__name__ if layer.activation else "linear")
                elif kind in _LINEAR:
                    x, x_ref = layer(x, training=False), layer(x_ref, training=False)
                elif kind == "MaxPooling1D":
                    x, x_ref = _maxpool_rescale(x, x_ref, layer.pool_size[0], layer.strides[0])
                elif kind in ("GlobalMaxPooling1D", "GlobalMaxAvgPooling1D"):
                    x, x_ref = _global_max_rescale(x, x_ref, kind == "GlobalMaxAvgPooling1D")
                elif kind == "PositionWeightedMaxPooling1D":  # a fixed scaling per position, then global max
                    scale = layer.scale(int(x.shape[1]))[None]
                    x, x_ref = _global_max_rescale(x * scale, x_ref * scale, layer.mean)
                elif kind == "Flatten":
                    x, x_ref = tf.reshape(x, [tf.shape(x)[0], -1]), tf.reshape(x_ref, [tf.shape(x_ref)[0], -1])
                elif kind == "Concatenate":
                    x, x_ref = tf.concat([x, side], axis=-1), tf.concat([x_ref, side], axis=-1)
                elif kind == "Dense":  # the output layer: its logit, before the softmax/sigmoid
                    kernel = tf.transpose(tf.gather(layer.kernel, targets, axis=1))  # (n, hidden)
                    logit, logit_ref = tf.reduce_sum(x * kernel, axis=1), tf.reduce_sum(x_ref * kernel, axis=1)
                    if layer.bias is not None:
                        bias = tf.gather(layer.bias, targets)
                        logit, logit_ref = logit + bias, logit_ref + bias
                    return logit, logit_ref
            return x, x_ref

        def forward(sequence, reference, side, targets):
            if merge is None:
                return walk(self.plan, sequence, reference, side, targets)
            x, x_ref = walk(self.plan[:merge], sequence, reference, side, targets)
            r, r_ref = walk(self.plan[:merge], reverse(sequence), reverse(reference), side, targets)
            return walk(self.plan[merge + 1:], (x + r) / 2, (x_ref + r_ref) / 2, side, targets)

        def multipliers(sequence, reference, side, targets):
            with tf.GradientTape() as tape:
                tape.watch(sequence)
                logit, logit_ref = forward(sequence, reference, side, targets)
                total = tf.reduce_sum(logit)
            return tape.gradient(total, sequence), logit, logit_ref

        self._multipliers = tf.function(multipliers, reduce_retracing=True)

    def multipliers(self, sequence, reference, features, targets) -> tuple:
        """DeepLIFT's multipliers of every input channel, and the logits of input and reference.

        ``sequence`` and ``reference`` have shape (n, length, channels); ``features`` (n, width)
        or None for models without per-sequence features; ``targets`` (n,) class indices. The
        multipliers, shape=(n, length, channels), are defined for every channel, also those the
        sequence does not hold (what hypothetical contributions need).
        """
        import tensorflow as tf

        sequence = np.asarray(sequence, dtype=np.float32)
        reference = np.asarray(reference, dtype=np.float32)
        if self.side is not None:
            inputs = {"sequence": sequence}
            if "features" in self.input_names:
                inputs["features"] = np.asarray(features, dtype=np.float32)
            parts = self.side(inputs if len(self.input_names) > 1 else sequence, training=False)
            side = tf.concat([tf.cast(part, tf.float32) for part in tf.nest.flatten(parts)], axis=-1)
        else:
            side = tf.zeros((len(sequence), 0), dtype=tf.float32)
        grads, logit, logit_ref = self._multipliers(tf.convert_to_tensor(sequence), tf.convert_to_tensor(reference),
                                                    side, tf.constant(targets, dtype=tf.int32))
        return grads.numpy(), logit.numpy(), logit_ref.numpy()

    def __call__(self, sequence, reference, features, targets):
        """Attributions ``multiplier * (sequence - reference)`` and both logits (see :meth:`multipliers`)."""
        grads, logit, logit_ref = self.multipliers(sequence, reference, features, targets)
        return (grads * (np.asarray(sequence, dtype=np.float32) - np.asarray(reference, dtype=np.float32)),
                logit, logit_ref)
