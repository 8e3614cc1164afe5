"""`math/terms.py`: a sum of terms built as one linopy expression is the sum linopy's own
arithmetic gives, row by row, and refuses parts whose coordinates disagree."""

import linopy
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from vakhsh.math.terms import linear_rows, linear_sum, linear_total

TIME = pd.Index([0, 1, 2], name="time")
UNIT = pd.Index(["a", "b"], name="unit")


def as_row(labels, coeffs) -> dict[int, float]:
    """One row's terms as {variable label: coefficient}, no-variable slots left out."""
    row: dict[int, float] = {}
    for label, coeff in zip(labels, coeffs, strict=True):
        if label >= 0 and coeff != 0:
            row[int(label)] = row.get(int(label), 0.0) + float(coeff)
    return row


def rows(expr) -> list[dict[int, float]]:
    """Each row of a (time, unit) expression as {variable label: coefficient}."""
    data = expr.data.transpose("time", "unit", "_term")
    width = data.sizes["_term"]
    return [
        as_row(labels, coeffs)
        for labels, coeffs in zip(
            data["vars"].values.reshape(-1, width),
            data["coeffs"].values.reshape(-1, width),
            strict=True,
        )
    ]


@pytest.fixture
def model():
    m = linopy.Model(force_dim_names=True)
    m.add_variables(lower=0, coords=[TIME, UNIT], name="x")
    m.add_variables(lower=0, coords=[TIME, UNIT], name="y")
    return m


def test_sum_is_linopys_arithmetic(model):
    x, y = model.variables["x"], model.variables["y"]
    scale = xr.DataArray([2.0, 3.0], coords=[UNIT])
    fused = linear_sum(model, [(1.0, x), (-1.0, x.shift(time=1)), (scale, y)])
    by_linopy = x - x.shift(time=1).fillna(0) + scale * y
    assert rows(fused) == rows(by_linopy)
    assert np.array_equal(fused.const.values, np.zeros((3, 2)))
    # by hand, the first step of unit b: x[0, b] + 3 y[0, b] (no x[-1])
    first_b = rows(fused)[1]
    assert first_b == {int(x.labels[0, 1]): 1.0, int(y.labels[0, 1]): 3.0}


def test_an_expression_keeps_its_terms_and_constant(model):
    x, y = model.variables["x"], model.variables["y"]
    inner = 2 * x + y + 1.0  # two terms and a constant
    fused = linear_sum(model, [(-3.0, inner)])
    assert rows(fused) == rows(-6 * x - 3 * y)
    assert np.array_equal(fused.const.values, np.full((3, 2), -3.0))


def test_a_coefficient_adds_its_own_dim(model):
    x = model.variables["x"]
    plane = pd.Index([0, 1, 2, 3], name="plane")
    per_plane = xr.DataArray(np.arange(4.0), coords=[plane])
    fused = linear_sum(model, [(per_plane, x)])
    assert set(fused.data["vars"].dims) == {"time", "unit", "plane", "_term"}
    assert float(fused.data["coeffs"].sel(time=2, unit="b", plane=3).item()) == 3.0


def test_rows_move_the_constant_to_the_right(model):
    x, y = model.variables["x"], model.variables["y"]
    limit = xr.DataArray(np.arange(6.0).reshape(3, 2), coords=[TIME, UNIT])
    fused = model.add_constraints(
        linear_rows(model, [(1.0, x), (1.0, y + 2.0)], "<=", limit), name="fused"
    )
    plain = model.add_constraints(x + y + 2.0 <= limit, name="plain")
    assert np.array_equal(fused.rhs.values, plain.rhs.values)  # limit - 2
    assert np.array_equal(fused.rhs.values, limit.values - 2.0)
    assert (fused.sign.values == plain.sign.values).all()
    assert rows(fused.lhs) == rows(plain.lhs)


def test_parts_with_other_coordinates_are_refused(model):
    x = model.variables["x"]
    other = model.add_variables(lower=0, coords=[TIME, pd.Index(["b", "a"], name="unit")])
    with pytest.raises(ValueError, match="'unit'"):
        linear_sum(model, [(1.0, x), (1.0, other)])
    shorter = xr.DataArray([1.0, 2.0], coords=[pd.Index([0, 1], name="time")])
    with pytest.raises(ValueError, match="'time'"):
        linear_rows(model, [(1.0, x)], ">=", shorter)


def test_a_balance_of_some_members_is_the_selection_renamed(model):
    # flows x (into node n1 for unit a, n2 for b) and -y (out of n2 for both units)
    from vakhsh.math.balance import Balance

    x, y = model.variables["x"], model.variables["y"]
    balance = Balance(TIME, pd.Index(["n1", "n2", "n3"], name="node"))
    balance.add(x, "unit", pd.Series({"a": "n1", "b": "n2"}))
    balance.add(y, "unit", pd.Series({"a": "n2", "b": "n2"}), sign=-1)
    whole = balance.expression(model)
    some = balance.expression(model, ["n2", "n1"], "reservoir")
    assert list(some.data["reservoir"].values) == ["n2", "n1"]
    by_linopy = whole.sel(node=["n2", "n1"]).rename(node="reservoir")
    for step in range(3):
        for name in ("n2", "n1"):
            assert rows_of(some, step, "reservoir", name) == rows_of(
                by_linopy, step, "reservoir", name
            )
    # by hand, n2 at the first step: x[0, b] - y[0, a] - y[0, b]
    assert rows_of(some, 0, "reservoir", "n2") == {
        int(x.labels[0, 1]): 1.0,
        int(y.labels[0, 0]): -1.0,
        int(y.labels[0, 1]): -1.0,
    }
    balance.add(x, "unit", pd.Series({"a": "n3", "b": "n3"}))  # a part added after: counted
    assert rows_of(balance.expression(model, ["n3"]), 2, "node", "n3") == {
        int(x.labels[2, 0]): 1.0,
        int(x.labels[2, 1]): 1.0,
    }
    with pytest.raises(ValueError, match="nowhere"):
        balance.expression(model, ["n1", "nowhere"])


def rows_of(expr, step: int, dim: str, member: str) -> dict[int, float]:
    data = expr.data.sel({"time": step, dim: member})
    return as_row(data["vars"].values, data["coeffs"].values)


def test_a_right_hand_side_with_a_dim_of_its_own_and_a_bad_operand_are_refused(model):
    x = model.variables["x"]
    per_plane = xr.DataArray(np.ones(2), coords=[pd.Index([0, 1], name="plane")])
    with pytest.raises(ValueError, match=r"dims the terms do not: \['plane'\]"):
        linear_rows(model, [(1.0, x)], "<=", per_plane)
    with pytest.raises(TypeError, match="expected a linopy Variable or LinearExpression, not"):
        linear_rows(model, [(1.0, 3.0)], "<=", 1.0)


def test_a_balance_carries_the_constants_of_its_parts(model):
    # into each node: x + 2 and, with sign -1, y + 1.5: constant 2 - 1.5 = 0.5 m3/s
    from vakhsh.math.balance import Balance

    x, y = model.variables["x"], model.variables["y"]
    balance = Balance(TIME, pd.Index(["n1", "n2"], name="node"))
    balance.add(x + 2.0, "unit", pd.Series({"a": "n1", "b": "n2"}))
    balance.add(y + 1.5, "unit", pd.Series({"a": "n1", "b": "n2"}), sign=-1)
    for members in (None, ["n2", "n1"]):
        const = balance.expression(model, members).const
        assert np.array_equal(const.sel(node="n1").values, np.full(3, 0.5))
        assert np.array_equal(const.sel(node="n2").values, np.full(3, 0.5))


def test_a_balance_of_parts_with_more_than_one_term_each(model):
    # a part of two terms (2 x + y) beside a part of one (-x): into n1 for unit a and n2
    # for unit b; by hand, n1 at step 0: 2 x[0, a] + y[0, a] - x[0, a] = x[0, a] + y[0, a]
    from vakhsh.math.balance import Balance

    x, y = model.variables["x"], model.variables["y"]
    balance = Balance(TIME, pd.Index(["n1", "n2"], name="node"))
    target = pd.Series({"a": "n1", "b": "n2"})
    balance.add(2 * x + y, "unit", target)
    balance.add(x, "unit", target, sign=-1)
    expr = balance.expression(model)
    assert expr.data.sizes["_term"] == 4  # two parts into each node, two slots each
    for step in range(3):
        for unit, node in target.items():
            assert rows_of(expr, step, "node", node) == {
                int(x.labels.sel(time=step, unit=unit)): 1.0,
                int(y.labels.sel(time=step, unit=unit)): 1.0,
            }


def test_a_sign_linopy_does_not_know_is_refused(model):
    # linopy takes any sign other than <= and >= for an equality (mutmut turned "=" into
    # "XX=XX" and the LP did not change): a typo must not become a different row
    with pytest.raises(ValueError, match="one of =, <=, >=, not '=<'"):
        linear_rows(model, [(1.0, model.variables["x"])], "=<", 0.0)


def total_terms(expr) -> dict[int, float]:
    return as_row(expr.data["vars"].values, expr.data["coeffs"].values)


def test_a_total_is_the_sum_of_the_products(model):
    # 2 (a) and 3 (b) times x, summed over time, plus 0.5 (x + 4) at every (time, unit):
    # by hand x[t, a] weighs 2.5, x[t, b] 3.5, and the constant is 0.5 * 4 * 6 = 12
    x = model.variables["x"]
    price = xr.DataArray([2.0, 3.0], coords=[UNIT])
    total = linear_total(model, [(price, x), (0.5, x + 4.0)])
    assert total.data["vars"].dims == ("_term",)
    # linopy's labels are integers (a float label indexes nothing in numpy)
    assert total.data["vars"].dtype == np.int64
    expected = {}
    for t in range(3):
        expected[int(x.labels[t, 0])] = 2.5
        expected[int(x.labels[t, 1])] = 3.5
    assert total_terms(total) == expected
    assert float(total.const) == 12.0
    by_linopy = (price * x).sum() + (0.5 * (x + 4.0)).sum()
    assert total_terms(by_linopy) == expected and float(by_linopy.const) == 12.0
    # a summed part scaled once more, and a shifted variable: x[t - 1] for t = 1, 2 (no
    # variable at t = 0), so x[0] and x[1] gain 1 and the last step's x does not
    again = linear_total(model, [(2.0, total), (1.0, x.shift(time=1))])
    assert float(again.const) == 24.0
    assert [total_terms(again)[int(x.labels[t, 0])] for t in range(3)] == [6.0, 6.0, 5.0]
    # two parts with constants add them: 2 x 12 and 3 x 1 at each of 6 (time, unit)
    both = linear_total(model, [(2.0, total), (3.0, model.variables["y"] + 1.0)])
    assert float(both.const) == 24.0 + 18.0


def test_a_total_refuses_a_price_on_other_coordinates(model):
    x = model.variables["x"]
    other_units = xr.DataArray([2.0, 3.0], coords=[pd.Index(["b", "a"], name="unit")])
    with pytest.raises(ValueError, match="'unit'"):
        linear_total(model, [(other_units, x)])
    per_plane = xr.DataArray(np.ones(2), coords=[pd.Index([0, 1], name="plane")])
    with pytest.raises(ValueError, match=r"dims the terms do not: \['plane'\]"):
        linear_total(model, [(per_plane, x)])


def test_a_balance_part_scaled_by_a_coefficient(model):
    # 0.9 (unit a) and 0.8 (unit b) of x arrives at n1 and n2, and y * 2 per step t leaves
    from vakhsh.math.balance import Balance

    x, y = model.variables["x"], model.variables["y"]
    balance = Balance(TIME, pd.Index(["n1", "n2"], name="node"))
    target = pd.Series({"a": "n1", "b": "n2"})
    keep = xr.DataArray([0.9, 0.8], coords=[UNIT])
    per_step = xr.DataArray([0.0, 2.0, 4.0], coords=[TIME])
    balance.add(x, "unit", target, coefficient=keep)
    balance.add(y + 1.0, "unit", target, sign=-1, coefficient=per_step)
    expr = balance.expression(model)
    assert rows_of(expr, 2, "node", "n2") == {
        int(x.labels[2, 1]): 0.8,
        int(y.labels[2, 1]): -4.0,
    }
    assert rows_of(expr, 0, "node", "n1") == {int(x.labels[0, 0]): 0.9}  # 0 y: no term
    assert np.array_equal(expr.const.sel(node="n1").values, [0.0, -2.0, -4.0])
    swapped = xr.DataArray([0.9, 0.8], coords=[pd.Index(["b", "a"], name="unit")])
    with pytest.raises(ValueError, match="'unit'"):
        balance.add(x, "unit", target, coefficient=swapped)
