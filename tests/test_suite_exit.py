"""The test process itself: a teardown that hangs after the last test ends the process, with the tests' status."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

LEFT_BEHIND = '''
import threading


def wait_forever():
    threading.Event().wait()


def test_leaves_a_thread_that_never_ends():
    threading.Thread(target=wait_forever, daemon=False).start()  # the interpreter waits for it at exit


def test_{second}():
    assert {second_passes}
'''


@pytest.mark.parametrize("second_passes, status", [(True, 0), (False, 1)])
def test_a_process_whose_teardown_hangs_ends_with_the_status_of_its_tests(tmp_path, second_passes, status):
    """A CI run printed every test passed, then hung in the interpreter's teardown until the job's limit."""
    (tmp_path / "test_left.py").write_text(LEFT_BEHIND.format(second="other", second_passes=second_passes))
    environment = dict(os.environ, MOTIFNET_TEST_EXIT_SECONDS="1", PYTHONPATH=str(Path(__file__).parent))
    environment.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q",
                             "test_left.py"], cwd=tmp_path, env=environment, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == status, result.stdout + result.stderr
    assert "the test process was still ending 1 s after its last test; every thread's stack:" in result.stderr
    assert "in wait_forever" in result.stderr  # the stack of the thread the test left
