"""Assemble the LP from its constraint families, in the order their terms depend on."""

from __future__ import annotations

import linopy

from vakhsh.math.context import BuildConfig, BuildContext, HeadParameters
from vakhsh.math.hydro import add_hydro
from vakhsh.math.kirchhoff import add_kirchhoff
from vakhsh.math.power import (
    add_generators,
    add_lines,
    add_markets,
    add_power_balance,
    add_storage_units,
    add_unserved,
)
from vakhsh.math.terms import linear_total
from vakhsh.math.water import (
    add_storage_tie_break,
    add_water_balances,
    add_water_flows,
    add_water_variables,
)
from vakhsh.network import Network

# Each family adds its variables and routes its flows; the balances close last.
OPERATION = (
    add_water_variables,
    add_storage_tie_break,
    add_hydro,
    add_water_flows,
    add_generators,
    add_unserved,
    add_storage_units,
    add_lines,
    add_kirchhoff,
    add_markets,
)
BALANCES = (add_water_balances, add_power_balance)


def new_context(
    net: Network,
    params: HeadParameters,
    config: BuildConfig | None = None,
    model: linopy.Model | None = None,
    prefix: str = "",
    weight: float = 1.0,
) -> BuildContext:
    """A build context for one case; cases built into the same `model` need a prefix."""
    return BuildContext(
        net=net,
        model=model or linopy.Model(force_dim_names=True),
        params=params,
        config=config or BuildConfig(),
        prefix=prefix,
        weight=weight,
    )


def add_operation(ctx: BuildContext) -> None:
    """Every operational family of one case, then its balances. Components whose size is a
    decision (`ctx.extendable`, investment planning) are operated by the same families."""
    for family in (*OPERATION, *BALANCES):
        family(ctx)


def set_objective(
    model: linopy.Model, contexts: list[BuildContext], shared_costs: list | None = None
) -> None:
    """Weighted sum of every case's costs, plus costs shared by all cases (investment)."""
    # one expression stacked with numpy: each linopy operation costs milliseconds
    terms = [(ctx.weight, term) for ctx in contexts for term in ctx.cost_terms]
    terms += [(1.0, term) for term in shared_costs or []]
    if not terms:
        # nothing has a price (a water-only model without costs): any feasible plan will do
        terms = [(0.0, model.variables[next(iter(model.variables))])]
    model.add_objective(linear_total(model, terms))


def build_model(
    net: Network, params: HeadParameters, config: BuildConfig | None = None
) -> BuildContext:
    """The linopy model of one case of `net` at the given head and evaporation."""
    ctx = new_context(net, params, config)
    add_operation(ctx)
    set_objective(ctx.model, [ctx])
    return ctx
