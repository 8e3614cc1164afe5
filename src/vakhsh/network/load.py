"""Load a model folder (or an embedded dataset) into a validated Network.

Order: read YAML -> apply the scenario's `set` overrides to the model as written ->
validate every component and rule -> resolve series to the run's steps -> multiply
catchment inflows by the scenario's monthly factors. Every problem found on the way is
collected and raised together as one ModelError.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.errors import ModelError, Problem
from vakhsh.network.inputs import InputReader
from vakhsh.network.network import Network
from vakhsh.network.notices import model_warnings
from vakhsh.network.series import (
    RunTime,
    SeriesError,
    SeriesResolver,
)
from vakhsh.schema.checks import semantic_problems, time_problems
from vakhsh.schema.components import (
    FRACTION_SERIES,
    KINDS,
    SCENARIO_JOIN,
    SERIES_FIELDS,
    SERIES_PATTERN,
    STAGES,
    Candidate,
    Component,
    Scenario,
)
from vakhsh.schema.numeric import numeric_problems, series_problem
from vakhsh.schema.parse import MODEL_FILE, ParsedModel, parse_model, yaml_mapping
from vakhsh.schema.registry import BY_NAME, fill_defaults
from vakhsh.schema.safe_yaml import load_yaml

DATASETS = Path(__file__).resolve().parent.parent / "datasets"


def embedded_datasets() -> dict[str, Path]:
    """Embedded model folders by name."""
    if not DATASETS.is_dir():
        return {}
    return {p.name: p for p in sorted(DATASETS.iterdir()) if (p / MODEL_FILE).is_file()}


def resolve_model_path(model: str | Path) -> Path:
    """A folder path, a path to model.yaml, or the name of an embedded dataset."""
    path = Path(model)
    if path.is_file() and path.name == MODEL_FILE:
        return path.parent
    if path.is_dir():
        if not (path / MODEL_FILE).is_file():
            raise ModelError([Problem(str(path), "", f"no {MODEL_FILE} in this folder")])
        return path
    datasets = embedded_datasets()
    if str(model) in datasets:
        return datasets[str(model)]
    names = ", ".join(datasets) or "none"
    raise ModelError(
        [Problem(str(model), "", f"not a model folder nor an embedded dataset (embedded: {names})")]
    )


def load_network(
    model: str | Path,
    scenario: str | None = None,
    start=None,
    end=None,
    step: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Network:
    """Load and validate a model; `start`, `end` and `step` override its `time` block.

    `overrides` maps dotted paths to values exactly like a scenario's `set`
    (`{"reservoirs.nurek.storage_initial_hm3": 9000}`), applied after the scenario's own
    (an ensemble axis wins over the scenario's setting of the same field); a problem with
    one is reported at `set.<dotted.path>`. Only model.yaml and the files its series name
    are read, each once; the Network records them with their hashes (`Network.inputs`).
    """
    folder = resolve_model_path(model)
    reader = InputReader(folder)
    raw = _read_model_yaml(folder, reader)
    raw, scenario_name, scenario_obj, problems = _apply_scenario(raw, scenario)
    for dotted, value in (overrides or {}).items():  # raw is this call's own copy
        problems += _set_path(raw, str(dotted), value, f"set.{dotted}", file="overrides")
    parsed, found = parse_model(raw)
    problems += found
    problems += semantic_problems(parsed)
    problems += numeric_problems(parsed)
    run = None
    if parsed.time is not None:
        start = start if start is not None else parsed.time.start
        end = end if end is not None else parsed.time.end
        step = step if step is not None else parsed.time.step
        run_problems = time_problems(start, end, step, "time", file="run options")
        if not run_problems:
            run = RunTime.from_bounds(start, end, step)
        elif (start, end, step) != (parsed.time.start, parsed.time.end, parsed.time.step):
            problems += run_problems
    if run is None:  # no steps to resolve series onto: their files are checked all the same
        raise ModelError(problems + _series_file_problems(parsed, folder, reader))
    model_step = pd.Timedelta(parsed.time.step)
    factor = None
    if scenario_obj is not None and any(f != 1 for f in scenario_obj.inflow_factor_by_month):
        factor = np.asarray(scenario_obj.inflow_factor_by_month, dtype=float)
    # series of the components that validated are checked too, so every problem shows at once
    resolver = SeriesResolver(folder, run, reader)
    tables, series, series_problems = _build(parsed, resolver, model_step, factor)
    series_problems += _candidate_series_problems(parsed, resolver)
    problems += _late_storage_problems(tables["storage_units"], run.index[0])
    if problems or series_problems:
        raise ModelError(problems + series_problems)
    net = Network(
        name=parsed.name,
        description=parsed.description,
        run=run,
        discount_rate=parsed.discount_rate,
        tables=tables,
        series=series,
        candidates=_candidate_table(parsed.candidates),
        scenario=scenario_name,
        folder=folder,
        source=raw,
        inputs=reader.files(),
        inflow_factor_by_month=None if factor is None else tuple(factor),
    )
    return dataclasses.replace(net, warnings=model_warnings(net))


def _late_storage_problems(units: pd.DataFrame, start: pd.Timestamp) -> list[Problem]:
    """A storage unit that comes into service after the run starts holds nothing before
    it (math/power.py bounds its state by 0 until then): its initial state must be 0."""
    comes = pd.to_datetime(units["available_from"])
    cyclic = units["soc_cyclic"].fillna(False).astype(bool)
    late = (comes > start) & ~cyclic & (units["soc_initial_mwh"] > 0)
    return [
        Problem(
            MODEL_FILE,
            f"storage_units.{uid}.soc_initial_mwh",
            f"the unit comes into service on {comes[uid]:%Y-%m-%d %H:%M}, after the run starts "
            f"({start:%Y-%m-%d %H:%M}), and holds nothing before: its initial state must be 0",
            float(units.loc[uid, "soc_initial_mwh"]),
        )
        for uid in units.index[late.to_numpy()]
    ]


def _read_model_yaml(folder: Path, reader: InputReader) -> dict[str, Any]:
    path = folder / MODEL_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(
            [Problem(MODEL_FILE, "", f"cannot be read ({exc.strerror})", Path(path))]
        ) from None
    reader.record(MODEL_FILE, data)
    return yaml_mapping(load_yaml(data, MODEL_FILE), MODEL_FILE)


# ---------------------------------------------------------------- scenarios
def _apply_scenario(
    raw: dict[str, Any], name: str | None
) -> tuple[dict, str | None, Scenario | None, list[Problem]]:
    """Apply a scenario, or several joined by '+' (`dry+nurek_design_storage`).

    Combined scenarios apply their `set` overrides in the order written (a later one wins
    on the same field) and multiply their monthly inflow factors, so a climate scenario
    and a data sensitivity combine without a third scenario written for the pair.
    """
    scenarios = raw.get("scenarios") or {}
    if not isinstance(scenarios, dict):
        return raw, name, None, []  # reported by the parser
    if name is None:
        if "base" not in scenarios:
            return raw, None, None, []
        name = "base"
    from vakhsh.schema.parse import validate_component

    parts = name.split(SCENARIO_JOIN)
    missing = [part for part in parts if part not in scenarios]
    if missing:
        known = ", ".join(map(str, scenarios)) or "none"
        raise ModelError(
            [
                Problem(MODEL_FILE, f"scenarios.{part}", f"no such scenario (defined: {known})")
                for part in missing
            ]
        )
    raw = copy.deepcopy(raw)
    problems: list[Problem] = []
    factor = np.ones(12)
    descriptions = []
    for part in parts:
        where = f"scenarios.{part}"
        scen, found = validate_component(Scenario, scenarios[part], MODEL_FILE, where)
        if scen is None:
            raise ModelError(found)
        problems += found
        for dotted, value in scen.set.items():
            problems += _set_path(raw, dotted, value, f"{where}.set.{dotted}")
        factor = factor * np.asarray(scen.inflow_factor_by_month, dtype=float)
        descriptions.append(scen.description)
    if len(parts) == 1:
        return raw, name, scen, problems
    combined = Scenario(
        description=" + ".join(descriptions),
        inflow_factor_by_month=factor.tolist(),
        set={},  # already applied to raw, part by part
    )
    return raw, name, combined, problems


def _set_path(
    raw: dict[str, Any], dotted: str, value: Any, where: str, file: str = MODEL_FILE
) -> list[Problem]:
    parts = dotted.split(".")
    if len(parts) == 1:
        if parts[0] in ("scenarios", "format"):
            return [Problem(file, where, "this field cannot be overridden")]
        raw[parts[0]] = value
        return []
    section, cid, fields = parts[0], parts[1], parts[2:]
    if section == "time" and not fields:
        raw.setdefault("time", {})[cid] = value
        return []
    group = raw.get(section)
    if not isinstance(group, dict) or cid not in group:
        return [
            Problem(
                file,
                where,
                f"no component '{cid}' in {section}: scenarios "
                "change components, they do not add them",
            )
        ]
    if not fields:
        return [Problem(file, where, "name a field: section.id.field")]
    target = group[cid]
    if target is None:
        target = group[cid] = {}
    if not isinstance(target, dict):
        return [Problem(file, f"{section}.{cid}", "expected a mapping of fields", target)]
    for part in fields[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            return [Problem(file, where, "path goes through a value that is not a mapping")]
    target[fields[-1]] = value
    return []


# ---------------------------------------------------------------- tables and series
def _build(
    parsed: ParsedModel,
    resolver: SeriesResolver,
    model_step: pd.Timedelta,
    inflow_factor: np.ndarray | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, xr.Dataset], list[Problem]]:
    """Tables and resolved series; `inflow_factor` (12 values) multiplies catchment inflow
    moment by moment, before it is averaged over the run's steps."""
    run = resolver.run
    tables, series, problems = {}, {}, []
    for kind, (cls, dim) in KINDS.items():
        comps = parsed.components[kind]
        tables[kind] = _table(kind, cls, comps, run, model_step, problems)
        data_vars = {}
        for name in SERIES_FIELDS[kind]:
            columns = []
            for cid, comp in comps.items():
                value = getattr(comp, name)
                by_month = inflow_factor if (kind, name) == ("catchments", "inflow_m3s") else None
                try:
                    values = resolver.resolve(value, f"{kind}.{cid}.{name}", by_month=by_month)
                    if by_month is not None and not np.all(np.isfinite(values)):
                        problems.append(
                            Problem(
                                MODEL_FILE,
                                f"{kind}.{cid}.{name}",
                                "inflow times the scenario's factor is not finite",
                                "inflow_factor_by_month",
                            )
                        )
                        values = np.zeros(len(run.index))
                    if (kind, name) in FRACTION_SERIES and np.nanmax(values, initial=0) > 1:
                        ref = SERIES_PATTERN.match(str(value))
                        problems.append(
                            Problem(
                                ref["file"],
                                ref["column"],
                                f"{name} must be a fraction in [0, 1] [{kind}.{cid}.{name}]",
                                f"max {np.nanmax(values):g}",
                            )
                        )
                    problems += _magnitude(kind, cid, name, value, values, run, by_month)
                    columns.append(values)
                except SeriesError as exc:
                    problem = exc.problem
                    problems.append(
                        Problem(
                            problem.file,
                            problem.path,
                            f"{problem.message} [{kind}.{cid}.{name}]",
                            problem.value,
                        )
                    )
                    columns.append(np.zeros(len(run.index)))
            values = np.column_stack(columns) if columns else np.zeros((len(run.index), 0))
            data_vars[name] = (("time", dim), values)
        series[kind] = xr.Dataset(
            data_vars, coords={"time": run.index, dim: pd.Index(list(comps), name=dim)}
        )
    problems += _must_run_problems(series["generators"])
    return tables, series, _unique(problems)


def _series_file_problems(parsed: ParsedModel, folder: Path, reader: InputReader) -> list[Problem]:
    """Without a valid time block: each series file named is read and must hold its column
    (what can be checked without the run's steps)."""
    resolver = SeriesResolver(folder, None, reader)  # type: ignore[arg-type] - no run
    problems = []
    for kind in KINDS:
        for name in SERIES_FIELDS[kind]:
            for cid, comp in parsed.components[kind].items():
                ref = SERIES_PATTERN.match(str(getattr(comp, name)))
                if ref is None:
                    continue
                path = f"{kind}.{cid}.{name}"
                try:
                    resolver.table(ref["file"]).column(ref["column"], path)
                except SeriesError as exc:
                    p = exc.problem
                    problems.append(Problem(p.file, p.path, f"{p.message} [{path}]", p.value))
    return _unique(problems)


def _magnitude(
    kind: str, cid: str, name: str, value, values: np.ndarray, run: RunTime, by_month
) -> list[Problem]:
    """A resolved series beyond what the LP can hold (a constant is checked as written,
    unless a scenario's factor multiplies it)."""
    path = f"{kind}.{cid}.{name}"
    ref = SERIES_PATTERN.match(value) if isinstance(value, str) else None
    if ref is None and by_month is None:
        return []
    file, column = (ref["file"], ref["column"]) if ref else (MODEL_FILE, path)
    problem = series_problem(file, column, name, values, lambda i: str(run.index[i]))
    if problem is None:
        return []
    return [Problem(problem.file, problem.path, f"{problem.message} [{path}]", problem.value)]


def _candidate_series_problems(parsed: ParsedModel, resolver: SeriesResolver) -> list[Problem]:
    """Series named in candidate templates are read and checked with the model's own (a
    plan reads them), so that a plan's inputs are hashed and validated too."""
    problems = []
    for cid, cand in parsed.candidates.items():
        for name in SERIES_FIELDS.get(cand.component, ()):
            value = cand.template.get(name)
            if isinstance(value, str) and SERIES_PATTERN.match(value):
                path = f"candidates.{cid}.template.{name}"
                try:
                    resolver.resolve(value, path)
                except SeriesError as exc:
                    problems.append(
                        Problem(
                            exc.problem.file,
                            exc.problem.path,
                            f"{exc.problem.message} [{path}]",
                            exc.problem.value,
                        )
                    )
    return _unique(problems)


def _must_run_problems(generators: xr.Dataset) -> list[Problem]:
    """A generator cannot be made to run above what it may run."""
    if "min_capacity_factor" not in generators or not generators.sizes.get("generator"):
        return []
    excess = (generators["min_capacity_factor"] - generators["capacity_factor"]).max("time")
    return [
        Problem(
            MODEL_FILE,
            f"generators.{gid}.min_capacity_factor",
            "exceeds capacity_factor in some steps",
            f"by up to {float(value):g}",
        )
        for gid, value in zip(excess["generator"].values, excess.values, strict=True)
        if value > 1e-12
    ]


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for problem in problems:
        key = (problem.file, problem.path, problem.message.split(" [")[0])
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _table(
    kind: str,
    cls: type[Component],
    comps: dict[str, Component],
    run: RunTime,
    model_step: pd.Timedelta,
    problems: list[Problem],
) -> pd.DataFrame:
    static = [f for f in BY_NAME[kind].fields if not f.series]
    rows = []
    for cid, comp in comps.items():
        row = {f.column: getattr(comp, f.name) for f in static}
        _fill_defaults(kind, cid, row, run, model_step, problems)
        rows.append(row)
    frame = pd.DataFrame(
        rows, columns=[f.column for f in static], index=pd.Index(list(comps), name=KINDS[kind][1])
    )
    if "available_from" in frame:
        frame["available_from"] = pd.to_datetime(frame["available_from"])
    return frame


def _fill_defaults(
    kind: str,
    cid: str,
    row: dict[str, Any],
    run: RunTime,
    model_step: pd.Timedelta,
    problems: list[Problem],
) -> None:
    fill_defaults(kind, row)  # defaults that follow another field (the registry's SameAs)
    if kind == "reaches" and row["delay_steps"]:
        # delay_steps counts steps of model.yaml's own step; convert to run steps
        exact = row["delay_steps"] * (model_step / run.step)
        if exact > len(run.index) * 1000:
            problems.append(
                Problem(
                    MODEL_FILE,
                    f"reaches.{cid}.delay_steps",
                    "is far longer than the run",
                    row["delay_steps"],
                )
            )
            row["delay_steps"] = 0
            return
        rounded = int(np.floor(exact + 0.5))
        if abs(exact - rounded) > 1e-9:
            import warnings

            warnings.warn(
                f"reaches.{cid}.delay_steps: {row['delay_steps']} model steps are "
                f"{exact:g} run steps; rounded to {rounded}",
                stacklevel=4,
            )
        row["delay_steps"] = rounded


def _candidate_table(candidates: dict[str, Candidate]) -> pd.DataFrame:
    columns = list(Candidate.model_fields)
    rows = [_candidate_row(c, columns) for c in candidates.values()]
    return pd.DataFrame(rows, columns=columns, index=pd.Index(list(candidates), name="candidate"))


def _candidate_row(cand: Candidate, columns: list[str]) -> dict[str, Any]:
    row = {name: getattr(cand, name) for name in columns}
    if cand.component == STAGES:
        # a stage is a lumpy candidate of size 1: its cost per stage is 1000 x the "USD per
        # kW" of a 1 MW candidate
        row.update(
            capex_usd_per_kw=cand.capex_usd / 1e3,
            fom_usd_per_kw_year=cand.fom_usd_per_year / 1e3,
            min_build_mw=0.0,
            max_build_mw=1.0,
            lumpy=True,
        )
    return row
