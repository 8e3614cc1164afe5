"""The exported models' objectives in PyPSA beside vakhsh's fixed-head objective.

    python bench/export_objectives.py               # print the figures
    python bench/export_objectives.py --write-docs  # and write them into docs/pypsa.md

Each model over its own horizon: vakhsh at fixed head, then `vakhsh.interop.to_pypsa`
optimised by PyPSA (HiGHS). toy-cascade's delayed reach exports at delay 0 (PyPSA links
have no travel time), on both sides. `--write-docs` keeps the figures in
bench/export_objectives.json and the table in docs/pypsa.md;
tests/interop/test_export_docs.py fails when either is stale.
"""

from __future__ import annotations

import argparse
import json
import logging
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "bench" / "export_objectives.json"
DOC = ROOT / "docs" / "pypsa.md"
START, END = "<!-- export-objectives:start -->", "<!-- export-objectives:end -->"
MODELS = {"central-asia": {}, "toy-cascade": {"reaches.lower_river.delay_steps": 0}}


def vakhsh_objective_usd(model: str, overrides: dict) -> float:
    """vakhsh's fixed-head objective of `model` over its own horizon."""
    import vakhsh

    net = vakhsh.load(model, overrides=overrides)
    return vakhsh.optimise(net, vakhsh.SolveOptions(head="fixed")).objective_usd


def pypsa_objective_usd(model: str, overrides: dict) -> float:
    """PyPSA's optimum of the same model after `to_pypsa`."""
    import vakhsh
    from vakhsh.interop import to_pypsa

    n = to_pypsa(vakhsh.load(model, overrides=overrides))
    n.optimize(
        solver_name="highs",
        include_objective_constant=False,
        solver_options={"output_flag": False},
        progress=False,
    )
    return float(n.objective)


def figures() -> list[dict]:
    rows = []
    for model, overrides in MODELS.items():
        ours = vakhsh_objective_usd(model, overrides)
        theirs = pypsa_objective_usd(model, overrides)
        rows.append(
            {
                "model": model,
                "overrides": overrides,
                "vakhsh_usd": ours,
                "pypsa_usd": theirs,
                "relative_difference": abs(theirs / ours - 1),
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The docs table (written by this script, never by hand)."""
    lines = [
        "| model | vakhsh fixed head (USD) | PyPSA (USD) | relative difference |",
        "|---|---|---|---|",
    ]
    for r in rows:
        name = r["model"] + (" (reach delay set to 0)" if r["overrides"] else "")
        lines.append(
            f"| {name} | {r['vakhsh_usd']:,.2f} | {r['pypsa_usd']:,.2f} "
            f"| {r['relative_difference']:.0e} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rows = figures()
    for row in rows:
        print(json.dumps(row))
    if args.write_docs:
        from vakhsh.outputs.doc_blocks import replace_block

        FIGURES.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        replace_block(DOC, START, END, markdown(rows))
        print(f"wrote {FIGURES.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
