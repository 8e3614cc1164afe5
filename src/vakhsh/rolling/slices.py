"""Networks for parts of a run: a window of its steps (with the state handed over), and
the whole run at a coarser step (the coarse solve that prices water at window ends)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import HeadParameters
from vakhsh.network import Network
from vakhsh.network.series import RunTime


@dataclasses.dataclass(frozen=True)
class State:
    """What one window hands to the next: storage (hm3) per reservoir and charge (MWh)
    per storage unit at the end of the kept part."""

    storage_hm3: pd.Series
    soc_mwh: pd.Series


def initial_state(net: Network) -> State:
    return State(
        net.tables["reservoirs"]["storage_initial_hm3"].astype(float),
        net.tables["storage_units"]["soc_initial_mwh"].astype(float),
    )


def window_network(net: Network, start: int, stop: int, state: State, last: bool) -> Network:
    """Steps [start, stop) of `net`, starting from `state`. A window before the last ends
    with no target beyond the storage floor (its end storage is priced instead), and its
    reaches carry nothing in from before the window (the caller adds what was sent)."""
    run = RunTime(index=net.run.index[start:stop], step=net.run.step)
    series = {kind: ds.isel(time=slice(start, stop)) for kind, ds in net.series.items()}
    tables = dict(net.tables)
    res = tables["reservoirs"].copy()
    res["storage_initial_hm3"] = state.storage_hm3.reindex(res.index).to_numpy()
    if not last:
        res["storage_final_min_hm3"] = res["storage_min_hm3"]
    units = tables["storage_units"].copy()
    units["soc_initial_mwh"] = state.soc_mwh.reindex(units.index).to_numpy()
    if not last:
        units["soc_final_min_mwh"] = 0.0
    reaches = tables["reaches"].copy()
    reaches["initial_flow_m3s"] = 0.0
    tables.update(reservoirs=res, storage_units=units, reaches=reaches)
    return dataclasses.replace(net, run=run, series=series, tables=tables)


def window_parameters(params: HeadParameters, start: int, stop: int) -> HeadParameters:
    return HeadParameters(
        head_m=params.head_m.isel(time=slice(start, stop)),
        evaporation_hm3=params.evaporation_hm3.isel(time=slice(start, stop)),
    )


def transit_arrivals(net: Network, flows: np.ndarray, start: int, stop: int) -> xr.DataArray | None:
    """Water arriving at each delayed reach's end in steps [start, stop) that was sent
    before `start` (m3/s, after losses): from `flows` (steps, reach) of the steps already
    kept, or `initial_flow_m3s` for steps before the run. None when no reach is delayed."""
    reaches = net.tables["reaches"]
    delays = reaches["delay_steps"].to_numpy(dtype=int) if len(reaches) else np.zeros(0, int)
    if not (delays > 0).any():
        return None
    steps = np.arange(start, stop)[:, None]
    sent = steps - delays[None, :]  # the step each arrival was sent in
    before = (sent < start) & (delays[None, :] > 0)
    initial = reaches["initial_flow_m3s"].to_numpy(dtype=float)
    source = np.where(
        sent >= 0, flows[np.clip(sent, 0, None), np.arange(len(delays))], initial[None, :]
    )
    keep = 1.0 - reaches["loss_fraction"].to_numpy(dtype=float)
    values = np.where(before, source * keep[None, :], 0.0)
    return xr.DataArray(
        values,
        coords=[pd.Index(net.time[start:stop], name="time"), pd.Index(reaches.index, name="reach")],
    )


def coarse_network(net: Network, factor: int) -> Network:
    """The run at `factor` times its step: every series averaged over each coarse step
    (a last, shorter group is averaged over the steps it has)."""
    step = net.run.step * factor
    run = RunTime(index=pd.DatetimeIndex(net.run.index[::factor], name="time"), step=step)
    series = {}
    for kind, ds in net.series.items():
        if "time" not in ds.dims or ds.sizes["time"] == 0:
            series[kind] = ds.isel(time=slice(0, len(run.index))) if "time" in ds.dims else ds
            continue
        if not any("time" in v.dims for v in ds.data_vars.values()):
            group = xr.DataArray(np.arange(ds.sizes["time"]) // factor, dims="time")
            coarse = ds.groupby(group.rename("coarse")).mean()
            series[kind] = coarse.rename(coarse="time").assign_coords(time=run.index)
            continue
        # reshaped means (a groupby is slow on long runs); a last, shorter group is padded
        # with NaN, which the mean skips
        coarse = ds.coarsen(time=factor, boundary="pad", coord_func="min").mean()
        series[kind] = coarse.assign_coords(time=run.index)
    tables = dict(net.tables)
    if len(tables["reaches"]):  # delays are counted in steps: the same time, fewer steps
        reaches = tables["reaches"].copy()
        reaches["delay_steps"] = np.round(reaches["delay_steps"] / factor).astype(int)
        tables["reaches"] = reaches
    return dataclasses.replace(net, run=run, series=series, tables=tables)
