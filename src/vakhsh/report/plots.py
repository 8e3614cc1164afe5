"""Plots of a run, usable from Python and notebooks as well as in report.html.

    from vakhsh.report.plots import load_run, plot_generation
    run = load_run("runs/central-asia-base-...")      # or a Results from vakhsh.solve
    plot_generation(run)                              # a matplotlib Figure

Every function takes an object with `.net` (the Network) and `.dataset` (the results
Dataset), i.e. a `vakhsh.results.Results` or what `load_run` returns, and returns a
`matplotlib.figure.Figure`; `save_png(fig, path)` writes one to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from vakhsh.report.load import RunData, load_run
from vakhsh.report.plots_power import plot_generation, plot_prices, plot_unserved
from vakhsh.report.plots_water import (
    plot_reservoirs,
    plot_sink_inflow,
    plot_water_delivery,
    plot_water_values,
)
from vakhsh.report.schematic import plot_grid, plot_rivers, plot_schematic
from vakhsh.report.style import png_bytes


@dataclass(frozen=True)
class PlotSpec:
    key: str
    title: str
    function: Callable[..., Figure]
    caption: str
    inline: bool = False  # put in the page as <svg> (hover texts work), not as an <img>


PLOTS = [
    PlotSpec(
        "schematic",
        "The rivers",
        plot_rivers,
        "Rivers, reservoirs, plants, demands and sinks laid out from the model's graph. "
        "Hover over a component for its details; grey and dashed: not in service "
        "during this run.",
        inline=True,
    ),
    PlotSpec(
        "grid",
        "The power grid",
        plot_grid,
        "Buses with what is installed and their mean price, lines with their largest "
        "capacity, outside markets. Grey and dashed: not in service during this run "
        "(with the date it comes in); a bus with nothing that can supply it has no "
        "price.",
        inline=True,
    ),
    PlotSpec(
        "generation",
        "Generation by month",
        plot_generation,
        "Energy supplied at each bus per month: hydro by plant, other carriers, storage, "
        "imports and unserved energy above zero; exports and charging below.",
    ),
    PlotSpec(
        "unserved",
        "Unserved energy (the winter deficit)",
        plot_unserved,
        "Load not met, per bus and month.",
    ),
    PlotSpec(
        "reservoirs",
        "Reservoir storage and level",
        plot_reservoirs,
        "Storage at the end of each step within the band between the minimum and the "
        "maximum; level on the right-hand axis where the reservoir has a level curve.",
    ),
    PlotSpec(
        "water_delivery",
        "Water delivered against demanded",
        plot_water_delivery,
        "Monthly volumes per water demand; red is the shortage.",
    ),
    PlotSpec(
        "sink_inflow",
        "Inflow to the sinks (e.g. the Aral Sea)",
        plot_sink_inflow,
        "Monthly inflow to each sink against the minimum it should receive.",
    ),
    PlotSpec(
        "prices",
        "Electricity prices",
        plot_prices,
        "Marginal cost of one more MWh at each bus (dual of its balance); dashed: the "
        "prices of outside markets.",
    ),
    PlotSpec(
        "water_values",
        "Water values",
        plot_water_values,
        "Marginal value of one more hm³ in each reservoir (minus the dual of its "
        "balance): high values mean water is scarce and worth keeping.",
    ),
]


PLOTS_KIND = "plots"


def save_png(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(png_bytes(fig))
    return path


def save_all(run, folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Every plot of a run as PNG files in `folder`, written whole (vakhsh.outputs): an
    existing folder is replaced only when it holds plots vakhsh wrote and `overwrite`."""
    from vakhsh.outputs import output_folder

    folder = Path(folder)
    with output_folder(folder, PLOTS_KIND, overwrite=overwrite) as tmp:
        for spec in PLOTS:
            save_png(spec.function(run), tmp / f"{spec.key}.png")
    return [folder / f"{spec.key}.png" for spec in PLOTS]


__all__ = [
    "PLOTS",
    "PlotSpec",
    "RunData",
    "load_run",
    "plot_generation",
    "plot_prices",
    "plot_grid",
    "plot_reservoirs",
    "plot_rivers",
    "plot_schematic",
    "plot_sink_inflow",
    "plot_unserved",
    "plot_water_delivery",
    "plot_water_values",
    "save_all",
    "save_png",
]
