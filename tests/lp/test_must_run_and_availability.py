"""Must-run generators (`min_capacity_factor`) and hydro availability (`capacity_factor` of a
hydro plant), on models small enough to solve by hand. Solved for real by HiGHS.

Shared arithmetic: a plant with efficiency 0.9 at 100 m of head makes 0.8829 MW per m3/s.
"""

from __future__ import annotations

import numpy as np
import pytest

import vakhsh
from vakhsh.errors import ModelError

REL = 1e-6


def two_units(must_run) -> dict:
    """Bus A, 100 MW of load; cheap gas (20 USD/MWh, 150 MW) and a must-run CHP
    (60 USD/MWh, 100 MW) that runs at least `must_run` of its capacity."""
    return {
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 100}},
        "generators": {
            "gas": {"bus": "A", "capacity_mw": 150, "marginal_cost_usd_per_mwh": 20},
            "chp": {
                "bus": "A",
                "capacity_mw": 100,
                "marginal_cost_usd_per_mwh": 60,
                "min_capacity_factor": must_run,
            },
        },
    }


def test_must_run_forces_the_expensive_unit_on(model_folder, solve):
    # Without must-run the CHP (60) never runs: gas (20) serves 100 MW.
    # With min_capacity_factor 0.4 on days 1-2 (series) and 0 on day 3, the CHP runs exactly
    # 40 MW on days 1-2 (no more: gas is cheaper) and 0 on day 3:
    #   CHP  = 2 days * 24 h * 40 MW               = 1,920 MWh at 60 = 115,200 USD
    #   gas  = 3 * 24 * 100 - 1,920                = 5,280 MWh at 20 = 105,600 USD
    #   cost = 220,800 USD
    folder = model_folder(
        two_units("series:mr.csv#chp"),
        series={
            "mr.csv": {"time": ["2023-01-01", "2023-01-02", "2023-01-03"], "chp": [0.4, 0.4, 0.0]}
        },
    )
    res = solve(folder)
    chp = res.dataset["generator_p_mw"].sel(generator="chp").values
    np.testing.assert_allclose(chp, [40, 40, 0], atol=1e-6)
    assert res.objective_usd == pytest.approx(220_800, rel=REL)
    assert res.audit.passed


def test_without_must_run_the_expensive_unit_stays_off(model_folder, solve):
    res = solve(model_folder(two_units(0.0)))
    assert float(res.dataset["generator_p_mw"].sel(generator="chp").sum()) == pytest.approx(
        0, abs=1e-6
    )
    assert res.objective_usd == pytest.approx(3 * 24 * 100 * 20, rel=REL)


def test_must_run_above_capacity_factor_is_an_error(model_folder):
    model = two_units(0.5)
    model["generators"]["chp"]["capacity_factor"] = 0.3
    with pytest.raises(ModelError) as err:
        vakhsh.load(model_folder(model))
    assert any(p.path == "generators.chp.min_capacity_factor" for p in err.value.problems)


def test_must_run_above_one_is_an_error(model_folder):
    with pytest.raises(ModelError) as err:
        vakhsh.load(model_folder(two_units(1.5)))
    assert any("min_capacity_factor" in p.path for p in err.value.problems)


def run_of_river(capacity_factor) -> dict:
    """A run-of-river plant (100 m, 0.9, 200 MW, 300 m3/s) on 100 m3/s of inflow beside
    gas at 50 USD/MWh; 100 MW of load."""
    return {
        "junctions": {"weir": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "weir", "inflow_m3s": 100}},
        "reaches": {"bypass": {"from": "weir", "to": "sea"}},
        "hydro_plants": {
            "ror": {
                "node": "weir",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 200,
                "max_flow_m3s": 300,
                "efficiency": 0.9,
                "head_m": 100,
                "capacity_factor": capacity_factor,
            }
        },
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 100}},
        "generators": {"gas": {"bus": "A", "capacity_mw": 200, "marginal_cost_usd_per_mwh": 50}},
    }


def test_hydro_capacity_factor_caps_output_and_spills_the_rest(model_folder, solve):
    # Full availability: 100 m3/s * 0.8829 = 88.29 MW every day (below 200 MW).
    # capacity_factor 0.25 on day 2: at most 50 MW, i.e. 50 / 0.8829 = 56.632 m3/s turbined,
    # the other 43.368 m3/s pass the weir by the bypass.
    #   hydro = 24 * (88.29 + 50 + 88.29)            = 5,442.96 MWh
    #   gas   = 7,200 - 5,442.96                     = 1,757.04 MWh at 50 = 87,852 USD
    folder = model_folder(
        run_of_river("series:cf.csv#ror"),
        series={
            "cf.csv": {"time": ["2023-01-01", "2023-01-02", "2023-01-03"], "ror": [1.0, 0.25, 1.0]}
        },
    )
    res = solve(folder)
    p = res.dataset["hydro_p_mw"].sel(hydro_plant="ror").values
    np.testing.assert_allclose(p, [88.29, 50.0, 88.29], rtol=REL)
    bypass = res.dataset["reach_flow_m3s"].sel(reach="bypass").values
    np.testing.assert_allclose(bypass, [0, 100 - 50 / 0.8829, 0], atol=1e-6)
    assert res.objective_usd == pytest.approx((7200 - 24 * (88.29 * 2 + 50)) * 50, rel=REL)
    assert res.audit.passed


def test_hydro_capacity_factor_defaults_to_one(model_folder, solve):
    model = run_of_river(1.0)
    del model["hydro_plants"]["ror"]["capacity_factor"]
    res = solve(model_folder(model))
    np.testing.assert_allclose(res.dataset["hydro_p_mw"].values, 88.29, rtol=REL)
