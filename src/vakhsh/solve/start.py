"""Solve an LP with HiGHS's simplex from a given primal point (a warm start).

A rolling run (`vakhsh run --rolling`) ends close to the full LP's optimum; handed to
HiGHS with `Highs.setSolution`, its point lets the simplex start next to the optimal basis
instead of at a slack basis: on the 6 x 4 bench's hourly year the exact optimum in about a
sixth of a cold dual simplex's iterations (bench/README.md, "Warm start from the rolling
horizon"; `bench/warm_start.py`). The answer is the LP's own optimum, not the start's.

The point is given per LP variable by name (`values`); a variable it does not hold (an
elastic slack, a column the start's LPs did not have) starts at 0, and HiGHS repairs
whatever the point leaves infeasible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import linopy
import numpy as np
import xarray as xr

from vakhsh.errors import SolveError

# the only HiGHS algorithm that starts from a primal point (the interior point solvers
# start from their own; IPX takes a point only for its crossover)
START_ALGORITHM = "simplex"


def start_vector(model: linopy.Model, values: Mapping[str, xr.DataArray]) -> np.ndarray:
    """The value of each of the model's columns, in the order linopy hands them to the
    solver (`model.matrices.vlabels`), from `values` matched by variable name and
    coordinates (NaN and absent entries: 0)."""
    by_label = np.zeros(model._xCounter)  # one per label, masked labels included
    for name, var in model.variables.items():
        if name not in values:
            continue
        labels = var.labels
        data = values[name].transpose(*labels.dims).reindex_like(labels).fillna(0.0)
        flat = labels.values.ravel()
        used = flat >= 0
        by_label[flat[used]] = data.values.ravel()[used]
    return by_label[model.matrices.vlabels]


def start_preset(preset: str, explicit: dict[str, Any]) -> str:
    """The preset of a solve from a start: the simplex; refused when the user asked for
    another algorithm (a preset or an explicit `solver`)."""
    asked = explicit.get("solver", START_ALGORITHM)
    if preset not in ("auto", START_ALGORITHM) or asked != START_ALGORITHM:
        chosen = asked if asked != START_ALGORITHM else preset
        raise SolveError(f"a start point needs HiGHS's simplex, not {chosen!r}")
    return START_ALGORITHM


def solve_from(model: linopy.Model, start: np.ndarray, options: dict[str, Any]) -> tuple[str, str]:
    """What `model.solve(solver_name="highs", io_api="direct", **options)` does, with
    HiGHS given `start` (one value per column, `start_vector`) before it runs."""
    import highspy
    from linopy.solvers import Solver

    model.reset_solution()
    model.constraints.sanitize_zeros()
    model.constraints.sanitize_infinities()
    model.solver = None  # closes any previous solver
    solver = Solver.from_name(
        "highs", model=model, io_api="direct", options=options, set_names=False
    )
    model.solver = solver
    if len(start) != solver.solver_model.getNumCol():
        raise SolveError(
            f"the start point has {len(start)} values for {solver.solver_model.getNumCol()} columns"
        )
    point = highspy.HighsSolution()
    point.col_value = start
    point.value_valid = True
    solver.solver_model.setSolution(point)
    return model.assign_result(solver.solve(), solver)
