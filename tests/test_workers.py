"""Forked workers: the same results in the same order as in one process, and no process, pipe
or output left behind, however the run ends."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def _shaped(job: int) -> str:
    """A result whose size varies a lot: some larger than a pipe's buffer."""
    return f"{job}:" + "x" * (job * 7919 % 200_000)


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _assert_no_children() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@settings(max_examples=25, deadline=None)
@given(jobs=st.lists(st.integers(0, 1000), max_size=60), count=st.integers(1, 4))
def test_results_come_in_the_order_of_the_jobs(jobs: list[int], count: int) -> None:
    before = _open_descriptors()
    assert list(workers.in_order(_shaped, jobs, count, total=len(jobs))) == [
        _shaped(job) for job in jobs
    ]
    assert _open_descriptors() == before
    _assert_no_children()


def test_a_slow_job_holds_the_window_but_loses_nothing() -> None:
    """One worker stuck on a job while the other finishes the window's chunks: results wait,
    in order, and the run goes on once the slow one is back."""

    def first_is_slow(job: int) -> int:
        if job == 0:
            time.sleep(0.3)
        return job

    assert list(workers.in_order(first_is_slow, range(100), 2, total=100)) == list(range(100))


def test_work_runs_in_other_processes_that_hold_what_the_parent_made() -> None:
    made_here = {"context": 42}  # not sent: the forked workers have it already

    def where(job: int) -> tuple[int, int]:
        time.sleep(0.01)
        return job + made_here["context"], os.getpid()

    results = list(workers.in_order(where, range(40), 2, total=40))
    assert [value for value, _ in results] == [job + 42 for job in range(40)]
    assert os.getpid() not in {pid for _, pid in results}
    assert len({pid for _, pid in results}) == 2


def _fails_at_seven(job: int) -> int:
    if job == 7:
        raise ValueError(f"job {job} failed")
    return job


def test_an_exception_in_a_job_is_raised_here_and_the_workers_stop() -> None:
    before = _open_descriptors()
    with pytest.raises(ValueError, match="job 7 failed"):
        list(workers.in_order(_fails_at_seven, range(50), 2, total=50))
    assert _open_descriptors() == before
    _assert_no_children()


def test_a_worker_that_dies_ends_the_run_with_an_error() -> None:
    def dies_at_three(job: int) -> int:
        if job == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return job

    with pytest.raises(workers.WorkerDied, match="ended without its results"):
        list(workers.in_order(dies_at_three, range(20), 2, total=20))
    _assert_no_children()


def test_a_caller_that_stops_early_leaves_no_worker_behind() -> None:
    def slow(job: int) -> int:
        time.sleep(0.05)
        return job

    results = workers.in_order(slow, range(100), 2, total=100)
    assert next(results) == 0
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 2  # busy workers are terminated, not waited for
    _assert_no_children()


def test_output_buffered_before_the_fork_is_written_once(tmp_path: Path) -> None:
    """A forked worker has a copy of the parent's unflushed output; it must never write it."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent.parent)!r})\n"
        "from pipeline import workers\n"
        "print('before', end='')\n"
        "print(sum(workers.in_order(abs, range(-20, 20), 2, total=40)))\n"
    )
    output = os.popen(f"{sys.executable} {script}").read()
    assert output == "before400\n"


def test_one_worker_or_none_runs_the_jobs_here() -> None:
    assert list(workers.in_order(lambda job: (job, os.getpid()), [1, 2], 1, total=2)) == [
        (1, os.getpid()),
        (2, os.getpid()),
    ]
