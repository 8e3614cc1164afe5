import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from vakhsh.hydrology.climate import (
    SCENARIOS,
    Change,
    ClimateScenario,
    annual_volumes,
    apply_scenario,
    climatology,
    delta_change,
    resolve,
    scale_volume,
    shift_peak,
)
from vakhsh.hydrology.errors import InflowError

CLIM = np.array([110, 104, 111, 172, 313, 565, 830, 775, 416, 201, 150, 127.0])  # Garm, GSIM


def _series(
    catchments=("vakhsh_a", "naryn_b", "unmapped_c"), years=12, members=2, start="2000-10-01"
):
    time = pd.date_range(start, periods=12 * years, freq="MS")
    rng = np.random.default_rng(0)
    a = rng.lognormal(0, 0.2, (members, years, len(catchments)))
    q = (
        CLIM[time.month - 1][None, :, None]
        * np.repeat(a, 12, axis=1)
        * (1 + np.arange(len(catchments)))
    )
    return xr.DataArray(
        q,
        dims=("member", "time", "catchment"),
        coords={"member": range(members), "time": time, "catchment": list(catchments)},
        name="inflow_m3s",
    )


@pytest.mark.parametrize("n", [1, 2, -1])
def test_shift_keeps_every_year_volume_and_moves_peak(n):
    da = _series()
    out = shift_peak(da, n)
    assert np.allclose(annual_volumes(out), annual_volumes(da), rtol=1e-12)
    before = climatology(da).argmax(axis=0)
    after = climatology(out).argmax(axis=0)
    assert ((before - after) % 12 == n % 12).all()
    # each year, having the climatological shape, becomes exactly the shifted shape
    year = out.isel(member=0, catchment=0).sel(time=slice("2001-10-01", "2002-09-01")).values
    shifted = np.roll(CLIM, -n)[[9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 8]]
    assert np.allclose(year / year.sum(), shifted / shifted.sum(), rtol=0, atol=1e-3)


def test_shift_without_volume_keep_then_scale():
    da = _series()
    out = scale_volume(shift_peak(da, 1, keep_volume=False), 1.2, reference=da)
    assert np.allclose(annual_volumes(out) / annual_volumes(da), 1.2, rtol=1e-12)


def test_delta_change_exact_per_month():
    da = _series()
    f = np.linspace(0.7, 1.3, 12)
    out = delta_change(da, f)
    ratio = (out / da).values
    months = pd.DatetimeIndex(da["time"].values).month - 1
    assert np.allclose(ratio, f[months][None, :, None])


def test_scale_volume_holds_fixed_months():
    da = _series()
    cut = delta_change(da, [1, 1, 1, 1, 1, 1, 0.7, 0.7, 1, 1, 1, 1])
    out = scale_volume(cut, 0.9, reference=da, fixed_months=(7, 8))
    assert np.allclose(annual_volumes(out) / annual_volumes(da), 0.9, rtol=1e-12)
    jul_aug = pd.DatetimeIndex(da["time"].values).month.isin([7, 8])
    assert np.allclose(out.values[:, jul_aug], 0.7 * da.values[:, jul_aug])


def test_named_scenarios_exact_volume_and_timing():
    da = _series()
    v0 = annual_volumes(da)
    out = apply_scenario(da, "vakhsh_2099_low")
    v = annual_volumes(out) / v0
    assert (
        np.allclose(v[..., 0], 1.175)
        and np.allclose(v[..., 1], 1.0)
        and np.allclose(v[..., 2], 1.175)
    )
    peak = climatology(out).argmax(axis=0)
    assert list(peak) == [
        5,
        6,
        5,
    ]  # June for vakhsh and the unmapped catchment; Naryn unchanged (July)
    out = apply_scenario(da, "amu_syr_2050_dry")
    assert np.allclose((annual_volumes(out) / v0)[..., 1], 0.90)  # naryn -> syr
    assert np.allclose((annual_volumes(out) / v0)[..., 0], 0.85)  # vakhsh -> amu
    assert (
        out.attrs["climate"] == "amu_syr_2050_dry"
        and "centralasiaclimateportal" in out.attrs["climate_sources"]
    )


def test_every_scenario_has_sources_and_assumptions():
    for s in SCENARIOS.values():
        assert s.sources and s.assumptions


def test_basin_map_override_and_default():
    s = SCENARIOS["naryn_2090_ssp585"]
    plan = resolve(s, ["vakhsh", "toktogul_in", "x"], basin_map={"x": "vakhsh"})
    assert plan["vakhsh"] is None and plan["toktogul_in"] is not None and plan["x"] is None
    plan = resolve(s, ["x"])
    assert plan["x"] is s.changes["naryn"]  # unmapped: the scenario's basin


def test_custom_scenario_and_errors():
    da = _series()
    s = ClimateScenario(
        "t",
        "test",
        {"all": Change(volume_factor=0.5, month_factors={7: 0.2})},
        ("test",),
        ("test",),
    )
    out = apply_scenario(da, s)
    assert np.allclose(annual_volumes(out) / annual_volumes(da), 0.5)
    with pytest.raises(InflowError):
        apply_scenario(da, "no_such_scenario")
    with pytest.raises(InflowError):
        scale_volume(
            delta_change(da, [1] * 6 + [5, 5] + [1] * 4), 0.5, reference=da, fixed_months=(7, 8)
        )


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(-3, 3),
    factor=st.floats(0.5, 1.6),
    start_month=st.integers(1, 12),
    years=st.integers(1, 4),
    seed=st.integers(0, 1000),
)
def test_transforms_exact_for_any_series(n, factor, start_month, years, seed):
    """Random positive series, any start month, partial years: volumes exact per year."""
    rng = np.random.default_rng(seed)
    time = pd.date_range(f"2001-{start_month:02d}-01", periods=12 * years + 5, freq="MS")
    q = rng.lognormal(5, 0.6, (2, len(time), 2))
    da = xr.DataArray(
        q,
        dims=("member", "time", "catchment"),
        coords={"member": [0, 1], "time": time, "catchment": ["a", "b"]},
    )
    out = shift_peak(da, n)
    assert np.allclose(annual_volumes(out), annual_volumes(da), rtol=1e-10)
    out = scale_volume(out, factor, reference=da)
    assert np.allclose(annual_volumes(out) / annual_volumes(da), factor, rtol=1e-10)
    assert (out.values > 0).all()


def test_scenario_on_generated_ensemble(gauges):
    """On a PAR(1) ensemble of the GSIM gauges: each hydrological year's volume changes exactly
    as the scenario says and the mean hydrograph's peak moves one month earlier."""
    from vakhsh.hydrology.par import fit_par1

    record = gauges.rename(
        columns={
            "vakhsh_garm": "vakhsh_garm",
            "naryn_uchkurgan": "naryn_uk",
            "kokcha_khojaghar": "kokcha",
        }
    )
    da = fit_par1(record).generate(30, 4, seed=1, start="2020-10-01")
    out = apply_scenario(da, "naryn_2090_ssp585")
    ratio = annual_volumes(out) / annual_volumes(da)
    assert np.allclose(ratio[..., 1], 0.84, rtol=1e-12)  # naryn
    assert np.allclose(
        ratio[..., [0, 2]], 1.0, rtol=1e-12
    )  # vakhsh (amu) and kokcha (panj): unchanged
    before, after = climatology(da).argmax(axis=0), climatology(out).argmax(axis=0)
    assert (before - after)[1] == 1 and (before == after)[[0, 2]].all()
