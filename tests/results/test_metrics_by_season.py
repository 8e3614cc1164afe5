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
