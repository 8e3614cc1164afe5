"""Benders cuts of one stage's cost-to-go, and the cost-to-go function they define.

The cost-to-go after stage t, as a function of the state x leaving it, is approximated
from below by

- single cut: theta(x) = max(L, max_j alpha_j + beta_j . x);
- multi-cut: phi_k(x) = max(L, max_{j of outcome k} alpha_j + beta_j . x) for every
  outcome k of stage t+1, and theta(x) = max over the risk sets xi seen so far of
  sum_k xi_k phi_k(x) (one risk set, the nominal probabilities, under the expectation).

L is the stage's lower bound on the cost-to-go. The slopes beta are d cost / d state: on
storage they are minus the water value (USD per hm3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CutStore:
    n_state: int
    lower_usd: float  # L
    outcomes: int = 0  # multi-cut: outcomes of the next stage; 0 for single cut
    intercept: list[float] = field(default_factory=list)
    slope: list[np.ndarray] = field(default_factory=list)
    outcome: list[int] = field(default_factory=list)  # -1 for a single cut
    iteration: list[int] = field(default_factory=list)
    risk_sets: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.intercept)

    def add(self, intercept: float, slope: np.ndarray, outcome: int, iteration: int) -> None:
        self.intercept.append(float(intercept))
        self.slope.append(np.asarray(slope, dtype=float).copy())
        self.outcome.append(int(outcome))
        self.iteration.append(int(iteration))

    def add_risk_set(self, xi: np.ndarray) -> bool:
        """Remember a risk-adjusted distribution; False if it is already known."""
        xi = np.asarray(xi, dtype=float)
        if any(np.allclose(xi, known, rtol=0, atol=1e-12) for known in self.risk_sets):
            return False
        self.risk_sets.append(xi.copy())
        return True

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.intercept:
            return np.zeros(0), np.zeros((0, self.n_state)), np.zeros(0, dtype=int)
        return (
            np.asarray(self.intercept),
            np.vstack(self.slope),
            np.asarray(self.outcome, dtype=int),
        )

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """theta and its gradient at states x (points, states)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        alpha, beta, outcome = self.arrays()
        if not self.outcomes:
            return _max_affine(alpha, beta, x, self.lower_usd)
        values = np.zeros((self.outcomes, len(x)))
        grads = np.zeros((self.outcomes, len(x), self.n_state))
        for k in range(self.outcomes):
            mine = outcome == k
            values[k], grads[k] = _max_affine(alpha[mine], beta[mine], x, self.lower_usd)
        sets = self.risk_sets or [np.full(self.outcomes, 1.0 / self.outcomes)]
        xi = np.vstack(sets)  # (sets, outcomes)
        totals = xi @ values  # (sets, points)
        best = np.argmax(totals, axis=0)
        value = totals[best, np.arange(len(x))]
        grad = np.einsum("pk,kpn->pn", xi[best], grads)
        return value, grad


def _max_affine(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, lower: float
) -> tuple[np.ndarray, np.ndarray]:
    if not len(alpha):
        return np.full(len(x), lower), np.zeros(x.shape)
    heights = alpha[None, :] + x @ beta.T  # (points, cuts)
    j = np.argmax(heights, axis=1)
    value = heights[np.arange(len(x)), j]
    grad = beta[j]
    below = value < lower
    value = np.where(below, lower, value)
    grad[below] = 0.0
    return value, grad
