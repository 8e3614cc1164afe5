"""Run a model with one member of an inflow ensemble (`vakhsh run --inflows F --member K`).

The member's monthly flows replace every catchment's `inflow_m3s` that the ensemble
carries, resampled to the run's steps like any `time` series (time-weighted means). A
catchment the ensemble does not carry keeps the model's own inflow; a run period the
member does not cover is an error naming the file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network
from vakhsh.network.series import SeriesError, interval_means


def with_member(net: Network, path: str | Path, member: int) -> Network:
    from vakhsh.hydrology.ensemble import load_member

    flows = load_member(path, member)
    catchments = [c for c in net.ids("catchments") if c in flows.columns]
    if not catchments:
        raise ModelError([Problem(str(path), "catchment", "the ensemble carries none of the "
                                  "model's catchments", ", ".join(flows.columns[:5]))])
    stamps = flows.index.to_numpy(dtype="datetime64[ns]")
    bounds = np.append(stamps, (flows.index[-1] + pd.offsets.MonthBegin(1)).to_datetime64())
    try:
        values = interval_means(bounds, flows[catchments].to_numpy(dtype=float), net.run,
                                str(path), f"member {member}")
    except SeriesError as exc:
        raise ModelError([exc.problem]) from None
    inflow = net.series["catchments"]["inflow_m3s"].copy()
    inflow.loc[{"catchment": catchments}] = xr.DataArray(
        values, coords=[inflow["time"], pd.Index(catchments, name="catchment")])
    series = {**net.series, "catchments": net.series["catchments"].assign(inflow_m3s=inflow)}
    label = f"{net.scenario or 'model'}+member{member}"
    return dataclasses.replace(net, series=series, scenario=label)
