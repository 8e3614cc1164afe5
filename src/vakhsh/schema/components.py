"""What users write in model.yaml, one pydantic model per component kind.

These models check types, ranges and unknown fields of a single component. Rules that
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
    model_validator,
)

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
Curve = Annotated[list[Annotated[list[Finite], Field(min_length=2, max_length=2)]],
                  Field(min_length=2)]
Monthly = Annotated[list[NonNegative], Field(min_length=12, max_length=12)]


class Component(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------- water ----------
class Junction(Component):
    """A node without storage: a confluence, a diversion point, a gauge."""


class Sink(Component):
    """Where water leaves the system: a sea, a lake, the border."""

    min_inflow_m3s: Series = 0.0
    shortfall_cost_usd_per_hm3: NonNegative | None = None


class Catchment(Component):
    """Natural inflow entering the network at a node."""

    to: str
    inflow_m3s: Series


class Reservoir(Component):
    storage_min_hm3: NonNegative
    storage_max_hm3: NonNegative
    storage_initial_hm3: NonNegative
    storage_final_min_hm3: NonNegative | None = None
    level_curve: Curve | None = None
    area_curve: Curve | None = None
    evaporation_mm_per_month: Monthly | None = None
    spill_to: str
    min_release_m3s: Series = 0.0
    spill_cost_usd_per_hm3: NonNegative = 0.0


class Reach(Component):
    from_: str = Field(alias="from")
    to: str
    delay_steps: Annotated[int, Field(ge=0)] = 0
    loss_fraction: Fraction = 0.0
    min_flow_m3s: Series = 0.0
    max_flow_m3s: Series | None = None
    initial_flow_m3s: NonNegative = 0.0
    shortfall_cost_usd_per_hm3: NonNegative | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HydroPlant(Component):
    reservoir: str | None = None
    node: str | None = None
    to: str
    bus: str
    capacity_mw: NonNegative
    max_flow_m3s: NonNegative
    efficiency: Fraction
    head_m: Positive | None = None
    tailwater_masl: Finite | None = None
    # share of capacity_mw that can run in each step (units out of service, partial stages)
    capacity_factor: Fraction | SeriesRef = 1.0
    available_from: datetime | None = None

    @model_validator(mode="after")
    def _one_site_one_head(self) -> HydroPlant:
        if (self.reservoir is None) == (self.node is None):
            raise ValueError("give exactly one of 'reservoir' and 'node'")
        if (self.head_m is None) == (self.tailwater_masl is None):
            raise ValueError("give exactly one of 'head_m' and 'tailwater_masl'")
        return self


class WaterDemand(Component):
    node: str
    kind: Literal["irrigation", "municipal", "industrial", "environmental"] = "irrigation"
    country: str | None = None
    demand_m3s: Series
    return_fraction: Fraction = 0.0
    return_to: str | None = None
    shortage_cost_usd_per_hm3: NonNegative


# ---------- power ----------
class Bus(Component):
    country: str | None = None
    voll_usd_per_mwh: NonNegative


class Load(Component):
    bus: str
    p_mw: Series


class Generator(Component):
    bus: str
    carrier: str = "other"
    capacity_mw: NonNegative
    marginal_cost_usd_per_mwh: Series
    capacity_factor: Fraction | SeriesRef = 1.0
    # share of capacity_mw that must run in each step (must-run, e.g. heat-led CHP)
    min_capacity_factor: Fraction | SeriesRef = 0.0
    co2_t_per_mwh: NonNegative = 0.0
    available_from: datetime | None = None


class StorageUnit(Component):
    bus: str
    power_mw: NonNegative
    energy_mwh: NonNegative
    efficiency_roundtrip: Fraction
    soc_initial_mwh: NonNegative = 0.0
    soc_final_min_mwh: NonNegative | None = None
    available_from: datetime | None = None


class Line(Component):
    from_: str = Field(alias="from")
    to: str
    capacity_mw: Series
    # limit of the direction to -> from when it differs (seasonal trade regimes); default
    # capacity_mw both ways
    capacity_backward_mw: Series | None = None
    loss_fraction: Fraction = 0.0
    available_from: datetime | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Market(Component):
    bus: str
    price_usd_per_mwh: Series
    max_export_mw: Series = 0.0
    max_import_mw: Series = 0.0
    available_from: datetime | None = None


# ---------- planning ----------
class Candidate(Component):
    component: Literal["generators", "storage_units", "lines", "hydro_plants",
                       "reservoir_stages"]
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
    "junctions": (Junction, "junction"),
    "sinks": (Sink, "sink"),
    "catchments": (Catchment, "catchment"),
    "reservoirs": (Reservoir, "reservoir"),
    "reaches": (Reach, "reach"),
    "hydro_plants": (HydroPlant, "hydro_plant"),
    "water_demands": (WaterDemand, "water_demand"),
    "buses": (Bus, "bus"),
    "loads": (Load, "load"),
    "generators": (Generator, "generator"),
    "storage_units": (StorageUnit, "storage_unit"),
    "lines": (Line, "line"),
    "markets": (Market, "market"),
}
WATER_KINDS = ("junctions", "sinks", "catchments", "reservoirs", "reaches", "hydro_plants",
               "water_demands")
POWER_KINDS = ("buses", "loads", "generators", "storage_units", "lines", "markets")
NODE_KINDS = ("junctions", "reservoirs", "sinks")

# candidates that raise a reservoir to a higher stage (all or nothing, a cost per stage)
STAGES = "reservoir_stages"

# The field a candidate's build size sets, per component kind.
SIZE_FIELD = {"generators": "capacity_mw", "lines": "capacity_mw", "hydro_plants": "capacity_mw",
              "storage_units": "power_mw"}

TOP_LEVEL_FIELDS = {"format", "name", "description", "time", "currency", "discount_rate",
                    "candidates", "scenarios", *KINDS}


# Fields that accept a series (FORMAT.md, "Time series"); every other field is a scalar.
# Series fields whose values are fractions in [0, 1].
FRACTION_SERIES = {("generators", "capacity_factor"), ("generators", "min_capacity_factor"),
                   ("hydro_plants", "capacity_factor")}

SERIES_FIELDS: dict[str, tuple[str, ...]] = {
    "junctions": (),
    "sinks": ("min_inflow_m3s",),
    "catchments": ("inflow_m3s",),
    "reservoirs": ("min_release_m3s",),
    "reaches": ("min_flow_m3s", "max_flow_m3s"),
    "hydro_plants": ("capacity_factor",),
    "water_demands": ("demand_m3s",),
    "buses": (),
    "loads": ("p_mw",),
    "generators": ("marginal_cost_usd_per_mwh", "capacity_factor", "min_capacity_factor"),
    "storage_units": (),
    "lines": ("capacity_mw", "capacity_backward_mw"),
    "markets": ("price_usd_per_mwh", "max_export_mw", "max_import_mw"),
}


def field_name(kind: str, attribute: str) -> str:
    """The name a user writes for an attribute (`from_` is written `from`)."""
    field = KINDS[kind][0].model_fields[attribute]
    return field.alias or attribute
