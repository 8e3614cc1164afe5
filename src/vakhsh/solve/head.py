"""Head and evaporation parameters of the LP, fixed or from a storage path.

Fixed head is `head_m`, or the level at `storage_initial_hm3` minus `tailwater_masl`.
From a storage path (successive LP) the head of a step is the mean of the levels at its
start and end, minus tailwater; evaporation uses the area at the step's start storage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import HeadParameters
from vakhsh.math.curves import curve_value
from vakhsh.network import Network
from vakhsh.network.series import monthly_step_totals


def fixed_parameters(net: Network) -> HeadParameters:
    res = net.tables["reservoirs"]
    initial = xr.DataArray(
        np.repeat(res["storage_initial_hm3"].to_numpy(dtype=float)[None, :], len(net.time), 0),
        coords=[pd.Index(net.time, name="time"), net.coord("reservoirs")],
    )
    return parameters_from_storage(net, initial, initial)


def parameters_from_storage(
    net: Network, start_hm3: xr.DataArray, end_hm3: xr.DataArray
) -> HeadParameters:
    """Head per plant and evaporation per reservoir from storage at each step's ends."""
    res = net.tables["reservoirs"]
    plants = net.tables["hydro_plants"]
    time = pd.Index(net.time, name="time")
    level = {}
    for rid, row in res.iterrows():
        if row.level_curve is not None:
            mean = (
                curve_value(row.level_curve, start_hm3.sel(reservoir=rid).values)
                + curve_value(row.level_curve, end_hm3.sel(reservoir=rid).values)
            ) / 2
            level[rid] = mean
    head = np.zeros((len(time), len(plants)))
    for j, (_pid, row) in enumerate(plants.iterrows()):
        if pd.notna(row.head_m):
            head[:, j] = row.head_m
        else:
            head[:, j] = level[row.reservoir] - row.tailwater_masl
    evaporation = np.zeros((len(time), len(res)))
    for i, (rid, row) in enumerate(res.iterrows()):
        if row.area_curve is not None:
            area_km2 = curve_value(row.area_curve, start_hm3.sel(reservoir=rid).values)
            depth_m = monthly_step_totals(np.asarray(row.evaporation_mm_per_month) * 1e-3, net.run)
            evaporation[:, i] = area_km2 * depth_m  # km2 * m = hm3
    return HeadParameters(
        head_m=xr.DataArray(np.maximum(head, 0.0), coords=[time, net.coord("hydro_plants")]),
        evaporation_hm3=xr.DataArray(evaporation, coords=[time, net.coord("reservoirs")]),
    )


def storage_start(net: Network, storage_end: xr.DataArray) -> xr.DataArray:
    """Storage at the start of each step: the initial value, then the previous end."""
    initial = net.tables["reservoirs"]["storage_initial_hm3"].to_numpy(dtype=float)
    start = storage_end.shift(time=1)
    start[0] = initial
    return start
