"""HiGHS option levers of issue 14, measured side by side on vakhsh's own LP: where a
solve's time goes and what each option saves.

Each variant solves the fixed-head LP of the synthetic 6 x 4 system (bench/synthetic.py)
in its own child process, in memory (linopy -> highspy, as `vakhsh run` does), with
HiGHS's developer log on (`log_dev_level=3`), so that HiPO's own account of its time is
read back: analyse (ordering) for each Newton system it tried, factorisations, solves,
residuals. The variants alternate `--repeats` times so that load on the machine affects
them alike; the 1-minute load average is recorded before and after every child.

    python bench/solver_levers.py --steps 8760 --repeats 1 --json bench/out/levers-8760.json
    python bench/solver_levers.py --steps 8760 --variants hipo hipo-ne-metis-t2 --readme

`--readme` records the run in bench/solver_levers.json (one entry per step count, the
last run of each; `--label NAME` keeps a run beside them, e.g. `--variants simplex
simplex-pami --label pami`) and rewrites bench/README.md's solver-levers block from it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"

FIGURES = HERE / "solver_levers.json"
START = "<!-- solver-levers: begin (bench/solver_levers.py --readme) -->"
END = "<!-- solver-levers: end -->"
HIPO = {"solver": "hipo", "run_crossover": "off"}
PAMI = {"solver": "simplex", "parallel": "on", "threads": 2, "simplex_strategy": 2}
NE_METIS = {"hipo_system": "normaleq", "hipo_ordering": "metis"}
VARIANTS: dict[str, dict] = {
    "simplex": {"solver": "simplex"},
    "simplex-parallel": {"solver": "simplex", "parallel": "on", "threads": 2},
    "simplex-primal": {"solver": "simplex", "simplex_strategy": 4},
    "simplex-devex": {"solver": "simplex", "simplex_dual_edge_weight_strategy": 1},
    "simplex-nopresolve": {"solver": "simplex", "presolve": "off"},
    "simplex-pami": PAMI,
    # PAMI's concurrency (HiGHS's default 8) down to the 2 threads there are
    "simplex-pami-c2": {**PAMI, "simplex_max_concurrency": 2},
    "simplex-pami-c4": {**PAMI, "simplex_max_concurrency": 4},
    "simplex-noscale": {"solver": "simplex", "simplex_scale_strategy": 0},
    "simplex-scale4": {"solver": "simplex", "simplex_scale_strategy": 4},
    "simplex-dualize": {"solver": "simplex", "simplex_dualize_strategy": 1},
    "simplex-noperturb": {"solver": "simplex", "dual_simplex_cost_perturbation_multiplier": 0.0},
    "simplex-perturb01": {"solver": "simplex", "dual_simplex_cost_perturbation_multiplier": 0.1},
    "simplex-perturb03": {"solver": "simplex", "dual_simplex_cost_perturbation_multiplier": 0.3},
    "simplex-crash1": {"solver": "simplex", "simplex_crash_strategy": 1},
    "simplex-crash2": {"solver": "simplex", "simplex_crash_strategy": 2},
    "hipo": HIPO,
    "hipo-t2": {**HIPO, "threads": 2},
    "hipo-ne": {**HIPO, "hipo_system": "normaleq"},
    "hipo-ne-metis": {**HIPO, **NE_METIS},
    "hipo-ne-metis-t2": {**HIPO, **NE_METIS, "threads": 2},
    "hipo-ne-metis-t2-tree": {**HIPO, **NE_METIS, "threads": 2, "hipo_parallel_type": "tree"},
    "hipo-ne-metis-t2-node": {**HIPO, **NE_METIS, "threads": 2, "hipo_parallel_type": "node"},
    "hipo-ne-metis-tol7": {**HIPO, **NE_METIS, "ipm_optimality_tolerance": 1e-7},
    "hipo-ne-metis-block64": {**HIPO, **NE_METIS, "hipo_block_size": 64},
    "hipo-ne-metis-nopresolve": {**HIPO, **NE_METIS, "presolve": "off"},
    "ipx": {"solver": "ipx", "run_crossover": "off"},
}
DEFAULT_VARIANTS = ("hipo", "hipo-ne-metis", "hipo-t2", "hipo-ne-metis-t2")

# HiPO's summary lines (log_dev_level=3) -> keys
HIPO_TIMES = {
    "HiPO runtime": "hipo_s",
    "Analyse AS time": "analyse_as_s",
    "Analyse NE time": "analyse_ne_s",
    "Matrix time": "matrix_s",
    "Factorisation time": "factorise_s",
    "Solve time": "solves_s",
    "Residual time": "residual_s",
    "Omega time": "omega_s",
    "Analyse time": "analyse_s",
}
HIPO_COUNTS = {
    "HiPO iterations": "iterations",
    "Factorisations": "factorisations",
    "Solves": "solves",
}
HIPO_WORDS = {"Newton system": "newton", "Ordering": "ordering", "Threads": "threads"}


def build(steps: int):
    """The fixed-head linopy model of the synthetic 6 x 4 system, and the seconds taken by
    data, load and build."""
    sys.path.insert(0, str(HERE))
    import synthetic
    import vakhsh
    from vakhsh.math.build import build_model
    from vakhsh.solve.head import fixed_parameters

    folder = HERE / "out" / f"levers-{steps}"
    t0 = time.perf_counter()
    if not (folder / "model.yaml").exists():
        synthetic.write_vakhsh(synthetic.generate(steps=steps), folder)
    t1 = time.perf_counter()
    net = vakhsh.load(folder)
    t2 = time.perf_counter()
    ctx = build_model(net, fixed_parameters(net))
    return ctx.model, {"data_s": t1 - t0, "load_s": t2 - t1, "build_s": time.perf_counter() - t2}


def parse_log(log: str) -> dict:
    """HiGHS's and HiPO's own figures from a developer log."""
    out: dict = {}
    for label, key in {**HIPO_TIMES, **HIPO_COUNTS, **HIPO_WORDS}.items():
        found = re.findall(rf"^{re.escape(label)}:\s+(\S+)", log, re.MULTILINE)
        if found:
            value = found[-1]
            out[key] = value if key in HIPO_WORDS.values() else float(value)
    for key, pattern in (
        ("highs_run_s", r"HiGHS run time\s*:\s*([0-9.]+)"),
        ("simplex_iterations", r"Simplex\s+iterations:\s*([0-9]+)"),
        ("ipm_iterations", r"IPM\s+iterations:\s*([0-9]+)"),
        ("crossover_iterations", r"Crossover\s+iterations:\s*([0-9]+)"),
    ):
        found = re.findall(pattern, log)
        if found:
            out[key] = float(found[-1])
    for key, label in (("presolve_s", "Time Pre"), ("presolved_lp_s", "Time PreLP")):
        found = re.findall(rf"^{label}\s*:\s*([0-9.]+)", log, re.MULTILINE)
        if found:
            out[key] = float(found[-1])
    postsolve = re.findall(r": Postsolve\s+([0-9.]+)", log)
    if postsolve:
        out["postsolve_s"] = float(postsolve[-1])
    reductions = re.search(r"Presolve reductions: rows (\d+).*?columns (\d+)", log)
    if reductions:
        out["presolved_rows"], out["presolved_cols"] = map(int, reductions.groups())
    return out


def child(variant: str, steps: int) -> dict:
    from vakhsh.solve.algorithms import algorithm_ran

    model, timings = build(steps)
    fd, log_file = tempfile.mkstemp(prefix="levers-", suffix=".log")
    os.close(fd)
    options = {**VARIANTS[variant], "log_dev_level": 3, "log_file": log_file}
    options.update(output_flag=True, log_to_console=True)
    # HiPO prints its own account to the process's stdout, not to HiGHS's log file
    with tempfile.TemporaryFile() as console:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(console.fileno(), 1)
        try:
            w0, c0 = time.perf_counter(), time.process_time()
            status, condition = model.solve(solver_name="highs", io_api="direct", **options)
            solve_wall, solve_cpu = time.perf_counter() - w0, time.process_time() - c0
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        console.seek(0)
        printed = console.read().decode(errors="replace")
    log = Path(log_file).read_text(errors="replace") + printed
    Path(log_file).unlink()
    info = model.solver_model.getInfo()
    return {
        "variant": variant,
        "options": VARIANTS[variant],
        "status": f"{status}/{condition}",
        "algorithm": algorithm_ran(log, info),
        "rows": int(model.ncons),
        "columns": int(model.nvars),
        "objective": float(model.objective.value),
        **timings,
        "solve_wall_s": solve_wall,
        "solve_cpu_s": solve_cpu,
        **parse_log(log),
    }


def run_variant(variant: str, steps: int) -> dict:
    before = os.getloadavg()[0]
    w0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", variant, "--steps", str(steps)],
        stdout=subprocess.PIPE,
        text=True,
    )
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - w0
    if proc.returncode != 0:
        return {"variant": variant, "status": f"failed (exit {proc.returncode})", "wall_s": wall}
    out = json.loads(stdout.strip().splitlines()[-1])
    out.update(wall_s=wall, load_before=before, load_after=os.getloadavg()[0])
    return out


def render(figures: dict) -> str:
    """The README block: one table per recorded step count, one row per child in the
    order they ran."""
    out = []
    for key, rec in sorted(figures.items(), key=lambda kv: (int(kv[0].split()[0]), kv[0])):
        steps, runs = key.split()[0], rec["runs"]
        base = next((r["objective"] for r in runs if "objective" in r), None)
        out += [
            f"`{rec['command']}` (6 buses x 4 reservoirs x {steps} steps, {rec['time']}):",
            "",
            "| variant | ran | threads | system | iters | analyse s (AS+NE) | factorise s | "
            "solves s | HiGHS s | solve wall s | solve CPU s | child wall s | objective rel. "
            "diff | load before/after |",
            "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in runs:
            if "objective" not in r:
                out.append(f"| {r['variant']} | {r['status']} |" + " |" * 12)
                continue
            analyse = "-"
            if "analyse_s" in r:
                analyse = (
                    f"{r['analyse_s']:.1f} ({r.get('analyse_as_s', 0):.1f}+"
                    f"{r.get('analyse_ne_s', 0):.1f})"
                )
            iters = r.get("iterations") or r.get("ipm_iterations") or r.get("simplex_iterations")
            out.append(
                f"| {r['variant']} | {r['algorithm']} | {r.get('threads', '-')} | "
                f"{r.get('newton', '-')} | {_int(iters)} | {analyse} | {_f(r, 'factorise_s')} | "
                f"{_f(r, 'solves_s')} | {_f(r, 'highs_run_s')} | {_f(r, 'solve_wall_s')} | "
                f"{_f(r, 'solve_cpu_s')} | {_f(r, 'wall_s')} | "
                f"{abs(r['objective'] - base) / abs(base):.1e} | "
                f"{r['load_before']:.1f}/{r['load_after']:.1f} |"
            )
        out.append("")
    return "\n".join(out)


def _f(r: dict, key: str) -> str:
    v = r.get(key)
    return "-" if v is None else f"{v:.1f}"


def _int(v) -> str:
    return "-" if v is None else f"{int(v):,}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=8760)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--variants", nargs="+", default=list(DEFAULT_VARIANTS), choices=list(VARIANTS)
    )
    parser.add_argument("--json", type=Path, help="write every child's record here")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument(
        "--label",
        default="",
        help="keep this run beside the step count's others (e.g. pami), not in their place",
    )
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.steps)))
        return 0
    runs = []
    for _ in range(args.repeats):
        for variant in args.variants:
            runs.append(run_variant(variant, args.steps))
            print(json.dumps(runs[-1]), flush=True)
    shown = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--readme"]
    record = {
        "command": " ".join(["python", "bench/solver_levers.py", *shown]),
        "time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": runs,
    }
    print(render({str(args.steps): record}))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(runs, indent=1))
    if args.readme:
        from vakhsh.outputs.doc_blocks import replace_block

        figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        figures[" ".join([str(args.steps), *([args.label] if args.label else [])])] = record
        FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
        replace_block(README, START, END, render(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
