"""Shared fixtures: a CLI runner, tiny seeded FASTA files, and one small trained run of each kind.

Each session-scoped run is trained once per session, with tiny parameters on a few KB of seeded
data, and is shared read-only: a test that writes into a run folder copies it first
(:func:`helpers.copy_run`). Teardown fails if a test changed a shared run's files.

=====================  =========================================================================
``trained_run``        single-label DNA, classes up/down (40 + 40 records of length 40)
``multi_label_run``    multi-label DNA, classes x, y, z (60 records of length 30)
``regression_run``     regression on a GATA count, target gata_count (200 records of length 40)
``rna_structure_run``  RNA sequence + dot-bracket structure, classes p/q (30 + 30 of length 20)
``sample_run``         the demo's run on the DNA sample data (slow tests only: it learns)
=====================  =========================================================================
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
# A suite started in the background of a non-interactive shell inherits SIGINT ignored, and motifnet
# (like Python) leaves an ignored signal ignored; the tests of Ctrl-C need it delivered, here and in
# the commands they start (a handled signal is reset to the default in a child process).
signal.signal(signal.SIGINT, signal.default_int_handler)

from helpers import (  # noqa: E402  (after the environment that TensorFlow and Matplotlib read)
    SAMPLE_DNA,
    SAMPLE_PARAMS,
    TINY_PARAMS,
    folder_digest,
    gata_records,
    random_dna,
    two_classes,
    write_fasta,
)

#: Seconds the test process may take to end once the last test has run and its summary is printed
#: (``MOTIFNET_TEST_EXIT_SECONDS`` sets another, for the test of this guard).
EXIT_SECONDS = float(os.environ.get("MOTIFNET_TEST_EXIT_SECONDS", 120))


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[_SESSION] = session  # its exitstatus is read at the end: later hooks may change it


_SESSION = pytest.StashKey[pytest.Session]()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process with the session's status if the interpreter's teardown hangs, saying where it was.

    A CI run once printed every test passed, then hung until the job's limit in the teardown of the
    libraries the tests load (threads and atexit callbacks of TensorFlow, Dask and multiprocessing).
    After :data:`EXIT_SECONDS` a watchdog thread writes every thread's stack to standard error and
    ends the process with the status pytest decided. If the teardown has come so far that Python
    threads no longer run, faulthandler's own thread writes the stacks a minute later and ends it
    with status 1.
    """
    session = config.stash.get(_SESSION, None)
    status = int(session.exitstatus) if session is not None else 1

    def end_if_stuck():
        time.sleep(EXIT_SECONDS)
        sys.__stderr__.write(f"\nthe test process was still ending {EXIT_SECONDS:g} s after its last test; "
                             "every thread's stack:\n")
        faulthandler.dump_traceback(file=sys.__stderr__, all_threads=True)
        sys.__stderr__.flush()
        sys.__stdout__.flush()
        os._exit(status)

    threading.Thread(target=end_if_stuck, name="motifnet-tests-exit-watchdog", daemon=True).start()
    faulthandler.dump_traceback_later(EXIT_SECONDS + 60, exit=True, file=sys.__stderr__)


@pytest.fixture
def dna_files(tmp_path):
    """Two small classes (30 records of length 40), class 'a' carries a planted motif."""
    rng = np.random.default_rng(0)
    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in enumerate(random_dna(rng, 30, 40, "GGATCC"))])
    b = write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 30, 40))])
    return a, b


@pytest.fixture
def cli(tmp_path):
    """Invoke the command line in-process; returns the click Result."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)

    return invoke


def _train(arguments) -> None:
    from click.testing import CliRunner

    from motifnet.cli.main import main

    result = CliRunner().invoke(main, ["train", *map(str, arguments)])
    assert result.exit_code == 0, result.output


def _check_unchanged(folder, before: dict) -> None:
    """Fail if a test changed, added or removed a file of a shared run (``before``: its digest when made)."""
    after = folder_digest(folder)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"a test wrote into the shared run folder {folder}: {changed}; use helpers.copy_run"


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """A run folder trained for a few epochs on two tiny classes (shared, read-only): (run folder, (up, down))."""
    folder = tmp_path_factory.mktemp("trained")
    a, b = two_classes(folder, ids=("up", "down"), length=40)
    run_dir = folder / "run"
    _train([a, b, "-o", run_dir, "--seed", "3", *TINY_PARAMS])
    before = folder_digest(folder)
    yield run_dir, (a, b)
    _check_unchanged(folder, before)


@pytest.fixture(scope="session")
def multi_label_run(tmp_path_factory):
    """A multi-label run, classes x, y, z (shared, read-only): (run folder, its FASTA file).

    Headers carry two class indices each (``s1 1,2``); every fourth header is the labels alone (``0``), and every
    tenth record, from the tenth, is of no class (``s9 -``).
    """
    folder = tmp_path_factory.mktemp("multi_label")
    rng = np.random.default_rng(2)
    records = [(f"s{i} -" if i % 10 == 9 else f"s{i} {i % 3},{(i + 1) % 3}" if i % 4 else f"{i % 3}", s)
               for i, s in enumerate(random_dna(rng, 60, 30))]
    fasta = write_fasta(folder / "multi.fa", records)
    run_dir = folder / "run"
    _train([fasta, "--multi-label", "--class-names", "x,y,z", "-o", run_dir, "--seed", "1", *TINY_PARAMS])
    before = folder_digest(folder)
    yield run_dir, fasta
    _check_unchanged(folder, before)


@pytest.fixture(scope="session")
def regression_run(tmp_path_factory):
    """Regression, one target ``gata_count`` from the headers (shared, read-only): (run folder, FASTA, records)."""
    folder = tmp_path_factory.mktemp("regression")
    records = gata_records(200, seed=0, length=40)
    fasta = write_fasta(folder / "gata.fa", [(f"{record_id} {value:.4f}", sequence)
                                             for record_id, sequence, value in records])
    run_dir = folder / "run"
    _train([fasta, "--task", "regression", "--target-names", "gata_count", "-o", run_dir, "--seed", "1", *TINY_PARAMS])
    before = folder_digest(folder)
    yield run_dir, fasta, records
    _check_unchanged(folder, before)


@pytest.fixture(scope="session")
def rna_structure_run(tmp_path_factory):
    """RNA sequence + dot-bracket structure, classes p (GGAC planted) and q (shared, read-only): (run, (p, q))."""
    folder = tmp_path_factory.mktemp("rna_structure")
    rng = np.random.default_rng(4)
    files = []
    for name, motif in (("p", "GGAC"), ("q", None)):
        records = [(f"{name}{i}", [s.replace("T", "U"), "((((....))))........"])
                   for i, s in enumerate(random_dna(rng, 30, 20, motif))]
        files.append(write_fasta(folder / f"{name}.fa", records))
    run_dir = folder / "run"
    _train([*files, "--structure-alphabet", "().", "-o", run_dir, "--seed", "2", *TINY_PARAMS])
    before = folder_digest(folder)
    yield run_dir, tuple(files)
    _check_unchanged(folder, before)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The demo's run: the DNA sample data with sample_data/dna/params.json, seed 1 (shared, read-only)."""
    folder = tmp_path_factory.mktemp("sample")
    run_dir = folder / "run"
    _train([*SAMPLE_DNA, "--params", SAMPLE_PARAMS, "--seed", "1", "-o", run_dir, "--quiet"])
    before = folder_digest(folder)
    yield run_dir
    _check_unchanged(folder, before)
