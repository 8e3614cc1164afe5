"""Read model.yaml and validate it component by component, collecting every problem.

Each component is validated on its own so that one broken component does not hide the
problems of the others: `vakhsh validate` reports them all at once.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vakhsh.errors import ModelError, Problem
from vakhsh.schema.components import (
    KINDS,
    SCENARIO_JOIN,
    SIZE_FIELD,
    STAGES,
    TOP_LEVEL_FIELDS,
    Candidate,
    Component,
    Scenario,
    StageTemplate,
    TimeBlock,
)
from vakhsh.schema.safe_yaml import read_yaml_file

MODEL_FILE = "model.yaml"


@dataclass
class ParsedModel:
    """The validated content of model.yaml (components that failed are left out)."""

    name: str
    description: str
    time: TimeBlock | None
    currency: str
    discount_rate: float
    components: dict[str, dict[str, Component]]
    candidates: dict[str, Candidate]
    scenarios: dict[str, Scenario]
    # ids that were written, valid or not: references to them are not reported twice
    written_ids: dict[str, set[str]] = field(default_factory=dict)
    # components that failed their own validation, as written: their references are
    # checked all the same (a problem elsewhere in a component hides none of its others)
    invalid: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read model.yaml (checked by `safe_yaml`: UTF-8, no alias bombs, bounded nesting and
    numbers); a syntax error names its line and column."""
    return yaml_mapping(read_yaml_file(path), path.name)


def yaml_mapping(raw: Any, file: str) -> dict[str, Any]:
    """The top of a model.yaml document, which must be a mapping of sections."""
    if not isinstance(raw, dict):
        raise ModelError(
            [Problem(file, "", "expected a mapping of sections at the top", type(raw).__name__)]
        )
    return raw


def pydantic_problems(
    exc: ValidationError, file: str, prefix: str, known: list[str] | None = None
) -> list[Problem]:
    """Translate pydantic errors into problems with dotted field paths."""
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        # union members show up as extra loc parts ('float', 'function-after[...]'): drop them
        loc = [part for part in loc if not _is_union_tag(part)]
        path = ".".join([prefix, *loc]) if loc else prefix
        kind = err["type"]
        if kind == "extra_forbidden":
            hint = _did_you_mean(loc[-1] if loc else "", known or [])
            problems.append(Problem(file, path, "unknown field" + hint, err.get("input")))
        elif kind == "missing":
            problems.append(Problem(file, path, "required field is missing"))
        else:
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(file, path, message, err.get("input")))
    return _dedupe(problems)


def _is_union_tag(part: str) -> bool:
    return part in {
        "float",
        "str",
        "int",
        "bool",
        "none",
        "list[...]",
        "dict[str,any]",
    } or part.startswith(("function-after", "function-before", "constrained-", "list[", "dict["))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    # a value that fails every member of a union gives one error per member: keep one per path
    # (prefer the series message, which names both accepted forms)
    seen: dict[str, Problem] = {}
    for problem in problems:
        if problem.path not in seen or "series:" in problem.message:
            seen[problem.path] = problem
    return list(seen.values())


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


def _known_fields(cls: type[Component]) -> list[str]:
    return [f.alias or n for n, f in cls.model_fields.items()]


def validate_component(
    cls: type[Component], data: Any, file: str, prefix: str
) -> tuple[Component | None, list[Problem]]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(file, prefix, "expected a mapping of fields", data)]
    try:
        return cls.model_validate(data), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, file, prefix, _known_fields(cls))


def parse_model(raw: dict[str, Any], file: str = MODEL_FILE) -> tuple[ParsedModel, list[Problem]]:
    """Validate every section and component of a model.yaml mapping."""
    problems: list[Problem] = []
    for key in raw:
        if key not in TOP_LEVEL_FIELDS:
            hint = _did_you_mean(str(key), sorted(TOP_LEVEL_FIELDS))
            problems.append(Problem(file, str(key), "unknown section" + hint))

    if "format" not in raw:
        problems.append(Problem(file, "format", "required field is missing"))
    elif raw["format"] != 1:
        problems.append(
            Problem(
                file,
                "format",
                "unsupported format version; this vakhsh reads format 1",
                raw["format"],
            )
        )
    name = raw.get("name")
    if name is None or name == "":
        problems.append(Problem(file, "name", "required field is missing"))
        name = "unnamed"
    elif not isinstance(name, str):
        problems.append(Problem(file, "name", "must be text", name))
        name = str(name)
    description = raw.get("description") or ""
    currency = raw.get("currency", "USD")
    if currency != "USD":
        problems.append(Problem(file, "currency", "only USD is supported in format 1", currency))
    discount_rate = raw.get("discount_rate", 0.08)
    if (
        not isinstance(discount_rate, (int, float))
        or isinstance(discount_rate, bool)
        or not 0 <= discount_rate <= 1
        or not math.isfinite(discount_rate)
    ):
        problems.append(
            Problem(file, "discount_rate", "must be a fraction in [0, 1]", discount_rate)
        )
        discount_rate = 0.08

    time = None
    if "time" not in raw:
        problems.append(Problem(file, "time", "required section is missing"))
    else:
        time, found = validate_component(TimeBlock, raw["time"], file, "time")
        problems += found

    components: dict[str, dict[str, Component]] = {}
    written: dict[str, set[str]] = {}
    invalid: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, (cls, _dim) in KINDS.items():
        section = _section(raw, kind, file, problems)
        written[kind] = set(section)
        components[kind] = {}
        for cid, data in section.items():
            comp, found = validate_component(cls, data, file, f"{kind}.{cid}")
            problems += found
            if comp is not None:
                components[kind][str(cid)] = comp
            elif isinstance(data, dict):
                invalid.setdefault(kind, {})[str(cid)] = data

    candidates: dict[str, Candidate] = {}
    section = _section(raw, "candidates", file, problems)
    written["candidates"] = set(section)
    for cid, data in section.items():
        cand, found = validate_component(Candidate, data, file, f"candidates.{cid}")
        problems += found
        if cand is not None:
            found = check_candidate_template(cand, str(cid), file)
            problems += found
            if not found:
                candidates[str(cid)] = cand

    scenarios: dict[str, Scenario] = {}
    for sid, data in _section(raw, "scenarios", file, problems).items():
        if SCENARIO_JOIN in str(sid):
            problems.append(
                Problem(file, f"scenarios.{sid}", f"a scenario id cannot contain '{SCENARIO_JOIN}'")
            )
        scen, found = validate_component(Scenario, data, file, f"scenarios.{sid}")
        problems += found
        if scen is not None:
            scenarios[str(sid)] = scen

    parsed = ParsedModel(
        name=name,
        description=str(description),
        time=time,
        currency="USD",
        discount_rate=float(discount_rate),
        components=components,
        candidates=candidates,
        scenarios=scenarios,
        written_ids=written,
        invalid=invalid,
    )
    return parsed, problems


def _section(raw: dict[str, Any], kind: str, file: str, problems: list[Problem]) -> dict:
    section = raw.get(kind)
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.append(
            Problem(file, kind, "expected a mapping of id to fields", type(section).__name__)
        )
        return {}
    return {str(k): v for k, v in section.items()}


def candidate_component_fields(cand: Candidate, size_mw: float) -> dict[str, Any]:
    """The fields of the component a candidate builds, at a given size."""
    fields = dict(cand.template)
    fields[SIZE_FIELD[cand.component]] = size_mw
    if cand.component == "storage_units":
        fields["energy_mwh"] = fields.pop("max_hours", 0.0) * size_mw
    if cand.component == "hydro_plants" and "max_flow_m3s_per_mw" in fields:
        fields["max_flow_m3s"] = fields.pop("max_flow_m3s_per_mw") * size_mw
    return fields


def check_candidate_template(cand: Candidate, cid: str, file: str) -> list[Problem]:
    if cand.component == STAGES:
        return _check_stage(cand, cid, file)
    size = SIZE_FIELD[cand.component]
    prefix = f"candidates.{cid}.template"
    problems = []
    if cand.capex_usd_per_kw is None:
        problems.append(
            Problem(file, f"candidates.{cid}.capex_usd_per_kw", "required field is missing")
        )
    for name in ("capex_usd", "fom_usd_per_year"):
        if name in cand.model_fields_set:
            problems.append(
                Problem(
                    file,
                    f"candidates.{cid}.{name}",
                    "only a reservoir stage has a cost per stage; give capex_usd_per_kw",
                )
            )
    if size in cand.template:
        problems.append(
            Problem(
                file,
                f"{prefix}.{size}",
                "the size is what planning decides; set min_build_mw/max_build_mw instead",
            )
        )
    scaled = {
        "storage_units": ("max_hours", "energy_mwh = max_hours * power_mw"),
        "hydro_plants": ("max_flow_m3s_per_mw", "the flow limit scales with the size"),
    }
    if cand.component in scaled:
        name, why = scaled[cand.component]
        value = cand.template.get(name)
        if name not in cand.template:
            problems.append(Problem(file, f"{prefix}.{name}", f"required field is missing ({why})"))
        elif (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            problems.append(
                Problem(file, f"{prefix}.{name}", "must be a non-negative number", value)
            )
    if cand.component == "lines" and cand.template.get("capacity_backward_mw", 0) != 0:
        problems.append(
            Problem(
                file,
                f"{prefix}.capacity_backward_mw",
                "a candidate line carries its built size both ways, or one way with 0",
                cand.template["capacity_backward_mw"],
            )
        )
    if cand.max_build_mw is not None and cand.min_build_mw > cand.max_build_mw:
        problems.append(
            Problem(
                file,
                f"candidates.{cid}.min_build_mw",
                "exceeds max_build_mw",
                f"{cand.min_build_mw} > {cand.max_build_mw}",
            )
        )
    if cand.lumpy and cand.max_build_mw is None:
        problems.append(
            Problem(
                file, f"candidates.{cid}.max_build_mw", "a lumpy candidate needs the size it builds"
            )
        )
    if problems:
        return problems
    cls = KINDS[cand.component][0]
    _comp, found = validate_component(cls, candidate_component_fields(cand, 1.0), file, prefix)
    return found


def _check_stage(cand: Candidate, cid: str, file: str) -> list[Problem]:
    """A reservoir stage: its template, a cost per stage, and no size of its own (it is
    built all or nothing)."""
    where = f"candidates.{cid}"
    _stage, problems = validate_component(StageTemplate, cand.template, file, f"{where}.template")
    if cand.capex_usd is None:
        problems.append(
            Problem(
                file,
                f"{where}.capex_usd",
                "required field is missing (a reservoir stage costs per stage)",
            )
        )
    for name in (
        "capex_usd_per_kw",
        "fom_usd_per_kw_year",
        "min_build_mw",
        "max_build_mw",
        "lumpy",
    ):
        if name in cand.model_fields_set:
            problems.append(
                Problem(
                    file,
                    f"{where}.{name}",
                    "a reservoir stage is built all or nothing at its capex_usd; leave this out",
                )
            )
    return problems


def stage_template(cand_template: dict[str, Any]) -> StageTemplate:
    """The validated template of a reservoir stage."""
    return StageTemplate.model_validate(cand_template)
