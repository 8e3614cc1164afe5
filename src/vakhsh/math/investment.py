"""Investment: build sizes of candidates, co-optimised with the operation of every case.

Build variables live once on the shared model (no case prefix): `invest_new_mw[candidate,
period]`, the size built in each investment year (MW; power of storage units), and, for
lumpy candidates and those with a `min_build_mw`, a binary `invest_built[candidate, period]`:

    lumpy:           new = max_build_mw * built
    minimum size:    min_build_mw * built <= new <= max_build_mw * built
    built once:      sum_period built <= 1
    potential:       sum_period new <= max_build_mw

What stands in year y is what was built in a year b with b <= y < b + lifetime_years
(plus builds of earlier runs, for myopic planning):

    capacity[c, y] = sum_b alive[c, b, y] * new[c, b] + prior[c, y]

Each case (year y) operates its candidates within that capacity, in the same balances as
the existing components:

    generator:     0 <= p[t, c] <= capacity_factor[t, c] * capacity[c]
    storage unit:  charge, discharge <= capacity; soc <= max_hours * capacity;
                   soc[t] = soc[t-1] + h (sqrt(eta) charge - discharge / sqrt(eta)), soc[-1] = 0
    line:          forward, backward <= capacity; arrivals (1 - loss_fraction) * sent
    hydro plant:   flow <= max_flow_m3s_per_mw * capacity;
                   9.81e-3 * efficiency * head * flow <= capacity
                   (fixed head: head_m, or level at the initial storage minus tailwater)
    reservoir stage: storage[t, r] <= storage_max + (stage storage_max - storage_max) * built
                   (a lumpy candidate of size 1; its capex is per stage, not per kW)

The investment cost is shared by all cases: the annuity of what stands in year y, for the
share of a year that y's run covers, times y's period weight (see `vakhsh.plan.economics`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.context import BuildContext
from vakhsh.math.hydro import GRAVITY_MW_PER_M3S_M
from vakhsh.math.power import soc_change
from vakhsh.math.water import STORAGE
from vakhsh.network import Network
from vakhsh.network.series import SeriesResolver
from vakhsh.solve.head import curve_value

CANDIDATE = "candidate"
# reservoir stages: lumpy candidates of size 1 that raise a reservoir's storage_max_hm3
STAGES = "reservoir_stages"
PERIOD = "period"
# upper bound on a candidate with a minimum size but no maximum (MW)
BIG_BUILD_MW = 1e5

Sizes = Mapping[str, Mapping[int, float]]  # candidate -> investment year -> MW


@dataclass
class BuildVariables:
    """The shared build decisions of a plan and what stands in each year."""

    table: pd.DataFrame  # net.candidates
    periods: list[int]
    new_mw: linopy.Variable
    built: linopy.Variable | None
    prior: dict[str, dict[int, float]] = field(default_factory=dict)
    _bounds: dict[str, tuple[xr.DataArray, xr.DataArray]] = field(default_factory=dict)

    @property
    def ids(self) -> pd.Index:
        return pd.Index(self.table.index, name=CANDIDATE)

    def alive(self, year: int) -> xr.DataArray:
        """1 where a build of period b stands in `year` (candidate, period)."""
        life = self.table["lifetime_years"].to_numpy(dtype=float)[:, None]
        built = np.asarray(self.periods, dtype=float)[None, :]
        standing = (built <= year) & (year < built + life)
        return xr.DataArray(standing.astype(float), coords=[self.ids, pd.Index(
            self.periods, name=PERIOD)])

    def prior_mw(self, year: int) -> xr.DataArray:
        """What earlier runs built that still stands in `year` (MW per candidate)."""
        life = self.table["lifetime_years"]
        values = [sum(mw for b, mw in self.prior.get(c, {}).items()
                      if b <= year < b + life[c]) for c in self.table.index]
        return xr.DataArray(np.asarray(values, dtype=float), coords=[self.ids])

    def capacity(self, year: int) -> linopy.LinearExpression:
        """Capacity standing in `year` per candidate (MW)."""
        return (self.new_mw * self.alive(year)).sum(PERIOD) + self.prior_mw(year)

    # ---- fixing sizes (evaluation runs) ----
    def fix(self, sizes: Sizes) -> None:
        """Fix every build to `sizes` (missing: zero)."""
        values = np.zeros((len(self.table), len(self.periods)))
        for i, cid in enumerate(self.table.index):
            for j, year in enumerate(self.periods):
                values[i, j] = float(sizes.get(cid, {}).get(year, 0.0))
        fixed = xr.DataArray(values, coords=[self.ids, pd.Index(self.periods, name=PERIOD)])
        self.new_mw.update(lower=fixed, upper=fixed)
        if self.built is not None:
            on = (fixed.sel({CANDIDATE: self.built.coords[CANDIDATE].values}) > 1e-9) * 1.0
            self.built.update(lower=on, upper=on)

    def release(self) -> None:
        """Give the builds back their own bounds."""
        for name, (lower, upper) in self._bounds.items():
            getattr(self, name).update(lower=lower, upper=upper)

    def solution(self) -> dict[str, dict[int, float]]:
        values = self.new_mw.solution.fillna(0.0)
        out: dict[str, dict[int, float]] = {}
        for cid in self.table.index:
            out[cid] = {int(y): _clean(float(values.sel({CANDIDATE: cid, PERIOD: y})))
                        for y in self.periods}
        return out


def _clean(value: float) -> float:
    return 0.0 if abs(value) < 1e-6 else value


def add_build_variables(model: linopy.Model, table: pd.DataFrame, periods: list[int],
                        prior: Sizes | None = None) -> BuildVariables:
    """Create the build variables of `table`'s candidates for `periods` on `model`."""
    prior = {c: dict(v) for c, v in (prior or {}).items()}
    ids = pd.Index(table.index, name=CANDIDATE)
    pidx = pd.Index(periods, name=PERIOD)
    already = np.array([sum(prior.get(c, {}).values()) for c in table.index], dtype=float)
    maximum = table["max_build_mw"].astype(float).fillna(np.inf).to_numpy()
    remaining = np.maximum(maximum - already, 0.0)
    lumpy = table["lumpy"].astype(bool).to_numpy()
    remaining = np.where(lumpy & (already > 0), 0.0, remaining)
    upper = xr.DataArray(np.repeat(remaining[:, None], len(periods), 1), coords=[ids, pidx])
    lower = xr.zeros_like(upper)
    new = model.add_variables(lower=lower, upper=upper, coords=[ids, pidx],
                              name="invest_new_mw")
    minimum = table["min_build_mw"].astype(float).to_numpy()
    needs_binary = lumpy | (minimum > 0)
    built = None
    bounds = {"new_mw": (lower, upper)}
    if needs_binary.any():
        bids = pd.Index(table.index[needs_binary], name=CANDIDATE)
        built = model.add_variables(binary=True, coords=[bids, pidx], name="invest_built")
        size = xr.DataArray(np.where(np.isfinite(remaining), remaining, BIG_BUILD_MW),
                            coords=[ids]).sel({CANDIDATE: bids})
        low = xr.DataArray(minimum, coords=[ids]).sel({CANDIDATE: bids})
        is_lumpy = xr.DataArray(lumpy, coords=[ids]).sel({CANDIDATE: bids})
        lumpy_ids = list(bids[is_lumpy.values])
        other_ids = list(bids[~is_lumpy.values])
        if lumpy_ids:
            model.add_constraints(new.sel({CANDIDATE: lumpy_ids})
                                  - size.sel({CANDIDATE: lumpy_ids})
                                  * built.sel({CANDIDATE: lumpy_ids}) == 0,
                                  name="invest_lumpy")
        if other_ids:
            sub_new, sub_on = new.sel({CANDIDATE: other_ids}), built.sel({CANDIDATE: other_ids})
            model.add_constraints(sub_new - low.sel({CANDIDATE: other_ids}) * sub_on >= 0,
                                  name="invest_min_build")
            model.add_constraints(sub_new - size.sel({CANDIDATE: other_ids}) * sub_on <= 0,
                                  name="invest_max_build")
        if len(periods) > 1:
            model.add_constraints(built.sum(PERIOD) <= 1, name="invest_built_once")
        bounds["built"] = (xr.zeros_like(size.expand_dims({PERIOD: pidx}, -1)),
                           xr.ones_like(size.expand_dims({PERIOD: pidx}, -1)))
    finite = [c for c, m in zip(table.index, remaining, strict=True) if np.isfinite(m)]
    if len(periods) > 1 and finite:
        cap = xr.DataArray(remaining, coords=[ids]).sel({CANDIDATE: finite})
        model.add_constraints(new.sel({CANDIDATE: finite}).sum(PERIOD) <= cap,
                              name="invest_potential")
    return BuildVariables(table=table, periods=list(periods), new_mw=new, built=built,
                          prior=prior, _bounds=bounds)


def investment_cost(builds: BuildVariables, annual_usd_per_mw: xr.DataArray,
                    charge: Mapping[int, float]) -> linopy.LinearExpression:
    """Sum over years of charge[y] (period weight x share of a year) x annuity x capacity."""
    terms = [(builds.capacity(y) * (charge[y] * annual_usd_per_mw)).sum() for y in builds.periods]
    return sum(terms[1:], terms[0])


# ---------------------------------------------------------------- operation of candidates
def candidate_family(builds: BuildVariables, year: int) -> Callable[[BuildContext], None]:
    """The family that operates the candidates of one case within year `year`'s capacity."""

    def add_candidates(ctx: BuildContext) -> None:
        table = builds.table
        if not len(table):
            return
        capacity = builds.capacity(year)
        resolver = SeriesResolver(ctx.net.folder, ctx.net.run)
        for kind, add in (("generators", _generators), ("storage_units", _storage_units),
                          ("lines", _lines), ("hydro_plants", _hydro_plants),
                          (STAGES, _reservoir_stages)):
            ids = list(table.index[table["component"] == kind])
            if ids:
                add(ctx, table.loc[ids], capacity.sel({CANDIDATE: ids}), resolver)

    return add_candidates


def _template_series(table: pd.DataFrame, name: str, default, resolver: SeriesResolver,
                     time: pd.DatetimeIndex) -> xr.DataArray:
    columns = [resolver.resolve(row.template.get(name, default),
                                f"candidates.{cid}.template.{name}")
               for cid, row in table.iterrows()]
    return xr.DataArray(np.column_stack(columns), coords=[pd.Index(time, name="time"),
                                                          pd.Index(table.index,
                                                                   name=CANDIDATE)])


def _active(table: pd.DataFrame, time: pd.DatetimeIndex) -> xr.DataArray:
    start = pd.to_datetime(pd.Series([row.template.get("available_from")
                                      for _cid, row in table.iterrows()]))
    start = start.to_numpy(dtype="datetime64[ns]")
    exists = np.isnat(start)[None, :] | (time.to_numpy()[:, None] >= start[None, :])
    return xr.DataArray(exists, coords=[pd.Index(time, name="time"),
                                        pd.Index(table.index, name=CANDIDATE)])


def _upper(table: pd.DataFrame, time: pd.DatetimeIndex) -> xr.DataArray:
    return xr.where(_active(table, time), np.inf, 0.0)


def _coords(ctx: BuildContext, table: pd.DataFrame) -> list[pd.Index]:
    return [pd.Index(ctx.time, name="time"), pd.Index(table.index, name=CANDIDATE)]


def _column(table: pd.DataFrame, name: str, default=None) -> pd.Series:
    return pd.Series([row.template.get(name, default) for _cid, row in table.iterrows()],
                     index=table.index)


def _static(table: pd.DataFrame, name: str, default=None) -> xr.DataArray:
    return xr.DataArray(_column(table, name, default).astype(float).to_numpy(),
                        coords=[pd.Index(table.index, name=CANDIDATE)])


def _generators(ctx: BuildContext, table, capacity, resolver) -> None:
    cf = _template_series(table, "capacity_factor", 1.0, resolver, ctx.time)
    cf = cf.where(_active(table, ctx.time), 0.0)
    cost = _template_series(table, "marginal_cost_usd_per_mwh", 0.0, resolver, ctx.time)
    p = ctx.add_var(lower=0, coords=_coords(ctx, table), name="candidate_generator_p_mw")
    ctx.add_con(p - capacity * cf <= 0, name="candidate_generator_capacity")
    ctx.add_power(p, CANDIDATE, _column(table, "bus"))
    ctx.add_cost(ctx.hours * cost * p, "generation")


def _storage_units(ctx: BuildContext, table, capacity, resolver) -> None:
    coords = _coords(ctx, table)
    upper = _upper(table, ctx.time)
    charge = ctx.add_var(lower=0, upper=upper, coords=coords, name="candidate_storage_charge_mw")
    discharge = ctx.add_var(lower=0, upper=upper, coords=coords,
                            name="candidate_storage_discharge_mw")
    soc = ctx.add_var(lower=0, coords=coords, name="candidate_storage_soc_mwh")
    ctx.add_con(charge - capacity <= 0, name="candidate_storage_charge_limit")
    ctx.add_con(discharge - capacity <= 0, name="candidate_storage_discharge_limit")
    ctx.add_con(soc - capacity * _static(table, "max_hours") <= 0,
                name="candidate_storage_energy_limit")
    eta = np.sqrt(_static(table, "efficiency_roundtrip"))
    ctx.add_con(soc_change(ctx, soc, charge, discharge, eta) == 0,
                name="candidate_storage_soc_balance")
    bus = _column(table, "bus")
    ctx.add_power(discharge, CANDIDATE, bus)
    ctx.add_power(charge, CANDIDATE, bus, sign=-1)


def _lines(ctx: BuildContext, table, capacity, resolver) -> None:
    coords = _coords(ctx, table)
    upper = _upper(table, ctx.time)
    forward = ctx.add_var(lower=0, upper=upper, coords=coords, name="candidate_line_forward_mw")
    backward = ctx.add_var(lower=0, upper=upper, coords=coords,
                           name="candidate_line_backward_mw")
    ctx.add_con(forward - capacity <= 0, name="candidate_line_forward_limit")
    ctx.add_con(backward - capacity <= 0, name="candidate_line_backward_limit")
    keep = 1.0 - _static(table, "loss_fraction", 0.0)
    origin, target = _column(table, "from"), _column(table, "to")
    ctx.add_power(forward, CANDIDATE, origin, sign=-1)
    ctx.add_power(keep * forward, CANDIDATE, target)
    ctx.add_power(backward, CANDIDATE, target, sign=-1)
    ctx.add_power(keep * backward, CANDIDATE, origin)


def hydro_head_m(net: Network, template: Mapping) -> float:
    """Fixed head of a hydro candidate: head_m, or the level at initial storage - tailwater."""
    if template.get("head_m") is not None:
        return float(template["head_m"])
    res = net.tables["reservoirs"].loc[template["reservoir"]]
    level = curve_value(res.level_curve, np.array([res.storage_initial_hm3]))[0]
    return max(float(level) - float(template["tailwater_masl"]), 0.0)


def mw_per_m3s(net: Network, table: pd.DataFrame) -> xr.DataArray:
    values = [GRAVITY_MW_PER_M3S_M * float(row.template["efficiency"])
              * hydro_head_m(net, row.template) for _cid, row in table.iterrows()]
    return xr.DataArray(np.asarray(values, dtype=float),
                        coords=[pd.Index(table.index, name=CANDIDATE)])


def _hydro_plants(ctx: BuildContext, table, capacity, resolver) -> None:
    coords = _coords(ctx, table)
    flow = ctx.add_var(lower=0, upper=_upper(table, ctx.time), coords=coords,
                       name="candidate_turbine_flow_m3s")
    factor = mw_per_m3s(ctx.net, table)
    ctx.add_con(flow - capacity * _static(table, "max_flow_m3s_per_mw") <= 0,
                name="candidate_turbine_flow_limit")
    ctx.add_con(factor * flow - capacity <= 0, name="candidate_hydro_capacity")
    reservoir, node = _column(table, "reservoir"), _column(table, "node")
    site = reservoir.where(reservoir.notna(), node)
    ctx.add_water(flow, CANDIDATE, site, sign=-1)
    ctx.release.add(flow, CANDIDATE, reservoir)
    ctx.add_water(flow, CANDIDATE, _column(table, "to"))
    ctx.add_power(factor * flow, CANDIDATE, _column(table, "bus"))


def _reservoir_stages(ctx: BuildContext, table, capacity, resolver) -> None:
    """Raise a reservoir's upper storage bound to the stage's when the stage stands."""
    storage = ctx.var(STORAGE)  # in m3/s-steps: hm3 / ctx.k
    old = ctx.net.static("reservoirs", "storage_max_hm3")
    upper = old.copy()
    for cid, row in table.iterrows():
        rid = row.template["reservoir"]
        upper.loc[{"reservoir": rid}] = max(float(upper.sel(reservoir=rid)),
                                            float(row.template["storage_max_hm3"]))
    storage.update(upper=(upper / ctx.k).broadcast_like(storage.lower).transpose(*storage.dims))
    for cid, row in table.iterrows():
        rid = row.template["reservoir"]
        base = float(old.sel(reservoir=rid))
        extra = float(row.template["storage_max_hm3"]) - base
        ctx.add_con(ctx.k * storage.sel(reservoir=rid) - extra * capacity.sel({CANDIDATE: cid})
                    <= base, name=f"candidate_stage_{cid}")
