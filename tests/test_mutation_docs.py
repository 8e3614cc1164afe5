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
# table name -> (kept listing, the module it counts)
TABLES = {
    "metrics": ("results-2026-12-07.txt", "results.metrics"),
    "water": ("results-2026-12-07.txt", "math.water"),
    "power": ("results-2026-12-07.txt", "math.power"),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_counts_table_is_regenerated_from_its_listing(name):
    listing, module = TABLES[name]
    counts = mutation_counts.read_listing(ROOT / "docs" / "mutation" / listing)
    begin, end = mutation_counts.markers(name)
    written = DOC.read_text().split(begin, 1)[1].split(end, 1)[0].strip()
    assert written == mutation_counts.table(counts, True, (module,))


def test_a_listing_without_mutants_is_refused(tmp_path):
    listing = tmp_path / "results.txt"
    listing.write_text("nothing here\n")
    with pytest.raises(SystemExit, match="lists no mutants"):
        mutation_counts.read_listing(listing)
