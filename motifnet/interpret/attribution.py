"""Attribution maps: how much each position and letter of a sequence drives one output of the network.

Every method explains the *logit* of a target class: the pre-activation value of the output
layer (``hidden @ kernel + bias``, the input of its softmax or sigmoid). Probabilities saturate
near 0 and 1, and a softmax probability can rise only because other classes fall; the logit
has neither problem and is what the completeness property of integrated gradients and
DeepLIFT is stated for.

=========================  ===================================================================
``saliency``               ``|d logit / d input|`` at every position and letter (no baseline)
``grad-input``             ``d logit / d input * input``: for one-hot input, the gradient of
                           the observed letter (no baseline)
``integrated-gradients``   ``(input - baseline) *`` the mean gradient on the straight path from
                           the baseline (midpoint rule: the gradient at the centres of
                           ``steps`` equal intervals); sums to ``logit(input) -
                           logit(baseline)`` ever more closely as steps grow
``deeplift``               DeepLIFT's rescale rule: every ReLU's (and exponential's) gradient is
                           replaced by the secant ``(f(z) - f(z')) / (z - z')`` between the
                           input's and the baseline's activations, and every max-pooling
                           window passes the change of its maximum to one unit; sums to ``logit(input) -
                           logit(baseline)`` exactly (up to rounding)
``ism``                    in-silico mutagenesis: ``logit(mutant) - logit(input)`` for every
                           single-letter substitution; 0 for the observed letter
=========================  ===================================================================

Baselines (integrated gradients and DeepLIFT) replace the sequence (and structure) channels
only; position-wise track channels and per-sequence features stay as in the input, so they
get no attribution. ``zeros``: no letter at all. ``uniform``: every channel ``1 / channels``
(for sequence+structure models the product alphabet, ``1 / (A * S)``). ``shuffle``: a
dinucleotide-preserving shuffle of the sequence itself (of the joint sequence+structure
symbols); the attributions are averaged over several shuffles.

Everything runs in batches of at most ``batch_size`` model inputs, so memory stays bounded
however many sequences, steps, references or mutants there are.
"""

from __future__ import annotations

import logging
import operator
from dataclasses import dataclass

import numpy as np

from .._signals import check_stop
from .._validate import name_or_index
from ..data.shuffle import dinucleotide_shuffle, dinucleotide_shuffle_order  # noqa: F401 (re-exported)
from ..errors import OptionValueError, ParamError
from ._deeplift import DeepLift, check_deeplift_model  # noqa: F401 (check_deeplift_model is public here)

log = logging.getLogger("motifnet")

METHODS = ("saliency", "grad-input", "integrated-gradients", "deeplift", "ism")
BASELINES = ("zeros", "uniform", "shuffle")
#: Methods that compare the input with a baseline.
BASELINE_METHODS = ("integrated-gradients", "deeplift")
DEFAULT_STEPS = 50
DEFAULT_SHUFFLES = 10
# Every step and shuffle is held in memory for a record at a time (the path's logits, the references):
# far above any useful number (integrated gradients converge within a few hundred steps), and
# far below what would exhaust the memory or run for days.
MAX_STEPS = 10_000
MAX_SHUFFLES = 1_000


# -- options ----------------------------------------------------------------------------------------

@dataclass
class AttributionConfig:
    """What ``motifnet attribute`` computes.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    target : int, str or None
        Class (0-based index or name) whose logit is explained; None: each sequence's predicted
        class (the highest probability).
    baseline : str or None
        One of :data:`BASELINES` (integrated gradients and DeepLIFT only); None: ``zeros``.
    steps : int or None
        Points on the integration path (integrated gradients only), 1 to :data:`MAX_STEPS`; None: 50.
    shuffles : int or None
        Shuffled references per sequence (``shuffle`` baseline only), 1 to :data:`MAX_SHUFFLES`; None: 10.
    seed : int
        Seed of the shuffles. Default is 0.
    batch_size : int
        Model inputs per forward pass. Default is 256.
    """

    method: str
    target: object = None
    baseline: str | None = None
    steps: int | None = None
    shuffles: int | None = None
    seed: int = 0
    batch_size: int = 256

    def checked(self) -> AttributionConfig:
        """A copy with defaults filled in; refuses options that do not go together.

        Raises
        ------
        ParamError
        """
        if self.method not in METHODS:
            raise OptionValueError(f"--method must be one of {', '.join(METHODS)}, received: {self.method!r}")
        uses_baseline = self.method in BASELINE_METHODS
        if self.baseline is not None and not uses_baseline:
            raise OptionValueError(
                f"--baseline is used by {' and '.join(BASELINE_METHODS)} only; {self.method} compares with no "
                f"baseline (received --baseline {self.baseline})"
            )
        baseline = self.baseline or ("zeros" if uses_baseline else None)
        if baseline is not None and baseline not in BASELINES:
            raise OptionValueError(f"--baseline must be one of {', '.join(BASELINES)}, received: {baseline!r}")
        if self.steps is not None and self.method != "integrated-gradients":
            raise OptionValueError(f"--steps is used by integrated-gradients only, received it with --method "
                                   f"{self.method}")
        steps = _check_int("--steps", DEFAULT_STEPS if self.steps is None else self.steps, 1, MAX_STEPS)
        if self.shuffles is not None and baseline != "shuffle":
            raise OptionValueError(f"--shuffles is used with --baseline shuffle only (baseline: {baseline or 'none'})")
        shuffles = _check_int("--shuffles", DEFAULT_SHUFFLES if self.shuffles is None else self.shuffles, 1,
                              MAX_SHUFFLES)
        return AttributionConfig(self.method, self.target, baseline,
                                 steps if self.method == "integrated-gradients" else None,
                                 shuffles if baseline == "shuffle" else None,
                                 _check_int("--seed", self.seed, 0), _check_int("--batch-size", self.batch_size, 1))


def _check_int(name: str, value, minimum: int | None, maximum: int | None = None) -> int:
    try:
        checked = operator.index(value)
    except TypeError:
        raise OptionValueError(f"{name} must be an integer, received: {value!r}") from None
    if minimum is not None and checked < minimum:
        raise OptionValueError(f"{name} must be at least {minimum}, received: {checked}")
    if maximum is not None and checked > maximum:
        raise OptionValueError(f"{name} must be at most {maximum}, received: {checked}")
    return checked


def resolve_target(target, class_names, task: str = "classification") -> int | None:
    """The class index of ``--target``: a class name, or a 0-based index (a name wins).

    ``class_names`` are the model's outputs: its classes, or the targets of a regression model (``task``
    ``"regression"``), as the messages then call them.

    Returns
    -------
    int or None
        None when ``target`` is None (each sequence's predicted class).

    Raises
    ------
    ParamError
        Neither a class name nor an index in range; the message lists the classes.
    """
    if target is None:
        return None
    names = [str(name) for name in class_names]
    noun = "target" if task == "regression" else "class"
    text = str(target).strip()
    listing = ", ".join(f"{i} {name}" for i, name in enumerate(names))
    try:
        index = name_or_index(text, names)
    except ValueError:
        raise ParamError(f"--target {text!r} is not a {noun} of the model; give a {noun} name or a 0-based "
                         f"index: {listing}") from None
    if not 0 <= index < len(names):
        counted = f"{len(names)} {noun}" + ("" if len(names) == 1 else "es" if noun == "class" else "s")
        numbers = "number 0" if len(names) == 1 else f"numbered 0 to {len(names) - 1}"  # not "numbered 0 to 0"
        raise ParamError(f"--target {index} is out of range: the model has {counted}, {numbers}: {listing}")
    return index


# -- the model's target logit -------------------------------------------------------------------------

class TargetLogits:
    """The target logit of a motifnet model and its gradient, batch by batch."""

    def __init__(self, model):
        import keras
        import tensorflow as tf

        self.model = model
        names = [layer.name for layer in model.layers]
        if "output" not in names or type(model.get_layer("output")).__name__ != "Dense":
            raise ParamError("the model has no Dense layer named 'output'; attribution needs a motifnet model")
        output = model.get_layer("output")
        self.before = keras.Model(model.inputs, output.input)
        self.kernel, self.bias = output.kernel, output.bias
        self.input_names = [tensor.name for tensor in model.inputs]

        def logits(inputs, targets):
            hidden = self.before(inputs, training=False)
            values = keras.ops.matmul(hidden, self.kernel)
            if self.bias is not None:
                values = values + self.bias
            return tf.gather(values, targets, axis=1, batch_dims=1)

        def gradients(inputs, targets):
            with tf.GradientTape() as tape:
                tape.watch(inputs["sequence"])
                values = logits(inputs, targets)
                # Rows are independent (inference mode), so the gradient of the sum is each row's own.
                total = tf.reduce_sum(values)
            return tape.gradient(total, inputs["sequence"]), values

        self._logits = tf.function(logits, reduce_retracing=True)
        self._gradients = tf.function(gradients, reduce_retracing=True)

    def _feed(self, sequence, features):
        import tensorflow as tf

        inputs = {"sequence": tf.convert_to_tensor(sequence, dtype=tf.float32)}
        if "features" in self.input_names:
            inputs["features"] = tf.convert_to_tensor(features, dtype=tf.float32)
        return inputs

    def logits(self, sequence, features, targets) -> np.ndarray:
        import tensorflow as tf

        return self._logits(self._feed(sequence, features), tf.constant(targets, dtype=tf.int32)).numpy()

    def gradients(self, sequence, features, targets):
        import tensorflow as tf

        grads, values = self._gradients(self._feed(sequence, features), tf.constant(targets, dtype=tf.int32))
        return grads.numpy(), values.numpy()


# -- baselines -----------------------------------------------------------------------------------------------

def make_references(dataset, rows, sequence: np.ndarray, baseline: str, shuffles: int = 1, seed: int = 0,
                    first_index: int = 0) -> np.ndarray:
    """Baseline inputs for the records ``rows`` of ``dataset``.

    Parameters
    ----------
    dataset : motifnet.data.dataset.Dataset
    rows : slice or numpy.ndarray
        The records (their sequence inputs are ``sequence``).
    sequence : numpy.ndarray, shape=(b, length, channels)
        The model inputs of those records.
    baseline : {'zeros', 'uniform', 'shuffle'}
    shuffles : int
        References per record for ``shuffle`` (1 for the others).
    seed : int
        Seed of the shuffles; record ``i`` of the whole selection (``first_index`` + its row in
        the batch) is shuffled with the generator seeded by ``(seed, i)``, so the result does
        not depend on the batch size.

    Returns
    -------
    numpy.ndarray of float32, shape=(b, references, length, channels)
        Track channels (after the sequence channels) are those of the input.
    """
    encoder = dataset.encoder
    channels = encoder.channels
    count = shuffles if baseline == "shuffle" else 1
    references = np.repeat(sequence[:, None], count, axis=1).astype(np.float32)
    if baseline == "zeros":
        references[..., :channels] = 0.0
    elif baseline == "uniform":
        # the zeros a short record was padded with are no letters: they stay zeros
        letters = encoder.holds_letters(sequence)
        references[..., :channels] = np.where(letters[:, None, :, None], np.float32(1.0 / channels), np.float32(0.0))
    else:
        codes = dataset.codes[rows]
        structure = dataset.structure[rows] if dataset.structure is not None else None
        for row in range(len(codes)):
            rng = np.random.default_rng([seed, first_index + row])
            orders = [_letters_shuffle_order(codes[row], rng) for _ in range(count)]
            shuffled_codes = np.stack([codes[row][order] for order in orders])
            shuffled_structure = (np.stack([structure[row][order] for order in orders])
                                  if structure is not None else None)
            references[row, :, :, :channels] = encoder.one_hot(shuffled_codes, shuffled_structure)
    return references


def _letters_shuffle_order(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """:func:`dinucleotide_shuffle_order` of a record's letters; its padding (code 0) stays where it is."""
    letters = np.flatnonzero(codes)
    if len(letters) == len(codes):
        return dinucleotide_shuffle_order(codes, rng)
    order = np.arange(len(codes))
    order[letters] = letters[dinucleotide_shuffle_order(codes[letters], rng)]
    return order


# -- the methods ------------------------------------------------------------------------------------------------

@dataclass
class Attributions:
    """Attribution maps of a set of sequences for one method.

    Attributes
    ----------
    values : numpy.ndarray of float32, shape=(n, length, channels)
        Per sequence, position and channel (model input channel; for ``ism`` each substitute
        letter, see ``channel_names``).
    scores : numpy.ndarray of float32, shape=(n, length)
        One number per position, drawn on the observed letter in logos: the sum over the
        sequence channels (grad-input, integrated gradients, DeepLIFT: the position's share of
        the completeness sum), the saliency of the observed letter, or for ISM minus the mean
        change over the substitutions (positive: the observed letter supports the target).
    targets : numpy.ndarray of int, shape=(n,)
    logits : numpy.ndarray of float32, shape=(n,)
        The target logit of each input.
    reference_logits : numpy.ndarray or None, shape=(n,)
        The target logit of the baseline (the mean over shuffled references), integrated
        gradients and DeepLIFT only.
    probabilities : numpy.ndarray of float32, shape=(n,)
        The predicted probability of the target class (regression: the predicted target value).
    channel_names : list of str
    config : AttributionConfig
    task : {'classification', 'regression'}
    """

    values: np.ndarray
    scores: np.ndarray
    targets: np.ndarray
    logits: np.ndarray
    reference_logits: np.ndarray | None
    probabilities: np.ndarray
    channel_names: list
    config: AttributionConfig
    task: str = "classification"


def ism_channel_names(encoder) -> list:
    """Names of the substitutes of :func:`attribute` with ``ism``: letters, or letter pairs."""
    if encoder.structure_mode == "pwm":
        return list(encoder.alphabet.letters)
    return encoder.channel_names


def _chunks(total: int, size: int):
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))


def _integrated_gradients(scorer, sequence, references, features, targets, steps, batch_size):
    """Mean over references of the integrated gradients; also the logits of input and reference."""
    b, count = references.shape[:2]
    # Midpoint rule: the gradient at the centres of `steps` equal intervals. The two ends are
    # evaluated as well (weight 0) for the logits of input and reference.
    alphas = np.concatenate([[0.0], (np.arange(steps) + 0.5) / steps, [1.0]]).astype(np.float32)
    weights = np.concatenate([[0.0], np.full(steps, 1.0 / steps), [0.0]]).astype(np.float32)
    steps = len(alphas)
    total = np.zeros(references.shape, dtype=np.float32)
    logit_at = np.zeros((b, count, steps), dtype=np.float32)
    # Every (record, reference, step) is one model input; they are evaluated batch_size at a time.
    for chunk in _chunks(b * count * steps, batch_size):
        record, reference, step = np.unravel_index(np.arange(chunk.start, chunk.stop), (b, count, steps))
        start = references[record, reference]
        points = start + alphas[step][:, None, None] * (sequence[record] - start)
        grads, values = scorer.gradients(points, features[record] if features is not None else None,
                                         targets[record])
        np.add.at(total, (record, reference), weights[step][:, None, None] * grads)
        logit_at[record, reference, step] = values
    values = (total * (sequence[:, None] - references)).mean(axis=1)
    return values, logit_at[:, :, -1].mean(axis=1), logit_at[:, :, 0].mean(axis=1)


def _deeplift(explainer, sequence, references, features, targets, batch_size):
    b, count = references.shape[:2]
    values = np.zeros(references.shape, dtype=np.float32)
    logits = np.zeros((b, count), dtype=np.float32)
    reference_logits = np.zeros((b, count), dtype=np.float32)
    for chunk in _chunks(b * count, batch_size):
        record, reference = np.unravel_index(np.arange(chunk.start, chunk.stop), (b, count))
        contribution, logit, logit_ref = explainer(sequence[record], references[record, reference],
                                                   features[record] if features is not None else None,
                                                   targets[record])
        values[record, reference] = contribution
        logits[record, reference] = logit
        reference_logits[record, reference] = logit_ref
    return values.mean(axis=1), logits.mean(axis=1), reference_logits.mean(axis=1)


def _substitutes(encoder, sequence):
    """Per record, position and substitute: the sequence channels it sets, and which one is observed.

    Returns ``(vectors, observed)``: ``vectors`` of shape (b, length, K, channels) for
    structure-PWM models (the letter times the position's structure probabilities) or None
    (the substitute ``k`` is channel ``k`` alone), and ``observed`` of shape (b, length, K).
    """
    channels = encoder.channels
    encoded = sequence[..., :channels]
    if encoder.structure_mode != "pwm":
        return None, np.isclose(encoded, 1.0) & np.isclose(encoded.sum(axis=-1, keepdims=True), 1.0)
    letters, structure_letters = len(encoder.alphabet.letters), len(encoder.structure.letters)
    joint = encoded.reshape(encoded.shape[:2] + (letters, structure_letters))
    structure = joint.sum(axis=2)  # (b, length, S): the position's structure probabilities
    vectors = np.eye(letters, dtype=np.float32)[None, None, :, :, None] * structure[:, :, None, None, :]
    vectors = vectors.reshape(encoded.shape[:2] + (letters, channels))
    marginal = joint.sum(axis=3)
    return vectors, np.isclose(marginal, 1.0)


def _ism(scorer, encoder, sequence, features, targets, batch_size):
    b, length = sequence.shape[:2]
    vectors, observed = _substitutes(encoder, sequence)
    # a short record's padding holds no letter to substitute: its positions keep no value
    observed = observed | ~encoder.holds_letters(sequence)[..., None]
    substitutes = observed.shape[2]
    original = scorer.logits(sequence, features, targets)
    values = np.zeros((b, length, substitutes), dtype=np.float32)
    record, position, letter = np.nonzero(~observed)
    for chunk in _chunks(len(record), batch_size):
        r, p, k = record[chunk], position[chunk], letter[chunk]
        mutants = sequence[r].copy()
        rows = np.arange(len(r))
        mutants[rows, p, :encoder.channels] = 0.0
        if vectors is None:
            mutants[rows, p, k] = 1.0
        else:
            mutants[rows, p, :encoder.channels] = vectors[r, p, k]
        changed = scorer.logits(mutants, features[r] if features is not None else None, targets[r])
        values[r, p, k] = changed - original[r]
    others = (~observed).sum(axis=2)
    scores = -(values.sum(axis=2) / np.maximum(others, 1))
    return values, scores, original


def attribute(model, dataset, config: AttributionConfig, out: np.ndarray | None = None,
              progress=None) -> Attributions:
    """Attribution maps of every record of ``dataset`` for the target logit.

    Parameters
    ----------
    model : keras.Model
        A motifnet model (the run's ``model.keras``); it runs in inference mode.
    dataset : motifnet.data.dataset.Dataset
        The records (their ``features`` and tracks are fed as they are).
    config : AttributionConfig
        Method, target, baseline, steps, shuffles, seed, batch size.
    out : numpy.ndarray or None, shape=(n, length, channels)
        Where to write the values (e.g. a memory-mapped file for very large selections);
        default: a new array.
    progress : callable or None
        Called as ``progress(records_done, records)`` after every batch of records.

    Returns
    -------
    Attributions

    Raises
    ------
    ParamError
        Bad options, an unknown target, or DeepLIFT on a model it does not support (recurrent
        layers).
    """
    config = config.checked()
    names_out = dataset.output_names  # classes, or the targets of a regression model
    target = resolve_target(config.target, names_out, dataset.task)
    explainer = DeepLift(model) if config.method == "deeplift" else None  # refuses RNNs before any work
    scorer = TargetLogits(model)
    encoder = dataset.encoder
    n, length = len(dataset), encoder.length
    batch = config.batch_size

    probabilities, targets = _predicted_targets(model, dataset, target, batch)

    if config.method == "ism":
        names = ism_channel_names(encoder)
        per_record = length * len(names)
    else:
        names = encoder.channel_names + list(dataset.track_names)
        per_record = ((config.steps + 2) if config.steps else 1) * (config.shuffles or 1)
    values = out if out is not None else np.zeros((n, length, len(names)), dtype=np.float32)
    if values.shape != (n, length, len(names)):
        raise ParamError(f"out must have shape {(n, length, len(names))}, received {values.shape}")
    scores = np.zeros((n, length), dtype=np.float32)
    logits = np.zeros(n, dtype=np.float32)
    reference_logits = np.zeros(n, dtype=np.float32) if config.baseline else None
    # Records per outer batch: enough to fill batch_size model inputs, at least one.
    for rows in _chunks(n, max(1, batch // per_record)):
        check_stop()  # a signal stops between batches
        inputs = dataset.model_inputs(rows)
        sequence = inputs["sequence"].astype(np.float32)
        result, scores[rows], logits[rows], reference = _explain(scorer, explainer, dataset, config, rows, sequence,
                                                                 inputs.get("features"), targets[rows])
        if reference_logits is not None:
            reference_logits[rows] = reference
        values[rows] = result
        if progress is not None:
            progress(rows.stop, n)
    chosen = probabilities[np.arange(n), targets]
    return Attributions(values, scores, targets, logits, reference_logits, chosen, names, config,
                        getattr(dataset, "task", "classification"))


def _predicted_targets(model, dataset, target: int | None, batch: int) -> tuple:
    """The model's probabilities for every record (through ``predict``'s path), and the output each
    record is explained for.

    ``target`` None: each record's predicted class (a regression model's first target, since
    its outputs are values, not competing classes).
    """
    from ..run.predict import predict_arrays

    probabilities = predict_arrays(model, dataset, np.arange(len(dataset)), batch)
    if target is None and getattr(dataset, "task", "classification") == "regression":
        target = 0
    targets = probabilities.argmax(axis=1) if target is None else np.full(len(dataset), target)
    return probabilities, targets.astype(np.int32)


def _explain(scorer, explainer, dataset, config: AttributionConfig, rows: slice, sequence: np.ndarray, features,
             targets: np.ndarray) -> tuple:
    """One batch of records: attributions, per-position scores, logits and reference logits (None without)."""
    encoder = dataset.encoder
    channels = encoder.channels
    batch = config.batch_size
    if config.method == "ism":
        result, scores, logits = _ism(scorer, encoder, sequence, features, targets, batch)
        return result, scores, logits, None
    if config.method in ("saliency", "grad-input"):
        grads, logits = scorer.gradients(sequence, features, targets)
        result = np.abs(grads) if config.method == "saliency" else grads * sequence
        weight = sequence[..., :channels] if config.method == "saliency" else 1.0
        return result, (result[..., :channels] * weight).sum(axis=-1), logits, None
    references = make_references(dataset, rows, sequence, config.baseline, config.shuffles or 1, config.seed,
                                 rows.start)
    if config.method == "deeplift":
        result, logits, reference_logits = _deeplift(explainer, sequence, references, features, targets, batch)
    else:
        result, logits, reference_logits = _integrated_gradients(scorer, sequence, references, features, targets,
                                                                 config.steps, batch)
    return result, result[..., :channels].sum(axis=-1), logits, reference_logits


def strongest_windows(scores: np.ndarray, width: int) -> np.ndarray:
    """Start of the window of ``width`` positions with the largest sum of scores, per sequence.

    Parameters
    ----------
    scores : numpy.ndarray, shape=(n, length)
        Per-position scores (:attr:`Attributions.scores`).
    width : int
        Window length (clipped to the sequence length).

    Returns
    -------
    numpy.ndarray of int, shape=(n,)
        0-based starts; the first one on ties.
    """
    scores = np.asarray(scores, dtype=np.float64)
    width = int(min(max(width, 1), scores.shape[1]))
    cumulative = np.concatenate([np.zeros((len(scores), 1)), np.cumsum(scores, axis=1)], axis=1)
    sums = cumulative[:, width:] - cumulative[:, :-width]
    return sums.argmax(axis=1)
