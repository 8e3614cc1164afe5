"""Climate transforms of inflow ensembles and the named scenarios built from CLIMATE.md.

Three operations, each exact by construction, applied year by year (hydrological years,
October–September by default, as in DESIGN.md; a partial year at either end of a series is
treated over the months it has). "Volume" is sum(flow_m3s * days in month), so it counts
February of leap years correctly.

``shift_peak(q, n)``
    Advances the seasonal cycle by n months (n > 0 earlier, n < 0 later). From the
    climatology ``c[m]`` (mean flow of calendar month m over all members and years) the ratio
    ``r[m] = c[m + n] / c[m]`` (months cyclic) multiplies each month, so a series whose every
    year has the climatological shape becomes exactly the shifted shape; each year is then
    rescaled so that its volume is unchanged (``keep_volume=True``) — exactly, for every year.
``delta_change(q, f)``
    Multiplies calendar month m by ``f[m]``: the classical monthly delta-change factors.
``scale_volume(q, k, fixed_months)``
    Rescales each year so that its volume is exactly ``k`` times a reference year volume
    (the series before the scenario), holding the months in ``fixed_months`` as they are.

A :class:`ClimateScenario` chains them per basin: peak shift (volume kept), then month factors,
then the annual volume target (months with a factor held fixed, so both the cut and the
annual change are exact). Every number in :data:`SCENARIOS` cites CLIMATE.md or is labelled
an assumption. Scenarios describe a stationary future climate applied uniformly to every year
of the ensemble, not a transient path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.hydrology.errors import InflowError

HYDROLOGICAL_YEAR_START = 10  # October, DESIGN.md "hydrological year"


# ---------------------------------------------------------------- year blocks and volumes
def _blocks(time: pd.DatetimeIndex, year_start_month: int) -> np.ndarray:
    """Start positions of the year blocks in a monthly time index."""
    label = (
        time.year + (time.month >= year_start_month).astype(int)
        if year_start_month != 1
        else time.year
    )
    label = np.asarray(label)
    return np.flatnonzero(np.r_[True, label[1:] != label[:-1]])


def _as_array(da: xr.DataArray) -> tuple[xr.DataArray, np.ndarray, pd.DatetimeIndex]:
    if "member" not in da.dims:
        da = da.expand_dims(member=[0])
    da = da.transpose("member", "time", "catchment")
    return da, np.asarray(da.values, dtype=float), pd.DatetimeIndex(da["time"].values)


def annual_volumes(da: xr.DataArray, year_start_month: int = HYDROLOGICAL_YEAR_START) -> np.ndarray:
    """Volumes (m3/s x days) of each year block: array (member, year, catchment)."""
    _, q, time = _as_array(da)
    days = np.asarray(time.days_in_month, dtype=float)
    return np.add.reduceat(q * days[None, :, None], _blocks(time, year_start_month), axis=1)


def _per_year(values: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """Repeat per-year values (member, year, catchment) back onto months."""
    lengths = np.diff(np.r_[starts, n])
    return np.repeat(values, lengths, axis=1)


def _rebuild(template: xr.DataArray, q: np.ndarray, original: xr.DataArray) -> xr.DataArray:
    out = template.copy(data=q)
    if "member" not in original.dims:
        out = out.isel(member=0, drop=True)
    return out.transpose(*original.dims)


def climatology(da: xr.DataArray) -> np.ndarray:
    """Mean flow by calendar month: array (12, catchment)."""
    _, q, time = _as_array(da)
    out = np.full((12, q.shape[2]), np.nan)
    for m in range(12):
        sel = time.month == m + 1
        if sel.any():
            out[m] = q[:, sel, :].mean(axis=(0, 1))
    return out


def shift_peak(
    da: xr.DataArray,
    months: int,
    keep_volume: bool = True,
    clim: np.ndarray | None = None,
    year_start_month: int = HYDROLOGICAL_YEAR_START,
) -> xr.DataArray:
    """Advance the seasonal cycle by ``months`` (negative: delay), see the module docstring."""
    t, q, time = _as_array(da)
    if months == 0:
        return da.copy()
    c = climatology(da) if clim is None else np.asarray(clim, dtype=float)
    if np.isnan(c).any() or (c <= 0).any():
        raise InflowError(
            "climate", "shift_months", "needs a positive flow in every calendar month"
        )
    ratio = np.roll(c, -months, axis=0) / c  # r[m] = c[m + n] / c[m]
    new = q * ratio[time.month - 1][None, :, :]
    if keep_volume:
        days = np.asarray(time.days_in_month, dtype=float)[None, :, None]
        starts = _blocks(time, year_start_month)
        before = np.add.reduceat(q * days, starts, axis=1)
        after = np.add.reduceat(new * days, starts, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(after > 0, before / after, 1.0)
        new = new * _per_year(k, starts, len(time))
    return _rebuild(t, new, da)


def delta_change(da: xr.DataArray, factors: Sequence[float] | np.ndarray) -> xr.DataArray:
    """Multiply each calendar month by its factor: ``factors`` has 12 values (January first),
    or shape (12, catchment)."""
    t, q, time = _as_array(da)
    f = np.asarray(factors, dtype=float)
    if f.shape[0] != 12 or (f < 0).any():
        raise InflowError("climate", "month_factors", "need 12 non-negative factors, January first")
    f = f[:, None] if f.ndim == 1 else f
    return _rebuild(t, q * f[time.month - 1][None, :, :], da)


def scale_volume(
    da: xr.DataArray,
    factor: float | np.ndarray,
    reference: xr.DataArray | None = None,
    fixed_months: Sequence[int] = (),
    year_start_month: int = HYDROLOGICAL_YEAR_START,
) -> xr.DataArray:
    """Rescale each year so its volume is ``factor`` x the reference year's volume.

    ``reference`` defaults to ``da`` itself. Months in ``fixed_months`` (1..12) keep their
    values; the others absorb the change. ``factor`` may be per catchment.
    """
    t, q, time = _as_array(da)
    ref = q if reference is None else _as_array(reference)[1]
    days = np.asarray(time.days_in_month, dtype=float)[None, :, None]
    starts = _blocks(time, year_start_month)
    fixed = np.isin(time.month, list(fixed_months))[None, :, None]
    target = np.add.reduceat(ref * days, starts, axis=1) * np.broadcast_to(
        np.asarray(factor, dtype=float), (q.shape[2],)
    )
    fixed_vol = np.add.reduceat(np.where(fixed, q, 0.0) * days, starts, axis=1)
    free_vol = np.add.reduceat(np.where(fixed, 0.0, q) * days, starts, axis=1)
    if (target < fixed_vol - 1e-9 * np.abs(target)).any():
        raise InflowError(
            "climate", "volume_factor", "annual target below the volume of the fixed months"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.where(free_vol > 0, (target - fixed_vol) / free_vol, 1.0)
    scale = np.where(fixed, 1.0, _per_year(k, starts, len(time)))
    return _rebuild(t, q * scale, da)


# ---------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Change:
    """What a scenario does to the catchments of one basin."""

    volume_factor: float | None = None  # annual volume x this (None: not prescribed)
    shift_months: int = 0  # seasonal cycle advanced by this many months
    month_factors: Mapping[int, float] = field(default_factory=dict)  # calendar month -> factor


@dataclass(frozen=True)
class ClimateScenario:
    name: str
    description: str
    changes: Mapping[str, Change]  # basin key (or "all") -> change
    sources: tuple[str, ...]
    assumptions: tuple[str, ...]
    default: str | None = None  # basin whose change applies to unmapped catchments


# Catchment ids are matched to basins by these patterns, first match wins; overridable.
DEFAULT_BASIN_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^vakhsh|^rogun|^nurek|^surkhob|^obikhingou", "vakhsh"),
    (r"^panj|^pyanj|^gunt|^vanj|^vanch|^bartang|^yazgulom|^kokcha", "panj"),
    (r"^kunduz", "amu"),
    (r"^kafirnigan|^kofarnihon", "kafirnigan"),
    (r"^surkhan", "surkhandarya"),
    (r"^amu", "amu"),
    (r"^naryn|^toktogul|^kambarata", "naryn"),
    (r"^chirchik|^charvak|^pskem|^chatkal", "chirchik"),
    (r"^kara_?darya|^andijan|^fergana", "karadarya"),
    (r"^syr", "syr"),
)
# A basin without numbers of its own in a scenario takes its parent's.
BASIN_PARENT: dict[str, str] = {
    "vakhsh": "amu",
    "panj": "amu",
    "kafirnigan": "amu",
    "surkhandarya": "amu",
    "naryn": "syr",
    "chirchik": "syr",
    "karadarya": "syr",
}

_GULAKHMADOV = (
    "Gulakhmadov et al., SWAT with 5 CMIP5 GCMs, Vakhsh, RCP4.5/8.5, 2061-2099: annual "
    "runoff +17.5 % to +52.3 %, peak month July->June "
    "(CLIMATE.md s.1; https://staging.scite.ai/authors/nekruz-gulahmadov-MaNpk0)"
)
_PORTAL = (
    "Central Asia Climate Portal summary, to 2050: Amu Darya -10 to -15 %, Syr Darya -6 to -10 % "
    "(CLIMATE.md s.1; centralasiaclimateportal.org)"
)
_SADYROV = (
    "Sadyrov et al. 2025 (as identified in CLIMATE.md s.1), Naryn, SSP5-8.5, 2077-2096 vs "
    "1981-2000: annual runoff -16 %, SWE peak one month earlier"
)
_SHAHGEDANOVA = (
    "Shahgedanova et al. 2020, HBV-ETH/PRECIS, northern Tien Shan, 2076-2095 vs 1980-2005: "
    "July-August runoff -20 to -37 % where glacier cover is 2-4 % (CLIMATE.md s.1)"
)
_STATIONARY = (
    "assumption: the change applies uniformly to every year of the ensemble (stationary future)"
)
_SHAPE = (
    "assumption: the monthly pattern of the change is the shifted climatology scaled uniformly; "
    "no published month-by-month factors exist for these basins (CLIMATE.md s.1)"
)

SCENARIOS: dict[str, ClimateScenario] = {
    s.name: s
    for s in (
        ClimateScenario(
            "vakhsh_2099_low",
            "Vakhsh, low end of the 2061-2099 band: +17.5 % and peak one month earlier",
            {"vakhsh": Change(volume_factor=1.175, shift_months=1)},
            (_GULAKHMADOV,),
            (_STATIONARY, _SHAPE, "assumption: other basins unchanged"),
            default="vakhsh",
        ),
        ClimateScenario(
            "vakhsh_2099_high",
            "Vakhsh, high end of the 2061-2099 band: +52.3 % and peak one month earlier",
            {"vakhsh": Change(volume_factor=1.523, shift_months=1)},
            (_GULAKHMADOV,),
            (_STATIONARY, _SHAPE, "assumption: other basins unchanged"),
            default="vakhsh",
        ),
        ClimateScenario(
            "amu_syr_2050_mild",
            "2050, mild end: Amu Darya -10 %, Syr Darya -6 %; seasonality unchanged",
            {"amu": Change(volume_factor=0.90), "syr": Change(volume_factor=0.94)},
            (_PORTAL,),
            (
                _STATIONARY,
                "assumption: the basin-wide change applies to every tributary (Vakhsh, Panj, "
                "Naryn...) and uniformly over the months (no seasonal figure in the source); the source "
                "does not state the emission scenario",
            ),
            default="amu",
        ),
        ClimateScenario(
            "amu_syr_2050_dry",
            "2050, dry end: Amu Darya -15 %, Syr Darya -10 %; seasonality unchanged",
            {"amu": Change(volume_factor=0.85), "syr": Change(volume_factor=0.90)},
            (_PORTAL,),
            (
                _STATIONARY,
                "assumption: the basin-wide change applies to every tributary and uniformly "
                "over the months; the source does not state the emission scenario",
            ),
            default="amu",
        ),
        ClimateScenario(
            "naryn_2090_ssp585",
            "Naryn, SSP5-8.5, 2077-2096: -16 % and peak one month earlier",
            {"naryn": Change(volume_factor=0.84, shift_months=1)},
            (_SADYROV,),
            (
                _STATIONARY,
                _SHAPE,
                "assumption: the runoff peak moves as the SWE peak does (one month)",
                "assumption: other basins unchanged",
            ),
            default="naryn",
        ),
        ClimateScenario(
            "julaug_cut_20",
            "Glacier loss: July-August flow -20 %, other months unchanged",
            {"all": Change(month_factors={7: 0.80, 8: 0.80})},
            (_SHAHGEDANOVA,),
            (
                _STATIONARY,
                "assumption: a northern Tien Shan figure applied to every catchment",
                "assumption: other months unchanged, so annual volume falls",
            ),
        ),
        ClimateScenario(
            "julaug_cut_37",
            "Glacier loss: July-August flow -37 %, other months unchanged",
            {"all": Change(month_factors={7: 0.63, 8: 0.63})},
            (_SHAHGEDANOVA,),
            (
                _STATIONARY,
                "assumption: a northern Tien Shan figure applied to every catchment",
                "assumption: other months unchanged, so annual volume falls",
            ),
        ),
        ClimateScenario(
            "melt_shift_1m",
            "Melt peak one month earlier everywhere, annual volume kept",
            {"all": Change(volume_factor=1.0, shift_months=1)},
            (_GULAKHMADOV, _SADYROV, "CLIMATE.md s.1, monthly delta factors item 2"),
            (_STATIONARY, _SHAPE),
        ),
    )
}


def basin_of(catchment: str, basin_map: Mapping[str, str] | None = None) -> str | None:
    """The basin key of a catchment id: ``basin_map`` first, then DEFAULT_BASIN_PATTERNS."""
    if basin_map and catchment in basin_map:
        return basin_map[catchment]
    for pattern, basin in DEFAULT_BASIN_PATTERNS:
        if re.search(pattern, catchment):
            return basin
    return None


def resolve(
    scenario: ClimateScenario, catchments: Sequence[str], basin_map: Mapping[str, str] | None = None
) -> dict[str, Change | None]:
    """Which change applies to each catchment.

    ``all`` applies to every catchment. Otherwise a catchment takes its basin's change, else
    its parent basin's; a catchment matching no basin takes the scenario's ``default`` basin's
    change; a catchment of a basin the scenario says nothing about is left unchanged (None).
    """
    out: dict[str, Change | None] = {}
    for c in catchments:
        if "all" in scenario.changes:
            out[c] = scenario.changes["all"]
            continue
        basin = basin_of(c, basin_map)
        if basin is None:
            out[c] = scenario.changes.get(scenario.default) if scenario.default else None
            continue
        while basin is not None and basin not in scenario.changes:
            basin = BASIN_PARENT.get(basin)
        out[c] = scenario.changes.get(basin) if basin else None
    return out


def apply_change(
    da: xr.DataArray,
    change: Change,
    year_start_month: int = HYDROLOGICAL_YEAR_START,
    clim: np.ndarray | None = None,
) -> xr.DataArray:
    """Peak shift (volume kept), then month factors, then the annual volume target."""
    out = da
    if change.shift_months:
        out = shift_peak(
            out, change.shift_months, keep_volume=True, clim=clim, year_start_month=year_start_month
        )
    if change.month_factors:
        f = np.ones(12)
        for m, v in change.month_factors.items():
            f[int(m) - 1] = float(v)
        out = delta_change(out, f)
    if change.volume_factor is not None:
        out = scale_volume(
            out,
            change.volume_factor,
            reference=da,
            fixed_months=tuple(change.month_factors),
            year_start_month=year_start_month,
        )
    return out


def apply_scenario(
    da: xr.DataArray,
    scenario: str | ClimateScenario,
    basin_map: Mapping[str, str] | None = None,
    year_start_month: int = HYDROLOGICAL_YEAR_START,
    clim: np.ndarray | None = None,
) -> xr.DataArray:
    """Apply a named (or given) scenario to an ensemble ``(member, time, catchment)``.

    ``clim`` (12, catchment) is the climatology used for a peak shift; by default the
    ensemble's own. The result's attrs record the scenario, its sources and assumptions.
    """
    if isinstance(scenario, str):
        if scenario not in SCENARIOS:
            raise InflowError(
                "--climate", scenario, f"unknown scenario; known: {', '.join(sorted(SCENARIOS))}"
            )
        scenario = SCENARIOS[scenario]
    catchments = [str(c) for c in da["catchment"].values]
    plan = resolve(scenario, catchments, basin_map)
    full_clim = climatology(da) if clim is None else np.asarray(clim, dtype=float)
    parts = []
    for k, c in enumerate(catchments):
        one = da.isel(catchment=[k])
        change = plan[c]
        parts.append(
            one
            if change is None
            else apply_change(one, change, year_start_month, full_clim[:, [k]])
        )
    out = xr.concat(parts, dim="catchment").transpose(*da.dims)
    applied = ", ".join(f"{c}:{'unchanged' if plan[c] is None else 'changed'}" for c in catchments)
    out.attrs = {
        **da.attrs,
        "climate": scenario.name,
        "climate_description": scenario.description,
        "climate_sources": " | ".join(scenario.sources),
        "climate_assumptions": " | ".join(scenario.assumptions),
        "climate_catchments": applied,
    }
    return out
