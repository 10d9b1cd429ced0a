"""motifnet._parallel: ordered results with one or two worker processes, errors that reach the caller."""

import os
import time
from pathlib import Path

import pytest

from motifnet._parallel import WorkerDied, available_cores, ordered_map


# Module-level so that spawned workers can import them by name.
def slow_first(item):
    """Earlier items take longer, so results finishing first would come out in the wrong order."""
    time.sleep(0.05 * (3 - item))
    return item * item, os.getpid()


def refuse_two(item):
    if item == 2:
        raise ValueError(f"item {item} refused")
    return item


def die_on_one(item):
    if item == 1:
        os._exit(3)  # as a worker killed by the kernel's out-of-memory killer would end
    return item


def test_a_worker_that_dies_fails_the_work_instead_of_hanging():
    # multiprocessing.Pool waited forever for the lost result (this test hung before).
    with pytest.raises(WorkerDied, match="a worker process died"):
        list(ordered_map(die_on_one, [0, 1, 2, 3], 2))


def die_when_told(item):
    """Item 1 dies once ``folder/go`` exists (after the caller received item 0); the others return."""
    from pathlib import Path

    folder, number = item
    if number == 1:
        deadline = time.monotonic() + 300  # a wait for the caller, not a timing
        while not (Path(folder) / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os._exit(3)
    return number


def terminated_in_task(item):
    """Item 0 gets SIGTERM inside its task, as a worker does when the signal is sent to the process group."""
    import signal

    if item == 0:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)  # the signal's handler ends the task before this ends
    return item


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (gone, or a zombie not yet reaped by whichever thread waits for it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:  # gone: before the file was opened (FileNotFoundError) or while it was read (ESRCH)
        return True


def test_workers_end_when_their_parent_is_killed_outright(tmp_path):
    """fold killed by SIGKILL left its workers running for good, blocked sending results to no one and ignoring
    SIGTERM; only kill -9 ended them."""
    import signal
    import subprocess
    import sys

    code = ("import sys, time\n"
            "from motifnet._parallel import _run_item, process_pool\n"
            "with process_pool(2) as pool:\n"
            "    busy = [pool.submit(time.sleep, 600), pool.submit(_run_item, time.sleep, 600)]\n"
            "    while len(pool._processes) < 2:\n"
            "        time.sleep(0.05)\n"
            "    print(*pool._processes, flush=True)\n"
            "    time.sleep(600)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in child.stdout.readline().split()]
        assert len(workers) == 2 and not any(_ended(pid) for pid in workers)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 120  # a wait, not a timing: each worker looks for its parent every second
    while not all(_ended(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_ended(pid) for pid in workers)


def test_a_second_signal_kills_the_workers_before_the_process_ends():
    """A second signal ended the parent at once; its workers (ignoring SIGINT, blocked writing a result nobody
    would read) lived on as orphans until kill -9."""
    from motifnet import _signals
    from motifnet._parallel import _run_item, process_pool
    from motifnet._signals import run_at_once_cleanups

    with pytest.raises(WorkerDied):
        with process_pool(2) as pool:
            busy = [pool.submit(_run_item, time.sleep, 600) for _ in range(2)]
            pids = list(pool._processes)
            assert pids
            run_at_once_cleanups()  # what the second signal's handler does before os._exit
            deadline = time.monotonic() + 60  # a wait for the kill, not a timing: the workers sleep 600 s
            while not all(map(_ended, pids)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert all(map(_ended, pids))
            busy[0].result()
    assert not _signals._at_once  # the pool has ended: nothing of it is left to clean up


def test_a_second_signal_leaves_no_half_written_file_of_a_worker(tmp_path, monkeypatch):
    """The workers were killed outright (SIGKILL), so a worker inside atomic_path left its '.partial' file."""
    from motifnet import _parallel
    from motifnet._parallel import _run_item, process_pool
    from motifnet._signals import run_at_once_cleanups

    monkeypatch.setattr(_parallel, "WORKER_UNWIND_SECONDS", 5.0)  # room for a loaded machine: the whole wait
    # The worker unwinds (its SystemExit comes back as the task's result); killed before, the pool is broken.
    with pytest.raises((SystemExit, WorkerDied)):
        with process_pool(2) as pool:
            writing = pool.submit(_run_item, write_slowly, (str(tmp_path), 1))
            pids = list(pool._processes)
            deadline = time.monotonic() + 300  # a wait, not a timing: the worker is inside its write
            while not list(tmp_path.glob(".file_1.*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert list(tmp_path.glob(".file_1.*")), "the worker never started writing"
            run_at_once_cleanups()  # what the second signal's handler does before os._exit
            deadline = time.monotonic() + 60
            while not all(map(_ended, pids)) and time.monotonic() < deadline:
                time.sleep(0.05)
            writing.result()
    assert list(tmp_path.iterdir()) == []


def sleep_ignoring_sigterm(seconds):
    """A task stuck where SIGTERM does not reach Python (a long C call), as far as the parent can tell."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(seconds)


def test_a_second_signal_while_the_workers_are_given_time_to_end_ends_them(monkeypatch):
    """After the first stop the pool gives its workers up to 10 s to end; a second signal then ended the parent
    alone, as the pool's clean-up was no longer registered (and the executor no longer listed its workers)."""
    from concurrent.futures import ProcessPoolExecutor

    from motifnet._parallel import _run_item, process_pool
    from motifnet._signals import run_at_once_cleanups

    ended = []
    shutdown = ProcessPoolExecutor.shutdown

    def signalled_again(executor, *args, **kwargs):  # the second signal, as the workers are being ended
        shutdown(executor, *args, **kwargs)
        run_at_once_cleanups()
        deadline = time.monotonic() + 60  # a wait for the kill, not a timing: the worker sleeps 600 s
        while not all(map(_ended, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        ended.append(all(map(_ended, pids)))

    with pytest.raises(KeyboardInterrupt):
        with process_pool(1) as pool:
            pool.submit(_run_item, sleep_ignoring_sigterm, 600)
            pids = list(pool._processes)
            time.sleep(0.5)  # not a timing: the task may or may not have started; both must end
            monkeypatch.setattr(ProcessPoolExecutor, "shutdown", signalled_again)
            raise KeyboardInterrupt
    assert ended == [True]


def test_a_third_signal_during_the_clean_ups_is_ignored(tmp_path):
    """The clean-ups of a second signal take up to a second (workers are given time to remove their files); a
    third signal then ran the handler again, which ended the process before them."""
    import subprocess
    import sys

    marker = tmp_path / "cleaned"
    code = f"""
import os, signal, time
from motifnet._signals import cleanup_if_ended, stop_on_signals

def slow_cleanup():
    os.kill(os.getpid(), signal.SIGTERM)  # the third signal, while this clean-up runs
    time.sleep(0.2)
    open({str(marker)!r}, "w").close()

with stop_on_signals(), cleanup_if_ended(slow_cleanup):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(1)  # a second signal, not the first sent twice (SAME_SIGNAL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 + 15 and marker.exists(), done.stderr


def test_a_worker_dying_of_the_signal_that_stops_the_work_is_a_stop(tmp_path):
    # Ctrl-C reaches every process of the group; a worker still starting dies of it. That is the stop the user
    # asked for, not a worker lost to the out-of-memory killer (the message blamed memory before).
    from motifnet._signals import StopRequested, request_stop, stop_on_signals

    received = []
    with stop_on_signals(), pytest.raises(StopRequested):
        for number in ordered_map(die_when_told, [(str(tmp_path), number) for number in range(4)], 2):
            received.append(number)
            request_stop()  # as the signal's handler does in this process
            (tmp_path / "go").touch()
    assert received == [0]


@pytest.mark.parametrize("parent_signalled", [True, False])
def test_a_worker_ended_by_sigterm_inside_its_task_is_the_stop_or_a_worker_died(parent_signalled):
    """SIGTERM sent to the process group while visualize-kernels drew figures ended it with status 143 and no
    message: the pool sent the worker's SystemExit back, and it was raised in this process."""
    from motifnet._signals import StopRequested, request_stop, stop_on_signals

    with stop_on_signals():
        if parent_signalled:
            request_stop()  # what the group's signal does here, by its handler
        expected = StopRequested if parent_signalled else WorkerDied
        with pytest.raises(expected) as raised:
            list(ordered_map(terminated_in_task, [0, 1, 2], 2))
    if not parent_signalled:
        assert str(raised.value) == "a worker process was ended by a signal (SIGTERM) sent to it alone"


def test_one_job_keeps_the_order_in_this_process():
    results = list(ordered_map(slow_first, [0, 1, 2, 3], jobs=1))
    assert [square for square, _ in results] == [0, 1, 4, 9]
    assert {pid for _, pid in results} == {os.getpid()}


def test_two_jobs_keep_the_order_and_work_in_other_processes():
    results = list(ordered_map(slow_first, [0, 1, 2, 3], jobs=2))
    assert [square for square, _ in results] == [0, 1, 4, 9]
    assert os.getpid() not in {pid for _, pid in results}
    with pytest.raises(ValueError, match="item 2 refused"):
        list(ordered_map(refuse_two, [1, 2, 3], jobs=2))


def test_a_single_item_is_not_sent_to_a_worker():
    assert list(ordered_map(slow_first, [3], jobs=4)) == [(9, os.getpid())]
    assert list(ordered_map(slow_first, [], jobs=4)) == []


def test_available_cores_is_between_one_and_the_machine():
    assert 1 <= available_cores() <= (os.cpu_count() or 1)


def test_a_pool_starts_no_more_processes_than_the_cores():
    from motifnet._parallel import process_pool

    with process_pool(500) as pool:
        assert pool._max_workers == available_cores()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_signal_stops_between_results(jobs):
    # How fold and visualize-kernels stop: the results so far are kept, no further one is taken.
    import signal

    from motifnet._signals import StopRequested, stop_on_signals

    received = []
    with stop_on_signals(), pytest.raises(StopRequested):
        for square, _ in ordered_map(slow_first, [0, 1, 2, 3], jobs):
            received.append(square)
            signal.raise_signal(signal.SIGTERM)
    assert received == [0]


def write_slowly(item):
    """Write ``folder/file_N`` through atomic_path; every item but the first stays inside the write for long."""
    from pathlib import Path

    from motifnet._io import atomic_path

    folder, number = item
    with atomic_path(Path(folder) / f"file_{number}") as temporary:
        temporary.write_text("half")
        if number:
            time.sleep(600)
        temporary.write_text("whole")
    return number


def test_stopping_leaves_no_half_written_file_of_a_worker(tmp_path):
    # visualize-kernels stopped by Ctrl-C while its workers drew figures kept 0-byte '.partial' files: the
    # workers were terminated by SIGTERM, which ended them before atomic_path could remove its file.
    items = [(str(tmp_path), number) for number in range(3)]
    results = ordered_map(write_slowly, items, jobs=2)
    with pytest.raises(KeyboardInterrupt):
        for number in results:
            assert number == 0
            deadline = time.monotonic() + 300  # a wait, not a timing: the next worker is inside its write
            while not list(tmp_path.glob(".file_1.*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert list(tmp_path.glob(".file_1.*")), "the second item never started writing"
            raise KeyboardInterrupt  # as a stop between results raises it (StopRequested is one)
    results.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file_0"]
    assert (tmp_path / "file_0").read_text() == "whole"


def test_a_worker_asked_to_end_starts_no_more_work():
    # The pool swallows a SystemExit raised while a worker sends back a result: that worker then took the
    # next item and began writing it, and was killed 10 s later with its '.partial' file left behind.
    import subprocess
    import sys

    code = ("from motifnet import _parallel\n"
            "_parallel._terminating = True\n"
            "_parallel._run_item(print, 'started')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 143 and done.stdout == ""


def test_a_pool_that_ends_with_idle_workers_prints_nothing():
    # visualize-kernels printed 'Process SpawnProcess-1: ... EOFError: Ran out of input' in about 2 runs in 7:
    # zip() left ordered_map inside its pool after the last figure, and closing it there terminated the idle
    # workers; one ended after reading a message's length from the shared queue but not its body, and the
    # next worker read that body as a length. The race is rare per pool, so the pool runs many times.
    import subprocess
    import sys

    code = ("import time\n"
            "from motifnet._parallel import ordered_map, process_pool\n"
            "items = [0.05, 0.05]\n"
            "for _ in range(12):\n"
            "    assert [result for _, result in zip(items, ordered_map(time.sleep, items, 2))] == [None, None]\n"
            "    try:\n"
            "        with process_pool(2) as pool:\n"
            "            assert list(pool.map(time.sleep, items)) == [None, None]\n"
            "            raise LookupError('an error once every task is done: the pool stops its idle workers')\n"
            "    except LookupError:\n"
            "        pass\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0
    assert done.stderr == ""


@pytest.mark.parametrize(("in_task", "ends"), [(True, True), (False, False)])
def test_sigterm_ends_a_worker_only_inside_a_task(monkeypatch, in_task, ends):
    # An idle worker may be inside the queue's read: it notes the signal and ends on the pool's end-of-work
    # message instead, and starts no more work.
    import signal

    from motifnet import _parallel

    monkeypatch.setattr(_parallel, "_terminating", False)
    monkeypatch.setattr(_parallel, "_in_task", in_task)
    if ends:
        with pytest.raises(SystemExit) as stopped:
            _parallel._note_or_exit(signal.SIGTERM, None)
        assert stopped.value.code == 128 + signal.SIGTERM
    else:
        _parallel._note_or_exit(signal.SIGTERM, None)
    assert _parallel._terminating
    _parallel._note_or_exit(signal.SIGTERM, None)  # a second one, while the first unwinds: nothing more raised
    with pytest.raises(SystemExit):
        _parallel._run_item(print, "not started")
    assert not _parallel._in_task
