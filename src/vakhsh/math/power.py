"""Power: generators, unserved energy, storage units, lines, markets and the bus balance.

Bus balance, for every step t and bus b (MW, averaged over the step):

    generation + hydro + discharge - charge + line arrivals - line sends
        + imports - exports + unserved = load

Generators run within `capacity_mw * capacity_factor` (curtailment allowed) and at least
`capacity_mw * min_capacity_factor` (must-run). A line sends
up to `capacity_mw` from `from` to `to` (and `capacity_backward_mw`, default the same, the
other way) and delivers `(1 - loss_fraction)` of it. Storage units:

    soc[t] = soc[t-1] + h * (eta_store * charge[t] - discharge[t] / eta_dispatch
                             + inflow[t] - spill[t])

(eta_store = eta_dispatch = sqrt(efficiency_roundtrip) unless the one-way pair is given;
inflow and spill, 0 <= spill <= inflow, only with `inflow_mw`), starting at
`soc_initial_mwh` (or, `soc_cyclic`, at the state after the last step), within
[`soc_min_mwh`, `energy_mwh`] and ending at or above `soc_final_min_mwh`. A line with
`x_ohm` also obeys Kirchhoff's voltage law (`vakhsh.math.kirchhoff`). Energy costs are
MW times the step's hours times USD/MWh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.capacity import bounded_variable, floor_by_size
from vakhsh.math.context import BuildContext
from vakhsh.math.terms import linear_rows


def add_generators(ctx: BuildContext) -> None:
    if not ctx.has("generators"):
        return
    net = ctx.net
    gens = net.tables["generators"]
    capacity = net.static("generators", "capacity_mw")
    active = net.active("generators")
    upper = (capacity * ctx.series("generators", "capacity_factor")).where(active, 0.0)
    # must-run: a lower bound (a row over the size for a candidate; in a diagnosis, a row
    # with a slack so that it can take the blame)
    must_run = (capacity * ctx.series("generators", "min_capacity_factor")).where(active, 0.0)
    sized = ctx.extendable_ids("generators")
    fixed = must_run.where(~must_run["generator"].isin(sized), 0.0)
    p = bounded_variable(
        ctx,
        "generator_p_mw",
        "generators",
        upper,
        lower=0.0 if ctx.config.elastic else fixed.transpose("time", "generator"),
    )
    floor_by_size(ctx, p, "generators", must_run, "generator_must_run")
    if ctx.config.elastic and float(fixed.max()) > 0:
        slack = ctx.elastic_slack(
            "must_run",
            ctx.coords("generators"),
            "generator must-run output (min_capacity_factor)",
            "generator",
        )
        ctx.add_con(p + slack >= fixed, name="generator_must_run")
    ctx.add_power(p, "generator", gens["bus"])
    ctx.add_cost(
        p,
        "generation",
        coefficient=ctx.hours * ctx.series("generators", "marginal_cost_usd_per_mwh"),
    )


def add_unserved(ctx: BuildContext) -> None:
    if not ctx.has("buses"):
        return
    net = ctx.net
    load = bus_load(ctx)
    u = ctx.add_var(lower=0, upper=load, coords=ctx.coords("buses"), name="unserved_mw")
    buses = net.tables["buses"]
    ctx.add_power(u, "bus", pd.Series(buses.index, index=buses.index))
    ctx.add_cost(
        u, "unserved_energy", coefficient=ctx.hours * net.static("buses", "voll_usd_per_mwh")
    )


def bus_load(ctx: BuildContext) -> xr.DataArray:
    """Load per (time, bus) in MW."""
    net = ctx.net
    frame = pd.DataFrame(0.0, index=pd.Index(ctx.time, name="time"), columns=net.coord("buses"))
    if ctx.has("loads"):
        loads = ctx.series("loads", "p_mw").transpose("time", "load").to_pandas()
        by_bus = loads.T.groupby(net.tables["loads"]["bus"].loc[loads.columns].to_numpy()).sum().T
        frame = frame.add(by_bus.reindex(columns=frame.columns, fill_value=0.0), fill_value=0.0)
    return xr.DataArray(
        frame.to_numpy(), coords=[pd.Index(ctx.time, name="time"), net.coord("buses")]
    )


def storage_efficiencies(net) -> tuple[xr.DataArray, xr.DataArray]:
    """Charging and discharging efficiencies per unit: the one-way pair where given, else
    the round trip split evenly (sqrt each way)."""
    units = net.tables["storage_units"]
    even = np.sqrt(units["efficiency_roundtrip"].astype(float))
    store = units["efficiency_store"].astype(float).fillna(even)
    dispatch = units["efficiency_dispatch"].astype(float).fillna(even)
    dim = net.coord("storage_units")
    return (
        xr.DataArray(store.to_numpy(), coords=[dim]),
        xr.DataArray(dispatch.to_numpy(), coords=[dim]),
    )


def add_storage_units(ctx: BuildContext) -> None:
    if not ctx.has("storage_units"):
        return
    net = ctx.net
    units = net.tables["storage_units"]
    # a unit that does not exist yet neither gives, takes nor holds anything: its bounds
    # are 0 until available_from
    active = net.active("storage_units").transpose("time", "storage_unit")
    power = net.static("storage_units", "power_mw").where(active, 0.0).transpose(*active.dims)
    charge = bounded_variable(ctx, "storage_charge_mw", "storage_units", power)
    discharge = bounded_variable(ctx, "storage_discharge_mw", "storage_units", power)
    energy = net.static("storage_units", "energy_mwh").broadcast_like(power).where(active, 0.0)
    floor = units["soc_min_mwh"].to_numpy(dtype=float)
    lower = xr.zeros_like(power) + floor
    if not ctx.config.elastic:
        lower[{"time": -1}] = np.maximum(floor, units["soc_final_min_mwh"].to_numpy())
    lower = lower.where(active, 0.0)
    soc = bounded_variable(ctx, "storage_soc_mwh", "storage_units", energy, lower=lower)
    if ctx.config.elastic:
        # the end target as a row with a slack, so a diagnosis can name the unit
        slack = ctx.elastic_slack(
            "storage_final",
            [net.coord("storage_units")],
            "storage unit end-of-horizon state of charge",
            "storage_unit",
        )
        ctx.add_con(
            soc.isel(time=-1) + slack >= units["soc_final_min_mwh"].to_numpy(), name="storage_final"
        )
    store, dispatch = storage_efficiencies(net)
    cyclic = units["soc_cyclic"].to_numpy(dtype=bool)  # the registry fills its default
    initial = xr.zeros_like(power)
    initial[{"time": 0}] = np.where(cyclic, 0.0, units["soc_initial_mwh"].to_numpy())
    inflow = storage_inflow_mw(net)
    change = soc_change(ctx, soc, charge, discharge, store, dispatch, cyclic)
    if inflow.size and float(inflow.max()) > 0:
        # inflow beyond what the unit can hold is spilled (PyPSA's StorageUnit spill)
        spill = ctx.add_var(
            lower=0,
            upper=inflow,
            coords=ctx.coords("storage_units"),
            name="storage_spill_mw",
        )
        change.append((ctx.hours, spill))
    ctx.add_con(
        linear_rows(ctx.model, change, "=", initial + ctx.hours * inflow),
        name="storage_soc_balance",
    )
    ctx.add_power(discharge, "storage_unit", units["bus"])
    ctx.add_power(charge, "storage_unit", units["bus"], sign=-1)


def storage_inflow_mw(net) -> xr.DataArray:
    """(time, storage_unit) natural inflow of each unit, MW: none before it exists (it
    does not reach a unit that is not there; the audit closes the balance with the same)."""
    inflow = net.series["storage_units"]["inflow_mw"].transpose("time", "storage_unit")
    return inflow.where(net.active("storage_units").transpose("time", "storage_unit"), 0.0)


def soc_change(ctx: BuildContext, soc, charge, discharge, store, dispatch=None, cyclic=None):
    """soc[t] - soc[t-1] - h * (store * charge - discharge / dispatch) as (coefficient,
    variable) pairs for `linear_rows`, with soc[-1] left out (the caller puts the initial
    state on the right-hand side) except for `cyclic` units, whose soc[-1] is the state
    after the last step. `dispatch` None: `store`."""
    dispatch = store if dispatch is None else dispatch
    previous = soc.shift(time=1)
    if cyclic is not None and np.any(cyclic):
        wrap = xr.DataArray(
            np.asarray(cyclic, dtype=bool), coords=[soc.labels.indexes["storage_unit"]]
        )
        later = xr.DataArray(
            np.arange(soc.labels.sizes["time"]) > 0, coords=[soc.labels.indexes["time"]]
        )
        previous = soc.roll(time=1).where(later | wrap)
    # a shifted variable has no column (label -1) at the first step: nothing is added there
    return [
        (1.0, soc),
        (-1.0, previous),
        (-ctx.hours * store, charge),
        (ctx.hours / dispatch, discharge),
    ]


def add_lines(ctx: BuildContext) -> None:
    if not ctx.has("lines"):
        return
    net = ctx.net
    lines = net.tables["lines"]
    active = net.active("lines")
    capacity = ctx.series("lines", "capacity_mw").where(active, 0.0)
    # unset (infinite) backward limit: capacity_mw both ways
    backward_mw = ctx.series("lines", "capacity_backward_mw")
    backward_mw = backward_mw.where(np.isfinite(backward_mw), capacity).where(active, 0.0)
    # a must-flow link sends at least min_flow_mw (while it exists)
    must = ctx.series("lines", "min_flow_mw").where(active, 0.0).transpose("time", "line")
    forward = bounded_variable(ctx, "line_forward_mw", "lines", capacity, lower=must)
    backward = bounded_variable(ctx, "line_backward_mw", "lines", backward_mw)
    keep = 1.0 - net.static("lines", "loss_fraction")
    ctx.add_power(forward, "line", lines["from"], sign=-1)
    ctx.add_power(forward, "line", lines["to"], coefficient=keep)
    ctx.add_power(backward, "line", lines["to"], sign=-1)
    ctx.add_power(backward, "line", lines["from"], coefficient=keep)


def add_markets(ctx: BuildContext) -> None:
    if not ctx.has("markets"):
        return
    net = ctx.net
    markets = net.tables["markets"]
    active = net.active("markets")
    coords = ctx.coords("markets")
    export = ctx.add_var(
        lower=0,
        upper=ctx.series("markets", "max_export_mw").where(active, 0.0),
        coords=coords,
        name="market_export_mw",
    )
    imports = ctx.add_var(
        lower=0,
        upper=ctx.series("markets", "max_import_mw").where(active, 0.0),
        coords=coords,
        name="market_import_mw",
    )
    price = ctx.series("markets", "price_usd_per_mwh")
    ctx.add_power(export, "market", markets["bus"], sign=-1)
    ctx.add_power(imports, "market", markets["bus"])
    ctx.add_cost(imports, "market_imports", coefficient=ctx.hours * price)
    ctx.add_cost(export, "market_export_revenue", coefficient=-ctx.hours * price)


def add_power_balance(ctx: BuildContext) -> None:
    if not ctx.has("buses") or not ctx.power:
        return
    rows = linear_rows(ctx.model, [(1.0, ctx.power.expression(ctx.model))], "=", bus_load(ctx))
    ctx.add_con(rows, name="power_balance")
