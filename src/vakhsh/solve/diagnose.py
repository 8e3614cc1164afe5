"""Explain an infeasible model: re-solve with priced slacks on every hard constraint.

Each hard constraint family gets a non-negative slack at a large price. The slacks the
solver has to use name the family and the components that make the model infeasible,
with the amount they are short by, which is what a planner can act on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vakhsh.errors import SolveError
from vakhsh.math.build import build_model
from vakhsh.math.context import BuildConfig, HeadParameters
from vakhsh.network import Network
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, SolveStats, run_solver

UNITS = {"reservoir": "hm3", "junction": "hm3", "reach": "hm3", "sink": "hm3",
         "storage_unit": "MWh"}


def explain_failure(net: Network, params: HeadParameters, stats: SolveStats,
                    options: SolveOptions) -> SolveError:
    if stats.outcome is Outcome.UNBOUNDED:
        return SolveError("the model is unbounded: some cost can fall without limit; check "
                          "negative costs and markets with unbounded export "
                          f"(solver said: {stats.termination})")
    if stats.outcome is not Outcome.INFEASIBLE:
        return SolveError(f"the solver stopped without an optimum ({stats.termination})")
    ctx = build_model(net, params, BuildConfig(elastic=True))
    elastic = run_solver(ctx.model, options)
    if elastic.outcome is not Outcome.OPTIMAL:
        return SolveError(f"the model is infeasible ({stats.termination}), and remains so "
                          "with slacks on every hard constraint: check the time period and "
                          "the bounds of every component")
    lines = []
    k = net.hm3_per_m3s
    for name, (family, dim) in ctx.elastic.items():
        used = ctx.var(name).solution.fillna(0.0)
        if "time" not in used.dims:  # an end-of-horizon target
            for cid, amount in used.to_pandas().items():
                if amount > 1e-6:
                    lines.append(f"{family}: {dim} {cid} is short by {amount:,.3f} "
                                 f"{UNITS.get(dim, 'hm3')} at the end of the run")
            continue
        per_component = used.sum("time").to_pandas() * k
        for cid, amount in per_component[per_component > 1e-6].sort_values(
                ascending=False).items():
            steps = used.sel({dim: cid}).values
            when = pd.Timestamp(used["time"].values[int(np.argmax(steps > 1e-6))])
            lines.append(f"{family}: {dim} {cid} is short by {amount:,.3f} "
                         f"{UNITS.get(dim, 'hm3')} over the run, first at {when:%Y-%m-%d %H:%M}")
    if not lines:
        lines.append("no water constraint needed relaxing; the conflict lies elsewhere")
    return SolveError("the model is infeasible. Relaxing its hard constraints shows where:\n  "
                      + "\n  ".join(lines))
