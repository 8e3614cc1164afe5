"""Small generator LPs derived by hand for mutants of `vakhsh.math.power.add_generators` that
no selected test killed (mutmut, issue 15, session 11). Solved for real by HiGHS.

Two hourly steps from 2030-01-01 00:00 (h = 1, so MW and MWh agree).
"""

from __future__ import annotations

import pytest
import yaml

import vakhsh
from vakhsh.errors import SolveError
from vakhsh.plan import plan

REL = 1e-6


def test_a_dear_must_run_candidate_is_not_built(tmp_path):
    # Bus N: 10 MW of load for 2 h; existing gas at 50 USD/MWh (100 MW). A candidate CHP at
    # 60 USD/MWh, free to build (capex 0), must run at half its size (min_capacity_factor
    # 0.5). Every MW it runs costs 10 USD more than gas, so it is not built:
    #   cost = 2 h * 10 MW * 50 USD/MWh = 1,000 USD, size 0.
    # The must-run of a candidate is a row over its size (p >= 0.5 * size), never a fixed
    # lower bound: read as a bound (mutants _52 `sized = None`, _53 `extendable_ids(None)`)
    # it is 0.5 * 1 MW per MW of size = 0.5 MW, which forces 0.5 MW built and run:
    #   1,000 + 2 h * 0.5 MW * (60 - 50) = 1,010 USD.
    raw = {
        "format": 1,
        "name": "tiny",
        "time": {"start": "2030-01-01 00:00", "end": "2030-01-01 02:00", "step": "1h"},
        "discount_rate": 0.05,
        "buses": {"N": {"voll_usd_per_mwh": 1000}},
        "loads": {"demand": {"bus": "N", "p_mw": 10}},
        "generators": {"gas": {"bus": "N", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 50}},
        "candidates": {
            "chp": {
                "component": "generators",
                "template": {
                    "bus": "N",
                    "marginal_cost_usd_per_mwh": 60,
                    "min_capacity_factor": 0.5,
                },
                "capex_usd_per_kw": 0,
                "lifetime_years": 20,
                "max_build_mw": 500,
            }
        },
    }
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = plan(tmp_path, ranking=False, results=False)
    assert result.builds["chp"][2030] == pytest.approx(0.0, abs=1e-6)
    assert result.objective_usd == pytest.approx(2 * 10 * 50, rel=REL)


def test_a_must_run_nobody_can_take_is_named_in_mwh(tmp_path):
    # Bus A: 0.5 MW of load for two 2-hour steps, no line, no market, no storage. The only
    # generator `chp` (2 MW) must run at half its capacity: 1 MW, 0.5 MW more than the bus
    # can take (unserved energy cannot be negative), so the model is infeasible and the
    # diagnosis names the must-run. Its slack is 0.5 MW in each step:
    #   0.5 MW * 2 steps * 2 h = 2 MWh short over the run.
    # (Before session 11 the diagnosis scaled this MW slack as a flow, x k = 0.0072 hm3
    # per m3/s-step, and printed "0.007 hm3".) With the must-run row left out of the
    # elastic build (mutants _106-_131: `or`, `> 1` for a must-run of exactly 1 MW, a None
    # slack, name, coords or row), with the must-run kept as a hard bound (_81) or a 1 MW
    # bound on every generator (_83), this message cannot come out.
    raw = {
        "format": 1,
        "name": "tiny",
        "time": {"start": "2023-01-01 00:00", "end": "2023-01-01 04:00", "step": "2h"},
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"load_a": {"bus": "A", "p_mw": 0.5}},
        "generators": {
            "chp": {
                "bus": "A",
                "capacity_mw": 2,
                "marginal_cost_usd_per_mwh": 60,
                "min_capacity_factor": 0.5,
            }
        },
    }
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(SolveError) as info:
        vakhsh.optimise(vakhsh.load(tmp_path), vakhsh.SolveOptions())
    assert str(info.value) == (
        "the model is infeasible. Relaxing this alone makes it feasible:\n"
        "  generator must-run output (min_capacity_factor): generator chp is short by "
        "2.000 MWh over the run, first at 2023-01-01 00:00"
    )
