"""Which known motif is this? The best TOMTOM matches of query motifs, as rows of ``tomtom.tsv``.

:func:`match_motifs` compares query motifs with a database (:mod:`motifnet.motifs.jaspar`)
by TOMTOM (:mod:`motifnet.motifs.tomtom`); :func:`best_matches` turns the comparison into
rows in the column layout of the MEME suite's ``tomtom.tsv``, and :func:`matches_tsv`
formats them. ``Optimal_offset`` is the position of the query's first column on the target
(query column ``i`` faces target column ``i + offset``), with the target reverse-complemented
when ``Orientation`` is ``-``; ``Target_consensus`` is read from the target in that
orientation. :func:`match_alignment` places a kernel and its match on one axis for the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..data.fasta import display_name
from ..errors import OptionValueError
from .export import DEFAULT_TRIM_IC, check_formats, check_trim_ic
from .homer import consensus_letters
from .jaspar import DNA_LETTERS, MotifDatabase, check_unique_names, in_query_letters, load_database, read_motif_file
from .tomtom import Comparison, compare_motifs

log = logging.getLogger("motifnet")

TOMTOM_COLUMNS = ["Query_ID", "Target_ID", "Optimal_offset", "p-value", "E-value", "q-value", "Overlap",
                  "Query_consensus", "Target_consensus", "Orientation"]
NAME_COLUMN = "Target_name"
# Matches with a q-value below this are drawn under the kernel's logo in the report.
SIGNIFICANT_Q = 0.05


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
    tax_group : list of str or None
        JASPAR taxonomic groups, e.g. ``["vertebrates"]``. Default (None): all.
    top : int
        Matches per kernel in ``matches.tsv``. Default is 5.
    trim_ic : float
        Trimming threshold in bits (see :mod:`motifnet.motifs.export`). Default is 0.3.
    formats : tuple of str
        Export formats, any of ``meme``, ``jaspar``, ``transfac``, ``homer``. Default is MEME only.
    """

    match: bool = True
    database: str | None = None
    collection: str = "CORE"
    tax_group: list | None = None
    top: int = 5
    trim_ic: float = DEFAULT_TRIM_IC
    formats: tuple = ("meme",)

    def __post_init__(self):
        self.trim_ic = check_trim_ic(self.trim_ic)
        self.formats = check_formats(self.formats)
        check_top(self.top)


def check_top(top) -> int:
    """Validate ``--top`` (matches per query, at least 1)."""
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise OptionValueError(f"--top expects a number of matches >= 1, received: {top!r}")
    return top


def reverse_complement(pwm: np.ndarray) -> np.ndarray:
    """Reverse complement of a DNA matrix with columns in ACGT order."""
    return np.asarray(pwm)[::-1, ::-1]


@dataclass
class MotifMatch:
    """One row of ``tomtom.tsv`` plus the target's name and matrix in the aligned orientation.

    ``also``: the names of the query's next significant matches, best first (the report shows them beside the
    best: a kernel's best match can be a factor of another family by a hair, ZBTB2 before ELK1 for an ETS site).
    """

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
    also: tuple = ()

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
        MEME minimal-format file of query motifs, each with a name of its own; ``-`` reads standard input.
    database : str
        ``jaspar`` or a motif file (see :func:`motifnet.motifs.readers.read_motifs`). Default is ``jaspar``.
    collection, tax_group : str
        JASPAR selection (see :func:`motifnet.motifs.jaspar.load_jaspar`).
    top : int
        Matches per query. Default is 5.
    """
    check_top(top)
    queries = read_motif_file(query_path, "query file")
    what = f"query file {display_name(query_path)}"
    check_unique_names(queries, what)
    targets = load_database(database, collection, tax_group)
    if queries.nucleic and sorted(targets.letters) == sorted("ACGU"):  # a query file without letters, RNA targets
        queries = in_query_letters(targets.letters, queries, what, "--db")
    targets = in_query_letters(queries.letters, targets, what, "--db")
    log.info("comparing %d query motif(s) with %s", len(queries.motifs), targets.source)
    return matches_tsv(match_motifs(queries.motifs, targets, top))


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
