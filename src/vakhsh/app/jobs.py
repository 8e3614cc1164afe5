"""The record of each submitted run, kept as WORKDIR/jobs/<id>.json.

A job is `queued`, `running`, `done`, `failed` or `cancelled`. The run folder is the
truth about `done`: a job whose folder WORKDIR/runs/<id>/ is complete is done, whatever
its record says (the worker renames the folder into place before it reports back, so a
server killed in between still finds the finished run). Run folders that have no record
(written by `vakhsh run --out WORKDIR/runs/NAME`, or copied there) are listed as done.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vakhsh.app.workdir import Workdir, is_run_folder
from vakhsh.outputs import write_text_atomic

STATUSES = ("queued", "running", "done", "failed", "cancelled")
TERMINAL = ("done", "failed", "cancelled")
# a run interrupted by a stopped server runs again at the next start, this many times
MAX_ATTEMPTS = 2


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Job:
    id: str
    request: dict[str, Any]
    status: str = "queued"
    progress: float = 0.0
    message: str = "waiting for a worker"
    error: list[str] | None = None
    created: str = field(default_factory=now)
    started: str | None = None
    finished: str | None = None
    attempts: int = 0
    objective_usd: float | None = None

    def public(self) -> dict[str, Any]:
        """What GET /api/runs/{id} returns."""
        out = {k: v for k, v in asdict(self).items() if k != "attempts"}
        out.update(model=self.request.get("model"), scenario=self.request.get("scenario"))
        return out


class JobStore:
    """Jobs in memory, each change written through to its file (atomically)."""

    def __init__(self, work: Workdir):
        self.work = work
        self.jobs: dict[str, Job] = {}

    def load(self) -> list[Job]:
        """Read every record; return the jobs to run again (queued, or interrupted)."""
        again = []
        for path in sorted(self.work.jobs.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                job = Job(**{k: v for k, v in data.items() if k in Job.__dataclass_fields__})
            except (ValueError, TypeError, OSError):
                continue  # not one of ours, or unreadable: leave it alone
            if job.id != path.stem:
                continue
            self.jobs[job.id] = job
            if is_run_folder(self.work.runs / job.id):
                if job.status != "done":
                    self._finish_from_folder(job)
            elif job.status in ("queued", "running"):
                if job.attempts >= MAX_ATTEMPTS:
                    self.update(
                        job,
                        status="failed",
                        finished=now(),
                        error=["the server stopped during this run twice; submit it again"],
                    )
                else:
                    was = job.status
                    self.update(
                        job,
                        status="queued",
                        progress=0.0,
                        message="waiting for a worker"
                        if was == "queued"
                        else "run again: the server stopped during the last attempt",
                    )
                    again.append(job)
        return sorted(again, key=lambda j: j.created)

    def _finish_from_folder(self, job: Job) -> None:
        summary = read_summary(self.work.runs / job.id)
        self.update(
            job,
            status="done",
            progress=1.0,
            message="finished",
            error=None,
            finished=job.finished or now(),
            objective_usd=summary.get("objective_usd") if summary else None,
        )

    def add(self, job: Job) -> Job:
        self.jobs[job.id] = job
        self.save(job)
        return job

    def update(self, job: Job, **changes: Any) -> Job:
        for key, value in changes.items():
            setattr(job, key, value)
        self.save(job)
        return job

    def save(self, job: Job) -> None:
        write_text_atomic(self.work.job_file(job.id), json.dumps(asdict(job), indent=2))

    def get(self, run_id: str) -> Job | None:
        job = self.jobs.get(run_id)
        if job is not None:
            return job
        folder = self.work.run_folder(run_id)
        if is_run_folder(folder):
            return folder_job(folder)
        return None

    def all(self) -> list[Job]:
        """Every job, and every finished run folder without one, oldest first."""
        listed = dict(self.jobs)
        for run_id in self.work.finished_runs():
            if run_id not in listed:
                listed[run_id] = folder_job(self.work.runs / run_id)
        return sorted(listed.values(), key=lambda j: (j.created, j.id))


def read_summary(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def folder_job(folder: Path) -> Job:
    """A finished run folder described as a job (the record written with it, if any)."""
    summary = read_summary(folder) or {}
    try:
        request = json.loads((folder / "request.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        request = {"model": summary.get("model"), "scenario": summary.get("scenario")}
    if not isinstance(request, dict):
        request = {}
    stamp = datetime.fromtimestamp((folder / "summary.json").stat().st_mtime, UTC)
    when = stamp.isoformat(timespec="seconds").replace("+00:00", "Z")
    return Job(
        id=folder.name,
        request=request,
        status="done",
        progress=1.0,
        message="finished",
        created=when,
        finished=when,
        objective_usd=summary.get("objective_usd"),
    )
