"""Small generator LPs derived by hand for mutants of `vakhsh.math.power.add_generators` that
no selected test killed (mutmut, issue 15, session 11). Solved for real by HiGHS.

Two hourly steps from 2030-01-01 00:00 (h = 1, so MW and MWh agree).
"""

from __future__ import annotations

import pytest
import yaml

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
