"""summary.json of an SDDP run: the usual stable keys, plus `sddp`.

The usual keys describe the policy on the simulated members: `objective_usd` is the
mean simulated cost (penalties of violated limits and end targets included), `costs_usd`,
`energy` and `water` the means over members of each member's own summary (from
`vakhsh.results.metrics`), `audit` the member with the largest relative residual (every member passed).
`sddp` adds the training and the distribution over members: lower bound, simulated
mean and 95 % half-width, P10/P50/P90/worst of cost and of each bus's winter deficit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vakhsh.results.results import provenance
from vakhsh.sddp.train import mean_ci95

PERCENTILES = {"p10": 10, "p50": 50, "p90": 90}


def distribution(values) -> dict[str, float]:
    v = np.asarray(values, dtype=float)
    out = {name: float(np.percentile(v, q)) for name, q in PERCENTILES.items()}
    out["worst"] = float(v.max())
    out["mean"] = float(v.mean())
    return out


def mean_tree(trees: list[Any]) -> Any:
    """Element-wise mean of nested dicts of numbers (other leaves: the first one)."""
    first = trees[0]
    if isinstance(first, dict):
        return {k: mean_tree([t[k] for t in trees]) for k in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return float(np.mean([float(t) for t in trees]))
    return first


def fpha_fits(model) -> dict[str, dict[str, float]]:
    """Plants on FPHA in the stage LPs: planes and the most the planes overstate (MW),
    as `vakhsh run`'s summary (`solve.fpha`)."""
    from vakhsh.sddp.simulate import fpha_of

    planes = model.lps[0].ctx.fpha_planes or {}  # fitted once for every stage
    return {
        pid: {"planes": len(planes[pid]), "max_error_mw": planes[pid].max_error_mw}
        for pid in fpha_of(model)
    }


def member_table(run) -> dict[str, dict[str, list[float]]]:
    """Per member: cost and each bus's winter deficit (GWh)."""
    sim = run.simulation
    buses = list(sim.summaries[0]["energy"]["winter_deficit_gwh"])
    return {
        "cost_usd": list(map(float, sim.cost_usd)),
        "winter_deficit_gwh": {
            b: [s["energy"]["winter_deficit_gwh"][b] for s in sim.summaries] for b in buses
        },
    }


def run_summary(run) -> dict[str, Any]:
    model, sim, log = run.model, run.simulation, run.log
    net = model.net
    noise = model.noise
    sddp: dict[str, Any] = {
        "lower_bound_usd": log.lower_bound_usd if log.iterations else None,
        "simulated_mean_usd": None,
        "simulated_ci95_usd": None,
        "iterations": len(log.iterations) if log.iterations else run.policy.meta["iterations"],
        "stages": len(model.stages),
        "stage": model.options.stage,
        "outcomes_per_stage": [int(noise.outcomes(s)) for s in range(len(model.stages))],
        "noise": noise.name,
        "risk": model.risk.spec,
        "cut": model.options.cut,
        "forward_passes": model.options.forward_passes,
        "seed": model.options.seed,
        "stopped_by": log.stopped_by,
        "states": model.states.names,
        "inflows": str(model.inflows.path),
        "kind": run.kind,
        "timings_s": run.timings,
        "solves": log.solves,
        "cpu_s": log.iterations[-1].cpu_s if log.iterations else None,
    }
    if run.kind == "sddp-simulate":
        sddp["policy_trained_on"] = run.policy.meta.get("trained_on")
        sddp["policy_lower_bound_usd"] = run.policy.meta.get("lower_bound_usd")
    summary: dict[str, Any] = {
        "model": net.name,
        "scenario": net.scenario,
        "status": "converged"
        if log.stopped_by in ("statistical_gap", "bound_stalling")
        else "stopped",
        "objective_usd": None,
    }
    period = {
        "start": str(net.time[0]),
        "end": str(net.run.ends[-1]),
        "step": net.run.step_label,
        "steps": len(net.time),
    }
    summary["period"] = period
    if sim is not None:
        mean, ci = mean_ci95(sim.cost_usd)
        sddp.update(
            simulated_mean_usd=mean,
            simulated_ci95_usd=ci,
            members_simulated=len(sim.members),
            cost_usd=distribution(sim.cost_usd),
            winter_deficit_gwh={
                bus: distribution(v) for bus, v in member_table(run)["winter_deficit_gwh"].items()
            },
            unserved_gwh={
                bus: distribution([s["energy"]["unserved_gwh"][bus] for s in sim.summaries])
                for bus in sim.summaries[0]["energy"]["unserved_gwh"]
            },
            end_shortfall_hm3={
                str(r): distribution(sim.end_shortfall_hm3[r])
                for r in sim.end_shortfall_hm3.columns
                if sim.end_shortfall_hm3[r].max() > 0
            },
            virtual_inflow_hm3=distribution(sim.virtual_inflow_hm3),
            violations={
                family: distribution(sim.violations[family])
                for family in sim.violations.columns
                if sim.violations[family].max() > 1e-6
            },
            head_energy_gap=distribution(sim.energy_gap),
        )
        worst = max(
            sim.audits,
            key=lambda a: max(a.water.relative, a.energy.relative, a.storage_units.relative),
        )
        summary.update(
            objective_usd=mean,
            audit={
                **worst.as_dict(),
                "members": len(sim.audits),
                "members_passed": sum(a.passed for a in sim.audits),
            },
        )
        if run.foresight is not None:
            from vakhsh.sddp.foresight import foresight_summary

            sddp["perfect_foresight"] = foresight_summary(run.foresight)
        summary["costs_usd"] = mean_tree([s["costs_usd"] for s in sim.summaries])
        summary["energy"] = mean_tree([s["energy"] for s in sim.summaries])
        summary["water"] = mean_tree([s["water"] for s in sim.summaries])
    stage_rows = sum(lp.A.shape[0] for lp in model.lps)
    summary["solve"] = {
        "solver": "highs",
        "build_s": run.timings.get("build_s"),
        "solve_s": run.timings.get("train_s", 0.0) + run.timings.get("simulate_s", 0.0),
        "head_mode": model.options.head,
        "head_iterations": None,
        "fpha": fpha_fits(model),
        "head_energy_gap": sddp.get("head_energy_gap", {}).get("mean") if sim is not None else None,
        "rows": int(stage_rows),
        "columns": int(sum(lp.ncols for lp in model.lps)),
        "nonzeros": int(sum(lp.A.nnz for lp in model.lps)),
    }
    summary["provenance"] = provenance(net, model.options)
    summary["sddp"] = sddp
    return summary
