"""Nurek's season in the model against the CAWater yearbooks (issue 12: the Tajik winter has
more water in the model than in reality).

Solves the default run of a scenario (base unless `-s`), and sets month by month the Vakhsh
inflow, Rogun's and Nurek's releases and storages, Nurek's level, Baipaza's storage and the
Sangtuda-1 flow beside what the CAWater yearbooks (`nurek_yearbook.csv`: annual and
growing-season inflow and release of Nurek in 2021, 2023 and 2024) and the published Nurek
levels (`nurek_levels.csv`) give. The yearbooks count calendar years, so their non-growing
season is January-March plus October-December of one year; the model's is October-March of
its hydrological year. Nurek's storage change in a season is its inflow less its release
(the yearbooks' annual balances close within 0.23 km3).

    python src/vakhsh/datasets/central-asia/nurek_season.py                 # print
    python src/vakhsh/datasets/central-asia/nurek_season.py -s nurek_design_storage
    python src/vakhsh/datasets/central-asia/nurek_season.py --write-docs    # and write the
        # block nurek-season of docs/central-asia.md (base and nurek_design_storage)

`tests/datasets/test_central_asia_nurek_season.py` checks the page shows what the script writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[3] / "docs" / "central-asia.md"
START, END = "<!-- nurek-season:start -->", "<!-- nurek-season:end -->"
YEARBOOK = HERE / "nurek_yearbook.csv"
LEVELS = HERE / "nurek_levels.csv"
GROWING = (4, 5, 6, 7, 8, 9)
WINTER = (10, 11, 12, 1, 2, 3)
DOC_SCENARIOS = ("base", "nurek_design_storage")
HM3_PER_M3S_DAY = 86400 / 1e6


def solve(model="central-asia", scenario: str = "base"):
    from vakhsh.network.load import load_network
    from vakhsh.pipeline import optimise

    return optimise(load_network(model, scenario=scenario))


def release_m3s(ds, net, reservoir: str) -> np.ndarray:
    plants = net.tables["hydro_plants"]
    ids = list(plants.index[plants["reservoir"] == reservoir])
    turbined = ds["turbine_flow_m3s"].sel(hydro_plant=ids).sum("hydro_plant").values
    return turbined + ds["spill_m3s"].sel(reservoir=reservoir).values


def monthly(run) -> pd.DataFrame:
    """One row per month of the run: volumes in hm3, storage and level at the month's end."""
    net, ds = run.net, run.dataset
    days = net.step_hours / 24
    time = pd.DatetimeIndex(ds["time"].values)
    month = time.to_period("M")

    def volume(m3s):
        return pd.Series(m3s * days * HM3_PER_M3S_DAY, index=time).groupby(month).sum()

    def last(values):
        return pd.Series(values, index=time).groupby(month).last()

    storage = ds["storage_hm3"]
    return pd.DataFrame(
        {
            "vakhsh_inflow_hm3": volume(ds["inflow_m3s"].sel(catchment="vakhsh").values),
            "rogun_release_hm3": volume(release_m3s(ds, net, "rogun")),
            "nurek_release_hm3": volume(release_m3s(ds, net, "nurek")),
            "nurek_spill_hm3": volume(ds["spill_m3s"].sel(reservoir="nurek").values),
            "rogun_end_hm3": last(storage.sel(reservoir="rogun").values),
            "nurek_end_hm3": last(storage.sel(reservoir="nurek").values),
            "nurek_level_end_masl": last(ds["level_masl"].sel(reservoir="nurek").values),
            "baipaza_end_hm3": last(storage.sel(reservoir="baipaza").values),
            "sangtuda_1_hm3": volume(
                ds["turbine_flow_m3s"].sel(hydro_plant="sangtuda_1_hpp").values
            ),
        }
    )


def seasons(run) -> dict[str, float]:
    """The model's season totals (km3) and its level on 3 April."""
    table = monthly(run)
    months = table.index.month
    winter, growing = np.isin(months, WINTER), np.isin(months, GROWING)
    inflow = table["rogun_release_hm3"]  # what reaches Nurek
    release = table["nurek_release_hm3"]
    reservoirs = run.net.tables["reservoirs"]
    level = run.dataset["level_masl"].sel(reservoir="nurek").to_pandas()
    april = level[level.index < pd.Timestamp(f"{run.net.time[-1].year}-04-04")].iloc[-1]
    return {
        "vakhsh_winter": table["vakhsh_inflow_hm3"][winter].sum() / 1e3,
        "inflow_winter": inflow[winter].sum() / 1e3,
        "release_winter": release[winter].sum() / 1e3,
        "drawdown_winter": (inflow[winter].sum() - release[winter].sum()) / -1e3,
        "fill_growing": (inflow[growing].sum() - release[growing].sum()) / 1e3,
        "inflow_growing_share": inflow[growing].sum() / inflow.sum(),
        "release_annual": release.sum() / 1e3,
        "live_km3": float(
            reservoirs.loc["nurek", "storage_max_hm3"] - reservoirs.loc["nurek", "storage_min_hm3"]
        )
        / 1e3,
        "level_3apr": float(april),
        "level_min": float(level.min()),
    }


def yearbook() -> pd.DataFrame:
    """The yearbooks' non-growing and growing seasons of each year (km3)."""
    book = pd.read_csv(YEARBOOK)
    book["inflow_winter"] = book["inflow_km3"] - book["inflow_growing_km3"]
    book["release_winter"] = book["release_km3"] - book["release_growing_km3"]
    book["drawdown_winter"] = book["release_winter"] - book["inflow_winter"]
    book["fill_growing"] = book["inflow_growing_km3"] - book["release_growing_km3"]
    book["balance"] = book["inflow_km3"] - book["release_km3"]
    return book


def live_storage_from_yearbooks() -> float:
    """Nurek's seasonal storage the yearbooks show (hm3): the mean growing-season fill."""
    return float(yearbook()["fill_growing"].mean() * 1e3)


def markdown(runs: dict) -> str:
    book = yearbook()
    lines = [
        "| season (km3) | "
        + " | ".join(f"yearbook {int(y)}" for y in book["year"])
        + " | "
        + " | ".join(f"model `{name}`" for name in runs)
        + " |",
        "|---|" + "---:|" * (len(book) + len(runs)),
    ]
    found = {name: seasons(run) for name, run in runs.items()}
    rows = [
        ("inflow to Nurek, non-growing season", "inflow_winter", "{:.2f}"),
        ("release from Nurek, non-growing season", "release_winter", "{:.2f}"),
        ("Nurek drawn down, non-growing season", "drawdown_winter", "{:.2f}"),
        ("Nurek filled, growing season (inflow less release)", "fill_growing", "{:.2f}"),
    ]
    for label, key, fmt in rows:
        cells = [fmt.format(v) for v in book[key]] + [fmt.format(f[key]) for f in found.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        "| annual inflow less release | "
        + " | ".join(f"{v:+.2f}" for v in book["balance"])
        + " | "
        + " | ".join(f"{f['fill_growing'] - f['drawdown_winter']:+.2f}" for f in found.values())
        + " |"
    )
    levels = pd.read_csv(LEVELS)
    lines += [
        "",
        "Yearbook seasons are calendar years (January–March plus October–December); the "
        "model's are its hydrological year, October–March and April–September. Nurek's "
        "published levels in early April: "
        + "; ".join(
            f"{row.level_masl:.2f} m on {row.date}"
            + (" (derived)" if row.kind != "observed" else "")
            for row in levels.itertuples()
        )
        + ". In the model: "
        + "; ".join(
            f"`{name}` {f['level_3apr']:.2f} m on 3 April (lowest {f['level_min']:.2f} m, "
            f"live storage {f['live_km3']:.2f} km3)"
            for name, f in found.items()
        )
        + f". The yearbooks' mean growing-season fill is {live_storage_from_yearbooks():,.0f} hm3.",
        "",
        "Regenerated by `python src/vakhsh/datasets/central-asia/nurek_season.py --write-docs`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="central-asia")
    parser.add_argument("-s", "--scenario", default="base")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if args.write_docs:
        runs = {name: solve(args.model, name) for name in DOC_SCENARIOS}
    else:
        runs = {args.scenario: solve(args.model, args.scenario)}
    for name, run in runs.items():
        print(f"## {name}: month by month (hm3; storage and level at the month's end)")
        print(monthly(run).round(1).to_string())
        print()
    text = markdown(runs)
    print(text)
    if args.write_docs:
        from vakhsh.outputs.doc_blocks import replace_block

        replace_block(DOCS, START, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
