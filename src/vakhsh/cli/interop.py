"""`vakhsh import pypsa` and `vakhsh export pypsa`: typer sub-applications mounted by
`vakhsh.cli.root` (the translation itself is vakhsh.interop)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vakhsh.cli.console import console, print_warnings
from vakhsh.cli.errors import reports_errors
from vakhsh.cli.options import ScenarioOpt

import_app = typer.Typer(
    help="Bring a model from another tool into vakhsh.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(
    help="Give a vakhsh model to another tool.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@import_app.command("pypsa")
@reports_errors
def import_pypsa(
    network: Annotated[
        Path, typer.Argument(help="A PyPSA network: NETWORK.nc or a folder of PyPSA CSVs.")
    ],
    out: Annotated[Path, typer.Option(help="The model folder to write.")],
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace --out when vakhsh wrote it (a model folder)."),
    ] = False,
) -> None:
    """Translate a PyPSA network into a vakhsh model folder (see docs/pypsa.md)."""
    from vakhsh.interop.commands import import_pypsa as translate

    folder, warnings = translate(network, out, overwrite=overwrite)
    print_warnings(warnings)
    console.print(f"[green]wrote[/green] {folder} (vakhsh validate {folder})", highlight=False)


@export_app.command("pypsa")
@reports_errors
def export_pypsa(
    model: Annotated[str, typer.Argument(help="A model folder or embedded dataset.")],
    out: Annotated[Path, typer.Option(help="The PyPSA netCDF file to write.")],
    scenario: ScenarioOpt = None,
    start: Annotated[str | None, typer.Option(help="First step.")] = None,
    end: Annotated[str | None, typer.Option(help="End (exclusive).")] = None,
    step: Annotated[str | None, typer.Option(help="Step: 1h, 3h, 1D.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out when vakhsh wrote it.")
    ] = False,
) -> None:
    """Write a model as a PyPSA network at fixed head (water as stores and links)."""
    from vakhsh.interop.commands import export_pypsa as translate

    path = translate(
        model, out, overwrite=overwrite, scenario=scenario, start=start, end=end, step=step
    )
    console.print(f"[green]wrote[/green] {path}", highlight=False)
