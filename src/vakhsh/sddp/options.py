"""Options of an SDDP run (one frozen dataclass, mirroring `vakhsh sddp`'s flags)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from vakhsh.errors import ModelError, Problem
from vakhsh.math.fpha import PRODUCTION_MODES
from vakhsh.sddp.risk import EAVaR, RiskMeasure, parse_risk
from vakhsh.sddp.stopping import (
    BoundStalling,
    IterationLimit,
    StatisticalGap,
    StoppingRule,
    TimeLimit,
)

# `vakhsh run`'s head models that are one LP: auto, fixed, fpha
HEADS = tuple(sorted(PRODUCTION_MODES))


@dataclass(frozen=True)
class SDDPOptions:
    noise: Literal["independent", "par1"] = "independent"
    stage: Literal["month", "week"] = "month"
    iterations: int = 100
    time_limit_s: float | None = None
    forward_passes: int = 1
    risk: str = "expectation"
    # multi-cut: fewer CPU seconds to a given gap on central-asia on each of three seeds
    # (bench/README.md, sddp_gap_curve.py)
    cut: Literal["single", "multi"] = "multi"
    simulate: int | None = None  # members simulated after training (None: all)
    seed: int = 0
    workers: int = 1  # processes sharing the solves of training (parallel.py)
    perfect_foresight: bool = False  # also solve each simulated member's LP (foresight.py)
    # statistical gap: checked every `gap_period` iterations on `gap_replications` paths
    gap: float | None = 0.01
    gap_replications: int = 100
    gap_period: int = 10
    gap_cold: bool = False  # solve the gap check's paths from scratch (stopping.py)
    # bound stalling: relative change below `stall_tolerance` for `stall_iterations`
    stall_iterations: int | None = None
    stall_tolerance: float = 1e-9
    audit_tolerance: float = 1e-6
    # the stage LPs' head model, as `vakhsh run --head`: auto (FPHA planes where a plant
    # has tailwater and a level curve and its `production` allows it, fixed head
    # elsewhere), fpha (FPHA wherever the data allow it) or fixed; not iterate (a
    # successive LP would change the stage LPs between iterations and void the cuts)
    head: str = "auto"
    highs_options: dict[str, Any] = field(default_factory=dict)

    def risk_measure(self) -> RiskMeasure:
        return parse_risk(self.risk)

    def check(self) -> None:
        problems = []
        if self.noise not in ("independent", "par1"):
            problems.append(
                Problem("command line", "--noise", "expected independent or par1", self.noise)
            )
        if self.stage not in ("month", "week"):
            problems.append(
                Problem("command line", "--stage", "expected month or week", self.stage)
            )
        if self.cut not in ("single", "multi"):
            problems.append(Problem("command line", "--cut", "expected single or multi", self.cut))
        if self.head not in HEADS:
            problems.append(
                Problem(
                    "command line",
                    "--head",
                    f"must be one of {', '.join(HEADS)} (SDDP's stages keep one LP: no iterate)",
                    self.head,
                )
            )
        for flag, value in (
            ("--iterations", self.iterations),
            ("--forward-passes", self.forward_passes),
            ("--workers", self.workers),
        ):
            if value < 1:
                problems.append(Problem("command line", flag, "must be at least 1", value))
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            problems.append(
                Problem("command line", "--time-limit", "must be positive", self.time_limit_s)
            )
        if self.simulate is not None and self.simulate < 0:
            problems.append(
                Problem("command line", "--simulate", "must be 0 or more", self.simulate)
            )
        if problems:
            raise ModelError(problems)
        self.risk_measure()  # raises on a bad spec

    def stopping_rules(self) -> list[StoppingRule]:
        rules: list[StoppingRule] = [IterationLimit(self.iterations)]
        if self.time_limit_s is not None:
            rules.append(TimeLimit(self.time_limit_s))
        if self.gap is not None and not isinstance(self.risk_measure(), EAVaR):
            rules.append(
                StatisticalGap(self.gap, self.gap_replications, self.gap_period, self.gap_cold)
            )
        if self.stall_iterations:
            rules.append(BoundStalling(self.stall_iterations, self.stall_tolerance))
        return rules
