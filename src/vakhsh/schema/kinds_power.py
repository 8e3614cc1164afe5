"""The power kinds of the registry: buses, generators, storage units, lines, markets."""

from __future__ import annotations

from vakhsh.schema.declare import AVAILABLE, Field, Kind, Output, SameAs

POWER_KINDS: tuple[Kind, ...] = (
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
            AVAILABLE,
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
            AVAILABLE,
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
            AVAILABLE,
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
            AVAILABLE,
        ),
        outputs=(
            Output("market_export_mw", "MW", "power sold to the market", lp="market_export_mw"),
            Output("market_import_mw", "MW", "power bought from the market", lp="market_import_mw"),
            Output("market_price_usd_per_mwh", "USD/MWh", "market price"),
        ),
        family="vakhsh.math.power",
    ),
)
