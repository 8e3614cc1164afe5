"""Check a model and every scenario it defines: what `vakhsh validate` and the web app's
upload run, so that both report the same problems."""

from __future__ import annotations

from pathlib import Path

from vakhsh.errors import ModelError
from vakhsh.network.load import load_network
from vakhsh.network.network import Network


def validate_model(model: str | Path, scenario: str | None = None) -> Network:
    """Load `model` (under `scenario`); without a scenario, load it under every scenario
    it defines too. Raise one ModelError with every problem found, each problem of a
    scenario tagged `[scenario NAME]`."""
    net = load_network(model, scenario=scenario)
    if scenario is not None:
        return net
    problems = []
    for name in net.source.get("scenarios") or {}:
        try:
            load_network(model, scenario=str(name))
        except ModelError as exc:
            problems += [
                type(p)(p.file, p.path, f"{p.message} [scenario {name}]", p.value)
                if hasattr(p, "value")
                else p
                for p in exc.problems
            ]
    if problems:
        raise ModelError(problems)
    return net
