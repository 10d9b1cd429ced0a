"""TF-MoDISco in a child process, so that a stop request ends it at once and leaves nothing behind.

TF-MoDISco has no safe points of its own (on 100,000 records it spends about 12 minutes in one
call on 2 cores), and modisco-lite forks worker processes of its own.
:func:`find_patterns_stoppable` therefore runs :func:`motifnet.motifs.modisco.find_patterns` in a
fresh interpreter (with this process's ``sys.path``) that reads the one-hot and contribution arrays
from their ``.npy`` files (memory-mapped, so the pages are shared with this process) and writes
the patterns to an ``.npz`` file (plain arrays, no pickle). While it works, this process checks
for a stop request five times a second; a request (the first SIGINT or SIGTERM) ends the child's
whole process group, modisco's workers included, and raises
:class:`~motifnet._signals.StopRequested`. A second signal, which ends this process at once, ends
the group first (:func:`~motifnet._signals.cleanup_if_ended`). If this process is killed outright,
the kernel ends the child and its workers (Linux's parent-death signal, asked for again in each
forked worker)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .. import _io
from .._progress import duration
from .._signals import check_stop, cleanup_if_ended
from ..errors import MotifnetError
from .modisco import ModiscoConfig, Pattern, Seqlet, check_modisco_inputs, find_patterns

log = logging.getLogger("motifnet")

#: The kind of every scratch file of ``motifs`` (:func:`motifnet._io.scratch_file`): arrays, TF-MoDISco's result
#: and messages.
SCRATCH_KIND = "patterns"
# A child given this long to end after SIGTERM is then killed.
_GRACE_SECONDS = 5.0
# How often the parent looks for a stop request while the child works.
_POLL_SECONDS = 0.2
# TF-MoDISco says nothing until it ends (12 minutes for 1,300 records of pum2 on 2 cores): a line after this long,
# then after twice as long each time, says it still runs.
_STILL_RUNNING_SECONDS = 60.0


def find_patterns_stoppable(one_hot_path, hypothetical_path, config: ModiscoConfig | None = None,
                            scratch_dir=None) -> list:
    """:func:`~motifnet.motifs.modisco.find_patterns` on arrays saved as ``.npy``, in a child process.

    Parameters
    ----------
    one_hot_path, hypothetical_path : path
        ``.npy`` files of shape (n, length, 4), float32 (the scratch arrays of ``motifnet motifs``).
    config : ModiscoConfig or None
        Default :class:`ModiscoConfig`.
    scratch_dir : path or None
        Where the child's result and messages are kept until read (hidden files, removed
        afterwards). Default is the folder of ``one_hot_path``.

    Returns
    -------
    list of Pattern
        As :func:`~motifnet.motifs.modisco.find_patterns` returns them.

    Raises
    ------
    ParamError
        Arrays of different shapes, or not four letters, or shorter than a seqlet.
    MotifnetError
        TF-MoDISco failed; the message gives the child's last line of error.
    StopRequested
        A signal asked to stop; the child and its workers were ended.
    """
    config = config or ModiscoConfig()
    one_hot = np.load(one_hot_path, mmap_mode="r")
    hypothetical = np.load(hypothetical_path, mmap_mode="r")
    check_modisco_inputs(one_hot, hypothetical, config)
    del one_hot, hypothetical
    folder = Path(scratch_dir) if scratch_dir is not None else Path(one_hot_path).parent
    check_stop()  # a stop asked during the last batch of contributions: no child to start
    result = scratch_file(folder, ".npz")
    messages = scratch_file(folder, ".log")
    command = _child_command(one_hot_path, hypothetical_path, config, result)
    started = []

    def at_once():
        for child in started:
            _end_group(child, grace=0)
        result.unlink(missing_ok=True)
        messages.unlink(missing_ok=True)

    with cleanup_if_ended(at_once):
        try:
            child = _start_child(command, messages)
            started.append(child)
            try:
                began, note = time.monotonic(), _STILL_RUNNING_SECONDS
                while not _exited(child):
                    check_stop()
                    time.sleep(_POLL_SECONDS)
                    if time.monotonic() - began >= note:
                        log.info("TF-MoDISco still running (%s so far; it reports when it ends)",
                                 duration(time.monotonic() - began))
                        note *= 2
            finally:
                _end_group(child, grace=_GRACE_SECONDS)
            if child.returncode != 0:
                # A batch system may signal every process of the job: the child's end is then our stop.
                check_stop()
                raise MotifnetError(_failure(child.returncode, messages))
            return load_patterns(result)
        finally:
            result.unlink(missing_ok=True)
            messages.unlink(missing_ok=True)


def _failure(returncode: int, messages: Path) -> str:
    if returncode > 0:
        return f"TF-MoDISco failed (exit status {returncode}): {_last_line(messages)}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    # SIGKILL from outside is most often the kernel's out-of-memory killer.
    hint = ": out of memory? try a smaller --max-seqlets" if returncode == -signal.SIGKILL else ""
    return f"TF-MoDISco's process was killed by {name}{hint}"


def _child_command(one_hot_path, hypothetical_path, config: ModiscoConfig, result: Path) -> list:
    # The child imports motifnet from where this process did (its sys.path, not the working folder's files).
    start = ("import json, sys; sys.path[:] = json.loads(sys.argv.pop(1)); "
             f"from {__name__} import _main; sys.exit(_main(sys.argv[1:]))")
    return [sys.executable, "-c", start, json.dumps(sys.path), str(one_hot_path), str(hypothetical_path),
            json.dumps(asdict(config)), str(result), str(os.getpid())]


def _start_child(command: list, messages: Path) -> subprocess.Popen:
    with open(messages, "wb") as stderr:
        # A session of its own: the terminal's Ctrl-C reaches this process only, which decides,
        # and the child's process group (modisco's forked workers too) can be ended as one.
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                                start_new_session=True)


def scratch_file(folder, suffix: str) -> Path:
    """A new empty hidden file in ``folder`` named like every scratch file of ``motifs`` (:data:`SCRATCH_KIND`)."""
    return _io.scratch_file(folder, SCRATCH_KIND, suffix)


def _exited(child: subprocess.Popen) -> bool:
    """Whether the child has ended, without reaping it: until it is reaped its pid, and so its group's id,
    cannot be given to another process, so signalling the group cannot reach a stranger."""
    if child.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _end_group(child: subprocess.Popen, grace: float) -> None:
    """End the child's process group: SIGTERM, ``grace`` seconds to go, then SIGKILL for whatever is left.

    The group is signalled before the child is reaped (see :func:`_exited`). With ``grace`` 0 (the
    process is about to end at once) only SIGKILL is sent and nothing waits.
    """
    if grace > 0 and not _exited(child):
        _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while not _exited(child) and time.monotonic() < deadline:
            time.sleep(0.05)
    # The group outlives its leader while modisco's workers remain; kill them too.
    _signal_group(child, signal.SIGKILL)
    if grace > 0:
        child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    if child.returncode is not None:  # reaped: its id may belong to another process by now
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)


#: Free bytes below which a silent failure of the TF-MoDISco process is put down to a full disk.
FULL_DISK_BYTES = 1024**2


def _last_line(path: Path) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        text = ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines:
        return lines[-1]
    # its messages go to a file beside its results: on a full disk it fails without a word
    free = shutil.disk_usage(Path(path).parent).free
    if free < FULL_DISK_BYTES:
        return f"no message: the disk of {Path(path).parent} is full ({free:,} bytes free), where it writes"
    return "no message (killed?)"


def save_patterns(path, patterns: list) -> None:
    """Write patterns to an ``.npz`` of plain arrays (read back by :func:`load_patterns`)."""
    arrays = {"count": np.array(len(patterns))}
    for number, pattern in enumerate(patterns):
        seqlets = pattern.seqlets
        arrays.update({
            f"{number}/sign": np.array(pattern.sign), f"{number}/index": np.array(pattern.index),
            f"{number}/cwm": pattern.cwm, f"{number}/hypothetical_cwm": pattern.hypothetical_cwm,
            f"{number}/pfm": pattern.pfm, f"{number}/core": np.array(pattern.core, dtype=np.int64),
            f"{number}/positions": np.array([[s.record, s.start, s.end] for s in seqlets],
                                            dtype=np.int64).reshape(-1, 3),
            f"{number}/minus": np.array([s.strand == "-" for s in seqlets], dtype=bool),
            f"{number}/contribution": np.array([s.contribution for s in seqlets], dtype=np.float64),
        })
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def load_patterns(path) -> list:
    """The patterns :func:`save_patterns` wrote."""
    with np.load(path, allow_pickle=False) as saved:
        patterns = []
        for number in range(int(saved["count"])):
            def get(key, number=number):
                return saved[f"{number}/{key}"]

            seqlets = [Seqlet(int(record), int(start), int(end), "-" if minus else "+", float(contribution))
                       for (record, start, end), minus, contribution
                       in zip(get("positions"), get("minus"), get("contribution"))]
            patterns.append(Pattern(int(get("sign")), int(get("index")), get("cwm"), get("hypothetical_cwm"),
                                    get("pfm"), tuple(int(i) for i in get("core")), seqlets))
    return patterns


def _die_with_parent(parent: int) -> None:
    """Linux: be killed when the parent process ends, however it ends; so are the workers this process forks."""
    if sys.platform.startswith("linux"):
        import ctypes

        def ask():
            with contextlib.suppress(OSError, AttributeError):
                pr_set_pdeathsig = 1
                ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

        ask()
        # The request is not inherited by fork(): modisco-lite's workers make it again, for the process that
        # forked them. A worker that gets to it only after that process ended (a kill right after the fork)
        # would wait for a death that has already happened: it ends instead.
        forker = [os.getpid()]

        def before_fork():
            forker[0] = os.getpid()

        def in_worker():
            ask()
            if os.getppid() != forker[0]:
                os._exit(1)

        os.register_at_fork(before=before_fork, after_in_child=in_worker)
    if os.getppid() != parent:  # the parent ended before the request above took effect
        os._exit(1)


def _main(arguments: list) -> int:
    one_hot_path, hypothetical_path, options, result, parent = arguments
    _die_with_parent(int(parent))
    try:
        config = ModiscoConfig(**json.loads(options))
        patterns = find_patterns(np.load(one_hot_path, mmap_mode="c"), np.load(hypothetical_path, mmap_mode="c"),
                                 config)
        save_patterns(result, patterns)
    except Exception as error:  # noqa: BLE001 - the parent turns this line into a motifnet error
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


