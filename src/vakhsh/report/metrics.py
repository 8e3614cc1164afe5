"""Figures a report leads with, computed from a run's Dataset and Network.

`run` is anything with `.net` (a Network), `.dataset` (the results Dataset) and
`.summary()` (the summary dict): a `vakhsh.results.Results` or a loaded `RunData`.

Winter is October-March. A bus's winter deficit is its unserved energy plus its net
imports (lines and markets) over winter (DESIGN.md). Downstream water users are the
demands of Uzbekistan, Turkmenistan, Kazakhstan and Afghanistan, and the sinks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.report.style import WINTER_MONTHS, step_hours

DOWNSTREAM_COUNTRIES = {"uz", "tm", "kz", "af", "uzbekistan", "turkmenistan", "kazakhstan",
                        "afghanistan"}
UPSTREAM_COUNTRIES = {"tj", "kg", "tajikistan", "kyrgyzstan"}


def winter_mask(ds: xr.Dataset) -> xr.DataArray:
    return ds["time"].dt.month.isin(WINTER_MONTHS)


def _gwh_total(da: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    return da.sum("time") * step_hours(ds) / 1e3


def _hm3_total(da: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    return da.sum("time") * step_hours(ds) * 3600 / 1e6


def _to_bus(values: xr.DataArray, dim: str, buses: pd.Series, all_buses) -> xr.DataArray:
    """Sum a (time, component) array onto buses through the component's bus column."""
    all_buses = [str(b) for b in all_buses]
    time = values["time"].values
    if values.sizes.get(dim, 0) == 0:
        return xr.DataArray(np.zeros((len(time), len(all_buses))),
                            coords={"time": time, "bus": all_buses}, dims=["time", "bus"])
    ids = [str(c) for c in values[dim].values]
    where = {b: i for i, b in enumerate(all_buses)}
    incidence = np.zeros((len(ids), len(all_buses)))
    for row, cid in enumerate(ids):
        incidence[row, where[str(buses.loc[cid])]] = 1.0
    summed = values.transpose("time", dim).values @ incidence
    return xr.DataArray(summed, coords={"time": time, "bus": all_buses}, dims=["time", "bus"])


def power_flows(run) -> dict[str, xr.DataArray]:
    """Per-bus (time, bus) arrays in MW: line arrivals and sends, market imports and
    exports, storage discharge and charge. Arrivals are after line losses."""
    net, ds = run.net, run.dataset
    buses = list(net.ids("buses"))
    lines = net.tables["lines"]
    zero = xr.zeros_like(ds["unserved_mw"]).transpose("time", "bus")
    arrivals, sends = zero.copy(), zero.copy()
    if len(lines):
        keep = 1.0 - xr.DataArray(lines["loss_fraction"].to_numpy(dtype=float), dims=["line"],
                                  coords={"line": lines.index})
        fwd, bwd = ds["line_forward_mw"], ds["line_backward_mw"]
        arrivals = (_to_bus(keep * fwd, "line", lines["to"], buses)
                    + _to_bus(keep * bwd, "line", lines["from"], buses))
        sends = (_to_bus(fwd, "line", lines["from"], buses)
                 + _to_bus(bwd, "line", lines["to"], buses))
    markets = net.tables["markets"]
    imports, exports = zero.copy(), zero.copy()
    if len(markets):
        imports = _to_bus(ds["market_import_mw"], "market", markets["bus"], buses)
        exports = _to_bus(ds["market_export_mw"], "market", markets["bus"], buses)
    units = net.tables["storage_units"]
    discharge, charge = zero.copy(), zero.copy()
    if len(units):
        discharge = _to_bus(ds["storage_discharge_mw"], "storage_unit", units["bus"], buses)
        charge = _to_bus(ds["storage_charge_mw"], "storage_unit", units["bus"], buses)
    return {k: v.transpose("time", "bus") for k, v in {
        "line_in": arrivals, "line_out": sends, "market_in": imports, "market_out": exports,
        "discharge": discharge, "charge": charge}.items()}


def net_imports_mw(run, flows: dict[str, xr.DataArray] | None = None) -> xr.DataArray:
    f = flows or power_flows(run)
    return f["line_in"] - f["line_out"] + f["market_in"] - f["market_out"]


def downstream_demands(net) -> list[str]:
    """Demands below Tajikistan and Kyrgyzstan; every demand when no country says where."""
    demands = net.tables["water_demands"]
    country = demands["country"].fillna("").astype(str).str.lower() \
        if "country" in demands else pd.Series("", index=demands.index)
    known = country.isin(DOWNSTREAM_COUNTRIES | UPSTREAM_COUNTRIES)
    if not known.any():
        return list(demands.index)
    return list(demands.index[country.isin(DOWNSTREAM_COUNTRIES)])


def home_bus(net) -> str | None:
    """The bus a report leads with: the first one in the model (Tajikistan in
    central-asia), whose winter deficit is the question the model is built to answer."""
    ids = list(net.ids("buses"))
    return str(ids[0]) if ids else None


def bus_table(run) -> pd.DataFrame:
    """Energy per bus over the run (GWh): load, supply by kind, unserved, winter deficit."""
    net, ds = run.net, run.dataset
    flows = power_flows(run)
    winter = winter_mask(ds)
    gens, plants = net.tables["generators"], net.tables["hydro_plants"]
    buses = list(net.ids("buses"))
    hydro = _to_bus(ds["hydro_p_mw"], "hydro_plant", plants["bus"], buses)
    other = _to_bus(ds["generator_p_mw"], "generator", gens["bus"], buses)
    imports = net_imports_mw(run, flows)
    g = lambda da: _gwh_total(da, ds).to_series()  # noqa: E731
    table = pd.DataFrame({
        "load_gwh": g(ds["load_mw"]),
        "hydro_gwh": g(hydro),
        "other_generation_gwh": g(other),
        "net_imports_gwh": g(imports),
        "unserved_gwh": g(ds["unserved_mw"]),
        "winter_unserved_gwh": g(ds["unserved_mw"].where(winter, 0.0)),
        "winter_net_imports_gwh": g(imports.where(winter, 0.0)),
    })
    table["winter_deficit_gwh"] = table["winter_unserved_gwh"] + \
        table["winter_net_imports_gwh"]
    table.index.name = "bus"
    return table.loc[buses]


def winter_deficit_by_year(run) -> pd.DataFrame:
    """Winter deficit (GWh) per winter (October-March of each hydrological year) and bus.

    Rows are named by hydrological year, e.g. `2024/25`; a winter the run covers only in
    part is marked `(part)`.
    """
    net, ds = run.net, run.dataset
    imports = net_imports_mw(run)
    deficit = (ds["unserved_mw"].transpose("time", "bus") + imports) * step_hours(ds) / 1e3
    frame = deficit.to_pandas()
    times = frame.index
    frame = frame[times.month.isin(WINTER_MONTHS)]
    if frame.empty:
        return pd.DataFrame(columns=[str(b) for b in net.ids("buses")])
    start_year = np.where(frame.index.month >= 10, frame.index.year, frame.index.year - 1)
    table = frame.groupby(start_year).sum()
    steps = frame.groupby(start_year).size()
    full = 182.5 * 24 / step_hours(ds)  # steps in a whole October-March
    table.index = [f"{y}/{(y + 1) % 100:02d}" + ("" if steps[y] >= 0.97 * full else " (part)")
                   for y in table.index]
    table.index.name = "winter"
    table.columns = [str(c) for c in table.columns]
    return table


def demand_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    demands = net.tables["water_demands"]
    h = lambda da: _hm3_total(da, ds).to_series()  # noqa: E731
    table = pd.DataFrame({"demanded_hm3": h(ds["demand_m3s"]),
                          "delivered_hm3": h(ds["withdrawal_m3s"]),
                          "shortage_hm3": h(ds["shortage_m3s"])})
    table = table.reindex(demands.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["delivered_share"] = table["delivered_hm3"] / table["demanded_hm3"]
    table.insert(0, "country", demands["country"] if "country" in demands else None)
    table["downstream"] = table.index.isin(downstream_demands(net))
    table.index.name = "water_demand"
    return table


def sink_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    h = lambda da: _hm3_total(da, ds).to_series()  # noqa: E731
    table = pd.DataFrame({"inflow_hm3": h(ds["sink_inflow_m3s"]),
                          "shortfall_hm3": h(ds["sink_shortfall_m3s"])})
    if "min_inflow_m3s" in net.series.get("sinks", {}):
        table["required_hm3"] = h(net.series["sinks"]["min_inflow_m3s"])
    table.index.name = "sink"
    return table.reindex(net.ids("sinks"))


def reservoir_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    res = net.tables["reservoirs"]
    storage = ds["storage_hm3"].transpose("time", "reservoir").to_pandas()
    table = pd.DataFrame({
        "storage_min_hm3": res["storage_min_hm3"],
        "storage_max_hm3": res["storage_max_hm3"],
        "initial_hm3": res["storage_initial_hm3"],
        "final_hm3": storage.iloc[-1] if len(storage) else np.nan,
        "lowest_hm3": storage.min(), "highest_hm3": storage.max(),
        "spill_hm3": _hm3_total(ds["spill_m3s"], ds).to_series(),
        "evaporation_hm3": ds["evaporation_hm3"].sum("time").to_series(),
    })
    table.index.name = "reservoir"
    return table


def market_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    g = lambda da: _gwh_total(da, ds).to_series()  # noqa: E731
    hours = step_hours(ds)
    price = ds["market_price_usd_per_mwh"]
    table = pd.DataFrame({
        "export_gwh": g(ds["market_export_mw"]),
        "import_gwh": g(ds["market_import_mw"]),
        "winter_export_gwh": g(ds["market_export_mw"].where(winter_mask(ds), 0.0)),
        "revenue_musd": ((ds["market_export_mw"] - ds["market_import_mw"]) * price
                         ).sum("time").to_series() * hours / 1e6,
    })
    table.index.name = "market"
    return table.reindex(net.ids("markets"))


def headline(run, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The figures a report opens with, as plain numbers."""
    summary = summary if summary is not None else run.summary()
    buses, demands = bus_table(run), demand_table(run)
    sinks, markets = sink_table(run), market_table(run)
    deficit = buses["winter_deficit_gwh"]
    home = home_bus(run.net)
    downstream = demands[demands["downstream"]]
    audit = summary.get("audit", {})
    return {
        "model": summary.get("model"), "scenario": summary.get("scenario"),
        "period": summary.get("period", {}),
        "total_cost_usd": float(summary.get("objective_usd", float("nan"))),
        "winter_deficit_gwh": {str(b): float(v) for b, v in deficit.items() if v > 0.05},
        "home_bus": home,
        "home_winter_deficit_gwh": float(deficit.get(home, 0.0)) if home else 0.0,
        "home_winter_unserved_gwh": float(buses["winter_unserved_gwh"].get(home, 0.0))
        if home else 0.0,
        "winter_unserved_gwh": float(buses["winter_unserved_gwh"].sum()),
        "unserved_gwh": float(buses["unserved_gwh"].sum()),
        "exports_gwh": float(markets["export_gwh"].sum()) if len(markets) else 0.0,
        "winter_exports_gwh": float(markets["winter_export_gwh"].sum()) if len(markets)
        else 0.0,
        "downstream_shortage_hm3": float(downstream["shortage_hm3"].sum()),
        "downstream_demanded_hm3": float(downstream["demanded_hm3"].sum()),
        "sink_shortfall_hm3": float(sinks["shortfall_hm3"].sum()) if len(sinks) else 0.0,
        "sink_inflow_hm3": {str(k): float(v) for k, v in sinks["inflow_hm3"].items()},
        "audit_passed": bool(audit.get("passed", False)),
        "audit_water_relative": audit.get("water_max_relative"),
        "audit_energy_relative": audit.get("energy_max_relative"),
    }
