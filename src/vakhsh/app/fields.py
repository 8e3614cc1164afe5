"""Every field a scenario (or the page's editor) can override, with its type, unit,
default and description, as the component registry declares them
(`vakhsh.schema.registry`, the source of FORMAT.md's field tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vakhsh.schema.docs import TYPE_WORDS
from vakhsh.schema.registry import KINDS, REQUIRED, Field, SameAs

TOP_FIELDS = [
    ("time.start", "timestamp", ""),
    ("time.end", "timestamp", ""),
    ("time.step", "step (1h, 3h, 1D, 7D)", ""),
    ("discount_rate", "fraction in [0, 1]", ""),
]
SHOWN_UNITS = {"m3/s": "m³/s", "hm3": "hm³", "km2": "km²"}


def unit_shown(unit: str) -> str:
    for written, shown in SHOWN_UNITS.items():
        unit = unit.replace(written, shown)
    return unit


def type_shown(field: Field) -> str:
    if field.type == "choice":
        return "one of " + ", ".join(field.choices)
    return TYPE_WORDS[field.type] + (" or series reference" if field.series else "")


def default_shown(field: Field) -> Any:
    if field.default is REQUIRED:
        return None
    if isinstance(field.default, SameAs):
        return f"= {field.default.field}"
    return field.default


def field_catalogue(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per field of every component in the model as written (`raw`): its
    dotted path, type, unit, the value written (None: the default) and the default."""
    out = [
        {
            "path": path,
            "kind": "time" if path.startswith("time") else "model",
            "id": "",
            "field": path,
            "type": kind,
            "unit": unit,
            "value": _value(raw, path),
            "default": None,
            "required": False,
            "description": "",
        }
        for path, kind, unit in TOP_FIELDS
    ]
    for kind in KINDS:
        section = raw.get(kind.name) or {}
        if not isinstance(section, dict):
            continue
        for cid, written in section.items():
            written = written if isinstance(written, dict) else {}
            for field in kind.fields:
                out.append(
                    {
                        "path": f"{kind.name}.{cid}.{field.written}",
                        "kind": kind.name,
                        "id": str(cid),
                        "field": field.written,
                        "type": type_shown(field),
                        "unit": unit_shown(field.unit),
                        "value": _json(written.get(field.written)),
                        "default": _json(default_shown(field)),
                        "required": field.required,
                        "description": field.description,
                    }
                )
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
