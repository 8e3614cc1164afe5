"""SDDP's iteration-to-gap curve on a model (issue 11, Speed): train on a one-year ensemble
of N members (`vakhsh inflows generate`) and record, at every statistical gap check, the
lower bound, the simulated mean, its 95 % half-width and the gap against the cumulative
CPU seconds of training (gap checks included), until the gap tolerance or a CPU budget.

    python bench/sddp_gap_curve.py run central-asia --label base --members 100
        [--budget-cpu 300] [--forward-passes 1] [--cut single] [--gap-period 10]
        [--gap-replications 100] [--workers 1] [--gap-cold]
    python bench/sddp_gap_curve.py readme

`run` adds (or replaces) the run named `--label` in bench/sddp_gap_curve.json; `readme`
writes the table of every run between the sddp-gap-curve markers of bench/README.md. CPU
seconds are this process's (with --workers the workers' CPU is not in them: the wall
time is recorded too); the machine is shared, so the load is recorded beside each run.
Each check records the CPU it cost itself (`check_cpu_s`). The checks' paths are solved
warm unless `--gap-cold` (runs recorded before the option existed were cold).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from vakhsh.sddp.stopping import StatisticalGap

HERE = Path(__file__).resolve().parent
JSON = HERE / "sddp_gap_curve.json"
README = HERE / "README.md"
START = "<!-- sddp-gap-curve: begin (bench/sddp_gap_curve.py readme) -->"
END = "<!-- sddp-gap-curve: end -->"


@dataclass
class CpuBudget:
    """Stop once training (gap checks included) has used `seconds` of CPU."""

    seconds: float
    name: str = "cpu_budget"

    def should_stop(self, log, simulator) -> bool:
        return log[-1].cpu_s >= self.seconds


class TimedGap(StatisticalGap):
    """The statistical gap rule, recording the CPU seconds of each check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_cpu_s: dict[int, float] = {}

    def should_stop(self, log, simulator) -> bool:
        cpu0 = time.process_time()
        stop = super().should_stop(log, simulator)
        if log[-1].simulated_mean_usd is not None:
            self.check_cpu_s[log[-1].iteration] = time.process_time() - cpu0
        return stop


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    )
    return out.stdout.strip()


def run(args) -> dict:
    from bench_sddp import one_year_inflows
    from vakhsh.network import load_network
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.stopping import IterationLimit
    from vakhsh.sddp.train import train

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    inflows = one_year_inflows(args.model, args.members, args.seed, out)
    net = load_network(args.model)
    options = SDDPOptions(
        iterations=args.iterations,
        forward_passes=args.forward_passes,
        cut=args.cut,
        workers=args.workers,
        seed=args.seed,
        gap=None,
    )
    model = build_sddp_model(net, load_inflows(net, inflows), options)
    load0 = os.getloadavg()[0]
    rules = [
        IterationLimit(args.iterations),
        CpuBudget(args.budget_cpu),
        gap := TimedGap(args.gap, args.gap_replications, args.gap_period, args.gap_cold),
    ]
    wall0 = time.perf_counter()
    log = train(model, rules)
    checks = [
        {
            "iteration": it.iteration,
            "cpu_s": round(it.cpu_s, 2),
            "wall_s": round(it.time_s, 2),
            "lower_bound_usd": it.lower_bound_usd,
            "simulated_mean_usd": it.simulated_mean_usd,
            "simulated_ci95_usd": it.simulated_ci95_usd,
            "gap": it.gap,
            "half_width": it.simulated_ci95_usd / abs(it.simulated_mean_usd),
            "check_cpu_s": round(gap.check_cpu_s[it.iteration], 2),
        }
        for it in log.iterations
        if it.simulated_mean_usd is not None
    ]
    last = log.iterations[-1]
    return {
        "label": args.label,
        "seed": args.seed,
        "model": args.model,
        "members": args.members,
        "forward_passes": args.forward_passes,
        "cut": args.cut,
        "workers": args.workers,
        "gap_period": args.gap_period,
        "gap_replications": args.gap_replications,
        "gap_solves": "cold" if args.gap_cold else "warm, cold stop",
        "gap_tolerance": args.gap,
        "budget_cpu_s": args.budget_cpu,
        "iterations": last.iteration,
        "cpu_s": round(last.cpu_s, 2),
        "wall_s": round(time.perf_counter() - wall0, 2),
        "stopped_by": log.stopped_by,
        "load_start": round(load0, 2),
        "load_end": round(os.getloadavg()[0], 2),
        "commit": commit(),
        "checks": checks,
        "bounds": [[it.iteration, round(it.cpu_s, 2), it.lower_bound_usd] for it in log.iterations],
    }


def render(figures: dict) -> str:
    """The README block: one line per gap check of every run."""
    lines = [
        "| run | forward passes | cut | workers | gap check every | check solves | iteration "
        "| CPU s | check CPU s | lower bound (M USD) | simulated mean (M USD) | ± 95 % | gap |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in figures["runs"]:
        for c in r["checks"]:
            lines.append(
                f"| {r['label']} | {r['forward_passes']} | {r['cut']} | {r['workers']} "
                f"| {r['gap_period']} | {_solves(r)} | {c['iteration']} | {c['cpu_s']:.0f} "
                f"| {_check_cpu(c)} "
                f"| {c['lower_bound_usd'] / 1e6:,.1f} | {c['simulated_mean_usd'] / 1e6:,.1f} "
                f"| {100 * c['half_width']:.2f} % | {100 * c['gap']:.2f} % |"
            )
    lines.append("")
    for r in figures["runs"]:
        best = min((c["gap"] for c in r["checks"]), default=float("nan"))
        lines.append(
            f"- {r['label']}: {r['model']}, {r['members']} members, {r['iterations']} iterations "
            f"in {r['cpu_s']:.0f} CPU s ({r['wall_s']:.0f} s wall, load "
            f"{r['load_start']:.1f} to {r['load_end']:.1f}), stopped by {r['stopped_by']}, "
            f"smallest gap {100 * best:.2f} % ({r['gap_replications']} paths per check; "
            f"commit {r['commit']})"
        )
    lines += verdicts(figures["runs"])
    return "\n".join(lines) + "\n"


def verdicts(runs: list[dict]) -> list[str]:
    """Each lever beside the base run of its own seed (one forward pass, single cut, one
    worker, cold checks): the gap of the last check within the CPU both reached (the smaller of their
    last checks' CPU), and whether the difference exceeds the base's half-width there
    (sampling error of the simulated mean)."""
    out = [""]
    for r in runs:
        base = _base_of(r, runs)
        if base is None or not r["checks"] or not base["checks"]:
            continue
        budget = min(base["checks"][-1]["cpu_s"], r["checks"][-1]["cpu_s"])
        mine = [c for c in r["checks"] if c["cpu_s"] <= budget] or r["checks"][:1]
        theirs = [c for c in base["checks"] if c["cpu_s"] <= budget] or base["checks"][:1]
        a, b = mine[-1], theirs[-1]
        better = b["gap"] - a["gap"] > b["half_width"]
        worse = a["gap"] - b["gap"] > b["half_width"]
        word = "better than base" if better else "worse than base" if worse else "no clear change"
        out.append(
            f"- lever {r['label']} within {budget:.0f} CPU s: gap {100 * a['gap']:.2f} % "
            f"(iteration {a['iteration']}) against {base['label']} {100 * b['gap']:.2f} % "
            f"(iteration {b['iteration']}, ± {100 * b['half_width']:.2f} %): {word}"
        )
    return out if len(out) > 1 else []


def _solves(r: dict) -> str:
    # runs before --gap-cold solved their checks cold; "warm" runs (485dbad) stopped on a
    # warm check, "warm, cold stop" ones confirm a closing check on its paths solved cold
    return r.get("gap_solves", "cold")


def _check_cpu(c: dict) -> str:
    return f"{c['check_cpu_s']:.1f}" if "check_cpu_s" in c else "n/a"


def _is_base(r: dict) -> bool:
    one = r["forward_passes"] == 1 and r["cut"] == "single" and r["workers"] == 1
    return one and _solves(r) == "cold"


def _base_of(r: dict, runs: list[dict]) -> dict | None:
    """The base run with `r`'s seed (runs recorded before the seed was kept used the
    default, 1); None for a base run itself."""
    if _is_base(r):
        return None
    seed = r.get("seed", 1)
    return next((b for b in runs if _is_base(b) and b.get("seed", 1) == seed), None)


def load() -> dict:
    return json.loads(JSON.read_text()) if JSON.exists() else {"runs": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("model")
    r.add_argument("--label", required=True)
    r.add_argument("--members", type=int, default=100)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--budget-cpu", type=float, default=300.0)
    r.add_argument("--iterations", type=int, default=1000)
    r.add_argument("--forward-passes", type=int, default=1)
    r.add_argument("--cut", default="single")
    r.add_argument("--workers", type=int, default=1)
    r.add_argument("--gap", type=float, default=0.01)
    r.add_argument("--gap-period", type=int, default=10)
    r.add_argument("--gap-replications", type=int, default=100)
    r.add_argument("--gap-cold", action="store_true", help="solve the checks' paths cold")
    r.add_argument("--out", default=str(HERE / "out"))
    sub.add_parser("readme")
    args = parser.parse_args()
    if args.command == "run":
        result = run(args)
        figures = load()  # read after the run: runs side by side write one after the other
        figures["runs"] = [x for x in figures["runs"] if x["label"] != args.label] + [result]
        JSON.write_text(json.dumps(figures, indent=1) + "\n")
        print(render({"runs": [result]}))
    else:
        from vakhsh.outputs.doc_blocks import replace_block

        replace_block(README, START, END, render(load()))


if __name__ == "__main__":
    main()
