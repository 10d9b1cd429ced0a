"""motifnet._signals: the first SIGTERM or SIGINT asks to stop at a safe point, a second one ends at once."""

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from motifnet._signals import SAME_SIGNAL_SECONDS, StopRequested, check_stop, stop_on_signals, stop_requested


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sets_the_flag_and_the_old_handlers_come_back(signum):
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    with stop_on_signals():
        check_stop()  # nothing asked yet: a safe point passes
        signal.raise_signal(signum)  # runs the handler; nothing is raised where the interpreter is
        assert stop_requested()
        with pytest.raises(StopRequested):
            check_stop()
    assert not stop_requested()
    assert {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)} == before


def test_a_signal_ignored_by_whoever_started_the_process_stays_ignored():
    # `nohup`, or a shell's background job: SIGINT arrives at SIG_IGN and must not stop the work.
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stop_on_signals():
            signal.raise_signal(signal.SIGINT)
            assert not stop_requested()
            signal.raise_signal(signal.SIGTERM)  # not ignored: asks to stop as usual
            assert stop_requested()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_stop_requested_is_a_keyboard_interrupt():
    # Everything that cleans up after Ctrl-C (temporary files, worker pools, the run's status) applies.
    assert issubclass(StopRequested, KeyboardInterrupt)


SCRIPT = textwrap.dedent("""
    import sys, time
    from motifnet._signals import stop_on_signals, stop_requested
    with stop_on_signals():
        print("ready", flush=True)
        while not stop_requested():
            time.sleep(0.01)
        print("asked", flush=True)
        time.sleep(60)  # long work without a safe point: only a second signal ends it
    """)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_second_signal_exits_at_once_with_128_plus_its_number(signum):
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signum)
        assert process.stdout.readline().strip() == "asked"  # the first signal only asked
        time.sleep(SAME_SIGNAL_SECONDS + 0.5)  # not the first one sent twice: see the test below
        process.send_signal(signum)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 128 + signum
    stderr = process.stderr.read()
    assert "stopping at the next safe point" in stderr and "stopping at once" in stderr


TWICE_SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    from motifnet._signals import SAME_SIGNAL_SECONDS, stop_on_signals, stop_requested
    signum = getattr(signal, sys.argv[1])
    with stop_on_signals():
        os.kill(os.getpid(), signum)  # as coreutils' timeout signals the process, then its process group
        os.kill(os.getpid(), signum)
        assert stop_requested()
        print("stopped at a safe point", flush=True)
        time.sleep(SAME_SIGNAL_SECONDS + 0.5)
        os.kill(os.getpid(), signum)  # the user's second signal
        time.sleep(60)
    """)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_signal_sent_twice_at_once_asks_to_stop_and_a_later_one_exits(signum):
    """`timeout -s TERM` sends SIGTERM to the process and then to its process group: the two were taken for the
    user's second signal now and then, and the command ended at once, leaving a search 'running' and its lock."""
    done = subprocess.run([sys.executable, "-c", TWICE_SCRIPT, signal.Signals(signum).name], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout == "stopped at a safe point\n", done.stderr
    assert done.returncode == 128 + signum, done.stderr
    lines = done.stderr.splitlines()
    assert [line.endswith("stopping at the next safe point (send it again to stop at once)") for line in lines] == [
        True, False] and lines[1] == f"motifnet: {signal.Signals(signum).name} again; stopping at once", lines


def test_stop_when_asks_to_stop_and_clears_only_its_own_request():
    import threading
    import time

    from motifnet._signals import request_stop, stop_when

    flag = threading.Event()
    with stop_on_signals():
        with stop_when(flag.is_set, every=0.01):
            assert not stop_requested()
            flag.set()
            deadline = time.monotonic() + 5
            while not stop_requested() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert stop_requested()
        assert not stop_requested()  # this block's request ends with it
        request_stop()  # as the user's signal does
        with stop_when(flag.is_set, every=0.01):
            time.sleep(0.05)
        assert stop_requested()  # the user's request stands: a second signal must still exit at once


CLEANUP_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from motifnet._signals import cleanup_if_ended, stop_on_signals, stop_requested
    scratch, done = Path(sys.argv[1]), Path(sys.argv[2])
    scratch.write_text("scratch")
    with stop_on_signals():
        with cleanup_if_ended(lambda: done.write_text("not mine")):
            pass  # a block that ended: its clean-up is no longer due
        with cleanup_if_ended(lambda: 1 / 0):  # a failing clean-up does not stop the others
            with cleanup_if_ended(lambda: scratch.unlink()):
                print("ready", flush=True)
                time.sleep(60)
    """)


def test_a_second_signal_runs_the_clean_ups_of_open_blocks_before_it_exits(tmp_path):
    scratch, done = tmp_path / "scratch", tmp_path / "done"
    process = subprocess.Popen([sys.executable, "-c", CLEANUP_SCRIPT, str(scratch), str(done)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        assert scratch.exists()
        _signal_twice(process, signal.SIGTERM)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM, process.stderr.read()
    assert not scratch.exists() and not done.exists()


def _signal_twice(process, signum) -> None:
    """The user's second signal: sent once the first was handled (two sent together may arrive as one, or count
    as one sent twice), and the process waited for."""
    process.send_signal(signum)
    assert "stopping at the next safe point" in process.stderr.readline()
    time.sleep(SAME_SIGNAL_SECONDS + 0.5)
    process.send_signal(signum)
    process.wait(timeout=30)


@pytest.mark.parametrize("args", [
    ["predict", "run", "x.fa"], ["fold", "x.fa", "-o", "x2.fa"], ["activations", "run", "-o", "a.npz"],
    ["visualize-kernels", "run", "-o", "out"], ["cluster", "run", "-o", "c.png"],
    ["optimize-inputs", "run", "--layer", "conv_1", "-o", "o.png"],
    ["attribute", "run", "-o", "out", "--method", "saliency"],
    ["motifs", "run", "-o", "out"], ["scan", "m.meme", "x.fa", "-o", "out"],
    ["marginalize", "run", "--motifs", "m.meme", "-o", "out"],
    ["variants", "run", "--vcf", "v.vcf", "--genome", "g.fa", "-o", "out"],
    ["train", "x.fa", "y.fa", "-o", "run"],
], ids=lambda args: args[0])
def test_signals_are_handled_while_logging_is_set_up(cli, monkeypatch, tmp_path, args):
    # Setting up logging imports TensorFlow (seconds): a SIGTERM then ended the process at once, exit 143, silent.
    import motifnet.cli.options as options
    from motifnet._signals import _handle

    seen = []
    monkeypatch.setattr(options, "setup_logging", lambda *_: seen.append(signal.getsignal(signal.SIGTERM)))
    monkeypatch.chdir(tmp_path)  # the inputs do not exist: each command ends with one error line
    result = cli(*args)
    assert result.exit_code == 1 and seen == [_handle], result.output



def test_a_signal_after_the_last_safe_point_says_the_work_finished(caplog, monkeypatch):
    # It said "stopping at the next safe point", then finished and exited 0 without a word.
    import logging

    from motifnet._signals import request_stop, stopping_on_signals

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.INFO, logger="motifnet")

    @stopping_on_signals
    def work(late: bool):
        if late:
            request_stop()  # as the handler does; no safe point follows
        return "done"

    assert work(False) == "done" and caplog.messages == []
    assert work(True) == "done"
    assert set(caplog.messages) == {"finished before the next safe point: the outputs are complete"}
    assert not stop_requested()  # cleared when the block ended


EXIT_SCRIPT = textwrap.dedent("""
    import atexit, signal, sys
    from motifnet.cli.main import run

    signum, when = getattr(signal, sys.argv[1]), sys.argv[2]
    sys.argv[1:] = sys.argv[3:]  # the command's arguments, as the motifnet script gets them

    class FreedAtExit:
        # Like TensorFlow's objects: freed while the interpreter finalises its modules, after Python has
        # put the default action of every signal with a Python handler back.
        def __del__(self):
            signal.raise_signal(signum)

    if when == "atexit":
        atexit.register(signal.raise_signal, signum)  # runs after the command's own exit, handlers still Python's
    else:
        freed_at_exit = FreedAtExit()
    run()
    """)


@pytest.mark.parametrize("when", ["atexit", "finalisation"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_process_exits_keeps_the_commands_status(tmp_path, signum, when):
    # Ctrl-C in the seconds TensorFlow takes to tear down, after the outputs were complete: exit 130, not a word.
    fasta, folded, missing = tmp_path / "in.fa", tmp_path / "out.fa", tmp_path / "missing.fa"
    fasta.write_text(">r1\nGGGAAACCCUUUGGGAAACCC\n")
    for arguments, status, stderr in (([fasta, "--jobs", "1"], 0, ""),
                                      ([missing], 1, f"Error: {missing}: no such file\n")):
        command = [sys.executable, "-c", EXIT_SCRIPT, signal.Signals(signum).name, when, "fold", *map(str, arguments),
                   "-o", str(folded), "-q"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert (result.returncode, result.stderr) == (status, stderr)
    assert folded.read_text().splitlines() == [">r1 mfe=-5.80", "GGGAAACCCUUUGGGAAACCC", "(((...(((...)))...)))"]


def test_a_command_run_in_process_leaves_the_signal_handlers_as_they_were(cli, tmp_path):
    # Only the process's own exit ignores late signals: a test or a notebook keeps its Ctrl-C, also when it
    # calls main() itself and catches its SystemExit (it used to be left ignoring SIGINT and SIGTERM).
    from motifnet.cli.main import main

    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    (tmp_path / "in.fa").write_text(">r1\nGGGAAACCCUUUGGGAAACCC\n")
    assert cli("fold", tmp_path / "in.fa", "-o", tmp_path / "out.fa", "--jobs", "1").exit_code == 0
    assert {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)} == before
    for arguments in (["--version"], ["fold", str(tmp_path / "missing.fa"), "-o", str(tmp_path / "x.fa")]):
        with pytest.raises(SystemExit):
            main(arguments)
        assert {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)} == before


HELD_FOLDER_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from motifnet._io import scratch_memmap, scratch_path, staged_outputs, staging_folder
    from motifnet._signals import stop_on_signals
    from motifnet.workflows._output import locked_output_folder
    out = Path(sys.argv[1])
    with stop_on_signals(), locked_output_folder(out, "attribute"), staged_outputs() as stage, \\
            scratch_memmap(out, "attributions", (10, 20, 4)), staging_folder(out, "visualize-kernels") as folder, \\
            scratch_path(out, "hits.tsv", ".scratch") as rows:
        stage(out / "logo.png", ".png").write_bytes(b"half a figure")
        (folder / "motif_kernel_0.png").write_bytes(b"a figure")
        rows.write_text("a hit")
        print("ready", flush=True)
        time.sleep(60)  # drawing: the first signal waits for the next safe point, the second ends the process
    """)


@pytest.mark.parametrize("existing", [False, True])
def test_a_second_signal_leaves_an_output_folder_as_it_was(tmp_path, existing):
    """A second Ctrl-C while attribute drew its logos left its lock, its scratch array and the figure being drawn
    in the folder, and a new folder behind; the lock and the folders were left to the next command's take-over.
    visualize-kernels' staging folder and scan's scratch rows go too."""
    out = tmp_path / "new" / "out"
    if existing:
        out.mkdir(parents=True)
        (out / "notes.txt").write_text("mine")
    process = subprocess.Popen([sys.executable, "-c", HELD_FOLDER_SCRIPT, str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        assert {path.name for path in out.iterdir()} - {"notes.txt"} and (out / ".motifnet.lock").exists()
        _signal_twice(process, signal.SIGINT)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGINT, process.stderr.read()
    if existing:
        assert [path.name for path in out.iterdir()] == ["notes.txt"]
    else:
        assert not (tmp_path / "new").exists()
