"""`vakhsh run --rolling W --exact`: the full LP solved by HiGHS's simplex started from the
rolling run's answer reaches the full LP's own optimum (cold, as `optimise` solves it),
audited; the start is refused for algorithms that cannot use it."""

from __future__ import annotations

import json

import pytest
from tests.test_run_cli import vakhsh as run_vakhsh

import vakhsh
from vakhsh.errors import SolveError
from vakhsh.network import embedded_datasets, load_network
from vakhsh.pipeline.core import Operation
from vakhsh.rolling import optimise_exact, parse
from vakhsh.rolling.run import roll
from vakhsh.solve.heads import head_model
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver
from vakhsh.solve.start import start_preset, start_vector

TOY = "toy-cascade"
END = "2024-10-17"  # 16 days of hours: three windows of a week keeping five days each


@pytest.fixture(scope="module")
def hourly():
    return load_network(embedded_datasets()[TOY], step="1h", end=END)


@pytest.fixture(scope="module")
def full(hourly):
    return vakhsh.optimise(hourly)


@pytest.fixture(scope="module")
def exact(hourly):
    return optimise_exact(hourly, parse("7D,2D"))


def test_exact_reaches_the_full_lps_optimum_audited(full, exact):
    assert exact.objective_usd == pytest.approx(full.objective_usd, rel=1e-9)
    assert exact.audit.passed
    start = exact.solve_info["start"]
    assert start["from"] == "rolling 7D,2D"
    assert exact.solve_info["rolling"]["windows"] == 3
    assert exact.solve_info["algorithm"] == "simplex"
    # the rolling answer it started from: no cheaper than the optimum, and its gap recorded
    assert start["rolling_objective_usd"] >= full.objective_usd * (1 - 1e-9)
    gap = (start["rolling_objective_usd"] - exact.objective_usd) / exact.objective_usd
    assert start["rolling_gap"] == pytest.approx(gap)
    assert start["simplex_iterations"] >= 0
    assert "simplex_iterations" not in exact.solve_info  # held once, under start


def test_the_start_saves_simplex_iterations(hourly):
    """The same LP from the rolling answer and from nothing (all columns 0): the start
    must be what HiGHS used, so the first needs fewer iterations."""
    rolled = roll(hourly, parse("7D,2D"))
    options = SolveOptions()
    counts = {}
    for label, values in (("rolling", rolled.lp_values), ("zero", {})):
        model = Operation(hourly, head_model(options)).formulate(None).model
        stats = run_solver(model, options, start=start_vector(model, values))
        assert stats.outcome is Outcome.OPTIMAL and stats.algorithm == "simplex"
        counts[label] = model.solver_model.getInfo().simplex_iteration_count
    assert counts["rolling"] < counts["zero"]


def test_start_vector_places_values_by_name_and_coordinates(hourly):
    model = Operation(hourly, head_model(SolveOptions())).formulate(None).model
    var = model.variables["turbine_flow_m3s"]
    values = var.labels * 0.0 + 7.5  # any array on the variable's own coordinates
    point = start_vector(model, {"turbine_flow_m3s": values.isel(time=slice(0, 3))})
    labels = model.matrices.vlabels
    column = {label: i for i, label in enumerate(labels)}
    first = var.labels.isel(time=slice(0, 3)).values.ravel()
    later = var.labels.isel(time=slice(3, None)).values.ravel()
    assert all(point[column[lab]] == 7.5 for lab in first if lab >= 0)
    assert all(point[column[lab]] == 0.0 for lab in later if lab >= 0)  # absent: 0
    assert len(point) == len(labels)


@pytest.mark.parametrize(
    ("preset", "explicit"),
    [("hipo", {}), ("ipx", {}), ("auto", {"solver": "ipm"}), ("simplex", {"solver": "pdlp"})],
)
def test_a_start_refuses_other_algorithms(preset, explicit):
    with pytest.raises(SolveError, match="a start point needs HiGHS's simplex"):
        start_preset(preset, explicit)
    assert start_preset("auto", {}) == start_preset("simplex", {"solver": "simplex"})


def test_exact_run_from_the_command_line(tmp_path, full):
    out = tmp_path / "run"
    done = run_vakhsh(
        "run", TOY, "--step", "1h", "--end", END, "--no-report", "--rolling", "7D,2D",
        "--exact", "--out", out, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "exact: the full LP from the rolling answer" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective_usd"] == pytest.approx(full.objective_usd, rel=1e-9)
    assert summary["solve"]["start"]["from"] == "rolling 7D,2D"


def test_exact_without_rolling_exits_2_and_writes_nothing(tmp_path):
    done = run_vakhsh("run", TOY, "--exact", "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "--exact: starts the full LP from a rolling run: give --rolling too" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
