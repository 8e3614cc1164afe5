"""The Network: the one source of truth that formulations, reports and apps read.

One table per component kind (pandas, indexed by id, static fields with defaults filled
in) and one xarray Dataset per kind holding its time series aligned to the run's steps
(dims `time` and the kind's singular name, e.g. `reservoir`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.network.inputs import InputFiles
from vakhsh.network.series import RunTime
from vakhsh.schema.components import KINDS


@dataclass(frozen=True, eq=False)
class Network:
    name: str
    description: str
    run: RunTime
    discount_rate: float
    tables: dict[str, pd.DataFrame]
    series: dict[str, xr.Dataset]
    candidates: pd.DataFrame
    scenario: str | None = None
    folder: Path | None = None
    currency: str = "USD"
    # the model as written (after scenario overrides), used to write it back
    source: dict[str, Any] = field(default_factory=dict, repr=False)
    # every file the Network was read from, with its hash (model.yaml and its series)
    inputs: InputFiles = field(default_factory=InputFiles, repr=False)
    # the scenario's monthly inflow factors (12, January first), applied to catchment
    # inflows at load and again to an ensemble member that replaces them
    inflow_factor_by_month: tuple[float, ...] | None = None
    # the ensemble member that replaced catchment inflows, when one did
    member: Any = None
    # what the loader noticed that is valid but probably not meant (printed, recorded)
    warnings: tuple[str, ...] = ()

    @property
    def model_sha256(self) -> str:
        """Hash of exactly the model files this Network was read from."""
        return self.inputs.sha256

    # ---- time ----
    @property
    def time(self) -> pd.DatetimeIndex:
        return self.run.index

    @property
    def step_hours(self) -> float:
        return self.run.hours

    @property
    def hm3_per_m3s(self) -> float:
        """Volume of 1 m3/s over one step, in hm3 (the one place flow becomes volume)."""
        return self.run.step.total_seconds() / 1e6

    # ---- components ----
    def ids(self, kind: str) -> pd.Index:
        return self.tables[kind].index

    def dim(self, kind: str) -> str:
        return KINDS[kind][1]

    def coord(self, kind: str) -> pd.Index:
        """The component ids of a kind as an index named by the kind's dimension."""
        return pd.Index(self.tables[kind].index, name=self.dim(kind))

    def static(self, kind: str, column: str, fill: float | None = None) -> xr.DataArray:
        """A static column as a DataArray along the kind's dimension."""
        values = self.tables[kind][column]
        if fill is not None:
            values = values.fillna(fill)
        return xr.DataArray(
            values.to_numpy(),
            coords={self.dim(kind): self.coord(kind)},
            dims=[self.dim(kind)],
            name=column,
        )

    def active(self, kind: str) -> xr.DataArray:
        """True where a component exists (from its `available_from`, when it has one)."""
        dim = self.dim(kind)
        table = self.tables[kind]
        if "available_from" not in table:
            start = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
        else:
            start = pd.to_datetime(table["available_from"]).to_numpy(dtype="datetime64[ns]")
        steps = self.time.to_numpy()[:, None]
        exists = np.isnat(start)[None, :] | (steps >= start[None, :])
        return xr.DataArray(
            exists, coords={"time": self.time, dim: self.coord(kind)}, dims=["time", dim]
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Network):
            return NotImplemented
        return (
            self.name == other.name
            and self.description == other.description
            and self.run == other.run
            and self.discount_rate == other.discount_rate
            and self.tables.keys() == other.tables.keys()
            and all(_frames_equal(self.tables[k], other.tables[k]) for k in self.tables)
            and all(self.series[k].equals(other.series[k]) for k in self.series)
            and _frames_equal(self.candidates, other.candidates)
        )

    __hash__ = None  # type: ignore[assignment]

    def summary_counts(self) -> dict[str, int]:
        return {kind: len(table) for kind, table in self.tables.items()}


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or list(a.index) != list(b.index):
        return False
    for column in a.columns:
        left, right = a[column].tolist(), b[column].tolist()
        if len(left) != len(right):
            return False
        for x, y in zip(left, right, strict=True):
            if _missing(x) and _missing(y):
                continue
            if isinstance(x, float) and isinstance(y, float):
                if not np.isclose(x, y, rtol=1e-12, atol=0):
                    return False
            elif x != y:
                return False
    return True


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT
