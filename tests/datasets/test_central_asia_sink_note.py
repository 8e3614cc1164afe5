"""The Small Aral sink says what its modelled inflow is: an upper bound, with the published
figures it should be read against (issue #12, finding 6), and the report's sink table shows it.

Solves central-asia's base for one month (real HiGHS, well under a second) to build the table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vakhsh.network.load import load_network
from vakhsh.pipeline import optimise
from vakhsh.report import metrics
from vakhsh.report.html import frame_html
from vakhsh.schema import registry

SHARED = Path("/work/shared/data")


def test_sinks_declare_an_optional_note():
    field = registry.BY_NAME["sinks"].field("note")
    assert field.type == "text"
    assert field.default is None


def test_small_aral_note_labels_an_upper_bound_with_its_sources():
    net = load_network("central-asia")
    notes = net.tables["sinks"]["note"]
    note = notes["aral_sea_north"]
    assert "upper bound" in note and "channel losses" in note
    for figure in ("1.6 km3", "October-March 2023-24", "6.5 km3/yr", "Tyumen-Aryk"):
        assert figure in note, figure
    for file in ("water_demand.csv", "hydro/rivers_monthly.csv"):  # where the figures are
        assert file in note, file
    assert pd.isna(notes["aral_sea_south"])  # a sink without a note has none


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data sheet is not on this machine")
def test_the_cited_figures_are_in_the_shared_data():
    water = (SHARED / "water_demand.csv").read_text(encoding="utf-8")
    assert "1.6 km3 to Aral Sea" in water  # Shardara row: 2023-24 non-growing season
    rivers = pd.read_csv(SHARED / "hydro" / "rivers_monthly.csv")
    regulated = rivers[rivers["river"] == "Syr Darya (regulated)"].iloc[0]
    assert "Tyumen-Aryk" in regulated["gauge"] and regulated["period"].startswith("1974-1986")
    km3 = float(regulated["annual_mean_m3s"]) * 365.25 * 86400 / 1e9
    assert km3 == pytest.approx(6.5, abs=0.05)  # 207.0 m3/s


def test_report_sink_table_shows_the_note():
    run = optimise(load_network("central-asia", end="2024-11-01"))
    table = metrics.sink_table(run)
    assert table.loc["aral_sea_north", "note"].startswith("An upper bound")
    assert table.loc["aral_sea_south", "note"] == ""
    html = frame_html(table)
    assert "<th>note</th>" in html or ">note<" in html
    assert "An upper bound: Syr Darya channel losses" in html


def test_a_model_without_notes_has_no_note_column():
    run = optimise(load_network("toy-cascade", end="2024-11-01"))
    assert "note" not in metrics.sink_table(run).columns
