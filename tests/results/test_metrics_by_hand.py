"""Metrics that mutation testing (mutmut, issue 15) left unguarded, pinned by hand.

Each test derives its values in a comment and names the mutants of `vakhsh.results.metrics`
it kills (mutmut 3.8's numbering on this tree; `mutmut show <name>` prints the change).
Every kill was checked by applying the mutant by hand and seeing the test fail.

Shared arithmetic: a day is 24 h, so P MW for a day is P * 24 / 1e3 GWh; a plant with
efficiency 0.9 at 100 m of head makes 9.81e-3 * 0.9 * 100 = 0.8829 MW per m3/s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.lp.conftest import solve_folder, write_model
from tests.results.test_metrics import (
    APRIL_DAYS,
    SUMMER_DAYS,
    WINTER_DAYS,
    hand,  # noqa: F401 (the solved model of test_metrics.py, a module fixture)
    per_day_gwh,
)

from vakhsh.results import metrics as m

MW_PER_M3S = 9.81e-3 * 0.9 * 100  # 0.8829
# water only: a catchment of 5 m3/s filling a 10 hm3 lake (5 at the start) that spills to
# the sea; no bus, no storage unit
WATER_ONLY = {
    "sinks": {"sea": {}},
    "catchments": {"rain": {"to": "lake", "inflow_m3s": 5}},
    "reservoirs": {
        "lake": {
            "storage_min_hm3": 0,
            "storage_max_hm3": 10,
            "storage_initial_hm3": 5,
            "spill_to": "sea",
        }
    },
}
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# ---------------------------------------------------------------- seasons and winters
@pytest.mark.parametrize("month", range(1, 13))
def test_season_hours_of_each_month(month):
    # a one-month season holds that month's days of a non-leap year, 24 h each:
    # January 744 h, February 672 h, April 720 h... (kills _season_hours 1-18: a month's
    # length changed, 25 h a day, a division, the month shifted by one or two)
    assert m._season_hours((month,)) == 24.0 * DAYS_IN_MONTH[month - 1]


def test_season_hours_of_winter_and_vegetation():
    # winter Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 28 + Mar 31 = 182 days = 4,368 h;
    # vegetation Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 = 183 days = 4,392 h;
    # a month named twice counts once (the season is a set)
    assert m._season_hours(m.WINTER) == 4368.0
    assert m._season_hours(m.VEGETATION) == 4392.0
    assert m._season_hours((1, 1)) == 744.0
    assert m._season_hours(m.WINTER) + m._season_hours(m.VEGETATION) == 365 * 24


def short_bus(root, start: str, end: str, name: str):
    """Bus A, 20 MW of load, 10 MW of generation: 10 MW unserved in every step."""
    model = {
        "buses": {"A": {"country": "TJ", "voll_usd_per_mwh": 1000}},
        "loads": {"la": {"bus": "A", "p_mw": 20}},
        "generators": {"ga": {"bus": "A", "capacity_mw": 10, "marginal_cost_usd_per_mwh": 10}},
    }
    return solve_folder(write_model(root, model, name=name, start=start, end=end, step="1D"))


def test_a_whole_winter_is_labelled_without_part(tmp_path):
    # 2024-10-01 .. 2025-04-01 (end exclusive): 182 daily steps, all the winter 2024/25,
    # 182 >= 0.97 * 4,368 h / 24 h = 176.5 steps: "2024/25", no "(part)". Every day 10 MW
    # are short: deficit 182 * 0.24 = 43.68 GWh. (Kills winter_deficit_by_year 48: October
    # put in the year before, so "2023/24 (part)" and "2024/25 (part)"; 12/13: an empty
    # table; 61/75: full winter needs more steps; 70: every winter "(part)"; 55/57: the
    # deficit's sign and clip.)
    results = short_bus(tmp_path, "2024-10-01", "2025-04-01", "whole")
    table = m.winter_deficit_by_year(results.net, results.dataset)
    assert list(table.index) == ["2024/25"]
    assert table.index.name == "winter"
    assert list(table.columns) == ["A"]
    assert table.loc["2024/25", "A"] == pytest.approx(182 * per_day_gwh(10))
    assert table.loc["2024/25", "A"] == pytest.approx(43.68)


def test_a_winter_short_of_97_percent_is_a_part(tmp_path):
    # 2024-10-01 .. 2025-03-25: 175 daily steps < 176.5: "2024/25 (part)", 42.0 GWh.
    # (Kills 71: no winter ever "(part)"; 74: the threshold divided by the season.)
    results = short_bus(tmp_path, "2024-10-01", "2025-03-25", "part")
    table = m.winter_deficit_by_year(results.net, results.dataset)
    assert list(table.index) == ["2024/25 (part)"]
    assert table.loc["2024/25 (part)", "A"] == pytest.approx(175 * per_day_gwh(10))


def test_winter_labels_keep_two_digits(tmp_path):
    # 30 and 31 March 2009 belong to the hydrological year from October 2008: "2008/09",
    # the second year's two digits zero-padded. (Kills 66-69: "2008/07", "2008/10", a
    # float, 2009 % 101 = 90.)
    results = short_bus(tmp_path, "2009-03-30", "2009-04-01", "padded")
    table = m.winter_deficit_by_year(results.net, results.dataset)
    assert list(table.index) == ["2008/09 (part)"]
    assert table.iloc[0]["A"] == pytest.approx(2 * per_day_gwh(10))


def test_summary_counts_the_winter_unserved_in_winter_only(tmp_path):
    # 30 March .. 2 April: two winter days, two April days, 10 MW short on each. summary's
    # unserved is the four days', its winter unserved the two winter days' (session 23:
    # with `winter` dropped from the winter unserved, every other test still passed, their
    # models short in winter alone)
    energy = short_bus(tmp_path, "2025-03-30", "2025-04-03", "spring").summary()["energy"]
    assert energy["unserved_gwh"]["A"] == pytest.approx(4 * per_day_gwh(10))
    assert energy["winter_unserved_gwh"]["A"] == pytest.approx(2 * per_day_gwh(10))
    assert energy["winter_deficit_gwh"]["A"] == pytest.approx(2 * per_day_gwh(10))
    assert energy["deficit_oct_apr_gwh"]["A"] == pytest.approx(4 * per_day_gwh(10))


def test_a_run_without_winter_has_no_winter_rows(tmp_path):
    # 1-3 May: no step starts in a winter month: no rows, but the buses as columns.
    # (Kills 14: no columns.)
    results = short_bus(tmp_path, "2025-05-01", "2025-05-04", "summer")
    table = m.winter_deficit_by_year(results.net, results.dataset)
    assert len(table) == 0
    assert list(table.columns) == ["A"]


def test_a_model_without_buses_has_no_winter_rows(tmp_path):
    # Water only (a catchment filling a lake that spills to the sea) over 30-31 March:
    # winter steps, but no bus, so nothing to report. (Kills 11: `and` for `or`, which
    # goes on to build a table and errors or writes rows with no columns.)
    folder = write_model(tmp_path, WATER_ONLY, name="water", start="2025-03-30", end="2025-04-01")
    results = solve_folder(folder)
    table = m.winter_deficit_by_year(results.net, results.dataset)
    assert len(table) == 0
    assert list(table.columns) == []
    # and no prices: no power balance, so no dual (summary's `if` around them, session 23)
    assert "price_usd_per_mwh" not in results.dataset
    assert results.summary()["prices"] == {}


# ---------------------------------------------------------------- prices
def test_mean_price_over_a_season(hand):  # noqa: F811
    # test_metrics.py's model: at A, 8 MW are unserved on the winter days (31 March and
    # 1 October), so VoLL sets A's price, 1000 USD/MWh; on the other days ga (30 USD/MWh)
    # is marginal. B's unit gb (20 USD/MWh) is marginal every day.
    #   whole run, A:  (2 * 1000 + (30 + 153) * 30) / 185 = 7,490 / 185 = 40.486...
    #   winter, A:     1000;  March alone (one step, 31 March): 1000
    #   vegetation, A: 30;  B: 20 in every season
    # (Kills mean_price_usd_per_mwh 4: season ignored; 15: sum times count; 21: a season
    # of one step reported as NaN.)
    net, ds = hand.net, hand.dataset
    whole = m.mean_price_usd_per_mwh(net, ds)
    days = WINTER_DAYS + APRIL_DAYS + SUMMER_DAYS
    assert whole["A"] == pytest.approx((2 * 1000 + (APRIL_DAYS + SUMMER_DAYS) * 30) / days)
    assert whole["A"] == pytest.approx(7490 / 185)
    assert whole["B"] == pytest.approx(20)
    assert m.mean_price_usd_per_mwh(net, ds, m.WINTER)["A"] == pytest.approx(1000)
    assert m.mean_price_usd_per_mwh(net, ds, (3,))["A"] == pytest.approx(1000)
    veg = m.mean_price_usd_per_mwh(net, ds, m.VEGETATION)
    assert veg["A"] == pytest.approx(30)
    assert veg["B"] == pytest.approx(20)


# ---------------------------------------------------------------- hydropower per bus
HYDRO = {
    "buses": {"A": {"voll_usd_per_mwh": 1000}, "B": {"voll_usd_per_mwh": 1000}},
    "loads": {"la": {"bus": "A", "p_mw": 100}, "lb": {"bus": "B", "p_mw": 100}},
    "generators": {
        "gas_a": {"bus": "A", "capacity_mw": 1000, "marginal_cost_usd_per_mwh": 50},
        "gas_b": {"bus": "B", "capacity_mw": 1000, "marginal_cost_usd_per_mwh": 50},
    },
    "sinks": {"sea": {}},
    "junctions": {"ja1": {}, "ja2": {}, "jb": {}},
    "catchments": {
        "ca1": {"to": "ja1", "inflow_m3s": "series:months.csv#ca1"},
        "ca2": {"to": "ja2", "inflow_m3s": 5},
        "cb": {"to": "jb", "inflow_m3s": 8},
    },
    "hydro_plants": {
        name: {
            "node": node,
            "to": "sea",
            "bus": bus,
            "capacity_mw": 500,
            "max_flow_m3s": 100,
            "efficiency": 0.9,
            "head_m": 100,
        }
        for name, node, bus in (("pa1", "ja1", "A"), ("pa2", "ja2", "A"), ("pb", "jb", "B"))
    },
}
# ca1 brings 10 m3/s in winter months and 20 m3/s in the others
HYDRO_SERIES = {
    "months.csv": {
        "month": list(range(1, 13)),
        "ca1": [10 if mo in m.WINTER else 20 for mo in range(1, 13)],
    }
}


def test_hydro_energy_per_bus_and_season(tmp_path):
    # 30 March .. 2 April (4 daily steps: 2 winter, 2 April). Each junction's only way
    # out is its run-of-river plant, so every plant passes its catchment's inflow (hydro
    # is free, gas costs 50 and the 100 MW loads exceed the hydro): 0.8829 MW per m3/s.
    #   A, whole run: pa1 (10 + 10 + 20 + 20) + pa2 5 * 4 = 80 m3/s-days
    #                 -> 80 * 0.8829 * 24 / 1e3 = 1.6952 GWh
    #   A, winter:    pa1 10 * 2 + pa2 5 * 2 = 30 m3/s-days -> 0.63569 GWh
    #   B:            pb 8 * 4 = 32 (whole), 8 * 2 = 16 (winter) m3/s-days
    # (Kills hydro_gwh_by_bus 4/7: season dropped; 24: always empty.)
    folder = write_model(
        tmp_path, HYDRO, HYDRO_SERIES, name="hydro", start="2025-03-30", end="2025-04-03"
    )
    results = solve_folder(folder)
    net, ds = results.net, results.dataset
    np.testing.assert_allclose(
        ds["turbine_flow_m3s"].sel(hydro_plant="pa1").values, [10, 10, 20, 20], rtol=1e-9
    )
    whole = m.hydro_gwh_by_bus(net, ds)
    assert list(whole.index) == ["A", "B"]
    assert whole["A"] == pytest.approx(per_day_gwh(80 * MW_PER_M3S))
    assert whole["A"] == pytest.approx(1.6952, rel=1e-4)
    assert whole["B"] == pytest.approx(per_day_gwh(32 * MW_PER_M3S))
    winter = m.hydro_gwh_by_bus(net, ds, m.WINTER)
    assert winter["A"] == pytest.approx(per_day_gwh(30 * MW_PER_M3S))
    assert winter["B"] == pytest.approx(per_day_gwh(16 * MW_PER_M3S))


def test_hydro_energy_per_bus_without_hydro(tmp_path):
    # no hydro plant: an empty float Series (kills 27: an object Series)
    results = short_bus(tmp_path, "2025-05-01", "2025-05-02", "nohydro")
    energy = m.hydro_gwh_by_bus(results.net, results.dataset)
    assert len(energy) == 0
    assert energy.dtype == float


# ---------------------------------------------------------------- countries
COUNTRIES = pd.Series(["TJ", "tajikistan", "Uzbekistan", "uz", None, "KG", "Kazakhstan"])


@pytest.mark.parametrize(
    "wanted, expected",
    [
        # a name matches its code and the other way, in any case
        (["Tajikistan"], [True, True, False, False, False, False, False]),
        (["tj"], [True, True, False, False, False, False, False]),
        # two countries: both kept (kills _country_names 9: `=` for `|=` keeps the last)
        (["TJ", "Uzbekistan"], [True, True, True, True, False, False, False]),
        (["KZ", "kg"], [False, False, False, False, False, True, True]),
        # a name that is no country's matches itself only
        (["Atlantis"], [False] * 7),
    ],
)
def test_country_codes_and_names_match_each_other(wanted, expected):
    # (Kills _country_names 2-12 and of_countries 1-5: upper case on either side, `and`
    # for `or`, `not in`, `&=`, the codes or names not added.)
    assert m.of_countries(COUNTRIES, wanted).tolist() == expected
