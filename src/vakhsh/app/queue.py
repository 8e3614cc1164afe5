"""The run queue: submitted runs wait here for one of N worker processes.

Each run is solved in its own child process (vakhsh.app.processes), which writes the
whole run folder under WORKDIR/.staging/ and renames it to WORKDIR/runs/<id> before it
reports back. The event loop only starts children and reads their progress messages.

Cancelling a queued run takes it off the queue; cancelling a running one terminates its
process, and what it had written in .staging is removed. Stopping the server (or killing
it) ends the children too; their records still say `running`, so the next start runs
them again (jobs.MAX_ATTEMPTS). A run whose folder was renamed into place is done, even
when the cancel or the kill came a moment later.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vakhsh.app.jobs import TERMINAL, Job, JobStore, now
from vakhsh.app.processes import Child, TaskError
from vakhsh.app.workdir import Workdir, is_run_folder

EXECUTE = "vakhsh.app.tasks:execute_run"


class RunQueue:
    def __init__(
        self, work: Workdir, store: JobStore, workers: int, model_folder: Callable[[str], Path]
    ):
        self.work, self.store, self.workers = work, store, max(1, workers)
        self.model_folder = model_folder
        self.pending: asyncio.Queue[str] = asyncio.Queue()
        self.running: dict[str, Child] = {}
        self.subscribers: set[asyncio.Queue] = set()
        self.tasks: list[asyncio.Task] = []
        self.stopping = False
        self._changed = asyncio.Condition()

    # ---- lifecycle ----
    async def start(self) -> None:
        for job in self.store.load():
            self.pending.put_nowait(job.id)
        self.tasks = [
            asyncio.create_task(self._worker(), name=f"vakhsh-worker-{i}")
            for i in range(self.workers)
        ]

    async def stop(self) -> None:
        """End the running children; their records stay `running` (run again at start)."""
        self.stopping = True
        for child in list(self.running.values()):
            child.terminate()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for queue in list(self.subscribers):
            queue.put_nowait(None)

    # ---- requests ----
    def submit(self, run_id: str, request: dict[str, Any]) -> Job:
        job = self.store.add(Job(id=run_id, request=request))
        self.pending.put_nowait(run_id)
        self._publish(job)
        return job

    async def cancel(self, job: Job, wait_s: float = 15.0) -> Job:
        if job.status == "queued":
            self.store.update(job, status="cancelled", finished=now(), message="cancelled")
            self._publish(job)
        elif job.status == "running" and job.id in self.running:
            self.running[job.id].terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._until_terminal(job), wait_s)
        return job

    async def _until_terminal(self, job: Job) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: job.status in TERMINAL)

    # ---- progress to subscribers (server-sent events) ----
    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)

    def _publish(self, job: Job) -> None:
        state = job.public()
        for queue in list(self.subscribers):
            if queue.full():  # a client that stopped reading: drop its oldest news
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(state)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- the workers ----
    async def _worker(self) -> None:
        while True:
            run_id = await self.pending.get()
            job = self.store.jobs.get(run_id)
            if job is None or job.status != "queued":
                continue
            await self._execute(job)

    async def _execute(self, job: Job) -> None:
        final = self.work.run_folder(job.id)
        staging = self.work.new_staging(job.id)
        self.store.update(
            job,
            status="running",
            started=now(),
            attempts=job.attempts + 1,
            progress=0.01,
            message="starting a worker process",
        )
        self._publish(job)
        try:
            folder = self.model_folder(job.request["model"])
            child = Child(EXECUTE, str(folder), job.request, str(staging), str(final))
            self.running[job.id] = child
            await child.start()
            result = await child.result(on_event=lambda event: self._progress(job, event))
        except TaskError as exc:
            if self.stopping:
                return  # left `running` on disk: run again at the next start
            if is_run_folder(final):
                self._done(job, None)
            elif child.stopped:
                self.store.update(
                    job, status="cancelled", finished=now(), message="cancelled while running"
                )
            else:
                self.store.update(
                    job, status="failed", finished=now(), error=exc.lines, message="failed"
                )
        except LookupError as exc:  # the model went away between submit and run
            self.store.update(
                job, status="failed", finished=now(), error=[str(exc)], message="failed"
            )
        else:
            self._done(job, result.get("objective_usd"))
        finally:
            self.running.pop(job.id, None)
            shutil.rmtree(staging, ignore_errors=True)
            if not self.stopping:
                self._publish(job)

    def _done(self, job: Job, objective: float | None) -> None:
        if objective is None:
            from vakhsh.app.jobs import read_summary

            objective = (read_summary(self.work.run_folder(job.id)) or {}).get("objective_usd")
        self.store.update(
            job,
            status="done",
            progress=1.0,
            message="finished",
            finished=now(),
            error=None,
            objective_usd=objective,
        )

    def _progress(self, job: Job, event: dict[str, Any]) -> None:
        if job.status != "running" or not isinstance(event, dict):
            return
        fraction = float(event.get("progress", job.progress))
        self.store.update(
            job,
            progress=round(max(job.progress, min(fraction, 0.99)), 3),
            message=str(event.get("message", job.message))[:200],
        )
        self._publish(job)
