"""A ``background`` class for positives-only training: shuffled positives, or GC-matched genome windows.

``shuffle``: each positive shuffled with its k-mer counts kept (:func:`motifnet.data.shuffle.kmer_shuffle`),
``ratio`` copies per positive. ``genomic``: random windows of the genome, as many per positive as
``ratio`` says, drawn so that their GC content has the positives' distribution (in bins of 0.1)
and overlapping no positive window. Both are seeded, so a seed gives the same background.
"""

from __future__ import annotations

import bisect
import logging
import math
import re

import numpy as np

from ..errors import InputError, OptionValueError, ParamError
from .fasta import FastaBlock, is_bed_path
from .genome import Genome, Window, parse_window_id, sequence_block
from .options import MAX_BACKGROUND_RATIO
from .shuffle import kmer_shuffle

log = logging.getLogger("motifnet")

GC_BINS = 10
_MAX_N_SHARE = 0.1  # genome windows with more N than this are not drawn (assembly gaps)
_TRIES_PER_WINDOW = 200
_STALLED_TRIES = 20_000  # draws in a row without a window: the GC bins still wanted are not in this genome


def check_background_options(background, shuffle_k: int, ratio: float, genome, multi_label: bool, task: str) -> None:
    """Refuse background options that do not fit (the message names the option and the value)."""
    if background is None:
        return
    if multi_label or task == "regression":
        raise OptionValueError("--background adds a class 'background' to single-label classification; it does not "
                               "go with --multi-label or --task regression")
    if background == "genomic" and genome is None:
        raise OptionValueError("--background genomic draws windows of the genome: give --genome FILE.fa")
    if background not in ("genomic", "shuffle") and genome is None and is_bed_path(background):
        raise OptionValueError(f"--background {background}: BED input needs --genome FILE.fa (the sequences of its "
                               "intervals)")
    if not shuffle_k >= 1:
        raise OptionValueError(f"--shuffle-k must be at least 1, received: {shuffle_k}")
    if not (0 < ratio <= MAX_BACKGROUND_RATIO and math.isfinite(ratio)):
        raise OptionValueError(f"--background-ratio must be a positive number up to {MAX_BACKGROUND_RATIO:g}, "
                               f"received: {ratio}")


def _records(blocks) -> list:
    """(id, sequence bytes) of every record of ``blocks``."""
    records = []
    for block in blocks:
        offsets = np.concatenate([[0], np.cumsum(block.lengths)])
        for index, identifier in enumerate(block.ids()):
            records.append((identifier, block.letters[offsets[index]:offsets[index + 1]]))
    return records


def shuffled_background(blocks, k: int = 2, ratio: float = 1.0, seed: int = 0) -> FastaBlock:
    """Shuffled copies of the positives: ``round(ratio * n)`` records, positive ``i % n`` for record ``i``.

    Parameters
    ----------
    blocks : list of FastaBlock
        The positive records.
    k : int
        k-mer counts kept (2: dinucleotides). Default is 2.
    ratio : float
        Background records per positive. Default is 1.
    seed : int
        Record ``i`` is shuffled with the generator seeded by ``(seed, i)``. Default is 0.

    Returns
    -------
    FastaBlock
        Named ``background``; ids ``POSITIVE_ID/shuffleN``.

    Raises
    ------
    ParamError
        ``k`` as long as the shortest record (its copy could only be itself).
    """
    records = _records(blocks)
    shortest = min(len(letters) for _, letters in records)
    if k >= shortest:
        raise ParamError(f"--shuffle-k {k} keeps every {k}-mer, and a record of {shortest} letters is at most one: "
                         f"its shuffled copy would be the record itself; give a K below {shortest} (2 is usual)")
    count = max(1, round(ratio * len(records)))
    ids, sequences = [], []
    unchanged = 0
    for index in range(count):
        identifier, letters = records[index % len(records)]
        ids.append(f"{identifier}/shuffle{index // len(records) + 1}")
        sequences.append(kmer_shuffle(letters, k, np.random.default_rng((seed, index))).tobytes())
        unchanged += sequences[-1] == letters.tobytes()
    if unchanged:
        log.warning("--background shuffle: %d of %d shuffled copies equal their record (too few distinct "
                    "%d-mers to reorder); they are labelled background all the same", unchanged, count, k)
    return sequence_block("background", ids, sequences)


def gc_content(letters) -> float:
    """Share of G and C among the A, C, G, T letters (0.5 when there are none)."""
    counts = np.bincount(np.frombuffer(bytes(letters), dtype=np.uint8), minlength=256)
    acgt = int(sum(counts[ord(c)] + counts[ord(c.lower())] for c in "ACGT"))
    gc = int(sum(counts[ord(c)] + counts[ord(c.lower())] for c in "GC"))
    return gc / acgt if acgt else 0.5


def _gc_bin(share: float) -> int:
    return min(int(share * GC_BINS), GC_BINS - 1)


class _Occupied:
    """The windows already taken per chromosome, kept sorted by start so that an overlap is found by bisection."""

    def __init__(self, windows):
        self._starts: dict = {}
        self._ends: dict = {}
        self._longest: dict = {}
        for window in windows:
            self.add(window)

    def add(self, window: Window) -> None:
        starts = self._starts.setdefault(window.chrom, [])
        ends = self._ends.setdefault(window.chrom, [])
        index = bisect.bisect_left(starts, window.start)
        starts.insert(index, window.start)
        ends.insert(index, window.end)
        self._longest[window.chrom] = max(self._longest.get(window.chrom, 0), window.end - window.start)

    def overlaps(self, window: Window) -> bool:
        starts = self._starts.get(window.chrom)
        if not starts:
            return False
        # Only windows starting in (start - longest, end) can reach into [start, end).
        first = bisect.bisect_right(starts, window.start - self._longest[window.chrom])
        last = bisect.bisect_left(starts, window.end)
        ends = self._ends[window.chrom]
        return any(ends[index] > window.start for index in range(first, last))


#: A record id ``chrom:start-end`` without a strand, as ``bedtools getfasta`` names the sequences it extracts.
_STRANDLESS_WINDOW = re.compile(r"(?P<chrom>[^\s:]+):(?P<start>\d+)-(?P<end>\d+)")


def _named_window(identifier: str) -> Window | None:
    """The genome window a positive's id names, to keep the background clear of: ``chrom:start-end(strand)`` as
    motifnet names windows, or ``chrom:start-end`` as bedtools names them (a background overlapped those)."""
    window = parse_window_id(identifier)
    if window is None:
        match = _STRANDLESS_WINDOW.fullmatch(identifier)
        if match is not None and int(match["start"]) < int(match["end"]):
            window = Window(match["chrom"], int(match["start"]), int(match["end"]))
    return window


def genomic_background(genome: Genome, blocks, length: int, ratio: float = 1.0, seed: int = 0,
                       excluded=()) -> FastaBlock:
    """Random genome windows matched to the positives' GC content, overlapping no positive.

    Parameters
    ----------
    genome : Genome
    blocks : list of FastaBlock
        The positive records; those named ``chrom:start-end(strand)`` are excluded regions.
    length : int
        Window length.
    ratio : float
        Background windows per positive. Default is 1.
    seed : int
        Default is 0.
    excluded : iterable of Window
        More regions no window may overlap: the whole BED intervals of the positives (a broad peak
        reaches past its window). Default is none.

    Returns
    -------
    FastaBlock
        Named ``background``; ids ``chrom:start-end(+)``, in the order drawn.

    Raises
    ------
    InputError
        The genome has no chromosome as long as a window, or no window could be drawn.
    """
    records = _records(blocks)
    wanted = np.zeros(GC_BINS, dtype=np.int64)
    for _, letters in records:
        wanted[_gc_bin(gc_content(letters))] += 1
    wanted = np.round(wanted * ratio).astype(np.int64)
    total = int(wanted.sum())
    chroms = [name for name, size in genome.lengths.items() if size >= length]
    if not chroms:
        raise InputError(f"--genome {genome.path}: no chromosome is as long as a window ({length} bases)")
    capacity = sum(genome.lengths[name] // length for name in chroms)
    if total > capacity:
        raise InputError(f"--background genomic: --background-ratio {ratio:g} asks for {total} windows of {length} "
                         f"bases, but {genome.path} holds at most {capacity} that do not overlap; lower the ratio")
    sizes = np.array([genome.lengths[name] - length + 1 for name in chroms], dtype=np.float64)
    shares = sizes / sizes.sum()  # a chromosome is drawn in proportion to the windows it holds
    occupied = _Occupied([*(window for window in (_named_window(identifier) for identifier, _ in records)
                            if window is not None), *excluded])
    rng = np.random.default_rng(seed)
    ids, sequences = [], []
    tries = last_drawn = 0
    while len(ids) < total and tries < _TRIES_PER_WINDOW * total and tries - last_drawn < _STALLED_TRIES:
        tries += 1
        chrom = chroms[int(rng.choice(len(chroms), p=shares))]
        start = int(rng.integers(0, genome.lengths[chrom] - length + 1))
        window = Window(chrom, start, start + length)
        letters = genome.fetch(window)
        if letters.count(b"N") > _MAX_N_SHARE * length:
            continue
        gc_bin = _gc_bin(gc_content(letters))
        if wanted[gc_bin] == 0 or occupied.overlaps(window):
            continue
        wanted[gc_bin] -= 1
        occupied.add(window)
        last_drawn = tries
        ids.append(window.id)
        sequences.append(letters)
    if not ids:
        bins = ", ".join(f"{b / GC_BINS:.1f}-{(b + 1) / GC_BINS:.1f}" for b in np.flatnonzero(wanted))
        raise InputError(f"--genome {genome.path}: no background window could be drawn in {tries} tries: none with "
                         f"the positives' GC content (GC {bins}), at most {_MAX_N_SHARE:.0%} N and outside the "
                         "positives; try --background shuffle")
    if len(ids) < total:  # too few of some GC bins, or too little room beside the positives (dense peaks)
        log.warning("--background genomic: drew %d of %d windows (%s holds too few more of the positives' GC content "
                    "with at most %.0f%% N, clear of the positives and of each other)", len(ids), total, genome.path,
                    100 * _MAX_N_SHARE)
    return sequence_block("background", ids, sequences)
