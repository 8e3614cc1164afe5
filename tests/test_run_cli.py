"""`vakhsh run`, as a user runs it: a subprocess of the installed command.

It optimises a model, writes results.nc and summary.json (with the stable keys below) into
`--out`, writes the exact LP with `--write-lp`, and fails on an infeasible model with exit
status 2, a message naming the culprit, no traceback and no output folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

STABLE_KEYS = {
    "model",
    "scenario",
    "status",
    "objective_usd",
    "period",
    "audit",
    "solve",
    "energy",
    "water",
}
PERIOD = {"start", "end", "step", "steps"}
AUDIT = {"water_max_residual_hm3", "energy_max_residual_mwh", "passed"}
SOLVE = {"solver", "build_s", "solve_s", "head_iterations", "head_energy_gap"}
ENERGY = {"generation_gwh", "load_gwh", "unserved_gwh", "export_gwh", "import_gwh"}
WATER = {"delivered_hm3", "shortage_hm3", "sink_inflow_hm3", "spill_hm3"}


def vakhsh(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # the console script installed beside this interpreter, else the module itself
    script = Path(sys.executable).with_name("vakhsh")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "vakhsh.cli"]
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, env=env, timeout=300, cwd=cwd
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """The whole toy-cascade year, with the LP written to an MPS file."""
    root = tmp_path_factory.mktemp("run")
    out, lp = root / "toy", root / "toy.mps"
    done = vakhsh("run", "toy-cascade", "--out", out, "--write-lp", lp, cwd=root)
    return done, out, lp


def check_run_exits_0_and_writes_results(full_run):
    done, out, _lp = full_run
    assert done.returncode == 0, done.stderr
    assert (out / "results.nc").is_file()
    assert (out / "summary.json").is_file()
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        assert ds.sizes["time"] == 365
        for name in (
            "storage_hm3",
            "turbine_flow_m3s",
            "hydro_p_mw",
            "generator_p_mw",
            "price_usd_per_mwh",
            "water_value_usd_per_hm3",
            "sink_inflow_m3s",
        ):
            assert name in ds.data_vars, name
        assert ds["storage_hm3"].attrs.get("units") == "hm3"
    # nothing half-written is left beside the output folder
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".toy")] == []


def check_summary_has_the_stable_keys(full_run):
    done, out, _lp = full_run
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= STABLE_KEYS
    assert summary["model"] == "toy-cascade"
    assert summary["status"] == "optimal"
    assert isinstance(summary["objective_usd"], float)
    assert set(summary["period"]) >= PERIOD
    assert summary["period"]["steps"] == 365
    assert summary["period"]["start"].startswith("2024-10-01")
    assert summary["period"]["end"].startswith("2025-10-01")
    assert pd.Timedelta(summary["period"]["step"]) == pd.Timedelta(days=1)
    assert set(summary["audit"]) >= AUDIT
    assert summary["audit"]["passed"] is True
    assert set(summary["solve"]) >= SOLVE
    assert summary["solve"]["solver"] == "highs"
    assert set(summary["energy"]) >= ENERGY
    assert set(summary["energy"]["load_gwh"]) == {"NORTH", "SOUTH"}
    assert set(summary["energy"]["export_gwh"]) == {"neighbour"}
    assert set(summary["water"]) >= WATER
    assert set(summary["water"]["delivered_hm3"]) == {"valley_fields"}
    assert set(summary["water"]["sink_inflow_hm3"]) == {"sea"}
    assert set(summary["water"]["spill_hm3"]) == {"upper", "lower"}


def check_summary_is_consistent_with_results(full_run):
    done, out, _lp = full_run
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        load = float(ds["load_mw"].sel(bus="NORTH").sum()) * 24 / 1e3
        spill = float(ds["spill_m3s"].sel(reservoir="upper").sum()) * 0.0864
    assert summary["energy"]["load_gwh"]["NORTH"] == pytest.approx(load, rel=1e-9)
    assert summary["water"]["spill_hm3"]["upper"] == pytest.approx(spill, rel=1e-9, abs=1e-9)


def check_write_lp_writes_the_lp_that_was_solved(full_run):
    # Solving the written MPS file again with HiGHS gives the run's objective, less the
    # constant cost of all water demand (what an LP file cannot hold):
    #   sum over steps of demand_m3s * 0.0864 * shortage_cost_usd_per_hm3 (30,000),
    # plus the storage tie-break (a reward in the LP, left out of the reported objective).
    done, out, lp = full_run
    assert done.returncode == 0, done.stderr
    assert lp.is_file()
    text = lp.read_text()
    assert "ROWS" in text and "COLUMNS" in text
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.readModel(str(lp))
    solver.run()
    assert solver.modelStatusToString(solver.getModelStatus()) == "Optimal"
    objective = solver.getInfo().objective_function_value
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        constant = float(ds["demand_m3s"].sum()) * 0.0864 * 30_000
    summary = json.loads((out / "summary.json").read_text())
    tie_break = summary["solve"]["storage_tie_break_usd"]
    assert tie_break < 0
    assert objective + constant == pytest.approx(summary["objective_usd"] + tie_break, rel=1e-9)


def test_run_toy_cascade(full_run):
    # one test for the one (costly) run, so that parallel workers do not repeat it
    check_run_exits_0_and_writes_results(full_run)
    check_summary_has_the_stable_keys(full_run)
    check_summary_is_consistent_with_results(full_run)
    check_write_lp_writes_the_lp_that_was_solved(full_run)


def write_model(folder: Path, components: dict) -> Path:
    """A tiny model folder: four days from 2023-01-01 and the given components."""
    folder.mkdir(parents=True)
    raw = {
        "format": 1,
        "name": folder.name,
        "time": {"start": "2023-01-01", "end": "2023-01-05", "step": "1D"},
        **components,
    }
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return folder


def lake(storage_final_min_hm3: float) -> dict:
    """A lake with a linear level curve (head = storage) and no inflow; a plant passing at
    most 100 m3/s (8.64 hm3 a day) displaces gas: it runs at its limit every day."""
    return {
        "sinks": {"sea": {}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 200,
                "storage_initial_hm3": 100,
                "storage_final_min_hm3": storage_final_min_hm3,
                "level_curve": [[0, 100], [200, 300]],
                "spill_to": "sea",
            }
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "lake",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 1000,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "tailwater_masl": 100,
            }
        },
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 200}},
        "generators": {"gas": {"bus": "A", "capacity_mw": 300, "marginal_cost_usd_per_mwh": 50}},
    }


def test_head_iterate(tmp_path):
    # Storage falls 8.64 hm3 a day from 100 to 65.44 (the end target leaves nothing to
    # spill); the head of a day is the mean of its start and end storage:
    # 95.68, 87.04, 78.40, 69.76 m (tests/lp/test_head_iteration.py derives it in full).
    folder = write_model(tmp_path / "falling_lake", lake(65.44))
    out = tmp_path / "iterate"
    done = vakhsh("run", folder, "--head", "iterate", "--no-report", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["period"]["steps"] == 4
    assert summary["audit"]["passed"] is True
    assert 2 <= summary["solve"]["head_iterations"] <= 3
    assert abs(summary["solve"]["head_energy_gap"]) < 1e-9
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        np.testing.assert_allclose(
            ds["head_m"].sel(hydro_plant="dam").values, [95.68, 87.04, 78.40, 69.76], rtol=1e-6
        )
        assert "hydro_p_exact_mw" in ds.data_vars


def test_head_auto_is_the_default_and_runs_fpha(tmp_path):
    # the lake's plant has tailwater and a level curve: the default --head auto builds it
    # with FPHA planes, reports them and the exact-vs-LP energy gap
    folder = write_model(tmp_path / "falling_lake", lake(65.44))
    out = tmp_path / "auto"
    done = vakhsh("run", folder, "--no-report", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "FPHA for dam" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solve"]["head_mode"] == "auto"
    assert summary["solve"]["fpha"]["dam"]["planes"] == 2
    assert summary["solve"]["head_energy_gap"] <= 1e-9  # the planes lie above


def test_unknown_head_model_exits_2_naming_the_known_ones(tmp_path):
    done = vakhsh(
        "run",
        "toy-cascade",
        "--head",
        "bogus",
        "--no-report",
        "--out",
        tmp_path / "never",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "--head" in done.stderr and "auto, fixed, iterate, fpha" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "never").exists()


@pytest.fixture(scope="module")
def infeasible_run(tmp_path_factory):
    # With no inflow the lake cannot rise from 100 to 150 hm3.
    root = tmp_path_factory.mktemp("infeasible")
    folder = write_model(root / "rising_lake", lake(150))
    out = root / "never"
    done = vakhsh("run", folder, "--no-report", "--out", out, cwd=root)
    return done, root, out


def test_infeasible_model_exits_2_without_traceback_or_output(infeasible_run):
    done, root, out = infeasible_run
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "vakhsh: error:" in done.stderr
    assert "infeasible" in done.stderr
    assert "reservoir lake is short by 50.000 hm3" in done.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".never") for p in root.iterdir())


def test_infeasible_model_prints_only_the_error(infeasible_run):
    # stderr holds the `vakhsh: error:` lines and their indented continuation lines, as
    # for `vakhsh validate`: no solver log or library warning in front of them.
    done, _root, _out = infeasible_run
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("vakhsh: error:"), done.stderr
    assert all(line.startswith(("vakhsh: error:", "  ")) for line in lines), done.stderr
