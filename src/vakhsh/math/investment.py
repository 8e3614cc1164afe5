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

Each case (year y) operates its candidates as ordinary components of their kind, by the
same constraint families as the existing ones, with that capacity as their size
(`extendable_sizes`, `vakhsh.math.capacity`): a candidate generator's output is bounded by
capacity_factor * capacity[c], a storage unit's charge and discharge by capacity[c] and its
state of charge by max_hours * capacity[c], a line's flows by capacity[c], a hydro unit's
flow by min(max_flow_m3s_per_mw, 1 / (9.81e-3 efficiency head)) * capacity[c]. A reservoir
stage (a lumpy candidate of size 1, capex per stage, not per kW) raises its reservoir and
rebuilds its plants, storage, head and capacity together (`b` the stage standing, 0 or 1):

    storage[t, r] <= storage_max + (stage storage_max - storage_max) * b
    storage[t, r] >= storage_min + (stage storage_min - storage_min) * b
    storage[r] starts at initial + (stage initial - initial) * b (the stage stands filled)
    and ends at least at final + (stage final - final) * b
    flow[t, p] <= max_flow[t, p] * (1 - b)       for each plant p the stage rebuilds,
    whose stage version is an extendable hydro plant of size b (its own capacity, flow
    limit and fixed head)

The investment cost is shared by all cases: the annuity of what stands in year y, for the
share of a year that y's run covers, times y's period weight (see `vakhsh.plan.economics`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.network import Network
from vakhsh.schema.components import STAGES  # reservoir stages: lumpy candidates of size 1

CANDIDATE = "candidate"
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
        return xr.DataArray(
            standing.astype(float), coords=[self.ids, pd.Index(self.periods, name=PERIOD)]
        )

    def prior_mw(self, year: int) -> xr.DataArray:
        """What earlier runs built that still stands in `year` (MW per candidate)."""
        life = self.table["lifetime_years"]
        values = [
            sum(mw for b, mw in self.prior.get(c, {}).items() if b <= year < b + life[c])
            for c in self.table.index
        ]
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
            out[cid] = {
                int(y): _clean(float(values.sel({CANDIDATE: cid, PERIOD: y}))) for y in self.periods
            }
        return out


def _clean(value: float) -> float:
    return 0.0 if abs(value) < 1e-6 else value


def add_build_variables(
    model: linopy.Model, table: pd.DataFrame, periods: list[int], prior: Sizes | None = None
) -> BuildVariables:
    """Create the build variables of `table`'s candidates for `periods` on `model`."""
    prior = {c: dict(v) for c, v in (prior or {}).items()}
    ids = pd.Index(table.index, name=CANDIDATE)
    pidx = pd.Index(periods, name=PERIOD)
    already = np.array([sum(prior.get(c, {}).values()) for c in table.index], dtype=float)
    maximum = table["max_build_mw"].astype(float).fillna(np.inf).to_numpy()
    # a lumpy candidate (its size required by the schema) builds all of it at once, so
    # once built nothing of it remains
    remaining = np.maximum(maximum - already, 0.0)
    lumpy = table["lumpy"].astype(bool).to_numpy()
    upper = xr.DataArray(np.repeat(remaining[:, None], len(periods), 1), coords=[ids, pidx])
    lower = xr.zeros_like(upper)
    new = model.add_variables(lower=lower, upper=upper, coords=[ids, pidx], name="invest_new_mw")
    minimum = table["min_build_mw"].astype(float).to_numpy()
    needs_binary = lumpy | (minimum > 0)
    built = None
    bounds = {"new_mw": (lower, upper)}
    if needs_binary.any():
        bids = pd.Index(table.index[needs_binary], name=CANDIDATE)
        built = model.add_variables(binary=True, coords=[bids, pidx], name="invest_built")
        size = xr.DataArray(
            np.where(np.isfinite(remaining), remaining, BIG_BUILD_MW), coords=[ids]
        ).sel({CANDIDATE: bids})
        low = xr.DataArray(minimum, coords=[ids]).sel({CANDIDATE: bids})
        is_lumpy = xr.DataArray(lumpy, coords=[ids]).sel({CANDIDATE: bids})
        lumpy_ids = list(bids[is_lumpy.values])
        other_ids = list(bids[~is_lumpy.values])
        if lumpy_ids:
            model.add_constraints(
                new.sel({CANDIDATE: lumpy_ids})
                - size.sel({CANDIDATE: lumpy_ids}) * built.sel({CANDIDATE: lumpy_ids})
                == 0,
                name="invest_lumpy",
            )
        if other_ids:
            sub_new, sub_on = new.sel({CANDIDATE: other_ids}), built.sel({CANDIDATE: other_ids})
            model.add_constraints(
                sub_new - low.sel({CANDIDATE: other_ids}) * sub_on >= 0, name="invest_min_build"
            )
            model.add_constraints(
                sub_new - size.sel({CANDIDATE: other_ids}) * sub_on <= 0, name="invest_max_build"
            )
        if len(periods) > 1:
            model.add_constraints(built.sum(PERIOD) <= 1, name="invest_built_once")
        bounds["built"] = (
            xr.zeros_like(size.expand_dims({PERIOD: pidx}, -1)),
            xr.ones_like(size.expand_dims({PERIOD: pidx}, -1)),
        )
    finite = [c for c, m in zip(table.index, remaining, strict=True) if np.isfinite(m)]
    if len(periods) > 1 and finite:
        cap = xr.DataArray(remaining, coords=[ids]).sel({CANDIDATE: finite})
        model.add_constraints(
            new.sel({CANDIDATE: finite}).sum(PERIOD) <= cap, name="invest_potential"
        )
    return BuildVariables(
        table=table, periods=list(periods), new_mw=new, built=built, prior=prior, _bounds=bounds
    )


def investment_cost(
    builds: BuildVariables, annual_usd_per_mw: xr.DataArray, charge: Mapping[int, float]
) -> linopy.LinearExpression:
    """Sum over years of charge[y] (period weight x share of a year) x annuity x capacity."""
    terms = [(builds.capacity(y) * (charge[y] * annual_usd_per_mw)).sum() for y in builds.periods]
    return sum(terms[1:], terms[0])


# ---------------------------------------------------------------- reservoir stages
# keys of BuildContext.extendable / extendable_max for what a stage changes (not kinds)
STAGE_STANDING = "stage_standing"  # b per reservoir with a stage
STAGE_REPLACES = "stage_replaces"  # b per plant a stage rebuilds
STAGE_RISE = {
    "storage_min_hm3": "stage_min_rise",
    "storage_initial_hm3": "stage_initial_rise",
    "storage_final_min_hm3": "stage_final_rise",
}


def stage_plants(table: pd.DataFrame) -> pd.DataFrame:
    """The plants the stage candidates of `table` rebuild, indexed by the id of the stage's
    version of each (the candidate's id when it rebuilds one plant, else `stage_plant`)."""
    from vakhsh.schema.parse import stage_template

    rows = []
    for cid, row in table[table["component"] == STAGES].iterrows():
        stage = stage_template(row.template)
        for pid, plant in stage.plants.items():
            sid = cid if len(stage.plants) == 1 else f"{cid}_{pid}"
            rows.append({"id": sid, "candidate": cid, "plant": pid, **plant.model_dump()})
    columns = [
        "id",
        "candidate",
        "plant",
        "capacity_mw",
        "max_flow_m3s",
        "head_m",
        "capacity_factor",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def stage_rises(table: pd.DataFrame, net: Network) -> dict[str, xr.DataArray]:
    """Per reservoir with a stage, how much each storage field rises when it stands (hm3)."""
    from vakhsh.schema.parse import stage_template

    res = net.tables["reservoirs"]
    out = {name: {} for name in STAGE_RISE}
    for _cid, row in table[table["component"] == STAGES].iterrows():
        stage = stage_template(row.template)
        today = res.loc[stage.reservoir]
        start = stage.storage_initial_hm3
        start = today.storage_initial_hm3 if start is None else start
        final = stage.storage_final_min_hm3
        final = start if final is None else final
        low = stage.storage_min_hm3
        low = today.storage_min_hm3 if low is None else low
        out["storage_min_hm3"][stage.reservoir] = max(low - today.storage_min_hm3, 0.0)
        out["storage_initial_hm3"][stage.reservoir] = start - today.storage_initial_hm3
        out["storage_final_min_hm3"][stage.reservoir] = max(
            final - today.storage_final_min_hm3, 0.0
        )
    return {
        STAGE_RISE[name]: xr.DataArray(
            list(v.values()), coords=[pd.Index(list(v), name="reservoir")]
        )
        for name, v in out.items()
    }


# ---------------------------------------------------------------- sizes the families see
def extendable_sizes(
    builds: BuildVariables, year: int, net: Network
) -> tuple[dict[str, linopy.LinearExpression], dict[str, xr.DataArray]]:
    """What stands in `year` as the sizes of extendable components, by kind.

    A candidate of a component kind is that kind's extendable component of the same id
    (its size: the capacity standing); a reservoir stage raises its reservoir, whose size is
    the storage added, (stage storage_max_hm3 - storage_max_hm3) * standing. Also returns
    the largest size of each extendable reservoir (for its storage bound).
    """
    capacity = builds.capacity(year)
    table = builds.table
    sizes: dict[str, linopy.LinearExpression] = {}
    rebuilt = stage_plants(table)
    for kind in ("generators", "storage_units", "lines", "hydro_plants"):
        ids = list(table.index[table["component"] == kind])
        of = list(ids)
        if kind == "hydro_plants":  # a stage's version of a plant has the stage's size
            ids, of = ids + list(rebuilt.index), of + list(rebuilt["candidate"])
        if ids:
            sizes[kind] = (
                capacity.sel({CANDIDATE: of})
                .assign_coords({CANDIDATE: ids})
                .rename({CANDIDATE: net.dim(kind)})
            )
    stages = table[table["component"] == STAGES]
    if not len(stages):
        return sizes, {}
    if len(rebuilt):
        sizes[STAGE_REPLACES] = (
            capacity.sel({CANDIDATE: list(rebuilt["candidate"])})
            .assign_coords({CANDIDATE: list(rebuilt["plant"])})
            .rename({CANDIDATE: "hydro_plant"})
        )
    sizes[STAGE_STANDING] = (
        capacity.sel({CANDIDATE: list(stages.index)})
        .assign_coords({CANDIDATE: [t["reservoir"] for t in stages["template"]]})
        .rename({CANDIDATE: "reservoir"})
    )
    base = net.tables["reservoirs"]["storage_max_hm3"]
    reservoirs = [t["reservoir"] for t in stages["template"]]
    extra = xr.DataArray(
        [float(t["storage_max_hm3"]) - float(base[t["reservoir"]]) for t in stages["template"]],
        coords=[pd.Index(stages.index, name=CANDIDATE)],
    )
    added = (
        (capacity.sel({CANDIDATE: list(stages.index)}) * extra)
        .assign_coords({CANDIDATE: reservoirs})
        .rename({CANDIDATE: "reservoir"})
    )
    sizes["reservoirs"] = added
    return sizes, {
        "reservoirs": extra.assign_coords({CANDIDATE: reservoirs}).rename({CANDIDATE: "reservoir"}),
        **stage_rises(table, net),
    }
