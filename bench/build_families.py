"""Goal of issue 14: a small model's fixed build cost. Times each constraint family of one
model's build (best of `--rounds`, each round a fresh linopy model), the objective, the
whole build, and `Operation.formulate` (what `solve.build_s` in summary.json measures).

    python bench/build_families.py                      # toy-cascade, best of 7
    python bench/build_families.py central-asia --rounds 5
    python bench/build_families.py --readme             # record bench/build_families.json
                                                        # and render bench/README.md's block

Best of several rounds in one process: the first build pays for imports and cold caches,
which `vakhsh run`'s `build_s` includes (it builds once); compare figures of one command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
FIGURES = HERE / "build_families.json"
START = "<!-- build-families: begin (bench/build_families.py --readme) -->"
END = "<!-- build-families: end -->"


def measure(model: str, rounds: int) -> dict:
    import linopy

    from vakhsh.math import build
    from vakhsh.network.load import load_network
    from vakhsh.pipeline.core import Operation, next_parameters
    from vakhsh.solve.heads import head_model
    from vakhsh.solve.options import SolveOptions

    net = load_network(model)
    heads = head_model(SolveOptions())
    params = next_parameters(heads, [net], None)[0]
    families = (*build.OPERATION, *build.BALANCES)
    best = {f.__name__: float("inf") for f in families} | {"objective": float("inf")}
    whole = formulate = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        ctx = build.new_context(net, params, heads.config, linopy.Model(force_dim_names=True))
        for family in families:
            begun = time.perf_counter()
            family(ctx)
            best[family.__name__] = min(best[family.__name__], time.perf_counter() - begun)
        begun = time.perf_counter()
        build.set_objective(ctx.model, [ctx])
        best["objective"] = min(best["objective"], time.perf_counter() - begun)
        whole = min(whole, time.perf_counter() - started)
    for _ in range(rounds):
        begun = time.perf_counter()
        Operation(net, heads).formulate(None)
        formulate = min(formulate, time.perf_counter() - begun)
    return {
        "model": model,
        "rounds": rounds,
        "families_s": best,
        "build_s": whole,
        "formulate_s": formulate,
        "rows": int(ctx.model.ncons),
        "columns": int(ctx.model.nvars),
    }


def render(record: dict) -> str:
    """The README block of a recorded run ({}: nothing recorded yet)."""
    if not record:
        return ""
    load = record["load"]
    lines = [
        "",
        f"`python bench/build_families.py {record['model']} --rounds {record['rounds']}` "
        f"({record['when']}, load {load[0]:.1f} -> {load[1]:.1f}; {record['rows']:,} rows, "
        f"{record['columns']:,} columns), best of {record['rounds']} builds:",
        "",
        "| family | ms |",
        "|---|---:|",
    ]
    for name, seconds in sorted(record["families_s"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| `{name}` | {seconds * 1000:.1f} |")
    lines += [
        f"| **whole build** | **{record['build_s'] * 1000:.1f}** |",
        f"| `Operation.formulate` (summary.json's `build_s`) | {record['formulate_s'] * 1000:.1f} |",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="toy-cascade")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--readme", action="store_true", help="rewrite bench/README.md's block")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    record = measure(args.model, args.rounds)
    record["when"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    record["load"] = [load_before, os.getloadavg()[0]]
    print(render(record))
    if args.readme:
        from vakhsh.outputs.doc_blocks import replace_block

        FIGURES.write_text(json.dumps(record, indent=2) + "\n")
        replace_block(README, START, END, render(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
