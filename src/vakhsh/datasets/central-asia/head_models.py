"""Nurek at its fixed rated head and with its head following its level: the table of
docs/central-asia.md's production section.

Base central-asia gives Nurek a tailwater (630 m a.s.l., an assumption: dead level minus
rated head; SOURCES.md `nurek_hpp`), so the default run (`--head auto`) builds it with the
convex head-dependent production model (FPHA). This script solves three runs side by side:
the scenario `nurek_rated_head` (Nurek at its fixed rated head, 230 m: the head model before
issue 12), base (the default), and the scenario `nurek_tailwater_680` (the other reading of
the unpublished tailwater, FSL minus rated head), and sets beside each other what the head
model changes: the energy the LP counts, the energy the solved schedule really gives
(recomputed from flows and the storage path with the level-dependent head of base, or of
`nurek_tailwater_680` for that column), how much Nurek spills at its dead level, its storage
through the winter, and the Tajik deficit.

    python src/vakhsh/datasets/central-asia/head_models.py                # print the table
    python src/vakhsh/datasets/central-asia/head_models.py --write-docs   # and write it

`tests/datasets/test_central_asia_head_models.py` regenerates it and fails when
docs/central-asia.md is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[3] / "docs" / "central-asia.md"
START, END = "<!-- head-models:start -->", "<!-- head-models:end -->"
# column -> (scenario, header)
COLUMNS = {
    "rated": ("nurek_rated_head", "`-s nurek_rated_head` (fixed 230 m)"),
    "base": ("base", "base (tailwater 630 m)"),
    "tw680": ("nurek_tailwater_680", "`-s nurek_tailwater_680`"),
}
RESERVOIR, PLANT = "nurek", "nurek_hpp"
WINTER = (10, 11, 12, 1, 2, 3)


def solve(model: str | Path = "central-asia") -> dict:
    """{column: Results} of each column's default run (`--head auto`)."""
    from vakhsh.network.load import load_network
    from vakhsh.pipeline import optimise
    from vakhsh.solve.options import SolveOptions

    return {
        column: optimise(load_network(model, scenario=scenario), SolveOptions(head="auto"))
        for column, (scenario, _header) in COLUMNS.items()
    }


def figures(results, level_net=None) -> dict[str, float]:
    """The table's figures of one run; `level_net` (the same model with Nurek's tailwater)
    recomputes a fixed-head run's energy with the head its storage path really gives."""
    from vakhsh.solve.heads import exact_energy

    net, ds = results.net, results.dataset
    summary = results.summary()
    if "hydro_p_exact_mw" not in ds:  # fixed head: what its schedule would really give
        ds, _gap = exact_energy(level_net or net, ds)
    hours = net.step_hours
    storage = ds["storage_hm3"].sel(reservoir=RESERVOIR)
    floor = float(net.tables["reservoirs"].loc[RESERVOIR, "storage_min_hm3"])
    at_floor = storage.values <= floor + 1e-6 * floor
    spill = ds["spill_m3s"].sel(reservoir=RESERVOIR).values * net.hm3_per_m3s
    winter = ds["time"].dt.month.isin([11, 12, 1, 2]).values
    lp = ds["hydro_p_mw"].sel(hydro_plant=PLANT).values
    exact = ds["hydro_p_exact_mw"].sel(hydro_plant=PLANT).values
    lp_gwh, exact_gwh = lp.sum() * hours / 1e3, exact.sum() * hours / 1e3
    oct_mar = ds["time"].dt.month.isin(WINTER).values
    return {
        "objective_musd": results.objective_usd / 1e6,
        "tj_deficit_oct_mar_gwh": summary["energy"]["winter_deficit_gwh"]["TJ"],
        "tj_deficit_oct_apr_gwh": summary["energy"]["deficit_oct_apr_gwh"]["TJ"],
        "nurek_lp_gwh": float(lp_gwh),
        "nurek_exact_gwh": float(exact_gwh),
        "nurek_winter_lp_gwh": float(lp[oct_mar].sum() * hours / 1e3),
        "nurek_winter_exact_gwh": float(exact[oct_mar].sum() * hours / 1e3),
        "nurek_overstated_pct": 100 * (lp_gwh - exact_gwh) / exact_gwh,
        "nurek_spill_hm3": float(spill.sum()),
        "nurek_spill_at_dead_level_hm3": float(spill[at_floor].sum()),
        "nurek_days_at_dead_level": float(at_floor.sum()),
        "nurek_winter_mean_storage_hm3": float(storage.values[winter].mean()),
        "nurek_end_storage_hm3": float(storage.values[-1]),
    }


ROWS = (
    ("objective_musd", "total cost (M USD)", "{:,.1f}"),
    ("tj_deficit_oct_mar_gwh", "Tajik deficit October-March (GWh)", "{:,.0f}"),
    ("tj_deficit_oct_apr_gwh", "Tajik deficit October-April (GWh)", "{:,.0f}"),
    ("nurek_lp_gwh", "Nurek energy the LP counts (GWh)", "{:,.0f}"),
    ("nurek_exact_gwh", "Nurek energy of the schedule, recomputed exactly (GWh)", "{:,.0f}"),
    ("nurek_overstated_pct", "LP above exact (%)", "{:.1f}"),
    ("nurek_winter_lp_gwh", "Nurek energy October-March, LP (GWh)", "{:,.0f}"),
    ("nurek_winter_exact_gwh", "Nurek energy October-March, exact (GWh)", "{:,.0f}"),
    ("nurek_spill_hm3", "Nurek spill (hm3)", "{:,.0f}"),
    ("nurek_spill_at_dead_level_hm3", "Nurek spill while at its dead level (hm3)", "{:,.0f}"),
    ("nurek_days_at_dead_level", "days Nurek sits at its dead level", "{:.0f}"),
    ("nurek_winter_mean_storage_hm3", "Nurek mean storage November-February (hm3)", "{:,.0f}"),
    ("nurek_end_storage_hm3", "Nurek storage on 30 September (hm3)", "{:,.0f}"),
)


def all_figures(runs: dict) -> dict[str, dict[str, float]]:
    """{column: figures}; the rated-head schedule's exact energy uses base's level head."""
    return {
        column: figures(res, runs["base"].net if column == "rated" else None)
        for column, res in runs.items()
    }


def markdown(runs: dict) -> str:
    values = all_figures(runs)
    lines = [
        "| Nurek's head | " + " | ".join(h for _s, h in COLUMNS.values()) + " |",
        "|---|" + "---:|" * len(COLUMNS),
    ]
    for key, label, fmt in ROWS:
        lines.append(
            f"| {label} | " + " | ".join(fmt.format(values[c][key]) for c in COLUMNS) + " |"
        )
    fpha = runs["base"].summary()["solve"]
    plant = fpha["fpha"][PLANT]
    lines += [
        "",
        f"FPHA in base: {plant['planes']} planes for {PLANT} (its level curve is "
        f"linear), largest overstatement at one (storage, flow) "
        f"{plant['max_error_mw']:,.1f} MW; all hydro, exact vs LP energy "
        f"{100 * fpha['head_energy_gap']:+.2f} %.",
    ]
    return "\n".join(lines) + "\n"


def _validate():
    """The sibling validate.py (this folder is not a package), which writes the page's blocks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("central_asia_validate", HERE / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_docs(text: str, path: Path = DOCS) -> None:
    _validate().write_docs(text, path, (START, END))


def docs_table(path: Path = DOCS) -> str:
    return _validate().docs_table(path, (START, END))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="central-asia")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    text = markdown(solve(args.model))
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


def numbers(text: str) -> list[float]:
    """Every number of a table's text, in order (for comparing a regenerated table)."""
    import re

    return [float(x.replace(",", "")) for x in re.findall(r"[-+]?\d[\d,]*\.?\d*", text)]


if __name__ == "__main__":
    sys.exit(main())
