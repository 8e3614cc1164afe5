"""Reservoir curves (level, area) read at a storage: piecewise linear between points."""

from __future__ import annotations

import numpy as np


def curve_value(curve, storage_hm3: np.ndarray) -> np.ndarray:
    """The curve's value at each storage: `[[storage_hm3, value], ...]`, interpolated,
    held at the end points beyond them."""
    points = np.asarray(curve, dtype=float)
    return np.interp(storage_hm3, points[:, 0], points[:, 1])
