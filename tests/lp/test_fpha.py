"""The convex head-dependent production model (FPHA), against hand-derived planes and LPs.

k = 9.81e-3 * efficiency (MW per m3/s per m). For a linear level curve the concave envelope
of p = k q h(V) over V in [V_lo, V_hi], q in [0, Q] is McCormick's pair of planes

    p <= k h_hi q                                   (exact at V_hi)
    p <= k (Q (h(V) - h_lo) + h_lo q)               (exact at V_lo and at q = Q)

and it lies above k q h(V) by at most k Q (h_hi - h_lo) / 4 (at the centre of the range).

The falling lake of test_head_iteration.py (h = V numerically, Q 100, efficiency 0.9,
k = 0.008829), here with storage_min_hm3 50 (h_lo 50, h_hi 200), must release all its water
over the days at the flow limit; the second plane's slope in q, k h_lo, makes turbining
worth more than spilling, so q = Q every day, where that plane is the exact output: one
FPHA LP gives the converged successive-LP answer. (With h_lo = 0 the envelope would give
turbined flow beyond V/2 no value, and the LP could spill it instead.)

The half-full pond: one day, level = 100 + V / 20 (V in hm3, 1000..2000, so level 150..200),
tailwater 100, Q = 100 m3/s, efficiency 0.9; it starts at 1500 hm3 and must end at or above
1495.68, so it turbines 50 m3/s (4.32 hm3) and the mean storage is 1497.84 hm3:

    h(V) = 74.892 m; h_lo = 50, h_hi = 100
    plane 1: k * 100 * 50                      = 44.145 MW
    plane 2: k * (100 * (74.892 - 50) + 50*50)  = k * 4989.2 = 44.0496468 MW   (the LP's output)
    exact:   k * 50 * 74.892                    = k * 3744.6 = 33.0610734 MW
"""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.math.fpha import fpha_plants
from vakhsh.math.fpha_fit import PlantCurve, fit_planes
from vakhsh.network.load import load_network
from vakhsh.solve.heads import HEAD_MODELS

REL = 1e-6
K = 9.81e-3 * 0.9


def nurek_like() -> PlantCurve:
    return PlantCurve(
        level_curve=np.array([[6000.0, 857.0], [10500.0, 910.0]]),
        tailwater_masl=680.0,
        efficiency=0.9,
        capacity_mw=3000.0,
        storage_min_hm3=6000.0,
        storage_max_hm3=10500.0,
        max_flow_m3s=1360.0,
    )


def test_linear_level_curve_gives_mccormick_planes():
    planes = fit_planes(nurek_like())
    assert len(planes) == 2
    h_lo, h_hi, q_max, slope = 177.0, 230.0, 1360.0, 53.0 / 4500.0
    got = sorted(zip(planes.per_m3s, planes.per_hm3, planes.intercept_mw, strict=True))
    expected = sorted(
        [
            (K * h_hi, 0.0, 0.0),
            (K * h_lo, K * q_max * slope, K * q_max * (177.0 - slope * 6000.0) - K * q_max * h_lo),
        ]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    # the largest overstatement is at the centre: k Q (h_hi - h_lo) / 4
    assert planes.max_error_mw == pytest.approx(K * q_max * (h_hi - h_lo) / 4, rel=1e-9)


@pytest.mark.parametrize(
    "curve, tailwater, concave",
    [
        ([[400, 820], [1200, 860], [2000, 880]], 760.0, True),  # toy-cascade's upper reservoir
        ([[0, 700], [50, 710], [100, 760]], 690.0, False),  # a convex level curve
        ([[0, 700], [100, 800]], 750.0, False),  # the head reaches zero inside the range
    ],
)
def test_planes_bound_the_exact_output_and_touch_it_on_the_edges(curve, tailwater, concave):
    plant = PlantCurve(
        np.array(curve, dtype=float),
        tailwater,
        0.9,
        1e9,
        float(curve[0][0]),
        float(curve[-1][0]),
        220.0,
    )
    planes = fit_planes(plant)
    v, q = np.meshgrid(
        np.linspace(curve[0][0], curve[-1][0], 401), np.linspace(0.0, 220.0, 401), indexing="ij"
    )
    over = planes.envelope_mw(v, q) - plant.power_mw(v, q)
    assert over.min() >= -1e-9 * plant.power_mw(v, q).max()  # above everywhere
    # equal to it at no flow, at the lowest and highest storage, and (concave level
    # curve) at full flow
    lo, hi = np.s_[0, :], np.s_[-1, :]
    for edge in (np.s_[:, 0], lo, hi, *((np.s_[:, -1],) if concave else ())):
        np.testing.assert_allclose(over[edge], 0.0, atol=1e-9 * plant.power_mw(v, q).max())
    if not concave:  # at full flow the middle storage (head convex in V) lies below the hull
        assert planes.envelope_mw(50.0, 220.0) > plant.power_mw(50.0, 220.0) + 1.0
    assert planes.max_error_mw == pytest.approx(over.max(), rel=1e-2)


def falling_lake(production: str = "auto") -> dict:
    from tests.lp.test_head_iteration import falling_lake as lake

    model = lake()
    model["reservoirs"]["lake"]["storage_min_hm3"] = 50
    model["hydro_plants"]["dam"]["production"] = production
    return model


def test_fpha_at_full_flow_gives_the_converged_heads_in_one_lp(model_folder, solve):
    from tests.lp.test_head_iteration import HEADS, STORAGE

    res = solve(model_folder(falling_lake(), end="2023-01-05"))  # the default: auto
    ds = res.dataset
    np.testing.assert_allclose(
        ds["turbine_flow_m3s"].sel(hydro_plant="dam").values, 100.0, rtol=REL
    )
    np.testing.assert_allclose(ds["storage_hm3"].sel(reservoir="lake").values, STORAGE, rtol=REL)
    np.testing.assert_allclose(
        ds["hydro_p_mw"].sel(hydro_plant="dam").values, K * 100 * HEADS, rtol=REL
    )
    np.testing.assert_allclose(ds["head_m"].sel(hydro_plant="dam").values, HEADS, rtol=REL)
    assert res.objective_usd == pytest.approx(609_439.2576, rel=REL)
    solve_info = res.summary()["solve"]
    assert solve_info["head_mode"] == "auto" and solve_info["head_iterations"] == 1
    assert solve_info["fpha"]["dam"]["planes"] == 2
    assert abs(solve_info["head_energy_gap"]) < 1e-6
    assert res.audit.passed


def half_full_pond(production: str = "auto") -> dict:
    return {
        "sinks": {"sea": {}},
        "reservoirs": {
            "pond": {
                "storage_min_hm3": 1000,
                "storage_max_hm3": 2000,
                "storage_initial_hm3": 1500,
                "storage_final_min_hm3": 1495.68,
                "level_curve": [[1000, 150], [2000, 200]],
                "spill_to": "sea",
            }
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "pond",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 1000,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "tailwater_masl": 100,
                "production": production,
            }
        },
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 100}},
    }


def test_lp_output_is_the_plane_minimum_above_the_exact_output(model_folder, solve):
    res = solve(model_folder(half_full_pond(), end="2023-01-02"))
    ds = res.dataset
    assert float(ds["turbine_flow_m3s"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        50.0, rel=REL
    )
    lp_mw, exact_mw = K * 4989.2, K * 3744.6
    assert float(ds["hydro_p_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(lp_mw, rel=REL)
    assert float(ds["hydro_p_exact_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        exact_mw, rel=REL
    )
    assert float(ds["head_exact_m"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        74.892, rel=REL
    )
    # the head the LP's output implies: p / (k q)
    assert float(ds["head_m"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        4989.2 / 50, rel=REL
    )
    gap = res.summary()["solve"]["head_energy_gap"]
    assert gap == pytest.approx((exact_mw - lp_mw) / lp_mw, rel=REL) and gap < 0
    # the level the results report at the end of the day: 100 + 1495.68 / 20
    assert float(ds["level_masl"].sel(reservoir="pond").squeeze()) == pytest.approx(174.784)
    assert res.objective_usd == pytest.approx((100 - lp_mw) * 24 * 1000, rel=REL)
    assert res.audit.passed


def test_production_fixed_keeps_the_fixed_head_under_auto(model_folder, solve):
    res = solve(model_folder(half_full_pond("fixed"), end="2023-01-02"))
    # head at the initial storage: 175 - 100 = 75 m
    assert float(res.dataset["head_m"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        75.0, rel=REL
    )
    assert float(res.dataset["hydro_p_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        K * 50 * 75, rel=REL
    )
    assert res.summary()["solve"]["fpha"] == {}
    # --head fpha applies to every plant whose data allow it
    res = solve(model_folder(half_full_pond("fixed"), end="2023-01-02"), head="fpha")
    assert float(res.dataset["hydro_p_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        K * 4989.2, rel=REL
    )


def test_fixed_and_fpha_differ_only_in_head(model_folder, solve):
    fixed = solve(model_folder(half_full_pond(), end="2023-01-02"), head="fixed")
    assert float(fixed.dataset["hydro_p_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        K * 50 * 75, rel=REL
    )
    assert fixed.summary()["solve"]["head_energy_gap"] is None


def test_head_models_are_registered():
    assert {"auto", "fixed", "iterate", "fpha"} <= set(HEAD_MODELS)


def test_toy_cascade_fpha_energy_is_at_least_the_exact_energy():
    import vakhsh

    res = vakhsh.optimise(vakhsh.load("toy-cascade"))  # auto: FPHA for upper_hpp
    ds = res.dataset
    solve_info = res.summary()["solve"]
    assert list(solve_info["fpha"]) == ["upper_hpp"]
    lp = ds["hydro_p_mw"].sel(hydro_plant="upper_hpp")
    exact = ds["hydro_p_exact_mw"].sel(hydro_plant="upper_hpp")
    assert float((exact - lp).max()) <= 1e-6
    # the gap the summary reports is the one of the arrays, and it is an overstatement
    hours = res.net.step_hours
    lp_mwh, exact_mwh = (
        float(ds["hydro_p_mw"].sum()) * hours,
        float(ds["hydro_p_exact_mw"].sum()) * hours,
    )
    assert solve_info["head_energy_gap"] == pytest.approx((exact_mwh - lp_mwh) / lp_mwh, rel=1e-9)
    assert solve_info["head_energy_gap"] < 0
    # the planes' output, where the plant turbines, is the head it implies times the flow
    flow = ds["turbine_flow_m3s"].sel(hydro_plant="upper_hpp")
    head = ds["head_m"].sel(hydro_plant="upper_hpp")
    np.testing.assert_allclose((K * head * flow).values, lp.values, rtol=1e-6, atol=1e-6)
    assert res.audit.passed  # water and energy balances close with the LP's power


def test_two_fpha_plants_with_different_plane_counts_keep_their_own_planes(model_folder, solve):
    """Two copies of the half-full pond on buses of their own: `dam` on the linear level
    curve (2 planes) and `dam2` on a bent one (3 planes), so dam's planes are padded to
    three in the plane table. The pads must be no rows (a pad would read p <= 0 and stop
    dam); each plant gives what it gives alone: dam the hand-derived 44.0496 MW of the
    single-pond test, dam2 the least of its own three planes at q = 50 m3/s and the mean
    storage of 1497.84 hm3."""
    from vakhsh.math.fpha import plant_curve
    from vakhsh.network import load_network

    model = half_full_pond()
    bent = [[1000, 150], [1500, 185], [2000, 200]]
    model["reservoirs"]["pond2"] = {**model["reservoirs"]["pond"], "level_curve": bent}
    model["hydro_plants"]["dam2"] = {
        **model["hydro_plants"]["dam"],
        "reservoir": "pond2",
        "bus": "B",
    }
    model["buses"]["B"] = {"voll_usd_per_mwh": 1000}
    model["loads"]["demand_b"] = {"bus": "B", "p_mw": 100}
    folder = model_folder(model, end="2023-01-02")
    res = solve(folder)
    ds = res.dataset
    planes = res.summary()["solve"]["fpha"]
    assert (planes["dam"]["planes"], planes["dam2"]["planes"]) == (2, 3)
    flow = ds["turbine_flow_m3s"].squeeze()
    np.testing.assert_allclose(flow.sel(hydro_plant=["dam", "dam2"]).values, 50.0, rtol=REL)
    assert float(ds["hydro_p_mw"].sel(hydro_plant="dam").squeeze()) == pytest.approx(
        K * 4989.2, rel=REL
    )
    fitted = fit_planes(plant_curve(load_network(folder), "dam2"))  # what the LP was given
    least = np.min(fitted.intercept_mw + fitted.per_hm3 * 1497.84 + fitted.per_m3s * 50.0)
    assert float(ds["hydro_p_mw"].sel(hydro_plant="dam2").squeeze()) == pytest.approx(
        least, rel=REL
    )
    assert res.audit.passed


def test_an_fpha_plant_is_held_to_its_capacity_and_idle_before_it_exists(model_folder, solve):
    """The half-full pond over two days, its 40 MW plant available from the second: day 1
    it neither turbines nor produces (the 100 MW load goes unserved), day 2 the planes
    would allow 44 MW at 50 m3/s but the capacity holds the plant to 40 MW."""
    model = half_full_pond()
    model["hydro_plants"]["dam"].update(capacity_mw=40, available_from="2023-01-02")
    res = solve(model_folder(model, end="2023-01-03"))
    ds = res.dataset
    flow = ds["turbine_flow_m3s"].sel(hydro_plant="dam").values
    power = ds["hydro_p_mw"].sel(hydro_plant="dam").values
    assert flow[0] == pytest.approx(0.0, abs=1e-9) and power[0] == pytest.approx(0.0, abs=1e-9)
    assert power[1] == pytest.approx(40.0, rel=REL)
    np.testing.assert_allclose(ds["unserved_mw"].sel(bus="A").values, [100.0, 60.0], rtol=REL)
    assert res.audit.passed


def test_which_plants_the_production_model_takes():
    # toy-cascade: upper_hpp (on upper, with a tailwater level) allows FPHA, lower_hpp has
    # no tailwater level. Under --head auto each plant's `production` decides; another
    # --head applies to every plant that allows it; a plant or reservoir being sized keeps
    # the head parameters (docs/FORMAT.md, hydro_plants.production).
    def net(production):
        return load_network(
            "toy-cascade", overrides={"hydro_plants.upper_hpp.production": production}
        )

    assert fpha_plants(net("fpha"), "auto") == ["upper_hpp"]
    assert fpha_plants(net("auto"), "auto") == ["upper_hpp"]
    assert fpha_plants(net("fixed"), "auto") == []
    assert fpha_plants(net("fixed"), "fpha") == ["upper_hpp"]
    assert fpha_plants(net("fpha"), "fixed") == []
    assert fpha_plants(net("fpha"), "auto", sized=["upper_hpp"]) == []
    assert fpha_plants(net("fpha"), "auto", sized=["upper"]) == []
