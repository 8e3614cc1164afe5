"""The command line is one package on top: nothing below imports it, each command once."""

from __future__ import annotations

import ast
from pathlib import Path

import vakhsh
from vakhsh.cli import app

SOURCE = Path(vakhsh.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_outside_the_cli_package_imports_it():
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if SOURCE / "cli" in path.parents:
            continue
        bad = {
            m for m in imported_modules(path) if m == "vakhsh.cli" or m.startswith("vakhsh.cli.")
        }
        if bad:
            offenders.append(f"{path.relative_to(SOURCE)}: {sorted(bad)}")
    assert offenders == []


def test_the_old_command_modules_are_gone():
    old = [
        "cli.py",
        "run_cli.py",
        "plan_cli.py",
        "sddp_cli.py",
        "commands.py",
        "ensemble_inflows.py",
        "hydrology/cli.py",
        "ensemble/cli.py",
        "app/cli.py",
        "report/commands.py",
    ]
    assert [name for name in old if (SOURCE / name).exists()] == []


def test_every_command_is_registered_once():
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert sorted(names) == sorted(set(names))
    assert set(names) == {
        "datasets",
        "validate",
        "show",
        "run",
        "ensemble",
        "frontier",
        "plan",
        "report",
        "compare",
        "serve",
        "sddp",
        "inflows",
        "import",
        "export",
    }


def test_the_console_script_points_at_the_package():
    text = (SOURCE.parents[1] / "pyproject.toml").read_text()
    assert 'vakhsh = "vakhsh.cli.root:main"' in text
