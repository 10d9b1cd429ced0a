"""Stopping long work at a safe point on SIGTERM or SIGINT (batch systems send SIGTERM, then SIGKILL).

A handler that raises wherever the interpreter happens to be can be lost (an exception raised in
a finaliser or a callback of a library is printed and dropped) and can cut a file write in two.
Instead, :func:`stop_on_signals` installs handlers that only set a flag; long loops call
:func:`check_stop` at their safe points (a batch boundary of training, a chunk of predictions, a
finished worker result) and stop there with :class:`StopRequested`, keeping what is done. A second
signal (not the first one again: see :data:`SAME_SIGNAL_SECONDS`) ends the process at once with status
128 + the signal's number, as the default action would; before it does, the clean-ups registered with
:func:`cleanup_if_ended` run (scratch files removed, child processes ended), since no ``finally`` block
runs then.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager

log = logging.getLogger("motifnet")

SIGNALS = (signal.SIGTERM, signal.SIGINT)

# A process receives signals as a whole, so the request to stop is process-wide by nature.
_stop = threading.Event()
# What a second signal must still do before the process ends at once (see cleanup_if_ended).
_at_once = []
#: The same signal handled again within this many seconds of the first is that first one sent twice, not the
#: user's second: coreutils' ``timeout`` (and batch systems that signal a job's processes and its process group)
#: sends SIGTERM to the process and then to its group, microseconds apart, and the first stop went unheard.
SAME_SIGNAL_SECONDS = 0.25
# signal number -> time.monotonic() when that signal asked to stop
_asked_at = {}


class StopRequested(KeyboardInterrupt):
    """Work stopped at a safe point because SIGTERM or SIGINT was received.

    A :class:`KeyboardInterrupt`, so that everything that cleans up after Ctrl-C (temporary
    files, worker processes, the run folder's status) does the same here.
    """


def stop_requested() -> bool:
    """Whether a signal asked this process to stop."""
    return _stop.is_set()


def request_stop() -> None:
    """Ask the long work in progress to stop at its next safe point (what the first signal does)."""
    _stop.set()


def check_stop() -> None:
    """A safe point: raise :class:`StopRequested` if a signal asked to stop, else return.

    Raises
    ------
    StopRequested
    """
    if _stop.is_set():
        raise StopRequested


def _handle(signum, frame) -> None:
    now = time.monotonic()
    if signum in _asked_at and now - _asked_at[signum] < SAME_SIGNAL_SECONDS:
        return
    if _stop.is_set():
        # The second signal: the user (or the batch system) wants the process gone now. A third one during the
        # clean-ups (ending workers takes up to a second) would run this again and end before them.
        for other in SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        os.write(2, f"motifnet: {signal.Signals(signum).name} again; stopping at once\n".encode())
        run_at_once_cleanups()
        os._exit(128 + signum)
    _stop.set()
    _asked_at[signum] = now
    log.warning("%s received: stopping at the next safe point (send it again to stop at once)",
                signal.Signals(signum).name)


def run_at_once_cleanups() -> None:
    """Run the registered clean-ups, newest first, each at most once; one that fails does not stop the others."""
    while _at_once:
        callback = _at_once.pop()
        try:
            callback()
        except Exception:  # noqa: BLE001, S110 - the process is ending; the next clean-up still matters
            pass


@contextmanager
def cleanup_if_ended(callback):
    """Within the block, a second signal (which ends the process at once) first calls ``callback()``.

    For what a ``finally`` block would otherwise do: remove a scratch file, end a child process.
    The callback must be quick and must not need the interpreter's locks (no logging).

    Parameters
    ----------
    callback : callable
        Called without arguments.
    """
    _at_once.append(callback)
    try:
        yield
    finally:
        if callback in _at_once:
            _at_once.remove(callback)


@contextmanager
def stop_on_signals(signals=SIGNALS):
    """Within the block, SIGTERM and SIGINT ask to stop (see :func:`check_stop`) instead of interrupting.

    The handlers in place before are restored, and the request cleared, when the block ends. A
    signal ignored when the block starts (``SIG_IGN``) stays ignored.
    Outside the main thread (where handlers cannot be installed) the block runs unchanged.

    Parameters
    ----------
    signals : sequence of signal.Signals
        Default is SIGTERM and SIGINT.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal ignored by whoever started the process (`nohup`, a shell's background job ignoring
    # SIGINT) stays ignored, as Python itself leaves SIGINT ignored then.
    previous = {signum: signal.signal(signum, _handle) for signum in signals
                if signal.getsignal(signum) is not signal.SIG_IGN}
    _stop.clear()
    _asked_at.clear()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler not installed from Python, which cannot be put back; the default stands in.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        _stop.clear()
        _asked_at.clear()


def ignore_signals_while_exiting(signals=SIGNALS) -> None:
    """Ignore SIGTERM and SIGINT for the rest of the process: for a process whose status is decided.

    The interpreter's exit (atexit callbacks, freeing the modules, TensorFlow's thread pools) takes
    seconds. A signal then would replace the decided status by 130 or 143 without a word: Python
    puts back the default action of every signal it handles before it frees the modules, so no
    Python handler can keep the status then; an ignored signal stays ignored to the end.
    Only for a process that is about to end: in a process that goes on, Ctrl-C would be lost.
    Outside the main thread (where handlers cannot be changed) nothing changes.

    Parameters
    ----------
    signals : sequence of signal.Signals
        Default is SIGTERM and SIGINT.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in signals:
        signal.signal(signum, signal.SIG_IGN)


@contextmanager
def stop_when(predicate, every: float = 1.0):
    """Within the block, ask to stop (as a signal would) once ``predicate()`` is true, checked every ``every`` s.

    For work where the user's signal does not arrive: a Dask worker process, whose client sets a
    flag that ``predicate`` reads. A request made this way is cleared when the block ends.

    Parameters
    ----------
    predicate : callable
        Called without arguments from a thread of this process.
    every : float
        Seconds between calls. Default is 1.
    """
    done = threading.Event()
    asked = threading.Event()

    def watch():
        while not done.wait(every):
            try:
                now = predicate()
            except Exception as error:  # noqa: BLE001 - a flag that cannot be read now may be readable next time
                log.debug("cannot tell whether to stop: %s", error)
                continue
            if now:
                if not _stop.is_set():  # a signal's own request (this process's user) is not this block's to clear
                    asked.set()
                    _stop.set()
                return

    thread = threading.Thread(target=watch, name="motifnet-stop-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        if asked.is_set():
            _stop.clear()


def stopping_on_signals(function):
    """Decorator: run ``function`` within :func:`stop_on_signals` (for commands with safe points).

    Put it above a command's logging options: setting up logging imports TensorFlow, seconds in which
    a signal would otherwise end the process at once, without a word.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with stop_on_signals():
            result = function(*args, **kwargs)
            say_if_finished_after_a_signal()
            return result

    return wrapper


def say_if_finished_after_a_signal() -> None:
    """Within :func:`stop_on_signals`, once the work has returned: a signal that came after its last safe point
    did not stop it, so the user, who asked to stop, is told that the outputs are complete."""
    if stop_requested():
        log.warning("finished before the next safe point: the outputs are complete")
