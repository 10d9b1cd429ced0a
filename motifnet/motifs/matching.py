"""Which known motif is this? TOMTOM (memelite) against JASPAR (pyjaspar, offline) or a MEME file.

:func:`compare_motifs` is TOMTOM for any two lists of matrices (kernel motifs against a
database, or kernels against each other). :func:`best_matches` turns its result into rows in
the column layout of the MEME suite's ``tomtom.tsv``; :func:`matches_tsv` writes them.

The numbers follow MEME's TOMTOM: the Euclidean column distance with complete scores
(memelite); for DNA both strands of every target are tried and the p-value accounts for it;
the E-value is the p-value times the number of targets; q-values are Benjamini-Hochberg
false discovery rates over all targets of one query. ``Optimal_offset`` is the position of
the query's first column on the target (query column ``i`` faces target column
``i + offset``), with the target reverse-complemented when ``Orientation`` is ``-``;
``Target_consensus`` is read from the target in that orientation.
"""

from __future__ import annotations

import functools
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, ParamError
from .export import DEFAULT_TRIM_IC, check_trim_ic, parse_formats
from .meme import MemeMotif, read_meme

log = logging.getLogger("motifnet")

TOMTOM_COLUMNS = ["Query_ID", "Target_ID", "Optimal_offset", "p-value", "E-value", "q-value", "Overlap",
                  "Query_consensus", "Target_consensus", "Orientation"]
NAME_COLUMN = "Target_name"
DNA_LETTERS = "ACGT"
# MEME's TOMTOM warns below this many targets: the null model samples the target columns.
MIN_TARGETS = 50
# Matches with a q-value below this are drawn under the kernel's logo in the report.
SIGNIFICANT_Q = 0.05


@dataclass
class MotifDatabase:
    """Target motifs for TOMTOM.

    Attributes
    ----------
    letters : str
        Column letters of every matrix.
    motifs : list of MemeMotif
        ``name`` is the motif ID (``MA0139.2``), ``alt_name`` its name (``CTCF``).
    source : str
        What was loaded, for messages and the report (``JASPAR2026 CORE, all taxonomic groups``).
    """

    letters: str
    motifs: list
    source: str


@dataclass
class MotifOptions:
    """How ``visualize-kernels`` exports and matches kernel motifs.

    Attributes
    ----------
    match : bool
        Compare the kernel motifs with known motifs. Default is True.
    database : str or None
        ``jaspar`` or a MEME file; None: JASPAR for DNA models, no matching otherwise.
    collection : str
        JASPAR collection. Default is ``CORE``.
    tax_group : str or None
        JASPAR taxonomic group(s), comma-separated; default all.
    top : int
        Matches per kernel in ``matches.tsv``. Default is 5.
    trim_ic : float
        Trimming threshold in bits (see :mod:`motifnet.motifs.export`). Default is 0.3.
    formats : tuple of str
        Export formats. Default is MEME only.
    """

    match: bool = True
    database: str | None = None
    collection: str = "CORE"
    tax_group: str | None = None
    top: int = 5
    trim_ic: float = DEFAULT_TRIM_IC
    formats: tuple = ("meme",)

    def __post_init__(self):
        self.trim_ic = check_trim_ic(self.trim_ic)
        self.formats = parse_formats(list(self.formats) if not isinstance(self.formats, str) else self.formats)
        check_top(self.top)


def check_top(top) -> int:
    """Validate ``--top`` (matches per query, at least 1)."""
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ParamError(f"--top expects a number of matches >= 1, received: {top!r}")
    return top


# ---------------------------------------------------------------------------------------------
# Databases


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
        raise ParamError(f"--collection {collection}: no such JASPAR collection in {release}; available: "
                         f"{', '.join(_jaspar_collections(release))}")
    groups = _tax_groups(tax_group)
    if groups:
        known = sorted({g for record in records for g in record[2]})
        bad = [g for g in groups if g not in known]
        if bad:
            raise ParamError(f"--tax-group {','.join(bad)}: not a taxonomic group of JASPAR {collection}; "
                             f"available: {', '.join(known)}")
        records = [record for record in records if set(record[2]) & set(groups)]
    motifs = [MemeMotif(matrix_id, name, pwm, nsites) for matrix_id, name, _, pwm, nsites in records]
    source = f"{release} {collection}, " + (f"taxonomic group {', '.join(groups)}" if groups
                                              else "all taxonomic groups")
    return MotifDatabase(DNA_LETTERS, motifs, f"{source} ({len(motifs)} motifs)")


def _tax_groups(tax_group) -> list:
    if not tax_group:
        return []
    parts = tax_group.split(",") if isinstance(tax_group, str) else list(tax_group)
    return [part.strip().lower() for part in parts if part.strip()]


def read_motif_file(path, what: str = "motif file") -> MotifDatabase:
    """Motifs of a MEME minimal-format file, checked: at least one motif, rows of ``letters`` values.

    Raises
    ------
    InputError
        Missing, unreadable or empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} {path}: no such file (expected a MEME minimal-format motif file)")
    letters, motifs = read_meme(path)
    if not motifs:
        raise InputError(f"{what} {path}: no motifs (expected 'MOTIF' entries with letter-probability matrices)")
    for motif in motifs:
        if motif.pwm.ndim != 2 or motif.pwm.shape[1] != len(letters) or not len(motif.pwm):
            raise InputError(f"{what} {path}: motif {motif.name} has rows of {motif.pwm.shape[-1]} values; the "
                             f"alphabet {letters} needs {len(letters)}")
        if not np.isfinite(motif.pwm).all() or (motif.pwm < 0).any():
            raise InputError(f"{what} {path}: motif {motif.name} has negative or non-numeric probabilities")
    return MotifDatabase(letters, motifs, f"{path} ({len(motifs)} motifs)")


def load_database(spec: str, collection: str = "CORE", tax_group=None) -> MotifDatabase:
    """``jaspar`` (pyjaspar) or the path of a MEME file."""
    if spec.strip().lower() == "jaspar":
        return load_jaspar(collection, tax_group)
    if tax_group:
        raise ParamError(f"--tax-group {tax_group} applies to JASPAR only, not to the motif file {spec}")
    return read_motif_file(spec, "motif database")


def check_alphabets(query_letters: str, database: MotifDatabase, query_source: str) -> None:
    """Refuse queries and targets over different letters."""
    if query_letters != database.letters:
        hint = ("; JASPAR holds DNA motifs: give --db FILE.meme with motifs over "
                f"{query_letters}" if database.letters == DNA_LETTERS and database.source.startswith("JASPAR")
                else "")
        raise ParamError(f"{query_source} has the alphabet {query_letters}, the motif database "
                         f"{database.source} has {database.letters}: they must be the same{hint}")


# ---------------------------------------------------------------------------------------------
# TOMTOM


@dataclass
class Comparison:
    """TOMTOM results of every query against every target; arrays of shape=(queries, targets).

    Attributes
    ----------
    p_values, e_values, q_values : numpy.ndarray of float
    offsets : numpy.ndarray of int
        Query column ``i`` faces target column ``i + offset`` (target in ``reverse`` orientation).
    overlaps : numpy.ndarray of int
        Columns the two motifs share in the best alignment.
    reverse : numpy.ndarray of bool
        The best alignment uses the target's reverse complement.
    """

    p_values: np.ndarray
    e_values: np.ndarray
    q_values: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    reverse: np.ndarray

    def ranked(self, query: int, top: int | None = None) -> np.ndarray:
        """Target indices for ``query``, best first: smallest p-value, then largest overlap, then index."""
        order = np.lexsort((np.arange(self.p_values.shape[1]), -self.overlaps[query], self.p_values[query]))
        return order[:top] if top else order


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of a 1-D array of p-values (same order)."""
    p_values = np.asarray(p_values, dtype=np.float64)
    n = len(p_values)
    if not n:
        return p_values.copy()
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * n / np.arange(1, n + 1)
    q_sorted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    q_values = np.empty(n)
    q_values[order] = q_sorted
    return q_values


def compare_motifs(queries, targets, reverse_complement: bool = False, warn: bool = True) -> Comparison:
    """TOMTOM (memelite) of every query against every target.

    Parameters
    ----------
    queries : list of numpy.ndarray, each shape=(width, letters)
        Probability matrices (rows sum to 1).
    targets : list of numpy.ndarray, each shape=(width, letters)
        Same letters. The p-values use the columns of all targets as the null model, so they
        are reliable for databases of at least about 50 motifs.
    reverse_complement : bool
        Also try each target's reverse complement (DNA with columns in ACGT order only).
        Default is False.
    warn : bool
        Log a warning when there are fewer than 50 targets. Default is True.

    Returns
    -------
    Comparison

    Raises
    ------
    ParamError
        No targets, or matrices of different widths of letters.
    """
    queries = [np.asarray(q, dtype=np.float64) for q in queries]
    targets = [np.asarray(t, dtype=np.float64) for t in targets]
    if not targets:
        raise ParamError("TOMTOM needs at least one target motif, received none")
    letters = {m.shape[1] for m in queries + targets if m.ndim == 2}
    if len(letters) != 1 or any(m.ndim != 2 or not len(m) for m in queries + targets):
        raise ParamError(f"TOMTOM needs non-empty matrices over one alphabet, received letter counts {sorted(letters)}")
    n_queries, n_targets = len(queries), len(targets)
    if not n_queries:
        empty = np.zeros((0, n_targets))
        return Comparison(empty, empty, empty, empty.astype(int), empty.astype(int), empty.astype(bool))
    if warn and n_targets < MIN_TARGETS:
        log.warning("warning: only %d target motifs; TOMTOM's p-values use the target columns as background "
                    "and are unreliable below about %d", n_targets, MIN_TARGETS)
    from memelite.tomtom import tomtom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its few-targets warning is logged above
        p_values, _, offsets, overlaps, strands = tomtom([np.ascontiguousarray(q.T) for q in queries],
                                                         [np.ascontiguousarray(t.T) for t in targets],
                                                         reverse_complement=reverse_complement)
    p_values = np.clip(np.asarray(p_values, dtype=np.float64), 0.0, 1.0)
    q_values = np.stack([benjamini_hochberg(row) for row in p_values])
    return Comparison(p_values, p_values * n_targets, q_values, np.rint(offsets).astype(int),
                      np.rint(overlaps).astype(int), np.asarray(strands) > 0.5)


def reverse_complement(pwm: np.ndarray) -> np.ndarray:
    """Reverse complement of a DNA matrix with columns in ACGT order."""
    return np.asarray(pwm)[::-1, ::-1]


def consensus_letters(pwm: np.ndarray, letters: str) -> str:
    """The most probable letter of each row (the first on ties), as MEME's TOMTOM writes it."""
    return "".join(letters[int(i)] for i in np.asarray(pwm).argmax(axis=1))


@dataclass
class MotifMatch:
    """One row of ``tomtom.tsv`` plus the target's name and matrix in the aligned orientation."""

    query_id: str
    target_id: str
    offset: int
    p_value: float
    e_value: float
    q_value: float
    overlap: int
    query_consensus: str
    target_consensus: str
    orientation: str
    target_name: str
    target_pwm: np.ndarray

    def fields(self) -> list:
        return [self.query_id, self.target_id, str(self.offset), f"{self.p_value:g}", f"{self.e_value:g}",
                f"{self.q_value:g}", str(self.overlap), self.query_consensus, self.target_consensus,
                self.orientation, self.target_name]


def best_matches(comparison: Comparison, queries, database: MotifDatabase, top: int | None = 5) -> list:
    """The ``top`` matches of each query, best first.

    Parameters
    ----------
    comparison : Comparison
        From :func:`compare_motifs` of ``queries`` against ``database.motifs``.
    queries : list of MemeMotif
    database : MotifDatabase
    top : int or None
        Matches per query; None: all. Default is 5.

    Returns
    -------
    list of list of MotifMatch
        One list per query.
    """
    letters = database.letters
    result = []
    for index, query in enumerate(queries):
        rows = []
        for target in comparison.ranked(index, top):
            motif = database.motifs[target]
            reverse = bool(comparison.reverse[index, target])
            pwm = reverse_complement(motif.pwm) if reverse else np.asarray(motif.pwm)
            rows.append(MotifMatch(query.name, motif.name, int(comparison.offsets[index, target]),
                                   float(comparison.p_values[index, target]), float(comparison.e_values[index, target]),
                                   float(comparison.q_values[index, target]), int(comparison.overlaps[index, target]),
                                   consensus_letters(query.pwm, letters), consensus_letters(pwm, letters),
                                   "-" if reverse else "+", motif.alt_name, pwm))
        result.append(rows)
    return result


def matches_tsv(matches) -> str:
    """``tomtom.tsv`` layout (MEME's header) with ``Target_name`` last; ``matches`` as from :func:`best_matches`."""
    lines = ["\t".join(TOMTOM_COLUMNS + [NAME_COLUMN])]
    lines += ["\t".join(match.fields()) for rows in matches for match in rows]
    return "\n".join(lines) + "\n"


def match_motifs(queries, database: MotifDatabase, top: int | None = 5) -> list:
    """TOMTOM of ``queries`` (MemeMotif, over ``database.letters``) against a database, best matches first.

    Both strands are searched for DNA (ACGT) motifs.
    """
    comparison = compare_motifs([q.pwm for q in queries], [t.pwm for t in database.motifs],
                                reverse_complement=database.letters == DNA_LETTERS)
    return best_matches(comparison, queries, database, top)


def compare_file(query_path, database: str = "jaspar", collection: str = "CORE", tax_group=None,
                 top: int = 5) -> str:
    """``motifnet compare``: the ``top`` TOMTOM matches of every motif of a MEME file, as TSV text.

    Parameters
    ----------
    query_path : path
        MEME minimal-format file of query motifs.
    database : str
        ``jaspar`` or a MEME file. Default is ``jaspar``.
    collection, tax_group : str
        JASPAR selection (see :func:`load_jaspar`).
    top : int
        Matches per query. Default is 5.
    """
    check_top(top)
    queries = read_motif_file(query_path, "query file")
    targets = load_database(database, collection, tax_group)
    check_alphabets(queries.letters, targets, f"query file {query_path}")
    log.info("comparing %d query motif(s) with %s", len(queries.motifs), targets.source)
    return matches_tsv(match_motifs(queries.motifs, targets, top))


# ---------------------------------------------------------------------------------------------
# The aligned logos of the report


def match_alignment(kernel_width: int, kept: tuple, offset: int, target_width: int) -> tuple:
    """Where a kernel and its match sit on one shared axis.

    The trimmed motif (kernel columns ``kept = (start, end)``) was the TOMTOM query, so target
    column ``j`` faces kernel column ``start + j - offset``.

    Returns
    -------
    (width, kernel_start, target_start)
        Columns of the shared axis, and where the kernel's first column and the (oriented)
        target's first column fall on it (0-based).
    """
    target_at = kept[0] - offset
    left = min(0, target_at)
    right = max(kernel_width, target_at + target_width)
    return right - left, -left, target_at - left


# ---------------------------------------------------------------------------------------------
# visualize-kernels
