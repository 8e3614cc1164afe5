"""`vakhsh datasets`, `vakhsh validate MODEL`, `vakhsh show MODEL`: what a model holds."""

from __future__ import annotations

from vakhsh.cli.console import console
from vakhsh.cli.options import ModelArg, ScenarioOpt
from vakhsh.errors import VakhshError


def datasets() -> None:
    """List the embedded models, one line each."""
    from vakhsh.network import embedded_datasets, load_network

    for name, folder in embedded_datasets().items():
        try:
            description = load_network(folder).description.split(".")[0]
        except VakhshError:
            description = "(invalid: run vakhsh validate)"
        console.print(f"[bold]{name:<16}[/bold] {description}", highlight=False)


def validate(model: ModelArg, scenario: ScenarioOpt = None) -> None:
    """Check a model against every rule of the format; exit 2 listing all problems.

    Without --scenario every scenario the model defines is checked too."""
    from vakhsh.network.validate import validate_model

    net = validate_model(model, scenario=scenario)
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in net.summary_counts().items() if n)
    console.print(
        f"[green]valid[/green]: {net.name} ({counts}; {len(net.time)} steps of "
        f"{net.run.step_label})",
        highlight=False,
    )


def show(model: ModelArg, scenario: ScenarioOpt = None) -> None:
    """Tables of the model: counts and key figures per component kind."""
    from vakhsh.network import load_network
    from vakhsh.report.show import show_network

    show_network(load_network(model, scenario=scenario), console)
