"""One broken toy-cascade per rule of FORMAT.md (required and unknown fields, scenarios, many errors at once); each asserts the exact line a
user reads. A case is (id, change to model.yaml, expected line): the change breaks one rule
of "Rules every model obeys" or "Required fields and defaults"; the line is what
`vakhsh validate` prints after `vakhsh: error: `. Edits: `rule_edits.py`.
"""

from __future__ import annotations

import pytest

from .rule_edits import both, check, del_, set_

# ---------------------------------------------------------------- required fields
REQUIRED = [
    "catchments.headwaters.to",
    "catchments.headwaters.inflow_m3s",
    "reservoirs.upper.storage_min_hm3",
    "reservoirs.upper.storage_max_hm3",
    "reservoirs.upper.storage_initial_hm3",
    "reservoirs.upper.spill_to",
    "reaches.lower_river.from",
    "reaches.lower_river.to",
    "hydro_plants.upper_hpp.to",
    "hydro_plants.upper_hpp.bus",
    "hydro_plants.upper_hpp.capacity_mw",
    "hydro_plants.upper_hpp.max_flow_m3s",
    "hydro_plants.upper_hpp.efficiency",
    "water_demands.valley_fields.node",
    "water_demands.valley_fields.demand_m3s",
    "water_demands.valley_fields.shortage_cost_usd_per_hm3",
    "buses.NORTH.voll_usd_per_mwh",
    "loads.north_load.bus",
    "loads.north_load.p_mw",
    "generators.gas_south.bus",
    "generators.gas_south.capacity_mw",
    "generators.gas_south.marginal_cost_usd_per_mwh",
    "storage_units.battery_south.bus",
    "storage_units.battery_south.power_mw",
    "storage_units.battery_south.energy_mwh",
    "storage_units.battery_south.efficiency_roundtrip",
    "lines.tie.from",
    "lines.tie.to",
    "lines.tie.capacity_mw",
    "markets.neighbour.bus",
    "markets.neighbour.price_usd_per_mwh",
    "candidates.solar_extension.component",
    "candidates.solar_extension.template",
    "candidates.solar_extension.capex_usd_per_kw",
    "candidates.solar_extension.lifetime_years",
    "time.start",
    "time.end",
    "format",
]


@pytest.mark.parametrize("field", REQUIRED)
def test_required_fields(edit_model, problem_lines, field):
    check(edit_model, problem_lines, del_(field), f"model.yaml: {field}: required field is missing")


def test_required_name(edit_model, problem_lines):
    check(edit_model, problem_lines, del_("name"), "model.yaml: name: required field is missing")


def test_required_time_section(edit_model, problem_lines):
    check(edit_model, problem_lines, del_("time"), "model.yaml: time: required section is missing")


def test_format_version(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("format", 2),
        "model.yaml: format: unsupported format version; this vakhsh reads format 1 (2)",
    )


def test_currency_is_usd(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("currency", "EUR"),
        "model.yaml: currency: only USD is supported in format 1 (EUR)",
    )


# ---------------------------------------------------------------- unknown fields and sections
def test_typo_in_a_field_name(edit_model, problem_lines):
    def typo(raw):
        gas = raw["generators"]["gas_south"]
        gas["capacty_mw"] = gas.pop("capacity_mw")

    lines = check(
        edit_model,
        problem_lines,
        typo,
        "model.yaml: generators.gas_south.capacty_mw: unknown field; did you mean "
        "'capacity_mw'? (150)",
    )
    assert "model.yaml: generators.gas_south.capacity_mw: required field is missing" in lines


def test_unknown_field_far_from_any_known(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("sinks.sea.colour", "blue"),
        "model.yaml: sinks.sea.colour: unknown field (blue)",
    )


def test_unknown_section_with_a_hint(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("generator", {}),
        "model.yaml: generator: unknown section; did you mean 'generators'?",
    )


def test_unknown_section(edit_model, problem_lines):
    check(edit_model, problem_lines, set_("weather", 1), "model.yaml: weather: unknown section")


def test_section_that_is_not_a_mapping(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("buses", ["NORTH", "SOUTH"]),
        "model.yaml: buses: expected a mapping of id to fields (list)",
    )


def test_component_that_is_not_a_mapping(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("junctions.confluence", 5),
        "model.yaml: junctions.confluence: expected a mapping of fields (5)",
    )


def test_unknown_demand_kind(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("water_demands.valley_fields.kind", "mining"),
        "model.yaml: water_demands.valley_fields.kind: Input should be 'irrigation', "
        "'municipal', 'industrial' or 'environmental' (mining)",
    )


def test_series_reference_in_a_scalar_field(edit_model, problem_lines):
    lines = problem_lines(
        edit_model(set_("generators.gas_south.capacity_mw", "series:load_mw.csv#north"))
    )
    assert [
        line for line in lines if line.startswith("model.yaml: generators.gas_south.capacity_mw: ")
    ], lines


def test_malformed_series_reference(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("catchments.headwaters.inflow_m3s", "inflow.csv"),
        "model.yaml: catchments.headwaters.inflow_m3s: expected a number or "
        "'series:FILE.csv#COLUMN' (inflow.csv)",
    )


# ---------------------------------------------------------------- scenarios
def test_scenario_set_naming_a_missing_component(edit_model, problem_lines):
    folder = edit_model(
        set_("scenarios.full_upper.set", {"reservoirs.middle.storage_initial_hm3": 3})
    )
    assert problem_lines(folder, scenario="full_upper") == [
        "model.yaml: scenarios.full_upper.set.reservoirs.middle.storage_initial_hm3: no "
        "component 'middle' in reservoirs: scenarios change components, they do not add them"
    ]


def test_scenario_set_result_is_validated_again(edit_model, problem_lines):
    folder = edit_model(
        set_("scenarios.full_upper.set", {"reservoirs.upper.storage_initial_hm3": 3000})
    )
    assert problem_lines(folder, scenario="full_upper") == [
        "model.yaml: reservoirs.upper.storage_initial_hm3: must lie within [storage_min_hm3, "
        "storage_max_hm3] = [400, 2000] (3000.0)"
    ]


def test_scenario_cannot_change_the_format(edit_model, problem_lines):
    folder = edit_model(set_("scenarios.full_upper.set", {"format": 3}))
    assert problem_lines(folder, scenario="full_upper") == [
        "model.yaml: scenarios.full_upper.set.format: this field cannot be overridden"
    ]


def test_scenario_set_into_a_component_that_is_not_a_mapping(edit_model, problem_lines):
    """`reservoirs: {upper: 5}` plus a scenario that sets upper's storage: a TypeError today."""
    lines = problem_lines(edit_model(set_("reservoirs.upper", 5)), scenario="full_upper")
    assert "model.yaml: reservoirs.upper: expected a mapping of fields (5)" in lines


def test_unknown_scenario(problem_lines):
    assert problem_lines("toy-cascade", scenario="wet") == [
        "model.yaml: scenarios.wet: no such scenario (defined: base, dry, full_upper)"
    ]


def test_scenario_inflow_factors_need_twelve_months(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("scenarios.dry.inflow_factor_by_month", [1] * 11),
        "model.yaml: scenarios.dry.inflow_factor_by_month: List should have at least 12 items "
        "after validation, not 11 ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])",
    )


# ---------------------------------------------------------------- all at once
def test_five_different_errors_are_all_listed(edit_model, problem_lines):
    folder = edit_model(
        both(
            set_("reservoirs.upper.storage_min_hm3", 2500),
            set_("catchments.headwaters.to", "nowhere"),
            set_("hydro_plants.upper_hpp.efficiency", 1.2),
            lambda raw: raw["generators"]["gas_south"].update(capacty_mw=1),
            set_("time.step", "7D"),
        )
    )
    lines = problem_lines(folder)
    for expected in [
        "model.yaml: reservoirs.upper.storage_min_hm3: exceeds storage_max_hm3 (2500 > 2000)",
        "model.yaml: catchments.headwaters.to: names no component (nowhere)",
        "model.yaml: hydro_plants.upper_hpp.efficiency: Input should be less than or equal to 1 "
        "(1.2)",
        "model.yaml: generators.gas_south.capacty_mw: unknown field; did you mean "
        "'capacity_mw'? (1)",
        "model.yaml: time.end: end - start is not a whole number of 7D steps (365 days 00:00:00)",
    ]:
        assert expected in lines, "\n".join(lines)
    assert len(lines) == 5, "\n".join(lines)


# ---------------------------------------------------------------- found by hand and by hypothesis
def test_absurd_delay_is_a_clean_error(edit_model, problem_lines):
    """10**20 steps overflows the Timedelta arithmetic of the delay conversion today."""
    lines = problem_lines(edit_model(set_("reaches.lower_river.delay_steps", 10**20)))
    assert any(
        line.startswith("model.yaml: reaches.lower_river.delay_steps: ") for line in lines
    ), lines


@pytest.mark.parametrize("value", [True, False])
def test_yes_or_no_is_not_a_number(edit_model, problem_lines, value):
    """YAML reads `capacity_mw: yes` as true, which pydantic turns into 1.0 MW."""
    lines = problem_lines(edit_model(set_("generators.gas_south.capacity_mw", value)))
    assert any(
        line.startswith("model.yaml: generators.gas_south.capacity_mw: ") for line in lines
    ), lines


def test_name_that_is_not_text_is_not_called_missing(edit_model, problem_lines):
    (line,) = problem_lines(edit_model(set_("name", 5)))
    assert line.startswith("model.yaml: name: ") and "missing" not in line, line
