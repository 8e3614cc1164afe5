"""Small storage LPs derived by hand for mutants of `vakhsh.math.power` that survived the
selected tests (mutmut, issue 15, session 10): the link from step 0 to step 1 of a plain
unit while another unit is cyclic (`soc_change__mutmut_31`), a unit that does not exist yet
(`add_storage_units__mutmut_29`: 1 MW instead of 0; `_15`, `_17`: a NaN bound) and the
floor `soc_min_mwh` (`add_storage_units__mutmut_75`: the floor's sign turned).

Two hourly steps from 2023-01-01 00:00 (h = 1, MW and MWh agree). Each bus has 10 MW of
load, `cheap` (10 USD/MWh) where its capacity-factor series allows and `dear`
(100 USD/MWh) always. Lossless units. All solved for real by HiGHS.
"""

from __future__ import annotations

import pytest
from tests.lp.two_hours import HOURS, REL, TIME, merge

import vakhsh
from vakhsh.math.build import build_model
from vakhsh.solve.head import fixed_parameters


def bus(name: str, cheap: str, units: dict) -> dict:
    """Bus `name` with its load, cheap (capacity factor column `cheap`), dear and `units`."""
    low = name.lower()
    return {
        "buses": {name: {"voll_usd_per_mwh": 1000}},
        "loads": {f"load_{low}": {"bus": name, "p_mw": 10}},
        "generators": {
            f"cheap_{low}": {
                "bus": name,
                "capacity_mw": 100,
                "capacity_factor": f"series:cf.csv#{cheap}",
                "marginal_cost_usd_per_mwh": 10,
            },
            f"dear_{low}": {"bus": name, "capacity_mw": 100, "marginal_cost_usd_per_mwh": 100},
        },
        "storage_units": {
            unit: {"bus": name, "efficiency_roundtrip": 1.0, **spec} for unit, spec in units.items()
        },
    }


SERIES = {"cf.csv": {"time": HOURS, "first": [1, 0], "last": [0, 1], "never": [0, 0]}}
UNIT = {"power_mw": 10, "energy_mwh": 100, "soc_initial_mwh": 0}


def test_a_plain_unit_carries_energy_while_another_is_cyclic(model_folder, solve):
    # Bus N: cheap only in hour 0; a plain unit takes 10 MWh then and gives them in hour 1:
    #   N = cheap 20 MWh * 10 = 200 USD.
    # Bus C has only dear power and a cyclic unit (nothing to shift): C = 20 * 100 = 2,000.
    # Total 2,200 USD. With the step-0 -> step-1 link lost (mutant _31, only reached when
    # some unit is cyclic) N pays cheap 10 + dear 10 = 1,100: 3,100 USD.
    model = merge(
        bus("N", "first", {"plain": UNIT}),
        bus("C", "never", {"loop": {**UNIT, "soc_cyclic": True}}),
    )
    res = solve(model_folder(model, SERIES, time=TIME))
    assert res.objective_usd == pytest.approx(200 + 2000, rel=REL)
    assert res.audit.passed


def test_a_unit_stores_nothing_before_it_exists(model_folder, solve):
    # Bus L: cheap only in hour 0; the unit exists from hour 1 and starts empty, so it has
    # nothing to give: cheap 10 + dear 10 = 100 + 1,000 = 1,100 USD. With 1 MW while it
    # does not exist (mutant _29) it takes 1 MWh in hour 0 and gives it back: 1,010 USD.
    late = {**UNIT, "available_from": "2023-01-01 01:00"}
    res = solve(model_folder(bus("L", "first", {"late": late}), SERIES, time=TIME))
    assert res.objective_usd == pytest.approx(100 + 1000, rel=REL)
    assert res.audit.passed


def test_a_unit_gets_no_natural_inflow_before_it_exists(model_folder, solve):
    # Bus W has only dear power. The unit exists from hour 1, starts empty and gets 5 MW of
    # natural inflow: in hour 0 the unit is not there and neither reaches it (before session
    # 20 it held those 5 MWh and gave them in hour 1: dear 10 MWh, 1,000 USD); in hour 1 it
    # gives its 5 MW: dear 10 + 5 = 15 MWh -> 1,500 USD.
    late = {**UNIT, "available_from": "2023-01-01 01:00", "inflow_mw": 5}
    res = solve(model_folder(bus("W", "never", {"late": late}), SERIES, time=TIME))
    assert res.objective_usd == pytest.approx(1500, rel=REL)
    assert res.dataset["storage_soc_mwh"].values.ravel() == pytest.approx([0, 0], abs=1e-9)
    assert res.dataset["storage_discharge_mw"].values.ravel() == pytest.approx([0, 5], abs=1e-9)
    assert res.audit.passed


def test_a_unit_stays_above_its_floor(model_folder, solve):
    # Bus F: cheap only in hour 1. The unit holds 10 MWh with a floor of 4 MWh, so it can
    # give 6 in hour 0; dear covers the other 4: 400 USD; hour 1 cheap 10 = 100. 500 USD.
    # With the floor at -4 (mutant _75) it gives all 10 in hour 0 and takes 4 back from
    # cheap in hour 1 (the last step keeps its floor): 140 USD. (The end target is set to
    # 0: by default a unit ends with what it started with.)
    floor = {
        "power_mw": 20,
        "energy_mwh": 100,
        "soc_initial_mwh": 10,
        "soc_min_mwh": 4,
        "soc_final_min_mwh": 0,
    }
    res = solve(model_folder(bus("F", "last", {"floor": floor}), SERIES, time=TIME))
    assert res.objective_usd == pytest.approx(400 + 100, rel=REL)
    assert float(res.dataset["storage_soc_mwh"].values.ravel()[0]) == pytest.approx(4)


# One unit alone on a bus with only dear power (100 USD/MWh) and 10 MW of load for two hours;
# what dear must still give, by hand:
ALONE_ON_A_DEAR_BUS = {
    # starts full (100 of 100 MWh), must end full, 0.5 MW of natural inflow, gives at most
    # 0.2 MW: gives 0.2 and spills 0.3 each hour; dear 2 * 9.8 (without the spill for an
    # inflow below 1 MW, a mutant of add_storage_units, the LP has no solution)
    "inflow_it_cannot_hold_or_give_is_spilled": (
        {"power_mw": 0.2, "soc_initial_mwh": 100, "inflow_mw": 0.5},
        19.6,
    ),
    # cyclic, 50 MWh at the start, but a cycle ends where it starts: nothing to give; dear
    # 2 * 10 (the initial 50 MWh counted as energy arriving, a mutant, made it infeasible)
    "cyclic_unit_gains_nothing_from_its_initial_state": (
        {"soc_initial_mwh": 50, "soc_cyclic": True},
        20.0,
    ),
    # holds 50 of 100 MWh, must end with 50, 0.5 MW of natural inflow: gives 0.5 each hour;
    # dear 2 * 9.5 (a spill without its lower bound, a mutant, is energy from nowhere and
    # made the load free)
    "spill_never_brings_energy": ({"soc_initial_mwh": 50, "inflow_mw": 0.5}, 19.0),
}


@pytest.mark.parametrize(
    "spec, dear_mwh", ALONE_ON_A_DEAR_BUS.values(), ids=list(ALONE_ON_A_DEAR_BUS)
)
def test_a_unit_alone_on_a_dear_bus(model_folder, solve, spec, dear_mwh):
    unit = {**UNIT, **spec}
    res = solve(model_folder(bus("W", "never", {"unit": unit}), SERIES, time=TIME))
    assert res.objective_usd == pytest.approx(dear_mwh * 100, rel=REL)
    assert res.audit.passed


def test_a_unit_before_it_exists_has_no_room_and_spills_only_its_inflow(model_folder):
    # The bounds the LP gives a unit that exists from hour 1 with 5 MW of natural inflow:
    # nothing to charge, give or hold in hour 0 (1 MW or 1 MWh there, mutants _34 and _75
    # of add_storage_units, is harmless alone for a lossless unit but lets a lossy one
    # burn a surplus), and a spill bounded by the inflow (without it, mutant _197, a unit
    # could throw away stored energy). A unit without inflow gets no spill column at all
    # (mutant _189: a column fixed at 0 per step).

    late = {**UNIT, "available_from": "2023-01-01 01:00", "inflow_mw": 5}
    net = vakhsh.load(model_folder(bus("L", "first", {"late": late}), SERIES, time=TIME))
    variables = build_model(net, fixed_parameters(net)).model.variables
    for name, upper in [
        ("storage_charge_mw", [0, 10]),
        ("storage_discharge_mw", [0, 10]),
        ("storage_soc_mwh", [0, 100]),
        ("storage_spill_mw", [0, 5]),
    ]:
        assert variables[name].upper.values.ravel() == pytest.approx(upper), name
    dry = vakhsh.load(model_folder(bus("D", "first", {"dry": UNIT}), SERIES, time=TIME))
    assert "storage_spill_mw" not in build_model(dry, fixed_parameters(dry)).model.variables
    assert not dry.tables["storage_units"]["soc_cyclic"].isna().any()
