"""The mutation counts in docs/ARCHITECTURE.md are what bench/mutation_counts.py makes of the
kept mutmut listings in docs/mutation/ (mutmut's own cache is lost when the test selection
changes, so the statuses of a day's runs are kept as text)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import mutation_counts  # noqa: E402

DOC = ROOT / "docs" / "ARCHITECTURE.md"
# table name -> (kept listing, the modules it counts, the functions it keeps: () all)
DAY = "results-2026-12-07.txt"
SESSION_20 = "results-2026-12-07-session20.txt"
SESSION_21 = "results-2026-12-07-session21.txt"
SESSION_22 = "results-2026-12-07-session22.txt"
SESSION_23 = "results-2026-12-07-session23.txt"
SESSION_24 = "results-2026-12-08-session24.txt"
SESSION_24_SECOND = "results-2026-12-08-session24-second.txt"
SESSION_25 = "results-2026-12-08-session25.txt"
SESSION_25_SECOND = "results-2026-12-08-session25-second.txt"
SESSION_25_THIRD = "results-2026-12-08-session25-third.txt"
RERUN = ("add_water_balances", "_add_sinks", "_add_min_release", "soc_change")
SESSION_23_RUN = ("summary", "add_storage_units", "elastic_slack", "build_model", "zeros")
# session 24: what session 22 did not reach of investment.py and fpha_fit.py
SESSION_24_FIT = (
    "extendable_sizes",
    "investment_cost",
    "stage_plants",
    "fit_planes",
    "corners",
    "_upper_planes",
    "with_error",
    "fit_grid",
    "storage_grid",
    "Planes.",
    "PlantCurve.",
)
SESSION_24_CORE = ("math.context", "math.build", "math.capacity", "math.curves", "results.islands")
# session 25: the power families and the shared helpers no listing showed tried
SESSION_25_POWER = (
    "add_power_balance",
    "add_generators",
    "add_lines",
    "add_markets",
    "add_unserved",
    "storage_inflow_mw",
    "bus_load",
    "add_kirchhoff",
    "per_unit_reactance",
    "linear_total",
    "spread_over",
)
# session 25's second run: the fitting helpers, the reservoirs below, results' small helpers
SESSION_25_HELPERS = (
    "allows_fpha",
    "fpha_plants",
    "plant_curve",
    "plant_planes",
    "plane_table",
    "reservoirs_downstream",
    "_stage_storage_rows",
    "Results.costs_usd",
    "_plain_map",
    "_plain_or_null",
    "provenance",
    "json_value",
)
TABLES = {
    "metrics": (DAY, ("results.metrics",), ()),
    "water": (DAY, ("math.water",), ()),
    "power": (DAY, ("math.power",), ()),
    "session20": (SESSION_20, ("math.balance", "math.terms", "math.fpha", "math.hydro"), ()),
    "session20-rerun": (SESSION_20, ("math.water", "math.power"), RERUN),
    "session21": (SESSION_21, ("math.kirchhoff", "results.dataset", "results.results"), ()),
    "session22": (SESSION_22, ("math.investment", "math.fpha_fit"), ()),
    "session23": (
        SESSION_23,
        ("results.results", "math.power", "math.context", "math.build"),
        SESSION_23_RUN,
    ),
    "session24-fit": (SESSION_24, ("math.investment", "math.fpha_fit"), SESSION_24_FIT),
    "session24-core": (SESSION_24, SESSION_24_CORE, ()),
    "session24-build-variables": (
        SESSION_24_SECOND,
        ("math.investment",),
        ("add_build_variables",),
    ),
    "session25-power": (
        SESSION_25,
        ("math.power", "math.kirchhoff", "math.terms"),
        SESSION_25_POWER,
    ),
    "session25-second": (
        SESSION_25_SECOND,
        ("math.fpha", "math.water", "results.results"),
        SESSION_25_HELPERS,
    ),
    "session25-third": (SESSION_25_THIRD, ("results.results",), ("provenance", "json_value")),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_counts_table_is_regenerated_from_its_listing(name):
    listing, modules, functions = TABLES[name]
    counts = mutation_counts.read_listing(ROOT / "docs" / "mutation" / listing)
    if functions:
        counts = {k: c for k, c in counts.items() if any(f in k[1] for f in functions)}
    begin, end = mutation_counts.markers(name)
    written = DOC.read_text().split(begin, 1)[1].split(end, 1)[0].strip()
    assert written == mutation_counts.table(counts, True, modules)


def test_a_listing_without_mutants_is_refused(tmp_path):
    listing = tmp_path / "results.txt"
    listing.write_text("nothing here\n")
    with pytest.raises(SystemExit, match="lists no mutants"):
        mutation_counts.read_listing(listing)
