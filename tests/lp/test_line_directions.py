"""A line's limit by direction (`capacity_backward_mw`), solved for real by HiGHS."""

from __future__ import annotations

import numpy as np
import pytest

import vakhsh
from vakhsh.errors import ModelError

REL = 1e-6


def two_buses(backward=None) -> dict:
    """A and B, 40 MW of load each, two days. A has a cheap unit (10 USD/MWh) on day 1 only
    and a dear one (200); B has gas at 50. The line A -> B carries 30 MW from A to B and,
    when given, `backward` MW from B to A."""
    line = {"from": "A", "to": "B", "capacity_mw": 30}
    if backward is not None:
        line["capacity_backward_mw"] = backward
    return {
        "buses": {"A": {"voll_usd_per_mwh": 1000}, "B": {"voll_usd_per_mwh": 1000}},
        "loads": {"a": {"bus": "A", "p_mw": 40}, "b": {"bus": "B", "p_mw": 40}},
        "generators": {
            "cheap": {
                "bus": "A",
                "capacity_mw": 100,
                "marginal_cost_usd_per_mwh": 10,
                "capacity_factor": "series:cf.csv#cheap",
            },
            "dear": {"bus": "A", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 200},
            "gas": {"bus": "B", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 50},
        },
        "lines": {"ab": line},
    }


SERIES = {"cf.csv": {"time": ["2023-01-01", "2023-01-02"], "cheap": [1.0, 0.0]}}


def test_backward_limit_binds_the_direction_to_from(model_folder, solve):
    # Day 1: A's cheap unit serves A (40) and sends 30 to B; B's gas makes the other 10:
    #   24 * (70 * 10 + 10 * 50)  =  28,800 USD
    # Day 2: A gets at most 20 MW from B (gas at 50), the other 20 from its dear unit:
    #   24 * (60 * 50 + 20 * 200) = 168,000 USD;  total 196,800 USD
    res = solve(model_folder(two_buses(backward=20), SERIES, end="2023-01-03"))
    ds = res.dataset
    np.testing.assert_allclose(ds["line_forward_mw"].sel(line="ab").values, [30, 0], atol=1e-6)
    np.testing.assert_allclose(ds["line_backward_mw"].sel(line="ab").values, [0, 20], atol=1e-6)
    assert res.objective_usd == pytest.approx(196_800, rel=REL)
    assert res.audit.passed


def test_without_a_backward_limit_capacity_holds_both_ways(model_folder, solve):
    # Day 2 now takes 30 MW from B: 24 * (70 * 50 + 10 * 200) = 132,000; total 160,800 USD
    res = solve(model_folder(two_buses(), SERIES, end="2023-01-03"))
    np.testing.assert_allclose(
        res.dataset["line_backward_mw"].sel(line="ab").values, [0, 30], atol=1e-6
    )
    assert res.objective_usd == pytest.approx(160_800, rel=REL)


def test_backward_limit_as_a_series_and_zero(model_folder, solve):
    # backward 0 on day 2: A's dear unit makes all 40 MW: 24 * (40 * 50 + 40 * 200)
    series = {**SERIES, "back.csv": {"time": ["2023-01-01", "2023-01-02"], "ab": [30, 0]}}
    res = solve(model_folder(two_buses(backward="series:back.csv#ab"), series, end="2023-01-03"))
    assert float(res.dataset["line_backward_mw"].sum()) == pytest.approx(0, abs=1e-6)
    assert res.objective_usd == pytest.approx(28_800 + 24 * (40 * 50 + 40 * 200), rel=REL)


def test_a_candidate_line_goes_both_ways_or_one_way(model_folder):
    model = two_buses()
    model["candidates"] = {
        "link": {
            "component": "lines",
            "template": {"from": "A", "to": "B", "capacity_backward_mw": 10},
            "capex_usd_per_kw": 1,
            "lifetime_years": 30,
        }
    }
    with pytest.raises(ModelError) as err:
        vakhsh.load(model_folder(model, SERIES, end="2023-01-03"))
    assert any(
        p.path == "candidates.link.template.capacity_backward_mw" for p in err.value.problems
    )
    model["candidates"]["link"]["template"]["capacity_backward_mw"] = 0
    vakhsh.load(model_folder(model, SERIES, end="2023-01-03"))  # one way: fine
