"""One stage's LP: the ordinary vakhsh families over the stage's steps, with state variables.

The stage LP is built once with linopy from `vakhsh.math` on the stage's sub-Network
(`stages.stage_network`) and then lives in HiGHS (`highs_stage`). What the families
would read as constants of the horizon's start enters as columns instead, whose bounds
the algorithm fixes before each solve:

The stage is built elastic (`BuildConfig(elastic=True)`): every hard limit (minimum
release, reach minimum flow, sink minimum inflow, must-run, node balances) has a slack,
priced at `SLACK_PENALTY_USD_PER_HM3` (ten times that on balances), so that every state a
policy reaches has a feasible stage; a slack used in a simulation is reported as a
violation.

- `sddp_inflow_m3s[time, catchment]`: the stage's inflow outcome, routed to each
  catchment's node like a catchment's inflow;
- `sddp_storage_in_hm3[reservoir]`: storage entering the stage; it reaches the reservoir
  balance of the first step as an inflow of storage / k (the row counts m3/s-steps),
  and, for plants on FPHA (`--head auto`), the first step's mean storage under the
  planes (`math/fpha.py`), so the stage's cost stays convex in it;
- `sddp_transit_in_m3s[lag, reach]`: water sent into a delayed reach `lag` steps before
  the stage's start; it arrives at step `delay - lag`, after the reach's loss;
- `sddp_soc_in_mwh[storage_unit]`: charge entering the stage, placed in the first step's
  state-of-charge balance (coefficient -1: that balance keeps the initial charge on the
  right-hand side, `power.soc_change`);
- with PAR(1) noise, `sddp_inflow_prev_m3s[catchment]`, the previous stage's mean inflow,
  and the rows
      inflow[t, c] = mean[c]                                  (every step t)
      mean[c] - b[c] * prev[c] - virtual[c] = a[c] + residual[c]   (per outcome)
  where `virtual >= 0` is water from nowhere, priced at `INFLOW_PENALTY_USD_PER_HM3`,
  used only where the linear model would give a negative inflow.

The state leaving the stage is read from the stage's own variables: storage and charge at
its last step, flows sent into delayed reaches in its last steps, the PAR(1) mean inflow.
In the last stage the end-of-horizon targets (`storage_final_min_hm3`,
`soc_final_min_mwh`) are rows with a shortfall priced at `END_TARGET_PENALTY`, so that a
dry path that cannot refill a reservoir costs a penalty rather than making the stage
infeasible (SDDP needs a feasible stage for every state it can reach).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from vakhsh.math.build import BALANCES, OPERATION, new_context, set_objective
from vakhsh.math.context import (
    ELASTIC,
    ELASTIC_PENALTY,
    BuildConfig,
    BuildContext,
    HeadParameters,
)
from vakhsh.math.fpha import fpha_plants
from vakhsh.math.fpha_fit import Planes
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.sddp.stages import Stage, stage_network, stage_parameters
from vakhsh.sddp.state import StateSpace

END_TARGET_PENALTY = ELASTIC_PENALTY  # USD per hm3 (reservoirs) or MWh (storage units)
# the elastic slacks' price per hm3 (or MWh) of violation: ten times more than water is
# worth anywhere in the shipped models (~1e6 USD/hm3), and no more, since steeper cuts
# make the stage LPs harder for the simplex (the diagnosis builds price per m3/s-step)
SLACK_PENALTY_USD_PER_HM3 = 1e7
INFLOW_PENALTY_USD_PER_HM3 = 10 * ELASTIC_PENALTY

INFLOW = "sddp_inflow_m3s"
STORAGE_IN = "sddp_storage_in_hm3"
TRANSIT_IN = "sddp_transit_in_m3s"
SOC_IN = "sddp_soc_in_mwh"
INFLOW_PREV = "sddp_inflow_prev_m3s"
INFLOW_MEAN = "sddp_inflow_mean_m3s"
INFLOW_VIRTUAL = "sddp_inflow_virtual_m3s"
PAR_ROW = "sddp_par1"
END_SHORT = "sddp_end_shortfall_hm3"
END_SOC_SHORT = "sddp_end_soc_shortfall_mwh"


@dataclass
class StageLP:
    """A stage's LP as matrices, with the positions the algorithm touches."""

    stage: Stage
    net: Network  # the stage's sub-Network
    ctx: BuildContext
    # the LP: min c x + constant, row_lower <= A x <= row_upper, col_lower <= x <= col_upper
    A: sp.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    constant_usd: float
    inflow_cols: np.ndarray  # (steps, catchments) columns of the inflow outcome
    state_in_cols: np.ndarray  # (states,) column of each incoming state
    state_out: sp.csr_array  # (states, columns): outgoing state = state_out @ x
    par_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    var_cols: dict[str, np.ndarray] = field(default_factory=dict)  # linopy name -> columns
    con_rows: dict[str, np.ndarray] = field(default_factory=dict)  # linopy name -> rows

    @property
    def slack_cols(self) -> np.ndarray:
        """Columns of the elastic slacks (priced violations of hard limits)."""
        cols = [self.var_cols[name].ravel() for name in self.ctx.elastic]
        cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        return cols[cols >= 0]

    @property
    def ncols(self) -> int:
        return len(self.cost)

    def matrices(self) -> StageMatrices:
        """What a HiGHS problem of this stage needs, without the linopy model (small to
        send to a worker process)."""
        return StageMatrices(
            stage=self.stage,
            A=self.A,
            row_lower=self.row_lower,
            row_upper=self.row_upper,
            col_lower=self.col_lower,
            col_upper=self.col_upper,
            cost=self.cost,
            constant_usd=self.constant_usd,
            inflow_cols=self.inflow_cols,
            state_in_cols=self.state_in_cols,
            state_out=self.state_out,
            par_rows=self.par_rows,
        )


@dataclass(frozen=True)
class StageMatrices:
    """The numbers of a stage LP (`StageLP` without its linopy model and labels)."""

    stage: Stage
    A: sp.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    constant_usd: float
    inflow_cols: np.ndarray
    state_in_cols: np.ndarray
    state_out: sp.csr_array
    par_rows: np.ndarray

    @property
    def ncols(self) -> int:
        return len(self.cost)


def build_stage(
    net: Network,
    params: HeadParameters,
    stage: Stage,
    last: bool,
    states: StateSpace,
    par_slope: np.ndarray | None = None,
    production: str = "fixed",
    planes: dict[str, Planes] | None = None,
) -> StageLP:
    """The LP of `stage` of `net` (the full Network), with state columns.

    `par_slope` (per catchment) turns on the PAR(1) rows; zeros give a first stage whose
    inflow does not depend on the previous one. `production` is the hydro family's head
    model (`BuildConfig.production`: fixed, auto or fpha) and `planes` the FPHA planes of
    its plants, fitted once for every stage (`fpha.plant_planes`; None: fitted here).
    """
    sub = stage_network(net, stage)
    # elastic: every hard limit has a priced slack, so that a stage is feasible from any
    # state a (still poor) policy can reach (SDDP needs relatively complete recourse);
    # `model.check_stages` finds the outcomes that need a slack from every state
    # no storage tie-break: the cuts give stored water its value, and a reward of 2e-4
    # beside slack prices of 1e7 and more left HiGHS at status Unknown in some stages
    config = BuildConfig(
        elastic=True, elastic_storage=False, storage_tie_break=0.0, production=production
    )
    ctx = new_context(sub, stage_parameters(params, stage), config)
    ctx.fpha_planes = planes
    # with FPHA plants the incoming storage exists before the hydro family: the planes'
    # first-step mean storage reads it (a stage convex in its state, so its cuts stay
    # valid). Only then: fixed-head stages keep their column order, the very LPs they
    # were before (HiGHS's vertex, and so the cuts, depend on that order)
    if ctx.has("reservoirs") and fpha_plants(sub, production):
        ctx.storage_in = _storage_in_var(ctx)
    full_tables = net.tables

    def state_family(ctx: BuildContext) -> None:
        _add_inflow(ctx, par_slope)
        _add_storage_in(ctx)
        _add_transit_in(ctx)
        if sub.tables["storage_units"].shape[0]:
            ctx.add_var(lower=0, coords=[sub.coord("storage_units")], name=SOC_IN)
        if last:
            _add_end_targets(ctx, full_tables)

    # the operational families, then the state (routed into the water balances), then the
    # balances close: `add_operation` with one family between
    for family in (*OPERATION, state_family, *BALANCES):
        family(ctx)
    set_objective(ctx.model, [ctx])
    return _to_matrices(ctx, stage, states, par_slope is not None)


# ------------------------------------------------------------------ state families
def _first_steps(
    model: linopy.Model, labels: np.ndarray, coeffs: np.ndarray, time: pd.Index, dim: pd.Index
) -> linopy.LinearExpression:
    """A (time, dim) expression from label and coefficient arrays (label -1 = no term)."""
    dims = ("time", dim.name, "_term")
    data = xr.Dataset(
        {
            "vars": (dims, labels[:, :, None]),
            "coeffs": (dims, coeffs[:, :, None]),
            "const": (dims[:2], np.zeros(labels.shape)),
        },
        coords={"time": time, dim.name: dim},
    )
    return linopy.LinearExpression(data, model)


def _add_inflow(ctx: BuildContext, par_slope: np.ndarray | None) -> None:
    if not ctx.has("catchments"):
        return
    catchments = ctx.net.tables["catchments"]
    inflow = ctx.add_var(lower=0, coords=ctx.coords("catchments"), name=INFLOW)
    ctx.add_water(inflow, "catchment", catchments["to"])
    if par_slope is None:
        return
    coord = [ctx.net.coord("catchments")]
    mean = ctx.add_var(lower=0, coords=coord, name=INFLOW_MEAN)
    prev = ctx.add_var(lower=0, coords=coord, name=INFLOW_PREV)
    virtual = ctx.add_var(lower=0, coords=coord, name=INFLOW_VIRTUAL)
    ctx.add_con(inflow - mean == 0, name="sddp_inflow_link")
    slope = xr.DataArray(np.asarray(par_slope, dtype=float), coords=coord)
    ctx.add_con(mean - slope * prev - virtual == 0, name=PAR_ROW)
    hm3 = ctx.k * len(ctx.time)  # hm3 per m3/s over the stage
    ctx.add_cost(INFLOW_PENALTY_USD_PER_HM3 * hm3 * virtual, ELASTIC)


def _storage_in_var(ctx: BuildContext) -> linopy.Variable:
    return ctx.add_var(lower=0, coords=[ctx.net.coord("reservoirs")], name=STORAGE_IN)


def _add_storage_in(ctx: BuildContext) -> None:
    if not ctx.has("reservoirs"):
        return
    coord = ctx.net.coord("reservoirs")
    x_in = ctx.storage_in if ctx.storage_in is not None else _storage_in_var(ctx)
    labels = np.full((len(ctx.time), len(coord)), -1, dtype=np.int64)
    labels[0] = x_in.labels.values
    coeffs = np.zeros(labels.shape)
    coeffs[0] = 1.0 / ctx.k
    expr = _first_steps(ctx.model, labels, coeffs, pd.Index(ctx.time, name="time"), coord)
    ctx.add_water(expr, "reservoir", pd.Series(coord, index=coord))


def _add_transit_in(ctx: BuildContext) -> None:
    reaches = ctx.net.tables["reaches"]
    delayed = reaches[reaches["delay_steps"] > 0]
    if not len(delayed):
        return
    coord = pd.Index(list(delayed.index), name="reach")
    lags = pd.Index(np.arange(1, int(delayed["delay_steps"].max()) + 1), name="lag")
    delay = delayed["delay_steps"].to_numpy(dtype=int)
    mask = xr.DataArray(lags.to_numpy()[:, None] <= delay[None, :], coords=[lags, coord])
    t_in = ctx.add_var(lower=0, coords=[lags, coord], mask=mask, name=TRANSIT_IN)
    steps = len(ctx.time)
    labels = np.full((steps, len(coord)), -1, dtype=np.int64)
    coeffs = np.zeros(labels.shape)
    keep = 1.0 - delayed["loss_fraction"].to_numpy(dtype=float)
    for j, d in enumerate(delay):  # a few delayed reaches; steps are vectorised
        s = np.arange(min(d, steps))
        labels[s, j] = t_in.labels.values[d - s - 1, j]
        coeffs[s, j] = keep[j]
    expr = _first_steps(ctx.model, labels, coeffs, pd.Index(ctx.time, name="time"), coord)
    ctx.add_water(expr, "reach", delayed["to"])


def _add_end_targets(ctx: BuildContext, full_tables: dict[str, pd.DataFrame]) -> None:
    res = full_tables["reservoirs"]
    target = np.maximum(res["storage_min_hm3"], res["storage_final_min_hm3"])
    ids = list(res.index[target > res["storage_min_hm3"]])
    if ids:
        coord = pd.Index(ids, name="reservoir")
        short = ctx.add_var(lower=0, coords=[coord], name=END_SHORT)
        end = ctx.k * ctx.var(STORAGE).isel(time=-1).sel(reservoir=ids)
        goal = xr.DataArray(target.loc[ids].to_numpy(dtype=float), coords=[coord])
        ctx.add_con(end + short >= goal, name="sddp_end_storage")
        ctx.add_cost(END_TARGET_PENALTY * short, ELASTIC)
    units = full_tables["storage_units"]
    ids = list(units.index[units["soc_final_min_mwh"] > 0])
    if ids:
        coord = pd.Index(ids, name="storage_unit")
        short = ctx.add_var(lower=0, coords=[coord], name=END_SOC_SHORT)
        end = ctx.var("storage_soc_mwh").isel(time=-1).sel(storage_unit=ids)
        goal = xr.DataArray(
            units.loc[ids, "soc_final_min_mwh"].to_numpy(dtype=float), coords=[coord]
        )
        ctx.add_con(end + short >= goal, name="sddp_end_soc")
        ctx.add_cost(END_TARGET_PENALTY * short, ELASTIC)


# ------------------------------------------------------------------ matrices
def _to_matrices(ctx: BuildContext, stage: Stage, states: StateSpace, par: bool) -> StageLP:
    model = ctx.model
    M = model.matrices
    col_of = model.variables.label_index.label_to_pos
    row_of = model.constraints.label_index.label_to_pos
    A = sp.csr_array(M.A) if M.A is not None else sp.csr_array((0, len(M.vlabels)))
    lower = np.where(M.sense != "<", M.b, -np.inf)
    upper = np.where(M.sense != ">", M.b, np.inf)
    var_cols = {
        name: _positions(col_of, var.labels.values) for name, var in model.variables.items()
    }
    con_rows = {
        name: _positions(row_of, con.labels.values) for name, con in model.constraints.items()
    }
    ncols = len(M.vlabels)
    in_cols = np.full(len(states), -1, dtype=np.int64)
    out = sp.lil_array((len(states), ncols))
    steps = stage.size
    for kind in ("storage", "soc", "transit", "inflow"):
        pos = states.positions(kind)
        if not len(pos):
            continue
        names = [states.component[i] for i in pos]
        if kind == "storage":
            in_cols[pos] = _pick(var_cols, model, STORAGE_IN, reservoir=names)
            last = _pick(var_cols, model, STORAGE, reservoir=names, time=steps - 1)
            out[pos, last] = ctx.k
        elif kind == "soc":
            in_cols[pos] = _pick(var_cols, model, SOC_IN, storage_unit=names)
            out[
                pos, _pick(var_cols, model, "storage_soc_mwh", storage_unit=names, time=steps - 1)
            ] = 1.0
        elif kind == "transit":
            for i in pos:
                reach, lag = states.component[i], states.lag[i]
                in_cols[i] = _pick(var_cols, model, TRANSIT_IN, reach=[reach], lag=lag)[0]
                if lag <= steps:  # sent within this stage
                    col = _pick(var_cols, model, "reach_flow_m3s", reach=[reach], time=steps - lag)[
                        0
                    ]
                else:  # still in transit from before the stage
                    col = _pick(var_cols, model, TRANSIT_IN, reach=[reach], lag=lag - steps)[0]
                out[i, col] = 1.0
        else:
            in_cols[pos] = _pick(var_cols, model, INFLOW_PREV, catchment=names)
            out[pos, _pick(var_cols, model, INFLOW_MEAN, catchment=names)] = 1.0
    A = _place_soc_in(A, ctx, var_cols, con_rows)
    cost = M.c.copy()
    for name, (_family, dim) in ctx.elastic.items():  # per hm3 (MWh), not per m3/s-step
        cols = var_cols[name].ravel()
        scale = SLACK_PENALTY_USD_PER_HM3 / ELASTIC_PENALTY
        cost[cols[cols >= 0]] *= scale if dim == "storage_unit" else scale * ctx.k
    inflow_cols = (
        var_cols[INFLOW].reshape(steps, -1)
        if INFLOW in var_cols
        else np.zeros((steps, 0), dtype=np.int64)
    )
    return StageLP(
        stage=stage,
        net=ctx.net,
        ctx=ctx,
        A=A,
        row_lower=lower,
        row_upper=upper,
        col_lower=M.lb.copy(),
        col_upper=M.ub.copy(),
        cost=cost,
        constant_usd=float(ctx.cost_constant),
        inflow_cols=inflow_cols,
        state_in_cols=in_cols,
        state_out=sp.csr_array(out),
        par_rows=con_rows[PAR_ROW] if par else np.zeros(0, dtype=np.int64),
        var_cols=var_cols,
        con_rows=con_rows,
    )


def _positions(lookup: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Solver positions of linopy labels, same shape, -1 where masked."""
    out = np.full(labels.shape, -1, dtype=np.int64)
    ok = labels >= 0
    out[ok] = lookup[labels[ok]]
    return out


def _pick(var_cols: dict[str, np.ndarray], model: linopy.Model, name: str, **sel) -> np.ndarray:
    """Columns of variable `name` at the given coordinates (lists keep their order)."""
    var = model.variables[name]
    index = {}
    for dim, value in sel.items():
        coord = var.labels.indexes[dim]
        index[dim] = (
            coord.get_indexer(value)
            if isinstance(value, list)
            else int(value if dim == "time" else coord.get_loc(value))
        )
    positions = xr.DataArray(var_cols[name], coords=var.labels.coords, dims=var.labels.dims).isel(
        index
    )
    return np.atleast_1d(positions.values).astype(np.int64)


def _place_soc_in(
    A: sp.csr_array, ctx: BuildContext, var_cols: dict, con_rows: dict
) -> sp.csr_array:
    """Put -soc_in in the first step's state-of-charge balance of each storage unit."""
    if SOC_IN not in var_cols:
        return A
    rows = con_rows["storage_soc_balance"]
    soc = var_cols["storage_soc_mwh"]
    first_rows, first_soc = rows[0], soc[0]
    # the balance carries the state of charge with coefficient +1 (power.soc_change)
    if not all(A[int(r), int(c)] == 1.0 for r, c in zip(first_rows, first_soc, strict=True)):
        raise AssertionError("storage_soc_balance no longer holds soc with coefficient 1")
    extra = sp.csr_array((-np.ones(len(first_rows)), (first_rows, var_cols[SOC_IN])), shape=A.shape)
    return sp.csr_array(A + extra)
