"""Lever of issue 14: start HiGHS's simplex on the full LP from the rolling horizon's answer.

The rolling horizon (`vakhsh run --rolling 7D,1D`) is within 2e-4 of the full LP's optimum
in a fraction of its time. This measures whether its primal point, handed to HiGHS with
`Highs.setSolution` (HiGHS then crosses over to a basis and runs simplex from there), makes
the exact full LP cheaper than a cold start: rolling + warm simplex against cold simplex and
cold HiPO, each on the synthetic 6 x 4 system at `--steps`, one after the other in this
process (the same machine state, so ratios compare).

    python bench/warm_start.py --steps 2190
    python bench/warm_start.py --steps 8760 --json bench/out/warm-8760.json

The LP's variables are matched to the rolling results by name (storage in hm3 divided by
k, the rest as stored); variables the results do not hold (elastic slacks) start at 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def folder_of(steps: int) -> Path:
    import synthetic

    folder = HERE / "out" / f"levers-{steps}"
    if not (folder / "model.yaml").exists():
        synthetic.write_vakhsh(synthetic.generate(steps=steps), folder)
    return folder


def start_point(model, net, ds) -> np.ndarray:
    """The LP's column values taken from a results dataset (0 where it has none)."""
    values = np.zeros(model._xCounter)  # one per label, masked ones included
    for name, var in model.variables.items():
        source = name
        scale = 1.0
        if name == "storage_m3s_step":
            source, scale = "storage_hm3", 1.0 / net.hm3_per_m3s
        if source not in ds:
            continue
        labels = var.labels
        data = ds[source].transpose(*labels.dims).reindex_like(labels).fillna(0.0)
        flat_labels = labels.values.ravel()
        keep = flat_labels >= 0
        values[flat_labels[keep]] = scale * data.values.ravel()[keep]
    return values


def default_lp(net):
    """The LP `vakhsh run` solves by default (head auto), built as the pipeline builds it."""
    from vakhsh.pipeline.core import Operation
    from vakhsh.solve.heads import head_model
    from vakhsh.solve.options import SolveOptions

    return Operation(net, head_model(SolveOptions())).formulate(None).model


def solve_cold(steps: int, options: dict) -> dict:
    import vakhsh

    net = vakhsh.load(folder_of(steps))
    model = default_lp(net)
    t0 = time.perf_counter()
    model.solve(solver_name="highs", io_api="direct", **options)
    return {"solve_s": time.perf_counter() - t0, "objective": float(model.objective.value)}


def solve_warm(steps: int, window: str) -> dict:
    import highspy

    import vakhsh
    from vakhsh.rolling.run import optimise_rolling
    from vakhsh.rolling.spec import parse

    net = vakhsh.load(folder_of(steps))
    t0 = time.perf_counter()
    rolled = optimise_rolling(net, parse(window))
    rolling_s = time.perf_counter() - t0
    model = default_lp(net)
    h = model.to_highspy()
    # linopy's column order is its labels' order with masked labels dropped
    labels = model.matrices.vlabels
    point = start_point(model, net, rolled.dataset)[labels]
    t1 = time.perf_counter()
    solution = highspy.HighsSolution()
    solution.col_value = list(point)
    solution.value_valid = True
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("output_flag", True)
    status = h.setSolution(solution)
    h.run()
    warm_s = time.perf_counter() - t1
    info = h.getInfo()
    return {
        "rolling_s": rolling_s,
        "rolling_objective": rolled.objective_usd,
        "set_solution": str(status),
        "warm_solve_s": warm_s,
        "warm_iterations": int(info.simplex_iteration_count),
        "objective": float(info.objective_function_value),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2190)
    parser.add_argument("--window", default="7D,1D")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold solves")
    args = parser.parse_args(argv)
    out = {"steps": args.steps, "warm": solve_warm(args.steps, args.window)}
    if not args.no_cold:
        out["cold_simplex"] = solve_cold(args.steps, {"solver": "simplex"})
        out["cold_hipo"] = solve_cold(args.steps, {"solver": "hipo"})
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
