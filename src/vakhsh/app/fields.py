"""Every field a scenario (or the page's editor) can override, with its type and unit.

Types come from the schema's pydantic models; units from the field names, which carry
them (FORMAT.md: `storage_max_hm3`, `capacity_mw`, `price_usd_per_mwh`).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from vakhsh.schema.components import KINDS, SERIES_FIELDS, field_name

# longest suffix first: `_usd_per_mwh` before `_mwh`
UNITS = [
    ("_usd_per_kw_year", "USD/kW/yr"), ("_usd_per_kw", "USD/kW"),
    ("_usd_per_mwh", "USD/MWh"), ("_usd_per_hm3", "USD/hm³"), ("_t_per_mwh", "t/MWh"),
    ("_mm_per_month", "mm/month"), ("_hm3", "hm³"), ("_m3s", "m³/s"), ("_mwh", "MWh"),
    ("_mw", "MW"), ("_masl", "m a.s.l."), ("_m", "m"), ("_fraction", "fraction"),
    ("_roundtrip", "fraction"), ("_steps", "steps"), ("_years", "years"),
    ("efficiency", "fraction"), ("capacity_factor", "fraction"), ("discount_rate", "fraction"),
]
TOP_FIELDS = [("time.start", "date", ""), ("time.end", "date", ""),
              ("time.step", "step (1h, 3h, 1D, 7D)", ""), ("discount_rate", "number",
                                                          "fraction")]


def unit_of(name: str) -> str:
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def type_of(annotation: Any, series: bool) -> str:
    """A short type name a person can act on."""
    names = set()
    for part in _flatten(annotation):
        if part is type(None):
            continue
        origin = typing.get_origin(part)
        if part is bool:
            names.add("yes/no")
        elif part in (int,):
            names.add("integer")
        elif part in (float,):
            names.add("number")
        elif part is str:
            names.add("series reference" if series else "text")
        elif part in (dt.datetime, dt.date):
            names.add("date")
        elif origin is typing.Literal:
            names.add("one of " + ", ".join(map(str, typing.get_args(part))))
        elif origin in (list, tuple):
            names.add("list")
        elif origin is dict:
            names.add("mapping")
        else:
            names.add(getattr(part, "__name__", str(part)))
    order = ["number", "integer", "series reference", "text", "date", "yes/no", "list",
             "mapping"]
    ranked = sorted(names, key=lambda n: order.index(n) if n in order else len(order))
    text = " or ".join(ranked)
    return text + " (optional)" if type(None) in _flatten(annotation) else text


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [p for arg in typing.get_args(annotation) for p in _flatten(arg)]
    return [annotation]


def field_catalogue(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per field of every component in the model as written (`raw`): its
    dotted path, type, unit, and the value written (None: the default)."""
    out = [{"path": path, "kind": "time" if path.startswith("time") else "model",
            "id": "", "field": path, "type": kind, "unit": unit,
            "value": _value(raw, path)} for path, kind, unit in TOP_FIELDS]
    for kind, (cls, _dim) in KINDS.items():
        section = raw.get(kind) or {}
        if not isinstance(section, dict):
            continue
        for cid, written in section.items():
            written = written if isinstance(written, dict) else {}
            for attribute, info in cls.model_fields.items():
                name = field_name(kind, attribute)
                series = attribute in SERIES_FIELDS[kind]
                default = None if info.is_required() else info.get_default(
                    call_default_factory=True)
                out.append({"path": f"{kind}.{cid}.{name}", "kind": kind, "id": str(cid),
                            "field": name, "type": type_of(info.annotation, series),
                            "unit": unit_of(name), "value": _json(written.get(name)),
                            "default": _json(default), "required": info.is_required()})
    return out


def _value(raw: dict[str, Any], dotted: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return _json(node)


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
