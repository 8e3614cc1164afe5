"""`vakhsh run --rolling WINDOW[,OVERLAP]` as a user runs it (a subprocess): the run folder
of a rolling run, its record in summary.json, and bad values refused with exit 2 and
nothing written."""

from __future__ import annotations

import json

import pytest
import xarray as xr
from tests.test_run_cli import vakhsh

import vakhsh as vk
from vakhsh.network import embedded_datasets, load_network

TOY = "toy-cascade"
HOURLY = ("--step", "1h", "--end", "2024-10-17", "--head", "fixed", "--no-report")


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    root = tmp_path_factory.mktemp("rolling")
    out = root / "toy"
    done = vakhsh("run", TOY, *HOURLY, "--rolling", "7D,2D", "--out", out, cwd=root)
    return done, out


def test_rolling_run_writes_a_run_folder_with_its_setup(rolled):
    done, out = rolled
    assert done.returncode == 0, done.stderr
    assert "rolling 7D,2D: 3 windows, coarse solve at 6h steps" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    roll = summary["solve"]["rolling"]
    assert roll["window"] == "7D,2D" and roll["windows"] == 3
    assert roll["window_steps"] == 168 and roll["overlap_steps"] == 48
    assert roll["coarse_step"] == "6h" and roll["coarse_steps"] == 64  # 16 days x 4 blocks
    assert roll["coarse_objective_usd"] > 0 and roll["coarse_solve_s"] > 0
    assert summary["audit"]["passed"]
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        assert ds.sizes["time"] == 384  # every hour once


def test_rolling_run_objective_is_the_libraries(rolled):
    """The command reports what `optimise_rolling` finds, within 0.1 % of the full LP."""
    _done, out = rolled
    objective = json.loads((out / "summary.json").read_text())["objective_usd"]
    net = load_network(embedded_datasets()[TOY], step="1h", end="2024-10-17")
    full = vk.optimise(net, vk.SolveOptions(head="fixed")).objective_usd
    assert -1e-9 <= (objective - full) / full <= 1e-3


def test_full_run_records_no_rolling(tmp_path):
    done = vakhsh(
        "run", TOY, "--end", "2024-10-08", "--no-report", "--out", tmp_path / "r", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["solve"]["rolling"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rolling", "7D,7D"), "--rolling: the window must be at least one step and longer"),
        (("--rolling", "week"), "--rolling: expected WINDOW[,OVERLAP]"),
        (("--rolling", "-2D"), "--rolling: expected WINDOW[,OVERLAP] with a positive window"),
        (("--rolling", "90min"), "is not a whole number of 1h steps"),
        (("--rolling", "7D", "--head", "iterate"), "--rolling: solves each window once"),
        (("--rolling", "7D", "--write-lp", "x.mps"), "--write-lp: writes one LP"),
    ],
)
def test_bad_rolling_values_exit_2_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    done = vakhsh(
        "run",
        TOY,
        "--step",
        "1h",
        "--end",
        "2024-10-17",
        "--no-report",
        "--out",
        out,
        *args,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() and not (tmp_path / "x.mps").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no temporaries left
