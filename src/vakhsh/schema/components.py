"""What users write in model.yaml, one pydantic model per component kind.

The component kinds are generated from their declarations in `vakhsh.schema.registry`;
candidates, scenarios and the time block are written here. These models check types,
ranges and unknown fields of a single component. Rules that
relate components to each other (references, the river graph, storage ordering) live in
`vakhsh.schema.checks`. Field names carry their units; see FORMAT.md for the contract.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    model_validator,
)

from vakhsh.schema import registry

SERIES_PATTERN = re.compile(r"^series:(?P<file>[^#]+)#(?P<column>.+)$")


def _series_ref(value: str) -> str:
    if not SERIES_PATTERN.match(value):
        raise ValueError("expected a number or 'series:FILE.csv#COLUMN'")
    return value


def _finite(value: Any) -> Any:
    # before range checks, so that NaN is called what it is rather than "not >= 0"
    if isinstance(value, bool):
        raise ValueError("expected a number, not yes/no")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be finite")
    return value


SeriesRef = Annotated[str, AfterValidator(_series_ref)]
NonNegative = Annotated[float, BeforeValidator(_finite), Field(ge=0)]
Positive = Annotated[float, BeforeValidator(_finite), Field(gt=0)]
Fraction = Annotated[float, BeforeValidator(_finite), Field(ge=0, le=1)]
# A time-varying field: a constant or a reference to a CSV column.
Series = NonNegative | SeriesRef
Finite = Annotated[float, BeforeValidator(_finite)]
# [storage_hm3, value] pairs; levels may lie below sea level, storage may not be negative
Curve = Annotated[
    list[Annotated[list[Finite], Field(min_length=2, max_length=2)]], Field(min_length=2)
]
Monthly = Annotated[list[NonNegative], Field(min_length=12, max_length=12)]


class Component(BaseModel):
    # populate_by_name: `from` is the attribute `from_` (reaches, lines)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------- the component kinds, generated from the registry ----------
_TYPES: dict[str, Any] = {
    "id": str,
    "text": str,
    "number": NonNegative,
    "positive": Positive,
    "finite": Finite,
    "fraction": Fraction,
    "count": Annotated[int, Field(ge=0)],
    "date": datetime,
    "curve": Curve,
    "monthly": Monthly,
    "flag": bool,
}


def annotation(f: registry.Field) -> Any:
    """The pydantic type of a declared field."""
    if f.type == "choice":
        base: Any = Literal[f.choices]  # type: ignore[valid-type]
    elif f.series:
        base = (Fraction if f.type == "fraction" else NonNegative) | SeriesRef
    else:
        base = _TYPES[f.type]
    return base | None if f.default is None or isinstance(f.default, registry.SameAs) else base


def _default(f: registry.Field) -> Any:
    if f.required:
        return ...
    if isinstance(f.default, registry.SameAs):
        return None  # filled in from the other field when the Network is built
    return f.default


class _HydroPlantChecks(Component):
    @model_validator(mode="after")
    def _one_site_one_head(self):
        if (self.reservoir is None) == (self.node is None):
            raise ValueError("give exactly one of 'reservoir' and 'node'")
        if (self.head_m is None) == (self.tailwater_masl is None):
            raise ValueError("give exactly one of 'head_m' and 'tailwater_masl'")
        return self


# checks within one component that a field declaration cannot say
_BASES: dict[str, type[Component]] = {"hydro_plants": _HydroPlantChecks}


def component_class(kind: registry.Kind) -> type[Component]:
    """The pydantic model of one kind, from its declaration."""
    fields: dict[str, Any] = {}
    for f in kind.fields:
        extra = {"alias": f.alias} if f.alias else {}
        fields[f.name] = (annotation(f), Field(_default(f), description=f.description, **extra))
    name = "".join(part.title() for part in kind.dim.split("_"))
    doc = kind.description[0].upper() + kind.description[1:] + "."
    return create_model(
        name, __base__=_BASES.get(kind.name, Component), __doc__=doc, __module__=__name__, **fields
    )


_CLASSES = {kind.name: component_class(kind) for kind in registry.KINDS}
Junction, Sink, Catchment, Reservoir, Reach, HydroPlant, WaterDemand = (
    _CLASSES[k]
    for k in (
        "junctions",
        "sinks",
        "catchments",
        "reservoirs",
        "reaches",
        "hydro_plants",
        "water_demands",
    )
)
Bus, Load, Generator, StorageUnit, Line, Market = (
    _CLASSES[k] for k in ("buses", "loads", "generators", "storage_units", "lines", "markets")
)


# ---------- planning ----------
class Candidate(Component):
    component: Literal["generators", "storage_units", "lines", "hydro_plants", "reservoir_stages"]
    template: dict[str, Any]
    # per kW of the built size; a reservoir stage (all or nothing) gives capex_usd instead
    capex_usd_per_kw: NonNegative | None = None
    fom_usd_per_kw_year: NonNegative = 0.0
    capex_usd: NonNegative | None = None
    fom_usd_per_year: NonNegative = 0.0
    lifetime_years: Positive
    min_build_mw: NonNegative = 0.0
    max_build_mw: NonNegative | None = None
    lumpy: bool = False


class StagePlant(Component):
    """What a reservoir stage makes of one of the reservoir's existing plants."""

    capacity_mw: NonNegative
    max_flow_m3s: NonNegative
    head_m: Positive
    capacity_factor: Fraction | SeriesRef = 1.0


class StageTemplate(Component):
    """A higher stage of an existing reservoir, and its plants at the stage's head: built
    all or nothing, it replaces the reservoir's bounds (and start and end storage) and the
    plants' capacity, flow limit and head."""

    reservoir: str
    storage_max_hm3: NonNegative
    storage_min_hm3: NonNegative | None = None
    storage_initial_hm3: NonNegative | None = None
    storage_final_min_hm3: NonNegative | None = None
    plants: dict[str, StagePlant] = Field(default_factory=dict)


SCENARIO_JOIN = "+"  # `-s dry+nurek_design_storage` applies both scenarios, in that order


class Scenario(Component):
    description: str = ""
    inflow_factor_by_month: Monthly = Field(default_factory=lambda: [1.0] * 12)
    set: dict[str, Any] = Field(default_factory=dict)


class TimeBlock(Component):
    start: datetime
    end: datetime
    step: str = "1D"


# kind name in model.yaml -> (schema class, dimension name in arrays)
KINDS: dict[str, tuple[type[Component], str]] = {
    kind.name: (_CLASSES[kind.name], kind.dim) for kind in registry.KINDS
}
WATER_KINDS = tuple(k.name for k in registry.KINDS if k.group == "water")
POWER_KINDS = tuple(k.name for k in registry.KINDS if k.group == "power")
NODE_KINDS = registry.NODES

# candidates that raise a reservoir to a higher stage (all or nothing, a cost per stage)
STAGES = "reservoir_stages"

# The field a candidate's build size sets, per component kind.
SIZE_FIELD = registry.SIZE_FIELD

TOP_LEVEL_FIELDS = {
    "format",
    "name",
    "description",
    "time",
    "currency",
    "discount_rate",
    "candidates",
    "scenarios",
    *KINDS,
}

# Fields that accept a series (FORMAT.md, "Time series"); every other field is a scalar.
SERIES_FIELDS = registry.SERIES_FIELDS
# Series fields whose values are fractions in [0, 1].
FRACTION_SERIES = registry.FRACTION_SERIES


def field_name(kind: str, attribute: str) -> str:
    """The name a user writes for an attribute (`from_` is written `from`)."""
    return registry.BY_NAME[kind].field(attribute).written
