"""An inflow ensemble on a model's steps: every member's inflow per (step, catchment).

The file is read through `vakhsh.hydrology.ensemble` (so it gets that module's checks) and
each member is spread over the run's steps exactly as `vakhsh run --inflows F --member K`
does (`network.series.interval_means` over the members' months, times the scenario's
`inflow_factor_by_month` when it has one). An SDDP run needs the ensemble to carry every
catchment of the model and nothing else, and to cover the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.errors import ModelError, Problem
from vakhsh.hydrology.ensemble import read_ensemble
from vakhsh.network import Network
from vakhsh.network.series import SeriesError, interval_means


@dataclass(frozen=True)
class EnsembleInflows:
    path: Path
    members: np.ndarray  # member ids of the file
    catchments: list[str]  # the model's catchments, in its order
    steps_m3s: np.ndarray  # (member, step, catchment) on the run's steps
    monthly_m3s: np.ndarray  # (member, month, catchment): the file's months
    months: pd.DatetimeIndex  # month starts of `monthly_m3s`

    @property
    def size(self) -> int:
        return len(self.members)


def load_inflows(net: Network, path: str | Path) -> EnsembleInflows:
    path = Path(path)
    da = read_ensemble(path)
    catchments = [str(c) for c in net.ids("catchments")]
    carried = [str(c) for c in da["catchment"].values]
    unknown = sorted(set(carried) - set(catchments))
    missing = [c for c in catchments if c not in carried]
    problems = []
    if unknown:
        problems.append(
            Problem(str(path), "catchment", "not a catchment of the model", ", ".join(unknown))
        )
    if missing:
        problems.append(
            Problem(
                str(path),
                "catchment",
                "the ensemble has no flows for these catchments of the model",
                ", ".join(missing),
            )
        )
    if problems:
        raise ModelError(problems)
    months = pd.DatetimeIndex(da["time"].values)
    monthly = da.sel(catchment=catchments).transpose("member", "time", "catchment").values
    if not np.all(np.isfinite(monthly)) or np.any(monthly < 0):
        raise ModelError(
            [Problem(str(path), "inflow_m3s", "flows must be finite and non-negative")]
        )
    if net.inflow_factor_by_month is not None:  # a scenario's factors, as `with_member`
        factor = np.asarray(net.inflow_factor_by_month, dtype=float)[months.month - 1]
        monthly = monthly * factor[None, :, None]
    bounds = np.append(
        months.to_numpy(dtype="datetime64[ns]"),
        (months[-1] + pd.offsets.MonthBegin(1)).to_datetime64(),
    )
    m, n, c = monthly.shape
    flat = monthly.transpose(1, 0, 2).reshape(n, m * c)  # one column per (member, catchment)
    try:
        steps = interval_means(bounds, flat, net.run, str(path), "time")
    except SeriesError as exc:
        raise ModelError(
            [
                Problem(
                    exc.problem.file,
                    "time",
                    "the ensemble does not cover the "
                    f"horizon {net.time[0]:%Y-%m-%d} .. {net.run.ends[-1]:%Y-%m-%d}",
                    f"it covers {months[0]:%Y-%m} .. {months[-1]:%Y-%m}",
                )
            ]
        ) from None
    steps = steps.reshape(len(net.time), m, c).transpose(1, 0, 2)
    return EnsembleInflows(
        path=path,
        members=da["member"].values.astype(int),
        catchments=catchments,
        steps_m3s=steps,
        monthly_m3s=monthly,
        months=months,
    )
