"""The epsilon-constraint frontier against a case whose frontier is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.ensemble import trace_frontier
from vakhsh.ensemble.objectives import objective
from vakhsh.errors import ModelError

# the analytic model (conftest.ANALYTIC): W hm3 stored; a GWh per hm3 turbined,
# 9.81e-3 MW/(m3/s m) * 100 m * 24 h / 1e3 per 0.0864 hm3 (1 m3/s over a day)
W_HM3 = 10.0
A_GWH_PER_HM3 = 9.81e-3 * 100 * 24 / 1e3 / 0.0864


def test_two_objective_frontier_is_the_analytic_line(client, analytic_model, tmp_path):
    front = trace_frontier(
        analytic_model,
        x="tj_winter_energy",
        y="downstream_vegetation_delivery",
        points=3,
        out=tmp_path / "front",
        client=client,
    )
    table = front.table
    assert list(table["status"]) == ["ok"] * 3
    # y = W - x / a everywhere, from x = 0 (all water to summer) to x = a W (all to winter)
    np.testing.assert_allclose(table["y"], W_HM3 - table["x"] / A_GWH_PER_HM3, atol=1e-5)
    assert table["x"].iloc[0] == pytest.approx(0.0, abs=1e-5)
    assert table["x"].iloc[-1] == pytest.approx(A_GWH_PER_HM3 * W_HM3, rel=1e-6)
    np.testing.assert_allclose(table["x"], np.linspace(0, A_GWH_PER_HM3 * W_HM3, 3), atol=1e-5)
    # the LP's expressions and the result arrays agree
    np.testing.assert_allclose(table["x_lp"], table["x"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(table["y_lp"], table["y"], rtol=1e-9, atol=1e-9)
    assert table["audit_passed"].all()
    assert (tmp_path / "front" / "frontier.csv").is_file()
    assert (tmp_path / "front" / "frontier.png").is_file()
    assert (tmp_path / "front" / "runs" / "point-01" / "results.nc").is_file()


def test_objective_expressions_match_the_result_arrays(analytic_model):
    from vakhsh import load
    from vakhsh.math.build import build_model
    from vakhsh.results.audit import audit
    from vakhsh.results.dataset import extract
    from vakhsh.results.results import Results
    from vakhsh.solve.head import fixed_parameters
    from vakhsh.solve.options import SolveOptions
    from vakhsh.solve.solver import run_solver

    net = load(analytic_model)
    ctx = build_model(net, fixed_parameters(net))
    run_solver(ctx.model, SolveOptions())
    ds = extract(ctx)
    cost = float(ctx.model.objective.value) + ctx.cost_constant
    results = Results(net=net, dataset=ds, objective_usd=cost, audit=audit(net, ds, 1e-6))
    for name in ("sink_inflow:out", "tj_winter_energy", "downstream_vegetation_delivery", "cost"):
        obj = objective(name)
        expr, constant = obj.expression(ctx)
        assert float(expr.solution) + constant == pytest.approx(
            obj.value(results), rel=1e-9, abs=1e-9
        )
    # a quarter of what the fields withdraw returns to the sink
    assert objective("sink_inflow:out").value(results) == pytest.approx(
        0.25 * objective("downstream_vegetation_delivery").value(results)
        + 0.25 * float(ds["withdrawal_m3s"].isel(time=0).sum()) * net.hm3_per_m3s
    )


def test_an_objective_that_selects_nothing_is_an_error(analytic_model):
    with pytest.raises(ModelError, match="selects nothing"):
        trace_frontier(
            analytic_model,
            x="kg_winter_energy",
            y="downstream_vegetation_delivery",
            points=3,
            workers=0,
        )


def test_frontier_points_honour_head_iteration(analytic_model, tmp_path):
    """Each point goes through the run pipeline, so `head: iterate` rebuilds and solves it
    again (here the head is fixed by head_m, so the values do not move)."""
    import json

    fixed = trace_frontier(
        analytic_model,
        x="tj_winter_energy",
        y="downstream_vegetation_delivery",
        points=2,
        workers=0,
        out=tmp_path / "fixed",
    )
    front = trace_frontier(
        analytic_model,
        x="tj_winter_energy",
        y="downstream_vegetation_delivery",
        points=2,
        workers=0,
        out=tmp_path / "iterate",
        solve={"head": "iterate"},
    )
    assert list(front.table["status"]) == ["ok", "ok"]
    np.testing.assert_allclose(front.table["x"], fixed.table["x"], rtol=1e-9, atol=1e-9)
    solve = json.loads((tmp_path / "iterate" / "runs" / "point-00" / "summary.json").read_text())[
        "solve"
    ]
    assert solve["head_mode"] == "iterate" and solve["head_iterations"] == 2


def test_winter_energy_expression_counts_fpha_power(tmp_path):
    """With the plant on FPHA (tailwater and a level curve, the default `--head auto`) the
    winter-energy objective is the FPHA power variable, and equals the results' energy."""
    from tests.ensemble.conftest import ANALYTIC

    from vakhsh import load
    from vakhsh.math.build import build_model
    from vakhsh.math.context import BuildConfig
    from vakhsh.math.fpha import FPHA_POWER
    from vakhsh.results.audit import audit
    from vakhsh.results.dataset import extract
    from vakhsh.results.results import Results
    from vakhsh.solve.head import fixed_parameters
    from vakhsh.solve.heads import ProductionModel
    from vakhsh.solve.options import SolveOptions
    from vakhsh.solve.solver import run_solver

    text = ANALYTIC.replace(
        "storage_final_min_hm3: 0, spill_to: out}",
        "storage_final_min_hm3: 0, spill_to: out,\n         level_curve: [[0, 150], [100, 250]]}",
    )
    text = text.replace("efficiency: 1.0, head_m: 100}", "efficiency: 1.0, tailwater_masl: 100}")
    text = text.replace("price_usd_per_mwh: 0, ", "price_usd_per_mwh: 50, ")  # worth turbining
    folder = tmp_path / "two-step-fpha"
    folder.mkdir()
    (folder / "model.yaml").write_text(text, encoding="utf-8")
    net = load(folder)
    ctx = build_model(net, fixed_parameters(net), BuildConfig(production="auto"))
    assert ctx.has_var(FPHA_POWER)
    run_solver(ctx.model, SolveOptions())
    # the run pipeline's last step for this head model: hydro_p_mw from the FPHA power
    ds, _info = ProductionModel("auto").finish(net, ctx, extract(ctx))
    results = Results(
        net=net,
        dataset=ds,
        objective_usd=float(ctx.model.objective.value) + ctx.cost_constant,
        audit=audit(net, ds, 1e-6),
    )
    obj = objective("tj_winter_energy")
    expr, constant = obj.expression(ctx)
    value = obj.value(results)
    assert value > 0
    assert float(expr.solution) + constant == pytest.approx(value, rel=1e-9, abs=1e-9)
