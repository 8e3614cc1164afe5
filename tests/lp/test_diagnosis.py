"""The diagnosis of an infeasible toy-cascade names the smallest set of limits to relax.

One week of toy-cascade (2024-10-01 .. 10-08, daily), made infeasible one family at a
time. Before, an end target that could not be reached was blamed on "reservoir balance
(water it cannot have)" or on the minimum release; now each family's slack is tried on
its own, and the family whose relaxation alone restores feasibility is named, with the
amount derived by hand below.

Hand figures for the upper reservoir over the week: inflow 70 m3/s (headwaters, October)
is 7 x 86,400 x 70 / 1e6 = 42.336 hm3; its minimum release of 10 m3/s takes 6.048 hm3;
evaporation is area at the initial storage (12 + 18 x 800/1600 = 21 km2) x 60 mm x 7/31
of October = 0.28452 hm3.
"""

from __future__ import annotations

import pytest

from vakhsh.errors import SolveError
from vakhsh.network import load_network
from vakhsh.pipeline import optimise

WEEK = {"end": "2024-10-08"}
INFLOW, RELEASE, EVAPORATION = 42.336, 6.048, 0.28452


def diagnosis(edit_model, change) -> str:
    net = load_network(edit_model(change), **WEEK)
    with pytest.raises(SolveError) as info:
        optimise(net)
    return str(info.value)


def test_an_unreachable_end_target_is_named(edit_model):
    def change(raw):
        raw["reservoirs"]["upper"]["storage_final_min_hm3"] = 2000

    text = diagnosis(edit_model, change)
    short = 2000 - (1200 + INFLOW - RELEASE - EVAPORATION)  # 763.9965
    assert text == (
        "the model is infeasible. Relaxing this alone makes it feasible:\n"
        "  reservoir end target (storage_final_min_hm3): reservoir upper is short "
        f"by {short:,.3f} hm3 at the end of the run"
    )


def test_end_target_and_minimum_release_are_alternatives(edit_model):
    # releasing 500 m3/s for a week (302.4 hm3) cannot end at the initial 1200 hm3 (the
    # default end target): relaxing either the release or the end target alone will do
    def change(raw):
        raw["reservoirs"]["upper"]["min_release_m3s"] = 500

    text = diagnosis(edit_model, change)
    assert text.startswith(
        "the model is infeasible. Relaxing any one of these alone makes it feasible:\n"
    )
    assert "(a) reservoir minimum release: reservoir upper is short by" in text
    end_short = 500 * 7 * 0.0864 - (INFLOW - EVAPORATION)  # 260.34852
    assert (
        "(b) reservoir end target (storage_final_min_hm3): reservoir upper is short by "
        f"{end_short:,.3f} hm3 at the end of the run"
    ) in text
    assert "balance" not in text


def test_an_impossible_minimum_release_is_named(edit_model):
    # 3000 m3/s for a week is 1814.4 hm3; the lake has 800 above its floor plus the inflow
    def change(raw):
        raw["reservoirs"]["upper"]["min_release_m3s"] = 3000
        raw["reservoirs"]["upper"]["storage_final_min_hm3"] = 400

    text = diagnosis(edit_model, change)
    short = 3000 * 7 * 0.0864 - (1200 - 400 + INFLOW - EVAPORATION)  # 972.34852
    assert text.startswith(
        "the model is infeasible. Relaxing this alone makes it "
        "feasible:\n  reservoir minimum release: reservoir upper is short "
        f"by {short:,.3f} hm3 over the run, first at 2024-10-0"
    )


def test_an_impossible_reach_minimum_flow_is_named(edit_model):
    # with every end target held, what passes the confluence is the week's inflow
    # (70 + 10 + 10 m3/s) less evaporation; the reach must carry 5000 m3/s
    def change(raw):
        raw["reaches"]["lower_river"]["min_flow_m3s"] = 5000

    text = diagnosis(edit_model, change)
    short = 5000 * 7 * 0.0864 - (90 * 7 * 0.0864 - EVAPORATION)  # 2969.85252
    assert text == (
        "the model is infeasible. Relaxing this alone makes it feasible:\n"
        f"  reach minimum flow: reach lower_river is short by {short:,.3f} hm3 "
        "over the run, first at 2024-10-01 00:00"
    )


def test_an_impossible_sink_minimum_inflow_is_named(edit_model):
    def change(raw):
        raw["sinks"]["sea"] = {"min_inflow_m3s": 5000}  # hard: no shortfall cost

    text = diagnosis(edit_model, change)
    assert text.startswith(
        "the model is infeasible. Relaxing this alone makes it feasible:\n"
        "  sink minimum inflow: sink sea is short by "
    )
    assert "balance" not in text and "reservoir" not in text


def test_a_storage_unit_end_state_it_cannot_reach_is_named(edit_model):
    # 0.1 MW of charging for 168 hours stores 0.1 * 168 * sqrt(0.88) = 15.7598 MWh
    def change(raw):
        raw["storage_units"]["battery_south"].update(power_mw=0.1, soc_final_min_mwh=80)

    text = diagnosis(edit_model, change)
    short = 80 - 0.1 * 168 * 0.88**0.5  # 64.2402
    assert text == (
        "the model is infeasible. Relaxing this alone makes it feasible:\n"
        "  storage unit end-of-horizon state of charge: storage_unit "
        f"battery_south is short by {short:,.3f} MWh at the end of the run"
    )
