"""Resuming an ensemble: a run is redone exactly when a file it reads has changed.

The run id hashes the files the run reads (model.yaml, the series its scenario names, the
inflow file of its member), so a changed series gives new results instead of the stale
ones, and vakhsh's own outputs inside the model folder change nothing.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from vakhsh.ensemble import run_ensemble
from vakhsh.ensemble.runner import RunHooks
from vakhsh.hydrology.ensemble import write_ensemble
from vakhsh.network import embedded_datasets

TOY = embedded_datasets()["toy-cascade"]
PERIOD = {"start": "2024-10-01", "end": "2024-10-04", "step": "1D"}


class Skipped(RunHooks):
    def start(self, tally):
        self.skipped = tally.skipped


def run(model, spec, out):
    hook = Skipped()
    result = run_ensemble(model, spec, out, workers=0, progress=hook, report=False)
    return hook.skipped, result


def test_a_changed_series_is_run_again_and_outputs_in_the_folder_are_not(tmp_path):
    model = shutil.copytree(TOY, tmp_path / "toy")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"period": PERIOD, "axes": {"scenario": ["base"]}}))
    out = tmp_path / "ens"
    skipped, first = run(model, spec, out)
    assert (skipped, first.succeeded) == (0, 1)
    cost = float(first.metrics["cost_usd"].iloc[0])

    # vakhsh's own outputs inside the model folder: nothing to redo
    shutil.copytree(out, model / "runs" / "old-ensemble")
    skipped, _ = run(model, spec, out)
    assert skipped == 1

    # the market price doubles: the run is redone and its cost is the new one
    market = model / "market.csv"
    frame = pd.read_csv(market)
    frame["price"] *= 2
    frame.to_csv(market, index=False)
    skipped, again = run(model, spec, out)
    assert skipped == 0
    costs = set(again.metrics["cost_usd"])
    assert len(costs) == 1 and costs != {cost}


def test_a_changed_inflow_file_is_run_again(tmp_path):
    time = pd.date_range("2024-10-01", periods=12, freq="MS")
    da = xr.DataArray(
        np.full((1, 12, 3), 50.0),
        dims=("member", "time", "catchment"),
        coords={
            "member": [0],
            "time": time,
            "catchment": ["headwaters", "side_valley", "tributary"],
        },
        name="inflow_m3s",
        attrs={"method": "test", "seed": 0},
    )
    inflows = write_ensemble(da, tmp_path / "inflows.nc")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump({"period": PERIOD, "inflows": str(inflows), "axes": {"member": [0]}})
    )
    out = tmp_path / "ens"
    assert run(TOY, spec, out)[0] == 0
    assert run(TOY, spec, out)[0] == 1
    write_ensemble(da * 0.5, inflows, overwrite=True)
    skipped, result = run(TOY, spec, out)
    assert skipped == 0 and result.succeeded == 1
