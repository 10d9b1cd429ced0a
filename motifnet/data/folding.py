"""RNA secondary structure with ViennaRNA: MFE dot-brackets, structural contexts and context profiles.

Three output formats, each read directly by ``motifnet train``:

``dotbracket``
    header, sequence, MFE structure (``--structure-alphabet "()."``).
``context``
    header, sequence, one context letter per position (``--structure-alphabet FHIMST``).
``profile``
    header, sequence, then six lines of probabilities, one per context in the order
    ``F H I M S T`` (``--structure-alphabet FHIMST --structure-pwm``).

Contexts follow forgi's element string, which pysster used: ``S`` paired (stem); ``H``
unpaired in a loop closed by one pair with no pair inside (hairpin); ``I`` unpaired in a
loop closed by one pair with exactly one pair inside (interior loop or bulge); ``M``
unpaired in a loop with two or more pairs inside (multi-loop). Unpaired positions of the
exterior loop are ``F`` before the first pair, ``T`` after the last pair and ``M``
between two helices (forgi counts those segments as multi-loop segments); a structure
without pairs is all ``F``.

The profile is the probability of each context under the Boltzmann ensemble: by default
estimated from ``samples`` structures drawn from the partition function (stochastic
backtracking, seeded per record), or computed exactly (``exact``) from ViennaRNA's
unpaired probabilities split by loop type.

Local folding (``window``/``span``, as RNAplfold's ``-W``/``-L``): the profile comes from
local pair and unpaired probabilities averaged over all windows of ``window`` bases,
with base pairs spanning at most ``span`` bases; the dot-bracket and context formats give
the MFE structure among those whose base pairs span at most ``span`` bases (RNAfold
``--maxBPspan``).

Energy parameters and model: ViennaRNA's defaults (Turner 2004, 37 °C, dangles 2), as
``RNAfold`` and ``RNAplfold`` use them.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import logging
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from .._io import atomic_path, text_output
from .._parallel import available_cores, process_pool
from .._progress import Progress
from .._signals import check_stop
from ..errors import InputError, OptionValueError
from .fasta import display_name, read_fasta

log = logging.getLogger("motifnet")

FORMATS = ("dotbracket", "context", "profile")
CONTEXTS = "FHIMST"
#: The ``--structure-alphabet`` (and PWM mode) under which ``motifnet train`` reads each format.
STRUCTURE_ALPHABETS = {"dotbracket": ("().", False), "context": (CONTEXTS, False), "profile": (CONTEXTS, True)}
DEFAULT_SAMPLES = 1000
#: The most structures sampled per record (ViennaRNA counts them in an unsigned int; a million takes minutes a record).
MAX_SAMPLES = 1_000_000

# Nucleotides and IUPAC codes; ViennaRNA folds the codes as bases that pair with nothing.
_ALLOWED = frozenset("ACGUTRYSWKMBDHVN")
# RNAfold's free energy after a structure: "((((...)))) (-4.50)"
_ENERGY = re.compile(r"\s*\(\s*[-+]?\d+(\.\d*)?\s*\)\s*$")
_LOCAL_STRETCH = 10
# Records go to the workers in chunks of at most this many records or bases, and at most
# this many chunks per worker are in flight, which bounds memory on any input size.
_CHUNK_RECORDS = 32
_CHUNK_BASES = 4000
_IN_FLIGHT_PER_JOB = 4


@dataclass(frozen=True)
class FoldOptions:
    """How ``motifnet fold`` folds each record.

    Parameters
    ----------
    format : {'dotbracket', 'context', 'profile'}
        What to write per record. Default is 'dotbracket'.
    window : int or None
        Local folding with windows of this many bases (RNAplfold ``-W``); None folds each
        sequence as a whole. Default is None.
    span : int or None
        Maximum base-pair span for local folding (RNAplfold ``-L``); default: ``window``.
    samples : int or None
        Structures sampled per record for the profile; default 1000.
    exact : bool
        Compute the profile exactly instead of sampling. Default is False.
    seed : int
        Seed of the sampling (each record gets its own seed derived from it and the record's
        letters, so results do not depend on ``jobs`` or on where the record stands). Default is 0.
    jobs : int or None
        Worker processes; default: every core this process may use.
    """

    format: str = "dotbracket"
    window: int | None = None
    span: int | None = None
    samples: int | None = None
    exact: bool = False
    seed: int = 0
    jobs: int | None = None

    def __post_init__(self):
        if self.format not in FORMATS:
            raise OptionValueError(f"--format must be one of {', '.join(FORMATS)}, received: {self.format!r}")
        if self.window is None and self.span is not None:
            raise OptionValueError(f"--span {self.span} needs --window W (local folding); give both, with span <= "
                                   "window")
        if self.window is not None:
            if self.window < 1:
                raise OptionValueError(f"--window must be a positive number of bases, received: {self.window}")
            span = self.window if self.span is None else self.span
            if not 1 <= span <= self.window:
                raise OptionValueError(f"--span must be between 1 and --window ({self.window}), received: {span}")
            object.__setattr__(self, "span", span)
        if self.samples is not None:
            if self.format != "profile":
                raise OptionValueError(f"--samples applies to --format profile only, received --format {self.format}")
            if self.window is not None:
                raise OptionValueError("--samples cannot be combined with --window: local profiles are computed "
                                 "exactly from local probabilities")
            if self.exact:
                raise OptionValueError("--samples and --exact exclude each other: sample structures or compute exactly")
            if not 1 <= self.samples <= MAX_SAMPLES:
                raise OptionValueError(f"--samples must be between 1 and {MAX_SAMPLES:,}, received: {self.samples}")
        if self.exact and self.format != "profile":
            raise OptionValueError(f"--exact applies to --format profile only, received --format {self.format}")
        if self.seed < 0:
            raise OptionValueError(f"--seed must be 0 or more, received: {self.seed}")
        if self.jobs is not None and self.jobs < 1:
            raise OptionValueError(f"--jobs must be at least 1, received: {self.jobs}")

    @property
    def sampled(self) -> bool:
        """Whether structures are sampled (and ``seed`` matters): a profile of the whole sequence, not exact."""
        return self.format == "profile" and not self.exact and self.window is None

    @property
    def n_samples(self) -> int:
        return self.samples if self.samples is not None else DEFAULT_SAMPLES

    @property
    def n_jobs(self) -> int:
        return self.jobs if self.jobs is not None else available_cores()

    def describe(self) -> str:
        local = f", window {self.window}, span {self.span}" if self.window else ""
        if self.format != "profile":
            return f"{self.format} (MFE{local})"
        if self.window:
            return f"profile (exact local probabilities{local})"
        return "profile (exact)" if self.exact else f"profile ({self.n_samples} sampled structures, seed {self.seed})"


@dataclass
class FoldResult:
    """The folding of one sequence.

    Attributes
    ----------
    structure : str or None
        MFE dot-bracket (``dotbracket`` and ``context``).
    energy : float or None
        Its free energy in kcal/mol (None for local profiles, which need no MFE).
    profile : numpy.ndarray or None, shape=(6, length)
        Context probabilities, rows in the order ``F H I M S T`` (``profile``).
    """

    structure: str | None = None
    energy: float | None = None
    profile: np.ndarray | None = field(default=None, repr=False)

    @property
    def contexts(self) -> str:
        return structure_contexts(self.structure)


# -- contexts ------------------------------------------------------------------------------

def _partners(structure: str) -> list:
    partners = [-1] * len(structure)
    stack = []
    for position, char in enumerate(structure):
        if char == "(":
            stack.append(position)
        elif char == ")":
            if not stack:
                raise InputError(f"unbalanced dot-bracket structure: ')' at position {position + 1}")
            opening = stack.pop()
            partners[opening], partners[position] = position, opening
        elif char != ".":
            raise InputError(f"dot-bracket structures hold '(', ')' and '.', found {char!r} at position "
                             f"{position + 1}")
    if stack:
        raise InputError(f"unbalanced dot-bracket structure: '(' at position {stack[-1] + 1} is never closed")
    return partners


def structure_contexts(structure: str) -> str:
    """The structural context of every position of a dot-bracket structure.

    Parameters
    ----------
    structure : str
        Nested dot-bracket structure (``(``, ``)``, ``.``).

    Returns
    -------
    str
        One letter of ``FHIMST`` per position (see the module documentation).

    Raises
    ------
    InputError
        Unbalanced brackets or other characters.

    Examples
    --------
    >>> structure_contexts("..((((...))))..((...)).")
    'FFSSSSHHHSSSSMMSSHHHSST'
    """
    partners = _partners(structure)
    length = len(structure)
    # The loop an unpaired base lies in is identified by the opening position of the pair
    # that closes it (-1: exterior loop); a loop's type follows from how many pairs it holds.
    enclosing = [-1] * length
    inner_pairs = Counter()
    stack = [-1]
    for position in range(length):
        partner = partners[position]
        if partner < 0:
            enclosing[position] = stack[-1]
        elif partner > position:
            inner_pairs[stack[-1]] += 1
            stack.append(position)
        else:
            stack.pop()
    paired = [p for p in range(length) if partners[p] >= 0]
    first, last = (paired[0], paired[-1]) if paired else (length, length)
    letters = []
    for position in range(length):
        loop = enclosing[position]
        if partners[position] >= 0:
            letters.append("S")
        elif loop >= 0:
            letters.append("HIM"[min(inner_pairs[loop], 2)])
        elif position < first:
            letters.append("F")
        elif position > last:
            letters.append("T")
        else:
            letters.append("M")
    return "".join(letters)


def _context_counts(structures, length: int) -> np.ndarray:
    """Per position, how many of ``structures`` put it in each context; shape=(6, length)."""
    counts = np.zeros((len(CONTEXTS), length), dtype=np.int64)
    lookup = np.zeros(256, dtype=np.int64)
    for row, letter in enumerate(CONTEXTS):
        lookup[ord(letter)] = row
    columns = np.arange(length)
    for structure, multiplicity in Counter(structures).items():
        rows = lookup[np.frombuffer(structure_contexts(structure).encode("ascii"), dtype=np.uint8)]
        counts[rows, columns] += multiplicity
    return counts


# -- folding one sequence -------------------------------------------------------------------

def _model(window: int | None = None, span: int | None = None):
    import RNA

    md = RNA.md()
    if window is not None:
        md.window_size = window
        md.max_bp_span = span
    return md


def _mfe(sequence: str, span: int | None):
    import RNA

    md = _model()
    if span is not None:
        md.max_bp_span = span
    structure, energy = RNA.fold_compound(sequence, md).mfe()
    return structure, float(energy)


def _sampled_profile(sequence: str, samples: int, seed: int) -> tuple[np.ndarray, float]:
    import RNA

    md = _model()
    md.uniq_ML = 1  # required by stochastic backtracking
    compound = RNA.fold_compound(sequence, md)
    _, energy = compound.mfe()
    compound.exp_params_rescale(energy)  # keeps the partition function in floating-point range
    compound.pf()
    RNA.init_rand(seed)
    structures = list(compound.pbacktrack(samples))
    return _context_counts(structures, len(sequence)) / samples, float(energy)


def _exact_profile(sequence: str, window: int, span: int) -> np.ndarray:
    """Context probabilities from ViennaRNA's unpaired probabilities split by loop type.

    ``F`` at position i is the probability that positions 1..i are all unpaired, ``T`` that
    i..n are while some pair exists (an open chain is all ``F``, as in
    :func:`structure_contexts`); the rest of the exterior-loop probability is ``M``.
    When the window covers the sequence these are exact. With shorter windows, long
    stretches are judged only by the few windows that contain them, whose edges cut pairs
    off; so the probability of a stretch longer than ``_LOCAL_STRETCH`` bases is chained from
    overlapping stretches of that length (an order ``_LOCAL_STRETCH - 1`` Markov
    approximation).
    """
    import RNA

    length = len(sequence)
    window = min(window, length)
    span = min(span, window)
    stretch = length if window >= length else min(_LOCAL_STRETCH, window)
    compound = RNA.fold_compound(sequence, _model(window, span), RNA.OPTION_WINDOW)
    unpaired = {kind: np.zeros(length) for kind in (RNA.EXT_LOOP, RNA.HP_LOOP, RNA.INT_LOOP, RNA.MB_LOOP)}
    prefix_open = np.zeros(length)  # P(positions 1..i unpaired): from ViennaRNA up to `stretch`, then chained
    suffix_open = np.zeros(length)  # P(positions i..n unpaired): likewise from the 3' end
    # P(the `stretch` (and `stretch - 1`) bases ending at i are unpaired in the exterior loop)
    stretch_open = np.zeros(length)
    shorter_open = np.ones(length)

    def collect(values, size, position, max_size, what, data=None):
        kind = what & RNA.ANY_LOOP
        if kind not in unpaired:
            return
        unpaired[kind][position - 1] = values[1]
        if kind != RNA.EXT_LOOP:
            return
        if position <= size:
            prefix_open[position - 1] = values[position]
        if size >= stretch:
            stretch_open[position - 1] = values[stretch]
            shorter_open[position - 1] = values[stretch - 1] if stretch > 1 else 1.0
        if position == length:
            for bases in range(1, size + 1):
                suffix_open[length - bases] = values[bases]

    compound.probs_window(stretch, RNA.PROBS_WINDOW_UP | RNA.PROBS_WINDOW_UP_SPLIT, collect)
    # chaining with u = stretch: P(1..i open) = P(1..i-1 open) * P(i-u+1..i open) / P(i-u+1..i-1 open)
    step = np.divide(stretch_open, shorter_open, out=np.zeros(length), where=shorter_open > 0).clip(0.0, 1.0)
    for position in range(stretch, length):
        prefix_open[position] = prefix_open[position - 1] * step[position]
    for position in range(length - stretch - 1, -1, -1):
        suffix_open[position] = suffix_open[position + 1] * step[position + stretch - 1]
    exterior = unpaired[RNA.EXT_LOOP]
    # F and T are parts of the exterior-loop probability (chaining may overshoot it)
    five = np.minimum(prefix_open, exterior)
    three = np.clip(np.minimum(suffix_open - prefix_open[-1], exterior - five), 0.0, None)
    multi = np.clip(unpaired[RNA.MB_LOOP] + exterior - five - three, 0.0, None)
    total_unpaired = exterior + unpaired[RNA.HP_LOOP] + unpaired[RNA.INT_LOOP] + unpaired[RNA.MB_LOOP]
    stem = np.clip(1.0 - total_unpaired, 0.0, None)
    profile = np.clip(np.vstack([five, unpaired[RNA.HP_LOOP], unpaired[RNA.INT_LOOP], multi, stem, three]), 0.0, None)
    return profile / profile.sum(axis=0, keepdims=True)


#: How the sampled profiles' records are seeded (:func:`record_seed`), recorded beside a run's folded copies so that
#: copies seeded otherwise (by position, before 2026-12-06) are folded again, not reused.
SAMPLING_SEEDS = "letters"


def record_seed(seed: int, sequence: str) -> int:
    """The sampling seed of a record: from ``seed`` and its letters, so that a record's profile is the same
    wherever it stands (in which file, at which position, with how many ``jobs``), and equal records fold alike."""
    digest = hashlib.sha256(sequence.encode("ascii", errors="replace")).digest()
    return int(np.random.SeedSequence([seed, *np.frombuffer(digest, dtype=np.uint32).tolist()]).generate_state(1)[0])


def fold_sequence(sequence: str, options: FoldOptions = FoldOptions()) -> FoldResult:
    """Fold one RNA sequence as ``options`` say.

    Parameters
    ----------
    sequence : str
        RNA or DNA in any case (``ACGU``, ``T`` read as ``U``, IUPAC codes pair with nothing).
    options : FoldOptions
        Format, local folding, sampling (seeded by ``seed`` and the letters: :func:`record_seed`). Default is
        ``FoldOptions()`` (MFE dot-bracket).

    Returns
    -------
    FoldResult
    """
    sequence = sequence.upper().replace("T", "U")
    if options.format != "profile":
        structure, energy = _mfe(sequence, options.span)
        return FoldResult(structure=structure, energy=energy)
    if options.window is not None:
        return FoldResult(profile=_exact_profile(sequence, options.window, options.span))
    if options.exact:
        _, energy = _mfe(sequence, None)
        return FoldResult(energy=energy, profile=_exact_profile(sequence, len(sequence), len(sequence)))
    profile, energy = _sampled_profile(sequence, options.n_samples, record_seed(options.seed, sequence))
    return FoldResult(energy=energy, profile=profile)


# -- writing records -----------------------------------------------------------------------

def profile_lines(profile: np.ndarray) -> list:
    """Probability rows as text, rounded to 6 decimals so that every column sums to exactly 1.

    Rounding is by largest remainder: each column's values are floored to millionths and the
    missing millionths go to the values that lost most, so the written numbers sum to 1.
    """
    scale = 1_000_000
    scaled = profile * scale
    units = np.floor(scaled).astype(np.int64)
    missing = scale - units.sum(axis=0)
    order = np.argsort(-(scaled - units), axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(profile.shape[0])[:, None].repeat(profile.shape[1], axis=1), axis=0)
    units += ranks < missing
    return [" ".join(_unit_text(int(value)) for value in row) for row in units]


def _unit_text(units: int) -> str:
    if units == 0:
        return "0"
    if units == 1_000_000:
        return "1"
    return f"0.{units:06d}".rstrip("0")


def header_with_energy(header: str, number: int, energy: float | None) -> str:
    """``header`` with ``mfe=E`` after the record id, so that ids and trailing class indices stay put."""
    if "mfe=" in header:  # a file folded before: its energy gives way to the new one (the rest kept as it is)
        header = re.sub(r"(?:^|\s+)mfe=\S*", "", header).strip()
    if energy is None:  # local folding gives none: an earlier energy, of other folding, would pass for this one's
        return header
    tag = f"mfe={energy:.2f}"
    words = header.split(maxsplit=1)
    if not words:
        return f"record_{number} {tag}"
    # A header of one word stays first, whether it is an id (">101") or the class indices of a multi-label record
    # (">0,2"): read multi-label, the energy is not a word of the header (motifnet.data.labels.parse_multi_label).
    return " ".join([words[0], tag] + words[1:])


def format_body(sequence: str, result: FoldResult, fold_format: str) -> str:
    """The lines after the header: sequence, then structure, contexts or six profile rows."""
    if fold_format == "dotbracket":
        lines = [sequence, result.structure]
    elif fold_format == "context":
        lines = [sequence, result.contexts]
    else:
        lines = [sequence, *profile_lines(result.profile)]
    return "\n".join(lines) + "\n"


def _fold_chunk(chunk) -> list:
    options, items = chunk
    results = []
    for sequence in items:
        result = fold_sequence(sequence, options)
        results.append((result.energy, format_body(sequence, result, options.format)))
    return results


def _sequence_of(record, name: str, notes: set) -> str:
    sequence = b"".join(record.lines)
    if not sequence:
        raise InputError(f"{record.where()}: empty sequence")
    text = sequence.decode("ascii", errors="replace")
    upper = text.upper()
    bad = next((position for position, char in enumerate(upper) if char not in _ALLOWED), None)
    folded = structure_line(record.lines)
    if folded is not None:  # "position 61" of a record of 60 letters, and "fold accepts A, C, G...", said nothing
        number, kind = folded
        raise InputError(f"{record.where()}: its line {number} (after the header) is {kind}, not sequence: the "
                         "record was folded already (as motifnet fold writes it); give the plain sequence records, "
                         "which motifnet folds itself")
    if bad is not None:
        hint = (" (fold reads plain sequence records, not sequence + structure)"
                if text[bad] in "().[]" else "")
        raise InputError(
            f"{record.where()}: character {text[bad]!r} at position {bad + 1} is not a nucleotide; "
            f"fold accepts A, C, G, U, T and the IUPAC codes RYSWKMBDHVN{hint}"
        )
    if "T" in upper and name not in notes:
        notes.add(name)
        log.info("note: %s contains T (DNA); folding it as RNA with T read as U", name)
    return text


def structure_line(lines) -> tuple | None:
    """(number from 1, what it is) of the line of a record folded already, as ``fold`` and RNAfold write them; None
    for plain sequence.

    A row of a profile (numbers and spaces) is no sequence wherever it stands. A dot-bracket or context line is
    told by the record's shape: two lines, the first of nucleotides, the second as long (an RNAfold energy after
    it aside). Context letters H, M, S and T are IUPAC codes too, so a context line may hold nucleotides alone; a
    wrapped sequence whose second line were of those letters and F or I, exactly as long as its first, is taken
    for one.
    """
    texts = [line.decode("ascii", errors="replace").strip() for line in lines]
    for number, text in enumerate(texts[1:], start=2):
        if " " in text and re.fullmatch(r"[0-9.eE+\- ]+", text):
            return number, "a row of a structure profile"
    if len(texts) != 2 or not set(texts[0].upper()) <= _ALLOWED:
        return None
    second = _ENERGY.sub("", texts[1])
    if len(second) != len(texts[0]):
        return None
    if set(second) <= set("()[]{}<>."):  # dots alone: a structure without pairs
        return 2, "a dot-bracket structure"
    if set(second.upper()) <= set(CONTEXTS) and set(second.upper()) & set("FHIMS"):
        return 2, "a line of structure contexts (" + CONTEXTS + ")"
    return None


def _chunks(path, options: FoldOptions):
    """Yield (records, task) pairs: a few records at a time, validated."""
    name = display_name(path)
    notes: set = set()
    records, items, bases = [], [], 0
    for record in read_fasta(path):
        sequence = _sequence_of(record, name, notes)
        records.append(record)
        items.append(sequence)
        bases += len(sequence)
        if len(items) >= _CHUNK_RECORDS or bases >= _CHUNK_BASES:
            yield records, (options, items)
            records, items, bases = [], [], 0
    if items:
        yield records, (options, items)


def fold_file(fasta_path, output_path, options: FoldOptions = FoldOptions(), label: str | None = None,
              scratch: bool = False, announce: bool = False) -> int:
    """Fold every record of a FASTA file and write the records in the same order.

    The input is streamed: a bounded number of records is in flight at any time, folded by
    ``options.jobs`` worker processes (at most the cores available and the chunks of the input), and
    written in input order; the output appears under its name only once complete. Progress goes to the
    ``motifnet`` logger.

    Parameters
    ----------
    fasta_path : str or pathlib.Path
        Plain sequence records (RNA or DNA; gzip and ``-`` for standard input accepted).
    output_path : str or pathlib.Path
        File to write (see the module documentation for the formats).
    options : FoldOptions
        Default is ``FoldOptions()``.
    label : str or None
        How progress names the input. Default is None: its path.
    scratch : bool
        The output is a temporary file, which the closing progress line does not name. Default is False.
    announce : bool
        Log a line of what is folded how (options, workers) once the first records are read and checked, so
        that a file that cannot be read is refused in one line, with none before it. Default is False.

    Returns
    -------
    int
        Number of records written.

    Raises
    ------
    InputError
        Unreadable input, an empty record, or a character that is not a nucleotide
        (file, record and position named).
    """
    name = label or display_name(fasta_path)
    chunks = _chunks(fasta_path, options)
    first = next(chunks, None)  # a missing or unreadable file, or a bad first record, is refused here
    chunks, jobs = _workers_for(itertools.chain([first] if first is not None else [], chunks), options.n_jobs)
    if announce:
        log.info("folding %s: %s, %d job(s)", name, options.describe(), jobs)
    progress = Progress(f"folding {name}")
    with atomic_path(output_path) as tmp, text_output(tmp, output_path) as handle:

        def write(records, results):
            for record, (energy, body) in zip(records, results):
                handle.write(f">{header_with_energy(record.header, record.number, energy)}\n{body}")
            progress.advance(len(records))
            check_stop()  # between chunks; the unfinished output is not renamed into place

        if jobs == 1:
            for records, task in chunks:
                write(records, _fold_chunk(task))
        else:
            with process_pool(jobs) as pool:
                in_flight: deque = deque()
                for records, task in chunks:
                    in_flight.append((records, pool.submit(_fold_chunk, task)))
                    if len(in_flight) >= _IN_FLIGHT_PER_JOB * jobs:
                        write(*_collect(in_flight))
                while in_flight:
                    write(*_collect(in_flight))
    log.info("%s: folded %d records in %.1f s%s", name, progress.done, time.monotonic() - progress.started,
             "" if scratch else f" -> {output_path}")
    return progress.done


#: How often the wait for a worker's chunk checks for a stop (:func:`_collect`).
STOP_POLL_SECONDS = 0.25


def _workers_for(chunks, jobs: int) -> tuple:
    """The chunks to fold (unchanged) and the worker processes worth starting for them.

    No more than the cores this process may use, nor than the chunks of the input: the first ``jobs``
    chunks are read ahead to count them, so a small file gets one worker whatever ``--jobs`` says.
    """
    cores = available_cores()
    if jobs > cores:
        log.info("--jobs %d: using %d worker process(es), the cores available", jobs, cores)
        jobs = cores
    if jobs <= 1:
        return chunks, 1
    ahead = list(itertools.islice(chunks, jobs))
    return itertools.chain(ahead, chunks), max(1, min(jobs, len(ahead)))


def _collect(in_flight: deque) -> tuple:
    """The first chunk of ``in_flight`` and its results, waited for in steps of :data:`STOP_POLL_SECONDS`, so that a
    signal stops the fold within one: a chunk of one long record takes a worker minutes (5,000 nt, profile), and
    a SIGTERM waited for it beyond a batch system's grace period (SLURM's: 30 s)."""
    records, pending = in_flight.popleft()
    while True:
        try:
            return records, pending.result(timeout=STOP_POLL_SECONDS)
        except concurrent.futures.TimeoutError:  # the built-in TimeoutError from Python 3.11 on
            check_stop()
