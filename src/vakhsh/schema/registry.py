"""The component registry: one declaration per component kind and field.

In the spirit of PyPSA's component attribute tables, every fact about a kind lives here
once: each field's type, unit, default, whether it takes a series, which kinds it may
name, and a description; each kind's result variables with their units. Generated from
it: the pydantic schema (`vakhsh.schema.components`), the defaults filled in when a
Network is loaded, the reference checks (`REFERENCES`), `SERIES_FIELDS`, the units and
zero-filling of the result Dataset (`vakhsh.results.dataset`) and FORMAT.md's field tables
(`python -m vakhsh.schema.docs`; a test fails when docs/FORMAT.md is stale).

The declarations are in `kinds_water.py` and `kinds_power.py`, written in the words of
`declare.py`. Adding a field: one `Field(...)` line in its kind's declaration (and its use
in a constraint family). Adding a kind: one `Kind(...)` (see docs/ARCHITECTURE.md for the
files a family touches). This module holds the one list of kinds and what is generated
from it.
"""

from __future__ import annotations

from typing import Any

from vakhsh.schema.declare import NODES, REQUIRED, TYPES, Field, Kind, Output, SameAs
from vakhsh.schema.kinds_power import POWER_KINDS
from vakhsh.schema.kinds_water import WATER_KINDS

KINDS: tuple[Kind, ...] = WATER_KINDS + POWER_KINDS
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


__all__ = [
    "BY_DIM",
    "BY_NAME",
    "FRACTION_SERIES",
    "KINDS",
    "NODES",
    "OUTPUTS",
    "REFERENCES",
    "REQUIRED",
    "SERIES_FIELDS",
    "SIZE_FIELD",
    "TYPES",
    "Field",
    "Kind",
    "Output",
    "SameAs",
    "fill_defaults",
]
