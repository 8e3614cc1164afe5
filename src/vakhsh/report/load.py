"""Open a run folder (results.nc, summary.json, model/) as a Results-like object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network, load_network
from vakhsh.results.dataset import record_step, recorded_step_hours

MODEL_COPY = "model"


@dataclass
class RunData:
    """What `vakhsh report` and `vakhsh compare` need of a run: the same `.net`,
    `.dataset` and `.summary()` as a `vakhsh.results.Results`."""

    net: Network
    dataset: xr.Dataset
    summary_data: dict[str, Any]
    folder: Path | None = None

    def summary(self) -> dict[str, Any]:
        return self.summary_data

    @property
    def label(self) -> str:
        return run_label(self)


def run_label(run) -> str:
    """A short name for a run: its folder name, else model/scenario."""
    folder = getattr(run, "folder", None)
    if folder is not None:
        return Path(folder).name
    return f"{run.net.name}/{run.net.scenario or 'model'}"


def _fail(path: Path, message: str) -> ModelError:
    return ModelError([Problem(str(path), "", message)])


def load_run(run_dir: str | Path) -> RunData:
    """Load a run folder written by `vakhsh run`; a clear ModelError when it is not one."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise _fail(folder, "not a folder (expected a run folder written by `vakhsh run`)")
    missing = [n for n in ("results.nc", "summary.json") if not (folder / n).is_file()]
    if missing:
        raise _fail(folder, f"not a run folder: no {' and no '.join(missing)}")
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _fail(folder / "summary.json", f"cannot be read as JSON ({exc})") from None
    try:
        with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
            dataset = ds.load()
    except (OSError, ValueError) as exc:
        raise _fail(folder / "results.nc", f"cannot be read as netCDF ({exc})") from None
    net = _network(folder, summary)
    if net.scenario is None and summary.get("scenario"):
        net = _with_scenario(net, summary["scenario"])
    recorded = recorded_step_hours(dataset)
    if recorded is not None and recorded != net.step_hours:
        raise _fail(folder / "results.nc", f"records steps of {recorded:g} h, but the model "
                    f"of the run has steps of {net.step_hours:g} h")
    return RunData(net=net, dataset=record_step(dataset, net), summary_data=summary,
                   folder=folder)


def _network(folder: Path, summary: dict[str, Any]) -> Network:
    """The model copy in the run folder; else the embedded dataset the run was made from,
    when its hash still matches."""
    if (folder / MODEL_COPY / "model.yaml").is_file():
        return load_network(folder / MODEL_COPY)
    from vakhsh.network import embedded_datasets
    from vakhsh.results.results import provenance

    name = summary.get("model")
    period = summary.get("period", {})
    if name in embedded_datasets():
        net = load_network(name, scenario=summary.get("scenario"),
                           start=period.get("start"), end=period.get("end"),
                           step=period.get("step"))
        recorded = summary.get("provenance", {}).get("model_sha256")
        if recorded is None or provenance(net, _NoOptions())["model_sha256"] == recorded:
            return net
    raise _fail(folder, f"no {MODEL_COPY}/ folder with the model of this run (it is written "
                "with report.html); run `vakhsh run` again with the report on")


class _NoOptions:
    pass


def _with_scenario(net: Network, scenario: str) -> Network:
    from dataclasses import replace

    return replace(net, scenario=scenario)
