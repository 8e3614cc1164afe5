"""The words the component registry is written in: `Field`, `Output` and `Kind`.

The declarations themselves are in `kinds_water.py` and `kinds_power.py`; what is
generated from them (and the one list of kinds) is in `registry.py`.
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
AVAILABLE = Field(
    "available_from",
    "date",
    default=None,
    description="before it the component does not exist (no flow, no power)",
)
