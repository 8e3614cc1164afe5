"""Where an ensemble lives on disk: one folder per finished run, plus an index.

    DIR/ensemble.json        the manifest: model, its digest, the spec, every run's axes
    DIR/runs/<id>/           a finished run: results.nc and summary.json (written by the
                             worker as soon as the run ends, atomically: temporary folder,
                             then rename); summary.json carries an `ensemble` block with
                             the run's axes, metrics and timings
    DIR/failed/<id>.json     a run that failed: its axes, the error and its timings
    DIR/inflows/<climate>.nc inflow ensembles transformed by a climate scenario
    DIR/index.csv            one row per run: axes, status, error, timings
    DIR/metrics.csv          one row per finished run: axes and every metric
    DIR/aggregates.csv       mean, P10, P50, P90 and the worst run per metric
    DIR/report.html          tables and plots

A run is finished when `runs/<id>/summary.json` exists; nothing else is trusted on resume,
so a killed ensemble never leaves a half-written run that looks finished.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.outputs import output_folder, write_text_atomic

MANIFEST = "ensemble.json"
# how each run's Dataset is written: netCDF3 through scipy is some 20 times faster to
# write than HDF5 for these small files (0.03 s against 0.7 s for toy-cascade) and
# xarray opens both without being told the engine; `none` keeps only summary.json
RESULT_FORMATS = {"netcdf3": "scipy", "netcdf4": "h5netcdf", "none": None}


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename over it."""
    write_text_atomic(path, text)


def local_writes():
    """On a Dask worker xarray guards every netCDF write with a distributed lock held by
    the scheduler: 2.5 to 4 s per small file on a busy machine, against 0.01 s without.
    Each run writes its own file, so no lock is needed: write with the local scheduler."""
    import dask

    return dask.config.set(scheduler="synchronous")


def plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    # ---- paths ----
    def run_dir(self, run_id: str) -> Path:
        return self.folder / "runs" / run_id

    def failure_path(self, run_id: str) -> Path:
        return self.folder / "failed" / f"{run_id}.json"

    def inflow_path(self, climate: str) -> Path:
        return self.folder / "inflows" / f"{climate}.nc"

    # ---- state ----
    def is_finished(self, run_id: str) -> bool:
        return (self.run_dir(run_id) / "summary.json").is_file()

    def is_failed(self, run_id: str) -> bool:
        return self.failure_path(run_id).is_file()

    def record(self, run_id: str) -> dict[str, Any] | None:
        """The run's record: its summary's `ensemble` block, or its failure, or None."""
        summary = self.run_dir(run_id) / "summary.json"
        if summary.is_file():
            data = json.loads(summary.read_text(encoding="utf-8"))
            record = {**data.get("ensemble", {}), "status": "ok"}
            timings = self.run_dir(run_id) / "timings.json"
            if timings.is_file():
                record["timings"] = json.loads(timings.read_text(encoding="utf-8"))
            return record
        failure = self.failure_path(run_id)
        if failure.is_file():
            return json.loads(failure.read_text(encoding="utf-8"))
        return None

    def write_failure(self, run_id: str, record: dict[str, Any]) -> None:
        write_atomic(self.failure_path(run_id), json.dumps(record, indent=2, default=plain))

    def write_run(
        self, run_id: str, dataset, summary: dict[str, Any], fmt: str = "netcdf3"
    ) -> Path:
        """results.nc and summary.json of a finished run, atomically (folder renamed)."""
        folder = self.run_dir(run_id)
        # a run folder like `vakhsh run` writes (marker included); an earlier one of the
        # same run (resumed after a change of results format) is replaced
        with output_folder(folder, "run", overwrite=True) as tmp:
            engine = RESULT_FORMATS[fmt]
            if engine is not None:
                with local_writes():
                    dataset.to_netcdf(tmp / "results.nc", engine=engine)
            (tmp / "summary.json").write_text(
                json.dumps(summary, indent=2, default=plain), encoding="utf-8"
            )
        return folder

    def write_timings(self, run_id: str, timings: dict[str, float]) -> None:
        """Timings of a finished run, measured after it was written (informative only)."""
        write_atomic(self.run_dir(run_id) / "timings.json", json.dumps(timings, indent=2))

    def clear_failure(self, run_id: str) -> None:
        self.failure_path(run_id).unlink(missing_ok=True)

    # ---- manifest and tables ----
    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomic(self.folder / MANIFEST, json.dumps(manifest, indent=2, default=plain))

    def manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        if not path.is_file():
            from vakhsh.errors import ModelError, Problem

            raise ModelError(
                [Problem(str(self.folder), "", f"not an ensemble folder (no {MANIFEST})")]
            )
        return json.loads(path.read_text(encoding="utf-8"))

    def write_csv(self, name: str, frame: pd.DataFrame) -> Path:
        path = self.folder / name
        write_atomic(path, frame.to_csv(index=False, float_format="%.10g"))
        return path
