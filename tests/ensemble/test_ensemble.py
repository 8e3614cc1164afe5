"""A small ensemble of toy-cascade on a LocalCluster: failures, resume, aggregates, CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import xarray as xr
import yaml
from typer.testing import CliRunner

from vakhsh.ensemble import run_ensemble
from vakhsh.ensemble.runner import RunHooks

# two runs solve, two fail at load (storage_max below storage_min): a failing member
SPEC = {
    "period": {"start": "2024-10-01", "end": "2024-10-08", "step": "1D"},
    "axes": {"scenario": ["base", "dry"], "reservoirs.upper.storage_max_hm3": [2000, 100]},
}


class Recorder(RunHooks):
    def __init__(self):
        self.starts, self.records = [], []

    def start(self, tally):
        self.starts.append((tally.total, tally.skipped))

    def advance(self, record, tally):
        self.records.append(record)


def write_spec(tmp_path, spec=SPEC):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_failing_member_is_reported_and_resume_gives_the_same_aggregate(client, tmp_path):
    spec = write_spec(tmp_path)
    full = run_ensemble("toy-cascade", spec, tmp_path / "full", client=client, report=False)
    assert (full.succeeded, full.failed, full.pending) == (2, 2, 0)
    assert all("exceeds storage_max_hm3" in e for e in full.errors.values())
    assert set(full.metrics["scenario"]) == {"base", "dry"}
    assert (tmp_path / "full" / "aggregates.csv").is_file()
    stacked = xr.open_zarr(full.to_zarr(tmp_path / "all.zarr"), consolidated=False)
    assert list(stacked["run"].values) == list(full.metrics["run"])
    assert stacked.chunks["run"] == (1, 1)

    # the interrupted ensemble: killed (SIGKILL) as soon as its first run is written
    part = tmp_path / "part"
    command = [
        sys.executable,
        "-m",
        "vakhsh.cli",
        "ensemble",
        "toy-cascade",
        "--spec",
        str(spec),
        "--out",
        str(part),
        "--workers",
        "0",
        "--no-report",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finished():  # runs renamed into place, not those still in a hidden temporary
        return [p for p in part.glob("runs/*/summary.json") if not p.parent.name.startswith(".")]

    deadline = time.monotonic() + 120
    while not finished() and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    first = finished()[0]
    written = first.stat().st_mtime_ns
    (part / "runs" / ".rhalfwritten.tmp").mkdir()  # what a killed write leaves
    hook = Recorder()
    resumed = run_ensemble("toy-cascade", spec, part, client=client, progress=hook, report=True)
    total, skipped = hook.starts[0]
    assert total == 4 and skipped >= 1
    assert len(hook.records) == total - skipped
    assert first.stat().st_mtime_ns == written  # the finished run was not redone
    assert (resumed.succeeded, resumed.failed) == (2, 2)
    pd.testing.assert_frame_equal(resumed.aggregates, full.aggregates)
    assert (part / "report.html").is_file()

    row = full.aggregates.set_index(["metric", "key"]).loc[("cost_usd", "")]
    costs = full.metrics["cost_usd"]
    assert row["worst"] == costs.max() and row["p50"] == costs.median()
    summary = json.loads(first.read_text())
    assert summary["ensemble"]["metrics"]["cost_usd"] == summary["objective_usd"]


def test_cli_reports_failures_and_bad_specs(tmp_path):
    from vakhsh.cli import app

    runner = CliRunner()
    spec = write_spec(tmp_path, {**SPEC, "axes": {"reservoirs.upper.storage_max_hm3": [100]}})
    result = runner.invoke(
        app,
        [
            "ensemble",
            "toy-cascade",
            "--spec",
            str(spec),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "0",
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0 succeeded, 1 failed" in result.output
    bad = write_spec(tmp_path, {"axes": {"scenario": ["monsoon"]}})
    result = runner.invoke(
        app,
        [
            "ensemble",
            "toy-cascade",
            "--spec",
            str(bad),
            "--out",
            str(tmp_path / "bad"),
            "--workers",
            "0",
        ],
    )
    assert result.exit_code == 2
    assert "axes.scenario: no such scenario" in result.output


def test_frontier_cli_rejects_an_unknown_objective():
    from vakhsh.cli import app

    result = CliRunner().invoke(
        app, ["frontier", "toy-cascade", "--x", "happiness", "--y", "cost", "--workers", "0"]
    )
    assert result.exit_code == 2
    assert "unknown objective" in result.output
