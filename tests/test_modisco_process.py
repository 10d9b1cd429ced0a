"""motifnet.motifs._modisco_process: TF-MoDISco in a child process that a stop request ends with its workers."""

import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from motifnet import _signals
from motifnet._signals import StopRequested, request_stop, stop_on_signals
from motifnet.errors import MotifnetError, ParamError
from motifnet.motifs import _modisco_process
from motifnet.motifs._modisco_process import find_patterns_stoppable, load_patterns, save_patterns
from motifnet.motifs.modisco import ModiscoConfig, Pattern, Seqlet

# A child that forks a worker of its own (as modisco-lite does), prints both pids and waits.
SLEEPER = ("import os, sys, time\n"
           "child = os.fork()\n"
           "if child: print(os.getpid(), child, file=sys.stderr, flush=True)\n"
           "time.sleep(120)\n")


def arrays(tmp_path, n=6, length=50):
    rng = np.random.default_rng(0)
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(n, length))]
    paths = tmp_path / "one_hot.npy", tmp_path / "hypothetical.npy"
    np.save(paths[0], one_hot)
    np.save(paths[1], rng.normal(size=one_hot.shape).astype(np.float32))
    return paths


class Children(list):
    """The child processes started; ``code``, when set, is run instead of TF-MoDISco."""

    code = None


@pytest.fixture
def children(monkeypatch):
    started = Children()
    real_start, real_command = _modisco_process._start_child, _modisco_process._child_command

    def start(command, messages):
        process = real_start(command, messages)
        started.append(process)
        return process

    def command(*args):
        return [sys.executable, "-c", started.code] if started.code is not None else real_command(*args)

    monkeypatch.setattr(_modisco_process, "_start_child", start)
    monkeypatch.setattr(_modisco_process, "_child_command", command)
    return started


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s")
        time.sleep(0.02)


def pids_of_sleeper(path):
    """The two pids the sleeper writes to its messages file (leader, worker)."""
    found = []

    def written():
        for log in path.glob(".patterns.*.log"):
            words = log.read_text().split()
            if len(words) == 2:
                found[:] = [int(word) for word in words]
                return True
        return False

    wait_until(written)
    return found


def hidden_files(folder):
    return sorted(path.name for path in folder.glob(".patterns.*"))


def in_thread(function):
    """Start ``function`` in a thread; the list returned receives its outcome (value or exception)."""
    outcome = []

    def run():
        try:
            outcome.append(function())
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_patterns_survive_the_round_trip_through_npz(tmp_path):
    rng = np.random.default_rng(1)
    patterns = [Pattern(1, 0, rng.normal(size=(7, 4)), rng.normal(size=(7, 4)), rng.dirichlet(np.ones(4), 7), (1, 6),
                        [Seqlet(3, 10, 15, "+", 1.25), Seqlet(0, 2, 7, "-", -0.5)]),
                Pattern(-1, 2, rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.dirichlet(np.ones(4), 5), (0, 5),
                        [])]
    save_patterns(tmp_path / "p.npz", patterns)
    back = load_patterns(tmp_path / "p.npz")
    assert len(back) == 2
    for original, loaded in zip(patterns, back):
        assert (loaded.sign, loaded.index, loaded.core, loaded.seqlets) == \
            (original.sign, original.index, original.core, original.seqlets)
        for name in ("cwm", "hypothetical_cwm", "pfm"):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(original, name))


def test_a_stop_request_ends_the_child_and_its_workers_and_leaves_no_files(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    children.code = SLEEPER
    with stop_on_signals():
        thread, outcome = in_thread(lambda: find_patterns_stoppable(one_hot, hypothetical))
        leader, worker = pids_of_sleeper(tmp_path)
        request_stop()  # as the first SIGINT does
        thread.join(timeout=60)
    assert isinstance(outcome[0], StopRequested)
    (child,) = children
    assert child.returncode == -signal.SIGTERM  # asked first, it went
    wait_until(lambda: not alive(worker))  # killed with its group
    assert not alive(leader)
    assert hidden_files(tmp_path) == []


def test_no_child_starts_once_a_stop_was_asked(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    with stop_on_signals():
        request_stop()
        with pytest.raises(StopRequested):
            find_patterns_stoppable(one_hot, hypothetical)
    assert children == [] and hidden_files(tmp_path) == []


def test_a_signal_that_also_ends_the_child_is_a_stop_not_a_failure(tmp_path, children):
    # A batch system signals every process of the job: here the child signals this process, then itself.
    one_hot, hypothetical = arrays(tmp_path)
    children.code = "import os, signal; os.kill(os.getppid(), signal.SIGTERM); os.kill(os.getpid(), signal.SIGTERM)"
    with stop_on_signals():
        with pytest.raises(StopRequested):
            find_patterns_stoppable(one_hot, hypothetical)
    assert children[0].returncode == -signal.SIGTERM and hidden_files(tmp_path) == []


def test_a_second_signal_ends_the_child_group_and_removes_its_files_first(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    children.code = SLEEPER
    thread, outcome = in_thread(lambda: find_patterns_stoppable(one_hot, hypothetical))
    leader, worker = pids_of_sleeper(tmp_path)
    assert alive(leader) and alive(worker) and _signals._at_once
    _signals.run_at_once_cleanups()  # what the second signal's handler does before os._exit
    wait_until(lambda: not alive(leader) and not alive(worker))
    assert hidden_files(tmp_path) == []
    thread.join(timeout=60)
    assert isinstance(outcome[0], MotifnetError)
    assert str(outcome[0]) == "TF-MoDISco's process was killed by SIGKILL: out of memory? try a smaller --max-seqlets"


# The motifnet process: starts a child as find_patterns_stoppable does, which forks a worker as modisco does.
KILLED_OUTRIGHT = """
import os, subprocess, sys, time
child_code = (
    "import os, sys, time\\n"
    "from motifnet.motifs._modisco_process import _die_with_parent\\n"
    "_die_with_parent(int(sys.argv[1]))\\n"
    "worker = os.fork()\\n"
    "if worker: print(os.getpid(), worker, flush=True)\\n"
    "time.sleep(120)\\n")
subprocess.Popen([sys.executable, "-c", child_code, str(os.getpid())], start_new_session=True)
time.sleep(120)
"""


def test_workers_end_with_the_child_when_motifnet_is_killed_outright():
    motifnet = subprocess.Popen([sys.executable, "-c", KILLED_OUTRIGHT], stdout=subprocess.PIPE, text=True)
    try:
        leader, worker = (int(word) for word in motifnet.stdout.readline().split())
        assert alive(leader) and alive(worker)
        motifnet.kill()
        motifnet.wait(timeout=30)
        wait_until(lambda: not alive(leader) and not alive(worker))
    finally:
        motifnet.kill()


def test_a_worker_whose_parent_died_before_it_could_ask_to_die_with_it_ends():
    # The worker is slow to start (a hook of its own, run before motifnet's, sleeps): the child and motifnet
    # are gone by the time it asks to die with its parent, so it must see that and end.
    slow = KILLED_OUTRIGHT.replace('"import os, sys, time\\n"',
                                   '"import os, sys, time\\n"\n    "os.register_at_fork(after_in_child=lambda: '
                                   'time.sleep(2))\\n"')
    assert slow != KILLED_OUTRIGHT
    motifnet = subprocess.Popen([sys.executable, "-c", slow], stdout=subprocess.PIPE, text=True)
    try:
        leader, worker = (int(word) for word in motifnet.stdout.readline().split())
        motifnet.kill()
        motifnet.wait(timeout=30)
        wait_until(lambda: not alive(leader) and not alive(worker))
    finally:
        motifnet.kill()


def test_a_failing_child_is_one_motifnet_error_with_its_last_line(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    children.code = "import sys; print('noise', file=sys.stderr); print('ValueError: broken', file=sys.stderr); " \
                       "sys.exit(1)"
    with pytest.raises(MotifnetError, match=r"TF-MoDISco failed \(exit status 1\): ValueError: broken$"):
        find_patterns_stoppable(one_hot, hypothetical)
    assert hidden_files(tmp_path) == []


def test_a_child_that_fails_without_a_word_on_a_full_disk_is_put_down_to_the_disk(tmp_path, children, monkeypatch):
    """On a full disk the child's messages could not be written either: the error said '(killed?)'."""
    import collections

    import motifnet.motifs._modisco_process as process

    one_hot, hypothetical = arrays(tmp_path)
    children.code = "import sys; sys.exit(1)"
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(process.shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(MotifnetError, match=r"TF-MoDISco failed \(exit status 1\): no message: the disk of .* is full "
                                            r"\(1,000 bytes free\), where it writes$"):
        find_patterns_stoppable(one_hot, hypothetical)
    monkeypatch.setattr(process.shutil, "disk_usage", lambda path: usage(10**9, 0, 10**9))
    with pytest.raises(MotifnetError, match=r"TF-MoDISco failed \(exit status 1\): no message \(killed\?\)$"):
        find_patterns_stoppable(one_hot, hypothetical)


def test_a_long_tf_modisco_says_it_still_runs_at_growing_intervals(tmp_path, children, monkeypatch):
    """It said nothing for 12 minutes (1,300 records of pum2 on 2 cores): a user took the job for hung."""
    import re

    monkeypatch.setattr(_modisco_process, "_STILL_RUNNING_SECONDS", 0.3)
    done = tmp_path / "third line said"
    lines, moments, info = [], [], _modisco_process.log.info

    def noting(message, *args):
        info(message, *args)
        lines.append(message % args)
        moments.append(time.monotonic())
        if len(lines) == 3:
            done.write_text("")

    monkeypatch.setattr(_modisco_process.log, "info", noting)
    one_hot, hypothetical = arrays(tmp_path)
    # the child ends once the third line is said (the fourth would come 1.2 s after it)
    children.code = f"import os, sys, time\nwhile not os.path.exists({str(done)!r}): time.sleep(0.02)\nsys.exit(1)"
    began = time.monotonic()
    with pytest.raises(MotifnetError):
        find_patterns_stoppable(one_hot, hypothetical)
    assert len(lines) >= 3, lines  # a fourth, 2.4 s in, where the machine is slow to end the child
    pattern = r"TF-MoDISco still running \(\d+ s so far; it reports when it ends\)"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert all(moment - began >= least for moment, least in zip(moments, (0.3, 0.6, 1.2, 2.4)))  # doubling intervals
    from motifnet._progress import duration

    assert duration(59) == "59 s" and duration(754) == "12 min" and duration(3840) == "1 h 4 min"


def test_inputs_are_checked_before_a_child_starts(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path, length=30)
    with pytest.raises(ParamError, match="shorter than a seqlet"):
        find_patterns_stoppable(one_hot, hypothetical, ModiscoConfig())
    assert children == []


def test_the_child_runs_tf_modisco_and_returns_its_patterns(tmp_path, children):
    # No seqlets pass in random scores of a few short records: an empty list, through the real child.
    one_hot, hypothetical = arrays(tmp_path, n=4, length=45)
    patterns = find_patterns_stoppable(one_hot, hypothetical, ModiscoConfig(window=5, flank=2, min_metacluster=1000))
    assert patterns == [] and len(children) == 1 and children[0].returncode == 0
    assert hidden_files(tmp_path) == []
