"""Strategies: the fixed-head LP and successive LP for head-dependent hydropower.

Successive LP: solve at fixed head; set each plant's head per step from the solved
storage path (level curve at the step's start and end storage, averaged, minus
tailwater); solve again; stop when the largest relative change in any plant's energy
is below `head_tolerance` or after `head_max_iterations`. The reported energy is then
recomputed exactly from the solved flows and the levels of the solved storage path, and
its gap to the LP's energy is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import xarray as xr

from vakhsh.errors import SolveError
from vakhsh.math.build import build_model
from vakhsh.math.context import BuildContext, HeadParameters
from vakhsh.math.hydro import GRAVITY_MW_PER_M3S_M
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.results.audit import audit, require_passed
from vakhsh.results.dataset import extract
from vakhsh.results.results import Results, provenance
from vakhsh.solve.diagnose import explain_failure
from vakhsh.solve.head import fixed_parameters, parameters_from_storage, storage_start
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver

Progress = Callable[[str], None]


def optimise(net: Network, options: SolveOptions | None = None,
             progress: Progress | None = None) -> Results:
    """Optimise water and power together; return audited Results."""
    options = options or SolveOptions()
    say = progress or (lambda _msg: None)
    params = fixed_parameters(net)
    build_s = solve_s = 0.0
    iterations, energy_prev, history = 0, None, []
    while True:
        iterations += 1
        say(f"building the LP (iteration {iterations})" if options.head == "iterate"
            else "building the LP")
        started = time.perf_counter()
        ctx = build_model(net, params)
        build_s += time.perf_counter() - started
        if options.write_lp is not None and iterations == 1:
            ctx.model.to_file(options.write_lp)
        say(f"solving with {options.solver} ({_size(ctx)})")
        stats = run_solver(ctx.model, options)
        solve_s += stats.solve_s
        if stats.outcome is not Outcome.OPTIMAL:
            raise explain_failure(net, params, stats, options)
        if options.head == "fixed":
            break
        energy = _plant_energy(ctx, params)
        change = _largest_change(energy, energy_prev)
        history.append(change)
        say(f"head iteration {iterations}: largest energy change {change:.2e}")
        if change <= options.head_tolerance or iterations >= options.head_max_iterations:
            break
        energy_prev = energy
        storage = ctx.k * ctx.var(STORAGE).solution
        params = parameters_from_storage(net, storage_start(net, storage), storage)
    dataset = extract(ctx)
    gap = None
    if options.head == "iterate":
        dataset, gap = exact_energy(net, dataset)
    report = audit(net, dataset, options.audit_tolerance)
    objective = float(ctx.model.objective.value) + ctx.cost_constant
    info = {"solver": options.solver, "build_s": build_s, "solve_s": solve_s,
            "head_mode": options.head, "head_iterations": iterations,
            "head_energy_gap": gap, "head_history": history, "status": "optimal",
            **_counts(ctx), "provenance": provenance(net, options)}
    results = Results(net=net, dataset=dataset, objective_usd=objective, audit=report,
                      solve_info=info)
    require_passed(report)
    return results


def _size(ctx: BuildContext) -> str:
    counts = _counts(ctx)
    return f"{counts['rows']:,} rows, {counts['columns']:,} columns"


def _counts(ctx: BuildContext) -> dict[str, int]:
    m = ctx.model
    try:  # ask the solver: rebuilding the matrix just to count would cost time and memory
        nonzeros = int(m.solver_model.getNumNz())
    except Exception:  # noqa: BLE001 - counting is informative only (other solvers)
        nonzeros = -1
    return {"rows": int(m.ncons), "columns": int(m.nvars), "nonzeros": nonzeros}


def _plant_energy(ctx: BuildContext, params: HeadParameters) -> np.ndarray:
    if "turbine_flow_m3s" not in ctx.model.variables:
        return np.zeros(0)
    flow = ctx.var("turbine_flow_m3s").solution
    efficiency = ctx.net.static("hydro_plants", "efficiency")
    power = GRAVITY_MW_PER_M3S_M * efficiency * params.head_m * flow
    return (power.sum("time") * ctx.hours).values


def _largest_change(energy: np.ndarray, previous: np.ndarray | None) -> float:
    if previous is None:
        return float("inf") if energy.size else 0.0
    scale = np.maximum(np.abs(previous), 1e-9)
    return float(np.max(np.abs(energy - previous) / scale)) if energy.size else 0.0


def exact_energy(net: Network, ds: xr.Dataset) -> tuple[xr.Dataset, float]:
    """Recompute hydro power from the solved flows and the solved storage path's heads;
    return the Dataset with it and the relative gap of exact to LP hydro energy."""
    storage = ds["storage_hm3"]
    exact = parameters_from_storage(net, storage_start(net, storage), storage)
    efficiency = net.static("hydro_plants", "efficiency")
    exact_p = GRAVITY_MW_PER_M3S_M * efficiency * exact.head_m * ds["turbine_flow_m3s"]
    lp_energy = float(ds["hydro_p_mw"].sum()) * net.step_hours
    exact_mwh = float(exact_p.sum()) * net.step_hours
    gap = (exact_mwh - lp_energy) / lp_energy if lp_energy else 0.0
    ds = ds.assign(hydro_p_exact_mw=exact_p, head_exact_m=exact.head_m)
    ds["hydro_p_exact_mw"].attrs.update(units="MW", description="hydropower recomputed "
                                        "exactly from flows and the solved storage path")
    ds["head_exact_m"].attrs.update(units="m", description="head from the solved storage path")
    return ds, gap


__all__ = ["optimise", "SolveOptions", "SolveError"]
