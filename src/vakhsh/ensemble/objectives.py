"""Planning objectives, both as LP expressions (for the frontier) and as result values.

Each objective is evaluated two ways from one definition of *what it selects*:

* `expression(ctx)`: a linopy expression on a built case plus a constant, so that
  `vakhsh frontier` can bound one objective and optimise another;
* `value(results)`: the same quantity from a solved run's Dataset, so that ensembles
  report it per run and tests can check that both ways agree.

Selections (all matching is case-insensitive and explicit in `Selectors`):

* winter = months `winter_months` (October to March), vegetation season =
  `vegetation_months` (April to September), by the month of each step's start
  (`vakhsh.results.metrics.WINTER` and `VEGETATION`);
* a country's hydropower = hydro plants whose bus id *or* the bus's `country` equals one
  of the given codes or names (`TJ` or `Tajikistan`);
* downstream demands = `vakhsh.results.metrics.downstream_demands`: every demand outside
  Tajikistan and Kyrgyzstan, or the demands of `downstream_countries` when it is given;
* Aral Sea inflow = water arriving at sinks whose id contains `aral_pattern`.

The values of solved runs come from `vakhsh.results.metrics`, so an objective reported by
an ensemble or a frontier is the same number as the report's.

Names: `tj_winter_energy`, `kg_winter_energy` (GWh, maximised),
`downstream_vegetation_delivery` (hm3, maximised), `aral_inflow` (hm3, maximised), `cost`
(USD, minimised), and the generic forms `winter_energy:A+B`, `vegetation_delivery:A+B`
(countries or demand ids) and `sink_inflow:PATTERN`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network
from vakhsh.results import metrics
from vakhsh.results.metrics import ARAL_PATTERN, VEGETATION, WINTER

# the downstream countries of central-asia, codes and names (an explicit selection)
DOWNSTREAM = tuple(
    c for code in metrics.DOWNSTREAM_COUNTRIES for c in (code, metrics.COUNTRY_NAMES[code])
)


@dataclass(frozen=True)
class Selectors:
    """Which months, plants, demands and sinks the objectives select (all explicit)."""

    winter_months: tuple[int, ...] = WINTER
    vegetation_months: tuple[int, ...] = VEGETATION
    # None: `metrics.downstream_demands`' own rule (every demand outside TJ and KG)
    downstream_countries: tuple[str, ...] | None = None
    aral_pattern: str = ARAL_PATTERN

    # ---- selections on a Network ----
    def months(self, net: Network, months: tuple[int, ...]) -> xr.DataArray:
        """1.0 for steps whose start falls in one of `months`, else 0.0, along `time`."""
        return metrics.season_mask(net, months).astype(float)

    def plants_of(self, net: Network, countries: tuple[str, ...]) -> list[str]:
        buses = net.tables["buses"]
        country = buses["country"] if "country" in buses else pd.Series(None, buses.index)
        ids = pd.Series(buses.index, index=buses.index)
        chosen = set(
            buses.index[
                (
                    metrics.of_countries(ids, countries) | metrics.of_countries(country, countries)
                ).to_numpy()
            ]
        )
        plants = net.tables["hydro_plants"]
        return [p for p in plants.index if plants.loc[p, "bus"] in chosen]

    def demands_of(self, net: Network, countries: tuple[str, ...]) -> list[str]:
        """Demands named by id or by country (codes or names)."""
        demands = net.tables["water_demands"]
        ids = pd.Series(demands.index, index=demands.index)
        by_id = metrics.of_countries(ids, countries).to_numpy()
        by_country = set(metrics.downstream_demands(net, countries))
        return [
            d for d, named in zip(demands.index, by_id, strict=True) if named or d in by_country
        ]

    def downstream(self, net: Network) -> list[str]:
        return metrics.downstream_demands(net, self.downstream_countries)

    def sinks_of(self, net: Network, pattern: str) -> list[str]:
        return metrics.aral_sinks(net, pattern)


@dataclass(frozen=True)
class Objective:
    """One planning objective: what it selects, its sense and unit."""

    name: str
    sense: Literal["max", "min"]
    unit: str
    description: str
    kind: Literal["winter_energy", "vegetation_delivery", "sink_inflow", "cost"]
    targets: tuple[str, ...] = ()
    selectors: Selectors = field(default_factory=Selectors)

    # ---- the selection on a network; an empty one is an error ----
    def members(self, net: Network) -> list[str]:
        sel = self.selectors
        if self.kind == "winter_energy":
            found = sel.plants_of(net, self.targets)
        elif self.kind == "vegetation_delivery":
            found = sel.demands_of(net, self.targets) if self.targets else sel.downstream(net)
        elif self.kind == "sink_inflow":
            found = sel.sinks_of(net, self.targets[0])
        else:
            return []
        if not found:
            raise ModelError(
                [
                    Problem(
                        "objective",
                        self.name,
                        f"selects nothing in model {net.name}: {self._what()}",
                        ", ".join(self.targets) or self.description,
                    )
                ]
            )
        return found

    def _what(self) -> str:
        return {
            "winter_energy": "no hydro plant on a bus of these countries",
            "vegetation_delivery": "no water demand of these countries",
            "sink_inflow": "no sink whose id contains this pattern",
        }[self.kind]

    # ---- as an LP expression on a built case ----
    def expression(self, ctx) -> tuple[object, float]:
        """(linopy expression, constant): the objective's value is their sum."""
        from vakhsh.math.fpha import FPHA_POWER
        from vakhsh.math.hydro import mw_per_m3s

        net, sel = ctx.net, self.selectors
        if self.kind == "cost":
            terms = [ctx.weight * t for t in ctx.cost_terms]
            return sum(terms[1:], terms[0]), float(ctx.cost_constant)
        ids = self.members(net)
        if self.kind == "winter_energy":
            weight = sel.months(net, sel.winter_months) * ctx.hours / 1e3
            # plants on the head-dependent production model (FPHA) have their own power
            # variable; the others are head x flow
            on_fpha = (
                [str(p) for p in ctx.var(FPHA_POWER).coords["hydro_plant"].values if str(p) in ids]
                if ctx.has_var(FPHA_POWER)
                else []
            )
            fixed = [i for i in ids if i not in on_fpha]
            power = (mw_per_m3s(ctx) * ctx.var("turbine_flow_m3s")).sel(hydro_plant=fixed)
            energy = (weight * power).sum()
            if on_fpha:
                energy = energy + (weight * ctx.var(FPHA_POWER).sel(hydro_plant=on_fpha)).sum()
            return energy, 0.0
        if self.kind == "vegetation_delivery":
            weight = sel.months(net, sel.vegetation_months) * ctx.k
            return (weight * ctx.var("withdrawal_m3s").sel(water_demand=ids)).sum(), 0.0
        # arrivals at the sinks: every water term routed into the sink nodes
        terms = sum(ctx.water_terms[1:], ctx.water_terms[0])
        arriving = terms.sel(node=ids)
        constant = 0.0
        if ctx.water_constants:
            constants = sum(ctx.water_constants[1:], ctx.water_constants[0])
            constant = float(constants.sel(node=ids).sum()) * ctx.k
        return (ctx.k * arriving).sum(), constant

    # ---- from a solved run (vakhsh.results.metrics) ----
    def value(self, results) -> float:
        ds, net, sel = results.dataset, results.net, self.selectors
        if self.kind == "cost":
            return float(results.objective_usd)
        ids = self.members(net)
        if self.kind == "winter_energy":
            energy = metrics.generation_gwh(net, ds, sel.winter_months)
            return float(energy.reindex(ids).sum())
        if self.kind == "vegetation_delivery":
            return float(metrics.delivered_hm3(net, ds, sel.vegetation_months).reindex(ids).sum())
        return float(metrics.sink_inflow_hm3(net, ds).reindex(ids).sum())

    def better(self, a: float, b: float) -> bool:
        return a > b if self.sense == "max" else a < b


NAMED: dict[str, Callable[[Selectors], Objective]] = {
    "tj_winter_energy": lambda s: Objective(
        "tj_winter_energy",
        "max",
        "GWh",
        "Tajik winter (Oct-Mar) hydropower energy",
        "winter_energy",
        ("TJ",),
        s,
    ),
    "kg_winter_energy": lambda s: Objective(
        "kg_winter_energy",
        "max",
        "GWh",
        "Kyrgyz winter (Oct-Mar) hydropower energy",
        "winter_energy",
        ("KG",),
        s,
    ),
    "downstream_vegetation_delivery": lambda s: Objective(
        "downstream_vegetation_delivery",
        "max",
        "hm3",
        "water delivered to downstream demands in the vegetation season (Apr-Sep)",
        "vegetation_delivery",
        (),
        s,
    ),
    "aral_inflow": lambda s: Objective(
        "aral_inflow",
        "max",
        "hm3",
        "water reaching the Aral Sea",
        "sink_inflow",
        (s.aral_pattern,),
        s,
    ),
    "cost": lambda s: Objective("cost", "min", "USD", "total system cost", "cost", (), s),
}
GENERIC = {
    "winter_energy": ("max", "GWh", "winter hydropower energy of {}"),
    "vegetation_delivery": ("max", "hm3", "vegetation-season delivery to {}"),
    "sink_inflow": ("max", "hm3", "water reaching sinks matching {}"),
}


def objective(name: str, selectors: Selectors | None = None) -> Objective:
    """An objective by name: a named one or `kind:TARGET+TARGET`."""
    sel = selectors or Selectors()
    if name in NAMED:
        return NAMED[name](sel)
    kind, _, rest = name.partition(":")
    if kind in GENERIC and rest:
        sense, unit, text = GENERIC[kind]
        targets = tuple(t for t in rest.split("+") if t)
        return Objective(
            name,
            sense,
            unit,
            text.format(", ".join(targets)),
            kind,  # type: ignore[arg-type]
            targets,
            sel,
        )
    known = ", ".join([*NAMED, *(f"{k}:A+B" for k in GENERIC)])
    raise ModelError(
        [Problem("command line", "objective", f"unknown objective (known: {known})", name)]
    )


def applicable(net: Network, selectors: Selectors | None = None) -> list[Objective]:
    """The named objectives that select something in this network."""
    out = []
    for name in NAMED:
        obj = objective(name, selectors)
        try:
            obj.members(net)
        except ModelError:
            continue
        out.append(obj)
    return out
