"""More hand-derived models: the other paths water takes (run-of-river plants, return
flows, soft minimums, spill costs, delays at a finer run step).

As in test_hand_derived.py: 1 m3/s over a day is 0.0864 hm3; a plant with efficiency 0.9
at 100 m of head makes 0.8829 MW per m3/s (245.25 MWh per hm3); gas costs 50 USD/MWh;
the load is 100 MW for three days (7,200 MWh) unless said otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

DAY = 0.0864
MW_PER_M3S = 9.81e-3 * 0.9 * 100  # 0.8829
REL = 1e-6


def power(load_mw=100.0) -> dict:
    return {
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": load_mw}},
        "generators": {"gas": {"bus": "A", "capacity_mw": 1000, "marginal_cost_usd_per_mwh": 50}},
    }


def plant(**where) -> dict:
    return {**where, "to": "sea", "bus": "A", "capacity_mw": 500, "efficiency": 0.9, "head_m": 100}


def test_run_of_river_plant_at_a_junction(model_folder, solve):
    # 50 m3/s reach the junction; the plant there passes at most 30 m3/s, the rest leaves
    # by the reach. Hydro 30 * 0.8829 = 26.487 MW:
    #   gas = (100 - 26.487) * 72 = 5,292.936 MWh -> 264,646.8 USD
    model = {
        "junctions": {"weir": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "weir", "inflow_m3s": 50}},
        "reaches": {"bypass": {"from": "weir", "to": "sea"}},
        "hydro_plants": {"ror": plant(node="weir", max_flow_m3s=30)},
        **power(),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx((100 - 30 * MW_PER_M3S) * 72 * 50, rel=REL)
    assert res.objective_usd == pytest.approx(264_646.8, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["turbine_flow_m3s"].sel(hydro_plant="ror").values, 30, rtol=REL)
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="bypass").values, 20, rtol=REL)
    np.testing.assert_allclose(ds["sink_inflow_m3s"].sel(sink="sea").values, 50, rtol=REL)


def test_reach_carries_no_more_than_its_maximum(model_folder, solve):
    # 50 m3/s reach the weir; a race carries at most 30 m3/s to a plant that could pass 40,
    # the rest leaves by the bypass. Hydro 30 * 0.8829 = 26.487 MW, as in the test above:
    #   gas = (100 - 26.487) * 72 = 5,292.936 MWh -> 264,646.8 USD
    model = {
        "junctions": {"weir": {}, "forebay": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "weir", "inflow_m3s": 50}},
        "reaches": {
            "race": {"from": "weir", "to": "forebay", "max_flow_m3s": 30},
            "bypass": {"from": "weir", "to": "sea"},
        },
        "hydro_plants": {"ror": plant(node="forebay", max_flow_m3s=40)},
        **power(),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(264_646.8, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="race").values, 30, rtol=REL)
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="bypass").values, 20, rtol=REL)


def test_return_flow_feeds_a_plant_downstream(model_folder, solve):
    # 20 m3/s reach the junction; a canal there takes its 10 m3/s (shortage is dear) and
    # returns half of it to a lake whose plant turbines it; the rest of the river goes to
    # the sea by a reach (no plant). The lake ends where it started, so it turbines what
    # returns: 5 m3/s -> 4.4145 MW:
    #   gas = (100 - 4.4145) * 72 = 6,882.156 MWh -> 344,107.8 USD; no shortage.
    model = {
        "junctions": {"offtake": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "offtake", "inflow_m3s": 20}},
        "reservoirs": {
            "pond": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
            }
        },
        "reaches": {"river_on": {"from": "offtake", "to": "sea"}},
        "water_demands": {
            "canal": {
                "node": "offtake",
                "demand_m3s": 10,
                "return_fraction": 0.5,
                "return_to": "pond",
                "shortage_cost_usd_per_hm3": 100_000,
            }
        },
        "hydro_plants": {"pond_hpp": plant(reservoir="pond", max_flow_m3s=100)},
        **power(),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx((100 - 5 * MW_PER_M3S) * 72 * 50, rel=REL)
    assert res.objective_usd == pytest.approx(344_107.8, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["withdrawal_m3s"].sel(water_demand="canal").values, 10, rtol=REL)
    assert float(ds["turbine_flow_m3s"].sum()) == pytest.approx(15, rel=REL)
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="river_on").values, 10, rtol=REL)


@pytest.mark.parametrize(
    "canal_cost, expected, reach_m3s",
    [
        # environmental flow (1,000 USD/hm3 short) outranks the canal (500): all 5 m3/s stay
        # in the river, short by 7 m3/s; the canal gets nothing, short by 4 m3/s:
        #   7 * 3 * 0.0864 * 1,000 + 4 * 3 * 0.0864 * 500 = 1,814.4 + 518.4 = 2,332.8 USD
        (500, 2_332.8, 5.0),
        # the canal (2,000) outranks it: 4 m3/s to the canal, 1 m3/s left in the river:
        #   11 * 3 * 0.0864 * 1,000 = 2,851.2 USD
        (2_000, 2_851.2, 1.0),
    ],
)
def test_soft_reach_minimum_against_a_canal(model_folder, solve, canal_cost, expected, reach_m3s):
    # 5 m3/s reach the offtake; the river below must carry 12 m3/s or pay 1,000 USD/hm3
    # short; a canal at the offtake asks 4 m3/s. No power system: water costs only.
    model = {
        "junctions": {"offtake": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "offtake", "inflow_m3s": 5}},
        "reaches": {
            "eflow": {
                "from": "offtake",
                "to": "sea",
                "min_flow_m3s": 12,
                "shortfall_cost_usd_per_hm3": 1_000,
            }
        },
        "water_demands": {
            "canal": {"node": "offtake", "demand_m3s": 4, "shortage_cost_usd_per_hm3": canal_cost}
        },
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="eflow").values, reach_m3s, rtol=REL)
    np.testing.assert_allclose(
        ds["reach_shortfall_m3s"].sel(reach="eflow").values, 12 - reach_m3s, rtol=REL
    )


def test_soft_sink_minimum(model_folder, solve):
    # 5 m3/s flow to the delta through a reach that loses 20 %: 4 m3/s arrive; the delta
    # wants 20 m3/s, a shortfall of 16 m3/s at 100 USD/hm3:
    #   16 * 3 * 0.0864 * 100 = 414.72 USD
    model = {
        "junctions": {"gauge": {}},
        "sinks": {"delta": {"min_inflow_m3s": 20, "shortfall_cost_usd_per_hm3": 100}},
        "catchments": {"spring": {"to": "gauge", "inflow_m3s": 5}},
        "reaches": {"channel": {"from": "gauge", "to": "delta", "loss_fraction": 0.2}},
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(414.72, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["sink_inflow_m3s"].sel(sink="delta").values, 4, rtol=REL)
    np.testing.assert_allclose(ds["sink_shortfall_m3s"].sel(sink="delta").values, 16, rtol=REL)


@pytest.mark.parametrize("spill_cost", [0, 0.5, 10])  # 0.5: a cost below 1 USD counts too
def test_spill_from_a_full_reservoir(model_folder, solve, spill_cost):
    # The lake starts full (100 of 100 hm3) and must end full; 50 m3/s flow in and the
    # plant passes 30 m3/s, so 20 m3/s are spilled, 5.184 hm3 over the run:
    #   gas = 264,646.8 USD (as for 30 m3/s turbined) + 5.184 * spill cost
    model = {
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "lake", "inflow_m3s": 50}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 100,
                "spill_to": "sea",
                "spill_cost_usd_per_hm3": spill_cost,
            }
        },
        "hydro_plants": {"dam": plant(reservoir="lake", max_flow_m3s=30)},
        **power(),
    }
    res = solve(model_folder(model))
    spilled = 20 * 3 * DAY
    assert res.objective_usd == pytest.approx(264_646.8 + spilled * spill_cost, rel=REL)
    assert res.summary()["water"]["spill_hm3"]["lake"] == pytest.approx(spilled, rel=REL)
    assert float(res.dataset["storage_hm3"].sel(reservoir="lake")[-1]) == pytest.approx(
        100, rel=REL
    )


def test_delay_converted_to_a_finer_run_step(model_folder, solve):
    # model.yaml steps are days and the reach delays one of them; the run uses 12 h steps,
    # so the delay is two run steps. Before the start 10 m3/s were sent (they arrive in the
    # first day); 40 m3/s enter the reach all along. The lake below ends where it started,
    # so its plant turbines what arrives within the three days:
    #   10 m3/s for 1 day + 40 m3/s for 2 days = 90 m3/s-days = 7.776 hm3
    #   hydro = 7.776 * 245.25 = 1,907.064 MWh; gas 5,292.936 MWh -> 264,646.8 USD
    # (were the delay taken as one 12 h step: 10 for half a day + 40 for 2.5 days)
    model = {
        "junctions": {"gauge": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "gauge", "inflow_m3s": 40}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
            }
        },
        "reaches": {
            "gorge": {"from": "gauge", "to": "lake", "delay_steps": 1, "initial_flow_m3s": 10}
        },
        "hydro_plants": {"dam": plant(reservoir="lake", max_flow_m3s=100)},
        **power(),
    }
    folder = model_folder(model)
    import vakhsh

    net = vakhsh.load(folder, step="12h")
    assert len(net.time) == 6
    res = vakhsh.optimise(net)
    assert res.objective_usd == pytest.approx(264_646.8, rel=REL)
    np.testing.assert_allclose(
        res.dataset["reach_arrival_m3s"].sel(reach="gorge").values,
        [10, 10, 40, 40, 40, 40],
        rtol=REL,
    )


def test_delay_longer_than_the_run(model_folder, solve):
    # The reach delays 5 days; the run lasts 3. The lake below only ever gets what entered
    # the reach before the start (7 m3/s, lossless), which it turbines (it ends where it
    # started): 7 * 0.8829 = 6.1803 MW;
    #   gas = (100 - 6.1803) * 72 = 6,755.0184 MWh -> 337,750.92 USD
    # Everything sent during the run (10 m3/s for 3 days = 2.592 hm3) is still in transit.
    model = {
        "junctions": {"gauge": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "gauge", "inflow_m3s": 10}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
            }
        },
        "reaches": {
            "canyon": {"from": "gauge", "to": "lake", "delay_steps": 5, "initial_flow_m3s": 7}
        },
        "hydro_plants": {"dam": plant(reservoir="lake", max_flow_m3s=100)},
        **power(),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx((100 - 7 * MW_PER_M3S) * 72 * 50, rel=REL)
    assert res.objective_usd == pytest.approx(337_750.92, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["reach_arrival_m3s"].sel(reach="canyon").values, 7, rtol=REL)
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="canyon").values, 10, rtol=REL)


def test_two_delays_into_one_junction(model_folder, solve):
    # 10 m3/s reach junction `a`, which sends them on by two reaches to junction `b`:
    # `slow` (1 day, loses half, 4 m3/s sent before the start) and `slower` (2 days,
    # lossless, 6 m3/s sent before the start). From `b` a reach carries everything to a lake
    # whose plant turbines what arrives within the 3 days (the lake ends where it started).
    # Day 0: send all 10 by `slower` (arrives day 2, whole) rather than `slow` (day 1, half);
    # day 1: `slow` (half arrives day 2) beats `slower` (arrives after the end); day 2: lost.
    #   arrivals: day 0: 0.5 * 4 + 6 = 8;  day 1: 6;  day 2: 0.5 * 10 + 10 = 15
    #   29 m3/s-days -> 29 * 0.8829 * 24 = 614.4984 MWh; gas 6,585.5016 MWh -> 329,275.08 USD
    model = {
        "junctions": {"a": {}, "b": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "a", "inflow_m3s": 10}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
            }
        },
        "reaches": {
            "slow": {
                "from": "a",
                "to": "b",
                "delay_steps": 1,
                "loss_fraction": 0.5,
                "initial_flow_m3s": 4,
            },
            "slower": {"from": "a", "to": "b", "delay_steps": 2, "initial_flow_m3s": 6},
            "last": {"from": "b", "to": "lake"},
        },
        "hydro_plants": {"dam": plant(reservoir="lake", max_flow_m3s=100)},
        **power(),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx((7200 - 29 * MW_PER_M3S * 24) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(329_275.08, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["reach_flow_m3s"].sel(reach="last").values, [8, 6, 15], rtol=REL)
    assert float(ds["reach_flow_m3s"].sel(reach="slower")[0]) == pytest.approx(10, rel=REL)
    assert float(ds["reach_flow_m3s"].sel(reach="slow")[1]) == pytest.approx(10, rel=REL)


def test_sink_minimum_counts_a_catchment_that_flows_straight_in(model_folder, solve):
    # The delta needs 15 m3/s (hard). 12 m3/s flow straight into it from its own catchment;
    # the river brings 10 m3/s to an offtake where a canal asks 10 m3/s (1,000 USD/hm3
    # short). The river must leave 3 m3/s for the delta, so the canal is short 3 m3/s:
    #   3 * 3 * 0.0864 * 1,000 = 777.6 USD
    model = {
        "junctions": {"offtake": {}},
        "sinks": {"delta": {"min_inflow_m3s": 15}},
        "catchments": {
            "local": {"to": "delta", "inflow_m3s": 12},
            "river": {"to": "offtake", "inflow_m3s": 10},
        },
        "reaches": {"lower": {"from": "offtake", "to": "delta"}},
        "water_demands": {
            "canal": {"node": "offtake", "demand_m3s": 10, "shortage_cost_usd_per_hm3": 1_000}
        },
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(777.6, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["withdrawal_m3s"].sel(water_demand="canal").values, 7, rtol=REL)
    np.testing.assert_allclose(ds["sink_inflow_m3s"].sel(sink="delta").values, 15, rtol=REL)


def test_water_only_model_without_any_cost(model_folder, solve):
    # A valid model with a lake, its catchment and a sink, and nothing that costs: every
    # feasible operation is optimal at 0 USD. The engine may solve it (objective 0, the
    # balance audited) or refuse it with an error a person can act on (a VakhshError, which
    # the CLI prints without a traceback), but not with a bare Python exception.
    from vakhsh.errors import VakhshError

    model = {
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
    folder = model_folder(model)
    try:
        res = solve(folder)
    except VakhshError as error:
        assert "cost" in str(error)
        return
    assert res.objective_usd == pytest.approx(0, abs=1e-9)
    assert res.audit.passed


def test_minimum_release_on_a_day_without_load(model_folder, solve):
    # The lake may draw 10 hm3 (50 -> 40) and must release at least 10 m3/s (0.864 hm3) a
    # day. On day 0 there is no load: the turbine cannot run (turbined water always
    # generates), so the minimum release is spilled. Days 1-2 (100 MW each) turbine the rest:
    #   10 - 0.864 = 9.136 hm3 -> 9.136 * 245.25 = 2,240.604 MWh
    #   gas = 4,800 - 2,240.604 = 2,559.396 MWh -> 127,969.8 USD
    model = {
        "sinks": {"sea": {}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "storage_final_min_hm3": 40,
                "min_release_m3s": 10,
                "spill_to": "sea",
            }
        },
        "hydro_plants": {"dam": plant(reservoir="lake", max_flow_m3s=100)},
        **power(load_mw="series:load.csv#a"),
    }
    series = {"load.csv": {"time": ["2023-01-01", "2023-01-02", "2023-01-03"], "a": [0, 100, 100]}}
    res = solve(model_folder(model, series))
    assert res.objective_usd == pytest.approx((4800 - (10 - 10 * DAY) * 245.25) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(127_969.8, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["spill_m3s"].sel(reservoir="lake").values, [10, 0, 0], atol=1e-6)
    release = (
        ds["spill_m3s"].sel(reservoir="lake") + ds["turbine_flow_m3s"].sel(hydro_plant="dam")
    ).values
    assert release.min() >= 10 - 1e-6
