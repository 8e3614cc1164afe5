"""The worked toy example of docs/sddp.md: an SDDP policy on toy-cascade over three months.

    python bench/sddp_toy_example.py [--out DIR] [--write-docs]

toy-cascade (two reservoirs, a battery, two days of transit on the lower river) from
1 October 2024 to 1 January 2025 at daily steps: three monthly stages. Each month is dry
(0.2 x the model's mean inflow of that calendar month, every catchment) or wet (1.8 x),
independently, each with probability 1/2, so the scenario tree has 2^3 = 8 paths; the
ensemble has exactly these 8 paths as its members (member k is dry in month m when bit m
of k is 0). Training runs until the lower bound stalls; simulating the policy on the 8
members then covers the whole tree, so the simulated mean is the policy's exact expected
cost and must equal the converged bound. tests/sddp/test_docs.py checks that, checks the
bound against the deterministic equivalent of the tree (tests/sddp/conftest.py), and
checks that docs/sddp.md shows what this script prints.

With --out DIR the ensemble (DIR/toy-8-paths.nc) and the run's output folder (DIR/run:
summary.json, members.csv, water_values.csv, report.html) are kept. From the command
line, `vakhsh sddp toy-cascade --inflows DIR/toy-8-paths.nc --start 2024-10-01 --end
2025-01-01 --perfect-foresight` trains on the same tree under the CLI's stopping rules
(bound stalling has no flag yet).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.outputs.doc_blocks import read_block, replace_block

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sddp.md"
START, END = "<!-- sddp-toy:start -->", "<!-- sddp-toy:end -->"
HORIZON = {"start": "2024-10-01", "end": "2025-01-01"}
DRY, WET = 0.2, 1.8
MONTHS = 3


def path_factors() -> np.ndarray:
    """(member, month) inflow factor: every dry/wet combination of the three months."""
    return np.array(
        [[WET if (k >> m) & 1 else DRY for m in range(MONTHS)] for k in range(2**MONTHS)]
    )


def write_toy_ensemble(net, path: Path) -> Path:
    """Member k, month m: the model's mean inflow of that calendar month times
    path_factors()[k, m], for every catchment."""
    from vakhsh.hydrology.ensemble import write_ensemble

    time = pd.date_range(HORIZON["start"], periods=MONTHS, freq="MS")
    inflow = net.series["catchments"]["inflow_m3s"].to_pandas()
    clim = inflow.groupby(inflow.index.month).mean()
    base = np.stack([clim.loc[t.month].to_numpy() for t in time])  # (month, catchment)
    values = path_factors()[:, :, None] * base[None]
    da = xr.DataArray(
        values,
        dims=("member", "time", "catchment"),
        coords={"member": np.arange(len(values)), "time": time, "catchment": list(inflow.columns)},
        name="inflow_m3s",
        attrs={"units": "m3/s", "method": "toy tree"},
    )
    return write_ensemble(da, path)


def options():
    from vakhsh.sddp import SDDPOptions

    # converged on the bound (it stops moving), not on a sampled gap: the tree is exact.
    # Fixed head: the example shows the method converging to the tree's optimum; with FPHA
    # stages (the default) the bound stalls 3e-5 short of it after 21 iterations
    return SDDPOptions(
        iterations=60,
        forward_passes=2,
        gap=None,
        stall_iterations=6,
        stall_tolerance=1e-10,
        seed=0,
        perfect_foresight=True,
        head="fixed",
    )


def figures(out: Path | None = None) -> dict:
    """Train, simulate on the 8 paths, solve each with perfect foresight; the figures."""
    from vakhsh.network import load_network
    from vakhsh.sddp import sddp

    net = load_network("toy-cascade", **HORIZON)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out) if out is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ens = write_toy_ensemble(net, folder / "toy-8-paths.nc")
        run = sddp(
            net, ens, options(), out=folder / "run" if out is not None else None, overwrite=True
        )
    s = run.summary()
    d = s["sddp"]
    labels = ["".join("W" if f == WET else "D" for f in row) for row in path_factors()]
    members = pd.DataFrame(
        {
            "path": labels,
            "policy_musd": run.simulation.cost_usd / 1e6,
            "foresight_musd": run.foresight["cost_usd"].to_numpy() / 1e6,
        },
        index=run.simulation.members,
    )
    ref = run.reference_states()
    states = run.model.states
    values = {}
    for st, store in enumerate(run.model.cuts[:-1]):
        _v, grad = store.evaluate(ref[st][None, :])
        values[run.model.stages[st].label] = {
            states.component[i]: {
                "storage_hm3": float(ref[st][i]),
                "usd_per_hm3": float(-grad[0, i]),
            }
            for i in states.positions("storage")
        }
    return {
        "lower_bound_usd": d["lower_bound_usd"],
        "iterations": d["iterations"],
        "stopped_by": d["stopped_by"],
        "stages": d["stages"],
        "outcomes_per_stage": d["outcomes_per_stage"],
        "states": d["states"],
        "cuts": run.log.iterations[-1].cuts,
        "simulated_mean_usd": d["simulated_mean_usd"],
        "foresight_mean_usd": d["perfect_foresight"]["cost_usd"]["mean"],
        "members": members,
        "water_values": values,
        "audit_passed": s["audit"]["passed"],
    }


def _cheaper(members: pd.DataFrame, tol_musd: float = 5e-4) -> str:
    better = members[members["policy_musd"] - members["foresight_musd"] > tol_musd]
    return ", ".join(f"{k} ({row['path']})" for k, row in better.iterrows()) or "none"


def markdown(fig: dict) -> str:
    lines = [
        "Written by `python bench/sddp_toy_example.py --write-docs`; tests/sddp/test_docs.py "
        "fails when this block is stale.",
        "",
        f"- {fig['stages']} stages, {fig['outcomes_per_stage'][0]} outcomes per stage "
        f"(4 dry, 4 wet), state: {', '.join(f'`{n}`' for n in fig['states'])}",
        f"- stopped by `{fig['stopped_by']}` after {fig['iterations']} iterations "
        f"({fig['cuts']} cuts)",
        f"- lower bound **{fig['lower_bound_usd'] / 1e6:,.3f} M USD**; the deterministic "
        "equivalent of the 8-path tree (one LP) gives the same to 1e-6",
        f"- simulated mean over the 8 paths **{fig['simulated_mean_usd'] / 1e6:,.3f} M USD** "
        "(the policy's exact expected cost: equal to the bound, the policy is optimal)",
        f"- perfect foresight mean **{fig['foresight_mean_usd'] / 1e6:,.3f} M USD**: "
        f"knowing the three months in advance would save "
        f"{(fig['simulated_mean_usd'] - fig['foresight_mean_usd']) / 1e6:,.3f} M USD "
        "(the expected value of perfect information)",
        f"- perfect foresight is cheaper than the policy on members "
        f"{_cheaper(fig['members'])}; on the others the policy's decisions were already "
        "the best in hindsight",
        f"- every member's water and energy audit passed: {fig['audit_passed']}",
        "",
        "| member | months (D dry, W wet) | policy cost, M USD | perfect foresight, M USD |",
        "|---:|---|---:|---:|",
    ]
    for k, row in fig["members"].iterrows():
        lines.append(
            f"| {k} | {row['path']} | {row['policy_musd']:,.3f} | {row['foresight_musd']:,.3f} |"
        )
    lines += [
        "",
        "Water values at the end of each stage, at the median simulated storage "
        "(USD per hm³; the last stage has none):",
        "",
        "| end of stage | reservoir | storage, hm³ | water value, USD/hm³ |",
        "|---|---|---:|---:|",
    ]
    for stage, by_res in fig["water_values"].items():
        for rid, v in by_res.items():
            lines.append(f"| {stage} | {rid} | {v['storage_hm3']:,.1f} | {v['usd_per_hm3']:,.0f} |")
    return "\n".join(lines) + "\n"


def write_docs(text: str, path: Path = DOC) -> None:
    replace_block(path, START, END, text)


def docs_block(path: Path = DOC) -> str:
    return read_block(path, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the ensemble and the run here")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    text = markdown(figures(args.out))
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
