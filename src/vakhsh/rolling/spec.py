"""`--rolling WINDOW[,OVERLAP]`: the windows of a rolling-horizon run, in steps.

Window w solves steps [start_w, stop_w) and keeps [start_w, keep_w): each window but the
last keeps `window - overlap` steps and hands its state at `keep_w` to the next, which
starts there. The overlap is solved twice and kept once, so that what a window decides
just before its end is not distorted by the end (default overlap: a seventh of the
window, at least one step and at least the longest reach delay).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from vakhsh.errors import ModelError, Problem


@dataclass(frozen=True)
class Window:
    start: int
    stop: int  # exclusive: solved
    keep: int  # exclusive: kept (== stop for the last window)

    @property
    def last(self) -> bool:
        return self.keep == self.stop


@dataclass(frozen=True)
class RollingSpec:
    window: pd.Timedelta
    overlap: pd.Timedelta | None = None  # None: a seventh of the window, at least a step

    @property
    def label(self) -> str:
        return _label(self.window) + ("" if self.overlap is None else f",{_label(self.overlap)}")

    def windows(self, steps: int, step: pd.Timedelta, delay_steps: int = 0) -> list[Window]:
        """The windows over `steps` steps; the default overlap is at least the longest
        reach delay (`delay_steps`), so that water a window sends is seen to arrive."""
        size = self._steps(self.window, step)
        overlap = (
            min(max(1, size // 7, delay_steps), size - 1)
            if self.overlap is None
            else self._steps(self.overlap, step)
        )
        if size < 1 or overlap >= size:
            raise ModelError(
                [
                    Problem(
                        "command line",
                        "--rolling",
                        "the window must be at least one step and longer than its overlap",
                        self.label,
                    )
                ]
            )
        out, start = [], 0
        while True:
            stop = min(start + size, steps)
            if stop == steps:
                out.append(Window(start, stop, stop))
                return out
            out.append(Window(start, stop, stop - overlap))
            start = stop - overlap

    def _steps(self, span: pd.Timedelta, step: pd.Timedelta) -> int:
        count = span / step
        if count != int(count):
            raise ModelError(
                [
                    Problem(
                        "command line",
                        "--rolling",
                        f"{_label(span)} is not a whole number of {_label(step)} steps",
                        self.label,
                    )
                ]
            )
        return int(count)


def parse(text: str) -> RollingSpec:
    """`7D` (overlap a seventh of it) or `7D,1D`."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        window = pd.Timedelta(parts[0])
        overlap = pd.Timedelta(parts[1]) if len(parts) > 1 else None
    except (ValueError, IndexError) as exc:
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--rolling",
                    f"expected WINDOW[,OVERLAP] such as 7D,1D ({exc})",
                    text,
                )
            ]
        ) from exc
    if (
        len(parts) > 2
        or window <= pd.Timedelta(0)
        or (overlap is not None and overlap < pd.Timedelta(0))
    ):
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--rolling",
                    "expected WINDOW[,OVERLAP] with a positive window, such as 7D,1D",
                    text,
                )
            ]
        )
    return RollingSpec(window, overlap)


def _label(span: pd.Timedelta) -> str:
    hours = span / pd.Timedelta(hours=1)
    if hours % 24 == 0:
        return f"{int(hours // 24)}D"
    return f"{hours:g}h"
