"""`vakhsh plan` end to end: plan.json, ranking.csv, results per year, report.html."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tests.plan.test_expansion import fom_for, generator, one_bus
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def app():
    from vakhsh.cli import app

    return app


def test_plan_command_writes_plan_and_ranking(app, write_model, tmp_path):
    # 200 MW of solar at 10 USD per MW-hour displaces 100 MW of gas at 50 USD/MWh all day:
    # benefit/cost 100 * 50 / (200 * 10) = 2.5 either way, LCOE 10 / 0.5 = 20 USD/MWh
    folder = write_model(one_bus({"solar": generator(fom=fom_for(10), cf=0.5, max_build_mw=1000)}))
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["plan", str(folder), "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["builds"] == {"solar": {"2030": pytest.approx(200.0)}}
    assert plan["objective_usd"] == pytest.approx(200 * 10 * 24, rel=1e-6)
    assert plan["costs"]["base_system_usd"] == pytest.approx(100 * 50 * 24, rel=1e-6)
    ranking = pd.read_csv(out / "ranking.csv")
    row = ranking.iloc[0]
    assert row["candidate"] == "solar"
    assert row["annual_cost_usd"] == pytest.approx(200 * 10 * 8760, rel=1e-5)
    assert row["benefit_added_usd"] == pytest.approx(100 * 50 * 8760, rel=1e-5)
    assert row["bc_added"] == pytest.approx(2.5, rel=1e-5)
    assert row["bc_removed"] == pytest.approx(2.5, rel=1e-5)
    assert row["lcoe_usd_per_mwh"] == pytest.approx(20.0, rel=1e-5)
    assert (out / "years" / "y2030_model" / "summary.json").is_file()
    assert (out / "report.html").is_file()
    assert plan["audit"]["y2030_model_"]["passed"]


def test_plan_command_reports_bad_years(app, write_model):
    folder = write_model(one_bus({"solar": generator(fom=1)}))
    result = CliRunner().invoke(app, ["plan", str(folder), "--years", "2035,2030"])
    assert result.exit_code == 2
    assert "--years" in result.output
