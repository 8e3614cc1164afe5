"""Expansion planning: one LP (a MIP with lumpy candidates) over every case of a plan.

Every (investment year, inflow member) case adds its own operation to one linopy model
under its own prefix, with its operating costs weighted by the year's period weight times
the member's weight; the candidates' build variables are shared by all cases and their
annuities are charged once per year (`vakhsh.math.investment`). The same model, with the
builds fixed, evaluates any other set of sizes (nothing built, the plan without one
candidate, one candidate alone), which is how the ranking is computed without rebuilding.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem, SolveError
from vakhsh.math.build import add_operation, new_context, set_objective
from vakhsh.math.context import BuildContext
from vakhsh.math.investment import (
    CANDIDATE,
    STAGES,
    BuildVariables,
    Sizes,
    add_build_variables,
    candidate_family,
    hydro_head_m,
    investment_cost,
    mw_per_m3s,
)
from vakhsh.plan.cases import Case
from vakhsh.plan.economics import annual_cost_usd_per_mw, period_weights, year_share
from vakhsh.results import metrics as m
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver


@dataclass
class Evaluation:
    """Costs and metrics of one solve, weighted over the cases (per case kept too)."""

    sizes: dict[str, dict[int, float]]
    total_usd: float
    investment_usd: float
    operating_usd: float
    unserved_mwh: float
    winter_unserved_mwh: float
    export_revenue_usd: float
    downstream_shortage_hm3: float
    candidate_mwh: dict[str, float]
    candidate_winter_mwh: dict[str, float]
    cases: list[dict] = field(default_factory=list)
    solve_s: float = 0.0


def annual_costs(net_candidates: pd.DataFrame, rate: float) -> xr.DataArray:
    values = [annual_cost_usd_per_mw(row.capex_usd_per_kw, row.fom_usd_per_kw_year,
                                     row.lifetime_years, rate)
              for _cid, row in net_candidates.iterrows()]
    return xr.DataArray(np.asarray(values, dtype=float),
                        coords=[pd.Index(net_candidates.index, name=CANDIDATE)])


class PlanProblem:
    """The shared model of a set of cases and its build variables."""

    def __init__(self, cases: list[Case], years: list[int], options: SolveOptions,
                 prior: Sizes | None = None, weights: Mapping[int, float] | None = None):
        if not cases:
            raise ModelError([Problem("plan", "cases", "nothing to plan")])
        self.cases, self.years, self.options = cases, list(years), options
        first = cases[0].net
        self.table = first.candidates
        if not len(self.table):
            raise ModelError([Problem("model.yaml", "candidates", "planning needs candidates "
                                      "to build; the model has none")])
        self.rate = first.discount_rate
        started = time.perf_counter()
        self.model = linopy.Model(force_dim_names=True)
        self.builds: BuildVariables = add_build_variables(self.model, self.table, self.years,
                                                          prior)
        self.period_weight = dict(weights) if weights is not None else dict(
            zip(self.years, period_weights(self.years, self.rate), strict=True))
        self.share = {c.year: year_share(len(c.net.time) * c.net.step_hours) for c in cases}
        self.charge = {y: self.period_weight[y] * self.share[y] for y in self.years}
        self.annual = annual_costs(self.table, self.rate)
        self.contexts: list[BuildContext] = []
        for case in cases:
            ctx = new_context(case.net, fixed_parameters(case.net), model=self.model,
                              prefix=case.prefix,
                              weight=self.period_weight[case.year] * case.weight)
            add_operation(ctx, extra_families=(candidate_family(self.builds, case.year),))
            self.contexts.append(ctx)
        self.investment = investment_cost(self.builds, self.annual, self.charge)
        # annuities of earlier runs' builds are a constant, which linopy keeps out of the
        # objective: added back in objective_usd
        self.investment_constant = float(self.investment.const)
        set_objective(self.model, self.contexts,
                      shared_costs=[self.investment - self.investment_constant])
        self.build_s = time.perf_counter() - started
        self.solve_s = 0.0
        self.solves = 0

    @property
    def equivalent_years(self) -> float:
        """Sum of period weight x share of a year: divides weighted totals into annual ones."""
        return float(sum(self.charge.values()))

    @property
    def size(self) -> dict[str, int]:
        return {"rows": int(self.model.ncons), "columns": int(self.model.nvars),
                "binaries": int(self.model.binaries.nvars) if len(self.model.binaries) else 0}

    # ---- solving ----
    def solve(self, relax: bool = False) -> None:
        """Solve; `relax` drops integrality (exact when every binary is fixed)."""
        options = self.options
        if relax and self.builds.built is not None and options.solver.lower() == "highs":
            options = dataclasses.replace(options, solver_options={
                **options.solver_options, "solve_relaxation": True})
        stats = run_solver(self.model, options)
        self.solve_s += stats.solve_s
        self.solves += 1
        if stats.outcome is not Outcome.OPTIMAL:
            raise SolveError(f"the planning problem has no optimum ({stats.termination}); "
                             "run each year with `vakhsh run` to see which case fails")

    def optimise(self) -> Evaluation:
        self.builds.release()
        self.solve()
        return self.evaluation()

    def evaluate(self, sizes: Sizes, keep: bool = False) -> Evaluation:
        """Operate every case with the builds fixed to `sizes`.

        The builds get their own bounds back afterwards, which discards the solution;
        `keep=True` leaves them fixed (and the solution readable, e.g. by `case_results`)
        until `release()`.
        """
        self.builds.fix(sizes)
        try:
            self.solve(relax=True)
            return self.evaluation()
        finally:
            if not keep:
                self.builds.release()

    def release(self) -> None:
        self.builds.release()

    # ---- reading a solution ----
    def objective_usd(self) -> float:
        return float(self.model.objective.value) + self.investment_constant + sum(
            ctx.weight * ctx.cost_constant for ctx in self.contexts)

    def investment_usd(self) -> float:
        return float(self.investment.solution)

    def capacity(self, sizes: Sizes) -> dict[str, dict[int, float]]:
        """What stands each year (MW) for new builds `sizes` plus prior builds."""
        life = self.table["lifetime_years"]
        out = {}
        for cid in self.table.index:
            built = {**{b: v for b, v in self.builds.prior.get(cid, {}).items()}}
            for b, v in sizes.get(cid, {}).items():
                built[b] = built.get(b, 0.0) + v
            out[cid] = {y: float(sum(v for b, v in built.items() if b <= y < b + life[cid]))
                        for y in self.years}
        return out

    def candidate_cost_usd(self, cid: str, sizes: Mapping[int, float]) -> float:
        """Weighted investment charge of candidate `cid` built at `sizes` (by year)."""
        standing = self.capacity({cid: dict(sizes)})[cid]
        prior = self.capacity({})[cid]
        return float(sum(self.charge[y] * float(self.annual.sel({CANDIDATE: cid}))
                         * (standing[y] - prior[y]) for y in self.years))

    def evaluation(self) -> Evaluation:
        sizes = self.builds.solution()
        cases = [case_metrics(ctx, case, self.builds) for ctx, case in
                 zip(self.contexts, self.cases, strict=True)]
        weights = [ctx.weight for ctx in self.contexts]

        def total(key: str) -> float:
            return float(sum(w * c[key] for w, c in zip(weights, cases, strict=True)))

        def per_candidate(key: str) -> dict[str, float]:
            return {cid: float(sum(w * c[key][cid] for w, c in
                                   zip(weights, cases, strict=True)))
                    for cid in self.table.index}

        investment = self.investment_usd()
        objective = self.objective_usd()
        return Evaluation(sizes=sizes, total_usd=objective, investment_usd=investment,
                          operating_usd=objective - investment,
                          unserved_mwh=total("unserved_mwh"),
                          winter_unserved_mwh=total("winter_unserved_mwh"),
                          export_revenue_usd=total("export_revenue_usd"),
                          downstream_shortage_hm3=total("downstream_shortage_hm3"),
                          candidate_mwh=per_candidate("candidate_mwh"),
                          candidate_winter_mwh=per_candidate("candidate_winter_mwh"),
                          cases=cases)


def _sum(values: xr.DataArray, mask: xr.DataArray | None = None) -> float:
    if mask is not None:
        values = values.where(mask, 0.0)
    return float(values.fillna(0.0).sum())


def case_metrics(ctx: BuildContext, case: Case, builds: BuildVariables) -> dict:
    """Costs and physical outcomes of one solved case (unweighted, over its run), from
    `vakhsh.results.metrics` on the case's results."""
    from vakhsh.results.dataset import extract

    net, h = ctx.net, ctx.hours
    ds = extract(ctx)
    winter = m.season_mask(net, m.WINTER)
    operating = float(sum(float(t.solution) for t in ctx.cost_terms)) + ctx.cost_constant
    markets = m.market_gwh(net, ds)
    winter_unserved = m.unserved_gwh(net, ds, m.WINTER) * 1e3
    out = {"year": case.year, "member": case.member.label, "weight": case.weight,
           "operating_usd": operating,
           "unserved_mwh": float(m.unserved_gwh(net, ds).sum()) * 1e3,
           "winter_unserved_mwh": float(winter_unserved.sum()),
           "winter_unserved_mwh_by_bus": {str(b): float(v) for b, v in
                                          winter_unserved.items()},
           "export_revenue_usd": -m.costs_usd(net, ds)["market_export_revenue"],
           "export_mwh": float(markets["export_gwh"].sum()) * 1e3,
           "import_mwh": float(markets["import_gwh"].sum()) * 1e3,
           "downstream_shortage_hm3": m.downstream_shortage_hm3(net, ds)}
    energy, winter_energy = {}, {}
    table = builds.table
    for cid in table.index:
        energy[cid], winter_energy[cid] = 0.0, 0.0
    for name, scale in (("candidate_generator_p_mw", None),
                        ("candidate_storage_discharge_mw", None),
                        ("candidate_line_forward_mw", None),
                        ("candidate_line_backward_mw", None),
                        ("candidate_turbine_flow_m3s", "hydro")):
        if not ctx.has_var(name):
            continue
        values = ctx.var(name).solution.fillna(0.0)
        if scale == "hydro":
            ids = list(values[CANDIDATE].values)
            values = values * mw_per_m3s(net, table.loc[ids])
        for cid in values[CANDIDATE].values:
            one = values.sel({CANDIDATE: cid})
            energy[str(cid)] += h * _sum(one)
            winter_energy[str(cid)] += h * _sum(one, winter)
    out["candidate_mwh"], out["candidate_winter_mwh"] = energy, winter_energy
    return out


# ---------------------------------------------------------------- results per case
def case_results(problem: PlanProblem, index: int, tolerance: float):
    """Audited Results of one case of the last solve, candidates shown as components."""
    from vakhsh.plan.builds import with_builds
    from vakhsh.results.audit import audit
    from vakhsh.results.dataset import derived, extract
    from vakhsh.results.results import Results

    ctx, case = problem.contexts[index], problem.cases[index]
    standing = {c: v[case.year] for c, v in problem.capacity(
        problem.builds.solution()).items()}
    net = with_builds(case.net, standing)
    # reservoir stages are not model.yaml candidates: the network as built leaves them out
    net = dataclasses.replace(net, candidates=net.candidates[
        net.candidates["component"] != STAGES])
    ds = extract(ctx)
    built = [c for c, v in standing.items() if v > 1e-9]
    data = {name: ds[name] for name in ds.data_vars}
    table = problem.table
    pieces = {"generators": [("candidate_generator_p_mw", "generator_p_mw", "generator")],
              "storage_units": [("candidate_storage_charge_mw", "storage_charge_mw",
                                 "storage_unit"),
                                ("candidate_storage_discharge_mw", "storage_discharge_mw",
                                 "storage_unit"),
                                ("candidate_storage_soc_mwh", "storage_soc_mwh",
                                 "storage_unit")],
              "lines": [("candidate_line_forward_mw", "line_forward_mw", "line"),
                        ("candidate_line_backward_mw", "line_backward_mw", "line")],
              "hydro_plants": [("candidate_turbine_flow_m3s", "turbine_flow_m3s",
                                "hydro_plant")]}
    for kind, items in pieces.items():
        ids = [c for c in built if table.loc[c, "component"] == kind]
        if not ids:
            continue
        for var, name, dim in items:
            extra = ctx.var(var).solution.sel({CANDIDATE: ids}).fillna(0.0).rename(
                {CANDIDATE: dim}).transpose("time", dim)
            data[name] = xr.concat([data[name].transpose("time", dim), extra], dim=dim)
        if kind == "hydro_plants":
            heads = xr.DataArray(np.repeat(np.array([[hydro_head_m(case.net, table.loc[c,
                                 "template"]) for c in ids]]), len(net.time), 0),
                                 coords=[pd.Index(net.time, name="time"),
                                         pd.Index(ids, name="hydro_plant")])
            data["head_m"] = xr.concat([data["head_m"], heads], dim="hydro_plant")
    data.update(derived(net, data))
    merged = xr.Dataset({k: v.reset_coords(drop=True) for k, v in data.items()})
    for name in merged.data_vars:
        if name in ds and ds[name].attrs:
            merged[name].attrs.update(ds[name].attrs)
    report = audit(net, merged, tolerance)
    metrics = case_metrics(ctx, case, problem.builds)
    info = {"solver": problem.options.solver, "build_s": problem.build_s,
            "solve_s": problem.solve_s, "head_mode": "fixed", "head_iterations": 1,
            "head_energy_gap": None, "status": "optimal", **problem.size, "nonzeros": None}
    return Results(net=net, dataset=merged, objective_usd=metrics["operating_usd"],
                   audit=report, solve_info=info)
