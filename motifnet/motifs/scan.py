"""Motif sites in FASTA files: FIMO's log-odds scores and p-values (memelite), q-values and an empirical FDR.

memelite's :func:`memelite.fimo` scores every window of every record on both strands against each
motif's log-odds matrix, ``log2(p + 0.0001) - log2(b)``, and turns scores into exact p-values by
dynamic programming over the score distribution. memelite itself knows only the uniform background
(``b = 0.25``); another one (by default the input's letter frequencies, ``--background``) is folded
into the matrices and the p-value tables by :mod:`motifnet.motifs.fimo_background`.

Records are FASTA records, or windows of a genome named by BED files (``--genome``); hits in
windows are then reported in genome coordinates (:mod:`motifnet.data.coordinates`).

Records are scanned in chunks (:attr:`ScanConfig.chunk_records`, and at most
:data:`~motifnet.motifs._scan_records.CHUNK_POSITIONS` positions), records longer than
:data:`~motifnet.motifs._scan_records.PIECE_LETTERS` in overlapping pieces, so memory grows with the number of
hits, not of records or of their lengths: each chunk's hits go to a scratch table, and only their p-values (and those of
the scan of dinucleotide-shuffled copies) are kept until the q-values and the empirical FDR are known.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._numba import numba_cache
from .._progress import Progress
from .._signals import check_stop
from ..data.fasta import display_name, refuse_pipes
from ..errors import InputError, OptionValueError, ParamError
from ._scan_records import RecordChunk, one_hot, record_chunks, shuffled_indices
from .fimo_background import (
    BIN_SIZE,
    EPS,
    FimoMotifs,
    check_background,
    input_background,
    prepare_motifs,
    read_background_file,
    window_bins,
)
from .jaspar import check_unique_names
from .readers import MotifDatabase, read_motifs

log = logging.getLogger("motifnet")

#: Motif files looked for, in this order, when the motifs are given as a report folder.
REPORT_MOTIF_FILES = ("motifs_distinct.meme", "patterns.meme")
# motif_alt_id (FIMO's name of the column) last: scripts that cut the columns before it by number keep working.
HIT_COLUMNS = ("motif", "record", "start", "end", "strand", "score", "p_value", "q_value", "empirical_fdr",
               "sequence", "motif_alt_id")
#: ``hits.tsv`` with genome input: positions on ``chrom``, and the window (record) each hit was found in.
GENOME_HIT_COLUMNS = ("motif", "chrom", "start", "end", "strand", "score", "p_value", "q_value", "empirical_fdr",
                      "sequence", "window", "motif_alt_id")


@dataclass
class ScanMotifs:
    """Motifs to scan for.

    Attributes
    ----------
    names : list of str
        The motifs' IDs (``MA0139.2``), distinct.
    pwms : list of numpy.ndarray, shape=(width, 4)
        Letter probabilities, columns A, C, G, T (U for RNA motifs).
    path : str
        The motif file they came from.
    rna : bool
        Motifs over ACGU (RNA). Default is False.
    alt_names : list of str or None
        Each motif's alternate name (``CTCF``; the ``motif_alt_id`` of FIMO), empty where the file gives none.
        Default is None: none.
    lettered : bool
        The file names its letters (a MEME alphabet, JASPAR/TRANSFAC rows); HOMER and ``.pfm`` files do not,
        and are read as DNA. Default is True.
    """

    names: list
    pwms: list
    path: str
    rna: bool = False
    alt_names: list | None = None
    lettered: bool = True

    def alt_name(self, index: int) -> str:
        """The alternate name of motif ``index``, or the empty string."""
        return self.alt_names[index] if self.alt_names else ""

    @property
    def letters(self) -> str:
        """The letters of the PWMs' columns: ``ACGU`` for RNA motifs, else ``ACGT``."""
        return "ACGU" if self.rna else "ACGT"


#: The most shuffled copies of each record ``--shuffles`` scans (as ``attribute`` and ``motifs`` take at most).
MAX_SHUFFLES = 1000
#: ``--strands``: ``auto`` scans both strands for DNA motifs and the given strand for RNA motifs (ACGU), as FIMO does.
STRANDS = ("auto", "both", "given")


@dataclass
class ScanConfig:
    """How ``motifnet scan`` scans.

    Attributes
    ----------
    threshold : float
        Hits have p-values at most this. Default is 1e-4 (FIMO's).
    q_threshold : float or None
        Keep only hits whose q-value is at most this as well. Default is None (no filter).
    shuffles : int
        Dinucleotide-shuffled copies of every record scanned for the empirical FDR. Default is 1.
    seed : int
        Seed of the shuffles. Default is 0.
    chunk_records : int
        Records scanned at a time. Default is 10,000.
    background : str
        Letter frequencies scores and p-values are computed against: ``input`` (those of the scanned
        records, strand-symmetric), ``uniform``, or a MEME background file. Default is ``input``.
    genome : str or None
        Genome FASTA of BED inputs. Default is None.
    length : int
        Length of the windows of BED lines. Default is 200.
    strands : {'auto', 'both', 'given'}
        Strands scanned: both, or the records' own (FIMO's ``--norc``); ``auto`` scans the given strand for
        RNA motifs (ACGU: RNA has no complementary strand, as in FIMO's RNA alphabet) and both for DNA
        motifs. Default is ``auto``.
    """

    threshold: float = 1e-4
    q_threshold: float | None = None
    shuffles: int = 1
    seed: int = 0
    chunk_records: int = 10000
    background: str = "input"
    genome: str | None = None
    length: int = 200
    strands: str = "auto"

    def checked(self) -> ScanConfig:
        """This config, after checking its values.

        Raises
        ------
        ParamError
            A threshold outside (0, 1], fewer than one shuffle or chunk record.
        """
        if not 0 < self.threshold <= 1:
            raise OptionValueError(f"--threshold is a p-value in (0, 1], received: {self.threshold}")
        if self.q_threshold is not None and not 0 < self.q_threshold <= 1:
            raise OptionValueError(f"--q-threshold is a q-value in (0, 1], received: {self.q_threshold}")
        if not 1 <= self.shuffles <= MAX_SHUFFLES or self.chunk_records < 1:
            raise OptionValueError(f"--shuffles must be 1 to {MAX_SHUFFLES} and the chunk size at least 1, received: "
                                   f"{self.shuffles}, {self.chunk_records}")
        if self.length < 1:
            raise OptionValueError(f"--length must be at least 1, received: {self.length}")
        if self.strands not in STRANDS:
            raise OptionValueError(f"--strands must be one of {', '.join(STRANDS)}, received: {self.strands!r}")
        check_background(self.background)
        return self

    def both_strands(self, motifs: ScanMotifs) -> bool:
        """Whether ``motifs`` are scanned on both strands (see :attr:`strands`)."""
        return self.strands == "both" or (self.strands == "auto" and not motifs.rna)


# -- motifs -----------------------------------------------------------------------------------------

def motif_file(path) -> Path:
    """The motif file ``path`` names: the file itself, or a report folder's motifs_distinct.meme, else patterns.meme.

    ``-`` (standard input) is returned as it is.

    Raises
    ------
    InputError
        No such file, or a folder without either file.
    """
    if str(path) == "-":
        return "-"
    path = Path(path)
    if path.is_dir():
        for name in REPORT_MOTIF_FILES:
            if (path / name).is_file():
                return path / name
        raise InputError(f"{path}: a folder without {' or '.join(REPORT_MOTIF_FILES)}; give a motif file or the "
                         "folder of visualize-kernels or motifs")
    if not path.exists():  # a pipe (<(zcat motifs.meme.gz)) is read once, as a file
        raise InputError(f"{path}: no such motif file")
    return path


def load_scan_motifs(path, command: str = "scan") -> ScanMotifs:
    """DNA or RNA motifs of a motif file (:func:`motifnet.motifs.readers.read_motifs`) or report folder (see
    :func:`motif_file`); ``command`` names the command that needs them in the message that refuses other alphabets.

    Raises
    ------
    InputError
        Not a motif file, no motifs, or motifs over another alphabet than ACGT/ACGU.
    """
    source = motif_file(path)
    return scan_motifs(read_motifs(source), source, command)


def scan_motifs(database: MotifDatabase, source, command: str = "scan") -> ScanMotifs:
    """:class:`ScanMotifs` of the motifs read from ``source``, checked as :func:`load_scan_motifs` checks them."""
    letters, motifs, source = database.letters, database.motifs, display_name(source)
    if letters.upper() not in ("ACGT", "ACGU"):
        raise InputError(f"{source}: motifs over the alphabet {letters!r}; {command} needs DNA or RNA motifs "
                         "(ALPHABET= ACGT or ACGU)")
    if not motifs:
        raise InputError(f"{source}: holds no motifs")
    check_unique_names(MotifDatabase(letters, motifs, str(source)), str(source))  # hits.tsv names motifs
    return ScanMotifs([motif.name for motif in motifs], [np.asarray(motif.pwm, dtype=np.float64) for motif in motifs],
                      str(source), rna=letters.upper() == "ACGU" and not database.nucleic,
                      alt_names=[motif.alt_name for motif in motifs], lettered=not database.nucleic)


def scan_class_names(files, class_names=None) -> list:
    """The class of each of ``files``: ``class_names``, or the file names (as ``train`` names classes).

    Raises
    ------
    InputError
        A file given twice (or two paths of one file): each file is one class, read once.
    ParamError
        Repeated class names (two files of one name in different folders, say).
    """
    from .._validate import is_column_name
    from ..data.dataset import check_distinct_files
    from ..data.labels import class_names_from_paths

    check_distinct_files([str(path) for path in files], None)
    if class_names and len(class_names) != len(files):
        raise ParamError(f"--class-names gives {len(class_names)} name(s) for {len(files)} file(s): give one per "
                         "FASTA or BED file, in their order")
    names = list(class_names or class_names_from_paths(files))
    where = "--class-names" if class_names else "class names (from the file names)"
    # values of enrichment.tsv's class column and labels of the heat map: a tab or line break broke the table
    broken = next((name for name in names if not is_column_name(name)), None)
    if broken is not None:
        raise ParamError(f"{where} must be non-empty and hold no tab or line break (they are values of "
                         f"enrichment.tsv), received: {broken!r}; "
                         f"{'give other class names' if class_names else 'name the classes with --class-names'}")
    if len(set(names)) != len(names):
        advice = "" if class_names else "; name the classes with --class-names"
        raise ParamError(f"{where} must be distinct, received: {', '.join(names)}{advice}")
    return names


# -- scanning -----------------------------------------------------------------------------------------

def scan_indices(motifs: FimoMotifs, indices: np.ndarray, lengths: np.ndarray, both_strands: bool = True) -> dict:
    """FIMO hits of ``motifs`` on both strands of the records ``indices`` (memelite), or on their own strand.

    Windows past a record's end or holding an ambiguity code are left out. Each window's p-value is
    read from its motif's table under the background at the window's rounded score, and windows at
    or above the threshold are dropped (see :mod:`motifnet.motifs.fimo_background`).

    Parameters
    ----------
    motifs : FimoMotifs
        Matrices, background and threshold (:func:`motifnet.motifs.fimo_background.prepare_motifs`).
    indices : numpy.ndarray of int8, shape=(n, length)
        Letter indices (see :class:`RecordChunk`).
    lengths : numpy.ndarray of int, shape=(n,)
    both_strands : bool
        False: the records' own strand only. Default is True.

    Returns
    -------
    dict of numpy.ndarray
        ``motif``, ``row``, ``start`` (0-based), ``end`` (exclusive), ``strand`` (``+``/``-``),
        ``score``, ``p_value``; sorted by row, start, motif and strand.
    """
    numba_cache()
    from memelite import fimo

    columns = {"motif": [], "row": [], "start": [], "end": [], "strand": [], "score": [], "p_value": []}
    encoded = one_hot(_letters_where_unscored(indices)) if len(indices) else None
    for fimo_threshold, numbers in motifs.groups if len(indices) else ():
        tables = fimo({str(number): motifs.matrices[str(number)] for number in numbers}, encoded,
                      threshold=fimo_threshold, reverse_complement=both_strands, eps=EPS, bin_size=BIN_SIZE)
        for number, table in zip(numbers, tables):
            columns["motif"].append(np.full(len(table), number, dtype=np.int64))
            columns["row"].append(table["sequence_name"].to_numpy(np.int64))
            columns["start"].append(table["start"].to_numpy(np.int64))
            columns["end"].append(table["end"].to_numpy(np.int64))
            columns["strand"].append(table["strand"].to_numpy(str).astype("<U1"))
            columns["score"].append(table["score"].to_numpy(np.float64))
            rounded = window_bins(motifs.bins[number], indices, columns["row"][-1], columns["start"][-1],
                                  columns["strand"][-1] == "-")
            columns["p_value"].append(motifs.tables[number].p_values_of(rounded))
            passing = columns["p_value"][-1] < motifs.threshold
            for values in columns.values():
                values[-1] = values[-1][passing]
    hits = {name: np.concatenate(values) if values else np.zeros(0) for name, values in columns.items()}
    if not len(hits["start"]):
        return {name: np.zeros(0, dtype=dtype) for name, dtype in
                (("motif", np.int64), ("row", np.int64), ("start", np.int64), ("end", np.int64),
                 ("strand", "<U1"), ("score", np.float64), ("p_value", np.float64))}
    ambiguous = np.concatenate([np.zeros((len(indices), 1), np.int64), np.cumsum(indices < 0, axis=1)], axis=1)
    keep = (hits["end"] <= lengths[hits["row"]]) & (
        ambiguous[hits["row"], hits["end"]] == ambiguous[hits["row"], hits["start"]])
    order = np.lexsort((hits["strand"][keep], hits["motif"][keep], hits["start"][keep], hits["row"][keep]))
    return {name: values[keep][order] for name, values in hits.items()}


def _letters_where_unscored(indices: np.ndarray) -> np.ndarray:
    """``indices`` with random letters (seeded) where they are -1: past a record's end, or an ambiguity code.

    memelite scores such a position (an all-zero column) as 0, so for a motif whose score threshold is
    below 0 (a long, sharp one) it reported every window of padding or of an N run, two per position,
    which took gigabytes for a chunk of one long and several short rows, or a centromere. Those windows
    are left out afterwards anyway (:func:`scan_indices`); of random letters, about a p-value
    threshold's share of them is reported.
    """
    unknown = indices < 0
    count = int(unknown.sum())
    if not count:
        return indices
    filled = indices.copy()
    filled[unknown] = np.random.default_rng(0).integers(0, 4, count, dtype=np.int8)
    return filled


#: Positions of the letter indices looked at at once when counting windows (memory stays a few times this in bytes).
_COUNT_BLOCK_POSITIONS = 1 << 24


def window_counts(pwms, indices: np.ndarray, strands: int = 2, owned=None) -> np.ndarray:
    """Tests made per motif on records of letter ``indices``: the windows scored, on ``strands`` strands (1 or 2).

    A window holding an ambiguity code (index -1, as is every position past a record's end) is not
    scored, so it is no test: N gaps of a genome or N-padded records do not raise the q-values.

    Parameters
    ----------
    pwms : list of numpy.ndarray, each shape=(width, 4)
    indices : numpy.ndarray of int8, shape=(n, length)
        As :class:`motifnet.motifs._scan_records.RecordChunk` holds them.
    strands : int
        Default is 2.
    owned : numpy.ndarray of int, shape=(n,), or None
        Only windows starting before these positions count (those after are the next piece's, see
        :attr:`RecordChunk.owned`). Default is None: every window.

    Returns
    -------
    numpy.ndarray of int64, shape=(len(pwms),)
    """
    # A run of r letters 0-3 holds r - w + 1 windows of width w (none when r < w).
    runs = []
    rows = max(1, _COUNT_BLOCK_POSITIONS // max(indices.shape[1], 1))
    for first in range(0, len(indices), rows):
        known = np.pad(indices[first:first + rows] >= 0, ((0, 0), (1, 1))).view(np.int8)
        edges = np.diff(known, axis=1).ravel()  # +1 where a run starts, -1 after it ends; no run crosses rows
        runs.append(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1))
    runs = np.sort(np.concatenate(runs)) if runs else np.zeros(0, dtype=np.int64)
    after = np.concatenate([[0], np.cumsum(runs[::-1])])[::-1]  # after[i]: the sum of runs[i:]
    counts = {}
    for width in {len(pwm) for pwm in pwms}:
        longer = int(np.searchsorted(runs, width))  # runs[longer:] are at least width long
        counts[width] = strands * int(after[longer] - (len(runs) - longer) * (width - 1))
    counts = np.array([counts[len(pwm)] for pwm in pwms], dtype=np.int64)
    if owned is not None:
        # the windows starting at or after a row's owned part lie whole in its tail: count those and take them away
        tails = [indices[row, start:] for row, start in enumerate(owned) if start < indices.shape[1]]
        tails = [tail for tail in tails if (tail >= 0).any()]
        if tails:
            width = max(len(tail) for tail in tails)
            padded = np.full((len(tails), width), -1, dtype=np.int8)
            for row, tail in enumerate(tails):
                padded[row, :len(tail)] = tail
            counts -= window_counts(pwms, padded, strands)
    return counts


def bh_q_values(p_values: np.ndarray, tests: int) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p_values``, the reported part of ``tests`` tests in all.

    scipy's :func:`scipy.stats.false_discovery_control` over the reported p-values, scaled by
    ``tests / len(p_values)``: the unreported p-values (all above the threshold) are assumed not to
    lower any q-value, so the q-values are BH's or above (conservative; see the README for how far).
    """
    from scipy.stats import false_discovery_control

    p_values = np.asarray(p_values, dtype=np.float64)
    if not len(p_values):
        return p_values
    q_values = false_discovery_control(p_values) * (max(tests, len(p_values)) / len(p_values))
    return np.minimum(q_values, 1.0)


def empirical_fdr(p_values: np.ndarray, null_p_values: np.ndarray, copies: int) -> np.ndarray:
    """For each p-value: hits of the shuffled copies with p at most it (per copy), over real hits with p at most it.

    Made monotone in p (the smallest value at any larger p) and capped at 1, as q-values are.
    """
    p_values = np.asarray(p_values, dtype=np.float64)
    if not len(p_values):
        return p_values
    null = np.sort(np.asarray(null_p_values, dtype=np.float64))
    order = np.argsort(p_values, kind="stable")
    sorted_p = p_values[order]
    real_at_most = np.searchsorted(sorted_p, sorted_p, side="right")
    null_at_most = np.searchsorted(null, sorted_p, side="right") / copies
    ratio = np.minimum(null_at_most / real_at_most, 1.0)
    ratio = np.minimum.accumulate(ratio[::-1])[::-1]
    result = np.empty_like(ratio)
    result[order] = ratio
    return result


@dataclass
class ScanResult:
    """What a scan found, once every chunk is done.

    Attributes
    ----------
    motifs : ScanMotifs
    class_names : list of str
        One per FASTA file.
    records_per_class : numpy.ndarray of int, shape=(files,)
    hits : int
        Hits written (after ``--q-threshold``).
    records_with_hit : numpy.ndarray of int, shape=(motifs, files)
        Records with at least one written hit of each motif, per file.
    tests : numpy.ndarray of int, shape=(motifs,)
        Windows scanned per motif (each strand scanned counts).
    background : numpy.ndarray, shape=(4,)
        Letter frequencies (A, C, G, T) scores and p-values were computed against.
    genome : bool
        Whether positions are on the genome (``--genome``; :data:`GENOME_HIT_COLUMNS`).
    scanned : numpy.ndarray of bool, shape=(motifs,) or None
        Whether each motif was scanned: False for one that no window can reach ``--threshold`` with
        (its records with a hit say nothing). None: every motif.
    """

    motifs: ScanMotifs
    class_names: list
    records_per_class: np.ndarray
    hits: int
    records_with_hit: np.ndarray
    tests: np.ndarray
    background: np.ndarray = field(default_factory=lambda: np.full(4, 0.25))
    genome: bool = False
    scanned: np.ndarray | None = None
    both_strands: bool = True


def owned_hits(chunk: RecordChunk, hits: dict) -> dict:
    """The ``hits`` (of :func:`scan_indices` on ``chunk``) that start in their row's own part.

    A piece of a long record reads on into the next piece, so a window there is scored twice; it is
    the next piece's (see :attr:`RecordChunk.owned`).
    """
    keep = hits["start"] < chunk.owned[hits["row"]]
    return hits if keep.all() else {name: values[keep] for name, values in hits.items()}


def _scratch_rows(chunk: RecordChunk, hits: dict, names: list, genome: bool, mismatched: list,
                  check: tuple | None = None) -> str:
    """Hit rows: motif, record (chrom), start, end, strand, score, p-value, file, site (and window).

    ``mismatched`` gets, for a chunk with records named as genome windows that their letters do not span
    (:func:`motifnet.data.windows.window_table`), their number, and the first's id, letters and span: the
    scan warns once, of all of them. ``check``: ``(genome, from_fasta, unlike)``, the open genome, whether
    each input file is FASTA, and a list that gets the ids of FASTA records with hits whose letters are not
    the genome's at the window their name gives (another assembly, a shifted window): they keep their own
    coordinates, as BED windows need no such check."""
    from ..data.coordinates import genome_sites
    from ..data.genome import parse_window_id
    from ..data.windows import window_table

    offsets = chunk.offsets[hits["row"]]
    records, starts, ends, strands = (np.asarray(chunk.ids)[hits["row"]] if len(hits["row"]) else [],
                                      hits["start"] + offsets, hits["end"] + offsets, hits["strand"])
    windows = [""] * len(starts)
    if genome:
        whole = (chunk.offsets == 0) & (chunk.owned == chunk.lengths)  # a piece of a long record: length not known
        table = window_table(chunk.ids, lengths=np.where(whole, chunk.lengths, -1), warn=False)
        if table is not None and len(table.mismatched):
            row = int(table.mismatched[0])
            window = parse_window_id(chunk.ids[row])
            mismatched.append((len(table.mismatched), repr(chunk.ids[row]), int(chunk.lengths[row]),
                               window.end - window.start))
        if table is not None and check is not None:  # a piece of a long record is not compared (its length is not)
            _unmap_unlike(chunk, np.unique(hits["row"][whole[hits["row"]]]), table, *check)
        sites = genome_sites(chunk.ids, hits["row"], starts, ends, strands, table)
        records, starts, ends, strands = sites.chrom, sites.start, sites.end, sites.strand
        windows = [f"\t{window}" for window in sites.window]
    rows = []
    for motif, row, start, end, strand, score, p_value, record, genome_start, genome_end, genome_strand, window \
            in zip(hits["motif"], hits["row"], hits["start"], hits["end"], hits["strand"], hits["score"],
                   hits["p_value"], records, starts, ends, strands, windows):
        # the site as read on the hit's strand, which mapping to the genome leaves as it is
        site = chunk.letters[row][start:end].decode()
        if strand == "-":  # in its record's alphabet: U for RNA (U and no T), T otherwise
            site = site[::-1].translate(_RNA_COMPLEMENT if chunk.rna[row] else _COMPLEMENT)
        rows.append(f"{names[motif]}\t{record}\t{genome_start}\t{genome_end}\t{genome_strand}\t{score:.4f}\t"
                    f"{p_value:.6g}\t{chunk.sources[row]}\t{site}{window}\n")
    return "".join(rows)


def _unmap_unlike(chunk: RecordChunk, rows, table, genome, from_fasta, unlike: list) -> None:
    """Mark invalid the windows of FASTA records among ``rows`` whose letters differ from the genome's there (a
    chromosome the genome lacks included), and list their ids in ``unlike``."""
    from ..data.genome import Window

    for row in rows:
        if not (table.valid[row] and from_fasta[chunk.sources[row]]):
            continue
        window = Window(str(table.chrom[row]), int(table.start[row]), int(table.end[row]),
                        "-" if table.minus[row] else "+")
        same = window.chrom in genome.lengths and \
            genome.fetch(window) == chunk.letters[row].replace(b"U", b"T")
        if not same:
            table.valid[row] = False
            unlike.append(chunk.ids[row])


def scan_background(config: ScanConfig, files, both_strands: bool = True) -> np.ndarray:
    """The letter frequencies (A, C, G, T) of ``config.background``, strand-symmetric when ``both_strands``
    are scanned (one matrix reads both).

    ``input`` counts the letters of every record of ``files`` (one pass, chunk by chunk), with
    one pseudocount per letter.
    """
    from .fimo_background import UNIFORM, symmetric

    if config.background == "uniform":
        return UNIFORM.copy()
    if config.background != "input":
        frequencies = read_background_file(config.background)
    else:
        frequencies = np.zeros(4, dtype=np.int64)
        # the scan reads them again, and warns of repeated BED windows then
        for chunk in record_chunks(files, config.chunk_records, config.genome, config.length, warn_repeats=False):
            check_stop()
            frequencies += np.bincount(chunk.indices[chunk.indices >= 0], minlength=4)[:4]  # no overlap: each once
        frequencies = input_background(frequencies)
    return symmetric(frequencies) if both_strands else frequencies / frequencies.sum()


_COMPLEMENT = str.maketrans("ACGTURYSWKMBDHVN", "TGCAAYRSWMKVHDBN")
_RNA_COMPLEMENT = str.maketrans("ACGTURYSWKMBDHVN", "UGCAAYRSWMKVHDBN")



def _warn_unreachable(names, tables, threshold: float, shown: int = 5) -> None:
    """Name the motifs no window can reach ``threshold`` with (short or flat ones): they are not scanned, no hits.

    Without a word they showed 0 hits, as if their sites were absent from the records.
    """
    unreachable = [(name, float(table.p_values[table.p_values > 0].min(initial=1.0)))
                   for name, table in zip(names, tables) if table.first_passing(threshold) is None]
    if not unreachable:
        return
    listed = ", ".join(f"{name} (best {best:.2g})" for name, best in unreachable[:shown])
    more = f" and {len(unreachable) - shown} more" if len(unreachable) > shown else ""
    needed = max(best for _, best in unreachable)
    # short motifs (a report's kernels of 8, trimmed to 7 columns) cannot reach FIMO's 1e-4: say what would do
    larger = f"--threshold {_round_above(needed):g} or larger" if needed < 0.01 else "a larger --threshold"
    log.warning("%d motif(s) cannot reach --threshold %g, so they are not scanned and have no hits: "
                "their best possible p-value is not below it (%s%s); give %s to scan them",
                len(unreachable), threshold, listed, more, larger)


def _round_above(value: float) -> float:
    """The smallest number of one significant digit above ``value`` (> 0): 2e-4 for 1.8e-4, 1e-3 for 9.5e-4."""
    exponent = math.floor(math.log10(value))
    digit = math.floor(value / 10.0 ** exponent + 1e-9) + 1
    return float(f"{digit}e{exponent}") if digit < 10 else float(f"1e{exponent + 1}")

#: Mean record lengths of two classes further apart than this factor are warned about (records with a hit).
UNEQUAL_LENGTHS = 1.2


def _warn_unequal_lengths(class_names, records_per_class, letters_per_class) -> None:
    """Warn when classes differ in mean record length: a longer record has more windows, so more often a hit."""
    counted = records_per_class > 0
    if counted.sum() < 2:
        return
    means = letters_per_class[counted] / records_per_class[counted]
    if means.max() > UNEQUAL_LENGTHS * means.min():
        names = np.asarray(class_names)[counted]
        listed = ", ".join(f"{name} {mean:.0f}" for name, mean in zip(names, means))
        log.warning("the classes differ in record length (mean letters per record: %s): a longer record has "
                    "more windows and so more often a hit, which the enrichment counts as enrichment; compare "
                    "classes of records of one length (BED input: --length)", listed)


def scan_files(motifs: ScanMotifs, files, config: ScanConfig, hits_path, bed_path, class_names=None) -> ScanResult:
    """Scan the FASTA ``files`` for ``motifs``; write ``hits_path`` (TSV) and ``bed_path`` (BED6).

    Parameters
    ----------
    motifs : ScanMotifs
    files : list of path
        One FASTA file per class (BED files with ``config.genome``).
    config : ScanConfig
    hits_path, bed_path : path
        Written atomically once every record is scanned.
    class_names : list of str or None
        One per file. Default is None: the file names (as ``train`` names classes).

    Returns
    -------
    ScanResult

    Raises
    ------
    InputError
        A missing or unreadable file, a file given twice, a record that is not DNA or RNA, or a record
        id two FASTA records share (hits.tsv names records by id).
    ParamError
        Repeated class names.
    """
    import contextlib

    from .._io import atomic_path, remove_scratch_files, scratch_path
    from ..data.genome import Genome, is_bed_path

    config = config.checked()
    class_names = scan_class_names(files, class_names)
    if config.background == "input":
        # The letter frequencies take a pass over the records before the scan does.
        refuse_pipes(files, "--background input reads the records twice (letter frequencies, then sites)",
                     "save it to a file, or give --background uniform or FILE")
    if config.background == "input" and "-" in [str(path) for path in files]:
        raise OptionValueError("standard input ('-') can be read only once, and --background input reads the records "
                         "twice (letter frequencies, then sites); give them as a file, or --background uniform or FILE")
    both_strands = config.both_strands(motifs)
    if not both_strands:
        log.info("scanning the records' own strand only (%s)", "--strands given" if config.strands == "given" else
                 "RNA motifs, ALPHABET= ACGU: RNA has no complementary strand; --strands both scans both")
    background = scan_background(config, files, both_strands)
    log.info("background letter frequencies (%s): %s", config.background,
             ", ".join(f"{letter} {value:.3f}" for letter, value in zip(motifs.letters, background)))
    prepared = prepare_motifs(motifs.pwms, background, config.threshold, both_strands)
    genome = config.genome is not None
    # FASTA records named as windows are checked against the genome's letters (BED windows are read from it)
    from_fasta = [not is_bed_path(path) for path in files]
    check_genome = Genome(config.genome) if genome and any(from_fasta) else contextlib.nullcontext()
    unlike = []
    n_motifs = len(motifs.pwms)
    tests = np.zeros(n_motifs, dtype=np.int64)
    records_per_class = np.zeros(len(files), dtype=np.int64)
    letters_per_class = np.zeros(len(files), dtype=np.float64)
    p_values, motif_of_hit, record_of_hit, null_p, null_motif = [], [], [], [], []
    records = longest = rna_records = 0
    mismatched = []  # _scratch_rows: records named as windows they do not span, warned of once below
    # each piece of a long record reads this far into the next, so that every window lies whole in one piece
    overlap = max(len(pwm) for pwm in motifs.pwms) - 1 if motifs.pwms else 0
    progress = Progress("scanning", unit="letters")
    hits_path, bed_path = Path(hits_path), Path(bed_path)
    hits_path.parent.mkdir(parents=True, exist_ok=True)
    # The hits of every chunk, until the q-values are known: as large as hits.tsv. One a killed scan left goes.
    remove_scratch_files(hits_path.parent, hits_path.name, (".scratch",))
    with scratch_path(hits_path.parent, hits_path.name, ".scratch") as scratch, check_genome as opened:
        check = (opened, from_fasta, unlike) if opened is not None else None
        with open(scratch, "w", encoding="utf-8") as handle:
            for chunk in record_chunks(files, config.chunk_records, config.genome, config.length, overlap):
                check_stop()
                hits = owned_hits(chunk, scan_indices(prepared, chunk.indices, chunk.lengths, both_strands))
                handle.write(_scratch_rows(chunk, hits, motifs.names, genome, mismatched, check))
                p_values.append(hits["p_value"])
                motif_of_hit.append(hits["motif"])
                record_of_hit.append(chunk.records[hits["row"]])
                for copy in range(config.shuffles):
                    check_stop()
                    null = owned_hits(chunk, scan_indices(prepared, shuffled_indices(chunk, config.seed, copy),
                                                          chunk.lengths, both_strands))
                    null_p.append(null["p_value"])
                    null_motif.append(null["motif"])
                tests += window_counts(motifs.pwms, chunk.indices, 2 if both_strands else 1, chunk.owned)
                longest = max(longest, int((chunk.offsets + chunk.lengths).max(initial=0)))
                first_pieces = chunk.starts_record
                records_per_class += np.bincount(chunk.sources[first_pieces], minlength=len(files))
                letters_per_class += np.bincount(chunk.sources, weights=chunk.owned, minlength=len(files))
                records += int(first_pieces.sum())
                rna_records += int((first_pieces & chunk.rna).sum())
                progress.advance(int(chunk.owned.sum()))
        # after the records were read: a record refused (protein letters, a repeated id) is the one line said
        _warn_unreachable(motifs.names, prepared.tables, config.threshold)
        _warn_unequal_lengths(class_names, records_per_class, letters_per_class)
        if rna_records and both_strands and config.strands == "auto" and not motifs.lettered:
            log.warning("%s names no letters (HOMER, .pfm) and is read as DNA: its motifs were scanned on both strands "
                        "of %s RNA record(s); give --strands given to scan an RNA record's own strand only, as RNA "
                        "motifs are", display_name(motifs.path), f"{rna_records:,}")
        if mismatched:
            from ..data.windows import warn_mismatched

            warn_mismatched(sum(count for count, *_ in mismatched), *mismatched[0][1:])
        if unlike:
            log.warning("%s FASTA record(s) named as genome windows do not hold the letters of --genome %s there (e.g. "
                        "%r; another assembly, or a window that is not the one named?): their hits are given along "
                        "the records, not in the genome", f"{len(unlike):,}", display_name(config.genome), unlike[0])
        for m in np.flatnonzero(np.array([len(pwm) for pwm in motifs.pwms]) > longest) if records else ():
            log.warning("motif %s (%d positions) is longer than every record: it has no window to score",
                        motifs.names[m], len(motifs.pwms[m]))
        p_values = np.concatenate(p_values) if p_values else np.zeros(0)
        motif_of_hit = np.concatenate(motif_of_hit) if motif_of_hit else np.zeros(0, np.int64)
        record_of_hit = np.concatenate(record_of_hit) if record_of_hit else np.zeros(0, np.int64)
        null_p = np.concatenate(null_p) if null_p else np.zeros(0)
        null_motif = np.concatenate(null_motif) if null_motif else np.zeros(0, np.int64)

        # Each motif is its own family of tests, as in FIMO: the other motifs in the file do not change its q-values.
        q_values, fdr = np.empty_like(p_values), np.empty_like(p_values)
        for motif in range(n_motifs):
            mine = motif_of_hit == motif
            q_values[mine] = bh_q_values(p_values[mine], int(tests[motif]))
            fdr[mine] = empirical_fdr(p_values[mine], null_p[null_motif == motif], config.shuffles)
        keep = q_values <= config.q_threshold if config.q_threshold is not None else np.ones(len(p_values), bool)

        sources_of_record = np.repeat(np.arange(len(files)), records_per_class)
        records_with_hit = np.zeros((n_motifs, len(files)), dtype=np.int64)
        pairs = np.unique(np.stack([motif_of_hit[keep], record_of_hit[keep]]), axis=1) if keep.any() else \
            np.zeros((2, 0), np.int64)
        np.add.at(records_with_hit, (pairs[0], sources_of_record[pairs[1]]), 1)

        with atomic_path(hits_path) as hits_tmp, atomic_path(bed_path) as bed_tmp, \
                open(scratch, encoding="utf-8") as rows, open(hits_tmp, "w", encoding="utf-8") as hits_out, \
                open(bed_tmp, "w", encoding="utf-8") as bed_out:
            hits_out.write("\t".join(GENOME_HIT_COLUMNS if genome else HIT_COLUMNS) + "\n")
            alt_names = {name: motifs.alt_name(m) for m, name in enumerate(motifs.names)}
            for index, line in enumerate(rows):
                if not keep[index]:
                    continue
                motif, record, start, end, strand, score, p_value, _, site, *window = line.rstrip("\n").split("\t")
                window = f"\t{window[0]}" if window else ""
                hits_out.write(f"{motif}\t{record}\t{start}\t{end}\t{strand}\t{score}\t{p_value}\t"
                               f"{q_values[index]:.6g}\t{fdr[index]:.6g}\t{site}{window}\t{alt_names[motif]}\n")
                bed_out.write(f"{record}\t{start}\t{end}\t{motif}\t{score}\t{strand}\n")
    log.info("scanned %s record(s): %s hit(s) of %d motif(s)", f"{records:,}", f"{int(keep.sum()):,}",
             n_motifs)
    scanned = np.array([table.first_passing(config.threshold) is not None for table in prepared.tables])
    return ScanResult(motifs, class_names, records_per_class, int(keep.sum()), records_with_hit, tests, background,
                      genome, scanned, both_strands)
