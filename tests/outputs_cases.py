"""Shared pieces of the output-safety tests: a user's folder to protect, a read-only
folder (also as root), snapshots compared byte for byte, and kills at controlled points.

Kills: a subprocess runs a short script that imports vakhsh, replaces one function with
a wrapper that sends SIGKILL to its own process at the chosen moment, then runs the
command or API call. Nothing in vakhsh knows about it: the kill is as abrupt as a power
cut at that point.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vakhsh.outputs.layout import LOCK_FILE, MARKER, OLD_TAG, PART_TAG, TMP_TAG, TRASH_TAG


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (hidden ones too) with its SHA-256."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def user_folder(path: Path) -> Path:
    """A folder of someone's own notes, with a hidden file and a sub-folder."""
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("field notes, 2019\n")
    (path / ".hidden").write_bytes(b"\x00\x01")
    (path / "sub").mkdir()
    (path / "sub" / "data.csv").write_text("a,b\n1,2\n")
    return path


def leftovers(folder: Path) -> list[str]:
    """vakhsh temporaries, aside copies or lock files left anywhere under `folder`."""
    tags = (TMP_TAG, OLD_TAG, TRASH_TAG, PART_TAG)
    return sorted(
        p.relative_to(folder).as_posix()
        for p in Path(folder).rglob("*")
        if any(t in p.name for t in tags) or p.name == LOCK_FILE
    )


def is_marked(folder: Path, kind: str) -> bool:
    import json

    path = Path(folder) / MARKER
    return path.is_file() and json.loads(path.read_text())["kind"] == kind


class ReadOnly:
    """Make a folder impossible to write in, also for root: mode 0555 for other users;
    for root (who ignores modes) the immutable attribute (`chattr +i`), which the kernel
    enforces for everyone. `how` says which was used."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.how = ""

    def __enter__(self) -> Path:
        if os.geteuid() != 0:
            self.folder.chmod(0o555)
            self.how = "chmod 0555"
            return self.folder
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip(
                "running as root without chattr: a folder cannot be made "
                "read-only (test_read_only_parent_message covers the check)"
            )
        done = subprocess.run([chattr, "+i", str(self.folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(
                "running as root on a file system without the immutable "
                "attribute: a folder cannot be made read-only "
                "(test_read_only_parent_message covers the check)"
            )
        self.how = "chattr +i (root)"
        return self.folder

    def __exit__(self, *exc) -> None:
        if self.how.startswith("chattr"):
            subprocess.run(["chattr", "-i", str(self.folder)], check=True)
        else:
            self.folder.chmod(0o755)


KILLER = """
import os, signal, sys, functools, importlib
module = importlib.import_module({module!r})
original = getattr({owner}, {name!r})
calls = [0]

@functools.wraps(original)
def dying(*args, **kwargs):
    calls[0] += 1
    if {before} and calls[0] == {nth}:
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if not {before} and calls[0] == {nth}:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr({owner}, {name!r}, dying)
{body}
"""


def run_killed(
    body: str,
    module: str,
    name: str,
    owner: str | None = None,
    nth: int = 1,
    before: bool = False,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run `body` (Python) in a subprocess whose `module.name` (or `owner.name`, an
    expression over `module`) kills the process on its `nth` call, after it returns (or
    before it runs, with `before`). Asserts that the process really was killed."""
    script = KILLER.format(
        module=module,
        owner=owner or "module",
        name=name,
        nth=nth,
        before=before,
        body=textwrap.dedent(body),
    )
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
    return done


def cli_body(*args: str) -> str:
    """A script body that runs the vakhsh command line with these arguments."""
    return (
        f"import sys\nsys.argv = ['vakhsh', *{list(map(str, args))!r}]\n"
        "from vakhsh.cli import main\nmain()\n"
    )
