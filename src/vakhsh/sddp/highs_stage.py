"""A stage LP kept in HiGHS between solves.

The LP from `stage_build` is passed to highspy once. Between solves only column bounds
(incoming state, inflow outcome), row bounds (PAR(1) outcome) and new cut rows change, so
the dual simplex starts from the previous basis (warm start) and needs few iterations.

The cost-to-go of the following stages is one column `theta` (single cut) or, with
multi-cut, one column per outcome of the next stage plus `theta`, tied to them by
risk-set rows `theta >= sum_k xi_k phi_k` (one per distinct risk-adjusted distribution
xi, as SDDP.jl's `BellmanFunction` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from vakhsh.sddp.stage_build import StageLP, StageMatrices
from vakhsh.solve.solver import _quiet

OPTIMAL = highspy.HighsModelStatus.kOptimal
INF = highspy.kHighsInf
# the cost-to-go columns count million USD: cut intercepts of 1e10 USD would otherwise sit
# in rows the simplex must satisfy to 1e-7 (HiGHS then stops with status Unknown)
THETA_USD = 1e6
# the largest violation of a stage row accepted from the simplex, relative to the row's
# magnitude: HiGHS's own primal tolerance is 1e-7 on the scaled LP
ROW_RESIDUAL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class StageSolution:
    objective_usd: float  # stage cost plus cost-to-go (theta), constants included
    stage_cost_usd: float  # without the cost-to-go
    state_out: np.ndarray
    state_duals: np.ndarray  # d objective / d incoming state (reduced costs of the fixed columns)
    col_value: np.ndarray | None = None
    row_dual: np.ndarray | None = None


class StageInfeasible(Exception):
    def __init__(self, status: str):
        self.status = status
        super().__init__(status)


class StageProblem:
    """One stage in HiGHS: fix state and outcome, solve, add cuts."""

    def __init__(
        self,
        lp: StageLP | StageMatrices,
        theta_lower: float | None,
        outcomes_next: int = 0,
        options: dict | None = None,
    ):
        self.lp = lp
        with _quiet(True):
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        settings = {"presolve": "off", "solver": "simplex", "threads": 1, **(options or {})}
        for key, value in settings.items():
            h.setOptionValue(key, value)
        self._presolve, self._solver = settings["presolve"], settings["solver"]
        self.retries = 0
        self.failures: list[str] = []  # solves no rung solved to an accepted optimum
        self.inaccurate: list[float] = []  # row residuals of "optimal" solutions refused
        n = lp.ncols
        h.addVars(n, _finite(lp.col_lower), _finite(lp.col_upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), lp.cost)
        A = lp.A.tocsr()
        # the stage's rows as HiGHS holds them, for `row_residual` (cut rows aside)
        self._A, self._A_abs = A, abs(A)
        self._row_lower, self._row_upper = _finite(lp.row_lower), _finite(lp.row_upper)
        if A.shape[0]:
            h.addRows(
                A.shape[0],
                _finite(lp.row_lower),
                _finite(lp.row_upper),
                A.nnz,
                A.indptr.astype(np.int32),
                A.indices.astype(np.int32),
                A.data,
            )
        self.h = h
        self.theta = -1
        self.phi = np.zeros(0, dtype=np.int64)
        self.cut_count = 0
        if theta_lower is not None:
            self.theta = self._add_col(THETA_USD, theta_lower / THETA_USD)
            if outcomes_next:
                self.phi = np.array(
                    [self._add_col(0.0, theta_lower / THETA_USD) for _ in range(outcomes_next)],
                    dtype=np.int64,
                )
        self._out = lp.state_out.tocsr()
        self._inflow_cols = lp.inflow_cols.ravel().astype(np.int32)
        self._state_cols = lp.state_in_cols.astype(np.int32)

    def _add_col(self, cost: float, lower: float) -> int:
        self.h.addCol(cost, lower, INF, 0, np.zeros(0, np.int32), np.zeros(0))
        return self.h.getNumCol() - 1

    # ---- what changes between solves
    def set_theta_lower(self, lower: float) -> None:
        """The lower bound of the cost-to-go (and of each multi-cut column)."""
        cols = np.r_[self.theta, self.phi].astype(np.int32) if self.theta >= 0 else []
        if len(cols):
            self.h.changeColsBounds(
                len(cols),
                cols,
                np.full(len(cols), float(lower) / THETA_USD),
                np.full(len(cols), INF),
            )

    def free_state(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Let the incoming state take any value within its physical bounds."""
        if len(self._state_cols):
            self.h.changeColsBounds(
                len(self._state_cols), self._state_cols, _finite(lower), _finite(upper)
            )

    def fix_state(self, x: np.ndarray) -> None:
        if len(self._state_cols):
            self.h.changeColsBounds(len(self._state_cols), self._state_cols, x, x)

    def fix_inflow(self, inflow_m3s: np.ndarray) -> None:
        """The outcome's inflow per (step, catchment)."""
        values = np.asarray(inflow_m3s, dtype=float).ravel()
        if len(values):
            self.h.changeColsBounds(len(values), self._inflow_cols, values, values)

    def set_par_rhs(self, rhs: np.ndarray) -> None:
        rows = self.lp.par_rows.astype(np.int32)
        self.h.changeRowsBounds(len(rows), rows, rhs, rhs)
        self._row_lower[rows] = rhs
        self._row_upper[rows] = rhs

    # ---- cuts
    def add_cut(self, intercept: float, slope: np.ndarray, column: int | None = None) -> None:
        """`column >= intercept + slope . state_out` (theta, or one multi-cut column), in USD
        (the row itself in THETA_USD)."""
        target = self.theta if column is None else column
        dense = -np.asarray(slope @ self._out).ravel() / THETA_USD if len(slope) else np.zeros(0)
        nz = np.flatnonzero(dense)
        cols = np.r_[nz, target].astype(np.int32)
        vals = np.r_[dense[nz], 1.0]
        self.h.addRow(intercept / THETA_USD, INF, len(cols), cols, vals)
        self.cut_count += 1

    def add_risk_row(self, xi: np.ndarray) -> None:
        """`theta >= sum_k xi_k phi_k` (multi-cut)."""
        cols = np.r_[self.phi, self.theta].astype(np.int32)
        vals = np.r_[-np.asarray(xi, dtype=float), 1.0]
        self.h.addRow(0.0, INF, len(cols), cols, vals)

    # ---- solving
    def _rungs(self):
        """The ways to solve, each tried when the one before did not give an accepted
        optimum: from the current basis, from scratch, with presolve, and last the
        interior point method with crossover to a vertex."""
        h = self.h

        def from_basis():
            if (
                h.run() == highspy.HighsStatus.kError
                and h.getModelStatus() == highspy.HighsModelStatus.kNotset
            ):
                # HiGHS keeps one thread scheduler per process, sized by the first solve: a
                # solve with more threads earlier in the process (any highspy user) makes
                # a threads=1 run refuse to start until the scheduler is reset
                highspy.Highs.resetGlobalScheduler(True)
                h.run()

        def with_option(name, value, default):
            def run():
                h.setOptionValue(name, value)
                h.clearSolver()
                h.run()
                h.setOptionValue(name, default)

            return run

        def from_scratch():
            h.clearSolver()
            h.run()

        return [
            from_basis,
            from_scratch,
            with_option("presolve", "on", self._presolve),
            with_option("solver", "ipm", self._solver),
        ]

    def _run(self, check: bool):
        """Solve, going down `_rungs` until HiGHS reports an optimum and, with `check`,
        its column values satisfy the stage's rows; the solution read (or None)."""
        h = self.h
        solution = None
        for rung, run in enumerate(self._rungs()):
            if rung == 1:
                self.retries += 1
            run()
            if h.getModelStatus() != OPTIMAL:
                continue
            if not check:
                return None
            solution = h.getSolution()
            worst = self.row_residual(np.asarray(solution.col_value, dtype=float))
            if worst <= ROW_RESIDUAL_TOLERANCE:
                return solution
            self.inaccurate.append(worst)
        self.failures.append(
            h.modelStatusToString(h.getModelStatus())
            if h.getModelStatus() != OPTIMAL
            else f"row residual {worst:.3g}"
        )
        return solution

    def row_residual(self, x: np.ndarray) -> float:
        """The largest violation of the stage's own rows (cuts aside) by the column
        values `x`, relative to the row's magnitude (sum of |a_ij x_j|, at least 1)."""
        x = x[: self.lp.ncols]
        activity = self._A @ x
        violation = np.maximum(self._row_lower - activity, 0.0) + np.maximum(
            activity - self._row_upper, 0.0
        )
        if not len(violation):
            return 0.0
        magnitude = np.maximum(self._A_abs @ np.abs(x), 1.0)
        return float((violation / magnitude).max())

    def solve(
        self, full: bool = False, cold: bool = False, values: bool = True, duals: bool = True
    ) -> StageSolution:
        """`full`: also return every column's value and row's dual; `cold`: forget the
        basis first, so that the solution depends on the LP alone (a reloaded policy then
        simulates exactly as the trained one).

        highspy hands a solution over as Python lists, one float object per column or row,
        and that conversion cost a tenth of training. Training reads what it needs:
        `values=False` (backward pass: the objective and the state duals only) skips the
        column values, so `stage_cost_usd` is nan and `state_out` empty; `duals=False`
        (forward pass) skips the duals, so `state_duals` is empty. Column values read are
        checked against the stage's rows (`row_residual`): a simplex can stop "optimal"
        from an ill-conditioned basis with values that break a balance, and such a
        solution is solved again another way (`_rungs`)."""
        if cold:
            self.h.clearSolver()
        values = values or full
        duals = duals or full
        sol = self._run(check=values)
        h = self.h
        status = h.getModelStatus()
        if status != OPTIMAL:
            raise StageInfeasible(h.modelStatusToString(status))
        objective = h.getObjectiveValue() + self.lp.constant_usd
        if sol is None and duals:
            sol = h.getSolution()
        x = np.array(sol.col_value, dtype=float) if values else None
        stage_cost = (
            objective - (x[self.theta] * THETA_USD if self.theta >= 0 else 0.0)
            if values
            else np.nan
        )
        if duals and len(self._state_cols):
            col_dual = np.array(sol.col_dual, dtype=float)
            state_duals = col_dual[self._state_cols]
        else:
            state_duals = np.zeros(0)
        return StageSolution(
            objective_usd=objective,
            stage_cost_usd=stage_cost,
            state_out=self._out @ x[: self.lp.ncols] if values else np.zeros(0),
            state_duals=state_duals,
            col_value=x if full else None,
            row_dual=np.array(sol.row_dual, dtype=float) if full else None,
        )


def _finite(values: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=float).copy()
    out[out == np.inf] = INF
    out[out == -np.inf] = -INF
    return out
