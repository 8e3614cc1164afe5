"""The tables and figures a report leads with, laid out from `vakhsh.results.metrics`.

`run` is anything with `.net` (a Network), `.dataset` (the results Dataset) and
`.summary()` (the summary dict): a `vakhsh.results.Results` or a loaded `RunData`. Every
quantity is computed by `vakhsh.results.metrics` (winter, the winter deficit, downstream
and the step length are defined there, once); this module only arranges them in tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.results import metrics as m


def winter_mask(run) -> xr.DataArray:
    return m.season_mask(run.net, m.WINTER)


def power_flows(run) -> dict[str, xr.DataArray]:
    """Per-bus (time, bus) arrays in MW, each positive: line arrivals (after losses) and
    sends, market imports and exports, storage discharge and charge."""
    terms = m.bus_power_mw(run.net, run.dataset)
    return {
        "line_in": terms["line_in"],
        "line_out": -terms["line_out"],
        "market_in": terms["imports"],
        "market_out": -terms["exports"],
        "discharge": terms["discharge"],
        "charge": -terms["charge"],
    }


def net_imports_mw(run) -> xr.DataArray:
    return m.net_imports_mw(run.net, run.dataset)


def downstream_demands(net) -> list[str]:
    return m.downstream_demands(net)


def home_bus(net) -> str | None:
    """The bus a report leads with: the first one in the model (Tajikistan in
    central-asia), whose winter deficit is the question the model is built to answer."""
    ids = list(net.ids("buses"))
    return str(ids[0]) if ids else None


def bus_table(run) -> pd.DataFrame:
    """Energy per bus over the run (GWh): load, supply by kind, unserved, the winter
    deficit (`metrics.winter_deficit_gwh`: net imports clipped at zero over winter) over
    October-March and over October-April."""
    net, ds = run.net, run.dataset
    energy = m.energy_by_bus_gwh(net, ds)
    table = pd.DataFrame(
        {
            "load_gwh": m.load_gwh(net, ds),
            "hydro_gwh": energy["hydro"],
            "other_generation_gwh": energy["generators"],
            "net_imports_gwh": m.net_import_gwh(net, ds),
            "unserved_gwh": m.unserved_gwh(net, ds),
            "winter_unserved_gwh": m.unserved_gwh(net, ds, m.WINTER),
            "winter_net_imports_gwh": m.net_import_gwh(net, ds, m.WINTER),
            "winter_deficit_gwh": m.winter_deficit_gwh(net, ds),
            # the non-vegetation season plus April, which the ICWC counts as non-growing
            "deficit_oct_apr_gwh": m.winter_deficit_gwh(net, ds, m.WINTER_AND_APRIL),
        }
    )
    table.index.name = "bus"
    return table.loc[[str(b) for b in net.ids("buses")]]


def winter_deficit_by_year(run) -> pd.DataFrame:
    """`metrics.winter_deficit_by_year`: GWh per winter (hydrological year) and bus."""
    return m.winter_deficit_by_year(run.net, run.dataset)


def demand_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    demands = net.tables["water_demands"]
    table = pd.DataFrame(
        {
            "demanded_hm3": m.demanded_hm3(net, ds),
            "delivered_hm3": m.delivered_hm3(net, ds),
            "shortage_hm3": m.shortage_hm3(net, ds),
        }
    )
    table = table.reindex(demands.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["delivered_share"] = table["delivered_hm3"] / table["demanded_hm3"]
    table.insert(0, "country", demands.get("country"))
    table["downstream"] = table.index.isin(m.downstream_demands(net))
    table.index.name = "water_demand"
    return table


def sink_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    table = pd.DataFrame(
        {"inflow_hm3": m.sink_inflow_hm3(net, ds), "shortfall_hm3": m.sink_shortfall_hm3(net, ds)}
    )
    if "min_inflow_m3s" in net.series.get("sinks", {}):
        required = net.series["sinks"]["min_inflow_m3s"].transpose("time", "sink")
        table["required_hm3"] = (required.sum("time") * net.hm3_per_m3s).to_series()
    table.index.name = "sink"
    table = table.reindex(net.ids("sinks"))
    notes = net.tables["sinks"].get("note")
    if notes is not None and notes.notna().any():  # what the inflow means or leaves out
        table["note"] = notes.reindex(table.index).fillna("")
    return table


def reservoir_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    res = net.tables["reservoirs"]
    storage = ds["storage_hm3"].transpose("time", "reservoir").to_pandas()
    table = pd.DataFrame(
        {
            "storage_min_hm3": res["storage_min_hm3"],
            "storage_max_hm3": res["storage_max_hm3"],
            "initial_hm3": res["storage_initial_hm3"],
            "final_hm3": storage.iloc[-1] if len(storage) else np.nan,
            "lowest_hm3": storage.min(),
            "highest_hm3": storage.max(),
            "spill_hm3": m.spill_hm3(net, ds),
            "evaporation_hm3": ds["evaporation_hm3"].sum("time").to_series(),
        }
    )
    table.index.name = "reservoir"
    return table


def price_table(run) -> pd.DataFrame:
    """Mean electricity price per bus over the run, winter and the vegetation season, and
    the lowest and highest (USD/MWh); NaN where the bus has no price."""
    net, ds = run.net, run.dataset
    if "price_usd_per_mwh" not in ds or not len(net.tables["buses"]):
        return pd.DataFrame()
    price = ds["price_usd_per_mwh"]
    table = pd.DataFrame(
        {
            "mean_usd_per_mwh": m.mean_price_usd_per_mwh(net, ds),
            "winter_mean_usd_per_mwh": m.mean_price_usd_per_mwh(net, ds, m.WINTER),
            "vegetation_mean_usd_per_mwh": m.mean_price_usd_per_mwh(net, ds, m.VEGETATION),
            "lowest_usd_per_mwh": price.min("time", skipna=True).to_series(),
            "highest_usd_per_mwh": price.max("time", skipna=True).to_series(),
        }
    )
    table["steps_without_price"] = price.isnull().sum("time").to_series().astype(int)
    table.index.name = "bus"
    return table.reindex([str(b) for b in net.ids("buses")])


def market_table(run) -> pd.DataFrame:
    net, ds = run.net, run.dataset
    energy = m.market_gwh(net, ds)
    table = pd.DataFrame(
        {
            "export_gwh": energy["export_gwh"],
            "import_gwh": energy["import_gwh"],
            "winter_export_gwh": m.market_gwh(net, ds, m.WINTER)["export_gwh"],
            "revenue_musd": m.market_revenue_usd(net, ds) / 1e6,
        }
    )
    table.index.name = "market"
    return table.reindex(net.ids("markets"))


def headline(run, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The figures a report opens with, as plain numbers."""
    summary = summary if summary is not None else run.summary()
    net, ds = run.net, run.dataset
    buses, markets = bus_table(run), market_table(run)
    deficit = buses["winter_deficit_gwh"]
    home = home_bus(net)
    down = m.downstream_demands(net)
    audit = summary.get("audit", {})
    return {
        "model": summary.get("model"),
        "scenario": summary.get("scenario"),
        "period": summary.get("period", {}),
        "total_cost_usd": float(summary.get("objective_usd", float("nan"))),
        "costs_usd": m.costs_usd(net, ds),
        "winter_deficit_gwh": {str(b): float(v) for b, v in deficit.items() if v > 0.05},
        "home_bus": home,
        "home_winter_deficit_gwh": float(deficit.get(home, 0.0)) if home else 0.0,
        "home_deficit_oct_apr_gwh": float(buses["deficit_oct_apr_gwh"].get(home, 0.0))
        if home
        else 0.0,
        "home_winter_unserved_gwh": float(buses["winter_unserved_gwh"].get(home, 0.0))
        if home
        else 0.0,
        "home_winter_net_imports_gwh": float(buses["winter_net_imports_gwh"].get(home, 0.0))
        if home
        else 0.0,
        "winter_unserved_gwh": float(buses["winter_unserved_gwh"].sum()),
        "unserved_gwh": float(buses["unserved_gwh"].sum()),
        "exports_gwh": float(markets["export_gwh"].sum()) if len(markets) else 0.0,
        "winter_exports_gwh": float(markets["winter_export_gwh"].sum()) if len(markets) else 0.0,
        "downstream_shortage_hm3": m.downstream_shortage_hm3(net, ds),
        "downstream_demand_shortage_hm3": m.downstream_demand_shortage_hm3(net, ds),
        "downstream_demanded_hm3": float(m.demanded_hm3(net, ds).reindex(down).sum()),
        "sink_shortfall_hm3": float(m.sink_shortfall_hm3(net, ds).sum()),
        "sink_inflow_hm3": {str(k): float(v) for k, v in m.sink_inflow_hm3(net, ds).items()},
        "audit_passed": bool(audit.get("passed", False)),
        "audit_water_relative": audit.get("water_max_relative"),
        "audit_energy_relative": audit.get("energy_max_relative"),
    }
