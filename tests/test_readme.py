"""README.md as a new user follows it: every command of "Using it", in order, then the
Python example, in a fresh folder (issue 17: `vakhsh compare runs/base runs/dry` failed
as written, and the ensemble's spec was never shown).

The folder holds nothing but `.venv`, a link to the environment running the tests (what
`make demo` makes in a clone), so `. .venv/bin/activate` works as written. The sh block
runs under `bash -e`: the first command that fails stops it and fails the test. The two
set-up commands (`make demo`, `make test`) are checked to be there, not run (`make test`
would run this test again).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.outputs_cases import snapshot

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(
        rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M
    )


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_two_set_up_commands_are_there():
    setup = re.findall(r"^```sh\n(.*?)^```", section("Two commands"), flags=re.S | re.M)
    commands = [line.split("#")[0].strip() for line in setup[0].splitlines()]
    assert commands == ["make demo", "make test"]


def test_using_it_then_the_python_example(tmp_path_factory, subtests):
    """The block runs once (about two minutes); each check reports on its own. One test,
    not three on a module fixture: xdist ran such a fixture once per worker, and its
    --dist loadgroup does not group tests under pytest 9.2 (pytest-xdist issue 1386)."""
    pytest.importorskip("pypsa")  # the import/export lines (the test extra has it)
    followed = follow(tmp_path_factory.mktemp("readme"))
    with subtests.test("every command of Using it succeeds, in order"):
        every_command_of_using_it_succeeds_in_order(followed)
    with subtests.test("what the commands wrote"):
        what_the_commands_wrote(followed)
    with subtests.test("the Python example after the commands"):
        the_python_example_after_the_commands(followed)


def follow(home: Path):
    """The fresh folder after the sh block of "Using it" ran in it, and bash's result."""
    (home / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    using = re.findall(r"^```sh\n(.*?)^```", section("Using it"), flags=re.S | re.M)
    assert len(using) == 1
    script = home.parent / "using-it.sh"  # beside the folder: the folder stays fresh
    script.write_text(using[0])
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", "MPLBACKEND": "Agg"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        ["bash", "-e", "-x", str(script)],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return home, done


def every_command_of_using_it_succeeds_in_order(followed):
    _home, done = followed
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    # bash -x echoes each command as it starts: all of them ran, in the README's order
    ran = [line[2:] for line in done.stderr.splitlines() if line.startswith("+ vakhsh ")]
    written = [
        line.split("  #")[0].strip()
        for line in re.findall(r"^vakhsh .*$", section("Using it"), flags=re.M)
    ]
    assert ran == written


def what_the_commands_wrote(followed):
    home, done = followed
    assert done.returncode == 0, done.stderr[-4000:]
    for run in ("base", "dry"):
        summary = json.loads((home / "runs" / run / "summary.json").read_text())
        assert summary["model"] == "toy-cascade" and summary["audit"]["passed"]
        assert (home / "runs" / run / "report.html").is_file()
    assert json.loads((home / "runs/dry/summary.json").read_text())["scenario"] == "dry"
    assert (home / "compare.html").read_text().startswith("<!DOCTYPE html>")
    assert (home / "winter.mps").stat().st_size > 0
    assert (home / "ens.nc").is_file()
    member = [p for p in (home / "runs").iterdir() if "member7" in p.name]
    assert len(member) == 1, sorted(p.name for p in (home / "runs").iterdir())
    inflows = json.loads((member[0] / "summary.json").read_text())["provenance"]["inflows"]
    assert inflows["member"] == 7 and inflows["years_in_file"] == 50
    # and said which years of the member the run uses (issue 17)
    assert (
        f"inflows: ens.nc member 7, year {inflows['years'][0]} of 50 (its months "
        f"{inflows['months']})"
    ) in done.stdout
    assert (home / "plans/dry/plan.json").is_file()
    manifest = json.loads((home / "ens/ensemble.json").read_text())
    assert len(manifest["runs"]) == 4  # scenario [base, dry] x member [0, 1]
    assert "4 succeeded, 0 failed" in " ".join(done.stdout.split())
    assert list((home / "runs").glob("frontier-central-asia-*/frontier.csv"))
    assert (home / "ca.nc").is_file() and (home / "my-grid/model.yaml").is_file()
    # the imported network: 450 MW in the south for 24 hours, all served (400 MW of gas
    # there and 300 MW of line from the north's 500 MW of hydro)
    grid = json.loads((home / "runs/my-grid/summary.json").read_text())
    assert grid["audit"]["passed"]
    assert sum(grid["energy"]["load_gwh"].values()) == pytest.approx(24 * 450 / 1e3)
    assert sum(grid["energy"]["unserved_gwh"].values()) == pytest.approx(0, abs=1e-9)


def the_python_example_after_the_commands(followed):
    home, done = followed
    assert done.returncode == 0, done.stderr[-4000:]
    python = blocks("python")
    example = next(b for b in python if b.startswith("import vakhsh\n"))
    before = snapshot(home / "runs" / "dry")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    ran = subprocess.run(
        [sys.executable, "-c", example],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    written = json.loads((home / "runs/dry-python/summary.json").read_text())
    cli = json.loads((home / "runs/dry/summary.json").read_text())
    # the same model, scenario and head model as `vakhsh run ... --head iterate`
    assert written["scenario"] == cli["scenario"] == "dry"
    assert written["objective_usd"] == pytest.approx(cli["objective_usd"], rel=1e-6)
    assert snapshot(home / "runs" / "dry") == before  # the CLI's run folder untouched
