"""Progress lines on standard error for long steps (the ``motifnet`` logger: ``--quiet`` silences them)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("motifnet")

REPORT_SECONDS = 10.0


class Progress:
    """Count work done and log a line about it at most every ``every`` seconds.

    Parameters
    ----------
    what : str
        What is being done, e.g. ``predicting`` or ``reading peaks.fa``.
    total : int or None
        The amount of work when known in advance (adds "of N" and the time left).
    unit : str
        What is counted. Default is ``records``.
    every : float or None
        Seconds between lines. Default is :data:`REPORT_SECONDS` (10).
    """

    def __init__(self, what: str, total: int | None = None, unit: str = "records", every: float | None = None):
        self.what, self.total, self.unit = what, total, unit
        self.every = REPORT_SECONDS if every is None else every
        self.started = self.last_report = time.monotonic()
        self.done = 0
        self.share = None

    def advance(self, count: int, share: float | None = None) -> None:
        """Add ``count`` to the work done; log a line if ``every`` seconds passed since the last one.

        ``share``, where the total count is not known: the share of the work done by another measure
        (the bytes of the input files read), from 0 to 1; it gives the time left.
        """
        self.update(self.done + count, share)

    def update(self, done: int, share: float | None = None) -> None:
        """Set the work done so far (``share`` as in :meth:`advance`); log a line if ``every`` seconds passed
        since the last one."""
        self.done, self.share = done, share
        now = time.monotonic()
        if now - self.last_report >= self.every:
            self.last_report = now
            log.info("%s", self.line(now - self.started))

    def line(self, seconds: float) -> str:
        rate = self.done / seconds if seconds > 0 else 0.0
        text = f"{self.what}: {self.done:,}"
        if self.total is not None:
            text += f" of {self.total:,}"
        text += f" {self.unit} ({rate:,.0f} per second"
        if self.total is not None and rate > 0:
            text += f", about {max(self.total - self.done, 0) / rate:,.0f} s left"
        elif self.total is None and self.share:
            share = min(self.share, 1.0)
            text += f", {share:.0%} of the input, about {seconds * (1 - share) / share:,.0f} s left"
        return text + ")"


def duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 4 min``: how long something took, for a log line."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
