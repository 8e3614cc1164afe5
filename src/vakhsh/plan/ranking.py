"""Impact ranking: what each candidate is worth, per dollar invested.

Two ways, both with the operation re-optimised and the builds fixed:

* **added alone** to the base system (nothing else built): the benefit is what it saves
  against the base system;
* **removed** from the optimal plan (everything else kept): the benefit is what the plan
  loses without it (zero for a candidate the plan does not build).

The benefit is the operating cost avoided (fuel, imports less exports, unserved energy at
its value of lost load, water shortages at their prices), reported beside its parts:
unserved energy avoided, export revenue gained and downstream shortage avoided. A
candidate is evaluated at its size in the plan; one the plan leaves out, at a probe size
(`lumpy`: its size; otherwise `PROBE_MW` within its bounds), so that its benefit/cost
shows by how much it misses. Figures are annual (weighted totals over the plan's
equivalent years); NPV = (benefit - cost) / crf over the candidate's lifetime; LCOE is
the annual cost over the energy it delivers (generation, discharge, or energy carried).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from vakhsh.plan.economics import lcoe, npv
from vakhsh.plan.expansion import Evaluation, PlanProblem

PROBE_MW = 100.0

COLUMNS = [
    "candidate",
    "component",
    "size_mw",
    "built_in_plan_mw",
    "annual_cost_usd",
    "benefit_added_usd",
    "bc_added",
    "benefit_removed_usd",
    "bc_removed",
    "npv_usd",
    "lcoe_usd_per_mwh",
    "energy_gwh",
    "winter_energy_gwh",
    "cost_avoided_usd",
    "unserved_avoided_mwh",
    "export_revenue_gained_usd",
    "downstream_shortage_avoided_hm3",
]


def probe_sizes(
    problem: PlanProblem, cid: str, plan: dict[str, dict[int, float]]
) -> dict[int, float]:
    built = plan.get(cid, {})
    if sum(built.values()) > 1e-9:
        return dict(built)
    row = problem.table.loc[cid]
    top = float(row.max_build_mw) if pd.notna(row.max_build_mw) else np.inf
    size = top if row.lumpy else max(float(row.min_build_mw), min(top, PROBE_MW))
    return {problem.years[0]: size}


def rank(
    problem: PlanProblem,
    plan: Evaluation,
    base: Evaluation | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The ranking table, sorted by benefit/cost of the candidate added alone."""
    say = progress or (lambda _m: None)
    years = problem.equivalent_years
    if base is None:
        say("ranking: the base system (nothing built)")
        base = problem.evaluate({})
    rows = []
    ids = list(problem.table.index)
    for i, cid in enumerate(ids, start=1):
        row = problem.table.loc[cid]
        sizes = probe_sizes(problem, cid, plan.sizes)
        say(f"ranking {i}/{len(ids)}: {cid} added alone")
        alone = problem.evaluate({cid: sizes})
        cost = problem.candidate_cost_usd(cid, sizes) / years
        added = (base.operating_usd - alone.operating_usd) / years
        built = sum(plan.sizes.get(cid, {}).values())
        removed = 0.0
        if built > 1e-9:
            say(f"ranking {i}/{len(ids)}: {cid} removed from the plan")
            others = {c: v for c, v in plan.sizes.items() if c != cid}
            without = problem.evaluate(others)
            removed = (without.operating_usd - plan.operating_usd) / years
        energy = alone.candidate_mwh[cid] / years
        rows.append(
            {
                "candidate": cid,
                "component": row.component,
                "size_mw": float(sum(sizes.values())),
                "built_in_plan_mw": float(built),
                "annual_cost_usd": cost,
                "benefit_added_usd": added,
                "bc_added": added / cost if cost > 0 else np.nan,
                "benefit_removed_usd": removed,
                "bc_removed": removed / cost if cost > 0 and built > 1e-9 else np.nan,
                "npv_usd": npv(added, cost, problem.rate, float(row.lifetime_years)),
                "lcoe_usd_per_mwh": lcoe(cost, energy),
                "energy_gwh": energy / 1e3,
                "winter_energy_gwh": alone.candidate_winter_mwh[cid] / years / 1e3,
                "cost_avoided_usd": added,
                "unserved_avoided_mwh": (base.unserved_mwh - alone.unserved_mwh) / years,
                "export_revenue_gained_usd": (alone.export_revenue_usd - base.export_revenue_usd)
                / years,
                "downstream_shortage_avoided_hm3": (
                    base.downstream_shortage_hm3 - alone.downstream_shortage_hm3
                )
                / years,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(
        "bc_added", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)


__all__ = ["rank", "probe_sizes", "PROBE_MW"]
