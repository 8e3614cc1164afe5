"""The cases of a plan: one operating run per investment year and inflow member.

Year y runs the model's own period shifted by whole years, so that a model of 2024-10-01
.. 2025-10-01 planned for 2030 operates 2030-10-01 .. 2031-10-01 (`month`-layout series
repeat every year; a `time`-layout series must cover the shifted period, or the model's own
period is used and the plan says so). Per year: loads grow by `(1 + demand_growth)^(y -
y_model)`, inflows are multiplied by `inflow_factor[y]` (a number or 12 monthly factors)
and transformed by a named climate scenario of `vakhsh.hydrology.climate`, and existing
components listed in `retire` are gone from their retirement year on.

Members: model scenarios (`dry`, `base`, `wet`, ...) or members of an inflow ensemble
file, each with a weight; the weights of a year sum to one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network, load_network
from vakhsh.network.series import monthly_step_means
from vakhsh.schema.components import Component, NonNegative, Positive
from vakhsh.schema.parse import MODEL_FILE

# members used by `--members N` when no ensemble file is given, driest first
SCENARIO_MEMBERS = {1: ("base",), 2: ("dry", "base"), 3: ("dry", "base", "wet")}


@dataclass(frozen=True)
class Member:
    """One inflow member: a model scenario, or member `index` of an ensemble file."""

    label: str
    weight: float = 1.0
    scenario: str | None = None
    ensemble: Path | None = None
    index: int | None = None


@dataclass(frozen=True)
class ReservoirStage:
    """A higher full supply level for a reservoir: all or nothing, at a total capex."""

    reservoir: str
    storage_max_hm3: float
    capex_usd: float
    lifetime_years: float
    fom_usd_per_year: float = 0.0


@dataclass(frozen=True)
class PlanSpec:
    """What a plan covers. Years None: the model's own period is the single year."""

    years: tuple[int, ...] | None = None
    members: tuple[Member, ...] = ()
    scenario: str | None = None  # scenario of every member given by ensemble or default
    demand_growth: float = 0.0  # per year, from the model's own year
    inflow_factor: Mapping[int, float | Sequence[float]] = field(default_factory=dict)
    climate: Mapping[int | str, str] = field(default_factory=dict)  # year or "all" -> name
    retire: Mapping[str, int] = field(default_factory=dict)  # component id -> year
    myopic: bool = False
    stages: Mapping[str, ReservoirStage] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    year: int
    member: Member
    net: Network
    weight: float  # of the member within its year
    note: str = ""

    @property
    def prefix(self) -> str:
        return f"y{self.year}_{self.member.label}_"


def default_members(
    model,
    count: int,
    scenario: str | None = None,
    ensemble: Path | None = None,
    weights: Sequence[float] | None = None,
) -> tuple[Member, ...]:
    """`count` members from an ensemble file, or from the model's dry/base/wet scenarios."""
    if count < 1:
        raise ModelError([Problem("command line", "--members", "must be at least 1", count)])
    if weights is not None and len(weights) != count:
        raise ModelError(
            [Problem("command line", "--weights", f"needs {count} weights", list(weights))]
        )
    w = list(weights) if weights is not None else [1.0] * count
    if ensemble is not None:
        return tuple(
            Member(f"m{k}", w[k], scenario=scenario, ensemble=Path(ensemble), index=k)
            for k in range(count)
        )
    if count == 1:
        return (Member(scenario or "model", w[0], scenario=scenario),)
    names = SCENARIO_MEMBERS.get(count)
    if names is None:
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--members",
                    "without --inflows, 1, 2 or 3 members (dry, base, wet scenarios)",
                    count,
                )
            ]
        )
    from vakhsh.network.load import resolve_model_path
    from vakhsh.schema.parse import read_yaml

    known = read_yaml(resolve_model_path(model) / MODEL_FILE).get("scenarios") or {}
    missing = [n for n in names if n not in known]
    if missing:
        raise ModelError(
            [
                Problem(
                    MODEL_FILE,
                    "scenarios",
                    f"planning on several members needs the scenarios {', '.join(names)}",
                    f"missing: {', '.join(missing)}",
                )
            ]
        )
    return tuple(Member(n, w[k], scenario=n) for k, n in enumerate(names))


def load_cases(model, spec: PlanSpec, start=None, end=None) -> tuple[list[Case], list[int]]:
    """Every (year, member) case of a plan, and the investment years."""
    members = spec.members or (Member(spec.scenario or "model", 1.0, scenario=spec.scenario),)
    total = sum(m.weight for m in members)
    if total <= 0 or any(m.weight < 0 for m in members):
        raise ModelError(
            [
                Problem(
                    "plan",
                    "members",
                    "weights must be non-negative and not all zero",
                    [m.weight for m in members],
                )
            ]
        )
    own = load_network(model, scenario=members[0].scenario, start=start, end=end)
    own_year = own.time[0].year
    years = list(spec.years) if spec.years else [own_year]
    if any(b <= a for a, b in zip(years, years[1:], strict=False)):
        raise ModelError([Problem("command line", "--years", "must increase", years)])
    cases = []
    for year in years:
        for member in members:
            net, note = _load_year(model, member, own, year, start, end)
            net = _transform(net, spec, year, own_year)
            if spec.stages:
                net = with_stages(net, spec.stages)
            cases.append(Case(year, member, net, member.weight / total, note))
    return cases, years


def _load_year(model, member: Member, own: Network, year: int, start, end) -> tuple[Network, str]:
    shift = pd.DateOffset(years=year - own.time[0].year)
    first, last = own.time[0] + shift, own.run.ends[-1] + shift
    note = ""
    try:
        net = load_network(
            model, scenario=member.scenario, start=first, end=last, step=str(own.run.step)
        )
    except ModelError as exc:
        if not any("does not cover" in p.message for p in exc.problems):
            raise
        net = load_network(model, scenario=member.scenario, start=start, end=end)
        note = (
            f"series do not cover {first:%Y-%m-%d} .. {last:%Y-%m-%d}; the model's own "
            "period operates this year"
        )
    if member.ensemble is not None:
        from vakhsh.hydrology.member import with_member

        net = with_member(net, member.ensemble, int(member.index or 0))
    return net, note


def _transform(net: Network, spec: PlanSpec, year: int, own_year: int) -> Network:
    series = dict(net.series)
    tables = dict(net.tables)
    if spec.demand_growth and len(net.tables["loads"]):
        factor = (1.0 + spec.demand_growth) ** (year - own_year)
        series["loads"] = series["loads"].assign(p_mw=series["loads"]["p_mw"] * factor)
    factor = spec.inflow_factor.get(year)
    if factor is not None:
        months = (
            np.broadcast_to(np.asarray(factor, dtype=float), (12,))
            if np.ndim(factor) == 0
            else np.asarray(factor, dtype=float)
        )
        if months.shape != (12,):
            raise ModelError(
                [
                    Problem(
                        "plan",
                        f"inflow_factor.{year}",
                        "a number or 12 monthly factors",
                        list(np.ravel(factor)),
                    )
                ]
            )
        by_step = xr.DataArray(
            monthly_step_means(months, net.run), coords={"time": net.time}, dims=["time"]
        )
        series["catchments"] = series["catchments"].assign(
            inflow_m3s=series["catchments"]["inflow_m3s"] * by_step
        )
    name = spec.climate.get(year, spec.climate.get("all"))
    if name:
        series["catchments"] = series["catchments"].assign(
            inflow_m3s=climate_inflows(series["catchments"]["inflow_m3s"], name)
        )
    for cid, retire_year in spec.retire.items():
        if year >= retire_year:
            tables, series = _retire(tables, series, cid)
    return dataclasses.replace(net, series=series, tables=tables)


def climate_inflows(inflow: xr.DataArray, name: str) -> xr.DataArray:
    """Inflows (time, catchment) under a named climate scenario, month by month.

    The scenario is applied to the monthly means of the run (as a one-member ensemble);
    every step is then multiplied by the ratio of its month's transformed to original mean.
    """
    from vakhsh.hydrology import climate
    from vakhsh.hydrology.errors import InflowError

    months = inflow["time"].dt.month
    monthly = inflow.groupby(months).mean()  # (month, catchment)
    order = list(range(10, 13)) + list(range(1, 10))  # a hydrological year
    stamps = pd.DatetimeIndex(
        [pd.Timestamp(2001 if m >= 10 else 2002, m, 1) for m in order], name="time"
    )
    values = np.stack(
        [
            monthly.sel(month=m).values
            if m in monthly["month"]
            else np.full(inflow.sizes["catchment"], np.nan)
            for m in order
        ]
    )
    da = xr.DataArray(
        np.nan_to_num(values)[None],
        dims=["member", "time", "catchment"],
        coords={"member": [0], "time": stamps, "catchment": inflow["catchment"].values},
    )
    try:
        changed = climate.apply_scenario(da, name)
    except InflowError as exc:  # an unknown name is the user's to fix
        raise ModelError([Problem("plan", "climate", str(exc), name)]) from None
    ratio = (changed / da.where(da > 0)).fillna(1.0).isel(member=0)
    ratio = (
        ratio.assign_coords(month=("time", [t.month for t in stamps]))
        .swap_dims(time="month")
        .drop_vars("time")
    )
    return inflow * ratio.sel(month=months).drop_vars("month")


def _retire(tables: dict, series: dict, cid: str) -> tuple[dict, dict]:
    for kind, fields in (
        ("generators", ("capacity_mw",)),
        ("hydro_plants", ("capacity_mw", "max_flow_m3s")),
        ("storage_units", ("power_mw", "energy_mwh")),
    ):
        if cid in tables[kind].index:
            table = tables[kind].copy()
            for name in fields:
                table.loc[cid, name] = 0.0
            tables = {**tables, kind: table}
            if kind == "storage_units":
                table.loc[cid, ["soc_initial_mwh", "soc_final_min_mwh"]] = 0.0
            return tables, series
    if cid in tables["lines"].index:
        lines = series["lines"].copy()
        lines["capacity_mw"].loc[{"line": cid}] = 0.0
        lines["capacity_backward_mw"].loc[{"line": cid}] = 0.0
        return tables, {**series, "lines": lines}
    raise ModelError(
        [
            Problem(
                "plan",
                f"retire.{cid}",
                "no generator, hydro plant, storage unit or line has this id",
            )
        ]
    )


def read_stages(path: Path) -> dict[str, ReservoirStage]:
    """Reservoir stages from a YAML mapping: id -> {reservoir, storage_max_hm3, capex_usd,
    lifetime_years, fom_usd_per_year}. Checked as model.yaml's components are: an unknown
    field (a typo) is an error naming it, never a default."""
    from vakhsh.schema.parse import validate_component
    from vakhsh.schema.safe_yaml import read_yaml_file

    path = Path(path)
    raw = read_yaml_file(path) or {}
    if not isinstance(raw, dict):
        raise ModelError([Problem(path.name, "", "expected a mapping of stage id to fields")])
    stages, problems = {}, []
    for sid, fields in raw.items():
        stage, found = validate_component(_StageFields, fields, path.name, str(sid))
        problems += found
        if stage is not None:
            stages[str(sid)] = ReservoirStage(**stage.model_dump())
    if problems:
        raise ModelError(problems)
    return stages


class _StageFields(Component):
    """One entry of a stages file (`ReservoirStage`): unknown fields refused."""

    reservoir: str
    storage_max_hm3: NonNegative
    capex_usd: NonNegative
    lifetime_years: Positive
    fom_usd_per_year: NonNegative = 0.0


def with_stages(net: Network, stages: Mapping[str, ReservoirStage]) -> Network:
    """`net` with reservoir stages appended to its candidates (lumpy, size 1)."""
    from vakhsh.math.investment import STAGES

    problems, rows = [], []
    seen: set[str] = set()
    for sid, stage in stages.items():
        where = f"stages.{sid}"
        if stage.reservoir not in net.tables["reservoirs"].index:
            problems.append(
                Problem("plan", f"{where}.reservoir", "no such reservoir", stage.reservoir)
            )
            continue
        if stage.reservoir in seen:
            problems.append(
                Problem("plan", f"{where}.reservoir", "one stage per reservoir", stage.reservoir)
            )
        seen.add(stage.reservoir)
        current = float(net.tables["reservoirs"].loc[stage.reservoir, "storage_max_hm3"])
        if stage.storage_max_hm3 <= current:
            problems.append(
                Problem(
                    "plan",
                    f"{where}.storage_max_hm3",
                    f"must exceed the reservoir's storage_max_hm3 ({current:g})",
                    stage.storage_max_hm3,
                )
            )
        if sid in net.candidates.index:
            problems.append(Problem("plan", where, "a candidate has the same id"))
        rows.append(
            {
                "component": STAGES,
                "template": {
                    "reservoir": stage.reservoir,
                    "storage_max_hm3": stage.storage_max_hm3,
                },
                # size 1: USD per stage = 1000 x "USD per kW" of a 1 MW candidate
                "capex_usd_per_kw": stage.capex_usd / 1e3,
                "fom_usd_per_kw_year": stage.fom_usd_per_year / 1e3,
                "capex_usd": stage.capex_usd,
                "fom_usd_per_year": stage.fom_usd_per_year,
                "lifetime_years": stage.lifetime_years,
                "min_build_mw": 0.0,
                "max_build_mw": 1.0,
                "lumpy": True,
            }
        )
    if problems:
        raise ModelError(problems)
    extra = pd.DataFrame(rows, index=pd.Index(list(stages), name="candidate"))
    table = pd.concat([net.candidates, extra.reindex(columns=net.candidates.columns)])
    table.index.name = "candidate"
    return dataclasses.replace(net, candidates=table)
