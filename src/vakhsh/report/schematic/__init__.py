"""A schematic of the network, laid out from its graph alone (no map, no internet).

Rivers: each water node sits at a height equal to its longest path to a sink, so water
flows down the page and every main stem is a straight vertical line; catchments sit above
the node they feed, withdrawals beside the node they draw from. Columns are spaced by the
width of the labels they carry, so that no two labels overlap. Power grid: buses where
their countries are (or on a circle), lines with their capacity, markets outside.

Readable at 100 % zoom: every label is `FONT` pt on a figure at most `PAGE_IN` wide (the
report's column), i.e. at least 10 px on a 1280-px page. Junction names, line names and the
details of every component are hover texts (SVG <title>), not labels. Components that are
not in service during the run (`available_from` after its end, e.g. CASA-1000 before 2027)
are drawn grey and dashed with their date; a bus whose island has nothing that can supply
it (`vakhsh.results.islands`) has no price.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vakhsh.report.schematic.common import OFF, PAGE_IN, availability
from vakhsh.report.schematic.grid import bus_prices, draw_power
from vakhsh.report.schematic.rivers import (
    WaterGeometry,
    _Room,
    draw_water,
    pack_columns,
    water_geometry,
    water_legend,
)
from vakhsh.report.style import new_figure

__all__ = [
    "OFF",
    "_Room",
    "availability",
    "pack_columns",
    "plot_grid",
    "plot_rivers",
    "plot_schematic",
]


# ---------------------------------------------------------------- figures
def _water_axes(fig: Figure, geometry: WaterGeometry, x0: float, y0: float):
    """Axes at (x0, y0) inches whose data units are inches (so offsets in points and
    label widths agree with the layout)."""
    fig_w, fig_h = fig.get_size_inches()
    width, height = geometry.size_in
    return fig.add_axes([x0 / fig_w, y0 / fig_h, width / fig_w, height / fig_h])


def plot_rivers(run) -> Figure:
    """The rivers: reservoirs, plants, demands and sinks, water flowing down the page."""
    net = run.net
    geometry = water_geometry(net)
    width, height = geometry.size_in
    top, bottom = 0.45, 0.75
    fig_w, fig_h = max(width + 0.3, 7.0), height + top + bottom
    fig = new_figure(fig_w, fig_h)
    draw_water(_water_axes(fig, geometry, 0.15, bottom), net, geometry)
    fig.text(
        0.15 / fig_w,
        1 - 0.25 / fig_h,
        f"{net.name}: rivers (water flows down the page; hover for details)",
        fontsize=10,
        va="center",
    )
    water_legend(fig, 0.05 / fig_h)
    return fig


def plot_grid(run) -> Figure:
    """The power grid: buses with what is installed (and their mean price), lines with
    their capacity, markets; what is not in service during the run grey and dashed."""
    net = run.net
    height = float(np.clip(2.6 + 0.6 * len(net.tables["buses"]), 3.8, 6.2))
    fig = new_figure(PAGE_IN, height)
    ax = fig.add_axes([0.02, 0.02, 0.96, 1 - 0.5 / height])
    prices = bus_prices(run)
    draw_power(ax, net, prices)
    title = f"{net.name}: power grid (installed MW per bus, line capacity"
    title += ", mean price" if prices is not None else ""
    fig.text(0.01, 1 - 0.25 / height, title + "; hover for details)", fontsize=10, va="center")
    return fig


def plot_schematic(run) -> Figure:
    """The network in one figure: the rivers above, the power grid below."""
    net = run.net
    geometry = water_geometry(net)
    width, height = geometry.size_in
    grid_h = float(np.clip(2.6 + 0.6 * len(net.tables["buses"]), 3.8, 6.2))
    top, gap, bottom = 0.45, 0.9, 0.3
    fig_w, fig_h = max(PAGE_IN, width + 0.3), top + height + gap + grid_h + bottom
    fig = new_figure(fig_w, fig_h)
    draw_water(_water_axes(fig, geometry, 0.15, bottom + grid_h + gap), net, geometry)
    water_legend(fig, (bottom + grid_h + 0.15) / fig_h)
    fig.text(
        0.01,
        1 - 0.25 / fig_h,
        f"{net.name}: network schematic (rivers above, power grid below; hover for details)",
        fontsize=10,
        va="center",
    )
    power_ax = fig.add_axes([0.02, bottom / fig_h, 0.96, grid_h / fig_h])
    draw_power(power_ax, net, bus_prices(run))
    return fig
