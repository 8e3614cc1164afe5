"""The full LP to optimality, its simplex started from a rolling run's answer
(`vakhsh run --rolling 7D,1D --exact`).

A rolling run is within a few 1e-4 of the full LP's optimum in a fraction of its time;
its point, handed to HiGHS (`vakhsh.solve.start`), lets the dual simplex finish the full
LP from next to the optimal basis. On the 6 x 4 bench's hourly year (8,760 steps, 893k
columns) the rolling run and the warm simplex together take well under the cold dual
simplex's or HiPO's time, to the same optimum (bench/README.md, "Warm start from the
rolling horizon"). The results are the full LP's, audited as any run's; the rolling run's
objective and its gap to the optimum are kept with them (`solve_info["start"]`).

Memory is the full LP's, not a window's: `--exact` is for horizons whose full LP fits.
"""

from __future__ import annotations

import time
from dataclasses import replace

import xarray as xr

from vakhsh.errors import SolveError
from vakhsh.network import Network
from vakhsh.pipeline import Operation, run
from vakhsh.pipeline.core import Formulation, Progress
from vakhsh.results.results import Results
from vakhsh.rolling.run import roll
from vakhsh.rolling.spec import RollingSpec
from vakhsh.solve.heads import HeadModel, head_model
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.size import require_fits
from vakhsh.solve.solver import SolveStats, run_solver
from vakhsh.solve.start import start_vector


class StartedOperation(Operation):
    """`Operation` whose solve starts from given LP values (by variable name)."""

    def __init__(
        self,
        net: Network,
        heads: HeadModel,
        values: dict[str, xr.DataArray],
        say: Progress | None = None,
    ):
        super().__init__(net, heads, say)
        self.values = values
        # the warm simplex's iterations, kept here (not in the formulation's info, which is
        # spread into solve_info) so that summary.json holds them once, under solve.start
        self.simplex_iterations: int | None = None

    def solve(self, formulation: Formulation, options: SolveOptions) -> SolveStats:
        model = formulation.model
        stats = run_solver(model, options, start=start_vector(model, self.values))
        info = model.solver_model.getInfo()
        self.simplex_iterations = int(info.simplex_iteration_count)
        return stats


def optimise_exact(
    net: Network,
    spec: RollingSpec,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
) -> Results:
    """The full LP's audited Results, solved from the rolling run `spec`'s answer."""
    options = options or SolveOptions()
    say = progress or (lambda _msg: None)
    heads = head_model(options, progress)
    if heads.mode == "iterate":
        raise SolveError(
            "--exact starts one full LP from the rolling run: use --head fixed, auto or "
            "fpha, not iterate"
        )
    require_fits(net, force=options.force)  # the full LP is built after all
    started = time.perf_counter()
    rolled = roll(net, spec, replace(options, write_lp=None), progress)
    rolling_s = time.perf_counter() - started
    rolling_info = rolled.results.solve_info["rolling"]
    if rolled.lp_values is None:  # one window: the rolling run was the full LP
        rolled.results.solve_info["start"] = {"from": f"rolling {spec.label}", "windows": 1}
        return rolled.results
    say("the full LP, its simplex started from the rolling run's answer")
    started_operation = StartedOperation(net, heads, rolled.lp_values, progress)
    solution = run(started_operation, options, progress)
    results = solution.results[0]
    rolling_usd = rolled.results.objective_usd
    results.solve_info["rolling"] = rolling_info
    results.solve_info["start"] = {
        "from": f"rolling {spec.label}",
        "rolling_s": rolling_s,
        "rolling_objective_usd": rolling_usd,
        # how far the rolling run's answer was from the optimum it started
        "rolling_gap": (rolling_usd - results.objective_usd) / abs(results.objective_usd)
        if results.objective_usd
        else 0.0,
        "simplex_iterations": started_operation.simplex_iterations,
    }
    return results
