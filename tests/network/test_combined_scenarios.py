"""Scenarios joined by '+' (`-s dry+full_upper`): sets in order, monthly factors multiplied."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from vakhsh.cli import app
from vakhsh.errors import ModelError
from vakhsh.network import load_network


def test_a_combination_applies_each_scenarios_set_and_inflow_factor():
    dry = load_network("toy-cascade", scenario="dry")
    full = load_network("toy-cascade", scenario="full_upper")
    both = load_network("toy-cascade", scenario="dry+full_upper")
    assert both.scenario == "dry+full_upper"
    assert both.tables["reservoirs"].equals(full.tables["reservoirs"])  # dry sets nothing
    assert both.inflow_factor_by_month == dry.inflow_factor_by_month
    assert both.series["catchments"]["inflow_m3s"].equals(dry.series["catchments"]["inflow_m3s"])


def test_inflow_factors_multiply_and_a_later_set_wins(edit_model):
    def add(raw):
        raw["scenarios"]["wetter"] = {
            "inflow_factor_by_month": [2.0] * 12,
            "set": {"reservoirs.upper.storage_initial_hm3": 1500},
        }

    folder = edit_model(add)
    base = load_network(folder)
    dry = load_network(folder, scenario="dry")
    net = load_network(folder, scenario="full_upper+dry+wetter")
    expected = 2.0 * np.asarray(dry.inflow_factor_by_month)
    assert np.allclose(net.inflow_factor_by_month, expected)
    assert net.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 1500
    ratio = net.series["catchments"]["inflow_m3s"] / base.series["catchments"]["inflow_m3s"]
    month = ratio.indexes["time"].month - 1
    assert np.allclose(ratio.isel(catchment=0).values, expected[month])
    reverse = load_network(folder, scenario="wetter+full_upper")
    assert reverse.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 2000


def test_every_unknown_part_is_named():
    with pytest.raises(ModelError) as info:
        load_network("toy-cascade", scenario="dry+nope+gone")
    lines = [str(p) for p in info.value.problems]
    assert any("scenarios.nope: no such scenario" in line for line in lines), lines
    assert any("scenarios.gone: no such scenario" in line for line in lines), lines


def test_a_scenario_id_may_not_contain_the_join(edit_model):
    folder = edit_model(lambda raw: raw["scenarios"].update({"dry+hot": {}}))
    with pytest.raises(ModelError) as info:
        load_network(folder, scenario="dry")
    assert any("cannot contain '+'" in str(p) for p in info.value.problems)


def test_the_command_line_runs_a_combination(tmp_path):
    out = tmp_path / "run"
    done = CliRunner().invoke(
        app, ["run", "toy-cascade", "-s", "dry+full_upper", "--no-report", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert (out / "results.nc").is_file()
    bad = CliRunner().invoke(
        app, ["run", "toy-cascade", "-s", "dry+nope", "--out", str(tmp_path / "bad")]
    )
    assert bad.exit_code == 2
    assert "scenarios.nope" in bad.output
    assert not (tmp_path / "bad").exists()


def test_an_ensemble_axis_may_name_a_combination(tmp_path):
    import yaml

    def ensemble(scenarios: list[str], out: str):
        spec = tmp_path / f"{out}.yaml"
        spec.write_text(yaml.safe_dump({"axes": {"scenario": scenarios}}), encoding="utf-8")
        args = ["ensemble", "toy-cascade", "--spec", str(spec), "--workers", "0"]
        return CliRunner().invoke(app, [*args, "--out", str(tmp_path / out)])

    done = ensemble(["dry+full_upper", "base"], "good")
    assert done.exit_code == 0, done.output
    bad = ensemble(["dry+monsoon"], "bad")
    assert bad.exit_code == 2
    assert "axes.scenario: no such scenario" in bad.output
