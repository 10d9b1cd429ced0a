"""motifnet._io: atomic writes (all or nothing), their permissions, npz archives without pickle, checksums,
scratch files of killed runs."""

import errno
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import dead_pid, scratch_name

from motifnet._io import (
    atomic_path,
    remove_scratch_files,
    remove_unwritten,
    reserved_memmap,
    sha256,
    write_json,
    write_npz,
    write_text,
)

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="process start times come from /proc")


def test_a_write_that_raises_keeps_the_old_file_and_leaves_no_partial_file(tmp_path):
    target = tmp_path / "table.tsv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(target) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["table.tsv"]


def test_a_write_killed_before_its_rename_leaves_a_file_the_next_write_of_that_file_removes(tmp_path):
    """A kill (SIGKILL, the out-of-memory killer) runs no clean-up: the hidden temporary file stays. Its name holds
    the writer's pid and host, so the next write of the same file removes it once that writer is gone, and only
    it: a live writer's, another host's, another file's and a user's file of a like name stay."""
    from motifnet._io import _host_in_name

    target = tmp_path / "table.tsv"
    host = _host_in_name()
    killed = tmp_path / f".table.tsv.{dead_pid()}@{host}.0a1b2c3d.partial"
    live = tmp_path / f".table.tsv.{os.getpid()}@{host}.4e5f6a7b.partial"
    elsewhere = tmp_path / f".table.tsv.{dead_pid()}@node-7.cluster.0a1b2c3d.partial"
    other_file = tmp_path / f".table.tsv.gz.{dead_pid()}@{host}.0a1b2c3d.partial"
    users = tmp_path / ".table.tsv.notes.partial"
    for path in (killed, live, elsewhere, other_file, users):
        path.write_text("half")
    with atomic_path(target) as tmp:
        assert re.fullmatch(rf"\.table\.tsv\.{os.getpid()}@{re.escape(host)}\.[0-9a-f]{{8}}\.partial", tmp.name)
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"
    assert sorted(tmp_path.iterdir()) == sorted([target, live, elsewhere, other_file, users])
    keras = tmp_path / f".model.keras.{dead_pid()}@{host}.0a1b2c3d.partial.keras"
    keras.write_bytes(b"half")
    with atomic_path(tmp_path / "model.keras", suffix=".keras") as tmp:
        tmp.write_bytes(b"model")
    assert not keras.exists()


def test_a_staged_output_given_to_a_writer_that_writes_atomically_is_written_as_it_is(tmp_path):
    """save_figure writes through atomic_path, and staged_outputs hands it a temporary name already: a kill while it
    drew left ``..effects.png.*.partial.png.*.partial.png``, which no later write removed."""
    from motifnet._io import staged_outputs

    target = tmp_path / "effects.png"
    with staged_outputs() as stage:
        staged = stage(target, ".png")
        with atomic_path(staged, suffix=".png") as inner:
            assert inner == staged
            assert [path.name for path in tmp_path.iterdir()] == [staged.name]  # no temporary of the temporary
            inner.write_bytes(b"png")
        assert not target.exists()  # renamed with the others when the block ends
    assert [path.name for path in tmp_path.iterdir()] == ["effects.png"] and target.read_bytes() == b"png"


def test_a_users_file_named_like_a_temporary_one_is_still_written_atomically(tmp_path):
    target = tmp_path / ".out.deadbeef.partial"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp != target
        tmp.write_text("half")
        raise RuntimeError("stopped")
    assert target.read_text() == "old"


def test_a_name_too_long_to_hold_the_writer_is_written_all_the_same(tmp_path):
    target = tmp_path / ("n" * 230 + ".tsv")
    with atomic_path(target) as tmp:
        assert len(tmp.name) <= 255
        tmp.write_text("x\n")
    assert [path.name for path in tmp_path.iterdir()] == [target.name]


def test_a_full_disk_names_the_file_asked_for_not_the_temporary_one(tmp_path):
    import errno

    target = tmp_path / "model.keras"
    with pytest.raises(OSError) as raised:
        with atomic_path(target, suffix=".keras") as tmp:
            tmp.write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))  # as a writer of tmp says it
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError) as raised, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")  # a write() names no file
    assert raised.value.filename == str(target)
    with pytest.raises(FileNotFoundError) as raised, atomic_path(target):
        open(tmp_path / "input.fa")  # another file's error is left as it is
    assert raised.value.filename == str(tmp_path / "input.fa")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full")
def test_a_full_device_written_directly_is_named():
    """-o /dev/full (a device is written to directly, not through a temporary file) said only 'No space left on
    device'."""
    import errno

    with pytest.raises(OSError) as raised:
        with atomic_path("/dev/full") as path, open(path, "w") as handle:
            handle.write("x")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == "/dev/full"


def test_a_full_disk_while_writing_an_archive_names_it(tmp_path, monkeypatch):
    import errno

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np.lib.format, "write_array", full_disk)
    with pytest.raises(OSError, match="No space left on device") as raised:
        write_npz(tmp_path / "data.npz", {"x": np.zeros(3)})
    assert raised.value.filename == str(tmp_path / "data.npz") and list(tmp_path.iterdir()) == []


def test_an_interrupted_first_write_leaves_nothing(tmp_path):
    target = tmp_path / "new" / "model.keras"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target, suffix=".keras") as tmp:
            assert tmp.parent == target.parent and tmp.name.endswith(".partial.keras")
            tmp.write_bytes(b"partial")
            raise KeyboardInterrupt
    assert list((tmp_path / "new").iterdir()) == []


def test_a_second_signal_removes_the_temporary_file_before_the_process_ends(tmp_path):
    """The second signal ends the process at once (os._exit), where no except block runs: the '.partial' file
    of a write in progress stayed (fold -o, predict -o)."""
    from motifnet._signals import run_at_once_cleanups

    target = tmp_path / "out.tsv"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("half")
        run_at_once_cleanups()  # what the second signal's handler does before os._exit
        assert not tmp.exists()
        tmp.write_text("whole")  # (the process goes on here only because this is a test)
    assert target.read_text() == "whole"
    run_at_once_cleanups()  # once the write is done, nothing of it is left to clean up
    assert [path.name for path in tmp_path.iterdir()] == ["out.tsv"] and target.read_text() == "whole"


def test_a_successful_write_replaces_the_file_and_leaves_only_it(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old")
    write_text(target, "new ünïcode\n")
    assert target.read_bytes() == "new ünïcode\n".encode()
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_json_with_nan_is_refused_before_anything_is_written(tmp_path):
    target = tmp_path / "metrics.json"
    write_json(target, {"roc_auc": 0.5, "classes": ["a", "b"]})
    assert target.read_text() == '{\n  "roc_auc": 0.5,\n  "classes": [\n    "a",\n    "b"\n  ]\n}\n'
    with pytest.raises(ValueError):
        write_json(target, {"roc_auc": float("nan")})
    assert json.loads(target.read_text()) == {"roc_auc": 0.5, "classes": ["a", "b"]}
    assert [path.name for path in tmp_path.iterdir()] == ["metrics.json"]


def test_atomic_writes_get_the_permissions_of_a_plain_write(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic = tmp_path / "atomic.txt"
    write_text(atomic, "x")
    assert oct(atomic.stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)


def test_replacing_a_file_keeps_its_permissions_and_owner_as_a_plain_write_does(tmp_path):
    target = tmp_path / "shared.tsv"
    target.write_text("old")
    target.chmod(0o604)  # no umask gives this to a new file
    if os.geteuid() == 0:  # root may give the file away, and a plain write by root leaves it with its owner
        os.chown(target, 65534, 65534)
    before = target.stat()
    write_text(target, "new")
    after = target.stat()
    assert target.read_text() == "new" and oct(after.st_mode & 0o7777) == oct(0o604)
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_a_named_pipe_is_written_to_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    link = tmp_path / "out.tsv"
    link.symlink_to(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()), daemon=True)
    reader.start()
    write_text(link, "through the pipe\n")
    reader.join(timeout=30)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode) and link.is_symlink()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.tsv", "pipe"]


def test_a_loop_of_links_is_refused_and_left_as_it_is(tmp_path):
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    first.symlink_to(second)
    second.symlink_to(first)
    with pytest.raises(OSError, match="a.tsv") as error:
        write_text(first, "x")
    assert error.value.errno == errno.ELOOP
    assert first.is_symlink() and second.is_symlink()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.tsv", "b.tsv"]


def test_a_write_through_a_symbolic_link_keeps_the_link_and_fills_its_target(tmp_path):
    (tmp_path / "results").mkdir()
    target = tmp_path / "results" / "predictions.tsv"
    target.write_text("old")
    link = tmp_path / "latest.tsv"
    link.symlink_to(target)
    write_text(link, "new")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["latest.tsv", "results"]
    assert [path.name for path in (tmp_path / "results").iterdir()] == ["predictions.tsv"]
    dangling = tmp_path / "dangling.tsv"
    dangling.symlink_to(tmp_path / "results" / "new.tsv")
    write_text(dangling, "x")
    assert dangling.is_symlink() and (tmp_path / "results" / "new.tsv").read_text() == "x"


def test_a_write_through_a_link_into_a_missing_folder_creates_no_folder(tmp_path):
    """A link to missing/sub/zz.tsv made missing/ and missing/sub/ (a link to /nonexistent/zz.tsv made /nonexistent):
    a plain write through such a link fails."""
    from motifnet._validate import check_output_file
    from motifnet.errors import ParamError

    link = tmp_path / "dl.tsv"
    link.symlink_to(tmp_path / "missing" / "sub" / "zz.tsv")
    with pytest.raises(OSError) as error:
        write_text(link, "x")
    assert error.value.errno == errno.ENOENT and error.value.filename == str(link)
    with pytest.raises(ParamError, match="^" + re.escape(
            f"-o: cannot write {link}: it links to {tmp_path / 'missing' / 'sub' / 'zz.tsv'}, whose folder "
            f"{tmp_path / 'missing' / 'sub'} does not exist") + "$"):
        check_output_file(link, "-o")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dl.tsv"]


def test_npz_round_trip_keeps_every_array_exactly(tmp_path):
    arrays = {
        "codes": np.arange(24, dtype=np.uint8).reshape(3, 8),
        "labels": np.eye(3, dtype=np.uint8),
        "targets": np.array([[1.5], [-2.25], [np.inf]], dtype=np.float32),
        "ids": np.array(["a", "ß", "record 3"]),
        "kernel_len": np.array(5),
        "empty": np.zeros((0, 4), dtype=np.float64),
    }
    path = tmp_path / "data.npz"
    write_npz(path, arrays)
    with np.load(path, allow_pickle=False) as loaded:
        assert sorted(loaded.files) == sorted(arrays)
        for name, value in arrays.items():
            assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape, name
            np.testing.assert_array_equal(loaded[name], value)


def test_npz_compression_level_changes_the_size_not_the_content(tmp_path):
    codes = np.tile(np.arange(4, dtype=np.uint8), 5000)
    write_npz(tmp_path / "stored.npz", {"codes": codes}, compresslevel=0)
    write_npz(tmp_path / "deflated.npz", {"codes": codes}, compresslevel=9)
    assert (tmp_path / "deflated.npz").stat().st_size < (tmp_path / "stored.npz").stat().st_size / 10
    for name in ("stored.npz", "deflated.npz"):
        with np.load(tmp_path / name) as loaded:
            np.testing.assert_array_equal(loaded["codes"], codes)


def test_npz_refuses_python_objects_and_leaves_no_file(tmp_path):
    path = tmp_path / "data.npz"
    with pytest.raises(ValueError):
        write_npz(path, {"ok": np.zeros(2), "objects": np.array([1, None], dtype=object)})
    assert list(tmp_path.iterdir()) == []


def test_sha256_of_a_file_longer_than_one_read_block(tmp_path):
    data = bytes(range(256)) * 4097  # just over 1 MiB: two blocks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256(tmp_path / "empty") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_stop_signal_while_the_temporary_file_is_created_leaves_no_file(tmp_path, monkeypatch):
    # A worker stopped by SIGTERM (its handler raises SystemExit) just as it created its temporary file kept
    # the file: the stop came before the block that removes it.
    import os
    import signal

    real = os.open

    def created_then_signalled(*args, **kwargs):
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return made

    def stop(signum, frame):
        raise SystemExit(1)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(SystemExit):
            monkeypatch.setattr(os, "open", created_then_signalled)
            with atomic_path(tmp_path / "out.txt") as temporary:
                temporary.write_text("never")
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def test_remove_unwritten_deletes_only_the_named_files_not_written_again(tmp_path):
    for name in ("old.png", "kept.png", "mine.txt"):
        (tmp_path / name).write_text(name)
    (tmp_path / "folder.png").mkdir()
    removed = remove_unwritten(tmp_path, ["old.png", "kept.png", "folder.png", "gone.png", "old.png"], {"kept.png"})
    assert removed == [tmp_path / "old.png"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["folder.png", "kept.png", "mine.txt"]


def test_a_memory_mapped_scratch_array_has_its_blocks_before_it_is_filled(tmp_path):
    """Sparse, a full disk ended attribute and motifs with SIGBUS (exit 135) at some page, with no message."""
    path = tmp_path / "scratch.npy"
    array = reserved_memmap(path, (50, 40, 4))
    if hasattr(os, "posix_fallocate"):
        assert os.stat(path).st_blocks * 512 >= os.path.getsize(path)
    array[:] = 1.5
    array.flush()
    assert np.load(path).shape == (50, 40, 4) and np.all(np.load(path) == 1.5)


def test_no_space_for_a_scratch_array_names_its_file(tmp_path, monkeypatch):
    def full(descriptor, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full, raising=False)
    with pytest.raises(OSError) as raised:
        reserved_memmap(tmp_path / "scratch.npy", (10, 4))
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(tmp_path / "scratch.npy")


def test_without_posix_fallocate_the_scratch_array_is_written_out_as_zeros(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "posix_fallocate", raising=False)
    path = tmp_path / "scratch.npy"
    array = reserved_memmap(path, (3000, 100))  # 1.2 MB: more than one block of the loop
    assert os.stat(path).st_blocks * 512 >= os.path.getsize(path)
    assert array.shape == (3000, 100) and np.all(np.load(path) == 0)


def test_an_output_folder_made_for_a_block_that_fails_is_removed_while_empty(tmp_path):
    from motifnet._io import output_folder

    with pytest.raises(KeyboardInterrupt), output_folder(tmp_path / "a" / "b") as out:
        assert out == tmp_path / "a" / "b" and out.is_dir()
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []  # both folders it made
    with pytest.raises(ValueError), output_folder(tmp_path / "a" / "b") as out:
        (out.parent / "kept.txt").write_text("a file")
        raise ValueError
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["a", "kept.txt"]  # a holds a file: it stays
    with output_folder(tmp_path / "c") as out:
        (out / "result.tsv").write_text("done")
    assert (tmp_path / "c" / "result.tsv").is_file()


def _scratch(folder, pid, written=None, random="k9x_2abc"):
    """A scratch file of attribute made by process ``pid``, last written at ``written`` (now if None)."""
    path = folder / scratch_name("attributions", ".npy", pid, random)
    path.write_bytes(b"\x93NUMPY")
    if written is not None:
        os.utime(path, (written, written))
    return path


@needs_proc
def test_a_scratch_file_whose_pid_a_process_started_after_it_holds_is_removed(tmp_path):
    """PID reuse: a run killed outright left its file, and its pid now belongs to a later process (here a child
    started an hour after the file was last written, and this process, started long after 1970). The file
    was kept for as long as that process lived; now it goes."""
    an_hour_ago = time.time() - 3600
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        reused = _scratch(tmp_path, child.pid, written=an_hour_ago)
        mine_in_1970 = _scratch(tmp_path, os.getpid(), written=86400.0, random="old_1970")
        removed = remove_scratch_files(tmp_path, "attributions")
    finally:
        child.kill()
        child.wait()
    assert sorted(removed) == sorted([reused, mine_in_1970])
    assert list(tmp_path.iterdir()) == []


def test_a_scratch_file_of_this_live_process_written_now_is_kept(tmp_path):
    from motifnet._io import process_start_time

    dead = _scratch(tmp_path, dead_pid(), random="dead_run")
    mine = [_scratch(tmp_path, os.getpid())]
    started = process_start_time(os.getpid())
    if started is not None:  # written at this process's start by a file server whose clock is a minute behind
        mine.append(_scratch(tmp_path, os.getpid(), written=started - 60, random="at_start"))
    other_host = tmp_path / dead.name.replace("@", "@another-host.")
    other_host.write_text("its process cannot be checked from here")
    assert remove_scratch_files(tmp_path, "attributions") == [dead]
    assert sorted(tmp_path.iterdir()) == sorted([*mine, other_host])


def test_where_start_times_cannot_be_read_a_live_pid_keeps_its_scratch_file(tmp_path, monkeypatch):
    """Not Linux (or /proc hidden): whether a live pid was reused cannot be told, so its file stays, as before."""
    import motifnet._io

    monkeypatch.setattr(motifnet._io, "process_start_time", lambda pid: None)
    old = _scratch(tmp_path, os.getpid(), written=86400.0)
    assert remove_scratch_files(tmp_path, "attributions") == [] and old.exists()


@needs_proc
def test_a_process_start_time_is_when_it_started(tmp_path):
    from motifnet._io import process_start_time

    before = time.time()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = process_start_time(child.pid)
    finally:
        child.kill()
        child.wait()
    assert before - 1.5 <= started <= time.time() + 0.1  # boot time is read in whole seconds
    assert process_start_time(dead_pid()) is None


def test_scratch_files_of_another_host_stay_and_are_named_in_a_warning(tmp_path, caplog, monkeypatch):
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    dead = _scratch(tmp_path, dead_pid(), random="dead_run")
    other = tmp_path / dead.name.replace("@", "@node-7.cluster.")
    other.write_bytes(b"x" * 2_500_000)
    unrelated = tmp_path / ".attributions.notes.txt"  # not a scratch name
    unrelated.write_text("a user's file")
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        assert remove_scratch_files(tmp_path, "attributions") == [dead]
    assert sorted(tmp_path.iterdir()) == sorted([other, unrelated])
    [message] = set(caplog.messages)  # a record may be caught twice where a CLI test left a handler on the logger
    assert f"{other.name} (2.5 MB)" in message and "another host" in message and str(tmp_path) in message
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        other.unlink()
        assert remove_scratch_files(tmp_path, "attributions") == []
    assert caplog.messages == []  # nothing to say


def test_staged_outputs_appear_together_or_not_at_all(tmp_path):
    from motifnet._io import staged_outputs
    from motifnet._signals import StopRequested

    (tmp_path / "a.txt").write_text("earlier a")
    (tmp_path / "b.txt").write_text("earlier b")
    with pytest.raises(StopRequested), staged_outputs() as stage:
        stage(tmp_path / "a.txt").write_text("new a")
        stage(tmp_path / "b.txt").write_text("new b")
        raise StopRequested
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporary left
    assert (tmp_path / "a.txt").read_text() == "earlier a" and (tmp_path / "b.txt").read_text() == "earlier b"
    with staged_outputs() as stage:
        first = stage(tmp_path / "a.txt")
        first.write_text("new a")
        stage(tmp_path / "c.png", ".png").write_text("new c")
        assert first.name.startswith(".a.txt.") and not (tmp_path / "c.png").exists()
    assert [(tmp_path / name).read_text() for name in ("a.txt", "b.txt", "c.png")] == ["new a", "earlier b", "new c"]
    # An error of the block keeps its own name (it took the name of the last file staged); one about a staged
    # file names the file asked for, not its temporary name.
    import errno

    with pytest.raises(OSError) as raised, staged_outputs() as stage:
        stage(tmp_path / "a.txt").write_text("newer a")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert raised.value.filename is None and (tmp_path / "a.txt").read_text() == "new a"
    with pytest.raises(OSError) as raised, staged_outputs() as stage:
        staged = stage(tmp_path / "b.txt")
        raise OSError(errno.ENOSPC, "No space left on device", str(staged))
    assert raised.value.filename == str(tmp_path / "b.txt") and raised.value.errno == errno.ENOSPC
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.png"]


def test_a_write_that_fails_in_a_staging_folder_names_the_file_asked_for(tmp_path):
    """A full disk in visualize-kernels named 'vk/.visualize-kernels.2n14ea6r.partial/position_kernel_0.png'."""
    import errno

    from motifnet._io import staging_folder

    with pytest.raises(OSError) as raised, staging_folder(tmp_path, "cmd") as stage:
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "position_kernel_0.png"))
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(tmp_path / "position_kernel_0.png")
    with pytest.raises(OSError) as raised, staging_folder(tmp_path, "cmd"):  # another file's error is as it was
        raise OSError(errno.ENOSPC, "No space left on device", "/elsewhere/x.png")
    assert raised.value.filename == "/elsewhere/x.png"
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_staging_folder_publishes_its_files_the_listing_one_last_through_links_and_goes(tmp_path, monkeypatch):
    from motifnet._io import is_partial, publish_staged, staging_folder

    (tmp_path / "elsewhere.txt").write_text("old")
    os.symlink(tmp_path / "elsewhere.txt", tmp_path / "linked.txt")
    moved = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda source, target: moved.append(os.path.basename(target)) or replace(
        source, target))
    with staging_folder(tmp_path, "cmd") as stage:
        assert stage.parent == tmp_path and is_partial(stage.name) and stage.name.startswith(".cmd.")
        for name in ("report.json", "b.png", "a.tsv", "linked.txt"):
            (stage / name).write_text(name)
        (stage / ".x.12345678.partial").write_text("a temporary file of a writer")
        assert publish_staged(stage, tmp_path, last=("report.json",)) == ["a.tsv", "b.png", "linked.txt",
                                                                          "report.json"]
    assert moved == ["a.tsv", "b.png", "elsewhere.txt", "report.json"]
    assert (tmp_path / "linked.txt").is_symlink() and (tmp_path / "elsewhere.txt").read_text() == "linked.txt"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.tsv", "b.png", "elsewhere.txt", "linked.txt",
                                                                 "report.json"]
    with pytest.raises(KeyError), staging_folder(tmp_path, "cmd") as stage:
        (stage / "a.tsv").write_text("half")
        raise KeyError
    assert (tmp_path / "a.tsv").read_text() == "a.tsv" and len(list(tmp_path.iterdir())) == 5


def test_a_published_file_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    """Files staged new got the umask's bits: a rerun of visualize-kernels made a group-writable report -rw-r--r--."""
    from motifnet._io import publish_staged, staging_folder

    (tmp_path / "kept.tsv").write_text("old")
    os.chmod(tmp_path / "kept.tsv", 0o664)
    (tmp_path / "shy.tsv").write_text("old")
    os.chmod(tmp_path / "shy.tsv", 0o600)
    with staging_folder(tmp_path, "cmd") as stage:
        for name in ("kept.tsv", "shy.tsv", "new.tsv", "first.tsv"):
            (stage / name).write_text("new")
        assert publish_staged(stage, tmp_path, first=("kept.tsv",)) == ["kept.tsv", "first.tsv", "new.tsv", "shy.tsv"]
    mask = os.umask(0o022)
    os.umask(mask)
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("kept.tsv", "shy.tsv", "new.tsv")}
    assert modes == {"kept.tsv": 0o664, "shy.tsv": 0o600, "new.tsv": 0o666 & ~mask}
    assert (tmp_path / "kept.tsv").read_text() == "new"


def test_an_output_named_gz_is_gzip_compressed_and_the_same_text_gives_the_same_bytes(tmp_path, trained_run, cli):
    """predict -o x.tsv.gz, fold -o x.fa.gz and compare -o x.tsv.gz wrote plain text under a gzip name."""
    import gzip

    text = "id\tvalue\nα\t1\n"
    write_text(tmp_path / "a.tsv.gz", text)
    write_text(tmp_path / "b.TSV.GZ", text)
    write_text(tmp_path / "plain.tsv", text)
    assert gzip.decompress((tmp_path / "a.tsv.gz").read_bytes()).decode() == text
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.TSV.GZ").read_bytes()  # no time or name inside
    assert (tmp_path / "plain.tsv").read_text(encoding="utf-8") == text
    run_dir, (up, _) = trained_run
    assert cli("predict", run_dir, up, "-o", tmp_path / "p.tsv").exit_code == 0
    assert cli("predict", run_dir, up, "-o", tmp_path / "p.tsv.gz").exit_code == 0
    assert gzip.decompress((tmp_path / "p.tsv.gz").read_bytes()) == (tmp_path / "p.tsv").read_bytes()
