"""Successive LP for head-dependent hydropower, on a lake whose converged answer is known.

The lake's level curve is linear, level = 100 + storage (m a.s.l., storage in hm3), and the
tailwater stands at 100 m a.s.l., so the head is numerically the storage. There is no
inflow; the plant (efficiency 0.9) can pass 100 m3/s = 8.64 hm3 a day, and every MWh it
makes displaces gas at 50 USD/MWh, so at any positive head it runs at its flow limit every
day. The lake must end with at least 100 - 4 * 8.64 = 65.44 hm3, exactly what four days at
the flow limit leave, so nothing can be spilled (spilling earlier would lower the heads of
later steps, which a fixed-head LP does not see): the flows are known whatever the heads,
and so is the storage path:

    storage at the end of day t = 100 - 8.64 (t + 1):  91.36, 82.72, 74.08, 65.44 hm3

The head of a step is the mean of the levels at its start and end minus the tailwater:

    95.68, 87.04, 78.40, 69.76 m   (sum 330.88)

and the hydropower 9.81e-3 * 0.9 * 100 m3/s * head = 0.8829 * head MW. The load is 200 MW
for 4 days (19,200 MWh):

    fixed head (level at the initial storage: 100 m): hydro = 0.8829 * 400 * 24 MWh
    converged:                                          hydro = 0.8829 * 330.88 * 24 MWh
"""

from __future__ import annotations

import numpy as np
import pytest

REL = 1e-6
HEADS = np.array([95.68, 87.04, 78.40, 69.76])
STORAGE = np.array([91.36, 82.72, 74.08, 65.44])


def falling_lake() -> dict:
    return {
        "sinks": {"sea": {}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 200,
                "storage_initial_hm3": 100,
                "storage_final_min_hm3": 65.44,
                "level_curve": [[0, 100], [200, 300]],
                "spill_to": "sea",
            }
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "lake",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 1000,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "tailwater_masl": 100,
            }
        },
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 200}},
        "generators": {"gas": {"bus": "A", "capacity_mw": 300, "marginal_cost_usd_per_mwh": 50}},
    }


def test_fixed_head_uses_level_at_initial_storage(model_folder, solve):
    res = solve(model_folder(falling_lake(), end="2023-01-05"), head="fixed")
    np.testing.assert_allclose(res.dataset["head_m"].sel(hydro_plant="dam").values, 100.0, rtol=REL)
    hydro_mwh = 0.8829 * 100 * 4 * 24
    assert res.objective_usd == pytest.approx((19_200 - hydro_mwh) * 50, rel=REL)


def test_head_iteration_converges_to_the_derived_heads(model_folder, solve):
    res = solve(
        model_folder(falling_lake(), end="2023-01-05"), head="iterate", head_max_iterations=20
    )
    ds = res.dataset
    np.testing.assert_allclose(
        ds["turbine_flow_m3s"].sel(hydro_plant="dam").values, 100.0, rtol=REL
    )
    np.testing.assert_allclose(ds["storage_hm3"].sel(reservoir="lake").values, STORAGE, rtol=REL)
    np.testing.assert_allclose(ds["head_m"].sel(hydro_plant="dam").values, HEADS, rtol=REL)
    np.testing.assert_allclose(
        ds["hydro_p_mw"].sel(hydro_plant="dam").values, 0.8829 * HEADS, rtol=REL
    )
    hydro_mwh = 0.8829 * HEADS.sum() * 24
    assert res.objective_usd == pytest.approx((19_200 - hydro_mwh) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(609_439.2576, rel=REL)
    solve_info = res.summary()["solve"]
    # the LP's heads are those of its own storage path: exact and LP energy agree
    assert abs(solve_info["head_energy_gap"]) < 1e-9
    np.testing.assert_allclose(ds["hydro_p_exact_mw"].values, ds["hydro_p_mw"].values, rtol=REL)
    # iteration 1 at the initial head, 2 at the derived heads, 3 confirms no change
    assert 2 <= solve_info["head_iterations"] <= 3
    assert res.audit.passed


def test_head_iteration_stops_at_the_cap(model_folder, solve):
    # With a cap of 2 the loop stops after the second LP even though it has not yet seen
    # two equal energies; that LP already used the derived heads.
    res = solve(
        model_folder(falling_lake(), end="2023-01-05"),
        head="iterate",
        head_max_iterations=2,
        head_tolerance=0.0,
    )
    assert res.summary()["solve"]["head_iterations"] == 2
    np.testing.assert_allclose(res.dataset["head_m"].sel(hydro_plant="dam").values, HEADS, rtol=REL)


def test_head_iteration_with_evaporation_from_the_iterated_area(model_folder, solve):
    # The falling lake again, now with an area of `storage` km2 (area curve [[0, 0],
    # [200, 200]]) and 31 mm of evaporation in January (1 mm a day), read, when iterating,
    # at the storage at the start of each step of the previous iterate. At the fixed point:
    #   evaporation[t] = storage[t-1] * 1e-3 hm3,  storage[t] = 0.999 storage[t-1] - 8.64
    # Spilling costs far more than any MWh is worth and the end target is low, so the
    # plant runs at its limit and nothing is spilled: the path follows from the recursion.
    model = falling_lake()
    model["reservoirs"]["lake"].update(
        {
            "storage_final_min_hm3": 0,
            "spill_cost_usd_per_hm3": 1e6,
            "area_curve": [[0, 0], [200, 200]],
            "evaporation_mm_per_month": [31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        }
    )
    storage, evaporation = [], []
    previous = 100.0
    for _ in range(4):
        evaporation.append(previous * 1e-3)
        previous = 0.999 * previous - 8.64
        storage.append(previous)
    starts = np.array([100.0, *storage[:-1]])
    heads = (starts + np.array(storage)) / 2
    res = solve(
        model_folder(model, end="2023-01-05"),
        head="iterate",
        head_tolerance=1e-12,
        head_max_iterations=12,
    )
    ds = res.dataset
    assert res.summary()["solve"]["head_iterations"] < 12
    np.testing.assert_allclose(ds["storage_hm3"].sel(reservoir="lake").values, storage, rtol=1e-9)
    np.testing.assert_allclose(
        ds["evaporation_hm3"].sel(reservoir="lake").values, evaporation, rtol=1e-9
    )
    np.testing.assert_allclose(ds["head_m"].sel(hydro_plant="dam").values, heads, rtol=1e-9)
    hydro_mwh = 0.8829 * heads.sum() * 24
    assert res.objective_usd == pytest.approx((19_200 - hydro_mwh) * 50, rel=REL)
