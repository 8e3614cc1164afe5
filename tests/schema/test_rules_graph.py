"""One broken toy-cascade per rule of FORMAT.md (ids, references, the river graph); each asserts the exact line a
user reads. A case is (id, change to model.yaml, expected line): the change breaks one rule
of "Rules every model obeys" or "Required fields and defaults"; the line is what
`vakhsh validate` prints after `vakhsh: error: `. Edits: `rule_edits.py`.
"""

from __future__ import annotations

import pytest

from .rule_edits import add, both, check, del_, set_

# ---------------------------------------------------------------- ids
IDS = [
    (
        "upper-case water id",
        add("junctions", "Conf2", {}),
        "model.yaml: junctions.Conf2: id must match [a-z0-9_]+ (Conf2)",
    ),
    (
        "dash in a generator id",
        add(
            "generators",
            "gas-2",
            {"bus": "SOUTH", "capacity_mw": 1, "marginal_cost_usd_per_mwh": 1},
        ),
        "model.yaml: generators.gas-2: id must match [a-z0-9_]+ (gas-2)",
    ),
    (
        "dash in a bus id",
        add("buses", "NO-RTH", {"voll_usd_per_mwh": 1}),
        "model.yaml: buses.NO-RTH: id must match letters, digits and _ (NO-RTH)",
    ),
    (
        "id used twice across kinds",
        add(
            "generators",
            "upper",
            {"bus": "NORTH", "capacity_mw": 1, "marginal_cost_usd_per_mwh": 1},
        ),
        "model.yaml: generators.upper: id is already used by reservoirs (upper)",
    ),
    (
        "candidate id used by a component",
        lambda raw: raw["candidates"].update(upper=raw["candidates"].pop("solar_extension")),
        "model.yaml: candidates.upper: id is already used by reservoirs (upper)",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in IDS], ids=[c[0] for c in IDS])
def test_ids(edit_model, problem_lines, change, expected):
    check(edit_model, problem_lines, change, expected)


def test_duplicate_id_is_reported_once(edit_model, problem_lines):
    """A second `upper` should not also break every reference to the reservoir `upper`."""
    lines = problem_lines(edit_model(IDS[3][1]))
    assert lines == ["model.yaml: generators.upper: id is already used by reservoirs (upper)"]


# ---------------------------------------------------------------- references
REFERENCES = [
    (
        "catchment to nothing",
        set_("catchments.headwaters.to", "nowhere"),
        "model.yaml: catchments.headwaters.to: names no component (nowhere)",
    ),
    (
        "catchment to a bus",
        set_("catchments.headwaters.to", "NORTH"),
        "model.yaml: catchments.headwaters.to: must name a junction or reservoir or sink, "
        "not one of buses (NORTH)",
    ),
    (
        "spill to a catchment",
        set_("reservoirs.upper.spill_to", "headwaters"),
        "model.yaml: reservoirs.upper.spill_to: must name a junction or reservoir or sink, "
        "not one of catchments (headwaters)",
    ),
    (
        "spill to nothing",
        set_("reservoirs.upper.spill_to", "nowhere"),
        "model.yaml: reservoirs.upper.spill_to: names no component (nowhere)",
    ),
    (
        "reach starting at a reservoir",
        set_("reaches.lower_river.from", "lower"),
        "model.yaml: reaches.lower_river.from: must name a junction, not one of reservoirs (lower)",
    ),
    (
        "reach to a generator",
        set_("reaches.lower_river.to", "gas_south"),
        "model.yaml: reaches.lower_river.to: must name a junction or reservoir or sink, "
        "not one of generators (gas_south)",
    ),
    (
        "plant on a junction as reservoir",
        set_("hydro_plants.upper_hpp.reservoir", "confluence"),
        "model.yaml: hydro_plants.upper_hpp.reservoir: must name a reservoir, "
        "not one of junctions (confluence)",
    ),
    (
        "run-of-river plant on a reservoir",
        both(
            del_("hydro_plants.lower_hpp.reservoir"), set_("hydro_plants.lower_hpp.node", "lower")
        ),
        "model.yaml: hydro_plants.lower_hpp.node: must name a junction, not one of reservoirs "
        "(lower)",
    ),
    (
        "plant to nothing",
        set_("hydro_plants.upper_hpp.to", "nowhere"),
        "model.yaml: hydro_plants.upper_hpp.to: names no component (nowhere)",
    ),
    (
        "plant bus missing",
        set_("hydro_plants.upper_hpp.bus", "EAST"),
        "model.yaml: hydro_plants.upper_hpp.bus: names no component (EAST)",
    ),
    (
        "demand at a sink",
        set_("water_demands.valley_fields.node", "sea"),
        "model.yaml: water_demands.valley_fields.node: must name a reservoir or junction, "
        "not one of sinks (sea)",
    ),
    (
        "return_to nothing",
        set_("water_demands.valley_fields.return_to", "nope"),
        "model.yaml: water_demands.valley_fields.return_to: names no component (nope)",
    ),
    (
        "return_to a bus",
        set_("water_demands.valley_fields.return_to", "SOUTH"),
        "model.yaml: water_demands.valley_fields.return_to: must name a junction or reservoir or "
        "sink, not one of buses (SOUTH)",
    ),
    (
        "load bus missing",
        set_("loads.north_load.bus", "EAST"),
        "model.yaml: loads.north_load.bus: names no component (EAST)",
    ),
    (
        "generator bus missing",
        set_("generators.gas_south.bus", "EAST"),
        "model.yaml: generators.gas_south.bus: names no component (EAST)",
    ),
    (
        "storage bus missing",
        set_("storage_units.battery_south.bus", "EAST"),
        "model.yaml: storage_units.battery_south.bus: names no component (EAST)",
    ),
    (
        "line from missing",
        set_("lines.tie.from", "EAST"),
        "model.yaml: lines.tie.from: names no component (EAST)",
    ),
    (
        "line to itself",
        set_("lines.tie.to", "NORTH"),
        "model.yaml: lines.tie.to: a line must join two different buses (NORTH)",
    ),
    (
        "market bus missing",
        set_("markets.neighbour.bus", "EAST"),
        "model.yaml: markets.neighbour.bus: names no component (EAST)",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in REFERENCES], ids=[c[0] for c in REFERENCES]
)
def test_references(edit_model, problem_lines, change, expected):
    check(edit_model, problem_lines, change, expected)


@pytest.mark.parametrize(
    ("field", "target", "kinds"),
    [
        ("hydro_plants.upper_hpp.bus", "upper", "reservoirs"),
        ("generators.gas_south.bus", "sea", "sinks"),
        ("lines.tie.from", "neighbour", "markets"),
    ],
)
def test_reference_to_a_bus_of_the_wrong_kind(edit_model, problem_lines, field, target, kinds):
    """The kind is named in the singular: 'a bus', not 'a buse'."""
    check(
        edit_model,
        problem_lines,
        set_(field, target),
        f"model.yaml: {field}: must name a bus, not one of {kinds} ({target})",
    )


def test_candidate_template_references_are_checked(edit_model, problem_lines):
    """A template is a component without its size: its `bus` must exist too."""
    check(
        edit_model,
        problem_lines,
        set_("candidates.solar_extension.template.bus", "NOWHERE"),
        "model.yaml: candidates.solar_extension.template.bus: names no component (NOWHERE)",
    )


# ---------------------------------------------------------------- the river graph
def test_cycle_is_reported_at_one_of_its_edges(edit_model, problem_lines):
    lines = problem_lines(edit_model(set_("reaches.lower_river.to", "lower")))
    cycle = [line for line in lines if "the river network has a cycle" in line]
    assert len(cycle) == 1, lines
    assert cycle[0].startswith(
        (
            "model.yaml: reservoirs.lower.spill_to: the river network has a cycle (",
            "model.yaml: reaches.lower_river.to: the river network has a cycle (",
        )
    )


def test_cycle_value_puts_each_edge_between_its_own_nodes(edit_model):
    """`confluence -> reservoirs.lower.spill_to -> lower` reads as if the spill went from
    the confluence to the reservoir; each named field must sit between its own two ends."""
    from vakhsh.errors import ModelError
    from vakhsh.network import load_network

    folder = edit_model(set_("reaches.lower_river.to", "lower"))
    with pytest.raises(ModelError) as info:
        load_network(folder)
    (problem,) = [p for p in info.value.problems if "cycle" in p.message]
    tokens = str(problem.value).split(" -> ")
    edges = {
        "reaches.lower_river.to": ("confluence", "lower"),
        "reservoirs.lower.spill_to": ("lower", "confluence"),
    }
    for i, token in enumerate(tokens):
        if token in edges:
            assert (tokens[i - 1], tokens[i + 1]) == edges[token], problem.value


def test_longer_cycle(edit_model, problem_lines):
    """upper -> lower (spill and plant) -> upper (spill): the line names one of those edges."""
    lines = problem_lines(edit_model(set_("reservoirs.lower.spill_to", "upper")))
    cycle = [line for line in lines if "the river network has a cycle" in line]
    assert len(cycle) == 1, lines
    edges = ("reservoirs.upper.spill_to", "hydro_plants.upper_hpp.to", "reservoirs.lower.spill_to")
    assert cycle[0].split(": ")[1] in edges, cycle


def test_water_cannot_flow_into_its_own_node(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        set_("reservoirs.lower.spill_to", "lower"),
        "model.yaml: reservoirs.lower.spill_to: water cannot flow from a node into itself (lower)",
    )


def test_junction_that_drains_nowhere(edit_model, problem_lines):
    check(
        edit_model,
        problem_lines,
        add("junctions", "orphan", {}),
        "model.yaml: junctions.orphan: drains nowhere: give it a reach or a run-of-river "
        "plant that leaves it",
    )
