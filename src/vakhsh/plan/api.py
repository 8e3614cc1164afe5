"""`plan()`: perfect foresight or myopic expansion, the robust comparison and the ranking."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.pipeline import Progress
from vakhsh.plan.cases import Case, Member, PlanSpec, load_cases
from vakhsh.plan.expansion import Evaluation, PlanProblem, head_message
from vakhsh.plan.ranking import rank
from vakhsh.solve.options import SolveOptions


@dataclass
class Plan:
    model: str
    spec: PlanSpec
    years: list[int]
    cases: list[Case]
    evaluation: Evaluation
    base: Evaluation | None
    capacity_mw: dict[str, dict[int, float]]
    candidates: pd.DataFrame
    discount_rate: float
    equivalent_years: float
    results: dict[str, Any] = field(default_factory=dict)  # case prefix -> Results
    ranking: pd.DataFrame | None = None
    average: dict[str, Any] | None = None
    timing: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    head: dict[str, list[str]] = field(default_factory=dict)  # head_models_used

    @property
    def builds(self) -> dict[str, dict[int, float]]:
        return self.evaluation.sizes

    @property
    def objective_usd(self) -> float:
        return self.evaluation.total_usd

    def to_dict(self) -> dict[str, Any]:
        ev, years = self.evaluation, self.equivalent_years
        storage = {
            c: {
                y: v * float(self.candidates.loc[c, "template"].get("max_hours", 0))
                for y, v in sizes.items()
            }
            for c, sizes in self.capacity_mw.items()
            if self.candidates.loc[c, "component"] == "storage_units"
        }
        out = {
            "model": self.model,
            "scenario": self.spec.scenario,
            "years": self.years,
            "myopic": self.spec.myopic,
            "members": [
                {
                    "label": m.label,
                    "weight": m.weight,
                    "scenario": m.scenario,
                    "ensemble": str(m.ensemble) if m.ensemble else None,
                    "index": m.index,
                }
                for m in (self.spec.members or ())
            ],
            "discount_rate": self.discount_rate,
            "demand_growth": self.spec.demand_growth,
            "objective_usd": ev.total_usd,
            "head": dict(self.head),
            "builds": _plain_sizes(ev.sizes),
            "capacity_mw": _plain_sizes(self.capacity_mw),
            "storage_energy_mwh": _plain_sizes(storage),
            "costs_usd": ev.costs_usd,
            "costs": {
                "investment_usd": ev.investment_usd,
                "operating_usd": ev.operating_usd,
                "equivalent_years": years,
                "annual_investment_usd": ev.investment_usd / years,
                "annual_operating_usd": ev.operating_usd / years,
                "base_system_usd": self.base.total_usd if self.base else None,
                "saving_vs_base_usd": (self.base.total_usd - ev.total_usd) if self.base else None,
            },
            "metrics": {
                "unserved_mwh_per_year": ev.unserved_mwh / years,
                "winter_unserved_mwh_per_year": ev.winter_unserved_mwh / years,
                "export_revenue_usd_per_year": ev.export_revenue_usd / years,
                "downstream_shortage_hm3_per_year": ev.downstream_shortage_hm3 / years,
                "base_system": None
                if self.base is None
                else {
                    "unserved_mwh_per_year": self.base.unserved_mwh / years,
                    "winter_unserved_mwh_per_year": self.base.winter_unserved_mwh / years,
                    "export_revenue_usd_per_year": self.base.export_revenue_usd / years,
                    "downstream_shortage_hm3_per_year": self.base.downstream_shortage_hm3 / years,
                },
                "cases": ev.cases,
            },
            "average_year_plan": self.average,
            "ranking": None if self.ranking is None else _records(self.ranking),
            "audit": {prefix: r.audit.as_dict() for prefix, r in self.results.items()},
            "notes": sorted({c.note for c in self.cases if c.note}),
            "timing_s": self.timing,
            "size": self.size,
        }
        return out

    def _case_extra(self, prefix: str) -> dict[str, Any]:
        """What summary.json of one case says about the plan."""
        case = next(c for c in self.cases if c.prefix == prefix)
        return {
            "year": case.year,
            "member": case.member.label,
            "member_weight": case.weight,
            "capacity_mw": {c: by[case.year] for c, by in self.capacity_mw.items()},
            "note": case.note or None,
        }

    def to_folder(
        self,
        folder: str | Path,
        report: bool = True,
        year_reports: bool = False,
        overwrite: bool = False,
    ) -> Path:
        """plan.json, ranking.csv, results per case under years/, report.html; atomic.

        `year_reports` adds the run report (`vakhsh.report.html`) of every case. An
        existing folder is replaced only when it is a plan vakhsh wrote and
        `overwrite=True` (see vakhsh.outputs).
        """
        from vakhsh.outputs import output_folder

        with output_folder(folder, "plan", overwrite=overwrite) as tmp:
            self.write_files(tmp, report, year_reports)
        return Path(folder)

    def write_files(self, folder: Path, report: bool = True, year_reports: bool = False) -> None:
        """The plan's files into `folder` (an output folder being built)."""
        (folder / "plan.json").write_text(
            json.dumps(self.to_dict(), indent=2, default=_json_default)
        )
        if self.ranking is not None:
            self.ranking.to_csv(folder / "ranking.csv", index=False, float_format="%.6g")
        for prefix, results in self.results.items():
            where = results.to_folder(
                folder / "years" / prefix.rstrip("_"), extra={"plan": self._case_extra(prefix)}
            )
            if year_reports:
                from vakhsh.report.html import write_report

                write_report(results, where)
        if report:
            from vakhsh.plan.report import write_plan_report

            write_plan_report(self, folder / "report.html")


def _plain_sizes(sizes: dict[str, dict[int, float]]) -> dict[str, dict[str, float]]:
    return {c: {str(y): float(v) for y, v in by.items()} for c, by in sizes.items()}


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def plan(
    model: str | Path,
    spec: PlanSpec | None = None,
    options: SolveOptions | None = None,
    ranking: bool = True,
    compare_average: bool = True,
    results: bool = True,
    progress: Progress | None = None,
    start=None,
    end=None,
) -> Plan:
    """Plan investment in `model`'s candidates; see `vakhsh.plan` for the pieces."""
    spec = spec or PlanSpec()
    options = options or SolveOptions()
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    say("loading the cases")
    cases, years = load_cases(model, spec, start, end)
    timing = {"load_s": time.perf_counter() - started}
    solve_before = 0.0
    if spec.myopic:
        prior: dict[str, dict[int, float]] = {}
        for year in years:
            say(f"myopic: building and solving {year}")
            sub = [c for c in cases if c.year == year]
            step = PlanProblem(sub, [year], options, prior=prior, weights={year: 1.0})
            found = step.optimise()
            solve_before += step.solve_s
            for cid, by in found.sizes.items():
                prior.setdefault(cid, {})[year] = by[year]
        say("building the plan over every year")
        problem = PlanProblem(cases, years, options)
        say("operating every year with the myopic builds")
        evaluation = problem.evaluate(prior)
    else:
        say("building the plan")
        problem = PlanProblem(cases, years, options)
        say(head_message(problem.head))
        say(
            f"solving ({problem.size['rows']:,} rows, {problem.size['columns']:,} columns, "
            f"{problem.size['binaries']} binaries)"
        )
        evaluation = problem.optimise()
    timing["build_s"] = problem.build_s
    timing["plan_solve_s"] = problem.solve_s + solve_before
    per_case = {}
    if results:  # every case's audited results, from the pipeline (the network as built)
        per_case = {
            case.prefix: r for case, r in zip(problem.cases, evaluation.results, strict=True)
        }
    problem.release()
    capacity = problem.capacity(evaluation.sizes)
    average = None
    if compare_average and len({c.member.label for c in cases}) > 1:
        average = _average_year(model, spec, options, problem, evaluation, start, end, say)
    ranked, base = None, None
    rank_started = time.perf_counter()
    solves_before = problem.solves
    if ranking:
        say("ranking: the base system (nothing built)")
        base = problem.evaluate({})
        ranked = rank(problem, evaluation, base, progress=say)
    timing["rank_s"] = time.perf_counter() - rank_started
    timing["rank_solves"] = problem.solves - solves_before
    timing["total_s"] = time.perf_counter() - started
    return Plan(
        model=str(model),
        spec=spec,
        years=years,
        cases=cases,
        evaluation=evaluation,
        base=base,
        capacity_mw=capacity,
        candidates=problem.table,
        discount_rate=problem.rate,
        equivalent_years=problem.equivalent_years,
        results=per_case,
        ranking=ranked,
        average=average,
        timing=timing,
        size=problem.size,
        head=problem.head,
    )


def _average_year(
    model,
    spec: PlanSpec,
    options: SolveOptions,
    problem: PlanProblem,
    robust: Evaluation,
    start,
    end,
    say: Progress,
) -> dict[str, Any]:
    """Plan on the average year alone, then run that plan on every member."""
    labels = [m.label for m in spec.members]
    scenario = "base" if "base" in labels else spec.scenario
    member = Member("average", 1.0, scenario=scenario)
    avg_spec = PlanSpec(
        years=tuple(problem.years),
        members=(member,),
        scenario=scenario,
        demand_growth=spec.demand_growth,
        inflow_factor=spec.inflow_factor,
        climate=spec.climate,
        retire=spec.retire,
        stages=spec.stages,
    )
    say("robust: planning on the average year alone")
    cases, years = load_cases(model, avg_spec, start, end)
    alone = PlanProblem(cases, years, options).optimise()
    say("robust: running the average-year plan on every member")
    tried = problem.evaluate(alone.sizes)
    years_eq = problem.equivalent_years
    return {
        "scenario": scenario or "model",
        "builds": _plain_sizes(alone.sizes),
        "difference_mw": {
            c: {str(y): float(robust.sizes[c][y] - alone.sizes[c][y]) for y in robust.sizes[c]}
            for c in robust.sizes
        },
        "cost_on_members_usd": tried.total_usd,
        "robust_cost_on_members_usd": robust.total_usd,
        "regret_usd_per_year": (tried.total_usd - robust.total_usd) / years_eq,
        "unserved_mwh_per_year": tried.unserved_mwh / years_eq,
        "robust_unserved_mwh_per_year": robust.unserved_mwh / years_eq,
        "winter_unserved_mwh_per_year": tried.winter_unserved_mwh / years_eq,
        "robust_winter_unserved_mwh_per_year": robust.winter_unserved_mwh / years_eq,
        "by_member": {
            f"{c['year']}/{c['member']}": {
                "operating_usd": c["operating_usd"],
                "unserved_mwh": c["unserved_mwh"],
            }
            for c in tried.cases
        },
    }
