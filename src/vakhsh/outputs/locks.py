"""Locks and owners: the parent folder's short lock, the lock a temporary holds for its
writer's lifetime, and the cleaning of temporaries whose writer was killed."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vakhsh.outputs.layout import (
    LOCK_FILE,
    OLD_TAG,
    PARENT_LOCK_TIMEOUT_S,
    TMP_TAG,
    TRASH_TAG,
    now,
)
from vakhsh.outputs.markers import read_marker

if TYPE_CHECKING:
    from vakhsh.outputs.rules import Target

try:  # POSIX; elsewhere liveness falls back to the owner's pid
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def parent_locked(target: Target) -> Iterator[None]:
    """Hold the parent folder's lock for a short check-and-rename step."""
    try:
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError as exc:
        raise target.error(f"cannot create or open {target.parent} ({exc.strerror})") from None
    try:
        if fcntl is not None:
            deadline = time.monotonic() + PARENT_LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise target.error(
                            f"{target.parent} stayed locked by another vakhsh process; try again"
                        ) from None
                    time.sleep(0.02)
                except OSError:  # a file system without flock: go on unlocked
                    break
        yield
    finally:
        os.close(fd)


def owner_of(tmp: Path) -> dict[str, Any] | None:
    """Who wrote this temporary and whether it still runs; None if it has no lock file."""
    lock = tmp / LOCK_FILE
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return None
    try:
        try:
            info = json.loads(os.read(fd, 4096) or b"{}")
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                alive = False  # we got the lock: its owner is gone
            except BlockingIOError:
                alive = True
            except OSError:
                alive = _pid_alive(info)
        else:  # pragma: no cover - Windows
            alive = _pid_alive(info)
        return {**info, "alive": alive}
    finally:
        os.close(fd)


def _pid_alive(info: dict[str, Any]) -> bool:
    if info.get("host") != socket.gethostname():
        return True  # another machine's writer: assume it runs
    try:
        os.kill(int(info.get("pid", -1)), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True


def clean_stale(folder: str | Path) -> list[Path]:
    """Remove the temporaries left in `folder` by vakhsh writers that were killed, and put
    back a folder moved aside by a writer killed in the middle of its swap. Call it with
    the folder's lock held (the writers below do)."""
    folder = Path(folder)
    cleaned: list[Path] = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(".")]
    except OSError:
        return cleaned
    for entry in entries:
        path = Path(entry.path)
        if not entry.is_dir(follow_symlinks=False):
            continue
        name = entry.name
        if TMP_TAG in name:
            owner = owner_of(path)
            if owner is None and read_marker(path) is not None:
                shutil.rmtree(path, ignore_errors=True)  # finished, its writer killed
                cleaned.append(path)  # at the swap
            elif owner is None:
                with contextlib.suppress(OSError):
                    os.rmdir(path)  # an empty one, killed before its lock existed
                    cleaned.append(path)
            elif not owner["alive"]:
                shutil.rmtree(path, ignore_errors=True)
                cleaned.append(path)
        elif OLD_TAG in name:
            original = folder / name[1:].rpartition(OLD_TAG)[0]
            if not os.path.lexists(original):
                os.rename(path, original)  # the writer died between its two renames
            elif read_marker(path) is not None or not os.listdir(path):
                shutil.rmtree(path, ignore_errors=True)
            cleaned.append(path)
        elif TRASH_TAG in name:
            shutil.rmtree(path, ignore_errors=True)
            cleaned.append(path)
    return cleaned


class Reservation:
    """A temporary sibling of the target, with its lock file held."""

    def __init__(self, target: Target, kind: str):
        self.target, self.kind = target, kind
        self.token = ""
        self.tmp: Path | None = None  # set once created: never remove anything else
        self.fd = -1
        self.made: list[Path] = []  # missing parents we created, removed if we fail

    def create(self) -> None:
        parent, name = self.target.parent, self.target.name
        for _ in range(100):
            token = secrets.token_hex(4)
            tmp = parent / f".{name}{TMP_TAG}{token}"
            try:
                os.mkdir(tmp)
                self.token, self.tmp = token, tmp
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise self.target.error(
                    f"cannot write in {parent} ({exc.strerror}); give "
                    f"a {self.target.option} in a folder you can "
                    "write"
                ) from None
        if self.tmp is None:
            raise self.target.error(f"cannot find a free temporary name in {parent}")
        self.fd = os.open(self.tmp / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(
            self.fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "kind": self.kind,
                    "created": now(),
                    "target": str(self.target.path),
                }
            ).encode(),
        )

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def discard(self, failed: bool = True) -> None:
        if self.tmp is not None and TMP_TAG in self.tmp.name:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.release()
        if failed:
            for folder in reversed(self.made):
                with contextlib.suppress(OSError):
                    os.rmdir(folder)  # only while still empty


def make_parents(target: Target) -> list[Path]:
    """Create the missing parents of the target; return those created, outermost first."""
    missing = []
    folder = target.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            for done in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(done)
            raise target.error(
                f"cannot create {folder} ({exc.strerror}); give a "
                f"{target.option} in a folder you can write"
            ) from None
        made.append(folder)
    return made
