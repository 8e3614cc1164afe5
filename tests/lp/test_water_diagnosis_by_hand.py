"""The diagnosis of a small infeasible reservoir, derived by hand, for mutants of
`vakhsh.math.water.add_elastic_storage` that no selected test killed (mutmut, issue 15,
session 11): no other selected test has a storage floor that cannot be kept, so the floor's
elastic row (its scale, slack sign, family text, dimension and "at worst" reading) was
never checked. Solved for real by HiGHS.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import vakhsh
from vakhsh.errors import SolveError


def test_a_storage_floor_that_cannot_be_kept_is_named(tmp_path):
    # Reservoir r (floor 50 hm3, full 100 hm3), 60 hm3 at the start,
    # two daily steps (k = 0.0864 hm3 per m3/s-day). Day 1: no inflow and a minimum release
    # of 300 m3/s = 25.92 hm3, so it ends at 60 - 25.92 = 34.08 hm3, 15.92 below the floor.
    # Day 2: 500 m3/s of inflow (43.2 hm3) and no minimum release refill it above 50 (the
    # end target, 0, is met). Either limit alone explains it:
    #   (a) the release is short by 15.92 hm3 (300 - 10 / 0.0864 m3/s on day 1),
    #   (b) the floor by 15.92 hm3 at worst (its largest gap in one step, not a sum).
    # Mutants: _4 (floor x k instead of / k: no floor left to break, (b) gone), _33/_18/_23
    # (level False or dropped: "over the run"), _16/_29/_30 (family text), _17/_31/_32 (the
    # dimension's name), _38 (slack with the wrong sign: the floor cannot be relaxed).
    raw = {
        "format": 1,
        "name": "tiny",
        "time": {"start": "2023-01-01", "end": "2023-01-03", "step": "1D"},
        "reservoirs": {
            "r": {
                "storage_max_hm3": 100,
                "storage_min_hm3": 50,
                "storage_initial_hm3": 60,
                "storage_final_min_hm3": 0,
                "min_release_m3s": "series:flows.csv#release",
                "spill_to": "sea",
            }
        },
        "catchments": {"river": {"to": "r", "inflow_m3s": "series:flows.csv#river"}},
        "sinks": {"sea": {}},
    }
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    flows = {"time": ["2023-01-01", "2023-01-02"], "river": [0, 500], "release": [300, 0]}
    pd.DataFrame(flows).to_csv(tmp_path / "flows.csv", index=False)
    with pytest.raises(SolveError) as info:
        vakhsh.optimise(vakhsh.load(tmp_path), vakhsh.SolveOptions())
    short = 300 * 0.0864 - (60 - 50)  # 15.92 hm3
    assert str(info.value) == (
        "the model is infeasible. Relaxing any one of these alone makes it feasible:\n"
        f"  (a) reservoir minimum release: reservoir r is short by {short:,.3f} hm3 over the "
        "run, first at 2023-01-01 00:00\n"
        "  (b) reservoir minimum storage (storage_min_hm3): reservoir r is short by "
        f"{short:,.3f} hm3 at worst, first at 2023-01-01 00:00"
    )


def _diagnosis(folder, raw: dict) -> str:
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(SolveError) as info:
        vakhsh.optimise(vakhsh.load(folder), vakhsh.SolveOptions())
    return str(info.value)


# an empty 100 hm3 reservoir that may end empty (the two tests that need water it lacks)
EMPTY_LAKE = {
    "storage_max_hm3": 100,
    "storage_min_hm3": 0,
    "storage_initial_hm3": 0,
    "storage_final_min_hm3": 0,
}
TWO_DAYS = {"start": "2023-01-01", "end": "2023-01-03", "step": "1D"}
LAST_RESORT = (
    "the model is infeasible, and no set of up to two limits explains it. Relaxing every "
    "hard constraint (water from nowhere last) shows where:\n"
)


def test_a_junction_that_cannot_pass_its_water_on_is_named(tmp_path):
    # 50 m3/s reach junction j, whose only way out carries at most 30 m3/s (a bound, not a
    # limit with a slack): only the junction's own balance can give, by the 20 m3/s it
    # cannot pass on over two days: 20 * 2 * 0.0864 = 3.456 hm3. Kills the mutants of the
    # junction balance's elastic slacks (session 20: no test model was infeasible in a way
    # only they explain): their texts, dimension and sign.
    raw = {
        "format": 1,
        "name": "tiny",
        "time": TWO_DAYS,
        "junctions": {"j": {}},
        "sinks": {"sea": {}},
        "catchments": {"river": {"to": "j", "inflow_m3s": 50}},
        "reaches": {"race": {"from": "j", "to": "sea", "max_flow_m3s": 30}},
    }
    assert _diagnosis(tmp_path, raw) == LAST_RESORT + (
        "  junction balance (water it cannot pass on): junction j is short by "
        f"{20 * 2 * 0.0864:,.3f} hm3 over the run, first at 2023-01-01 00:00"
    )


def test_a_reservoir_that_evaporates_water_it_does_not_have_is_named(tmp_path):
    # Reservoir r is empty, gets no inflow and has 100 km2 of water surface at any storage;
    # 310 mm evaporate in January, 10 mm a day: 1e8 m2 * 0.010 m = 1 hm3 a day, 2 hm3 over
    # the two days, which only the reservoir's own balance can give ("water it cannot
    # have"). Kills the mutants of the reservoir balance's elastic slack: text, dimension,
    # sign.
    raw = {
        "format": 1,
        "name": "tiny",
        "time": TWO_DAYS,
        "reservoirs": {
            "r": {
                **EMPTY_LAKE,
                "spill_to": "sea",
                "area_curve": [[0, 100], [100, 100]],
                "evaporation_mm_per_month": [310] * 12,
            }
        },
        "sinks": {"sea": {}},
    }
    assert _diagnosis(tmp_path, raw) == LAST_RESORT + (
        "  reservoir balance (water it cannot have): reservoir r is short by 2.000 hm3 over "
        "the run, first at 2023-01-01 00:00"
    )


def test_three_limits_take_the_blame_before_water_from_nowhere(tmp_path):
    # Reservoir r is empty and gets nothing, yet must release 10 m3/s into junction j, whose
    # reach must carry 10 m3/s to sink s, which must receive 10 m3/s: three limit families,
    # so no set of two explains it. Relaxed all at once, either the three limits give (10
    # m3/s each) or r's balance does (10 m3/s of water from nowhere covers all three). A
    # balance slack costs ten times a limit's, so the limits (3 x 1) are blamed, not the
    # balance (1 x 10). Kills elastic_slack's weight mutants (session 23): balance slacks
    # cheaper than limits, or both priced alike, put the blame on the water.
    raw = {
        "format": 1,
        "name": "tiny",
        "time": TWO_DAYS,
        "reservoirs": {
            "r": {
                **EMPTY_LAKE,
                "min_release_m3s": 10,
                "spill_to": "j",
            }
        },
        "junctions": {"j": {}},
        "reaches": {"race": {"from": "j", "to": "s", "min_flow_m3s": 10}},
        "sinks": {"s": {"min_inflow_m3s": 10}},
    }
    short = 10 * 2 * 0.0864  # hm3 over the two days
    diagnosis = _diagnosis(tmp_path, raw)
    assert diagnosis.startswith(LAST_RESORT)
    assert "water it cannot have" not in diagnosis
    for limit in (
        f"reservoir minimum release: reservoir r is short by {short:,.3f} hm3",
        f"reach race is short by {short:,.3f} hm3",
        f"sink s is short by {short:,.3f} hm3",
    ):
        assert limit in diagnosis, diagnosis
