"""Kirchhoff's voltage law on lines with a reactance, solved for real by HiGHS."""

from __future__ import annotations

import numpy as np
import pytest

import vakhsh
from vakhsh.errors import ModelError
from vakhsh.math import kirchhoff
from vakhsh.math.kirchhoff import cycle_basis

REL = 1e-6
DAY_H = 24


def triangle(ac_capacity=100.0, x=(1.0, 1.0, 1.0), v_nom_kv=1.0, **line_extra) -> dict:
    """A (cheap, 10 USD/MWh), B (nothing), C (90 MW of load, dear gas at 50); lines A-B,
    B-C and A-C with reactances x (ohm at v_nom_kv)."""
    xab, xbc, xac = x
    return {
        "buses": {b: {"voll_usd_per_mwh": 1000, "v_nom_kv": v_nom_kv} for b in "ABC"},
        "loads": {"c": {"bus": "C", "p_mw": 90}},
        "generators": {
            "cheap": {"bus": "A", "capacity_mw": 200, "marginal_cost_usd_per_mwh": 10},
            "gas": {"bus": "C", "capacity_mw": 200, "marginal_cost_usd_per_mwh": 50},
        },
        "lines": {
            "ab": {"from": "A", "to": "B", "capacity_mw": 100, "x_ohm": xab},
            "bc": {"from": "B", "to": "C", "capacity_mw": 100, "x_ohm": xbc},
            "ac": {"from": "A", "to": "C", "capacity_mw": ac_capacity, "x_ohm": xac, **line_extra},
        },
    }


def net_flow(res):
    ds = res.dataset
    return (ds["line_forward_mw"] - ds["line_backward_mw"]).transpose("time", "line")


@pytest.fixture(params=["cycles", "angles"])
def formulation(request, monkeypatch):
    monkeypatch.setattr(kirchhoff, "KVL_FORMULATION", request.param)
    return request.param


def test_flows_split_by_reactance(model_folder, solve, formulation):
    # 90 MW from A to C: the direct line (x=1) and the path through B (x=1+1) split it
    # 2:1 in inverse proportion to their reactances: 60 on A-C, 30 on A-B and B-C.
    res = solve(model_folder(triangle()))
    flow = net_flow(res).isel(time=0)
    np.testing.assert_allclose(flow.sel(line=["ab", "bc", "ac"]).values, [30, 30, 60], atol=1e-6)
    assert res.objective_usd == pytest.approx(3 * DAY_H * 90 * 10, rel=REL)
    assert res.audit.passed


def test_a_line_drawn_against_the_flow_carries_it_backward(model_folder, solve, formulation):
    # the triangle with its direct line written C -> A: the same 60 MW flow A to C on it,
    # now as its backward flow (net -60); the loop's voltage law must count it negative
    # (with backward flow counted forward the split would move off 2:1)
    model = triangle()
    model["lines"]["ac"].update({"from": "C", "to": "A"})
    res = solve(model_folder(model))
    flow = net_flow(res).isel(time=0)
    np.testing.assert_allclose(flow.sel(line=["ab", "bc", "ac"]).values, [30, 30, -60], atol=1e-6)
    assert res.objective_usd == pytest.approx(3 * DAY_H * 90 * 10, rel=REL)


def test_a_second_loop_closing_within_the_run_splits_the_flow_three_ways(
    model_folder, solve, formulation
):
    # the triangle and a fourth bus D on lines A-D and D-C (x=1 each), D-C in service from
    # the second day: day 1 D is a dead end (one loop, 30/30/60 as above); from day 2 three
    # parallel paths A to C of x 1 (direct), 2 (via B) and 2 (via D) take 1/2, 1/4 and 1/4
    # of the 90 MW. Each set of lines in service has its own loops (two sets, both with loops)
    model = triangle()
    model["buses"]["D"] = dict(model["buses"]["A"])
    model["lines"]["ad"] = {"from": "A", "to": "D", "capacity_mw": 100, "x_ohm": 1.0}
    model["lines"]["dc"] = {
        "from": "D",
        "to": "C",
        "capacity_mw": 100,
        "x_ohm": 1.0,
        "available_from": "2023-01-02",
    }
    res = solve(model_folder(model))
    flow = net_flow(res).sel(line=["ab", "bc", "ac", "ad", "dc"]).values
    np.testing.assert_allclose(flow[0], [30, 30, 60, 0, 0], atol=1e-6)
    np.testing.assert_allclose(flow[1:], [[22.5, 22.5, 45, 22.5, 22.5]] * 2, atol=1e-6)
    assert res.audit.passed


def test_a_day_with_no_line_in_service_has_no_loop(model_folder, solve, formulation):
    # every line of the triangle built on day 2: day 1 the buses are islands (C's gas
    # serves its 90 MW at 50 USD/MWh), days 2 and 3 split 30/30/60 from A's cheap unit
    model = triangle()
    for line in model["lines"].values():
        line["available_from"] = "2023-01-02"
    res = solve(model_folder(model))
    flow = net_flow(res).sel(line=["ab", "bc", "ac"]).values
    np.testing.assert_allclose(flow, [[0, 0, 0], [30, 30, 60], [30, 30, 60]], atol=1e-6)
    assert res.objective_usd == pytest.approx(DAY_H * 90 * (50 + 2 * 10), rel=REL)


def test_unequal_reactances(model_folder, solve, formulation):
    # x_ab=1, x_bc=3, x_ac=2: the path through B has x=4, the direct line 2, so the direct
    # line takes 4/6 of 90 = 60 and the path 30; the voltage drops agree: 2*60 = 1*30 + 3*30.
    res = solve(model_folder(triangle(x=(1.0, 3.0, 2.0))))
    np.testing.assert_allclose(
        net_flow(res).isel(time=0).sel(line=["ab", "bc", "ac"]).values, [30, 30, 60], atol=1e-6
    )


def test_congested_triangle_prices(model_folder, solve, formulation):
    # A-C may carry 50 MW. With equal reactances A-C carries twice what A-B-C carries, so A
    # sends 50 + 25 = 75 MW and C's gas makes 15:  3 days * 24 h * (75*10 + 15*50).
    # Prices: A 10, C 50; one MW injected at B and taken at C puts 1/3 on A-C, one from A
    # puts 2/3; with the A-C limit's dual mu, 10 = 50 - 2/3 mu, so mu = 60 and B's price is
    # 50 - 60/3 = 30 USD/MWh: higher than A's although B has no generator.
    res = solve(model_folder(triangle(ac_capacity=50)))
    flow = net_flow(res).isel(time=0)
    np.testing.assert_allclose(flow.sel(line=["ab", "bc", "ac"]).values, [25, 25, 50], atol=1e-6)
    assert res.objective_usd == pytest.approx(3 * DAY_H * (75 * 10 + 15 * 50), rel=REL)
    prices = res.dataset["price_usd_per_mwh"].isel(time=0).sel(bus=["A", "B", "C"]).values
    np.testing.assert_allclose(prices, [10, 30, 50], atol=1e-6)
    assert res.audit.passed


def test_without_reactance_the_triangle_is_a_transport_model(model_folder, solve):
    # the same congested triangle without x_ohm: A sends 50 direct and 90-50=40 via B
    model = triangle(ac_capacity=50)
    for line in model["lines"].values():
        del line["x_ohm"]
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(3 * DAY_H * 90 * 10, rel=REL)


def test_voltage_base_scales_reactance_per_unit(model_folder, solve):
    # x_pu = x_ohm / v_nom_kv^2; with one base for all buses only the ratios of the
    # reactances matter, so the split stays 2:1 at 220 kV
    res = solve(model_folder(triangle(v_nom_kv=220.0)))
    np.testing.assert_allclose(net_flow(res).isel(time=0).sel(line="ac").values, 60, atol=1e-6)


def test_each_line_takes_the_voltage_base_of_its_from_bus(model_folder, solve, formulation):
    # A and C at 10 kV, B at 20 kV: x_pu = x_ohm / v_from^2 is 100/10^2 = 1 on A-B,
    # 400/20^2 = 1 on B-C and 200/10^2 = 2 on A-C, so the path through B (1 + 1) and the
    # direct line (2) split the 90 MW evenly: 45 each. In ohms alone (500 against 200) the
    # direct line would take 500/700 of it, 64.3 MW.
    model = triangle(x=(100.0, 400.0, 200.0), v_nom_kv=10.0)
    model["buses"]["B"]["v_nom_kv"] = 20.0
    res = solve(model_folder(model))
    flow = net_flow(res).isel(time=0).sel(line=["ab", "bc", "ac"])
    np.testing.assert_allclose(flow.values, [45, 45, 45], atol=1e-6)
    assert res.audit.passed


def test_a_line_not_yet_built_closes_no_cycle(model_folder, solve, formulation):
    # A-C exists from day 2: on day 1 all 90 MW go through B (no loop, no KVL), then 2:1.
    res = solve(model_folder(triangle(available_from="2023-01-02")))
    flow = net_flow(res)
    np.testing.assert_allclose(flow.sel(line="ab").values, [90, 30, 30], atol=1e-6)
    np.testing.assert_allclose(flow.sel(line="ac").values, [0, 60, 60], atol=1e-6)


def test_reactance_needs_the_voltage_of_its_from_bus(model_folder):
    model = triangle()
    del model["buses"]["A"]["v_nom_kv"]
    with pytest.raises(ModelError, match=r"buses\.A\.v_nom_kv: required: line ab has x_ohm"):
        vakhsh.load(model_folder(model))


# ---------------------------------------------------------------- the cycle basis
def _kernel_check(f, t, buses, basis):
    inc = np.zeros((buses, len(f)))
    inc[f, np.arange(len(f))] = 1
    inc[t, np.arange(len(f))] = -1
    assert np.allclose(inc @ basis.T, 0)  # every row is a cycle
    rank = np.linalg.matrix_rank(inc) if len(f) else 0
    assert basis.shape[0] == len(f) - rank  # and they span the cycle space
    assert np.linalg.matrix_rank(basis) == basis.shape[0] if basis.size else True
    assert set(np.unique(basis)) <= {-1.0, 0.0, 1.0}


@pytest.mark.parametrize(
    "edges, buses",
    [
        ([(0, 1), (1, 2), (2, 0)], 3),  # a triangle
        ([(0, 1), (0, 1)], 2),  # parallel lines
        ([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], 4),  # two cycles sharing a chord
        ([(0, 1), (1, 2), (3, 4), (4, 5), (5, 3)], 7),  # a tree, an island, a lone bus
        ([(2, 0), (1, 2), (0, 1), (3, 1), (3, 2)], 4),  # against the tree's direction
    ],
)
def test_cycle_basis_spans_the_cycles(edges, buses):
    f, t = (np.array(x) for x in zip(*edges, strict=True))
    _kernel_check(f, t, buses, cycle_basis(f, t, buses))


def test_cycle_basis_of_a_tree_is_empty():
    assert cycle_basis(np.array([0, 1]), np.array([1, 2]), 3).shape == (0, 2)
