"""The `vakhsh` command line.

Every command that loads a model reports an invalid one the same way: one line per
problem on stderr (`vakhsh: error: FILE: path.to.field: problem (value)`), exit status 2,
no traceback unless `--debug`.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated, Callable, TypeVar

import typer
from rich.console import Console

from vakhsh import __version__
from vakhsh.errors import VakhshError

app = typer.Typer(
    name="vakhsh",
    help="Open water-energy planning: rivers, reservoirs, hydropower, irrigation and the "
    "power grid, simulated and optimised together.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)
_state = {"debug": False}

F = TypeVar("F", bound=Callable)

ModelArg = Annotated[str, typer.Argument(help="A model folder or the name of an embedded "
                                         "dataset (see `vakhsh datasets`).")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s",
                                                 help="A scenario defined in the model.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"vakhsh {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _state["debug"] = debug


def reports_errors(func: F) -> F:
    """Turn a VakhshError into `vakhsh: error:` lines and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except VakhshError as exc:
            if _state["debug"]:
                raise
            for line in exc.lines():
                err_console.print(f"vakhsh: error: {line}", markup=False, highlight=False,
                                  soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.command()
def datasets() -> None:
    """List the embedded models, one line each."""
    from vakhsh.network import embedded_datasets, load_network

    for name, folder in embedded_datasets().items():
        try:
            description = load_network(folder).description.split(".")[0]
        except VakhshError:
            description = "(invalid: run vakhsh validate)"
        console.print(f"[bold]{name:<16}[/bold] {description}", highlight=False)


@app.command()
@reports_errors
def validate(model: ModelArg, scenario: ScenarioOpt = None) -> None:
    """Check a model against every rule of the format; exit 2 listing all problems.

    Without --scenario every scenario the model defines is checked too."""
    from vakhsh.network.validate import validate_model

    net = validate_model(model, scenario=scenario)
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in net.summary_counts().items()
                       if n)
    console.print(f"[green]valid[/green]: {net.name} ({counts}; {len(net.time)} steps of "
                  f"{net.run.step_label})", highlight=False)


@app.command()
@reports_errors
def show(model: ModelArg, scenario: ScenarioOpt = None) -> None:
    """Tables of the model: counts and key figures per component kind."""
    from vakhsh.network import load_network
    from vakhsh.report.show import show_network

    show_network(load_network(model, scenario=scenario), console)


def _mount_optional() -> None:
    """Sub-commands that live in their own modules."""
    from vakhsh import commands

    commands.register(app, reports_errors, console)


def main() -> None:
    if "--version" not in sys.argv[1:2]:
        _mount_optional()
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("vakhsh: interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "main", "reports_errors", "console", "err_console", "Path"]
