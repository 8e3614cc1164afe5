"""Ensemble throughput: runs per minute, time outside the solver, memory per worker.

    python bench/bench_ensemble.py --model toy-cascade --runs 8 --workers 0 1 2
    python bench/bench_ensemble.py --model central-asia --runs 6 --workers 1 2

For each worker count a fresh ensemble of `--runs` distinct runs (a parameter axis over
the first bus's value of lost load, which changes the LP's costs but not its size) runs
on a fresh LocalCluster (workers = 0: in this process, no Dask, the baseline). The
cluster is started and every worker has imported vakhsh before the clock starts; the
start-up is reported on its own.

Reported per configuration:
  runs_per_min        finished runs / wall minutes
  solver_share        sum of solver time / (wall * workers): the share of the workers'
                      time spent inside HiGHS
  not_solver_share    1 - solver_share, split into
    build             building the LP in linopy (the engine's share, not the ensemble's)
    load              loading the model on the worker
    summary_metrics   summary, metrics, extracting and auditing results
    write             writing results.nc and summary.json
    dask              the rest: scheduling, serialisation, idle workers at the end
  rss_mb_max          largest resident memory of a worker process after a run
  cpu_s_mean          CPU seconds a worker spent per run (load, build, solve, write):
                      on a shared, busy machine wall times stretch, this does not;
                      60 * workers / cpu_s_mean is the runs/min of an idle machine
Results go to bench/out/ensemble/<model>.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def _warm() -> int:
    import vakhsh.ensemble.runner
    import vakhsh.pipeline  # noqa: F401

    return os.getpid()


def one_config(model: str, runs: int, workers: int, out: Path, period: dict) -> dict:
    from vakhsh.ensemble.executor import local_client
    from vakhsh.ensemble.runner import run_ensemble
    from vakhsh.network import load_network

    net = load_network(model)
    bus = str(net.ids("buses")[0])
    voll = float(net.tables["buses"].loc[bus, "voll_usd_per_mwh"])
    spec = {"axes": {f"buses.{bus}.voll_usd_per_mwh": [voll + i for i in range(runs)]}}
    if period:
        spec["period"] = period
    folder = out / f"{model}-w{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    spec_path = folder.with_suffix(".yaml")
    spec_path.write_text(yaml.safe_dump(spec))
    client, startup = None, 0.0
    if workers:
        started = time.perf_counter()
        client = local_client(workers)
        client.run(_warm)
        startup = time.perf_counter() - started
    else:
        _warm()
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        result = run_ensemble(
            model,
            spec_path,
            folder,
            workers=0 if not workers else None,
            client=client,
            report=False,
        )
    finally:
        wall = time.perf_counter() - started
        if client is not None:
            cluster = client.cluster
            client.close()
            cluster.close()
    index = result.index
    ok = index[index["status"] == "ok"]
    slots = wall * max(workers, 1)
    solve = float(ok["solve_s"].sum())
    build = float(ok["build_s"].sum())
    load = float(ok["load_s"].sum())
    write = float(ok["write_s"].sum())
    worker_total = float(ok["total_s"].sum())
    other = worker_total - solve - build - load - write  # summary, metrics, extract, audit
    return {
        "model": model,
        "workers": workers,
        "runs": len(index),
        "succeeded": len(ok),
        "failed": int((index["status"] == "failed").sum()),
        "steps": len(net.time) if not period else None,
        "wall_s": wall,
        "cluster_startup_s": startup,
        "runs_per_min": len(ok) / wall * 60,
        "solve_s_mean": solve / max(len(ok), 1),
        "build_s_mean": build / max(len(ok), 1),
        "run_s_mean": worker_total / max(len(ok), 1),
        "cpu_s_mean": float(ok["cpu_s"].mean()) if "cpu_s" in ok else None,
        "solver_share": solve / slots,
        "not_solver_share": 1 - solve / slots,
        "split": {
            "build": build / slots,
            "load": load / slots,
            "summary_metrics": other / slots,
            "write": write / slots,
            "dask": (slots - worker_total) / slots,
        },
        "rss_mb_max": float(ok["rss_mb"].max()) if "rss_mb" in ok else None,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }


def table(rows: list[dict]) -> str:
    head = (
        "| model | workers | runs | runs/min | solve s/run | build s/run | run s/run | "
        "solver share | build | load | summary+metrics | write | dask | RSS MB/worker | "
        "load avg | CPU s/run |"
    )
    lines = [head, "|" + "---|" * 16]
    for r in rows:
        s = r["split"]
        lines.append(
            f"| {r['model']} | {r['workers'] or 'in-process'} | {r['succeeded']} | "
            f"{r['runs_per_min']:.1f} | {r['solve_s_mean']:.2f} | {r['build_s_mean']:.2f} | "
            f"{r['run_s_mean']:.2f} | {r['solver_share']:.0%} | {s['build']:.0%} | "
            f"{s['load']:.0%} | {s['summary_metrics']:.0%} | {s['write']:.1%} | "
            f"{s['dask']:.0%} | {r['rss_mb_max']:.0f} | {r['loadavg_before'][0]:.1f} | "
            f"{r['cpu_s_mean'] or float('nan'):.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="toy-cascade")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--step")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "ensemble")
    args = parser.parse_args(argv)
    period = {k: getattr(args, k) for k in ("start", "end", "step") if getattr(args, k)}
    rows = [one_config(args.model, args.runs, w, args.out, period) for w in args.workers]
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "argv": sys.argv[1:],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (args.out / f"{args.model}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(table(rows))


if __name__ == "__main__":
    main()
