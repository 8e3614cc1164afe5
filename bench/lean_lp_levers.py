"""Two lean-LP levers of issue 14, measured side by side on the synthetic cascade system.

- `free`: one free variable per lossless line (flow in [-backward, forward]) instead of a
  forward and a backward column;
- `mask`: no column for generator output whose upper bound is zero (solar at night,
  generators before `available_from`), through linopy's variable mask.

Each variant patches the build in its own child process, builds the fixed-head LP and
solves it with HiGHS defaults in memory; the variants alternate `--repeats` times so that
load on the machine affects them alike. Prints columns, CPU seconds of build and solve and
the objective (each variant must reach the baseline's optimum).

    python bench/lean_lp_levers.py --steps 2190 --repeats 3 --readme

`--readme` writes the table into bench/README.md between its lean-lp markers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START, END = "<!-- lean-lp: begin (bench/lean_lp_levers.py --readme) -->", "<!-- lean-lp: end -->"
VARIANTS = ("two", "free", "mask")


def _free_lines(ctx) -> None:
    net = ctx.net
    lines = net.tables["lines"]
    if float(net.static("lines", "loss_fraction").max()) > 0:
        raise SystemExit("the free-line lever needs lossless lines")
    active = net.active("lines")
    forward = ctx.series("lines", "capacity_mw").where(active, 0.0)
    backward = ctx.series("lines", "capacity_backward_mw")
    backward = backward.where(np.isfinite(backward), forward).where(active, 0.0)
    flow = ctx.add_var(
        lower=-backward.transpose("time", "line"),
        upper=forward.transpose("time", "line"),
        coords=ctx.coords("lines"),
        name="line_flow_mw",
    )
    ctx.add_power(flow, "line", lines["from"], sign=-1)
    ctx.add_power(flow, "line", lines["to"])


@contextlib.contextmanager
def _patched(variant: str):
    """The build with `variant`'s change, undone on leaving (tests build in-process)."""
    import xarray as xr

    import vakhsh.math.build as build
    from vakhsh.math.context import BuildContext

    operation, add_var = build.OPERATION, BuildContext.add_var
    if variant == "free":
        build.OPERATION = tuple(_free_lines if f is build.add_lines else f for f in operation)
    if variant == "mask":

        def masked(self, name, **kwargs):
            upper = kwargs.get("upper")
            if name == "generator_p_mw" and isinstance(upper, xr.DataArray):
                kwargs["mask"] = upper != 0
            return add_var(self, name=name, **kwargs)

        BuildContext.add_var = masked
    try:
        yield
    finally:
        build.OPERATION, BuildContext.add_var = operation, add_var


def build(variant: str, steps: int, folder: Path | None = None):
    """The fixed-head build context of the synthetic 6 x 4 system with `variant`'s change,
    and its CPU seconds."""
    sys.path.insert(0, str(HERE))
    import synthetic
    import vakhsh
    from vakhsh.math.build import build_model
    from vakhsh.solve.head import fixed_parameters

    folder = folder or HERE / "out" / f"lean-{steps}"
    net = vakhsh.load(synthetic.write_vakhsh(synthetic.generate(steps=steps), folder))
    with _patched(variant):
        t0 = time.process_time()
        ctx = build_model(net, fixed_parameters(net))
        return ctx, time.process_time() - t0


def child(variant: str, steps: int, options: dict | None = None) -> dict:
    ctx, build_s = build(variant, steps)
    t0 = time.process_time()
    ctx.model.solve(solver_name="highs", io_api="direct", output_flag=False, **(options or {}))
    return {
        "variant": variant,
        "columns": int(ctx.model.nvars),
        "rows": int(ctx.model.ncons),
        "build_cpu_s": build_s,
        "solve_cpu_s": time.process_time() - t0,
        "objective": float(ctx.model.objective.value),
    }


def render(runs: dict[str, list[dict]], steps: int, repeats: int, before, after, options=()) -> str:
    """The markdown table: median CPU seconds of each variant, the solve against `two`."""
    base = runs["two"][0]["objective"]
    solve_two = float(np.median([r["solve_cpu_s"] for r in runs["two"]]))
    lines = [
        f"`python bench/lean_lp_levers.py --steps {steps} --repeats {repeats} "
        + (f"--solver-options {' '.join(options)}`: " if options else "--readme`: ")
        + f"6 buses x 4 reservoirs x {steps} steps, "
        + (" ".join(options) if options else "HiGHS defaults")
        + f", {repeats} alternating runs "
        f"per variant, medians; load average {before[0]:.1f} before, {after[0]:.1f} after.",
        "",
        "| variant | columns | build CPU s | solve CPU s | solve range | solve / two | objective rel. diff |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v, rs in runs.items():
        solves = [r["solve_cpu_s"] for r in rs]
        solve = float(np.median(solves))
        build = float(np.median([r["build_cpu_s"] for r in rs]))
        diff = max(abs(r["objective"] - base) for r in rs) / abs(base)
        lines.append(
            f"| {v} | {rs[0]['columns']:,} | {build:.2f} | {solve:.2f} | "
            f"{min(solves):.2f}-{max(solves):.2f} | "
            f"{solve / solve_two:.3f} | {diff:.1e} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2190)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument(
        "--solver-options",
        nargs="*",
        default=[],
        help="HiGHS options as key=value (default: HiGHS's defaults, the dual simplex)",
    )
    parser.add_argument("--child", choices=VARIANTS)
    a = parser.parse_args()
    options = dict(item.split("=", 1) for item in a.solver_options)
    if a.readme and options:
        parser.error("--readme records HiGHS's defaults only (the README block's table)")
    if a.child:
        print(json.dumps(child(a.child, a.steps, options)))
        return 0
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for _ in range(a.repeats):
        for v in VARIANTS:
            out = subprocess.run(
                [sys.executable, __file__, "--child", v, "--steps", str(a.steps)]
                + (["--solver-options", *a.solver_options] if a.solver_options else []),
                capture_output=True,
                text=True,
                check=True,
            )
            runs[v].append(json.loads(out.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()
    table = render(runs, a.steps, a.repeats, load_before, load_after, a.solver_options)
    print(table)
    if a.readme:
        from vakhsh.outputs.doc_blocks import replace_block

        replace_block(README, START, END, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
