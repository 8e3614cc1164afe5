"""The ensemble spec: axes, their product or a listed subset, and the runs they make.

    period: {start: 2024-10-01, end: 2025-10-01, step: 1D}   # optional, else the model's
    solve: {head: fixed, solver: highs}                      # optional SolveOptions
    inflows: inflows.nc            # an ensemble from `vakhsh inflows generate` (member axis)
    axes:
      scenario: [base, dry]        # named scenarios of the model
      member: [0, 1, 2]            # members of `inflows`: a list, `all`, or {start, stop}
      climate: [none, vakhsh_2099_low]   # climate transforms of `inflows`
      reservoirs.rogun.storage_max_hm3: [5000, 10000]   # any dotted path, like `set:`
    runs: product                  # default; or a list of mappings, one per run
    results: netcdf3               # each run's Dataset: netcdf3 (fast), netcdf4, none
    selectors: {aral_pattern: aral, downstream_countries: [UZ, TM, KZ, AF]}   # optional

A run is one mapping of axis name to value. Its id is a hash of exactly the files it reads
(model.yaml, the series its scenario and overrides name, the inflow file's content when it
uses a member), the period, the solve options and those values, so a finished run is found
again on resume whatever the order of the runs, a changed input is never mistaken for an
old one, and files the run does not read (vakhsh's own outputs) change nothing.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vakhsh.ensemble.objectives import Selectors
from vakhsh.errors import ModelError, Problem
from vakhsh.schema.components import SCENARIO_JOIN

RESERVED = ("scenario", "member", "climate")
NO_CLIMATE = ("none", "", None)
TOP_KEYS = ("period", "solve", "inflows", "axes", "runs", "selectors", "results", "description")
RESULT_FORMATS = ("netcdf3", "netcdf4", "none")


@dataclass(frozen=True)
class Run:
    """One run of an ensemble: its id and its value on every axis."""

    id: str
    values: dict[str, Any]

    @property
    def scenario(self) -> str | None:
        return self.values.get("scenario")

    @property
    def member(self) -> int | None:
        member = self.values.get("member")
        return None if member is None else int(member)

    @property
    def climate(self) -> str | None:
        climate = self.values.get("climate")
        return None if climate in NO_CLIMATE else str(climate)

    @property
    def overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k not in RESERVED}

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items()) or "model as written"


@dataclass(frozen=True)
class EnsembleSpec:
    axes: dict[str, list[Any]]
    subset: list[dict[str, Any]] | None = None  # None: the product of the axes
    period: dict[str, Any] = field(default_factory=dict)
    solve: dict[str, Any] = field(default_factory=dict)
    inflows: Path | None = None
    selectors: Selectors = field(default_factory=Selectors)
    results: str = "netcdf3"  # how each run's Dataset is written (store.RESULT_FORMATS)
    description: str = ""
    file: str = "spec"

    def combinations(self) -> list[dict[str, Any]]:
        if self.subset is not None:
            return [dict(r) for r in self.subset]
        names = list(self.axes)
        return [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(self.axes[n] for n in names))
        ]

    def runs(self, inputs_digest: str | Callable[[dict[str, Any]], str]) -> list[Run]:
        """The runs, each with an id that hashes what it reads and how it is solved.

        `inputs_digest` is the hash of the files every run reads, or a function of a run's
        axis values giving the hash of the files that run reads (`runner.run_inputs_digest`).
        """
        digest_of = inputs_digest if callable(inputs_digest) else (lambda _v: inputs_digest)
        base = {"period": self.period, "solve": self.solve}
        out, seen = [], set()
        for values in self.combinations():
            key = json.dumps(
                {**base, "inputs": digest_of(values), "values": values}, sort_keys=True, default=str
            )
            run_id = "r" + hashlib.sha1(key.encode()).hexdigest()[:10]
            if run_id not in seen:
                seen.add(run_id)
                out.append(Run(run_id, values))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "period": self.period,
            "solve": self.solve,
            "inflows": str(self.inflows) if self.inflows else None,
            "axes": self.axes,
            "runs": self.subset if self.subset is not None else "product",
            "results": self.results,
            "selectors": {
                k: list(v) if isinstance(v, tuple) else v for k, v in vars(self.selectors).items()
            },
        }


def read_spec(path: str | Path) -> EnsembleSpec:
    path = Path(path)
    if not path.is_file():
        raise ModelError([Problem(str(path), "", "no such spec file")])
    from vakhsh.schema.safe_yaml import read_yaml_file

    raw = read_yaml_file(path, str(path)) or {}
    return parse_spec(raw, file=str(path), folder=path.parent)


def parse_spec(raw: dict[str, Any], file: str = "spec", folder: Path | None = None) -> EnsembleSpec:
    """Check a spec's structure (every problem at once) and return it."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise ModelError([Problem(file, "", "a spec is a mapping (axes:, runs:, ...)")])
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(Problem(file, str(key), f"unknown key (known: {', '.join(TOP_KEYS)})"))
    axes_raw = raw.get("axes") or {}
    axes: dict[str, list[Any]] = {}
    if not isinstance(axes_raw, dict):
        problems.append(Problem(file, "axes", "a mapping of axis name to values"))
        axes_raw = {}
    for name, values in axes_raw.items():
        name = str(name)
        where = f"axes.{name}"
        if name == "member":
            values = _members(values, file, where, problems)
        elif not isinstance(values, list) or not values:
            problems.append(Problem(file, where, "a non-empty list of values", values))
            continue
        if name not in RESERVED and "." not in name:
            problems.append(
                Problem(
                    file,
                    where,
                    "an axis is scenario, member, climate or a "
                    "dotted path such as reservoirs.upper.storage_max_hm3",
                )
            )
            continue
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) != len(values):
            problems.append(Problem(file, where, "values repeat", values))
        axes[name] = values
    subset = None
    runs = raw.get("runs", "product")
    if isinstance(runs, list):
        subset = []
        for i, run in enumerate(runs):
            where = f"runs[{i}]"
            if not isinstance(run, dict):
                problems.append(Problem(file, where, "a mapping of axis name to value", run))
                continue
            for name, value in run.items():
                if name in axes and value not in axes[name]:
                    problems.append(
                        Problem(file, f"{where}.{name}", "not one of the axis's values", value)
                    )
                elif name not in axes and name not in RESERVED and "." not in str(name):
                    problems.append(Problem(file, f"{where}.{name}", "not an axis"))
            subset.append({str(k): v for k, v in run.items()})
        if not subset and not problems:
            problems.append(Problem(file, "runs", "the list of runs is empty"))
    elif runs != "product":
        problems.append(Problem(file, "runs", "`product` or a list of runs", runs))
    inflows = raw.get("inflows")
    if inflows is not None:
        inflows = Path(inflows)
        if not inflows.is_absolute() and folder is not None:
            inflows = (folder / inflows).resolve()
        if not inflows.is_file():
            problems.append(Problem(file, "inflows", "no such file", str(inflows)))
    uses = set(axes) | {k for r in (subset or []) for k in r}
    if ("member" in uses or "climate" in uses) and inflows is None:
        problems.append(
            Problem(
                file,
                "inflows",
                "the member and climate axes need an inflow ensemble file (inflows: FILE.nc)",
            )
        )
    if "climate" in uses and "member" not in uses:
        problems.append(
            Problem(
                file,
                "axes.climate",
                "a climate axis transforms members of the inflow ensemble: add a member axis",
            )
        )
    period = raw.get("period") or {}
    if not isinstance(period, dict) or set(period) - {"start", "end", "step"}:
        problems.append(Problem(file, "period", "a mapping with start, end and step", period))
        period = {}
    solve = raw.get("solve") or {}
    solve_keys = (
        "head",
        "solver",
        "solver_options",
        "head_tolerance",
        "head_max_iterations",
        "audit_tolerance",
    )
    if not isinstance(solve, dict) or set(solve) - set(solve_keys):
        problems.append(Problem(file, "solve", f"a mapping of {', '.join(solve_keys)}", solve))
        solve = {}
    selectors = _selectors(raw.get("selectors") or {}, file, problems)
    results = str(raw.get("results", "netcdf3"))
    if results not in RESULT_FORMATS:
        problems.append(Problem(file, "results", f"one of {', '.join(RESULT_FORMATS)}", results))
    if problems:
        raise ModelError(problems)
    return EnsembleSpec(
        axes=axes,
        subset=subset,
        period={k: str(v) for k, v in period.items()},
        solve=dict(solve),
        inflows=inflows,
        selectors=selectors,
        results=results,
        description=str(raw.get("description") or ""),
        file=file,
    )


def _members(values: Any, file: str, where: str, problems: list[Problem]) -> list[Any]:
    if values == "all":
        return ["all"]  # expanded against the inflow file by `check_against_model`
    if isinstance(values, dict) and set(values) <= {"start", "stop"} and "stop" in values:
        return list(range(int(values.get("start", 0)), int(values["stop"])))
    if isinstance(values, list) and all(isinstance(v, int) and v >= 0 for v in values):
        return values
    problems.append(
        Problem(file, where, "members: a list of integers, `all`, or {start, stop}", values)
    )
    return []


def _selectors(raw: Any, file: str, problems: list[Problem]) -> Selectors:
    if not isinstance(raw, dict):
        problems.append(Problem(file, "selectors", "a mapping", raw))
        return Selectors()
    known = set(Selectors.__dataclass_fields__)
    for key in set(raw) - known:
        problems.append(
            Problem(file, f"selectors.{key}", f"unknown (known: {', '.join(sorted(known))})")
        )
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in known}
    return Selectors(**values)


def check_against_model(spec: EnsembleSpec, raw_model: dict[str, Any]) -> EnsembleSpec:
    """Check scenario names, override paths, climates and members; expand `member: all`."""
    from vakhsh.network.load import _set_path

    problems: list[Problem] = []
    scenarios = raw_model.get("scenarios") or {}
    values_of: dict[str, list[Any]] = {k: list(v) for k, v in spec.axes.items()}
    for combo in spec.subset or []:
        for k, v in combo.items():
            values_of.setdefault(k, [])
            if v not in values_of[k]:
                values_of[k].append(v)
    for value in values_of.get("scenario", []):
        if any(part not in scenarios for part in str(value).split(SCENARIO_JOIN)):
            problems.append(
                Problem(
                    spec.file,
                    "axes.scenario",
                    f"no such scenario in the model (defined: {', '.join(scenarios) or 'none'})",
                    value,
                )
            )
    for path, values in values_of.items():
        if path in RESERVED:
            continue
        for value in values[:1]:
            problems += [
                Problem(spec.file, f"axes.{path}", p.message)
                for p in _set_path(copy.deepcopy(raw_model), path, value, path)
            ]
    if values_of.get("climate"):
        try:
            from vakhsh.hydrology.climate import SCENARIOS
        except ModuleNotFoundError:
            SCENARIOS = {}
        for value in values_of["climate"]:
            if value not in NO_CLIMATE and value not in SCENARIOS:
                problems.append(
                    Problem(
                        spec.file,
                        "axes.climate",
                        "unknown climate scenario "
                        f"(known: {', '.join(sorted(SCENARIOS)) or 'none'})",
                        value,
                    )
                )
    axes = dict(spec.axes)
    if values_of.get("member") and spec.inflows is not None:
        available = _file_members(spec.inflows, problems, spec.file)
        if spec.axes.get("member") == ["all"]:
            axes["member"] = available
        else:
            for value in values_of["member"]:
                if available and value not in available:
                    problems.append(
                        Problem(
                            spec.file,
                            "axes.member",
                            f"no such member in {spec.inflows.name} (0..{len(available) - 1})",
                            value,
                        )
                    )
    if problems:
        raise ModelError(problems)
    return EnsembleSpec(
        axes=axes,
        subset=spec.subset,
        period=spec.period,
        solve=spec.solve,
        inflows=spec.inflows,
        selectors=spec.selectors,
        results=spec.results,
        description=spec.description,
        file=spec.file,
    )


def _file_members(path: Path, problems: list[Problem], file: str) -> list[int]:
    try:
        from vakhsh.hydrology.ensemble import open_inflows

        with open_inflows(path) as ds:
            return [int(m) for m in ds["member"].values]
    except ModuleNotFoundError:
        problems.append(Problem(file, "inflows", "vakhsh.hydrology is not installed"))
    except Exception as exc:  # noqa: BLE001 - the user's file: report it, do not crash
        problems.append(Problem(file, "inflows", f"cannot read the inflow ensemble: {exc}"))
    return []
