"""The FPHA fit's helpers by hand: the correction factors central-asia's production-model
options apply to the planes (`datasets/central-asia/fpha_options.py`), scaling, and the
fit of a plant without live storage. None of them was called by a test until mutmut
said so (session 22).

The plant: a flat lake 100 m above the tailwater at 90 % efficiency, so the exact output
is k q with k = 9.81e-3 * 0.9 * 100 = 0.8829 MW per m3/s (88.29 MW at the full 100 m3/s).
With `points=1` the grids are the four corners: storage 0 and 100 hm3, flow 0 (or the
operating minimum) and 100 m3/s.
"""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.math.fpha_fit import (
    Planes,
    PlantCurve,
    _upper_lines,
    conservative_factor,
    fit_planes,
    least_squares_factor,
    scaled,
)

K = 9.81e-3 * 0.9 * 100.0  # MW per m3/s


def flat_lake(capacity_mw: float = 1000.0) -> PlantCurve:
    return PlantCurve(
        level_curve=np.array([[0.0, 110.0], [100.0, 110.0]]),
        tailwater_masl=10.0,
        efficiency=0.9,
        capacity_mw=capacity_mw,
        storage_min_hm3=0.0,
        storage_max_hm3=100.0,
        max_flow_m3s=100.0,
    )


def plane(intercept_mw: float, per_m3s: float) -> Planes:
    """One plane p <= intercept + per_m3s q (no storage term)."""
    return Planes(np.array([intercept_mw]), np.array([0.0]), np.array([per_m3s]), 0.0)


# 10 MW at no flow, the exact 88.29 MW at full flow
ABOVE = plane(10.0, (100 * K - 10.0) / 100.0)


def test_least_squares_factor_by_hand():
    # envelope 10 and 88.29, exact 0 and 88.29, each at both storages:
    # alpha = (2 * 88.29 * 88.29) / (2 * 10^2 + 2 * 88.29^2)
    top = 100 * K
    assert least_squares_factor(flat_lake(), ABOVE, points=1) == pytest.approx(
        top**2 / (10.0**2 + top**2), rel=1e-12
    )


def test_least_squares_factor_compares_both_at_most_the_capacity():
    # at 50 MW capacity the envelope is 10 and 50, the exact output 0 and 50
    assert least_squares_factor(flat_lake(50.0), ABOVE, points=1) == pytest.approx(
        50.0**2 / (10.0**2 + 50.0**2), rel=1e-12
    )


def test_conservative_factor_is_the_smallest_ratio_in_the_operating_range():
    # from 50 m3/s: exact 44.145 against the envelope's 10 + 0.7829 * 50 = 49.145 (the
    # smallest ratio), and 88.29 against 88.29 at full flow
    per_m3s = (100 * K - 10.0) / 100.0
    factor = conservative_factor(flat_lake(), ABOVE, flow_min_m3s=50.0, points=1)
    assert factor == pytest.approx(50 * K / (10.0 + 50 * per_m3s), rel=1e-12)


def test_conservative_factor_skips_points_where_the_envelope_is_zero():
    # the envelope 0.5 k q: zero at no flow (skipped, not 0/0), half the exact output elsewhere
    assert conservative_factor(flat_lake(), plane(0.0, K / 2), 0.0, points=1) == pytest.approx(2.0)
    # no envelope anywhere: nothing to correct
    assert conservative_factor(flat_lake(), plane(0.0, 0.0), 0.0, points=1) == 1.0


def test_scaled_planes_and_their_error():
    half = scaled(flat_lake(), ABOVE, 0.5)
    assert half.intercept_mw == pytest.approx([5.0])
    assert half.per_m3s == pytest.approx([ABOVE.per_m3s[0] / 2])
    assert half.per_hm3 == pytest.approx([0.0])
    # 5 + 0.39145 q against 0.8829 q: 5 MW too much at no flow, less everywhere else
    assert half.max_error_mw == pytest.approx(5.0)


def test_a_plant_without_live_storage_gets_the_line_through_its_fixed_head():
    curve = np.array([[0.0, 100.0], [100.0, 120.0]])
    plant = PlantCurve(curve, 10.0, 0.9, 1000.0, 50.0, 50.0, 100.0)
    planes = fit_planes(plant)
    # head at 50 hm3: 110 - 10 = 100 m, so p <= k q with no intercept and no storage term
    assert len(planes) == 1
    assert planes.per_m3s == pytest.approx([K])
    assert planes.intercept_mw == pytest.approx([0.0], abs=1e-9)
    assert planes.per_hm3 == pytest.approx([0.0])
    assert planes.max_error_mw == pytest.approx(0.0, abs=1e-9)


def test_upper_lines_is_the_upper_hull_of_points_in_the_plane():
    # (1.5, 1) lies below the hull; (2, 2.5) lies below the chord from (1, 2) to (3, 3.2),
    # which is at 2.6 there, so it is dropped; at x = 3 only the highest point counts
    x = np.array([0.0, 1.0, 1.5, 2.0, 3.0, 3.0])
    y = np.array([0.0, 2.0, 1.0, 2.5, 3.2, 1.0])
    slope, intercept = _upper_lines(x, y)
    # hull (0, 0) - (1, 2) - (3, 3.2): slopes 2 and 0.6, intercepts 0 and 2 - 0.6 = 1.4
    assert slope == pytest.approx([2.0, 0.6])
    assert intercept == pytest.approx([0.0, 1.4])


def test_upper_lines_of_one_flow_is_a_flat_line_at_its_highest_point():
    slope, intercept = _upper_lines(np.array([1.0, 1.0]), np.array([3.0, 5.0]))
    assert slope == pytest.approx([0.0])
    assert intercept == pytest.approx([5.0])


def test_upper_lines_drops_a_second_point_below_and_a_point_on_a_chord():
    # (2, 1.5) lies below the chord from (1, 1) to (3, 4) (2.5 there): dropped while the
    # hull has two points; (4, 5) lies on the chord from (3, 4) to (5, 6): dropped too;
    # the hull then bends twice more, at (5, 6) and (6, 6.5)
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    y = np.array([1.0, 1.5, 4.0, 5.0, 6.0, 6.5, 6.8])
    slope, intercept = _upper_lines(x, y)
    # hull (1, 1) - (3, 4) - (5, 6) - (6, 6.5) - (7, 6.8): slopes 1.5, 1, 0.5 and 0.3,
    # intercepts 1 - 1.5, 4 - 3, 6 - 2.5 and 6.5 - 1.8
    assert slope == pytest.approx([1.5, 1.0, 0.5, 0.3])
    assert intercept == pytest.approx([-0.5, 1.0, 3.5, 4.7])


def test_the_storage_where_the_head_reaches_zero_adds_no_plane():
    # level 700 + V masl over a 750 m tailwater: no head below 50 hm3. Listing the point
    # (50, 750) of the same straight curve gives the same envelope: max(head, 0) is convex
    # in V, so g lies below the bilinear function of the rectangle's corners
    def fitted(curve):
        return fit_planes(PlantCurve(np.array(curve), 750.0, 0.9, 1e9, 0.0, 100.0, 220.0))

    plain = fitted([[0.0, 700.0], [100.0, 800.0]])
    listed = fitted([[0.0, 700.0], [50.0, 750.0], [100.0, 800.0]])
    v, q = np.meshgrid(np.linspace(0, 100, 101), np.linspace(0, 220, 45), indexing="ij")
    np.testing.assert_allclose(plain.envelope_mw(v, q), listed.envelope_mw(v, q), atol=1e-9)
    # the envelope at full flow is the chord from no head at 0 hm3 to 50 m at 100 hm3
    top = 9.81e-3 * 0.9 * 220.0 * 50.0
    np.testing.assert_allclose(plain.envelope_mw(v[:, -1], 220.0), top * v[:, -1] / 100, atol=1e-9)


def test_a_small_pond_and_a_mini_plant_are_fitted_like_large_ones():
    # g is linear in q, so a plant with a thousandth of the storage and a ten-thousandth of
    # the flow (under 1 hm3 of live storage, under 1 MW: a pond and a mini plant) has the
    # same envelope, scaled: its storage still moves its head. (Ranges of 1 taken as none,
    # a mutant of fit_planes, fitted the pond without its storage and the plant as p <= 0.)
    curve = np.array([[0.0, 100.0], [100.0, 120.0]])
    large = PlantCurve(curve, 10.0, 0.9, 1e9, 0.0, 100.0, 100.0)
    small = PlantCurve(curve * [1e-3, 1.0], 10.0, 0.9, 1e9, 0.0, 0.1, 0.01)
    v, q = np.meshgrid(np.linspace(0, 100, 21), np.linspace(0, 100, 21), indexing="ij")
    np.testing.assert_allclose(
        fit_planes(small).envelope_mw(v * 1e-3, q * 1e-4) * 1e4,
        fit_planes(large).envelope_mw(v, q),
        rtol=1e-9,
    )
    assert fit_planes(large).envelope_mw(0.0, 100.0) == pytest.approx(100 * 9.81e-3 * 0.9 * 90)


def test_a_plant_without_head_gets_one_plane_at_zero():
    # the lake never reaches the tailwater: p <= 0, one plane
    plant = PlantCurve(np.array([[0.0, 5.0], [100.0, 9.0]]), 10.0, 0.9, 100.0, 0.0, 100.0, 50.0)
    planes = fit_planes(plant)
    assert len(planes) == 1
    for coefficients in (planes.intercept_mw, planes.per_hm3, planes.per_m3s):
        assert coefficients == pytest.approx([0.0])
    assert planes.max_error_mw == 0.0


def test_a_flat_lake_gets_the_one_plane_through_its_fixed_head():
    # every corner (V, q, K q) lies on one plane, which qhull cannot hull: p <= K q
    planes = fit_planes(flat_lake())
    assert len(planes) == 1
    assert planes.intercept_mw == pytest.approx([0.0], abs=1e-9)
    assert planes.per_hm3 == pytest.approx([0.0], abs=1e-12)
    assert planes.per_m3s == pytest.approx([K])
    assert planes.max_error_mw == pytest.approx(0.0, abs=1e-9)
