"""Networks for parts of a run: a window of its steps (with the state handed over), and
the whole run at a coarser step (the coarse solve that prices water at window ends):
daily means (`coarse_network`) or a few blocks per day sorted by net load
(`blocked_network`), which keep the within-day peak that daily means flatten."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import HeadParameters
from vakhsh.network import Network
from vakhsh.network.series import RunTime

DAY = pd.Timedelta(days=1)


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


BLOCKS_PER_DAY = 4


def net_load_mw(net: Network) -> np.ndarray:
    """The system's net load per step (MW): all loads less what every generator could
    give (`capacity_mw * capacity_factor`). Only its order within a day is used: a
    generator whose factor is constant through the day shifts it by a constant."""
    load = np.zeros(len(net.time))
    loads = net.series.get("loads")
    if loads is not None and "p_mw" in loads and "time" in loads["p_mw"].dims:
        p = loads["p_mw"]
        load = load + p.sum([d for d in p.dims if d != "time"]).transpose("time").values
    gens = net.series.get("generators")
    if gens is not None and "capacity_factor" in gens and len(net.tables["generators"]):
        cf = gens["capacity_factor"]
        if "time" in cf.dims:
            dim = net.dim("generators")
            capacity = net.static("generators", "capacity_mw", fill=0.0)
            active = net.active("generators")
            give = (capacity * cf).where(active, 0.0).fillna(0.0)
            load = load - give.sum(dim).transpose("time").values
    return load


def day_blocks(net: Network, blocks: int = BLOCKS_PER_DAY) -> np.ndarray | None:
    """The block (coarse step) of every step: each day's steps sorted by net load
    (ties by time) and cut into `blocks` equal groups, lowest net load first; block
    `b` of day `d` is coarse step `d * blocks + b`. A last, partial day with fewer
    steps than blocks is one group repeated in each block (its mean, as daily means
    have it). None when the step does not divide a day into a multiple of `blocks`."""
    per_day = DAY / net.run.step
    if per_day != int(per_day) or int(per_day) % blocks or int(per_day) <= blocks:
        return None
    per_day = int(per_day)
    steps = len(net.time)
    net_load = net_load_mw(net)
    group = np.empty(steps, dtype=np.int64)
    for first in range(0, steps, per_day):
        day = np.arange(first, min(first + per_day, steps))
        order = day[np.lexsort((day, net_load[day]))]
        base = (first // per_day) * blocks
        if len(day) < blocks:  # the partial last day: every block its mean
            group[day] = -1 - base
            continue
        for b, part in enumerate(np.array_split(order, blocks)):
            group[part] = base + b
    return group


def blocked_network(net: Network, blocks: int = BLOCKS_PER_DAY) -> Network | None:
    """The run at `blocks` steps per day, each the mean of a group of the day's steps
    sorted by net load (`day_blocks`): block energy (mean times the block's hours) is
    the energy of its steps, and a day's blocks run from the lowest net load to the
    highest. Reservoirs see the day's peak as daily means do not; the order of the hours
    within a day is lost (charge before discharge, which a day's storage cycle allows).
    None when the step does not divide a day into blocks (`day_blocks`)."""
    group = day_blocks(net, blocks)
    if group is None:
        return None
    per_day = int(DAY / net.run.step)
    days = -(-len(net.time) // per_day)
    step = DAY / blocks
    index = pd.date_range(
        net.time[0], periods=days * blocks, freq=step, name="time", unit=net.time.unit
    )
    # the steps of each block, in block order; a partial day's steps in all its blocks
    members = [[] for _ in range(len(index))]
    for i, g in enumerate(group):
        if g >= 0:
            members[g].append(i)
        else:
            for b in range(blocks):
                members[-1 - g + b].append(i)
    take = np.concatenate([np.asarray(m, dtype=np.int64) for m in members])
    counts = np.array([len(m) for m in members], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    first = take[starts]
    series = {}
    for kind, ds in net.series.items():
        if "time" not in ds.dims or ds.sizes["time"] == 0:
            series[kind] = ds.isel(time=slice(0, len(index))) if "time" in ds.dims else ds
            continue
        out = ds.isel(time=first)  # the shape and coordinates of the blocks
        for name, var in ds.data_vars.items():
            if "time" not in var.dims:
                continue
            axis = var.dims.index("time")
            values = np.asarray(var.values, dtype=float).take(take, axis=axis)
            sums = np.add.reduceat(values, starts, axis=axis)
            shape = [1] * values.ndim
            shape[axis] = len(counts)
            out[name] = out[name].copy(data=sums / counts.reshape(shape))
        series[kind] = out.assign_coords(time=index)
    factor = per_day // blocks
    tables = dict(net.tables)
    if len(tables["reaches"]):  # delays are counted in steps: the same time, fewer steps
        reaches = tables["reaches"].copy()
        reaches["delay_steps"] = np.round(reaches["delay_steps"] / factor).astype(int)
        tables["reaches"] = reaches
    run = RunTime(index=index, step=step)
    return dataclasses.replace(net, run=run, series=series, tables=tables)
