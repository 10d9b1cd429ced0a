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

from dataclasses import dataclass

import numpy as np

from .genome import parse_window_id


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
    """

    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray
    minus: np.ndarray
    valid: np.ndarray

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

    def bases(self, length: int) -> np.ndarray:
        """The genome position of every record position, shape=(n, length)."""
        start, _ = self.intervals(np.broadcast_to(np.arange(length), (len(self), length)), 1)
        return start


def window_table(ids) -> WindowTable | None:
    """The windows the record ``ids`` name (exactly ``chrom:start-end(strand)``); None when no id names one."""
    windows = []
    for identifier in ids:
        window = parse_window_id(str(identifier))
        windows.append(window if window is not None and window.id == str(identifier) else None)
    if not any(window is not None for window in windows):
        return None
    return WindowTable(np.array([w.chrom if w else "" for w in windows], dtype=str),
                       np.array([w.start if w else 0 for w in windows], dtype=np.int64),
                       np.array([w.end if w else 0 for w in windows], dtype=np.int64),
                       np.array([bool(w) and w.strand == "-" for w in windows], dtype=bool),
                       np.array([w is not None for w in windows], dtype=bool))
