"""Positions in genome windows as genome coordinates.

Records read from BED with a genome are named after their windows, ``chrom:start-end(strand)``
(see :mod:`motifnet.data.genome`); a position counted along such a record maps back to the
genome here. A minus-strand window holds the reverse complement, so its position ``i`` is the
genome base ``end - 1 - i``, and ``width`` bases from ``i`` cover ``[end - i - width, end - i)``.
The window parsing itself is :func:`motifnet.data.genome.parse_window_id`'s; an id with a
suffix (``chr1:100-300(+)/shuffle1``, a shuffled background record) is not the genome's letters
and maps nowhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .genome import parse_window_id

log = logging.getLogger("motifnet")


@dataclass(frozen=True)
class WindowTable:
    """The windows of n records, as arrays.

    Attributes
    ----------
    chrom : numpy.ndarray of str, shape=(n,)
    start, end : numpy.ndarray of int64, shape=(n,)
        0-based, half-open.
    minus : numpy.ndarray of bool, shape=(n,)
        The record is the window's reverse complement.
    valid : numpy.ndarray of bool, shape=(n,)
        The record is a genome window; the other rows hold ``''``, 0, 0 and False.
    mismatched : numpy.ndarray of int
        The rows of records named as windows whose letters do not span them (not valid; see
        :func:`window_table`).
    letters : (numpy.ndarray, numpy.ndarray) of int64 or None
        The genome interval of the record's letters within the window, per record: narrower than
        ``start``-``end`` where the model zero-padded a short record (the window then also covers the
        padding). None: the whole window.
    """

    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray
    minus: np.ndarray
    valid: np.ndarray
    mismatched: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    letters: tuple | None = None

    def __len__(self) -> int:
        return len(self.chrom)

    @property
    def strand(self) -> np.ndarray:
        """``+`` or ``-`` per record (``''`` for records that are not windows), shape=(n,)."""
        return np.where(self.valid, np.where(self.minus, "-", "+"), "")

    def intervals(self, positions, width: int) -> tuple:
        """Genome ``(start, end)`` of ``width`` record positions from ``positions``.

        Parameters
        ----------
        positions : array-like of int, shape=(n,) or (n, k)
            0-based positions along each record (one row per record).
        width : int

        Returns
        -------
        (numpy.ndarray, numpy.ndarray) of int64, the shape of ``positions``
            Half-open genome intervals, whichever strand the record reads.
        """
        positions = np.asarray(positions, dtype=np.int64)
        extra = (slice(None),) + (None,) * (positions.ndim - 1)
        start = np.where(self.minus[extra], self.end[extra] - positions - width, self.start[extra] + positions)
        return start, start + width

    def read(self, positions, width: int) -> tuple:
        """The record's letters among ``width`` positions from ``positions``, as genome intervals.

        Parameters
        ----------
        positions : array-like of int, shape=(n,) or (n, k)
        width : int

        Returns
        -------
        (numpy.ndarray, numpy.ndarray, numpy.ndarray)
            ``start`` and ``end`` (int64), the part of :meth:`intervals` that holds the record's letters, and
            ``placed`` (bool): the record is a window and that part is not empty (False where the positions lie
            wholly in a padded record's padding, whose zeros are no genome bases).
        """
        start, end = self.intervals(positions, width)
        positions = np.asarray(positions)
        extra = (slice(None),) + (None,) * (positions.ndim - 1)
        first, stop = self.letters if self.letters is not None else (self.start, self.end)
        start, end = np.maximum(start, first[extra]), np.minimum(end, stop[extra])
        return start, end, self.valid[extra] & (end > start)

    def bases(self, length: int) -> np.ndarray:
        """The genome position of every record position, shape=(n, length)."""
        start, _ = self.intervals(np.broadcast_to(np.arange(length), (len(self), length)), 1)
        return start


def window_table(ids, length: int | None = None, lengths=None, where=None, warn: bool = True) -> WindowTable | None:
    """The windows the record ``ids`` name (exactly ``chrom:start-end(strand)``); None when no id names one.

    A table whose every window was refused for its length (see ``lengths``) has no valid row, and says which in
    ``mismatched``.

    Parameters
    ----------
    ids : sequence of str, shape=(n,)
    length : int or None
        The model's input length, when positions are counted along the model's input: a record of
        another length was centre-cropped or zero-padded to it (:func:`motifnet.data.encoding.fit_length`),
        so its window is moved to the bases the model read (a window of 300 read at 200 starts 50 bases
        in; on a minus-strand window, 50 bases before its end). None: positions along the record as read.
        Default is None.
    lengths : array-like of int or None, shape=(n,)
        The records' own lengths, when known (negative: not known): a record whose letters do not span
        its name's window (``chr1:0-10(+)`` of 200 letters) is not that window, and maps nowhere (a
        warning says so). Default is None (names taken at their word).
    where : callable or None
        ``where(row)``: the record's file and number, for the warning. Default is None (its id).
    warn : bool
        Log that warning. Default is True.
    """
    windows = []
    for identifier in ids:
        window = parse_window_id(str(identifier))
        windows.append(window if window is not None and window.id == str(identifier) else None)
    wrong = []
    if lengths is not None:
        lengths = np.asarray(lengths, dtype=np.int64)
        wrong = [row for row, window in enumerate(windows)
                 if window is not None and lengths[row] >= 0 and window.end - window.start != lengths[row]]
        if wrong and warn:
            row = wrong[0]
            warn_mismatched(len(wrong), where(row) if where else repr(str(ids[row])), int(lengths[row]),
                            windows[row].end - windows[row].start)
        for row in wrong:
            windows[row] = None
    if not wrong and not any(window is not None for window in windows):
        return None
    start = np.array([w.start if w else 0 for w in windows], dtype=np.int64)
    end = np.array([w.end if w else 0 for w in windows], dtype=np.int64)
    minus = np.array([bool(w) and w.strand == "-" for w in windows], dtype=bool)
    valid = np.array([w is not None for w in windows], dtype=bool)
    letters = None
    if length is not None:
        letters = (start, end)
        span = end - start
        # fit_length: a crop keeps the middle (the extra base to the right), a pad puts the extra zero to the right
        skipped = np.where(span >= length, (span - length) // 2, -((length - span) // 2))
        start, end = np.where(minus, end - skipped - length, start + skipped), np.where(minus, end - skipped,
                                                                                        start + skipped + length)
        start, end = np.where(valid, start, 0), np.where(valid, end, 0)
        # a crop reads part of the window, a pad reads it all (and zeros beside it)
        letters = (np.maximum(letters[0], start), np.minimum(letters[1], end))
    return WindowTable(np.array([w.chrom if w else "" for w in windows], dtype=str), start, end, minus, valid,
                       np.asarray(wrong, dtype=np.int64), letters)


def warn_mismatched(count: int, record: str, letters: int, span: int) -> None:
    """Warn of ``count`` records named as genome windows whose letters do not span them (``record``, the first)."""
    log.warning("%d record(s) named as genome windows hold another number of letters than their names span "
                "(e.g. %s: %d letters, not %d); their sites are given along the records, not in the genome",
                count, record, letters, span)
