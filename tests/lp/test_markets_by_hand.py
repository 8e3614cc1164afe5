"""A small power LP derived by hand for mutants of `vakhsh.math.power.add_markets` that no
selected test killed (mutmut, issue 15): a market that does not exist yet must trade
nothing. Session 9's survivors `add_markets__mutmut_39` and `_64` gave an inactive market
1 MW of export and of import capacity instead of 0 (and `_28`, `_30`, `_53`, `_55` a NaN
bound). No other selected test has a market with `available_from`.

Two hourly steps from 2023-01-01 00:00 (h = 1, MW and MWh agree). Solved for real by HiGHS.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.lp.two_hours import REL, TIME


def test_a_market_trades_nothing_before_it_exists(model_folder, solve):
    # Bus A: 10 MW of load, one dear unit (100 USD/MWh, 100 MW). Two markets at A, both
    # existing only from hour 1: `buy` (50 USD/MWh, import up to 5 MW) and `sell`
    # (200 USD/MWh, export up to 5 MW).
    #   hour 0: no market, dear serves the load:             10 * 100          = 1,000 USD
    #   hour 1: import 5 at 50, export 5 at 200, dear runs 10 + 5 - 5 = 10 MW:
    #           5 * 50 + 10 * 100 - 5 * 200                                   =   250 USD
    #   total 1,250 USD.
    # With 1 MW of import in hour 0 (mutant _64): 1 MW at 50 instead of 100, 1,200 USD.
    # With 1 MW of export in hour 0 (mutant _39): 1 MW more of dear sold at 200, 1,150 USD.
    model = {
        "buses": {"A": {"voll_usd_per_mwh": 1000}},
        "loads": {"load_a": {"bus": "A", "p_mw": 10}},
        "generators": {"dear": {"bus": "A", "capacity_mw": 100, "marginal_cost_usd_per_mwh": 100}},
        "markets": {
            "buy": {
                "bus": "A",
                "price_usd_per_mwh": 50,
                "max_import_mw": 5,
                "available_from": "2023-01-01 01:00",
            },
            "sell": {
                "bus": "A",
                "price_usd_per_mwh": 200,
                "max_export_mw": 5,
                "available_from": "2023-01-01 01:00",
            },
        },
    }
    res = solve(model_folder(model, time=TIME))
    assert res.objective_usd == pytest.approx(1000 + 250, rel=REL)
    ds = res.dataset
    np.testing.assert_allclose(ds["market_import_mw"].sel(market="buy").values, [0, 5], atol=1e-7)
    np.testing.assert_allclose(ds["market_export_mw"].sel(market="sell").values, [0, 5], atol=1e-7)
    np.testing.assert_allclose(
        ds["generator_p_mw"].sel(generator="dear").values, [10, 10], atol=1e-7
    )
    assert res.audit.passed
