"""Output folders and files that never lose what was there before.

Every command and API of vakhsh that writes goes through this module:

- ``output_folder(path, kind)`` checks ``path`` at once (call it before loading or
  solving anything), reserves a temporary sibling ``.NAME.vakhsh-tmp-XXXXXXXX/``, yields
  it for the caller to build the *whole* output in, and on success renames it into place
  once. An existing folder is replaced by rename-aside-then-swap; the aside copy is
  removed only after the swap.
- ``output_file(path, kind)`` does the same for one file: the temporary sibling is a
  folder holding the file under its final name, renamed over the target (``os.replace``).
- ``resumable_folder(path, kind)`` is for outputs written piece by piece and resumed
  (ensembles): it creates the folder with its marker, or reuses one of the same kind.
- ``check_folder`` / ``check_file`` run the checks alone (nothing is written).
- ``write_text_atomic`` writes one file inside a folder vakhsh owns (no policy).

The rules, the same for every command:

- every output folder holds ``.vakhsh-output.json`` (kind, vakhsh version, created);
  a file output carries the same facts inside (``file_signature``): a netCDF global
  attribute ``vakhsh_output``, or the text ``vakhsh-output:KIND`` in its first 4 KB (an
  HTML comment, an LP/MPS comment line);
- an existing non-empty folder, or a file, that is not vakhsh's output of the same kind
  is refused; ``overwrite=True`` replaces only vakhsh's own output of the same kind, and
  never ``.``, ``~``, ``/``, the working directory or a folder holding it;
- a file where a folder is wanted (or the reverse), a symbolic link, a parent that cannot
  be written: refused, before anything is computed;
- a target that another live process is writing is refused (its temporary sibling holds a
  lock, ``flock`` on ``.vakhsh-writing``, released by the kernel when its owner dies);
- temporaries of writers that were killed are removed by the next writer in the same
  folder, and an aside copy left by a writer killed between its two renames is put back.

Every refusal is an ``OutputError`` (a VakhshError: exit status 2 on the command line,
naming the path and the way out).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vakhsh.errors import VakhshError

try:  # POSIX; elsewhere liveness falls back to the owner's pid
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MARKER = ".vakhsh-output.json"
LOCK_FILE = ".vakhsh-writing"
TMP_TAG = ".vakhsh-tmp-"
OLD_TAG = ".vakhsh-old-"
TRASH_TAG = ".vakhsh-trash-"
PART_TAG = ".vakhsh-part-"  # one file being written inside a folder vakhsh owns
SIGNATURE_BYTES = 4096
# how long a writer waits for another to finish its (sub-second) check-and-rename step
PARENT_LOCK_TIMEOUT_S = 60.0

# the names shown in messages: the command line passes its own (--out, --overwrite)
API_OPTION = "path"
API_OVERWRITE = "overwrite=True"


class OutputError(VakhshError):
    """An output path that vakhsh refuses to write; nothing was changed."""

    def __init__(self, shown: str, message: str, option: str = API_OPTION):
        self.shown, self.message, self.option = shown, message, option
        where = f"{option} {shown}" if option.startswith("-") else shown
        super().__init__(f"{where}: {message}")


def _version() -> str:
    from vakhsh import __version__

    return __version__


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ markers, signatures
def marker(kind: str, **meta: Any) -> dict[str, Any]:
    return {"kind": kind, "vakhsh": _version(), "created": _now(), **meta}


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


KIND_NAMES = {"run": "run folder", "plan": "plan folder", "ensemble": "ensemble folder",
              "frontier": "frontier folder", "model": "model folder", "plots": "plots folder",
              "zarr": "Zarr store", "inflows": "inflow ensemble file", "lp": "LP file",
              "report": "report page", "compare": "comparison page"}


def describe(kind: str) -> str:
    """What a kind of output is called in messages ("run folder", "LP file")."""
    return KIND_NAMES.get(kind, f"{kind} output")


def write_marker(folder: str | Path, kind: str, **meta: Any) -> Path:
    """Mark `folder` as vakhsh's output of `kind`, listing the entries it holds now (so
    that a later overwrite can tell a file somebody added from vakhsh's own)."""
    folder = Path(folder)
    path = folder / MARKER
    data = {**marker(kind, **meta), "files": _own_entries(folder)}
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")
    return path


def record_files(folder: str | Path) -> None:
    """Add the entries `folder` holds now to its marker's list (after vakhsh wrote more
    into a folder it owns: a report, plots, more ensemble runs)."""
    folder = Path(folder)
    found = read_marker(folder)
    if found is None:
        return
    found["files"] = sorted(set(found.get("files") or []) | set(_own_entries(folder)))
    write_text_atomic(folder / MARKER, json.dumps(found, indent=2) + "\n")


def _own_entries(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n not in (MARKER, LOCK_FILE)
                  and TMP_TAG not in n)


def _foreign_entries(folder: Path, found: dict[str, Any]) -> list[str]:
    """Entries of a marked folder that vakhsh did not list as its own."""
    listed = found.get("files")
    if not isinstance(listed, list):
        return []
    return [n for n in _own_entries(folder) if n not in set(listed)]


def signature(kind: str) -> str:
    """The text a text file output carries near its start (in a comment)."""
    return f"vakhsh-output:{kind} vakhsh {_version()} {_now()}"


def html_signature(kind: str) -> str:
    """The comment an HTML page vakhsh writes carries (right after its DOCTYPE)."""
    return f"<!-- {signature(kind)} -->"


def netcdf_signature(kind: str) -> dict[str, str]:
    """Global attributes a netCDF output carries."""
    return {"vakhsh_output": kind, "vakhsh_version": _version(), "vakhsh_created": _now()}


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


# ------------------------------------------------------------------ paths and checks
@dataclass(frozen=True)
class Target:
    """Where an output goes, resolved: `path` = realpath(parent) / name."""

    path: Path
    shown: str
    option: str
    overwrite_flag: str

    @property
    def parent(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return self.path.name

    def error(self, message: str) -> OutputError:
        return OutputError(self.shown, message, self.option)


def _target(path: str | Path, option: str, overwrite_flag: str | None) -> Target:
    """`option` names the path in messages (`--out` on the command line, `path` from
    Python); the overwrite switch is named to match unless given."""
    if overwrite_flag is None:
        overwrite_flag = "--overwrite" if option.startswith("-") else API_OVERWRITE
    shown = str(path)
    absolute = Path(os.path.abspath(os.path.expanduser(str(path))))
    if absolute.name == "":
        target = Target(absolute, shown, option, overwrite_flag)
        raise target.error("is the root folder: vakhsh never writes over it; give a "
                           f"new folder, e.g. {option} runs/NAME")
    real = Path(os.path.realpath(absolute.parent)) / absolute.name
    return Target(real, shown, option, overwrite_flag)


def _protected(path: Path) -> str | None:
    """Why vakhsh must never replace this folder, or None."""
    real = Path(os.path.realpath(path))
    cwd = Path(os.path.realpath(Path.cwd()))
    home = Path(os.path.realpath(Path.home()))
    if real == Path(real.anchor):
        return "the root folder"
    if real == home:
        return "your home folder"
    if real == cwd:
        return "the working directory"
    if real in cwd.parents:
        return "a folder holding the working directory"
    if real in home.parents:
        return "a folder holding your home folder"
    return None


def _parent_problem(target: Target) -> OutputError | None:
    """The nearest existing ancestor must be a folder we may write in."""
    ancestor = target.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return target.error(f"{ancestor} is a file, so this cannot be created there; "
                            f"give another {target.option}")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return target.error(f"cannot write in {ancestor} (permission denied or read-only); "
                            f"give a {target.option} in a folder you can write")
    return None


def _live_writer(target: Target) -> dict[str, Any] | None:
    """The owner of another live temporary sibling for this target, if any."""
    prefix = f".{target.name}{TMP_TAG}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return None
    for entry in entries:
        if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
            owner = _owner(Path(entry.path))
            if owner is not None and owner.get("alive"):
                return owner
    return None


def _entries(folder: Path, limit: int = 3) -> tuple[int, list[str]]:
    names = sorted(os.listdir(folder))
    return len(names), names[:limit]


def _folder_problem(target: Target, kind: str, overwrite: bool,
                    writers: bool = True, resume: bool = False) -> OutputError | None:
    """Why `target` may not receive a `kind` folder, or None. `writers=False` skips the
    look for another live writer (at swap time, where our own temporary is one);
    `resume=True` reuses vakhsh's folder of the same kind as it is (nothing replaced)."""
    problem = _parent_problem(target)
    if problem is not None:
        return problem
    path, option, flag = target.path, target.option, target.overwrite_flag
    if path.is_symlink():
        return target.error("is a symbolic link: vakhsh does not write through it; give "
                            f"the folder it points to, or another {option}")
    if os.path.lexists(path):
        if not path.is_dir():
            return target.error(f"is a file, not a folder: nothing was changed; give a "
                                f"folder name for {option}")
        why = _protected(path)
        if why is not None:
            return target.error(f"is {why}: vakhsh never writes over it; give a new "
                                f"folder, e.g. {option} runs/NAME")
        found = read_marker(path)
        if found is not None:
            if found["kind"] != kind:
                return target.error(f"is a {describe(found['kind'])} of vakhsh, not a "
                                    f"{describe(kind)}: nothing was changed; give another "
                                    f"{option}")
            if resume:
                return None
            if not overwrite:
                return target.error(f"is an earlier {describe(kind)} written by vakhsh "
                                    f"({found.get('created') or 'date unknown'}); pass {flag} "
                                    f"to replace it, or give another {option}")
            foreign = _foreign_entries(path, found)
            if foreign:
                return target.error(f"is an earlier {describe(kind)} written by vakhsh, "
                                    f"with files added since ({', '.join(foreign[:3])}): "
                                    f"nothing was "
                                    f"changed; move them out first, or give another "
                                    f"{option}")
        else:
            try:
                count, first = _entries(path)
            except OSError as exc:
                return target.error(f"cannot be read ({exc.strerror})")
            if count:
                more = f" and {count - len(first)} more" if count > len(first) else ""
                return target.error(
                    f"exists and holds files vakhsh did not write ({', '.join(first)}"
                    f"{more}): nothing was changed; give a new folder for {option} "
                    f"({flag} replaces only a folder vakhsh wrote)")
    owner = _live_writer(target) if writers else None
    if owner is not None:
        return target.error(f"is being written by another vakhsh process (pid "
                            f"{owner.get('pid', '?')}, since {owner.get('created', '?')}); "
                            f"wait for it to finish, or give another {option}")
    return None


def _file_problem(target: Target, kind: str, overwrite: bool,
                  writers: bool = True) -> OutputError | None:
    problem = _parent_problem(target)
    if problem is not None:
        return problem
    path, option, flag = target.path, target.option, target.overwrite_flag
    if path.is_symlink():
        return target.error("is a symbolic link: vakhsh does not write through it; give "
                            f"another {option}")
    if os.path.lexists(path):
        if path.is_dir():
            return target.error(f"is a folder, not a file: nothing was changed; give a "
                                f"file name for {option}")
        found = file_signature(path)
        if found != kind:
            what = (f"is a {describe(found)} of vakhsh, not a {describe(kind)}" if found
                    else "exists and was not written by vakhsh")
            return target.error(f"{what}: nothing was changed; give another {option} "
                                f"({flag} replaces only a {describe(kind)} vakhsh wrote)")
        if not overwrite:
            return target.error(f"is an earlier {describe(kind)} written by vakhsh; pass "
                                f"{flag} to replace it, or give another {option}")
    owner = _live_writer(target) if writers else None
    if owner is not None:
        return target.error(f"is being written by another vakhsh process (pid "
                            f"{owner.get('pid', '?')}); wait for it, or give another "
                            f"{option}")
    return None


def check_folder(path: str | Path, kind: str, overwrite: bool = False,
                 option: str = API_OPTION, overwrite_flag: str | None = None) -> Path:
    """Raise OutputError unless `path` may receive a `kind` output folder; write nothing.

    Returns the resolved path."""
    target = _target(path, option, overwrite_flag)
    problem = _folder_problem(target, kind, overwrite)
    if problem is not None:
        raise problem
    return target.path


def check_file(path: str | Path, kind: str, overwrite: bool = False,
               option: str = API_OPTION, overwrite_flag: str | None = None) -> Path:
    """Raise OutputError unless `path` may receive a `kind` output file; write nothing."""
    target = _target(path, option, overwrite_flag)
    problem = _file_problem(target, kind, overwrite)
    if problem is not None:
        raise problem
    return target.path


# ------------------------------------------------------------------ locks and owners
@contextlib.contextmanager
def _parent_locked(target: Target) -> Iterator[None]:
    """Hold the parent folder's lock for a short check-and-rename step."""
    try:
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError as exc:
        raise target.error(f"cannot create or open {target.parent} "
                           f"({exc.strerror})") from None
    try:
        if fcntl is not None:
            deadline = time.monotonic() + PARENT_LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise target.error(f"{target.parent} stayed locked by another "
                                           "vakhsh process; try again") from None
                    time.sleep(0.02)
                except OSError:  # a file system without flock: go on unlocked
                    break
        yield
    finally:
        os.close(fd)


def _owner(tmp: Path) -> dict[str, Any] | None:
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
            owner = _owner(path)
            if owner is None and read_marker(path) is not None:
                shutil.rmtree(path, ignore_errors=True)  # finished, its writer killed
                cleaned.append(path)                     # at the swap
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


class _Reservation:
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
                raise self.target.error(f"cannot write in {parent} ({exc.strerror}); give "
                                        f"a {self.target.option} in a folder you can "
                                        "write") from None
        if self.tmp is None:
            raise self.target.error(f"cannot find a free temporary name in {parent}")
        self.fd = os.open(self.tmp / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self.fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                      "kind": self.kind, "created": _now(),
                                      "target": str(self.target.path)}).encode())

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


def _make_parents(target: Target) -> list[Path]:
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
            raise target.error(f"cannot create {folder} ({exc.strerror}); give a "
                               f"{target.option} in a folder you can write") from None
        made.append(folder)
    return made


def _reserve(target: Target, kind: str, problem, overwrite: bool) -> _Reservation:
    refused = _parent_problem(target)  # before creating any missing parent
    if refused is not None:
        raise refused
    reservation = _Reservation(target, kind)
    reservation.made = _make_parents(target)
    try:
        with _parent_locked(target):
            clean_stale(target.parent)
            found = problem(target, kind, overwrite)
            if found is not None:
                raise found
            reservation.create()
    except BaseException:
        reservation.discard()
        raise
    return reservation


# ------------------------------------------------------------------ the writers
@contextlib.contextmanager
def output_folder(path: str | Path, kind: str, overwrite: bool = False,
                  option: str = API_OPTION, overwrite_flag: str | None = None,
                  marker_file: bool = True, **meta: Any) -> Iterator[Path]:
    """Check `path` now, yield an empty temporary folder to build the output in, then
    put it in place with its marker (`kind`, version, created, `meta`) in one rename.

    On an exception inside the block the temporary folder is removed and `path` is left
    as it was. `overwrite=True` replaces an earlier output vakhsh wrote of the same kind.
    `marker_file=False`: the caller marks the folder itself (a Zarr store's attributes).
    """
    target = _target(path, option, overwrite_flag)
    reservation = _reserve(target, kind, _folder_problem, overwrite)
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


def _swap_in(target: Target, reservation: _Reservation, kind: str,
             overwrite: bool) -> Path | None:
    """Rename the finished temporary into place (moving an earlier output aside first);
    returns the aside copy, for the caller to remove after the lock is released."""
    path, token = target.path, reservation.token
    with _parent_locked(target):
        # someone may have created the target while we computed: the same rules again
        problem = _folder_problem(target, kind, overwrite, writers=False)
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
def output_file(path: str | Path, kind: str, overwrite: bool = False,
                option: str = API_OPTION,
                overwrite_flag: str | None = None) -> Iterator[Path]:
    """Check `path` now, yield a temporary file path (same name, in a temporary sibling
    folder) for the caller to write, then rename it over `path` in one step.

    The caller writes the file's signature (`signature`, `netcdf_signature`) into it, so
    that a later `overwrite=True` recognises it as vakhsh's own.
    """
    target = _target(path, option, overwrite_flag)
    reservation = _reserve(target, kind, _file_problem, overwrite)
    try:
        written = reservation.tmp / target.name
        yield written
        if not written.is_file():
            raise FileNotFoundError(f"nothing was written to {written}")
        with _parent_locked(target):
            problem = _file_problem(target, kind, overwrite, writers=False)
            if problem is not None:
                raise problem
            os.replace(written, target.path)
    except BaseException:
        reservation.discard()
        raise
    reservation.discard(failed=False)  # the lock file and the empty temporary folder


def write_text_file(path: str | Path, text: str, kind: str, overwrite: bool = False,
                    option: str = API_OPTION, overwrite_flag: str | None = None) -> Path:
    """One text output file through `output_file`; `text` must carry `signature(kind)`."""
    with output_file(path, kind, overwrite, option, overwrite_flag) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextlib.contextmanager
def resumable_folder(path: str | Path, kind: str, option: str = API_OPTION,
                     overwrite_flag: str | None = None, **meta: Any) -> Iterator[Path]:
    """A folder written piece by piece and resumed later (an ensemble): created with its
    marker when missing or empty, reused when it is vakhsh's output of the same kind,
    refused otherwise. Held locked while the block runs, so that two processes never
    write one folder at once."""
    target = _target(path, option, overwrite_flag)
    with _parent_locked(target):
        clean_stale(target.parent)
        problem = _folder_problem(target, kind, overwrite=False, resume=True)
        if problem is not None:
            raise problem
        fresh = not os.path.lexists(target.path) or read_marker(target.path) is None
    if fresh:
        with output_folder(path, kind, option=option, overwrite_flag=overwrite_flag,
                           **meta):
            pass
    lock = target.path / LOCK_FILE
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise target.error("is being written by another vakhsh process; wait "
                                   f"for it to finish, or give another {option}") from None
            except OSError:
                pass
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "created": _now()}).encode())
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
    target = _target(parent / f"vakhsh-{label}", API_OPTION, None)
    parent.mkdir(parents=True, exist_ok=True)
    with _parent_locked(target):
        clean_stale(parent)
        reservation = _Reservation(target, f"scratch-{label}")
        reservation.create()
    try:
        yield reservation.tmp
    finally:
        reservation.discard()


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


__all__ = ["MARKER", "OutputError", "check_file", "check_folder", "clean_stale",
           "describe", "file_signature", "html_signature", "netcdf_signature", "output_file", "output_folder",
           "prepend_comment", "read_marker", "record_files", "resumable_folder",
           "scratch_folder", "signature",
           "write_marker", "write_text_atomic", "write_text_file"]
