"""Small power LPs derived by hand for mutants of `vakhsh.math.power` that no selected test
killed (mutmut, issue 15): cyclic storage, one-way storage efficiencies and must-flow
lines that exist only from a date. No other test in the suite sets `soc_cyclic` or
`min_flow_mw`.

Two hourly steps from 2023-01-01 00:00 (h = 1, so MW and MWh agree). `cheap` (10 USD/MWh)
runs only in the hour its capacity factor allows; `dear` (100 USD/MWh) always can. All
solved for real by HiGHS.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.lp.two_hours import HOURS, REL, TIME, merge

import vakhsh
from vakhsh.math.build import add_operation, new_context, set_objective
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.options import SolveOptions
from vakhsh.solve.solver import run_solver


def bus(name: str, cheap_cf: str, load_mw: float = 10) -> dict:
    """Bus `name`: a load, a cheap unit with a capacity-factor series and a dear unit."""
    return {
        "buses": {name: {"voll_usd_per_mwh": 1000}},
        "loads": {f"load_{name.lower()}": {"bus": name, "p_mw": load_mw}},
        "generators": {
            f"cheap_{name.lower()}": {
                "bus": name,
                "capacity_mw": 100,
                "capacity_factor": cheap_cf,
                "marginal_cost_usd_per_mwh": 10,
            },
            f"dear_{name.lower()}": {
                "bus": name,
                "capacity_mw": 100,
                "marginal_cost_usd_per_mwh": 100,
            },
        },
    }


def test_cyclic_storage_starts_with_what_it_ends_with(model_folder, solve):
    # Both buses: 10 MW of load, cheap power only in hour 1. Each has a lossless unit
    # (10 MW, 100 MWh) starting empty. Bus N's unit is not cyclic: it has nothing to give
    # in hour 0, so dear covers it (1,000 USD) and cheap the 10 MWh of hour 1 (100 USD):
    # 1,100 USD. Bus C's unit is cyclic: its state before hour 0 is its state after hour
    # 1, so it gives 10 MWh in hour 0 and takes them back from cheap in hour 1:
    # cheap 20 MWh = 200 USD. Total 1,300 USD.
    # (Kills soc_cyclic read as True where missing (400), ignored (2,200), the cyclic unit
    # given its initial state or 1 MWh on top (190), the wrap left out of soc_change.)
    storage = {
        "power_mw": 10,
        "energy_mwh": 100,
        "efficiency_roundtrip": 1.0,
        "soc_initial_mwh": 0,
    }
    model = merge(
        bus("N", "series:cf.csv#cheap"),
        bus("C", "series:cf.csv#cheap"),
        {
            "storage_units": {
                "plain": {"bus": "N", **storage},
                "cyclic": {"bus": "C", **storage, "soc_cyclic": True},
            }
        },
    )
    series = {"cf.csv": {"time": HOURS, "cheap": [0, 1]}}
    res = solve(model_folder(model, series, time=TIME))
    assert res.objective_usd == pytest.approx(1100 + 200, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(
        ds["storage_discharge_mw"].sel(storage_unit="cyclic").values, [10, 0], atol=1e-7
    )
    np.testing.assert_allclose(
        ds["storage_charge_mw"].sel(storage_unit="cyclic").values, [0, 10], atol=1e-7
    )
    # the plain unit does nothing useful (taking and giving the same MWh in hour 1 ties)
    plain = ds["storage_charge_mw"] - ds["storage_discharge_mw"]
    np.testing.assert_allclose(plain.sel(storage_unit="plain"), 0, atol=1e-7)
    np.testing.assert_allclose(
        ds["generator_p_mw"].sel(generator="dear_n").values, [10, 0], atol=1e-7
    )
    assert res.audit.passed


def test_one_way_efficiencies_where_the_roundtrip_would_fit(model_folder, solve):
    # Cheap power in hour 0 only. The unit (30 MW, 16 MWh, empty at the start) stores 0.8
    # of what it takes and gives 0.5 of what it holds (roundtrip 0.4). The 10 MWh of hour 1:
    # to give 10 it would hold 20 > 16, so it fills up: takes 16 / 0.8 = 20 MWh in hour 0
    # and gives 16 * 0.5 = 8 MWh in hour 1; dear covers the other 2 MWh:
    #   cost = (10 + 20) * 10 + 2 * 100 = 500 USD
    # With sqrt(0.4) = 0.632 both ways (the one-way pair ignored) 10 MWh would fit in
    # 15.8 MWh: 350 USD. (Kills storage_efficiencies' one-way pair dropped.)
    model = merge(
        bus("A", "series:cf.csv#cheap"),
        {
            "storage_units": {
                "pump": {
                    "bus": "A",
                    "power_mw": 30,
                    "energy_mwh": 16,
                    "efficiency_roundtrip": 0.4,
                    "efficiency_store": 0.8,
                    "efficiency_dispatch": 0.5,
                    "soc_initial_mwh": 0,
                }
            }
        },
    )
    series = {"cf.csv": {"time": HOURS, "cheap": [1, 0]}}
    res = solve(model_folder(model, series, time=TIME))
    assert res.objective_usd == pytest.approx(500, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["storage_charge_mw"].values.ravel(), [20, 0], atol=1e-7)
    np.testing.assert_allclose(ds["storage_discharge_mw"].values.ravel(), [0, 8], atol=1e-7)
    np.testing.assert_allclose(ds["storage_soc_mwh"].values.ravel(), [16, 0], atol=1e-7)


def test_a_must_flow_line_from_the_hour_it_exists(model_folder, solve):
    # A (10 MW of load, only dear power) and B (30 MW, cheap power in both hours); a
    # lossless line A -> B (nothing back) must carry 20 MW but exists only from hour 1. Hour 0: no line,
    # each bus serves itself: 10 * 100 + 30 * 10 = 1,300 USD. Hour 1: A sends 20 MW to B,
    # so dear runs 30 MW at A and cheap 10 MW at B: 3,000 + 100 = 3,100 USD. Total 4,400.
    # (Kills the must-flow bound dropped (2,600) and the line's must-flow applied before
    # it exists, which is infeasible in hour 0.)
    model = merge(
        bus("A", "series:cf.csv#none"),
        bus("B", "series:cf.csv#all", load_mw=30),
        {
            "lines": {
                "ab": {
                    "from": "A",
                    "to": "B",
                    "capacity_mw": 50,
                    "capacity_backward_mw": 0,
                    "min_flow_mw": 20,
                    "available_from": "2023-01-01 01:00",
                }
            }
        },
    )
    series = {"cf.csv": {"time": HOURS, "none": [0, 0], "all": [1, 1]}}
    res = solve(model_folder(model, series, time=TIME))
    assert res.objective_usd == pytest.approx(1300 + 3100, rel=REL)
    np.testing.assert_allclose(res.dataset["line_forward_mw"].values.ravel(), [0, 20], atol=1e-7)


def test_a_cost_kind_adds_up_its_terms_and_constants(model_folder):
    # 10 MW of load for two hours from one 10 USD/MWh generator: 200 USD of generation.
    # A second term of the same kind (the same output at 1 USD/MWh: 20 USD) and two
    # constants (5 and 7 USD) add to it; none replaces another. (Today every family adds
    # one constant per kind, so a constant replacing the one before, add_cost's mutant _20,
    # survived session 24.)

    model = {
        "buses": {"N": {"voll_usd_per_mwh": 1000}},
        "loads": {"town": {"bus": "N", "p_mw": 10}},
        "generators": {"gas": {"bus": "N", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 10}},
    }
    net = vakhsh.load(model_folder(model, time=TIME))
    ctx = new_context(net, fixed_parameters(net))
    add_operation(ctx)
    output = ctx.var("generator_p_mw")
    ctx.add_cost(output, "generation", constant=5.0)
    ctx.add_cost(output.sum() * 0.0, "generation", constant=7.0)
    set_objective(ctx.model, [ctx])
    run_solver(ctx.model, SolveOptions())
    assert ctx.cost_values()["generation"] == pytest.approx(200 + 20 + 5 + 7, rel=REL)


def test_unserved_energy_is_load_not_served_and_never_more(model_folder, solve):
    # A: 10 MW of load and nothing to serve it (VoLL 1,000 USD/MWh). B: no load, VoLL 500,
    # joined to A by a lossless 100 MW line. A's load goes unserved at A: 2 h x 10 MW x
    # 1,000 = 20,000 USD. Were unserved energy not capped at its bus's load, B would
    # "supply" A at its lower VoLL: 10,000 USD, 10 MW unserved at a bus with no load.
    model = {
        "buses": {"A": {"voll_usd_per_mwh": 1000}, "B": {"voll_usd_per_mwh": 500}},
        "loads": {"load_a": {"bus": "A", "p_mw": 10}},
        "lines": {"ba": {"from": "B", "to": "A", "capacity_mw": 100}},
    }
    res = solve(model_folder(model, time=TIME))
    assert res.objective_usd == pytest.approx(2 * 10 * 1000, rel=REL)
    unserved = res.dataset["unserved_mw"].transpose("time", "bus")
    np.testing.assert_allclose(unserved.sel(bus=["A", "B"]).values, [[10, 0], [10, 0]], atol=1e-7)
    assert res.audit.passed
