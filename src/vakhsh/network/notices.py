"""Valid models with surprising answers: warnings that name the fields (printed, exit 0).

A model may be a well-posed LP and still not say what its author meant: with no cost
anywhere every feasible plan is optimal, and the one reported is arbitrary; with a value
of lost load below a generator's fuel cost the optimiser sheds load rather than burn fuel.
Each `notice_*` function reads a loaded Network and returns its warnings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vakhsh.network.network import Network

Notice = Callable[[Network], list[str]]

# (kind, field, is a series) of every price the objective reads
COSTS = (
    ("generators", "marginal_cost_usd_per_mwh", True),
    ("buses", "voll_usd_per_mwh", False),
    ("water_demands", "shortage_cost_usd_per_hm3", False),
    ("reservoirs", "spill_cost_usd_per_hm3", False),
    ("reaches", "shortfall_cost_usd_per_hm3", False),
    ("sinks", "shortfall_cost_usd_per_hm3", False),
    ("markets", "price_usd_per_mwh", True),
)


def notice_no_costs(net: Network) -> list[str]:
    """Every price in the model is zero (or absent)."""
    written = []
    for kind, field, is_series in COSTS:
        if not len(net.tables[kind]):
            continue
        values = (
            net.series[kind][field].values
            if is_series
            else net.tables[kind][field].to_numpy(dtype=float)
        )
        if np.nanmax(np.abs(values), initial=0.0) > 0:
            return []
        if not np.all(np.isnan(values)):
            written.append(f"{kind}.*.{field}")
    if not written:
        return []
    return [
        f"model.yaml: nothing has a cost ({', '.join(written)} are all 0): every "
        "feasible plan costs 0 and the one reported is arbitrary; give fuel costs, a "
        "value of lost load or shortage costs"
    ]


def notice_voll_below_costs(net: Network) -> list[str]:
    """A bus whose value of lost load is below the cost of a source at that bus: load is
    shed rather than served from it."""
    buses = net.tables["buses"]
    out = []
    for kind, field, bus_of in (
        ("generators", "marginal_cost_usd_per_mwh", "bus"),
        ("markets", "price_usd_per_mwh", "bus"),
    ):
        table = net.tables[kind]
        if not len(table):
            continue
        highest = net.series[kind][field].max("time").to_pandas()
        for cid, cost in highest.items():
            bus = table.loc[cid, bus_of]
            voll = float(buses.loc[bus, "voll_usd_per_mwh"])
            if cost > voll:
                source = "buying from" if kind == "markets" else "running"
                out.append(
                    f"model.yaml: buses.{bus}.voll_usd_per_mwh ({voll:g}) is below "
                    f"{kind}.{cid}.{field} (up to {cost:g}): load at {bus} is left "
                    f"unserved rather than {source} {cid} when that costs more"
                )
    return out


NOTICES: tuple[Notice, ...] = (notice_no_costs, notice_voll_below_costs)


def model_warnings(net: Network) -> tuple[str, ...]:
    found: list[str] = []
    for notice in NOTICES:
        found += notice(net)
    return tuple(found)
