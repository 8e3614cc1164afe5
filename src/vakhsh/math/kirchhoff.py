"""Linearised AC power flow: Kirchhoff's voltage law on the lines that have a reactance.

Lines with `x_ohm` form the AC network; their net flow `f = forward - backward` (MW, from
`from` to `to`) obeys, on every cycle k of a cycle basis and every step,

    sum_l C[k, l] * x_pu[l] * f[l] = 0,        x_pu = x_ohm / v_nom_kv(from)^2

(the DC power-flow approximation, as PyPSA's `define_kirchhoff_voltage_constraints`).
C holds +1/-1 where a line runs along or against the cycle. The basis comes from a
spanning forest: with the incidence matrix K = [K_T K_N] split into tree and co-tree
lines, each co-tree line closes one cycle, C = [-(K_T^-1 K_N)^T  I], computed with one
sparse LU (no graph library). Each row is divided by its largest |x_pu| so that its
coefficients are near 1.

The cycles follow availability: steps are grouped by which AC lines exist, and each
group gets the basis of its own network (masked rows), so a line that is not yet built
closes no cycle. Lines without `x_ohm` stay transport links.

`KVL_FORMULATION` is "cycles"; "angles" (a voltage angle per bus and one row per line and
step, `x_pu * f = theta_from - theta_to`) gives the same optimum and is kept for the
benchmark (bench/bench_kvl.py measured cycles faster, see docs/pypsa.md).
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import splu

from vakhsh.math.context import BuildContext

KVL_FORMULATION = "cycles"


def per_unit_reactance(net) -> pd.Series:
    """x_pu of the lines that have a reactance (the AC lines), by line id."""
    lines = net.tables["lines"]
    if "x_ohm" not in lines or not len(lines):
        return pd.Series(dtype=float)
    ac = lines[lines["x_ohm"].notna()]
    v_nom = net.tables["buses"]["v_nom_kv"].reindex(ac["from"]).to_numpy(dtype=float)
    return pd.Series(ac["x_ohm"].to_numpy(dtype=float) / v_nom**2, index=ac.index)


def cycle_basis(from_bus: np.ndarray, to_bus: np.ndarray, buses: int) -> np.ndarray:
    """Cycles (rows) over the given lines (columns): +1/-1 along/against the cycle.

    `from_bus` and `to_bus` are bus positions; parallel lines and several islands are
    fine. The rows span the kernel of the incidence matrix (every cycle of the graph)."""
    lines = len(from_bus)
    if lines == 0:
        return np.zeros((0, 0))
    inc = sp.csc_matrix(
        (
            np.r_[np.ones(lines), -np.ones(lines)],
            (np.r_[from_bus, to_bus], np.r_[np.arange(lines), np.arange(lines)]),
        ),
        shape=(buses, lines),
    )
    tree = _spanning_forest(from_bus, to_bus, buses)
    cotree = np.setdiff1d(np.arange(lines), tree)
    if not len(cotree):
        return np.zeros((0, lines))
    roots = _roots(from_bus, to_bus, buses)
    rows = np.setdiff1d(np.arange(buses), roots)
    # buses touched by no line are their own roots: K_T restricted to the others is square
    k_tree = inc[rows][:, tree].tocsc()
    k_cotree = inc[rows][:, cotree].toarray()
    c_tree = -splu(k_tree).solve(k_cotree) if len(tree) else np.zeros((0, len(cotree)))
    basis = np.zeros((len(cotree), lines))
    basis[:, tree] = np.round(c_tree.T)  # exactly -1, 0, 1 (a tree path)
    basis[np.arange(len(cotree)), cotree] = 1.0
    return basis


def _adjacency(from_bus, to_bus, buses) -> sp.csr_matrix:
    ones = np.ones(len(from_bus))
    return sp.csr_matrix(
        (np.r_[ones, ones], (np.r_[from_bus, to_bus], np.r_[to_bus, from_bus])),
        shape=(buses, buses),
    )


def _roots(from_bus, to_bus, buses) -> np.ndarray:
    """One bus per island (the lowest position), including buses with no line."""
    _, label = connected_components(_adjacency(from_bus, to_bus, buses), directed=False)
    _, first = np.unique(label, return_index=True)
    return first


def _spanning_forest(from_bus, to_bus, buses) -> np.ndarray:
    """Positions of the lines of a spanning forest (breadth first from each island's root).

    The tree's bus-to-parent edges are mapped back to the first line joining each pair."""
    adj = _adjacency(from_bus, to_bus, buses)
    parent = np.full(buses, -9999)
    for root in _roots(from_bus, to_bus, buses):  # one pass per island, not per step
        _, pred = breadth_first_order(adj, root, directed=False, return_predecessors=True)
        reached = pred >= 0
        parent[reached] = pred[reached]
    child = np.flatnonzero(parent >= 0)
    pair = pd.Series(
        np.arange(len(from_bus)),
        index=pd.MultiIndex.from_arrays(
            [np.minimum(from_bus, to_bus), np.maximum(from_bus, to_bus)]
        ),
    )
    first = pair[~pair.index.duplicated()]
    keys = pd.MultiIndex.from_arrays(
        [np.minimum(child, parent[child]), np.maximum(child, parent[child])]
    )
    return np.sort(first.reindex(keys).to_numpy())


def add_kirchhoff(ctx: BuildContext, formulation: str | None = None) -> None:
    """KVL on the AC lines (lines with x_ohm); nothing without them."""
    if not ctx.has("lines"):
        return
    x_pu = per_unit_reactance(ctx.net)
    if x_pu.empty:
        return
    formulation = formulation or KVL_FORMULATION
    if formulation == "angles":
        _add_angles(ctx, x_pu)
    elif formulation == "cycles":
        _add_cycles(ctx, x_pu)
    else:
        raise ValueError(f"unknown KVL formulation {formulation!r}: cycles or angles")


def _net_flow(ctx: BuildContext, ids: pd.Index) -> linopy.LinearExpression:
    forward = ctx.var("line_forward_mw").sel(line=list(ids))
    backward = ctx.var("line_backward_mw").sel(line=list(ids))
    return forward - backward


def _add_cycles(ctx: BuildContext, x_pu: pd.Series) -> None:
    net = ctx.net
    lines = net.tables["lines"].loc[x_pu.index]
    buses = net.coord("buses")
    f_bus, t_bus = buses.get_indexer(lines["from"]), buses.get_indexer(lines["to"])
    active = net.active("lines").sel(line=list(x_pu.index)).transpose("time", "line").values
    patterns, group = np.unique(active, axis=0, return_inverse=True)
    group = np.asarray(group).ravel()
    rows, owner = [], []
    for g, pattern in enumerate(patterns):  # one per distinct set of built lines
        on = np.flatnonzero(pattern)
        basis = cycle_basis(f_bus[on], t_bus[on], len(buses))
        full = np.zeros((len(basis), len(x_pu)))
        full[:, on] = basis
        rows.append(full)
        owner += [g] * len(basis)
    if not owner:
        return
    cycles = np.vstack(rows) * x_pu.to_numpy()[None, :]
    cycles /= np.abs(cycles).max(axis=1, keepdims=True)
    cycle = pd.Index([f"c{i}" for i in range(len(cycles))], name="cycle")
    weights = xr.DataArray(cycles, coords=[cycle, pd.Index(x_pu.index, name="line")])
    lhs = _sparse_dot(_net_flow(ctx, x_pu.index), weights)
    mask = xr.DataArray(
        group[:, None] == np.asarray(owner)[None, :],
        coords=[pd.Index(ctx.time, name="time"), cycle],
    )
    ctx.model.add_constraints(lhs == 0, name=ctx.prefix + "kirchhoff_voltage", mask=mask)


def _sparse_dot(flow: linopy.LinearExpression, weights: xr.DataArray) -> linopy.LinearExpression:
    """sum over lines of weights[cycle, line] * flow[time, line], keeping only the lines
    on each cycle as terms (a dense product would carry every line in every row)."""
    data = flow.data.transpose("time", "line", "_term")
    labels, coeffs = data["vars"].values, data["coeffs"].values  # (time, line, 2)
    w = weights.transpose("cycle", "line").values
    members = [np.flatnonzero(row) for row in w]
    width = max(len(m) for m in members)
    steps, terms = labels.shape[0], labels.shape[2]
    out_labels = np.full((steps, len(members), width * terms), -1, dtype=np.int64)
    out_coeffs = np.zeros((steps, len(members), width * terms))
    for k, on in enumerate(members):  # cycles, not steps
        span = len(on) * terms
        out_labels[:, k, :span] = labels[:, on, :].reshape(steps, span)
        out_coeffs[:, k, :span] = (coeffs[:, on, :] * w[k, on][None, :, None]).reshape(steps, span)
    ds = xr.Dataset(
        {
            "vars": (("time", "cycle", "_term"), out_labels),
            "coeffs": (("time", "cycle", "_term"), out_coeffs),
        },
        coords={"time": data["time"].values, "cycle": weights["cycle"].values},
    )
    return linopy.LinearExpression(ds, flow.model)


def _add_angles(ctx: BuildContext, x_pu: pd.Series) -> None:
    net = ctx.net
    lines = net.tables["lines"].loc[x_pu.index]
    ac_buses = pd.Index(
        pd.unique(np.r_[lines["from"].to_numpy(), lines["to"].to_numpy()]), name="bus"
    )
    time = pd.Index(ctx.time, name="time")
    theta = ctx.add_var(coords=[time, ac_buses], name="voltage_angle")
    f_pos, t_pos = ac_buses.get_indexer(lines["from"]), ac_buses.get_indexer(lines["to"])
    line = pd.Index(x_pu.index, name="line")
    scale = x_pu.to_numpy() / x_pu.max()
    # x_pu * f - (theta_from - theta_to) = 0, all divided by the largest x_pu
    flow = _net_flow(ctx, line).data.transpose("time", "line", "_term")
    angles = theta.labels.transpose("time", "bus").values
    labels = np.concatenate(
        [flow["vars"].values, angles[:, f_pos, None], angles[:, t_pos, None]], axis=2
    )
    ones = np.ones((len(time), len(line), 1))
    coeffs = np.concatenate(
        [flow["coeffs"].values * scale[None, :, None], -ones / x_pu.max(), ones / x_pu.max()],
        axis=2,
    )
    ds = xr.Dataset(
        {
            "vars": (("time", "line", "_term"), labels),
            "coeffs": (("time", "line", "_term"), coeffs),
        },
        coords={"time": time, "line": line},
    )
    active = net.active("lines").sel(line=list(line)).transpose("time", "line")
    ctx.model.add_constraints(
        linopy.LinearExpression(ds, ctx.model) == 0,
        name=ctx.prefix + "kirchhoff_angle",
        mask=active,
    )
    # one reference angle per island (the first bus it reaches)
    roots = ac_buses[_roots(f_pos, t_pos, len(ac_buses))]
    ctx.add_con(theta.sel(bus=list(roots)) == 0, name="reference_angle")
