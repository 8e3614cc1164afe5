"""One broken toy-cascade per rule of FORMAT.md (reservoirs, hydro plants, demands, candidates); each asserts the exact line a
user reads. A case is (id, change to model.yaml, expected line): the change breaks one rule
of "Rules every model obeys" or "Required fields and defaults"; the line is what
`vakhsh validate` prints after `vakhsh: error: `. Edits: `rule_edits.py`.
"""

from __future__ import annotations

import pytest

from .rule_edits import ROR_PLANT, add, both, check, del_, set_

# ---------------------------------------------------------------- reservoirs
RESERVOIRS = [
    (
        "min above max",
        set_("reservoirs.upper.storage_min_hm3", 2500),
        "model.yaml: reservoirs.upper.storage_min_hm3: exceeds storage_max_hm3 (2500 > 2000)",
    ),
    (
        "initial above max",
        set_("reservoirs.upper.storage_initial_hm3", 2100),
        "model.yaml: reservoirs.upper.storage_initial_hm3: must lie within [storage_min_hm3, "
        "storage_max_hm3] = [400, 2000] (2100.0)",
    ),
    (
        "initial below min",
        set_("reservoirs.upper.storage_initial_hm3", 100),
        "model.yaml: reservoirs.upper.storage_initial_hm3: must lie within [storage_min_hm3, "
        "storage_max_hm3] = [400, 2000] (100.0)",
    ),
    (
        "final target above max",
        set_("reservoirs.upper.storage_final_min_hm3", 2100),
        "model.yaml: reservoirs.upper.storage_final_min_hm3: exceeds storage_max_hm3 (2100 > 2000)",
    ),
    (
        "level curve starts above min",
        set_("reservoirs.upper.level_curve", [[500, 820], [2000, 880]]),
        "model.yaml: reservoirs.upper.level_curve: must cover [storage_min_hm3, storage_max_hm3] "
        "(curve 500..2000, storage 400..2000)",
    ),
    (
        "area curve ends below max",
        set_("reservoirs.upper.area_curve", [[400, 12], [1900, 30]]),
        "model.yaml: reservoirs.upper.area_curve: must cover [storage_min_hm3, storage_max_hm3] "
        "(curve 400..1900, storage 400..2000)",
    ),
    (
        "curve storage not increasing",
        set_("reservoirs.upper.level_curve", [[400, 820], [1500, 860], [1200, 870], [2000, 880]]),
        "model.yaml: reservoirs.upper.level_curve: storage must be strictly increasing along the "
        "curve ([400.0, 1500.0, 1200.0, 2000.0])",
    ),
    (
        "curve storage repeated",
        set_("reservoirs.upper.area_curve", [[400, 12], [400, 13], [2000, 30]]),
        "model.yaml: reservoirs.upper.area_curve: storage must be strictly increasing along the "
        "curve ([400.0, 400.0, 2000.0])",
    ),
    (
        "curve level falling",
        set_("reservoirs.upper.level_curve", [[400, 890], [2000, 880]]),
        "model.yaml: reservoirs.upper.level_curve: values must not decrease as storage rises "
        "([890.0, 880.0])",
    ),
    (
        "area without evaporation",
        del_("reservoirs.upper.evaporation_mm_per_month"),
        "model.yaml: reservoirs.upper.evaporation_mm_per_month: area_curve and "
        "evaporation_mm_per_month come together or not at all",
    ),
    (
        "evaporation without area",
        del_("reservoirs.upper.area_curve"),
        "model.yaml: reservoirs.upper.area_curve: area_curve and evaporation_mm_per_month come "
        "together or not at all",
    ),
    (
        "evaporation of 11 months",
        set_("reservoirs.upper.evaporation_mm_per_month", [1] * 11),
        "model.yaml: reservoirs.upper.evaporation_mm_per_month: List should have at least 12 "
        "items after validation, not 11 ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in RESERVOIRS], ids=[c[0] for c in RESERVOIRS]
)
def test_reservoirs(edit_model, problem_lines, change, expected):
    check(edit_model, problem_lines, change, expected)


@pytest.mark.parametrize("curve", [[], [[400, 820]]], ids=["empty", "one point"])
def test_curve_with_fewer_than_two_points(edit_model, problem_lines, curve):
    lines = problem_lines(edit_model(set_("reservoirs.upper.level_curve", curve)))
    assert any(line.startswith("model.yaml: reservoirs.upper.level_curve: ") for line in lines), (
        lines
    )


def test_curve_point_of_three_numbers(edit_model, problem_lines):
    lines = problem_lines(
        edit_model(set_("reservoirs.upper.level_curve", [[400, 820, 1], [2000, 880]]))
    )
    assert any(line.startswith("model.yaml: reservoirs.upper.level_curve.0: ") for line in lines)


# ---------------------------------------------------------------- hydro plants
HEAD = "give exactly one of 'head_m' and 'tailwater_masl'"
SITE = "give exactly one of 'reservoir' and 'node'"
PLANTS = [
    ("both head fields", set_("hydro_plants.lower_hpp.tailwater_masl", 100), HEAD),
    ("neither head field", del_("hydro_plants.lower_hpp.head_m"), HEAD),
    ("both sites", set_("hydro_plants.lower_hpp.node", "confluence"), SITE),
    ("neither site", del_("hydro_plants.lower_hpp.reservoir"), SITE),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in PLANTS], ids=[c[0] for c in PLANTS])
def test_plant_alternatives(edit_model, problem_lines, change, message):
    lines = problem_lines(edit_model(change))
    prefix = f"model.yaml: hydro_plants.lower_hpp: {message}"
    assert [line for line in lines if line.startswith(prefix)], lines


def test_run_of_river_plant_needs_head_m(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        add("hydro_plants", "ror", ROR_PLANT),
        "model.yaml: hydro_plants.ror.head_m: a run-of-river plant (node:) needs head_m",
    )


def test_tailwater_needs_a_level_curve(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        both(
            del_("hydro_plants.lower_hpp.head_m"), set_("hydro_plants.lower_hpp.tailwater_masl", 5)
        ),
        "model.yaml: hydro_plants.lower_hpp.tailwater_masl: reservoir lower has no "
        "level_curve: give head_m instead",
    )


def test_tailwater_above_the_reservoir_level(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("hydro_plants.upper_hpp.tailwater_masl", 900),
        "model.yaml: hydro_plants.upper_hpp.tailwater_masl: lies at or above the reservoir "
        "level at its initial storage (900 >= 860)",
    )


# ---------------------------------------------------------------- demands
def test_return_to_required_when_water_returns(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        del_("water_demands.valley_fields.return_to"),
        "model.yaml: water_demands.valley_fields.return_to: required when return_fraction > 0 "
        "(0.25)",
    )


def test_no_return_no_return_to(edit_model):
    from vakhsh.network import load_network

    folder = edit_model(
        both(
            del_("water_demands.valley_fields.return_to"),
            set_("water_demands.valley_fields.return_fraction", 0),
        )
    )
    assert load_network(folder).tables["water_demands"].loc["valley_fields", "return_to"] is None


# ---------------------------------------------------------------- candidates
CANDIDATES = [
    (
        "template holds the size",
        set_("candidates.solar_extension.template.capacity_mw", 5),
        "model.yaml: candidates.solar_extension.template.capacity_mw: the size is what planning "
        "decides; set min_build_mw/max_build_mw instead",
    ),
    (
        "storage without max_hours",
        del_("candidates.battery_extension.template.max_hours"),
        "model.yaml: candidates.battery_extension.template.max_hours: required field is missing "
        "(energy_mwh = max_hours * power_mw)",
    ),
    (
        "hydro without flow per MW",
        add(
            "candidates",
            "new_hpp",
            {
                "component": "hydro_plants",
                "capex_usd_per_kw": 2000,
                "lifetime_years": 50,
                "template": {
                    "reservoir": "upper",
                    "to": "lower",
                    "bus": "NORTH",
                    "efficiency": 0.9,
                    "head_m": 40,
                },
            },
        ),
        "model.yaml: candidates.new_hpp.template.max_flow_m3s_per_mw: required field is missing "
        "(the flow limit scales with the size)",
    ),
    (
        "min build above max",
        set_("candidates.solar_extension.min_build_mw", 500),
        "model.yaml: candidates.solar_extension.min_build_mw: exceeds max_build_mw (500.0 > 300.0)",
    ),
    (
        "lumpy without a size",
        both(
            del_("candidates.battery_extension.max_build_mw"),
            set_("candidates.battery_extension.lumpy", True),
        ),
        "model.yaml: candidates.battery_extension.max_build_mw: a lumpy candidate needs the size it "
        "builds",
    ),
    (
        "typo in a template",
        set_("candidates.solar_extension.template.carier", "solar"),
        "model.yaml: candidates.solar_extension.template.carier: unknown field; did you mean "
        "'carrier'? (solar)",
    ),
    (
        "component kind that cannot be built",
        set_("candidates.solar_extension.component", "reservoirs"),
        "model.yaml: candidates.solar_extension.component: Input should be 'generators', "
        "'storage_units', 'lines', 'hydro_plants' or 'reservoir_stages' (reservoirs)",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in CANDIDATES], ids=[c[0] for c in CANDIDATES]
)
def test_candidates(edit_model, problem_lines, change, expected):
    check(edit_model, problem_lines, change, expected)


@pytest.mark.parametrize("max_hours", ["four", [4], None])
def test_candidate_max_hours_that_is_not_a_number(edit_model, problem_lines, max_hours):
    """A TypeError today: `max_hours * size` runs before the template is validated."""
    lines = problem_lines(
        edit_model(set_("candidates.battery_extension.template.max_hours", max_hours))
    )
    assert any(
        line.startswith("model.yaml: candidates.battery_extension.template.max_hours: ")
        for line in lines
    ), lines
