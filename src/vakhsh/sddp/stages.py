"""Stages of a multi-stage run: calendar months (or weeks) of the horizon, and the
sub-Network each stage's LP is built on.

A stage is a run of consecutive steps. Months group the steps by the calendar month in
which they start; weeks are seven-day blocks from the horizon's start (the last may be
shorter). The stage's sub-Network is the full Network sliced to those steps, with the
quantities that link stages zeroed in its tables (initial storage, initial state of charge,
water sent into delayed reaches before the start): the stage LP receives them as state
variables instead (`vakhsh.sddp.stage_build`). End-of-horizon targets apply only in the
last stage and are priced there, not bounds (see `stage_build`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from vakhsh.math.context import HeadParameters
from vakhsh.network import Network, RunTime

StageKind = Literal["month", "week"]


@dataclass(frozen=True)
class Stage:
    index: int  # 0-based position in the horizon
    label: str  # 2024-10 for a month, 2024-10-01 (its first day) for a week
    start: int  # first step (position in the run's steps)
    stop: int  # one past the last step

    @property
    def steps(self) -> slice:
        return slice(self.start, self.stop)

    @property
    def size(self) -> int:
        return self.stop - self.start


def split_stages(net: Network, kind: StageKind = "month") -> list[Stage]:
    """The stages of `net`'s horizon, in order."""
    time = net.time
    if kind == "month":
        key = (time.year * 12 + time.month - 1).to_numpy()
    elif kind == "week":
        key = ((time - time[0]) // pd.Timedelta(days=7)).to_numpy()
    else:  # pragma: no cover - the options reject other kinds first
        raise ValueError(kind)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    stops = np.r_[starts[1:], len(time)]
    fmt = "%Y-%m" if kind == "month" else "%Y-%m-%d"
    return [
        Stage(i, f"{time[a]:{fmt}}", int(a), int(b))
        for i, (a, b) in enumerate(zip(starts, stops, strict=True))
    ]


def stage_network(net: Network, stage: Stage) -> Network:
    """`net` over the stage's steps, with the linking quantities left to state variables."""
    steps = stage.steps
    run = RunTime(index=net.time[steps], step=net.run.step)
    series = {kind: ds.isel(time=steps) for kind, ds in net.series.items()}
    # catchment inflow enters as variables (one outcome or another), not as constants
    inflow = series["catchments"]["inflow_m3s"]
    series["catchments"] = series["catchments"].assign(inflow_m3s=inflow * 0.0)
    tables = dict(net.tables)
    res = tables["reservoirs"].copy()
    res["storage_initial_hm3"] = 0.0
    res["storage_final_min_hm3"] = res["storage_min_hm3"]
    tables["reservoirs"] = res
    units = tables["storage_units"].copy()
    units["soc_initial_mwh"] = 0.0
    units["soc_final_min_mwh"] = 0.0
    tables["storage_units"] = units
    reaches = tables["reaches"].copy()
    reaches["initial_flow_m3s"] = 0.0
    tables["reaches"] = reaches
    return dataclasses.replace(net, run=run, series=series, tables=tables)


def stage_parameters(params: HeadParameters, stage: Stage) -> HeadParameters:
    """Head and evaporation of the full horizon, over the stage's steps."""
    return HeadParameters(
        head_m=params.head_m.isel(time=stage.steps),
        evaporation_hm3=params.evaporation_hm3.isel(time=stage.steps),
    )
