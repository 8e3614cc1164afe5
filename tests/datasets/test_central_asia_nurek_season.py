"""Nurek's live storage as the CAWater yearbooks and the published levels give it (issue 12: the
model's Tajik winter had more water than the real one), and docs/central-asia.md's
"Nurek's season against the yearbooks" block as nurek_season.py writes it. Real HiGHS solves of
base and nurek_design_storage (a few seconds each)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from tests.datasets.scripts import load_script

MOL, FSL = 857.0, 910.0


season = load_script("nurek_season")


@pytest.fixture(scope="module")
def runs():
    return {name: season.solve("central-asia", name) for name in season.DOC_SCENARIOS}


@pytest.fixture(scope="module")
def found(runs):
    return {name: season.seasons(run) for name, run in runs.items()}


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"[-+]?\d[\d,]*\.?\d*", text)]


def test_live_storage_is_the_2023_fill_over_its_level_rise():
    """3.52 km3 filled 862.71 -> 910 m in 2023; the linear level curve spreads it over 53 m."""
    book = season.yearbook().set_index("year")
    levels = pd.read_csv(season.LEVELS).set_index("date")
    fill_2023 = book.loc[2023, "fill_growing"] * 1e3
    assert fill_2023 == pytest.approx(3520)
    rise = FSL - levels.loc["2023-04-03", "level_masl"]
    # the 2023 level is the 2024 one plus the published 5.07 m
    assert levels.loc["2023-04-03", "level_masl"] == pytest.approx(
        levels.loc["2024-04-03", "level_masl"] + 5.07
    )
    derived = fill_2023 * (FSL - MOL) / rise
    from vakhsh.network.load import load_network

    net = load_network("central-asia")
    nurek = net.tables["reservoirs"].loc["nurek"]
    assert nurek["storage_max_hm3"] - nurek["storage_min_hm3"] == pytest.approx(derived, abs=1)
    # between the yearbooks' smallest season and the design 4.5 km3 (EDB)
    assert book["fill_growing"].min() * 1e3 <= derived <= 4500


def test_design_storage_scenario_keeps_the_old_storage():
    from vakhsh.network.load import load_network

    nurek = load_network("central-asia", scenario="nurek_design_storage").tables["reservoirs"]
    assert nurek.loc["nurek", "storage_max_hm3"] - nurek.loc["nurek", "storage_min_hm3"] == 4500
    assert nurek.loc["nurek", "storage_initial_hm3"] == 10500


def test_the_smaller_storage_is_what_moves_the_winter_water(found):
    base, design = found["base"], found["nurek_design_storage"]
    # same inflow; the winter release falls by the storage the model no longer has
    assert base["inflow_winter"] == pytest.approx(design["inflow_winter"], rel=1e-9)
    assert base["release_winter"] < design["release_winter"]
    lost = design["live_km3"] - base["live_km3"]
    assert design["release_winter"] - base["release_winter"] <= lost + 1e-6
    # both still draw Nurek to its dead level, as the published April levels show
    assert base["level_min"] == pytest.approx(MOL, abs=0.01)
    assert design["level_min"] == pytest.approx(MOL, abs=0.01)
    # and end the year where they started (full on 1 October)
    for f in (base, design):
        assert f["fill_growing"] == pytest.approx(f["drawdown_winter"], abs=1e-6)


def test_docs_block_is_as_regenerated(runs):
    from vakhsh.outputs.doc_blocks import read_block

    shown = _numbers(read_block(season.DOCS, season.START, season.END))
    fresh = _numbers(season.markdown(runs))
    assert len(shown) == len(fresh), (
        "docs/central-asia.md is stale: run nurek_season.py --write-docs"
    )
    for old, new in zip(shown, fresh, strict=True):
        assert old == pytest.approx(new, rel=0.01, abs=0.011), (
            "docs/central-asia.md is stale: run nurek_season.py --write-docs"
        )
