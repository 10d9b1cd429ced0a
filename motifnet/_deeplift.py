"""DeepLIFT's rescale rule for motifnet's convolution/pooling/dense networks (see :mod:`motifnet.attribution`).

The network is walked layer by layer twice at once, for the input and for the reference.
Each ReLU is replaced by the straight line through its two points (input and reference
activation), and each max-pooling window by a linear map that passes the change of the
window's maximum to a single unit. The network so modified is linear between reference and
input and agrees with the real one at both, so ``gradient * (input - reference)`` sums
exactly to ``logit(input) - logit(reference)``.
"""

from __future__ import annotations

from .errors import ParamError

# Below this difference between input and reference a secant slope is replaced by the gradient:
# the contribution it carries is then at most this small.
_SECANT_EPS = 1e-6
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D")


def check_deeplift_model(model) -> list:
    """The layers DeepLIFT walks through, in order; refuses models it cannot explain exactly.

    Supported: dropout (off), 1-D convolution and dense layers with ReLU or no activation,
    max pooling ('valid'), flatten, the concatenation of per-sequence features, and the Dense
    output layer (explained before its activation).

    Raises
    ------
    ParamError
        The model has recurrent layers or another layer type; the message names the layer.
    """
    plan = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _RECURRENT:
            raise ParamError(
                f"--method deeplift does not support recurrent models (layer {layer.name}: {kind}); the rescale "
                "rule here covers convolution, max pooling, dense and ReLU layers only. Use integrated-gradients, "
                "grad-input, saliency or ism for this model"
            )
        if kind == "InputLayer":
            continue
        activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
        if kind in ("Conv1D", "Dense") and layer.name != "output" and activation not in ("relu", "linear"):
            raise ParamError(f"--method deeplift: layer {layer.name} has activation {activation}; only ReLU is "
                             "supported; use integrated-gradients or ism")
        if kind == "MaxPooling1D" and layer.padding != "valid":
            raise ParamError(f"--method deeplift: pooling layer {layer.name} uses padding {layer.padding!r}; "
                             "only 'valid' is supported")
        if kind not in ("Dropout", "Conv1D", "MaxPooling1D", "Flatten", "Concatenate", "Dense"):
            raise ParamError(f"--method deeplift: layer {layer.name} ({kind}) is not supported; use "
                             "integrated-gradients or ism")
        plan.append(layer)
    if not plan or plan[-1].name != "output":
        raise ParamError("--method deeplift: the model must end with its Dense layer 'output'")
    return plan


def _relu_rescale(z, z_ref, activation: str):
    """ReLU replaced by its secant through the input's and the reference's activations."""
    import tensorflow as tf

    if activation == "linear":
        return z, z_ref
    out, out_ref = tf.nn.relu(z), tf.nn.relu(z_ref)
    delta = z - z_ref
    large = tf.abs(delta) > _SECANT_EPS
    # Where input and reference nearly agree the slope is the gradient at their midpoint.
    midpoint = tf.cast(z + z_ref > 0, z.dtype)
    slope = tf.stop_gradient(tf.where(large, (out - out_ref) / tf.where(large, delta, 1.0), midpoint))
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


class DeepLift:
    """Target logits of input and reference through the network with DeepLIFT's rescale rule."""

    def __init__(self, model):
        import keras
        import tensorflow as tf

        self.plan = check_deeplift_model(model)
        self.has_features = "features" in [tensor.name for tensor in model.inputs]

        def forward(sequence, reference, features, targets):
            x, x_ref = sequence, reference
            for layer in self.plan:
                kind = type(layer).__name__
                if kind == "Conv1D" or (kind == "Dense" and layer.name != "output"):
                    if kind == "Conv1D":
                        z, z_ref = layer.convolution_op(x, layer.kernel), layer.convolution_op(x_ref, layer.kernel)
                    else:
                        z, z_ref = keras.ops.matmul(x, layer.kernel), keras.ops.matmul(x_ref, layer.kernel)
                    if layer.bias is not None:
                        z, z_ref = z + layer.bias, z_ref + layer.bias
                    x, x_ref = _relu_rescale(z, z_ref, layer.activation.__name__)
                elif kind == "MaxPooling1D":
                    x, x_ref = _maxpool_rescale(x, x_ref, layer.pool_size[0], layer.strides[0])
                elif kind == "Flatten":
                    x, x_ref = tf.reshape(x, [tf.shape(x)[0], -1]), tf.reshape(x_ref, [tf.shape(x_ref)[0], -1])
                elif kind == "Concatenate":
                    x, x_ref = tf.concat([x, features], axis=-1), tf.concat([x_ref, features], axis=-1)
                elif kind == "Dense":  # the output layer: its logit, before the softmax/sigmoid
                    kernel = tf.gather(layer.kernel, targets, axis=1)  # (hidden, n)
                    logit = tf.reduce_sum(x * tf.transpose(kernel), axis=1)
                    logit_ref = tf.reduce_sum(x_ref * tf.transpose(kernel), axis=1)
                    if layer.bias is not None:
                        bias = tf.gather(layer.bias, targets)
                        logit, logit_ref = logit + bias, logit_ref + bias
                    return logit, logit_ref
            raise AssertionError("unreachable: the plan ends with the output layer")

        def multipliers(sequence, reference, features, targets):
            with tf.GradientTape() as tape:
                tape.watch(sequence)
                logit, logit_ref = forward(sequence, reference, features, targets)
                total = tf.reduce_sum(logit)
            return tape.gradient(total, sequence), logit, logit_ref

        self._multipliers = tf.function(multipliers, reduce_retracing=True)

    def __call__(self, sequence, reference, features, targets):
        """Attributions ``multiplier * (sequence - reference)`` and both logits."""
        import tensorflow as tf

        features = (tf.convert_to_tensor(features, dtype=tf.float32) if self.has_features
                    else tf.zeros((len(sequence), 0), dtype=tf.float32))
        grads, logit, logit_ref = self._multipliers(
            tf.convert_to_tensor(sequence, dtype=tf.float32), tf.convert_to_tensor(reference, dtype=tf.float32),
            features, tf.constant(targets, dtype=tf.int32))
        return grads.numpy() * (sequence - reference), logit.numpy(), logit_ref.numpy()
