"""Lever of issue 14: the full LP's simplex started from the rolling horizon's answer
(`vakhsh run --rolling 7D,1D --exact`, `vakhsh.rolling.exact`).

Solves the synthetic 6 x 4 system at `--steps` three ways, one after the other in this
process (the same machine state, so ratios compare): `optimise_exact` (rolling, then the
full LP's dual simplex from its point), and the full LP cold with the dual simplex and with
vakhsh's default preset (`auto`: HiPO at this size). Each is audited; the objectives must
agree to 1e-6.

    python bench/warm_start.py --steps 2190 --readme
    python bench/warm_start.py --steps 8760 --readme

Each run's record is kept in bench/warm_start.json under its step count (a run at another
step count leaves the others alone); `--readme` writes a table per step count into
bench/README.md between its warm-start markers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
README = HERE / "README.md"
FIGURES = HERE / "warm_start.json"
START = "<!-- warm-start: begin (bench/warm_start.py --readme) -->"
END = "<!-- warm-start: end -->"


def folder_of(steps: int) -> Path:
    import synthetic

    folder = HERE / "out" / f"levers-{steps}"
    if not (folder / "model.yaml").exists():
        synthetic.write_vakhsh(synthetic.generate(steps=steps), folder)
    return folder


def measure(steps: int, window: str, cold: bool) -> dict:
    import vakhsh
    from vakhsh.rolling import optimise_exact, parse

    net = vakhsh.load(folder_of(steps))
    runs = {}
    t0 = time.perf_counter()
    warm = optimise_exact(net, parse(window))
    start = warm.solve_info["start"]
    runs["rolling + warm simplex"] = {
        "wall_s": time.perf_counter() - t0,
        "rolling_s": start["rolling_s"],
        "full_lp_s": warm.solve_info["build_s"] + warm.solve_info["solve_s"],
        "iterations": start["simplex_iterations"],
        "objective_usd": warm.objective_usd,
        "rolling_gap": start["rolling_gap"],
    }
    if cold:
        # auto: vakhsh's own choice by size (the simplex at 2,190 steps, HiPO at 8,760)
        for label, preset in (("cold dual simplex", "simplex"), ("cold auto", "auto")):
            t0 = time.perf_counter()
            result = vakhsh.optimise(net, vakhsh.SolveOptions(preset=preset))
            runs[label] = {
                "wall_s": time.perf_counter() - t0,
                "full_lp_s": result.solve_info["build_s"] + result.solve_info["solve_s"],
                "algorithm": result.solve_info["algorithm"],
                "objective_usd": result.objective_usd,
            }
    return runs


def render(records: dict[str, dict]) -> str:
    """One table per recorded step count, the shortest run first."""
    return "\n\n".join(table(records[steps]) for steps in sorted(records, key=int))


def table(record: dict) -> str:
    runs = record["runs"]
    warm = runs["rolling + warm simplex"]
    lines = [
        f"`python bench/warm_start.py --steps {record['steps']} --readme` "
        f"({record['when']}, load average {record['load_before']:.1f} before, "
        f"{record['load_after']:.1f} after): 6 buses x 4 reservoirs x {record['steps']:,} "
        f"steps, rolling {record['window']}.",
        "",
        "| run | algorithm | wall s | of which rolling s | full LP build+solve s | wall / warm "
        "| objective USD |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, run in runs.items():
        rolling = f"{run['rolling_s']:.1f}" if "rolling_s" in run else "-"
        algorithm = run.get("algorithm", "simplex from the rolling point")
        lines.append(
            f"| {label} | {algorithm} | {run['wall_s']:.1f} | {rolling} | {run['full_lp_s']:.1f} | "
            f"{run['wall_s'] / warm['wall_s']:.2f} | {run['objective_usd']:,.2f} |"
        )
    lines += [
        "",
        f"The warm simplex took {warm['iterations']:,} iterations; the rolling answer it "
        f"started from was {warm['rolling_gap']:.2e} above the optimum.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2190)
    parser.add_argument("--window", default="7D,1D")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold solves")
    parser.add_argument("--readme", action="store_true", help="rewrite bench/README.md's block")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    runs = measure(args.steps, args.window, not args.no_cold)
    objectives = [run["objective_usd"] for run in runs.values()]
    spread = (max(objectives) - min(objectives)) / abs(min(objectives))
    if spread > 1e-6:
        raise SystemExit(f"objectives differ by {spread:.1e}: {objectives}")
    record = {
        "steps": args.steps,
        "window": args.window,
        "when": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "runs": runs,
    }
    print(json.dumps(record, indent=2))
    if args.json:
        args.json.write_text(json.dumps(record, indent=2))
    records = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    records[str(args.steps)] = record
    FIGURES.write_text(json.dumps(records, indent=2) + "\n")
    if args.readme:
        from vakhsh.outputs.doc_blocks import replace_block

        replace_block(README, START, END, render(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
