"""Simulate a policy along inflow paths: one audited vakhsh result per path.

Each path (an ensemble member's own sequence, in or out of sample) is solved stage by
stage with the policy's cuts, each stage's outgoing state entering the next. The stage
solutions are joined into one Dataset over the whole horizon, built by the same
`results.dataset.assemble` as every vakhsh result, and audited with `results.audit`
against the full Network with the path's inflows: water and energy balances must close
across stage boundaries too, which checks the state passed between stages. Hydro energy
is also recomputed exactly from the simulated storage path (level curves and tailwater),
with its gap to the LP's energy: for plants on FPHA (`SDDPOptions.head`) the LP's power
is that under the planes, which may overstate the exact output (a negative gap), and the
exact output is at most the LP's (`solve.heads.exact_energy`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.fpha import FPHA_POWER
from vakhsh.math.power import bus_load
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.results.audit import AuditReport, audit
from vakhsh.results.dataset import COPIED, DUALS, assemble
from vakhsh.results.results import Results
from vakhsh.sddp.model import SDDPModel
from vakhsh.sddp.stage_build import END_SHORT, INFLOW_VIRTUAL
from vakhsh.sddp.train import Trainer, mean_ci95
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.heads import exact_energy, with_fpha_power

Say = Callable[[str], None]


@dataclass
class Simulation:
    """The policy's results on a set of inflow paths."""

    dataset: xr.Dataset  # dims member, time, ... (the usual result variables)
    cost_usd: np.ndarray  # (member,)
    audits: list[AuditReport]
    summaries: list[dict]  # Results.summary() of each member
    members: np.ndarray
    energy_gap: np.ndarray  # (member,) exact minus LP hydro energy, relative
    end_shortfall_hm3: pd.DataFrame  # member x reservoir, end targets not met
    virtual_inflow_hm3: np.ndarray  # (member,) PAR(1) water from nowhere
    violations: pd.DataFrame  # member x constraint family: elastic slack used (hm3 or MWh)
    extra: dict = field(default_factory=dict)

    @property
    def mean_ci95(self) -> tuple[float, float]:
        return mean_ci95(self.cost_usd)


def member_network(net: Network, inflow_m3s: np.ndarray, label: str) -> Network:
    """`net` with one path's inflow per (step, catchment)."""
    da = net.series["catchments"]["inflow_m3s"].copy(data=inflow_m3s)
    series = {**net.series, "catchments": net.series["catchments"].assign(inflow_m3s=da)}
    return dataclasses.replace(net, series=series, scenario=label)


def simulate(
    model: SDDPModel,
    paths_m3s: np.ndarray,
    members: np.ndarray,
    say: Say | None = None,
    audit_tolerance: float | None = None,
) -> Simulation:
    """Simulate the policy in `model` along each path (path, step, catchment)."""
    say = say or (lambda _m: None)
    tolerance = model.options.audit_tolerance if audit_tolerance is None else audit_tolerance
    trainer = Trainer(model, np.random.default_rng(0))
    params = fixed_parameters(model.net)
    load = xr.concat([bus_load(lp.ctx) for lp in model.lps], dim="time")
    fpha = fpha_of(model)
    layout = _layout(model)
    datasets, costs, audits, summaries, gaps, shorts, virtual = [], [], [], [], [], [], []
    violations = []
    for n, path in enumerate(paths_m3s):
        say(f"simulating member {int(members[n])} ({n + 1}/{len(paths_m3s)})")
        x = model.states.initial.copy()
        parts, cost = [], 0.0
        short = pd.Series(0.0, index=model.net.ids("reservoirs"))
        water_from_nowhere = 0.0
        used: dict[str, float] = {}
        for s, lp in enumerate(model.lps):
            sol = trainer.solve(s, x, path=path, full=True, cold=True)
            cost += sol.stage_cost_usd
            parts.append((sol.col_value, sol.row_dual))
            if END_SHORT in lp.var_cols:
                cols = lp.var_cols[END_SHORT]
                ids = lp.ctx.var(END_SHORT).labels.indexes["reservoir"]
                short.loc[list(ids)] = sol.col_value[cols]
            if INFLOW_VIRTUAL in lp.var_cols:
                water_from_nowhere += float(
                    sol.col_value[lp.var_cols[INFLOW_VIRTUAL]].sum()
                    * lp.net.hm3_per_m3s
                    * lp.stage.size
                )
            for name, amount in _slack_used(lp, sol.col_value).items():
                used[name] = used.get(name, 0.0) + amount
            x = sol.state_out
        net_k = member_network(
            model.net, path, f"{model.net.scenario or 'model'}+member{int(members[n])}"
        )
        values, duals = _join(layout, parts)
        ds = assemble(net_k, params, values, duals, load)
        if fpha:  # the LP's power of its FPHA plants, and the head that power implies
            ds = with_fpha_power(net_k, ds, values[FPHA_POWER].sel(hydro_plant=fpha))
        ds, gap = exact_energy(net_k, ds, at_most=fpha)
        report = audit(net_k, ds, tolerance)
        results = Results(
            net=net_k,
            dataset=ds,
            objective_usd=cost,
            audit=report,
            solve_info={"status": "optimal"},
        )
        datasets.append(ds)
        costs.append(cost)
        audits.append(report)
        summaries.append(results.summary())
        gaps.append(gap)
        shorts.append(short)
        virtual.append(water_from_nowhere)
        violations.append(used)
    dataset = xr.concat(
        datasets,
        dim=pd.Index(members, name="member"),
        coords="minimal",
        compat="override",
        join="override",
    )
    return Simulation(
        dataset=dataset,
        cost_usd=np.asarray(costs),
        audits=audits,
        summaries=summaries,
        members=np.asarray(members),
        energy_gap=np.asarray(gaps, dtype=float),
        end_shortfall_hm3=pd.DataFrame(shorts, index=pd.Index(members, name="member")),
        virtual_inflow_hm3=np.asarray(virtual),
        violations=pd.DataFrame(violations, index=pd.Index(members, name="member")).fillna(0.0),
    )


def fpha_of(model: SDDPModel) -> list[str]:
    """The plants the stage LPs operate with FPHA (the same in every stage)."""
    ctx = model.lps[0].ctx
    if not ctx.has_var(FPHA_POWER):
        return []
    return [str(p) for p in ctx.var(FPHA_POWER).labels.indexes["hydro_plant"]]


def _slack_used(lp, x: np.ndarray) -> dict[str, float]:
    """Elastic slack used in a stage, by constraint family (hm3; MWh for storage units)."""
    out = {}
    for name, (family, dim) in lp.ctx.elastic.items():
        cols = lp.var_cols[name].ravel()
        amount = float(x[cols[cols >= 0]].sum())
        if dim != "storage_unit":
            amount *= lp.net.hm3_per_m3s  # m3/s over one step
        if amount > 0:
            out[family] = out.get(family, 0.0) + amount
    return out


@dataclass
class _Layout:
    """Where each stage's solved columns and duals go in the horizon's result arrays:
    per result name its full (time, component) coordinates and fill, and per stage the
    (time, component) columns or rows with their positions in those arrays. Built once
    per simulation; each member then fills plain arrays by position (exact: the
    positions come from the stage LP's own labels)."""

    coords: dict[str, tuple[pd.Index, pd.Index]]
    fill: dict[str, float]
    stages: list[list[tuple[str, bool, np.ndarray, np.ndarray, np.ndarray]]]


def _layout(model: SDDPModel) -> _Layout:
    net = model.net
    time = pd.Index(net.time, name="time")
    by_dim = {net.dim(kind): pd.Index(net.coord(kind)) for kind in net.tables}
    coords, fill, stages = {}, {}, []
    for lp in model.lps:
        pieces = []
        linopy_model = lp.ctx.model
        items = [
            (name, False, linopy_model.variables[name].labels, lp.var_cols[name])
            for name in COPIED + [STORAGE, FPHA_POWER]
            if name in lp.var_cols
        ] + [
            ("dual:" + name, True, linopy_model.constraints[name].labels, lp.con_rows[name])
            for name in DUALS
            if name in lp.con_rows
        ]
        for name, dual, labels, where in items:
            dim = next(d for d in labels.dims if d != "time")
            axes = [labels.dims.index("time"), labels.dims.index(dim)]
            full = by_dim[dim]
            coords.setdefault(name, (time, full))
            fill.setdefault(name, np.nan if dual else 0.0)
            t_pos = time.get_indexer(labels.indexes["time"])
            c_pos = full.get_indexer(labels.indexes[dim])
            if (t_pos < 0).any() or (c_pos < 0).any():  # never: a stage is part of the run
                raise ValueError(f"{name}: stage {lp.stage.label} has labels outside the run")
            pieces.append((name, dual, np.transpose(np.asarray(where), axes), t_pos, c_pos))
        stages.append(pieces)
    return _Layout(coords=coords, fill=fill, stages=stages)


def _join(
    layout: _Layout, parts: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[dict[str, xr.DataArray], dict[str, xr.DataArray]]:
    """Stage solutions (columns, row duals) joined over the horizon, each result on its
    kind's full set of components (a family may leave a component out of a stage, e.g. a
    minimum flow not in force: 0 there, NaN for a dual)."""
    arrays = {
        name: np.full((len(t), len(c)), layout.fill[name]) for name, (t, c) in layout.coords.items()
    }
    for pieces, (x, y) in zip(layout.stages, parts, strict=True):
        for name, dual, where, t_pos, c_pos in pieces:
            source = y if dual else x
            arrays[name][np.ix_(t_pos, c_pos)] = np.where(
                where >= 0, source[np.maximum(where, 0)], layout.fill[name]
            )
    values, duals = {}, {}
    for name in sorted(arrays):
        full = xr.DataArray(arrays[name], coords=list(layout.coords[name]))
        if name.startswith("dual:"):
            duals[name[5:]] = full
        else:
            values[name] = full
    return values, duals
