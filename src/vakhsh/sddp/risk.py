"""Risk measures: how the outcomes of a stage are weighed in a cut.

A risk measure turns the nominal probabilities of a stage's outcomes and their costs into
risk-adjusted probabilities (SDDP.jl's `adjust_probability`); a cut is then the
risk-adjusted average of the outcomes' values and slopes. Every coherent risk measure has
this dual form, so one interface serves all of them.

- `Expectation`: the nominal probabilities.
- `EAVaR(lam, beta)`: lam * E + (1 - lam) * CVaR_beta, where CVaR_beta is the mean of the
  worst fraction `beta` of outcomes (beta = 1: the expectation; beta -> 0: the worst case),
  SDDP.jl's `EAVaR(lambda, beta)`.

Specs on the command line: `expectation`, `cvar:LAMBDA,BETA`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from vakhsh.errors import ModelError, Problem


class RiskMeasure(Protocol):
    spec: str

    def adjust(self, probability: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Risk-adjusted probabilities of outcomes with these nominal probabilities and
        costs (a cost minimisation: high costs are the bad outcomes)."""


@dataclass(frozen=True)
class Expectation:
    spec: str = "expectation"

    def adjust(self, probability: np.ndarray, cost: np.ndarray) -> np.ndarray:
        return np.asarray(probability, dtype=float)


@dataclass(frozen=True)
class EAVaR:
    lam: float  # weight on the expectation
    beta: float  # fraction of worst outcomes averaged by the CVaR part

    @property
    def spec(self) -> str:
        return f"cvar:{self.lam:g},{self.beta:g}"

    def adjust(self, probability: np.ndarray, cost: np.ndarray) -> np.ndarray:
        p = np.asarray(probability, dtype=float)
        return self.lam * p + (1.0 - self.lam) * cvar_weights(p, cost, self.beta)


def cvar_weights(probability: np.ndarray, cost: np.ndarray, beta: float) -> np.ndarray:
    """The distribution under which the expectation is CVaR_beta: the worst outcomes, in
    order of cost, each weighted p / beta until the mass beta is used up."""
    p = np.asarray(probability, dtype=float)
    out = np.zeros_like(p)
    if beta >= 1.0:
        return p.copy()
    order = np.argsort(-np.asarray(cost, dtype=float), kind="stable")
    if beta <= 0.0:
        out[order[0]] = 1.0
        return out
    before = np.cumsum(p[order]) - p[order]  # mass of the outcomes worse than each
    take = np.clip(beta - before, 0.0, p[order])
    out[order] = take / beta
    return out


def risk_value(measure: RiskMeasure, probability: np.ndarray, cost: np.ndarray) -> float:
    """The risk-adjusted value of outcomes' costs."""
    return float(measure.adjust(probability, cost) @ np.asarray(cost, dtype=float))


def parse_risk(spec: str) -> RiskMeasure:
    """`expectation` or `cvar:LAMBDA,BETA` with LAMBDA in [0, 1] and BETA in (0, 1]."""
    text = spec.strip().lower()
    if text == "expectation":
        return Expectation()
    if text.startswith("cvar:"):
        parts = text[5:].split(",")
        try:
            lam, beta = (float(x) for x in parts)
        except ValueError:
            lam = beta = float("nan")
        if len(parts) == 2 and 0.0 <= lam <= 1.0 and 0.0 < beta <= 1.0:
            return EAVaR(lam, beta)
    raise ModelError(
        [
            Problem(
                "command line",
                "--risk",
                "expected 'expectation' or "
                "'cvar:LAMBDA,BETA' with LAMBDA in [0, 1] (weight on the "
                "expectation) and BETA in (0, 1] (fraction of worst outcomes)",
                spec,
            )
        ]
    )
