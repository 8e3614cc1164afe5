"""Options of one optimisation run (a frozen dataclass instead of keyword explosion)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SolveOptions:
    # a name in `vakhsh.solve.heads.HEAD_MODELS`: auto (FPHA where a plant's data allow it,
    # fixed head elsewhere), fixed, iterate (successive LP) or fpha
    head: str = "auto"
    solver: str = "highs"
    solver_options: dict[str, Any] = field(default_factory=dict)
    # HiGHS algorithm by LP size (vakhsh.solve.algorithms): auto, simplex, hipo, ipx, highs
    preset: str = "auto"
    # successive LP: stop when the largest relative change in any plant's energy is below
    head_tolerance: float = 1e-3
    head_max_iterations: int = 20
    # an audit residual above this share of the flow through a node or bus fails the run
    audit_tolerance: float = 1e-6
    write_lp: Path | None = None
    log: bool = False
    # build an LP even when its estimated size exceeds the memory available (solve/size.py)
    force: bool = False
