"""An ensemble folder read back: runs, their status, metrics and aggregates."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from vakhsh.ensemble.aggregate import aggregate, tables
from vakhsh.ensemble.spec import Run
from vakhsh.ensemble.store import Store, write_atomic


class EnsembleResult:
    """What an ensemble folder holds; every table is computed from the per-run files."""

    def __init__(self, folder: str | Path):
        self.store = Store(folder)
        self.folder = self.store.folder
        self.manifest = self.store.manifest()

    @cached_property
    def runs(self) -> list[Run]:
        return [Run(r["id"], r["values"]) for r in self.manifest["runs"]]

    @cached_property
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
        records = {run.id: self.store.record(run.id) for run in self.runs}
        return tables(self.runs, records)

    @property
    def index(self) -> pd.DataFrame:
        """One row per run: axis values, status (ok, failed, pending), error, timings."""
        return self._tables[0]

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per finished run: axis values and every metric."""
        return self._tables[1]

    @property
    def metric_columns(self) -> list[str]:
        return self._tables[2]

    @cached_property
    def aggregates(self) -> pd.DataFrame:
        """Per metric: n, mean, P10, P50, P90, worst and the worst run."""
        return aggregate(self.metrics, self.metric_columns)

    def _count(self, status: str) -> int:
        return int((self.index["status"] == status).sum()) if len(self.index) else 0

    @property
    def succeeded(self) -> int:
        return self._count("ok")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def pending(self) -> int:
        return self._count("pending")

    @property
    def errors(self) -> dict[str, str]:
        failed = self.index[self.index["status"] == "failed"]
        return dict(zip(failed["run"], failed["error"], strict=True))

    def dataset(self, run_id: str):
        """The xarray Dataset of one finished run."""
        import xarray as xr

        return xr.open_dataset(self.store.run_dir(run_id) / "results.nc")

    def to_zarr(
        self, path: str | Path, variables: list[str] | None = None, overwrite: bool = False
    ) -> Path:
        """Stack the finished runs' Datasets along `run` into one Zarr store, one chunk
        per run, appending run by run (memory holds one run at a time).

        Built beside `path` and renamed into place; an existing store is replaced only
        when vakhsh wrote it and `overwrite=True` (vakhsh.outputs)."""
        from vakhsh.outputs import netcdf_signature, output_folder

        # marked by its root attributes: Zarr warns about any other file in a store
        with output_folder(path, "zarr", overwrite=overwrite, marker_file=False) as tmp:
            stacked = tmp / "store.zarr"  # zarr's mode="w" empties the folder it is given
            self._stack_into(stacked, variables, netcdf_signature("zarr"))
            if stacked.is_dir():  # the store is the folder itself: its groups at the top
                for item in stacked.iterdir():
                    item.rename(tmp / item.name)
                stacked.rmdir()
        return Path(path)

    def _stack_into(self, path: Path, variables: list[str] | None, attrs: dict[str, str]) -> None:
        import xarray as xr

        finished = [
            r
            for r in self.runs
            if self.store.is_finished(r.id) and (self.store.run_dir(r.id) / "results.nc").is_file()
        ]
        for i, run in enumerate(finished):
            with xr.open_dataset(self.store.run_dir(run.id) / "results.nc") as ds:
                ds = (ds[variables] if variables else ds).load()
            ds = ds.expand_dims(run=[run.id])
            ds.attrs.update(attrs)
            ds = ds.chunk({"run": 1})
            if i == 0:
                ds.to_zarr(path, mode="w", consolidated=False, zarr_format=2)
            else:
                ds.to_zarr(path, append_dim="run", consolidated=False, zarr_format=2)

    def write_tables(self, wall_s: float | None = None) -> dict[str, Path]:
        paths = {
            "index": self.store.write_csv("index.csv", self.index),
            "metrics": self.store.write_csv("metrics.csv", self.metrics),
            "aggregates": self.store.write_csv("aggregates.csv", self.aggregates),
        }
        if wall_s is not None:
            import json

            write_atomic(
                self.folder / "last_session.json",
                json.dumps(
                    {
                        "wall_s": wall_s,
                        "succeeded": self.succeeded,
                        "failed": self.failed,
                        "pending": self.pending,
                    },
                    indent=2,
                ),
            )
        return paths

    def summary(self) -> dict[str, Any]:
        return {
            "runs": len(self.runs),
            "succeeded": self.succeeded,
            "failed": self.failed,
            "pending": self.pending,
            "folder": str(self.folder),
        }


def open_ensemble(folder: str | Path) -> EnsembleResult:
    return EnsembleResult(folder)
