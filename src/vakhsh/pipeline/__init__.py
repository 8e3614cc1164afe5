"""The run pipeline: build -> solve -> (iterate) -> extract -> audit, for every caller.

    from vakhsh.pipeline import optimise
    results = optimise(net, SolveOptions(head="iterate"))

`optimise` runs one network (`Operation`); investment plans (`vakhsh.plan.expansion`) and
frontier points (`vakhsh.ensemble.frontier`) are strategies of the same `run`. Fixed head
builds one LP; `SolveOptions(head="iterate")` iterates it by successive LP on the head
(`vakhsh.solve.heads`). The Results are audited; an audit above tolerance fails.
"""

from __future__ import annotations

from vakhsh.errors import SolveError
from vakhsh.pipeline.core import (
    Formulation,
    Operation,
    Progress,
    Solution,
    Strategy,
    build_cases,
    case_results,
    next_parameters,
    optimise,
    run,
    solve_once,
)
from vakhsh.solve.options import SolveOptions

__all__ = [
    "optimise",
    "run",
    "Operation",
    "Formulation",
    "Strategy",
    "Solution",
    "Progress",
    "build_cases",
    "case_results",
    "next_parameters",
    "solve_once",
    "SolveOptions",
    "SolveError",
]
