"""Records of ``motifnet scan``: FASTA records or genome windows of BED lines, read in chunks as letter indices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data.dataset import first_repeat
from ..data.encoding import dot_bracket_fix
from ..data.fasta import read_fasta
from ..errors import InputError

#: Letters of a DNA or RNA record: A, C, G, T/U and the IUPAC ambiguity codes (which no window may hold).
_NUCLEOTIDES = b"ACGTURYSWKMBDHVN"

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
        fix = {"-": "an alignment gap: remove the gaps (e.g. seqkit seq -g) or give the unaligned sequences",
               ";": "a ';' comment line read as sequence? remove comment lines (e.g. grep -v '^;')"}.get(
            "-" if letter == "." else letter, "DNA/RNA motifs are scanned on DNA or RNA sequences only")
        fix = dot_bracket_fix(sequence, "", "scan") or fix
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
                    yield file_index, record.id, b"".join(record.lines).upper(), record.where()


def record_chunks(files, chunk_records: int, genome=None, length: int = 200):
    """Yield :class:`RecordChunk` objects of up to ``chunk_records`` records, file after file.

    Parameters
    ----------
    files : list of path
        FASTA files, or BED files with ``genome``.
    chunk_records : int
    genome : str or None
        Genome FASTA of the BED files. Default is None.
    length : int
        Window length of BED lines. Default is 200.

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

    def chunk(ids, sources, letters):
        id_hashes.append(np.fromiter((hash(record_id) for record_id, source in zip(ids, sources)
                                      if fasta_files[source]), dtype=np.int64))
        lengths = np.array([len(text) for text, _ in letters], dtype=np.int64)
        indices = np.full((len(letters), max(int(lengths.max()), 1)), -1, dtype=np.int8)
        for row, (text, where) in enumerate(letters):
            indices[row, :len(text)] = letter_indices(text, where)
        return RecordChunk(ids, np.asarray(sources), [text for text, _ in letters], indices, lengths)

    ids, sources, letters = [], [], []
    for file_index, record_id, text, where in _records(files, chunk_records, genome, length):
        ids.append(record_id)
        sources.append(file_index)
        letters.append((text, where))
        if len(ids) == chunk_records:
            yield chunk(ids, sources, letters)
            ids, sources, letters = [], [], []
    if ids:
        yield chunk(ids, sources, letters)
    if id_hashes and first_repeat(np.concatenate(id_hashes)) is not None:
        check_distinct_ids([path for path, fasta in zip(files, fasta_files) if fasta])


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


def shuffled_indices(chunk: RecordChunk, seed: int, first_record: int, copy: int) -> np.ndarray:
    """Each record of ``chunk`` dinucleotide-shuffled (ambiguity codes move along), padding left in place.

    Each record's shuffle is seeded by (``seed``, its number in the input, ``copy``), so the
    shuffles, and the empirical FDR, do not depend on how records are chunked.
    """
    from ..interpret.attribution import dinucleotide_shuffle

    shuffled = chunk.indices.copy()
    for row, length in enumerate(chunk.lengths):
        rng = np.random.default_rng([seed, first_record + row, copy])
        shuffled[row, :length] = dinucleotide_shuffle(chunk.indices[row, :length], rng)
    return shuffled


def one_hot(indices: np.ndarray) -> np.ndarray:
    """memelite's input: shape=(n, 4, length), int8, all zeros where ``indices`` is -1."""
    return (indices[:, None, :] == np.arange(4, dtype=np.int8)[None, :, None]).astype(np.int8)
