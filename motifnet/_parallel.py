"""Worker processes for work that threads cannot share (the GIL): folding, drawing figures."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
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


#: How long a terminated worker may take to unwind (remove its half-written file) before it is killed.
WORKER_EXIT_SECONDS = 10.0


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
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_signals)
    try:
        yield executor
    except BrokenProcessPool as error:
        # Ctrl-C reaches the whole process group: a worker still starting (before _worker_signals) dies of it.
        check_stop()
        raise WorkerDied(f"a worker process died before finishing its work ({error}); if the machine ran out "
                         "of memory, use fewer --jobs") from None
    except BaseException:
        # Stop at once on errors and interrupts: queued work is dropped and running workers end.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:  # each removes the file it was writing (see _worker_signals) before it ends
            process.join(timeout=WORKER_EXIT_SECONDS)
            if process.is_alive():  # stuck in a long C call: Python's handler would run only after it
                process.kill()
        raise
    else:
        executor.shutdown(wait=True)


def _worker_signals() -> None:
    """Run first in every worker: leave interrupts to the parent, and end on its SIGTERM as Python code ends.

    An interrupt from the terminal (Ctrl-C) reaches the whole process group; the parent decides
    what stops (at its next safe point) and then terminates the workers. Python's default SIGTERM
    ends a process on the spot, which would leave a file that a worker was writing half-written
    beside the real ones; as SystemExit it unwinds, and ``atomic_path`` removes the file.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_now)


#: Set in a worker by the parent's SIGTERM: the pool may swallow the SystemExit (one raised while the
#: worker sends back a result is caught there), so the worker then ends before it starts more work.
_terminating = False


def _exit_now(signum, frame) -> None:
    global _terminating
    _terminating = True
    raise SystemExit(128 + signum)


def _run_item(function: Callable, item):
    """``function(item)`` in a worker, unless the parent has already asked the worker to end."""
    if _terminating:
        os._exit(128 + signal.SIGTERM)
    return function(item)


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
        for result in pool.map(_run_item, itertools.repeat(function), items):
            check_stop()  # a safe point: the pool's workers are stopped on the way out
            yield result
