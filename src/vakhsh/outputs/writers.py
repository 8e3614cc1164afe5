"""The writers: output folders and files built aside and put in place in one step."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vakhsh.outputs.layout import API_OPTION, LOCK_FILE, OLD_TAG, TRASH_TAG, now
from vakhsh.outputs.locks import Reservation, clean_stale, fcntl, make_parents, parent_locked
from vakhsh.outputs.markers import read_marker, record_files, write_marker
from vakhsh.outputs.rules import (
    Target,
    file_problem,
    folder_problem,
    parent_problem,
    resolve_target,
)


def _reserve(target: Target, kind: str, problem, overwrite: bool) -> Reservation:
    refused = parent_problem(target)  # before creating any missing parent
    if refused is not None:
        raise refused
    reservation = Reservation(target, kind)
    reservation.made = make_parents(target)
    try:
        with parent_locked(target):
            clean_stale(target.parent)
            found = problem(target, kind, overwrite)
            if found is not None:
                raise found
            reservation.create()
    except BaseException:
        reservation.discard()
        raise
    return reservation


@contextlib.contextmanager
def output_folder(
    path: str | Path,
    kind: str,
    overwrite: bool = False,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
    marker_file: bool = True,
    **meta: Any,
) -> Iterator[Path]:
    """Check `path` now, yield an empty temporary folder to build the output in, then
    put it in place with its marker (`kind`, version, created, `meta`) in one rename.

    On an exception inside the block the temporary folder is removed and `path` is left
    as it was. `overwrite=True` replaces an earlier output vakhsh wrote of the same kind.
    `marker_file=False`: the caller marks the folder itself (a Zarr store's attributes).
    """
    target = resolve_target(path, option, overwrite_flag)
    reservation = _reserve(target, kind, folder_problem, overwrite)
    try:
        yield reservation.tmp
        if marker_file:
            write_marker(reservation.tmp, kind, **meta)
        aside = _swap_in(target, reservation, kind, overwrite)
    except BaseException:
        reservation.discard()
        raise
    reservation.release()
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _swap_in(target: Target, reservation: Reservation, kind: str, overwrite: bool) -> Path | None:
    """Rename the finished temporary into place (moving an earlier output aside first);
    returns the aside copy, for the caller to remove after the lock is released."""
    path, token = target.path, reservation.token
    with parent_locked(target):
        # someone may have created the target while we computed: the same rules again
        problem = folder_problem(target, kind, overwrite, writers=False)
        if problem is not None:
            raise problem
        # no lock file travels into the output; a writer killed from here on leaves a
        # marked temporary, which `clean_stale` removes as finished-but-orphaned
        with contextlib.suppress(OSError):
            os.unlink(reservation.tmp / LOCK_FILE)
        trash = None
        if os.path.lexists(path):
            old = target.parent / f".{target.name}{OLD_TAG}{token}"
            os.rename(path, old)
            try:
                os.rename(reservation.tmp, path)
            except BaseException:
                os.rename(old, path)
                raise
            trash = target.parent / f".{target.name}{TRASH_TAG}{token}"
            os.rename(old, trash)
        else:
            os.rename(reservation.tmp, path)
    return trash


@contextlib.contextmanager
def output_file(
    path: str | Path,
    kind: str,
    overwrite: bool = False,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
) -> Iterator[Path]:
    """Check `path` now, yield a temporary file path (same name, in a temporary sibling
    folder) for the caller to write, then rename it over `path` in one step.

    The caller writes the file's signature (`signature`, `netcdf_signature`) into it, so
    that a later `overwrite=True` recognises it as vakhsh's own.
    """
    target = resolve_target(path, option, overwrite_flag)
    reservation = _reserve(target, kind, file_problem, overwrite)
    try:
        written = reservation.tmp / target.name
        yield written
        if not written.is_file():
            raise FileNotFoundError(f"nothing was written to {written}")
        with parent_locked(target):
            problem = file_problem(target, kind, overwrite, writers=False)
            if problem is not None:
                raise problem
            os.replace(written, target.path)
    except BaseException:
        reservation.discard()
        raise
    reservation.discard(failed=False)  # the lock file and the empty temporary folder


def write_text_file(
    path: str | Path,
    text: str,
    kind: str,
    overwrite: bool = False,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
) -> Path:
    """One text output file through `output_file`; `text` must carry `signature(kind)`."""
    with output_file(path, kind, overwrite, option, overwrite_flag) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextlib.contextmanager
def resumable_folder(
    path: str | Path,
    kind: str,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
    **meta: Any,
) -> Iterator[Path]:
    """A folder written piece by piece and resumed later (an ensemble): created with its
    marker when missing or empty, reused when it is vakhsh's output of the same kind,
    refused otherwise. Held locked while the block runs, so that two processes never
    write one folder at once."""
    target = resolve_target(path, option, overwrite_flag)
    with parent_locked(target):
        clean_stale(target.parent)
        problem = folder_problem(target, kind, overwrite=False, resume=True)
        if problem is not None:
            raise problem
        fresh = not os.path.lexists(target.path) or read_marker(target.path) is None
    if fresh:
        with output_folder(path, kind, option=option, overwrite_flag=overwrite_flag, **meta):
            pass
    lock = target.path / LOCK_FILE
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise target.error(
                    "is being written by another vakhsh process; wait "
                    f"for it to finish, or give another {option}"
                ) from None
            except OSError:
                pass
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname(), "created": now()}
            ).encode(),
        )
        yield target.path
    finally:
        record_files(target.path)
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


@contextlib.contextmanager
def scratch_folder(label: str, under: str | Path | None = None) -> Iterator[Path]:
    """A private temporary folder (in the system's temporary folder unless `under`),
    removed when the block ends; if its owner is killed, the next scratch folder or
    output in the same place removes it."""
    import tempfile

    parent = Path(under) if under is not None else Path(tempfile.gettempdir())
    target = resolve_target(parent / f"vakhsh-{label}", API_OPTION, None)
    parent.mkdir(parents=True, exist_ok=True)
    with parent_locked(target):
        clean_stale(parent)
        reservation = Reservation(target, f"scratch-{label}")
        reservation.create()
    try:
        yield reservation.tmp
    finally:
        reservation.discard()
