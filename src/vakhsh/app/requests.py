"""What a client may send, and how a problem found in it is named.

The request body is checked by pydantic for shape and type (a wrong type is a 422 that
names the field); its meaning (does the scenario exist, is the date a date, does the
overridden value fit the field) is checked by loading the model exactly as `vakhsh run`
does, and each problem found is attributed to the request field that caused it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vakhsh.errors import Problem

MAX_OVERRIDES = 500


class RunRequest(BaseModel):
    """POST /api/runs and POST /api/validate: a model, optionally a scenario, a period
    and step, the head mode, and fields overridden by dotted path like a scenario's
    `set`."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "model": "toy-cascade",
                    "scenario": "dry",
                    "end": "2025-04-01",
                    "step": "1D",
                    "head": "auto",
                    "set": {"reservoirs.upper.storage_initial_hm3": 1500},
                }
            ]
        },
    )

    model: str = Field(
        description="An embedded model or a model folder in the workdir.",
        min_length=1,
        max_length=100,
    )
    scenario: str | None = Field(None, max_length=100, description="A scenario the model defines.")
    start: str | None = Field(None, max_length=40, description="First step, e.g. 2024-10-01.")
    end: str | None = Field(None, max_length=40, description="End (exclusive).")
    step: str | None = Field(None, max_length=20, description="Step: 1h, 3h, 1D, 7D.")
    # the names of vakhsh.solve.heads.HEAD_MODELS and the same default as `vakhsh run --head`
    # (tests/app/test_api.py checks both)
    head: Literal["auto", "fixed", "iterate", "fpha"] = Field(
        "auto",
        description="auto (the default of `vakhsh run`: the head-dependent production "
        "model, FPHA, for every plant whose data allow it, fixed head elsewhere) | fixed | "
        "iterate (successive LP on the head) | fpha (FPHA wherever a plant allows it).",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        alias="set",
        max_length=MAX_OVERRIDES,
        description="Fields by dotted path, applied like a "
        "scenario's `set`, e.g. "
        '{"reservoirs.upper.storage_initial_hm3": 1500}.',
    )

    def as_record(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "scenario": self.scenario,
            "start": self.start,
            "end": self.end,
            "step": self.step,
            "head": self.head,
            "set": dict(self.overrides),
        }


def request_field(problem: Problem, request: dict[str, Any]) -> str:
    """The request field a problem found while loading the model is about."""
    path = problem.path or ""
    if problem.file == "run options":
        part = path.split(".")[1] if path.startswith("time.") else "start"
        return part if part in ("start", "end", "step") else "start"
    if problem.file == "request":
        return path
    if path.startswith("set."):
        return path
    for key in request.get("set") or {}:
        if path == key or path.startswith(key + ".") or key.startswith(path + "."):
            return f"set.{key}"
    scenario = request.get("scenario")
    if scenario and (path == f"scenarios.{scenario}" or path.startswith(f"scenarios.{scenario}.")):
        return "scenario"
    return "model"


def problem_dict(problem: Problem, request: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {
        "field": request_field(problem, request) if request is not None else problem.path,
        "message": str(problem),
        "file": problem.file,
        "path": problem.path,
    }
    return out
