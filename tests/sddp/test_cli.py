"""`vakhsh sddp` as a user meets it: the output folder, the policy reloaded out of sample,
and bad input (clear error naming file and field, exit 2, nothing written)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from vakhsh.network import load_network

SHORT = ["--iterations", "4", "--gap", "0.5"]
QUARTER = ["--start", "2024-10-01", "--end", "2025-01-01"]  # three monthly stages


@pytest.fixture(scope="module")
def toy():
    return load_network("toy-cascade", start="2024-10-01", end="2025-01-01")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, helpers, cli, toy):
    root = tmp_path_factory.mktemp("cli")
    ens = helpers.monthly_ensemble(toy, [0.7, 1.0, 1.3], root / "ens.nc")
    result = cli(
        "sddp",
        "toy-cascade",
        "--inflows",
        ens,
        "--out",
        root / "run",
        "--forward-passes",
        "2",
        "--perfect-foresight",
        *QUARTER,
        *SHORT,
    )
    assert result.exit_code == 0, result.output
    (root / "run.out").write_text(result.output)
    return root


def test_the_output_folder(trained):
    run = trained / "run"
    names = {p.name for p in run.iterdir()}
    assert {
        "summary.json",
        "simulation.nc",
        "members.csv",
        "water_values.csv",
        "training.csv",
        "policy",
        "report.html",
    } <= names
    summary = json.loads((run / "summary.json").read_text())
    for key in (
        "model",
        "scenario",
        "status",
        "objective_usd",
        "period",
        "audit",
        "solve",
        "energy",
        "water",
        "provenance",
    ):
        assert key in summary
    sddp = summary["sddp"]
    for key in (
        "lower_bound_usd",
        "simulated_mean_usd",
        "simulated_ci95_usd",
        "iterations",
        "stages",
        "outcomes_per_stage",
        "noise",
        "risk",
        "stopped_by",
    ):
        assert key in sddp
    assert sddp["stages"] == 3 and sddp["outcomes_per_stage"] == [3] * 3
    assert summary["period"]["start"].startswith("2024-10-01") and summary["period"]["steps"] == 92
    assert summary["objective_usd"] == sddp["simulated_mean_usd"]
    members = pd.read_csv(run / "members.csv")
    assert members["cost_usd"].mean() == pytest.approx(sddp["simulated_mean_usd"])
    ds = xr.open_dataset(run / "simulation.nc", engine="h5netcdf")
    assert ds.sizes["member"] == 3
    for name in (
        "storage_hm3",
        "turbine_flow_m3s",
        "spill_m3s",
        "hydro_p_mw",
        "generator_p_mw",
        "unserved_mw",
        "shortage_m3s",
        "price_usd_per_mwh",
    ):
        assert "member" in ds[name].dims
    # perfect foresight on the same members: a lower bound member by member (no member
    # used a priced violation, which the deterministic LP would not allow)
    pf = sddp["perfect_foresight"]
    assert pf["members"] == 3 and pf["infeasible_members"] == 0
    assert not [c for c in members.columns if c.startswith("violation_")]
    assert (members["perfect_foresight_cost_usd"] <= members["cost_usd"] * (1 + 1e-9)).all()
    assert pf["cost_usd"]["mean"] == pytest.approx(members["perfect_foresight_cost_usd"].mean())
    values = pd.read_csv(run / "water_values.csv")
    assert list(values.columns) == ["stage", "reservoir", "storage_hm3", "value_usd_per_hm3"]
    assert set(values["reservoir"]) == {"upper", "lower"}
    assert len(values["stage"].unique()) == 2  # no cost-to-go after the last stage


@pytest.fixture(scope="module")
def simulated(trained, cli, helpers, toy):
    """One `vakhsh sddp simulate` of the saved policy on the training members (0.7, 1.0,
    1.3 of the mean) followed by two out-of-sample members (0.5 and 1.7): each member is
    simulated on its own path, so the first three replay the training run's members."""
    ens = helpers.monthly_ensemble(toy, [0.7, 1.0, 1.3, 0.5, 1.7], trained / "other.nc")
    out = cli(
        "sddp",
        "simulate",
        "toy-cascade",
        "--policy",
        trained / "run" / "policy",
        "--inflows",
        ens,
        "--out",
        trained / "other",
        "--no-report",
    )
    assert out.exit_code == 0, out.output
    return trained / "other"


def test_a_saved_policy_simulates_the_same_and_out_of_sample(trained, simulated):
    first = pd.read_csv(trained / "run" / "members.csv")
    second = pd.read_csv(simulated / "members.csv")
    assert len(first) == 3 and len(second) == 5
    np.testing.assert_allclose(second["cost_usd"][:3], first["cost_usd"], rtol=1e-9)
    # with the head model the policy was trained with (policy.json's head)
    summary = json.loads((simulated / "summary.json").read_text())
    assert summary["solve"]["head_mode"] == "auto"
    np.testing.assert_allclose(second["hydro_energy_gap"][:3], first["hydro_energy_gap"], rtol=1e-9)
    assert summary["sddp"]["members_simulated"] == 5 and summary["audit"]["passed"]
    assert summary["audit"]["members_passed"] == 5
    costs = second["cost_usd"]
    assert costs.iloc[3] > costs.iloc[4]  # the driest member costs more than the wettest


def errors(result) -> str:
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_an_ensemble_that_does_not_cover_the_horizon(tmp_path, helpers, cli, toy):
    short = helpers.monthly_ensemble(toy, [1.0, 1.1], tmp_path / "short.nc", months=2)
    result = cli(
        "sddp", "toy-cascade", "--inflows", short, "--out", tmp_path / "out", *QUARTER, *SHORT
    )
    assert result.exit_code == 2
    assert "short.nc: time: the ensemble does not cover the horizon" in errors(result)
    assert not (tmp_path / "out").exists()


def test_catchments_that_do_not_match(tmp_path, cli, toy):
    time = pd.date_range("2024-10-01", periods=3, freq="MS")
    da = xr.DataArray(
        np.ones((2, 3, 2)),
        dims=("member", "time", "catchment"),
        coords={"member": [0, 1], "time": time, "catchment": ["headwaters", "elsewhere"]},
        name="inflow_m3s",
    )
    from vakhsh.hydrology.ensemble import write_ensemble

    path = write_ensemble(da, tmp_path / "odd.nc")
    result = cli(
        "sddp", "toy-cascade", "--inflows", path, "--out", tmp_path / "out", *QUARTER, *SHORT
    )
    assert result.exit_code == 2
    text = errors(result)
    assert "odd.nc: catchment: not a catchment of the model (elsewhere)" in text
    assert "has no flows for these catchments of the model (side_valley, tributary)" in text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spec", ["cvar", "cvar:1.5,0.2", "cvar:0.5", "median", "cvar:0.5,0"])
def test_an_unknown_risk_spec(tmp_path, trained, cli, spec):
    result = cli(
        "sddp",
        "toy-cascade",
        "--inflows",
        trained / "ens.nc",
        "--risk",
        spec,
        *QUARTER,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 2
    assert "--risk: expected 'expectation' or 'cvar:LAMBDA,BETA'" in errors(result)
    assert not (tmp_path / "out").exists()


def test_a_stage_infeasible_for_some_outcome(tmp_path, helpers, cli, edit_model):
    """A hard minimum inflow to the sea that the driest outcome of a month cannot meet
    whatever the reservoirs hold: the error names the stage, the outcome and the
    constraint family. (Shortfalls a better policy would avoid are priced violations,
    reported per member, not errors.)"""

    def change(raw):
        raw["sinks"]["sea"] = {"min_inflow_m3s": 900}  # no shortfall cost: a hard limit

    folder = edit_model(change)
    net = load_network(folder, start="2024-10-01", end="2025-01-01")
    ens = helpers.monthly_ensemble(net, [8.0, 0.05], tmp_path / "dry.nc")
    result = cli("sddp", folder, "--inflows", ens, "--out", tmp_path / "out", *QUARTER, *SHORT)
    assert result.exit_code == 2, result.output
    text = " ".join(errors(result).split())
    assert "stage 1 (2024-10) is infeasible under outcome 1 (member 1)" in text
    assert "sink minimum inflow: sink sea is short by" in text
    assert "Traceback" not in text
    assert not (tmp_path / "out").exists()


def test_bad_options(tmp_path, trained, cli):
    for args, message in (
        (["--noise", "markov"], "--noise: expected independent or par1"),
        (["--stage", "day"], "--stage: expected month or week"),
        (["--noise", "par1", "--stage", "week"], "par1 is a monthly model"),
        (["--head", "iterate"], "--head: must be one of auto, fixed, fpha"),
        (["--head", "variable"], "--head: must be one of auto, fixed, fpha"),
    ):
        result = cli(
            "sddp",
            "toy-cascade",
            "--inflows",
            trained / "ens.nc",
            *args,
            *QUARTER,
            "--out",
            tmp_path / "out",
        )
        assert result.exit_code == 2, result.output
        assert message in errors(result)
        assert "Traceback" not in errors(result)
    result = cli(
        "sddp",
        "simulate",
        "toy-cascade",
        "--policy",
        trained / "run" / "policy",
        "--inflows",
        trained / "ens.nc",
        "--head",
        "fixed",
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 2, result.output
    assert "--head: a policy is simulated with the head model it was trained with" in " ".join(
        errors(result).split()
    )
    assert not (tmp_path / "out").exists()


def test_the_head_model_is_recorded_and_the_saved_policy_keeps_it(trained):
    """The default head model (auto: upper_hpp on FPHA planes) is what summary.json says
    and what the policy records (`sddp simulate` reads it back: the test above)."""
    summary = json.loads((trained / "run" / "summary.json").read_text())
    assert summary["solve"]["head_mode"] == "auto"
    said = " ".join((trained / "run.out").read_text().split())
    assert (
        f"head: FPHA for upper_hpp, fixed head elsewhere; exact-vs-LP hydro energy gap "
        f"{summary['solve']['head_energy_gap']:+.3%}"
    ) in said
    assert list(summary["solve"]["fpha"]) == ["upper_hpp"]
    assert summary["solve"]["head_energy_gap"] < 0  # the planes lie above the exact
    html = (trained / "run" / "report.html").read_text()
    assert "Head model" in html and "FPHA: upper_hpp" in html
    meta = json.loads((trained / "run" / "policy" / "policy.json").read_text())
    assert meta["head"] == "auto"
    gaps = pd.read_csv(trained / "run" / "members.csv")["hydro_energy_gap"]
    assert (gaps < 0).all()


def test_bad_input_leaves_an_earlier_output_as_it_was(tmp_path, trained, cli, helpers, toy):
    """--overwrite on an earlier SDDP folder, and an ensemble that does not cover the
    horizon: exit 2, the earlier folder byte for byte as it was, no temporaries."""
    import shutil

    from tests.outputs_cases import leftovers, snapshot

    out = tmp_path / "run"
    shutil.copytree(trained / "run", out)
    before = snapshot(tmp_path)
    short = helpers.monthly_ensemble(toy, [1.0, 1.1], tmp_path.parent / "short2.nc", months=2)
    result = cli(
        "sddp", "toy-cascade", "--inflows", short, "--out", out, "--overwrite", *QUARTER, *SHORT
    )
    assert result.exit_code == 2, result.output
    assert "does not cover the horizon" in errors(result)
    assert snapshot(tmp_path) == before and leftovers(tmp_path) == []


def test_the_api_checks_out_before_it_trains(tmp_path):
    """`sddp(..., out=)` refuses a folder vakhsh did not write before reading the model
    (which here does not exist) or the ensemble."""
    from tests.outputs_cases import snapshot, user_folder

    from vakhsh.outputs import OutputError
    from vakhsh.sddp import sddp, simulate_policy

    mine = user_folder(tmp_path / "mine")
    before = snapshot(tmp_path)
    for call in (
        lambda: sddp("no-such-model", tmp_path / "none.nc", out=mine),
        lambda: simulate_policy(
            "no-such-model", tmp_path / "none", tmp_path / "none.nc", out=mine, overwrite=True
        ),
    ):
        with pytest.raises(OutputError, match="holds files vakhsh did not write"):
            call()
    assert snapshot(tmp_path) == before
