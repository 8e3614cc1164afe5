"""Assemble a balance (water at nodes, power at buses) from many flows in one step.

Families contribute flows `(time, component)` that enter or leave a balance member
(a node or a bus) named per component. Rather than grouping and adding one linopy
expression per flow, which costs a fixed overhead per operation, the parts are kept as
label and coefficient arrays and scattered into one `(time, member, _term)` expression
with numpy at the end: vectorised, with no Python loop over steps or components.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.math.terms import spread_over


@dataclass
class _Part:
    labels: np.ndarray  # (time, column, term) variable labels, -1 for none
    coeffs: np.ndarray  # (time, column, term)
    const: np.ndarray  # (time, column)
    member: np.ndarray  # (column,) position of each column's member, -1 for none


@dataclass
class Balance:
    """Flows into the members of a balance, positive in."""

    time: pd.Index
    members: pd.Index
    parts: list[_Part] = field(default_factory=list)
    # the scattered arrays and the number of parts they were made from
    _cache: tuple | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def add(self, expr, dim: str, target: pd.Series, sign: float = 1.0, coefficient=1.0) -> None:
        """Add `coefficient` times a (time, dim) Variable or LinearExpression to the member
        each id names. `coefficient` (a number, or a DataArray over time and/or `dim` with
        the expression's coordinates) is applied with numpy, not as a linopy product."""
        if isinstance(expr, linopy.Variable):
            labels = expr.labels.transpose("time", dim).values[:, :, None]
            coeffs = np.ones(labels.shape)
            const = np.zeros(labels.shape[:2])
            ids = expr.labels[dim].values
        else:
            data = expr.data.transpose("time", dim, "_term")
            labels = data["vars"].values
            coeffs = data["coeffs"].values
            const = data["const"].transpose("time", dim).values
            ids = data[dim].values
        scale = sign * spread_over(coefficient, {"time": self.time, dim: pd.Index(ids, name=dim)})
        coeffs, const = coeffs * scale[:, :, None], const * scale
        names = target.reindex(list(ids)).to_numpy()
        member = self.members.get_indexer(pd.Index(names, dtype=object))
        # a missing target (NaN: a run-of-river plant has no reservoir) belongs to no
        # member; a target that is not a member is a mistake, never a dropped term
        unknown = (member < 0) & pd.notna(names)
        if unknown.any():
            which = [f"{i} -> {n!r}" for i, n in zip(ids[unknown], names[unknown], strict=True)]
            raise ValueError(
                f"{dim} terms name no {self.members.name} of this balance: {', '.join(which[:5])}"
            )
        self.parts.append(_Part(labels, coeffs, const, member))

    def expression(
        self, model: linopy.Model, members: Sequence[str] | None = None, dim: str | None = None
    ) -> linopy.LinearExpression:
        """The flows into each member as one (time, member) expression; `members`: only
        those, under the dimension `dim` (as `.sel(...).rename(...)` would give, without
        two more linopy operations)."""
        labels, coeffs, const = self._scattered()
        index = self.members
        if members is not None:
            where = self.members.get_indexer(pd.Index(members, dtype=object))
            if (where < 0).any():
                raise ValueError(
                    f"not members of this balance: {list(np.asarray(members)[where < 0])}"
                )
            labels, coeffs, const = labels[:, where], coeffs[:, where], const[:, where]
            index = pd.Index(list(members), name=dim or self.members.name)
        dims = ("time", index.name, "_term")
        data = xr.Dataset(
            {"vars": (dims, labels), "coeffs": (dims, coeffs), "const": (dims[:2], const)},
            coords={"time": self.time, index.name: index},
        )
        return linopy.LinearExpression(data, model)

    def _scattered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(time, member, slot) labels and coefficients and (time, member) constants,
        computed once for the parts added so far."""
        if self._cache is not None and self._cache[0] == len(self.parts):
            return self._cache[1]
        steps, size = len(self.time), len(self.members)
        terms = max(p.labels.shape[2] for p in self.parts)
        labels = np.concatenate([_pad(p.labels, terms, -1) for p in self.parts], axis=1)
        coeffs = np.concatenate([_pad(p.coeffs, terms, 0.0) for p in self.parts], axis=1)
        const = np.concatenate([p.const for p in self.parts], axis=1)
        member = np.concatenate([p.member for p in self.parts])
        keep = np.flatnonzero(member >= 0)
        order = keep[np.argsort(member[keep], kind="stable")]
        target = member[order]
        counts = np.bincount(target, minlength=size)
        rank = np.arange(len(order)) - (np.cumsum(counts) - counts)[target]
        slots = max(int(counts.max(initial=0)), 1) * terms
        out_labels = np.full((steps, size, slots), -1, dtype=np.int64)
        out_coeffs = np.zeros((steps, size, slots))
        for k in range(terms):  # a handful of term slots, not steps or components
            out_labels[:, target, rank * terms + k] = labels[:, order, k]
            out_coeffs[:, target, rank * terms + k] = coeffs[:, order, k]
        out_const = np.zeros((steps, size))
        np.add.at(out_const.T, target, const[:, order].T)
        self._cache = (len(self.parts), (out_labels, out_coeffs, out_const))
        return self._cache[1]


def _pad(values: np.ndarray, terms: int, fill) -> np.ndarray:
    if values.shape[2] == terms:
        return values
    extra = np.full(values.shape[:2] + (terms - values.shape[2],), fill, dtype=values.dtype)
    return np.concatenate([values, extra], axis=2)
