"""Hydropower: turbine flow becomes power at the head of the step.

    p_mw[t, h] = 9.81e-3 * efficiency[h] * head_m[t, h] * turbine_flow_m3s[t, h]

an equality (turbined water always generates). Both limits are bounds on the flow:
`turbine_flow <= max_flow_m3s` and `p <= capacity_mw * capacity_factor[t, h]`, i.e.
`turbine_flow <= capacity_mw * capacity_factor / (9.81e-3 * efficiency * head)`. The head is a
parameter: fixed, or updated between successive LPs from the storage path.

Plants the build operates with FPHA (`BuildConfig.production`, `math/fpha.py`) have their
power as a variable under planes over storage and flow instead; their flow is bounded by
`max_flow_m3s` (zero where no capacity is available) and their power by the capacity.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from vakhsh.math.capacity import bounded_variable
from vakhsh.math.context import BuildContext
from vakhsh.math.fpha import add_fpha_power, fpha_plants

GRAVITY_MW_PER_M3S_M = 9.81e-3  # rho * g / 1e6: MW per (m3/s * m)


def mw_per_m3s(ctx: BuildContext) -> xr.DataArray:
    """Power per unit of turbine flow, (time, hydro_plant)."""
    efficiency = ctx.net.static("hydro_plants", "efficiency")
    return GRAVITY_MW_PER_M3S_M * efficiency * ctx.params.head_m


def available_mw(ctx: BuildContext) -> xr.DataArray:
    """Capacity that can run in each step, (time, hydro_plant): capacity_mw * capacity_factor."""
    return ctx.net.static("hydro_plants", "capacity_mw") * ctx.series(
        "hydro_plants", "capacity_factor"
    )


def _replaced_by_stages(ctx: BuildContext, flow, upper: xr.DataArray) -> None:
    """A plant a reservoir stage rebuilds (planning) runs only while the stage does not
    stand: flow <= max_flow * (1 - b); the stage's version is a plant of its own."""
    from vakhsh.math.investment import STAGE_REPLACES

    standing = ctx.extendable.get(STAGE_REPLACES)
    if standing is None:
        return
    ids = list(standing.coords["hydro_plant"].values)
    limit = upper.transpose("time", "hydro_plant").sel(hydro_plant=ids)
    ctx.add_con(
        flow.sel(hydro_plant=ids) + limit * standing <= limit, name="turbine_flow_replaced_by_stage"
    )


def _staged(ctx: BuildContext) -> list[str]:
    """Reservoirs with a stage candidate and the plants a stage rebuilds (planning)."""
    from vakhsh.math.investment import STAGE_REPLACES, STAGE_STANDING

    ids: list[str] = []
    for key, dim in ((STAGE_STANDING, "reservoir"), (STAGE_REPLACES, "hydro_plant")):
        size = ctx.extendable.get(key)
        if size is not None:
            ids += [str(i) for i in size.coords[dim].values]
    return ids


def add_hydro(ctx: BuildContext) -> None:
    if not ctx.has("hydro_plants"):
        return
    net = ctx.net
    plants = net.tables["hydro_plants"]
    factor = mw_per_m3s(ctx)
    capacity = available_mw(ctx)
    by_power = capacity / factor.where(factor > 0, np.nan)
    max_flow = net.static("hydro_plants", "max_flow_m3s")
    upper = np.minimum(max_flow, by_power.fillna(0.0))
    # planning: a plant or reservoir whose size or stage is a decision keeps its head
    # parameter (its planes would be fitted to a range the decision changes)
    sized = [*ctx.extendable_ids("hydro_plants"), *ctx.extendable_ids("reservoirs"), *_staged(ctx)]
    fpha = fpha_plants(net, ctx.config.production, sized)
    if fpha:  # the capacity bounds their power, not their flow
        by_fpha = xr.DataArray(plants.index.isin(fpha), coords=[net.coord("hydro_plants")])
        upper = upper.where(~by_fpha, max_flow.where(capacity > 0, 0.0))
    upper = upper.where(net.active("hydro_plants"), 0.0)
    # both limits are linear in the size, so one row bounds an extendable plant's flow
    flow = bounded_variable(ctx, "turbine_flow_m3s", "hydro_plants", upper)
    _replaced_by_stages(ctx, flow, upper)
    site = plants["reservoir"].where(plants["reservoir"].notna(), plants["node"])
    ctx.add_water(flow, "hydro_plant", site, sign=-1)
    ctx.release.add(flow, "hydro_plant", plants["reservoir"])
    ctx.add_water(flow, "hydro_plant", plants["to"])
    if len(fpha) < len(plants):  # head x flow for the plants FPHA does not take
        on_fixed_head = plants["bus"].where(~plants.index.isin(fpha))
        ctx.add_power(flow, "hydro_plant", on_fixed_head, coefficient=factor)
    if fpha:
        add_fpha_power(ctx, flow, fpha, capacity.where(net.active("hydro_plants"), 0.0))
