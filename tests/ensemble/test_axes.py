"""Axes without solving: overrides against scenarios, members and climates, retries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.ensemble import run_ensemble
from vakhsh.ensemble.runner import RunHooks, network_for, prepare
from vakhsh.ensemble.spec import parse_spec
from vakhsh.network import embedded_datasets

TOY = embedded_datasets()["toy-cascade"]


def test_axis_value_wins_over_the_scenario_setting_the_same_field():
    path = "reservoirs.upper.storage_initial_hm3"
    with network_for(TOY, "full_upper", {path: 1500}, {}) as net:
        assert net.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 1500
        assert net.scenario == "full_upper"
    with network_for(TOY, "full_upper", {}, {}) as net:
        assert net.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 2000
    with network_for(TOY, "dry", {"buses.NORTH.voll_usd_per_mwh": 2000}, {}) as net:
        assert net.tables["buses"].loc["NORTH", "voll_usd_per_mwh"] == 2000


def inflow_file(path, members=3):
    time = pd.date_range("2024-10-01", periods=12, freq="MS")
    rng = np.random.default_rng(1)
    values = 20 + 10 * rng.random((members, 12, 3))
    da = xr.DataArray(
        values,
        name="inflow_m3s",
        dims=["member", "time", "catchment"],
        coords={
            "member": np.arange(members),
            "time": time,
            "catchment": ["headwaters", "side_valley", "tributary"],
        },
        attrs={"units": "m3/s"},
    )
    from vakhsh.hydrology.ensemble import write_ensemble

    write_ensemble(da, path)
    return path


def test_members_all_and_climates_expand_against_the_inflow_file(tmp_path):
    inflow_file(tmp_path / "inflows.nc")
    spec = parse_spec(
        {"inflows": "inflows.nc", "axes": {"member": "all", "climate": ["none", "julaug_cut_20"]}},
        folder=tmp_path,
    )
    job = prepare("toy-cascade", spec, tmp_path / "out")
    assert [r.values for r in job.runs[:3]] == [
        {"member": 0, "climate": "none"},
        {"member": 0, "climate": "julaug_cut_20"},
        {"member": 1, "climate": "none"},
    ]
    assert len(job.tasks) == 6
    changed = tmp_path / "out" / "inflows" / "julaug_cut_20.nc"
    assert changed.is_file()
    assert {t.inflows for t in job.tasks} == {str(tmp_path / "inflows.nc"), str(changed)}


class Count(RunHooks):
    def __init__(self):
        self.starts, self.records = [], []

    def start(self, tally):
        self.starts.append((tally.total, tally.skipped))

    def advance(self, record, tally):
        self.records.append(record)


def test_failed_runs_are_retried_unless_asked_not_to(tmp_path):
    spec = parse_spec({"axes": {"reservoirs.upper.storage_max_hm3": [100]}})
    first = run_ensemble("toy-cascade", spec, tmp_path, workers=0, report=False)
    assert (first.succeeded, first.failed) == (0, 1)
    assert "exceeds storage_max_hm3" in next(iter(first.errors.values()))
    again = Count()
    run_ensemble("toy-cascade", spec, tmp_path, workers=0, report=False, progress=again)
    assert again.starts == [(1, 0)] and len(again.records) == 1
    skip = Count()
    run_ensemble(
        "toy-cascade", spec, tmp_path, workers=0, report=False, progress=skip, retry_failed=False
    )
    assert skip.starts == [(1, 1)] and skip.records == []


def test_an_existing_scheduler_by_address(client, tmp_path):
    spec = parse_spec({"axes": {"reservoirs.upper.storage_max_hm3": [100, 150]}})
    result = run_ensemble(
        "toy-cascade", spec, tmp_path, scheduler=client.scheduler.address, report=False
    )
    assert (result.succeeded, result.failed) == (0, 2)
    assert set(result.index["status"]) == {"failed"}
