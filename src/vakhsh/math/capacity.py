"""Limits that scale with a component's size, whether the size is fixed or a decision.

A family states each limit once, as the array `upper[t, c]` it takes at the sizes in the
Network's table. For a component of fixed size that is a bound on the variable. For an
extendable one (investment planning, like PyPSA's `p_nom_extendable`) the table holds the
limit per unit of size and the bound becomes a row over the size decision:

    fixed:       0 <= x[t, c] <= upper[t, c]
    extendable:  0 <= x[t, c],   x[t, c] - upper[t, c] * size[c] <= 0
                 (x[t, c] = 0 where upper[t, c] = 0: not yet available, no sun)
"""

from __future__ import annotations

import linopy
import numpy as np
import xarray as xr

from vakhsh.math.context import BuildContext


def bounded_variable(
    ctx: BuildContext, name: str, kind: str, upper: xr.DataArray, lower=0.0
) -> linopy.Variable:
    """A (time, component) variable of `kind` within `upper` times each component's size."""
    ids = ctx.extendable_ids(kind)
    dim = ctx.net.dim(kind)
    upper = upper.transpose("time", dim)
    per_size = upper.sel({dim: ids}) if ids else None
    if ids:
        open_ = xr.DataArray(np.isin(upper[dim].values, ids), coords={dim: upper[dim]}, dims=[dim])
        upper = upper.where(~open_ | (upper <= 0), np.inf)
    variable = ctx.add_var(lower=lower, upper=upper, coords=ctx.coords(kind), name=name)
    if ids:
        limit_by_size(ctx, variable, kind, per_size, name)
    return variable


def limit_by_size(ctx: BuildContext, expr, kind: str, per_size: xr.DataArray, name: str) -> None:
    """Row `expr[t, c] <= per_size[t, c] * size[c]` for the extendable components of `kind`
    (no row when none is extendable)."""
    ids = ctx.extendable_ids(kind)
    if not ids:
        return
    dim = ctx.net.dim(kind)
    ctx.add_con(
        expr.sel({dim: ids}) - per_size.sel({dim: ids}) * ctx.size(kind) <= 0,
        name=f"{name}_size_limit",
    )


def floor_by_size(ctx: BuildContext, expr, kind: str, per_size: xr.DataArray, name: str) -> None:
    """Row `expr[t, c] >= per_size[t, c] * size[c]` for the extendable components of `kind`
    whose floor is positive somewhere (a must-run output that scales with the size)."""
    dim = ctx.net.dim(kind)
    ids = [c for c in ctx.extendable_ids(kind) if float(per_size.sel({dim: c}).max()) > 0]
    if not ids:
        return
    size = ctx.size(kind).sel({dim: ids})
    ctx.add_con(
        expr.sel({dim: ids}) - per_size.sel({dim: ids}) * size >= 0, name=f"{name}_size_floor"
    )
