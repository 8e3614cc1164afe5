"""FPHA against fixed head: solve time of the same model, measured side by side (issue 12).

The issue's budget: the convex head-dependent production model (FPHA, `--head fpha`, and
`--head auto` wherever a plant has tailwater and a level curve) must not cost more than
about 2x the fixed-head solve on central-asia. Base central-asia gives Nurek a tailwater
(630 m a.s.l.), so `--head auto` (the default) builds it with FPHA there; `--head fixed` is
the same model at the fixed head of its initial level. The default scenario is base.

The two head models are solved alternately, `--repeats` times each, in this process (the
Network loaded once), so that both see the same machine load; the table gives the median
build and solve times, the ratio FPHA / fixed of the medians, the LP sizes, and FPHA's
exact-vs-LP energy gap. `uptime` is printed with them: the machine is shared.

Usage: python bench/bench_fpha.py [--model central-asia] [--scenario base]
                                  [--repeats 3] [--json bench/out/fpha.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

import vakhsh


def solve_once(net, head: str) -> dict:
    started = time.perf_counter()
    results = vakhsh.optimise(net, vakhsh.SolveOptions(head=head))
    wall = time.perf_counter() - started
    solve = results.summary()["solve"]
    return {
        "head": head,
        "wall_s": wall,
        "build_s": solve["build_s"],
        "solve_s": solve["solve_s"],
        "rows": solve["rows"],
        "columns": solve["columns"],
        "objective_usd": results.objective_usd,
        "gap": solve["head_energy_gap"],
        "fpha": solve.get("fpha") or {},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="central-asia")
    parser.add_argument("--scenario", default="base")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("bench/out/fpha.json"))
    args = parser.parse_args(argv)
    net = vakhsh.load(args.model, scenario=args.scenario or None)
    runs: list[dict] = []
    for i in range(args.repeats):
        for head in ("fixed", "fpha"):
            runs.append(solve_once(net, head))
            r = runs[-1]
            print(
                f"run {i + 1} {head:5s}: build {r['build_s']:.2f} s, solve {r['solve_s']:.2f} s",
                flush=True,
            )
    median = {
        head: {
            key: statistics.median(r[key] for r in runs if r["head"] == head)
            for key in ("build_s", "solve_s", "wall_s")
        }
        for head in ("fixed", "fpha")
    }
    last = {r["head"]: r for r in runs}
    print(f"\n{args.model} / {args.scenario or 'base'}, median of {args.repeats}:")
    print(
        f"{'head':6s} {'build s':>8s} {'solve s':>8s} {'wall s':>8s} {'rows':>8s} "
        f"{'columns':>8s} {'objective M USD':>16s}"
    )
    for head in ("fixed", "fpha"):
        m, r = median[head], last[head]
        print(
            f"{head:6s} {m['build_s']:8.2f} {m['solve_s']:8.2f} {m['wall_s']:8.2f} "
            f"{r['rows']:8d} {r['columns']:8d} {r['objective_usd'] / 1e6:16.1f}"
        )
    ratio = median["fpha"]["solve_s"] / median["fixed"]["solve_s"]
    wall_ratio = median["fpha"]["wall_s"] / median["fixed"]["wall_s"]
    print(f"solve-time ratio fpha / fixed: {ratio:.2f} (wall {wall_ratio:.2f}; goal <= 2)")
    gap = last["fpha"]["gap"]
    print(
        f"FPHA plants: {last['fpha']['fpha']}; exact-vs-LP hydro energy gap: "
        f"{gap if gap is None else f'{gap:+.3%}'}"
    )
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"uptime: {uptime} ({os.cpu_count()} cores)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "model": args.model,
                "scenario": args.scenario,
                "runs": runs,
                "median": median,
                "ratio": ratio,
                "wall_ratio": wall_ratio,
                "uptime": uptime,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
