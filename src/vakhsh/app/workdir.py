"""The server's working folder: every file the web app writes lives under it.

    WORKDIR/models/<name>/     model folders: uploaded ones, or put there by hand
    WORKDIR/runs/<id>/         finished runs in the ordinary run-folder layout
                               (results.nc, summary.json, report.html, model/), plus
                               request.json, the parameters the run was made with; a
                               folder appears here complete or not at all
    WORKDIR/jobs/<id>.json     the state of every run submitted: queued, running, done,
                               failed or cancelled, with its progress and error
    WORKDIR/.staging/          what is being written (uploads, runs); emptied at start
    WORKDIR/ensembles|plans|sddp/...  other outputs, read where they exist

Names and ids that come from a request are checked against one pattern before they
touch a path, and every joined path is checked to stay inside its folder.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vakhsh.outputs import MARKER, read_marker

# a name or id: letters, digits, '-', '_' and '.', starting with a letter or digit, so
# that '.', '..', hidden names and path separators are all refused
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
RUN_MARKERS = ("results.nc", "summary.json")
KIND = "workdir"  # of the marker every vakhsh output folder carries (vakhsh.outputs)


class BadName(ValueError):
    """A name or id from a request that may not be used as a path."""


def check_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not NAME_PATTERN.match(value) or ".." in value:
        raise BadName(
            f"{what} may contain only letters, digits, '-', '_' and '.', must "
            f"start with a letter or digit and be at most 100 characters"
        )
    return value


def inside(folder: Path, name: str) -> Path:
    """`folder/name`, refused unless it resolves inside `folder` (no links out)."""
    path = (folder / name).resolve()
    if path.parent != folder.resolve():
        raise BadName(f"{name!r} leaves its folder")
    return path


@dataclass(frozen=True)
class Workdir:
    root: Path

    @classmethod
    def open(cls, root: str | Path) -> Workdir:
        """Open a workdir, creating it when missing; a folder that holds anything else
        is refused (WorkdirError), so the app never writes among someone's files."""
        root = Path(root).expanduser().resolve()
        check_workdir(root)
        work = cls(root)
        try:
            if not (root / MARKER).is_file():
                root.mkdir(parents=True, exist_ok=True)
                (root / MARKER).write_text(
                    json.dumps({"kind": KIND, "written_by": "vakhsh serve"}) + "\n",
                    encoding="utf-8",
                )
            for folder in (work.models, work.runs, work.jobs, work.staging):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only parent or disk: a message, not a traceback
            where = Path(exc.filename).parent if exc.filename else root
            raise WorkdirError(
                f"{root}: cannot write in {where} ({exc.strerror or exc}); "
                "give --workdir a folder you may write in"
            ) from None
        work.clear_staging()
        return work

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def jobs(self) -> Path:
        return self.root / "jobs"

    @property
    def staging(self) -> Path:
        return self.root / ".staging"

    def clear_staging(self) -> None:
        """Remove what a killed server left half-written: only the app writes here."""
        for path in self.staging.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def new_staging(self, label: str) -> Path:
        path = self.staging / f"{label}-{secrets.token_hex(4)}"
        path.mkdir()
        return path

    def model_folder(self, name: str) -> Path:
        return inside(self.models, check_name(name, "model name"))

    def run_folder(self, run_id: str) -> Path:
        return inside(self.runs, check_name(run_id, "run id"))

    def job_file(self, run_id: str) -> Path:
        return inside(self.jobs, check_name(run_id, "run id") + ".json")

    def finished_runs(self) -> list[str]:
        """Ids of complete run folders, written by the app or put there by hand."""
        return sorted(
            p.name
            for p in self.runs.iterdir()
            if p.is_dir() and NAME_PATTERN.match(p.name) and is_run_folder(p)
        )

    def new_run_id(self, model: str, scenario: str | None) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        label = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{model}-{scenario or 'model'}")[:60]
        while True:
            run_id = f"{label.strip('-') or 'run'}-{stamp}-{secrets.token_hex(2)}"
            if not (self.runs / run_id).exists() and not (self.jobs / f"{run_id}.json").exists():
                return run_id


class WorkdirError(ValueError):
    """A folder that cannot be used as the workdir."""


def check_workdir(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise WorkdirError(
            f"{root}: not a folder; give --workdir a new or empty folder, or "
            "one `vakhsh serve` made"
        )
    if not root.is_dir() or ((root / MARKER).is_file() and _marker_kind(root) == KIND):
        return
    if (
        root == Path.home().resolve()
        or root == Path(root.anchor)
        or any(True for _ in root.iterdir())
    ):
        raise WorkdirError(
            f"{root}: holds files that vakhsh serve did not write; give "
            "--workdir a new or empty folder, or one `vakhsh serve` made"
        )


def _marker_kind(root: Path) -> str | None:
    found = read_marker(root)
    return found["kind"] if found else None


def is_run_folder(path: Path) -> bool:
    return all((path / name).is_file() for name in RUN_MARKERS)
