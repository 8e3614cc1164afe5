"""Convex head-dependent production (FPHA): hydropower bounded by planes over storage and flow.

For every plant built with FPHA (`fpha_plants`) the fixed-head equality of `hydro.py` is
replaced by a power variable p (MW) under the planes of the plant's concave envelope
(`fpha_fit.fit_planes`), for every step t and plane j:

    p[t, h] <= a[h, j] + b[h, j] * V[t, h] + c[h, j] * turbine_flow[t, h]
    0 <= p[t, h] <= capacity_mw[h] * capacity_factor[t, h]
    V[t, h] = (storage[t-1, r] + storage[t, r]) / 2       (r the plant's reservoir, hm3;
                                                          storage[-1] = storage_initial_hm3,
                                                          or ctx.storage_in: SDDP's state)

p enters the bus balance. The planes lie above the exact output k * q * (level(V) -
tailwater), so the LP can overstate it (never understate): the head model recomputes the
exact energy afterwards and reports the gap (`solve.heads.ProductionModel`). With p free
to stay below the envelope, turbined water may make less than the envelope allows; at an
optimum it does so only when the power has no value (as spilling would). Rows: steps x
planes per plant (two for a linear level curve); it stays an LP.
"""

from __future__ import annotations

from collections.abc import Callable

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import BuildContext
from vakhsh.math.fpha_fit import Planes, PlantCurve, fit_planes
from vakhsh.math.terms import linear_rows
from vakhsh.math.water import STORAGE
from vakhsh.network import Network

FPHA_POWER = "hydro_p_fpha_mw"
FPHA_ROWS = "hydro_fpha_planes"
PLANE = "fpha_plane"
# `BuildConfig.production` values, and the plants' `production` field they honour
PRODUCTION_MODES = ("fixed", "auto", "fpha")


def allows_fpha(net: Network) -> pd.Series:
    """Plants whose data allow FPHA: on a reservoir, with a tailwater level (the format's
    checks make sure the reservoir then has a level curve)."""
    plants = net.tables["hydro_plants"]
    if not len(plants):
        return pd.Series(dtype=bool)
    return plants["reservoir"].notna() & plants["tailwater_masl"].notna()


def fpha_plants(net: Network, production: str, sized: list[str] | tuple = ()) -> list[str]:
    """The plants a build with `BuildConfig.production` operates with FPHA. Plants or
    reservoirs whose size is a decision (`sized`, planning) keep the head parameters."""
    if production == "fixed" or not len(net.tables["hydro_plants"]):
        return []
    plants = net.tables["hydro_plants"]
    allowed = allows_fpha(net)
    if production == "auto":
        allowed &= plants["production"].isin(["auto", "fpha"])
    allowed &= ~plants.index.isin(list(sized)) & ~plants["reservoir"].isin(list(sized))
    return list(plants.index[allowed.to_numpy()])


def plant_curve(net: Network, plant: str) -> PlantCurve:
    row = net.tables["hydro_plants"].loc[plant]
    res = net.tables["reservoirs"].loc[row.reservoir]
    return PlantCurve(
        level_curve=np.asarray(res.level_curve, dtype=float),
        tailwater_masl=float(row.tailwater_masl),
        efficiency=float(row.efficiency),
        capacity_mw=float(row.capacity_mw),
        storage_min_hm3=float(res.storage_min_hm3),
        storage_max_hm3=float(res.storage_max_hm3),
        max_flow_m3s=float(row.max_flow_m3s),
    )


def plant_planes(net: Network, plants: list[str], fit: Callable | None = None) -> dict[str, Planes]:
    """{plant: planes}, each fitted by `fit` (None: `fit_planes`, the concave envelope)."""
    fit = fit or fit_planes
    return {pid: fit(plant_curve(net, pid)) for pid in plants}


def plane_table(planes: dict[str, Planes]) -> xr.Dataset:
    """Coefficients a, b, c over (hydro_plant, fpha_plane), padded; `used` masks the pads."""
    ids = pd.Index(list(planes), name="hydro_plant")
    width = max(len(p) for p in planes.values())
    coords = [ids, pd.Index(np.arange(width), name=PLANE)]
    table = {name: np.zeros((len(ids), width)) for name in ("a", "b", "c")}
    used = np.zeros((len(ids), width), dtype=bool)
    for i, p in enumerate(planes.values()):
        n = len(p)
        table["a"][i, :n], table["b"][i, :n] = p.intercept_mw, p.per_hm3
        table["c"][i, :n], used[i, :n] = p.per_m3s, True
    data = {name: xr.DataArray(values, coords=coords) for name, values in table.items()}
    return xr.Dataset({**data, "used": xr.DataArray(used, coords=coords)})


def mean_storage_hm3(ctx: BuildContext, plants: list[str]) -> linopy.LinearExpression:
    """(time, hydro_plant): the mean of storage at the start and end of each step of each
    plant's reservoir, hm3. The start of the first step is `ctx.storage_in` (a variable
    in hm3: an SDDP stage's incoming state, so that the stage's cost stays convex in it
    and its cuts valid) or else the constant `storage_initial_hm3`."""
    storage = ctx.var(STORAGE)  # m3/s held for one step: hm3 = k * storage
    table = ctx.net.tables["hydro_plants"].loc[plants]
    res = pd.Index(ctx.net.ids("reservoirs"))
    where = res.get_indexer(table["reservoir"])
    labels_end = storage.labels.transpose("time", "reservoir").values[:, where]
    labels_start = np.full_like(labels_end, -1)
    labels_start[1:] = labels_end[:-1]
    labels = np.stack([labels_end, labels_start], axis=2)
    coeffs = np.where(labels >= 0, 0.5 * ctx.k, 0.0)
    const = np.zeros(labels_end.shape)
    if ctx.storage_in is not None:  # hm3 already: coefficient 1/2, no constant
        entering = ctx.storage_in.labels.sel(reservoir=list(table["reservoir"])).values
        labels[0, :, 1], coeffs[0, :, 1] = entering, 0.5
    else:
        initial = ctx.net.tables["reservoirs"]["storage_initial_hm3"].to_numpy(dtype=float)
        const[0] = 0.5 * initial[where]
    dims = ("time", "hydro_plant", "_term")
    data = xr.Dataset(
        {"vars": (dims, labels), "coeffs": (dims, coeffs), "const": (dims[:2], const)},
        coords={
            "time": pd.Index(ctx.time, name="time"),
            "hydro_plant": pd.Index(plants, name="hydro_plant"),
        },
    )
    return linopy.LinearExpression(data, ctx.model)


def add_fpha_power(
    ctx: BuildContext, flow: linopy.Variable, plants: list[str], available_mw: xr.DataArray
) -> linopy.Variable:
    """The power variable of the FPHA plants under their planes, into the bus balance."""
    fitted = ctx.fpha_planes
    if fitted is None:
        fitted = plant_planes(ctx.net, plants, ctx.config.fpha_fit)
    table = plane_table({pid: fitted[pid] for pid in plants})
    coords = [pd.Index(ctx.time, name="time"), pd.Index(plants, name="hydro_plant")]
    upper = available_mw.sel(hydro_plant=plants).transpose("time", "hydro_plant")
    p = ctx.add_var(lower=0, upper=upper, coords=coords, name=FPHA_POWER)
    volume = mean_storage_hm3(ctx, plants)
    q = flow.sel(hydro_plant=plants)
    rows = linear_rows(
        ctx.model, [(1.0, p), (-table["b"], volume), (-table["c"], q)], "<=", table["a"]
    )
    ctx.add_con(rows, name=FPHA_ROWS, mask=table["used"])
    ctx.add_power(p, "hydro_plant", ctx.net.tables["hydro_plants"]["bus"])
    return p
