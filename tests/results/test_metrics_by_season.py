"""Metrics that mutation testing (mutmut, issue 15) found unguarded, pinned on the model of
test_metrics.py (its docstring derives every day's dispatch by hand).

Each test names the mutants it kills: a season argument dropped (the whole run counted),
a sign flipped, or a function no test reached.
"""

from __future__ import annotations

import pytest
from tests.results.test_metrics import (
    APRIL_DAYS,
    DAYS,
    SUMMER_DAYS,
    WINTER_DAYS,
    K,
    hand,  # noqa: F401 (the solved model, a module fixture)
    per_day_gwh,
)

from vakhsh.results import metrics as m


def test_energy_by_bus_over_the_winter_only(hand):  # noqa: F811
    """Winter at A: ga 60, line 27 in, imports 5, unserved 8 against 100 MW of load; B
    sends 30 and exports 10 of its 90. Over the two winter days only."""
    frame = m.energy_by_bus_gwh(hand.net, hand.dataset, m.WINTER)
    assert frame.index.name == "bus"
    a, b = frame.loc["A"], frame.loc["B"]
    w = WINTER_DAYS
    assert a["generators"] == pytest.approx(per_day_gwh(60) * w)
    assert a["line_in"] == pytest.approx(per_day_gwh(27) * w)
    assert a["imports"] == pytest.approx(per_day_gwh(5) * w)
    assert a["unserved"] == pytest.approx(per_day_gwh(8) * w)
    assert a["load"] == pytest.approx(-per_day_gwh(100) * w)
    assert b["generators"] == pytest.approx(per_day_gwh(90) * w)
    assert b["line_out"] == pytest.approx(-per_day_gwh(30) * w)
    assert b["exports"] == pytest.approx(-per_day_gwh(10) * w)


def test_market_revenue_counts_imports_as_spending(hand):  # noqa: F811
    """`ma` sells A 5 MW at 40 USD/MWh on the winter days: revenue -40 * 5 * 24 * 2."""
    revenue = m.market_revenue_usd(hand.net, hand.dataset)
    assert revenue["ma"] == pytest.approx(-40 * 5 * 24 * WINTER_DAYS)
    assert revenue["mb"] == pytest.approx(25 * 10 * 24 * DAYS)


def test_demanded_water_over_a_season(hand):  # noqa: F811
    """dt wants 10 and du 20 m3/s every day."""
    net, ds = hand.net, hand.dataset
    whole = m.demanded_hm3(net, ds)
    assert whole["dt"] == pytest.approx(10 * K * DAYS)
    assert whole["du"] == pytest.approx(20 * K * DAYS)
    winter = m.demanded_hm3(net, ds, m.WINTER)
    assert winter["dt"] == pytest.approx(10 * K * WINTER_DAYS)
    assert winter["du"] == pytest.approx(20 * K * WINTER_DAYS)


def test_component_energy_by_id(hand):  # noqa: F811
    """ga's energy, gb's 90 MW, and the line's 30 MW sent (before its 10 % loss)."""
    net, ds = hand.net, hand.dataset
    energy = m.component_energy_gwh(net, ds)
    assert sorted(energy.index) == ["ba", "ga", "gb"]
    assert energy["ga"] == pytest.approx(
        per_day_gwh(60) * WINTER_DAYS + per_day_gwh(43) * APRIL_DAYS + per_day_gwh(13) * SUMMER_DAYS
    )
    assert energy["gb"] == pytest.approx(per_day_gwh(90) * DAYS)
    assert energy["ba"] == pytest.approx(per_day_gwh(30) * DAYS)
    winter = m.component_energy_gwh(net, ds, m.WINTER)
    assert winter["ga"] == pytest.approx(per_day_gwh(60) * WINTER_DAYS)
    assert winter["ba"] == pytest.approx(per_day_gwh(30) * WINTER_DAYS)


def test_load_generation_and_water_over_the_winter_only(hand):  # noqa: F811
    """Two winter days: loads 100 and 50 MW, ga 60 and gb 90 MW; every day du is short by
    10 m3/s, r spills 20, the sea gets 5 and misses 3 of its 8 m3/s."""
    net, ds, w = hand.net, hand.dataset, WINTER_DAYS
    load = m.load_gwh(net, ds, m.WINTER)
    assert load["A"] == pytest.approx(per_day_gwh(100) * w)
    assert load["B"] == pytest.approx(per_day_gwh(50) * w)
    generation = m.generation_gwh(net, ds, m.WINTER)
    assert generation["ga"] == pytest.approx(per_day_gwh(60) * w)
    assert generation["gb"] == pytest.approx(per_day_gwh(90) * w)
    assert m.shortage_hm3(net, ds, m.WINTER)["du"] == pytest.approx(10 * K * w)
    assert m.spill_hm3(net, ds, m.WINTER)["r"] == pytest.approx(20 * K * w)
    assert m.sink_shortfall_hm3(net, ds, m.WINTER)["aral_sea"] == pytest.approx(3 * K * w)
    assert m.sink_inflow_hm3(net, ds, m.WINTER)["aral_sea"] == pytest.approx(5 * K * w)
    assert m.aral_inflow_hm3(net, ds, season=m.WINTER) == pytest.approx(5 * K * w)
    assert m.downstream_shortage_hm3(net, ds, m.WINTER) == pytest.approx(13 * K * w)
    assert m.downstream_demand_shortage_hm3(net, ds, m.WINTER) == pytest.approx(10 * K * w)


def test_downstream_of_named_countries_and_the_aral_by_pattern(hand):  # noqa: F811
    """Tajikistan's dt is served in full; no demand is Kazakh; `ARAL` matches `aral_sea`
    (case-insensitive) and a pattern no sink has gives nothing."""
    net, ds = hand.net, hand.dataset
    assert m.downstream_demand_shortage_hm3(net, ds, countries=("TJ",)) == pytest.approx(0.0)
    assert m.downstream_delivery_hm3(net, ds, countries=("KZ",)) == 0.0
    assert m.downstream_shortage_hm3(net, ds, countries=("TJ",)) == pytest.approx(3 * K * DAYS)
    assert m.aral_sinks(net, "ARAL") == ["aral_sea"]
    assert m.aral_inflow_hm3(net, ds, pattern="ARAL") == pytest.approx(5 * K * DAYS)
    assert m.aral_inflow_hm3(net, ds, pattern="caspian") == 0.0


def test_costs_of_kinds_a_model_lacks_are_zero(tmp_path):
    """A lone bus (10 MW unit at 10 USD/MWh, 20 MW of load, VoLL 1000) over two days:
    generation 10 * 10 * 48, unserved 1000 * 10 * 48, and 0 for every water and market
    kind, which this model has no component of."""
    from tests.lp.conftest import solve_folder, write_model

    folder = write_model(
        tmp_path,
        {
            "buses": {"A": {"voll_usd_per_mwh": 1000}},
            "loads": {"la": {"bus": "A", "p_mw": 20}},
            "generators": {"ga": {"bus": "A", "capacity_mw": 10, "marginal_cost_usd_per_mwh": 10}},
        },
        start="2025-01-01",
        end="2025-01-03",
        step="1D",
    )
    results = solve_folder(folder)
    costs = m.costs_usd(results.net, results.dataset)
    assert costs.pop("generation") == pytest.approx(10 * 10 * 48)
    assert costs.pop("unserved_energy") == pytest.approx(1000 * 10 * 48)
    assert costs == dict.fromkeys(costs, 0.0)
    assert results.objective_usd == pytest.approx(10 * 10 * 48 + 1000 * 10 * 48)


def test_summary_reports_the_winter_figures_of_the_winter_days(hand):  # noqa: F811
    """summary.json's winter keys are the winter's (mutmut: `winter = None`, a season
    dropped, all survived the metric tests): on the two winter days A has 8 MW unserved,
    takes 27 MW from the line and 5 from its market (net imports 32), B sends 30 MW on the
    line and exports 10; A's price is VoLL (1000, unserved), B's that of gb (20)."""
    energy = hand.summary()["energy"]
    w = WINTER_DAYS
    assert energy["winter_unserved_gwh"] == pytest.approx({"A": per_day_gwh(8) * w, "B": 0.0})
    assert energy["winter_net_import_gwh"] == pytest.approx(
        {"A": per_day_gwh(32) * w, "B": -per_day_gwh(40) * w}
    )
    assert energy["winter_export_gwh"] == pytest.approx({"ma": 0.0, "mb": per_day_gwh(10) * w})
    assert energy["export_gwh"]["mb"] == pytest.approx(per_day_gwh(10) * DAYS)
    prices = hand.summary()["prices"]["winter_mean_usd_per_mwh"]
    assert prices == pytest.approx({"A": 1000.0, "B": 20.0})
