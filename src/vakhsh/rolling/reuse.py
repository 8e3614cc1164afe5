"""One HiGHS LP for every window of a rolling run: the matrix is built once, and each
window changes only column bounds, row bounds and costs, then re-solves from the last
window's basis (a warm start) instead of building a linopy model per window.

Why it is the same LP: at fixed head a window's matrix does not depend on where the window
starts; its numbers do, and they are of two kinds.

- **Data** (inflows, loads, capacity factors, costs, evaporation, availability): what the
  full run's LP has at the same steps. They are read from a *chunk*: the linopy model of
  a stretch of several windows (built, never solved; one build per chunk instead of one
  per window), sliced to the window's steps. A chunk starts from empty reservoirs and
  units and no water in transit, so that its rows carry data only.
- **State** (storage and charge handed over, water in transit, the end credit): set by
  the rolling run itself. Storage enters the reservoir balance of the first step as
  `storage / k` on the right-hand side, charge the unit's first balance as it is
  (`math/water.py`, `math/power.py`), and an FPHA plane's first row as `b * storage / 2`
  (the step's mean storage, `math/fpha.py`); water in transit enters through columns of its own
  (`rolling_arrival_m3s`, fixed by their bounds) and the end credit through the
  `rolling_*` columns and rows of `rolling.run.end_value`.

`reason_not_reusable` says when this does not hold (another solver; cyclic storage
units; a head that changes along the run, or successive LPs); the caller then builds each window with linopy as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import linopy
import numpy as np
import xarray as xr
from linopy.constants import Result, Solution, Status, TerminationCondition

OWN = "rolling_"  # the rolling run's own columns and rows: numbers set window by window
RESERVOIR_BALANCE = "reservoir_balance"
SOC_BALANCE = "storage_soc_balance"


class NotReusable(Exception):
    """The window LPs are not one matrix with other numbers (the caller rebuilds)."""


def reason_not_reusable(net, options, heads, params) -> str | None:
    """Why the windows of `net` cannot share one HiGHS LP, or None (`params`: the head
    parameters of the run, which enter the matrix)."""
    if options.solver.lower() != "highs":
        return f"solver {options.solver}: the matrix is kept in HiGHS"
    if heads.mode not in ("fixed", "auto", "fpha"):
        return f"head {heads.mode}: the head changes the matrix"
    units = net.tables["storage_units"]
    if len(units) and units["soc_cyclic"].fillna(False).astype(bool).any():
        return "a cyclic storage unit"
    head = params.head_m.transpose("time", ...).values
    if head.size and not np.array_equal(head, np.broadcast_to(head[:1], head.shape)):
        return "the head changes along the run (the hydro coefficients with it)"
    return None


@dataclass
class _Block:
    """Where one variable's (or constraint's) elements sit in the template's LP."""

    name: str
    dims: tuple[str, ...]
    positions: np.ndarray  # column (row) per element, flat in `dims` order; -1: not in LP


class ReusedLP:
    """The template window's HiGHS LP and the maps from linopy names to its columns."""

    def __init__(self, model: linopy.Model, steps: int):
        solver = getattr(model, "solver", None)
        if solver is None or getattr(solver, "solver_model", None) is None:
            raise NotReusable("the template was not solved in memory by HiGHS")
        self.model, self.steps, self.h = model, steps, solver.solver_model
        self.cold_starts = 0  # windows re-solved from no basis (`solve`)
        self.n_vars, self.n_cons = solver._n_vars, solver._n_cons
        vlabels, clabels = np.asarray(solver._vlabels), np.asarray(solver._clabels)
        self.vlabels, self.clabels = vlabels, clabels
        col = np.full(self.n_vars, -1, dtype=np.int64)
        col[vlabels] = np.arange(len(vlabels))
        row = np.full(self.n_cons, -1, dtype=np.int64)
        row[clabels] = np.arange(len(clabels))
        if float(model.objective.scaling) != 1.0:
            raise NotReusable("a scaled objective")
        self.columns = {}
        for name, var in model.variables.items():
            if not np.all(var.solver_scaling.values == 1):
                raise NotReusable(f"scaled variable {name}")
            labels = var.labels.values
            self.columns[name] = _Block(
                name, var.dims, np.where(labels >= 0, col[labels], -1).ravel()
            )
        self.rows = {}
        for name, con in model.constraints.items():
            if not np.all(con.scaling.values == 1):
                raise NotReusable(f"scaled constraint {name}")
            labels = con.labels.values
            self.rows[name] = _Block(
                name, con.labels.dims, np.where(labels >= 0, row[labels], -1).ravel()
            )
        lp = self.h.getLp()
        self.lb, self.ub = np.array(lp.col_lower_), np.array(lp.col_upper_)
        self.cost = np.array(lp.col_cost_)
        self.row_lb, self.row_ub = np.array(lp.row_lower_), np.array(lp.row_upper_)
        self.signs = {
            name: np.asarray(con.sign.values).ravel() for name, con in model.constraints.items()
        }

    # ---- the numbers of a window ----
    def set_data(self, chunk: linopy.Model, offset: int) -> None:
        """Bounds, row bounds and costs of the template's columns and rows (all but the
        rolling run's own) from `chunk`, steps [offset, offset + steps) of it."""
        window = slice(offset, offset + self.steps)
        cost = _costs_by_label(chunk)
        for name, block in self.columns.items():
            if name.startswith(OWN):
                continue
            if name not in chunk.variables or chunk.variables[name].dims != block.dims:
                raise NotReusable(f"variable {name} differs in the chunk")
            var = chunk.variables[name]
            sub = var.labels
            lower, upper = var.lower, var.upper
            if "time" in block.dims:
                sub, lower, upper = (a.isel(time=window) for a in (sub, lower, upper))
            labels = sub.values.ravel()
            if (
                labels.shape != block.positions.shape
                or ((labels < 0) != (block.positions < 0)).any()
            ):
                raise NotReusable(f"variable {name} has other elements in the chunk")
            at = block.positions >= 0
            cols = block.positions[at]
            self.lb[cols] = lower.values.ravel()[at]
            self.ub[cols] = upper.values.ravel()[at]
            self.cost[cols] = cost[labels[at]]
        for name, block in self.rows.items():
            if name.startswith(OWN):
                continue
            if name not in chunk.constraints or chunk.constraints[name].labels.dims != block.dims:
                raise NotReusable(f"constraint {name} differs in the chunk")
            con = chunk.constraints[name]
            rhs, sign = con.rhs, con.sign
            if "time" in block.dims:
                rhs, sign = rhs.isel(time=window), sign.isel(time=window)
            sign = np.asarray(sign.values).ravel()
            at = block.positions >= 0
            if sign.shape != self.signs[name].shape or (sign[at] != self.signs[name][at]).any():
                raise NotReusable(f"constraint {name} has other rows in the chunk")
            self._set_rows(block.positions[at], rhs.values.ravel()[at], sign[at])

    def add_rhs(self, name: str, values: xr.DataArray, step: int = 0) -> None:
        """Add `values` (over the constraint's dimensions but time) to the right-hand side
        of `name`'s rows at `step` (the state handed over enters the first step)."""
        block = self.rows[name]
        labels = self.model.constraints[name].labels
        rows = np.take(block.positions.reshape(labels.shape), step, axis=block.dims.index("time"))
        at_step = labels.isel(time=step)
        add = values.reindex({d: at_step[d].values for d in at_step.dims}).fillna(0.0)
        add = add.transpose(*at_step.dims).values.astype(float)
        at = rows >= 0
        rows, add = rows[at], add[at]
        for bounds in (self.row_lb, self.row_ub):
            finite = np.isfinite(bounds[rows])
            bounds[rows[finite]] += add[finite]

    def set_own(self, name: str, values: xr.DataArray, what: str) -> None:
        """A rolling column's `cost`, `lower` or `upper`, or a rolling row's `rhs`."""
        if what == "rhs":
            block, dims = self.rows[name], self.model.constraints[name].labels.dims
        else:
            block, dims = self.columns[name], self.model.variables[name].dims
        flat = (
            values.transpose(*dims).values.astype(float).ravel()
            if dims
            else np.atleast_1d(float(values))
        )
        at = block.positions >= 0
        if what == "rhs":
            self._set_rows(block.positions[at], flat[at], self.signs[name][at])
        else:
            {"cost": self.cost, "lower": self.lb, "upper": self.ub}[what][block.positions[at]] = (
                flat[at]
            )

    def _set_rows(self, rows: np.ndarray, rhs: np.ndarray, sign: np.ndarray) -> None:
        self.row_lb[rows] = np.where(sign == "<=", -np.inf, rhs)
        self.row_ub[rows] = np.where(sign == ">=", np.inf, rhs)

    # ---- solving ----
    def solve(self) -> tuple[str, float]:
        """Push the numbers into HiGHS and re-solve from its current basis. The solution
        and duals are kept as arrays by label and read per variable (`solution`, `dual`):
        putting them on every variable and constraint of the linopy model, as linopy's
        own solve does (`assign_all`), took a quarter of a rolling run's time."""
        h = self.h
        cols = np.arange(len(self.lb), dtype=np.int32)
        rows = np.arange(len(self.row_lb), dtype=np.int32)
        started = time.perf_counter()
        h.changeColsBounds(len(cols), cols, self.lb, self.ub)
        h.changeColsCost(len(cols), cols, self.cost)
        h.changeRowsBounds(len(rows), rows, self.row_lb, self.row_ub)
        h.run()
        import highspy

        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # a warm start may end without an optimum where a cold one finds it (one
            # central-asia 3 h FPHA window ended 'Unknown' once under load, not seen
            # again): one retry from no basis before giving up
            self.cold_starts += 1
            h.clearSolver()
            h.run()
        elapsed = time.perf_counter() - started
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return h.modelStatusToString(status), elapsed
        solution = h.getSolution()
        self.primal = np.full(self.n_vars, np.nan)
        self.primal[self.vlabels] = np.asarray(solution.col_value, dtype=float)
        self.dual_values = np.full(self.n_cons, np.nan)
        self.dual_values[self.clabels] = np.asarray(solution.row_dual, dtype=float)
        self.objective_usd = float(h.getObjectiveValue())
        if ASSIGN_ALL:
            self.assign_all()
        return "optimal", elapsed

    def solution(self, name: str) -> xr.DataArray:
        """Variable `name`'s values in the last solve, as linopy's `Variable.solution`
        has them after its own solve (NaN where the variable has no column)."""
        var = self.model.variables[name]
        return xr.DataArray(
            _by_label(var.labels.values, self.primal), var.coords, dims=var.dims, name="solution"
        )

    def dual(self, name: str) -> xr.DataArray:
        """Constraint `name`'s duals in the last solve, as linopy's `Constraint.dual`."""
        labels = self.model.constraints[name].labels
        return xr.DataArray(
            _by_label(labels.values, self.dual_values), labels.coords, dims=labels.dims, name="dual"
        )

    def assign_all(self) -> None:
        """The last solve's solution and duals on every variable and constraint of the
        template's linopy model (linopy's own way; tests compare it with `solution`)."""
        result = Result(
            Status.from_termination_condition(TerminationCondition.optimal),
            Solution(self.primal, self.dual_values, self.objective_usd),
        )
        self.model.assign_result(result)


# put every solve's solution on the linopy model as well (slow; tests compare the two)
ASSIGN_ALL = False


def _by_label(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values[labels]`, NaN where a label is -1 (masked)."""
    return np.where(labels >= 0, values[np.clip(labels, 0, None)], np.nan)


def _costs_by_label(model: linopy.Model) -> np.ndarray:
    """The objective's coefficient of every variable label of `model` (summed)."""
    expr = model.objective.expression
    labels = np.asarray(expr.vars.values).ravel()
    coeffs = np.asarray(expr.coeffs.values, dtype=float).ravel()
    at = labels >= 0
    return np.bincount(labels[at], weights=coeffs[at], minlength=int(model._xCounter))
