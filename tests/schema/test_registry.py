"""The component registry agrees with the schema, the math, the results and FORMAT.md."""

from __future__ import annotations

import importlib
from pathlib import Path

import linopy
import numpy as np
import pandas as pd
import pytest

from vakhsh.schema import docs, registry
from vakhsh.schema.components import KINDS

FORMAT = Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md"


def test_format_md_field_tables_are_current():
    text = FORMAT.read_text(encoding="utf-8")
    assert docs.rewrite(text) == text, "run: python -m vakhsh.schema.docs docs/FORMAT.md"
    assert docs.main(["--check", str(FORMAT)]) == 0


@pytest.mark.parametrize("kind", registry.KINDS, ids=[k.name for k in registry.KINDS])
def test_schema_class_is_its_declaration(kind):
    cls, dim = KINDS[kind.name]
    assert dim == kind.dim
    assert list(cls.model_fields) == [f.name for f in kind.fields]
    for f in kind.fields:
        info = cls.model_fields[f.name]
        assert info.is_required() == f.required, f.name
        assert (info.alias or f.name) == f.written
    importlib.import_module(kind.family)  # the family it names exists


def test_series_and_references_come_from_the_declarations():
    from vakhsh.schema.checks import REFERENCES
    from vakhsh.schema.components import SERIES_FIELDS

    assert SERIES_FIELDS["markets"] == ("price_usd_per_mwh", "max_export_mw", "max_import_mw")
    assert ("hydro_plants", "bus", ("buses",)) in REFERENCES
    assert REFERENCES is registry.REFERENCES


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """toy-cascade (every kind) with a priced reach minimum and a storage inflow, built and
    solved."""
    import shutil

    import yaml

    import vakhsh
    from vakhsh.math.build import build_model
    from vakhsh.network import embedded_datasets
    from vakhsh.results.dataset import extract
    from vakhsh.solve.head import fixed_parameters
    from vakhsh.solve.options import SolveOptions
    from vakhsh.solve.solver import run_solver

    folder = Path(
        shutil.copytree(
            embedded_datasets()["toy-cascade"], tmp_path_factory.mktemp("kinds") / "toy"
        )
    )
    raw = yaml.safe_load((folder / "model.yaml").read_text())
    raw["reaches"]["lower_river"]["shortfall_cost_usd_per_hm3"] = 100
    for unit in raw["storage_units"].values():  # an inflow, hence a spill variable
        unit["inflow_mw"] = 5.0
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    net = vakhsh.load(folder, end="2024-11-01")
    assert all(len(net.tables[k.name]) for k in registry.KINDS)
    ctx = build_model(net, fixed_parameters(net))
    run_solver(ctx.model, SolveOptions())
    return net, ctx, extract(ctx)


def test_network_tables_and_series_follow_the_declarations(every_kind):
    net, _ctx, _ds = every_kind
    for kind in registry.KINDS:
        static = [f.column for f in kind.fields if not f.series]
        assert list(net.tables[kind.name].columns) == static, kind.name
        assert set(net.series[kind.name].data_vars) == set(registry.SERIES_FIELDS[kind.name])


def test_every_lp_variable_is_a_declared_output_and_back(every_kind):
    _net, ctx, _ds = every_kind
    declared = {out.lp: (out, kind) for kind in registry.KINDS for out in kind.outputs if out.lp}
    for name in ctx.model.variables:
        assert name in declared, f"LP variable {name} is declared by no kind's outputs"
        _out, kind = declared[name]
        assert set(ctx.model.variables[name].dims) == {"time", kind.dim}, name
    for lp in declared:
        assert lp in ctx.model.variables, f"declared {lp} is not in the LP"


def test_every_result_variable_is_declared_with_its_unit(every_kind):
    _net, _ctx, ds = every_kind
    for name in ds.data_vars:
        assert name in registry.OUTPUTS, f"result {name} is declared by no kind"
        out, kind = registry.OUTPUTS[name]
        assert ds[name].attrs["units"] == out.unit
        # results.nc says what each array is, in the declaration's words
        assert ds[name].attrs["description"] == out.description and out.description
        expected = {"time", kind.dim} if out.steps else {kind.dim}
        assert set(ds[name].dims) == expected, name
    always = {name for name, (out, _kind) in registry.OUTPUTS.items() if out.always}
    assert always <= set(ds.data_vars)


def test_outputs_only_some_runs_write_are_declared_too(every_kind):
    """The exact-energy arrays of the head models that recompute energy (iterate) carry
    the unit their declaration gives."""
    from vakhsh.solve.heads import exact_energy

    net, _ctx, ds = every_kind
    optional = {name for name, (out, _kind) in registry.OUTPUTS.items() if not out.always}
    assert optional == {"hydro_p_exact_mw", "head_exact_m"}
    assert not optional & set(ds.data_vars)  # a fixed-head run has none of them
    exact, _gap = exact_energy(net, ds)
    for name in optional:
        assert exact[name].attrs["units"] == registry.OUTPUTS[name][0].unit
        assert set(exact[name].dims) == {"time", "hydro_plant"}


def test_each_kind_s_family_makes_its_lp_variables(every_kind):
    """The LP variables of a kind's outputs are made by the constraint family its
    declaration names (`Kind.family`), found by running the families one at a time."""
    from vakhsh.math.build import BALANCES, OPERATION, new_context

    net, ctx, _ds = every_kind
    fresh = new_context(net, ctx.params)
    made_by: dict[str, str] = {}
    for family in (*OPERATION, *BALANCES):
        before = set(fresh.model.variables)
        family(fresh)
        for name in set(fresh.model.variables) - before:
            made_by[name] = family.__module__
    for kind in registry.KINDS:
        for out in kind.outputs:
            if out.lp is not None:
                assert made_by[out.lp] == kind.family, (kind.name, out.lp)


def test_the_balance_refuses_a_term_whose_target_is_unknown():
    from vakhsh.math.balance import Balance

    model = linopy.Model(force_dim_names=True)
    time = pd.Index(pd.date_range("2025-01-01", periods=2, freq="D"), name="time")
    flow = model.add_variables(
        lower=0, coords=[time, pd.Index(["a", "b"], name="plant")], name="flow"
    )
    balance = Balance(time, pd.Index(["n1", "n2"], name="node"))
    with pytest.raises(ValueError, match="b -> 'nowhere'"):
        balance.add(flow, "plant", pd.Series({"a": "n1", "b": "nowhere"}))
    balance.add(flow, "plant", pd.Series({"a": "n1", "b": np.nan}))  # NaN: no member
    expr = balance.expression(model)
    assert int((expr.vars.sel(node="n1") >= 0).sum()) == 2  # a's term at both steps
    assert int((expr.vars.sel(node="n2") >= 0).sum()) == 0


def test_defaults_that_follow_another_field():
    row = {"storage_initial_hm3": 7.0, "storage_final_min_hm3": None}
    assert registry.fill_defaults("reservoirs", row)["storage_final_min_hm3"] == 7.0
    row = {"soc_initial_mwh": 2.0, "soc_final_min_mwh": 1.0}
    assert registry.fill_defaults("storage_units", row)["soc_final_min_mwh"] == 1.0
