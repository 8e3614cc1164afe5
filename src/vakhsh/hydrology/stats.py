"""Statistics of a set of gauges: what the generators must preserve, and how well they did.

All statistics are of monthly mean flows in m3/s, by calendar month ``m`` (1..12) and gauge:

* ``mean``, ``std`` (ddof=1) and ``skew`` (moment coefficient g1 = m3 / m2**1.5);
* ``lag1``: correlation of month m with the month before it in the same gauge (January
  with the previous December);
* ``cross``: per calendar month, the correlation between gauges of the same month
  (``cross[m, i, j]``), and ``cross_pooled`` = its mean over the 12 months, which equals
  the correlation of the monthly anomalies standardised by month;
* ``cv_annual`` and ``lag1_annual`` of calendar-year mean flows (complete years only),
  reported for information: a monthly PAR(1) does not fit them.

Records may have gaps (NaN): every statistic uses the pairs present (pairwise complete).
An ensemble (member x time x catchment) pools members: correlations are computed within
members and pooled over them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.hydrology.records import to_monthly, to_year_month

_MONTH_INDEX = pd.Index(range(1, 13), name="month")


@dataclass(frozen=True)
class MonthlyStats:
    """Monthly statistics of G gauges. DataFrames are indexed by month (1..12), columns = gauges."""

    mean: pd.DataFrame
    std: pd.DataFrame
    skew: pd.DataFrame
    lag1: pd.DataFrame
    minimum: pd.DataFrame
    count: pd.DataFrame
    cross: np.ndarray  # (12, G, G)
    cv_annual: pd.Series
    lag1_annual: pd.Series

    @property
    def gauges(self) -> list[str]:
        return list(self.mean.columns)

    @property
    def cross_pooled(self) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            c = np.nanmean(self.cross, axis=0)
        return pd.DataFrame(c, index=self.gauges, columns=self.gauges)

    def to_dataset(self) -> xr.Dataset:
        """The statistics as variables ``target_*`` for storing beside an ensemble."""
        g = self.gauges
        dims = ("month", "catchment")
        coords = {"month": np.arange(1, 13), "catchment": g}
        return xr.Dataset(
            {
                "target_mean_m3s": (dims, self.mean.to_numpy()),
                "target_std_m3s": (dims, self.std.to_numpy()),
                "target_skew": (dims, self.skew.to_numpy()),
                "target_lag1": (dims, self.lag1.to_numpy()),
                "target_cross": (("month", "catchment", "catchment_b"), self.cross),
                "target_cv_annual": (("catchment",), self.cv_annual.to_numpy()),
                "target_lag1_annual": (("catchment",), self.lag1_annual.to_numpy()),
            },
            coords={**coords, "catchment_b": g},
        )

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> MonthlyStats:
        g = [str(c) for c in ds["catchment"].values]
        frame = lambda name: pd.DataFrame(ds[name].values, index=_MONTH_INDEX, columns=g)  # noqa: E731
        nan = pd.DataFrame(np.nan, index=_MONTH_INDEX, columns=g)
        return cls(
            mean=frame("target_mean_m3s"),
            std=frame("target_std_m3s"),
            skew=frame("target_skew"),
            lag1=frame("target_lag1"),
            minimum=nan,
            count=nan,
            cross=np.asarray(ds["target_cross"].values, dtype=float),
            cv_annual=pd.Series(ds["target_cv_annual"].values, index=g),
            lag1_annual=pd.Series(ds["target_lag1_annual"].values, index=g),
        )


def _nanmoments(x: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    n = np.sum(~np.isnan(x), axis=axis)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=axis)
        d = x - np.expand_dims(mean, axis)
        m2 = np.nanmean(d**2, axis=axis)
        m3 = np.nanmean(d**3, axis=axis)
        std = np.sqrt(m2 * n / (n - 1))
        skew = m3 / m2**1.5
    return n, mean, std, skew


def _paircorr(a: np.ndarray, b: np.ndarray, axis: int = 0) -> np.ndarray:
    """Correlation of a and b along ``axis`` over positions where both are present."""
    ok = ~(np.isnan(a) | np.isnan(b))
    a = np.where(ok, a, np.nan)
    b = np.where(ok, b, np.nan)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        da = a - np.nanmean(a, axis=axis, keepdims=True)
        db = b - np.nanmean(b, axis=axis, keepdims=True)
        cov = np.nansum(da * db, axis=axis)
        r = cov / np.sqrt(np.nansum(da**2, axis=axis) * np.nansum(db**2, axis=axis))
    n = ok.sum(axis=axis)
    return np.where(n >= 3, r, np.nan)


def stats_of_array(x: np.ndarray, gauges: list[str]) -> MonthlyStats:
    """Statistics of an array ``(member, year, 12, gauge)`` of monthly flows (NaN = missing)."""
    x = np.asarray(x, dtype=float)
    s, ny, _, g = x.shape
    flat = x.reshape(s * ny, 12, g)
    n, mean, std, skew = _nanmoments(flat, axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        minimum = np.where(n > 0, np.nanmin(np.where(np.isnan(flat), np.inf, flat), axis=0), np.nan)
    # lag-1: month m against month m-1 of the same member; January against last December
    prev = np.concatenate([np.full((s, 1, 1, g), np.nan), x[:, :-1, 11:12, :]], axis=1)
    prev = np.concatenate([prev, x[:, :, :11, :]], axis=2)  # (s, ny, 12, g): value of month before
    lag1 = _paircorr(x.reshape(s * ny, 12, g), prev.reshape(s * ny, 12, g), axis=0)
    # cross-gauge correlation per month
    cross = np.full((12, g, g), np.nan)
    for m in range(12):
        block = flat[:, m, :]
        rows = ~np.isnan(block).any(axis=1)
        if rows.all() or rows.sum() == np.sum(~np.isnan(block).all(axis=1)):
            # no partial rows: one fast corrcoef
            b = block[rows]
            if len(b) >= 3:
                with np.errstate(invalid="ignore", divide="ignore"):
                    cross[m] = np.corrcoef(b, rowvar=False) if g > 1 else 1.0
            continue
        for i in range(g):
            cross[m, i, i] = 1.0
            for j in range(i + 1, g):
                cross[m, i, j] = cross[m, j, i] = _paircorr(block[:, i], block[:, j])
    # annual (calendar years complete in every month)
    annual = x.mean(axis=2)  # NaN when any month missing
    flat_a = annual.reshape(s * ny, g)
    _, amean, astd, _ = _nanmoments(flat_a, axis=0)
    cv_annual = astd / amean
    lag1_annual = _paircorr(
        annual[:, 1:, :].reshape(-1, g), annual[:, :-1, :].reshape(-1, g), axis=0
    )

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=_MONTH_INDEX, columns=list(gauges))

    return MonthlyStats(
        mean=frame(mean),
        std=frame(std),
        skew=frame(skew),
        lag1=frame(lag1),
        minimum=frame(minimum),
        count=frame(n.astype(float)),
        cross=cross,
        cv_annual=pd.Series(cv_annual, index=list(gauges)),
        lag1_annual=pd.Series(lag1_annual, index=list(gauges)),
    )


def lagged_cross(x: np.ndarray) -> np.ndarray:
    """``r[m, i, j]`` = correlation of gauge i in month m with gauge j in the month before,
    from an array ``(member, year, 12, gauge)``; pairwise complete. Its diagonal is ``lag1``."""
    x = np.asarray(x, dtype=float)
    s, ny, _, g = x.shape
    prev = np.concatenate([np.full((s, 1, 1, g), np.nan), x[:, :-1, 11:12, :]], axis=1)
    prev = np.concatenate([prev, x[:, :, :11, :]], axis=2)
    a = x.reshape(s * ny, 12, g)[:, :, :, None]
    b = prev.reshape(s * ny, 12, g)[:, :, None, :]
    return _paircorr(
        np.broadcast_to(a, a.shape[:2] + (g, g)), np.broadcast_to(b, b.shape[:2] + (g, g)), axis=0
    )


def monthly_stats(df: pd.DataFrame) -> MonthlyStats:
    """Statistics of a record: DataFrame indexed by time (monthly or daily), one column per gauge."""
    monthly = to_monthly(df)
    arr, _ = to_year_month(monthly)
    return stats_of_array(arr[None], [str(c) for c in monthly.columns])


def ensemble_array(da: xr.DataArray) -> np.ndarray:
    """An ensemble DataArray (member, time, catchment) as ``(member, year, 12, catchment)``."""
    da = da.transpose("member", "time", "catchment")
    idx = pd.DatetimeIndex(da["time"].values)
    y0 = idx.year.min()
    ny = idx.year.max() - y0 + 1
    out = np.full((da.sizes["member"], ny, 12, da.sizes["catchment"]), np.nan)
    out[:, idx.year - y0, idx.month - 1, :] = np.asarray(da.values, dtype=float)
    return out


def ensemble_stats(da: xr.DataArray) -> MonthlyStats:
    """Statistics of an ensemble, pooled over members."""
    return stats_of_array(ensemble_array(da), [str(c) for c in da["catchment"].values])


def compare(target: MonthlyStats, achieved: MonthlyStats) -> pd.DataFrame:
    """One row per gauge and statistic: target, achieved and the worst month's error.

    Errors: relative for ``mean`` and ``std`` (achieved/target - 1), absolute for ``skew``,
    ``lag1`` and ``cross`` (the pooled cross-gauge correlation, one row per gauge pair), and
    for the annual statistics.
    """
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _compare_rows(target, achieved, rows)


def _compare_rows(target: MonthlyStats, achieved: MonthlyStats, rows: list) -> pd.DataFrame:
    for g in target.gauges:
        for name, rel in (("mean", True), ("std", True), ("skew", False), ("lag1", False)):
            t = getattr(target, name)[g].to_numpy()
            a = getattr(achieved, name)[g].to_numpy()
            err = a / t - 1 if rel else a - t
            k = int(np.nanargmax(np.abs(err))) if np.isfinite(err).any() else 0
            rows.append(
                {
                    "gauge": g,
                    "statistic": name,
                    "kind": "relative" if rel else "absolute",
                    "target": float(np.nanmean(t)),
                    "achieved": float(np.nanmean(a)),
                    "worst_month": k + 1,
                    "worst_error": float(err[k]),
                }
            )
        for name in ("cv_annual", "lag1_annual"):
            t = float(getattr(target, name)[g])
            a = float(getattr(achieved, name)[g])
            rows.append(
                {
                    "gauge": g,
                    "statistic": name,
                    "kind": "absolute",
                    "target": t,
                    "achieved": a,
                    "worst_month": 0,
                    "worst_error": a - t,
                }
            )
    tp, ap = target.cross_pooled, achieved.cross_pooled
    gs = target.gauges
    for i in range(len(gs)):
        for j in range(i + 1, len(gs)):
            t, a = float(tp.iloc[i, j]), float(ap.iloc[i, j])
            rows.append(
                {
                    "gauge": f"{gs[i]}~{gs[j]}",
                    "statistic": "cross",
                    "kind": "absolute",
                    "target": t,
                    "achieved": a,
                    "worst_month": 0,
                    "worst_error": a - t,
                }
            )
    return pd.DataFrame(rows)
