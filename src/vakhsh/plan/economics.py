"""Annuities, present values and the per-unit figures of an investment.

    crf(r, n)        = r (1 + r)^n / ((1 + r)^n - 1)            (1 / n when r = 0)
    annual cost      = capex * crf(r, n) + fixed O&M           USD per kW-year
    charge of a run  = annual cost * size_kw * run hours / 8760
    NPV              = (annual benefit - annual cost) / crf(r, n)
                     = -capex + sum_{t=1..n} (benefit - fom) / (1 + r)^t
    LCOE             = annual cost / annual energy             USD per MWh

A plan over investment years y_0 < y_1 < ... gives year y_i the discounted weight of the
calendar years it stands for, y_i .. y_{i+1} - 1 (the last one as many years as the gap
before it, or one year when it is the only one):

    W_i = sum_{t = y_i}^{y_{i+1} - 1} (1 + r)^-(t - y_0)
"""

from __future__ import annotations

from collections.abc import Sequence

HOURS_PER_YEAR = 8760.0


def capital_recovery_factor(rate: float, years: float) -> float:
    """r(1+r)^n / ((1+r)^n - 1); 1/n at r = 0."""
    if years <= 0:
        raise ValueError("lifetime must be positive")
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def annual_cost_usd_per_mw(
    capex_usd_per_kw: float, fom_usd_per_kw_year: float, lifetime_years: float, rate: float
) -> float:
    """Annualised capital plus fixed O&M, USD per MW and year."""
    return 1e3 * (
        capex_usd_per_kw * capital_recovery_factor(rate, lifetime_years) + fom_usd_per_kw_year
    )


def year_share(run_hours: float) -> float:
    """Share of a year that a run covers (the annuity is charged for it)."""
    return run_hours / HOURS_PER_YEAR


def npv(
    annual_benefit_usd: float, annual_cost_usd: float, rate: float, lifetime_years: float
) -> float:
    """Net present value over the lifetime, capital paid at the start."""
    return (annual_benefit_usd - annual_cost_usd) / capital_recovery_factor(rate, lifetime_years)


def lcoe(annual_cost_usd: float, annual_energy_mwh: float) -> float | None:
    """Levelised cost of the energy produced (None when it produces none)."""
    if annual_energy_mwh <= 1e-9:
        return None
    return annual_cost_usd / annual_energy_mwh


def period_weights(years: Sequence[int], rate: float) -> list[float]:
    """Discounted number of calendar years each investment year stands for."""
    years = list(years)
    if not years:
        return []
    if any(b <= a for a, b in zip(years, years[1:], strict=False)):
        raise ValueError("investment years must increase")
    gaps = [b - a for a, b in zip(years, years[1:], strict=False)]
    gaps.append(gaps[-1] if gaps else 1)
    first = years[0]
    return [
        sum((1.0 + rate) ** -(y + t - first) for t in range(gap))
        for y, gap in zip(years, gaps, strict=True)
    ]
