"""Unpack an uploaded, zipped model folder without trusting it.

Refused, each with a message naming the entry: absolute paths (`/etc/x`, `C:\\x`),
entries that climb out (`../x`), symbolic links and other special files, more entries
or more unpacked bytes than a model folder needs (a zip bomb), and a zip with no
model.yaml. Entries are written one by one as plain files under the target (never
`extractall`), so nothing can land outside it.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from vakhsh.errors import ModelError, Problem

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2000
MODEL_FILE = "model.yaml"
CHUNK = 1 << 20


def _problem(entry: str, message: str) -> Problem:
    return Problem("upload", entry, message)


def entry_problems(info: zipfile.ZipInfo) -> list[Problem]:
    name = info.filename
    if "\\" in name:
        return [
            _problem(
                name,
                "backslash in an entry name (a Windows path?); zip the "
                "folder with a tool that writes '/'",
            )
        ]
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return [_problem(name, "absolute path: entries must be relative to the folder")]
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        return [_problem(name, "leaves the folder ('..')")]
    # the Unix file type, where the zip records one (zips from Windows have none)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return [_problem(name, "symbolic link: a model folder holds plain files only")]
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return [_problem(name, "not a plain file or folder")]
    return []


def unpack(zip_path: Path, target: Path) -> Path:
    """Unpack into `target` (an empty folder); return the model folder inside it (the
    target itself, or its one top folder). ModelError lists every problem."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError([_problem("", f"not a zip file ({exc})")]) from None
    with archive:
        infos = archive.infolist()
        problems = [p for info in infos for p in entry_problems(info)]
        names = [i.filename.rstrip("/") for i in infos]
        problems += [_problem(n, "appears twice") for n in sorted(set(names)) if names.count(n) > 1]
        if len(infos) > MAX_ENTRIES:
            problems.append(
                _problem("", f"{len(infos)} entries; a model folder has at most {MAX_ENTRIES}")
            )
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNPACKED_BYTES:
            problems.append(
                _problem(
                    "",
                    f"unpacks to {declared / 2**20:,.0f} MB; at most "
                    f"{MAX_UNPACKED_BYTES / 2**20:,.0f} MB",
                )
            )
        if problems:
            raise ModelError(problems)
        written = 0
        for info in infos:
            parts = [p for p in PurePosixPath(info.filename).parts if p not in ("", ".")]
            if not parts or parts[0] == "__MACOSX":
                continue
            path = target.joinpath(*parts)
            if info.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(path, "xb") as sink:
                    # count what is really unpacked: the sizes in the header may lie
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > MAX_UNPACKED_BYTES:
                            raise ModelError(
                                [
                                    _problem(
                                        info.filename,
                                        "unpacks to more "
                                        f"than {MAX_UNPACKED_BYTES / 2**20:,.0f}"
                                        " MB",
                                    )
                                ]
                            )
                        sink.write(chunk)
            except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
                # a file where a folder should be, a bad CRC, encryption, an odd method
                raise ModelError([_problem(info.filename, f"cannot be unpacked ({exc})")]) from None
    return model_root(target)


def model_root(target: Path) -> Path:
    if (target / MODEL_FILE).is_file():
        return target
    entries = [p for p in target.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / MODEL_FILE).is_file():
        return entries[0]
    raise ModelError(
        [_problem("", f"no {MODEL_FILE} at the top of the zip or in its one top folder")]
    )
