"""The lock of a run folder: one command at a time writes into ``RUN_DIR``.

``RUN_DIR/.motifnet.lock`` holds the holder's pid, host, start time and command as JSON. It is
created atomically (``O_CREAT | O_EXCL``) and kept open under ``flock`` while held, so that two
processes that both find a stale lock cannot both take it over. A lock whose process is gone (on
this host) is stale and taken over with a warning; a lock of another host cannot be checked from
here, so it is refused with the advice to remove it if that job is gone.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from .._io import missing_folders, process_alive, process_started_after, remove_empty_folders
from .._signals import cleanup_if_ended
from ..errors import RunDirError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX; the O_EXCL file alone then guards the folder
    fcntl = None

log = logging.getLogger("motifnet")

LOCK = ".motifnet.lock"

# A lock file found empty or unreadable may be one whose holder is writing it this instant.
_UNREADABLE_WAIT_SECONDS = 2.0


class RunLock:
    """A held lock of a run folder; :meth:`release` (or leaving the ``with`` block) gives it back.

    Attributes
    ----------
    run_dir : pathlib.Path
    holder : dict
        What the lock file says: ``pid``, ``host``, ``started`` (seconds since the epoch) and ``command``.
    """

    def __init__(self, run_dir: Path, fd: int, holder: dict, made: list):
        self.run_dir, self.holder = run_dir, holder
        self._fd, self._made = fd, made  # the folders made for the lock, deepest first
        # A second signal ends the process at once, past the with block's exit: the lock (and the folder made for
        # it, when empty) went with it only through the next command's take-over of a stale lock.
        self._at_once = cleanup_if_ended(self.release)

    @property
    def path(self) -> Path:
        return self.run_dir / LOCK

    def release(self) -> None:
        """Remove the lock file (if it is still this lock's) and the run folder and its parents made for it while
        they are empty."""
        fd, self._fd = self._fd, None  # first: a second signal's clean-up may run this again at any line
        if fd is None:
            return
        try:
            if read_holder(self.run_dir) == self.holder:
                self.path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # also drops the flock
        remove_empty_folders(self._made)  # a command refused before it wrote anything leaves no empty folder behind

    def __enter__(self) -> RunLock:
        self._at_once.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.release()
        finally:
            self._at_once.__exit__(None, None, None)


def acquire(run_dir, command: str) -> RunLock:
    """Take the lock of ``run_dir`` (made if missing) for ``command``.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        The run folder.
    command : str
        What holds it (``train``, ``grid-search``), named to whoever finds the folder locked.

    Returns
    -------
    RunLock
        Use it as a context manager, or call :meth:`RunLock.release`.

    Raises
    ------
    RunDirError
        The folder is locked by a live process (named by pid and host), or by a process of
        another host, or the lock file cannot be made.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"{run_dir}: exists and is not a folder; choose another -o")
    made = missing_folders(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunDirError(f"{run_dir}: cannot make the run folder ({error.strerror or error})") from None
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(), "command": command,
              **({"job": _batch_job()} if _batch_job() else {})}
    try:
        fd = None
        for _ in range(3):  # another attempt when the lock file was released or replaced meanwhile
            fd = _create(run_dir / LOCK, holder)
            if fd is None:
                fd = _take_over(run_dir, holder)
            if fd is not None:
                break
        if fd is None:
            raise RunDirError(f"{run_dir}: its lock changes hands too often to be taken; try again")
    except BaseException:
        remove_empty_folders(made)
        raise
    return RunLock(run_dir, fd, holder, made)


@contextmanager
def locked(run_dir, command: str):
    """``with locked(run_dir, "train"):`` hold the lock of ``run_dir`` for the block (see :func:`acquire`)."""
    with acquire(run_dir, command) as lock:
        yield lock


def read_holder(run_dir) -> dict | None:
    """What ``RUN_DIR/.motifnet.lock`` says, or None when there is none or it cannot be read."""
    try:
        holder = json.loads((Path(run_dir) / LOCK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def live_holder(run_dir) -> dict | None:
    """The holder of the run folder's lock if a live process holds it (or one of another host might), else None."""
    holder = read_holder(run_dir)
    if holder is None or _is_stale(holder):
        return None
    return holder


def describe_holder(holder: dict) -> str:
    """``motifnet train (pid 123 on host, since 2026-11-30 21:40:00)``."""
    started = holder.get("started")
    since = (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
             if isinstance(started, (int, float)) else "an unknown time")
    return (f"motifnet {holder.get('command', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"since {since})")


def _create(path: Path, holder: dict) -> int | None:
    """The fd of a new lock file holding ``holder``; None when one exists."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        return None
    except OSError as error:
        raise RunDirError(f"{path}: cannot make the run folder's lock ({error.strerror or error})") from None
    try:
        _flock(fd, path)
        _write(fd, holder)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _take_over(run_dir: Path, holder: dict) -> int | None:
    """The fd of the existing lock file, now ours, when its holder is gone; None when it went meanwhile.

    Refuses a live holder.
    """
    path = run_dir / LOCK
    found = _read_settled(run_dir)
    if found is not None and not _is_stale(found):
        raise _locked_error(run_dir, found)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        _flock(fd, path)  # a second process taking over the same stale lock stops here
        if not _same_file(fd, path):
            os.close(fd)  # released (removed) or replaced since it was opened
            return None
        again = read_holder(run_dir)
        if again is not None and again != found and not _is_stale(again):
            raise _locked_error(run_dir, again)
        log.warning("%s: the lock of %s is stale (no such process on this host any more); taking it over",
                    run_dir, describe_holder(found) if found else "an unreadable holder")
        _write(fd, holder)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _locked_error(run_dir: Path, holder: dict) -> RunDirError:
    if holder.get("host") != socket.gethostname():
        return RunDirError(f"{run_dir}: locked by {describe_holder(holder)}, which cannot be checked from this "
                           f"host; if that job is gone, remove {run_dir / LOCK} and run again")
    return RunDirError(f"{run_dir}: in use by {describe_holder(holder)}; wait for it to end or choose another -o")


def _read_settled(run_dir: Path) -> dict | None:
    """The lock's holder, waiting briefly for one that is being written; None when it stays unreadable."""
    deadline = time.monotonic() + _UNREADABLE_WAIT_SECONDS
    while True:
        holder = read_holder(run_dir)
        if holder is not None or time.monotonic() > deadline:
            return holder
        time.sleep(0.1)


def _batch_job() -> dict | None:
    """The batch job this process runs in (SLURM or PBS): its id and how often it was requeued; None outside one."""
    job = os.environ.get("SLURM_JOB_ID") or os.environ.get("PBS_JOBID")
    if not job:
        return None
    try:
        restart = int(os.environ.get("SLURM_RESTART_COUNT", "0"))
    except ValueError:
        restart = 0
    return {"id": job, "restart": restart}


def _is_stale(holder: dict) -> bool:
    """Whether the holder is certainly gone: a process of this host that no longer runs (or whose pid was
    reused), or an earlier run of this batch job (SLURM requeues a job under its id, maybe on another node)."""
    ours, theirs = _batch_job(), holder.get("job")
    if ours and isinstance(theirs, dict) and theirs.get("id") == ours["id"]:
        restart = theirs.get("restart")
        if isinstance(restart, int) and restart < ours["restart"]:
            return True
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder.get("pid")
    if not isinstance(pid, int) or not process_alive(pid):
        return True
    lock_started = holder.get("started")
    # A process started after the lock was written is another program that got the dead holder's pid.
    return isinstance(lock_started, (int, float)) and process_started_after(pid, lock_started)


def _flock(fd: int, path: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunDirError(f"{path.parent}: in use by another motifnet process (its lock is being taken); "
                          "wait for it to end or choose another -o") from None
    except OSError:
        pass  # a file system without flock: the O_EXCL file still guards the folder


def _write(fd: int, holder: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(holder) + "\n").encode("utf-8"))
