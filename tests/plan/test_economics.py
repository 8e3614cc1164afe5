"""Annuity arithmetic against numbers worked out by hand."""

import pytest

from vakhsh.plan.economics import (
    annual_cost_usd_per_mw,
    capital_recovery_factor,
    lcoe,
    npv,
    period_weights,
    year_share,
)


def test_capital_recovery_factor_by_hand():
    # 0.08 * 1.08^25 / (1.08^25 - 1) = 0.08 * 6.848475 / 5.848475
    assert capital_recovery_factor(0.08, 25) == pytest.approx(0.0936788, rel=1e-6)
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)
    assert capital_recovery_factor(0.10, 1) == pytest.approx(1.10)


def test_annual_cost_and_run_share():
    # toy-cascade solar: 700 USD/kW over 25 years at 8 %, plus 12 USD/kW-year
    annual = annual_cost_usd_per_mw(700, 12, 25, 0.08)
    assert annual == pytest.approx(1e3 * (700 * 0.0936788 + 12), rel=1e-6)
    assert year_share(24) == pytest.approx(24 / 8760)


def test_npv_is_discounted_net_benefit():
    # capex 1000 paid now, benefit 150/yr, fom 0, 10 years at 10 %
    crf = capital_recovery_factor(0.10, 10)
    direct = -1000 + sum(150 / 1.1**t for t in range(1, 11))
    assert npv(150, 1000 * crf, 0.10, 10) == pytest.approx(direct)
    assert lcoe(100.0, 0.0) is None
    assert lcoe(100.0, 4.0) == pytest.approx(25.0)


def test_period_weights():
    assert period_weights([2030], 0.1) == [pytest.approx(1.0)]
    weights = period_weights([2030, 2032], 0.1)
    assert weights[0] == pytest.approx(1 + 1 / 1.1)
    assert weights[1] == pytest.approx(1 / 1.1**2 + 1 / 1.1**3)
    with pytest.raises(ValueError):
        period_weights([2035, 2030], 0.1)
