"""Markers (`.vakhsh-output.json` in a folder) and signatures (inside a file): how vakhsh
recognises what it wrote. Also the two low-level atomic file operations."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from vakhsh.outputs.layout import (
    LOCK_FILE,
    MARKER,
    PART_TAG,
    SIGNATURE_BYTES,
    TMP_TAG,
    now,
    version,
)


def marker(kind: str, **meta: Any) -> dict[str, Any]:
    return {"kind": kind, "vakhsh": version(), "created": now(), **meta}


def read_marker(folder: str | Path) -> dict[str, Any] | None:
    """The marker of a folder vakhsh wrote, or None. A Zarr store carries it in its root
    attributes instead (`netcdf_signature`), where Zarr expects nothing else."""
    folder = Path(folder)
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        data = _zarr_marker(folder)
    return data if isinstance(data, dict) and isinstance(data.get("kind"), str) else None


def _zarr_marker(folder: Path) -> dict[str, Any] | None:
    try:
        attrs = json.loads((folder / ".zattrs").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(attrs, dict) or "vakhsh_output" not in attrs:
        return None
    return {"kind": attrs["vakhsh_output"], "created": attrs.get("vakhsh_created")}


KIND_NAMES = {
    "run": "run folder",
    "plan": "plan folder",
    "ensemble": "ensemble folder",
    "frontier": "frontier folder",
    "model": "model folder",
    "plots": "plots folder",
    "zarr": "Zarr store",
    "inflows": "inflow ensemble file",
    "lp": "LP file",
    "report": "report page",
    "compare": "comparison page",
}


def describe(kind: str) -> str:
    """What a kind of output is called in messages ("run folder", "LP file")."""
    return KIND_NAMES.get(kind, f"{kind} output")


def write_marker(folder: str | Path, kind: str, **meta: Any) -> Path:
    """Mark `folder` as vakhsh's output of `kind`, listing the entries it holds now (so
    that a later overwrite can tell a file somebody added from vakhsh's own)."""
    folder = Path(folder)
    path = folder / MARKER
    data = {**marker(kind, **meta), "files": own_entries(folder)}
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")
    return path


def record_files(folder: str | Path) -> None:
    """Add the entries `folder` holds now to its marker's list (after vakhsh wrote more
    into a folder it owns: a report, plots, more ensemble runs)."""
    folder = Path(folder)
    found = read_marker(folder)
    if found is None:
        return
    found["files"] = sorted(set(found.get("files") or []) | set(own_entries(folder)))
    write_text_atomic(folder / MARKER, json.dumps(found, indent=2) + "\n")


def own_entries(folder: Path) -> list[str]:
    return sorted(
        n for n in os.listdir(folder) if n not in (MARKER, LOCK_FILE) and TMP_TAG not in n
    )


def foreign_entries(folder: Path, found: dict[str, Any]) -> list[str]:
    """Entries of a marked folder that vakhsh did not list as its own."""
    listed = found.get("files")
    if not isinstance(listed, list):
        return []
    return [n for n in own_entries(folder) if n not in set(listed)]


def signature(kind: str) -> str:
    """The text a text file output carries near its start (in a comment)."""
    return f"vakhsh-output:{kind} vakhsh {version()} {now()}"


def html_signature(kind: str) -> str:
    """The comment an HTML page vakhsh writes carries (right after its DOCTYPE)."""
    return f"<!-- {signature(kind)} -->"


def netcdf_signature(kind: str) -> dict[str, str]:
    """Global attributes a netCDF output carries."""
    return {"vakhsh_output": kind, "vakhsh_version": version(), "vakhsh_created": now()}


_TEXT_SIGNATURE = re.compile(rb"vakhsh-output:([A-Za-z0-9_-]+)")


def file_signature(path: str | Path) -> str | None:
    """The kind of output vakhsh wrote to this file, or None when vakhsh did not."""
    path = Path(path)
    if path.suffix.lower() == ".nc":
        return _netcdf_kind(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SIGNATURE_BYTES)
    except OSError:
        return None
    found = _TEXT_SIGNATURE.search(head)
    return found.group(1).decode() if found else None


def _netcdf_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError:
        return None
    try:
        if magic.startswith(b"\x89HDF"):
            import h5py

            with h5py.File(path, "r") as f:
                value = f.attrs.get("vakhsh_output")
        elif magic.startswith(b"CDF"):
            from scipy.io import netcdf_file

            with netcdf_file(path, "r", mmap=False) as f:
                value = getattr(f, "vakhsh_output", None)
        else:
            return None
    except Exception:  # noqa: BLE001 - an unreadable file is not one vakhsh wrote
        return None
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return str(value) if value else None


def prepend_comment(path: str | Path, prefix: str, kind: str) -> None:
    """Put `prefix + signature(kind)` as the first line of a text file (LP/MPS)."""
    path = Path(path)
    copy = path.with_name(path.name + ".signed")
    with open(path, "rb") as src, open(copy, "wb") as dst:
        dst.write(f"{prefix}{signature(kind)}\n".encode())
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(copy, path)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write one file inside a folder vakhsh owns: to a temporary name, then renamed.

    No policy: the caller owns the folder (an ensemble's index, a run's timings)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{PART_TAG}{secrets.token_hex(4)}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path
