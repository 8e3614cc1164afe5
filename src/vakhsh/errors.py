"""Errors a person can act on.

Every problem names the file and the dotted path of the field it concerns, so that
`vakhsh validate` can print `model.yaml: reservoirs.nurek.storage_min_hm3: exceeds
storage_max_hm3 (7000 > 6000)` and exit with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

_NO_VALUE = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by file and dotted field path."""

    file: str
    path: str
    message: str
    value: Any = _NO_VALUE

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        if self.value is _NO_VALUE:
            return f"{where}{self.message}"
        return f"{where}{self.message} ({_short(self.value)})"


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    if isinstance(value, PurePath):  # a path cut short no longer says where to look
        return text
    return text if len(text) <= limit else text[: limit - 3] + "..."


class VakhshError(Exception):
    """Base class of every error that the CLI reports without a traceback (exit 2)."""

    def lines(self) -> list[str]:
        return [str(self)]


class ModelError(VakhshError):
    """A model folder is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class SolveError(VakhshError):
    """The optimisation failed: infeasible, unbounded, or the solver stopped."""


class AuditError(VakhshError):
    """A result failed its own water or energy balance audit."""
