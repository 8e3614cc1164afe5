"""Helpers of the SDDP tests: small inflow ensembles and an independent deterministic
equivalent.

The deterministic equivalent is written here from the ordinary full-horizon vakhsh LP and
nothing of `vakhsh.sddp`: every path of the scenario tree (one outcome per stage) is the
whole horizon's LP with that path's inflows, all paths in one linopy model weighted by
their probability, and non-anticipativity rows make the decisions of a stage equal on
paths that share their outcomes up to and including that stage (the stage's inflow is
known when it is decided).
"""

from __future__ import annotations

import dataclasses
import itertools
from types import SimpleNamespace
from pathlib import Path

import linopy
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from vakhsh.hydrology.ensemble import write_ensemble
from vakhsh.math.build import add_operation, new_context, set_objective
from vakhsh.network import Network
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import Outcome, run_solver


def monthly_ensemble(net: Network, factors: np.ndarray, path: Path,
                     months: int | None = None) -> Path:
    """An ensemble whose member k is the model's mean inflow of each calendar month times
    `factors[k, month index, catchment]` (or `factors[k]` broadcast), over the run's months
    (or `months` months from the run's start, months the run lacks taking the mean)."""
    start = net.time[0].to_period("M").to_timestamp()
    months = months or len(pd.unique(net.time.to_period("M")))
    time = pd.date_range(start, periods=months, freq="MS")
    inflow = net.series["catchments"]["inflow_m3s"].to_pandas()
    clim = inflow.groupby(inflow.index.month).mean()
    base = np.stack([clim.loc[t.month].to_numpy() if t.month in clim.index
                     else clim.mean().to_numpy() for t in time])  # (month, catchment)
    factors = np.asarray(factors, dtype=float)
    if factors.ndim == 1:
        factors = factors[:, None, None]
    values = base[None] * factors
    da = xr.DataArray(values, dims=("member", "time", "catchment"),
                      coords={"member": np.arange(values.shape[0]), "time": time,
                              "catchment": list(inflow.columns)},
                      name="inflow_m3s", attrs={"units": "m3/s", "method": "test"})
    return write_ensemble(da, path)


def month_stages(net: Network) -> list[np.ndarray]:
    """Positions of each calendar month's steps (independently of vakhsh.sddp)."""
    key = net.time.year * 12 + net.time.month
    return [np.flatnonzero(key == k) for k in pd.unique(key)]


def week_stages(net: Network) -> list[np.ndarray]:
    """Positions of each seven-day block's steps from the run's start."""
    key = (net.time - net.time[0]) // pd.Timedelta(days=7)
    return [np.flatnonzero(key == k) for k in pd.unique(key)]


def with_inflow(net: Network, inflow: np.ndarray) -> Network:
    da = net.series["catchments"]["inflow_m3s"].copy(data=inflow)
    series = {**net.series, "catchments": net.series["catchments"].assign(inflow_m3s=da)}
    return dataclasses.replace(net, series=series)


def independent_paths(outcomes: list[np.ndarray]) -> list[tuple[tuple, np.ndarray]]:
    """Every path of a stage-wise independent tree: `outcomes[s]` is (outcomes, steps of
    stage s, catchment), the inflow of each outcome of stage s."""
    paths = itertools.product(*[range(len(o)) for o in outcomes])
    return [(path, np.concatenate([outcomes[s][k] for s, k in enumerate(path)]))
            for path in paths]


def deterministic_equivalent(net: Network, stages: list[np.ndarray],
                             outcomes: list[np.ndarray] | None = None,
                             paths: list[tuple[tuple, np.ndarray]] | None = None) -> float:
    """Optimal expected cost of a scenario tree whose paths are equally likely.

    Either `outcomes` of a stage-wise independent tree (see `independent_paths`) or the
    `paths` themselves: (outcome of each stage, inflow per (step, catchment)). Paths with
    the same outcomes up to stage s share the decisions of stage s.
    """
    tree = paths if paths is not None else independent_paths(outcomes)
    paths = [path for path, _inflow in tree]
    probability = 1.0 / len(paths)
    model = None
    contexts = []
    for i, (_path, inflow) in enumerate(tree):
        net_i = with_inflow(net, inflow)
        ctx = new_context(net_i, fixed_parameters(net_i), model=model, prefix=f"p{i}_",
                          weight=probability)
        model = ctx.model
        add_operation(ctx)
        contexts.append(ctx)
    set_objective(model, contexts)
    names = [n[len("p0_"):] for n in model.variables if n.startswith("p0_")
             and "time" in model.variables[n].dims]
    for s, steps in enumerate(stages):
        first_of: dict[tuple, int] = {}
        pairs = []  # (path, the first path with the same outcomes up to stage s)
        for i, path in enumerate(paths):
            first = first_of.setdefault(path[: s + 1], i)
            if first != i:
                pairs.append((i, first))
        if not pairs:
            continue
        for name in names:
            labels = [contexts[i].var(name).labels.isel(time=steps) for i in range(len(paths))]
            stacked = np.stack([np.stack([labels[i].values, labels[j].values], axis=-1)
                                for i, j in pairs])
            dims = ("pair", *labels[0].dims, "_term")
            coeffs = np.broadcast_to(np.array([1.0, -1.0]), stacked.shape).copy()
            expr = linopy.LinearExpression(xr.Dataset(
                {"vars": (dims, stacked), "coeffs": (dims, coeffs)},
                coords={"pair": np.arange(len(pairs)), **labels[0].coords}), model)
            model.add_constraints(expr == 0, name=f"nonanticipative_{s}_{name}")
    stats = run_solver(model, SolveOptions())
    assert stats.outcome is Outcome.OPTIMAL, stats.termination
    return float(model.objective.value) + sum(ctx.weight * ctx.cost_constant
                                              for ctx in contexts)


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """The helpers above, for tests (conftest modules are not importable by name)."""
    return SimpleNamespace(deterministic_equivalent=deterministic_equivalent,
                           month_stages=month_stages, week_stages=week_stages,
                           monthly_ensemble=monthly_ensemble,
                           with_inflow=with_inflow)


@pytest.fixture(scope="session")
def cli():
    """`cli(*args)`: run vakhsh's commands in process; returns typer's result (exit_code,
    output, stderr)."""
    from typer.testing import CliRunner

    from vakhsh.cli import app

    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})

    return invoke
