"""Turn a solved LP into one labelled xarray Dataset, units in attrs.

Decision variables are copied from the solution; derived quantities (levels, heads,
hydro power, reach arrivals, shortages, sink inflows, prices, water values) are computed
here from the Network and those arrays, so the audit can check them independently of
the LP's rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import BuildContext, HeadParameters
from vakhsh.math.curves import curve_value
from vakhsh.math.hydro import GRAVITY_MW_PER_M3S_M
from vakhsh.math.power import bus_load
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.results.islands import supplied_buses
from vakhsh.schema.registry import OUTPUTS

# Every result variable's unit and description, from the component registry.
UNITS: dict[str, tuple[str, str]] = {
    name: (out.unit, out.description) for name, (out, _kind) in OUTPUTS.items()
}
# result variables copied from the LP variable of the same name
COPIED = [name for name, (out, _kind) in OUTPUTS.items() if out.lp == name]
# result variables read from the LP, zero-filled where a family is absent: name -> kind
FROM_LP = {name: kind.name for name, (out, kind) in OUTPUTS.items() if out.lp is not None}


def extract(ctx: BuildContext) -> xr.Dataset:
    values = {
        name: ctx.var(name).solution.fillna(0.0) for name in COPIED + [STORAGE] if ctx.has_var(name)
    }
    duals = {name: ctx.con(name).dual for name in DUALS if ctx.has_con(name)}
    return assemble(ctx.net, ctx.params, values, duals, bus_load(ctx))


# constraints whose duals the Dataset reports
DUALS = ("power_balance", "reservoir_balance")


def assemble(
    net: Network,
    params: HeadParameters,
    values: dict[str, xr.DataArray],
    duals: dict[str, xr.DataArray],
    load_mw: xr.DataArray,
) -> xr.Dataset:
    """The Dataset from solved variables (COPIED and the storage variable), the duals of
    DUALS and the load, however they were solved (one LP, or stage by stage)."""
    data: dict[str, xr.DataArray] = {name: values[name] for name in COPIED if name in values}
    if STORAGE in values:
        data["storage_hm3"] = net.hm3_per_m3s * values[STORAGE]
    data["inflow_m3s"] = net.series["catchments"]["inflow_m3s"]
    data["demand_m3s"] = net.series["water_demands"]["demand_m3s"]
    data["load_mw"] = load_mw
    data["market_price_usd_per_mwh"] = net.series["markets"]["price_usd_per_mwh"]
    data["evaporation_hm3"] = params.evaporation_hm3
    data["head_m"] = params.head_m
    _fill_missing(net, data)
    data.update(derived(net, data))
    if "power_balance" in duals:
        # no price where the bus's island has no source (its dual is arbitrary there)
        data["price_usd_per_mwh"] = (duals["power_balance"] / net.step_hours).where(
            supplied_buses(net)
        )
    if "reservoir_balance" in duals:
        # the row is in m3/s-steps: one more hm3 is 1/k of them
        data["water_value_usd_per_hm3"] = -duals["reservoir_balance"] / net.hm3_per_m3s
    ds = xr.Dataset(
        {
            k: v.reset_coords(drop=True) if isinstance(v, xr.DataArray) else v
            for k, v in data.items()
        }
    )
    for name, (unit, description) in UNITS.items():
        if name in ds:
            ds[name].attrs.update(units=unit, description=description)
    return record_step(ds, net)


STEP_ATTR = "step_hours"


def record_step(ds: xr.Dataset, net: Network) -> xr.Dataset:
    """Write the run's step into the Dataset (and its time axis), so that a results.nc read
    back knows it without inferring it from the time axis (one step has no spacing)."""
    ds.attrs.update({STEP_ATTR: float(net.step_hours), "step": net.run.step_label})
    ds["time"].attrs[STEP_ATTR] = float(net.step_hours)
    return ds


def recorded_step_hours(ds: xr.Dataset) -> float | None:
    """The step a results Dataset records, in hours (None for files written before)."""
    value = ds.attrs.get(STEP_ATTR, ds["time"].attrs.get(STEP_ATTR) if "time" in ds else None)
    return None if value is None else float(value)


def _fill_missing(net: Network, data: dict[str, xr.DataArray]) -> None:
    """Arrays of absent families as zeros, so every result has the same variables."""
    time = pd.Index(net.time, name="time")
    for name, kind in FROM_LP.items():
        full = xr.DataArray(
            np.zeros((len(time), len(net.tables[kind]))), coords=[time, net.coord(kind)]
        )
        if name not in data:
            data[name] = full
        elif data[name].sizes[net.dim(kind)] != len(net.tables[kind]):
            data[name] = data[name].reindex_like(full).fillna(0.0)


def derived(net: Network, data: dict[str, xr.DataArray]) -> dict[str, xr.DataArray]:
    """Quantities computed from the decision arrays and the Network."""
    out: dict[str, xr.DataArray] = {}
    res = net.tables["reservoirs"]
    storage = data["storage_hm3"]
    level = np.full(storage.shape, np.nan)
    for i, (rid, row) in enumerate(res.iterrows()):
        if row.level_curve is not None:
            level[:, i] = curve_value(row.level_curve, storage.sel(reservoir=rid).values)
    out["level_masl"] = xr.DataArray(level, coords=storage.coords)
    efficiency = net.static("hydro_plants", "efficiency")
    out["hydro_p_mw"] = (
        GRAVITY_MW_PER_M3S_M * efficiency * data["head_m"] * data["turbine_flow_m3s"]
    )
    out["reach_arrival_m3s"] = reach_arrivals(net, data["reach_flow_m3s"])
    out["reach_in_transit_hm3"] = in_transit(net, data["reach_flow_m3s"])
    out["shortage_m3s"] = (data["demand_m3s"] - data["withdrawal_m3s"]).clip(min=0.0)
    fraction = net.static("water_demands", "return_fraction")
    out["return_flow_m3s"] = fraction * data["withdrawal_m3s"]
    out["sink_inflow_m3s"] = (
        node_arrivals(net, data, out).sel(node=list(net.ids("sinks"))).rename(node="sink")
    )
    return out


def reach_arrivals(net: Network, sent: xr.DataArray) -> xr.DataArray:
    """What each reach delivers per step: its delayed, lossy sending plus initial flow."""
    reaches = net.tables["reaches"]
    arrived = np.zeros(sent.shape)
    values = sent.transpose("time", "reach").values
    for j, (_rid, row) in enumerate(reaches.iterrows()):
        delay, keep = int(row.delay_steps), 1 - row.loss_fraction
        if delay:
            arrived[:delay, j] = keep * row.initial_flow_m3s
            arrived[delay:, j] = keep * values[:-delay, j] if delay < len(values) else []
        else:
            arrived[:, j] = keep * values[:, j]
    return xr.DataArray(arrived, coords=sent.transpose("time", "reach").coords)


def in_transit(net: Network, sent: xr.DataArray) -> xr.DataArray:
    """Water still in each reach when the horizon ends (what will arrive, after losses)."""
    reaches = net.tables["reaches"]
    values = sent.transpose("time", "reach").values
    amounts = np.zeros(len(reaches))
    for j, (_rid, row) in enumerate(reaches.iterrows()):
        if row.delay_steps:
            last = values[max(len(values) - int(row.delay_steps), 0) :, j]
            amounts[j] = net.hm3_per_m3s * (1 - row.loss_fraction) * last.sum()
    return xr.DataArray(amounts, coords=[net.coord("reaches")])


def node_arrivals(net: Network, data: dict, derived_: dict) -> xr.DataArray:
    """Water arriving at every node per step (m3/s), from the result arrays."""
    nodes = [n for kind in ("junctions", "reservoirs", "sinks") for n in net.ids(kind)]
    flows = []

    def routed(values: xr.DataArray, dim: str, target: pd.Series) -> None:
        if values.sizes.get(dim, 0) == 0:
            return
        frame = values.transpose("time", dim).to_pandas()
        flows.append(frame.T.groupby(target.loc[frame.columns].to_numpy()).sum().T)

    plants = net.tables["hydro_plants"]
    routed(data["inflow_m3s"], "catchment", net.tables["catchments"]["to"])
    routed(data["spill_m3s"], "reservoir", net.tables["reservoirs"]["spill_to"])
    routed(data["turbine_flow_m3s"], "hydro_plant", plants["to"])
    routed(derived_["reach_arrival_m3s"], "reach", net.tables["reaches"]["to"])
    demands = net.tables["water_demands"]
    routed(derived_["return_flow_m3s"], "water_demand", demands["return_to"].fillna(""))
    total = pd.DataFrame(0.0, index=pd.Index(net.time, name="time"), columns=nodes)
    for frame in flows:
        total = total.add(frame.reindex(columns=nodes, fill_value=0.0), fill_value=0.0)
    return xr.DataArray(
        total.to_numpy(), coords=[pd.Index(net.time, name="time"), pd.Index(nodes, name="node")]
    )


def node_departures(net: Network, data: dict) -> xr.DataArray:
    """Water leaving every node per step (m3/s): turbines, spill, reaches, withdrawals."""
    nodes = [n for kind in ("junctions", "reservoirs", "sinks") for n in net.ids(kind)]
    total = pd.DataFrame(0.0, index=pd.Index(net.time, name="time"), columns=nodes)
    plants = net.tables["hydro_plants"]
    sites = plants["reservoir"].where(plants["reservoir"].notna(), plants["node"])
    pieces = [
        (
            data["spill_m3s"],
            "reservoir",
            pd.Series(net.ids("reservoirs"), index=net.ids("reservoirs")),
        ),
        (data["turbine_flow_m3s"], "hydro_plant", sites),
        (data["reach_flow_m3s"], "reach", net.tables["reaches"]["from"]),
        (data["withdrawal_m3s"], "water_demand", net.tables["water_demands"]["node"]),
    ]
    for values, dim, target in pieces:
        if values.sizes.get(dim, 0) == 0:
            continue
        frame = values.transpose("time", dim).to_pandas()
        by_node = frame.T.groupby(target.loc[frame.columns].to_numpy()).sum().T
        total = total.add(by_node.reindex(columns=nodes, fill_value=0.0), fill_value=0.0)
    return xr.DataArray(
        total.to_numpy(), coords=[pd.Index(net.time, name="time"), pd.Index(nodes, name="node")]
    )
