"""PAR(1): a periodic autoregressive model of order 1 on log-transformed monthly flows,
with spatially correlated residuals, as used for inflows in SDDP practice.

Model (month m of year y, gauge g; standardised log flow ``Z``)::

    Q[t, g]  = tau[m, g] + exp(mu[m, g] + s[m, g] * Z[t, g])
    Z[t, :]  = phi[m, :] * Z[t-1, :] + L[m] @ eps[t, :],     eps ~ N(0, I)
    L[m] L[m]^T = Sigma[m] = C[m] - (phi[m] phi[m]^T) * C[m-1]      (elementwise *)

``C[m]`` is the correlation matrix between gauges of Z in month m. With this Sigma every
Z[t, g] has unit variance, lag-1 correlation phi[m, g] with the month before and
contemporaneous correlation C[m]: the gauge-by-gauge PAR(1) of SDDP practice with spatially
correlated residuals (CLIMATE.md section 2). Sigma must be positive semi-definite; month-by-month
cross-correlations from short, gappy overlaps often make it indefinite, so C[m] is blended
with the pooled (all-month) correlation using the largest month-by-month weight that keeps
every month feasible (the pooled cross-gauge correlation is then kept exactly).

Fitting is by moments in real space (Matalas 1967; Stedinger & Taylor 1982): for each month
and gauge the lower bound ``tau`` is set from the skew of a three-parameter lognormal
(``transform="log3"``), or 0 (``"log"``, two-parameter); then ``s`` and ``mu`` give the
observed mean and standard deviation exactly, and the log-space correlations are those that
give the observed real-space correlations exactly:

    s^2 = ln(1 + cv'^2),  cv' = std / (mean - tau),  mu = ln(mean - tau) - s^2 / 2
    rho_log = ln(1 + rho * cv'_1 * cv'_2) / (s_1 * s_2)

so the generated flows keep, in expectation, the monthly means, standard deviations, lag-1
and cross-gauge correlations of the record (and the skew where ``tau`` could be fitted).

Annual component (default, ``match_annual_cv=True``). A plain PAR(1) lets the correlation
between distant months of a year decay geometrically, and snow-fed rivers remember longer:
the CV of annual flow comes out 5-15 % low. So Z is built as

    Z[t, g] = sqrt(1 - kappa_g^2) U[t, g] + kappa_g B[year(t), g]

with U a PAR(1) as above and B one N(0, R_B) draw per year, its year starting at the month
whose lag-1 link is weakest (the onset of melt: April on the test gauges). Z keeps unit variance; U's coefficients
``phi_U = (phi - kappa^2 [same year]) / (1 - kappa^2)`` keep Z's lag-1 ``phi``; U's
cross-correlations ``(C - kappa kappa^T R_B) / (a a^T)`` keep C, with
``R_B = C_pooled / (a a^T + kappa kappa^T)`` (elementwise) so that U and B share one
correlation in the pooled case. kappa_g is found by bisection so that the analytic CV of
calendar-year flow (:func:`annual_cv`) equals the record's; kappa = 0 (plain PAR(1)) where
PAR(1) already reaches it.

Flows are never below ``tau >= 0``. Where a correlation matrix is not positive semi-definite
(pairwise estimates from gappy records, or a Sigma implied by very different phi), its
eigenvalues are clipped and the repair is listed in ``notes``.
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
from vakhsh.hydrology.stats import MonthlyStats, monthly_stats

TRANSFORMS = ("log", "log3")
PHI_MAX = 0.98  # assumption: |lag-1 correlation in log space| capped to keep the recursion stable
TAU_MAX_FRACTION_OF_MIN = 0.9  # assumption: lower bound at most 90 % of the smallest observed flow


def lognormal3_tau(mean, std, skew, minimum) -> np.ndarray:
    """Lower bound of a three-parameter lognormal with the given mean, std and skew.

    The shifted variable's coefficient of variation c solves c^3 + 3c = skew; tau = mean -
    std / c. tau is clipped to [0, 0.9 * minimum observed]; where skew <= 0 tau = 0.
    """
    mean, std, skew = (np.asarray(a, dtype=float) for a in (mean, std, skew))
    g = np.where(np.isfinite(skew) & (skew > 0), skew, np.nan)
    w = (g + np.sqrt(g**2 + 4.0)) / 2.0
    c = np.cbrt(w) - 1.0 / np.cbrt(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = mean - std / c
    tau = np.where(np.isfinite(tau), tau, 0.0)
    cap = TAU_MAX_FRACTION_OF_MIN * np.where(np.isfinite(minimum), minimum, 0.0)
    return np.clip(tau, 0.0, np.maximum(cap, 0.0))


def log_correlation(rho, cv1, cv2, s1, s2) -> np.ndarray:
    """Correlation of two normals whose exponentials (with these cv, s) have correlation rho."""
    arg = 1.0 + np.asarray(rho) * cv1 * cv2
    arg = np.clip(arg, 1e-6, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(arg) / (s1 * s2)


@dataclass(frozen=True)
class Par1Model:
    """A fitted PAR(1) model of G gauges; arrays are indexed [month 0..11, gauge]."""

    gauges: list[str]
    tau: np.ndarray
    mu: np.ndarray
    s: np.ndarray
    phi: np.ndarray  # (12, G) lag-1 coefficients of the monthly process U (= of Z when kappa = 0)
    corr: np.ndarray  # (12, G, G) log-space contemporaneous correlation of U
    resid_chol: np.ndarray  # (12, G, G) L[m]
    target: MonthlyStats
    transform: str = "log3"
    notes: list[str] = field(default_factory=list)
    method: str = "par1"
    kappa: np.ndarray | None = None  # (G,) weight of the annual component B (None: plain PAR(1))
    year_start: int = 0  # month index 0..11 at which the annual component's year begins
    annual_chol: np.ndarray | None = None  # (G, G) Cholesky factor of B's cross-correlation

    def generate(
        self,
        n_years: int,
        n_members: int = 1,
        seed: int | None = None,
        start="2000-01-01",
    ) -> xr.DataArray:
        """Ensemble ``(member, time, catchment)`` of ``12 * n_years`` months from ``start``."""
        seed = fresh_seed() if seed is None else int(seed)
        start = month_start(start)
        ny = calendar_years_needed(n_years, start)
        values = simulate_par1(self, ny, n_members, seed)
        attrs = {
            "method": self.method,
            "seed": seed,
            "transform": self.transform,
            "climate": "none",
            "notes": "; ".join(self.notes),
        }
        return from_calendar_array(values, start, n_years, self.gauges, attrs)


def _sigmas(corr: np.ndarray, phi: np.ndarray) -> np.ndarray:
    return np.stack([corr[m] - np.outer(phi[m], phi[m]) * corr[m - 1] for m in range(12)])


def _feasible(sigma: np.ndarray) -> bool:
    return all(np.linalg.eigvalsh(sm).min() >= -1e-10 for sm in sigma)


def _most_monthly_feasible(c_month, c_pool, phi, steps: int = 20):
    """Largest w in [0, 1] for which C[m] = w * monthly + (1 - w) * pooled gives PSD residual
    covariances in every month. Returns (w, C, Sigma); w = 0 if even pooled is infeasible."""

    def at(w):
        c = w * c_month + (1 - w) * c_pool
        return c, _sigmas(c, phi)

    c, sig = at(1.0)
    if _feasible(sig):
        return 1.0, c, sig
    lo, hi = 0.0, 1.0
    if not _feasible(at(0.0)[1]):
        return 0.0, *at(0.0)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if _feasible(at(mid)[1]):
            lo = mid
        else:
            hi = mid
    return lo, *at(lo)


def _phi_u(phi: np.ndarray, kappa: np.ndarray, year_start: int) -> np.ndarray:
    """Lag-1 coefficients of U so that Z = sqrt(1-k^2) U + k B keeps Z's lag-1 ``phi``."""
    k2 = np.asarray(kappa) ** 2
    same_year = np.ones((12, 1))
    same_year[year_start] = 0.0  # B changes between month year_start-1 and year_start
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (phi - k2 * same_year) / (1 - k2)
    return np.clip(out, -PHI_MAX, PHI_MAX)


def annual_cv(mean, shifted, s, phi_z, year_start: int, kappa: float) -> float:
    """CV of the calendar-year mean of 12 monthly flows implied by the model (one gauge).

    Var = sum_{m,n} c_m c_n (exp(s_m s_n rho_Z(m, n)) - 1), c = mean - tau, with
    rho_Z = (1 - k^2) rho_U + k^2 [m, n in the same annual-component year]; rho_U(m, n) is the
    product of U's lag-1 coefficients between the two months.
    """
    phi_u = _phi_u(phi_z[:, None], np.array([kappa]), year_start)[:, 0]
    rho = np.eye(12)
    for m in range(12):
        r = 1.0
        for n in range(m - 1, -1, -1):
            r *= phi_u[n + 1]
            rho[m, n] = rho[n, m] = r
    same = (np.arange(12) >= year_start)[:, None] == (np.arange(12) >= year_start)[None, :]
    rho_z = (1 - kappa**2) * rho + kappa**2 * same
    np.fill_diagonal(rho_z, 1.0)
    var = np.sum(np.outer(shifted, shifted) * np.expm1(np.outer(s, s) * rho_z))
    return float(np.sqrt(var) / np.sum(mean))


def _kappa_for_cv(
    mean, shifted, s, phi_z, year_start: int, target: float, steps: int = 40
) -> float:
    """Smallest kappa >= 0 giving the target annual CV (0 if PAR(1) already reaches it)."""
    if not np.isfinite(target) or annual_cv(mean, shifted, s, phi_z, year_start, 0.0) >= target:
        return 0.0
    # keep |phi_U| <= PHI_MAX at the year boundary, where phi_U = phi / (1 - kappa^2)
    hi = float(np.sqrt(max(0.0, min(0.95, 1 - abs(phi_z[year_start]) / PHI_MAX))))
    if annual_cv(mean, shifted, s, phi_z, year_start, hi) < target:
        return hi
    lo = 0.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if annual_cv(mean, shifted, s, phi_z, year_start, mid) < target:
            lo = mid
        else:
            hi = mid
    return hi


def fit_par1(
    record: pd.DataFrame, transform: str = "log3", match_annual_cv: bool = True
) -> Par1Model:
    """Fit PAR(1) to a monthly (or daily) record: DataFrame, index = time, columns = gauges.

    Each gauge's monthly moments use all of its own years; correlations use the years each
    pair has in common. Every month needs at least 3 values per gauge.

    ``match_annual_cv`` adds the annual component (module docstring) sized so that the CV of
    calendar-year flow is the record's, keeping the monthly statistics.
    """
    if transform not in TRANSFORMS:
        raise InflowError("par1", "transform", f"must be one of {TRANSFORMS} (got {transform!r})")
    st = monthly_stats(record)
    gauges = st.gauges
    few = st.count.min()
    if (few < 3).any():
        bad = few[few < 3].index[0]
        raise InflowError("records", bad, "fewer than 3 values in some calendar month")
    if (st.minimum.min() < 0).any():
        raise InflowError("records", str(st.minimum.min().idxmin()), "negative flow")
    mean, std = st.mean.to_numpy(), st.std.to_numpy()
    if transform == "log3":
        tau = lognormal3_tau(mean, std, st.skew.to_numpy(), st.minimum.to_numpy())
    else:
        tau = np.zeros_like(mean)
    shifted = mean - tau
    if (shifted <= 0).any():
        raise InflowError(
            "records", "mean", "a monthly mean flow is zero; PAR(1) in logs needs positive flows"
        )
    cv = std / shifted
    s = np.sqrt(np.log1p(cv**2))
    mu = np.log(shifted) - s**2 / 2
    notes: list[str] = []
    # lag-1 in log space: month m with month m-1
    cv_prev, s_prev = np.roll(cv, 1, axis=0), np.roll(s, 1, axis=0)
    lag = np.nan_to_num(st.lag1.to_numpy(), nan=0.0)
    phi = log_correlation(lag, cv, cv_prev, s, s_prev)
    phi = np.where(np.isfinite(phi), phi, 0.0)
    if (np.abs(phi) > PHI_MAX).any():
        notes.append(
            f"lag-1 correlation in logs capped at {PHI_MAX} in {int((np.abs(phi) > PHI_MAX).sum())} gauge-months"
        )
    phi = np.clip(phi, -PHI_MAX, PHI_MAX)
    g = len(gauges)
    pooled = st.cross_pooled.to_numpy()
    if np.isnan(pooled).any():
        i, j = np.argwhere(np.isnan(pooled))[0]
        notes.append(
            f"{gauges[i]} and {gauges[j]} have fewer than 3 common years: assumed uncorrelated"
        )
    pooled = np.nan_to_num(pooled, nan=0.0)
    c_month = np.empty((12, g, g))
    c_pool = np.empty((12, g, g))
    for m in range(12):
        args = (cv[m][:, None], cv[m][None, :], s[m][:, None], s[m][None, :])
        for out, rho in ((c_month, np.nan_to_num(st.cross[m], nan=pooled)), (c_pool, pooled)):
            c = np.clip(np.nan_to_num(log_correlation(rho, *args)), -0.999, 0.999)
            np.fill_diagonal(c, 1.0)
            out[m] = c
    kappa = year_start = annual_chol = None
    phi_u = phi
    if match_annual_cv:
        year_start = int(np.argmin(phi.mean(axis=1)))  # weakest month-to-month link of the year
        kappa = np.array(
            [
                _kappa_for_cv(
                    mean[:, k], shifted[:, k], s[:, k], phi[:, k], year_start, st.cv_annual.iloc[k]
                )
                for k in range(g)
            ]
        )
        phi_u = _phi_u(phi, kappa, year_start)
        raw = (phi - kappa**2 * (np.arange(12) != year_start)[:, None]) / (1 - kappa**2)
        if (np.abs(raw) > PHI_MAX + 1e-12).any():
            notes.append(
                f"lag-1 not reachable beside the annual component in {int((np.abs(raw) > PHI_MAX + 1e-12).sum())} "
                "gauge-months (coefficient capped)"
            )
        # U and B share one cross-correlation R in the pooled case: C = (a a^T + k k^T) * R
        aa = np.outer(np.sqrt(1 - kappa**2), np.sqrt(1 - kappa**2))
        r_b = np.clip(c_pool.mean(axis=0) / (aa + np.outer(kappa, kappa)), -1.0, 1.0)
        np.fill_diagonal(r_b, 1.0)
        r_b, _ = nearest_psd(r_b)
        annual_chol = cholesky_psd(r_b)
        kk = np.outer(kappa, kappa) * r_b
        c_month = (c_month - kk) / aa
        c_pool = (c_pool - kk) / aa
        for arr in (c_month, c_pool):
            for m in range(12):
                np.fill_diagonal(arr[m], 1.0)
        notes.append(
            f"annual component from month {year_start + 1}: kappa "
            + ", ".join(f"{gname}={k:.2f}" for gname, k in zip(gauges, kappa, strict=True))
        )
    repaired_months = []
    for arr in (c_month, c_pool):
        for m in range(12):
            fixed, repaired = nearest_psd(arr[m])
            if repaired:
                arr[m] = fixed
                repaired_months.append(m + 1)
    if repaired_months:
        notes.append(
            "cross-gauge correlation repaired to be positive semi-definite in months "
            + ", ".join(str(m) for m in sorted(set(repaired_months)))
        )
    weight, corr, sigma = _most_monthly_feasible(c_month, c_pool, phi_u)
    if weight < 1.0:
        notes.append(
            f"month-by-month cross-gauge correlations blended {weight:.2f}:{1 - weight:.2f} with "
            "the all-month (pooled) correlation to be reproducible by PAR(1)"
        )
    chol = np.empty((12, g, g))
    for m in range(12):
        sig, repaired = nearest_psd(sigma[m])
        if repaired:
            notes.append(
                f"month {m + 1}: residual covariance repaired to be positive semi-definite"
            )
        chol[m] = cholesky_psd(sig)
    return Par1Model(
        gauges,
        tau,
        mu,
        s,
        phi_u,
        corr,
        chol,
        st,
        transform,
        notes,
        kappa=kappa,
        year_start=year_start or 0,
        annual_chol=annual_chol,
    )


def simulate_par1(model: Par1Model, n_years: int, n_members: int, seed: int) -> np.ndarray:
    """Flows ``(member, year, 12, gauge)`` starting in January; vectorised over members and gauges.

    The state before the first January is drawn from the stationary N(0, C[Dec]), so no
    warm-up is needed. Member k uses the k-th stream spawned from ``seed``: first the
    monthly noise (12 * n_years + 1 rows), then, with the annual component, n_years + 1 rows.
    """
    g = len(model.gauges)
    t = 12 * n_years
    rngs = member_generators(seed, n_members)
    eps = np.empty((n_members, t + 1, g))
    for k, r in enumerate(rngs):
        r.standard_normal(out=eps[k])
    z0 = eps[:, 0] @ cholesky_psd(model.corr[11]).T  # (M, G) initial state
    # residuals with their spatial correlation, month by month: e[:, y, m] @ L[m]^T
    z = np.matmul(
        eps[:, 1:].reshape(n_members, n_years, 12, 1, g), model.resid_chol.transpose(0, 2, 1)
    ).reshape(n_members, t, g)
    prev = z0
    for i in range(t):  # the recursion, vectorised over members and gauges
        zi = z[:, i]
        zi += model.phi[i % 12] * prev
        prev = zi
    if model.kappa is not None:
        eta = np.empty((n_members, n_years + 1, g))
        for k, r in enumerate(rngs):
            r.standard_normal(out=eta[k])
        eta = eta @ model.annual_chol.T
        block = (np.arange(t) - model.year_start + 12) // 12  # 0..n_years
        z *= np.sqrt(1 - model.kappa**2)
        z += model.kappa * eta[:, block]
    z = z.reshape(n_members, n_years, 12, g)
    z *= model.s
    z += model.mu
    np.exp(z, out=z)
    z += model.tau
    return z
