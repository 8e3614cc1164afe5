"""Tables in narrow terminals never cut a number (issue 17: `13,8…` at 60 columns), and
`vakhsh run` prints the cost breakdown that summary.json stores under `costs_usd`.

`print_table` is tried on a table wider than the terminal at several widths; `vakhsh run`
is run for real (toy-cascade, one month) at COLUMNS=60 and 40, and every figure of its
tables, formatted from summary.json, must appear whole in what it printed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from vakhsh.report.terminal import print_table

HEADERS = (
    "bus",
    "load",
    "hydro",
    "unserved",
    "winter unserved",
    "winter net import",
    "winter deficit",
)
ROWS = [
    ("NORTH_LONG_NAME", "13,845,123", "1,200", "0.0", "0.0", "91", "91"),
    ("SOUTH", "1,651", "0", "44.5", "44.5", "39", "-83,123"),
]


def printed(width: int) -> str:
    table = Table(title="Energy by bus (GWh)", title_justify="left")
    for name in HEADERS:
        table.add_column(name, justify="left" if name == "bus" else "right")
    for row in ROWS:
        table.add_row(*row)
    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    print_table(table, console)
    return console.export_text()


@pytest.mark.parametrize("width", [200, 80, 70, 60, 40, 24])
def test_every_cell_is_printed_whole_within_the_width(width):
    text = printed(width)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    tokens = set(re.split(r"[\s│┃]+", text))
    for row in ROWS:
        for cell in row:
            assert cell in tokens, (width, cell, text)


def test_a_wide_terminal_keeps_the_boxed_table_and_a_narrow_one_folds_headers():
    assert "┃ bus " in printed(200) and "winter net import" in printed(200)
    narrow = printed(70)  # no border, headers wrapped, cells on one row each
    assert "┃" not in narrow
    assert re.search(r"NORTH_LONG_NAME +13,845,123 +1,200 +0\.0 +0\.0 +91 +91", narrow)
    records = printed(40)  # not even side by side: one block per row
    assert "bus: NORTH_LONG_NAME" in records and "  load: 13,845,123" in records


def vakhsh(*args, columns: int, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "vakhsh.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    root = tmp_path_factory.mktemp("narrow")
    runs = {}
    for columns in (60, 40):
        out = root / f"run{columns}"
        done = vakhsh(
            "run",
            "toy-cascade",
            "--end",
            "2024-11-01",
            "--no-report",
            "--out",
            out,
            columns=columns,
            cwd=root,
        )
        assert done.returncode == 0, done.stderr
        runs[columns] = (done.stdout, json.loads((out / "summary.json").read_text()))
    return runs


@pytest.mark.parametrize("columns", [60, 40])
def test_run_tables_keep_every_figure_whole(month, columns):
    text, s = month[columns]
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= columns
    tokens = set(re.split(r"[\s│┃:]+", text))
    e = s["energy"]
    for bus, load in e["load_gwh"].items():
        for figure in (
            bus,
            f"{load:,.0f}",
            f"{e['unserved_gwh'][bus]:,.1f}",
            f"{e['winter_net_import_gwh'][bus]:,.0f}",
            f"{e['winter_deficit_gwh'][bus]:,.0f}",
        ):
            assert figure in tokens, (columns, figure, text)
    for kind, usd in s["costs_usd"].items():
        assert f"{usd / 1e6:,.1f}" in tokens, (kind, text)


def test_run_prints_the_cost_breakdown_of_summary_json(month):
    text, s = month[60]
    costs = s["costs_usd"]
    assert list(costs) == [
        "generation",
        "unserved_energy",
        "water_shortage",
        "reach_shortfall",
        "sink_shortfall",
        "spill",
        "market_imports",
        "market_export_revenue",
    ]
    assert sum(costs.values()) == pytest.approx(s["objective_usd"], rel=1e-9)
    assert costs["generation"] > 0 and costs["market_export_revenue"] <= 0
    assert "Costs (M USD)" in text
    lines = text.splitlines()
    for kind, usd in costs.items():
        label = kind.replace("_", " ")
        figure = re.escape(f"{usd / 1e6:,.1f}")
        assert any(re.search(rf"\b{label}\b.*\s{figure}\b", line) for line in lines), (label, text)
    total = re.escape(f"{s['objective_usd'] / 1e6:,.1f}")
    assert any(re.search(rf"\btotal\b.*\s{total}", line) for line in lines), text


def test_summary_json_holds_json_values_not_their_strings(month):
    _text, s = month[60]
    options = s["provenance"]["options"]
    assert options["write_lp"] is None and options["solver_options"] == {}
    assert options["log"] is False and isinstance(options["audit_tolerance"], float)
