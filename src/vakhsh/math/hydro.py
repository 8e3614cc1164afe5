"""Hydropower: turbine flow becomes power at the head of the step.

    p_mw[t, h] = 9.81e-3 * efficiency[h] * head_m[t, h] * turbine_flow_m3s[t, h]

an equality (turbined water always generates). Both limits are bounds on the flow:
`turbine_flow <= max_flow_m3s` and `p <= capacity_mw`, i.e. `turbine_flow <= capacity_mw /
(9.81e-3 * efficiency * head)`. The head is a parameter: fixed, or updated between
successive LPs from the storage path.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from vakhsh.math.capacity import bounded_variable
from vakhsh.math.context import BuildContext

GRAVITY_MW_PER_M3S_M = 9.81e-3  # rho * g / 1e6: MW per (m3/s * m)


def mw_per_m3s(ctx: BuildContext) -> xr.DataArray:
    """Power per unit of turbine flow, (time, hydro_plant)."""
    efficiency = ctx.net.static("hydro_plants", "efficiency")
    return GRAVITY_MW_PER_M3S_M * efficiency * ctx.params.head_m


def add_hydro(ctx: BuildContext) -> None:
    if not ctx.has("hydro_plants"):
        return
    net = ctx.net
    plants = net.tables["hydro_plants"]
    factor = mw_per_m3s(ctx)
    capacity = net.static("hydro_plants", "capacity_mw")
    by_power = capacity / factor.where(factor > 0, np.nan)
    upper = np.minimum(net.static("hydro_plants", "max_flow_m3s"), by_power.fillna(0.0))
    upper = upper.where(net.active("hydro_plants"), 0.0)
    # both limits are linear in the size, so one row bounds an extendable plant's flow
    flow = bounded_variable(ctx, "turbine_flow_m3s", "hydro_plants", upper)
    site = plants["reservoir"].where(plants["reservoir"].notna(), plants["node"])
    ctx.add_water(flow, "hydro_plant", site, sign=-1)
    ctx.release.add(flow, "hydro_plant", plants["reservoir"])
    ctx.add_water(flow, "hydro_plant", plants["to"])
    ctx.add_power(factor * flow, "hydro_plant", plants["bus"])
