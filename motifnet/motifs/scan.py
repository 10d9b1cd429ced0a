"""Motif sites in FASTA files: FIMO's log-odds scores and p-values (memelite), q-values and an empirical FDR.

memelite's :func:`memelite.fimo` scores every window of every record on both strands against each
motif's log-odds matrix, ``log2(p + 0.0001) - log2(0.25)``, and turns scores into exact p-values by
dynamic programming over the score distribution. It assumes a uniform background (0.25 per letter)
for both, and takes no other; so does this module.

Records are scanned in chunks (:attr:`ScanConfig.chunk_records`), so memory grows with the number of
hits, not of records: each chunk's hits go to a scratch table, and only their p-values (and those of
the scan of dinucleotide-shuffled copies) are kept until the q-values and the empirical FDR are known.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._progress import Progress
from .._signals import check_stop
from ..data.fasta import read_fasta
from ..errors import InputError, ParamError
from .meme import read_meme

log = logging.getLogger("motifnet")

#: Motif files looked for, in this order, when the motifs are given as a report folder.
REPORT_MOTIF_FILES = ("motifs_distinct.meme", "patterns.meme")
#: Letters of a DNA or RNA record: A, C, G, T/U and the IUPAC ambiguity codes (which no window may hold).
_NUCLEOTIDES = b"ACGTURYSWKMBDHVN"
HIT_COLUMNS = ("motif", "record", "start", "end", "strand", "score", "p_value", "q_value", "empirical_fdr",
               "sequence")


@dataclass
class ScanMotifs:
    """Motifs to scan for.

    Attributes
    ----------
    names : list of str
    pwms : list of numpy.ndarray, shape=(width, 4)
        Letter probabilities, columns A, C, G, T (U for RNA motifs).
    path : str
        The MEME file they came from.
    """

    names: list
    pwms: list
    path: str


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
    """

    threshold: float = 1e-4
    q_threshold: float | None = None
    shuffles: int = 1
    seed: int = 0
    chunk_records: int = 10000

    def checked(self) -> ScanConfig:
        """This config, after checking its values.

        Raises
        ------
        ParamError
            A threshold outside (0, 1], fewer than one shuffle or chunk record.
        """
        if not 0 < self.threshold <= 1:
            raise ParamError(f"--threshold is a p-value in (0, 1], received: {self.threshold}")
        if self.q_threshold is not None and not 0 < self.q_threshold <= 1:
            raise ParamError(f"--q-threshold is a q-value in (0, 1], received: {self.q_threshold}")
        if self.shuffles < 1 or self.chunk_records < 1:
            raise ParamError(f"--shuffles and the chunk size must be at least 1, received: {self.shuffles}, "
                             f"{self.chunk_records}")
        return self


# -- motifs -----------------------------------------------------------------------------------------

def motif_file(path) -> Path:
    """The MEME file ``path`` names: the file itself, or a report folder's motifs_distinct.meme, else patterns.meme.

    Raises
    ------
    InputError
        No such file, or a folder without either file.
    """
    path = Path(path)
    if path.is_dir():
        for name in REPORT_MOTIF_FILES:
            if (path / name).is_file():
                return path / name
        raise InputError(f"{path}: a folder without {' or '.join(REPORT_MOTIF_FILES)}; give a MEME file or the "
                         "folder of visualize-kernels or motifs")
    if not path.is_file():
        raise InputError(f"{path}: no such motif file")
    return path


def load_scan_motifs(path) -> ScanMotifs:
    """DNA or RNA motifs of a MEME file or report folder (see :func:`motif_file`).

    Raises
    ------
    InputError
        Not a MEME file, no motifs, or motifs over another alphabet than ACGT/ACGU.
    """
    source = motif_file(path)
    letters, motifs = read_meme(source)
    if letters.upper() not in ("ACGT", "ACGU"):
        raise InputError(f"{source}: motifs over the alphabet {letters!r}; scan needs DNA or RNA motifs "
                         "(ALPHABET= ACGT or ACGU)")
    if not motifs:
        raise InputError(f"{source}: holds no motifs")
    names = [motif.name for motif in motifs]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InputError(f"{source}: motif names must be unique, repeated: {', '.join(duplicated)}")
    return ScanMotifs(names, [np.asarray(motif.pwm, dtype=np.float64) for motif in motifs], str(source))


# -- records ----------------------------------------------------------------------------------------

_LETTER_INDEX = np.full(256, -2, dtype=np.int8)  # -2: not a nucleotide at all
for _byte in _NUCLEOTIDES:
    _LETTER_INDEX[_byte] = _LETTER_INDEX[ord(chr(_byte).lower())] = -1  # an ambiguity code
for _index, _letters in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    for _letter in _letters:
        _LETTER_INDEX[ord(_letter)] = _index


@dataclass
class RecordChunk:
    """Records of one chunk, as letter indices.

    Attributes
    ----------
    ids : list of str
    sources : numpy.ndarray of int, shape=(n,)
        Index of the FASTA file of each record.
    letters : list of bytes
        The records' sequences, upper case.
    indices : numpy.ndarray of int8, shape=(n, length)
        0-3 for A, C, G, T/U; -1 for an ambiguity code and past a record's end.
    lengths : numpy.ndarray of int, shape=(n,)
    """

    ids: list
    sources: np.ndarray
    letters: list
    indices: np.ndarray = field(repr=False)
    lengths: np.ndarray


def letter_indices(sequence: bytes, where: str) -> np.ndarray:
    """0-3 for A, C, G, T/U and -1 for an ambiguity code, per position of ``sequence``.

    Raises
    ------
    InputError
        A character that is not a DNA/RNA letter (protein records, for instance).
    """
    indices = _LETTER_INDEX[np.frombuffer(sequence, dtype=np.uint8)]
    bad = np.flatnonzero(indices == -2)
    if len(bad):
        letter = chr(sequence[bad[0]])
        raise InputError(f"{where}: letter {letter!r} at position {bad[0] + 1} is not DNA or RNA; DNA/RNA motifs "
                         "are scanned on DNA or RNA sequences only")
    return indices


def record_chunks(files, chunk_records: int):
    """Yield :class:`RecordChunk` objects of up to ``chunk_records`` records, file after file.

    Raises
    ------
    InputError
        A missing or unreadable file, or a record with letters other than DNA/RNA ones.
    """
    def chunk(ids, sources, letters):
        lengths = np.array([len(text) for text, _ in letters], dtype=np.int64)
        indices = np.full((len(letters), max(int(lengths.max()), 1)), -1, dtype=np.int8)
        for row, (text, where) in enumerate(letters):
            indices[row, :len(text)] = letter_indices(text, where)
        return RecordChunk(ids, np.asarray(sources), [text for text, _ in letters], indices, lengths)

    ids, sources, letters = [], [], []
    for file_index, path in enumerate(files):
        for record in read_fasta(path):
            ids.append(record.id)
            sources.append(file_index)
            letters.append((b"".join(record.lines).upper(), record.where()))
            if len(ids) == chunk_records:
                yield chunk(ids, sources, letters)
                ids, sources, letters = [], [], []
    if ids:
        yield chunk(ids, sources, letters)


def shuffled_indices(chunk: RecordChunk, rng: np.random.Generator) -> np.ndarray:
    """Each record of ``chunk`` dinucleotide-shuffled (ambiguity codes move along), padding left in place."""
    from ..interpret.attribution import dinucleotide_shuffle

    shuffled = chunk.indices.copy()
    for row, length in enumerate(chunk.lengths):
        shuffled[row, :length] = dinucleotide_shuffle(chunk.indices[row, :length], rng)
    return shuffled


# -- scanning -----------------------------------------------------------------------------------------

def one_hot(indices: np.ndarray) -> np.ndarray:
    """memelite's input: shape=(n, 4, length), int8, all zeros where ``indices`` is -1."""
    return (indices[:, None, :] == np.arange(4, dtype=np.int8)[None, :, None]).astype(np.int8)


def scan_indices(pwms, indices: np.ndarray, lengths: np.ndarray, threshold: float) -> dict:
    """FIMO hits of ``pwms`` on both strands of the records ``indices`` (memelite).

    Windows past a record's end or holding an ambiguity code are left out.

    Parameters
    ----------
    pwms : list of numpy.ndarray, shape=(width, 4)
    indices : numpy.ndarray of int8, shape=(n, length)
        Letter indices (see :class:`RecordChunk`).
    lengths : numpy.ndarray of int, shape=(n,)
    threshold : float
        Largest p-value reported.

    Returns
    -------
    dict of numpy.ndarray
        ``motif``, ``row``, ``start`` (0-based), ``end`` (exclusive), ``strand`` (``+``/``-``),
        ``score``, ``p_value``; sorted by row, start, motif and strand.
    """
    from memelite import fimo

    columns = {"motif": [], "row": [], "start": [], "end": [], "strand": [], "score": [], "p_value": []}
    motifs = {str(number): np.ascontiguousarray(pwm.T) for number, pwm in enumerate(pwms)}
    if len(indices):
        tables = fimo(motifs, one_hot(indices), threshold=threshold, reverse_complement=True)
        for number, table in enumerate(tables):
            columns["motif"].append(np.full(len(table), number, dtype=np.int64))
            columns["row"].append(table["sequence_name"].to_numpy(np.int64))
            columns["start"].append(table["start"].to_numpy(np.int64))
            columns["end"].append(table["end"].to_numpy(np.int64))
            columns["strand"].append(table["strand"].to_numpy(str).astype("<U1"))
            columns["score"].append(table["score"].to_numpy(np.float64))
            columns["p_value"].append(table["p-value"].to_numpy(np.float64))
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


def window_counts(pwms, lengths: np.ndarray) -> np.ndarray:
    """Tests made per motif on records of ``lengths``: windows on both strands."""
    widths = np.array([len(pwm) for pwm in pwms])
    return 2 * np.maximum(lengths[None, :] - widths[:, None] + 1, 0).sum(axis=1)


def bh_q_values(p_values: np.ndarray, tests: int) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p_values``, the reported part of ``tests`` tests in all.

    scipy's :func:`scipy.stats.false_discovery_control` over the reported p-values, scaled by
    ``tests / len(p_values)``: the unreported p-values (all above the threshold) are assumed not to
    lower any q-value, so the q-values are BH's or a little above (conservative).
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
        Windows scanned per motif, both strands.
    """

    motifs: ScanMotifs
    class_names: list
    records_per_class: np.ndarray
    hits: int
    records_with_hit: np.ndarray
    tests: np.ndarray


def _scratch_rows(chunk: RecordChunk, hits: dict, names: list) -> str:
    rows = []
    for motif, row, start, end, strand, score, p_value in zip(
            hits["motif"], hits["row"], hits["start"], hits["end"], hits["strand"], hits["score"], hits["p_value"]):
        site = chunk.letters[row][start:end].decode()
        if strand == "-":
            site = site[::-1].translate(_COMPLEMENT)
        rows.append(f"{names[motif]}\t{chunk.ids[row]}\t{start}\t{end}\t{strand}\t{score:.4f}\t{p_value:.6g}\t"
                    f"{chunk.sources[row]}\t{site}\n")
    return "".join(rows)


_COMPLEMENT = str.maketrans("ACGTURYSWKMBDHVN", "TGCAAYRSWMKVHDBN")


def scan_files(motifs: ScanMotifs, files, config: ScanConfig, hits_path, bed_path, class_names=None) -> ScanResult:
    """Scan the FASTA ``files`` for ``motifs``; write ``hits_path`` (TSV) and ``bed_path`` (BED6).

    Parameters
    ----------
    motifs : ScanMotifs
    files : list of path
        One FASTA file per class.
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
        A missing or unreadable file, or a record that is not DNA or RNA.
    """
    from .._io import atomic_path
    from ..data.dataset import class_name_from_path

    config = config.checked()
    class_names = list(class_names or [class_name_from_path(path) for path in files])
    n_motifs = len(motifs.pwms)
    tests = np.zeros(n_motifs, dtype=np.int64)
    records_per_class = np.zeros(len(files), dtype=np.int64)
    p_values, motif_of_hit, record_of_hit, null_p, null_motif = [], [], [], [], []
    record_offset = 0
    progress = Progress("scanning", unit="records")
    hits_path, bed_path = Path(hits_path), Path(bed_path)
    hits_path.parent.mkdir(parents=True, exist_ok=True)
    handle_number, scratch_name = tempfile.mkstemp(prefix=f".{hits_path.name}.", suffix=".scratch",
                                                   dir=hits_path.parent)
    os.close(handle_number)
    scratch = Path(scratch_name)
    try:
        with open(scratch, "w", encoding="utf-8") as handle:
            for number, chunk in enumerate(record_chunks(files, config.chunk_records)):
                check_stop()
                hits = scan_indices(motifs.pwms, chunk.indices, chunk.lengths, config.threshold)
                handle.write(_scratch_rows(chunk, hits, motifs.names))
                p_values.append(hits["p_value"])
                motif_of_hit.append(hits["motif"])
                record_of_hit.append(hits["row"] + record_offset)
                rng = np.random.default_rng([config.seed, number])
                for _ in range(config.shuffles):
                    check_stop()
                    null = scan_indices(motifs.pwms, shuffled_indices(chunk, rng), chunk.lengths, config.threshold)
                    null_p.append(null["p_value"])
                    null_motif.append(null["motif"])
                tests += window_counts(motifs.pwms, chunk.lengths)
                records_per_class += np.bincount(chunk.sources, minlength=len(files))
                record_offset += len(chunk.ids)
                progress.advance(len(chunk.ids))
        p_values = np.concatenate(p_values) if p_values else np.zeros(0)
        motif_of_hit = np.concatenate(motif_of_hit) if motif_of_hit else np.zeros(0, np.int64)
        record_of_hit = np.concatenate(record_of_hit) if record_of_hit else np.zeros(0, np.int64)
        null_p = np.concatenate(null_p) if null_p else np.zeros(0)
        null_motif = np.concatenate(null_motif) if null_motif else np.zeros(0, np.int64)

        q_values = bh_q_values(p_values, int(tests.sum()))
        fdr = np.empty_like(p_values)
        for motif in range(n_motifs):
            mine = motif_of_hit == motif
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
            hits_out.write("\t".join(HIT_COLUMNS) + "\n")
            for index, line in enumerate(rows):
                if not keep[index]:
                    continue
                motif, record, start, end, strand, score, p_value, _, site = line.rstrip("\n").split("\t")
                hits_out.write(f"{motif}\t{record}\t{start}\t{end}\t{strand}\t{score}\t{p_value}\t"
                               f"{q_values[index]:.6g}\t{fdr[index]:.6g}\t{site}\n")
                bed_out.write(f"{record}\t{start}\t{end}\t{motif}\t{score}\t{strand}\n")
    finally:
        scratch.unlink(missing_ok=True)
    log.info("scanned %s records: %s hits of %d motifs", f"{record_offset:,}", f"{int(keep.sum()):,}", n_motifs)
    return ScanResult(motifs, class_names, records_per_class, int(keep.sum()), records_with_hit, tests)
