"""What every constraint family needs while the LP is built.

`BuildContext` holds the linopy model, the Network it reads, the parameters that change
between successive-LP iterations (head per plant and step, evaporation per reservoir and
step) and the terms that families contribute to the two shared balances: water at each
river node and power at each bus. Families add terms; `water.py` and `power.py` close the
balances once everything has contributed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.balance import Balance
from vakhsh.math.terms import linear_total
from vakhsh.network import Network
from vakhsh.schema.components import NODE_KINDS

NODE = "node"
# penalty of the elastic slacks used to diagnose infeasible models, USD per unit
ELASTIC_PENALTY = 1e7
# The kinds of cost in the objective (summary.json's `costs_usd`), and the diagnosis slacks.
COST_KINDS = (
    "generation",
    "unserved_energy",
    "water_shortage",
    "reach_shortfall",
    "sink_shortfall",
    "spill",
    "market_imports",
    "market_export_revenue",
)
ELASTIC = "elastic"
# the storage tie-break's kind: in the LP's objective, never in a reported cost or objective
TIE_BREAK = "storage_tie_break"


@dataclass(frozen=True)
class BuildConfig:
    """Options of one LP build, passed explicitly (no state hidden on the Network)."""

    elastic: bool = False  # add priced slacks on every hard constraint (diagnosis)
    # with `elastic`: the storage floor and end target as rows with slacks of their own (a
    # diagnosis names them); SDDP's recourse stages keep them as bounds of the state
    elastic_storage: bool = True
    # how head enters the hydro family (math/fpha.py): "fixed" (the head parameters),
    # "auto" (FPHA for plants whose `production` is auto or fpha and whose data allow it)
    # or "fpha" (FPHA for every plant whose data allow it)
    production: str = "fixed"
    # a tiny reward for water held (water.add_storage_tie_break), USD per m3/s-step of
    # storage per step (the LP's own unit): picks one schedule among equal-cost ones;
    # 0 turns it off
    storage_tie_break: float = 2e-4
    # how FPHA's planes are fitted (`fpha_fit.PlantCurve` -> `fpha_fit.Planes`); None: the
    # concave envelope (`fpha_fit.fit_planes`). Another fit (a correction factor, another
    # flow range) may lie below the exact output in places: measured side by side in
    # datasets/central-asia/fpha_options.py
    fpha_fit: Callable | None = None


@dataclass
class HeadParameters:
    """Head per (time, hydro_plant) in m and evaporation per (time, reservoir) in hm3."""

    head_m: xr.DataArray
    evaporation_hm3: xr.DataArray


@dataclass
class BuildContext:
    net: Network
    model: linopy.Model
    params: HeadParameters
    config: BuildConfig = field(default_factory=BuildConfig)
    # water: m3/s per (time, node), positive into the node; power: MW per (time, bus)
    water: Balance | None = None
    water_constants: list[xr.DataArray] = field(default_factory=list)
    power: Balance | None = None
    # releases from each reservoir that count toward its minimum release (turbines, spill)
    release: Balance | None = None
    # the objective's terms by kind (vakhsh.results.metrics.COST_KINDS, plus "elastic"),
    # and constant parts outside linopy (the cost of every demand unmet) by kind
    costs: dict[str, list[linopy.LinearExpression]] = field(default_factory=dict)
    cost_constants: dict[str, float] = field(default_factory=dict)
    elastic: dict[str, tuple[str, str]] = field(default_factory=dict)
    # what each elastic slack measures: "balance" (physics), "limit" (summed over steps)
    # or "level" (a storage level: its worst step is reported)
    elastic_kinds: dict[str, str] = field(default_factory=dict)
    # several cases (investment years, inflow members) share one linopy model: each case
    # names its variables and constraints with its own prefix and weighs its costs
    prefix: str = ""
    weight: float = 1.0
    # sizes that are decisions (investment planning), by kind: a linopy expression along
    # the kind's dimension over its extendable components. Their size-scaled fields in the
    # Network's table hold values per unit of size (capacity_mw 1: 1 MW times the size);
    # for reservoirs the size is the storage (hm3) added above storage_max_hm3.
    extendable: dict[str, linopy.LinearExpression] = field(default_factory=dict)
    extendable_max: dict[str, xr.DataArray] = field(default_factory=dict)
    # storage entering the horizon as a variable, hm3 per reservoir (an SDDP stage's
    # incoming state): FPHA's mean storage of the first step reads it instead of the
    # constant `storage_initial_hm3` (math/fpha.py); None: the constant
    storage_in: linopy.Variable | None = None
    # FPHA planes fitted before, by plant (`fpha.plant_planes`): builds of the same
    # plants (SDDP's stages) fit once; None: fitted at the build
    fpha_planes: dict | None = None

    def __post_init__(self) -> None:
        time = pd.Index(self.net.time, name="time")
        self.water = Balance(time, self.nodes())
        self.power = Balance(time, self.net.coord("buses"))
        self.release = Balance(time, self.net.coord("reservoirs"))

    @property
    def water_terms(self) -> list[linopy.LinearExpression]:
        """The water flows into each node as one expression (a list, empty if none)."""
        return [self.water.expression(self.model)] if self.water else []

    @property
    def power_terms(self) -> list[linopy.LinearExpression]:
        return [self.power.expression(self.model)] if self.power else []

    # ---- names of this case's variables and constraints ----
    def add_var(self, name: str, **kwargs) -> linopy.Variable:
        return self.model.add_variables(name=self.prefix + name, **kwargs)

    def add_con(self, constraint, name: str, mask=None) -> linopy.Constraint:
        return self.model.add_constraints(constraint, name=self.prefix + name, mask=mask)

    def var(self, name: str) -> linopy.Variable:
        return self.model.variables[self.prefix + name]

    def con(self, name: str) -> linopy.Constraint:
        return self.model.constraints[self.prefix + name]

    def has_var(self, name: str) -> bool:
        return self.prefix + name in self.model.variables

    def has_con(self, name: str) -> bool:
        return self.prefix + name in self.model.constraints

    @property
    def time(self) -> pd.DatetimeIndex:
        return self.net.time

    @property
    def k(self) -> float:
        """hm3 per (m3/s over one step)."""
        return self.net.hm3_per_m3s

    @property
    def hours(self) -> float:
        return self.net.step_hours

    def extendable_ids(self, kind: str) -> list[str]:
        """Components of `kind` whose size is a decision (none outside planning)."""
        size = self.extendable.get(kind)
        return [] if size is None else list(size.coords[self.net.dim(kind)].values)

    def size(self, kind: str) -> linopy.LinearExpression:
        return self.extendable[kind]

    def nodes(self) -> pd.Index:
        names = [n for kind in NODE_KINDS for n in self.net.ids(kind)]
        return pd.Index(names, name=NODE)

    def has(self, kind: str) -> bool:
        return len(self.net.tables[kind]) > 0

    def coords(self, kind: str) -> list[pd.Index]:
        return [pd.Index(self.time, name="time"), self.net.coord(kind)]

    def series(self, kind: str, name: str) -> xr.DataArray:
        return self.net.series[kind][name]

    # ---- routing flows into balances ----
    def add_water(
        self, expr, dim: str, target: pd.Series, sign: float = 1.0, coefficient=1.0
    ) -> None:
        self.water.add(expr, dim, target, sign, coefficient)

    def add_water_constant(self, values: xr.DataArray, dim: str, target: pd.Series) -> None:
        """Constant m3/s per (time, dim) entering the node each element names."""
        frame = values.transpose("time", dim).to_pandas()
        by_node = frame.T.groupby(target.loc[frame.columns].to_numpy()).sum().T
        by_node = by_node.reindex(columns=self.nodes(), fill_value=0.0)
        self.water_constants.append(
            xr.DataArray(
                by_node.to_numpy(), coords=[pd.Index(self.time, name="time"), self.nodes()]
            )
        )

    def add_power(
        self, expr, dim: str, buses: pd.Series, sign: float = 1.0, coefficient=1.0
    ) -> None:
        self.power.add(expr, dim, buses, sign, coefficient)

    def add_cost(self, expr, kind: str, constant: float = 0.0, coefficient=1.0) -> None:
        """Add Σ `coefficient` · `expr` (summed over every dim) and `constant` to the
        objective under a cost kind. `coefficient` (a number, or a DataArray over some of
        `expr`'s dims) is applied with numpy: `price * x` in linopy would align them."""
        if kind not in COST_KINDS and kind not in (ELASTIC, TIE_BREAK):
            raise ValueError(f"unknown cost kind {kind!r}; known: {', '.join(COST_KINDS)}")
        self.costs.setdefault(kind, []).append(linear_total(self.model, [(coefficient, expr)]))
        if constant:
            self.cost_constants[kind] = self.cost_constants.get(kind, 0.0) + constant

    @property
    def cost_terms(self) -> list[linopy.LinearExpression]:
        return [term for terms in self.costs.values() for term in terms]

    @property
    def cost_constant(self) -> float:
        return float(sum(self.cost_constants.values()))

    def cost_values(self) -> dict[str, float]:
        """The solved objective of this case by kind (unweighted), USD, without the
        storage tie-break (`tie_break_usd`)."""
        kinds = dict.fromkeys(
            [k for k in [*self.costs, *self.cost_constants] if k != TIE_BREAK], 0.0
        )
        for kind, terms in self.costs.items():
            if kind == TIE_BREAK:
                continue
            kinds[kind] += float(sum(float(t.solution) for t in terms))
        for kind, value in self.cost_constants.items():
            kinds[kind] += value
        return kinds

    def tie_break_usd(self) -> float:
        """What the storage tie-break adds to the solved objective (unweighted), USD."""
        return float(sum(float(t.solution) for t in self.costs.get(TIE_BREAK, [])))

    def elastic_slack(
        self,
        name: str,
        coords: list[pd.Index],
        family: str,
        dim: str,
        balance: bool = False,
        level: bool = False,
    ) -> linopy.Variable:
        """A non-negative slack priced at ELASTIC_PENALTY (only in elastic builds).

        Slacks on balances (water appearing from nowhere) cost ten times more than slacks
        on limits, so that a limit that cannot be met takes the blame before physics does.
        """
        slack = self.add_var(lower=0, coords=coords, name=f"elastic_{name}")
        self.add_cost(slack, ELASTIC, coefficient=ELASTIC_PENALTY * (10.0 if balance else 1.0))
        self.elastic[f"elastic_{name}"] = (family, dim)
        self.elastic_kinds[f"elastic_{name}"] = (
            "balance" if balance else "level" if level else "limit"
        )
        return slack


def zeros(coords: list[pd.Index]) -> xr.DataArray:
    return xr.DataArray(np.zeros([len(c) for c in coords]), coords=coords)
