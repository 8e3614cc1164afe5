"""The one error type of `vakhsh.hydrology`: it names a file, a field and the problem.

The CLI prints it as ``vakhsh: error: FILE: field: problem`` and exits with status 2.
"""

from __future__ import annotations

try:  # the project-wide base class, when present
    from vakhsh.errors import VakhshError as _Base
except ImportError:  # pragma: no cover - only while the tree is being assembled
    _Base = Exception


class InflowError(_Base):
    """Bad hydrology input, located by file and field."""

    def __init__(self, file: str, field: str, problem: str):
        self.file = str(file)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.file}: {field}: {problem}" if field else f"{self.file}: {problem}")

    def lines(self) -> list[str]:
        return [str(self)]
