"""SDDP time per iteration: vakhsh beside cobre-python on a hydrothermal case both express.

    python bench/bench_cobre.py [--reservoirs 4] [--members 20] [--iterations 30]
        [--threads 1] [--cobre-python /tmp/cobre-venv/bin/python] [--out bench/out]

The case (written by this script for both tools from one description): one bus, a cascade
of R reservoirs each with its own catchment and a plant at fixed productivity, two thermal
plants, unserved energy at VoLL, no irrigation, no delays, no end-of-year storage target;
twelve monthly stages of 2025 at daily steps (vakhsh) or in one block (cobre); load and
inflow constant within each month (the daily LP then has the monthly LP's optimum); the
inflow outcomes of each stage are the ensemble's members, joint across catchments, equally
likely, independent between stages: vakhsh `--noise independent`, cobre the same members
as its backward opening tree (`scenarios/noise_openings.parquet`, PAR order 0, eta =
(member - mean) / std) and in-sample forward sampling. Both lower bounds after the same
number of iterations are printed beside each other: equal models converge to one optimum.

cobre-python needs Python >= 3.12, so cobre runs in its own interpreter:

    python3.12 -m venv /tmp/cobre-venv
    /tmp/cobre-venv/bin/pip install cobre-python pandas pyarrow

and this file is that interpreter's script too (`--cobre-side CASE.json`). Without the
interpreter or the package the cobre half is skipped with a message; the vakhsh half
still runs. Writes bench/out/cobre-R<r>-M<m>.json.

What cobre cannot express of a vakhsh model is printed at the end (`CANNOT_EXPRESS`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

DEFAULT_COBRE_PYTHON = "/tmp/cobre-venv/bin/python"
SEED = 20260303
VOLL = 3000.0
HOURS_PER_DAY = 24

# what a vakhsh water network has and cobre-python 0.18 (its case format, checked against
# the JSON schemas it exports: `cobre.schema.export`) has no counterpart for
CANNOT_EXPRESS = {
    "irrigation demands with a shortfall price per node, and return flows of a share of "
    "the withdrawal to another node": "hydros carry withdrawals as bounds with violation "
    "penalties (constraints/hydro_bounds.parquet), leaving the system; no return to "
    "another point of the network",
    "junctions, reaches between any two nodes with minimum flows, losses and their own "
    "delay in steps": "the network is a tree of hydro plants (downstream_id) with a "
    "travel time on each arc; no node without a plant",
    "sinks with a minimum inflow (the Aral Sea deliveries)": "no sink component",
    "storage units (batteries), markets with import prices": "not in the case format",
    "head from a level curve and tailwater per step": "FPHA hyperplanes per stage (a "
    "different approximation), not the exact head recomputed in simulation",
}


# ------------------------------------------------------------------ the case
def describe(reservoirs: int, members: int, seed: int = SEED) -> dict:
    """One description of the case, read by both writers."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-01-01", periods=13, freq="MS")
    days = np.diff(months).astype("timedelta64[D]").astype(int)
    hours = days * HOURS_PER_DAY
    # snowmelt regime: low winter base flow, peak in June
    shape = 0.35 + 2.2 * np.exp(-(((np.arange(12) + 0.5) / 12 - 0.44) ** 2) / 0.10**2)
    shape /= shape.mean()
    mean_q = np.where(np.arange(reservoirs) == 0, 200.0, rng.uniform(10, 50, reservoirs))
    k = rng.uniform(0.4, 1.8, reservoirs).round(3)  # MW per m3/s
    cum = mean_q.cumsum()
    smax = (
        cum
        * np.where(np.arange(reservoirs) == 0, 120, rng.uniform(5, 30, reservoirs))
        * 86400
        / 1e6
    ).round(1)
    smin = (0.2 * smax).round(1)
    sinit = (smin + 0.6 * (smax - smin)).round(1)
    qmax = (1.6 * cum).round(1)
    pmax = (k * qmax * 0.95).round(1)
    hydro_mean_mw = float((k * cum).sum())
    load = (1.6 * hydro_mean_mw * (1 + 0.2 * np.cos(2 * np.pi * (np.arange(12) + 0.5) / 12))).round(
        1
    )
    factors = np.exp(
        rng.normal(0, 0.35, (members, 12, 1)) + rng.normal(0, 0.1, (members, 12, reservoirs))
    )
    inflow = (mean_q[None, None, :] * shape[None, :, None] * factors).round(3)
    return {
        "stages": [
            {"start": f"{a:%Y-%m-%d}", "end": f"{b:%Y-%m-%d}", "hours": int(h), "days": int(d)}
            for a, b, h, d in zip(months[:-1], months[1:], hours, days, strict=True)
        ],
        "hydros": [
            {
                "id": i,
                "name": f"r{i}",
                "downstream": i + 1 if i + 1 < reservoirs else None,
                "smin": float(smin[i]),
                "smax": float(smax[i]),
                "sinit": float(sinit[i]),
                "qmax": float(qmax[i]),
                "pmax": float(pmax[i]),
                "k": float(k[i]),
            }
            for i in range(reservoirs)
        ],
        "thermals": [
            {"id": 0, "name": "gas_cheap", "pmax": round(0.6 * float(load.max()), 1), "cost": 45.0},
            {"id": 1, "name": "gas_peak", "pmax": round(0.4 * float(load.max()), 1), "cost": 140.0},
        ],
        "load_mw": [float(x) for x in load],
        "voll": VOLL,
        "inflow_m3s": inflow.tolist(),  # (member, stage, hydro)
    }


# ------------------------------------------------------------------ vakhsh side
def write_vakhsh(case: dict, folder: Path) -> tuple[Path, Path]:
    """A vakhsh model folder and its inflow ensemble (netCDF) for the case."""
    import numpy as np
    import pandas as pd
    import xarray as xr

    from vakhsh.hydrology.ensemble import write_ensemble

    folder.mkdir(parents=True, exist_ok=True)
    hydros = case["hydros"]
    lines = [
        "format: 1",
        "name: cobre-case",
        "description: written by bench/bench_cobre.py",
        "time:",
        f"  start: {case['stages'][0]['start']}",
        f"  end: {case['stages'][-1]['end']}",
        "  step: 1D",
        "currency: USD",
        "sinks:",
        "  sea: {}",
        "catchments:",
    ]
    for h in hydros:
        lines.append(
            f"  c{h['id']}: {{to: {h['name']}, inflow_m3s: 'series:monthly.csv#c{h['id']}'}}"
        )
    lines.append("reservoirs:")
    for h in hydros:
        down = hydros[h["downstream"]]["name"] if h["downstream"] is not None else "sea"
        lines.append(
            f"  {h['name']}: {{storage_min_hm3: {h['smin']}, storage_max_hm3: "
            f"{h['smax']}, storage_initial_hm3: {h['sinit']}, "
            f"storage_final_min_hm3: {h['smin']}, spill_to: {down}}}"
        )
    lines.append("hydro_plants:")
    for h in hydros:
        down = hydros[h["downstream"]]["name"] if h["downstream"] is not None else "sea"
        head = h["k"] / 9.81e-3  # efficiency 1: p = 9.81e-3 * head * flow = k * flow
        lines.append(
            f"  {h['name']}_hpp: {{reservoir: {h['name']}, to: {down}, bus: B0, "
            f"capacity_mw: {h['pmax']}, max_flow_m3s: {h['qmax']}, efficiency: 1.0,"
            f" head_m: {head!r}}}"
        )
    lines += [
        "buses:",
        f"  B0: {{voll_usd_per_mwh: {case['voll']}}}",
        "loads:",
        "  demand: {bus: B0, p_mw: 'series:monthly.csv#demand'}",
        "generators:",
    ]
    for t in case["thermals"]:
        lines.append(
            f"  {t['name']}: {{bus: B0, carrier: gas, capacity_mw: {t['pmax']}, "
            f"marginal_cost_usd_per_mwh: {t['cost']}}}"
        )
    (folder / "model.yaml").write_text("\n".join(lines) + "\n")
    inflow = np.asarray(case["inflow_m3s"])  # (member, stage, hydro)
    clim = pd.DataFrame({f"c{h['id']}": inflow[:, :, h["id"]].mean(axis=0) for h in hydros})
    clim["demand"] = case["load_mw"]
    clim.insert(0, "month", np.arange(1, 13))
    clim.to_csv(folder / "monthly.csv", index=False)
    time_index = pd.to_datetime([s["start"] for s in case["stages"]])
    da = xr.DataArray(
        inflow,
        dims=("member", "time", "catchment"),
        coords={
            "member": np.arange(inflow.shape[0]),
            "time": time_index,
            "catchment": [f"c{h['id']}" for h in hydros],
        },
        name="inflow_m3s",
        attrs={"units": "m3/s", "method": "bench_cobre"},
    )
    ens = write_ensemble(da, folder / "members.nc")
    return folder, ens


def run_vakhsh(folder: Path, ens: Path, iterations: int, workers: int) -> dict:
    from vakhsh.network import load_network
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.stopping import IterationLimit
    from vakhsh.sddp.train import train

    net = load_network(folder)
    start = time.perf_counter(), time.process_time()
    options = SDDPOptions(gap=None, workers=workers)
    model = build_sddp_model(net, load_inflows(net, ens), options)
    built = time.perf_counter(), time.process_time()
    log = train(model, [IterationLimit(iterations)])
    done = time.perf_counter(), time.process_time()
    n = len(log.iterations)
    return {
        "build_wall_s": built[0] - start[0],
        "train_wall_s": done[0] - built[0],
        "train_cpu_s": done[1] - built[1],
        "iterations": n,
        "per_iteration_wall_s": (done[0] - built[0]) / n,
        "per_iteration_cpu_s": (done[1] - built[1]) / n,
        "lower_bounds_usd": [it.lower_bound_usd for it in log.iterations],
        "stage_lp": {"rows": int(model.lps[0].A.shape[0]), "columns": int(model.lps[0].ncols)},
    }


# ------------------------------------------------------------------ cobre side
def write_cobre(case: dict, folder: Path, iterations: int, blocks: str) -> None:
    """The case as a cobre case folder (JSON + Parquet). Runs under cobre's Python.

    `blocks` "daily": one chronological block per day (storage carried from block to
    block, the LP of vakhsh's daily steps); "month": one block per stage (cobre's usual
    load-block formulation, the same optimum here since nothing varies within a month)."""
    import numpy as np
    import pandas as pd

    (folder / "system").mkdir(parents=True, exist_ok=True)
    (folder / "scenarios").mkdir(exist_ok=True)
    start = case["stages"][0]["start"]
    hydros, n_stages = case["hydros"], len(case["stages"])

    def dump(name: str, data: dict) -> None:
        (folder / name).write_text(json.dumps(data, indent=1))

    members = len(case["inflow_m3s"])
    dump(
        "config.json",
        {
            "training": {
                "tree_seed": 1,
                "selection": {"method": "sampled", "forward_passes": 1},
                # the backward openings are the members (written below), and the
                # forward pass samples among them (in-sample), as vakhsh does
                "scenario_source": {
                    "seed": 1,
                    "openings": {"source": "file"},
                    "inflow": {"scheme": "in_sample"},
                },
                "stopping_rules": [{"type": "iteration_limit", "limit": iterations}],
            },
            "simulation": {"enabled": False},
            "modeling": {"inflow_non_negativity": {"method": "penalty"}},
            "exports": {"stochastic": True},
            "estimation": {"max_order": 0},
        },
    )
    small = 1e-6  # cobre needs every penalty > 0; vakhsh prices none of these
    dump(
        "penalties.json",
        {
            "bus": {
                "deficit_segments": [{"depth_mw": None, "cost": case["voll"]}],
                "excess_cost": small,
            },
            "line": {"exchange_cost": small},
            "hydro": dict.fromkeys(
                (
                    "spillage_cost",
                    "turbined_cost",
                    "diversion_cost",
                    "storage_violation_below_cost",
                    "filling_target_violation_cost",
                    "turbined_violation_below_cost",
                    "outflow_violation_below_cost",
                    "outflow_violation_above_cost",
                    "generation_violation_below_cost",
                    "evaporation_violation_cost",
                    "water_withdrawal_violation_cost",
                ),
                small,
            ),
            "non_controllable_source": {"curtailment_cost": small},
        },
    )
    dump(
        "stages.json",
        {
            "policy_graph": {"type": "finite_horizon", "annual_discount_rate": 0.0},
            "stages": [
                {
                    "id": i,
                    "start_date": s["start"],
                    "end_date": s["end"],
                    "num_openings": members,
                    **_blocks(s, blocks),
                }
                for i, s in enumerate(case["stages"])
            ],
        },
    )
    dump(
        "initial_conditions.json",
        {
            "storage": [{"hydro_id": h["id"], "value_hm3": h["sinit"]} for h in hydros],
            "filling_storage": [],
        },
    )
    dump("system/buses.json", {"buses": [{"id": 0, "name": "B0", "operational_start_date": start}]})
    dump("system/lines.json", {"lines": []})
    dump(
        "system/thermals.json",
        {
            "thermals": [
                {
                    "id": t["id"],
                    "name": t["name"],
                    "bus_id": 0,
                    "operational_start_date": start,
                    "generation": {"min_mw": 0.0, "max_mw": t["pmax"]},
                    "cost_per_mwh": t["cost"],
                }
                for t in case["thermals"]
            ]
        },
    )
    dump(
        "system/hydros.json",
        {
            "hydros": [
                {
                    "id": h["id"],
                    "name": h["name"],
                    "operational_start_date": start,
                    "downstream_id": h["downstream"],
                    "reservoir": {"min_storage_hm3": h["smin"], "max_storage_hm3": h["smax"]},
                    "outflow": {"min_outflow_m3s": 0.0, "max_outflow_m3s": None},
                    "generation": {
                        "model": "constant_productivity",
                        "min_turbined_m3s": 0.0,
                        "max_turbined_m3s": h["qmax"],
                        "min_generation_mw": 0.0,
                        "max_generation_mw": h["pmax"],
                    },
                    "unit_groups": [
                        {
                            "id": 0,
                            "name": "all",
                            "bus_id": 0,
                            "min_generation_mw": 0.0,
                            "max_generation_mw": h["pmax"],
                            "min_turbined_m3s": 0.0,
                            "max_turbined_m3s": h["qmax"],
                        }
                    ],
                }
                for h in hydros
            ]
        },
    )
    dump(
        "system/hydro_production_models.json",
        {
            "production_models": [
                {
                    "hydro_id": h["id"],
                    "selection_mode": "stage_ranges",
                    "stage_ranges": [
                        {
                            "start_stage_id": 0,
                            "end_stage_id": None,
                            "model": "constant_productivity",
                            "productivity_mw_per_m3s": h["k"],
                        }
                    ],
                }
                for h in hydros
            ]
        },
    )
    inflow = np.asarray(case["inflow_m3s"])  # (member, stage, hydro)
    mean, std = inflow.mean(axis=0), inflow.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    rows = [
        (h["id"], s, float(mean[s, h["id"]]), float(std[s, h["id"]]))
        for h in hydros
        for s in range(n_stages)
    ]
    pd.DataFrame(rows, columns=["hydro_id", "stage_id", "mean_m3s", "std_m3s"]).astype(
        {"hydro_id": "int32", "stage_id": "int32"}
    ).to_parquet(
        folder / "scenarios" / "inflow_seasonal_stats.parquet", index=False, compression=None
    )
    pd.DataFrame(
        [(0, s, case["load_mw"][s], 0.0) for s in range(n_stages)],
        columns=["bus_id", "stage_id", "mean_mw", "std_mw"],
    ).astype({"bus_id": "int32", "stage_id": "int32"}).to_parquet(
        folder / "scenarios" / "load_seasonal_stats.parquet", index=False, compression=None
    )
    eta = (inflow - mean[None]) / std[None]  # the members in cobre's noise space
    rows = [
        (s, k, h["id"], float(eta[k, s, h["id"]]))
        for s in range(n_stages)
        for k in range(members)
        for h in hydros
    ]
    frame = pd.DataFrame(rows, columns=["stage_id", "opening_index", "entity_index", "value"])
    frame.astype(
        {"stage_id": "int32", "opening_index": "uint32", "entity_index": "uint32"}
    ).to_parquet(folder / "scenarios" / "noise_openings.parquet", index=False, compression=None)


def _blocks(stage: dict, blocks: str) -> dict:
    if blocks == "month":
        return {"blocks": [{"id": 0, "name": "month", "hours": stage["hours"]}]}
    return {
        "block_mode": "chronological",
        "blocks": [
            {"id": d, "name": f"day{d + 1}", "hours": HOURS_PER_DAY} for d in range(stage["days"])
        ],
    }


def cobre_side(case_path: Path, folder: Path, iterations: int, threads: int, blocks: str) -> dict:
    import cobre

    case = json.loads(case_path.read_text())
    write_cobre(case, folder / "case", iterations, blocks)
    report = cobre.io.validate(folder / "case")
    start = time.perf_counter(), time.process_time()
    result = cobre.run.run(folder / "case", output_dir=folder / "output", threads=threads)
    wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
    convergence = cobre.results.load_convergence(folder / "output")
    records = (
        convergence.to_dict("records") if hasattr(convergence, "to_dict") else list(convergence)
    )
    n = int(result["iterations"])
    return {
        "version": cobre.__version__,
        "validate": str(report)[:400],
        "threads": threads,
        "blocks": blocks,
        "train_wall_s": wall,
        "train_cpu_s": cpu,
        "iterations": n,
        "per_iteration_wall_s": wall / max(n, 1),
        "total_time_ms": result["total_time_ms"],
        "lower_bound_usd": result["lower_bound"],
        "upper_bound": result["upper_bound"],
        "convergence": records[:1000],
    }


def run_cobre(
    python: str, case: dict, out: Path, iterations: int, threads: int, blocks: str
) -> dict | str:
    """cobre's figures, or the reason it was skipped."""
    if not Path(python).exists():
        return f"skipped: no cobre interpreter at {python} (see this file's docstring)"
    probe = subprocess.run([python, "-c", "import cobre"], capture_output=True, text=True)
    if probe.returncode:
        return f"skipped: {python} cannot import cobre ({probe.stderr.strip()[-200:]})"
    out.mkdir(parents=True, exist_ok=True)
    (out / "case.json").write_text(json.dumps(case))
    done = subprocess.run(
        [
            python,
            __file__,
            "--cobre-side",
            str(out / "case.json"),
            "--out",
            str(out),
            "--iterations",
            str(iterations),
            "--threads",
            str(threads),
            "--blocks",
            blocks,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return f"failed: {done.stderr.strip()[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reservoirs", type=int, default=4)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--blocks",
        default="daily",
        choices=("daily", "month"),
        help="cobre's blocks per stage (see write_cobre)",
    )
    parser.add_argument(
        "--cobre-python", default=os.environ.get("COBRE_PYTHON", DEFAULT_COBRE_PYTHON)
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--cobre-side", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cobre_side is not None:  # running under cobre's interpreter
        print(
            json.dumps(
                cobre_side(args.cobre_side, args.out, args.iterations, args.threads, args.blocks),
                default=str,
            )
        )
        return
    tag = f"cobre-R{args.reservoirs}-M{args.members}-{args.blocks}"
    root = args.out / tag
    case = describe(args.reservoirs, args.members)
    figures = {
        "case": {k: case[k] for k in ("hydros", "thermals", "load_mw")},
        "members": args.members,
        "iterations": args.iterations,
        "load_start": os.getloadavg(),
    }
    folder, ens = write_vakhsh(case, root / "vakhsh")
    figures["vakhsh"] = run_vakhsh(folder, ens, args.iterations, args.threads)
    print(
        "vakhsh",
        {k: v for k, v in figures["vakhsh"].items() if k != "lower_bounds_usd"},
        flush=True,
    )
    figures["cobre"] = run_cobre(
        args.cobre_python, case, root / "cobre", args.iterations, args.threads, args.blocks
    )
    if isinstance(figures["cobre"], str):
        print("cobre", figures["cobre"])
    else:
        c = figures["cobre"]
        print("cobre", {k: v for k, v in c.items() if k != "convergence"})
        print(
            f"lower bound after {args.iterations} iterations: vakhsh "
            f"{figures['vakhsh']['lower_bounds_usd'][-1] / 1e6:,.3f} M USD, cobre "
            f"{c['lower_bound_usd'] / 1e6:,.3f} M USD"
        )
    figures["cannot_express"] = CANNOT_EXPRESS
    figures["load_end"] = os.getloadavg()
    path = args.out / f"{tag}.json"
    path.write_text(json.dumps(figures, indent=1, default=str))
    print("cobre cannot express:")
    for what, why in CANNOT_EXPRESS.items():
        print(f"  - {what}: {why}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
