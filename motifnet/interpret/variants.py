"""Variant effects: a model's outputs for the reference and the alternative window of each SNV.

Each SNV gets a window of the model's length from the genome with the variant at ``offset``
(default: the centre, ``length // 2``); the reference and alternative windows go through the one
prediction path (:func:`motifnet.run.predict.predict_encoded`). The effect of a class is
``alt - ref`` (probabilities) and the difference of their log-odds ``log(p / (1 - p))``, computed in
float64 from the output layer's values before its activation
(:class:`~motifnet.interpret.outputs.OutputsAndLogits`): from probabilities it would be lost where
they round to 1 in float32. Its empirical p-value compares the largest ``|alt - ref|`` over classes
with that of ``null`` random single-letter substitutions in the same reference window:
``(1 + #{null >= observed}) / (null + 1)``; each variant's substitutions are drawn from a generator
seeded by the seed and the variant itself (:func:`variant_seed`), so a variant's p-value does not
depend on its place in the VCF.
The substitutions are predicted a bounded number of windows at a time, so their memory does not grow
with ``null``, and a stop (see :mod:`motifnet._signals`) is honoured between these batches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .._progress import Progress
from .._signals import check_stop
from ..data.dataset import Dataset
from ..data.genome import Genome, Window
from ..errors import InputError, OptionValueError, ParamError
from ..run.predict import predict_encoded
from .attribution import AttributionConfig, attribute
from .attribution_summary import logo_heights
from .outputs import OutputsAndLogits, in_units

_LETTERS = b"ACGT"
DEFAULT_NULL = 100
#: The most null substitutions per variant: p-values down to 1 / 100,001, and already 100,000 forward
#: passes for every variant; a larger number is far more likely a typo than a wish.
MAX_NULL = 100_000
#: Bases of null windows generated and predicted in one call: bounds their memory (a few times this
#: many bytes) whatever ``null`` is, and how long a stop waits for the next safe point.
_NULL_BASES_PER_CALL = 1 << 22
#: Bases of windows, null substitutions included, of the variants scored before a stopped run's scores are kept:
#: a few minutes of work on a CPU whatever ``null`` is.
_CHUNK_BASES = 1 << 30


@dataclass(frozen=True)
class VariantConfig:
    """How ``motifnet variants`` scores SNVs.

    Attributes
    ----------
    offset : int or None
        0-based position of the variant in its window. Default (None): ``length // 2``.
    null : int
        Random substitutions per variant for the empirical p-value, 0 (none) to :data:`MAX_NULL`.
        Default is 100.
    seed : int
        Seed of the substitutions. Default is 0.
    batch_size : int
        Windows per forward pass. Default is 256.
    skip_mismatches : bool
        Skip variants whose REF disagrees with the genome (counted). Default is False.
    """

    offset: int | None = None
    null: int = DEFAULT_NULL
    seed: int = 0
    batch_size: int = 256
    skip_mismatches: bool = False

    def checked(self, length: int) -> VariantConfig:
        """Refuse an offset outside a window of ``length``, ``null`` outside 0 to :data:`MAX_NULL`, batch size < 1."""
        if self.offset is not None and not 0 <= self.offset < length:
            # The window is the model's: a limit of the model, not of the option (exit 1, not a usage error).
            raise ParamError(f"--offset must lie in the window, 0 to {length - 1} (the model's length), "
                             f"received: {self.offset}")
        if self.null < 0:
            raise OptionValueError(f"--null must be 0 or more, received: {self.null}")
        if self.null > MAX_NULL:
            raise OptionValueError(f"--null must be at most {MAX_NULL:,}, received: {self.null}")
        if self.batch_size < 1:
            raise OptionValueError(f"--batch-size must be a positive integer, received: {self.batch_size}")
        return self


@dataclass
class VariantEffects:
    """Outputs for each variant: ``ref`` and ``alt`` of shape=(variants, outputs), ``p_values`` of shape=(variants,);
    ``ref_log_odds`` and ``alt_log_odds`` (shape=(variants, outputs), None for regression; see
    :func:`motifnet.interpret.outputs.log_odds`); ``scale``, shape=(outputs,) or None: the unit of each output in
    which changes are compared (:func:`score_variants`)."""

    ref: np.ndarray
    alt: np.ndarray
    p_values: np.ndarray
    ref_log_odds: np.ndarray | None = None
    alt_log_odds: np.ndarray | None = None
    scale: np.ndarray | None = None

    @property
    def delta(self) -> np.ndarray:
        return self.alt - self.ref

    @property
    def logit_delta(self) -> np.ndarray | None:
        return None if self.ref_log_odds is None else self.alt_log_odds - self.ref_log_odds

    @property
    def scaled_delta(self) -> np.ndarray:
        """``delta`` in each output's unit (``scale``): what variants are ranked and tested by."""
        return in_units(self.delta, self.scale)

    @property
    def max_abs_delta(self) -> np.ndarray:
        return np.abs(self.scaled_delta).max(axis=1) if self.delta.size else np.zeros(len(self.ref))


def variant_seed(seed: int, variant) -> list:
    """The seed of a variant's null substitutions: ``seed`` and the variant (chromosome, position, REF, ALT), not its
    row, so that sorting or splitting the VCF keeps each variant's p-value."""
    digest = hashlib.sha256(f"{variant.chrom}\t{variant.pos}\t{variant.ref}\t{variant.alt}".encode()).digest()
    return [seed, int.from_bytes(digest[:8], "little")]


def chunk_digest(variants, windows) -> str:
    """SHA-256 of SNVs (chromosome, position, REF, ALT: also their null substitutions' seed) and their windows."""
    digest = hashlib.sha256()
    for variant in variants:
        digest.update(f"{variant.chrom}\t{variant.pos}\t{variant.ref}\t{variant.alt}\n".encode())
    for window in windows:
        digest.update(bytes(window))
    return digest.hexdigest()


def _encode(encoder, windows) -> dict:
    """Encode windows of the model's length: a list of bytes, or letters of shape=(n, length)."""
    if isinstance(windows, np.ndarray):
        letters = np.ascontiguousarray(windows, dtype=np.uint8).reshape(-1)
    else:
        letters = np.frombuffer(b"".join(windows), dtype=np.uint8)
    lengths = np.full(len(windows), encoder.length, dtype=np.int64)
    return {"codes": encoder.encode_letters(letters, lengths, lambda index: f"variant window {index + 1}")}


def score_variants(model, encoder, genome: Genome, variants: list, config: VariantConfig,
                   chunk: int | None = None, scale=None, checkpoint=None) -> VariantEffects:
    """The model's outputs for the reference and alternative window of each SNV, and empirical p-values.

    Progress lines go to the ``motifnet`` log; a stop (see :mod:`motifnet._signals`) is honoured
    between chunks of variants and between batches of null substitutions.

    Parameters
    ----------
    model : keras.Model
        A model of DNA sequence alone.
    encoder : Encoder
        The run's encoder (its length is the window length).
    genome : Genome
    variants : list of motifnet.data.vcf.Variant
    config : VariantConfig
    chunk : int or None
        Variants scored together (their reference and alternative windows predicted at once, then their
        null substitutions). Default (None): as many as hold :data:`_NULL_BASES_PER_CALL` bases of reference and
        alternative windows (10,485 of 200 positions: a forward pass per 64 variants spent most of its time on
        the cost of each call, and chunks of 205, at ``null`` 100, made ``variants`` 0.56x of plain
        ``model.predict``), and :data:`_CHUNK_BASES` bases with the null substitutions (5,357 at ``null`` 1000):
        a chunk is what a stopped run keeps (``checkpoint``).
    scale : array-like, shape=(outputs,), or None
        Each output's unit when the changes of several outputs are compared (the largest change of a
        variant, and of each null substitution for its p-value): a regression target's standard
        deviation (:attr:`motifnet.run.rundir.Run.output_scale`), so that a target of large values does
        not outweigh the others. Default (None): the outputs as they are (probabilities).
    checkpoint : motifnet.workflows._variant_checkpoint.VariantCheckpoint or None
        Where each scored chunk is kept (``add``), and where the scores of a chunk that an earlier run kept
        are taken from (``take``) when its SNVs and windows are the same. Default (None): none.

    Returns
    -------
    VariantEffects

    Raises
    ------
    ParamError
        ``config`` out of range (see :meth:`VariantConfig.checked`).
    StopRequested
        A signal asked to stop.
    """
    length = encoder.length
    config = config.checked(length)
    scale = None if scale is None else np.asarray(scale, dtype=np.float64)
    if chunk is None:
        chunk = max(1, min(_NULL_BASES_PER_CALL // (2 * length), _CHUNK_BASES // ((2 + config.null) * length)))
    offset = length // 2 if config.offset is None else config.offset
    outputs = model.outputs[0].shape[-1]
    predict = OutputsAndLogits(model, encoder, config.batch_size)
    ref_out = np.zeros((len(variants), outputs), dtype=np.float64)
    alt_out = np.zeros_like(ref_out)
    ref_logits, alt_logits = np.zeros_like(ref_out), np.zeros_like(ref_out)
    p_values = np.full(len(variants), np.nan)
    progress = Progress("scoring SNVs", total=len(variants) * (2 + config.null), unit="windows")
    for first in range(0, len(variants), chunk):
        check_stop()
        part = variants[first:first + chunk]
        pairs = [variant_windows(genome, variant, length, offset) for variant in part]
        windows = [window for pair in pairs for window in pair]
        rows = slice(first, first + len(part))
        digest = chunk_digest(part, windows) if checkpoint is not None else None
        kept = checkpoint.take(first, digest) if checkpoint is not None else None
        if kept is not None:  # scored by an earlier run that stopped: the same SNVs and windows
            ref_out[rows], alt_out[rows], ref_logits[rows], alt_logits[rows], p_values[rows] = kept
            progress.advance(len(part) * (2 + config.null))
            continue
        _check_letters(encoder, windows, part, genome, offset)
        values, logits = (array.reshape(len(part), 2, outputs) for array in
                          predict(_encode(encoder, windows)["codes"]))
        ref_out[rows], alt_out[rows] = values[:, 0], values[:, 1]
        ref_logits[rows], alt_logits[rows] = logits[:, 0], logits[:, 1]
        progress.advance(len(windows))
        if config.null:
            rngs = [np.random.default_rng(variant_seed(config.seed, variant)) for variant in part]
            exceeding = _null_exceedances(model, encoder, [ref for ref, _ in pairs], values, rngs, config, progress,
                                          scale)
            p_values[rows] = (1 + exceeding) / (config.null + 1)
        if checkpoint is not None:
            checkpoint.add(first, digest, (ref_out[rows], alt_out[rows], ref_logits[rows], alt_logits[rows],
                                           p_values[rows]))
    if predict.activation == "linear":  # regression: outputs, no log-odds
        return VariantEffects(ref_out, alt_out, p_values, scale=scale)
    return VariantEffects(ref_out, alt_out, p_values, ref_logits, alt_logits, scale)


def _check_letters(encoder, windows: list, variants: list, genome: Genome, offset: int) -> None:
    """Refuse a genome letter of the windows (reference, alternative for each of ``variants``) that the model's
    alphabet lacks, naming it by its place in the genome and the SNV whose window holds it.

    Raises
    ------
    InputError
        Naming the genome, the letter's chromosome and 1-based position, and the SNV's VCF line.
    """
    letters = np.frombuffer(b"".join(windows), dtype=np.uint8)
    bad = np.flatnonzero(encoder.seq_lookup[letters] < 0)
    if not bad.size:
        return
    row, column = divmod(int(bad[0]), encoder.length)
    variant = variants[row // 2]  # an ALT is A, C, G or T (read_snvs): the letter is the genome's
    alphabet = encoder.alphabet
    raise InputError(f"--genome {genome.path}: the letter {chr(letters[bad[0]])!r} at {variant.chrom}:"
                     f"{variant.pos - offset + column}, in the window of the SNV at {variant.chrom}:{variant.pos} "
                     f"(VCF line {variant.line}), is not in the model's {alphabet.name} alphabet (allowed: "
                     f"{alphabet.symbols}); mask it as N in the genome, or leave that SNV out")


def _null_exceedances(model, encoder, refs: list, values: np.ndarray, rngs: list, config: VariantConfig,
                      progress: Progress, scale: np.ndarray | None = None) -> np.ndarray:
    """How many of ``config.null`` substitutions in each reference window change the outputs as much as its SNV.

    ``values`` holds the reference and alternative outputs, shape=(len(refs), 2, outputs). The
    substitutions are predicted at most :data:`_NULL_BASES_PER_CALL` bases at a time (at least one
    batch), with a stop honoured before each call. Changes are compared in units of ``scale`` (None: as they are).
    """
    observed = np.abs(in_units(values[:, 1] - values[:, 0], scale)).max(axis=1)
    per_call = max(config.batch_size, _NULL_BASES_PER_CALL // encoder.length)
    counts = np.zeros(len(refs), dtype=np.int64)
    for rows, windows in _null_batches(refs, rngs, config.null, per_call):
        check_stop()
        null = predict_encoded(model, encoder, _encode(encoder, windows), config.batch_size).astype(np.float64)
        changes = np.abs(in_units(null - values[rows, 0], scale)).max(axis=1)
        np.add.at(counts, rows, changes >= observed[rows])
        progress.advance(len(rows))
    return counts


def _null_batches(refs: list, rngs: list, draws: int, per_call: int):
    """Yield (rows, windows): at most ``per_call`` null windows, shape=(n, length), and the reference row of each.

    Each reference window's ``draws`` substitutions come from its own generator, in order, so the
    windows do not depend on ``per_call``.
    """
    rows, windows, pending = [], [], 0
    for row, (ref, rng) in enumerate(zip(refs, rngs)):
        left = draws
        while left:
            take = min(left, per_call - pending)
            windows.append(_null_windows(ref, take, rng))
            rows.append(np.full(take, row))
            pending, left = pending + take, left - take
            if pending == per_call:
                yield np.concatenate(rows), np.concatenate(windows)
                rows, windows, pending = [], [], 0
    if pending:
        yield np.concatenate(rows), np.concatenate(windows)


def padded_windows(genome: Genome, variants, length: int, offset: int) -> int:
    """How many of the variants' windows (:func:`variant_windows`) reach past a chromosome's end: padded with N."""
    return sum(1 for variant in variants
               if variant.pos - 1 - offset < 0 or variant.pos - 1 - offset + length > genome.lengths[variant.chrom])


def variant_windows(genome: Genome, variant, length: int, offset: int) -> tuple:
    """The reference and alternative window (bytes) of ``length`` bases with the SNV at ``offset``."""
    start = variant.pos - 1 - offset
    ref = genome.fetch(Window(variant.chrom, start, start + length))
    return ref, ref[:offset] + variant.alt.encode("ascii") + ref[offset + 1:]


#: How the logos of the top variants are computed: integrated gradients from an all-zero input work
#: for every model motifnet builds (DeepLIFT refuses recurrent layers).
LOGO_ATTRIBUTION = AttributionConfig("integrated-gradients", baseline="zeros")


@dataclass
class VariantLogos:
    """Attribution logos of reference and alternative windows (see :func:`variant_logos`).

    Attributes
    ----------
    targets : numpy.ndarray of int, shape=(variants,)
        The output explained for each variant: the one with the largest ``|delta|``.
    ref, alt : numpy.ndarray, shape=(variants, length, letters)
        Signed letter heights of the reference and alternative windows (the observed letter of
        each position carries its attribution score).
    """

    targets: np.ndarray
    ref: np.ndarray
    alt: np.ndarray


def variant_logos(model, encoder, genome: Genome, variants: list, targets, output_names: list,
                  offset: int | None = None, task: str = "classification", batch_size: int = 256) -> VariantLogos:
    """Attribution logos (integrated gradients, :data:`LOGO_ATTRIBUTION`) of each SNV's two windows.

    Parameters
    ----------
    model : keras.Model
    encoder : Encoder
    genome : Genome
    variants : list of motifnet.data.vcf.Variant
    targets : sequence of int, shape=(variants,)
        The output whose logit is explained, per variant.
    output_names : list of str
        The model's outputs.
    offset : int or None
        The variant's position in its window; None: ``length // 2``.
    task : str
        ``classification`` or ``regression``. Default is ``classification``.
    batch_size : int
        Default is 256.

    Returns
    -------
    VariantLogos
    """
    length = encoder.length
    offset = length // 2 if offset is None else offset
    targets = np.asarray(targets, dtype=np.int64)
    shape = (len(variants), length, len(encoder.alphabet.letters))
    logos = VariantLogos(targets, np.zeros(shape), np.zeros(shape))
    for target in np.unique(targets):
        rows = np.flatnonzero(targets == target)
        windows = [window for row in rows for window in variant_windows(genome, variants[row], length, offset)]
        codes = _encode(encoder, windows)["codes"]
        dataset = Dataset(encoder, codes, np.zeros((len(codes), 0), dtype=np.uint8),
                          np.array([f"window{index}" for index in range(len(codes))]),
                          np.zeros(len(codes), dtype=np.int32), [] if task == "regression" else list(output_names),
                          False, [], task=task, target_names=list(output_names) if task == "regression" else [])
        config = AttributionConfig(LOGO_ATTRIBUTION.method, int(target), LOGO_ATTRIBUTION.baseline,
                                   batch_size=batch_size)
        result = attribute(model, dataset, config)
        inputs = dataset.model_inputs(slice(0, len(codes)))["sequence"]
        for position, row in enumerate(rows):
            for kind, index in (("ref", 2 * position), ("alt", 2 * position + 1)):
                heights, _ = logo_heights(result.scores[index], inputs[index], encoder)
                getattr(logos, kind)[row] = heights
    return logos


def _null_windows(ref: bytes, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` copies of ``ref``, shape=(count, len(ref)), each with one random position (among A, C, G, T)
    changed to another letter."""
    letters = np.frombuffer(bytes(ref), dtype=np.uint8)
    positions = np.flatnonzero(np.isin(letters, list(_LETTERS)))
    if not len(positions):
        positions = np.arange(len(letters))
    windows = np.tile(letters, (count, 1))
    for row in range(count):
        position = int(positions[rng.integers(len(positions))])
        choices = [letter for letter in _LETTERS if letter != letters[position]]
        windows[row, position] = choices[int(rng.integers(len(choices)))]
    return windows
