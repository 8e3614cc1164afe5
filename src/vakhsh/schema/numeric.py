"""Numbers that would make the LP ill-posed, refused by unit (FORMAT.md, "Numeric ranges").

The pydantic classes check that a value is finite and of the right sign; these checks add
what the solver needs: magnitudes it can hold with its tolerances. HiGHS treats any bound
of 1e20 or more as infinite and loses accuracy long before (an inflow of 1e20 m3/s became
"no inflow limit"; costs of 1e15 stopped it without an optimum). Each limit is far above
anything physical, so that no real model meets it, and far below where the LP breaks.

The unit of a field is read from its name (`*_m3s`, `*_usd_per_mwh`, ...), the convention
every field follows, so the checks hold for every component kind, candidate template and
series without a list of fields to keep in step with the schema. Each `check_*` function
reads the parsed model and returns its problems; `numeric_problems` runs them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from vakhsh.errors import Problem
from vakhsh.schema.parse import MODEL_FILE, ParsedModel

# unit suffix -> (largest magnitude accepted, what it is compared with); longest first
LIMITS: dict[str, tuple[float, str]] = {
    "m3s_per_mw": (1e4, "a plant at 1 m of head needs about 110 m3/s per MW"),
    "usd_per_kw_year": (1e5, "fixed O&M of real plants is below 1e3 USD/kW/year"),
    "usd_per_mwh": (1e6, "estimates of the value of lost load stay below 1e5 USD/MWh"),
    "usd_per_hm3": (1e9, "desalinated water costs about 1e6 USD/hm3"),
    "usd_per_kw": (1e6, "the dearest plants cost below 2e4 USD/kW"),
    "t_per_mwh": (10.0, "lignite emits about 1.2 t CO2 per MWh"),
    "mm_per_month": (2e3, "open-water evaporation stays below 500 mm a month"),
    "m3s": (1e6, "the Amazon carries about 2e5 m3/s"),
    "hm3": (1e7, "the largest reservoirs hold about 2e5 hm3"),
    "mwh": (1e10, "the largest pumped-storage plants hold about 4e4 MWh"),
    "mw": (1e7, "the world's installed capacity is about 9e6 MW"),
    "masl": (1e4, "Everest stands at 8,849 m above sea level"),
    "km2": (1e6, "the Caspian Sea covers about 3.7e5 km2"),
    "m": (1e4, "the highest hydropower heads are below 2,000 m"),
    "years": (1e3, "no plant is financed over more than a century"),
}
# a factor that multiplies inflows (inflow_factor_by_month)
FACTOR_LIMIT = (1e3, "a factor of 10 already turns a dry year into a flood")
# storage round-trip efficiency: 1/sqrt(eta) enters the LP, so 0 is a division by zero
MIN_ROUNDTRIP = (0.01, "a round trip keeping less than 1 % of its energy is not storage")

Check = Callable[[ParsedModel], list[Problem]]


def unit_of(field: str) -> str | None:
    """The unit suffix of a field name (`capacity_mw` -> `mw`), or None (fractions, ids)."""
    for unit in LIMITS:
        if field == unit or field.endswith("_" + unit):
            return unit
    return None


def unit_limit(field: str) -> tuple[float, str] | None:
    """(limit, reason) for a field by its unit, or None."""
    unit = unit_of(field)
    return None if unit is None else LIMITS[unit]


UNIT_TEXT = {
    "m3s_per_mw": "m3/s per MW",
    "usd_per_kw_year": "USD/kW/year",
    "usd_per_mwh": "USD/MWh",
    "usd_per_hm3": "USD/hm3",
    "usd_per_kw": "USD/kW",
    "t_per_mwh": "t/MWh",
    "mm_per_month": "mm/month",
    "m3s": "m3/s",
    "mw": "MW",
    "mwh": "MWh",
    "masl": "m a.s.l.",
}


def _unit_text(unit: str) -> str:
    return UNIT_TEXT.get(unit, unit)


def value_problem(path: str, field: str, value: Any) -> Problem | None:
    """A problem if a number in a field is beyond the limit of the field's unit."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    unit = unit_of(field)
    if unit is None or not math.isfinite(value) or abs(value) <= LIMITS[unit][0]:
        return None
    limit, why = LIMITS[unit]
    return Problem(
        MODEL_FILE,
        path,
        f"is beyond what the LP can hold: at most {limit:g} {_unit_text(unit)} ({why})",
        f"{value:g}",
    )


def series_problem(
    file: str, column: str, field: str, values: np.ndarray, where: Callable[[int], str]
) -> Problem | None:
    """A problem if a resolved series holds a value beyond the limit of its unit."""
    unit = unit_of(field)
    if unit is None or values.size == 0:
        return None
    limit, why = LIMITS[unit]
    magnitude = np.abs(values)
    beyond = np.flatnonzero(np.isfinite(magnitude) & (magnitude > limit))
    if not len(beyond):
        return None
    row = int(beyond[0])
    return Problem(
        file,
        column,
        f"value at {where(row)} is beyond what the LP can hold: at "
        f"most {limit:g} {_unit_text(unit)} ({why}; {len(beyond)} values above)",
        f"{values[row]:g}",
    )


def _fields(model: ParsedModel) -> Iterator[tuple[str, str, Any]]:
    """(path, field name, value) of every scalar number written for a component."""
    for kind, comps in model.components.items():
        for cid, comp in comps.items():
            for name in type(comp).model_fields:
                value = getattr(comp, name)
                field = name.rstrip("_")
                yield f"{kind}.{cid}.{field}", field, value
    for cid, cand in model.candidates.items():
        for name in (
            "capex_usd_per_kw",
            "fom_usd_per_kw_year",
            "lifetime_years",
            "min_build_mw",
            "max_build_mw",
        ):
            yield f"candidates.{cid}.{name}", name, getattr(cand, name)
        for name, value in cand.template.items():
            yield f"candidates.{cid}.template.{name}", name, value


def check_magnitudes(model: ParsedModel) -> list[Problem]:
    """Every scalar number within the limit of its unit."""
    problems = []
    for path, field, value in _fields(model):
        problem = value_problem(path, field, value)
        if problem is not None:
            problems.append(problem)
    return problems


def check_curves_and_months(model: ParsedModel) -> list[Problem]:
    """Reservoir curves (storage hm3 against level m a.s.l. or area km2) and monthly
    evaporation within their units' limits."""
    problems = []
    for cid, res in model.components["reservoirs"].items():
        path = f"reservoirs.{cid}"
        for name, second in (("level_curve", "masl"), ("area_curve", "km2")):
            curve = getattr(res, name)
            if curve is None:
                continue
            points = np.asarray(curve, dtype=float)
            for column, unit in ((0, "hm3"), (1, second)):
                limit, why = LIMITS[unit]
                worst = float(np.max(np.abs(points[:, column])))
                if worst > limit:
                    problems.append(
                        Problem(
                            MODEL_FILE,
                            f"{path}.{name}",
                            "is beyond what "
                            f"the LP can hold: at most {limit:g} "
                            f"{_unit_text(unit)} ({why})",
                            worst,
                        )
                    )
        if res.evaporation_mm_per_month is not None:
            worst = max(res.evaporation_mm_per_month)
            problem = value_problem(
                f"{path}.evaporation_mm_per_month", "evaporation_mm_per_month", worst
            )
            if problem is not None:
                problems.append(problem)
    return problems


def check_scenario_factors(model: ParsedModel) -> list[Problem]:
    problems = []
    for sid, scen in model.scenarios.items():
        worst = max(scen.inflow_factor_by_month)
        if worst > FACTOR_LIMIT[0]:
            problems.append(
                Problem(
                    MODEL_FILE,
                    f"scenarios.{sid}.inflow_factor_by_month",
                    f"is beyond what the LP can hold: at most "
                    f"{FACTOR_LIMIT[0]:g} ({FACTOR_LIMIT[1]})",
                    worst,
                )
            )
    return problems


def check_storage_efficiency(model: ParsedModel) -> list[Problem]:
    """A storage unit's round-trip efficiency divides its discharge (1/sqrt(eta))."""
    problems = []
    for cid, unit in model.components["storage_units"].items():
        if unit.efficiency_roundtrip < MIN_ROUNDTRIP[0]:
            problems.append(
                Problem(
                    MODEL_FILE,
                    f"storage_units.{cid}.efficiency_roundtrip",
                    f"must be at least {MIN_ROUNDTRIP[0]:g}: discharge is "
                    "divided by its square root ("
                    f"{MIN_ROUNDTRIP[1]})",
                    unit.efficiency_roundtrip,
                )
            )
    for cid, cand in model.candidates.items():
        eta = cand.template.get("efficiency_roundtrip")
        if (
            cand.component == "storage_units"
            and isinstance(eta, (int, float))
            and not isinstance(eta, bool)
            and eta < MIN_ROUNDTRIP[0]
        ):
            problems.append(
                Problem(
                    MODEL_FILE,
                    f"candidates.{cid}.template.efficiency_roundtrip",
                    f"must be at least "
                    f"{MIN_ROUNDTRIP[0]:g}: discharge is divided by its "
                    "square root",
                    eta,
                )
            )
    return problems


def check_dates(model: ParsedModel) -> list[Problem]:
    """`available_from` dates within the range timestamps can hold."""
    import pandas as pd

    from vakhsh.schema.dates import date_problem

    problems = []
    for path, field, value in _fields(model):
        if field == "available_from" and value is not None:
            try:
                stamp = pd.Timestamp(value)
            except (ValueError, TypeError):
                continue  # a template's date: reported by its own validation
            message = date_problem(stamp.tz_localize(None) if stamp.tz else stamp)
            if message:
                problems.append(Problem(MODEL_FILE, path, message, str(value)))
    return problems


CHECKS: tuple[Check, ...] = (
    check_magnitudes,
    check_curves_and_months,
    check_scenario_factors,
    check_storage_efficiency,
    check_dates,
)


def numeric_problems(model: ParsedModel) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(model)
    return problems
