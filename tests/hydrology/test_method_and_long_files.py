"""`inflows generate`: a method that cannot be honoured is an error, `auto` says what it
chose, and a 1,000-year ensemble opens with plain xarray and runs from its far end.

Before: `--method par1` without `inflow_records.csv` silently used the thin-data method;
a 1,000-year file's time axis ('days since 2024-10-01' up to 3024) could not be decoded
without cftime.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr
from typer.testing import CliRunner

import vakhsh
from vakhsh.cli.inflows import inflows_app
from vakhsh.cli.root import app
from vakhsh.hydrology.ensemble import read_ensemble
from vakhsh.hydrology.member import with_member

runner = CliRunner()


def generate(*args):
    return runner.invoke(
        inflows_app, ["generate", "toy-cascade", *map(str, args)], env={"COLUMNS": "200"}
    )


def test_par1_without_records_is_an_error_naming_the_alternative(tmp_path):
    done = generate(
        "--method", "par1", "--years", "2", "--members", "1", "--out", tmp_path / "e.nc"
    )
    assert done.exit_code == 2, done.output
    assert "vakhsh: error: --method: par1: needs " in done.output
    assert "inflow_records.csv (a historical monthly record" in done.output
    assert "use --method thin" in done.output and "--method auto" in done.output
    assert not (tmp_path / "e.nc").exists()


def test_auto_says_what_it_chose(tmp_path):
    done = generate("--years", "2", "--members", "1", "--seed", "1", "--out", tmp_path / "e.nc")
    assert done.exit_code == 0, done.output
    assert (
        "method auto: no inflow_records.csv in the model folder, so the thin-data method"
        in done.output
    )
    assert read_ensemble(tmp_path / "e.nc").attrs["method"] == "thin"


def test_a_1000_year_ensemble_opens_with_plain_xarray_and_runs_from_its_far_end(tmp_path):
    path = tmp_path / "long.nc"
    done = generate("--years", "1000", "--members", "2", "--seed", "7", "--out", path)
    assert done.exit_code == 0, done.output
    # plain xarray, the project's own dependencies: no cftime needed
    with xr.open_dataset(path) as ds:
        assert ds.sizes["time"] == 12_000
        assert ds["time"].attrs["month_origin"] == "2024-10-01"
        # cftime is in the venv (netCDF4 brings it): an axis only it could decode would
        # open as cftime objects (dtype object) rather than fail
        assert ds["time"].dtype.kind in "iu", ds["time"].dtype
        last = ds["inflow_m3s"].sel(member=1).isel(time=slice(-12, None)).load()
    # vakhsh reads the axis as month starts, to September 3024
    da = read_ensemble(path)
    assert pd.Timestamp(da["time"].values[-1]) == pd.Timestamp("3024-09-01")
    # the member's last year laid onto the model's year, and solved
    net = with_member(vakhsh.load("toy-cascade"), path, 1, first_year=1000)
    assert net.member.months == "3023-10 .. 3024-09"
    inflow = net.series["catchments"]["inflow_m3s"].sel(catchment="headwaters")
    october = inflow.sel(time=slice("2024-10-01", "2024-10-31")).values
    np.testing.assert_allclose(october, float(last.sel(catchment="headwaters")[0]), rtol=1e-6)
    results = vakhsh.optimise(net)
    assert results.summary()["provenance"]["inflows"]["years"] == [1000, 1000]
    assert results.audit.passed
    # and the same from the command line: `vakhsh run --inflows long.nc --member 1
    # --member-year 1000` writes an audited run whose summary names the member's years
    out = tmp_path / "run"
    done = runner.invoke(
        app,
        [
            "run",
            "toy-cascade",
            "--inflows",
            str(path),
            "--member",
            "1",
            "--member-year",
            "1000",
            "--no-report",
            "--out",
            str(out),
        ],
        env={"COLUMNS": "200"},
    )
    assert done.exit_code == 0, done.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["audit"]["passed"] is True
    assert summary["provenance"]["inflows"]["years"] == [1000, 1000]
    assert summary["provenance"]["inflows"]["member"] == 1
    assert summary["objective_usd"] == results.summary()["objective_usd"]
