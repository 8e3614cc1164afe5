"""The water kinds of the registry: nodes, inflows, reaches, demands, plants."""

from __future__ import annotations

from vakhsh.schema.declare import AVAILABLE, NODES, Field, Kind, Output, SameAs

WATER_KINDS: tuple[Kind, ...] = (
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
            AVAILABLE,
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
)
