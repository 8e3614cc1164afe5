"""One member of an inflow ensemble in place of a model's inflows (`vakhsh run --inflows F
--member K`, ensembles over members, plans on members).

The rule (docs/hydrology.md, "Running a member"):

1. The member's monthly flows replace the `inflow_m3s` of every catchment the ensemble
   carries, whatever the model or the scenario's `set` wrote there; a catchment the
   ensemble does not carry keeps the model's own inflow.
2. The scenario's other settings (`set`) apply as for any run, and its
   `inflow_factor_by_month` multiplies the member's flows month by month, on top: a dry
   scenario on member 0 is member 0 made dry, never member 0 alone labelled dry.
3. The months used are the member's own dates that match the run's, or, with
   `first_year`, the member's months from its year `first_year` (1 = the first twelve
   months of the file) on, laid onto the run's calendar months. Either way the years
   used are recorded (`Network.member`, summary.json `provenance.inflows`).

The member goes through the checks every series gets: every value finite and
non-negative, months in order without repeats or gaps, the run covered; errors name the
file, the variable, the member and the catchment.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network
from vakhsh.network.inputs import InflowMember, sha256
from vakhsh.network.series import SeriesError, check_rates, interval_means
from vakhsh.schema.numeric import series_problem


def with_member(
    net: Network, path: str | Path, member: int, first_year: int | None = None
) -> Network:
    from vakhsh.hydrology.ensemble import NAME, load_member

    flows = load_member(path, member)
    catchments = [c for c in net.ids("catchments") if c in flows.columns]
    if not catchments:
        raise ModelError(
            [
                Problem(
                    str(path),
                    "catchment",
                    "the ensemble carries none of the model's catchments",
                    ", ".join(flows.columns[:5]),
                )
            ]
        )
    values = flows[catchments].to_numpy(dtype=float)
    try:
        for j, cid in enumerate(catchments):
            check_rates(
                values[:, j],
                str(path),
                f"{NAME}[member={member}, catchment={cid}]",
                lambda row: f"{flows.index[row]:%Y-%m}",
            )
    except SeriesError as exc:
        raise ModelError([exc.problem]) from None
    first, months = _window(net, flows.index, path, member, first_year)
    used = values[first : first + months]
    run_months = pd.date_range(_month(net.time[0]), periods=months, freq="MS")
    if net.inflow_factor_by_month is not None:
        used = used * np.asarray(net.inflow_factor_by_month)[run_months.month - 1][:, None]
    for j, cid in enumerate(catchments):
        problem = series_problem(
            str(path),
            f"{NAME}[member={member}, catchment={cid}]",
            "inflow_m3s",
            used[:, j],
            lambda row: f"{flows.index[first + row]:%Y-%m}",
        )
        if problem is not None:
            raise ModelError([problem])
    bounds = np.append(
        run_months.to_numpy(dtype="datetime64[ns]"),
        (run_months[-1] + pd.offsets.MonthBegin(1)).to_datetime64(),
    )
    try:
        stepped = interval_means(bounds, used, net.run, str(path), f"member {member}")
    except SeriesError as exc:
        raise ModelError([exc.problem]) from None
    inflow = net.series["catchments"]["inflow_m3s"].copy()
    inflow.loc[{"catchment": catchments}] = xr.DataArray(
        stepped, coords=[inflow["time"], pd.Index(catchments, name="catchment")]
    )
    series = {**net.series, "catchments": net.series["catchments"].assign(inflow_m3s=inflow)}
    label = f"{net.scenario or 'model'}+member{member}"
    use = InflowMember(
        file=str(path),
        sha256=sha256(Path(path).read_bytes()),
        member=int(member),
        first_year=first // 12 + 1,
        last_year=(first + months - 1) // 12 + 1,
        years_in_file=-(-len(flows.index) // 12),
        months=f"{flows.index[first]:%Y-%m} .. {flows.index[first + months - 1]:%Y-%m}",
        catchments=tuple(catchments),
        inflow_factor_by_month=net.inflow_factor_by_month,
    )
    return dataclasses.replace(net, series=series, scenario=label, member=use)


def _month(stamp) -> pd.Timestamp:
    stamp = pd.Timestamp(stamp)
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


def _window(
    net: Network, time: pd.DatetimeIndex, path, member: int, first_year: int | None
) -> tuple[int, int]:
    """(first row, number of months) of the member that the run uses."""
    start, last = _month(net.time[0]), _month(net.run.ends[-1] - pd.Timedelta(1, "ns"))
    months = (last.year - start.year) * 12 + last.month - start.month + 1
    origin = time[0]
    total = len(time)
    if first_year is None:
        first = (start.year - origin.year) * 12 + start.month - origin.month
        if first < 0 or first + months > total:
            raise ModelError(
                [
                    Problem(
                        str(path),
                        f"member {member}",
                        f"does not cover the run {net.time[0]} .. {net.run.ends[-1]}",
                        f"member covers "
                        f"{time[0]:%Y-%m} .. {time[-1]:%Y-%m}; choose its years "
                        "with --member-year",
                    )
                ]
            )
        return first, months
    years = -(-total // 12)
    if not 1 <= first_year <= years:
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--member-year",
                    f"the file holds years 1..{years} of each member",
                    first_year,
                )
            ]
        )
    first = 12 * (first_year - 1) + (start.month - origin.month) % 12
    if first + months > total:
        raise ModelError(
            [
                Problem(
                    str(path),
                    f"member {member}",
                    f"from year {first_year} it "
                    f"holds {max(total - first, 0)} months; the run needs "
                    f"{months}",
                    f"member covers {time[0]:%Y-%m} .. {time[-1]:%Y-%m}",
                )
            ]
        )
    return first, months
