"""Thin data: a plausible ensemble from a monthly climatology and an interannual CV.

Most Central Asian catchments have only long-term monthly means and, at best, the
coefficient of variation of annual flow. This module turns those into an ensemble under
stated assumptions:

    Q[y, m, c] = clim[m, c] * A[y, c] * w[y, m, c] * V[c] / sum_m(days[y, m] * clim[m, c] * w[y, m, c])

* ``A[y, c]`` — the annual factor: lognormal with mean 1 and CV ``cv_annual[c]``, an AR(1)
  from year to year (lag-1 ``annual_lag1``) and correlated between catchments
  (``annual_cross``). Each year's volume is exactly ``A`` times the climatological volume
  ``V[c] = sum_m days * clim``: the annual CV and the mean are those given.
* ``w[y, m, c]`` — within-year wobble: lognormal with log-sd ``month_sd``, an AR(1) from month
  to month (``month_lag1``), correlated between catchments like A. It changes the shape of a
  year, not its volume; monthly means stay the climatology (up to the small bias of the
  normalisation, which the tests bound).

Defaults (see :class:`ThinParams`) are *derived* from the GSIM gauges shipped in
``tests/hydrology/data`` (Vakhsh at Garm 1936–86, Naryn at Uch-Kurgan 1938–72, Kokcha at
Khojaghar 1964–78; Gudmundsson et al. 2018, doi:10.1594/PANGAEA.887470) or are assumptions,
as labelled. When a catchment's ``cv_annual`` is missing, :func:`cv_with_fallback` fills it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.hydrology._linalg import cholesky_psd, nearest_psd
from vakhsh.hydrology.ensemble import (
    calendar_years_needed,
    fresh_seed,
    from_calendar_array,
    member_generators,
    month_start,
)
from vakhsh.hydrology.errors import InflowError
from vakhsh.hydrology.par import log_correlation
from vakhsh.hydrology.stats import MonthlyStats

FALLBACK_CV = (
    0.20  # assumption: near the median of the natural GSIM gauges (0.14-0.23, rivers_monthly.csv)
)


@dataclass(frozen=True)
class ThinParams:
    """Assumed structure of a thin-data ensemble. Values and where they come from:

    * ``annual_lag1`` 0.03 — derived: mean of the lag-1 correlations of calendar-year flow at
      Garm (0.01), Uch-Kurgan 1938–72 (0.14) and Kokcha (-0.04).
    * ``annual_cross`` 0.66 — derived: mean of the pairwise correlations of calendar-year flow
      of the same three gauges (0.76, 0.65, 0.58); one value for every pair is an assumption.
    * ``month_sd`` 0.17 — derived: mean log-sd of monthly flow about (annual factor x
      climatology) at the three gauges (0.14, 0.19, 0.19).
    * ``month_lag1`` 0.37 — derived: mean month-to-month lag-1 correlation of that wobble at
      the three gauges (0.32, 0.33, 0.45).

    :func:`estimate_thin_params` recomputes all four from any multi-gauge record.
    """

    annual_lag1: float = 0.03
    annual_cross: float = 0.66
    month_sd: float = 0.17
    month_lag1: float = 0.37


def estimate_thin_params(record: pd.DataFrame) -> ThinParams:
    """The four :class:`ThinParams` estimated from a multi-gauge monthly record (gaps allowed).

    Calendar years complete at a gauge give its annual means ``A``; the annual lag-1 and
    pairwise correlations are averaged over gauges and pairs. The wobble is
    ``log(Q / (A * clim))``: its standard deviation and month-to-month lag-1 correlation
    (within and across years) are averaged over gauges.
    """
    from vakhsh.hydrology.records import to_monthly, to_year_month
    from vakhsh.hydrology.stats import _paircorr

    arr, _ = to_year_month(to_monthly(record))  # (year, 12, g)
    g = arr.shape[2]
    complete = ~np.isnan(arr).any(axis=1)  # (year, g)
    annual = np.where(complete, arr.mean(axis=1), np.nan)
    lag = [_paircorr(annual[1:, k], annual[:-1, k]) for k in range(g)]
    pairs = [_paircorr(annual[:, i], annual[:, j]) for i in range(g) for j in range(i + 1, g)]
    clim = np.nanmean(arr, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        wob = np.log(arr / (annual[:, None, :] / clim.mean(axis=0) * clim))
    flat = wob.reshape(-1, g)
    sd = np.nanstd(flat, axis=0)
    wl = [_paircorr(flat[1:, k], flat[:-1, k]) for k in range(g)]
    return ThinParams(
        annual_lag1=float(np.nanmean(lag)),
        annual_cross=float(np.nanmean(pairs)) if pairs else ThinParams().annual_cross,
        month_sd=float(np.nanmean(sd)),
        month_lag1=float(np.nanmean(wl)),
    )


@dataclass(frozen=True)
class ThinModel:
    gauges: list[str]
    clim: np.ndarray  # (12, G) m3/s
    cv_annual: np.ndarray  # (G,)
    params: ThinParams
    notes: list[str] = field(default_factory=list)
    method: str = "thin"

    @property
    def target(self) -> MonthlyStats:
        """What the method promises: monthly means = climatology, annual CV as given."""
        nan = pd.DataFrame(np.nan, index=pd.Index(range(1, 13), name="month"), columns=self.gauges)
        g = len(self.gauges)
        return MonthlyStats(
            mean=pd.DataFrame(self.clim, index=nan.index, columns=self.gauges),
            std=nan,
            skew=nan,
            lag1=nan,
            minimum=nan,
            count=nan,
            cross=np.full((12, g, g), np.nan),
            cv_annual=pd.Series(self.cv_annual, index=self.gauges),
            lag1_annual=pd.Series(self.params.annual_lag1, index=self.gauges),
        )

    def generate(
        self, n_years: int, n_members: int = 1, seed: int | None = None, start="2000-01-01"
    ) -> xr.DataArray:
        seed = fresh_seed() if seed is None else int(seed)
        start = month_start(start)
        ny = calendar_years_needed(n_years, start)
        values = simulate_thin(self, ny, n_members, seed, start.year)
        p = self.params
        attrs = {
            "method": self.method,
            "seed": seed,
            "climate": "none",
            "notes": "; ".join(self.notes),
            "thin_params": f"annual_lag1={p.annual_lag1}, annual_cross={p.annual_cross}, "
            f"month_sd={p.month_sd}, month_lag1={p.month_lag1}",
        }
        return from_calendar_array(values, start, n_years, self.gauges, attrs)


def fit_thin(
    clim: pd.DataFrame,
    cv_annual: pd.Series,
    params: ThinParams | None = None,
    notes: list[str] | None = None,
) -> ThinModel:
    """A thin-data model from a climatology (index = month 1..12, columns = catchments) and a CV
    per catchment (no NaN: fill them first with :func:`cv_with_fallback`)."""
    clim = clim.sort_index()
    if list(clim.index) != list(range(1, 13)):
        raise InflowError("climatology", "month", "needs months 1..12")
    gauges = [str(c) for c in clim.columns]
    c = clim.to_numpy(dtype=float)
    if np.isnan(c).any() or (c < 0).any():
        raise InflowError(
            "climatology",
            gauges[int(np.argwhere(~(c >= 0))[0][1])],
            "missing or negative monthly flow",
        )
    cv = cv_annual.reindex(gauges).to_numpy(dtype=float)
    if np.isnan(cv).any() or (cv < 0).any():
        raise InflowError(
            "inflow_stats.csv", "cv_annual", "missing or negative (fill with cv_with_fallback)"
        )
    return ThinModel(gauges, c, cv, params or ThinParams(), list(notes or []))


def _ar1_filter(x: np.ndarray, phi: float, axis: int) -> np.ndarray:
    """Stationary unit-variance AR(1) along ``axis`` from independent N(0,1) ``x``;
    the first element is taken as the stationary start."""
    from scipy import signal  # here, not at the top: scipy's import is paid by every command

    x = np.moveaxis(x, axis, 0).copy()
    first = x[0].copy()
    # y[t] = phi * y[t-1] + sqrt(1 - phi^2) * x[t], started from y[0] = x[0]
    y, _ = signal.lfilter([np.sqrt(1 - phi**2)], [1.0, -phi], x[1:], axis=0, zi=(phi * first)[None])
    return np.moveaxis(np.concatenate([first[None], y]), 0, axis)


def simulate_thin(
    model: ThinModel, n_years: int, n_members: int, seed: int, first_year: int = 2000
) -> np.ndarray:
    """Flows ``(member, year, 12, gauge)`` for calendar years from ``first_year``."""
    p = model.params
    g = len(model.gauges)
    rngs = member_generators(seed, n_members)
    draws = np.empty((n_members, n_years + 12 * n_years, g))  # (M, Y + 12Y, G)
    for k, r in enumerate(rngs):
        r.standard_normal(out=draws[k])
    ea, ew = draws[:, :n_years], draws[:, n_years:]
    cv = model.cv_annual
    s_a = np.sqrt(np.log1p(cv**2))
    rho = np.full((g, g), p.annual_cross)
    np.fill_diagonal(rho, 1.0)
    r_a = log_correlation(rho, cv[:, None], cv[None, :], s_a[:, None], s_a[None, :])
    r_a = np.where(np.isfinite(r_a), r_a, 0.0)
    np.fill_diagonal(r_a, 1.0)
    r_a, _ = nearest_psd(np.clip(r_a, -0.999, 0.999))
    za = _ar1_filter(ea @ cholesky_psd(r_a).T, p.annual_lag1, axis=1)
    a = np.exp(s_a * za - s_a**2 / 2)  # (M, Y, G), mean 1, CV cv
    r_w, _ = nearest_psd(rho)
    zw = _ar1_filter(ew @ cholesky_psd(r_w).T, p.month_lag1, axis=1).reshape(
        n_members, n_years, 12, g
    )
    zw *= p.month_sd
    zw -= p.month_sd**2 / 2
    shape = np.exp(zw, out=zw)
    shape *= model.clim  # (M, Y, 12, G): clim * w
    years = np.arange(first_year, first_year + n_years)
    days = np.array(
        [[pd.Timestamp(year=y, month=m, day=1).days_in_month for m in range(1, 13)] for y in years],
        float,
    )
    vol_shape = np.matmul(days[None, :, None, :], shape)[:, :, 0, :]  # (M, Y, G)
    vol_clim = (days @ model.clim)[None]  # (1, Y, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(vol_shape > 0, a * vol_clim / vol_shape, 0.0)
    shape *= scale[:, :, None, :]
    return shape


# ---------------------------------------------------------------- missing CVs
def expected_normal_range(n: int) -> float:
    """E[max - min] of n independent standard normal values (d2 of quality control)."""
    from scipy import integrate, stats  # scipy.stats alone takes 1.6 s to import

    f = lambda x: 1 - stats.norm.cdf(x) ** n - stats.norm.sf(x) ** n  # noqa: E731
    return float(integrate.quad(f, -np.inf, np.inf)[0])


def _record_years(text) -> int | None:
    m = re.search(r"(\d{4})\s*[-–]\s*(\d{4})", str(text or ""))
    return int(m.group(2)) - int(m.group(1)) + 1 if m else None


def cv_with_fallback(table: pd.DataFrame, clim: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """CV of annual flow per catchment of ``clim``, with the documented fallbacks.

    ``table`` has the columns of ``inflow_stats.csv`` (``catchment, cv_annual,
    driest_year_mean_m3s, wettest_year_mean_m3s, record_period, ...``). For each catchment:
    1. ``cv_annual`` when given;
    2. else, with driest and wettest annual means and a ``record_period`` "YYYY-YYYY" of n >= 5
       years: (wettest - driest) / (mean annual flow * E[range of n normals]);
    3. else the median of the CVs found in 1-2 for other catchments;
    4. else 0.20 (assumption: near the median of the natural GSIM gauges).
    Returns (cv, notes saying which rule gave each value).
    """
    gauges = [str(c) for c in clim.columns]
    t = table.copy()
    if "catchment" in t.columns:
        t = t.set_index("catchment")
    t.index = t.index.astype(str)
    out = pd.Series(np.nan, index=gauges)
    how: dict[str, str] = {}
    mean_annual = clim.mean()
    for c in gauges:
        if c not in t.index:
            continue
        row = t.loc[c]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        cv = pd.to_numeric(row.get("cv_annual"), errors="coerce")
        if pd.notna(cv):
            out[c], how[c] = float(cv), "given"
            continue
        lo = pd.to_numeric(row.get("driest_year_mean_m3s"), errors="coerce")
        hi = pd.to_numeric(row.get("wettest_year_mean_m3s"), errors="coerce")
        n = _record_years(row.get("record_period"))
        if pd.notna(lo) and pd.notna(hi) and n and n >= 5 and hi > lo:
            out[c] = float((hi - lo) / (mean_annual[c] * expected_normal_range(n)))
            how[c] = f"from driest/wettest years over {n} years"
    known = out.dropna()
    for c in gauges:
        if pd.isna(out[c]):
            if len(known):
                out[c], how[c] = float(known.median()), "median of the other catchments"
            else:
                out[c], how[c] = FALLBACK_CV, "assumption 0.20"
    notes = [f"cv_annual {c}={out[c]:.3f} ({how[c]})" for c in gauges]
    return out, notes
