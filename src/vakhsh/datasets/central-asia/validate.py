"""The central-asia validation table: published figures against the model.

Runs the scenarios the table needs (`base` and `dry`), computes each figure of
`validation_bands.csv` from the runs, and sets it beside the published value, the ratio and
the band stated before the run (the bands file is never edited to fit results). Rows the
model cannot match yet are listed in `validation_gaps.csv` with the reason; they stay in the
table, marked.

    python src/vakhsh/datasets/central-asia/validate.py                 # print the table
    python src/vakhsh/datasets/central-asia/validate.py --write-docs    # and write it into
                                                                        # docs/central-asia.md
    python src/vakhsh/datasets/central-asia/validate.py --model DIR     # another model folder
    python src/vakhsh/datasets/central-asia/validate.py --compare       # base against the
        # scenario messageix_water_demand on every row (its `set` applied on top of each row's
        # scenario), written into docs/central-asia.md; --compare NAME for another scenario

`tests/datasets/test_central_asia_validation.py` regenerates the table, fails when a figure
leaves its band (or a marked gap closes), and when docs/central-asia.md is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.outputs.doc_blocks import read_block, replace_block
from vakhsh.results import metrics

HERE = Path(__file__).resolve().parent
BANDS = HERE / "validation_bands.csv"
GAPS = HERE / "validation_gaps.csv"
DOCS = HERE.parents[3] / "docs" / "central-asia.md"
START, END = "<!-- validation-table:start -->", "<!-- validation-table:end -->"
SCENARIOS = ("base", "dry")
COMPARED = "messageix_water_demand"  # the default of --compare
# the ICWC withdrawal limits of the model year, m3/s by month (derive_series.py)
ICWC_LIMITS = "water_demand_m3s.csv"

AMU_DEMANDS = ("tj_amu_irrigation", "tm_amu_karakum", "uz_amu_irrigation")


# ---------------------------------------------------------------- runs
def solve(model, scenarios=SCENARIOS, options=None, overrides=None) -> dict:
    """{scenario: Results} of the default run of each scenario (`overrides`: dotted paths to
    values, as a scenario's `set`, applied on top of each)."""
    from vakhsh.network.load import load_network
    from vakhsh.pipeline import optimise

    return {
        name: optimise(load_network(model, scenario=name, overrides=overrides), options)
        for name in scenarios
    }


def scenario_set(model, name: str) -> dict:
    """The `set` of scenario `name` of the model (what --compare applies on top of each row's
    scenario); a scenario that changes inflows cannot be laid on top and is refused."""
    from vakhsh.network.load import load_network

    net = load_network(model, scenario=name)  # validates it (a clear error if unknown)
    scenario = net.source["scenarios"][name] or {}
    if net.inflow_factor_by_month is not None:
        raise SystemExit(f"validate.py: scenario {name} scales inflows; --compare takes a `set`")
    return dict(scenario.get("set") or {})


# ---------------------------------------------------------------- quantities
# Headline quantities come from vakhsh.results.metrics; what is specific to this table (trade
# between two buses, one reservoir's storage and release) is computed here.
def _months(ds, months) -> np.ndarray:
    return ds["time"].dt.month.isin(months).values


def _gwh(mw: np.ndarray, hours: float) -> float:
    return float(np.sum(mw) * hours / 1e3)


def generation_gwh(run, bus: str, season=None) -> float:
    energy = metrics.energy_by_bus_gwh(run.net, run.dataset, season)
    return float(energy.loc[bus, ["generators", "hydro"]].sum())


def plant_gwh(run, cid: str) -> float:
    return float(metrics.generation_gwh(run.net, run.dataset)[cid])


def daily_generation_ratio(run, bus: str, months) -> float:
    """Mean daily generation of `bus` in `months` over its annual mean."""
    days = len(run.net.time) * run.net.step_hours / 24
    days_in = int(_months(run.dataset, months).sum()) * run.net.step_hours / 24
    return (generation_gwh(run, bus, months) / days_in) / (generation_gwh(run, bus) / days)


def winter_deficit_gwh(run, bus: str, season) -> float:
    return float(metrics.winter_deficit_gwh(run.net, run.dataset, season)[bus])


def exact_mw(res) -> pd.DataFrame:
    """(time x FPHA plant): the exact output of the solved flows at the solved storage
    path's mean storage of each step, at most the capacity that can run, MW (not capped
    at the LP's output: a fit below the exact function shows here)."""
    from vakhsh.math.fpha import plant_curve

    net, ds = res.net, res.dataset
    plants = list(res.summary()["solve"].get("fpha") or {})
    start = net.tables["reservoirs"]["storage_initial_hm3"]
    out = {}
    for pid in plants:
        curve = plant_curve(net, pid)
        reservoir = net.tables["hydro_plants"].loc[pid, "reservoir"]
        end = ds["storage_hm3"].sel(reservoir=reservoir).values
        mean = (np.r_[start[reservoir], end[:-1]] + end) / 2
        flow = ds["turbine_flow_m3s"].sel(hydro_plant=pid).values
        factor = net.series["hydro_plants"]["capacity_factor"].sel(hydro_plant=pid).values
        available = curve.capacity_mw * factor
        out[pid] = np.minimum(curve.power_mw(mean, flow), available)
    return pd.DataFrame(out, index=pd.DatetimeIndex(ds["time"].values))


def deficit_exact_gwh(res, bus: str, season) -> float:
    """The bus's deficit with exact energy: the LP's deficit (`winter_deficit_gwh`) plus
    the energy the FPHA planes count above the exact output (`exact_mw`) of the bus's FPHA
    plants over the season, less what they count below it in steps with unserved load (up
    to that load). The rest of the system is not re-dispatched. With the default planes
    (the concave envelope, never below the exact output) it is the LP's deficit plus the
    overstatement."""
    net, ds = res.net, res.dataset
    exact = exact_mw(res)
    plants = [p for p in exact.columns if net.tables["hydro_plants"].loc[p, "bus"] == bus]
    inside = np.isin(exact.index.month, season)
    lp = ds["hydro_p_mw"].sel(hydro_plant=plants).transpose("time", "hydro_plant").values
    diff = (lp - exact[plants].to_numpy()).sum(axis=1)
    unserved = ds["unserved_mw"].sel(bus=bus).values
    over = np.maximum(diff, 0.0)
    under = np.minimum(np.maximum(-diff, 0.0), unserved)
    lp_deficit = winter_deficit_gwh(res, bus, season)
    return lp_deficit + float((over - under)[inside].sum()) * net.step_hours / 1e3


def sent_mw(run, origin: str, target: str) -> np.ndarray:
    """Power sent from bus `origin` towards bus `target` per step (before losses), MW."""
    lines, ds = run.net.tables["lines"], run.dataset
    out = np.zeros(len(ds["time"]))
    for lid, row in lines.iterrows():
        if (row["from"], row["to"]) == (origin, target):
            out = out + ds["line_forward_mw"].sel(line=lid).values
        elif (row["from"], row["to"]) == (target, origin):
            out = out + ds["line_backward_mw"].sel(line=lid).values
    return out


def sent_from_mw(run, origin: str) -> np.ndarray:
    buses = [b for b in run.net.ids("buses") if b != origin]
    return sum(sent_mw(run, origin, b) for b in buses)


def arriving_mw(run, target: str) -> np.ndarray:
    """Power arriving at `target` over lines per step (after losses), MW."""
    lines = run.net.tables["lines"]
    out = np.zeros(len(run.dataset["time"]))
    for origin in [b for b in run.net.ids("buses") if b != target]:
        for lid, row in lines.iterrows():
            if {row["from"], row["to"]} == {origin, target}:
                keep = 1.0 - float(row["loss_fraction"])
                direction = "line_forward_mw" if row["to"] == target else "line_backward_mw"
                out = out + keep * run.dataset[direction].sel(line=lid).values
    return out


def gwh_per_day(run, mw: np.ndarray, months) -> float:
    return float(mw[_months(run.dataset, months)].mean() * 24 / 1e3)


def season_gwh(run, mw: np.ndarray, months) -> float:
    return _gwh(mw[_months(run.dataset, months)], run.net.step_hours)


def storage_km3_on(run, reservoir: str, day: str) -> float:
    """Storage at the start of `day` (the end of the step before it), km3."""
    storage = run.dataset["storage_hm3"].sel(reservoir=reservoir).to_pandas()
    before = storage[storage.index < pd.Timestamp(day)]
    return float(before.iloc[-1] / 1e3)


def release_m3s(run, reservoir: str) -> np.ndarray:
    """Turbine flow of the reservoir's plants plus its spill, per step."""
    net, ds = run.net, run.dataset
    plants = net.tables["hydro_plants"]
    ids = list(plants.index[plants["reservoir"] == reservoir])
    turbined = ds["turbine_flow_m3s"].sel(hydro_plant=ids).sum("hydro_plant").values
    return turbined + ds["spill_m3s"].sel(reservoir=reservoir).values


def sink_km3(run, sink: str) -> float:
    return float(metrics.sink_inflow_hm3(run.net, run.dataset)[sink]) / 1e3


def icwc_limits_hm3(run, demands, season) -> float:
    """The ICWC withdrawal limits of `demands` over the run's steps in `season`, hm3, read
    from the model folder's limits file (not the run's demand, which a scenario may change)."""
    limits = pd.read_csv(Path(run.net.folder) / ICWC_LIMITS).set_index("month")
    months = run.dataset["time"].dt.month.values
    inside = np.isin(months, season)
    m3s = limits.loc[months[inside], list(demands)].to_numpy().sum()
    return float(m3s * run.net.step_hours * 3600 / 1e6)


def withdrawal_share(run, demands, season) -> float:
    """Water delivered to `demands` in `season` over their ICWC limits."""
    got = metrics.delivered_hm3(run.net, run.dataset, season)[list(demands)].sum()
    return float(got / icwc_limits_hm3(run, demands, season))


WINTER, WINTER_APRIL, GROWING = metrics.WINTER, metrics.WINTER_AND_APRIL, metrics.VEGETATION
SUMMER_AF = (5, 6, 7, 8, 9)
SUMMER_UZ = (5, 6, 7, 8)
SEP_MAY = (9, 10, 11, 12, 1, 2, 3, 4, 5)
JUN_AUG = (6, 7, 8)

# id -> (scenario, figure of that scenario's run)
FIGURES: dict[str, Callable] = {
    "tj_generation": lambda r: generation_gwh(r, "TJ"),
    "kg_generation": lambda r: generation_gwh(r, "KG"),
    "uz_generation": lambda r: generation_gwh(r, "UZ"),
    "kz_generation": lambda r: generation_gwh(r, "KZ"),
    "tm_generation": lambda r: generation_gwh(r, "TM"),
    "nurek": lambda r: plant_gwh(r, "nurek_hpp"),
    "sangtuda_1": lambda r: plant_gwh(r, "sangtuda_1_hpp"),
    "sangtuda_2": lambda r: plant_gwh(r, "sangtuda_2_hpp"),
    "rogun": lambda r: plant_gwh(r, "rogun_hpp"),
    "dushanbe_2": lambda r: plant_gwh(r, "dushanbe_2_chp"),
    "kg_coal_chp": lambda r: plant_gwh(r, "kg_coal_chp"),
    "tj_q1_ratio": lambda r: daily_generation_ratio(r, "TJ", (1, 2, 3)),
    "tj_deficit_dry_oct_mar": lambda r: winter_deficit_gwh(r, "TJ", WINTER),
    "tj_deficit_dry_oct_apr": lambda r: winter_deficit_gwh(r, "TJ", WINTER_APRIL),
    "tj_deficit_base_oct_mar": lambda r: winter_deficit_gwh(r, "TJ", WINTER),
    "tj_deficit_base_oct_apr": lambda r: winter_deficit_gwh(r, "TJ", WINTER_APRIL),
    "tj_deficit_dry_oct_mar_exact": lambda r: deficit_exact_gwh(r, "TJ", WINTER),
    "tj_deficit_dry_oct_apr_exact": lambda r: deficit_exact_gwh(r, "TJ", WINTER_APRIL),
    "tj_deficit_base_oct_mar_exact": lambda r: deficit_exact_gwh(r, "TJ", WINTER),
    "tj_deficit_base_oct_apr_exact": lambda r: deficit_exact_gwh(r, "TJ", WINTER_APRIL),
    "tj_exports": lambda r: season_gwh(r, sent_from_mw(r, "TJ"), range(1, 13)),
    "tj_af_summer": lambda r: gwh_per_day(r, sent_mw(r, "TJ", "AF"), SUMMER_AF),
    "tj_uz_summer": lambda r: gwh_per_day(r, sent_mw(r, "TJ", "UZ"), SUMMER_UZ),
    "tj_winter_exports": lambda r: gwh_per_day(r, sent_from_mw(r, "TJ"), WINTER),
    "tj_winter_imports": lambda r: season_gwh(r, arriving_mw(r, "TJ"), WINTER),
    "kz_to_kg_sep_may": lambda r: season_gwh(
        r, sent_mw(r, "KZ", "KG") - sent_mw(r, "KG", "KZ"), SEP_MAY
    ),
    "kg_to_kz_jun_aug": lambda r: season_gwh(
        r, sent_mw(r, "KG", "KZ") - sent_mw(r, "KZ", "KG"), JUN_AUG
    ),
    "toktogul_1apr": lambda r: storage_km3_on(r, "toktogul", f"{r.net.time[-1].year}-04-01"),
    "toktogul_jul_aug_release": lambda r: float(
        release_m3s(r, "toktogul")[_months(r.dataset, (7, 8))].mean()
    ),
    "nurek_growing_release_share": lambda r: float(
        release_m3s(r, "nurek")[_months(r.dataset, GROWING)].sum() / release_m3s(r, "nurek").sum()
    ),
    "aral_south": lambda r: sink_km3(r, "aral_sea_south"),
    "aral_north": lambda r: sink_km3(r, "aral_sea_north"),
    "amu_growing_withdrawal_share": lambda r: withdrawal_share(r, AMU_DEMANDS, GROWING),
}


# ---------------------------------------------------------------- the table
def read_bands() -> pd.DataFrame:
    return pd.read_csv(BANDS)


def read_gaps() -> dict[str, str]:
    if not GAPS.is_file():
        return {}
    gaps = pd.read_csv(GAPS)
    return dict(zip(gaps["id"], gaps["reason"], strict=True))


def table(runs: dict) -> pd.DataFrame:
    """The validation table from solved runs ({scenario: Results})."""
    bands, gaps = read_bands(), read_gaps()
    rows = []
    for _, band in bands.iterrows():
        value = FIGURES[band["id"]](runs[band["scenario"]])
        inside = band["band_min"] <= value <= band["band_max"]
        rows.append(
            {
                **band.to_dict(),
                "model": value,
                "ratio": value / band["published"] if band["published"] else np.nan,
                "in_band": bool(inside),
                "gap": gaps.get(band["id"], ""),
            }
        )
    return pd.DataFrame(rows)


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3f}"


def _source(text: str) -> str:
    match = re.search(r"https?://[^\s;,()]+", str(text))
    if not match:
        return str(text).split(" (")[0]
    url = match.group(0)
    host = re.sub(r"^www\.", "", url.split("/")[2])
    return f"[{host}]({url})"


def markdown(frame: pd.DataFrame) -> str:
    """The table as markdown, one row per figure, gaps marked."""
    lines = [
        "| figure | scenario | published | model | ratio | band | | source |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for _, row in frame.iterrows():
        mark = "in band" if row["in_band"] else ("**gap**" if row["gap"] else "**OUT**")
        ratio = "" if np.isnan(row["ratio"]) else f"{row['ratio']:.2f}"
        band = f"{_number(row['band_min'])} – {_number(row['band_max'])} {row['unit']}"
        lines.append(
            f"| {row['figure']} (`{row['id']}`) | {row['scenario']} | "
            f"{_number(row['published'])} | {_number(row['model'])} | {ratio} | "
            f"{band} | {mark} | {_source(row['source'])} |"
        )
    gaps = frame[frame["gap"] != ""]
    if len(gaps):
        lines += ["", "Marked gaps (the model cannot match these yet, and why):", ""]
        lines += [f"- `{row['id']}`: {row['gap']}" for _, row in gaps.iterrows()]
    return "\n".join(lines) + "\n"


def write_docs(text: str, path: Path = DOCS, markers: tuple[str, str] = (START, END)) -> None:
    """Replace the block between `markers` in `path` with `text` (the page's other scripts,
    head_models.py, write their own blocks of the same page through this)."""
    replace_block(path, *markers, text)


def docs_table(path: Path = DOCS, markers: tuple[str, str] = (START, END)) -> str:
    """The block between `markers` as the page shows it."""
    return read_block(path, *markers)


# ---------------------------------------------------------------- a scenario against base
def compare_markers(name: str) -> tuple[str, str]:
    return f"<!-- compare-{name}:start -->", f"<!-- compare-{name}:end -->"


def compare_table(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Two validation tables (base, then with a scenario's `set`) row by row."""
    left = base[["id", "figure", "scenario", "unit", "band_min", "band_max", "model", "in_band"]]
    right = other[["id", "model", "in_band"]].rename(
        columns={"model": "with_scenario", "in_band": "with_in_band"}
    )
    return left.merge(right, on="id", how="left", validate="one_to_one")


def compare_markdown(frame: pd.DataFrame, name: str) -> str:
    """The comparison as markdown, rows that leave or enter their band marked."""
    lines = [
        f"| figure | runs | band | base | with `{name}` | in band |",
        "|---|---|---|---:|---:|---|",
    ]
    for _, row in frame.iterrows():
        band = f"{_number(row['band_min'])} – {_number(row['band_max'])} {row['unit']}"
        words = {True: "yes", False: "no"}
        moved = "" if row["in_band"] == row["with_in_band"] else " **(changes)**"
        lines.append(
            f"| {row['figure']} (`{row['id']}`) | {row['scenario']} | {band} | "
            f"{_number(row['model'])} | {_number(row['with_scenario'])} | "
            f"{words[bool(row['in_band'])]} → {words[bool(row['with_in_band'])]}{moved} |"
        )
    lines += [
        "",
        f"In band: {int(frame['in_band'].sum())} of {len(frame)} in base, "
        f"{int(frame['with_in_band'].sum())} of {len(frame)} with `{name}`. Regenerated by "
        f"`python src/vakhsh/datasets/central-asia/validate.py --compare {name}` "
        f"(each row's run, `base` or `dry`, with the scenario's `set` applied on top).",
    ]
    return "\n".join(lines) + "\n"


def compare(model, name: str, options=None) -> pd.DataFrame:
    """The validation rows of base and of the same runs with scenario `name`'s `set`."""
    base = table(solve(model, options=options))
    other = table(solve(model, options=options, overrides=scenario_set(model, name)))
    return compare_table(base, other)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="central-asia")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--compare",
        nargs="?",
        const=COMPARED,
        default=None,
        metavar="SCENARIO",
        help=f"compare base with SCENARIO's set on every row (default {COMPARED}) and write "
        "the block into docs/central-asia.md",
    )
    args = parser.parse_args(argv)
    started = time.process_time()
    if args.compare:
        frame = compare(args.model, args.compare)
        text = compare_markdown(frame, args.compare)
        print(text)
        print(f"({time.process_time() - started:.1f} CPU s)", file=sys.stderr)
        write_docs(text, markers=compare_markers(args.compare))
        return 0
    runs = solve(args.model)
    frame = table(runs)
    text = markdown(frame)
    print(text)
    print(
        f"({len(frame)} rows, {int(frame['in_band'].sum())} in band; "
        f"{time.process_time() - started:.1f} CPU s)",
        file=sys.stderr,
    )
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
