"""The spec: structure checked at once, every problem listed, then against the model."""

from __future__ import annotations

import pytest
import yaml

from vakhsh.ensemble.spec import check_against_model, parse_spec, read_spec
from vakhsh.errors import ModelError
from vakhsh.network import embedded_datasets
from vakhsh.schema.parse import read_yaml

TOY_RAW = read_yaml(embedded_datasets()["toy-cascade"] / "model.yaml")


def problems(raw, model=None) -> list[str]:
    with pytest.raises(ModelError) as info:
        spec = parse_spec(raw)
        if model is not None:
            check_against_model(spec, model)
    return [str(p) for p in info.value.problems]


def test_product_of_axes_in_order_with_stable_ids():
    spec = parse_spec(
        {
            "axes": {
                "scenario": ["base", "dry"],
                "reservoirs.upper.storage_max_hm3": [1800, 2000, 2200],
            }
        }
    )
    runs = spec.runs("digest")
    assert len(runs) == 6
    assert runs[0].values == {"scenario": "base", "reservoirs.upper.storage_max_hm3": 1800}
    assert runs[1].overrides == {"reservoirs.upper.storage_max_hm3": 2000}
    assert [r.id for r in runs] == [r.id for r in spec.runs("digest")]
    assert {r.id for r in runs}.isdisjoint(r.id for r in spec.runs("another model"))


def test_listed_subset_keeps_only_those_runs():
    spec = parse_spec({"axes": {"scenario": ["base", "dry"]}, "runs": [{"scenario": "dry"}]})
    assert [r.values for r in spec.runs("d")] == [{"scenario": "dry"}]


def test_every_structural_problem_is_listed():
    lines = problems(
        {"axes": {"colour": [1], "scenario": []}, "runs": [{"scenario": "wet"}], "extra": 1}
    )
    text = "\n".join(lines)
    assert "spec: extra: unknown key" in text
    assert "axes.colour" in text
    assert "axes.scenario: a non-empty list" in text


def test_member_axis_needs_an_inflow_file():
    assert any("inflows" in line for line in problems({"axes": {"member": [0, 1]}}))


def test_checked_against_the_model():
    lines = problems(
        {"axes": {"scenario": ["base", "monsoon"], "reservoirs.nowhere.storage_max_hm3": [1]}},
        TOY_RAW,
    )
    assert any("monsoon" in line and "no such scenario" in line for line in lines)
    assert any("no component 'nowhere'" in line for line in lines)


def test_read_spec_reports_the_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"axes": {"scenario": "base"}}))
    with pytest.raises(ModelError) as info:
        read_spec(path)
    assert str(path) in str(info.value)
