"""In-silico marginalisation: what inserting (or removing) a motif does to a model's outputs.

A motif is inserted into background sequences (dinucleotide-shuffled records, so that no real site
is left and the composition stays) and the change of every output, probability and logit, is
averaged over the sequences. The backgrounds are made, changed and predicted a chunk at a time
(:class:`Backgrounds`, :data:`CHUNK_BYTES`), each seeded by its number: memory does not grow with
their number, a stop request is heeded between sequences and chunks, and the results do not depend
on the chunks (Koo & Ploenzke's global importance analysis; tangermeme's
``marginalize``). Pairs of motifs are inserted at each spacing and relative orientation, and their
effect compared with the sum of the single effects at the same positions. Ablation replaces the
sites of a motif in real records by shuffled sequence.

Models of DNA or RNA sequence (codes 1-4 are A, C, G, T/U; see :mod:`motifnet.data.encoding`), and
models of sequence and the structure ``train --fold`` folded from it: experiments change sequence
codes only, and every changed sequence is folded again before prediction
(:class:`~motifnet.interpret.outputs.OutputsAndLogits`).
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass

import numpy as np

from .._progress import Progress
from .._signals import check_stop
from ..errors import OptionValueError, ParamError
from .attribution import dinucleotide_shuffle
from .outputs import OutputsAndLogits, class_contrast, in_units

ORIENTATIONS = ("same", "opposite")
EFFECT_COLUMNS = ("motif", "class", "mean_delta", "ci_low", "ci_high", "mean_logit_delta")
#: The last column of ``effects.tsv``: the mean output of the background sequences, which the changes start from.
BACKGROUND_COLUMN = "background_mean"
PAIR_COLUMNS = ("motif_a", "motif_b", "orientation", "spacing", "class", "mean_delta", "expected_delta",
                "cooperativity", "mean_logit_delta", "expected_logit_delta", "logit_cooperativity")
ABLATION_COLUMNS = ("motif", "class", "records", "mean_delta", "ci_low", "ci_high", "mean_logit_delta")

#: Sequence codes an experiment holds at a time, in bytes: the background sequences of a chunk times the
#: copies the experiment predicts of each (the background, one per motif or per pair and spacing). The
#: predictions of a chunk (a copy for the input pipeline, the outputs) take a few times this again.
CHUNK_BYTES = 16 * 2**20  # also how often a progress line can come: about every 15 s at 200 letters on 2 cores

# What each random draw is seeded by, beside --seed and the sequence's number (numpy.random.default_rng).
_BACKGROUND_ROWS, _BACKGROUND, _SINGLE_INSTANCES, _PAIR_INSTANCES = range(4)


@dataclass
class MarginalizeConfig:
    """What ``motifnet marginalize`` inserts, where and how often.

    Attributes
    ----------
    n : int
        Background sequences. Default is 200.
    position : int or None
        0-based start of the inserted motif (of the pair's first motif). Default is None: centred.
    sample : bool
        Insert instances drawn from each motif's matrix (one per sequence) instead of its consensus.
        Default is False.
    seed : int
        Seed of the background choice and shuffles and of the sampled instances. Default is 0.
    pairs : int
        Pairs among this many motifs with the largest single effect. Default is 0 (no pairs).
    max_spacing : int
        Pairs are inserted at spacings 0 to this (positions between the two motifs). Default is 20.
    batch_size : int
        Sequences per forward pass. Default is 256.
    """

    n: int = 200
    position: int | None = None
    sample: bool = False
    seed: int = 0
    pairs: int = 0
    max_spacing: int = 20
    batch_size: int = 256

    def checked(self) -> MarginalizeConfig:
        """This config after checking its values.

        Raises
        ------
        ParamError
            A value out of range.
        """
        if self.n < 2:
            raise OptionValueError(f"-n needs at least 2 background sequences (for a confidence interval), "
                                   f"received: {self.n}")
        if self.position is not None and self.position < 0:
            raise OptionValueError(f"--position is a 0-based start, received: {self.position}")
        if self.pairs == 1:
            raise OptionValueError("--pairs 1 makes no pair: give the number of motifs to pair, at least 2 (or 0 "
                                   "for no pairs)")
        if self.pairs < 0 or self.max_spacing < 0 or self.batch_size < 1:
            raise OptionValueError(f"--pairs and --max-spacing must be 0 or more and --batch-size 1 or more, "
                                   f"received: {self.pairs}, {self.max_spacing}, {self.batch_size}")
        return self


def check_marginalize_encoder(encoder, folded: bool = False) -> None:
    """Refuse models that are not of DNA or RNA sequence (and of its structure, when motifnet folds it).

    Parameters
    ----------
    encoder : Encoder
        The encoder of the model's input.
    folded : bool
        Whether the structure input, if any, is folded from the sequence by motifnet with known options
        (``train --fold``), so that it can be folded again after each change. Default is False.

    Raises
    ------
    ParamError
        A protein or custom-alphabet model, or structure given in the model's input.
    """
    letters = encoder.alphabet.letters.upper()
    if letters not in ("ACGT", "ACGU"):
        raise ParamError(f"marginalize needs a DNA or RNA sequence model; this one reads {encoder.describe_input()}")
    if encoder.structure is not None and not folded:
        raise ParamError(f"marginalize cannot change the structure given in this model's input "
                         f"({encoder.describe_input()}): an inserted motif would leave it stale; train with "
                         "--fold so that motifnet folds each changed sequence again")


# -- sequences ---------------------------------------------------------------------------------------------

#: Letters of a column within this of its highest probability tie for the consensus: motif files print 3 to 6
#: digits, so rounding alone parts 1/3 into 0.333 and 0.334.
CONSENSUS_TIE = 2e-3


def consensus_matrix(pwm: np.ndarray) -> np.ndarray:
    """The consensus of a motif as a matrix: in each column the most probable letter, or, where letters tie for
    the highest probability (within :data:`CONSENSUS_TIE`), an equal share for each of them.

    Inserting draws from it, so a column without a preferred letter (0.25 each, or A and T at 0.5) gets one
    of its tied letters at random, not the first of the alphabet: otherwise an uninformative motif would
    have the effect of a poly-A stretch.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(width, 4)
        Letter probabilities (rows need not sum exactly to 1).

    Returns
    -------
    numpy.ndarray of float, shape=(width, 4)
        Rows summing to 1.
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    pwm = pwm / pwm.sum(axis=1, keepdims=True)
    top = pwm >= pwm.max(axis=1, keepdims=True) - CONSENSUS_TIE
    return top / top.sum(axis=1, keepdims=True)


def motif_codes(pwm: np.ndarray, n: int, rng: np.random.Generator, sample: bool = False) -> np.ndarray:
    """``n`` instances of a motif as sequence codes (1-4): its consensus, or drawn from its columns.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(width, 4)
        Letter probabilities (rows need not sum exactly to 1).
    n : int
    rng : numpy.random.Generator
        Draws the letters (sampled instances, and the consensus letter of a column where letters tie).
    sample : bool
        Draw each letter from its column instead of taking the most probable one. Default is False.

    Returns
    -------
    numpy.ndarray of uint8, shape=(n, width)
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    return _drawn_codes(pwm if sample else consensus_matrix(pwm), rng.random((n, len(pwm))))


def _drawn_codes(pwm: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Codes (1-4) of the letters that uniform ``draws`` (shape=(n, width)) pick from each column of ``pwm``."""
    cumulative = np.cumsum(pwm / pwm.sum(axis=1, keepdims=True), axis=1)
    return (np.minimum((draws[:, :, None] >= cumulative[None]).sum(axis=2), 3) + 1).astype(np.uint8)


def _instances(pwms, first: int, count: int, config: MarginalizeConfig, stream: int) -> list:
    """Codes of one instance of each motif of ``pwms`` for each of the sequences ``first`` to ``first + count - 1``.

    The consensus (:func:`consensus_matrix`), or with ``config.sample`` letters drawn from each matrix, by a
    generator seeded by (``config.seed``, ``stream``, the motif's matrix, the sequence's number): a sequence
    gets the same instance of a motif in any chunk, whatever other motifs are asked for beside it.

    Returns
    -------
    list of numpy.ndarray of uint8, shape=(count, width)
    """
    given = [np.asarray(pwm, dtype=np.float64) for pwm in pwms]
    drawn_from = given if config.sample else [consensus_matrix(pwm) for pwm in given]
    if not config.sample and all(pwm.max(axis=1).min() == 1 for pwm in drawn_from):
        # no ties: every sequence gets the same letters
        return [np.repeat(pwm.argmax(axis=1)[None, :] + 1, count, axis=0).astype(np.uint8) for pwm in drawn_from]
    instances = []
    for pwm, matrix in zip(given, drawn_from):
        key = zlib.crc32(np.ascontiguousarray(pwm).tobytes())  # of the matrix as given
        draws = [np.random.default_rng([config.seed, stream, key, first + i]).random(len(pwm)) for i in range(count)]
        instances.append(_drawn_codes(matrix, np.array(draws).reshape(count, len(pwm))))
    return instances


def sequence_codes(encoder, codes: np.ndarray) -> np.ndarray:
    """The sequence codes (0 padding, then the alphabet's symbols) of encoded records, structure letters left out.

    Parameters
    ----------
    encoder : Encoder
        The encoder of ``codes``.
    codes : numpy.ndarray, shape=(n, length)
        Codes as the encoder made them (over the product alphabet with structure letters).

    Returns
    -------
    numpy.ndarray, shape=(n, length)
    """
    if encoder.structure_mode != "letters":
        return codes
    return (codes // (len(encoder.structure.symbols) + 1)).astype(codes.dtype)


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """Codes 1-4 (A, C, G, T/U) of the reverse complement, along the last axis."""
    return (5 - codes[..., ::-1]).astype(codes.dtype)


def shuffle_codes(codes: np.ndarray, rng: np.random.Generator, rows=None, progress=None) -> np.ndarray:
    """Each row (of ``rows``, in their order; default every row) dinucleotide-shuffled over its letters (padding,
    code 0, stays where it is); a stop is looked for and ``progress`` (a :class:`Progress`) told every 1,000 rows."""
    rows = np.arange(len(codes)) if rows is None else np.asarray(rows, dtype=np.int64)
    shuffled = codes[rows]
    for i, row in enumerate(rows):
        if i % 1000 == 999:
            check_stop()
            if progress is not None:
                progress.update(i + 1)
        letters = np.flatnonzero(codes[row])
        shuffled[i, letters] = dinucleotide_shuffle(codes[row, letters], rng)
    return shuffled


class Backgrounds:
    """``n`` background sequences: records of ``codes``, dinucleotide-shuffled, made a chunk at a time on request.

    The records are drawn without replacement when there are enough (with replacement otherwise).
    Sequence ``i`` is shuffled (and, with replacement, drawn) by a generator seeded by ``seed`` and
    ``i``, as ``scan`` seeds its shuffles: any chunk of the sequences is the same however the ``n`` are
    divided, and only a chunk is held at a time. An array-like of shape ``(n, length)``:
    ``numpy.asarray`` makes all ``n`` at once (for a few sequences).

    Parameters
    ----------
    codes : numpy.ndarray, shape=(records, length)
        Sequence codes (0 padding, then 1-4).
    n : int
    seed : int
    """

    def __init__(self, codes: np.ndarray, n: int, seed: int):
        self.codes, self.n, self.seed = codes, n, seed
        # Without replacement, which records are drawn depends on all n: drawn at once (at most one per record).
        self.rows = (np.random.default_rng([seed, _BACKGROUND_ROWS]).choice(len(codes), size=n, replace=False)
                     if n <= len(codes) else None)

    @property
    def shape(self) -> tuple:
        return self.n, self.codes.shape[1]

    def __len__(self) -> int:
        return self.n

    def __array__(self, dtype=None, copy=None):
        codes = self.chunk(0, self.n)
        return codes if dtype is None else codes.astype(dtype)

    def chunk(self, start: int, stop: int) -> np.ndarray:
        """The sequences ``start`` to ``stop - 1``, shape=(stop - start, length).

        Raises
        ------
        StopRequested
            A signal asked to stop (checked before each sequence).
        """
        shuffled = np.empty((stop - start, self.codes.shape[1]), dtype=self.codes.dtype)
        for i in range(start, stop):
            check_stop()
            rng = np.random.default_rng([self.seed, _BACKGROUND, i])
            row = self.codes[self.rows[i] if self.rows is not None else rng.integers(len(self.codes))]
            letters = np.flatnonzero(row)
            shuffled[i - start] = row
            shuffled[i - start, letters] = dinucleotide_shuffle(row[letters], rng)
        return shuffled


def _chunks(background, arrays: int, chunk: int | None, what: str):
    """(first sequence, codes) of consecutive chunks of ``background`` (an array, or :class:`Backgrounds`).

    ``chunk`` sequences at a time; None: as many as :data:`CHUNK_BYTES` holds for ``arrays`` copies.
    Progress lines name the work ``what``, counted in background sequences done.
    """
    n, length = background.shape
    size = chunk if chunk is not None else max(1, CHUNK_BYTES // (arrays * length))
    progress = Progress(what, total=n, unit="background sequences")
    for start in range(0, n, size):
        check_stop()
        stop = min(start + size, n)
        yield start, background.chunk(start, stop) if isinstance(background, Backgrounds) else background[start:stop]
        progress.update(stop)


def insert(codes: np.ndarray, instances: np.ndarray, start: int) -> np.ndarray:
    """A copy of ``codes`` with ``instances`` (one row per sequence) written from ``start``."""
    inserted = codes.copy()
    inserted[:, start:start + instances.shape[1]] = instances
    return inserted


def _start(length: int, width: int, position: int | None, what: str, fix: str | None = None) -> int:
    if width > length:  # no position fits it
        remedy = "leave it out of the motif file or trim it" if fix is None else fix
        raise ParamError(f"{what} is {width} positions wide, more than the model's {length}; {remedy}")
    start = (length - width) // 2 if position is None else position
    if start + width > length:
        raise ParamError(f"{what} ({width} positions from position {start}) does not fit in the model's "
                         f"{length} positions; choose a smaller --position (or leave it out: centred)")
    return start


class Moments:
    """Mean and sum of squared deviations of each column of rows added a batch at a time.

    Chan, Golub and LeVeque's pairwise update, in float64: memory does not grow with the rows, and
    the result is that of all rows at once up to rounding.
    """

    def __init__(self):
        self.count, self.mean, self.squares = 0, 0.0, 0.0

    def add(self, rows: np.ndarray) -> None:
        """Add ``rows`` (shape=(n, columns))."""
        rows = np.asarray(rows, dtype=np.float64)
        if not len(rows):
            return
        mean = rows.mean(axis=0)
        total = self.count + len(rows)
        shift = mean - self.mean
        self.squares = self.squares + ((rows - mean) ** 2).sum(axis=0) + shift ** 2 * (self.count * len(rows) / total)
        self.mean = self.mean + shift * (len(rows) / total)
        self.count = total

    def interval(self, bound: float | None = None) -> tuple:
        """The mean of each column and its 95% t-interval (at least two rows added), clipped to
        [-``bound``, ``bound``] when given: a change of probability is never beyond 1."""
        from scipy.stats import t

        half = t.ppf(0.975, self.count - 1) * np.sqrt(self.squares / (self.count - 1) / self.count)
        low, high = self.mean - half, self.mean + half
        if bound is not None:
            low, high = np.clip(low, -bound, bound), np.clip(high, -bound, bound)
        return self.mean, low, high


def mean_interval(deltas: np.ndarray, bound: float | None = None) -> tuple:
    """Mean of each column of ``deltas`` (shape=(n, outputs)) and its 95% t-interval (see :meth:`Moments.interval`)."""
    moments = Moments()
    moments.add(deltas)
    return moments.interval(bound)


def _bound(predict) -> float | None:
    """How far a change of the outputs of ``predict`` (:class:`OutputsAndLogits`) can go: 1 for probabilities,
    None (no bound) for a regression model's values."""
    return None if predict.activation == "linear" else 1.0


# -- experiments ----------------------------------------------------------------------------------------------

@dataclass
class Effects:
    """Mean changes of every output when each motif is inserted.

    Attributes
    ----------
    mean, low, high, logit : numpy.ndarray, shape=(motifs, outputs)
        Mean change of the output, its 95% t-interval, and the mean change of the logit.
    background : numpy.ndarray, shape=(outputs,) or None
        Mean output of the background sequences without a motif, which the changes start from (a change of
        +0.6 means little without it). Default is None: not known.
    """

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    logit: np.ndarray
    background: np.ndarray | None = None


def insertion_effects(predict: OutputsAndLogits, background, pwms, config: MarginalizeConfig,
                      names: list | None = None, chunk: int | None = None, source: str | None = None) -> Effects:
    """The change of every output when each motif of ``pwms`` is inserted into ``background``.

    The sequences are changed and predicted a chunk at a time (the kept outputs of ``predict``
    dropped between chunks), so memory does not grow with their number; the results do not depend
    on the chunks, up to rounding.

    Parameters
    ----------
    predict : OutputsAndLogits
    background : Backgrounds or numpy.ndarray, shape=(n, length)
        Sequence codes of the background sequences.
    pwms : list of numpy.ndarray, shape=(width, 4)
    config : MarginalizeConfig
        With ``config.sample``, sequence ``i``'s instances are drawn by a generator seeded by
        (``config.seed``, ``i``).
    names : list of str or None
        The motifs' names, for messages. Default is None: "the motif".
    chunk : int or None
        Background sequences per chunk. Default is None: as many as :data:`CHUNK_BYTES` holds.
    source : str or None
        The motif file, for messages. Default is None: not named.

    Returns
    -------
    Effects

    Raises
    ------
    ParamError
        A motif wider than the sequences, or one that does not fit at ``config.position``; before any prediction.
    StopRequested
        A signal asked to stop (checked between sequences and between forward passes).
    """
    where = f"{source}: " if source else ""
    starts = [_start(background.shape[1], len(pwm), config.position,
                     where + (f"motif {names[m]!r}" if names else "the motif")) for m, pwm in enumerate(pwms)]
    deltas = [Moments() for _ in pwms]
    logit_deltas = [Moments() for _ in pwms]
    outputs = Moments()
    for first, codes in _chunks(background, len(pwms) + 1, chunk, f"inserting {len(pwms)} motif(s)"):
        predict.forget()
        instances = _instances(pwms, first, len(codes), config, _SINGLE_INSTANCES)
        inputs = [codes] + [insert(codes, motif, start) for motif, start in zip(instances, starts)]
        (base, base_logits), *insertions = predict.each(inputs)
        outputs.add(base)
        for m, (inserted, logits) in enumerate(insertions):
            deltas[m].add(inserted - base)
            logit_deltas[m].add(logits - base_logits)
    predict.forget()
    bound = _bound(predict)
    mean, low, high = (np.array(values) for values in zip(*(moments.interval(bound) for moments in deltas)))
    return Effects(mean, low, high, np.array([moments.mean for moments in logit_deltas]), np.asarray(outputs.mean))


def top_motifs(effects: Effects, count: int, scale=None) -> list:
    """Indices of the ``count`` motifs whose largest absolute mean change (over the outputs) is largest.

    ``scale``, shape=(outputs,): each output's unit (a regression target's standard deviation,
    :attr:`motifnet.run.rundir.Run.output_scale`), so that a target of large values does not outweigh the
    others. Default (None): the changes as they are (probabilities).
    """
    strength = np.abs(in_units(effects.mean, scale)).max(axis=1)
    return [int(i) for i in np.argsort(-strength, kind="stable")[:count]]


def pair_layout(length: int, width_a: int, width_b: int, config: MarginalizeConfig,
                names: tuple | None = None) -> tuple:
    """Where :func:`pair_effects` puts a pair: motif A's start, and the spacings at which motif B still fits.

    Parameters
    ----------
    length : int
        Positions of the sequences.
    width_a, width_b : int
    config : MarginalizeConfig
        ``position`` (A's start; None: the pair centred at spacing 0) and ``max_spacing``.
    names : tuple of str or None
        A's and B's names, for messages. Default is None: "the pair".

    Returns
    -------
    (int, list of int)
        A's start, and the spacings 0 to ``config.max_spacing`` at which B ends within ``length``.

    Raises
    ------
    ParamError
        The pair does not fit at spacing 0.
    """
    start_a = _start(length, width_a + width_b, config.position, f"the pair {names[0]!r} and {names[1]!r}"
                     if names else "the pair", "ask for fewer --pairs, or give narrower motifs")
    return start_a, list(range(min(config.max_spacing, length - start_a - width_a - width_b) + 1))


def pair_effects(predict: OutputsAndLogits, background, pwm_a, pwm_b, config: MarginalizeConfig,
                 names: tuple | None = None, chunk: int | None = None) -> dict:
    """Motif A then motif B at every spacing and relative orientation, against their single effects.

    A is inserted at ``config.position`` (default: the pair centred at spacing 0); B starts
    ``spacing`` positions after A's end (:func:`pair_layout`), as it is (``same``) or
    reverse-complemented (``opposite``). Each single effect is measured at the same position as in
    the pair. ``names`` (A's and B's) name the pair in messages. As :func:`insertion_effects`, a
    chunk of ``background`` at a time (``chunk`` sequences; None: as many as :data:`CHUNK_BYTES`
    holds), with sampled instances seeded by (``config.seed``, the sequence's number).

    Returns
    -------
    dict
        ``spacings`` (list of int, those that fit), and ``pair``, ``expected``, ``cooperativity``:
        numpy.ndarray, shape=(orientations, spacings, outputs), mean changes of the outputs; ``pair_logit``,
        ``expected_logit``, ``logit_cooperativity``: the same of the logits (the values before the output
        layer's activation), where effects add as the network adds them: a softmax or sigmoid that saturates
        makes probabilities of independent motifs look cooperative (or competing). Sigmoid outputs: the
        log-odds; softmax: each class's logit against the mean of the others' (:func:`class_contrast`; for two
        classes the log-odds), since the log-odds of a class against all others do not add.

    Raises
    ------
    ParamError
        The pair does not fit (:func:`pair_layout`); before any prediction.
    StopRequested
        A signal asked to stop (checked between sequences and between forward passes).
    """
    width_a, width_b = len(pwm_a), len(pwm_b)
    start_a, spacings = pair_layout(background.shape[1], width_a, width_b, config, names)
    # A alone, then B alone and the pair at each orientation and spacing in turn (the background is the base).
    deltas = [Moments() for _ in range(1 + 2 * len(ORIENTATIONS) * len(spacings))]
    logit_deltas = [Moments() for _ in deltas]
    pair = f"{names[0]} and {names[1]}" if names else "the pair"
    additive = class_contrast if predict.activation == "softmax" else np.asarray
    for first, codes in _chunks(background, len(deltas) + 1, chunk, f"inserting {pair} at every spacing"):
        predict.forget()
        instances_a, instances_b = _instances([pwm_a, pwm_b], first, len(codes), config, _PAIR_INSTANCES)
        with_a = insert(codes, instances_a, start_a)
        inputs = [codes, with_a]
        for orientation in ORIENTATIONS:
            oriented_b = instances_b if orientation == "same" else reverse_complement_codes(instances_b)
            for spacing in spacings:
                start_b = start_a + width_a + spacing
                inputs += [insert(codes, oriented_b, start_b), insert(with_a, oriented_b, start_b)]
        (base, base_logits), *changed = predict.each(inputs)
        base_logits = additive(base_logits)
        for moments, logit_moments, (outputs, logits) in zip(deltas, logit_deltas, changed):
            moments.add(outputs - base)
            logit_moments.add(additive(logits) - base_logits)
    predict.forget()
    result = {"spacings": spacings}
    for moments, keys in ((deltas, ("pair", "expected", "cooperativity")),
                          (logit_deltas, ("pair_logit", "expected_logit", "logit_cooperativity"))):
        delta_a, *rest = (moment.mean for moment in moments)
        shape = (len(ORIENTATIONS), len(spacings), len(delta_a))
        delta_b, pair = np.array(rest[0::2]).reshape(shape), np.array(rest[1::2]).reshape(shape)
        result.update(zip(keys, (pair, delta_a + delta_b, pair - (delta_a + delta_b))))
    return result


def pairs_of(indices) -> list:
    """Every unordered pair of distinct motifs among ``indices``, in their order."""
    return list(itertools.combinations(indices, 2))


def ablation_effects(predict: OutputsAndLogits, codes: np.ndarray, sites, n_motifs: int,
                     rng: np.random.Generator) -> list:
    """The change of every output when the sites of each motif are replaced by shuffled sequence.

    Each record with sites of a motif is changed once, all its sites of that motif at a time: their
    positions take the letters of a dinucleotide-shuffled copy of the record.

    Parameters
    ----------
    predict : OutputsAndLogits
    codes : numpy.ndarray, shape=(records, length)
    sites : list of (int, int, int, int)
        (motif, record row, start, end), positions in ``codes`` (end exclusive).
    n_motifs : int
    rng : numpy.random.Generator

    Returns
    -------
    list of (int, Effects or None)
        Per motif: the records changed and their effect (None when fewer than two records have sites).
    """
    by_motif = [dict() for _ in range(n_motifs)]
    for motif, row, start, end in sites:
        by_motif[motif].setdefault(row, []).append((start, end))
    # The records with sites alone, in record order: shuffling every record of a large --fasta took minutes for a
    # few thousand sites.
    with_sites = np.array(sorted({row for motif_sites in by_motif for row in motif_sites}), dtype=np.int64)
    shuffled = dict(zip(with_sites.tolist(), shuffle_codes(codes, rng, with_sites,
                                                           Progress("shuffling the records with sites",
                                                                    total=len(with_sites)))))
    counts, inputs = [], []
    for motif_sites in by_motif:
        rows = np.array(sorted(motif_sites), dtype=np.int64)
        counts.append(len(rows))
        if len(rows) < 2:
            continue
        original = codes[rows]
        ablated = original.copy()
        for i, row in enumerate(rows):
            for start, end in motif_sites[row]:
                ablated[i, start:end] = shuffled[row][start:end]
        inputs += [original, ablated]
    predicted = iter(predict.each(inputs) if inputs else [])
    results = []
    for count in counts:
        if count < 2:
            results.append((count, None))
            continue
        (before, before_logits), (after, after_logits) = next(predicted), next(predicted)
        mean, low, high = mean_interval(after - before, _bound(predict))
        results.append((count, Effects(mean[None], low[None], high[None],
                                       (after_logits - before_logits).mean(axis=0)[None])))
    return results
