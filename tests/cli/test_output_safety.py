"""Every command that writes, against every way its output path can be wrong.

For each command (run, plan, ensemble, frontier, sddp, sddp simulate, compare, report,
inflows generate, run --write-lp, import pypsa and export pypsa) and each case:

- a user's folder (or file) already at the path: exit 2, the way out named, and the
  folder byte for byte as it was;
- `.` (the working directory): exit 2, nothing changed;
- a file where a folder is wanted, or a folder where a file is wanted: exit 2;
- a read-only parent (mode 0555, or `chattr +i` when the tests run as root): exit 2;
- an earlier output of the same command: refused without --overwrite (an ensemble is
  resumed instead), replaced with it;
- the process killed (SIGKILL) in the middle of writing the new output: the earlier one
  intact, and the next command in that folder cleans the temporaries.

Refusals come before the model is loaded: those cases name a model that does not exist,
and the error is about the output path, not the model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from tests.ensemble.conftest import ANALYTIC
from tests.outputs_cases import (
    ReadOnly,
    cli_body,
    is_marked,
    leftovers,
    run_killed,
    snapshot,
    user_folder,
)
from typer.testing import CliRunner

from vakhsh.cli import app

NO_MODEL = "no-such-model"
SHORT = ["--end", "2024-10-04"]


def invoke(*args, cwd: Path | None = None):
    import os

    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(map(str, args)), env={"COLUMNS": "200"})
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """What the commands read: an ensemble spec, the analytic frontier model, two runs."""
    root = tmp_path_factory.mktemp("inputs")
    spec = root / "spec.yaml"
    spec.write_text(
        yaml.safe_dump(
            {"period": {"start": "2024-10-01", "end": "2024-10-04"}, "axes": {"scenario": ["base"]}}
        )
    )
    analytic = root / "two-step"
    analytic.mkdir()
    (analytic / "model.yaml").write_text(ANALYTIC)
    runs = {}
    for name, scenario in (("base", "base"), ("dry", "dry")):
        runs[name] = root / name
        done = invoke("run", "toy-cascade", "-s", scenario, *SHORT, "--out", runs[name])
        assert done.exit_code == 0, done.output
    # an inflow ensemble and a trained policy, for `sddp` and `sddp simulate`
    runs["ens"] = root / "ens.nc"
    done = invoke(
        "inflows",
        "generate",
        "toy-cascade",
        "--years",
        "1",
        "--members",
        "2",
        "--seed",
        "1",
        "--out",
        runs["ens"],
    )
    assert done.exit_code == 0, done.output
    done = invoke(
        "sddp",
        "toy-cascade",
        *SHORT,
        "--inflows",
        runs["ens"],
        "--iterations",
        "1",
        "--no-report",
        "--out",
        root / "sddp",
    )
    assert done.exit_code == 0, done.output
    runs["policy"] = root / "sddp" / "policy"
    # a PyPSA network, for `import pypsa` (a power-only one: an exported model's
    # multi-port turbine links are refused on import, docs/pypsa.md)
    runs["network"] = power_network(root / "network.nc")
    return {"spec": spec, "analytic": analytic, **runs}


def power_network(path: Path) -> Path:
    """Two buses, a line, hydro, gas and a load over a day, written by PyPSA itself."""
    import pandas as pd
    import pypsa

    n = pypsa.Network(snapshots=pd.date_range("2025-01-01", periods=24, freq="h"))
    n.add("Bus", ["north", "south"], v_nom=220)
    n.add("Line", "north_south", bus0="north", bus1="south", s_nom=300, x=10, r=1)
    n.add("Generator", "hydro", bus="north", p_nom=500, marginal_cost=5)
    n.add("Generator", "gas", bus="south", p_nom=400, marginal_cost=60)
    n.add("Load", "city", bus="south", p_set=450)
    n.export_to_netcdf(path)
    return path


@dataclass(frozen=True)
class Command:
    name: str
    kind: str  # "folder" or "file"
    args: Callable[[dict, str, str], list]  # (inputs, model, out) -> arguments
    model: str = "toy-cascade"
    # the kill: (module, attribute, owner expression or None, nth call, before)
    kill: tuple = ()
    fresh: str = ""  # the file every new output holds
    marker: str = ""  # the kind in the folder's marker, when not the command's name

    def argv(self, inputs, out, model: str | None = None) -> list[str]:
        return [str(a) for a in self.args(inputs, model or self.model, str(out))]


COMMANDS = [
    Command(
        "run",
        "folder",
        lambda i, m, o: ["run", m, *SHORT, "--no-report", "--out", o],
        kill=("vakhsh.results.results", "write_files", "module.Results", 1, False),
        fresh="summary.json",
    ),
    Command(
        "plan",
        "folder",
        lambda i, m, o: ["plan", m, "--no-rank", "--no-report", "--out", o],
        kill=("vakhsh.results.results", "to_folder", "module.Results", 1, False),
        fresh="plan.json",
    ),
    Command(
        "ensemble",
        "folder",
        lambda i, m, o: [
            "ensemble",
            m,
            "--spec",
            i["spec"],
            "--out",
            o,
            "--workers",
            "0",
            "--no-report",
        ],
        kill=("vakhsh.ensemble.store", "write_run", "module.Store", 1, False),
        fresh="ensemble.json",
    ),
    Command(
        "frontier",
        "folder",
        lambda i, m, o: [
            "frontier",
            m,
            "--x",
            "tj_winter_energy",
            "--y",
            "downstream_vegetation_delivery",
            "--points",
            "2",
            "--workers",
            "0",
            "--out",
            o,
        ],
        model="analytic",
        kill=("vakhsh.results.results", "to_folder", "module.Results", 1, False),
        fresh="frontier.csv",
    ),
    Command(
        "sddp",
        "folder",
        lambda i, m, o: [
            "sddp",
            m,
            *SHORT,
            "--inflows",
            i["ens"],
            "--iterations",
            "1",
            "--no-report",
            "--out",
            o,
        ],
        kill=("vakhsh.sddp.outputs", "write_files", None, 1, False),
        fresh="summary.json",
    ),
    Command(
        "sddp simulate",
        "folder",
        lambda i, m, o: [
            "sddp",
            "simulate",
            m,
            "--policy",
            i["policy"],
            "--inflows",
            i["ens"],
            "--no-report",
            "--out",
            o,
        ],
        kill=("vakhsh.sddp.outputs", "write_files", None, 1, False),
        fresh="members.csv",
        marker="sddp",
    ),
    Command(
        "inflows generate",
        "file",
        lambda i, m, o: [
            "inflows",
            "generate",
            m,
            "--years",
            "2",
            "--members",
            "2",
            "--seed",
            "1",
            "--out",
            o,
        ],
        kill=("xarray", "to_netcdf", "module.Dataset", 1, False),
    ),
    Command(
        "run --write-lp",
        "file",
        lambda i, m, o: [
            "run",
            m,
            "--end",
            "2024-10-03",
            "--no-report",
            "--write-lp",
            o,
            "--out",
            str(Path(o).parent / f"run-{Path(o).name}"),
        ],
        kill=("vakhsh.outputs", "prepend_comment", None, 1, False),
    ),
    Command(
        "import pypsa",
        "folder",
        lambda i, m, o: ["import", "pypsa", i["network"], "--out", o],
        model="",  # reads a PyPSA network, not a model
        kill=("vakhsh.interop.imports", "write_imported", None, 1, False),
        fresh="model.yaml",
        marker="model",
    ),
    Command(
        "export pypsa",
        "file",
        lambda i, m, o: ["export", "pypsa", m, *SHORT, "--out", o],
        model="central-asia",  # toy-cascade's delayed reach has no PyPSA equivalent
        kill=("xarray", "to_netcdf", "module.Dataset", 1, False),
    ),
    Command(
        "compare",
        "file",
        lambda i, m, o: ["compare", i["base"], i["dry"], "--out", o],
        model="",  # reads run folders, not a model
        kill=("os", "replace", None, 1, True),
    ),
]
BY_NAME = {c.name: c for c in COMMANDS}
FILE_NAMES = {
    "inflows generate": "ens.nc",
    "run --write-lp": "winter.mps",
    "compare": "compare.html",
    "export pypsa": "ca.nc",
}


def model_for(command: Command, inputs) -> str:
    return str(inputs["analytic"]) if command.model == "analytic" else command.model


def bogus(command: Command, inputs) -> dict:
    """Inputs that cannot be read, to show that the output path is checked first."""
    if command.name == "compare":
        return {**inputs, "base": "no-such-run", "dry": "no-such-run-either"}
    if command.name == "import pypsa":
        return {**inputs, "network": "no-such-run.nc"}
    return inputs


def refused(done, *phrases: str) -> None:
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    text = " ".join(done.output.split())  # rich may wrap long lines
    assert "vakhsh: error:" in text, done.output
    for phrase in phrases:
        assert phrase in text, done.output
    # refused before the inputs were read: no word about the (missing) model or runs
    assert NO_MODEL not in text and "no-such-run" not in text, done.output


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_a_user_folder_or_file_at_the_path_is_refused_and_untouched(command, inputs, tmp_path):
    if command.kind == "folder":
        out = user_folder(tmp_path / "mine")
        phrase = "holds files vakhsh did not write"
    else:
        out = tmp_path / FILE_NAMES[command.name]
        out.write_text("my own file\n")
        phrase = "was not written by vakhsh"
    before = snapshot(tmp_path)
    for extra in ([], ["--overwrite"]):
        done = invoke(*command.argv(bogus(command, inputs), out, NO_MODEL), *extra)
        refused(done, phrase, "nothing was changed")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c.kind == "folder"], ids=lambda c: c.name
)
def test_the_working_directory_is_refused(command, inputs, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".vakhsh-output.json").write_text(json.dumps({"kind": command.name}))
    before = snapshot(tmp_path)
    for extra in ([], ["--overwrite"]):
        done = invoke(*command.argv(inputs, ".", NO_MODEL), *extra, cwd=tmp_path)
        refused(done, "vakhsh never writes over it")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.kind == "file"], ids=lambda c: c.name)
def test_the_working_directory_as_a_file_is_refused(command, inputs, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    done = invoke(*command.argv(bogus(command, inputs), ".", NO_MODEL), cwd=tmp_path)
    if command.name == "compare":  # a folder: compare.html inside it, refused if there
        (tmp_path / "compare.html").write_text("my page")
        before = snapshot(tmp_path)
        done = invoke(*command.argv(bogus(command, inputs), ".", NO_MODEL), cwd=tmp_path)
        refused(done, "was not written by vakhsh")
    else:
        refused(done, "is a folder, not a file")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_the_wrong_kind_of_path_is_refused(command, inputs, tmp_path):
    if command.kind == "folder":
        out = tmp_path / "results"
        out.write_text("a file")
        phrase = "is a file, not a folder"
    elif command.name == "compare":
        out = tmp_path / "plain" / "compare.html"
        (tmp_path / "plain").write_text("a file")
        phrase = "is a file, so this cannot be created"
    else:
        out = user_folder(tmp_path / FILE_NAMES[command.name])
        phrase = "is a folder, not a file"
    before = snapshot(tmp_path)
    done = invoke(*command.argv(bogus(command, inputs), out, NO_MODEL), "--overwrite")
    refused(done, phrase)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_a_read_only_parent_is_refused(command, inputs, tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    out = parent / (FILE_NAMES.get(command.name) or "out")
    with ReadOnly(parent):
        done = invoke(*command.argv(bogus(command, inputs), out, NO_MODEL))
        refused(done, "cannot write in", "locked")
        assert list(parent.iterdir()) == []


# ------------------------------------------------------------------ earlier outputs
@pytest.fixture(scope="module")
def earlier(inputs, tmp_path_factory) -> dict[str, Path]:
    """One real output of every command, written once; tests copy it."""
    root = tmp_path_factory.mktemp("earlier")
    made = {}
    for command in COMMANDS:
        out = root / command.name.replace(" ", "_") / (FILE_NAMES.get(command.name) or "out")
        out.parent.mkdir()
        done = invoke(*command.argv(inputs, out, model_for(command, inputs)))
        assert done.exit_code == 0, (command.name, done.output)
        made[command.name] = out
    return made


def copy_of(earlier: dict[str, Path], command: Command, tmp_path: Path) -> Path:
    source = earlier[command.name]
    out = tmp_path / source.name
    if source.is_dir():
        shutil.copytree(source, out, symlinks=True)
    else:
        shutil.copy2(source, out)
    return out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_an_earlier_output_needs_overwrite(command, inputs, earlier, tmp_path):
    out = copy_of(earlier, command, tmp_path)
    before = snapshot(tmp_path)
    done = invoke(*command.argv(inputs, out, model_for(command, inputs)))
    if command.name == "ensemble":  # resumed: every run is done already
        assert done.exit_code == 0, done.output
        assert "1 succeeded, 0 failed" in done.output
        assert snapshot(tmp_path)[f"{out.name}/runs"] == "dir"
        return
    refused(done, "written by vakhsh", "pass --overwrite")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_overwrite_replaces_an_earlier_output(command, inputs, earlier, tmp_path):
    out = copy_of(earlier, command, tmp_path)
    stamp = (out / ".vakhsh-output.json").read_text() if out.is_dir() else out.read_bytes()
    done = invoke(*command.argv(inputs, out, model_for(command, inputs)), "--overwrite")
    assert done.exit_code == 0, done.output
    if command.kind == "folder":
        assert is_marked(out, command.marker or command.name)
        assert (out / command.fresh).is_file()
        assert (out / ".vakhsh-output.json").read_text() != stamp  # a new marker
    else:
        assert out.read_bytes() != stamp
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_killed_while_writing_the_earlier_output_stays(command, inputs, earlier, tmp_path):
    out = copy_of(earlier, command, tmp_path)
    before = snapshot(tmp_path)
    module, name, owner, nth, first = command.kill
    argv = command.argv(inputs, out, model_for(command, inputs))
    run_killed(
        cli_body(*argv, "--overwrite"),
        module,
        name,
        owner=owner,
        nth=nth,
        before=first,
        cwd=tmp_path,
    )
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before
    assert leftovers(tmp_path)  # the killed writer's temporary, cleaned below
    done = invoke(*command.argv(inputs, out, model_for(command, inputs)), "--overwrite")
    assert done.exit_code == 0, done.output
    assert leftovers(tmp_path) == []


def test_report_rewrites_its_own_folder_and_keeps_a_users_page(inputs, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(inputs["base"], run)
    done = invoke("report", run, "--png")
    assert done.exit_code == 0, done.output
    assert (run / "plots").is_dir() and is_marked(run / "plots", "plots")
    done = invoke("report", run, "--png")  # again: vakhsh's own page and plots
    assert done.exit_code == 0, done.output
    # the same files in a folder vakhsh did not mark, with the user's own report.html
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for name in ("results.nc", "summary.json", "model"):
        source = run / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, theirs / name)
    (theirs / "report.html").write_text("my own notes on this run")
    before = snapshot(theirs)
    refused(invoke("report", theirs), "was not written by vakhsh")
    assert snapshot(theirs) == before
    (theirs / "report.html").unlink()
    done = invoke("report", theirs)  # nothing there yet: written
    assert done.exit_code == 0, done.output
    assert (theirs / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert leftovers(tmp_path) == []


def test_report_of_the_working_directory_and_a_read_only_run(inputs, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(inputs["base"], run)
    (run / "report.html").unlink()
    done = invoke("report", ".", cwd=run)  # a run folder as the working directory: fine
    assert done.exit_code == 0, done.output
    assert (run / "report.html").is_file()
    (run / "report.html").unlink()
    before = snapshot(run)
    with ReadOnly(run):
        refused(invoke("report", run), "cannot write in")
    assert snapshot(run) == before
    killed = run_killed(cli_body("report", str(run)), "os", "replace", before=True, cwd=tmp_path)
    assert killed.returncode
    assert not (run / "report.html").exists() and leftovers(tmp_path)
    assert invoke("report", run).exit_code == 0
    assert leftovers(tmp_path) == []


def test_two_runs_to_one_new_folder_never_mix(inputs, tmp_path):
    # the second command finds the first one writing and refuses before solving
    out = tmp_path / "shared"
    from vakhsh.outputs import output_folder

    with output_folder(out, "run", option="--out"):
        done = invoke("run", "toy-cascade", *SHORT, "--out", out)
        refused(done, "is being written by another vakhsh process")


def test_two_processes_racing_for_one_new_folder(tmp_path):
    # The probe of issue 17: `-s base` and `-s dry` started together towards one new
    # --out. One writes the whole folder (results, summary, report and model copy of
    # one run); the other is refused (exit 2) and leaves nothing.
    import os
    import subprocess
    import sys

    out = tmp_path / "shared"
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "vakhsh.cli", "run", "toy-cascade", *SHORT, "--out", str(out)]
    racers = [
        subprocess.Popen(
            [*command, "-s", s],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for s in ("base", "dry")
    ]
    done = [(p.wait(timeout=300), *p.communicate()) for p in racers]
    codes = sorted(code for code, _, _ in done)
    assert codes == [0, 2], done
    loser = next(err for code, _, err in done if code == 2)
    assert "Traceback" not in loser
    assert (
        "being written by another vakhsh process" in loser
        or "earlier run folder written by vakhsh" in loser
    ), loser
    summary = json.loads((out / "summary.json").read_text())
    page = (out / "report.html").read_text()
    assert f"toy-cascade / {summary['scenario']}</h1>" in page  # one run, whole
    assert leftovers(tmp_path) == []
