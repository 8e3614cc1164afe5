"""Assemble the LP from its constraint families, in the order their terms depend on."""

from __future__ import annotations

from collections.abc import Callable

import linopy

from vakhsh.math.context import BuildConfig, BuildContext, HeadParameters
from vakhsh.math.hydro import add_hydro
from vakhsh.math.power import (
    add_generators,
    add_lines,
    add_markets,
    add_power_balance,
    add_storage_units,
    add_unserved,
)
from vakhsh.math.water import add_water_balances, add_water_flows, add_water_variables
from vakhsh.network import Network

# Each family adds its variables and routes its flows; the balances close last.
OPERATION = (
    add_water_variables,
    add_hydro,
    add_water_flows,
    add_generators,
    add_unserved,
    add_storage_units,
    add_lines,
    add_markets,
)
BALANCES = (add_water_balances, add_power_balance)


def build_model(net: Network, params: HeadParameters, config: BuildConfig | None = None,
                extra_families: tuple[Callable[[BuildContext], None], ...] = ()
                ) -> BuildContext:
    """The linopy model of `net` at the given head and evaporation.

    `extra_families` (for example investment in candidates) run after the operational
    families have added their variables and before the balances close, so they can route
    flows and power into the same balances and add costs.
    """
    model = linopy.Model(force_dim_names=True)
    ctx = BuildContext(net=net, model=model, params=params, config=config or BuildConfig())
    for family in (*OPERATION, *extra_families, *BALANCES):
        family(ctx)
    objective = sum(ctx.cost_terms[1:], ctx.cost_terms[0]) if ctx.cost_terms else None
    if objective is None:
        raise ValueError("the model has nothing to decide: no costs at all")
    model.add_objective(objective)
    return ctx
