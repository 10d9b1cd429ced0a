"""Worker processes for work that threads cannot share (the GIL): folding, drawing figures."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from ._signals import check_stop
from .errors import MotifnetError


def available_cores() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


class WorkerDied(MotifnetError):
    """A worker process ended without returning its result (killed, e.g. out of memory, or crashed)."""


@contextmanager
def process_pool(jobs: int):
    """A pool of ``jobs`` worker processes (a ``concurrent.futures`` executor), stopped when the block ends.

    No more processes start than :func:`available_cores`: more would only share the same cores.
    A worker that dies fails the work with :class:`WorkerDied` instead of leaving the caller
    waiting forever (``multiprocessing.Pool`` waits for a result that never comes).
    """
    # spawn, not fork: the parent may hold TensorFlow's threads, which fork does not survive
    workers = max(1, min(jobs, available_cores()))
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield executor
    except BrokenProcessPool as error:
        raise WorkerDied(f"a worker process died before finishing its work ({error}); if the machine ran out "
                         "of memory, use fewer --jobs") from None
    except BaseException:
        # Stop at once on errors and interrupts: queued work is dropped and running workers end.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    else:
        executor.shutdown(wait=True)


def ordered_map(function: Callable, items: Sequence, jobs: int) -> Iterator:
    """Yield ``function(item)`` for each item in order, computed in ``jobs`` processes when jobs > 1.

    ``function`` must be importable by name (a module-level function) and its items picklable.
    Between results it stops with :class:`motifnet._signals.StopRequested` once a signal asked to.

    Raises
    ------
    WorkerDied
        A worker process died.
    """
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            check_stop()
            yield function(item)
        return
    with process_pool(min(jobs, len(items))) as pool:
        for result in pool.map(function, items):
            check_stop()  # a safe point: the pool's workers are stopped on the way out
            yield result
