"""LP benchmark of issue 3: vakhsh against PyPSA on the synthetic cascade system.

Each contender runs in its own child process, so that its peak memory (max RSS, read with
`os.wait4`) is measured alone and comparably: imports, data, model, solver and solution.

    python bench/bench_lp.py --buses 6 --reservoirs 4 --steps 2190 --pypsa --vakhsh \\
        --solver-options solver=ipm run_crossover=off

Contenders: `--pypsa` (PyPSA 1.4 + linopy + HiGHS), `--vakhsh`, `--highs-mps` (HiGHS alone on
the MPS file that PyPSA's linopy model writes; implies --pypsa), `--reference` (the same LP
assembled by hand with scipy, small sizes only). With two or more contenders the objectives
must agree to `--rtol` (default 1e-6), else the exit status is 1.
Generated model folders, logs and results.json go under bench/out/ (git-ignored).
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

CONTENDERS = ("pypsa", "highs", "vakhsh-mps", "floor", "vakhsh", "reference")


# --------------------------------------------------------------------------- helpers


def _rss_gib() -> float:
    """Current resident set size of this process, GiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _parse_value(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v.lower(), v)


def parse_solver_options(items: list[str]) -> dict:
    """`key=value` pairs, or one JSON object."""
    if len(items) == 1 and items[0].lstrip().startswith("{"):
        return json.loads(items[0])
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"bench_lp: error: --solver-options: expected key=value, got {item!r}")
        out[key] = _parse_value(value)
    return out


def _highs_lp_size(h) -> dict:
    lp = h.getLp()
    return {"rows": int(lp.num_row_), "cols": int(lp.num_col_), "nnz": len(lp.a_matrix_.value_)}


def _highs_stats(h) -> dict:
    info = h.getInfo()
    return {
        "simplex_iterations": int(info.simplex_iteration_count),
        "ipm_iterations": int(info.ipm_iteration_count),
        "highs_run_s": float(h.getRunTime()),
    }


# --------------------------------------------------------------------------- workers


def worker_pypsa(a) -> dict:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.getLogger("linopy").setLevel(logging.WARNING)
    logging.getLogger("pypsa").setLevel(logging.WARNING)
    import pypsa  # noqa: F401  (import cost outside the timings)

    from synthetic import generate, to_pypsa

    out = {"import_rss_gib": _rss_gib()}
    t0 = time.perf_counter()
    system = generate(a.buses, a.reservoirs, a.steps, a.step_hours, a.seed)
    t1 = time.perf_counter()
    n = to_pypsa(system, water_unit=a.pypsa_water_unit)
    t2 = time.perf_counter()
    m = n.optimize.create_model(include_objective_constant=False)
    t3 = time.perf_counter()
    out.update(
        data_s=t1 - t0,
        network_s=t2 - t1,
        build_s=t3 - t2,
        linopy_rows=int(m.ncons),
        linopy_cols=int(m.nvars),
    )
    t4 = time.perf_counter()
    extra = {"io_api": a.pypsa_io_api} if a.pypsa_io_api else {}
    _status, condition = n.optimize.solve_model(
        solver_name="highs", solver_options=a.solver_options, **extra
    )
    t5 = time.perf_counter()
    h = m.solver_model
    out.update(
        solve_s=t5 - t4,
        status=str(condition),
        objective=float(n.objective),
        **_highs_lp_size(h),
        **_highs_stats(h),
    )
    if a.mps:  # the very LP HiGHS solved, written after the solve (not in the peak memory)
        tm = time.perf_counter()
        h.writeModel(str(a.mps))
        out.update(mps_write_s=time.perf_counter() - tm, mps=str(a.mps))
    return out


def worker_highs(a) -> dict:
    import highspy

    out = {"import_rss_gib": _rss_gib()}
    h = highspy.Highs()
    t0 = time.perf_counter()
    h.readModel(a.mps)
    t1 = time.perf_counter()
    for key, value in a.solver_options.items():
        h.setOptionValue(key, value)
    h.run()
    t2 = time.perf_counter()
    out.update(
        build_s=t1 - t0,
        solve_s=t2 - t1,
        status=h.modelStatusToString(h.getModelStatus()),
        objective=float(h.getInfo().objective_function_value),
        **_highs_lp_size(h),
        **_highs_stats(h),
    )
    out["status"] = "optimal" if out["status"] == "Optimal" else out["status"]
    return out


def worker_vakhsh(a) -> dict:
    import vakhsh

    out = {"import_rss_gib": _rss_gib()}
    t0 = time.perf_counter()
    net = vakhsh.load(a.folder)
    t1 = time.perf_counter()
    res = vakhsh.optimise(
        net,
        vakhsh.SolveOptions(
            head="fixed",
            solver="highs",
            log=True,
            solver_options=a.solver_options,
            preset=a.preset,
        ),
    )
    t2 = time.perf_counter()
    summary = res.summary()
    solve = summary.get("solve", {})
    out.update(
        load_s=t1 - t0,
        optimise_s=t2 - t1,
        build_s=float(solve.get("build_s", float("nan"))),
        solve_s=float(solve.get("solve_s", float("nan"))),
        objective=float(res.objective_usd),
        status=str(summary.get("status", solve.get("status", "?"))),
    )
    for key, names in (
        ("rows", ("rows",)),
        ("cols", ("cols", "columns")),
        ("nnz", ("nnz", "nonzeros")),
    ):
        value = next((solve[k] for k in names if solve.get(k) is not None), None)
        if value is not None and int(value) >= 0:
            out[key] = int(value)
    out["audit"] = {
        k: v for k, v in summary.get("audit", {}).items() if isinstance(v, (int, float, str, bool))
    }
    out["summary_solve"] = {k: v for k, v in solve.items() if isinstance(v, (int, float, str))}
    return out


def worker_vakhsh_mps(a) -> dict:
    """vakhsh's own LP (the one `worker_vakhsh` solves) written to an MPS file, with the
    HiGHS options vakhsh would choose for it: the input of the `floor` contender."""
    import vakhsh
    from vakhsh.pipeline.core import Operation
    from vakhsh.solve.algorithms import available_cores, highs_options
    from vakhsh.solve.heads import head_model
    from vakhsh.solve.lp_file import write_lp_file
    from vakhsh.solve.solver import time_indexed

    options = vakhsh.SolveOptions(head="fixed", preset=a.preset, solver_options=a.solver_options)
    net = vakhsh.load(a.folder)
    model = Operation(net, head_model(options, None)).formulate(None).model
    chosen = highs_options(
        a.preset,
        int(model.nvars),
        False,
        dict(a.solver_options),
        time_indexed=time_indexed(model),
        cores=available_cores(),
    )
    t0 = time.perf_counter()
    write_lp_file(model, a.mps)
    return {
        "status": "optimal",
        "mps": a.mps,
        "mps_write_s": time.perf_counter() - t0,
        "highs_options": chosen,
    }


def worker_reference(a) -> dict:
    from reference_lp import solve_reference
    from synthetic import generate

    out = {"import_rss_gib": _rss_gib()}
    t0 = time.perf_counter()
    system = generate(a.buses, a.reservoirs, a.steps, a.step_hours, a.seed)
    t1 = time.perf_counter()
    out.update(solve_reference(system))
    out.update(build_s=float("nan"), solve_s=time.perf_counter() - t1, data_s=t1 - t0)
    return out


WORKERS = {
    "pypsa": worker_pypsa,
    "highs": worker_highs,
    "vakhsh-mps": worker_vakhsh_mps,
    "floor": worker_highs,  # HiGHS alone on vakhsh's MPS file, with vakhsh's options
    "vakhsh": worker_vakhsh,
    "reference": worker_reference,
}


# --------------------------------------------------------------------------- parent


def run_child(kind: str, a, outdir: Path) -> dict:
    """Run one contender in a child process; add wall time and peak RSS of that child."""
    result_path = outdir / f"{kind}.json"
    log_path = outdir / f"{kind}.log"
    result_path.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--buses",
        str(a.buses),
        "--reservoirs",
        str(a.reservoirs),
        "--steps",
        str(a.steps),
        "--seed",
        str(a.seed),
        "--result",
        str(result_path),
        "--solver-options",
        json.dumps(a.solver_options),
        "--pypsa-water-unit",
        a.pypsa_water_unit,
        "--preset",
        a.preset,
    ]
    if a.pypsa_io_api:
        cmd += ["--pypsa-io-api", a.pypsa_io_api]
    if a.step_hours is not None:
        cmd += ["--step-hours", str(a.step_hours)]
    if kind in ("vakhsh", "vakhsh-mps"):
        cmd += ["--folder", str(a.folder)]
    if kind in ("pypsa", "highs") and a.mps:
        cmd += ["--mps", str(a.mps)]
    if kind in ("vakhsh-mps", "floor"):
        cmd += ["--mps", str(a.folder.parent / "vakhsh.mps")]
    print(f"[bench] {kind}: running, log in {log_path}", flush=True)
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _, wait_status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result_path.exists():
        tail = log_path.read_text().splitlines()[-15:]
        print(
            f"[bench] {kind}: failed (exit {proc.returncode}); last lines of the log:\n  "
            + "\n  ".join(tail),
            flush=True,
        )
        return {
            "status": f"failed (exit {proc.returncode})",
            "wall_s": wall,
            "peak_rss_gib": usage.ru_maxrss / 2**20,
        }
    out = json.loads(result_path.read_text())
    out.update(_from_highs_log(log_path.read_text()))
    out["wall_s"] = wall
    out["cpu_s"] = usage.ru_utime + usage.ru_stime  # less sensitive to a busy machine
    out["peak_rss_gib"] = usage.ru_maxrss / 2**20  # ru_maxrss is KiB on Linux
    return out


def _from_highs_log(text: str) -> dict:
    """HiGHS's own run time and iteration counts, from the last solve in a log."""
    import re

    out = {}
    for key, pattern in (
        ("log_highs_run_s", r"HiGHS run time\s*:\s*([0-9.]+)"),
        ("log_ipm_iterations", r"IPM\s+iterations:\s*([0-9]+)"),
        ("log_simplex_iterations", r"Simplex\s+iterations:\s*([0-9]+)"),
        ("log_crossover_iterations", r"Crossover\s+iterations:\s*([0-9]+)"),
        ("log_hipo_s", r"HiPO runtime:\s*([0-9.]+)"),
        ("log_hipo_analyse_s", r"Analyse time:\s*([0-9.]+)"),
        ("log_threads", r"^Threads:\s*([0-9]+)"),
        ("log_objective", r"^Objective value\s*:\s*([-+0-9.eE]+)"),
    ):
        found = re.findall(pattern, text, re.MULTILINE)
        if found:
            numeric = key.endswith("_s") or key == "log_objective"
            out[key] = float(found[-1]) if numeric else int(found[-1])
    return out


SPLIT = (
    "start_s",
    "load_s",
    "build_s",
    "hand_over_and_read_back_s",
    "presolve_postsolve_s",
    "algorithm_s",
    "results_and_audit_s",
    "hipo_analyse_s",
)


def time_split(r: dict) -> dict:
    """Where a vakhsh child's wall time went: imports and start-up, reading the model
    folder, the LP build, handing the LP to HiGHS and reading the solution back (linopy),
    HiGHS's presolve and postsolve, its interior point or simplex, results and audit."""
    highs = r.get("log_highs_run_s", float("nan"))
    algorithm = r.get("log_hipo_s", highs)
    split = {
        "start_s": r["wall_s"] - r["load_s"] - r["optimise_s"],
        "load_s": r["load_s"],
        "build_s": r["build_s"],
        "hand_over_and_read_back_s": r["solve_s"] - highs,
        "presolve_postsolve_s": highs - algorithm,
        "algorithm_s": algorithm,
        "results_and_audit_s": r["optimise_s"] - r["build_s"] - r["solve_s"],
    }
    if "log_hipo_analyse_s" in r:
        split["hipo_analyse_s"] = r["log_hipo_analyse_s"]
    return split


def _fmt(v, spec: str) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return format(v, spec)


def print_table(results: dict[str, dict]) -> None:
    head = (
        f"{'contender':<10} {'status':<10} {'objective_usd':>20} {'rows':>9} {'cols':>9} "
        f"{'nnz':>10} {'build_s':>8} {'solve_s':>9} {'wall_s':>9} {'cpu_s':>9} {'peak_GiB':>8}"
    )
    print(head)
    print("-" * len(head))
    for kind, r in results.items():
        print(
            f"{kind:<10} {str(r.get('status', '?'))[:10]:<10} "
            f"{_fmt(r.get('objective'), '20.6f')} {_fmt(r.get('rows'), '9d')} "
            f"{_fmt(r.get('cols'), '9d')} {_fmt(r.get('nnz'), '10d')} "
            f"{_fmt(r.get('build_s'), '8.2f')} {_fmt(r.get('solve_s'), '9.2f')} "
            f"{_fmt(r.get('wall_s'), '9.2f')} {_fmt(r.get('cpu_s'), '9.2f')} "
            f"{_fmt(r.get('peak_rss_gib'), '8.3f')}"
        )


def collect(root: Path) -> None:
    """Markdown rows of every results.json under root, one per contender."""
    print(
        "| system | solver options | contender | status | rows | cols | nnz | build s | "
        "solve s | HiGHS s | iters | wall s | CPU s | peak GiB | objective USD | load avg |"
    )
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    records = [json.loads(f.read_text()) for f in sorted(root.glob("*/results.json"))]
    records.sort(
        key=lambda r: (
            r["buses"],
            r["reservoirs_per_bus"],
            r["steps"],
            json.dumps(r["solver_options"]),
        )
    )
    for rec in records:
        opts = " ".join(f"{k}={v}" for k, v in rec["solver_options"].items()) or "defaults"
        load = "/".join(f"{rec[k][0]:.1f}" for k in ("loadavg_before", "loadavg_after") if k in rec)
        for kind, r in rec["results"].items():
            iters = " ".join(
                f"{name[4:-11]}:{r[name]}"
                for name in (
                    "log_ipm_iterations",
                    "log_simplex_iterations",
                    "log_crossover_iterations",
                )
                if r.get(name)
            )
            print(
                f"| {rec['system']} | {opts} | {kind} | {r.get('status', '?')} | "
                f"{_fmt(r.get('rows'), ',d')} | {_fmt(r.get('cols'), ',d')} | "
                f"{_fmt(r.get('nnz'), ',d')} | {_fmt(r.get('build_s'), '.2f')} | "
                f"{_fmt(r.get('solve_s'), '.2f')} | {_fmt(r.get('log_highs_run_s'), '.2f')} | "
                f"{iters} | {_fmt(r.get('wall_s'), '.1f')} | "
                f"{_fmt(r.get('cpu_s'), '.1f')} | {_fmt(r.get('peak_rss_gib'), '.3f')} | "
                f"{_fmt(r.get('objective'), ',.2f')} | {load} |"
            )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--buses", type=int, default=6)
    p.add_argument("--reservoirs", type=int, default=4, help="reservoirs per bus")
    p.add_argument("--steps", type=int, default=2190)
    p.add_argument(
        "--step-hours",
        type=int,
        default=None,
        help="step length in hours (default: 1 from 8760 steps on, else 3)",
    )
    p.add_argument("--seed", type=int, default=20260303)
    p.add_argument("--pypsa", action="store_true", help="run PyPSA + linopy + HiGHS")
    p.add_argument("--vakhsh", action="store_true", help="run vakhsh")
    p.add_argument(
        "--highs-mps",
        action="store_true",
        help="also run HiGHS alone on the MPS file PyPSA writes (implies --pypsa)",
    )
    p.add_argument(
        "--floor",
        action="store_true",
        help="also run HiGHS alone on vakhsh's own LP, written to an MPS file, with the "
        "options vakhsh chooses for it (implies --vakhsh): the floor of vakhsh's time",
    )
    p.add_argument(
        "--mps",
        default=None,
        help="where PyPSA writes its LP (MPS); default bench/out/<name>/pypsa.mps when --highs-mps",
    )
    p.add_argument(
        "--pypsa-water-unit",
        choices=("m3s", "hm3"),
        default="m3s",
        help="units of PyPSA's water buses: m3/s with stores in (m3/s)*h (default), "
        "or hm3/h with stores in hm3",
    )
    p.add_argument(
        "--pypsa-io-api",
        choices=("lp", "mps", "direct"),
        default=None,
        help="how linopy hands PyPSA's LP to HiGHS (default: linopy's own default, "
        "which writes and reads an LP file)",
    )
    p.add_argument(
        "--reference",
        action="store_true",
        help="also solve the hand-assembled scipy LP (small sizes only)",
    )
    p.add_argument(
        "--solver-options",
        nargs="*",
        default=[],
        help="HiGHS options as key=value (e.g. solver=ipm run_crossover=off) or JSON",
    )
    p.add_argument(
        "--preset",
        default="auto",
        help="vakhsh's solver preset (SolveOptions.preset: auto, simplex, hipo, ipx, highs); "
        "--solver-options win over it",
    )
    p.add_argument("--rtol", type=float, default=1e-6, help="objective cross-check tolerance")
    p.add_argument("--out", default=None, help="output folder (default bench/out/<name>[-tag])")
    p.add_argument("--tag", default="", help="suffix of the output folder name (e.g. ipx)")
    p.add_argument(
        "--collect",
        action="store_true",
        help="print a markdown table of every bench/out/*/results.json and exit",
    )
    p.add_argument(
        "--readme",
        action="store_true",
        help="record the run in bench/bench_lp.json and rewrite README.md's bench-lp block",
    )
    p.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.solver_options = parse_solver_options(a.solver_options)

    if a.worker:
        out = WORKERS[a.worker](a)
        Path(a.result).write_text(json.dumps(out, indent=1))
        return 0

    if a.collect:
        collect(HERE / "out")
        return 0
    from synthetic import default_step_hours, generate, write_vakhsh

    if a.highs_mps:
        a.pypsa = True
    if a.floor:
        a.vakhsh = True
    if not (a.pypsa or a.vakhsh or a.reference):
        p.error("choose at least one of --pypsa, --vakhsh, --highs-mps, --reference")
    hours = a.step_hours or default_step_hours(a.steps)
    name = f"{a.buses}x{a.reservoirs}x{a.steps}-{hours}h" + (f"-{a.tag}" if a.tag else "")
    outdir = Path(a.out) if a.out else HERE / "out" / name
    outdir.mkdir(parents=True, exist_ok=True)
    if a.highs_mps and not a.mps:
        a.mps = str(outdir / "pypsa.mps")
    print(
        f"[bench] system {name}: {a.buses} buses x {a.reservoirs} reservoirs x {a.steps} "
        f"steps of {hours} h, seed {a.seed}; solver options {a.solver_options or 'defaults'}"
    )

    results: dict[str, dict] = {}
    load_before = os.getloadavg()
    if a.vakhsh:
        a.folder = outdir / "model"
        write_vakhsh(generate(a.buses, a.reservoirs, a.steps, a.step_hours, a.seed), a.folder)
        print(f"[bench] vakhsh model folder: {a.folder}")
    if a.pypsa:
        results["pypsa"] = run_child("pypsa", a, outdir)
    if a.highs_mps:
        results["highs"] = run_child("highs", a, outdir)
    if a.floor:
        written = run_child("vakhsh-mps", a, outdir)
        if written.get("status") == "optimal":
            floor_options = a.solver_options
            a.solver_options = written["highs_options"]
            results["floor"] = run_child("floor", a, outdir)
            results["floor"]["highs_options"] = written["highs_options"]
            a.solver_options = floor_options
        else:
            results["floor"] = written
    if a.vakhsh:
        results["vakhsh"] = run_child("vakhsh", a, outdir)
    if a.reference:
        results["reference"] = run_child("reference", a, outdir)

    print()
    print_table(results)
    v = results.get("vakhsh", {})
    if "optimise_s" in v and "log_highs_run_s" in v:
        v["time_split"] = time_split(v)
        print(
            "[bench] vakhsh wall "
            + f"{v['wall_s']:.1f} s = "
            + ", ".join(f"{k[:-2].replace('_', ' ')} {x:.1f}" for k, x in v["time_split"].items())
            + (f"; HiGHS threads {v['log_threads']}" if "log_threads" in v else "")
        )
    print(
        f"[bench] load average (1 min) before {load_before[0]:.2f}, after "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    record = {
        "system": name,
        "buses": a.buses,
        "reservoirs_per_bus": a.reservoirs,
        "steps": a.steps,
        "step_hours": hours,
        "seed": a.seed,
        "solver_options": a.solver_options,
        "vakhsh_preset": a.preset,
        "pypsa_water_unit": a.pypsa_water_unit,
        "pypsa_io_api": a.pypsa_io_api,
        "argv": sys.argv,
        "results": results,
        "host_cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    status = 0
    v, ref = results.get("vakhsh"), results.get("pypsa")
    if v and ref and "objective" in v and "objective" in ref:
        print()
        tv = v.get("build_s", 0) + v.get("solve_s", 0)
        tp = ref.get("build_s", 0) + ref.get("solve_s", 0)
        ratios = {
            "time_build_plus_solve": tv / tp,
            "wall": v["wall_s"] / ref["wall_s"],
            "peak_rss": v["peak_rss_gib"] / ref["peak_rss_gib"],
            "vakhsh_build_share": v.get("build_s", float("nan")) / tv if tv else None,
        }
        record["ratios"] = ratios
        print(
            f"vakhsh/PyPSA: build+solve time {ratios['time_build_plus_solve']:.3f}, "
            f"wall {ratios['wall']:.3f}, peak memory {ratios['peak_rss']:.3f}; "
            f"vakhsh build share {_fmt(ratios['vakhsh_build_share'], '.1%')}"
        )
    floor = results.get("floor")
    if v and floor and "objective" in v and "solve_s" in floor:
        tv = v.get("build_s", 0) + v.get("solve_s", 0)
        record["ratios_floor"] = {
            "time_build_plus_solve": tv / floor["solve_s"],
            "wall": v["wall_s"] / floor["wall_s"],
            "peak_rss": v["peak_rss_gib"] / floor["peak_rss_gib"],
        }
        print(
            f"vakhsh/HiGHS alone on vakhsh's MPS: build+solve time "
            f"{record['ratios_floor']['time_build_plus_solve']:.3f} (against HiGHS's run), "
            f"wall {record['ratios_floor']['wall']:.3f} (against the whole child, reading "
            f"the file included), peak memory {record['ratios_floor']['peak_rss']:.3f}"
        )
    if v and floor and "log_objective" in v and "objective" in floor:
        # the MPS file holds the LP without vakhsh's constant terms: compare HiGHS's values
        rel = abs(floor["objective"] - v["log_objective"]) / max(abs(v["log_objective"]), 1.0)
        print(
            f"objective cross-check floor vs vakhsh's LP (HiGHS's objective in both logs): "
            f"relative difference {rel:.2e} ({'ok' if rel <= a.rtol else 'FAIL'})"
        )
        record["cross_check_floor"] = {"rel_diff": rel, "rtol": a.rtol, "ok": rel <= a.rtol}
        if rel > a.rtol:
            status = 1
    objs = {k: r["objective"] for k, r in results.items() if "objective" in r and k != "floor"}
    failed = [k for k, r in results.items() if r.get("status") != "optimal"]
    if failed:
        print(f"[bench] not optimal: {', '.join(failed)}")
        status = 1
    if len(objs) >= 2:
        base_kind = "pypsa" if "pypsa" in objs else next(iter(objs))
        base = objs[base_kind]
        worst = 0.0
        for kind, obj in objs.items():
            rel = abs(obj - base) / max(abs(base), abs(obj), 1.0)
            worst = max(worst, rel)
            if kind != base_kind:
                print(
                    f"objective cross-check {kind} vs {base_kind}: relative difference "
                    f"{rel:.2e} ({'ok' if rel <= a.rtol else 'FAIL'}, tolerance {a.rtol:g})"
                )
        record["cross_check"] = {"max_rel_diff": worst, "rtol": a.rtol, "ok": worst <= a.rtol}
        if worst > a.rtol:
            status = 1
    (outdir / "results.json").write_text(json.dumps(record, indent=1))
    print(f"[bench] results: {outdir / 'results.json'}")
    if a.readme:
        if status:
            print("[bench] --readme: not recorded (a contender failed or the objectives differ)")
        else:
            record_figures(record)
            print(f"[bench] recorded in {FIGURES.name}; README block rewritten")
    return status


# --------------------------------------------------------------------------- README block

FIGURES = HERE / "bench_lp.json"
README = HERE / "README.md"
START, END = "<!-- bench-lp: begin (bench/bench_lp.py --readme) -->", "<!-- bench-lp: end -->"
KEPT = (
    "status",
    "objective",
    "rows",
    "cols",
    "build_s",
    "solve_s",
    "load_s",
    "optimise_s",
    "wall_s",
    "cpu_s",
    "peak_rss_gib",
    "log_highs_run_s",
    "log_hipo_s",
    "log_hipo_analyse_s",
    "log_threads",
    "log_ipm_iterations",
    "log_simplex_iterations",
    "time_split",
)


def record_figures(record: dict) -> None:
    """Keep `record` (one bench run) in bench_lp.json under its system name, replacing an
    older run of the same name, and rewrite README.md's bench-lp block from the file."""
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    command = ["python", "bench/bench_lp.py", *[x for x in record["argv"][1:] if x != "--readme"]]
    # the machine is noisy: keep the ratio of every earlier run of this system, not just the last
    earlier = []
    if record["system"] in figures:
        old = figures[record["system"]]
        earlier = old.get("earlier", [])
        if old.get("ratios"):
            earlier.append({"time": old["time"], "load": old["load"], "ratios": old["ratios"]})
    figures[record["system"]] = {
        "earlier": earlier,
        "command": " ".join(command),
        "time": record["time"],
        "steps": record["steps"],
        "load": [record["loadavg_before"][0], record["loadavg_after"][0]],
        "results": {
            kind: {k: r[k] for k in KEPT if k in r} | {"algorithm": _algorithm(kind, r)}
            for kind, r in record["results"].items()
        },
        "ratios": record.get("ratios", {}),
        "ratios_floor": record.get("ratios_floor", {}),
        "max_rel_diff": record.get("cross_check", {}).get("max_rel_diff"),
    }
    FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    from vakhsh.outputs.doc_blocks import replace_block

    replace_block(README, START, END, render(figures))


def _algorithm(kind: str, r: dict) -> str:
    if kind == "vakhsh":
        return str(r.get("summary_solve", {}).get("algorithm", "?"))
    if "log_hipo_s" in r:
        return "hipo"
    return "ipm" if r.get("log_ipm_iterations") else "simplex"


def render(figures: dict) -> str:
    """The README block: one table per recorded run, the ratios and vakhsh's time split."""
    out = []
    for name, f in sorted(figures.items(), key=lambda kv: (kv[1]["steps"], kv[0])):
        out += [
            f"**{name}**: `{f['command']}` ({f['time']}, load average {f['load'][0]:.1f} "
            f"before, {f['load'][1]:.1f} after)",
            "",
            "| contender | algorithm | threads | build s | solve s | HiGHS s | wall s | CPU s "
            "| peak GiB | objective USD |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        # by name: the json is written with sorted keys, so the block reads the same either way
        for kind, r in sorted(f["results"].items()):
            out.append(
                f"| {kind} | {r['algorithm']} | {r.get('log_threads', '-')} | "
                f"{_fmt(r.get('build_s'), '.2f')} | {_fmt(r.get('solve_s'), '.2f')} | "
                f"{_fmt(r.get('log_highs_run_s'), '.2f')} | {_fmt(r.get('wall_s'), '.1f')} | "
                f"{_fmt(r.get('cpu_s'), '.1f')} | {_fmt(r.get('peak_rss_gib'), '.3f')} | "
                f"{_fmt(r.get('objective'), ',.2f')} |"
            )
        out.append("")
        ratios = f.get("ratios")
        if ratios:
            out.append(
                f"vakhsh/PyPSA: build+solve time **{ratios['time_build_plus_solve']:.3f}**, "
                f"wall {ratios['wall']:.3f}, peak memory {ratios['peak_rss']:.3f}; "
                f"objectives {f['max_rel_diff']:.1e} apart."
            )
        floor = f.get("ratios_floor")
        if floor:
            out.append(
                "floor = HiGHS alone on vakhsh's LP written to MPS, with the options vakhsh "
                "chose (its objective lacks vakhsh's constant terms): vakhsh/floor build+solve "
                f"**{floor['time_build_plus_solve']:.3f}** (against HiGHS's run), wall "
                f"{floor['wall']:.3f} (the floor's child reads the file too), peak memory "
                f"{floor['peak_rss']:.3f}."
            )
        if f.get("earlier"):
            runs = "; ".join(
                f"{e['ratios']['time_build_plus_solve']:.3f} ({e['time']}, load "
                f"{e['load'][0]:.1f}/{e['load'][1]:.1f})"
                for e in f["earlier"]
            )
            out.append(f"Earlier runs, build+solve time ratio: {runs}.")
        split = f["results"].get("vakhsh", {}).get("time_split")
        if split:
            order = [k for k in SPLIT if k in split]  # the JSON is written with sorted keys
            parts = ", ".join(f"{k[:-2].replace('_', ' ')} {split[k]:.1f}" for k in order)
            out.append(f"vakhsh's wall {f['results']['vakhsh']['wall_s']:.1f} s: {parts}.")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
