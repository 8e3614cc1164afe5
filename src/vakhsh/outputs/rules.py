"""The checks: may this path receive this kind of output? (Nothing is written here.)"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vakhsh.outputs.layout import API_OPTION, API_OVERWRITE, TMP_TAG, OutputError
from vakhsh.outputs.locks import owner_of
from vakhsh.outputs.markers import describe, file_signature, foreign_entries, read_marker


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


def resolve_target(path: str | Path, option: str, overwrite_flag: str | None) -> Target:
    """`option` names the path in messages (`--out` on the command line, `path` from
    Python); the overwrite switch is named to match unless given."""
    if overwrite_flag is None:
        overwrite_flag = "--overwrite" if option.startswith("-") else API_OVERWRITE
    shown = str(path)
    absolute = Path(os.path.abspath(os.path.expanduser(str(path))))
    if absolute.name == "":
        target = Target(absolute, shown, option, overwrite_flag)
        raise target.error(
            "is the root folder: vakhsh never writes over it; give a "
            f"new folder, e.g. {option} runs/NAME"
        )
    real = Path(os.path.realpath(absolute.parent)) / absolute.name
    return Target(real, shown, option, overwrite_flag)


def protected(path: Path) -> str | None:
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


def parent_problem(target: Target) -> OutputError | None:
    """The nearest existing ancestor must be a folder we may write in."""
    ancestor = target.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return target.error(
            f"{ancestor} is a file, so this cannot be created there; give another {target.option}"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return target.error(
            f"cannot write in {ancestor} (permission denied or read-only); "
            f"give a {target.option} in a folder you can write"
        )
    return None


def live_writer(target: Target) -> dict[str, Any] | None:
    """The owner of another live temporary sibling for this target, if any."""
    prefix = f".{target.name}{TMP_TAG}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return None
    for entry in entries:
        if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
            owner = owner_of(Path(entry.path))
            if owner is not None and owner.get("alive"):
                return owner
    return None


def _entries(folder: Path, limit: int = 3) -> tuple[int, list[str]]:
    names = sorted(os.listdir(folder))
    return len(names), names[:limit]


def folder_problem(
    target: Target, kind: str, overwrite: bool, writers: bool = True, resume: bool = False
) -> OutputError | None:
    """Why `target` may not receive a `kind` folder, or None. `writers=False` skips the
    look for another live writer (at swap time, where our own temporary is one);
    `resume=True` reuses vakhsh's folder of the same kind as it is (nothing replaced)."""
    problem = parent_problem(target)
    if problem is not None:
        return problem
    path, option, flag = target.path, target.option, target.overwrite_flag
    if path.is_symlink():
        return target.error(
            "is a symbolic link: vakhsh does not write through it; give "
            f"the folder it points to, or another {option}"
        )
    if os.path.lexists(path):
        if not path.is_dir():
            return target.error(
                f"is a file, not a folder: nothing was changed; give a folder name for {option}"
            )
        why = protected(path)
        if why is not None:
            return target.error(
                f"is {why}: vakhsh never writes over it; give a new folder, e.g. {option} runs/NAME"
            )
        found = read_marker(path)
        if found is not None:
            if found["kind"] != kind:
                return target.error(
                    f"is a {describe(found['kind'])} of vakhsh, not a "
                    f"{describe(kind)}: nothing was changed; give another "
                    f"{option}"
                )
            if resume:
                return None
            if not overwrite:
                return target.error(
                    f"is an earlier {describe(kind)} written by vakhsh "
                    f"({found.get('created') or 'date unknown'}); pass {flag} "
                    f"to replace it, or give another {option}"
                )
            foreign = foreign_entries(path, found)
            if foreign:
                return target.error(
                    f"is an earlier {describe(kind)} written by vakhsh, "
                    f"with files added since ({', '.join(foreign[:3])}): "
                    f"nothing was "
                    f"changed; move them out first, or give another "
                    f"{option}"
                )
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
                    f"({flag} replaces only a folder vakhsh wrote)"
                )
    owner = live_writer(target) if writers else None
    if owner is not None:
        return target.error(
            f"is being written by another vakhsh process (pid "
            f"{owner.get('pid', '?')}, since {owner.get('created', '?')}); "
            f"wait for it to finish, or give another {option}"
        )
    return None


def file_problem(
    target: Target, kind: str, overwrite: bool, writers: bool = True
) -> OutputError | None:
    problem = parent_problem(target)
    if problem is not None:
        return problem
    path, option, flag = target.path, target.option, target.overwrite_flag
    if path.is_symlink():
        return target.error(
            f"is a symbolic link: vakhsh does not write through it; give another {option}"
        )
    if os.path.lexists(path):
        if path.is_dir():
            return target.error(
                f"is a folder, not a file: nothing was changed; give a file name for {option}"
            )
        found = file_signature(path)
        if found != kind:
            what = (
                f"is a {describe(found)} of vakhsh, not a {describe(kind)}"
                if found
                else "exists and was not written by vakhsh"
            )
            return target.error(
                f"{what}: nothing was changed; give another {option} "
                f"({flag} replaces only a {describe(kind)} vakhsh wrote)"
            )
        if not overwrite:
            return target.error(
                f"is an earlier {describe(kind)} written by vakhsh; pass "
                f"{flag} to replace it, or give another {option}"
            )
    owner = live_writer(target) if writers else None
    if owner is not None:
        return target.error(
            f"is being written by another vakhsh process (pid "
            f"{owner.get('pid', '?')}); wait for it, or give another "
            f"{option}"
        )
    return None


def check_folder(
    path: str | Path,
    kind: str,
    overwrite: bool = False,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
) -> Path:
    """Raise OutputError unless `path` may receive a `kind` output folder; write nothing.

    Returns the resolved path."""
    target = resolve_target(path, option, overwrite_flag)
    problem = folder_problem(target, kind, overwrite)
    if problem is not None:
        raise problem
    return target.path


def check_file(
    path: str | Path,
    kind: str,
    overwrite: bool = False,
    option: str = API_OPTION,
    overwrite_flag: str | None = None,
) -> Path:
    """Raise OutputError unless `path` may receive a `kind` output file; write nothing."""
    target = resolve_target(path, option, overwrite_flag)
    problem = file_problem(target, kind, overwrite)
    if problem is not None:
        raise problem
    return target.path
