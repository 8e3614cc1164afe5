"""SDDP on a model and an inflow ensemble: time per iteration, iterations to a statistical
gap, simulation throughput, peak memory, beside the deterministic LP solved in the same
process (issue 11).

    python bench/bench_sddp.py central-asia --members 100 --seed 1 [--forward-passes 4]
        [--iterations 200] [--gap 0.01] [--time-limit 600] [--cut single] [--out bench/out]

The ensemble is generated first (`vakhsh inflows generate MODEL --years 1 --members N
--seed S`) unless --inflows names one. Times are wall and CPU seconds of this process (the
machine is shared: quote CPU seconds and the load, printed at the start and end). Writes
bench/out/sddp-<model>-<members>.json with every figure and the training log.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def clock():
    return time.perf_counter(), time.process_time()


def since(start) -> dict:
    wall, cpu = clock()
    return {"wall_s": wall - start[0], "cpu_s": cpu - start[1]}


def one_year_inflows(
    model: str, members: int, seed: int, out: Path, given: Path | None = None
) -> Path:
    """`given`, or a one-year ensemble of `members` generated once into `out` (kept for
    the next run: generating is not what the bench measures)."""
    inflows = given or out / f"inflows-{Path(model).name}-{members}.nc"
    if given is None and not inflows.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vakhsh.cli",
                "inflows",
                "generate",
                model,
                "--years",
                "1",
                "--members",
                str(members),
                "--seed",
                str(seed),
                "--out",
                str(inflows),
            ],
            check=True,
            capture_output=True,
        )
    return inflows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inflows", type=Path)
    parser.add_argument("--forward-passes", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--gap-period", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--cut", default="single")
    parser.add_argument("--risk", default="expectation")
    parser.add_argument("--noise", default="independent")
    parser.add_argument("--simulate", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--gap-replications", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tag = (
        f"sddp-{Path(args.model).name}-{args.members}-{args.noise}-{args.cut}-fp"
        f"{args.forward_passes}-w{args.workers}"
    )
    inflows = one_year_inflows(args.model, args.members, args.seed, args.out, args.inflows)
    figures: dict = {
        "model": args.model,
        "members": args.members,
        "inflows": str(inflows),
        "forward_passes": args.forward_passes,
        "cut": args.cut,
        "noise": args.noise,
        "risk": args.risk,
        "workers": args.workers,
        "load_start": load(),
        "cores": os.cpu_count(),
    }
    print(f"load {figures['load_start']}", flush=True)

    from vakhsh.hydrology.member import with_member
    from vakhsh.network import load_network
    from vakhsh.pipeline import optimise
    from vakhsh.sddp.api import policy_model
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.policy import policy_of
    from vakhsh.sddp.simulate import simulate
    from vakhsh.sddp.train import train

    net = load_network(args.model)
    # the deterministic LP of member 0, side by side in this process
    start = clock()
    det = optimise(with_member(net, inflows, 0))
    figures["deterministic_lp"] = {
        **since(start),
        "objective_usd": det.objective_usd,
        "solve_s": det.solve_info.get("solve_s"),
        "rows": det.solve_info.get("rows"),
        "columns": det.solve_info.get("columns"),
    }
    print("deterministic LP", figures["deterministic_lp"], flush=True)

    options = SDDPOptions(
        iterations=args.iterations,
        forward_passes=args.forward_passes,
        gap=args.gap,
        gap_period=args.gap_period,
        time_limit_s=args.time_limit,
        cut=args.cut,
        risk=args.risk,
        noise=args.noise,
        workers=args.workers,
        gap_replications=args.gap_replications,
    )
    start = clock()
    ensemble = load_inflows(net, inflows)
    model = build_sddp_model(net, ensemble, options)
    figures["build"] = since(start)
    figures["stage_lp"] = {
        "rows": [int(lp.A.shape[0]) for lp in model.lps],
        "columns": [int(lp.ncols) for lp in model.lps],
    }
    print("build and stage check", figures["build"], flush=True)

    start = clock()

    def progress(it):
        gap = f"gap {it.gap:.3%}" if it.gap is not None else ""
        print(
            f"{it.iteration:4d} bound {it.lower_bound_usd / 1e6:12,.2f} forward "
            f"{it.forward_cost_usd / 1e6:12,.2f} {gap} wall {it.time_s:7.1f} cpu "
            f"{it.cpu_s:7.1f}",
            flush=True,
        )

    log = train(model, options.stopping_rules(), progress)
    figures["training"] = {
        **since(start),
        "iterations": len(log.iterations),
        "stopped_by": log.stopped_by,
        "solves": log.solves,
        "lower_bound_usd": log.lower_bound_usd,
        "log": [vars(it) | {"gap": it.gap} for it in log.iterations],
    }
    checks = [it for it in log.iterations if it.simulated_mean_usd is not None]
    first = next((it for it in checks if it.gap is not None and it.gap <= args.gap), None)
    figures["to_gap"] = (
        None
        if first is None
        else {
            "iterations": first.iteration,
            "wall_s": first.time_s,
            "cpu_s": first.cpu_s,
            "gap": first.gap,
        }
    )
    n = len(log.iterations)
    figures["per_iteration"] = {
        "wall_s": figures["training"]["wall_s"] / n,
        "cpu_s": figures["training"]["cpu_s"] / n,
        "solves": log.solves / n,
    }
    print("training", {k: v for k, v in figures["training"].items() if k != "log"}, flush=True)

    policy = policy_of(model, n, log.lower_bound_usd, "bench")
    lps = model.lps
    del model  # its HiGHS problems: the simulation has its own, as `vakhsh sddp` does
    start = clock()
    sim_model = policy_model(net, ensemble, policy, options, None, lps=lps)
    figures["rebuild"] = since(start)
    count = args.simulate or ensemble.size
    start = clock()
    sim = simulate(sim_model, ensemble.steps_m3s[:count], ensemble.members[:count])
    elapsed = since(start)
    member_stages = count * len(sim_model.stages)
    figures["simulation"] = {
        **elapsed,
        "members": count,
        "member_stages": member_stages,
        "member_stages_per_s_wall": member_stages / elapsed["wall_s"],
        "member_stages_per_s_cpu": member_stages / elapsed["cpu_s"],
        "mean_cost_usd": float(np.mean(sim.cost_usd)),
        "audits_passed": int(sum(a.passed for a in sim.audits)),
    }
    print("simulation", figures["simulation"], flush=True)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["load_end"] = load()
    path = args.out / f"{tag}.json"
    path.write_text(json.dumps(figures, indent=1, default=float))
    print(f"peak memory {figures['peak_rss_mb']:.0f} MB; load {figures['load_end']}; wrote {path}")


if __name__ == "__main__":
    main()
