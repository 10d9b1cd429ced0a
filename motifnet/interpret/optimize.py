"""Inputs that maximise one node of a layer, learnt by gradient ascent (pysster's visualize_optimized_inputs).

For each chosen node an input is learnt from a small random start so that the node's value
rises, while an L2 penalty keeps the input from growing without bound. A softmax over the
channels at each position turns the learnt input into a position weight matrix, drawn as a
logo: what the node "wants to see". All nodes are optimised together, one row of a batch each.

Each input starts uniform in [-``bound``, ``bound``] and follows the gradient of

    objective = node value - ``l2`` * sum(input ** 2)

for ``steps`` plain gradient-ascent steps (no momentum) of length ``lr``: each step adds
``lr`` times the gradient divided by its root mean square over that input's elements.
The raw gradients of different layers differ by orders of magnitude (a mean over many
positions is tiny, a logit is large), so fixed-length steps make ``bound``, ``lr`` and
``steps`` mean the same thing for every layer; the Keras filter-visualisation example
normalises its gradients the same way. With raw gradients and the default ``lr``, the
``conv_1`` inputs of a model of 100 positions move by less than 0.3 in 600 steps and
their logos stay blank.

The node value is:

- for layers with 3-D output (convolution, pooling, RNN returning sequences): the maximum of
  the node's channel over all positions, as motifnet's networks pool it. pysster took the mean,
  which is largest for the letter with the largest summed kernel weight repeated at every
  position: homopolymers that switch the kernel on nowhere (a kernel of AGATAAGG gave A...A).
  The maximum learns a site: the logo holds the node's motif where it fires, flat elsewhere;
- for Dense layers with a non-linear activation, the ``output`` layer included: the value
  before the activation (``layer input @ kernel + bias``, a logit for the output layer).
  A softmax saturates, so its gradient vanishes once the class wins, and a class's
  probability can also rise by lowering the other classes' logits, which teaches nothing
  about the class itself; a sigmoid saturates too; a ReLU has no gradient while the unit is
  off. The pre-activation is monotone in the output and has none of these problems;
- otherwise (dropout, flatten, concatenation, an RNN's last state): the unit's output.

The ``l2`` penalty keeps inputs bounded and near the scale of the one-hot inputs the network
was trained on: with ReLU networks the node value is piecewise linear in the input, so
without a penalty the input keeps growing along a fixed direction and the logo saturates.
The input settles where the node's gradient equals ``2 * l2 * input``, so the same ``l2``
restrains layers with small gradients (a mean over many positions) more than layers with
large ones (logits). The default, 0.001, was chosen on a model trained on the DNA sample
data (100 positions, 20 kernels of width 12), with the mean over positions as the value of a
``conv_1`` node; with the maximum, the AP-1, ETS and GATA kernels of such a model give inputs
whose most probable letters are their sites (as one-hot sequences they switch the kernels on
at 0.66 to 0.89, more than the best of 200 random sequences).
Dense and output layers are barely restrained at 0.001 (inputs up to several tens); use
0.01 there for inputs closer to one-hot scale.
"""

from __future__ import annotations

import logging
import math
import operator

import numpy as np

from .._signals import check_stop
from .._validate import check_indices
from ..errors import OptionValueError, ParamError

log = logging.getLogger("motifnet")

#: Default weight of the L2 penalty (see :func:`optimize_inputs`).
DEFAULT_L2 = 1e-3
#: How often (in steps) ``progress`` is called.
PROGRESS_EVERY = 50
#: The most gradient steps (the default is 600): a larger number is far more likely a typo than a wish.
MAX_STEPS = 100_000
# The inputs are learnt in 32-bit floats.
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Names of activations that leave a Dense layer's value unchanged.
_LINEAR = ("linear", "identity")


def _input_names(model) -> list:
    return [tensor.name for tensor in model.inputs]


def _layer_names(model) -> list:
    """Layers that can be optimised: every layer but the model's inputs."""
    inputs = set(_input_names(model))
    return [layer.name for layer in model.layers if layer.name not in inputs and type(layer).__name__ != "InputLayer"]


def _get_layer(model, layer_name: str):
    names = _layer_names(model)
    if layer_name not in names:
        what = ("is an input of the model, which is what gets optimised" if layer_name in {layer.name for layer in
                model.layers} else "is not a layer of the model")
        raise ParamError(f"layer {layer_name!r} {what}; choose one of: {', '.join(names)}")
    return model.get_layer(layer_name)


def layer_nodes(model, layer_name: str) -> int:
    """Number of nodes of a layer: the last dimension of its output.

    Parameters
    ----------
    model : keras.Model
    layer_name : str
        A layer of ``model`` other than its inputs (``conv_1``, ``dense_1``, ``output``...).

    Returns
    -------
    int

    Raises
    ------
    ParamError
        ``layer_name`` is not a layer of the model; the message lists the valid names.
    """
    return int(_get_layer(model, layer_name).output.shape[-1])


def uses_pre_activation(layer) -> bool:
    """Whether the node value of ``layer`` is taken before its activation (Dense or sparse, non-linear)."""
    import keras

    from ..model.layers import SparselyConnected

    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    return isinstance(layer, (keras.layers.Dense, SparselyConnected)) and name not in _LINEAR


def _node_function(model, layer):
    """A function from model inputs to the value of every node of ``layer``, shape=(n, nodes)."""
    import keras

    if uses_pre_activation(layer):
        before = keras.Model(model.inputs, layer.input)

        def values(inputs):
            hidden = before(inputs, training=False)
            if hasattr(layer, "pre_activation"):  # SparselyConnected: x @ (A * W) + b
                return layer.pre_activation(hidden)
            logits = keras.ops.matmul(hidden, layer.kernel)
            return logits + layer.bias if layer.bias is not None else logits
    else:
        after = keras.Model(model.inputs, layer.output)

        def values(inputs):
            output = after(inputs, training=False)
            # 3-D outputs (convolution, pooling, RNN sequences): one value per channel, its maximum over
            # positions, as the network's global pooling reads it. The mean over positions (pysster's) is
            # largest for one letter repeated, the one with the largest summed weight of the kernel:
            # homopolymers that activate no site.
            return keras.ops.max(output, axis=1) if len(output.shape) == 3 else output
    return values


def _sequence_index(model) -> int:
    names = _input_names(model)
    return names.index("sequence") if "sequence" in names else 0


def _model_inputs(model, sequence):
    """Model inputs with ``sequence`` for the sequence and zeros for every other input (features)."""
    import tensorflow as tf

    sequence_index = _sequence_index(model)
    rows = tf.shape(sequence)[0]
    inputs = []
    for index, tensor in enumerate(model.inputs):
        if index == sequence_index:
            inputs.append(sequence)
        else:
            inputs.append(tf.zeros(tf.concat([[rows], tensor.shape[1:]], axis=0), dtype=sequence.dtype))
    return inputs if len(inputs) > 1 else inputs[0]


def _check_nodes(nodes, n_nodes: int, layer_name: str, prefix: str = "") -> list:
    """The distinct node numbers, in the order given (a node given twice is optimised once).

    ``prefix`` goes before ``nodes`` in messages (the command line gives ``--``).
    """
    valid = f"layer {layer_name!r} has {n_nodes} node(s), numbered 0 to {n_nodes - 1}"
    if nodes is None:
        return list(range(n_nodes))
    checked = check_indices(nodes, n_nodes, f"{prefix}nodes", ("node", "node numbers", "node"), valid)
    return list(dict.fromkeys(checked))


def _check_positive(name: str, value, integer: bool = False):
    kind = "an integer" if integer else "a finite number"
    try:
        checked = operator.index(value) if integer else float(value)
    except (TypeError, ValueError):
        raise OptionValueError(f"{name} must be {kind} above 0, received: {value!r}") from None
    if not (math.isfinite(checked) and checked > 0):
        raise OptionValueError(f"{name} must be {kind} above 0, received: {value!r}")
    if not integer and checked > _FLOAT32_MAX:  # the inputs are 32-bit floats: it would be infinite there
        raise OptionValueError(f"{name} must be at most {_FLOAT32_MAX:.3g} (the largest 32-bit float), "
                               f"received: {value!r}")
    return checked


def _input_shape(model, length, channels) -> tuple:
    shape = tuple(model.inputs[_sequence_index(model)].shape[1:])
    checked = []
    for name, given, fixed in (("length", length, shape[0]), ("channels", channels, shape[1])):
        if given is None:
            if fixed is None:
                raise ParamError(f"{name}: the model's input has no fixed {name}; give one")
            given = fixed
        given = _check_positive(name, given, integer=True)
        if fixed is not None and given != fixed:
            raise ParamError(f"{name}: the model takes inputs of {name} {fixed}, received: {given}")
        checked.append(given)
    return tuple(checked)


def random_inputs(n: int, length: int, channels: int, bound: float = 0.1, seed: int = 0) -> np.ndarray:
    """The starting point of :func:`optimize_inputs`: uniform in [-bound, bound], seeded.

    Returns
    -------
    numpy.ndarray of float32, shape=(n, length, channels)
    """
    rng = np.random.default_rng(seed)
    return rng.uniform(-bound, bound, size=(n, length, channels)).astype(np.float32)


def node_values(model, layer_name: str, inputs: np.ndarray, nodes: list[int] | None = None) -> np.ndarray:
    """The values :func:`optimize_inputs` maximises, for every input and node.

    Parameters
    ----------
    model : keras.Model
    layer_name : str
    inputs : numpy.ndarray, shape=(n, length, channels)
        Sequence inputs; any other model input (``features``) is fed zeros.
    nodes : list of int or None
        Nodes to report. Default is None (all).

    Returns
    -------
    numpy.ndarray, shape=(n, len(nodes))
        The maximum over positions of a channel for 3-D outputs, the value before the activation
        for Dense layers with a non-linear activation, the unit's output otherwise.
    """
    import tensorflow as tf

    layer = _get_layer(model, layer_name)
    nodes = _check_nodes(nodes, int(layer.output.shape[-1]), layer_name)
    values = _node_function(model, layer)
    sequence = tf.convert_to_tensor(np.asarray(inputs, dtype=np.float32))
    return np.asarray(values(_model_inputs(model, sequence)))[:, nodes]


def optimize_inputs(model, layer_name: str, nodes: list[int] | None = None, length: int | None = None,
                    channels: int | None = None, bound: float = 0.1, lr: float = 0.02, steps: int = 600,
                    l2: float = DEFAULT_L2, seed: int = 0, progress=None, restarts: int = 2) -> np.ndarray:
    """Learn, for each node, an input that maximises the node's value.

    A node whose value does not rise (a ReLU path that is off for the whole random start has
    no gradient), or whose input ends without any preference (below 0.25 bits at every
    position: the value rose only by switching other paths off), is started again from a three
    times wider start (seeded ``seed + 1``, then ``seed + 2``...), up to ``restarts`` times (by
    default twice: from a ``bound`` of 0.1, again at 0.3 and at 0.9; each restart is logged at
    info level). Nodes that still do not respond are named in a warning that says every bound
    tried, so that no row of the result is left blank silently.

    The objective, the node value of each kind of layer and the ``l2`` penalty are described in
    the module's documentation.

    The model runs in inference mode (dropout off); inputs other than the sequence (the
    ``features`` input of models trained with per-sequence features) are fed zeros: the
    training mean of standardised numeric features, no category of one-hot categorical ones.
    All nodes are optimised at once, one row per node. On a CPU the result depends only on
    ``seed``.

    Parameters
    ----------
    model : keras.Model
    layer_name : str
        A layer of ``model`` other than its inputs.
    nodes : list of int or None
        Nodes of the layer (0-based, last axis of its output; a node given twice is optimised
        once). Default is None (all nodes).
    length, channels : int or None
        Shape of one input; default is the model's input shape (which they must match).
    bound : float
        Half-width of the uniform random start. Default is 0.1.
    lr : float
        Length of each step (root mean square per input element). Default is 0.02.
    steps : int
        Number of steps. Default is 600.
    l2 : float
        Weight of the L2 penalty, at least 0. Default is 0.001.
    seed : int
        Seed of the random start. Default is 0.
    progress : callable or None
        Called as ``progress(step, steps)`` every 50 steps and after the last one (of the first
        ascent; restarts are not reported).
    restarts : int
        How many times nodes that did not respond start again, each time from a start three times
        wider; at least 0. Default is 2.

    Returns
    -------
    numpy.ndarray of float32, shape=(distinct nodes, length, channels)
        The learnt inputs, in the order of ``nodes``.

    Raises
    ------
    ParamError
        Unknown layer, nodes out of range, ``bound``, ``lr`` or ``steps`` not above 0, ``l2`` or
        ``restarts`` negative, a shape the model does not take, or inputs that overflow
        (``bound`` or ``lr`` far too large).
    StopRequested
        A signal asked to stop (see :mod:`motifnet._signals`); checked every 50 steps.
    """

    layer = _get_layer(model, layer_name)
    n_nodes = int(layer.output.shape[-1])
    nodes = _check_nodes(nodes, n_nodes, layer_name)
    bound, lr, steps, l2 = check_settings(bound, lr, steps, l2)
    restarts = _check_restarts(restarts)
    length, channels = _input_shape(model, length, channels)

    result, stuck, values = _attempt(model, layer, nodes, n_nodes, (length, channels), bound, (lr, steps, l2), seed,
                                     progress)
    bounds = [bound]
    while stuck and len(bounds) <= restarts:
        wider = 3 * bounds[-1]
        log.info("layer %s: node(s) %s did not respond from [-%g, %g]; starting them again from [-%g, %g]",
                 layer_name, ", ".join(map(str, stuck)), bounds[-1], bounds[-1], wider, wider)
        again, still, again_values = _attempt(model, layer, stuck, n_nodes, (length, channels), wider,
                                              (lr, steps, l2), seed + len(bounds), None)
        for row, value, node in zip(again, again_values, stuck):
            result[nodes.index(node)], values[nodes.index(node)] = row, value
        revived = [node for node in stuck if node not in still]
        if revived:  # else a user read "starting them again" and never learnt whether it worked
            log.info("layer %s: node(s) %s responded when started from [-%g, %g]", layer_name,
                     ", ".join(map(str, revived)), wider, wider)
        bounds.append(wider)
        stuck = still
    if stuck:
        log.warning(
            "layer %s: node(s) %s did not respond: their value did not rise from the random start (a ReLU "
            "that is off everywhere has no gradient, or no letter raised it), so their logos show no preference; "
            "tried %s; a larger bound starts from inputs that are more likely to switch them on",
            layer_name, ", ".join(str(node) for node in stuck), _tried(bounds))
    off = [node for node, value in zip(nodes, values) if node not in stuck and value <= 0]
    if off and uses_pre_activation(layer) and getattr(layer.activation, "__name__", "") == "relu":
        log.warning("layer %s: node(s) %s stay off at their learnt inputs (the value before the ReLU rose, but to %s, "
                    "below 0): their logos show what comes closest to switching them on, not an input that does",
                    layer_name, ", ".join(map(str, off)),
                    ", ".join(f"{value:.3g}" for node, value in zip(nodes, values) if node in off))
    return result


def _check_restarts(restarts) -> int:
    try:
        checked = operator.index(restarts)
    except TypeError:
        raise ParamError(f"restarts must be an integer of at least 0, received: {restarts!r}") from None
    if checked < 0:
        raise ParamError(f"restarts must be an integer of at least 0, received: {restarts!r}")
    return checked


def _attempt(model, layer, nodes: list, n_nodes: int, shape: tuple, bound: float, ascent: tuple, seed: int,
             progress) -> tuple:
    """One ascent of ``nodes`` from a start in [-bound, bound]: the inputs, the nodes that did not respond, and the
    nodes' values at the inputs.

    A node did not respond when its value did not rise or its input shows no letter preference.
    """
    lr, steps, l2 = ascent
    start = random_inputs(len(nodes), *shape, bound, seed)
    before, after, result = _ascend(model, layer, nodes, n_nodes, start, lr, steps, l2, progress)
    overflowed = [node for node, end, x in zip(nodes, after, result) if not (np.isfinite(end) and np.isfinite(x).all())]
    if overflowed:
        raise ParamError(f"layer {layer.name}: the inputs of node(s) {', '.join(map(str, overflowed))} grew beyond the "
                         f"range of 32-bit floats (bound {bound:g}, lr {lr:g}); give a smaller lr and bound")
    stuck = [node for node, start, end, x in zip(nodes, before, after, result)
             if not end - start > 1e-6 * max(1.0, abs(start)) or _flat(x)]
    return result, stuck, [float(value) for value in after]


#: Restart counts in words, as the warning says them.
_COUNTS = {1: "one restart", 2: "two restarts", 3: "three restarts"}


def _tried(bounds: list) -> str:
    """What was tried, for the warning: ``bound 0.1 and two restarts at 0.3 and 0.9``."""
    first, *wider = bounds
    if not wider:
        return f"bound {first:g} and no restart"
    values = [f"{bound:g}" for bound in wider]
    at = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]
    return f"bound {first:g} and {_COUNTS.get(len(wider), f'{len(wider)} restarts')} at {at}"


def check_settings(bound, lr, steps, l2=DEFAULT_L2, prefix: str = "") -> tuple:
    """The settings of :func:`optimize_inputs`, checked: cheap, so callers can check them before loading a model.

    Parameters
    ----------
    bound, lr : float
        Finite and above 0.
    steps : int
        1 to :data:`MAX_STEPS`.
    l2 : float
        Finite and at least 0. Default is :data:`DEFAULT_L2`.
    prefix : str
        Put before each name in messages: ``"--"`` names the command-line options. Default is "".

    Returns
    -------
    (bound, lr, steps, l2)

    Raises
    ------
    ParamError
        The first setting out of range, named, with the value received.
    """
    bound, lr, steps = (_check_positive(f"{prefix}bound", bound), _check_positive(f"{prefix}lr", lr),
                        _check_positive(f"{prefix}steps", steps, integer=True))
    if steps > MAX_STEPS:
        raise OptionValueError(f"{prefix}steps must be at most {MAX_STEPS:,}, received: {steps}")
    try:
        l2 = float(l2)
    except (TypeError, ValueError):
        raise ParamError(f"{prefix}l2 must be a finite number of at least 0, received: {l2!r}") from None
    if not (math.isfinite(l2) and l2 >= 0):
        raise ParamError(f"{prefix}l2 must be a finite number of at least 0, received: {l2!r}")
    return bound, lr, steps, l2


def _ascend(model, layer, nodes: list, n_nodes: int, start: np.ndarray, lr: float, steps: int, l2: float,
            progress) -> tuple:
    """Normalised gradient ascent from ``start``; the chosen nodes' values before and after, and the inputs."""
    import tensorflow as tf

    values = _node_function(model, layer)
    inputs = tf.Variable(start)
    # Row i maximises node nodes[i]: a one-hot mask picks it from all the layer's values.
    mask = tf.one_hot(nodes, n_nodes, dtype=tf.float32)

    @tf.function
    def ascend(n_steps):
        for _ in tf.range(n_steps):
            with tf.GradientTape() as tape:
                chosen = tf.reduce_sum(values(_model_inputs(model, inputs)) * mask, axis=1)
                # Rows are independent, so the gradient of the sum is each row's own gradient.
                total = tf.reduce_sum(chosen - l2 * tf.reduce_sum(tf.square(inputs), axis=[1, 2]))
            gradient = tape.gradient(total, inputs)
            rms = tf.sqrt(tf.reduce_mean(tf.square(gradient), axis=[1, 2], keepdims=True))
            inputs.assign_add(lr * gradient / (rms + 1e-12))

    def chosen_values():
        return (values(_model_inputs(model, inputs)) * mask).numpy().sum(axis=1)

    before = chosen_values()
    done = 0
    while done < steps:
        check_stop()  # a signal stops between chunks of steps
        chunk = min(PROGRESS_EVERY, steps - done)
        ascend(tf.constant(chunk))
        done += chunk
        if progress is not None:
            progress(done, steps)
    return before, chosen_values(), inputs.numpy()


def _flat(x: np.ndarray, bits: float = 0.25) -> bool:
    """Whether an optimised input shows no letter preference anywhere (every position < ``bits``)."""
    from .._pwm import information_matrix

    return bool(information_matrix(input_to_pwm(x)).sum(axis=1).max() < bits)


def input_to_pwm(x: np.ndarray) -> np.ndarray:
    """Softmax over the channels at each position: a learnt input as a position weight matrix.

    For sequence+structure inputs the channels are letter pairs; the caller sums the PWM over
    structure (or sequence) letters to draw each alphabet on its own.

    Parameters
    ----------
    x : numpy.ndarray, shape=(..., length, channels)

    Returns
    -------
    numpy.ndarray of float64, same shape
        Non-negative, summing to 1 over the last axis.
    """
    x = np.asarray(x, dtype=np.float64)
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def sequence_pwms(x: np.ndarray, encoder) -> tuple:
    """PWMs of learnt inputs for drawing: sequence letters, and structure letters when the model has them.

    The softmax of :func:`input_to_pwm` runs over the channels made from sequence (and structure)
    only; track channels, appended after them, are left out. Sequence+structure channels are
    letter pairs (channel ``i * S + j``), so each alphabet is a sum over the other.

    Parameters
    ----------
    x : numpy.ndarray, shape=(nodes, length, channels)
    encoder : motifnet.data.encoding.Encoder
        The encoder of the run's data.

    Returns
    -------
    (sequence, structure)
        shape=(nodes, length, letters) and shape=(nodes, length, structure_letters), or None
        without structure.
    """
    pwm = input_to_pwm(np.asarray(x)[..., : encoder.channels])
    if encoder.structure is None:
        return pwm, None
    joint = pwm.reshape(pwm.shape[:2] + (len(encoder.alphabet.letters), len(encoder.structure.letters)))
    return joint.sum(axis=3), joint.sum(axis=2)
