"""Scenario `messageix_water_demand` (issue #12, finding 6): the Amu Darya irrigation demands at
MESSAGEix-CAS's levels, compared with base on every validation row by `validate.py --compare`.

Solves base and dry twice (without and with the scenario's `set`; real HiGHS, a few CPU
seconds in all) and checks the docs block against the fresh comparison.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.datasets.scripts import FOLDER, load_script

SHARED = Path("/work/shared/data")
NAME = "messageix_water_demand"
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # Oct 2024 - Sep 2025
GROWING = np.isin(np.arange(1, 13), [4, 5, 6, 7, 8, 9])
ICWC_ANNUAL_KM3 = 55.391  # Amu Darya limits Oct 2025 - Oct 2026 (water_demand.csv)


validate = load_script("validate")


def _km3(m3s, mask=None) -> float:
    m3s = np.asarray(m3s, dtype=float)
    mask = np.ones(12, bool) if mask is None else mask
    return float(np.sum(m3s[mask] * DAYS[mask]) * 86400 / 1e9)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return validate.compare("central-asia", NAME)


def test_scenario_demands_are_the_messageix_levels():
    series = pd.read_csv(FOLDER / "water_demand_messageix_m3s.csv")
    volumes = {c: _km3(series[c]) for c in validate.AMU_DEMANDS}
    expected = {"tj_amu_irrigation": 7.23, "tm_amu_karakum": 15.55, "uz_amu_irrigation": 16.19}
    for column, km3 in expected.items():
        assert volumes[column] == pytest.approx(km3, abs=0.01), column
    total = sum(volumes.values())
    assert total == pytest.approx(38.97, abs=0.01)
    assert total / ICWC_ANNUAL_KM3 == pytest.approx(0.704, abs=0.001)
    sets = validate.scenario_set("central-asia", NAME)
    assert set(sets) == {f"water_demands.{d}.demand_m3s" for d in validate.AMU_DEMANDS}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data sheet is not on this machine")
def test_scenario_demands_are_the_shared_data_profiles():
    sheet = pd.read_csv(SHARED / "water_demand.csv")
    rows = sheet[sheet["item"].str.startswith("MESSAGEix-CAS irrigation")]
    series = pd.read_csv(FOLDER / "water_demand_messageix_m3s.csv")
    for column, country in (
        ("tj_amu_irrigation", "Tajikistan"),
        ("tm_amu_karakum", "Turkmenistan"),
        ("uz_amu_irrigation", "Uzbekistan"),
    ):
        row = rows[(rows["country"] == country) & (rows["basin"] == "Amu Darya")].iloc[0]
        profile = re.search(r"Jan\.\.Dec: ([0-9,]+)\)", row["unit"]).group(1)
        assert series[column].tolist() == [float(x) for x in profile.split(",")], column
        assert "low-medium" in row["confidence"]


def test_base_share_is_against_the_icwc_limits_file():
    from vakhsh.results import metrics

    run = validate.solve("central-asia", ("base",))["base"]
    limits = validate.icwc_limits_hm3(run, validate.AMU_DEMANDS, validate.GROWING)
    demanded = metrics.demanded_hm3(run.net, run.dataset, validate.GROWING)
    assert limits == pytest.approx(38522.96, abs=0.01)  # ICWC 7.003 + 15.5 + 16.02 km3
    assert limits == pytest.approx(float(demanded[list(validate.AMU_DEMANDS)].sum()), rel=1e-12)


def test_scenario_share_is_its_demand_over_the_limits(frame):
    row = frame.set_index("id").loc["amu_growing_withdrawal_share"]
    series = pd.read_csv(FOLDER / "water_demand_messageix_m3s.csv").set_index("month")
    limits = pd.read_csv(FOLDER / "water_demand_m3s.csv").set_index("month")
    asked = sum(_km3(series[c], GROWING) for c in validate.AMU_DEMANDS)
    cap = sum(_km3(limits[c], GROWING) for c in validate.AMU_DEMANDS)
    # delivered in full when the water is there, so the share is at most demand / limits
    assert row["with_scenario"] <= asked / cap + 1e-9
    assert row["with_scenario"] == pytest.approx(asked / cap, abs=0.01)


def _numbers(block: str) -> dict[str, tuple[float, float]]:
    out = {}
    for line in block.splitlines():
        match = re.search(r"\(`([a-z0-9_]+)`\)", line)
        if match:
            cells = [c.strip() for c in line.split("|")]
            out[match.group(1)] = (
                float(cells[4].replace(",", "")),
                float(cells[5].replace(",", "")),
            )
    return out


def test_docs_show_the_comparison_as_regenerated(frame):
    block = validate.docs_table(markers=validate.compare_markers(NAME))
    fresh = validate.compare_markdown(frame, NAME)
    shown, expected = _numbers(block), _numbers(fresh)
    assert shown.keys() == expected.keys(), f"run validate.py --compare {NAME}"
    for row_id, (base, other) in expected.items():
        assert shown[row_id][0] == pytest.approx(base, rel=0.01, abs=0.011), row_id
        assert shown[row_id][1] == pytest.approx(other, rel=0.01, abs=0.011), row_id
    count = re.search(r"In band: .*?\.", fresh).group(0)
    assert count in block, f"the in-band count is stale: run validate.py --compare {NAME}"
