"""The models the app offers (embedded datasets and WORKDIR/models/*), and a small cache
of what child processes computed about them and about finished runs.

A cached value is keyed by the file names, sizes and modification times of the folder it
was computed from, so a model folder changed by hand is read again; concurrent requests
for the same value share one computation.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from vakhsh.app.workdir import NAME_PATTERN, Workdir
from vakhsh.network.load import embedded_datasets

MODEL_FILE = "model.yaml"


class Catalogue:
    def __init__(self, work: Workdir):
        self.work = work
        self.embedded = embedded_datasets()

    def folders(self) -> dict[str, tuple[Path, str]]:
        """name -> (folder, source), embedded first; a workdir model cannot shadow one."""
        out = {name: (folder, "embedded") for name, folder in self.embedded.items()}
        for folder in sorted(self.work.models.iterdir()):
            if (
                folder.is_dir()
                and not folder.is_symlink()
                and NAME_PATTERN.match(folder.name)
                and (folder / MODEL_FILE).is_file()
                and folder.name not in out
            ):
                out[folder.name] = (folder, "workdir")
        return out

    def find(self, name: str) -> tuple[Path, str]:
        found = self.folders().get(name)
        if found is None:
            known = ", ".join(self.folders()) or "none"
            raise LookupError(f"no model named {name!r} (known: {known})")
        return found


def signature(folder: Path, depth: int = 2) -> tuple:
    """Names, sizes and modification times of the files a value was computed from."""
    entries = []
    stack = [(folder, 0)]
    while stack:
        here, level = stack.pop()
        try:
            children = sorted(here.iterdir())
        except OSError:
            continue
        for path in children:
            try:
                info = path.stat()
            except OSError:
                continue
            if path.is_dir():
                if level < depth:
                    stack.append((path, level + 1))
            else:
                entries.append((str(path.relative_to(folder)), info.st_size, info.st_mtime_ns))
    return tuple(entries)


class Cache:
    def __init__(self, size: int = 128):
        self.size = size
        self.values: OrderedDict[Any, Any] = OrderedDict()
        self.pending: dict[Any, asyncio.Future] = {}

    async def get(self, key: Any, compute: Callable[[], Awaitable[Any]]) -> Any:
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        if key in self.pending:
            return await asyncio.shield(self.pending[key])
        future = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        try:
            value = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when unshared
            raise
        finally:
            self.pending.pop(key, None)
        future.set_result(value)
        self.values[key] = value
        while len(self.values) > self.size:
            self.values.popitem(last=False)
        return value
