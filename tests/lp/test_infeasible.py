"""Infeasible models fail with a SolveError that names the constraint family and component.

Each model is small and plainly impossible; the ids are unusual so that the message can
only contain them because the diagnosis found them.
"""

from __future__ import annotations

import pytest

from vakhsh.errors import SolveError

POWER = {
    "buses": {"A": {"voll_usd_per_mwh": 1000}},
    "loads": {"demand": {"bus": "A", "p_mw": 10}},
    "generators": {"gas": {"bus": "A", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 50}},
}


def message(solve, folder) -> str:
    with pytest.raises(SolveError) as info:
        solve(folder)
    return str(info.value)


def test_unreachable_reservoir_end_target(model_folder, solve):
    # 1 m3/s for 3 days is 0.26 hm3; the lake must rise from 50 to 80 hm3.
    model = {
        "sinks": {"sea": {}},
        "catchments": {"trickle": {"to": "kairakkum_lake", "inflow_m3s": 1}},
        "reservoirs": {
            "kairakkum_lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "storage_final_min_hm3": 80,
                "spill_to": "sea",
            }
        },
        **POWER,
    }
    text = message(solve, model_folder(model))
    assert "kairakkum_lake" in text
    assert "reservoir" in text
    # short by 30 - 0.2592 hm3
    assert "29.741" in text


def test_reach_minimum_flow_above_what_can_arrive(model_folder, solve):
    # 5 m3/s reaches the gauge; the reach below it must carry at least 12 m3/s (hard).
    model = {
        "junctions": {"gauge": {}},
        "sinks": {"sea": {}},
        "catchments": {"spring": {"to": "gauge", "inflow_m3s": 5}},
        "reaches": {"eflow_reach": {"from": "gauge", "to": "sea", "min_flow_m3s": 12}},
        **POWER,
    }
    text = message(solve, model_folder(model))
    assert "reach minimum flow" in text
    assert "eflow_reach" in text
    # the whole shortfall is the reach's: 7 m3/s for 3 days = 1.814 hm3 (the junction above
    # it balances: it is not the culprit)
    assert "reach eflow_reach is short by 1.814 hm3" in text
    assert "junction" not in text


def test_sink_minimum_inflow_that_cannot_be_met(model_folder, solve):
    # 5 m3/s flows to the delta through a reach that loses 20 %; the delta needs 20 m3/s.
    model = {
        "junctions": {"gauge": {}},
        "sinks": {"aral_delta": {"min_inflow_m3s": 20}},
        "catchments": {"spring": {"to": "gauge", "inflow_m3s": 5}},
        "reaches": {"channel": {"from": "gauge", "to": "aral_delta", "loss_fraction": 0.2}},
        **POWER,
    }
    text = message(solve, model_folder(model))
    assert "sink minimum inflow" in text
    assert "aral_delta" in text
    # 20 - 0.8 * 5 = 16 m3/s for 3 days = 4.147 hm3
    assert "sink aral_delta is short by 4.147 hm3" in text


def test_minimum_release_above_what_the_reservoir_holds(model_folder, solve):
    # The lake holds 10 hm3 above its minimum and gets nothing; it must release 100 m3/s
    # (8.64 hm3 a day) for 3 days: 25.92 hm3.
    model = {
        "sinks": {"sea": {}},
        "reservoirs": {
            "dry_lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 10,
                "storage_final_min_hm3": 0,
                "min_release_m3s": 100,
                "spill_to": "sea",
            }
        },
        **POWER,
    }
    text = message(solve, model_folder(model))
    assert "dry_lake" in text
    assert "minimum release" in text
    # 25.92 hm3 required, 10 available: short by 15.92 hm3, all of it the minimum release's
    assert "reservoir dry_lake is short by 15.920 hm3" in text


def test_storage_unit_end_target_it_cannot_reach(model_folder, solve):
    # The battery starts empty and must end with 50 MWh; in 3 hours at 10 MW it can store
    # at most 3 * 10 * sqrt(0.81) = 27 MWh. The message names the storage unit.
    model = {
        **POWER,
        "storage_units": {
            "nurek_battery": {
                "bus": "A",
                "power_mw": 10,
                "energy_mwh": 100,
                "efficiency_roundtrip": 0.81,
                "soc_final_min_mwh": 50,
            }
        },
    }
    time = {"start": "2023-01-01 00:00", "end": "2023-01-01 03:00", "step": "1h"}
    text = message(solve, model_folder(model, time=time))
    assert "nurek_battery" in text
