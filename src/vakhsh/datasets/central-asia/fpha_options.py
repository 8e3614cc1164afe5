"""Where Nurek's FPHA planes overstate its energy, and the ways to correct it, side by side.

Base central-asia builds Nurek with the concave envelope of p = 9.81e-3 * eta * q *
(level(V) - tailwater) (`math/fpha_fit.fit_planes`): for its linear level curve McCormick's
two planes, above the exact output everywhere and exact only on the edges of the range
(no flow, full flow, dead level, full level). The LP then counts more winter energy than
its own schedule gives. This script shows

1. where: month by month, the base schedule's mean storage, head, flow (share of the
   plant's maximum flow), the energy the LP counts, the exact energy of the same schedule
   (`solve.heads.exact_energy`) and the difference;
2. the options, each solved for base and dry, side by side:
   - `envelope`: the default (an outer approximation);
   - `cobre alpha`: the envelope times cobre's least-squares correction factor
     (`fpha_fit.least_squares_factor`, cobre-sddp `fpha_fitting/alpha.rs`): no bias over
     the whole (storage, flow) range, below the exact output in places;
   - `conservative`: the envelope times the largest factor that keeps it at or below the
     exact output wherever Nurek turbines at least its lowest published mean winter flow
     (`fpha_fit.conservative_factor`; the flow from nurek_yearbook.csv, CAWater yearbooks
     2021/2023/2024: non-growing release / seconds of January-March and October-December);
   - `flow range`: the envelope fitted over flows up to that same published winter flow:
     exact along it and below the exact output at larger flows, above it at smaller ones;

   and for each the Tajik deficit the LP reports and the deficit with exact energy: the
   LP's plus the energy the planes count above the exact output of Tajik FPHA plants
   in the season, less what an undercount would have supplied in steps with unserved
   load (no re-dispatch of the rest of the system).

    python src/vakhsh/datasets/central-asia/fpha_options.py                # print the tables
    python src/vakhsh/datasets/central-asia/fpha_options.py --write-docs   # and write them

`tests/datasets/test_central_asia_fpha_options.py` regenerates them and fails when
docs/central-asia.md is stale.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[3] / "docs" / "central-asia.md"
WHERE = ("<!-- fpha-where:start -->", "<!-- fpha-where:end -->")
OPTIONS = ("<!-- fpha-options:start -->", "<!-- fpha-options:end -->")
PLANT, RESERVOIR, BUS = "nurek_hpp", "nurek", "TJ"
WINTER = (10, 11, 12, 1, 2, 3)
SCENARIOS = ("base", "dry")
MONTHS = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
NAMES = ("Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")


def winter_flow_m3s() -> float:
    """Nurek's lowest published mean release of January-March and October-December, m3/s
    (nurek_yearbook.csv: release_km3 - release_growing_km3 over those months' seconds)."""
    book = pd.read_csv(HERE / "nurek_yearbook.csv")
    flows = []
    for _, row in book.iterrows():
        year = int(row["year"])
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        count = int(np.isin(days.month, WINTER).sum())
        flows.append((row["release_km3"] - row["release_growing_km3"]) * 1e9 / (count * 86400))
    return float(min(flows))


def fits() -> dict:
    """{option: fit (PlantCurve -> Planes)}, None for the default envelope."""
    from vakhsh.math import fpha_fit

    flow = winter_flow_m3s()

    def cobre(plant):
        planes = fpha_fit.fit_planes(plant)
        return fpha_fit.scaled(plant, planes, fpha_fit.least_squares_factor(plant, planes))

    def conservative(plant):
        planes = fpha_fit.fit_planes(plant)
        factor = fpha_fit.conservative_factor(plant, planes, flow)
        return fpha_fit.scaled(plant, planes, factor)

    def flow_range(plant):
        planes = fpha_fit.fit_planes(replace(plant, max_flow_m3s=min(flow, plant.max_flow_m3s)))
        return fpha_fit.with_error(plant, planes)

    return {
        "envelope": None,
        "cobre alpha": cobre,
        "conservative": conservative,
        "flow range": flow_range,
    }


def solve_with(net, fit):
    """The default run (`--head auto`) of `net` with FPHA planes fitted by `fit`."""
    from vakhsh.pipeline.core import Operation, run
    from vakhsh.solve.heads import ProductionModel
    from vakhsh.solve.options import SolveOptions

    return run(Operation(net, ProductionModel("auto", fit)), SolveOptions(head="auto")).results[0]


def solve(model: str | Path = "central-asia") -> dict:
    """{(option, scenario): (Results, CPU s of the run)}."""
    from vakhsh.network.load import load_network

    runs = {}
    for option, fit in fits().items():
        for scenario in SCENARIOS:
            net = load_network(model, scenario=scenario)
            started = time.process_time()
            res = solve_with(net, fit)
            runs[option, scenario] = (res, time.process_time() - started)
    return runs


def where(res) -> pd.DataFrame:
    """Month by month: where the base schedule runs and what the planes overstate."""
    from vakhsh.math.fpha import plant_curve

    net, ds = res.net, res.dataset
    curve = plant_curve(net, PLANT)
    end = ds["storage_hm3"].sel(reservoir=RESERVOIR).values
    start = net.tables["reservoirs"].loc[RESERVOIR, "storage_initial_hm3"]
    mean = (np.r_[start, end[:-1]] + end) / 2
    frame = pd.DataFrame(
        {
            "storage": mean,
            "head": curve.head_m(mean),
            "flow_share": ds["turbine_flow_m3s"].sel(hydro_plant=PLANT).values / curve.max_flow_m3s,
            "lp": ds["hydro_p_mw"].sel(hydro_plant=PLANT).values * net.step_hours / 1e3,
            "exact": ds["hydro_p_exact_mw"].sel(hydro_plant=PLANT).values * net.step_hours / 1e3,
        },
        index=pd.DatetimeIndex(ds["time"].values),
    )
    frame["over"] = np.maximum(frame["lp"] - frame["exact"], 0.0)
    monthly = frame.groupby(frame.index.month).agg(
        storage=("storage", "mean"),
        head=("head", "mean"),
        flow_share=("flow_share", "mean"),
        lp=("lp", "sum"),
        exact=("exact", "sum"),
        over=("over", "sum"),
    )
    return monthly.loc[list(MONTHS)]


def where_markdown(res) -> str:
    monthly = where(res)
    lines = [
        "| month | mean storage (hm3) | head (m) | flow / max flow | LP (GWh) | exact (GWh) "
        "| LP above exact (GWh) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for month, name in zip(MONTHS, NAMES, strict=True):
        row = monthly.loc[month]
        lines.append(
            f"| {name} | {row['storage']:,.0f} | {row['head']:.1f} | {row['flow_share']:.2f} | "
            f"{row['lp']:,.0f} | {row['exact']:,.0f} | {row['over']:,.0f} |"
        )
    winter = monthly.loc[list(WINTER)]
    lines += [
        "",
        f"October-March: LP {winter['lp'].sum():,.0f} GWh, exact {winter['exact'].sum():,.0f} "
        f"GWh, LP above exact {winter['over'].sum():,.0f} GWh, of which December-March "
        f"{winter.loc[[12, 1, 2, 3], 'over'].sum():,.0f}.",
    ]
    return "\n".join(lines) + "\n"


def figures(res, cpu_s: float) -> dict[str, float]:
    from vakhsh.results import metrics

    ds, net = res.dataset, res.net
    fit = res.summary()["solve"]["fpha"][PLANT]
    inside = ds["time"].dt.month.isin(WINTER).values
    lp = ds["hydro_p_mw"].sel(hydro_plant=PLANT).values
    exact = _validate().exact_mw(res)[PLANT].to_numpy()
    gwh = net.step_hours / 1e3
    return {
        "planes": float(fit["planes"]),
        "max_error_mw": float(fit["max_error_mw"]),
        "objective_musd": res.objective_usd / 1e6,
        "cpu_s": cpu_s,
        "deficit_lp": float(metrics.winter_deficit_gwh(net, ds, WINTER)[BUS]),
        "deficit_exact": _validate().deficit_exact_gwh(res, BUS, WINTER),
        "winter_lp": float(lp[inside].sum() * gwh),
        "winter_exact": float(exact[inside].sum() * gwh),
        "winter_over": float(np.maximum(lp - exact, 0.0)[inside].sum() * gwh),
        "winter_under": float(np.maximum(exact - lp, 0.0)[inside].sum() * gwh),
    }


COLUMNS = (
    ("planes", "planes", "{:.0f}"),
    ("max_error_mw", "largest overstatement (MW)", "{:,.0f}"),
    ("objective_musd", "total cost (M USD)", "{:,.1f}"),
    ("deficit_lp", "TJ deficit Oct-Mar, LP energy (GWh)", "{:,.0f}"),
    ("deficit_exact", "TJ deficit Oct-Mar, exact energy (GWh)", "{:,.0f}"),
    ("winter_lp", "Nurek Oct-Mar, LP (GWh)", "{:,.0f}"),
    ("winter_exact", "Nurek Oct-Mar, exact (GWh)", "{:,.0f}"),
    ("winter_over", "LP above exact (GWh)", "{:,.0f}"),
    ("winter_under", "LP below exact (GWh)", "{:,.0f}"),
)


def options_markdown(runs: dict) -> str:
    lines = [
        "| option | scenario | " + " | ".join(h for _k, h, _f in COLUMNS) + " |",
        "|---|---|" + "---:|" * len(COLUMNS),
    ]
    for (option, scenario), (res, cpu_s) in runs.items():
        values = figures(res, cpu_s)
        cells = " | ".join(f.format(values[k]) for k, _h, f in COLUMNS)
        lines.append(f"| {option} | {scenario} | {cells} |")
    lines += [
        "",
        f"The published flow of `conservative` and `flow range`: {winter_flow_m3s():,.0f} "
        "m3/s, Nurek's lowest mean release of January-March and October-December in the "
        "CAWater yearbooks (nurek_yearbook.csv).",
    ]
    return "\n".join(lines) + "\n"


def timings(runs: dict) -> str:
    return ", ".join(f"{o}/{s} {cpu:.2f}" for (o, s), (_r, cpu) in runs.items())


def _validate():
    """The sibling validate.py (this folder is not a package): the exact-energy deficit."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("central_asia_validate", HERE / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_docs(text: str, markers: tuple[str, str], path: Path = DOCS) -> None:
    from vakhsh.outputs.doc_blocks import replace_block

    replace_block(path, *markers, text)


def docs_block(markers: tuple[str, str], path: Path = DOCS) -> str:
    from vakhsh.outputs.doc_blocks import read_block

    return read_block(path, *markers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="central-asia")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    runs = solve(args.model)
    where_text = where_markdown(runs["envelope", "base"][0])
    options_text = options_markdown(runs)
    print(where_text)
    print(options_text)
    print(f"(CPU s per run: {timings(runs)})", file=sys.stderr)
    if args.write_docs:
        write_docs(where_text, WHERE)
        write_docs(options_text, OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
