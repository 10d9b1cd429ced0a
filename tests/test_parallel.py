"""motifnet._parallel: ordered results with one or two worker processes, errors that reach the caller."""

import os
import time

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
