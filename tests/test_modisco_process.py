"""motifnet.motifs._modisco_process: TF-MoDISco in a child process that a stop request ends with its workers."""

import os
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


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_pids(path, timeout=30):
    """The two pids the sleeper writes to its messages file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log in path.glob(".patterns.*.log"):
            words = log.read_text().split()
            if len(words) == 2:
                return [int(word) for word in words]
        time.sleep(0.05)
    raise AssertionError("the child did not start")


def hidden_files(folder):
    return sorted(path.name for path in folder.glob(".patterns.*"))


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
        request_stop()
        with pytest.raises(StopRequested):
            find_patterns_stoppable(one_hot, hypothetical)
    (child,) = children
    assert child.returncode is not None  # reaped
    deadline = time.monotonic() + 10
    while group_alive(child.pid) and time.monotonic() < deadline:  # the worker is reaped by init
        time.sleep(0.05)
    assert not group_alive(child.pid)
    assert hidden_files(tmp_path) == []


def test_a_second_signal_ends_the_child_group_and_removes_its_files_first(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    children.code = SLEEPER
    outcome = []

    def run():
        try:
            find_patterns_stoppable(one_hot, hypothetical)
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    leader, worker = wait_for_pids(tmp_path)
    assert group_alive(leader)
    _signals.run_at_once_cleanups()  # what the second signal's handler does before os._exit
    deadline = time.monotonic() + 10
    while group_alive(leader) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(leader)
    assert not os.path.exists(f"/proc/{worker}") or "Z" in open(f"/proc/{worker}/stat").read().split()[2]
    thread.join(timeout=30)
    assert isinstance(outcome[0], MotifnetError)
    assert str(outcome[0]) == "TF-MoDISco's process was killed by SIGKILL: out of memory? try a smaller --max-seqlets"
    assert hidden_files(tmp_path) == []


def test_a_failing_child_is_one_motifnet_error_with_its_last_line(tmp_path, children):
    one_hot, hypothetical = arrays(tmp_path)
    children.code = "import sys; print('noise', file=sys.stderr); print('ValueError: broken', file=sys.stderr); " \
                       "sys.exit(1)"
    with pytest.raises(MotifnetError, match=r"TF-MoDISco failed \(exit status 1\): ValueError: broken$"):
        find_patterns_stoppable(one_hot, hypothetical)
    assert hidden_files(tmp_path) == []


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
