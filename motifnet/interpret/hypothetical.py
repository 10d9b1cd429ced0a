"""Hypothetical contributions: what each letter *would* contribute at each position, for TF-MoDISco.

TF-MoDISco clusters stretches of high contribution (seqlets) by the contributions of every
letter, not only of the observed one: ``hypothetical[i, p, l]`` is the contribution that letter
``l`` would make at position ``p`` of sequence ``i`` were it there, and the observed contribution
is ``one_hot * hypothetical``. :func:`motifnet.interpret.attribution.attribute` returns, for the
gradient-based methods, only what the observed letter contributes (``multiplier * (input -
reference)``: zero wherever input and reference agree), so the multipliers are taken here before
that product:

=========================  ===================================================================
``deeplift``               DeepLIFT's rescale multipliers ``m`` against each reference ``r``:
                           ``h[l] = m[l] - sum_c m[c] r[c]`` (the contribution letter ``l``
                           would have against the same reference with the same multipliers;
                           DeepSHAP's rule), averaged over the references. With shuffled
                           references the observed letter's ``h`` is exactly the position's
                           share of ``logit(input) - mean logit(references)``.
``integrated-gradients``   the same rule with ``m`` the mean gradient on the path from each
                           reference to the input.
``saliency``               the gradient at the input, mean-centred over the letters:
                           ``h[l] = g[l] - mean(g)`` (the rule above with the average letter
                           as reference).
``ism``                    ``h[l] = ism[l] - mean(ism)``: the in-silico mutagenesis change of
                           the logit when letter ``l`` replaces the observed one (0 for the
                           observed letter), mean-centred; differences between letters are
                           exact logit differences.
=========================  ===================================================================

With a ``uniform`` baseline the DeepSHAP rule is the mean-centred multiplier; with ``zeros`` it
is the multiplier itself. Only sequence models over four letters (DNA, RNA) are accepted:
TF-MoDISco (modisco-lite) works on four-letter one-hot sequences.
"""

from __future__ import annotations

import numpy as np

from .._signals import check_stop
from ..errors import OptionValueError, ParamError
from ._deeplift import DeepLift
from .attribution import AttributionConfig, TargetLogits, attribute, make_references, resolve_target

HYPOTHETICAL_METHODS = ("deeplift", "integrated-gradients", "saliency", "ism")
#: The references of ``deeplift`` and ``integrated-gradients`` unless ``--baseline`` says otherwise.
DEFAULT_BASELINE = "shuffle"


def check_modisco_alphabet(encoder) -> None:
    """Refuse models that TF-MoDISco cannot read: anything but a DNA or RNA sequence without structure.

    Raises
    ------
    ParamError
        A protein, custom-alphabet or sequence+structure model; the message says what is accepted.
    """
    alphabet = encoder.alphabet
    if encoder.structure is not None:
        raise ParamError(f"motifs (TF-MoDISco) needs a DNA or RNA sequence model; this model also reads RNA "
                         f"structure ({encoder.describe_input()}), which modisco-lite cannot take")
    if alphabet.name not in ("dna", "rna") or len(alphabet.letters) != 4:
        raise ParamError(f"motifs (TF-MoDISco) needs a DNA or RNA sequence model; this model reads "
                         f"{encoder.describe_input()} (modisco-lite works on four-letter nucleotide sequences)")


def check_hypothetical_config(config: AttributionConfig) -> AttributionConfig:
    """``config`` checked for hypothetical contributions, with ``shuffle`` references by default.

    Raises
    ------
    ParamError
        A method other than :data:`HYPOTHETICAL_METHODS` (``grad-input`` keeps the observed letter only).
    """
    if config.method not in HYPOTHETICAL_METHODS:
        raise OptionValueError(f"--method must be one of {', '.join(HYPOTHETICAL_METHODS)}, "
                               f"received: {config.method!r}")
    if config.method in ("deeplift", "integrated-gradients") and config.baseline is None:
        config = AttributionConfig(config.method, config.target, DEFAULT_BASELINE, config.steps, config.shuffles,
                                   config.seed, config.batch_size)
    return config.checked()


def hypothetical_contributions(model, dataset, config: AttributionConfig, out: np.ndarray | None = None,
                               progress=None) -> np.ndarray:
    """Hypothetical contributions of every letter at every position of every record of ``dataset``.

    Parameters
    ----------
    model : keras.Model
        A motifnet model over DNA or RNA (see :func:`check_modisco_alphabet`).
    dataset : motifnet.data.dataset.Dataset
        The records.
    config : AttributionConfig
        ``method`` one of :data:`HYPOTHETICAL_METHODS`, ``target`` the class (name or index)
        whose logit is explained, and the method's baseline, steps, shuffles, seed and batch
        size. ``deeplift`` and ``integrated-gradients`` use ``shuffle`` references by default.
    out : numpy.ndarray or None, shape=(n, length, 4)
        Where to write (e.g. a memory-mapped file); default a new array.
    progress : callable or None
        Called as ``progress(records_done, records)`` after every batch.

    Returns
    -------
    numpy.ndarray of float32, shape=(n, length, 4)
        ``out``. The observed contributions are ``one_hot * hypothetical``.

    Raises
    ------
    ParamError
        Not a DNA/RNA sequence model, no ``target``, an unknown target, or options that do
        not go together.
    """
    encoder = dataset.encoder
    check_modisco_alphabet(encoder)
    config = check_hypothetical_config(config)
    if config.target is None:
        noun = "target" if dataset.task == "regression" else "class"
        raise ParamError(f"hypothetical contributions explain one {noun}: give a target ({noun} name or index)")
    target = resolve_target(config.target, dataset.output_names, dataset.task)
    n, length, letters = len(dataset), encoder.length, len(encoder.alphabet.letters)
    values = out if out is not None else np.zeros((n, length, letters), dtype=np.float32)
    if values.shape != (n, length, letters):
        raise ParamError(f"out must have shape {(n, length, letters)}, received {values.shape}")
    if config.method == "ism":
        return _from_ism(model, dataset, config, values, progress)
    explainer = DeepLift(model) if config.method == "deeplift" else None  # refuses RNNs before any work
    scorer = TargetLogits(model)
    count = config.shuffles or 1
    per_record = count * (config.steps if config.method == "integrated-gradients" else 1)
    for rows in _chunks(n, max(1, config.batch_size // per_record)):
        check_stop()
        inputs = dataset.model_inputs(rows)
        sequence = inputs["sequence"].astype(np.float32)
        features = inputs.get("features")
        targets = np.full(len(sequence), target, dtype=np.int32)
        if config.method == "saliency":
            grads, _ = scorer.gradients(sequence, features, targets)
            grads = grads[..., :letters]
            values[rows] = grads - grads.mean(axis=-1, keepdims=True)
        else:
            references = make_references(dataset, rows, sequence, config.baseline, count, config.seed, rows.start)
            multipliers = (_deeplift_multipliers(explainer, sequence, references, features, targets,
                                                 config.batch_size)
                           if explainer is not None else
                           _path_gradients(scorer, sequence, references, features, targets, config.steps,
                                           config.batch_size))
            values[rows] = deepshap_rule(multipliers[..., :letters], references[..., :letters])
        if progress is not None:
            progress(rows.stop, n)
    return values


def deepshap_rule(multipliers: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Hypothetical contributions from multipliers against references, averaged over the references.

    Parameters
    ----------
    multipliers : numpy.ndarray, shape=(b, references, length, letters)
    references : numpy.ndarray, shape=(b, references, length, letters)

    Returns
    -------
    numpy.ndarray of float32, shape=(b, length, letters)
        ``mean_r (m[l] - sum_c m[c] r[c])``: what letter ``l`` would contribute against each
        reference, with the multipliers found for the observed input.
    """
    offset = (multipliers * references).sum(axis=-1, keepdims=True)
    return (multipliers - offset).mean(axis=1).astype(np.float32)


def _from_ism(model, dataset, config: AttributionConfig, values: np.ndarray, progress) -> np.ndarray:
    """ISM changes per substitute letter (0 for the observed one), mean-centred in place."""
    attribute(model, dataset, config, out=values, progress=progress)
    for rows in _chunks(len(values), 4096):
        block = np.asarray(values[rows])
        values[rows] = block - block.mean(axis=-1, keepdims=True)
    return values


def _deeplift_multipliers(explainer, sequence, references, features, targets, batch_size: int) -> np.ndarray:
    """DeepLIFT's multipliers of every (record, reference) pair, shape=(b, references, length, channels)."""
    b, count = references.shape[:2]
    multipliers = np.zeros(references.shape, dtype=np.float32)
    for chunk in _chunks(b * count, batch_size):
        record, reference = np.unravel_index(np.arange(chunk.start, chunk.stop), (b, count))
        multipliers[record, reference] = explainer.multipliers(
            sequence[record], references[record, reference], features[record] if features is not None else None,
            targets[record])[0]
    return multipliers


def _path_gradients(scorer, sequence, references, features, targets, steps: int, batch_size: int) -> np.ndarray:
    """Mean gradient on the straight path from each reference to the input (midpoint rule, as
    integrated gradients in :mod:`motifnet.interpret.attribution`), shape=(b, references, length, channels)."""
    b, count = references.shape[:2]
    alphas = ((np.arange(steps) + 0.5) / steps).astype(np.float32)
    total = np.zeros(references.shape, dtype=np.float32)
    for chunk in _chunks(b * count * steps, batch_size):
        record, reference, step = np.unravel_index(np.arange(chunk.start, chunk.stop), (b, count, steps))
        start = references[record, reference]
        points = start + alphas[step][:, None, None] * (sequence[record] - start)
        grads, _ = scorer.gradients(points, features[record] if features is not None else None, targets[record])
        np.add.at(total, (record, reference), grads / steps)
    return total


def _chunks(total: int, size: int):
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))
