"""Every headline quantity of a run, defined once.

summary.json, the run report, `vakhsh compare`, ensembles, plans, the frontier (and the web
app and SDDP) call these functions instead of computing their own. Each takes the run's
Network `net` and its results `ds` (the Dataset of `vakhsh.results.dataset.extract`, or any
mapping of the same variable names to arrays) and returns plain numbers, pandas Series or
DataFrames in the unit its name says.

Conventions, with `h` the step length in hours (`net.step_hours`, never inferred from the
time axis) and `k` the volume of 1 m3/s over one step in hm3 (`net.hm3_per_m3s`):

    energy_gwh  = h / 1e3 * sum_t p_mw[t]          volume_hm3 = k * sum_t q_m3s[t]

A season is a tuple of calendar months; a step belongs to the season of the month it
starts in. `WINTER` (October-March) is the non-vegetation season of DESIGN.md,
`VEGETATION` April-September, and `WINTER_AND_APRIL` October-April (the winter deficit
"plus April" of the fidelity issue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import COST_KINDS  # the objective's kinds, declared by the math

WINTER = (10, 11, 12, 1, 2, 3)
VEGETATION = (4, 5, 6, 7, 8, 9)
WINTER_AND_APRIL = (10, 11, 12, 1, 2, 3, 4)
SEASONS: dict[str, tuple[int, ...]] = {
    "winter": WINTER,
    "vegetation": VEGETATION,
    "oct_apr": WINTER_AND_APRIL,
}
HYDROLOGICAL_YEAR_START = 10  # October

# DESIGN.md, "downstream": the water users and sinks below Tajikistan and Kyrgyzstan
UPSTREAM_COUNTRIES = ("TJ", "KG")
DOWNSTREAM_COUNTRIES = ("UZ", "TM", "KZ", "AF")
COUNTRY_NAMES = {
    "TJ": "Tajikistan",
    "KG": "Kyrgyzstan",
    "UZ": "Uzbekistan",
    "TM": "Turkmenistan",
    "KZ": "Kazakhstan",
    "AF": "Afghanistan",
}

# The terms of a bus balance, positive into the bus (MW); they sum to zero at every step.
BUS_TERMS = (
    "generators",
    "hydro",
    "discharge",
    "charge",
    "line_in",
    "line_out",
    "imports",
    "exports",
    "unserved",
    "load",
)

Results = Mapping[str, xr.DataArray]  # a results Dataset or a mapping of its variables


# ---------------------------------------------------------------- time
def step_hours(net) -> float:
    """Hours per step, from the Network (the run's own step)."""
    return float(net.step_hours)


def season_mask(net, season: Sequence[int] | None) -> xr.DataArray:
    """True along `time` for steps that start in a month of `season` (None: every step)."""
    months = net.time.month
    inside = np.ones(len(months), bool) if season is None else np.isin(months, season)
    return xr.DataArray(inside, coords={"time": net.time}, dims=["time"])


def _over(values: xr.DataArray, net, season: Sequence[int] | None) -> xr.DataArray:
    """Sum over the steps of a season."""
    if season is not None:
        values = values.where(season_mask(net, season), 0.0)
    return values.sum("time")


def _gwh(net, mw: xr.DataArray, season=None) -> pd.Series:
    return (_over(mw, net, season) * step_hours(net) / 1e3).to_series()


def _hm3(net, m3s: xr.DataArray, season=None) -> pd.Series:
    return (_over(m3s, net, season) * net.hm3_per_m3s).to_series()


# ---------------------------------------------------------------- grouping onto members
def onto(
    values: xr.DataArray, dim: str, target: pd.Series, members: Sequence[str], member_dim: str
) -> xr.DataArray:
    """Sum a (time, dim) array onto members (buses, nodes) by each element's target.

    Elements whose target is missing (NaN, None) belong to no member; a target that is not
    a member is an error (never silently dropped).
    """
    members = [str(m) for m in members]
    time = values["time"].values
    ids = [str(c) for c in values[dim].values] if dim in values.dims else []
    incidence = np.zeros((len(ids), len(members)))
    where = {m: i for i, m in enumerate(members)}
    for row, cid in enumerate(ids):
        name = target.get(cid)
        if name is None or (isinstance(name, float) and np.isnan(name)):
            continue
        if str(name) not in where:
            raise ValueError(f"{dim} {cid} names {member_dim} {name!r}, which is not one")
        incidence[row, where[str(name)]] = 1.0
    summed = (
        values.transpose("time", dim).values @ incidence
        if ids
        else np.zeros((len(time), len(members)))
    )
    return xr.DataArray(
        summed, coords={"time": time, member_dim: members}, dims=["time", member_dim]
    )


# ---------------------------------------------------------------- power
def bus_power_mw(net, ds: Results) -> dict[str, xr.DataArray]:
    """Every term of each bus balance per step, MW, positive into the bus.

        generators + hydro + discharge + charge + line_in + line_out
            + imports + exports + unserved + load = 0

    where `charge`, `line_out`, `exports` and `load` are negative (power leaving the bus)
    and line arrivals are after losses: line_in = (1 - loss_fraction) * sent.
    """
    buses = list(net.ids("buses"))
    lines, markets = net.tables["lines"], net.tables["markets"]
    units, plants = net.tables["storage_units"], net.tables["hydro_plants"]

    def by_bus(name_or_values, dim: str, bus_of: pd.Series, sign: float = 1.0):
        values = ds[name_or_values] if isinstance(name_or_values, str) else name_or_values
        return sign * onto(values, dim, bus_of, buses, "bus")

    keep = xr.DataArray(
        1.0 - lines["loss_fraction"].to_numpy(dtype=float),
        coords={"line": lines.index.astype(str)},
        dims=["line"],
    )
    forward, backward = ds["line_forward_mw"], ds["line_backward_mw"]
    return {
        "generators": by_bus("generator_p_mw", "generator", net.tables["generators"]["bus"]),
        "hydro": by_bus("hydro_p_mw", "hydro_plant", plants["bus"]),
        "discharge": by_bus("storage_discharge_mw", "storage_unit", units["bus"]),
        "charge": by_bus("storage_charge_mw", "storage_unit", units["bus"], -1.0),
        "line_in": by_bus(keep * forward, "line", lines["to"])
        + by_bus(keep * backward, "line", lines["from"]),
        "line_out": by_bus(forward, "line", lines["from"], -1.0)
        + by_bus(backward, "line", lines["to"], -1.0),
        "imports": by_bus("market_import_mw", "market", markets["bus"]),
        "exports": by_bus("market_export_mw", "market", markets["bus"], -1.0),
        "unserved": _on_buses(ds["unserved_mw"], buses),
        "load": -_on_buses(ds["load_mw"], buses),
    }


def _on_buses(values: xr.DataArray, buses: list[str]) -> xr.DataArray:
    values = values.transpose("time", "bus")
    return xr.DataArray(
        values.sel(bus=buses).values,  # (time, 0) when there is no bus
        coords={"time": values["time"].values, "bus": buses},
        dims=["time", "bus"],
    )


def net_imports_mw(net, ds: Results, terms: dict[str, xr.DataArray] | None = None) -> xr.DataArray:
    """Net imports per (time, bus), MW: line arrivals - line sends + market imports -
    market exports (negative: the bus exports)."""
    t = terms or bus_power_mw(net, ds)
    return t["line_in"] + t["line_out"] + t["imports"] + t["exports"]


def energy_by_bus_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.DataFrame:
    """Energy per bus (rows) and balance term (columns, `BUS_TERMS`), GWh, signed as in
    `bus_power_mw`; each row sums to zero."""
    terms = bus_power_mw(net, ds)
    frame = pd.DataFrame({name: _gwh(net, terms[name], season) for name in BUS_TERMS})
    frame.index.name = "bus"
    return frame.reindex([str(b) for b in net.ids("buses")])


def load_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    return _gwh(net, ds["load_mw"].transpose("time", "bus"), season)


def unserved_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Unserved energy per bus over the run (or a season), GWh: h/1e3 sum_t unserved_mw."""
    return _gwh(net, ds["unserved_mw"].transpose("time", "bus"), season)


def net_import_gwh(
    net, ds: Results, season: Sequence[int] | None = None, terms: dict | None = None
) -> pd.Series:
    """Net imports per bus over the run (or a season), GWh (negative: a net exporter).
    `terms`: `bus_power_mw(net, ds)` if the caller has it already."""
    return _gwh(net, net_imports_mw(net, ds, terms), season)


def winter_deficit_gwh(
    net, ds: Results, season: Sequence[int] = WINTER, terms: dict | None = None
) -> pd.Series:
    """The winter deficit per bus, GWh (DESIGN.md): what the bus cannot supply itself over
    the season, its unserved energy plus its net imports, net imports clipped at zero over
    the season (a net exporter has no deficit):

        deficit[b] = h/1e3 * (sum_{t in season} unserved[t, b]
                              + max(0, sum_{t in season} net_imports[t, b]))

    `season` defaults to `WINTER` (October-March); `WINTER_AND_APRIL` gives the deficit
    over October-April (summary.json's `deficit_oct_apr_gwh`).
    """
    unserved = unserved_gwh(net, ds, season)
    imports = net_import_gwh(net, ds, season, terms).clip(lower=0.0)
    return unserved + imports


def winter_deficit_by_year(
    net, ds: Results, season: Sequence[int] = WINTER, terms: dict | None = None
) -> pd.DataFrame:
    """`winter_deficit_gwh` per winter (hydrological year) and bus, GWh.

    Rows are named by hydrological year (`2024/25`: October 2024 to September 2025); a
    winter the run covers only in part is marked `(part)`. Net imports are clipped at zero
    over each winter, as in `winter_deficit_gwh`.
    """
    buses = [str(b) for b in net.ids("buses")]
    mask = season_mask(net, season).values
    if not mask.any() or not buses:
        return pd.DataFrame(columns=buses)
    h = step_hours(net) / 1e3
    unserved = ds["unserved_mw"].transpose("time", "bus").sel(bus=buses).to_pandas() * h
    imports = net_imports_mw(net, ds, terms).to_pandas()[buses] * h
    times = net.time
    year = np.where(times.month >= HYDROLOGICAL_YEAR_START, times.year, times.year - 1)[mask]
    unserved, imports = unserved[mask].groupby(year).sum(), imports[mask].groupby(year).sum()
    table = unserved + imports.clip(lower=0.0)
    steps = pd.Series(year).value_counts()
    full = _season_hours(season) / step_hours(net)
    table.index = [
        f"{y}/{(y + 1) % 100:02d}" + ("" if steps[y] >= 0.97 * full else " (part)")
        for y in table.index
    ]
    table.index.name = "winter"
    table.columns = [str(c) for c in table.columns]
    return table


def _season_hours(season: Sequence[int]) -> float:
    """Hours in the months of a season in a non-leap year."""
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 24.0 * sum(days[m - 1] for m in set(season))


def generation_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Energy per generator and hydro plant, GWh (hydro at the LP's head)."""
    return pd.concat(
        [
            _gwh(net, ds["generator_p_mw"].transpose("time", "generator"), season),
            _gwh(net, ds["hydro_p_mw"].transpose("time", "hydro_plant"), season),
        ]
    )


def hydro_gwh_by_bus(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Hydropower energy per bus, GWh (buses without hydro left out)."""
    energy = _gwh(net, ds["hydro_p_mw"].transpose("time", "hydro_plant"), season)
    bus = net.tables["hydro_plants"]["bus"].reindex(energy.index)
    return energy.groupby(bus.to_numpy()).sum() if len(energy) else pd.Series(dtype=float)


def component_energy_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Energy each power component delivers, GWh, by id: generators and hydro plants their
    output, storage units their discharge, lines what they carry (sent either way)."""
    parts = [
        generation_gwh(net, ds, season),
        _gwh(net, ds["storage_discharge_mw"].transpose("time", "storage_unit"), season),
        _gwh(
            net, (ds["line_forward_mw"] + ds["line_backward_mw"]).transpose("time", "line"), season
        ),
    ]
    return pd.concat(parts)


def market_gwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.DataFrame:
    """Exports to and imports from each market, GWh (columns `export_gwh`, `import_gwh`)."""
    frame = pd.DataFrame(
        {
            "export_gwh": _gwh(net, ds["market_export_mw"].transpose("time", "market"), season),
            "import_gwh": _gwh(net, ds["market_import_mw"].transpose("time", "market"), season),
        }
    )
    frame.index.name = "market"
    return frame


def market_revenue_usd(net, ds: Results) -> pd.Series:
    """Per market: h * sum_t price[t] * (export[t] - import[t]), USD."""
    price = ds["market_price_usd_per_mwh"]
    flow = ds["market_export_mw"] - ds["market_import_mw"]
    return ((price * flow).sum("time") * step_hours(net)).to_series()


def mean_price_usd_per_mwh(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Per bus: the time mean of its electricity price over the steps (of a season) where it
    has one (`vakhsh.results.islands`: NaN where its island has no source); NaN for a bus
    that has no price at any of them."""
    price = ds["price_usd_per_mwh"]
    if season is not None:
        price = price.where(season_mask(net, season))
    count = price.count("time")
    return (price.sum("time") / count.where(count > 0)).to_series()


# ---------------------------------------------------------------- water
def delivered_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Water delivered to each demand, hm3: k sum_t withdrawal_m3s."""
    return _hm3(net, ds["withdrawal_m3s"].transpose("time", "water_demand"), season)


def demanded_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    return _hm3(net, ds["demand_m3s"].transpose("time", "water_demand"), season)


def shortage_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Demand not delivered, hm3: k sum_t max(0, demand - withdrawal)."""
    return _hm3(net, ds["shortage_m3s"].transpose("time", "water_demand"), season)


def spill_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Water spilled past the turbines of each reservoir, hm3."""
    return _hm3(net, ds["spill_m3s"].transpose("time", "reservoir"), season)


def _country_names(countries: Sequence[str]) -> set[str]:
    """Codes and names, lower case: `TJ` also matches `Tajikistan` and the other way."""
    out = {str(c).lower() for c in countries}
    for code, name in COUNTRY_NAMES.items():
        if code.lower() in out or name.lower() in out:
            out |= {code.lower(), name.lower()}
    return out


def of_countries(country: pd.Series, countries: Sequence[str]) -> pd.Series:
    """Which entries of a `country` column name one of `countries` (codes or names)."""
    wanted = _country_names(countries)
    return country.fillna("").astype(str).str.lower().isin(wanted)


def downstream_demands(net, countries: Sequence[str] | None = None) -> list[str]:
    """The water demands downstream (DESIGN.md: the users below Tajikistan and Kyrgyzstan).

    By default every demand whose `country` is not one of `UPSTREAM_COUNTRIES` (codes or
    names): in central-asia the demands of Uzbekistan, Turkmenistan, Kazakhstan and
    Afghanistan; a demand that names no country draws from the river below the upstream
    reservoirs and counts as downstream too. `countries` (codes or names) instead selects
    the demands of exactly those countries.
    """
    demands = net.tables["water_demands"]
    country = demands["country"]  # the registry fills every declared field: never missing
    if countries is not None:
        return [str(d) for d in demands.index[of_countries(country, countries).to_numpy()]]
    upstream = of_countries(country, UPSTREAM_COUNTRIES)
    return [str(d) for d in demands.index[~upstream.to_numpy()]]


def downstream_sinks(net) -> list[str]:
    """The sinks downstream: every sink (seas, lakes and borders lie below every user)."""
    return [str(s) for s in net.ids("sinks")]


def downstream_delivery_hm3(
    net, ds: Results, season: Sequence[int] | None = None, countries: Sequence[str] | None = None
) -> float:
    """Water delivered to the downstream demands, hm3 (over a season if given)."""
    return float(delivered_hm3(net, ds, season).reindex(downstream_demands(net, countries)).sum())


def downstream_demand_shortage_hm3(
    net, ds: Results, season: Sequence[int] | None = None, countries: Sequence[str] | None = None
) -> float:
    """Shortage of the downstream demands, hm3."""
    return float(shortage_hm3(net, ds, season).reindex(downstream_demands(net, countries)).sum())


def sink_shortfall_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Priced shortfall of each sink's minimum inflow, hm3."""
    return _hm3(net, ds["sink_shortfall_m3s"].transpose("time", "sink"), season)


def downstream_shortage_hm3(
    net, ds: Results, season: Sequence[int] | None = None, countries: Sequence[str] | None = None
) -> float:
    """What downstream goes without, hm3: the shortage of the downstream demands plus the
    shortfall of the sinks' minimum inflows (DESIGN.md's downstream: users and sinks)."""
    return downstream_demand_shortage_hm3(net, ds, season, countries) + float(
        sink_shortfall_hm3(net, ds, season).reindex(downstream_sinks(net)).sum()
    )


def sink_inflow_hm3(net, ds: Results, season: Sequence[int] | None = None) -> pd.Series:
    """Water reaching each sink, hm3 (every arrival: reaches after losses, turbines, spill,
    return flows and catchments that flow straight in)."""
    return _hm3(net, ds["sink_inflow_m3s"].transpose("time", "sink"), season)


ARAL_PATTERN = "aral"  # the Aral Sea's sinks are the ones whose id holds this


def aral_sinks(net, pattern: str = ARAL_PATTERN) -> list[str]:
    """Sinks whose id contains `pattern` (case-insensitive): the Aral Sea in central-asia."""
    return [str(s) for s in net.ids("sinks") if pattern.lower() in str(s).lower()]


def aral_inflow_hm3(
    net, ds: Results, pattern: str = ARAL_PATTERN, season: Sequence[int] | None = None
) -> float:
    """Water reaching the Aral Sea (sinks matching `pattern`), hm3."""
    return float(sink_inflow_hm3(net, ds, season).reindex(aral_sinks(net, pattern)).sum())


# ---------------------------------------------------------------- costs
def costs_usd(net, ds: Results) -> dict[str, float]:
    """The objective by kind, USD, from the result arrays; the kinds sum to the objective.

        generation            = h sum marginal_cost_usd_per_mwh * generator_p_mw
        unserved_energy       = h sum voll_usd_per_mwh * unserved_mw
        water_shortage        = k sum shortage_cost_usd_per_hm3 * shortage_m3s
        reach_shortfall       = k sum shortfall_cost_usd_per_hm3 * reach_shortfall_m3s
        sink_shortfall        = k sum shortfall_cost_usd_per_hm3 * sink_shortfall_m3s
        spill                 = k sum spill_cost_usd_per_hm3 * spill_m3s
        market_imports        = h sum price_usd_per_mwh * market_import_mw
        market_export_revenue = -h sum price_usd_per_mwh * market_export_mw   (negative)

    Plans add `investment` (annuities), which is not in a run's arrays.
    """
    h, k = step_hours(net), net.hm3_per_m3s

    def total(values: xr.DataArray, price, dim: str) -> float:
        if values.sizes.get(dim, 0) == 0:
            return 0.0
        return float((values * price).sum())

    def static(kind: str, column: str) -> xr.DataArray:
        return net.static(kind, column, fill=0.0)

    marginal = net.series["generators"]["marginal_cost_usd_per_mwh"]
    price = ds["market_price_usd_per_mwh"]
    costs = {
        "generation": h * total(ds["generator_p_mw"], marginal, "generator"),
        "unserved_energy": h * total(ds["unserved_mw"], static("buses", "voll_usd_per_mwh"), "bus"),
        "water_shortage": k
        * total(
            ds["shortage_m3s"], static("water_demands", "shortage_cost_usd_per_hm3"), "water_demand"
        ),
        "reach_shortfall": k
        * total(
            ds["reach_shortfall_m3s"], static("reaches", "shortfall_cost_usd_per_hm3"), "reach"
        ),
        "sink_shortfall": k
        * total(ds["sink_shortfall_m3s"], static("sinks", "shortfall_cost_usd_per_hm3"), "sink"),
        "spill": k
        * total(ds["spill_m3s"], static("reservoirs", "spill_cost_usd_per_hm3"), "reservoir"),
        "market_imports": h * total(ds["market_import_mw"], price, "market"),
        "market_export_revenue": -h * total(ds["market_export_mw"], price, "market"),
    }
    return {kind: costs[kind] for kind in COST_KINDS}  # every kind the math declares
