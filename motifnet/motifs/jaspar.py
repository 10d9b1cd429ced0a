"""Motif databases for TOMTOM: JASPAR (pyjaspar's bundled SQLite file, offline) or a motif file."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..data.fasta import display_name
from ..errors import InputError, OptionValueError, ParamError
from .meme import MemeMotif
from .readers import READ_FORMATS, MotifDatabase, read_motifs

DNA_LETTERS = "ACGT"
#: The MEME files of a report folder (visualize-kernels, motifs), suggested when a folder is given for a file.
REPORT_MEME_FILES = ("motifs_distinct.meme", "motifs.meme", "patterns.meme")


@functools.lru_cache(maxsize=4)
def _jaspar_collection(release: str, collection: str) -> tuple:
    """(ID, name, taxonomic groups, read-only PWM, sites) of the latest version of each motif of a collection.

    Read from pyjaspar's bundled SQLite database (JASPAR's own schema) in three queries:
    pyjaspar's ``fetch_motifs`` asks several queries per motif and takes seconds. The latest
    version is pyjaspar's: no matrix with the same base ID has a higher version. Read once per
    process.
    """
    from pyjaspar import jaspardb

    connection = jaspardb(release=release).conn
    matrices = connection.execute("SELECT ID, COLLECTION, BASE_ID, VERSION, NAME FROM MATRIX ORDER BY ID").fetchall()
    latest = {}
    for _, _, base_id, version, _ in matrices:
        latest[base_id] = max(version, latest.get(base_id, version))
    chosen = [row for row in matrices if str(row[1]).upper() == collection and row[3] == latest[row[2]]]
    values = {}
    for matrix, letter, column, value in connection.execute(
            "SELECT d.ID, d.row, d.col, d.val FROM MATRIX_DATA d JOIN MATRIX m ON m.ID = d.ID "
            "WHERE UPPER(m.COLLECTION) = ?", (collection,)):
        values.setdefault(matrix, []).append((int(column), DNA_LETTERS.index(letter.upper()), float(value)))
    groups = {}
    for matrix, group in connection.execute("SELECT ID, VAL FROM MATRIX_ANNOTATION WHERE TAG = 'tax_group'"):
        groups.setdefault(matrix, []).append(str(group).lower())
    motifs = []
    for matrix, _, base_id, version, name in chosen:
        cells = values.get(matrix)
        if not cells:
            continue
        counts = np.zeros((max(c for c, _, _ in cells), len(DNA_LETTERS)))
        for column, letter, value in cells:
            counts[column - 1, letter] = value
        pwm = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
        pwm.setflags(write=False)
        motifs.append((f"{base_id}.{version}", name, tuple(groups.get(matrix, ())), pwm, int(round(counts[0].sum()))))
    return tuple(motifs)


def _jaspar_collections(release: str) -> list:
    from pyjaspar import jaspardb

    return sorted(row[0] for row in jaspardb(release=release).conn.execute("SELECT DISTINCT COLLECTION FROM MATRIX"))


def load_jaspar(collection: str = "CORE", tax_group=None, release: str | None = None) -> MotifDatabase:
    """The latest version of every JASPAR motif of a collection, from pyjaspar's bundled database.

    Parameters
    ----------
    collection : str
        ``CORE`` (default) or another JASPAR collection (``UNVALIDATED``).
    tax_group : str, list of str or None
        Taxonomic groups (``vertebrates``, ``plants``, ``insects``, ``nematodes``, ``fungi``,
        ``urochordates``...), comma-separated or a list; default all.
    release : str or None
        ``JASPAR2024``...; default the latest that pyjaspar ships.

    Raises
    ------
    ParamError
        Unknown collection, release or taxonomic group.
    """
    import pyjaspar

    release = release or pyjaspar.JASPAR_LATEST_RELEASE
    if release not in pyjaspar.jaspar_releases:
        raise ParamError(f"JASPAR release {release!r} is not bundled with pyjaspar; available: "
                         f"{', '.join(sorted(pyjaspar.jaspar_releases))}")
    collection = (collection or "CORE").strip().upper()
    records = _jaspar_collection(release, collection)
    if not records:
        raise OptionValueError(f"--collection {collection}: no such JASPAR collection in {release}; available: "
                         f"{', '.join(_jaspar_collections(release))}")
    groups = _tax_groups(tax_group)
    if groups:
        known = sorted({g for record in records for g in record[2]})
        bad = [g for g in groups if g not in known]
        if bad:
            raise OptionValueError(f"--tax-group {','.join(bad)}: not a taxonomic group of JASPAR {collection}; "
                             f"available: {', '.join(known)}")
        records = [record for record in records if set(record[2]) & set(groups)]
    motifs = [MemeMotif(matrix_id, name, pwm, nsites) for matrix_id, name, _, pwm, nsites in records]
    source = f"{release} {collection}, " + (f"taxonomic group {', '.join(groups)}" if groups
                                              else "all taxonomic groups")
    return MotifDatabase(DNA_LETTERS, motifs, f"{source} ({len(motifs)} motif(s))")


def _tax_groups(tax_group) -> list:
    if not tax_group:
        return []
    parts = tax_group.split(",") if isinstance(tax_group, str) else list(tax_group)
    return [part.strip().lower() for part in parts if part.strip()]


def read_motif_file(path, what: str = "motif file") -> MotifDatabase:
    """Motifs of a MEME, JASPAR, TRANSFAC or HOMER file with at least one motif (see :func:`read_motifs`).

    Raises
    ------
    InputError
        Missing, unreadable or empty file, or a folder (the message names its MEME files).
    """
    if str(path) != "-":  # '-': standard input
        path = Path(path)
        if path.is_dir():
            present = [str(path / name) for name in REPORT_MEME_FILES if (path / name).is_file()]
            give = " or ".join(present) if present else f"a motif file ({READ_FORMATS})"
            raise InputError(f"{what} {path}: a folder, not a motif file; give {give}")
        if not path.exists():  # a pipe (<(zcat motifs.meme.gz)) is read once, as a file
            raise InputError(f"{what} {path}: no such file (expected a motif file: {READ_FORMATS})")
    database = read_motifs(path)
    if not database.motifs:
        raise InputError(f"{what} {display_name(path)}: no motifs (MEME: 'MOTIF' entries with letter-probability "
                         "matrices; JASPAR, HOMER: '>' lines with rows of counts; TRANSFAC: 'P0' matrices)")
    return database


def check_unique_names(database: MotifDatabase, what: str) -> None:
    """Refuse motifs that share a name: rows of output keyed by the name could not be told apart.

    Raises
    ------
    InputError
        Names the first repeated name and where it occurs.
    """
    seen = {}
    for number, motif in enumerate(database.motifs, start=1):
        if motif.name in seen:
            raise InputError(f"{what}: motifs {seen[motif.name]} and {number} are both named {motif.name!r}; give "
                             "each motif a name of its own, as the output tells motifs apart by name")
        seen[motif.name] = number


def is_jaspar(spec: str) -> bool:
    """Whether the motif database ``spec`` (``--db``, ``--motif-db``) names JASPAR rather than a motif file."""
    return spec.strip().lower() == "jaspar"


def load_database(spec: str, collection: str = "CORE", tax_group=None) -> MotifDatabase:
    """``jaspar`` (pyjaspar) or the path of a motif file (see :func:`read_motif_file`)."""
    if is_jaspar(spec):
        return load_jaspar(collection, tax_group)
    if tax_group:
        groups = tax_group if isinstance(tax_group, str) else ",".join(tax_group)
        raise OptionValueError(f"--tax-group {groups} applies to JASPAR only, not to the motif file {spec}")
    database = read_motif_file(spec, "motif database")
    # Matches name their target by its MOTIF name: two targets of one name could not be told apart.
    check_unique_names(database, f"motif database {spec}")
    return database


def in_query_letters(query_letters: str, database: MotifDatabase, query_source: str,
                     option: str = "--motif-db") -> MotifDatabase:
    """``database`` with its matrices' columns in the order of ``query_letters``.

    A file over the same letters in another order (a MEME custom ALPHABET block lists its symbols in
    the order its author chose) has its columns reordered; other letters are refused, and where the
    database is JASPAR, the message advises a file of the query's letters by ``option``, the command's
    option of the database.

    Raises
    ------
    ParamError
        The query and the database have different letters.
    """
    if query_letters == database.letters:
        return database
    if database.nucleic and sorted(query_letters) == sorted("ACGU"):  # a file without an alphabet: T reads as U
        database = MotifDatabase("ACGU", database.motifs, database.source)
        if query_letters == database.letters:
            return database
    if sorted(query_letters) != sorted(database.letters) or len(set(query_letters)) != len(query_letters):
        hint = (f"; JASPAR holds DNA motifs: give {option} FILE.meme with motifs over "
                f"{query_letters}" if database.letters == DNA_LETTERS and database.source.startswith("JASPAR")
                else "")
        raise ParamError(f"{query_source} has the alphabet {query_letters}, the motif database "
                         f"{database.source} has {database.letters}: they must be the same{hint}")
    columns = [database.letters.index(letter) for letter in query_letters]
    motifs = [MemeMotif(motif.name, motif.alt_name, motif.pwm[:, columns], motif.nsites) for motif in database.motifs]
    return MotifDatabase(query_letters, motifs, database.source)
