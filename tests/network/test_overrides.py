"""load_network(overrides=): dotted paths applied exactly like a scenario's `set`."""

from __future__ import annotations

import pytest

from vakhsh.errors import ModelError
from vakhsh.network import load_network


def test_overrides_equal_the_scenario_that_sets_the_same_field():
    by_scenario = load_network("toy-cascade", scenario="full_upper")
    by_override = load_network(
        "toy-cascade", scenario="base", overrides={"reservoirs.upper.storage_initial_hm3": 2000}
    )
    assert by_override.tables["reservoirs"].equals(by_scenario.tables["reservoirs"])
    assert by_override.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 2000


def test_overrides_apply_after_the_scenario():
    net = load_network(
        "toy-cascade",
        scenario="full_upper",
        overrides={"reservoirs.upper.storage_initial_hm3": 1500, "time.end": "2025-01-01"},
    )
    assert net.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 1500
    assert len(net.time) == 92  # 2024-10-01 .. 2025-01-01 at 1D


def test_bad_overrides_are_named_at_their_path():
    with pytest.raises(ModelError) as info:
        load_network(
            "toy-cascade", overrides={"reservoirs.nope.storage_max_hm3": 1, "scenarios": {}}
        )
    lines = [str(p) for p in info.value.problems]
    assert any(
        line.startswith("overrides: set.reservoirs.nope.storage_max_hm3: no component 'nope'")
        for line in lines
    ), lines
    assert any(
        line.startswith("overrides: set.scenarios: this field cannot be overridden")
        for line in lines
    ), lines


def test_a_wrong_type_is_reported_at_the_field():
    with pytest.raises(ModelError) as info:
        load_network("toy-cascade", overrides={"reservoirs.upper.storage_initial_hm3": "x"})
    assert [p.path for p in info.value.problems] == ["reservoirs.upper.storage_initial_hm3"]
