"""Name the stage, outcome and constraint family of an infeasible stage LP.

The stage is rebuilt as an ordinary single-stage model (its incoming state and the
outcome's inflow as constants) and handed to `vakhsh.solve.diagnose`, which re-solves it
with priced slacks on every hard constraint and names the families that needed them, as
`vakhsh run` does. Water in transit enters that model as the mean of its lags (the
ordinary model has one initial flow per reach).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from vakhsh.errors import SolveError
from vakhsh.sddp.stages import stage_parameters
from vakhsh.solve.diagnose import explain_failure
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, SolveStats


def explain_stage(
    model, stage: int, state: np.ndarray, outcome: int | None, path: np.ndarray | None, status: str
) -> SolveError:
    net, st, states = model.net, model.stages[stage], model.states
    steps = st.steps
    if path is not None:
        inflow = path[steps]
        which = "the simulated path"
    else:
        inflow = model.inflows.steps_m3s[outcome, steps]
        which = f"outcome {outcome} (member {int(model.inflows.members[outcome])})"
    run = dataclasses.replace(net.run, index=net.time[steps])
    series = {kind: ds.isel(time=steps) for kind, ds in net.series.items()}
    catch = series["catchments"]
    series["catchments"] = catch.assign(inflow_m3s=catch["inflow_m3s"].copy(data=inflow))
    tables = dict(net.tables)
    res = tables["reservoirs"].copy()
    for i in states.positions("storage"):
        res.loc[states.component[i], "storage_initial_hm3"] = state[i]
    if stage < len(model.stages) - 1:
        res["storage_final_min_hm3"] = res["storage_min_hm3"]
    tables["reservoirs"] = res
    units = tables["storage_units"].copy()
    for i in states.positions("soc"):
        units.loc[states.component[i], "soc_initial_mwh"] = state[i]
    if stage < len(model.stages) - 1:
        units["soc_final_min_mwh"] = 0.0
    tables["storage_units"] = units
    reaches = tables["reaches"].copy()
    transit = states.positions("transit")
    for rid in {states.component[i] for i in transit}:
        lags = [state[i] for i in transit if states.component[i] == rid]
        reaches.loc[rid, "initial_flow_m3s"] = float(np.mean(lags))
    tables["reaches"] = reaches
    sub = dataclasses.replace(net, run=run, series=series, tables=tables)
    params = stage_parameters(fixed_parameters(net), st)
    if status not in ("Infeasible", "needs a slack whatever state it starts from"):
        return SolveError(
            f"stage {stage + 1} ({st.label}) under {which}: HiGHS stopped "
            f"without an optimum ({status}), from the previous basis, from "
            "scratch, with presolve and with the interior point method"
        )
    error = explain_failure(
        sub, params, SolveStats(Outcome.INFEASIBLE, status, 0.0), SolveOptions()
    )
    return SolveError(f"stage {stage + 1} ({st.label}) is infeasible under {which}: {error}")
