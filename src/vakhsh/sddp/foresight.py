"""Perfect foresight on the members a policy was simulated on: what an operator who knew the
whole year's inflow on the first day would do.

Each member is solved as one ordinary vakhsh LP over the whole horizon (`vakhsh run
--inflows ENS.nc --member K`, through `vakhsh.solve.run.optimise`, audited), with the same
inflow per step and head model (`SDDPOptions.head`) as the simulation. The difference
between the policy's cost (or winter deficit) and perfect foresight's on the same member
is the price of not knowing the future; perfect foresight is a lower bound on any
policy's cost member by member. A member whose deterministic LP is infeasible (a hard
limit no release plan meets, where the policy's elastic stages pay a priced violation)
has no row values (NaN) and is counted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from vakhsh.errors import SolveError

Say = Callable[[str], None]


def perfect_foresight(run, say: Say | None = None) -> pd.DataFrame:
    """One row per simulated member: `cost_usd` and `winter_deficit_gwh_<bus>` of its
    deterministic LP (NaN where that LP is infeasible), index `member`."""
    from vakhsh.pipeline import optimise
    from vakhsh.sddp.simulate import member_network
    from vakhsh.solve.options import SolveOptions

    say = say or (lambda _m: None)
    sim = run.simulation
    model = run.model
    position = {int(m): i for i, m in enumerate(model.inflows.members)}
    buses = list(sim.summaries[0]["energy"]["winter_deficit_gwh"])
    rows = []
    for n, member in enumerate(sim.members):
        say(f"perfect foresight: member {int(member)} ({n + 1}/{len(sim.members)})")
        path = model.inflows.steps_m3s[position[int(member)]]
        net = member_network(
            model.net, path, f"{model.net.scenario or 'model'}+member{int(member)}"
        )
        try:
            results = optimise(net, SolveOptions(head=model.options.head))
        except SolveError:
            rows.append({"cost_usd": np.nan, **{f"winter_deficit_gwh_{b}": np.nan for b in buses}})
            continue
        deficit = results.summary()["energy"]["winter_deficit_gwh"]
        rows.append(
            {
                "cost_usd": float(results.objective_usd),
                **{f"winter_deficit_gwh_{b}": float(deficit[b]) for b in buses},
            }
        )
    return pd.DataFrame(rows, index=pd.Index(sim.members, name="member"))


def foresight_summary(frame: pd.DataFrame) -> dict:
    """Distributions (P10/P50/P90/worst/mean over the feasible members) for summary.json."""
    from vakhsh.sddp.summary import distribution

    ok = frame.dropna()
    out = {"members": int(len(frame)), "infeasible_members": int(len(frame) - len(ok))}
    if not len(ok):
        return out
    out["cost_usd"] = distribution(ok["cost_usd"])
    out["winter_deficit_gwh"] = {
        c[len("winter_deficit_gwh_") :]: distribution(ok[c])
        for c in ok.columns
        if c.startswith("winter_deficit_gwh_")
    }
    return out
