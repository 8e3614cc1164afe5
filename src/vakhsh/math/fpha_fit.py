"""Fit the planes of the convex head-dependent production model (FPHA) of one plant.

The power a plant on a reservoir with a level curve makes from turbine flow q (m3/s) at
storage V (hm3), below its capacity, is

    g(V, q) = 9.81e-3 * efficiency * q * max(level(V) - tailwater, 0)

which is not concave: flow times head is bilinear. Its concave envelope (the smallest
concave function above g on V in [storage_min, storage_max], q in [0, max_flow]) is a
minimum of planes a_j + b_j V + c_j q: the upper facets of the convex hull of g's graph,
as CEPEL's FPHA and cobre's `fpha_fitting` build it. The capacity stays a bound of its own
in the LP (p <= capacity_mw * capacity_factor), so the model is min(envelope, capacity).

The hull is exact, not sampled: between two consecutive level-curve points g is bilinear
in (V, q), and a bilinear function on a rectangle lies in the hull of its four corners, so
the hull of the corners of those rectangles is the hull of g's graph. Where the head
reaches zero inside such a rectangle, max(head, 0) is convex in V there, so g lies below
the bilinear function of the same corners and their hull is still g's: the storage where
the head is zero adds no corner. Every plane bounds g from above on
the whole range. On an edge of the range the envelope is g's envelope along that edge, so
it equals g where q = 0 and at the lowest and highest storage (g is linear in q there), and
along q = max_flow where the level curve is concave (the usual shape: a reservoir widens as
it fills). For a linear level curve the envelope is McCormick's two planes:
p <= k h_max q and p <= k (Q (h(V) - h_min) + h_min q).

`max_error_mw` is the largest min(envelope, capacity) - min(g, capacity) on a fine grid:
the most the LP can overstate a step's output at one (storage, flow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

GRAVITY_MW_PER_M3S_M = 9.81e-3  # as math/hydro.py (imported there from here would cycle)
# planes closer than this (in the unit box the fit works in) are one plane
_SAME_PLANE = 1e-9


@dataclass(frozen=True)
class PlantCurve:
    """What f depends on, for one plant."""

    level_curve: np.ndarray  # (points, 2): storage_hm3, level_masl
    tailwater_masl: float
    efficiency: float
    capacity_mw: float
    storage_min_hm3: float
    storage_max_hm3: float
    max_flow_m3s: float

    def head_m(self, storage_hm3: np.ndarray) -> np.ndarray:
        curve = np.asarray(self.level_curve, dtype=float)
        level = np.interp(storage_hm3, curve[:, 0], curve[:, 1])
        return np.maximum(level - self.tailwater_masl, 0.0)

    def power_mw(self, storage_hm3: np.ndarray, flow_m3s: np.ndarray) -> np.ndarray:
        """min(g(V, q), capacity): the exact output, MW (broadcasting)."""
        p = GRAVITY_MW_PER_M3S_M * self.efficiency * flow_m3s * self.head_m(storage_hm3)
        return np.minimum(p, self.capacity_mw)


@dataclass(frozen=True)
class Planes:
    """p <= intercept_mw + per_hm3 * V + per_m3s * q, one entry per plane."""

    intercept_mw: np.ndarray
    per_hm3: np.ndarray  # MW per hm3 of (mean) storage
    per_m3s: np.ndarray  # MW per m3/s of turbine flow
    max_error_mw: float  # largest min(envelope, capacity) - min(g, capacity)

    def __len__(self) -> int:
        return len(self.intercept_mw)

    def envelope_mw(self, storage_hm3: np.ndarray, flow_m3s: np.ndarray) -> np.ndarray:
        """The minimum of the planes at (V, q) (broadcasting)."""
        v = np.asarray(storage_hm3, dtype=float)[..., None]
        q = np.asarray(flow_m3s, dtype=float)[..., None]
        return np.min(self.intercept_mw + self.per_hm3 * v + self.per_m3s * q, axis=-1)


def storage_grid(plant: PlantCurve) -> np.ndarray:
    """The range's ends and every level-curve point inside it: the storages between which
    g is bilinear, or below the bilinear function of its corners (module docstring)."""
    lo, hi = plant.storage_min_hm3, plant.storage_max_hm3
    curve = np.asarray(plant.level_curve, dtype=float)
    grid = np.unique(np.concatenate([np.array([lo, hi]), curve[:, 0]]))
    return grid[(grid >= lo) & (grid <= hi)]


def corners(plant: PlantCurve) -> np.ndarray:
    """(V, q, g) at every grid storage and flows 0 and max_flow."""
    v = storage_grid(plant)
    k = GRAVITY_MW_PER_M3S_M * plant.efficiency
    top = k * plant.max_flow_m3s * plant.head_m(v)
    return np.concatenate(
        [
            np.column_stack([v, np.zeros_like(v), np.zeros_like(v)]),
            np.column_stack([v, np.full_like(v, plant.max_flow_m3s), top]),
        ]
    )


def fit_planes(plant: PlantCurve) -> Planes:
    """The concave envelope of g over the plant's range as planes (see the module)."""
    points = corners(plant)
    scale = np.array(
        [
            max(plant.storage_max_hm3 - plant.storage_min_hm3, 0.0),
            plant.max_flow_m3s,
            max(points[:, 2].max(), 0.0),
        ]
    )
    origin = np.array([plant.storage_min_hm3, 0.0, 0.0])
    unit = np.where(scale > 0, scale, 1.0)  # a dimension without range: no live storage
    a, b, c = _upper_planes((points - origin) / unit, spans=scale > 0)
    # back from the unit box: p / P = a + b (V - V0) / SV + c q / Q
    per_hm3 = unit[2] * b / unit[0]
    per_m3s = unit[2] * c / unit[1]
    intercept = unit[2] * a - per_hm3 * origin[0]
    return with_error(plant, Planes(intercept, per_hm3, per_m3s, 0.0))


def fit_grid(plant: PlantCurve, points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(V, q) on a uniform grid of the plant's whole range (`points` + 1 per axis)."""
    return np.meshgrid(
        np.linspace(plant.storage_min_hm3, plant.storage_max_hm3, points + 1),
        np.linspace(0.0, plant.max_flow_m3s, points + 1),
        indexing="ij",
    )


def with_error(plant: PlantCurve, planes: Planes) -> Planes:
    """`planes` with `max_error_mw` measured on the grid of the plant's whole range."""
    v, q = fit_grid(plant)
    over = np.minimum(planes.envelope_mw(v, q), plant.capacity_mw) - plant.power_mw(v, q)
    return Planes(planes.intercept_mw, planes.per_hm3, planes.per_m3s, max(float(over.max()), 0.0))


def scaled(plant: PlantCurve, planes: Planes, factor: float) -> Planes:
    """Every plane times `factor` (a correction factor: p <= factor * (a + b V + c q))."""
    out = Planes(factor * planes.intercept_mw, factor * planes.per_hm3, factor * planes.per_m3s, 0)
    return with_error(plant, out)


def least_squares_factor(plant: PlantCurve, planes: Planes, points: int = 200) -> float:
    """The correction factor of cobre's `fpha_fitting/alpha.rs` (alpha_FPHA): the scalar
    that minimises the squared error between alpha * envelope and the exact output over
    the uniform (V, q) grid of the plant's range, both at most the capacity (what the LP
    sees): alpha = sum(envelope * exact) / sum(envelope^2)."""
    v, q = fit_grid(plant, points)
    envelope = np.minimum(planes.envelope_mw(v, q), plant.capacity_mw)
    exact = plant.power_mw(v, q)
    return float((envelope * exact).sum() / (envelope * envelope).sum())


def conservative_factor(
    plant: PlantCurve, planes: Planes, flow_min_m3s: float, points: int = 200
) -> float:
    """The largest factor with factor * envelope <= the exact output wherever the plant
    turbines at least `flow_min_m3s` (its operating range): the smallest ratio exact /
    envelope there."""
    v, q = np.meshgrid(
        np.linspace(plant.storage_min_hm3, plant.storage_max_hm3, points + 1),
        np.linspace(flow_min_m3s, plant.max_flow_m3s, points + 1),
        indexing="ij",
    )
    envelope = np.minimum(planes.envelope_mw(v, q), plant.capacity_mw)
    exact = plant.power_mw(v, q)
    positive = envelope > 0
    return float(np.min(exact[positive] / envelope[positive])) if positive.any() else 1.0


def _upper_planes(box: np.ndarray, spans: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planes p = a + b v + c q of the upper hull of points (v, q, p) in the unit box."""
    if not spans[2]:  # no power anywhere (no head, no flow): p <= 0
        return np.zeros(1), np.zeros(1), np.zeros(1)
    if not spans[0]:  # no live storage: the upper hull in (q, p)
        c, a = _upper_lines(box[:, 1], box[:, 2])
        return a, np.zeros(len(a)), c
    try:
        hull = ConvexHull(box)
    except QhullError:  # every point on one plane: f is itself linear
        design = np.column_stack([np.ones(len(box)), box[:, 0], box[:, 1]])
        coef, *_ = np.linalg.lstsq(design, box[:, 2], rcond=None)
        return coef[:1], coef[1:2], coef[2:3]
    eq = hull.equations  # n . x + d <= 0 inside; upper facets have n_p > 0
    upper = eq[eq[:, 2] > 1e-9]
    a = -upper[:, 3] / upper[:, 2]
    b = -upper[:, 0] / upper[:, 2]
    c = -upper[:, 1] / upper[:, 2]
    return _distinct_active(box, a, b, c)


def _distinct_active(
    box: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One plane per coplanar group of facets, and only planes that are the envelope
    somewhere on the points (qhull splits a flat face into triangles)."""
    coef = np.column_stack([a, b, c])
    keys = np.round(coef / _SAME_PLANE) * _SAME_PLANE
    _, first = np.unique(keys, axis=0, return_index=True)
    coef = coef[np.sort(first)]
    values = coef[:, 0] + coef[:, 1] * box[:, :1] + coef[:, 2] * box[:, 1:2]
    lowest = values.min(axis=1, keepdims=True)
    active = np.any(values <= lowest + 1e-9, axis=0)
    coef = coef[active]
    return coef[:, 0], coef[:, 1], coef[:, 2]


def _upper_lines(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of the upper hull of points in the plane (monotone chain)."""
    xs = np.unique(x)
    ys = np.array([y[x == v].max() for v in xs])  # the highest point at each x
    hull: list[tuple[float, float]] = []
    for px, py in zip(xs, ys, strict=True):
        while len(hull) >= 2:
            (ax, ay), (bx, by) = hull[-2], hull[-1]
            if (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0:
                hull.pop()  # b lies on or below the chord from a to p
            else:
                break
        hull.append((float(px), float(py)))
    if len(hull) < 2:
        return np.zeros(1), np.array([hull[0][1]])
    pts = np.array(hull)
    slope = np.diff(pts[:, 1]) / np.diff(pts[:, 0])
    return slope, pts[:-1, 1] - slope * pts[:-1, 0]
