"""The `vakhsh` application: the root options, and every command registered once.

Every command that loads a model reports an invalid one the same way: one line per
problem on stderr (`vakhsh: error: FILE: path.to.field: problem (value)`), exit status 2,
no traceback unless `--debug`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vakhsh import __version__
from vakhsh.cli import ensemble, inflows, interop, models, plan, report, run, sddp, serve
from vakhsh.cli.console import console, err_console
from vakhsh.cli.errors import Settings, reports_errors

app = typer.Typer(
    name="vakhsh",
    help="Open water-energy planning: rivers, reservoirs, hydropower, irrigation and the "
    "power grid, simulated and optimised together.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"vakhsh {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    ctx.obj = Settings(debug=debug)


# (name, function, options of app.command): the order is the order of `vakhsh --help`
COMMANDS = [
    ("datasets", models.datasets, {}),
    ("validate", models.validate, {}),
    ("show", models.show, {}),
    ("run", run.run, {}),
    ("ensemble", ensemble.ensemble, {}),
    ("frontier", ensemble.frontier, {}),
    ("plan", plan.plan, {}),
    ("report", report.report, {}),
    ("compare", report.compare, {}),
    ("serve", serve.serve, {}),
    ("sddp", sddp.sddp, {"no_args_is_help": True}),
]

for _name, _function, _options in COMMANDS:
    app.command(_name, **_options)(reports_errors(_function))
app.add_typer(inflows.inflows_app, name="inflows")
app.add_typer(interop.import_app, name="import")
app.add_typer(interop.export_app, name="export")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("vakhsh: interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
