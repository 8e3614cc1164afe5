"""The storage tie-break: a tiny reward for water held, so that equal-cost schedules resolve.

The reported objective and costs leave the reward out; the reported objective moves by less
than 1e-6 of itself (test below, on central-asia).

A pond (100 hm3, no inflow) must end the four days at 91.36 hm3: it passes 8.64 hm3, one
day at its flow limit (100 m3/s), through a plant at a fixed head of 100 m (88.29 MW at
the limit, efficiency 0.9). The load, 200 MW, and the gas price, 50 USD/MWh, are the same
every day, so every schedule of those 8.64 hm3 costs the same:

    (4 * 24 * 200 - 24 * 88.29) * 50 = 854,052 USD

The tie-break holds the water as long as it can: the pond stays full for three days and
passes its water on the last one. Without it the simplex may pick any of the schedules.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import vakhsh
from vakhsh.math.context import BuildConfig
from vakhsh.math.water import reservoirs_downstream
from vakhsh.pipeline import Operation, run
from vakhsh.solve.heads import FixedHead, ProductionModel

REL = 1e-9


def pond() -> dict:
    return {
        "sinks": {"sea": {}},
        "reservoirs": {
            "pond": {
                "storage_min_hm3": 0,
                "storage_max_hm3": 100,
                "storage_initial_hm3": 100,
                "storage_final_min_hm3": 91.36,
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
                "head_m": 100,
            }
        },
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "A", "p_mw": 200}},
        "generators": {"gas": {"bus": "A", "capacity_mw": 300, "marginal_cost_usd_per_mwh": 50}},
    }


class NoTieBreak(FixedHead):
    config = BuildConfig(storage_tie_break=0.0)


def solved(net, heads):
    return run(Operation(net, heads), vakhsh.SolveOptions(head="fixed"))


def test_tie_break_holds_water_until_it_is_needed(model_folder, solve):
    res = solve(model_folder(pond(), end="2023-01-05"), head="fixed")
    ds = res.dataset
    np.testing.assert_allclose(
        ds["storage_hm3"].sel(reservoir="pond").values, [100, 100, 100, 91.36], rtol=REL
    )
    np.testing.assert_allclose(
        ds["turbine_flow_m3s"].sel(hydro_plant="dam").values, [0, 0, 0, 100], atol=1e-7
    )
    # the reported objective and costs leave the tie-break out
    assert res.objective_usd == pytest.approx(854_052.0, rel=REL)
    assert sum(res.costs_usd().values()) == pytest.approx(res.objective_usd, rel=1e-12)


def test_tie_break_moves_the_objective_by_less_than_1e6_relative(model_folder):
    net = vakhsh.load(model_folder(pond(), end="2023-01-05"))
    with_it, without = solved(net, FixedHead()), solved(net, NoTieBreak())
    assert with_it.formulation.cases[0].tie_break_usd() < 0  # a reward, in the LP only
    assert without.formulation.cases[0].tie_break_usd() == 0
    assert with_it.objective_usd == pytest.approx(without.objective_usd, rel=1e-6)
    assert with_it.objective_usd == pytest.approx(854_052.0, rel=REL)


def test_upstream_water_weighs_more():
    net = vakhsh.load("toy-cascade")
    assert reservoirs_downstream(net) == {"upper": {"lower"}, "lower": set()}


def test_a_reservoir_that_forks_reaches_both_branches(model_folder):
    # top spills into left and turbines into right; left and right drain to the sea: both
    # branches are below top (a tie-break weight of 3), and each branch has nothing below
    model = pond()
    model["reservoirs"] = {
        "top": {**model["reservoirs"]["pond"], "spill_to": "left"},
        "left": {**model["reservoirs"]["pond"], "spill_to": "sea"},
        "right": {**model["reservoirs"]["pond"], "spill_to": "sea"},
    }
    model["hydro_plants"]["dam"].update(reservoir="top", to="right")
    net = vakhsh.load(model_folder(model, end="2023-01-02"))
    assert reservoirs_downstream(net) == {"top": {"left", "right"}, "left": set(), "right": set()}


def test_central_asia_small_reservoirs_no_longer_jump_and_the_objective_holds():
    # the finding: Rogun and Baipaza jumped between empty and full day to day; the
    # default run (head auto: FPHA for Nurek) with and without the tie-break
    net = vakhsh.load("central-asia")
    default = ProductionModel("auto")
    untied = ProductionModel("auto")
    untied.config = dataclasses.replace(default.config, storage_tie_break=0.0)
    with_it, without = solved(net, default), solved(net, untied)
    rel = abs(with_it.objective_usd - without.objective_usd) / without.objective_usd
    assert rel < 1e-6
    # the reward itself, in the LP only, is larger (storage times steps): 1.3e-5 of it
    assert abs(with_it.formulation.cases[0].tie_break_usd()) < 1e-4 * without.objective_usd
    assert not with_it.results[0].solve_info["warnings"]  # no "excessively small costs"

    def jumps(solution, reservoir):
        # moves above 40 % of the pond in a day, a run of consecutive days moving the same
        # way counted once: one drawdown spread over two days is one move, flapping is many
        storage = solution.results[0].dataset["storage_hm3"].sel(reservoir=reservoir)
        step = storage.diff("time").values
        sign = np.sign(step) * (np.abs(step) > 0.4 * float(storage.max()))
        starts = (sign != 0) & (np.concatenate([[0], sign[:-1]]) != sign)
        return int(starts.sum())

    assert jumps(without, "baipaza") > 10  # what the issue saw (if this fails, look again)
    # at most one move of a year above 40 % of the pond (a flood or a drawdown the cascade
    # needs; Rogun's partial stage empties over two days in February), not day-to-day flapping
    for reservoir in ("rogun", "baipaza"):
        assert jumps(with_it, reservoir) <= 1, reservoir
