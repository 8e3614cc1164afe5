"""An independent reference: the synthetic system's LP written out by hand with scipy.

Neither PyPSA nor vakhsh: variables and rows are assembled here from FORMAT.md's conventions
and solved with `scipy.optimize.linprog(method="highs")`. Meant for small sizes, to check that
the PyPSA network and the vakhsh model are the LP we think they are.

Variables per step t (all blocks are time-major, `index = t * count + i`):
  S[r]  storage_hm3        storage_min <= S <= storage_max; S[T-1] >= max(min, initial)
  Q[p]  turbine flow_m3s   0 <= Q <= max_flow_m3s; and a row k*Q <= capacity_mw
  X[r]  spill_m3s          >= 0, unbounded
  G[g]  generator p_mw     0 <= G <= capacity_mw * capacity_factor
  U[l]  unserved p_mw      0 <= U <= load
  F[k]  line flow_mw       -capacity <= F <= capacity (from -> to)
Rows:
  water  S_t - S_{t-1} + c*(Q_r + X_r - inflow - Q_up - X_up) = 0, c = 0.0036 * step_h,
         S_{-1} = storage_initial
  power  sum k*Q + sum G + U - F_out + F_in = load
Objective: step_h * (sum cost * G + voll * U), USD.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from synthetic import HM3_PER_M3S_HOUR, System


def build_reference(s: System, storage_unit: str = "hm3"):
    """The LP as arrays: (cost, A_eq, b_eq, A_ub, b_ub, lb, ub).

    `storage_unit` "hm3": S in hm3, flows enter the water rows with 0.0036 * step_h (as
    vakhsh writes it); "flow_h": S in (m3/s)*h, flows enter with step_h (as PyPSA's Stores).
    Same optimum; different scaling of the water rows and storage columns.
    """
    T, h = s.steps, float(s.step_hours)
    res, pl, gen, ld, ln = s.reservoirs, s.plants, s.generators, s.loads, s.lines
    nr, npl, ng, nl, nk = len(res), len(pl), len(gen), len(ld), len(ln)
    counts = {"S": nr, "Q": npl, "X": nr, "G": ng, "U": nl, "F": nk}
    offset, start = {}, 0
    for name, c in counts.items():
        offset[name] = start
        start += c * T
    nvar = start

    def idx(block: str, i, t):
        return offset[block] + np.asarray(t) * counts[block] + np.asarray(i)

    tt = np.arange(T)
    lb, ub, cost = np.zeros(nvar), np.full(nvar, np.inf), np.zeros(nvar)
    smin, smax = res["storage_min_hm3"].to_numpy(), res["storage_max_hm3"].to_numpy()
    unit = 1.0 if storage_unit == "hm3" else HM3_PER_M3S_HOUR  # hm3 per storage unit
    for r in range(nr):
        lb[idx("S", r, tt)] = smin[r] / unit
        ub[idx("S", r, tt)] = smax[r] / unit
        lb[idx("S", r, T - 1)] = max(smin[r], res["storage_initial_hm3"].iloc[r]) / unit
    k = s.mw_per_m3s().to_numpy()
    for p in range(npl):
        ub[idx("Q", p, tt)] = pl["max_flow_m3s"].iloc[p]
    for g, gid in enumerate(gen.index):
        cf = s.capacity_factor[gid].to_numpy() if gid in s.capacity_factor else 1.0
        ub[idx("G", g, tt)] = gen["capacity_mw"].iloc[g] * cf
        cost[idx("G", g, tt)] = h * gen["marginal_cost_usd_per_mwh"].iloc[g]
    for d, lid in enumerate(ld.index):
        ub[idx("U", d, tt)] = s.load_mw[lid].to_numpy()
        cost[idx("U", d, tt)] = h * s.buses.loc[ld["bus"].iloc[d], "voll_usd_per_mwh"]
    for j in range(nk):
        lb[idx("F", j, tt)] = -ln["capacity_mw"].iloc[j]
        ub[idx("F", j, tt)] = ln["capacity_mw"].iloc[j]

    rows, cols, vals = [], [], []
    c = HM3_PER_M3S_HOUR * h / unit
    rpos = {r: i for i, r in enumerate(res.index)}

    def put(row, col, val):
        row, col = np.broadcast_arrays(row, col)
        rows.append(row.ravel())
        cols.append(col.ravel())
        vals.append(np.broadcast_to(val, row.shape).ravel().astype(float))

    # water rows: one per reservoir and step
    beq_w = np.zeros((T, nr))
    for r, rid in enumerate(res.index):
        row = tt * nr + r
        put(row, idx("S", r, tt), 1.0)
        put(row[1:], idx("S", r, tt[:-1]), -1.0)
        beq_w[0, r] += res["storage_initial_hm3"].iloc[r] / unit
        put(row, idx("X", r, tt), c)
        for cid in s.catchments.index[s.catchments["to"] == rid]:
            beq_w[:, r] += c * s.inflow_m3s[cid].to_numpy()
        up = res.index[res["downstream"] == rid]
        for u in up:
            put(row, idx("X", rpos[u], tt), -c)
    for p, (_pid, prow) in enumerate(pl.iterrows()):
        r = rpos[prow["reservoir"]]
        put(tt * nr + r, idx("Q", p, tt), c)
        if prow["to"] in rpos:
            put(tt * nr + rpos[prow["to"]], idx("Q", p, tt), -c)
    nw = T * nr
    # power rows
    bpos = {b: i for i, b in enumerate(s.buses.index)}
    nbus = len(bpos)
    beq_p = np.zeros((T, nbus))
    for p in range(npl):
        put(nw + tt * nbus + bpos[pl["bus"].iloc[p]], idx("Q", p, tt), k[p])
    for g in range(ng):
        put(nw + tt * nbus + bpos[gen["bus"].iloc[g]], idx("G", g, tt), 1.0)
    for d in range(len(ld.index)):
        b = bpos[ld["bus"].iloc[d]]
        put(nw + tt * nbus + b, idx("U", d, tt), 1.0)
        beq_p[:, b] += s.load_mw[lid].to_numpy()
    for j in range(nk):
        put(nw + tt * nbus + bpos[ln["from"].iloc[j]], idx("F", j, tt), -1.0)
        put(nw + tt * nbus + bpos[ln["to"].iloc[j]], idx("F", j, tt), 1.0)
    neq = nw + T * nbus
    A_eq = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(neq, nvar)
    )
    b_eq = np.concatenate([beq_w.ravel(), beq_p.ravel()])
    # turbine power limit k*Q <= capacity_mw as rows (PyPSA folds it into the flow bound)
    ub_rows = np.arange(T * npl)
    A_ub = sp.csr_matrix(
        (np.tile(k, T), (ub_rows, idx("Q", np.tile(np.arange(npl), T), np.repeat(tt, npl)))),
        shape=(T * npl, nvar),
    )
    b_ub = np.tile(pl["capacity_mw"].to_numpy(), T)
    return cost, A_eq, b_eq, A_ub, b_ub, lb, ub


def solve_reference(s: System, storage_unit: str = "hm3") -> dict:
    """Solve with scipy's HiGHS wrapper (defaults)."""
    cost, A_eq, b_eq, A_ub, b_ub, lb, ub = build_reference(s, storage_unit)
    out = linprog(
        cost,
        A_ub=A_ub,
        b_ub=b_ub,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=np.column_stack([lb, ub]),
        method="highs",
    )
    return {
        "status": "optimal" if out.status == 0 else out.message,
        "objective": out.fun,
        "rows": A_eq.shape[0] + A_ub.shape[0],
        "cols": A_eq.shape[1],
        "nnz": A_eq.nnz + A_ub.nnz,
    }


def highs_reference(s: System, storage_unit: str = "hm3", options: dict | None = None) -> dict:
    """Solve with highspy directly (any HiGHS option, the log on stdout)."""
    import time

    import highspy

    cost, A_eq, b_eq, A_ub, b_ub, lb, ub = build_reference(s, storage_unit)
    A = sp.vstack([A_eq, A_ub]).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lb, ub
    lp.row_lower_ = np.concatenate([b_eq, np.full(len(b_ub), -np.inf)])
    lp.row_upper_ = np.concatenate([b_eq, b_ub])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    h = highspy.Highs()
    h.passModel(lp)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    t0 = time.perf_counter()
    h.run()
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "solve_s": time.perf_counter() - t0,
        "rows": A.shape[0],
        "cols": A.shape[1],
        "nnz": A.nnz,
        "ipm_iterations": int(info.ipm_iteration_count),
    }


if __name__ == "__main__":  # python bench/reference_lp.py 6 4 2190 --storage-unit flow_h solver=ipm
    import argparse
    import json
    import resource

    from synthetic import generate

    p = argparse.ArgumentParser(description="Solve the hand-assembled reference LP with HiGHS.")
    p.add_argument("buses", type=int)
    p.add_argument("reservoirs", type=int)
    p.add_argument("steps", type=int)
    p.add_argument("--step-hours", type=int, default=None)
    p.add_argument("--storage-unit", choices=("hm3", "flow_h"), default="hm3")
    p.add_argument("options", nargs="*", help="HiGHS options key=value")
    a = p.parse_intermixed_args()
    opts = {}
    for item in a.options:
        key, _, value = item.partition("=")
        opts[key] = {"true": True, "false": False}.get(value.lower(), value)
        for cast in (int, float):
            try:
                opts[key] = cast(value)
                break
            except ValueError:
                pass
    out = highs_reference(
        generate(a.buses, a.reservoirs, a.steps, a.step_hours), a.storage_unit, opts
    )
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out.update(
        cpu_s=ru.ru_utime + ru.ru_stime,
        peak_rss_gib=ru.ru_maxrss / 2**20,
        storage_unit=a.storage_unit,
        options=opts,
    )
    print(json.dumps(out))
