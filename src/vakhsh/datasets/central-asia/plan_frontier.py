"""What `vakhsh plan` builds and what the frontier trades on central-asia, for docs/central-asia.md.

    python src/vakhsh/datasets/central-asia/plan_frontier.py run     # run both (nice them:
        # the plan takes ~60-120 CPU s), summarise into plan_frontier.json, write the docs block
    python src/vakhsh/datasets/central-asia/plan_frontier.py run --plan DIR --frontier DIR ...
        # summarise folders those commands already wrote instead of running them
    python src/vakhsh/datasets/central-asia/plan_frontier.py docs    # the block from the JSON

The commands are PLAN and FRONTIERS below. plan_frontier.json holds only what the page shows
(builds, the ranking, the Tajik winter deficit of the planned year, each frontier's points) and
the commit of the checkout; tests/datasets/test_central_asia_plan_frontier.py checks that the
block between the markers renders the committed JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from vakhsh.outputs.doc_blocks import read_block, replace_block

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
DOCS = ROOT / "docs" / "central-asia.md"
JSON = HERE / "plan_frontier.json"
START, END = "<!-- plan-frontier:start -->", "<!-- plan-frontier:end -->"
PLAN = ["plan", "central-asia", "-s", "dry", "--years", "2030", "--no-report"]
AXES = ["--x", "tj_winter_energy", "--y", "downstream_vegetation_delivery", "--points", "9"]


def _frontier(scenario: str) -> list[str]:
    chosen = [] if scenario == "base" else ["-s", scenario]
    return ["frontier", "central-asia", *chosen, *AXES, "--workers", "0"]


# dry+nurek_design_storage: the dry year with the Nurek storage the dry trade-off had before 189274f
FRONTIERS = {s: _frontier(s) for s in ("base", "dry", "dry+nurek_design_storage")}
WINTER_END = "03-31"  # Nurek's storage on this day tells whether winter could take more water


def _vakhsh(args: list[str], out: Path) -> float:
    """Run the CLI of this interpreter's environment; its children's CPU seconds."""
    exe = Path(sys.executable).with_name("vakhsh")
    before = time.perf_counter()
    subprocess.run([str(exe), *args, "--out", str(out), "--overwrite"], check=True)
    return time.perf_counter() - before


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def summarise_plan(folder: Path) -> dict:
    plan = json.loads((Path(folder) / "plan.json").read_text())
    year = str(plan["years"][0])
    builds = {c: round(v[year], 1) for c, v in plan["builds"].items() if v[year] > 0.5}
    case = next((Path(folder) / "years").iterdir())
    energy = json.loads((case / "summary.json").read_text())["energy"]
    ranking = [
        {
            "candidate": r["candidate"],
            "stage": r.get("component") == "reservoir_stages",  # all or nothing, no MW
            "size_mw": round(r["size_mw"], 1),
            "annual_cost_musd": round(r["annual_cost_usd"] / 1e6, 2),
            "bc_added": None if r["bc_added"] is None else round(r["bc_added"], 2),
            "winter_gwh": round(r.get("winter_energy_gwh") or 0.0, 0),
        }
        for r in plan["ranking"]
    ]
    return {
        "command": "vakhsh " + " ".join(PLAN),
        "year": int(year),
        "builds_mw": builds,
        "objective_musd": round(plan["objective_usd"] / 1e6, 1),
        "saving_vs_base_musd": round(plan["costs"]["saving_vs_base_usd"] / 1e6, 2),
        "tj_winter_deficit_gwh": round(energy["winter_deficit_gwh"]["TJ"], 0),
        "tj_winter_unserved_gwh": round(energy["winter_unserved_gwh"]["TJ"], 0),
        "tj_winter_net_import_gwh": round(energy["winter_net_import_gwh"]["TJ"], 0),
        "base_system_winter_unserved_gwh": round(
            plan["metrics"]["base_system"]["winter_unserved_mwh_per_year"] / 1e3, 0
        ),
        "plan_solve_s": round(plan["timing_s"]["plan_solve_s"], 1),
        "ranking": ranking,
    }


def summarise_frontier(folder: Path, scenario: str) -> dict:
    frame = pd.read_csv(Path(folder) / "frontier.csv").sort_values("x")
    points = [
        {
            "point": int(r["point"]),
            "x_gwh": round(float(r["x"]), 1),
            "y_hm3": round(float(r["y"]), 1),
            "cost_musd": round(float(r["cost_usd"]) / 1e6, 1),
            "status": str(r["status"]),
        }
        for _, r in frame.iterrows()
    ]
    distinct = {(p["x_gwh"], p["y_hm3"]) for p in points if p["status"] == "ok"}
    return {
        "command": "vakhsh " + " ".join(FRONTIERS[scenario]),
        "trade_off": len(distinct) > 1,
        "points": points,
        **nurek_at_winter_end(Path(folder), scenario, points),
    }


def nurek_at_winter_end(folder: Path, scenario: str, points: list[dict]) -> dict:
    """Nurek's storage at the end of 31 March in the point with the most downstream water.

    At its dead storage there is no water left to move into the winter, whatever the
    downstream countries give up: the frontier then has nothing to trade. Above it, the
    winter can take more, and the frontier prices what the downstream loses for it.
    """
    import xarray as xr

    from vakhsh.network import load_network

    written = [p for p in points if p["status"] == "ok"]
    written = [p for p in written if (folder / "runs" / f"point-{p['point']:02d}").is_dir()]
    if not written:
        return {}
    best = max(written, key=lambda p: (p["y_hm3"], -p["x_gwh"]))
    results = folder / "runs" / f"point-{best['point']:02d}" / "results.nc"
    with xr.open_dataset(results) as ds:
        storage = ds["storage_hm3"].sel(reservoir="nurek")
        year = int(storage["time"].dt.year.max())
        day = f"{year}-{WINTER_END}"
        end_of_march = float(storage.sel(time=slice(day, day)).isel(time=-1))
    net = load_network("central-asia", scenario=scenario)
    return {
        "nurek_winter_end_point": best["point"],
        "nurek_winter_end_hm3": round(end_of_march, 0),
        "nurek_dead_storage_hm3": float(net.tables["reservoirs"].loc["nurek", "storage_min_hm3"]),
    }


def markdown(data: dict) -> str:
    plan = data["plan"]
    built = ", ".join(f"`{c}` {mw:,.0f} MW" for c, mw in plan["builds_mw"].items()) or "nothing"
    lines = [
        f"`{plan['command']}` (checkout {data['commit']}) builds {built} in {plan['year']}; "
        f"objective {plan['objective_musd']:,.1f} M USD, "
        f"{plan['saving_vs_base_musd']:,.2f} M USD/yr below the system with nothing built. "
        f"Tajik winter deficit of the planned year {plan['tj_winter_deficit_gwh']:,.0f} GWh "
        f"(unserved {plan['tj_winter_unserved_gwh']:,.0f}, net imports "
        f"{plan['tj_winter_net_import_gwh']:,.0f}); with nothing built, "
        f"{plan['base_system_winter_unserved_gwh']:,.0f} GWh of winter load would go unserved.",
        "",
        "| candidate | MW | M USD/yr | B/C added alone | winter GWh |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in plan["ranking"]:
        bc = "–" if r["bc_added"] is None else f"{r['bc_added']:.2f}"
        size = "stage" if r.get("stage") else f"{r['size_mw']:,.0f}"
        lines.append(
            f"| `{r['candidate']}` | {size} | {r['annual_cost_musd']:,.2f} | "
            f"{bc} | {r['winter_gwh']:,.0f} |"
        )
    for scenario, front in data["frontiers"].items():
        verdict = (
            "a trade-off"
            if front["trade_off"]
            else "no trade-off: both objectives reach their optima together"
        )
        ok = [p for p in front["points"] if p["status"] == "ok"]
        if front["trade_off"] and len(ok) > 1:
            gwh = ok[-1]["x_gwh"] - ok[0]["x_gwh"]
            hm3 = ok[0]["y_hm3"] - ok[-1]["y_hm3"]
            verdict += (
                f": {gwh:,.0f} GWh more Tajik winter energy cost {hm3:,.0f} hm³ of downstream "
                f"delivery ({hm3 / gwh:.2f} hm³ per GWh) and "
                f"{ok[-1]['cost_musd'] - ok[0]['cost_musd']:,.1f} M USD"
            )
        if "nurek_winter_end_hm3" in front:
            left = front["nurek_winter_end_hm3"] - front["nurek_dead_storage_hm3"]
            verdict += (
                f". With the most downstream delivery (point {front['nurek_winter_end_point']}) "
                f"Nurek holds {front['nurek_winter_end_hm3']:,.0f} hm³ at the end of 31 March, "
                + (
                    "its dead storage: no water is left to move into the winter"
                    if left < 1
                    else f"{left:,.0f} hm³ above its dead storage, water the winter can still "
                    "take at the downstream's expense"
                )
            )
        lines += [
            "",
            f"Frontier, `{scenario}` (`{front['command']}`): {verdict}.",
            "",
            "| point | Tajik winter energy (GWh) | downstream delivery Apr–Sep (hm³) | cost (M USD) "
            "| status |",
            "|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {p['point']} | {p['x_gwh']:,.1f} | {p['y_hm3']:,.1f} | {p['cost_musd']:,.1f} | "
            f"{p['status']} |"
            for p in front["points"]
        ]
    return "\n".join(lines) + "\n"


def write_docs(data: dict, path: Path = DOCS) -> None:
    replace_block(path, START, END, markdown(data))


def docs_block(path: Path = DOCS) -> str:
    return read_block(path, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("run", "docs"))
    parser.add_argument("--plan", type=Path, help="a folder `vakhsh plan` wrote (PLAN)")
    parser.add_argument("--frontier", type=Path, nargs="*", default=[], metavar="DIR")
    parser.add_argument("--work", type=Path, default=Path("runs/plan-frontier"))
    args = parser.parse_args(argv)
    if args.action == "run":
        plan_dir = args.plan or args.work / "plan"
        if args.plan is None:
            _vakhsh(PLAN, plan_dir)
        dirs = dict(zip(FRONTIERS, args.frontier, strict=False))
        for scenario, command in FRONTIERS.items():
            if scenario not in dirs:
                dirs[scenario] = args.work / f"frontier-{scenario}"
                _vakhsh(command, dirs[scenario])
        data = {
            "commit": _commit(),
            "plan": summarise_plan(plan_dir),
            "frontiers": {s: summarise_frontier(d, s) for s, d in dirs.items()},
        }
        JSON.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    data = json.loads(JSON.read_text(encoding="utf-8"))
    print(markdown(data))
    write_docs(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
