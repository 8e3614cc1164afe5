"""bench/README.md's growth tables and docs/rolling.md's gap block are the rendering of
the committed figures, bench/growth.json (the runs take minutes: none here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("growth", ROOT / "bench" / "growth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_both_blocks_are_the_rendering_of_the_json():
    from vakhsh.outputs.doc_blocks import read_block

    growth = _script()
    figures = growth.read_figures()
    records = figures["records"]
    # every configuration has a record: no row of the tables was dropped
    missing = [growth.name(argv) for _t, argv in growth.configurations()]
    missing = [key for key in missing if key not in records]
    assert not missing, missing
    for key, rec in records.items():
        assert all(r["status"] in ("ok", "failed") for r in rec["results"].values()), key
        assert rec["results"]["rolling"]["status"] == "ok" or "failed" in growth.render(figures)
    assert (
        read_block(growth.README, growth.START, growth.END)
        == growth.render(figures).strip("\n") + "\n"
    )
    docs = read_block(growth.DOCS, growth.DOCS_START, growth.DOCS_END)
    assert docs == growth.render_docs(figures).strip("\n") + "\n"
    assert "| 6×4×8,760 (1 h), synthetic |" in docs


def test_the_rolling_runs_recorded_are_blocks_unless_marked_means():
    growth = _script()
    records = growth.read_figures()["records"]
    for table, argv in growth.configurations():
        rolled = records[growth.name(argv)]["results"]["rolling"]
        if rolled["status"] != "ok":
            continue
        roll = rolled["rolling"]
        assert roll["coarse"] == ("means" if table == "coarse" else "blocks"), argv
