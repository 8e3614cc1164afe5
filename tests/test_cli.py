"""The installed command line: exit codes, the error lines on stderr, no tracebacks.

Exit codes and tracebacks of `validate` are checked in a subprocess (`python -m
vakhsh.cli`), as a user runs it: the exit status is the process's own. Output of the core commands is checked in process with
typer's runner, which is faster (each subprocess pays ~2 s of CPU for imports).
"""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from typer.testing import CliRunner

from vakhsh.cli import app


def in_process(*args: str):
    result = CliRunner().invoke(app, list(map(str, args)), env={"COLUMNS": "160"})
    return result


def vakhsh(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "vakhsh.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def break_five_ways(folder):
    path = folder / "model.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["reservoirs"]["upper"]["storage_min_hm3"] = 2500
    raw["catchments"]["headwaters"]["to"] = "nowhere"
    raw["hydro_plants"]["upper_hpp"]["efficiency"] = 1.2
    raw["generators"]["gas_south"]["capacty_mw"] = raw["generators"]["gas_south"].pop("capacity_mw")
    raw["junctions"]["orphan"] = {}
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return folder


FIVE = [
    "vakhsh: error: model.yaml: reservoirs.upper.storage_min_hm3: exceeds storage_max_hm3 "
    "(2500 > 2000)",
    "vakhsh: error: model.yaml: catchments.headwaters.to: names no component (nowhere)",
    "vakhsh: error: model.yaml: hydro_plants.upper_hpp.efficiency: Input should be less than "
    "or equal to 1 (1.2)",
    "vakhsh: error: model.yaml: generators.gas_south.capacty_mw: unknown field; did you mean "
    "'capacity_mw'? (150)",
    "vakhsh: error: model.yaml: junctions.orphan: drains nowhere: give it a reach or a "
    "run-of-river plant that leaves it",
]


def test_version():
    done = in_process("--version")
    assert done.exit_code == 0
    assert done.stdout.startswith("vakhsh ")


def test_datasets_lists_toy_cascade():
    done = in_process("datasets")
    assert done.exit_code == 0, done.stderr
    assert any(line.startswith("toy-cascade ") for line in done.stdout.splitlines())
    assert "(invalid" not in done.stdout


def test_validate_toy_cascade():
    done = vakhsh("validate", "toy-cascade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("valid: toy-cascade (")
    assert done.stderr == ""


def test_validate_a_scenario():
    assert in_process("validate", "toy-cascade", "--scenario", "dry").exit_code == 0


def test_five_errors_are_listed_and_exit_2(toy_folder):
    done = vakhsh("validate", break_five_ways(toy_folder))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    for expected in FIVE:
        assert expected in lines, done.stderr
    # the typo also leaves capacity_mw missing: that is the one extra line
    assert (
        "vakhsh: error: model.yaml: generators.gas_south.capacity_mw: required field is "
        "missing" in lines
    )
    assert len(lines) == 6, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_debug_shows_the_traceback_and_still_exits_2(toy_folder):
    done = vakhsh("--debug", "validate", break_five_ways(toy_folder))
    assert done.returncode == 2  # bad input, whatever --debug shows
    assert "Traceback" in done.stderr
    assert "ModelError" in done.stderr
    assert FIVE[0] in done.stderr


def test_yaml_syntax_error_exits_2_naming_the_line(toy_folder):
    path = toy_folder / "model.yaml"
    path.write_text(path.read_text().replace("  confluence: {}", "  confluence: {\n"))
    done = in_process("validate", toy_folder)
    assert done.exit_code == 2
    assert done.stderr.startswith("vakhsh: error: model.yaml: line ")
    assert "YAML syntax error" in done.stderr and "Traceback" not in done.stderr


def test_show_prints_the_reservoir_table():
    done = in_process("show", "toy-cascade")
    assert done.exit_code == 0, done.stderr
    assert "Reservoirs" in done.stdout
    rows = [line for line in done.stdout.splitlines() if "upper" in line or "lower" in line]
    assert any("2,000" in row and "1,200" in row for row in rows), done.stdout


def test_show_a_broken_model_exits_2(toy_folder):
    done = in_process("show", break_five_ways(toy_folder))
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    assert FIVE[0] in done.stderr.splitlines()


def test_validate_no_such_model():
    done = vakhsh("validate", "no-such-model")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "vakhsh: error: no-such-model: not a model folder nor an embedded dataset"
    )
    assert "Traceback" not in done.stderr


def test_unknown_scenario_exits_2():
    done = in_process("validate", "toy-cascade", "-s", "wet")
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        "vakhsh: error: model.yaml: scenarios.wet: no such scenario (defined: base, dry, "
        "full_upper)"
    ]
