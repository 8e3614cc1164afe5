"""Time `load_network` on a model of 50 components carrying one year of hourly series.

The model is generated in a temporary folder: 20 catchments with hourly inflows, 20 loads
with hourly demand and 10 solar generators with hourly capacity factors (three CSV files
of 8784 rows, 2024 being a leap year), plus the 10 reservoirs, junction, reach, sink and
5 buses they need. Issue 2 asks for a load under 2 s.

Reported:
- cold: a fresh `python` process importing vakhsh and loading once (what `vakhsh validate`
  pays), and the load alone inside that process;
- warm: best of N loads in this process, after one load to warm it.
Wall-clock and CPU seconds are both printed: on a shared machine the CPU figure is the
steadier one. The first load in a process includes xarray's lazy import of dask.array
(xarray probes for dask when it builds the first Dataset).

Usage: python bench/bench_load.py [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

N_CATCHMENTS, N_LOADS, N_SOLAR, N_RESERVOIRS, N_BUSES = 20, 20, 10, 10, 5
START, END = "2024-01-01", "2025-01-01"


def make_model(folder: Path) -> Path:
    """Write the benchmark model into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    stamps = pd.date_range(START, END, freq="1h", inclusive="left")
    hours = np.arange(len(stamps))
    day = 2 * np.pi * hours / 24
    season = 2 * np.pi * stamps.day_of_year.to_numpy() / 366

    inflow = {
        f"c{i:02d}": np.round(50 + 40 * np.sin(season + i) ** 2 + rng.gamma(2, 3, len(stamps)), 4)
        for i in range(N_CATCHMENTS)
    }
    load = {
        f"l{i:02d}": np.round(
            300
            + 80 * np.sin(day - 1.5 + i / 10)
            + 40 * np.cos(season)
            + rng.normal(0, 10, len(stamps)),
            4,
        )
        for i in range(N_LOADS)
    }
    solar = {
        f"s{i:02d}": np.round(
            np.clip(np.sin(day - np.pi / 2), 0, None) * rng.uniform(0.6, 1.0, len(stamps)), 4
        )
        for i in range(N_SOLAR)
    }
    for name, columns in (("inflow_m3s", inflow), ("load_mw", load), ("cf", solar)):
        frame = pd.DataFrame({"time": stamps.strftime("%Y-%m-%d %H:%M"), **columns})
        frame.to_csv(folder / f"{name}.csv", index=False)

    reservoirs = {}
    for r in range(N_RESERVOIRS):
        below = f"r{r + 1}" if r + 1 < N_RESERVOIRS else "outlet"
        reservoirs[f"r{r}"] = {
            "storage_min_hm3": 100,
            "storage_max_hm3": 1000,
            "storage_initial_hm3": 500,
            "spill_to": below,
            "level_curve": [[100, 500], [1000, 560]],
        }
    model = {
        "format": 1,
        "name": "bench-50",
        "description": "Benchmark: 50 components with one year of hourly series.",
        "time": {"start": START, "end": END, "step": "1h"},
        "junctions": {"outlet": {}},
        "sinks": {"sea": {}},
        "reaches": {"lower": {"from": "outlet", "to": "sea", "delay_steps": 6}},
        "reservoirs": reservoirs,
        "catchments": {
            cid: {"to": f"r{i % N_RESERVOIRS}", "inflow_m3s": f"series:inflow_m3s.csv#{cid}"}
            for i, cid in enumerate(inflow)
        },
        "buses": {f"B{b}": {"voll_usd_per_mwh": 3000} for b in range(N_BUSES)},
        "loads": {
            f"load_{cid}": {"bus": f"B{i % N_BUSES}", "p_mw": f"series:load_mw.csv#{cid}"}
            for i, cid in enumerate(load)
        },
        "generators": {
            f"solar_{cid}": {
                "bus": f"B{i % N_BUSES}",
                "carrier": "solar",
                "capacity_mw": 100,
                "marginal_cost_usd_per_mwh": 0,
                "capacity_factor": f"series:cf.csv#{cid}",
            }
            for i, cid in enumerate(solar)
        },
    }
    (folder / "model.yaml").write_text(yaml.safe_dump(model, sort_keys=False))
    return folder


COLD = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from vakhsh.network import load_network
t1, c1 = time.perf_counter(), time.process_time()
net = load_network(sys.argv[1])
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "import_cpu": c1 - c0,
                  "load_cpu": c2 - c1, "steps": len(net.time)}))
"""


def cold_load(folder: Path) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD, str(folder)], capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout)
    figures["process"] = time.perf_counter() - t0
    return figures


def warm_loads(folder: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each load (CPU time is steadier on a busy machine)."""
    from vakhsh.network import load_network

    load_network(folder)  # warm this process
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        load_network(folder)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the model here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = make_model(args.keep or Path(tmp) / "bench-50")
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        cold = cold_load(folder)
        warm, warm_cpu = warm_loads(folder, args.repeat)

    print(
        f"model: {N_CATCHMENTS} catchments + {N_LOADS} loads + {N_SOLAR} solar generators "
        f"with hourly series ({cold['steps']} steps, {size:.1f} MB of CSV), "
        f"{N_RESERVOIRS} reservoirs, {N_BUSES} buses"
    )
    print(
        f"cold process (python + import + load): {cold['process']:.2f} s wall "
        f"(import vakhsh.network {cold['import']:.2f} s wall / {cold['import_cpu']:.2f} s "
        f"CPU, first load {cold['load']:.2f} s wall / {cold['load_cpu']:.2f} s CPU)"
    )
    print(
        f"warm load, best of {args.repeat}: {min(warm):.3f} s wall, {min(warm_cpu):.3f} s "
        f"CPU (median {float(np.median(warm)):.3f} s wall)"
    )
    print(
        f"machine load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs"
    )
    verdict = "OK" if cold["load_cpu"] < 2 and min(warm) < 2 else "SLOW"
    print(f"goal < 2 s per load: {verdict}")


if __name__ == "__main__":
    main()
