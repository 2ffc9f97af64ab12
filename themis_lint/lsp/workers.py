"""Analysis off the server's event loop: worker processes that a newer change can kill.

A thread could not be stopped, and the engine's parse caches are not meant for threads; a
process can be ended at once (analysis never writes, so nothing is left half done) and is
replaced by a fresh one. Each worker runs one job at a time; jobs wait in one queue.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import threading
from dataclasses import dataclass, field

from themis_lint.lsp.analysis import Job, Outcome


class Cancelled(Exception):
    """A worker was killed under a job (a newer job superseded it, or the pool was closed);
    the job's future is then cancelled."""


def _serve(conn) -> None:
    """A worker's loop: a Job in, an Outcome (or an exception's text) out, until the pipe closes."""
    from themis_lint.lsp.analysis import run

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = run(job)
        except Exception as exc:  # noqa: BLE001  a bug in the engine: reported to the editor, the worker lives on
            answer = Outcome(errors=[f"{job.display}: internal error: {type(exc).__name__}: {exc}"])
        conn.send(answer)


class Worker:
    """One process and its pipe; `call` blocks (it runs in a thread of the event loop's executor)."""

    def __init__(self, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.lock = threading.Lock()

    def call(self, job: Job) -> Outcome:
        with self.lock:
            try:
                self.conn.send(job)
                return self.conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                raise Cancelled() from exc

    def kill(self) -> None:
        self.process.kill()
        self.conn.close()
        self.process.join(timeout=5)


@dataclass
class _Pending:
    job: Job
    key: str  # jobs with one key supersede each other (a document's checks)
    future: asyncio.Future = field(default=None)


class Pool:
    """`size` workers; `submit` returns a future; a job with the key of a queued or running one
    supersedes it (the older future is cancelled; a running worker is killed and replaced)."""

    def __init__(self, size: int = 2):
        self.context = multiprocessing.get_context("spawn")  # the server has threads: never fork
        self.idle = [Worker(self.context) for _ in range(size)]
        self.running: dict[str, tuple[Worker, _Pending]] = {}  # key -> its running job
        self.queue: list[_Pending] = []
        self.closed = False

    def submit(self, job: Job, key: str) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        pending = _Pending(job, key, loop.create_future())
        for old in [p for p in self.queue if p.key == key]:
            self.queue.remove(old)
            old.future.cancel()
        if key in self.running:
            worker, old = self.running.pop(key)
            worker.kill()
            old.future.cancel()
            self.idle.append(Worker(self.context))
        self.queue.append(pending)
        self._start(loop)
        return pending.future

    def _start(self, loop) -> None:
        while self.idle and self.queue and not self.closed:
            worker, pending = self.idle.pop(), self.queue.pop(0)
            self.running[pending.key] = (worker, pending)
            task = loop.run_in_executor(None, worker.call, pending.job)
            task.add_done_callback(lambda t, w=worker, p=pending: self._finished(loop, t, w, p))

    def _finished(self, loop, task, worker: Worker, pending: _Pending) -> None:
        if self.running.get(pending.key, (None, None))[1] is pending:
            del self.running[pending.key]
            self.idle.append(worker)
        if not pending.future.done():
            if isinstance(task.exception(), Cancelled):
                pending.future.cancel()
            elif task.exception() is not None:
                pending.future.set_exception(task.exception())
            else:
                pending.future.set_result(task.result())
        self._start(loop)

    def close(self) -> None:
        """End every worker now (analysis writes nothing: killing one loses nothing)."""
        self.closed = True
        for worker, pending in self.running.values():
            worker.kill()
            pending.future.cancel()
        for pending in self.queue:
            pending.future.cancel()
        for worker in self.idle:
            worker.kill()
        self.running, self.queue, self.idle = {}, [], []
