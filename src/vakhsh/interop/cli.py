"""The typer commands `vakhsh import pypsa` and `vakhsh export pypsa` (logic: commands.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Callable

import typer
from rich.console import Console


def register(app: typer.Typer, reports_errors: Callable, console: Console) -> None:
    import_app = typer.Typer(help="Bring a model from another tool into vakhsh.",
                             no_args_is_help=True)
    export_app = typer.Typer(help="Give a vakhsh model to another tool.", no_args_is_help=True)

    @import_app.command("pypsa")
    @reports_errors
    def import_pypsa(
        network: Annotated[Path, typer.Argument(help="A PyPSA network: NETWORK.nc or a "
                                                "folder of PyPSA CSVs.")],
        out: Annotated[Path, typer.Option(help="The model folder to write.")],
        overwrite: Annotated[bool, typer.Option(
            "--overwrite", help="Replace --out when vakhsh wrote it (a model folder).")
                             ] = False,
    ) -> None:
        """Translate a PyPSA network into a vakhsh model folder (see docs/pypsa.md)."""
        from vakhsh.interop.commands import import_pypsa as run

        folder, warnings = run(network, out, overwrite=overwrite)
        for line in warnings:
            console.print(f"[yellow]warning[/yellow]: {line}", highlight=False)
        console.print(f"[green]wrote[/green] {folder} (vakhsh validate {folder})",
                      highlight=False)

    @export_app.command("pypsa")
    @reports_errors
    def export_pypsa(
        model: Annotated[str, typer.Argument(help="A model folder or embedded dataset.")],
        out: Annotated[Path, typer.Option(help="The PyPSA netCDF file to write.")],
        scenario: Annotated[str | None, typer.Option("--scenario", "-s")] = None,
        start: Annotated[str | None, typer.Option(help="First step.")] = None,
        end: Annotated[str | None, typer.Option(help="End (exclusive).")] = None,
        step: Annotated[str | None, typer.Option(help="Step: 1h, 3h, 1D.")] = None,
        overwrite: Annotated[bool, typer.Option(
            "--overwrite", help="Replace --out when vakhsh wrote it.")] = False,
    ) -> None:
        """Write a model as a PyPSA network at fixed head (water as stores and links)."""
        from vakhsh.interop.commands import export_pypsa as run

        path = run(model, out, overwrite=overwrite, scenario=scenario, start=start, end=end,
                   step=step)
        console.print(f"[green]wrote[/green] {path}", highlight=False)

    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
