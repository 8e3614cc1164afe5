"""KVL on the synthetic system with reactances: vakhsh (cycles, angles) beside PyPSA.

    python bench/bench_kvl.py 12 2 730            # buses, reservoirs per bus, steps
    python bench/bench_kvl.py 24 2 2190 --repeat 2
    python bench/bench_kvl.py --sizes 6x2x96 12x2x192 24x2x192 --readme

The synthetic system (bench/synthetic.py) joins its buses in a ring; here every bus is
also joined to the bus two places on (a meshed grid with `buses` independent cycles), and
every line gets a reactance (x_ohm in [10, 60] at 220 kV, seeded). The same vakhsh Network
is solved three ways in one run, one after the other on the same machine:

- vakhsh with KVL on a cycle basis (the default, `vakhsh.math.kirchhoff`),
- vakhsh with voltage angles,
- PyPSA 1.4 on `vakhsh.interop.to_pypsa(net)` (its own KVL on PyPSA Lines).

Each line of output is JSON: LP size as HiGHS saw it (rows, cols, nnz), build and solve
seconds, objective. Solve times are HiGHS run times with default options; compare them as
ratios within one run (the machine is shared). With `--readme` the script rewrites the
table between the KVL markers of bench/README.md and docs/pypsa.md, with the load average
before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate, write_vakhsh

ROOT = Path(__file__).resolve().parents[1]
V_NOM_KV = 220.0


def meshed_folder(
    buses: int, reservoirs: int, steps: int, folder: Path, seed: int = 20260303
) -> Path:
    """The synthetic system with chords (b, b+2) and reactances on every line."""
    system = generate(buses, reservoirs, steps, seed=seed)
    write_vakhsh(system, folder)
    model = yaml.safe_load((folder / "model.yaml").read_text())
    rng = np.random.default_rng(seed + 1)
    lines = model.get("lines", {})
    if buses >= 4:
        for b in range(buses):
            c = (b + 2) % buses
            if b < c or buses > 4:
                cap = float(np.mean([v["capacity_mw"] for v in lines.values()]))
                lines[f"chord_b{b}_b{c}"] = {
                    "from": f"B{b}",
                    "to": f"B{c}",
                    "capacity_mw": round(cap, 1),
                }
    for line in lines.values():
        line["x_ohm"] = round(float(rng.uniform(10.0, 60.0)), 2)
    for bus in model["buses"].values():
        bus["v_nom_kv"] = V_NOM_KV
    model["lines"] = lines
    (folder / "model.yaml").write_text(yaml.safe_dump(model, sort_keys=False))
    return folder


def _highs_size(h) -> dict:
    lp = h.getLp()
    return {
        "rows": int(lp.num_row_),
        "cols": int(lp.num_col_),
        "nnz": int(len(lp.a_matrix_.value_)),
    }


def run_vakhsh(folder: Path, formulation: str) -> dict:
    import vakhsh
    from vakhsh.math import kirchhoff
    from vakhsh.math.build import build_model
    from vakhsh.solve.head import fixed_parameters

    kirchhoff.KVL_FORMULATION = formulation
    net = vakhsh.load(folder)
    t0 = time.perf_counter()
    ctx = build_model(net, fixed_parameters(net))
    t1 = time.perf_counter()
    ctx.model.solve(solver_name="highs", output_flag=False, progress=False)
    t2 = time.perf_counter()
    h = ctx.model.solver_model
    kvl = [c for c in ctx.model.constraints if c.startswith("kirchhoff")]
    return {
        "tool": f"vakhsh-{formulation}",
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "highs_run_s": float(h.getRunTime()),
        **_highs_size(h),
        "kvl_rows": int(sum(int((ctx.model.constraints[c].labels >= 0).sum()) for c in kvl)),
        # the reported objective leaves the storage tie-break out, as vakhsh.optimise
        "objective": float(sum(ctx.cost_values().values())),
    }


def run_pypsa(folder: Path) -> dict:
    import vakhsh
    from vakhsh.interop import to_pypsa

    net = vakhsh.load(folder)
    n = to_pypsa(net)
    t0 = time.perf_counter()
    m = n.optimize.create_model(include_objective_constant=False)
    t1 = time.perf_counter()
    n.optimize.solve_model(
        solver_name="highs", solver_options={"output_flag": False}, progress=False
    )
    t2 = time.perf_counter()
    h = m.solver_model
    return {
        "tool": "pypsa",
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "highs_run_s": float(h.getRunTime()),
        **_highs_size(h),
        "kvl_rows": int((m.constraints["Kirchhoff-Voltage-Law"].labels >= 0).sum())
        if "Kirchhoff-Voltage-Law" in m.constraints
        else 0,
        "objective": float(n.objective),
    }


README_BEGIN = "<!-- bench_kvl: begin (written by bench/bench_kvl.py --readme) -->"
README_END = "<!-- bench_kvl: end -->"
# the pages whose KVL table this script writes (between the markers above) with --readme
PAGES = (Path("bench/README.md"), Path("docs/pypsa.md"))


def _sizes(text: str) -> tuple[int, int, int]:
    buses, reservoirs, steps = (int(v) for v in text.split("x"))
    return buses, reservoirs, steps


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _table(rows: list[dict], command: str, load_before: str, load_after: str) -> str:
    head = (
        "| size (buses x reservoirs x steps) | formulation | rows | cols | nnz | KVL rows "
        "| build s | HiGHS s | HiGHS time / cycles | objective USD |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    body = []
    for r in rows:
        base = next(
            x
            for x in rows
            if x["size"] == r["size"]
            and x["repeat"] == r["repeat"]
            and x["tool"] == "vakhsh-cycles"
        )
        body.append(
            f"| {r['size']} | {r['tool']} | {r['rows']:,} | {r['cols']:,} | "
            f"{r['nnz']:,} | {r['kvl_rows']:,} | {r['build_s']:.2f} | "
            f"{r['highs_run_s']:.2f} | {r['highs_run_s'] / base['highs_run_s']:.2f} | "
            f"{r['objective']:,.2f} |"
        )
    return (
        f"`{command}` on {platform.node()} ({os.cpu_count()} cores, "
        f"shared), load average (1, 5, 15 min) {load_before} before and {load_after} "
        "after; HiGHS defaults, one run after the other in one process.\n\n"
        + head
        + "\n".join(body)
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("buses", type=int, nargs="?", default=12)
    p.add_argument("reservoirs", type=int, nargs="?", default=2)
    p.add_argument("steps", type=int, nargs="?", default=730)
    p.add_argument(
        "--sizes",
        nargs="+",
        type=_sizes,
        default=None,
        help="several sizes BUSESxRESERVOIRSxSTEPS, run one after the other",
    )
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument(
        "--readme",
        action="store_true",
        help="rewrite the KVL table of bench/README.md and docs/pypsa.md with the figures",
    )
    a = p.parse_args(argv)
    warnings.simplefilter("ignore")
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    sizes = a.sizes or [(a.buses, a.reservoirs, a.steps)]
    rows, load_before = [], _load()
    for buses, reservoirs, steps in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = meshed_folder(buses, reservoirs, steps, Path(tmp) / "kvl")
            for r in range(a.repeat):
                for tool, formulation in (
                    ("vakhsh", "cycles"),
                    ("vakhsh", "angles"),
                    ("pypsa", None),
                ):
                    out = run_vakhsh(folder, formulation) if tool == "vakhsh" else run_pypsa(folder)
                    out.update(size=f"{buses}x{reservoirs}x{steps}", repeat=r, load=_load())
                    rows.append(out)
                    print(json.dumps(out), flush=True)
        if a.readme:  # after every size: a long run that is cut keeps its rows
            from vakhsh.outputs.doc_blocks import replace_block

            command = "python bench/bench_kvl.py " + " ".join(
                argv if argv is not None else sys.argv[1:]
            )
            table = _table(rows, command, load_before, _load())
            for page in PAGES:
                replace_block(ROOT / page, README_BEGIN, README_END, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
