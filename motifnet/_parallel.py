"""Worker processes for work that threads cannot share (the GIL): folding, drawing figures."""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from ._signals import check_stop, cleanup_if_ended, stop_requested
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
                                   initializer=_worker_signals, initargs=(os.getpid(),))
    try:
        # A second signal ends this process at once: its workers, left blocked writing results nobody reads
        # (and ignoring SIGINT), would otherwise live on as orphans.
        with cleanup_if_ended(lambda: _kill_workers(list(getattr(executor, "_processes", None) or {}))):
            yield executor
    except BrokenProcessPool as error:
        # Ctrl-C reaches the whole process group: a worker still starting (before _worker_signals) dies of it.
        check_stop()
        raise WorkerDied(f"a worker process died before finishing its work ({error}); if the machine ran out "
                         "of memory, use fewer --jobs") from None
    except BaseException:
        # Stop at once on errors and interrupts: queued work is dropped and running workers end. SIGTERM
        # ends only a worker inside a task; an idle one ends when the executor's own shutdown sends it
        # the end-of-work message (see _worker_signals).
        processes = list((getattr(executor, "_processes", None) or {}).values())
        # A second signal while the workers are given time to end ends them at once.
        with cleanup_if_ended(functools.partial(_kill_workers, [process.pid for process in processes])):
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            deadline = time.monotonic() + WORKER_EXIT_SECONDS
            for process in processes:  # each removes the file it was writing (see _worker_signals) before it ends
                process.join(timeout=max(0.0, deadline - time.monotonic()))
            for process in processes:
                if process.is_alive():  # stuck in a long C call: Python's handler would run only after it
                    process.kill()
        raise
    else:
        executor.shutdown(wait=True)


#: How long a second signal waits for workers inside a task to remove their half-written file before killing them.
WORKER_UNWIND_SECONDS = 1.0


def _kill_workers(pids: list) -> None:
    """End the worker processes ``pids`` (what a second signal does before this process ends).

    SIGTERM first, so that a worker inside a task unwinds and removes the file it was writing
    (:func:`_worker_signals`); then, after at most :data:`WORKER_UNWIND_SECONDS`, SIGKILL for the
    rest (idle workers, or workers blocked sending a result that nobody will read).
    """
    for pid in pids:
        _send(pid, signal.SIGTERM)
    deadline = time.monotonic() + WORKER_UNWIND_SECONDS
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if not _ended(pid)]
        time.sleep(0.01)
    for pid in pids:
        _send(pid, signal.SIGKILL)


def _send(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:  # already gone
        pass


def _ended(pid: int) -> bool:
    """Whether child ``pid`` has ended (reaped here, or by the thread of the executor that waits for it)."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _worker_signals(parent: int) -> None:
    """Run first in every worker: leave interrupts to the parent, and end on its SIGTERM as Python code ends.

    An interrupt from the terminal (Ctrl-C) reaches the whole process group; the parent decides
    what stops (at its next safe point) and then terminates the workers. Python's default SIGTERM
    ends a process on the spot, which would leave a file that a worker was writing half-written
    beside the real ones; as SystemExit it unwinds, and ``atomic_path`` removes the file.

    Only a worker inside a task unwinds at once. An idle worker is reading the shared queue of
    work, holding its lock: ended there after reading a message's length but not its body, it
    would leave the body to the next worker, which reads it as a length and fails to unpickle an
    empty message (``EOFError: Ran out of input``, a traceback on standard error). An idle worker
    only notes the signal, refuses any further task (:func:`_run_item`), and ends when the
    executor's shutdown sends it the end-of-work message.

    A worker also ends once ``parent``, the pid of the process that made the pool, is gone
    (:func:`_end_with_parent`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _note_or_exit)
    # The parent's pid as it started the worker: one killed while the worker started has handed it to another.
    threading.Thread(target=_end_with_parent, args=(parent,), name="motifnet-parent-watch", daemon=True).start()


#: How often a worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 1.0


def _end_with_parent(parent: int) -> None:
    """End this worker once ``parent``, the process that started it, is gone.

    A parent killed outright (SIGKILL: the out-of-memory killer, a batch system's time limit) cannot end its
    workers; they lived on, blocked sending a result nobody reads, and ignoring SIGTERM outside a task. A task
    in progress is ended by SIGTERM first, so that it removes its half-written file (:func:`_note_or_exit`).
    """
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(WORKER_UNWIND_SECONDS)
    os._exit(128 + signal.SIGTERM)


#: Set in a worker by the parent's SIGTERM: the worker then starts no more work (a SystemExit raised inside
#: a task is caught by the pool, which sends it back and lets the worker read the queue again).
_terminating = False
#: Whether a worker is running a task, where SIGTERM ends it at once.
_in_task = False


def _note_or_exit(signum, frame) -> None:
    global _terminating
    if _terminating:  # a second SIGTERM (the parent's, then the worker's own once the parent is gone) raised a
        return  # second SystemExit while the first was unwinding, printed as a traceback
    _terminating = True
    if _in_task:
        raise SystemExit(128 + signum)


def _run_item(function: Callable, item):
    """``function(item)`` in a worker, unless the parent has already asked the worker to end."""
    global _in_task
    _in_task = True  # before the check: a SIGTERM from here on either is seen below or raises
    try:
        if _terminating:
            raise SystemExit(128 + signal.SIGTERM)
        return function(item)
    finally:
        _in_task = False


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
        results = _ended_as_stops(pool.map(_run_item, itertools.repeat(function), items))
        for result in itertools.islice(results, len(items) - 1):
            check_stop()  # a safe point: the pool's workers are stopped on the way out
            yield result
        # The pool ends before the last result leaves: a caller that stops asking once it has every
        # result (zip with the items) would otherwise close this generator inside the pool, as an abort.
        last = next(results)
    check_stop()
    yield last


def _ended_as_stops(results: Iterator) -> Iterator:
    """The pool's ``results``, where a worker ended by SIGTERM inside its task is the stop that signal asked for.

    The pool sends back the SystemExit that ends such a worker (:func:`_note_or_exit`) as the task's outcome, and
    raising it here ended the command with status 143 and no message. SIGTERM sent to the process group reaches
    this process too: its stop is raised (:class:`motifnet._signals.StopRequested`), once its handler has run.

    Raises
    ------
    WorkerDied
        A worker was ended by a SIGTERM sent to it alone (this process got none).
    """
    try:
        yield from results
    except SystemExit:
        deadline = time.monotonic() + WORKER_UNWIND_SECONDS
        while not stop_requested() and time.monotonic() < deadline:
            time.sleep(0.01)
        check_stop()
        raise WorkerDied("a worker process was ended by a signal (SIGTERM) sent to it alone") from None
