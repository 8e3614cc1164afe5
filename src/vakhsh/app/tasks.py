"""The work the server hands to child processes (vakhsh.app.processes).

Each function takes plain arguments and an `emit` callback, returns plain JSON-ready
values and raises VakhshError for anything a person can act on. This module imports the
numerical stack at the top on purpose: the forkserver imports it once, and every child
forked from it starts with everything loaded.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from vakhsh.app import charts
from vakhsh.app.fields import field_catalogue
from vakhsh.app.requests import problem_dict
from vakhsh.app.upload import unpack
from vakhsh.errors import ModelError, Problem, VakhshError
from vakhsh.network import load_network
from vakhsh.network.inputs import InputError, confined_path
from vakhsh.network.validate import validate_model
from vakhsh.pipeline import optimise
from vakhsh.report.compare import metrics_table, render_comparison
from vakhsh.report.html import write_report
from vakhsh.report.load import load_run
from vakhsh.report.schematic import plot_schematic
from vakhsh.report.show import network_tables
from vakhsh.report.style import svg_bytes
from vakhsh.schema.components import SERIES_PATTERN
from vakhsh.schema.parse import read_yaml
from vakhsh.solve.options import SolveOptions

REQUEST_FILE = "request.json"
NICE = 10  # scheduling priority of a solve, below the server's


def _problems(exc: ModelError, request: dict[str, Any] | None = None) -> list[dict]:
    return [problem_dict(p, request) for p in exc.problems]


# ---------------------------------------------------------------- models
def model_summary(folder: str, name: str, source: str, emit=None) -> dict[str, Any]:
    """One entry of GET /api/models."""
    out: dict[str, Any] = {
        "name": name,
        "source": source,
        "description": "",
        "scenarios": [],
        "components": {},
        "valid": True,
        "problems": [],
    }
    try:
        raw = read_yaml(Path(folder) / "model.yaml")
        out["description"] = str(raw.get("description") or "")
        scenarios = raw.get("scenarios") or {}
        out["scenarios"] = [str(s) for s in scenarios] if isinstance(scenarios, dict) else []
        net = load_network(folder)
        out["description"] = net.description
        out["components"] = {k: n for k, n in net.summary_counts().items() if n}
        out["period"] = _period(net)
    except ModelError as exc:
        out.update(valid=False, problems=_problems(exc))
    return out


def _period(net) -> dict[str, Any]:
    return {
        "start": str(net.time[0]),
        "end": str(net.run.ends[-1]),
        "step": net.run.step_label,
        "steps": len(net.time),
    }


def model_detail(
    folder: str, name: str, source: str, scenario: str | None, emit=None
) -> dict[str, Any]:
    """GET /api/models/{name}: what `vakhsh show` prints, the scenarios and the fields a
    run may override."""
    raw = read_yaml(Path(folder) / "model.yaml")
    net = load_network(folder, scenario=scenario)
    scenarios = []
    for sid, spec in (raw.get("scenarios") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        scenarios.append(
            {
                "name": str(sid),
                "description": str(spec.get("description", "")),
                "set": spec.get("set") or {},
                "inflow_factor_by_month": spec.get("inflow_factor_by_month"),
            }
        )
    return {
        "name": name,
        "source": source,
        "description": net.description,
        "scenario": net.scenario,
        "period": _period(net),
        "components": {k: n for k, n in net.summary_counts().items() if n},
        "scenarios": scenarios,
        "tables": [t.as_dict() for t in network_tables(net)],
        "fields": json.loads(json.dumps(field_catalogue(raw), default=str)),
    }


def schematic(folder: str, scenario: str | None, emit=None) -> str:
    """The model's schematic as SVG (the figure report.html opens with)."""
    net = load_network(folder, scenario=scenario)

    class _Run:  # the schematic needs only the network
        pass

    run = _Run()
    run.net = net
    return svg_bytes(plot_schematic(run)).decode("utf-8")


def validate_upload(zip_path: str, target: str, emit=None) -> dict[str, Any]:
    """Unpack an uploaded zip into `target` and validate it like `vakhsh validate`:
    the model and every scenario (series confined to the folder by the loader itself,
    `vakhsh.network.inputs`). Returns the model folder, or raises ModelError with every
    problem."""
    root = unpack(Path(zip_path), Path(target))
    net = validate_model(root)
    return {"folder": str(root), "name": net.name}


# ---------------------------------------------------------------- runs
def override_series_problems(folder: Path, overrides: dict[str, Any]) -> list[Problem]:
    """Overrides that name a series file outside the model folder, refused by the
    loader's own rule (`confined_path`) but named here by the request field that set them
    (the loader would name the file)."""
    problems = []
    for key, value in overrides.items():
        match = SERIES_PATTERN.match(value) if isinstance(value, str) else None
        if match is None:
            continue
        try:
            confined_path(Path(folder), match["file"])
        except InputError as exc:
            problems.append(Problem("request", f"set.{key}", exc.problem.message, match["file"]))
    return problems


def load_request(folder: str, request: dict[str, Any]):
    """The Network a run request describes, loaded as `vakhsh run` loads it (its dates,
    step and overrides checked by the loader, each problem then named by its request
    field: `vakhsh.app.requests.request_field`)."""
    overrides = request.get("set") or {}
    problems = override_series_problems(Path(folder), overrides)
    if problems:
        raise ModelError(problems)
    return load_network(
        folder,
        scenario=request.get("scenario"),
        start=request.get("start"),
        end=request.get("end"),
        step=request.get("step"),
        overrides=overrides or None,
    )


def validate_request(folder: str, request: dict[str, Any], emit=None) -> dict[str, Any]:
    """POST /api/validate: `{valid, problems}`, and the period the run would cover."""
    try:
        net = load_request(folder, request)
    except ModelError as exc:
        return {"valid": False, "problems": _problems(exc, request)}
    except Exception as exc:  # noqa: BLE001 - an input the loader did not foresee
        return {
            "valid": False,
            "problems": [
                {
                    "field": "model",
                    "message": f"the model cannot be loaded with these settings: "
                    f"{type(exc).__name__}: {exc}",
                    "file": "",
                    "path": "",
                }
            ],
        }
    return {
        "valid": True,
        "problems": [],
        "period": _period(net),
        "scenario": net.scenario,
        "components": {k: n for k, n in net.summary_counts().items() if n},
    }


def _stage(message: str, iterations: int) -> float:
    """Progress (0..1) from the solver pipeline's messages."""
    n = max(iterations, 1)
    i = 1
    if "iteration" in message:
        digits = "".join(c for c in message.split("iteration", 1)[1][:6] if c.isdigit())
        i = int(digits) if digits else 1
    span = 0.7 / n
    base = 0.1 + span * (min(i, n) - 1)
    if message.startswith("building"):
        return base
    if message.startswith("solving"):
        return base + 0.2 * span
    if message.startswith("head iteration"):
        return base + span
    return base


def execute_run(
    folder: str, request: dict[str, Any], staging: str, final: str, emit=None
) -> dict[str, Any]:
    """Solve, write the whole run folder in `staging`, then rename it to `final` (one
    rename: the folder appears complete or not at all)."""
    say = emit or (lambda _payload: None)
    os.nice(NICE)  # a solve is batch work: the server's requests come first
    say({"progress": 0.02, "message": "loading the model"})
    net = load_request(folder, request)
    options = SolveOptions(head=request.get("head") or SolveOptions().head)
    iterations = options.head_max_iterations if options.head == "iterate" else 1
    results = optimise(
        net,
        options,
        progress=lambda msg: say({"progress": _stage(msg, iterations), "message": msg}),
    )
    out = Path(staging) / "run"
    say({"progress": 0.85, "message": "writing results.nc and summary.json"})
    results.to_folder(out)
    say({"progress": 0.92, "message": "writing report.html"})
    write_report(results, out)
    (out / REQUEST_FILE).write_text(json.dumps(request, indent=2, default=str), encoding="utf-8")
    if Path(final).exists():
        raise VakhshError(f"{final} exists already")
    os.replace(out, final)
    return {"objective_usd": results.objective_usd}


# ---------------------------------------------------------------- results
def run_figures(folder: str, emit=None) -> dict[str, Any]:
    """GET /api/runs/{id}/figures: headline figures and the data of every chart."""
    run = load_run(folder)
    return json.loads(json.dumps(charts.figures(run), default=_plain))


def compare_table(folders: list[str], emit=None) -> dict[str, Any]:
    """GET /api/compare: key metrics of several runs, one column per run."""
    runs = [load_run(f) for f in folders]
    table = metrics_table(runs)
    return {
        "runs": [str(c) for c in table.columns],
        "metrics": [str(i) for i in table.index],
        "values": [[_plain(v) for v in row] for row in table.itertuples(index=False)],
    }


def compare_page(folders: list[str], emit=None) -> str:
    """GET /compare: the comparison page `vakhsh compare` writes, rendered in memory."""
    runs = [load_run(f) for f in folders]
    return render_comparison(runs)[0]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
