"""Other outputs in the workdir: ensembles, plans and SDDP runs, read from their folders.

The app does not make these (`vakhsh ensemble`, `vakhsh plan` and `vakhsh sddp` do,
e.g. with `--out WORKDIR/ensembles/dry`); it finds them, one or two folders below the
workdir, by their output marker or the file each kind writes first-hand, and serves their
tables and report.html. Nothing here writes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from vakhsh.app.workdir import NAME_PATTERN, BadName, check_name
from vakhsh.outputs import read_marker

# the file each kind writes first-hand (`vakhsh sddp`: its saved policy), for folders
# written before markers, in order of precedence
KIND_FILES = [("ensemble", "ensemble.json"), ("plan", "plan.json"), ("sddp", "policy/policy.json")]
# the JSON shown as the output's manifest, and its tables (first rows only)
MANIFESTS = {"ensemble": "ensemble.json", "plan": "plan.json", "sddp": "summary.json"}
TABLES = {
    "ensemble": ["aggregates.csv", "metrics.csv"],
    "plan": ["ranking.csv"],
    "sddp": ["training.csv", "members.csv", "water_values.csv"],
}
APP_FOLDERS = {"models", "runs", "jobs"}
MAX_ROWS = 200


def kind_of(folder: Path) -> str | None:
    """The kind of output a folder is: its marker's (`vakhsh.outputs.read_marker`), else
    the file that kind writes."""
    found = read_marker(folder)
    if found and found["kind"] in {k for k, _ in KIND_FILES}:
        return found["kind"]
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
                found.append(
                    {
                        "id": ident,
                        "kind": kind,
                        "name": folder.name,
                        "report": (folder / "report.html").is_file(),
                        "files": sorted(
                            p.name
                            for p in folder.iterdir()
                            if p.is_file() and not p.name.startswith(".")
                        ),
                    }
                )
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
    out: dict[str, Any] = {
        "id": ident,
        "kind": kind,
        "name": folder.name,
        "report": (folder / "report.html").is_file(),
        "tables": [],
    }
    try:
        out["manifest"] = json.loads((folder / MANIFESTS[kind]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        out["manifest"] = None
    for name in TABLES.get(kind, []):
        path = folder / name
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            if rows:
                out["tables"].append(
                    {
                        "name": name,
                        "columns": rows[0],
                        "rows": rows[1 : MAX_ROWS + 1],
                        "truncated": len(rows) - 1 > MAX_ROWS,
                    }
                )
    return out
