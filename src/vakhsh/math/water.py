"""Water: reservoirs, junctions, reaches with delays and losses, demands, sinks.

All flows are m3/s averaged over a step; `k` (hm3 per m3/s-step) turns them into volume.

Reservoir balance, for every step t and reservoir r (storage at the end of the step):

    storage[t, r] - storage[t-1, r] = k * (inflow + arrivals - turbine - spill
                                           - withdrawals)[t, r] - evaporation[t, r]

with storage[-1, r] = storage_initial_hm3 and storage[T-1, r] >= storage_final_min_hm3.
Junction balance: arrivals + inflow = departures. A reach sends `reach_flow_m3s` and,
`delay_steps` later, delivers `(1 - loss_fraction)` of it; before the start it carries
`initial_flow_m3s`. A demand withdraws up to its demand and returns `return_fraction` of
what it withdrew to `return_to`; what it does not get costs `shortage_cost_usd_per_hm3`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import NODE, TIE_BREAK, BuildContext, zeros
from vakhsh.math.terms import linear_rows

# LP variable of reservoir storage, in m3/s held for one step; storage_hm3 = k * STORAGE
STORAGE = "storage_m3s_step"


def storage_hm3(ctx: BuildContext):
    """Storage at the end of each step in hm3, as a linopy expression."""
    return ctx.k * ctx.var(STORAGE)


def add_water_variables(ctx: BuildContext) -> None:
    net = ctx.net
    if ctx.has("reservoirs"):
        res = net.tables["reservoirs"]
        lower = xr.DataArray(
            np.repeat(res["storage_min_hm3"].to_numpy()[None, :], len(ctx.time), axis=0),
            coords=ctx.coords("reservoirs"),
        )
        # the end-of-horizon target is a bound on the last step's storage
        lower[{"time": -1}] = np.maximum(
            res["storage_min_hm3"], res["storage_final_min_hm3"]
        ).to_numpy()
        if ctx.config.elastic and ctx.config.elastic_storage:
            lower = lower * 0.0  # both limits are rows with slacks (add_elastic_storage)
        upper = net.static("reservoirs", "storage_max_hm3")
        raised = ctx.extendable_ids("reservoirs")
        if raised:  # a higher full supply level is a decision: bound at the highest one
            upper = upper + ctx.extendable_max["reservoirs"].reindex_like(upper).fillna(0.0)
        # storage in the LP is counted in m3/s held for one step (hm3 / k), so that flows
        # enter the balance with coefficient 1 and the rows are well scaled for the solver
        storage = ctx.add_var(
            lower=lower / ctx.k, upper=upper / ctx.k, coords=ctx.coords("reservoirs"), name=STORAGE
        )
        if raised:
            base = net.static("reservoirs", "storage_max_hm3").sel(reservoir=raised)
            ctx.add_con(
                ctx.k * storage.sel(reservoir=raised) - ctx.size("reservoirs") <= base,
                name="storage_max_raised",
            )
        _stage_storage_rows(ctx, storage)
        ctx.add_var(lower=0, coords=ctx.coords("reservoirs"), name="spill_m3s")
    if ctx.has("reaches"):
        minimum = ctx.series("reaches", "min_flow_m3s")
        priced = net.static("reaches", "shortfall_cost_usd_per_hm3").notnull()
        hard_min = minimum.where(~priced, 0.0)
        if ctx.config.elastic:
            hard_min = hard_min * 0.0  # diagnosed through the elastic row below instead
        ctx.add_var(
            lower=hard_min,
            upper=ctx.series("reaches", "max_flow_m3s"),
            coords=ctx.coords("reaches"),
            name="reach_flow_m3s",
        )
    if ctx.has("water_demands"):
        ctx.add_var(
            lower=0,
            upper=ctx.series("water_demands", "demand_m3s"),
            coords=ctx.coords("water_demands"),
            name="withdrawal_m3s",
        )


def add_storage_tie_break(ctx: BuildContext) -> None:
    """A tiny reward for water held in store, so that the LP picks one schedule.

    Where several schedules cost the same (a small pond at a fixed head that can pass its
    water today or tomorrow, or a reservoir that can spill into the next one now or
    later), the simplex returns any vertex, and storage can jump between empty and full
    from one step to the next. A reward for the storage at the end of every step,

        cost -= storage_tie_break * (1 + reservoirs downstream of r) * storage[t, r]

    (`storage` in the LP's m3/s-steps, so 2e-4 USD is 2e-4 / k USD per hm3 and step: 2.3e-3
    USD per hm3 and day at daily steps) picks among them the schedule that keeps water as
    long as it can and as high in the cascade as it can (upstream storage weighs more, so
    spilling into the next reservoir early is never a tie). It costs no row or column. The
    coefficient is the smallest HiGHS takes without warning of excessively small costs
    (below 1e-4), doubled; on central-asia it changes the reported objective by less than
    1e-10 of itself, since the reported costs and objective leave it out
    (`BuildContext.tie_break_usd`).
    """
    price = ctx.config.storage_tie_break
    if not price or not ctx.has("reservoirs"):
        return
    below = reservoirs_downstream(ctx.net)
    weight = xr.DataArray(
        [1.0 + len(below[r]) for r in ctx.net.ids("reservoirs")],
        coords=[ctx.net.coord("reservoirs")],
    )
    ctx.add_cost(ctx.var(STORAGE), TIE_BREAK, coefficient=-price * weight)


def reservoirs_downstream(net) -> dict[str, set[str]]:
    """The reservoirs every reservoir's water can reach (spill, turbines, reaches, return
    flows; the river network has no cycle)."""
    edges: dict[str, set[str]] = {}

    def link(sources: pd.Series, targets: pd.Series) -> None:
        for a, b in zip(sources, targets, strict=True):
            if isinstance(a, str) and isinstance(b, str):
                edges.setdefault(a, set()).add(b)

    res = net.tables["reservoirs"]
    link(pd.Series(res.index, index=res.index), res["spill_to"])
    plants = net.tables["hydro_plants"]
    link(plants["reservoir"].where(plants["reservoir"].notna(), plants["node"]), plants["to"])
    link(net.tables["reaches"]["from"], net.tables["reaches"]["to"])
    demands = net.tables["water_demands"]
    link(demands["node"], demands["return_to"])
    ids = set(res.index)
    found: dict[str, set[str]] = {}

    def below(node: str) -> set[str]:
        if node not in found:
            found[node] = set()  # acyclic: no node is met again on its own path
            reach = set()
            for nxt in edges.get(node, ()):
                reach |= {nxt} | below(nxt)
            found[node] = reach
        return found[node]

    return {r: below(r) & ids for r in res.index}


def _stage_storage_rows(ctx: BuildContext, storage) -> None:
    """A reservoir stage standing (b, planning) raises the storage floor and the end target,
    and the stage stands filled: its extra initial storage enters at the first step."""
    from vakhsh.math.investment import STAGE_RISE, STAGE_STANDING

    standing = ctx.extendable.get(STAGE_STANDING)
    if standing is None:
        return
    res = ctx.net.tables["reservoirs"]
    ids = list(standing.coords["reservoir"].values)
    rise = {
        name: ctx.extendable_max[key].reindex(reservoir=ids).fillna(0.0)
        for name, key in STAGE_RISE.items()
    }
    stored = ctx.k * storage.sel(reservoir=ids)
    floor = xr.DataArray(
        res.loc[ids, "storage_min_hm3"].to_numpy(float),
        coords=[rise["storage_min_hm3"]["reservoir"]],
    )
    if float(rise["storage_min_hm3"].max()) > 0:
        ctx.add_con(stored - rise["storage_min_hm3"] * standing >= floor, name="storage_min_raised")
    final = xr.DataArray(
        np.maximum(res.loc[ids, "storage_min_hm3"], res.loc[ids, "storage_final_min_hm3"]).to_numpy(
            float
        ),
        coords=[floor["reservoir"]],
    )
    if float(rise["storage_final_min_hm3"].max()) > 0:
        ctx.add_con(
            stored.isel(time=-1) - rise["storage_final_min_hm3"] * standing >= final,
            name="storage_final_raised",
        )
    if float(abs(rise["storage_initial_hm3"]).max()) > 0:
        first = xr.DataArray(
            (np.arange(len(ctx.time)) == 0) * 1.0, coords=[pd.Index(ctx.time, name="time")]
        )
        ctx.add_water(
            standing * (rise["storage_initial_hm3"] / ctx.k) * first,
            "reservoir",
            pd.Series(ids, index=ids),
        )


def add_water_flows(ctx: BuildContext) -> None:
    """Route every water flow into the node balances and price the water terms."""
    net, k = ctx.net, ctx.k
    if ctx.has("catchments"):
        ctx.add_water_constant(
            ctx.series("catchments", "inflow_m3s"), "catchment", net.tables["catchments"]["to"]
        )
    if ctx.has("reservoirs"):
        res = net.tables["reservoirs"]
        spill = ctx.var("spill_m3s")
        ctx.add_water(spill, "reservoir", pd.Series(res.index, index=res.index), sign=-1)
        ctx.add_water(spill, "reservoir", res["spill_to"])
        ctx.release.add(spill, "reservoir", pd.Series(res.index, index=res.index))
        cost = net.static("reservoirs", "spill_cost_usd_per_hm3")
        if float(cost.max()) > 0:
            ctx.add_cost(spill, "spill", coefficient=k * cost)
    if ctx.has("reaches"):
        _add_reaches(ctx)
    if ctx.has("water_demands"):
        _add_demands(ctx)


def _add_reaches(ctx: BuildContext) -> None:
    net, k = ctx.net, ctx.k
    reaches = net.tables["reaches"]
    flow = ctx.var("reach_flow_m3s")
    ctx.add_water(flow, "reach", reaches["from"], sign=-1)
    keep = 1.0 - net.static("reaches", "loss_fraction")
    for delay, group in reaches.groupby("delay_steps"):
        ids = list(group.index)
        sent = flow.sel(reach=ids)
        # a shifted variable has no term (label -1) where nothing was sent yet
        arrived = sent.shift(time=int(delay)) if delay else sent
        ctx.add_water(arrived, "reach", group["to"], coefficient=keep.sel(reach=ids))
        if delay:
            # what entered the reach before the start arrives in the first `delay` steps
            before = xr.DataArray(
                np.zeros((len(ctx.time), len(ids))),
                coords=[pd.Index(ctx.time, name="time"), pd.Index(ids, name="reach")],
            )
            before[: int(delay)] = (
                group["initial_flow_m3s"] * (1 - group["loss_fraction"])
            ).to_numpy()
            ctx.add_water_constant(before, "reach", group["to"])
    minimum = ctx.series("reaches", "min_flow_m3s")
    cost = net.static("reaches", "shortfall_cost_usd_per_hm3")
    priced = list(cost.reach.values[cost.notnull().values & (minimum.max("time") > 0).values])
    if priced:
        short = ctx.add_var(
            lower=0,
            upper=minimum.sel(reach=priced),
            coords=[pd.Index(ctx.time, name="time"), pd.Index(priced, name="reach")],
            name="reach_shortfall_m3s",
        )
        ctx.add_con(
            flow.sel(reach=priced) + short >= minimum.sel(reach=priced), name="reach_min_flow_soft"
        )
        ctx.add_cost(short, "reach_shortfall", coefficient=k * cost.sel(reach=priced))
    if ctx.config.elastic:
        hard = [r for r in reaches.index if r not in priced]
        if hard:
            coords = [pd.Index(ctx.time, name="time"), pd.Index(hard, name="reach")]
            slack = ctx.elastic_slack("reach_min_flow", coords, "reach minimum flow", "reach")
            ctx.add_con(
                flow.sel(reach=hard) + slack >= minimum.sel(reach=hard), name="reach_min_flow"
            )


def _add_demands(ctx: BuildContext) -> None:
    net, k = ctx.net, ctx.k
    demands = net.tables["water_demands"]
    withdrawal = ctx.var("withdrawal_m3s")
    ctx.add_water(withdrawal, "water_demand", demands["node"], sign=-1)
    returning = demands[(demands["return_fraction"] > 0) & demands["return_to"].notna()]
    if len(returning):
        ids = list(returning.index)
        fraction = net.static("water_demands", "return_fraction").sel(water_demand=ids)
        ctx.add_water(
            withdrawal.sel(water_demand=ids),
            "water_demand",
            returning["return_to"],
            coefficient=fraction,
        )
    # cost of shortage = cost * k * (demand - withdrawal): a constant minus a linear term
    cost = net.static("water_demands", "shortage_cost_usd_per_hm3")
    demand = ctx.series("water_demands", "demand_m3s")
    ctx.add_cost(
        withdrawal,
        "water_shortage",
        constant=float((k * cost * demand).sum()),
        coefficient=-k * cost,
    )


def add_water_balances(ctx: BuildContext) -> None:
    """Close the node balances once every family has routed its flows."""
    net, k = ctx.net, ctx.k
    if not ctx.water:
        return
    constant = (
        sum(ctx.water_constants[1:], ctx.water_constants[0])
        if ctx.water_constants
        else zeros([pd.Index(ctx.time, name="time"), ctx.nodes()])
    )
    if ctx.has("reservoirs"):
        ids = pd.Index(net.ids("reservoirs"), name="reservoir")
        storage = ctx.var(STORAGE)
        net_in = ctx.water.expression(ctx.model, list(ids), "reservoir")
        const_in = constant.sel({NODE: list(ids)}).rename({NODE: "reservoir"})
        initial = xr.zeros_like(const_in)
        initial[{"time": 0}] = net.tables["reservoirs"]["storage_initial_hm3"].to_numpy()
        # storage[t] - storage[t-1] - inflow; the shifted storage has no column at t = 0
        lhs = [(1.0, storage), (-1.0, storage.shift(time=1)), (-1.0, net_in)]
        if ctx.config.elastic:
            slack = ctx.elastic_slack(
                "reservoir_water",
                ctx.coords("reservoirs"),
                "reservoir balance (water it cannot have)",
                "reservoir",
                balance=True,
            )
            lhs.append((-1.0, slack))
        # in m3/s-steps: divide the hm3 terms by k
        right = const_in + (initial - ctx.params.evaporation_hm3) / k
        ctx.add_con(linear_rows(ctx.model, lhs, "=", right), name="reservoir_balance")
        _add_min_release(ctx)
        if ctx.config.elastic and ctx.config.elastic_storage:
            add_elastic_storage(ctx)
    if ctx.has("junctions"):
        ids = list(net.ids("junctions"))
        net_in = ctx.water.expression(ctx.model, ids, "junction")
        const_in = constant.sel({NODE: ids}).rename({NODE: "junction"})
        lhs = [(1.0, net_in)]
        if ctx.config.elastic:
            coords = ctx.coords("junctions")
            in_slack = ctx.elastic_slack(
                "junction_in",
                coords,
                "junction balance (water it cannot have)",
                "junction",
                balance=True,
            )
            out_slack = ctx.elastic_slack(
                "junction_out",
                coords,
                "junction balance (water it cannot pass on)",
                "junction",
                balance=True,
            )
            lhs += [(1.0, in_slack), (-1.0, out_slack)]
        ctx.add_con(linear_rows(ctx.model, lhs, "=", -const_in), name="junction_balance")
    if ctx.has("sinks"):
        _add_sinks(ctx, constant)


def add_elastic_storage(ctx: BuildContext) -> None:
    """Diagnosis only: the storage floor and the end target as rows with their own slacks,
    so that a diagnosis can name them instead of blaming the reservoir balance."""
    storage = ctx.var(STORAGE)
    floor = ctx.net.static("reservoirs", "storage_min_hm3") / ctx.k
    slack = ctx.elastic_slack(
        "min_storage",
        ctx.coords("reservoirs"),
        "reservoir minimum storage (storage_min_hm3)",
        "reservoir",
        level=True,
    )
    ctx.add_con(storage + slack >= floor, name="min_storage")
    target = ctx.net.static("reservoirs", "storage_final_min_hm3") / ctx.k
    slack = ctx.elastic_slack(
        "final_storage",
        [ctx.net.coord("reservoirs")],
        "reservoir end target (storage_final_min_hm3)",
        "reservoir",
    )
    ctx.add_con(
        storage.isel(time=-1) + slack >= target.where(target > floor, floor), name="final_storage"
    )


def _add_min_release(ctx: BuildContext) -> None:
    """Turbine flow plus spill of each reservoir at least its `min_release_m3s`."""
    net = ctx.net
    minimum = ctx.series("reservoirs", "min_release_m3s")
    ids = [r for r in net.ids("reservoirs") if float(minimum.sel(reservoir=r).max()) > 0]
    if not ids:
        return
    release = [(1.0, ctx.release.expression(ctx.model, ids))]
    if ctx.config.elastic:
        coords = [pd.Index(ctx.time, name="time"), pd.Index(ids, name="reservoir")]
        slack = ctx.elastic_slack("min_release", coords, "reservoir minimum release", "reservoir")
        release.append((1.0, slack))
    rows = linear_rows(ctx.model, release, ">=", minimum.sel(reservoir=ids))
    ctx.add_con(rows, name="min_release")


def _add_sinks(ctx: BuildContext, constant) -> None:
    net, k = ctx.net, ctx.k
    sinks = net.tables["sinks"]
    minimum = ctx.series("sinks", "min_inflow_m3s")
    needs = [s for s in sinks.index if float(minimum.sel(sink=s).max()) > 0]
    if not needs:
        return
    arriving = ctx.water.expression(ctx.model, needs, "sink")
    const_in = constant.sel({NODE: needs}).rename({NODE: "sink"})
    priced = [s for s in needs if pd.notna(sinks.loc[s, "shortfall_cost_usd_per_hm3"])]
    coords = [pd.Index(ctx.time, name="time"), pd.Index(needs, name="sink")]
    lhs = [(1.0, arriving)]
    if priced:
        upper = minimum.sel(sink=needs).where(
            xr.DataArray([s in priced for s in needs], coords=[coords[1]]), 0.0
        )
        short = ctx.add_var(lower=0, upper=upper, coords=coords, name="sink_shortfall_m3s")
        cost = net.static("sinks", "shortfall_cost_usd_per_hm3", fill=0.0).sel(sink=needs)
        ctx.add_cost(short, "sink_shortfall", coefficient=k * cost)
        lhs.append((1.0, short))
    if ctx.config.elastic:
        slack = ctx.elastic_slack("sink_min_inflow", coords, "sink minimum inflow", "sink")
        lhs.append((1.0, slack))
    rows = linear_rows(ctx.model, lhs, ">=", minimum.sel(sink=needs) - const_in)
    ctx.add_con(rows, name="sink_min_inflow")
