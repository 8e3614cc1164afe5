"""The component registry: one declaration per component kind and field.

In the spirit of PyPSA's component attribute tables, every fact about a kind lives here
once: each field's type, unit, default, whether it takes a series, which kinds it may
name, and a description; each kind's result variables with their units. Generated from
it: the pydantic schema (`vakhsh.schema.components`), the defaults filled in when a
Network is loaded, the reference checks (`REFERENCES`), `SERIES_FIELDS`, the units and
zero-filling of the result Dataset (`vakhsh.results.dataset`) and FORMAT.md's field tables
(`python -m vakhsh.schema.docs`; a test fails when docs/FORMAT.md is stale).

Adding a field: one `Field(...)` line below (and its use in a constraint family).
Adding a kind: one `Kind(...)` (see docs/ARCHITECTURE.md for the files a family touches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED = object()  # a field without a default


@dataclass(frozen=True)
class SameAs:
    """A default that is the value of another field of the component."""

    field: str


# Value types (the annotation each becomes: vakhsh.schema.types):
#   id      a component id            text     free text
#   number  a finite number >= 0      positive a finite number > 0
#   finite  any finite number         fraction a number in [0, 1]
#   count   a whole number >= 0       date     a timestamp (naive)
#   curve   [[storage_hm3, value], ...], at least two points
#   monthly 12 numbers >= 0, January first
#   choice  one of `choices`
#   flag    true or false
TYPES = (
    "id",
    "text",
    "number",
    "positive",
    "finite",
    "fraction",
    "count",
    "date",
    "curve",
    "monthly",
    "choice",
    "flag",
)


@dataclass(frozen=True)
class Field:
    name: str  # the attribute (`from_` where the written name is `from`)
    type: str
    unit: str = ""
    default: Any = REQUIRED  # REQUIRED, a value, None (optional: none), or SameAs(...)
    series: bool = False  # accepts `series:FILE.csv#COLUMN`
    references: tuple[str, ...] = ()  # kinds it may name
    description: str = ""
    alias: str | None = None  # the name written in model.yaml, when not `name`
    choices: tuple[str, ...] = ()

    @property
    def written(self) -> str:
        return self.alias or self.name

    @property
    def column(self) -> str:
        """The column of the Network's table (and the written name)."""
        return self.written

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Output:
    """A result variable of a kind, along (time, the kind's dimension) unless `steps` is
    False. `lp` names the LP variable it is read from (None: derived from other results
    and the Network, or an input); `when` says when the LP has it, if not always.
    `always` False: only some runs write it (the head models that recompute energy
    exactly); every results file has the others."""

    name: str
    unit: str
    description: str
    lp: str | None = None
    when: str = ""
    steps: bool = True
    always: bool = True


@dataclass(frozen=True)
class Kind:
    name: str  # the section of model.yaml (plural)
    dim: str  # the dimension of its arrays (singular)
    group: str  # "water" or "power"
    description: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...] = ()
    size_field: str | None = None  # what a candidate's build size sets
    family: str = ""  # the module of the constraint family that operates it
    rules: tuple[str, ...] = ()  # checks across its fields (written in FORMAT.md)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name or f.written == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


NODES = ("junctions", "reservoirs", "sinks")
_AVAILABLE = Field(
    "available_from",
    "date",
    default=None,
    description="before it the component does not exist (no flow, no power)",
)

KINDS: tuple[Kind, ...] = (
    # ---------------------------------------------------------------- water
    Kind(
        "junctions",
        "junction",
        "water",
        "a node without storage: a confluence, a diversion point, a gauge",
        (),
        family="vakhsh.math.water",
    ),
    Kind(
        "sinks",
        "sink",
        "water",
        "where water leaves the system: a sea, a lake, the border",
        (
            Field(
                "min_inflow_m3s",
                "number",
                "m3/s",
                0.0,
                series=True,
                description="water that must arrive; hard unless shortfall_cost_usd_per_hm3 "
                "is given",
            ),
            Field(
                "shortfall_cost_usd_per_hm3",
                "number",
                "USD/hm3",
                None,
                description="price of missing the minimum inflow (none: the minimum is hard)",
            ),
            Field(
                "note",
                "text",
                default=None,
                description="what the modelled inflow means or leaves out (e.g. 'an upper "
                "bound: channel losses are missing'), shown beside the sink in the report; "
                "not used by the math",
            ),
        ),
        outputs=(
            Output("sink_inflow_m3s", "m3/s", "water reaching the sink"),
            Output(
                "sink_shortfall_m3s",
                "m3/s",
                "sink minimum inflow not met (priced)",
                lp="sink_shortfall_m3s",
                when="a sink prices its shortfall",
            ),
        ),
        family="vakhsh.math.water",
    ),
    Kind(
        "catchments",
        "catchment",
        "water",
        "natural inflow entering the network at a node",
        (
            Field("to", "id", references=NODES, description="the node the inflow enters"),
            Field("inflow_m3s", "number", "m3/s", series=True, description="the natural inflow"),
        ),
        outputs=(Output("inflow_m3s", "m3/s", "natural inflow of the catchment"),),
        family="vakhsh.math.water",
    ),
    Kind(
        "reservoirs",
        "reservoir",
        "water",
        "storage of water behind a dam",
        (
            Field(
                "storage_min_hm3",
                "number",
                "hm3",
                description="storage at the minimum operating level (dead storage below)",
            ),
            Field(
                "storage_max_hm3", "number", "hm3", description="storage at the full supply level"
            ),
            Field("storage_initial_hm3", "number", "hm3", description="storage at the start"),
            Field(
                "storage_final_min_hm3",
                "number",
                "hm3",
                SameAs("storage_initial_hm3"),
                description="end-of-horizon target: storage at the end at least this",
            ),
            Field(
                "level_curve",
                "curve",
                "hm3, m a.s.l.",
                None,
                description="[storage_hm3, level_masl] pairs, increasing (none: every plant "
                "on it needs head_m)",
            ),
            Field(
                "area_curve",
                "curve",
                "hm3, km2",
                None,
                description="[storage_hm3, area_km2] pairs (none: no evaporation)",
            ),
            Field(
                "evaporation_mm_per_month",
                "monthly",
                "mm/month",
                None,
                description="evaporation depth per calendar month, with area_curve",
            ),
            Field("spill_to", "id", references=NODES, description="where spilled water goes"),
            Field(
                "min_release_m3s",
                "number",
                "m3/s",
                0.0,
                series=True,
                description="turbine flow plus spill at least this",
            ),
            Field(
                "spill_cost_usd_per_hm3",
                "number",
                "USD/hm3",
                0.0,
                description="price of spilling (0: spilling is free)",
            ),
        ),
        outputs=(
            Output("storage_hm3", "hm3", "storage at the end of the step", lp="storage_m3s_step"),
            Output("level_masl", "m a.s.l.", "reservoir level at the end of the step"),
            Output("spill_m3s", "m3/s", "spill past the turbines", lp="spill_m3s"),
            Output("evaporation_hm3", "hm3", "evaporation over the step"),
            Output(
                "water_value_usd_per_hm3",
                "USD/hm3",
                "value of one more hm3 stored: minus the dual of the reservoir balance",
            ),
        ),
        family="vakhsh.math.water",
        rules=(
            "`storage_min_hm3 <= storage_initial_hm3 <= storage_max_hm3`",
            "curves are strictly increasing in storage and cover [storage_min_hm3, "
            "storage_max_hm3]",
            "`area_curve` and `evaporation_mm_per_month` come together or not at all",
        ),
    ),
    Kind(
        "reaches",
        "reach",
        "water",
        "a river link between nodes; every non-turbine path",
        (
            Field(
                "from_",
                "id",
                alias="from",
                references=("junctions",),
                description="the junction it leaves (reaches start at junctions)",
            ),
            Field("to", "id", references=NODES, description="the node it delivers to"),
            Field(
                "delay_steps",
                "count",
                "steps",
                0,
                description="travel time in steps of model.yaml's own time.step",
            ),
            Field(
                "loss_fraction",
                "fraction",
                "",
                0.0,
                description="share of what is sent that does not arrive",
            ),
            Field(
                "min_flow_m3s",
                "number",
                "m3/s",
                0.0,
                series=True,
                description="environmental flow sent at least; hard unless "
                "shortfall_cost_usd_per_hm3 is given",
            ),
            Field(
                "max_flow_m3s",
                "number",
                "m3/s",
                None,
                series=True,
                description="most it can send (none: unbounded)",
            ),
            Field(
                "initial_flow_m3s",
                "number",
                "m3/s",
                0.0,
                description="what entered it in each of the delay_steps before the start",
            ),
            Field(
                "shortfall_cost_usd_per_hm3",
                "number",
                "USD/hm3",
                None,
                description="price of missing the minimum flow (none: the minimum is hard)",
            ),
        ),
        outputs=(
            Output("reach_flow_m3s", "m3/s", "flow sent into the reach", lp="reach_flow_m3s"),
            Output("reach_arrival_m3s", "m3/s", "flow delivered at the reach's end"),
            Output(
                "reach_shortfall_m3s",
                "m3/s",
                "minimum flow not met (priced)",
                lp="reach_shortfall_m3s",
                when="a reach prices its shortfall",
            ),
            Output(
                "reach_in_transit_hm3",
                "hm3",
                "water still in the reach when the horizon ends, after its loss",
                steps=False,
            ),
        ),
        family="vakhsh.math.water",
    ),
    Kind(
        "hydro_plants",
        "hydro_plant",
        "water",
        "turbines: turbined water makes power",
        (
            Field(
                "reservoir",
                "id",
                default=None,
                references=("reservoirs",),
                description="the reservoir it draws from (or node:)",
            ),
            Field(
                "node",
                "id",
                default=None,
                references=("junctions",),
                description="the junction it stands at: run-of-river (or reservoir:)",
            ),
            Field("to", "id", references=NODES, description="where turbined water goes"),
            Field("bus", "id", references=("buses",), description="the bus it feeds"),
            Field("capacity_mw", "number", "MW", description="most power it makes"),
            Field("max_flow_m3s", "number", "m3/s", description="most it can turbine"),
            Field("efficiency", "fraction", "", description="turbine times generator"),
            Field("head_m", "positive", "m", None, description="a fixed head (or tailwater_masl)"),
            Field(
                "tailwater_masl",
                "finite",
                "m a.s.l.",
                None,
                description="tailwater level: head is the reservoir level minus it (or head_m)",
            ),
            Field(
                "capacity_factor",
                "fraction",
                "",
                1.0,
                series=True,
                description="share of capacity_mw that can run per step (units out of "
                "service, a plant's published availability)",
            ),
            Field(
                "production",
                "choice",
                default="auto",
                choices=("auto", "fixed", "fpha"),
                description="how head enters the LP under `--head auto` (the default): fpha "
                "bounds output by planes over storage and flow (needs tailwater_masl); fixed "
                "uses the head at the initial storage; auto is fpha where the plant has "
                "tailwater_masl, fixed otherwise. Another `--head` (fixed, iterate, fpha) "
                "applies to every plant",
            ),
            _AVAILABLE,
        ),
        outputs=(
            Output("turbine_flow_m3s", "m3/s", "turbined flow", lp="turbine_flow_m3s"),
            Output(
                "head_m",
                "m",
                "head used for the step (FPHA: the head its output implies, "
                "power / (9.81e-3 efficiency flow))",
            ),
            Output("hydro_p_mw", "MW", "hydropower generation"),
            Output(
                "hydro_p_exact_mw",
                "MW",
                "hydropower recomputed exactly from flows and the "
                "solved storage path (an FPHA plant's: at most the LP's output)",
                when="a head model recomputes the energy (not fixed head)",
                always=False,
            ),
            Output(
                "head_exact_m",
                "m",
                "head from the solved storage path",
                when="a head model recomputes the energy (not fixed head)",
                always=False,
            ),
        ),
        size_field="capacity_mw",
        family="vakhsh.math.hydro",
        rules=(
            "exactly one of `reservoir` and `node`",
            "exactly one of `head_m` and "
            "`tailwater_masl`; a run-of-river plant (`node`) needs `head_m`, "
            "`tailwater_masl` a `level_curve` on its reservoir",
            "`production: fpha` needs `tailwater_masl`",
        ),
    ),
    Kind(
        "water_demands",
        "water_demand",
        "water",
        "a withdrawal: irrigation, towns, industry",
        (
            Field(
                "node",
                "id",
                references=("reservoirs", "junctions"),
                description="the reservoir or junction it draws from",
            ),
            Field(
                "kind",
                "choice",
                default="irrigation",
                choices=("irrigation", "municipal", "industrial", "environmental"),
                description="what the water is for",
            ),
            Field(
                "country",
                "text",
                default=None,
                description="the country it lies in (code "
                "or name): demands outside TJ and KG are downstream",
            ),
            Field("demand_m3s", "number", "m3/s", series=True, description="water demanded"),
            Field(
                "return_fraction",
                "fraction",
                "",
                0.0,
                description="share of the withdrawal that returns",
            ),
            Field(
                "return_to",
                "id",
                default=None,
                references=NODES,
                description="where returned water goes (required when return_fraction > 0)",
            ),
            Field(
                "shortage_cost_usd_per_hm3",
                "number",
                "USD/hm3",
                description="price of unmet demand (sets priority)",
            ),
        ),
        outputs=(
            Output("demand_m3s", "m3/s", "water demanded"),
            Output("withdrawal_m3s", "m3/s", "water delivered to the demand", lp="withdrawal_m3s"),
            Output("shortage_m3s", "m3/s", "demand not delivered"),
            Output("return_flow_m3s", "m3/s", "share of withdrawal returned"),
        ),
        family="vakhsh.math.water",
        rules=("`return_to` is required when `return_fraction` > 0",),
    ),
    # ---------------------------------------------------------------- power
    Kind(
        "buses",
        "bus",
        "power",
        "a node of the grid (a country, a region)",
        (
            Field("country", "text", default=None, description="the country of the bus"),
            Field(
                "voll_usd_per_mwh",
                "number",
                "USD/MWh",
                description="value of lost load: the price of unserved energy",
            ),
            Field(
                "v_nom_kv",
                "positive",
                "kV",
                None,
                description="nominal voltage: the base of "
                "the per-unit reactance of the lines that leave it (x_ohm / v_nom_kv^2)",
            ),
        ),
        outputs=(
            Output("load_mw", "MW", "load at the bus"),
            Output("unserved_mw", "MW", "load not served", lp="unserved_mw"),
            Output("price_usd_per_mwh", "USD/MWh", "electricity price: dual of the bus balance"),
        ),
        family="vakhsh.math.power",
    ),
    Kind(
        "loads",
        "load",
        "power",
        "electricity demand at a bus",
        (
            Field("bus", "id", references=("buses",), description="the bus it draws from"),
            Field("p_mw", "number", "MW", series=True, description="the load"),
        ),
        family="vakhsh.math.power",
    ),
    Kind(
        "generators",
        "generator",
        "power",
        "a power plant other than hydro",
        (
            Field("bus", "id", references=("buses",), description="the bus it feeds"),
            Field(
                "carrier",
                "text",
                default="other",
                description="fuel or source: gas, coal, solar, wind, ...",
            ),
            Field("capacity_mw", "number", "MW", description="installed capacity"),
            Field(
                "marginal_cost_usd_per_mwh",
                "number",
                "USD/MWh",
                series=True,
                description="cost of each MWh generated",
            ),
            Field(
                "capacity_factor",
                "fraction",
                "",
                1.0,
                series=True,
                description="available share of capacity per step (curtailment allowed)",
            ),
            Field(
                "min_capacity_factor",
                "fraction",
                "",
                0.0,
                series=True,
                description="share of capacity that must run per step (must-run, e.g. "
                "heat-led CHP); at most capacity_factor",
            ),
            Field("co2_t_per_mwh", "number", "t/MWh", 0.0, description="emissions"),
            _AVAILABLE,
        ),
        outputs=(Output("generator_p_mw", "MW", "generation", lp="generator_p_mw"),),
        size_field="capacity_mw",
        family="vakhsh.math.power",
    ),
    Kind(
        "storage_units",
        "storage_unit",
        "power",
        "a battery or other electricity storage",
        (
            Field(
                "bus", "id", references=("buses",), description="the bus it charges from and feeds"
            ),
            Field("power_mw", "number", "MW", description="most power drawn or fed"),
            Field("energy_mwh", "number", "MWh", description="most energy held"),
            Field(
                "efficiency_roundtrip",
                "fraction",
                "",
                description="energy out per energy in, "
                "the loss split evenly between charging and discharging",
            ),
            Field(
                "soc_initial_mwh", "number", "MWh", 0.0, description="state of charge at the start"
            ),
            Field(
                "soc_final_min_mwh",
                "number",
                "MWh",
                SameAs("soc_initial_mwh"),
                description="state of charge at the end at least this",
            ),
            Field(
                "soc_min_mwh",
                "number",
                "MWh",
                0.0,
                description="state of charge at every step's end at least this",
            ),
            Field(
                "soc_cyclic",
                "flag",
                "",
                False,
                description="the state of charge before the "
                "first step is the one after the last (soc_initial_mwh is then ignored)",
            ),
            Field(
                "efficiency_store",
                "fraction",
                "",
                None,
                description="energy stored per energy drawn (none: sqrt(efficiency_roundtrip))",
            ),
            Field(
                "efficiency_dispatch",
                "fraction",
                "",
                None,
                description="energy fed per "
                "energy taken from storage (none: sqrt(efficiency_roundtrip))",
            ),
            Field(
                "inflow_mw",
                "number",
                "MW",
                0.0,
                series=True,
                description="energy flowing "
                "into the store (a hydro reservoir's inflow in power units)",
            ),
            _AVAILABLE,
        ),
        outputs=(
            Output("storage_charge_mw", "MW", "power drawn from the bus", lp="storage_charge_mw"),
            Output("storage_discharge_mw", "MW", "power fed to the bus", lp="storage_discharge_mw"),
            Output(
                "storage_soc_mwh",
                "MWh",
                "state of charge at the end of the step",
                lp="storage_soc_mwh",
            ),
            Output(
                "storage_spill_mw",
                "MW",
                "inflow spilled (at most inflow_mw)",
                lp="storage_spill_mw",
                when="a storage unit has an inflow",
            ),
        ),
        size_field="power_mw",
        family="vakhsh.math.power",
        rules=(
            "`efficiency_store` and `efficiency_dispatch` come together; their product is "
            "`efficiency_roundtrip`",
            "`soc_min_mwh` at most `energy_mwh`",
        ),
    ),
    Kind(
        "lines",
        "line",
        "power",
        "a transmission link between two buses, either way",
        (
            Field("from_", "id", alias="from", references=("buses",), description="one end"),
            Field("to", "id", references=("buses",), description="the other end"),
            Field(
                "capacity_mw",
                "number",
                "MW",
                series=True,
                description="most power sent, "
                "either way (from `to` to `from`: capacity_backward_mw when given)",
            ),
            Field(
                "capacity_backward_mw",
                "number",
                "MW",
                None,
                series=True,
                description="most power sent from `to` to `from`, when it differs (seasonal "
                "trade regimes; none: capacity_mw)",
            ),
            Field(
                "loss_fraction",
                "fraction",
                "",
                0.0,
                description="share of what is sent that does not arrive",
            ),
            Field(
                "min_flow_mw",
                "number",
                "MW",
                0.0,
                series=True,
                description="power sent from `from` to `to` at least this (a must-flow link)",
            ),
            Field(
                "x_ohm",
                "positive",
                "ohm",
                None,
                description="series reactance: lines with one "
                "form the AC network, whose flows obey Kirchhoff's voltage law (none: a "
                "transport link)",
            ),
            Field(
                "r_ohm",
                "number",
                "ohm",
                None,
                description="series resistance, kept for "
                "export; the linearised power flow does not use it",
            ),
            _AVAILABLE,
        ),
        outputs=(
            Output("line_forward_mw", "MW", "power sent from `from` to `to`", lp="line_forward_mw"),
            Output(
                "line_backward_mw", "MW", "power sent from `to` to `from`", lp="line_backward_mw"
            ),
        ),
        size_field="capacity_mw",
        family="vakhsh.math.power",
        rules=(
            "a line with `x_ohm` needs `v_nom_kv` on its `from` bus",
            "`min_flow_mw` at most the line's capacity_mw",
        ),
    ),
    Kind(
        "markets",
        "market",
        "power",
        "outside the model: a price at which a bus may sell or buy",
        (
            Field("bus", "id", references=("buses",), description="the bus that trades"),
            Field(
                "price_usd_per_mwh",
                "number",
                "USD/MWh",
                series=True,
                description="the price of both sales and purchases",
            ),
            Field("max_export_mw", "number", "MW", 0.0, series=True, description="most power sold"),
            Field(
                "max_import_mw", "number", "MW", 0.0, series=True, description="most power bought"
            ),
            _AVAILABLE,
        ),
        outputs=(
            Output("market_export_mw", "MW", "power sold to the market", lp="market_export_mw"),
            Output("market_import_mw", "MW", "power bought from the market", lp="market_import_mw"),
            Output("market_price_usd_per_mwh", "USD/MWh", "market price"),
        ),
        family="vakhsh.math.power",
    ),
)

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
BY_DIM: dict[str, Kind] = {kind.dim: kind for kind in KINDS}

# ---------------------------------------------------------------- generated tables
SERIES_FIELDS: dict[str, tuple[str, ...]] = {
    k.name: tuple(f.name for f in k.fields if f.series) for k in KINDS
}
FRACTION_SERIES: set[tuple[str, str]] = {
    (k.name, f.name) for k in KINDS for f in k.fields if f.series and f.type == "fraction"
}
# (kind, attribute, kinds the field may name)
REFERENCES: list[tuple[str, str, tuple[str, ...]]] = [
    (k.name, f.name, f.references) for k in KINDS for f in k.fields if f.references
]
SIZE_FIELD: dict[str, str] = {k.name: k.size_field for k in KINDS if k.size_field}
# every result variable: name -> (unit, description, kind)
OUTPUTS: dict[str, tuple[Output, Kind]] = {o.name: (o, k) for k in KINDS for o in k.outputs}


def fill_defaults(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Defaults that follow another field (`SameAs`), filled in a table row in place."""
    for f in BY_NAME[kind].fields:
        if isinstance(f.default, SameAs) and row.get(f.column) is None:
            row[f.column] = row[BY_NAME[kind].field(f.default.field).column]
    return row
