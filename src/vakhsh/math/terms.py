"""A sum of coefficient-times-variable terms written as one linopy expression.

Each linopy operation (`a * x`, `x + y`, `expr - c`) aligns its operands with xarray and
costs a few milliseconds whatever the size: a constraint family written as five such
operations costs tens of milliseconds on a small model, most of a small model's build.
`linear_sum` stacks the terms' labels and coefficients with numpy into one expression
(the representation linopy itself uses: a `_term` dimension, label -1 for no variable),
after checking that the terms share their coordinates, so that nothing is aligned
silently. linopy's own `LinearExpression.from_tuples` does the same with one merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import linopy
import numpy as np
import pandas as pd
import xarray as xr

TERM = "_term"
SIGNS = ("=", "<=", ">=")


def linear_sum(
    model: linopy.Model,
    terms: Sequence[tuple[Any, linopy.Variable | linopy.LinearExpression]],
) -> linopy.LinearExpression:
    """Σ coefficient · operand over the union of the operands' dims.

    An operand is a Variable (a shifted one has label -1 where it has no variable, which
    adds nothing there) or a LinearExpression (its constant is kept); a coefficient is a
    number or a DataArray over some of those dims. A dim shared by two parts must carry the same
    coordinates in both (ValueError otherwise: a sum of mismatched parts is a mistake).
    """
    coords, labels, coeffs, const = _stacked(terms)
    dims = tuple(coords)
    data = xr.Dataset(
        {
            "vars": ((*dims, TERM), labels),
            "coeffs": ((*dims, TERM), coeffs),
            "const": (dims, const),
        },
        coords=coords,
    )
    return linopy.LinearExpression(data, model)


def linear_rows(
    model: linopy.Model,
    terms: Sequence[tuple[Any, linopy.Variable | linopy.LinearExpression]],
    sign: str,
    rhs: Any,
) -> linopy.Constraint:
    """The rows `Σ coefficient · operand  sign  rhs` as one linopy constraint (to pass
    to `add_constraints`), from the same stacked arrays as `linear_sum`: linopy's
    comparison of an expression with a constant would align the two once more. `rhs` is
    a number or a DataArray over some of the terms' dims, with their coordinates."""
    if sign not in SIGNS:  # linopy would take any other string for an equality
        raise ValueError(f"a row's sign is one of {', '.join(SIGNS)}, not {sign!r}")
    coords, labels, coeffs, const = _stacked(terms)
    dims = tuple(coords)
    if isinstance(rhs, xr.DataArray):
        _common_coords([rhs], dict(coords))  # the terms' coordinates, or ValueError
    data = xr.Dataset(
        {
            "coeffs": ((*dims, TERM), coeffs),
            "vars": ((*dims, TERM), labels),
            "sign": (dims, np.full(const.shape, sign)),
            "rhs": (dims, _spread(rhs, dims, const.shape) - const),
        },
        coords=coords,
    )
    return linopy.constraints.Constraint(data, model)


def linear_total(
    model: linopy.Model,
    terms: Sequence[tuple[Any, linopy.Variable | linopy.LinearExpression]],
) -> linopy.LinearExpression:
    """Σ coefficient · operand summed over every dim: one scalar expression (a cost, an
    objective), as `linear_sum(...).sum()` or `linopy.merge` of summed parts would give,
    without their alignment. Each part's coefficient is a number or a DataArray over some
    of its operand's dims, with the operand's coordinates (ValueError otherwise)."""
    labels, coeffs, const = [], [], 0.0
    for coefficient, operand in terms:
        part_labels, part_coeffs, part_const = _labels_coeffs_const(operand)
        coords = _common_coords([part_labels])
        dims = tuple(coords)
        shape = tuple(len(coords[d]) for d in dims)
        scale = spread_over(coefficient, coords)
        labels.append(part_labels.transpose(*dims, TERM).values.ravel())
        coeffs.append((scale[..., None] * part_coeffs.transpose(*dims, TERM).values).ravel())
        if part_const is not None:
            const += float((scale * _spread(part_const, dims, shape)).sum())
    data = xr.Dataset(
        {
            "vars": ((TERM,), np.concatenate(labels).astype(np.int64)),
            "coeffs": ((TERM,), np.concatenate(coeffs).astype(float)),
            "const": ((), const),
        }
    )
    return linopy.LinearExpression(data, model)


def spread_over(value, coords: dict[str, pd.Index]) -> np.ndarray:
    """`value` (a number, or a DataArray over some of the dims of `coords` with their
    coordinates: ValueError otherwise) as an array over `coords`, in their order."""
    dims = tuple(coords)
    if isinstance(value, xr.DataArray):
        _common_coords([value], dict(coords))
    return _spread(value, dims, tuple(len(coords[d]) for d in dims))


def _stacked(terms) -> tuple[dict[str, pd.Index], np.ndarray, np.ndarray, np.ndarray]:
    """The coordinates, (..., term) labels and coefficients, and constant of the sum."""
    parts = [_labels_coeffs_const(operand) for _, operand in terms]
    coords = _common_coords(
        [labels for labels, _, _ in parts] + [c for c, _ in terms if isinstance(c, xr.DataArray)]
    )
    dims = tuple(coords)
    shape = tuple(len(coords[d]) for d in dims)
    labels, coeffs = [], []
    total = np.zeros(shape)
    for (coefficient, _), (part_labels, part_coeffs, part_const) in zip(terms, parts, strict=True):
        scale = _spread(coefficient, dims, shape)
        for term in range(part_labels.sizes[TERM]):
            labels.append(_spread(part_labels.isel({TERM: term}), dims, shape))
            coeffs.append(scale * _spread(part_coeffs.isel({TERM: term}), dims, shape))
        if part_const is not None:
            total = total + scale * _spread(part_const, dims, shape)
    return coords, np.stack(labels, axis=-1).astype(np.int64), np.stack(coeffs, axis=-1), total


def _labels_coeffs_const(operand) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray | None]:
    if isinstance(operand, linopy.Variable):
        labels = operand.labels.expand_dims(TERM, axis=-1)
        return labels, xr.ones_like(labels, dtype=float), None
    if isinstance(operand, linopy.LinearExpression):
        data = operand.data
        return data["vars"], data["coeffs"], data["const"]
    raise TypeError(f"expected a linopy Variable or LinearExpression, not {type(operand)}")


def _common_coords(
    arrays: list[xr.DataArray], coords: dict[str, pd.Index] | None = None
) -> dict[str, pd.Index]:
    """The coordinates of every dim of `arrays` (added to `coords`), one index per dim."""
    coords = {} if coords is None else coords
    for array in arrays:
        for dim in array.dims:
            if dim == TERM:
                continue
            index = array.indexes[dim] if dim in array.indexes else pd.RangeIndex(array.sizes[dim])
            if dim not in coords:
                coords[dim] = index.rename(dim)
            elif not coords[dim].equals(index):
                raise ValueError(
                    f"the terms of a linear sum disagree on the coordinates of {dim!r}"
                )
    return coords


def _spread(value, dims: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    """`value` (a number or a DataArray over some of `dims`) as an array of `shape`."""
    if not isinstance(value, xr.DataArray):
        return np.broadcast_to(np.asarray(value, dtype=float), shape)
    extra = set(value.dims) - set(dims)
    if extra:
        raise ValueError(f"a coefficient has dims the terms do not: {sorted(extra)}")
    present = [d for d in dims if d in value.dims]
    values = value.transpose(*present).values
    index = tuple(slice(None) if d in value.dims else np.newaxis for d in dims)
    return np.broadcast_to(values[index], shape)
