"""SDDP with fixed-head stages beside FPHA stages (`SDDPOptions.head` fixed and auto), side
by side in one process on the same ensemble (issue 11, convex stage problems).

    nice -n 15 python bench/bench_sddp_head.py central-asia --scenario nurek_variable_head
        --members 20 --iterations 10 [--simulate 5] [--seed 1] [--out bench/out]

For each head model: the stage build and check, training for exactly --iterations (no gap
rule), time per iteration (wall and CPU seconds of this process: the machine is shared,
so quote CPU and the ratio), the lower bound, the stage LPs' sizes, and a simulation of
the first --simulate members with its exact-vs-LP hydro energy gap. The ensemble is
generated first (`vakhsh inflows generate MODEL --years 1 --members N --seed S`) unless
--inflows names one. Writes bench/out/sddp-head-<model>-<members>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def clock():
    return time.perf_counter(), time.process_time()


def since(start) -> dict:
    wall, cpu = clock()
    return {"wall_s": wall - start[0], "cpu_s": cpu - start[1]}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one(net, ensemble, head: str, args) -> dict:
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.simulate import fpha_of, simulate
    from vakhsh.sddp.stopping import IterationLimit
    from vakhsh.sddp.train import train

    options = SDDPOptions(head=head, iterations=args.iterations, gap=None)
    start = clock()
    model = build_sddp_model(net, ensemble, options)
    out = {
        "head": head,
        "fpha_plants": fpha_of(model),
        "build": since(start),
        "stage_rows": int(sum(lp.A.shape[0] for lp in model.lps)),
        "stage_columns": int(sum(lp.ncols for lp in model.lps)),
        "stage_nonzeros": int(sum(lp.A.nnz for lp in model.lps)),
    }
    start = clock()
    log = train(model, [IterationLimit(args.iterations)])
    trained = since(start)
    n = len(log.iterations)
    out["training"] = {
        **trained,
        "iterations": n,
        "solves": log.solves,
        "lower_bound_usd": log.lower_bound_usd,
        "bounds_usd": [it.lower_bound_usd for it in log.iterations],
    }
    out["per_iteration"] = {"wall_s": trained["wall_s"] / n, "cpu_s": trained["cpu_s"] / n}
    print(head, {k: v for k, v in out.items() if k != "training"}, flush=True)
    if args.simulate:
        start = clock()
        sim = simulate(
            model, ensemble.steps_m3s[: args.simulate], ensemble.members[: args.simulate]
        )
        out["simulation"] = {
            **since(start),
            "members": args.simulate,
            "mean_cost_usd": float(np.mean(sim.cost_usd)),
            "energy_gap": [float(g) for g in sim.energy_gap],
            "audits_passed": int(sum(a.passed for a in sim.audits)),
        }
        print(head, "simulation", out["simulation"], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inflows", type=Path)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--simulate", type=int, default=5)
    parser.add_argument("--heads", default="fixed,auto")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from bench_sddp import one_year_inflows

    name = Path(args.model).name
    inflows = one_year_inflows(args.model, args.members, args.seed, args.out, args.inflows)
    from vakhsh.network import load_network
    from vakhsh.sddp.inflows import load_inflows

    net = load_network(args.model, scenario=args.scenario)
    ensemble = load_inflows(net, inflows)
    figures: dict = {
        "model": args.model,
        "scenario": args.scenario,
        "members": args.members,
        "inflows": str(inflows),
        "iterations": args.iterations,
        "load_start": load(),
        "runs": [],
    }
    print(f"load {figures['load_start']}", flush=True)
    for head in args.heads.split(","):
        figures["runs"].append(one(net, ensemble, head, args))
    runs = {r["head"]: r for r in figures["runs"]}
    if {"fixed", "auto"} <= set(runs):
        figures["auto_over_fixed_per_iteration_cpu"] = (
            runs["auto"]["per_iteration"]["cpu_s"] / runs["fixed"]["per_iteration"]["cpu_s"]
        )
        figures["auto_over_fixed_per_iteration_wall"] = (
            runs["auto"]["per_iteration"]["wall_s"] / runs["fixed"]["per_iteration"]["wall_s"]
        )
    figures["load_end"] = load()
    path = args.out / f"sddp-head-{name}-{args.members}.json"
    path.write_text(json.dumps(figures, indent=1, default=float))
    print({k: v for k, v in figures.items() if k != "runs"})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
