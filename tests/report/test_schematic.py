"""The schematic: what is not in service during the run is grey and dashed with its date,
a bus that nothing can supply has no price, and every component has a hover text."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from vakhsh.network import load_network
from vakhsh.report.schematic import OFF, availability, pack_columns, plot_grid, plot_rivers
from vakhsh.report.style import TOOLTIPS, svg_bytes


class _Net:
    def __init__(self, net):
        self.net = net


@pytest.fixture(scope="module")
def central_asia():
    return load_network("central-asia")


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _line_patch(fig, line_id: str) -> FancyArrowPatch:
    tips = getattr(fig, TOOLTIPS)
    for ax in fig.axes:
        for patch in ax.patches:
            tip = tips.get(patch.get_gid() or "", "")
            if tip.startswith(f"line {line_id}:"):
                return patch
    raise AssertionError(f"no patch for line {line_id}")


def test_casa_1000_before_2027_is_grey_dashed_and_dated(central_asia):
    state = availability(central_asia, "lines")
    assert state.loc["casa_1000_tj_pk", "state"] == "not yet"
    assert state.loc["tj_uz", "state"] == "in service"
    fig = plot_grid(_Net(central_asia))
    texts = _texts(fig)
    label = next(t for t in texts if t.startswith("casa_1000_tj_pk"))
    assert "from 2027-01-01" in label and "1,000 MW" in label
    casa, tie = _line_patch(fig, "casa_1000_tj_pk"), _line_patch(fig, "tj_uz")
    assert to_hex(casa.get_edgecolor()) == to_hex(OFF) and casa.get_linestyle() == "--"
    assert to_hex(tie.get_edgecolor()) != to_hex(OFF) and tie.get_linestyle() == "-"
    assert "not in service during this run" in getattr(fig, TOOLTIPS)[casa.get_gid()]
    # in service lines are labelled with their capacity only; their names are hover texts
    assert "271 MW" in texts and not any(t.startswith("tj_uz") for t in texts)
    # the solar plant of 2026 is not counted in Tajikistan's installed capacity
    tj = next(t for t in texts if t.startswith("5,699 MW"))
    assert "solar" not in tj


def test_a_line_in_service_from_before_the_run_is_ordinary(edit_model):
    def change(raw):
        raw["lines"]["tie"]["available_from"] = "2020-01-01"

    net = load_network(edit_model(change), end="2024-11-01")
    assert availability(net, "lines").loc["tie", "state"] == "in service"
    patch = _line_patch(plot_grid(_Net(net)), "tie")
    assert patch.get_linestyle() == "-" and to_hex(patch.get_edgecolor()) != to_hex(OFF)


def test_a_line_that_comes_in_during_the_run_says_from_when(edit_model):
    net = load_network(
        edit_model(lambda raw: raw["lines"]["tie"].update(available_from="2025-01-01"))
    )
    assert availability(net, "lines").loc["tie", "state"] == "from"
    texts = _texts(plot_grid(_Net(net)))
    assert any("from 2025-01-01" in t for t in texts)


def test_pakistan_has_no_price_in_the_grid(central_asia):
    from vakhsh.pipeline import optimise
    from vakhsh.solve.options import SolveOptions

    net = load_network("central-asia", end="2024-11-01")
    results = optimise(net, SolveOptions())
    texts = _texts(plot_grid(results))
    last_lines = [t.split("\n")[-1] for t in texts]  # a bus's note ends with its price
    assert "no price" in last_lines  # PK
    assert sum(bool(re.fullmatch(r"[\d,.]+ USD/MWh", t)) for t in last_lines) == 6
    without = _texts(plot_grid(_Net(net)))  # the model alone: no prices, PK cut off
    assert "no supply path" in [t.split("\n")[-1] for t in without] and not any(
        "USD/MWh" in t for t in without
    )


def test_every_component_has_a_hover_text(central_asia):
    fig = plot_rivers(_Net(central_asia))
    svg = svg_bytes(fig).decode()
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    for junction in central_asia.ids("junctions"):  # junctions have no label, only this
        assert f"junction {junction}" in titles
        assert junction not in _texts(fig)
    for plant in central_asia.ids("hydro_plants"):
        assert any(t.startswith(f"hydropower plant {plant}:") for t in titles)
    grid = svg_bytes(plot_grid(_Net(central_asia))).decode()
    assert "line casa_1000_tj_pk: TJ → PK up to 1,000 MW" in grid


def test_columns_make_room_for_labels_at_the_same_height():
    from vakhsh.report.schematic import _Room

    rooms = [
        _Room(0, 1.0, 0.1, 2.0, 0.1),
        _Room(1, 1.05, 0.5, 0.3, 0.1),
        _Room(2, 3.0, 0.1, 0.3, 0.1),
    ]
    xs = pack_columns(rooms)
    assert xs[0] == pytest.approx(0.1)
    assert xs[1] == pytest.approx(0.1 + 2.0 + 0.14 + 0.5)  # beside a wide label
    assert xs[2] == pytest.approx(xs[1] + 0.3)  # nothing at its height: the least step
    assert np.all(np.diff([xs[c] for c in sorted(xs)]) > 0)
