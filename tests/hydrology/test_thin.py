import numpy as np
import pandas as pd
import pytest

from vakhsh.hydrology.climate import annual_volumes
from vakhsh.hydrology.errors import InflowError
from vakhsh.hydrology.stats import ensemble_stats
from vakhsh.hydrology.thin import (
    FALLBACK_CV,
    ThinParams,
    cv_with_fallback,
    estimate_thin_params,
    expected_normal_range,
    fit_thin,
)

CLIM = pd.DataFrame(
    {
        "vakhsh": [110, 104, 111, 172, 313, 565, 830, 775, 416, 201, 150, 127.0],
        "naryn": [152, 154, 176, 307, 600, 963, 800, 600, 256, 207, 197, 169.0],
    },
    index=pd.Index(range(1, 13), name="month"),
)


def test_thin_keeps_climatology_cv_and_positivity():
    model = fit_thin(CLIM, pd.Series({"vakhsh": 0.14, "naryn": 0.23}))
    da = model.generate(1000, 10, seed=1)
    st = ensemble_stats(da)
    assert (st.mean / CLIM - 1).abs().to_numpy().max() < 0.02
    assert np.allclose(st.cv_annual.to_numpy(), [0.14, 0.23], atol=0.01)
    assert abs(st.cross_pooled.iloc[0, 1] - ThinParams().annual_cross) < 0.1
    assert float(da.min()) > 0
    # every calendar year's volume is exactly A x the climatological volume: mean volume ratio ~ 1
    vol = annual_volumes(da, year_start_month=1)
    days = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    assert np.allclose(vol.mean(axis=(0, 1)) / (days @ CLIM.to_numpy()), 1, atol=0.01)


def test_thin_same_seed_same_output():
    model = fit_thin(CLIM, pd.Series({"vakhsh": 0.14, "naryn": 0.23}))
    assert np.array_equal(model.generate(5, 2, seed=3).values, model.generate(5, 2, seed=3).values)


def test_thin_derived_defaults_match_gauges(gauges):
    """The ThinParams defaults labelled 'derived' are recomputed from the shipped GSIM files."""
    est, default = estimate_thin_params(gauges), ThinParams()
    assert abs(est.annual_lag1 - default.annual_lag1) < 0.01
    assert abs(est.annual_cross - default.annual_cross) < 0.01
    assert abs(est.month_sd - default.month_sd) < 0.01
    assert abs(est.month_lag1 - default.month_lag1) < 0.01


def test_cv_fallbacks():
    table = pd.DataFrame(
        {
            "catchment": ["vakhsh", "naryn"],
            "cv_annual": [np.nan, np.nan],
            "driest_year_mean_m3s": [252.0, np.nan],
            "wettest_year_mean_m3s": [628.0, np.nan],
            "record_period": ["1938-1972", ""],
        }
    )
    cv, notes = cv_with_fallback(table, CLIM.rename(columns={"vakhsh": "vakhsh"}))
    expected = (628 - 252) / (CLIM["vakhsh"].mean() * expected_normal_range(35))
    assert cv["vakhsh"] == pytest.approx(expected)
    assert cv["naryn"] == pytest.approx(expected)  # median of the others
    assert "driest/wettest" in notes[0] and "median" in notes[1]
    cv, _ = cv_with_fallback(pd.DataFrame(columns=["catchment", "cv_annual"]), CLIM)
    assert (cv == FALLBACK_CV).all()
    cv, _ = cv_with_fallback(pd.DataFrame({"catchment": ["naryn"], "cv_annual": [0.227]}), CLIM)
    assert cv["naryn"] == 0.227 and cv["vakhsh"] == 0.227


def test_expected_range_known_value():
    assert expected_normal_range(2) == pytest.approx(2 / np.sqrt(np.pi), rel=1e-6)  # d2(2) = 1.128
    assert expected_normal_range(10) == pytest.approx(3.078, abs=1e-3)


def test_thin_rejects_bad_input():
    with pytest.raises(InflowError):
        fit_thin(CLIM, pd.Series({"vakhsh": np.nan, "naryn": 0.2}))
    with pytest.raises(InflowError):
        fit_thin(CLIM.iloc[:11], pd.Series({"vakhsh": 0.2, "naryn": 0.2}))
