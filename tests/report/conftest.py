"""One solved toy-cascade per test session, reused by every report test."""

from __future__ import annotations

from pathlib import Path

import pytest

from vakhsh.network import load_network
from vakhsh.solve.options import SolveOptions
from vakhsh.pipeline import optimise


def _solve(model: str, scenario: str | None = None, **time):
    return optimise(load_network(model, scenario=scenario, **time), SolveOptions())


@pytest.fixture(scope="session")
def toy_results():
    return _solve("toy-cascade")


@pytest.fixture(scope="session")
def toy_run_dir(toy_results, tmp_path_factory) -> Path:
    """A run folder as `vakhsh run` writes it: results, summary, report and model copy."""
    from vakhsh.report.html import write_report

    folder = toy_results.to_folder(tmp_path_factory.mktemp("runs") / "toy-base")
    write_report(toy_results, folder)
    return folder


def cli(*args: str):
    from typer.testing import CliRunner

    from vakhsh.cli import _mount_optional, app

    _mount_optional()
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="session")
def toy_dry_run_dir(tmp_path_factory) -> Path:
    """A second run of another scenario (shorter, to stay fast), its report.html written by
    `vakhsh report RUN_DIR` from the folder alone."""
    from vakhsh.network import write_network

    results = _solve("toy-cascade", "dry", end="2025-04-01")
    folder = results.to_folder(tmp_path_factory.mktemp("runs") / "toy-dry")
    write_network(results.net, folder / "model")
    result = cli("report", str(folder))
    assert result.exit_code == 0, result.output
    return folder
