"""Sites found in records (motif hits, seqlets) placed on the genome when the records are genome windows.

A site is a row (record), a 0-based half-open ``[start, end)`` along the record as read, and a
strand relative to the record. Its genome interval is :meth:`motifnet.data.windows.WindowTable.intervals`'s
(one mapping for every command); on a minus-strand window the site also changes strand. Records
that are not genome windows (plain FASTA ids, shuffled background records) keep their own
coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .windows import WindowTable, window_table

_OTHER_STRAND = {"+": "-", "-": "+"}


@dataclass
class GenomeSites:
    """Sites on the genome, one per input site.

    Attributes
    ----------
    valid : numpy.ndarray of bool, shape=(n,)
        The site's record is a genome window, and the site holds some of its letters (not wholly the zeros a
        short record was padded with: :meth:`motifnet.data.windows.WindowTable.read`, whose part of the site
        on the record's letters ``start`` and ``end`` give); the other rows keep the record's id and positions.
    chrom : numpy.ndarray of str, shape=(n,)
        The chromosome, or the record id where not ``valid``.
    start, end : numpy.ndarray of int64, shape=(n,)
    strand : numpy.ndarray of str, shape=(n,)
    window : numpy.ndarray of str, shape=(n,)
        The record id (``chrom:start-end(strand)``), ``NA`` where not ``valid``.
    """

    valid: np.ndarray
    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray
    strand: np.ndarray
    window: np.ndarray


#: genome_sites' default: the windows made from the record ids (records read as they are).
FROM_IDS = object()


def genome_sites(ids, rows, starts, ends, strands, table=FROM_IDS) -> GenomeSites:
    """Genome positions of sites found in the records ``ids``.

    Parameters
    ----------
    ids : sequence of str, shape=(records,)
        Record ids; genome windows are named ``chrom:start-end(strand)``.
    rows : array-like of int, shape=(n,)
        The record of each site.
    starts, ends : array-like of int, shape=(n,)
        0-based, end exclusive, along the record as read.
    strands : array-like of str, shape=(n,)
        ``+`` or ``-``, relative to the record.
    table : WindowTable or None
        The records' windows when the caller has them (:func:`motifnet.data.windows.window_table`; None: no
        record is a window). Default: ``window_table(ids)``, made here.

    Returns
    -------
    GenomeSites
    """
    rows = np.asarray(rows, dtype=np.int64)
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    strands = np.asarray(strands, dtype=str)
    ids = np.asarray([str(identifier) for identifier in ids], dtype=str)
    record_ids = ids[rows] if len(rows) else np.zeros(0, dtype=str)
    table = window_table(ids) if table is FROM_IDS else table
    if table is None or not len(rows):
        return GenomeSites(np.zeros(len(rows), bool), record_ids, starts, ends, strands,
                           np.full(len(rows), "NA", dtype=object).astype(str))
    letters = None if table.letters is None else (table.letters[0][rows], table.letters[1][rows])
    mine = WindowTable(table.chrom[rows], table.start[rows], table.end[rows], table.minus[rows], table.valid[rows],
                       letters=letters)
    genome_start, genome_end = np.empty(len(rows), dtype=np.int64), np.empty(len(rows), dtype=np.int64)
    valid = np.empty(len(rows), dtype=bool)
    widths = ends - starts
    for width in np.unique(widths):
        same = widths == width
        # a site reaching into a padded record's padding is placed on the record's bases; one wholly in it, nowhere
        read_start, read_end, placed = mine.read(starts, int(width))
        genome_start[same], genome_end[same], valid[same] = read_start[same], read_end[same], placed[same]
    flipped = np.array([_OTHER_STRAND.get(strand, strand) for strand in strands], dtype=str)
    return GenomeSites(
        valid, np.where(valid, mine.chrom, record_ids), np.where(valid, genome_start, starts),
        np.where(valid, genome_end, ends),
        np.where(valid & mine.minus, flipped, strands), np.where(valid, record_ids, "NA"))
