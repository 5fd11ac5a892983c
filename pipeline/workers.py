"""Worker processes for `--jobs N`: forked, fed chunks of jobs through pipes, results in order.

Why not `concurrent.futures.ProcessPoolExecutor`: importing it (multiprocessing, threads,
queues) costs 40-50 ms, a pool of it another 10-20, and a command starts up to two; on a site
of a few dozen pages that is more than the work. A forked worker starts in a few milliseconds
and already holds everything the parent computed (settings, the site map, the site memory), so
nothing but jobs and results crosses a pipe. Where there is no `fork` the jobs run here.

Each worker has a pipe for chunks and one for results; a message is its length (8 bytes),
then its pickle. A job's exception is raised here when its turn comes, so the jobs before it
are all given back first; a worker that dies (killed, out of memory) ends the run with
WorkerDied; one that is interrupted exits without a word, as the parent reports it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import select
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pipeline.model import PipelineError
from pipeline.segments import collector_paused

_Context = TypeVar("_Context")
_Job = TypeVar("_Job")
_Result = TypeVar("_Result")

_LENGTH = 8


class WorkerDied(RuntimeError):
    """A worker process ended before it sent its results."""


def in_order(
    work: Callable[[_Job], _Result], jobs_in: Iterable[_Job], workers: int, *, total: int
) -> Generator[_Result, None, None]:
    """`work(job)` over the jobs, in `workers` forked processes, results in the jobs' order.

    Small chunks, so one big page at the end does not leave the other workers idle, starting
    at one job and doubling, so a few jobs (a build that redoes a few pages of a big site,
    where `total` is only a bound) still spread over the workers. At most `workers * 8` chunks
    are out at once: results wait here until their turn, so the memory held stays the same
    whatever the number of pages.
    """
    pending = iter(jobs_in)
    if workers <= 1 or not hasattr(os, "fork"):
        yield from map(work, pending)
        return
    size = max(1, min(64, total // (workers * 32)))
    sizes = itertools.chain((min(size, 1 << n) for n in range(7)), itertools.repeat(size))
    chunks = iter(lambda: list(itertools.islice(pending, next(sizes))), [])
    window = workers * 8
    pool: list[_Worker] = []
    finished = False
    try:
        for _ in range(workers):
            _start(work, pool)
        done: dict[int, tuple[bool, Any]] = {}  # chunk number -> (succeeded, results or error)
        busy: dict[int, tuple[_Worker, int]] = {}  # result pipe -> (worker, chunk number)
        idle = list(pool)
        ready_for = select.poll()
        given = yielded = 0
        exhausted = False
        while True:
            while idle and not exhausted and given - yielded < window:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                worker = idle.pop()
                _send(worker.jobs, chunk)
                busy[worker.results] = (worker, given)
                ready_for.register(worker.results, select.POLLIN)
                given += 1
            while yielded in done:  # in the jobs' order, an error too: the first job's first
                succeeded, value = done.pop(yielded)
                if not succeeded:
                    raise value
                yield from value
                yielded += 1
            if not busy:  # every chunk given came back and went out
                if exhausted:
                    break
                continue  # the window was full: there is room again
            for descriptor, _ in ready_for.poll():
                ready_for.unregister(descriptor)
                worker, number = busy.pop(descriptor)
                done[number] = _receive(worker)
                idle.append(worker)
        finished = True
    finally:
        _stop(pool, finished=finished)


@dataclass(frozen=True, slots=True)
class _Worker:
    pid: int
    #: Where the parent writes chunks of jobs, and where it reads their results.
    jobs: int
    results: int


#: The workers of every pool that is running: a new worker closes their pipe ends, since a
#: copy held there would keep another pool's pipes open (its workers would never see the end).
_running: list[_Worker] = []


def _start(work: Callable[[Any], Any], pool: list[_Worker]) -> None:
    """Fork a worker and add it to `pool` (and `_running`) before anything can interrupt."""
    job_read, job_write = os.pipe()
    try:
        result_read, result_write = os.pipe()
    except OSError:
        os.close(job_read)
        os.close(job_write)
        raise
    sys.stdout.flush()  # else the child would write the parent's buffered output again
    sys.stderr.flush()
    # Ctrl-C waits until the worker is on the books: in the child, until it is in its loop.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for descriptor in (job_read, job_write, result_read, result_write):
            os.close(descriptor)
        raise
    if pid == 0:  # the worker: it never returns into the parent's code
        code = 1
        try:
            for descriptor in (job_write, result_read, *_descriptors(_running)):
                os.close(descriptor)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            code = _serve(work, job_read, result_write)
        finally:
            os._exit(code)
    os.close(job_read)
    os.close(result_write)
    worker = _Worker(pid, job_write, result_read)
    pool.append(worker)
    _running.append(worker)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _descriptors(pool: list[_Worker]) -> Iterator[int]:
    for worker in pool:
        yield worker.jobs
        yield worker.results


def _serve(work: Callable[[Any], Any], jobs: int, results: int) -> int:
    """Run chunks until the parent closes the pipe; a job's exception goes back to the parent."""
    try:
        while (message := _read_message(jobs)) is not None:
            try:
                reply: tuple[bool, Any] = (True, [work(job) for job in pickle.loads(message)])
            except Exception as error:  # a defect: the parent raises it, as it would there
                reply = (False, error)
            try:
                data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # an exception that does not pickle: its text does
                data = pickle.dumps((False, RuntimeError(repr(error))), pickle.HIGHEST_PROTOCOL)
            _write_all(results, len(data).to_bytes(_LENGTH, "little") + data)
    except (KeyboardInterrupt, BrokenPipeError):
        return 1  # the parent was interrupted too, or is gone: it reports, not the worker
    return 0


def _send(descriptor: int, jobs: list[Any]) -> None:
    data = pickle.dumps(jobs, pickle.HIGHEST_PROTOCOL)
    _write_all(descriptor, len(data).to_bytes(_LENGTH, "little") + data)


def _receive(worker: _Worker) -> tuple[bool, Any]:
    """(True, the chunk's results) or (False, the exception one of its jobs raised)."""
    message = _read_message(worker.results)
    if message is None:
        raise WorkerDied(f"worker process {worker.pid} ended without its results")
    succeeded, value = pickle.loads(message)
    return bool(succeeded), value


def _read_message(descriptor: int) -> bytes | None:
    """The next message on the pipe, or None at its end."""
    head = _read_exactly(descriptor, _LENGTH)
    if head is None:
        return None
    body = _read_exactly(descriptor, int.from_bytes(head, "little"))
    if body is None:
        return None
    return body


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    left = size
    while left:
        part = os.read(descriptor, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _stop(pool: list[_Worker], *, finished: bool) -> None:
    """Close the workers' pipes, so each idle worker exits, and wait for them. When the run
    stopped early (an error, an interrupt, a caller that wanted no more), a worker may be in
    the middle of a chunk: it is interrupted as Ctrl-C would, so that what it was writing is
    removed (`files.replacing`), not left as a temporary file among the outputs."""
    for descriptor in _descriptors(pool):
        os.close(descriptor)
    for worker in pool:
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGINT)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(worker.pid, 0)
        _running.remove(worker)


# --- the parallel map the commands use -----------------------------------------------------


def parallel(
    work: Callable[[_Context, _Job], _Result],
    context: _Context,
    jobs_in: Iterable[_Job],
    jobs: int,
    *,
    count: int | None = None,
) -> Iterator[_Result | PipelineError]:
    """`work(context, job)` over the jobs in order: in this process, or in `jobs` workers.

    The workers are forked (`in_order`): they hold the context (settings, the site
    map, the site memory) from the start, and only jobs and results are sent. The jobs are taken
    as the workers need them and the results come back in the order of the jobs, whatever the
    number of workers, so the bytes written never depend on `--jobs`. `count` is how many jobs
    there are at most, when `jobs_in` is not a list. A job's bad input comes back as its error.
    """
    guarded = _Guarded(work, context)
    pending = iter(jobs_in)
    first = list(itertools.islice(pending, 2))  # one job or none: no workers to start
    if jobs <= 1 or len(first) < 2:
        yield from map(guarded, itertools.chain(first, pending))
        return
    total = count if count is not None else len(jobs_in) if isinstance(jobs_in, Sized) else 0
    workers = min(jobs, total) if total else jobs
    yield from in_order(guarded, itertools.chain(first, pending), workers, total=total)


def parallel_pairs(
    work: Callable[[_Context, _Job], _Result],
    context: _Context,
    jobs_in: Iterable[_Job],
    jobs: int,
    *,
    count: int,
) -> Iterator[tuple[_Job, _Result | PipelineError]]:
    """`parallel`, each result with its job; only the jobs in flight are held."""
    taken: deque[_Job] = deque()

    def remembered() -> Iterator[_Job]:
        for job in jobs_in:
            taken.append(job)
            yield job

    for result in parallel(work, context, remembered(), jobs, count=count):
        yield taken.popleft(), result


@dataclass(frozen=True, slots=True)
class _Guarded(Generic[_Context, _Job, _Result]):
    """A job function and its context; bad input's error is returned, not raised."""

    work: Callable[[_Context, _Job], _Result]
    context: _Context

    def __call__(self, job: _Job) -> _Result | PipelineError:
        try:
            with collector_paused():  # a page's objects hold no cycles: reference counts free them
                return self.work(self.context, job)
        except PipelineError as error:
            return error


def split_errors(
    results: Iterable[_Result | PipelineError],
) -> tuple[list[_Result], list[PipelineError]]:
    """The results, and the errors apart."""
    done: list[_Result] = []
    errors: list[PipelineError] = []
    for result in results:
        if isinstance(result, PipelineError):
            errors.append(result)
        else:
            done.append(result)
    return done, errors
