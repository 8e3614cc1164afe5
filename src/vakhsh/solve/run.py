"""`optimise`: one network through the run pipeline (`vakhsh.solve.pipeline`).

Fixed head builds one LP; `SolveOptions(head="iterate")` iterates it by successive LP on
the head (`vakhsh.solve.heads`). The Results are audited; an audit above tolerance fails.
"""

from __future__ import annotations

from vakhsh.errors import SolveError
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.pipeline import Progress, optimise

__all__ = ["optimise", "SolveOptions", "SolveError", "Progress"]
