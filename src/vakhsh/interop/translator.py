"""The state of one PyPSA-to-vakhsh translation: the problems and warnings found so far,
the ids given out (unique across the model, each mapped back to its PyPSA name), the
series files and the model's sections, and how values become numbers or series references."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.errors import Problem


class Translator:
    def __init__(self, n, source: str):
        self.n, self.source = n, source
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.names: list[tuple[str, str, str]] = []
        self.taken: set[str] = set()
        self.series: dict[str, dict[str, np.ndarray]] = {}
        self.model: dict[str, Any] = {}

    # ---- problems ----
    def bad(self, component: str, name: str, attr: str, message: str, value=None) -> None:
        path = f"{component}.{name}.{attr}" if name else f"{component}.{attr}"
        args = () if value is None else (value,)
        self.problems.append(Problem(self.source, path, message, *args))

    def check(self, component: str, table: pd.DataFrame, attr: str, bad_mask, message: str):
        if attr not in table:
            return
        mask = np.asarray(bad_mask(table[attr]), dtype=bool)
        for name, value in zip(table.index[mask], table[attr].to_numpy()[mask], strict=True):
            self.bad(component, name, attr, message, value)

    # ---- ids ----
    def new_id(self, component: str, name: str, bus: bool = False) -> str:
        clean = re.sub(r"[^A-Za-z0-9_]+", "_", str(name)).strip("_")
        clean = clean if bus else clean.lower()
        clean = clean or component.lower()
        base, i = clean, 2
        while clean in self.taken:
            clean, i = f"{base}_{i}", i + 1
        self.taken.add(clean)
        self.names.append((component, str(name), clean))
        return clean

    # ---- values ----
    def dense(self, component: str, attr: str, names) -> pd.DataFrame:
        return self.n.get_switchable_as_dense(component, attr).reindex(columns=list(names))

    def value(self, kind: str, field_name: str, vid: str, column: np.ndarray) -> Any:
        """A constant as a number, a series as a reference into `{kind}_{field}.csv`."""
        column = np.asarray(column, dtype=float)
        if np.all(column == column[0]):
            return plain(column[0])
        file = f"{kind}_{field_name}.csv"
        self.series.setdefault(file, {})[vid] = column
        return f"series:{file}#{vid}"


def plain(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def active_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["active"].astype(bool)] if "active" in table else table


def drop_inactive(t: Translator, component: str, table: pd.DataFrame) -> pd.DataFrame:
    if "active" in table and (~table["active"].astype(bool)).any():
        gone = list(table.index[~table["active"].astype(bool)])
        t.warnings.append(
            f"{component}: inactive {', '.join(map(str, gone[:5]))} dropped "
            "(PyPSA leaves them out too)"
        )
    return active_rows(table)
