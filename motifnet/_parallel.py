"""Worker processes for work that threads cannot share (the GIL): folding, drawing figures."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def available_cores() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


@contextmanager
def process_pool(jobs: int):
    """A pool of ``jobs`` worker processes, terminated when the block ends (also on errors)."""
    # spawn, not fork: the parent may hold TensorFlow's threads, which fork does not survive
    pool = multiprocessing.get_context("spawn").Pool(jobs)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def ordered_map(function: Callable, items: Sequence, jobs: int) -> Iterator:
    """Yield ``function(item)`` for each item in order, computed in ``jobs`` processes when jobs > 1.

    ``function`` must be importable by name (a module-level function) and its items picklable.
    """
    if jobs <= 1 or len(items) <= 1:
        yield from map(function, items)
        return
    with process_pool(min(jobs, len(items))) as pool:
        yield from pool.imap(function, items)
