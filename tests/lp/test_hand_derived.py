"""Small models whose optimal objective (and key decisions) can be derived by hand.

Every model here is solved for real by HiGHS through linopy. Each test states its
derivation in a comment; the numbers asserted are those closed-form expressions.

Shared arithmetic (FORMAT.md):
- 1 m3/s over one day is 0.0864 hm3; over one hour 0.0036 hm3.
- A plant with efficiency 0.9 at 100 m of head makes 9.81e-3 * 0.9 * 100 = 0.8829 MW per
  m3/s, i.e. 0.8829 / 0.0036 = 245.25 MWh per hm3 turbined. At 50 m: 122.625 MWh per hm3.
"""

from __future__ import annotations

import numpy as np
import pytest

DAY = 0.0864  # hm3 per (m3/s * day)
HOUR = 0.0036  # hm3 per (m3/s * hour)
MWH_PER_HM3_100M = 9.81e-3 * 0.9 * 100 / HOUR  # 245.25
MWH_PER_HM3_50M = 9.81e-3 * 0.9 * 50 / HOUR  # 122.625
REL = 1e-6


def one_bus(load_mw, gas_mw=1000.0, gas_cost=50.0, voll=1000.0) -> dict:
    """Bus A with a load and a gas unit."""
    return {
        "buses": {"A": {"voll_usd_per_mwh": voll}},
        "loads": {"demand": {"bus": "A", "p_mw": load_mw}},
        "generators": {
            "gas": {
                "bus": "A",
                "carrier": "gas",
                "capacity_mw": gas_mw,
                "marginal_cost_usd_per_mwh": gas_cost,
            }
        },
    }


def hourly(n: int) -> dict:
    """Time block of n hourly steps from 2023-01-01 00:00."""
    return {"start": "2023-01-01 00:00", "end": f"2023-01-01 {n:02d}:00", "step": "1h"}


def hourly_times(n: int) -> list[str]:
    return [f"2023-01-01 {h:02d}:00:00" for h in range(n)]


# ---------------------------------------------------------------- single reservoir


def single_reservoir() -> dict:
    return {
        "sinks": {"sea": {}},
        "catchments": {"rain": {"to": "lake", "inflow_m3s": 20}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 10,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "storage_final_min_hm3": 40,
                "spill_to": "sea",
            }
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "lake",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 500,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "head_m": 100,
            }
        },
        **one_bus(load_mw=100, gas_mw=200, gas_cost=50),
    }


@pytest.fixture(scope="module")
def single_result(tmp_path_factory, write_folder, solve):
    return solve(write_folder(tmp_path_factory.mktemp("single"), single_reservoir()))


def test_single_reservoir_fixed_head(single_result):
    # Three days, inflow 20 m3/s, storage may fall from 50 to its end target 40 hm3.
    # Every hm3 turbined displaces 245.25 MWh of gas at 50 USD/MWh (12,262.5 USD/hm3),
    # spilling is free but worth nothing, so all the water is turbined:
    #   water  = 3 * 20 * 0.0864 + (50 - 40)            = 15.184 hm3
    #   hydro  = 15.184 * 245.25                         = 3,723.876 MWh
    #   gas    = 100 MW * 72 h - 3,723.876               = 3,476.124 MWh
    #   cost   = 3,476.124 * 50                          = 173,806.2 USD
    # Hydro never exceeds 100 m3/s * 0.8829 = 88.29 MW < 100 MW of load, so gas runs in
    # every step (strictly inside its limits).
    res = single_result
    water = 3 * 20 * DAY + 10
    gas_mwh = 100 * 72 - water * MWH_PER_HM3_100M
    assert res.objective_usd == pytest.approx(gas_mwh * 50, rel=REL)
    assert res.objective_usd == pytest.approx(173_806.2, rel=REL)
    ds = res.dataset
    assert float(ds["storage_hm3"].sel(reservoir="lake")[-1]) == pytest.approx(40, rel=REL)
    assert float(ds["spill_m3s"].sum()) == pytest.approx(0, abs=1e-6)
    turbined_hm3 = float(ds["turbine_flow_m3s"].sum()) * DAY
    assert turbined_hm3 == pytest.approx(water, rel=REL)
    assert float(ds["hydro_p_mw"].sum()) * 24 == pytest.approx(3_723.876, rel=REL)
    assert float(ds["generator_p_mw"].sum()) * 24 == pytest.approx(gas_mwh, rel=REL)
    assert res.audit.passed


def test_duals_price_is_gas_cost_and_water_value_is_displaced_gas(single_result):
    # Same model. Gas is the marginal unit in every step, so one more MWh of load costs
    # 50 USD: the price is 50 USD/MWh. One more hm3 in the lake (any step: storage stays
    # strictly inside [10, 100] until the end, so the steps share one value) is turbined and
    # displaces 245.25 MWh of gas: the water value is 50 * 245.25 = 12,262.5 USD/hm3.
    res = single_result
    price = res.dataset["price_usd_per_mwh"].sel(bus="A").values
    np.testing.assert_allclose(price, 50.0, rtol=REL)
    value = res.dataset["water_value_usd_per_hm3"].sel(reservoir="lake").values
    np.testing.assert_allclose(value, 50 * MWH_PER_HM3_100M, rtol=REL)
    np.testing.assert_allclose(value, 12_262.5, rtol=REL)


# ---------------------------------------------------------------- cascade with a delay


def test_cascade_with_one_step_delay(model_folder, solve):
    # up (100 m head) -> junction j -> reach (1 day delay, 10 % loss) -> down (50 m head).
    # up may draw 10 hm3 (60 -> 50); down must end where it started (20 hm3), so whatever
    # reaches down within the run is turbined there. Water sent into the reach before the
    # start (50 m3/s) arrives on day 0: 0.9 * 50 m3/s = 45 m3/s = 3.888 hm3.
    # Water up releases on day t arrives at down on day t+1: released on the last day it
    # arrives after the horizon, worth 245.25 MWh/hm3 instead of 245.25 + 0.9 * 122.625.
    # So up releases its 10 hm3 on days 0 and 1 and nothing on day 2:
    #   up   = 10 * 245.25                               = 2,452.5 MWh
    #   down = 0.9 * (10 + 50 * 0.0864) * 122.625         = 1,580.391 MWh
    #   gas  = 100 MW * 72 h - 4,032.891                  = 3,167.109 MWh -> 158,355.45 USD
    model = {
        "junctions": {"j": {}},
        "sinks": {"sea": {}},
        "reservoirs": {
            "up": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 60,
                "storage_final_min_hm3": 50,
                "spill_to": "j",
            },
            "down": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 20,
                "spill_to": "sea",
            },
        },
        "reaches": {
            "gorge": {
                "from": "j",
                "to": "down",
                "delay_steps": 1,
                "loss_fraction": 0.1,
                "initial_flow_m3s": 50,
            }
        },
        "hydro_plants": {
            "up_hpp": {
                "reservoir": "up",
                "to": "j",
                "bus": "A",
                "capacity_mw": 500,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "head_m": 100,
            },
            "down_hpp": {
                "reservoir": "down",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 500,
                "max_flow_m3s": 200,
                "efficiency": 0.9,
                "head_m": 50,
            },
        },
        **one_bus(load_mw=100, gas_mw=300, gas_cost=50),
    }
    res = solve(model_folder(model))
    hydro = 10 * MWH_PER_HM3_100M + 0.9 * (10 + 50 * DAY) * MWH_PER_HM3_50M
    assert hydro == pytest.approx(4_032.891, rel=REL)
    assert res.objective_usd == pytest.approx((7200 - hydro) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(158_355.45, rel=REL)
    ds = res.dataset
    up_flow = ds["turbine_flow_m3s"].sel(hydro_plant="up_hpp").values
    assert up_flow[2] == pytest.approx(0, abs=1e-6)
    assert up_flow.sum() * DAY == pytest.approx(10, rel=REL)
    arrival = ds["reach_arrival_m3s"].sel(reach="gorge").values
    sent = ds["reach_flow_m3s"].sel(reach="gorge").values
    assert arrival[0] == pytest.approx(45, rel=REL)
    np.testing.assert_allclose(arrival[1:], 0.9 * sent[:-1], rtol=REL, atol=1e-9)
    assert sent[2] == pytest.approx(0, abs=1e-6)
    assert float(ds["storage_hm3"].sel(reservoir="down")[-1]) == pytest.approx(20, rel=REL)
    assert float(ds["spill_m3s"].sum()) == pytest.approx(0, abs=1e-6)


# ---------------------------------------------------------------- irrigation vs power


@pytest.mark.parametrize(
    "shortage_cost, expected, turbine_m3s, withdrawal_m3s",
    [
        # 100,000 USD/hm3 of shortage beats 12,262.5 USD/hm3 of displaced gas: the canal takes
        # all 15 m3/s, the turbine nothing; shortage 5 m3/s for 3 days = 1.296 hm3.
        #   1.296 * 100,000 + 50 MW * 72 h * 50 USD/MWh = 129,600 + 180,000 = 309,600 USD
        (100_000, 309_600.0, 0.0, 15.0),
        # at 1,000 USD/hm3 power outranks irrigation: the turbine takes all 15 m3/s
        # (13.2435 MW), the canal nothing (shortage 20 m3/s for 3 days = 5.184 hm3):
        #   5.184 * 1,000 + (50 - 13.2435) * 72 * 50 = 5,184 + 132,323.4 = 137,507.4 USD
        (1_000, 137_507.4, 15.0, 0.0),
    ],
)
def test_irrigation_outranks_power(
    model_folder, solve, shortage_cost, expected, turbine_m3s, withdrawal_m3s
):
    # A lake fed by 15 m3/s must end where it started; a canal at the lake asks 20 m3/s;
    # the lake's plant (100 m, 0.9) displaces gas at 50 USD/MWh.
    model = {
        "sinks": {"sea": {}},
        "catchments": {"rain": {"to": "lake", "inflow_m3s": 15}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
            }
        },
        "water_demands": {
            "canal": {"node": "lake", "demand_m3s": 20, "shortage_cost_usd_per_hm3": shortage_cost}
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "lake",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 500,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "head_m": 100,
            }
        },
        **one_bus(load_mw=50, gas_mw=100, gas_cost=50),
    }
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    ds = res.dataset
    # per step the lake may shift water between days; the totals are unique
    withdrawn = ds["withdrawal_m3s"].sel(water_demand="canal").values
    assert withdrawn.sum() == pytest.approx(3 * withdrawal_m3s, rel=REL, abs=1e-6)
    turbined = ds["turbine_flow_m3s"].sel(hydro_plant="dam").values
    assert turbined.sum() == pytest.approx(3 * turbine_m3s, rel=REL, abs=1e-6)
    shortage = ds["shortage_m3s"].sel(water_demand="canal").values
    np.testing.assert_allclose(shortage, 20 - withdrawn, rtol=REL, atol=1e-6)
    summary = res.summary()
    assert summary["water"]["shortage_hm3"]["canal"] == pytest.approx(
        3 * (20 - withdrawal_m3s) * DAY, rel=REL
    )


# ---------------------------------------------------------------- lossy line


@pytest.mark.parametrize(
    "gas_mw, line_mw, expected, price_south, direction",
    [
        # line at its limit, gas too small: 50 MW sent, 45 arrive, gas 30, unserved 25 MW;
        # per hour 50*10 + 30*80 + 25*1000 = 27,900 USD; two hours 55,800. The receiving
        # bus's marginal MWh is lost load: price 1000.
        (30, 50, 55_800.0, 1000.0, "forward"),
        (30, 50, 55_800.0, 1000.0, "backward"),
        # line at its limit, gas marginal: 50 sent (10/0.9 < 80), gas 55 MW;
        # per hour 500 + 55*80 = 4,900 USD; two hours 9,800. Price at the receiving bus 80.
        (100, 50, 9_800.0, 80.0, "forward"),
        # line below its limit: 100/0.9 = 111.1 MW sent covers the load;
        # two hours 2 * 111.1 * 10 = 2,222.2 USD. Price at the receiving bus 10/0.9.
        (100, 200, 2 * 10 * 100 / 0.9, 10 / 0.9, "backward"),
    ],
)
def test_lossy_line(model_folder, solve, direction, gas_mw, line_mw, expected, price_south):
    # NORTH: a cheap unit (10 USD/MWh), no load. SOUTH: 100 MW of load, gas at 80 USD/MWh,
    # lost load at 1000. The line loses 10 % of what it sends; it is written NORTH -> SOUTH
    # (power flows forward) or SOUTH -> NORTH (power flows backward).
    ends = (
        {"from": "NORTH", "to": "SOUTH"}
        if direction == "forward"
        else {"from": "SOUTH", "to": "NORTH"}
    )
    model = {
        "buses": {"NORTH": {"voll_usd_per_mwh": 1000}, "SOUTH": {"voll_usd_per_mwh": 1000}},
        "loads": {"south_load": {"bus": "SOUTH", "p_mw": 100}},
        "generators": {
            "cheap": {"bus": "NORTH", "capacity_mw": 1000, "marginal_cost_usd_per_mwh": 10},
            "gas": {"bus": "SOUTH", "capacity_mw": gas_mw, "marginal_cost_usd_per_mwh": 80},
        },
        "lines": {"tie": {**ends, "capacity_mw": line_mw, "loss_fraction": 0.1}},
    }
    res = solve(model_folder(model, time=hourly(2)))
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    ds = res.dataset
    sent = ds["line_forward_mw" if direction == "forward" else "line_backward_mw"]
    wrong_way = ds["line_backward_mw" if direction == "forward" else "line_forward_mw"]
    np.testing.assert_allclose(sent.values, min(line_mw, 100 / 0.9), rtol=REL)
    np.testing.assert_allclose(wrong_way.values, 0.0, atol=1e-6)
    unserved = max(0.0, 100 - 0.9 * line_mw - gas_mw)
    np.testing.assert_allclose(
        ds["unserved_mw"].sel(bus="SOUTH").values, unserved, rtol=REL, atol=1e-6
    )
    np.testing.assert_allclose(
        ds["price_usd_per_mwh"].sel(bus="SOUTH").values, price_south, rtol=REL
    )
    np.testing.assert_allclose(ds["price_usd_per_mwh"].sel(bus="NORTH").values, 10.0, rtol=REL)


def test_line_capacity_series(model_folder, solve):
    # The line's capacity is a series: 50 MW in hour 0, 20 MW in hour 1 (lossless). SOUTH
    # has 100 MW of load and nothing but lost load (1000 USD/MWh); NORTH a unit at 10.
    #   hour 0: 50 * 10 + 50 * 1000 = 50,500;  hour 1: 20 * 10 + 80 * 1000 = 80,200
    # Total 130,700 USD.
    model = {
        "buses": {"NORTH": {"voll_usd_per_mwh": 1000}, "SOUTH": {"voll_usd_per_mwh": 1000}},
        "loads": {"south_load": {"bus": "SOUTH", "p_mw": 100}},
        "generators": {
            "cheap": {"bus": "NORTH", "capacity_mw": 1000, "marginal_cost_usd_per_mwh": 10}
        },
        "lines": {"tie": {"from": "NORTH", "to": "SOUTH", "capacity_mw": "series:line.csv#tie"}},
    }
    series = {"line.csv": {"time": hourly_times(2), "tie": [50, 20]}}
    res = solve(model_folder(model, series, time=hourly(2)))
    assert res.objective_usd == pytest.approx(130_700.0, rel=REL)
    np.testing.assert_allclose(
        res.dataset["line_forward_mw"].sel(line="tie").values, [50, 20], rtol=REL
    )


# ---------------------------------------------------------------- battery


@pytest.mark.parametrize("soc_initial", [0, 5])
def test_battery_moves_solar_into_the_evening(model_folder, solve, soc_initial):
    # Four hours, 10 MW of load. Solar (30 MW, free) shines in hours 0-1 only; gas costs
    # 100 USD/MWh. Battery: 10 MW, 100 MWh, round trip 0.81 (0.9 each way), starts at s0
    # (0 or 5 MWh) and must end with at least s0 (the default end target is the initial
    # state). Hours 0-1: charge at the 10 MW limit, +9 MWh each -> s0 + 18 MWh (10 MW of
    # solar curtailed each hour, so the price there is 0). Hours 2-3: 18 MWh may leave the
    # battery, delivering 18 * 0.9 = 16.2 MWh; gas covers 20 - 16.2 = 3.8 MWh -> 380 USD.
    # (With s0 = 5, were the end target 0, the battery could deliver 20 MWh: cost 0.)
    model = {
        **one_bus(load_mw=10, gas_mw=50, gas_cost=100),
        "storage_units": {
            "bat": {
                "bus": "A",
                "power_mw": 10,
                "energy_mwh": 100,
                "efficiency_roundtrip": 0.81,
                "soc_initial_mwh": soc_initial,
            }
        },
    }
    model["generators"]["sun"] = {
        "bus": "A",
        "carrier": "solar",
        "capacity_mw": 30,
        "marginal_cost_usd_per_mwh": 0,
        "capacity_factor": "series:cf.csv#sun",
    }
    series = {"cf.csv": {"time": hourly_times(4), "sun": [1, 1, 0, 0]}}
    res = solve(model_folder(model, series, time=hourly(4)))
    assert res.objective_usd == pytest.approx(380.0, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(
        ds["storage_charge_mw"].sel(storage_unit="bat").values[:2], 10, rtol=REL
    )
    soc = ds["storage_soc_mwh"].sel(storage_unit="bat").values
    assert soc[1] == pytest.approx(soc_initial + 18, rel=REL)
    assert soc[-1] == pytest.approx(soc_initial, rel=REL, abs=1e-6)
    delivered = ds["storage_discharge_mw"].sel(storage_unit="bat").values[2:].sum()
    charged_evening = ds["storage_charge_mw"].sel(storage_unit="bat").values[2:].sum()
    assert delivered - charged_evening == pytest.approx(16.2, rel=REL)
    assert float(ds["generator_p_mw"].sel(generator="gas").sum()) == pytest.approx(3.8, rel=REL)
    np.testing.assert_allclose(
        ds["price_usd_per_mwh"].sel(bus="A").values, [0, 0, 100, 100], rtol=REL, atol=1e-6
    )


# ---------------------------------------------------------------- market, unserved load


def test_market_and_unserved_load(model_folder, solve):
    # Two hours. Load 100 then 200 MW; a unit of 150 MW at 20 USD/MWh; a market at 60 then
    # 500 USD/MWh, exports up to 30 MW, imports up to 40 MW; lost load at 1000 USD/MWh.
    # Hour 0: export the 30 MW allowed (60 > 20): 130 * 20 - 30 * 60 = 800 USD;
    #         price 20 (the unit is marginal).
    # Hour 1: unit at 150, import 40 at 500 (< 1000), 10 MW unserved:
    #         150 * 20 + 40 * 500 + 10 * 1000 = 33,000 USD; price 1000.
    # Total 33,800 USD.
    model = {
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": "series:hours.csv#load"}},
        "generators": {"unit": {"bus": "A", "capacity_mw": 150, "marginal_cost_usd_per_mwh": 20}},
        "markets": {
            "abroad": {
                "bus": "A",
                "price_usd_per_mwh": "series:hours.csv#price",
                "max_export_mw": 30,
                "max_import_mw": 40,
            }
        },
    }
    series = {"hours.csv": {"time": hourly_times(2), "load": [100, 200], "price": [60, 500]}}
    res = solve(model_folder(model, series, time=hourly(2)))
    assert res.objective_usd == pytest.approx(33_800.0, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(
        ds["market_export_mw"].sel(market="abroad").values, [30, 0], atol=1e-6
    )
    np.testing.assert_allclose(
        ds["market_import_mw"].sel(market="abroad").values, [0, 40], atol=1e-6
    )
    np.testing.assert_allclose(ds["unserved_mw"].sel(bus="A").values, [0, 10], atol=1e-6)
    np.testing.assert_allclose(ds["price_usd_per_mwh"].sel(bus="A").values, [20, 1000], rtol=REL)
    energy = res.summary()["energy"]
    assert energy["unserved_gwh"]["A"] == pytest.approx(0.010, rel=REL)
    assert energy["export_gwh"]["abroad"] == pytest.approx(0.030, rel=REL)
    assert energy["import_gwh"]["abroad"] == pytest.approx(0.040, rel=REL)


# ---------------------------------------------------------------- available_from


def test_available_from(model_folder, solve):
    # Four days. A: 10 MW of load, gas at 50; a cheap unit (5 USD/MWh) exists from day 3
    # (2023-01-03). B: 10 MW of load, gas at 70; a lossless line A-B exists from day 4.
    #   days 1-2: A 240 MWh * 50 + B 240 * 70 = 12,000 + 16,800 per day  -> 57,600
    #   day 3:    A 240 * 5 + B 240 * 70      = 1,200 + 16,800           -> 18,000
    #   day 4:    the cheap unit serves both: 480 * 5                    -> 2,400
    # Total 78,000 USD.
    model = {
        "buses": {"A": {"voll_usd_per_mwh": 1000}, "B": {"voll_usd_per_mwh": 1000}},
        "loads": {"load_a": {"bus": "A", "p_mw": 10}, "load_b": {"bus": "B", "p_mw": 10}},
        "generators": {
            "gas_a": {"bus": "A", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 50},
            "gas_b": {"bus": "B", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 70},
            "cheap": {
                "bus": "A",
                "capacity_mw": 100,
                "marginal_cost_usd_per_mwh": 5,
                "available_from": "2023-01-03",
            },
        },
        "lines": {
            "ab": {"from": "A", "to": "B", "capacity_mw": 100, "available_from": "2023-01-04"}
        },
    }
    res = solve(model_folder(model, end="2023-01-05"))
    assert res.objective_usd == pytest.approx(78_000.0, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(
        ds["generator_p_mw"].sel(generator="cheap").values, [0, 0, 10, 20], atol=1e-6
    )
    np.testing.assert_allclose(
        ds["line_forward_mw"].sel(line="ab").values, [0, 0, 0, 10], atol=1e-6
    )


def test_hydro_plant_available_from(model_folder, solve):
    # The single-reservoir model, but the plant exists only from day 3 (2023-01-03). On day 3
    # it runs at its flow limit, 100 m3/s = 8.64 hm3 (less than the 15.184 hm3 it may use;
    # the rest stays in the lake), i.e. 88.29 MW for 24 h = 2,118.96 MWh:
    #   gas = 100 MW * 72 h - 2,118.96 = 5,081.04 MWh -> 254,052 USD
    model = single_reservoir()
    model["hydro_plants"]["dam"]["available_from"] = "2023-01-03"
    res = solve(model_folder(model))
    assert res.objective_usd == pytest.approx((7200 - 100 * 0.8829 * 24) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(254_052.0, rel=REL)
    flow = res.dataset["turbine_flow_m3s"].sel(hydro_plant="dam").values
    np.testing.assert_allclose(flow, [0, 0, 100], rtol=REL, atol=1e-6)


# ---------------------------------------------------------------- evaporation


def test_evaporation_from_area_curve_and_monthly_depth(model_folder, solve):
    # Two steps of two days from 2023-01-31: (Jan 31, Feb 1) and (Feb 2, Feb 3).
    # Area at the initial storage (50 hm3) on [[0, 50], [100, 150]] km2 is 100 km2.
    # January 310 mm (10 mm a day), February 2023 140 mm (5 mm a day). Per FORMAT.md,
    # area * mm * 1e-3 * (step hours in the month / hours in the month):
    #   step 1: 100 * 310e-3 * 24/744 + 100 * 140e-3 * 24/672 = 1.0 + 0.5 = 1.5 hm3
    #   step 2: 100 * 140e-3 * 48/672                          = 1.0 hm3
    # Inflow 20 m3/s for 4 days = 6.912 hm3; the lake ends where it started, so
    #   turbined = 6.912 - 2.5 = 4.412 hm3 -> 4.412 * 245.25 = 1,082.043 MWh
    #   gas      = 50 MW * 96 h - 1,082.043 = 3,717.957 MWh -> 185,897.85 USD
    evaporation_mm = [310, 140, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    model = {
        "sinks": {"sea": {}},
        "catchments": {"rain": {"to": "lake", "inflow_m3s": 20}},
        "reservoirs": {
            "lake": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 50,
                "spill_to": "sea",
                "area_curve": [[0, 50], [100, 150]],
                "evaporation_mm_per_month": evaporation_mm,
            }
        },
        "hydro_plants": {
            "dam": {
                "reservoir": "lake",
                "to": "sea",
                "bus": "A",
                "capacity_mw": 500,
                "max_flow_m3s": 100,
                "efficiency": 0.9,
                "head_m": 100,
            }
        },
        **one_bus(load_mw=50, gas_mw=100, gas_cost=50),
    }
    res = solve(model_folder(model, start="2023-01-31", end="2023-02-04", step="2D"))
    ds = res.dataset
    np.testing.assert_allclose(
        ds["evaporation_hm3"].sel(reservoir="lake").values, [1.5, 1.0], rtol=REL
    )
    turbined = 20 * 4 * DAY - 2.5
    assert res.objective_usd == pytest.approx((4800 - turbined * MWH_PER_HM3_100M) * 50, rel=REL)
    assert res.objective_usd == pytest.approx(185_897.85, rel=REL)
    assert float(ds["turbine_flow_m3s"].sum()) * 2 * DAY == pytest.approx(turbined, rel=REL)
    assert res.summary()["water"]["evaporation_hm3"]["lake"] == pytest.approx(2.5, rel=REL)
    # duals at a two-day step: gas is marginal in both steps (hydro stays below the load),
    # so the price is 50 USD/MWh and the water value 50 * 245.25 = 12,262.5 USD/hm3
    np.testing.assert_allclose(ds["price_usd_per_mwh"].sel(bus="A").values, 50, rtol=REL)
    np.testing.assert_allclose(
        ds["water_value_usd_per_hm3"].sel(reservoir="lake").values, 12_262.5, rtol=REL
    )
