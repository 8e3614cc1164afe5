"""Other outputs in the workdir: ensembles, plans and SDDP runs, read from their folders.

The app does not make these (`vakhsh ensemble`, `vakhsh plan` and `vakhsh sddp` do,
e.g. with `--out WORKDIR/ensembles/dry`); it finds them by the file each kind writes
first-hand, one or two folders below the workdir, and serves their tables and
report.html. Nothing here writes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from vakhsh.app.workdir import NAME_PATTERN, BadName, check_name

# the file that tells what kind of output a folder is, in order of precedence
MARKER = ".vakhsh-output.json"
KIND_FILES = [("ensemble", "ensemble.json"), ("plan", "plan.json"), ("sddp", "sddp.json")]
# the tables each kind is shown with, first rows only
TABLES = {"ensemble": ["aggregates.csv", "metrics.csv"], "plan": ["ranking.csv"],
          "sddp": ["convergence.csv", "bounds.csv"]}
APP_FOLDERS = {"models", "runs", "jobs"}
MAX_ROWS = 200


def kind_of(folder: Path) -> str | None:
    marker = folder / MARKER
    if marker.is_file():
        try:
            kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind in {k for k, _ in KIND_FILES}:
            return kind
    for kind, name in KIND_FILES:
        if (folder / name).is_file():
            return kind
    return None


def find_outputs(root: Path) -> list[dict[str, Any]]:
    """Every ensemble, plan and SDDP folder at WORKDIR/NAME or WORKDIR/GROUP/NAME."""
    found = []
    for first in sorted(root.iterdir()):
        if not _candidate(first) or first.name in APP_FOLDERS:
            continue
        places = [first] + sorted(p for p in first.iterdir() if _candidate(p))
        for folder in places:
            kind = kind_of(folder)
            if kind:
                ident = folder.relative_to(root).as_posix()
                found.append({"id": ident, "kind": kind, "name": folder.name,
                              "report": (folder / "report.html").is_file(),
                              "files": sorted(p.name for p in folder.iterdir()
                                              if p.is_file() and not p.name.startswith("."))})
    return found


def _candidate(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and bool(NAME_PATTERN.match(path.name))


def output_folder(root: Path, ident: str) -> Path:
    """The folder of an output id (`NAME` or `GROUP/NAME`), checked part by part."""
    parts = ident.split("/")
    if not 1 <= len(parts) <= 2:
        raise BadName("an output id is NAME or GROUP/NAME")
    for part in parts:
        check_name(part, "output id")
    if parts[0] in APP_FOLDERS:
        raise BadName(f"{parts[0]}/ holds the app's own files, not outputs")
    folder = root.joinpath(*parts)
    if folder.is_symlink() or not folder.resolve().is_relative_to(root.resolve()):
        raise BadName("output id leaves the workdir")
    return folder


def output_detail(root: Path, ident: str) -> dict[str, Any] | None:
    folder = output_folder(root, ident)
    kind = kind_of(folder) if folder.is_dir() else None
    if kind is None:
        return None
    out: dict[str, Any] = {"id": ident, "kind": kind, "name": folder.name,
                           "report": (folder / "report.html").is_file(), "tables": []}
    for name in (n for k, n in KIND_FILES if k == kind):
        try:
            out["manifest"] = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            out["manifest"] = None
    for name in TABLES.get(kind, []):
        path = folder / name
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            if rows:
                out["tables"].append({"name": name, "columns": rows[0],
                                      "rows": rows[1:MAX_ROWS + 1],
                                      "truncated": len(rows) - 1 > MAX_ROWS})
    return out
