"""What both halves of the schematic share: the label font and page size, the colours,
label sizes as matplotlib draws them, whether a component is in service, and curved edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

FONT = 8.0  # pt; at most PAGE_IN wide, that is >= 10.6 px on the report's 1190-px column
PAGE_IN = 12.4  # the report's column (1190 px) in inches at 96 px per inch
LEVEL_IN = 0.5  # height of one level of the river graph
GAP_IN = 0.14  # least room between two labels side by side
WATER = "#4e79a7"
OFF = "#a9a9a9"  # components not in service during the run
STYLE = {  # marker, size, colour, label
    "junction": ("o", 30, "#555555", "junction"),
    "reservoir": ("v", 150, WATER, "reservoir"),
    "sink": ("H", 170, "#1b3a5c", "sink (sea, lake, border)"),
    "catchment": ("^", 60, "#59a14f", "catchment inflow"),
    "water_demand": ("s", 70, "#f28e2b", "water demand"),
    "hydro_plant": ("D", 45, "#e15759", "hydropower plant"),
}
_TEXT = TextToPath()
# a light backing behind labels, so that an edge passing behind one does not hide it
HALO = {"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.75}


def text_size_in(text: str, bold: bool = False, size: float = FONT) -> tuple[float, float]:
    """Width and height of a (multi-line) label in inches, as matplotlib draws it."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    lines = str(text).split("\n")
    width = max(
        _TEXT.get_text_width_height_descent(line or " ", prop, ismath=False)[0] for line in lines
    )
    return width / 72, len(lines) * size * 1.25 / 72


# ---------------------------------------------------------------- availability
def availability(net, kind: str) -> pd.DataFrame:
    """Per component: `state` ("in service", "from" when it comes into service during the
    run, "not yet" when not before its end) and `since` (its `available_from`)."""
    table = net.tables[kind]
    since = (
        pd.to_datetime(table["available_from"])
        if "available_from" in table
        else pd.Series(pd.NaT, index=table.index)
    )
    if not len(table):
        return pd.DataFrame({"state": [], "since": []})
    active = net.active(kind)
    share = active.mean("time").to_series().reindex(table.index)
    state = np.where(share >= 1.0, "in service", np.where(share > 0, "from", "not yet"))
    return pd.DataFrame({"state": state, "since": since}, index=table.index)


def since_text(row) -> str:
    return f"from {row['since']:%Y-%m-%d}" if pd.notna(row["since"]) else ""


def state_note(row) -> str:
    if row["state"] == "not yet":
        return f"{since_text(row)}, not in service during this run"
    return since_text(row) if row["state"] == "from" else ""


def on_curve(a, b, rad: float, t: float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = b - a
    c = (a + b) / 2 + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * a + 2 * t * (1 - t) * c + t**2 * b
