"""Rolling horizon against the full LP, side by side (issue 14).

Each contender runs in its own child process (wall and CPU time and peak RSS from
`os.wait4`), on the same model: the synthetic system (`synthetic.py`, written once into
bench/out/) or an embedded dataset at a chosen step. Contenders:

- `full`: `vakhsh.optimise`, the whole horizon as one LP;
- `rolling`: `vakhsh.rolling.optimise_rolling` with one HiGHS LP reused by every window;
- `rebuilt`: the same rolling run with a linopy build per window (`reuse=False`).

    python bench/bench_rolling.py --buses 6 --reservoirs 4 --steps 1344 --step-hours 1 \\
        --spec 7D,1D full rolling rebuilt
    python bench/bench_rolling.py --steps 8760 --coarse means rolling   # daily means
    python bench/bench_rolling.py --steps 8760 --assign-all --tag assign rolling
    python bench/bench_rolling.py --model central-asia --step 3h --spec 7D,1D full rolling

Prints a table, the rolling runs' objective gap to the full LP and the time ratios, and
writes results.json (with the load average before and after each child) into --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CONTENDERS = ("full", "rolling", "rebuilt")


def worker(a) -> dict:
    import vakhsh
    from vakhsh.network import embedded_datasets, load_network
    from vakhsh.rolling import optimise_rolling, parse

    if a.assign_all:  # linopy's assign_result on every window too (the old reads)
        import vakhsh.rolling.reuse

        vakhsh.rolling.reuse.ASSIGN_ALL = True
    t0 = time.perf_counter()
    source = embedded_datasets().get(a.model, a.model) if a.model else a.folder
    net = load_network(source, step=a.step, end=a.end)
    t1 = time.perf_counter()
    options = vakhsh.SolveOptions(head=a.head)
    if a.worker == "full":
        res = vakhsh.optimise(net, options)
    else:
        res = optimise_rolling(
            net, parse(a.spec), options, reuse=a.worker == "rolling", coarse=a.coarse
        )
    t2 = time.perf_counter()
    solve = res.summary()["solve"]
    return {
        "steps": len(net.time),
        "step": net.run.step_label,
        "load_s": t1 - t0,
        "optimise_s": t2 - t1,
        "objective": float(res.objective_usd),
        "audit_passed": bool(res.audit.passed),
        "build_s": solve["build_s"],
        "solve_s": solve["solve_s"],
        "rows": solve["rows"],
        "columns": solve["columns"],
        "algorithm": solve["algorithm"],
        "rolling": solve.get("rolling"),
    }


def run_child(kind: str, a, outdir: Path) -> dict:
    result = outdir / f"{kind}.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--result",
        str(result),
        "--spec",
        a.spec,
        "--head",
        a.head,
        "--coarse",
        a.coarse,
        *(["--assign-all"] if a.assign_all else []),
    ]
    for flag, value in (
        ("--model", a.model),
        ("--folder", a.folder),
        ("--step", a.step),
        ("--end", a.end),
    ):
        if value:
            cmd += [flag, str(value)]
    before = os.getloadavg()
    print(f"[bench] {kind}: running (load {before[0]:.1f})", flush=True)
    started = time.perf_counter()
    with open(outdir / f"{kind}.log", "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    out = {
        "wall_s": time.perf_counter() - started,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_gib": usage.ru_maxrss / 2**20,
        "loadavg_before": before,
        "loadavg_after": os.getloadavg(),
    }
    if os.waitstatus_to_exitcode(status) != 0 or not result.exists():
        tail = (outdir / f"{kind}.log").read_text().splitlines()[-10:]
        print(f"[bench] {kind} failed:\n  " + "\n  ".join(tail), flush=True)
        return {**out, "status": "failed"}
    return {**json.loads(result.read_text()), **out, "status": "ok"}


def model_folder(a) -> Path:
    """The synthetic system's vakhsh folder (written once per size and seed)."""
    from synthetic import generate, write_vakhsh

    folder = (
        Path(a.out).parent
        / "models"
        / (f"syn-{a.buses}x{a.reservoirs}x{a.steps}-{a.step_hours}h-s{a.seed}")
    )
    if not (folder / "model.yaml").exists():
        write_vakhsh(generate(a.buses, a.reservoirs, a.steps, a.step_hours, a.seed), folder)
    return folder


def print_table(results: dict[str, dict]) -> None:
    print(
        "| contender | steps | windows | wall s | CPU s | build s | solve s | peak GiB | "
        "objective | gap to full | load before/after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    full = results.get("full", {}).get("objective")
    for kind, r in results.items():
        if r.get("status") != "ok":
            print(f"| {kind} | failed |")
            continue
        roll = r.get("rolling") or {}
        gap = "" if full is None or kind == "full" else f"{(r['objective'] - full) / full:.2e}"
        print(
            f"| {kind} | {r['steps']:,} | {roll.get('windows', 1)} | {r['wall_s']:.1f} | "
            f"{r['cpu_s']:.1f} | {r['build_s']:.2f} | {r['solve_s']:.2f} | "
            f"{r['peak_rss_gib']:.3f} | {r['objective']:,.2f} | {gap} | "
            f"{r['loadavg_before'][0]:.1f}/{r['loadavg_after'][0]:.1f} |"
        )
    for kind in ("rolling", "rebuilt"):
        r = results.get(kind, {})
        roll = r.get("rolling") or {}
        if r.get("status") == "ok" and roll.get("windows", 0) > 1:
            n = roll["windows"]
            print(
                f"{kind}: per window build {roll['windows_build_s'] / n:.3f} s, solve "
                f"{roll['windows_solve_s'] / n:.3f} s; coarse solve "
                f"{roll['coarse_solve_s']:.1f} s; reused {roll['reused_windows']}, "
                f"chunks {roll['chunks']}"
            )
    if "rolling" in results and "rebuilt" in results and results["rebuilt"].get("cpu_s"):
        r, b = results["rolling"], results["rebuilt"]
        print(
            f"rolling/rebuilt: CPU {r['cpu_s'] / b['cpu_s']:.3f}, wall "
            f"{r['wall_s'] / b['wall_s']:.3f}, windows' build+solve "
            f"{(r['build_s'] + r['solve_s']) / (b['build_s'] + b['solve_s']):.3f}"
        )
    if "rolling" in results and "full" in results and results["full"].get("cpu_s"):
        r, f = results["rolling"], results["full"]
        print(
            f"rolling/full: CPU {r['cpu_s'] / f['cpu_s']:.3f}, wall "
            f"{r['wall_s'] / f['wall_s']:.3f}, peak memory "
            f"{r['peak_rss_gib'] / f['peak_rss_gib']:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("contenders", nargs="*", default=["full", "rolling"])
    p.add_argument("--buses", type=int, default=6)
    p.add_argument("--reservoirs", type=int, default=4)
    p.add_argument("--steps", type=int, default=1344)
    p.add_argument("--step-hours", type=int, default=1)
    p.add_argument("--seed", type=int, default=20260303)
    p.add_argument(
        "--model", help="an embedded dataset or model folder instead of the synthetic system"
    )
    p.add_argument("--step", help="the run's step (with --model)")
    p.add_argument("--end", help="the run's end (with --model)")
    p.add_argument("--head", default="fixed")
    p.add_argument("--spec", default="7D,1D", help="--rolling WINDOW[,OVERLAP]")
    p.add_argument(
        "--coarse",
        choices=("blocks", "means", "step"),
        default="blocks",
        help="the coarse solve: 4 blocks a day sorted by net load, daily means, or the run itself",
    )
    p.add_argument(
        "--assign-all",
        action="store_true",
        help="also put every reused window's solution on the linopy model (the old reads)",
    )
    p.add_argument("--tag", default="")
    p.add_argument("--out", default=str(HERE / "out" / "rolling"))
    p.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        Path(a.result).write_text(json.dumps(worker(a)))
        return 0
    if not a.model:
        a.folder = str(model_folder(a))
    name = (
        (a.model or Path(a.folder).name)
        + (f"-{a.step}" if a.step else "")
        + f"-{a.head}-{a.spec.replace(',', '_')}"
        + ("" if a.coarse == "blocks" else f"-{a.coarse}")
        + (f"-{a.tag}" if a.tag else "")
    )
    outdir = Path(a.out) / name
    outdir.mkdir(parents=True, exist_ok=True)
    results = {kind: run_child(kind, a, outdir) for kind in a.contenders}
    (outdir / "results.json").write_text(
        json.dumps(
            {
                "args": {k: v for k, v in vars(a).items() if k not in ("worker", "result")},
                "cpus": os.cpu_count(),
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "results": results,
            },
            indent=2,
        )
    )
    print_table(results)
    print(f"[bench] results in {outdir / 'results.json'}")
    return 0 if all(r.get("status") == "ok" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
