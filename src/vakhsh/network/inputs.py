"""The files a run reads: confined to the model folder and hashed as they are read.

A series reference names a file in the model folder (FORMAT.md, "Time series"). The name
is resolved, symlinks included, and refused when it leaves the folder, so that a model can
neither read nor leak any other file of the machine. Each file is read once, as bytes: the
bytes parsed are the bytes hashed, and the hash of a model is the hash of exactly the
files its run read (model.yaml and the series it names), never of whatever else the
folder holds (vakhsh's own outputs, notes, other models).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from vakhsh.errors import Problem


class InputError(Exception):
    """A file a model names cannot be read; carries the Problem to report."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def confined_path(folder: Path, name: str) -> Path:
    """The path of `name` inside `folder`; an InputError if it leaves the folder.

    The message names the reference as written and never shows the file's content.
    """
    if Path(name).is_absolute():
        raise InputError(
            Problem(
                name,
                "",
                "a series file must be named relative to the model folder, not by an absolute path",
            )
        )
    root = folder.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(root):
        raise InputError(
            Problem(
                name,
                "",
                "lies outside the model folder (a series file "
                "must be inside it; a symbolic link must not lead out of it)",
            )
        )
    return path


def read_input(folder: Path, name: str) -> bytes:
    """The bytes of a file the model names, confined to the model folder."""
    path = confined_path(folder, name)
    if not path.is_file():
        raise InputError(Problem(name, "", "series file not found", folder / name))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(name, "", f"cannot be read ({exc.strerror})")) from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class InputFiles:
    """Every file a Network was built from, by name relative to its model folder, with the
    SHA-256 of the bytes read."""

    files: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """One hash over the names and hashes of every file (sorted by name)."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode())
            digest.update(b"\0")
            digest.update(self.files[name].encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def with_file(self, name: str, file_sha256: str) -> InputFiles:
        return InputFiles({**self.files, name: file_sha256})


class InputReader:
    """Reads the files of one model folder, each once, and records their hashes."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hashes: dict[str, str] = {}

    def read(self, name: str) -> bytes:
        data = read_input(self.folder, name)
        self.hashes[name] = sha256(data)
        return data

    def record(self, name: str, data: bytes) -> None:
        self.hashes[name] = sha256(data)

    def files(self) -> InputFiles:
        return InputFiles(dict(self.hashes))


@dataclass(frozen=True)
class InflowMember:
    """The ensemble member whose flows replaced a Network's catchment inflows."""

    file: str
    sha256: str
    member: int
    first_year: int  # years of the member used, 1 = its first twelve months
    last_year: int
    years_in_file: int
    months: str  # the member's own months used, "2024-10 .. 2025-09"
    catchments: tuple[str, ...]
    inflow_factor_by_month: tuple[float, ...] | None = None  # the scenario's, applied on top

    def describe(self) -> str:
        years = (
            f"year {self.first_year}"
            if self.first_year == self.last_year
            else f"years {self.first_year}-{self.last_year}"
        )
        text = (
            f"{Path(self.file).name} member {self.member}, {years} of "
            f"{self.years_in_file} (its months {self.months})"
        )
        if self.inflow_factor_by_month is not None:
            text += ", times the scenario's inflow_factor_by_month"
        return text

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "member": self.member,
            "years": [self.first_year, self.last_year],
            "years_in_file": self.years_in_file,
            "months": self.months,
            "catchments": list(self.catchments),
            "inflow_factor_by_month": (
                None if self.inflow_factor_by_month is None else list(self.inflow_factor_by_month)
            ),
        }
