"""Kirsch–Nowak: a monthly bootstrap with imposed correlation (Kirsch et al. 2013) and
daily disaggregation by scaling observed daily fragments (Nowak et al. 2010).

Monthly generation, per gauge g, on the historical years where every gauge is complete:

1. ``Y = log(Q)`` (or ``Q``), standardised by calendar month: ``Zh = (Y - mean) / sd``.
2. Bootstrap: for each synthetic year and month draw a historical year at random; all
   gauges share the draw (this keeps their cross-correlation). ``X[y, m] = Zh[draw, m]``.
3. Impose the within-year correlation of the record: ``Z = X @ U`` with ``U^T U`` the 12x12
   correlation of ``Zh`` (Cholesky). The December→January correlation comes from a second
   matrix ``X'`` whose rows are July–June (``X'[y] = X[y, 7..12] ++ X[y+1, 1..6]``), mixed
   with the Cholesky factor ``U'`` of the July–June correlation; the output year takes
   January–June from ``X' @ U'`` and July–December from ``X @ U``.
4. Back-transform: ``Q = exp(mean + sd * Z)``.

This is the algorithm of julianneq/Kirsch-Nowak_Streamflow_Generator and of
``synhydro.KirschGenerator`` (TrevorJA/SynHydro, ``docs/algorithms/kirsch.md``), written here
vectorised over members (see docs/hydrology.md for why it is not a dependency).

Daily disaggregation (Nowak et al. 2010): for each synthetic month, the K nearest historical
months of the same calendar month — with their start shifted by up to ±7 days to widen the
pool — are found by total flow across gauges; one is drawn with probability proportional to
1/rank (K = round(sqrt(pool size))), and its daily pattern ``daily / monthly mean`` at each
gauge scales the synthetic monthly flow. Monthly means are kept exactly.
"""

from __future__ import annotations

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
from vakhsh.hydrology.records import to_monthly, to_year_month
from vakhsh.hydrology.stats import MonthlyStats, stats_of_array

MIN_YEARS = 5


@dataclass(frozen=True)
class KirschModel:
    """A fitted Kirsch bootstrap of G gauges over ``years`` (complete historical years)."""

    gauges: list[str]
    years: np.ndarray
    zh: np.ndarray  # (n_years, 12, G) standardised (log) flows
    mean: np.ndarray  # (12, G)
    sd: np.ndarray  # (12, G)
    u: np.ndarray  # (G, 12, 12) upper Cholesky of the Jan–Dec correlation
    u_shift: np.ndarray  # (G, 12, 12) upper Cholesky of the Jul–Jun correlation
    log: bool
    target: MonthlyStats
    notes: list[str] = field(default_factory=list)
    method: str = "kirsch-nowak"

    def generate(
        self, n_years: int, n_members: int = 1, seed: int | None = None, start="2000-01-01"
    ) -> xr.DataArray:
        seed = fresh_seed() if seed is None else int(seed)
        start = month_start(start)
        ny = calendar_years_needed(n_years, start)
        values = simulate_kirsch(self, ny, n_members, seed)
        attrs = {
            "method": self.method,
            "seed": seed,
            "transform": "log" if self.log else "none",
            "climate": "none",
            "notes": "; ".join(self.notes),
            "historical_years": f"{int(self.years[0])}-{int(self.years[-1])} ({len(self.years)} complete)",
        }
        return from_calendar_array(values, start, n_years, self.gauges, attrs)


def _upper_chol(corr: np.ndarray) -> tuple[np.ndarray, bool]:
    c, repaired = nearest_psd(np.nan_to_num(corr, nan=0.0) + 0.0)
    np.fill_diagonal(c, 1.0)
    return cholesky_psd(c).T, repaired


def fit_kirsch(record: pd.DataFrame, log: bool = True) -> KirschModel:
    """Fit the Kirsch bootstrap to the calendar years in which every gauge has all 12 months."""
    monthly = to_monthly(record)
    arr, years = to_year_month(monthly)
    gauges = [str(c) for c in monthly.columns]
    complete = ~np.isnan(arr).any(axis=(1, 2))
    if complete.sum() < MIN_YEARS:
        raise InflowError(
            "records",
            ",".join(gauges),
            f"Kirsch needs at least {MIN_YEARS} years complete at every gauge (found {int(complete.sum())})",
        )
    q = arr[complete]
    if log and (q <= 0).any():
        raise InflowError("records", "values", "log-space Kirsch needs strictly positive flows")
    y = np.log(q) if log else q
    mean = y.mean(axis=0)
    sd = y.std(axis=0)  # ddof=0: the bootstrap pool then has exactly unit variance
    if (sd == 0).any():
        raise InflowError("records", "values", "a calendar month has constant flow")
    zh = (y - mean) / sd
    shifted = np.concatenate([zh[:-1, 6:, :], zh[1:, :6, :]], axis=1)
    g = len(gauges)
    u = np.empty((g, 12, 12))
    u2 = np.empty((g, 12, 12))
    notes: list[str] = []
    for k in range(g):
        u[k], r1 = _upper_chol(np.corrcoef(zh[:, :, k], rowvar=False))
        u2[k], r2 = _upper_chol(np.corrcoef(shifted[:, :, k], rowvar=False))
        if r1 or r2:
            notes.append(
                f"{gauges[k]}: month-to-month correlation repaired to be positive semi-definite"
            )
    target = stats_of_array(q[None], gauges)  # real-space statistics of the years bootstrapped
    return KirschModel(gauges, years[complete], zh, mean, sd, u, u2, log, target, notes)


def simulate_kirsch(model: KirschModel, n_years: int, n_members: int, seed: int) -> np.ndarray:
    """Flows ``(member, year, 12, gauge)`` from January; vectorised over members and years."""
    n_hist = model.zh.shape[0]
    rngs = member_generators(seed, n_members)
    draws = np.stack([r.integers(0, n_hist, size=(n_years + 1, 12)) for r in rngs])  # (M, Y+1, 12)
    x = model.zh[draws, np.arange(12)[None, None, :], :]  # (M, Y+1, 12, G)
    xs = np.concatenate([x[:, :-1, 6:, :], x[:, 1:, :6, :]], axis=2)  # (M, Y, 12, G) Jul–Jun
    # per gauge g: Z[..., :, g] = X[..., :, g] @ U[g]  (batched matrix products)
    z = np.matmul(x[:, 1:].transpose(0, 1, 3, 2)[..., None, :], model.u[None, None])[
        ..., 0, :
    ].transpose(0, 1, 3, 2)
    zs = np.matmul(xs.transpose(0, 1, 3, 2)[..., None, :], model.u_shift[None, None])[
        ..., 0, :
    ].transpose(0, 1, 3, 2)
    out = np.concatenate([zs[:, :, 6:, :], z[:, :, 6:, :]], axis=2)
    y = model.mean + model.sd * out
    return np.exp(y) if model.log else np.clip(y, 0.0, None)


def disaggregate_daily(
    monthly: xr.DataArray,
    daily_record: pd.DataFrame,
    seed: int,
    window_days: int = 7,
) -> xr.DataArray:
    """Daily flows ``(member, time, catchment)`` from a monthly ensemble and observed daily flows.

    ``daily_record`` holds daily flows (index = days, columns = the ensemble's catchments);
    days with a gap in any gauge are not used as fragments. Each synthetic month keeps its
    monthly mean exactly at every gauge.
    """
    monthly = monthly.transpose("member", "time", "catchment")
    gauges = [str(c) for c in monthly["catchment"].values]
    missing = [c for c in gauges if c not in daily_record.columns]
    if missing:
        raise InflowError("daily record", missing[0], "no daily series for this catchment")
    obs = daily_record[gauges].astype(float)
    obs = obs.asfreq("D")
    values = obs.to_numpy()
    days = pd.DatetimeIndex(obs.index)
    mtime = pd.DatetimeIndex(monthly["time"].values)
    q = np.asarray(monthly.values, dtype=float)
    n_mem, _n_t, g = q.shape
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x4E0]))
    out_days = pd.date_range(
        mtime[0], mtime[-1] + pd.offsets.MonthBegin(1), freq="D", inclusive="left"
    )
    out = np.empty((n_mem, len(out_days), g))
    day_pos = {d: i for i, d in enumerate(days)}
    for month in range(1, 13):
        for length in sorted(set(mtime[mtime.month == month].days_in_month)):
            # pool of fragments: windows of `length` days starting near each historical month start
            starts = list(days[(days.day == 1) & (days.month == month)])
            windows = []
            for s0 in starts:
                for off in range(-window_days, window_days + 1):
                    i0 = day_pos.get(s0 + pd.Timedelta(days=off))
                    if i0 is None or i0 + length > len(days):
                        continue
                    w = values[i0 : i0 + length]
                    if np.isnan(w).any() or (w.mean(axis=0) <= 0).any():
                        continue
                    windows.append(w)
            if not windows:
                raise InflowError(
                    "daily record", "time", f"no complete daily fragment for month {month}"
                )
            pool = np.stack(windows)  # (P, length, G)
            pool_mean = pool.mean(axis=1)  # (P, G)
            frag = pool / pool_mean[:, None, :]
            totals = pool_mean.sum(axis=1)  # (P,)
            k = max(1, int(round(np.sqrt(len(pool)))))
            weights = 1.0 / np.arange(1, k + 1)
            weights /= weights.sum()
            sel_t = np.flatnonzero((mtime.month == month) & (mtime.days_in_month == length))
            target = q[:, sel_t, :].sum(axis=2)  # (M, n_sel)
            nearest = np.argsort(np.abs(target[..., None] - totals[None, None, :]), axis=-1)[
                ..., :k
            ]
            rank = rng.choice(k, size=target.shape, p=weights)
            chosen = np.take_along_axis(nearest, rank[..., None], axis=-1)[..., 0]  # (M, n_sel)
            for j, t in enumerate(sel_t):
                d0 = (mtime[t] - out_days[0]).days
                out[:, d0 : d0 + length, :] = frag[chosen[:, j]] * q[:, t, None, :]
    return xr.DataArray(
        out,
        dims=("member", "time", "catchment"),
        coords={"member": monthly["member"].values, "time": out_days, "catchment": gauges},
        name=monthly.name,
        attrs={
            **monthly.attrs,
            "disaggregation": f"Nowak et al. 2010, +-{window_days} days, seed {seed}",
        },
    )
