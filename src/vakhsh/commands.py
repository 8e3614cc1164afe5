"""Sub-commands that live beside the core CLI, mounted by `vakhsh.cli.main`."""

from __future__ import annotations

import importlib
from typing import Callable

import typer
from rich.console import Console

# (module, attribute, command name): typer sub-applications mounted under a name
SUB_APPS = [("vakhsh.hydrology.cli", "inflows_app", "inflows")]
# (module, function): modules that add plain commands to the app
COMMAND_MODULES = ["vakhsh.run_cli", "vakhsh.ensemble.cli", "vakhsh.plan_cli",
                   "vakhsh.report.commands", "vakhsh.app.cli", "vakhsh.sddp_cli",
                   "vakhsh.interop.cli"]


def register(app: typer.Typer, reports_errors: Callable, console: Console) -> None:
    for module_name, attribute, name in SUB_APPS:
        app.add_typer(getattr(importlib.import_module(module_name), attribute), name=name)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app, reports_errors, console)
