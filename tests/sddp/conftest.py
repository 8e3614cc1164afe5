"""Helpers of the SDDP tests: small inflow ensembles and an independent deterministic
equivalent.

The deterministic equivalent is written here from the ordinary full-horizon vakhsh LP and
nothing of `vakhsh.sddp`: every path of the scenario tree (one outcome per stage) is the
whole horizon's LP with that path's inflows, all paths side by side in one LP weighted by
their probability, and non-anticipativity rows make the decisions of a stage equal on
paths that share their outcomes up to and including that stage (the stage's inflow is
known when it is decided). The horizon's LP is built once by vakhsh.math with the inflow
as columns and copied per path (a linopy build per path made these tests slow).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xarray as xr

from vakhsh.hydrology.ensemble import write_ensemble
from vakhsh.math.build import BALANCES, OPERATION, new_context, set_objective
from vakhsh.math.context import BuildConfig
from vakhsh.network import Network
from vakhsh.solve.head import fixed_parameters


def monthly_ensemble(
    net: Network, factors: np.ndarray, path: Path, months: int | None = None
) -> Path:
    """An ensemble whose member k is the model's mean inflow of each calendar month times
    `factors[k, month index, catchment]` (or `factors[k]` broadcast), over the run's months
    (or `months` months from the run's start, months the run lacks taking the mean)."""
    start = net.time[0].to_period("M").to_timestamp()
    months = months or len(pd.unique(net.time.to_period("M")))
    time = pd.date_range(start, periods=months, freq="MS")
    inflow = net.series["catchments"]["inflow_m3s"].to_pandas()
    clim = inflow.groupby(inflow.index.month).mean()
    base = np.stack(
        [
            clim.loc[t.month].to_numpy() if t.month in clim.index else clim.mean().to_numpy()
            for t in time
        ]
    )  # (month, catchment)
    factors = np.asarray(factors, dtype=float)
    if factors.ndim == 1:
        factors = factors[:, None, None]
    values = base[None] * factors
    da = xr.DataArray(
        values,
        dims=("member", "time", "catchment"),
        coords={
            "member": np.arange(values.shape[0]),
            "time": time,
            "catchment": list(inflow.columns),
        },
        name="inflow_m3s",
        attrs={"units": "m3/s", "method": "test"},
    )
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
    return [(path, np.concatenate([outcomes[s][k] for s, k in enumerate(path)])) for path in paths]


@dataclass
class PathLP:
    """The ordinary full-horizon vakhsh LP of a network, as matrices, with each catchment's
    inflow per step as a column (fixed to a path's inflow by its bounds)."""

    A: sp.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    constant: float
    inflow_cols: np.ndarray  # (step, catchment)
    col_time: np.ndarray  # step of each column, -1 for a column without a time


def path_lp(net: Network, production: str = "fixed") -> PathLP:
    """Built once with vakhsh.math (the families `vakhsh run` uses, nothing of
    vakhsh.sddp): the catchments' inflow constants are zero and a column per (step,
    catchment) enters each catchment's node instead, so one build serves every path.
    `production` is the hydro family's head model (`BuildConfig.production`): with FPHA
    the first step's mean storage is the constant `storage_initial_hm3`, and the later
    steps' the horizon's own storage columns (no stage boundary anywhere)."""
    inflow = net.series["catchments"]["inflow_m3s"]
    net0 = with_inflow(net, np.zeros(inflow.shape))
    # the stage LPs' families and options: their head model, no storage tie-break
    ctx = new_context(
        net0, fixed_parameters(net0), BuildConfig(storage_tie_break=0.0, production=production)
    )
    for family in OPERATION:
        family(ctx)
    column = ctx.add_var(lower=0, coords=ctx.coords("catchments"), name="de_inflow_m3s")
    ctx.add_water(column, "catchment", net.tables["catchments"]["to"])
    for family in BALANCES:
        family(ctx)
    set_objective(ctx.model, [ctx])
    model = ctx.model
    M = model.matrices
    col_of = model.variables.label_index.label_to_pos
    col_time = np.full(len(M.vlabels), -1, dtype=np.int64)
    positions = {}
    for name, var in model.variables.items():
        labels = var.labels.values
        pos = np.where(labels >= 0, col_of[np.maximum(labels, 0)], -1)
        positions[name] = pos
        if "time" in var.labels.dims:
            axis = var.labels.dims.index("time")
            steps = np.indices(labels.shape)[axis]
            ok = pos >= 0
            col_time[pos[ok]] = steps[ok]
    cols = positions["de_inflow_m3s"]
    assert column.labels.dims[0] == "time" and (cols >= 0).all()
    return PathLP(
        A=sp.csr_array(M.A),
        row_lower=np.where(M.sense != "<", M.b, -np.inf),
        row_upper=np.where(M.sense != ">", M.b, np.inf),
        lower=M.lb.copy(),
        upper=M.ub.copy(),
        cost=M.c.copy(),
        constant=float(ctx.cost_constant),
        inflow_cols=cols,
        col_time=col_time,
    )


def deterministic_equivalent(
    net: Network,
    stages: list[np.ndarray],
    outcomes: list[np.ndarray] | None = None,
    paths: list[tuple[tuple, np.ndarray]] | None = None,
    production: str = "fixed",
) -> float:
    """Optimal expected cost of a scenario tree whose paths are equally likely, with the
    hydro family's head model `production` (fixed, auto or fpha: `path_lp`).

    Either `outcomes` of a stage-wise independent tree (see `independent_paths`) or the
    `paths` themselves: (outcome of each stage, inflow per (step, catchment)). Every path
    is the whole horizon's LP (`path_lp`) with its inflow; the paths' LPs sit side by side
    in one LP, weighted by probability, and non-anticipativity rows make every decision
    of a stage's steps equal on paths that share their outcomes up to and including that
    stage (the stage's inflow is known when it is decided). Solved by HiGHS directly.
    """
    tree = paths if paths is not None else independent_paths(outcomes)
    base = path_lp(net, production)
    n, P = len(base.cost), len(tree)
    probability = 1.0 / P
    lower = np.tile(base.lower, P)
    upper = np.tile(base.upper, P)
    for i, (_path, inflow) in enumerate(tree):
        cols = i * n + base.inflow_cols.ravel()
        lower[cols] = upper[cols] = np.asarray(inflow, dtype=float).ravel()
    blocks = [sp.block_diag([base.A] * P, format="csr")]
    row_lower, row_upper = [np.tile(base.row_lower, P)], [np.tile(base.row_upper, P)]
    keys = [path for path, _inflow in tree]
    for s, steps in enumerate(stages):
        cols = np.flatnonzero(np.isin(base.col_time, steps))
        first_of: dict[tuple, int] = {}
        for i, key in enumerate(keys):
            first = first_of.setdefault(key[: s + 1], i)
            if first == i:
                continue
            m = len(cols)
            rows = np.repeat(np.arange(m), 2)
            where = np.ravel(np.column_stack([i * n + cols, first * n + cols]))
            values = np.tile([1.0, -1.0], m)
            blocks.append(sp.csr_array((values, (rows, where)), shape=(m, n * P)))
            row_lower.append(np.zeros(m))
            row_upper.append(np.zeros(m))
    A = sp.vstack(blocks, format="csr")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # as the stage problems (HiGHS has one scheduler)
    inf = highspy.kHighsInf
    h.addVars(n * P, np.clip(lower, -inf, inf), np.clip(upper, -inf, inf))
    h.changeColsCost(n * P, np.arange(n * P, dtype=np.int32), np.tile(base.cost, P) * probability)
    lo, up = np.concatenate(row_lower), np.concatenate(row_upper)
    h.addRows(
        A.shape[0],
        np.clip(lo, -inf, inf),
        np.clip(up, -inf, inf),
        A.nnz,
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        A.data,
    )
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(
        h.getModelStatus()
    )
    return float(h.getInfo().objective_function_value) + base.constant


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """The helpers above, for tests (conftest modules are not importable by name)."""
    return SimpleNamespace(
        deterministic_equivalent=deterministic_equivalent,
        month_stages=month_stages,
        week_stages=week_stages,
        monthly_ensemble=monthly_ensemble,
        with_inflow=with_inflow,
    )


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
