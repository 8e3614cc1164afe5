"""Expansion planning: one LP (a MIP with lumpy candidates) over every case of a plan.

Every (investment year, inflow member) case adds its own operation to one linopy model
under its own prefix, with its operating costs weighted by the year's period weight times
the member's weight. Its candidates are components of their kind whose size is a decision
(`vakhsh.plan.builds.with_candidates`, operated by the same constraint families as the
existing components); the build variables are shared by all cases and their annuities are
charged once per year (`vakhsh.math.investment`). The same model, with the builds fixed,
evaluates any other set of sizes (nothing built, the plan without one candidate, one
candidate alone), which is how the ranking is computed without rebuilding. Every solve
goes through the run pipeline (`vakhsh.pipeline`): each case's results are audited,
shown as the network as built.
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
from vakhsh.math.build import set_objective
from vakhsh.math.context import BuildContext
from vakhsh.math.fpha import FPHA_POWER, fpha_plants
from vakhsh.math.investment import (
    CANDIDATE,
    STAGES,
    BuildVariables,
    Sizes,
    add_build_variables,
    extendable_sizes,
    investment_cost,
    stage_plants,
)
from vakhsh.network import Network
from vakhsh.pipeline import Formulation, Solution, build_cases, run, solve_once
from vakhsh.plan.builds import with_builds, with_candidates
from vakhsh.plan.cases import Case
from vakhsh.plan.economics import annual_cost_usd_per_mw, period_weights, year_share
from vakhsh.results import metrics as m
from vakhsh.results.results import Results
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.heads import ProductionModel
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import SolveStats, run_solver


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
    # the audited results of every case (the network as built), in the order of the cases
    results: list[Results] = field(default_factory=list, repr=False)
    costs_usd: dict[str, float] = field(default_factory=dict)


def annual_costs(net_candidates: pd.DataFrame, rate: float) -> xr.DataArray:
    values = [
        annual_cost_usd_per_mw(
            row.capex_usd_per_kw, row.fom_usd_per_kw_year, row.lifetime_years, rate
        )
        for _cid, row in net_candidates.iterrows()
    ]
    return xr.DataArray(
        np.asarray(values, dtype=float), coords=[pd.Index(net_candidates.index, name=CANDIDATE)]
    )


class PlanProblem:
    """The shared model of a set of cases and its build variables."""

    def __init__(
        self,
        cases: list[Case],
        years: list[int],
        options: SolveOptions,
        prior: Sizes | None = None,
        weights: Mapping[int, float] | None = None,
    ):
        if not cases:
            raise ModelError([Problem("plan", "cases", "nothing to plan")])
        self.cases, self.years, self.options = cases, list(years), options
        first = cases[0].net
        self.table = first.candidates
        if not len(self.table):
            raise ModelError(
                [
                    Problem(
                        "model.yaml",
                        "candidates",
                        "planning needs candidates to build; the model has none",
                    )
                ]
            )
        self.rate = first.discount_rate
        started = time.perf_counter()
        model = linopy.Model(force_dim_names=True)
        self.builds: BuildVariables = add_build_variables(model, self.table, self.years, prior)
        self.period_weight = (
            dict(weights)
            if weights is not None
            else dict(zip(self.years, period_weights(self.years, self.rate), strict=True))
        )
        self.share = {c.year: year_share(len(c.net.time) * c.net.step_hours) for c in cases}
        self.charge = {y: self.period_weight[y] * self.share[y] for y in self.years}
        self.annual = annual_costs(self.table, self.rate)
        # each case operates its candidates as extendable components; head as in a run
        # (`--head auto`): FPHA for the plants that allow it, unless a decision sizes them
        nets = [with_candidates(case.net) for case in cases]

        def prepare(i: int, ctx: BuildContext) -> None:
            ctx.extendable, ctx.extendable_max = extendable_sizes(
                self.builds, cases[i].year, cases[i].net
            )

        heads = ProductionModel("auto")
        self.model, self.contexts = build_cases(
            nets,
            [fixed_parameters(n) for n in nets],
            heads,
            prefixes=[c.prefix for c in cases],
            weights=[self.period_weight[c.year] * c.weight for c in cases],
            model=model,
            prepare=prepare,
        )
        self.head = head_models_used(nets, self.contexts)
        self.investment = investment_cost(self.builds, self.annual, self.charge)
        # annuities of earlier runs' builds are a constant, which linopy keeps out of the
        # objective: added back in objective_usd
        self.investment_constant = float(self.investment.const)
        set_objective(
            self.model, self.contexts, shared_costs=[self.investment - self.investment_constant]
        )
        self.formulation = Formulation(
            model=self.model,
            cases=self.contexts,
            constant_usd=self.investment_constant,
            heads=heads,
            explain=_explain,
            present=self._as_built,
            info={"head_mode": heads.mode, "binaries": self.size["binaries"]},
        )
        self.build_s = time.perf_counter() - started
        self.solve_s = 0.0
        self.solves = 0

    @property
    def equivalent_years(self) -> float:
        """Sum of period weight x share of a year: divides weighted totals into annual ones."""
        return float(sum(self.charge.values()))

    @property
    def size(self) -> dict[str, int]:
        return {
            "rows": int(self.model.ncons),
            "columns": int(self.model.nvars),
            "binaries": int(self.model.binaries.nvars) if len(self.model.binaries) else 0,
        }

    # ---- solving (through the run pipeline) ----
    def _run(self, strategy) -> Evaluation:
        solution = run(strategy, self.options)
        self.solve_s += solution.solve_s
        self.solves += solution.solves
        return self.evaluation(solution)

    def optimise(self) -> Evaluation:
        return self._run(Expansion(self))

    def evaluate(self, sizes: Sizes) -> Evaluation:
        """Operate every case with the builds fixed to `sizes`; the builds get their own
        bounds back afterwards."""
        try:
            return self._run(FixedBuilds(self, sizes))
        finally:
            self.builds.release()

    def release(self) -> None:
        self.builds.release()

    # ---- reading a solution ----
    def investment_usd(self) -> float:
        return float(self.investment.solution)

    def capacity(self, sizes: Sizes) -> dict[str, dict[int, float]]:
        """What stands each year (MW) for new builds `sizes` plus prior builds."""
        life = self.table["lifetime_years"]
        out = {}
        for cid in self.table.index:
            built = dict(self.builds.prior.get(cid, {}))
            for b, v in sizes.get(cid, {}).items():
                built[b] = built.get(b, 0.0) + v
            out[cid] = {
                y: float(sum(v for b, v in built.items() if b <= y < b + life[cid]))
                for y in self.years
            }
        return out

    def candidate_cost_usd(self, cid: str, sizes: Mapping[int, float]) -> float:
        """Weighted investment charge of candidate `cid` built at `sizes` (by year)."""
        standing = self.capacity({cid: dict(sizes)})[cid]
        prior = self.capacity({})[cid]
        return float(
            sum(
                self.charge[y] * float(self.annual.sel({CANDIDATE: cid})) * (standing[y] - prior[y])
                for y in self.years
            )
        )

    def _as_built(
        self, index: int, ctx: BuildContext, ds: xr.Dataset
    ) -> tuple[Network, xr.Dataset]:
        """A case shown as the network as built: the candidates standing that year as
        ordinary components (named by their candidate id), the others left out."""
        case = self.cases[index]
        standing = {c: v[case.year] for c, v in self.capacity(self.builds.solution()).items()}
        net = with_builds(case.net, standing)
        # the network as built shows what stands; a stage not built is left out of it
        net = dataclasses.replace(
            net, candidates=net.candidates[net.candidates["component"] != STAGES]
        )
        rebuilt = stage_plants(self.table)
        for cid, size in standing.items():
            kind = self.table.loc[cid, "component"]
            if kind != STAGES and size <= 1e-9:
                ds = ds.drop_sel({ctx.net.dim(kind): [cid]})
            elif kind == STAGES and size <= 1e-9:  # its version of the plants it rebuilds
                ds = ds.drop_sel({"hydro_plant": list(rebuilt.index[rebuilt["candidate"] == cid])})
        return net, ds

    def evaluation(self, solution: Solution) -> Evaluation:
        sizes = self.builds.solution()
        cases = [
            case_metrics(results, case, self.table)
            for results, case in zip(solution.results, self.cases, strict=True)
        ]
        weights = [ctx.weight for ctx in self.contexts]

        def total(key: str) -> float:
            return float(sum(w * c[key] for w, c in zip(weights, cases, strict=True)))

        def per_candidate(key: str) -> dict[str, float]:
            return {
                cid: float(sum(w * c[key][cid] for w, c in zip(weights, cases, strict=True)))
                for cid in self.table.index
            }

        investment = self.investment_usd()
        objective = solution.objective_usd
        costs = {
            kind: float(sum(w * c["costs_usd"][kind] for w, c in zip(weights, cases, strict=True)))
            for kind in m.COST_KINDS
        }
        costs["investment"] = investment
        return Evaluation(
            sizes=sizes,
            total_usd=objective,
            investment_usd=investment,
            operating_usd=objective - investment,
            unserved_mwh=total("unserved_mwh"),
            winter_unserved_mwh=total("winter_unserved_mwh"),
            export_revenue_usd=total("export_revenue_usd"),
            downstream_shortage_hm3=total("downstream_shortage_hm3"),
            candidate_mwh=per_candidate("candidate_mwh"),
            candidate_winter_mwh=per_candidate("candidate_winter_mwh"),
            cases=cases,
            solve_s=solution.solve_s,
            results=solution.results,
            costs_usd=costs,
        )


def head_models_used(nets: list, contexts: list[BuildContext]) -> dict[str, list[str]]:
    """Which plants the plan operates with FPHA, and which would have it in a run but keep
    a fixed head because their size or stage is a decision (their planes would be fitted
    to a range the decision changes), over every case."""
    fpha: set[str] = set()
    fixed: set[str] = set()
    for net, ctx in zip(nets, contexts, strict=True):
        used = (
            [str(p) for p in ctx.var(FPHA_POWER).coords["hydro_plant"].values]
            if ctx.has_var(FPHA_POWER)
            else []
        )
        fpha |= set(used)
        fixed |= set(fpha_plants(net, "auto")) - set(used)
    return {"fpha": sorted(fpha), "fixed_sized_or_staged": sorted(fixed - fpha)}


def head_message(head: Mapping[str, list[str]]) -> str:
    """One line for the user: the plan's head model per plant."""
    fpha, fixed = head.get("fpha", []), head.get("fixed_sized_or_staged", [])
    parts = [
        f"FPHA (head follows the level) for {', '.join(fpha)}"
        if fpha
        else "fixed head for every plant"
    ]
    if fixed:
        parts.append(
            f"fixed head for {', '.join(fixed)}: its size or stage is a decision "
            "of the plan, so planes fitted to today's range would not hold"
        )
    return "head: " + "; ".join(parts)


def _explain(stats: SolveStats, options: SolveOptions) -> SolveError:
    return SolveError(
        f"the planning problem has no optimum ({stats.termination}); run each "
        "year with `vakhsh run` to see which case fails"
    )


class Expansion:
    """Strategy: choose the builds and operate every case (the plan's MIP)."""

    def __init__(self, problem: PlanProblem):
        self.problem = problem

    def formulate(self, solved: Formulation | None) -> Formulation | None:
        if solved is not None:
            return None
        self.problem.builds.release()
        return self.problem.formulation

    solve = staticmethod(solve_once)


class FixedBuilds(Expansion):
    """Strategy: operate every case with the builds fixed (an LP once binaries are fixed)."""

    def __init__(self, problem: PlanProblem, sizes: Sizes):
        super().__init__(problem)
        self.sizes = sizes

    def formulate(self, solved: Formulation | None) -> Formulation | None:
        if solved is not None:
            return None
        self.problem.builds.fix(self.sizes)
        return self.problem.formulation

    def solve(self, formulation: Formulation, options: SolveOptions) -> SolveStats:
        """Without integrality (exact: every binary is fixed)."""
        if self.problem.builds.built is not None and options.solver.lower() == "highs":
            options = dataclasses.replace(
                options, solver_options={**options.solver_options, "solve_relaxation": True}
            )
        return run_solver(formulation.model, options)


def case_metrics(results: Results, case: Case, table: pd.DataFrame) -> dict:
    """Costs and physical outcomes of one solved case (unweighted, over its run), from
    `vakhsh.results.metrics` on the case's audited results."""
    net, ds = results.net, results.dataset
    markets = m.market_gwh(net, ds)
    winter_unserved = m.unserved_gwh(net, ds, m.WINTER) * 1e3
    costs = m.costs_usd(net, ds)
    energy = m.component_energy_gwh(net, ds) * 1e3
    winter_energy = m.component_energy_gwh(net, ds, m.WINTER) * 1e3
    return {
        "year": case.year,
        "member": case.member.label,
        "weight": case.weight,
        "operating_usd": results.objective_usd,
        "costs_usd": costs,
        "unserved_mwh": float(m.unserved_gwh(net, ds).sum()) * 1e3,
        "winter_unserved_mwh": float(winter_unserved.sum()),
        "winter_unserved_mwh_by_bus": {str(b): float(v) for b, v in winter_unserved.items()},
        "export_revenue_usd": -costs["market_export_revenue"],
        "export_mwh": float(markets["export_gwh"].sum()) * 1e3,
        "import_mwh": float(markets["import_gwh"].sum()) * 1e3,
        "downstream_shortage_hm3": m.downstream_shortage_hm3(net, ds),
        "candidate_mwh": {c: float(energy.get(c, 0.0)) for c in table.index},
        "candidate_winter_mwh": {c: float(winter_energy.get(c, 0.0)) for c in table.index},
    }
