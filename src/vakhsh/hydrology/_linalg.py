"""Small matrix helpers shared by the generators."""

from __future__ import annotations

import numpy as np


def nearest_psd(a: np.ndarray, floor: float = 1e-8) -> tuple[np.ndarray, bool]:
    """Clip the eigenvalues of a symmetric matrix at ``floor`` and restore its diagonal.

    Returns (matrix, repaired). Used where a matrix estimated pairwise from gappy records,
    or implied by a model, is not positive semi-definite. The diagonal (variances) is kept.
    """
    a = 0.5 * (a + a.T)
    w, v = np.linalg.eigh(a)
    if w.min() >= floor:
        return a, False
    d = np.sqrt(np.clip(np.diag(a), 0.0, None))
    w = np.clip(w, floor, None)
    b = (v * w) @ v.T
    s = np.sqrt(np.diag(b))
    scale = np.where(s > 0, d / s, 0.0)
    return b * np.outer(scale, scale), True


def cholesky_psd(a: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of a positive semi-definite matrix (tiny ridge when singular)."""
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        pass
    scale = max(1.0, float(np.max(np.abs(np.diag(a)))))
    b, _ = nearest_psd(a, floor=1e-10 * scale)
    for ridge in (1e-10, 1e-8, 1e-6):
        try:
            return np.linalg.cholesky(b + ridge * scale * np.eye(len(a)))
        except np.linalg.LinAlgError:
            continue
    # last resort: a symmetric square root from the eigen-decomposition (not triangular, same product)
    w, v = np.linalg.eigh(0.5 * (b + b.T))
    return v * np.sqrt(np.clip(w, 0.0, None))
