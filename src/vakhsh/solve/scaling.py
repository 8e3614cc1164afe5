"""HiGHS's scaling warnings in plain words, naming the families and fields behind them.

HiGHS checks the coefficient ranges of every LP it is given and warns when costs, bounds
or matrix entries are "excessively" large or small for its tolerances; such an LP may
solve inaccurately, slowly, or stop without an optimum. vakhsh keeps HiGHS's warnings
(from its log) and says where the extreme coefficients come from: the constraint or
variable family, the component at the extreme, and the model fields that set it.
"""

from __future__ import annotations

from dataclasses import dataclass

import linopy
import numpy as np

# the model fields behind the coefficients of each family (costs are per step: field x
# step hours for power, field x hm3 per m3/s-step for water)
FIELDS = {
    "generator_p_mw": "generators.*.marginal_cost_usd_per_mwh, generators.*.capacity_mw",
    "unserved_mw": "buses.*.voll_usd_per_mwh, loads.*.p_mw",
    "market_import_mw": "markets.*.price_usd_per_mwh, markets.*.max_import_mw",
    "market_export_mw": "markets.*.price_usd_per_mwh, markets.*.max_export_mw",
    "spill_m3s": "reservoirs.*.spill_cost_usd_per_hm3",
    "withdrawal_m3s": "water_demands.*.shortage_cost_usd_per_hm3, water_demands.*.demand_m3s",
    "reach_shortfall_m3s": "reaches.*.shortfall_cost_usd_per_hm3, reaches.*.min_flow_m3s",
    "sink_shortfall_m3s": "sinks.*.shortfall_cost_usd_per_hm3, sinks.*.min_inflow_m3s",
    "storage_m3s_step": "reservoirs.*.storage_*_hm3",
    "reach_flow_m3s": "reaches.*.min_flow_m3s, reaches.*.max_flow_m3s",
    "turbine_flow_m3s": "hydro_plants.*.max_flow_m3s, capacity_mw, efficiency, head",
    "storage_soc_mwh": "storage_units.*.energy_mwh",
    "storage_charge_mw": "storage_units.*.power_mw",
    "storage_discharge_mw": "storage_units.*.power_mw",
    "line_forward_mw": "lines.*.capacity_mw",
    "line_backward_mw": "lines.*.capacity_mw",
    "reservoir_balance": "catchments.*.inflow_m3s, reservoirs.*.evaporation_mm_per_month",
    "junction_balance": "catchments.*.inflow_m3s",
    "power_balance": "loads.*.p_mw, hydro_plants.*.efficiency and head",
    "storage_soc_balance": "storage_units.*.efficiency_roundtrip",
    "min_release": "reservoirs.*.min_release_m3s",
    "sink_min_inflow": "sinks.*.min_inflow_m3s",
}

KINDS = {
    "cost": "cost coefficients",
    "bound": "variable bounds",
    "rhs": "right-hand sides",
    "matrix": "matrix coefficients",
}


@dataclass(frozen=True)
class Extreme:
    kind: str  # cost, bound, rhs, matrix
    family: str
    largest: float
    smallest: float  # the smallest nonzero magnitude
    where: str  # the component (and step) at the largest

    def describe(self) -> str:
        fields = FIELDS.get(self.family.removeprefix("elastic_"))
        source = f"; set by {fields}" if fields else ""
        return (
            f"{KINDS[self.kind]} of {self.family} reach {self.largest:.1e} "
            f"(at {self.where}{source})"
        )


# HiGHS's notes on its own speed, not on the LP's numbers: the parallel dual simplex
# runs at least 3 concurrent iterations and says so on fewer threads
ABOUT_SPEED = ("Using concurrency of", "Number of threads available")


def highs_warnings(log: str) -> list[str]:
    """HiGHS's warnings about the LP's numbers, from its log."""
    lines = []
    for line in log.splitlines():
        text = line.removeprefix("WARNING:").strip()
        if (
            line.startswith("WARNING:")
            and text
            and not text.startswith(("Consider", "Improve", *ABOUT_SPEED))
        ):
            lines.append(text)
    return lines


def extremes(model: linopy.Model) -> list[Extreme]:
    """The largest magnitude of each family's costs, bounds, right-hand sides and matrix
    coefficients, largest first within each kind."""
    out: list[Extreme] = []
    names = list(model.variables)
    starts = np.array([int(model.variables[n].labels.min()) for n in names])
    order = np.argsort(starts)
    names, starts = [names[i] for i in order], starts[order]
    expression = model.objective.expression
    labels = expression.vars.values.ravel()
    coeffs = expression.coeffs.values.ravel()
    keep = labels >= 0
    labels, coeffs = labels[keep], coeffs[keep]
    # a variable may appear in several cost terms: its cost is their sum
    unique, inverse = np.unique(labels, return_inverse=True)
    cost = np.abs(np.bincount(inverse, weights=coeffs))
    family = np.searchsorted(starts, unique, side="right") - 1
    for k, name in enumerate(names):
        mask = (family == k) & (cost > 0)
        if mask.any():
            top = unique[mask][np.argmax(cost[mask])]
            out.append(
                Extreme(
                    "cost",
                    name,
                    float(cost[mask].max()),
                    float(cost[mask].min()),
                    _where(model.variables[name], top),
                )
            )
        var = model.variables[name]
        bounds = np.abs(np.concatenate([var.lower.values.ravel(), var.upper.values.ravel()]))
        bounds = bounds[np.isfinite(bounds) & (bounds > 0)]
        if bounds.size:
            out.append(
                Extreme(
                    "bound",
                    name,
                    float(bounds.max()),
                    float(bounds.min()),
                    _at_value(var, bounds.max()),
                )
            )
    for name in model.constraints:
        con = model.constraints[name]
        values = np.abs(np.where(con.vars.values >= 0, con.coeffs.values, 0.0))
        nonzero = values[values > 0]
        if nonzero.size:
            out.append(
                Extreme(
                    "matrix",
                    name,
                    float(nonzero.max()),
                    float(nonzero.min()),
                    _position(con.coeffs, np.argmax(values)),
                )
            )
        rhs = np.abs(con.rhs.values)
        rhs = np.where(np.isfinite(rhs), rhs, 0.0)
        if (rhs > 0).any():
            out.append(
                Extreme(
                    "rhs",
                    name,
                    float(rhs.max()),
                    float(rhs[rhs > 0].min()),
                    _position(con.rhs, np.argmax(rhs)),
                )
            )
    return sorted(out, key=lambda e: (e.kind, -e.largest))


def explain(model: linopy.Model, warnings: list[str], per_kind: int = 2) -> list[str]:
    """Plain-words lines for HiGHS's scaling warnings (nothing when it gave none)."""
    if not warnings:
        return []
    text = " ".join(warnings).lower()
    kinds = [
        kind
        for kind, words in (
            ("cost", ("cost", "objective")),
            ("bound", ("bound", "primal")),
            ("rhs", ("row bound", "primal")),
            ("matrix", ("matrix",)),
        )
        if any(w in text for w in words)
    ]
    found = extremes(model)
    lines = [
        "HiGHS warns that the LP is badly scaled, which may make its answer inaccurate "
        "or stop it without one (" + "; ".join(warnings) + ")"
    ]
    for kind in kinds or list(KINDS):
        of_kind = [e for e in found if e.kind == kind]
        # the families that make the range: within a factor 100 of the largest
        top = [e for e in of_kind if e.largest >= of_kind[0].largest / 100][:per_kind]
        lines += ["  " + e.describe() for e in top]
    return lines


def _where(var: linopy.Variable, label: int) -> str:
    return _position(var.labels, int(np.flatnonzero(var.labels.values.ravel() == label)[0]))


def _at_value(var: linopy.Variable, value: float) -> str:
    for array in (var.upper, var.lower):
        hits = np.flatnonzero(np.abs(array.values.ravel()) == value)
        if hits.size:
            return _position(array, int(hits[0]))
    return "?"


def _position(array, flat: int) -> str:
    """The coordinates of a flat position of a DataArray, as `dim value, ...` (the
    `_term` dimension of linear expressions left out)."""
    index = np.unravel_index(int(flat), array.shape)
    parts = []
    for dim, i in zip(array.dims, index, strict=True):
        if dim == "_term" or dim not in array.coords:
            continue
        value = array.coords[dim].values[i]
        if dim == "time":
            value = str(value)[:16].replace("T", " ")
        parts.append(f"{dim} {value}")
    return ", ".join(parts) or "the whole family"
