"""Records of ``motifnet scan``: FASTA records or genome windows of BED lines, read in chunks as letter indices."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..data.dataset import first_repeat
from ..data.encoding import context_line, dot_bracket_fix, profile_rows_fix
from ..data.fasta import EMPTY_SEQUENCE, display_name, read_fasta
from ..errors import InputError

log = logging.getLogger("motifnet")

#: Letters of a DNA or RNA record: A, C, G, T/U and the IUPAC ambiguity codes (which no window may hold).
_NUCLEOTIDES = b"ACGTURYSWKMBDHVN"

_LETTER_INDEX = np.full(256, -2, dtype=np.int8)  # -2: not a nucleotide at all
for _byte in _NUCLEOTIDES:
    _LETTER_INDEX[_byte] = _LETTER_INDEX[ord(chr(_byte).lower())] = -1  # an ambiguity code
for _index, _letters in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    for _letter in _letters:
        _LETTER_INDEX[ord(_letter)] = _index


#: Records longer than this are scanned in pieces of one size, at most this many window starts (each piece
#: reads on into the next by the widest motif's width less one, so no window is lost): a chromosome-length
#: record is held as letters and indices (a few bytes per base), and scanned a piece at a time (about 50
#: bytes per base).
PIECE_LETTERS = 1 << 20
#: A chunk holds at most this many positions (rows x the longest row), whatever ``chunk_records`` says.
CHUNK_POSITIONS = 1 << 22


@dataclass
class RecordChunk:
    """Rows of one chunk, as letter indices: whole records, or pieces of records longer than :data:`PIECE_LETTERS`.

    Attributes
    ----------
    ids : list of str
        The record of each row (the pieces of one record share its id).
    sources : numpy.ndarray of int, shape=(n,)
        Index of the FASTA file of each row.
    letters : list of bytes
        The rows' sequences, upper case.
    indices : numpy.ndarray of int8, shape=(n, length)
        0-3 for A, C, G, T/U; -1 for an ambiguity code and past a row's end.
    lengths : numpy.ndarray of int, shape=(n,)
    records : numpy.ndarray of int, shape=(n,)
        The number of each row's record in the input (0-based, over every file).
    offsets : numpy.ndarray of int, shape=(n,)
        Where each row starts in its record (0 but for the second and later pieces).
    owned : numpy.ndarray of int, shape=(n,)
        Window starts of each row that are its own: windows starting at or after this one are the next
        piece's (its length for whole records and last pieces).
    rna : numpy.ndarray of bool, shape=(n,)
        Whether each row's record is RNA (a U and no T), which minus-strand sites are written in.
    """

    ids: list
    sources: np.ndarray
    letters: list
    indices: np.ndarray = field(repr=False)
    lengths: np.ndarray
    records: np.ndarray
    offsets: np.ndarray
    owned: np.ndarray
    rna: np.ndarray

    @property
    def starts_record(self) -> np.ndarray:
        """Whether each row is the first (or only) piece of its record: one row per record counts it."""
        return self.offsets == 0


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
        fix = {"-": "an alignment gap: remove the gaps (e.g. seqkit seq -g) or give the unaligned sequences",
               ";": "a ';' comment line read as sequence? remove comment lines (e.g. grep -v '^;')"}.get(
            "-" if letter == "." else letter, "DNA/RNA motifs are scanned on DNA or RNA sequences only")
        fix = dot_bracket_fix(sequence, "", "scan") or profile_rows_fix(sequence, int(bad[0])) or fix
        raise InputError(f"{where}: letter {letter!r} at position {bad[0] + 1} is not DNA or RNA; {fix}")
    return indices


def _records(files, chunk_records: int, genome_path, length: int):
    """(file index, id, upper-case letters, where) of each record: FASTA records, or windows of BED lines."""
    import contextlib

    from ..data.genome import Genome, is_bed_path, iter_bed_blocks

    with Genome(genome_path) if genome_path else contextlib.nullcontext() as genome:
        for file_index, path in enumerate(files):
            if genome is not None and is_bed_path(path):
                for block in iter_bed_blocks(path, genome, length, chunk_records):
                    ends = np.cumsum(block.lengths)
                    for header, end, size in zip(block.headers, ends, block.lengths):
                        yield file_index, header, block.letters[end - size:end].tobytes().upper(), \
                            f"{path}, window {header}"
            else:
                for record in read_fasta(path):
                    text = b"".join(record.lines).upper()
                    if not text:  # as train, predict and motifs refuse it: counted, it lowered a class's fraction
                        raise InputError(f"{record.where()}: {EMPTY_SEQUENCE}")
                    yield file_index, record.id, text, record.where()


def _pieces(text: bytes, indices: np.ndarray, overlap: int):
    """(offset, letters, indices, owned) of the pieces of one record: itself when at most :data:`PIECE_LETTERS` long.

    The pieces are of one size (but for a letter), at most :data:`PIECE_LETTERS`: a short last piece beside
    full ones would be padded to their length in its chunk.
    """
    step = -(-len(text) // -(-len(text) // PIECE_LETTERS)) if len(text) > PIECE_LETTERS else len(text)
    for offset in range(0, max(len(text), 1), max(step, 1)):
        end = offset + step + overlap
        yield offset, text[offset:end], indices[offset:end], min(step, len(text) - offset)


def record_chunks(files, chunk_records: int, genome=None, length: int = 200, overlap: int = 0,
                  warn_repeats: bool = True):
    """Yield :class:`RecordChunk` objects of up to ``chunk_records`` rows, file after file.

    A record longer than :data:`PIECE_LETTERS` is cut into pieces, each reading ``overlap`` letters
    into the next, and a chunk holds at most :data:`CHUNK_POSITIONS` positions, so the memory of a
    chunk is bounded whatever the records' lengths.

    Parameters
    ----------
    files : list of path
        FASTA files, or BED files with ``genome``.
    chunk_records : int
    genome : str or None
        Genome FASTA of the BED files. Default is None.
    length : int
        Window length of BED lines. Default is 200.
    overlap : int
        Letters each piece of a long record reads into the next: the widest motif's width less one,
        so that every window lies whole in the piece it starts in. Default is 0.
    warn_repeats : bool
        Warn of BED windows that occur more than once, once every chunk is yielded. Default is True; False for
        a second pass over the same files (the background's letters), whose warning was the first one again.

    Raises
    ------
    InputError
        A missing or unreadable file, a record with letters other than DNA/RNA ones, or (once every
        chunk is yielded) an id two FASTA records share (:func:`check_distinct_ids`).
    ParamError
        A BED file without ``genome``.
    """
    from ..data.genome import check_genome_options, is_bed_path

    check_genome_options(genome, [str(path) for path in files], None)
    fasta_files = [genome is None or not is_bed_path(path) for path in files]
    # hits.tsv names records by id; 8 bytes per FASTA record tell whether any repeats (see check_distinct_ids)
    id_hashes = []
    window_hashes, window_sources = [], []  # of BED windows (whole records), which may repeat: warned of below
    rows = []

    def chunk():
        columns = list(zip(*rows))
        ids, sources, records, offsets, texts, pieces, owned, rna = columns
        id_hashes.append(np.fromiter((hash(record_id) for record_id, source, offset in zip(ids, sources, offsets)
                                      if fasta_files[source] and offset == 0), dtype=np.int64))
        bed = [(hash(record_id), source) for record_id, source, offset in zip(ids, sources, offsets)
               if not fasta_files[source] and offset == 0]
        window_hashes.append(np.array([key for key, _ in bed], dtype=np.int64))
        window_sources.append(np.array([source for _, source in bed], dtype=np.int64))
        lengths = np.array([len(text) for text in texts], dtype=np.int64)
        indices = np.full((len(rows), max(int(lengths.max()), 1)), -1, dtype=np.int8)
        for row, piece in enumerate(pieces):
            indices[row, :len(piece)] = piece
        rows.clear()
        return RecordChunk(list(ids), np.asarray(sources), list(texts), indices, lengths, np.asarray(records),
                           np.asarray(offsets, dtype=np.int64), np.asarray(owned, dtype=np.int64),
                           np.asarray(rna, dtype=bool))

    widest = 0
    for number, (file_index, record_id, text, where) in enumerate(_records(files, chunk_records, genome, length)):
        if context_line(text):  # its structure letters H, M, S and T would be scanned as IUPAC codes and T
            raise InputError(f"{where}: {dot_bracket_fix(text, '', 'scan')}")
        indices = letter_indices(text, where)
        rna = b"U" in text and b"T" not in text
        for offset, piece_text, piece, owned in _pieces(text, indices, overlap):
            if rows and (len(rows) == chunk_records or (len(rows) + 1) * max(widest, len(piece)) > CHUNK_POSITIONS):
                yield chunk()
                widest = 0
            rows.append((record_id, file_index, number, offset, piece_text, piece, owned, rna))
            widest = max(widest, len(piece))
        del text, indices
    if rows:
        yield chunk()
    if id_hashes and first_repeat(np.concatenate(id_hashes)) is not None:
        check_distinct_ids([path for path, fasta in zip(files, fasta_files) if fasta])
    repeat = first_repeat(np.concatenate(window_hashes)) if window_hashes and warn_repeats else None
    if repeat is not None:
        sources = np.concatenate(window_sources)
        earlier, later = (f"window {int(np.sum(sources[:row] == sources[row])) + 1} of "
                          f"{display_name(files[sources[row]])}" for row in repeat[:2])
        log.warning("%d window(s) of the BED input occur more than once (e.g. %s, also %s): each copy is scanned, "
                    "its hits are listed once per copy and counted in each class it is in", repeat[2], later, earlier)


def check_distinct_ids(files) -> None:
    """Refuse a record id that two records of the FASTA ``files`` share (in one file or in two).

    ``hits.tsv`` names each record by its id, and ``marginalize --hits`` finds the records by it, so a
    repeated id would make a hit's record ambiguous. Windows of BED files are named by their genome
    coordinates and may repeat (the same peak in two classes).

    Raises
    ------
    InputError
        The first repeated id, with both records named.
    """
    first_record = {}
    for path in files:
        for record in read_fasta(path):
            if record.id in first_record:
                raise InputError(f"{record.where()}: the record id {record.id!r} is also that of "
                                 f"{first_record[record.id]}; hits.tsv names records by id (the first word of the "
                                 "header): give each record its own id")
            first_record[record.id] = f"{record.path}, record {record.number}"


def shuffled_indices(chunk: RecordChunk, seed: int, copy: int) -> np.ndarray:
    """Each row of ``chunk`` dinucleotide-shuffled (ambiguity codes move along), padding left in place.

    Each record's shuffle is seeded by (``seed``, its number in the input, ``copy``), and each piece of
    a long record after the first by its offset too, so the shuffles, and the empirical FDR, do not
    depend on how records are chunked.
    """
    from ..interpret.attribution import dinucleotide_shuffle

    shuffled = chunk.indices.copy()
    for row, length in enumerate(chunk.lengths):
        offset = int(chunk.offsets[row])
        rng = np.random.default_rng([seed, int(chunk.records[row]), copy] + ([offset] if offset else []))
        shuffled[row, :length] = dinucleotide_shuffle(chunk.indices[row, :length], rng)
    return shuffled


def one_hot(indices: np.ndarray) -> np.ndarray:
    """memelite's input: shape=(n, 4, length), int8, all zeros where ``indices`` is -1."""
    return (indices[:, None, :] == np.arange(4, dtype=np.int8)[None, :, None]).astype(np.int8)
