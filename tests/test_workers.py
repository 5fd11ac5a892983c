"""Forked workers: the same results in the same order as in one process, and no process, pipe
or output left behind, however the run ends."""

from __future__ import annotations

import os
import signal
import subprocess
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
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert run.stdout == "before400\n"


def test_one_worker_or_none_runs_the_jobs_here() -> None:
    assert list(workers.in_order(lambda job: (job, os.getpid()), [1, 2], 1, total=2)) == [
        (1, os.getpid()),
        (2, os.getpid()),
    ]


def _fails_at_7_and_30(job: int) -> int:
    if job == 30:
        raise ValueError("job 30 failed")
    if job == 7:
        time.sleep(0.3)  # 30 fails first in time; 7 comes first in order
        raise ValueError("job 7 failed")
    return job


def test_the_first_failing_job_in_order_is_raised_after_the_jobs_before_it() -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="job 7 failed"):
        got.extend(workers.in_order(_fails_at_7_and_30, range(50), 2, total=50))
    assert got == list(range(7))
    _assert_no_children()


def test_two_pools_at_once_both_finish() -> None:
    """A worker of the second pool holds no copy of the first pool's pipes."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError("the pools deadlocked")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    try:
        pairs = list(
            zip(
                workers.in_order(abs, range(30), 2, total=30),
                workers.in_order(abs, range(-30, 0), 2, total=30),
                strict=True,
            )
        )
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert pairs == [(n, 30 - n) for n in range(30)]
    _assert_no_children()


def test_stopping_early_leaves_no_temporary_file(tmp_path: Path) -> None:
    """Workers in the middle of a write are interrupted as Ctrl-C would: the file they were
    writing is removed, as `files.replacing` does, not left among the outputs."""
    from pipeline import files

    def slow_write(job: int) -> int:
        with files.replacing(tmp_path / f"{job}.html") as descriptor:
            os.write(descriptor, b"half")
            time.sleep(0.5 if job else 0)
            os.write(descriptor, b" and the rest")
        return job

    results = workers.in_order(slow_write, range(10), 2, total=10)
    assert next(results) == 0
    results.close()
    _assert_no_children()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert not [name for name in left if name.startswith(".")], left
    assert all((tmp_path / name).read_bytes() == b"half and the rest" for name in left)
