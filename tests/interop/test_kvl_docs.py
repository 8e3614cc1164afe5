"""The KVL table of docs/pypsa.md and bench/README.md is the bench's output, never typed.

`python bench/bench_kvl.py --sizes ... --readme` writes the same table into both pages.
Here both pages must show the same block, and the smallest size's vakhsh rows (LP size as
HiGHS sees it, KVL rows, objective) must be what the bench builds and solves today: a
change to the KVL family or the synthetic system fails until the bench is rerun. Times
are not checked (they belong to the machine that ran the bench).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from vakhsh.math import kirchhoff
from vakhsh.outputs.doc_blocks import read_block

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
_spec = importlib.util.spec_from_file_location("bench_kvl", ROOT / "bench" / "bench_kvl.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _rows(block: str) -> dict[tuple[str, str], list[str]]:
    """(size, formulation) -> the table's cells."""
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 10 and "x" in cells[0] and cells[0][0].isdigit():
            rows[(cells[0], cells[1])] = cells
    return rows


def _blocks() -> list[str]:
    return [read_block(ROOT / p, bench.README_BEGIN, bench.README_END) for p in bench.PAGES]


def test_both_pages_show_the_same_table():
    docs, readme = _blocks()
    assert docs == readme, "rerun: python bench/bench_kvl.py --sizes ... --readme"
    assert len(_rows(docs)) >= 3


@pytest.mark.parametrize("formulation", ["cycles", "angles"])
def test_smallest_size_is_what_the_bench_builds_today(tmp_path, monkeypatch, formulation):
    rows = _rows(_blocks()[0])
    size = min({s for s, _ in rows}, key=lambda s: [int(v) for v in s.split("x")][::-1])
    buses, reservoirs, steps = (int(v) for v in size.split("x"))
    monkeypatch.setattr(kirchhoff, "KVL_FORMULATION", kirchhoff.KVL_FORMULATION)
    folder = bench.meshed_folder(buses, reservoirs, steps, tmp_path / "kvl")
    today = bench.run_vakhsh(folder, formulation)
    cells = rows[(size, f"vakhsh-{formulation}")]
    shown = [int(c.replace(",", "")) for c in cells[2:6]]
    assert shown == [today["rows"], today["cols"], today["nnz"], today["kvl_rows"]]
    assert cells[9] == f"{today['objective']:,.2f}"
