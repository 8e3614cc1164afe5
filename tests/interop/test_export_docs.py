"""docs/pypsa.md's export table is regenerated, never typed.

`python bench/export_objectives.py --write-docs` keeps the figures in
bench/export_objectives.json and writes their table into docs/pypsa.md. Here the page must
show the script's rendering of the committed figures, and vakhsh's side of every row must
be today's fixed-head objective (a change to a model's data makes this fail until the
script is rerun). PyPSA's side is proved on a shorter horizon in test_roundtrip.py; the
whole-year PyPSA solves stay in the script.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from vakhsh.outputs.doc_blocks import read_block

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "export_objectives", ROOT / "bench" / "export_objectives.py"
)
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)
ROWS = json.loads(script.FIGURES.read_text(encoding="utf-8"))


def test_the_page_shows_the_committed_figures():
    assert read_block(script.DOC, script.START, script.END) == script.markdown(ROWS), (
        "docs/pypsa.md is stale: run python bench/export_objectives.py --write-docs"
    )


def test_every_model_the_script_exports_has_a_row():
    assert [r["model"] for r in ROWS] == list(script.MODELS)
    assert all(r["relative_difference"] < 1e-6 for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["model"] for r in ROWS])
def test_vakhsh_side_is_todays_fixed_head_objective(row):
    today = script.vakhsh_objective_usd(row["model"], row["overrides"])
    assert today == pytest.approx(row["vakhsh_usd"], rel=1e-9), (
        f"{row['model']}'s data changed: run python bench/export_objectives.py --write-docs"
    )
