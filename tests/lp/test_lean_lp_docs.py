"""The lean-LP table of bench/README.md is `bench/lean_lp_levers.py`'s output, never typed.

Each variant's column count must be what the build gives today on the same synthetic
system (a change to a family fails until the bench is rerun), and every variant must have
reached the unchanged LP's optimum. Times are not checked: they belong to the machine.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from vakhsh.outputs.doc_blocks import read_block

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
_spec = importlib.util.spec_from_file_location(
    "lean_lp_levers", ROOT / "bench" / "lean_lp_levers.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _table() -> tuple[int, dict[str, list[str]]]:
    block = read_block(bench.README, bench.START, bench.END)
    steps = int(re.search(r"--steps (\d+)", block).group(1))
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in bench.VARIANTS:
            rows[cells[0]] = cells
    return steps, rows


def test_every_variant_is_in_the_table_and_reached_the_optimum():
    _steps, rows = _table()
    assert set(rows) == set(bench.VARIANTS), "rerun: python bench/lean_lp_levers.py --readme"
    assert all(float(cells[-1]) <= 1e-9 for cells in rows.values())


@pytest.mark.parametrize("variant", bench.VARIANTS)
def test_columns_are_what_the_build_gives_today(variant, tmp_path):
    steps, rows = _table()
    ctx, _build_s = bench.build(variant, steps, tmp_path / "lean")
    assert f"{int(ctx.model.nvars):,}" == rows[variant][1]
