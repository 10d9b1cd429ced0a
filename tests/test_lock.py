"""motifnet.run.lock: one process at a time writes into a run folder; a dead holder's lock is taken over."""

import json
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from helpers import copy_run, dead_pid

from motifnet.errors import MotifnetError, ParamError, RunDirError
from motifnet.run.info import describe_run
from motifnet.run.lock import LOCK, acquire, live_holder, locked, read_holder
from motifnet.run.rundir import open_run


def write_lock(run_dir, pid, host=None, started=None, command="train"):
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / LOCK).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                            "started": time.time() if started is None else started,
                                            "command": command}))


def test_a_second_lock_of_the_same_folder_is_refused_naming_the_holder(tmp_path):
    run_dir = tmp_path / "run"
    with acquire(run_dir, "train"):
        holder = read_holder(run_dir)
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        assert holder["command"] == "train"
        with pytest.raises(RunDirError, match=rf"in use by motifnet train \(pid {os.getpid()} on "
                                              rf"{socket.gethostname()}, since "):
            acquire(run_dir, "train")
        assert read_holder(run_dir) == holder  # the refused attempt left the holder's lock as it was
    assert not (run_dir / LOCK).exists()
    with acquire(run_dir, "train"):  # released: free again
        pass


def test_a_lock_of_a_dead_process_is_stale_and_taken_over_with_a_message(tmp_path, caplog):
    run_dir = tmp_path / "run"
    pid = dead_pid()
    write_lock(run_dir, pid)
    assert live_holder(run_dir) is None
    with caplog.at_level(logging.WARNING, logger="motifnet"), acquire(run_dir, "train"):
        assert read_holder(run_dir)["pid"] == os.getpid()
    assert f"pid {pid} on {socket.gethostname()}" in caplog.text and "stale" in caplog.text
    assert not (run_dir / LOCK).exists()


def test_a_live_pid_started_after_the_lock_was_written_is_a_reused_pid(tmp_path):
    run_dir = tmp_path / "run"
    write_lock(run_dir, os.getpid(), started=1.0)  # this process is alive, but started long after 1970
    with acquire(run_dir, "train"):
        assert read_holder(run_dir)["started"] > 1.0


def test_a_lock_of_another_host_is_refused_with_the_advice_to_remove_it(tmp_path):
    run_dir = tmp_path / "run"
    write_lock(run_dir, 12345, host="node-17.cluster")
    with pytest.raises(RunDirError, match=r"locked by motifnet train \(pid 12345 on node-17.cluster.*; "
                                          r"if that job is gone, remove .*\.motifnet\.lock and run again"):
        acquire(run_dir, "train")
    assert read_holder(run_dir)["host"] == "node-17.cluster"


def test_a_requeued_batch_job_takes_over_the_lock_of_its_earlier_run_on_another_host(tmp_path, monkeypatch):
    # SLURM requeues a job (node failure, preemption) under its id, maybe on another node, one restart later.
    run_dir = tmp_path / "run"
    write_lock(run_dir, 12345, host="node-17.cluster")
    holder = json.loads((run_dir / LOCK).read_text())
    (run_dir / LOCK).write_text(json.dumps({**holder, "job": {"id": "8812", "restart": 0}}))
    monkeypatch.setenv("SLURM_JOB_ID", "8812")
    monkeypatch.setenv("SLURM_RESTART_COUNT", "0")
    with pytest.raises(RunDirError, match="cannot be checked from this host"):  # the same run of the job: alive
        acquire(run_dir, "train")
    monkeypatch.setenv("SLURM_RESTART_COUNT", "1")
    with acquire(run_dir, "train"):
        assert read_holder(run_dir)["job"] == {"id": "8812", "restart": 1}
    monkeypatch.setenv("SLURM_JOB_ID", "9000")  # another job's lock of another host stays refused
    write_lock(run_dir, 12345, host="node-17.cluster")
    with pytest.raises(RunDirError, match="cannot be checked from this host"):
        acquire(run_dir, "train")


def test_the_lock_is_released_after_an_exception(tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(ValueError), locked(run_dir, "train"):
        raise ValueError("boom")
    assert not run_dir.exists()  # made for the lock alone, and empty: removed with it
    run_dir.mkdir()
    with pytest.raises(KeyboardInterrupt), locked(run_dir, "train"):
        raise KeyboardInterrupt
    assert run_dir.is_dir() and not (run_dir / LOCK).exists()


def test_a_refused_command_leaves_none_of_the_parents_it_made(tmp_path):
    (tmp_path / "runs").mkdir()
    run_dir = tmp_path / "runs" / "2026" / "dna"
    with pytest.raises(ValueError), locked(run_dir, "train"):
        raise ValueError("boom")
    assert list((tmp_path / "runs").iterdir()) == []  # runs/2026 was made for the lock, and is empty: removed
    with locked(run_dir, "train"):
        (run_dir / "model.keras").write_text("")
    assert (run_dir / "model.keras").exists()  # a folder that holds a file stays, and so do its parents


def test_train_releases_the_lock_when_it_fails(tmp_path, dna_files):
    from motifnet.data.dataset import load_dataset
    from motifnet.data.options import DataOptions
    from motifnet.run.training import TrainConfig, train

    dataset = load_dataset(DataOptions(tuple(map(str, dna_files))))
    run_dir = tmp_path / "run"
    with pytest.raises(ParamError):
        train(dataset, TrainConfig(str(run_dir), params={"no_such_parameter": 1}))
    assert not run_dir.exists()
    run_dir.mkdir()
    with pytest.raises(MotifnetError):
        train(dataset, TrainConfig(str(run_dir), params={"no_such_parameter": 1}))
    assert list(run_dir.iterdir()) == []


def test_info_shows_a_running_run_without_a_live_lock_as_interrupted(trained_run, tmp_path):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    meta = json.loads((run_dir / "motifnet.json").read_text())
    meta["training"]["status"] = "running"
    (run_dir / "motifnet.json").write_text(json.dumps(meta))
    assert "\ntraining: interrupted (no live process holds the run), best epoch" in describe_run(open_run(run_dir))
    write_lock(run_dir, dead_pid())
    assert open_run(run_dir).status == "interrupted"
    (run_dir / LOCK).unlink()
    with acquire(run_dir, "train"):
        assert open_run(run_dir).status == "running"
        assert "\ntraining: running, best epoch" in describe_run(open_run(run_dir))


def test_a_lock_held_by_another_process_is_refused_until_it_is_killed_then_taken_over(tmp_path, caplog):
    import signal

    run_dir = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from motifnet.run.lock import acquire; "
                               f"lock = acquire({str(run_dir)!r}, 'train'); print('held', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunDirError, match=rf"in use by motifnet train \(pid {holder.pid} on "):
            acquire(run_dir, "train")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert read_holder(run_dir)["pid"] == holder.pid  # a killed holder cannot remove its lock
    with caplog.at_level(logging.WARNING, logger="motifnet"), acquire(run_dir, "train"):
        assert read_holder(run_dir)["pid"] == os.getpid()
    assert f"pid {holder.pid}" in caplog.text and "stale" in caplog.text
