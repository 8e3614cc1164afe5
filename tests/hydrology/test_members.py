"""A member of an inflow ensemble gets the checks every series gets, and the scenario's
climate factors apply on top of it (docs/hydrology.md, "Running a member").

Each broken file is written with xarray as a user (or another tool) might write it; each
load must fail with a ModelError or InflowError naming the file, the variable or
coordinate, and the member, never a traceback and never a silently solved run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import vakhsh
from vakhsh.errors import ModelError, VakhshError
from vakhsh.hydrology.ensemble import write_ensemble
from vakhsh.hydrology.member import with_member
from vakhsh.network import embedded_datasets, load_network

TOY = embedded_datasets()["toy-cascade"]
CATCHMENTS = ["headwaters", "side_valley", "tributary"]
# toy-cascade's own monthly climatology (inflow_m3s.csv), January first
CLIMATE = pd.read_csv(TOY / "inflow_m3s.csv").set_index("month")[CATCHMENTS]
WEEK = {"end": "2024-10-08"}


def ensemble(months: int = 24, members: int = 2) -> xr.DataArray:
    """Member k is the climatology times (1 + k / 10), from October 2024."""
    time = pd.date_range("2024-10-01", periods=months, freq="MS")
    base = CLIMATE.loc[time.month].to_numpy()
    values = np.stack([base * (1 + k / 10) for k in range(members)])
    return xr.DataArray(
        values,
        dims=("member", "time", "catchment"),
        coords={"member": np.arange(members), "time": time, "catchment": CATCHMENTS},
        name="inflow_m3s",
        attrs={"units": "m3/s", "method": "test", "seed": 0},
    )


def raw_file(tmp_path: Path, da: xr.DataArray, engine: str = "h5netcdf") -> Path:
    path = tmp_path / f"inflows-{engine}.nc"
    da.to_dataset().to_netcdf(path, engine=engine)
    return path


def error_text(path: Path, member: int = 0, **period) -> str:
    net = load_network(TOY, **(period or WEEK))
    with pytest.raises(VakhshError) as info:
        with_member(net, path, member)
    return "\n".join(info.value.lines())


def test_a_nan_in_the_member_is_an_error_naming_file_member_and_catchment(tmp_path):
    da = ensemble()
    da[0, 3, 1] = np.nan  # member 0, January 2025, side_valley
    path = raw_file(tmp_path, da)
    assert error_text(path) == (
        f"{path}: inflow_m3s[member=0, catchment=side_valley]: missing or non-numeric "
        "value at 2025-01 (1 in all) (nan)"
    )


def test_an_infinite_inflow_is_an_error(tmp_path):
    da = ensemble()
    da[1, 0, 0] = np.inf
    text = error_text(raw_file(tmp_path, da), member=1)
    assert (
        "inflow_m3s[member=1, catchment=headwaters]: missing or non-numeric value at "
        "2024-10" in text
    )


def test_a_negative_inflow_is_an_error(tmp_path):
    da = ensemble()
    da[0, 5, 2] = -4.0
    text = error_text(raw_file(tmp_path, da))
    assert (
        "inflow_m3s[member=0, catchment=tributary]: negative value at 2025-03 (1 in all) "
        "(-4.0)" in text
    )


def test_months_out_of_order_are_an_error_not_a_shift(tmp_path):
    da = ensemble()
    order = list(range(24))
    order[2], order[3] = order[3], order[2]
    path = raw_file(tmp_path, da.isel(time=order))
    assert error_text(path) == (
        f"{path}: time[2]: months must follow each other; this one "
        "skips months (2024-11 then 2025-01)"
    )


def test_a_repeated_month_is_an_error(tmp_path):
    da = ensemble()
    path = raw_file(tmp_path, da.isel(time=[0, 1, 1, *range(3, 24)]))
    assert "time[2]: months must follow each other; this one repeats a month" in error_text(path)


def test_a_text_member_coordinate_is_an_error(tmp_path):
    da = ensemble().assign_coords(member=["wet", "dry"])
    path = raw_file(tmp_path, da)
    assert error_text(path) == f"{path}: member: must hold whole numbers (got ['wet', 'dry'])"


def test_a_repeated_member_is_an_error(tmp_path):
    da = ensemble(members=3).assign_coords(member=[0, 1, 1])
    path = raw_file(tmp_path, da)
    assert error_text(path) == f"{path}: member: 1 appears more than once"


def test_a_netcdf3_file_is_read(tmp_path):
    da = ensemble()
    path = raw_file(tmp_path, da, engine="scipy")
    with open(path, "rb") as fh:
        assert fh.read(3) == b"CDF"  # the classic format, not HDF5
    net = with_member(load_network(TOY, **WEEK), path, 1)
    # October: member 1 is 1.1 x the climatology
    assert float(
        net.series["catchments"]["inflow_m3s"].sel(catchment="headwaters")[0]
    ) == pytest.approx(1.1 * 70)


def test_a_member_not_covering_the_run_names_what_it_covers(tmp_path):
    path = write_ensemble(ensemble(months=6), tmp_path / "short.nc")
    text = error_text(path, end="2025-10-01")
    assert "member 0: does not cover the run" in text
    assert "member covers 2024-10 .. 2025-03" in text


def test_dry_on_a_member_is_the_member_times_the_dry_factors(tmp_path):
    path = write_ensemble(ensemble(), tmp_path / "e.nc")
    base = with_member(load_network(TOY, scenario="base"), path, 0)
    dry = with_member(load_network(TOY, scenario="dry"), path, 0)
    factors = np.asarray(load_network(TOY).source["scenarios"]["dry"]["inflow_factor_by_month"])
    inflow_base = base.series["catchments"]["inflow_m3s"]
    inflow_dry = dry.series["catchments"]["inflow_m3s"]
    months = inflow_base["time"].dt.month.values
    expected = inflow_base.values * factors[months - 1][:, None]
    np.testing.assert_allclose(inflow_dry.values, expected, rtol=1e-12)
    assert dry.scenario == "dry+member0"
    assert dry.member.inflow_factor_by_month == tuple(factors)
    # and the dry run costs more than the base run on the same member (real solves)
    week = {"end": "2024-11-01"}
    cost = {
        name: vakhsh.optimise(
            with_member(load_network(TOY, scenario=name, **week), path, 0)
        ).objective_usd
        for name in ("base", "dry")
    }
    assert cost["dry"] > cost["base"]


def test_the_years_used_are_recorded(tmp_path):
    path = write_ensemble(ensemble(months=36), tmp_path / "e.nc")
    net = with_member(load_network(TOY, start="2025-10-01", end="2026-10-01"), path, 1)
    assert (net.member.first_year, net.member.last_year) == (2, 2)
    assert net.member.months == "2025-10 .. 2026-09"
    assert net.member.years_in_file == 3
    results = vakhsh.optimise(net)
    recorded = results.summary()["provenance"]["inflows"]
    assert recorded["member"] == 1 and recorded["years"] == [2, 2]
    assert recorded["months"] == "2025-10 .. 2026-09"


def test_member_year_lays_a_later_year_onto_the_run(tmp_path):
    da = ensemble(months=36)
    da[:, 24:, :] *= 2  # year 3 is twice as wet
    path = write_ensemble(da, tmp_path / "e.nc")
    net = with_member(load_network(TOY, **WEEK), path, 0, first_year=3)
    assert net.member.months == "2026-10 .. 2026-10"
    assert float(
        net.series["catchments"]["inflow_m3s"].sel(catchment="headwaters")[0]
    ) == pytest.approx(2 * 70)
    with pytest.raises(ModelError, match=r"holds years 1\.\.3"):
        with_member(load_network(TOY, **WEEK), path, 0, first_year=4)
