"""Time series: read `series:FILE#COLUMN` references and align them to a run's steps.

A series is a piecewise-constant rate. Each run step takes its time-weighted mean over
the step, which is the value it falls in when the step is finer than the rows and the
weighted mean when it is coarser (FORMAT.md, "Time series"). The mean is computed from
the cumulative integral at the row boundaries, vectorised over steps and columns.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.errors import Problem
from vakhsh.network.inputs import InputError, InputReader, read_input
from vakhsh.schema.components import SERIES_PATTERN
from vakhsh.schema.dates import FIRST_DATE, LAST_DATE, date_problem


@dataclass(frozen=True, eq=False)
class RunTime:
    """The steps of a run: start of each step and the fixed step length."""

    index: pd.DatetimeIndex
    step: pd.Timedelta

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunTime):
            return NotImplemented
        return self.step == other.step and self.index.equals(other.index)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_bounds(cls, start, end, step: str | pd.Timedelta) -> RunTime:
        step = pd.Timedelta(step)
        index = pd.date_range(
            pd.Timestamp(start), pd.Timestamp(end), freq=step, inclusive="left", name="time"
        )
        return cls(index=index, step=step)

    @property
    def hours(self) -> float:
        return self.step / pd.Timedelta(hours=1)

    @property
    def step_label(self) -> str:
        """The step as written in model.yaml: 1D, 3h, 7D."""
        hours = self.hours
        if hours % 24 == 0:
            return f"{int(hours // 24)}D"
        if hours == int(hours):
            return f"{int(hours)}h"
        return f"{int(self.step.total_seconds())}s"

    @property
    def ends(self) -> pd.DatetimeIndex:
        return self.index + self.step


class SeriesTable:
    """One CSV file of series in either layout (`time` or `month`)."""

    def __init__(self, file: str, layout: str, stamps: np.ndarray, frame: pd.DataFrame):
        self.file, self.layout, self.stamps, self.frame = file, layout, stamps, frame

    @classmethod
    def read(cls, folder: Path, file: str, reader: InputReader | None = None) -> SeriesTable:
        """Read `file` of the model folder (confined to it; hashed by `reader`)."""
        try:
            data = reader.read(file) if reader is not None else read_input(folder, file)
        except InputError as exc:
            raise SeriesError(exc.problem) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SeriesError(
                Problem(file, f"line {line}", "is not UTF-8 text", f"byte 0x{data[exc.start]:02x}")
            ) from None
        try:
            frame = pd.read_csv(io.StringIO(text))
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SeriesError(
                Problem(file, "", "cannot be read as CSV", str(exc).strip())
            ) from None
        header = [name.strip() for name in text.split("\n", 1)[0].rstrip("\r").split(",")]
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise SeriesError(
                Problem(
                    file,
                    repeated[0],
                    "column name appears more than once",
                    header.count(repeated[0]),
                )
            )
        frame.columns = [str(c).strip() for c in frame.columns]
        has_time, has_month = "time" in frame.columns, "month" in frame.columns
        if has_time == has_month:
            hint = (
                " (columns must be separated by commas)"
                if len(frame.columns) == 1 and ";" in str(frame.columns[0])
                else ""
            )
            raise SeriesError(
                Problem(
                    file,
                    "",
                    f"needs exactly one of a 'time' column or a 'month' column{hint}",
                    list(frame.columns)[:5],
                )
            )
        if has_month:
            return cls._monthly(file, frame)
        return cls._timed(file, frame)

    @classmethod
    def _monthly(cls, file: str, frame: pd.DataFrame) -> SeriesTable:
        months = pd.to_numeric(frame["month"], errors="coerce")
        if len(frame) != 12 or sorted(months.tolist()) != list(range(1, 13)):
            raise SeriesError(
                Problem(
                    file,
                    "month",
                    f"a month table needs rows 1..12, each once; found {len(frame)} rows",
                    frame["month"].tolist(),
                )
            )
        frame = frame.assign(month=months.astype(int)).set_index("month").sort_index()
        return cls(file, "month", frame.index.to_numpy(), frame)

    @classmethod
    def _timed(cls, file: str, frame: pd.DataFrame) -> SeriesTable:
        # ISO 8601 only: 01/02/2024 is not guessed to be 1 February or 2 January
        text = frame["time"].astype(str)
        try:
            stamps = pd.to_datetime(text, errors="coerce", format="ISO8601")
        except ValueError:  # offsets that differ from row to row
            raise SeriesError(
                Problem(
                    file,
                    "time",
                    "timestamps are naive: no time zone (rows carry different UTC offsets)",
                    text.iloc[0],
                )
            ) from None
        if stamps.isna().any():
            row = int(np.flatnonzero(stamps.isna())[0])
            raise SeriesError(
                Problem(file, f"time (row {row + 2})", "not a timestamp", frame["time"].iloc[row])
            )
        if getattr(stamps.dt, "tz", None) is not None:
            raise SeriesError(Problem(file, "time", "timestamps are naive: no time zone"))
        if len(stamps) == 0:
            raise SeriesError(Problem(file, "time", "no rows"))
        values = checked_stamps(pd.DatetimeIndex(stamps), file, "time", first_row=2)
        return cls(file, "time", values, frame.drop(columns="time"))

    def column(self, name: str, path: str) -> np.ndarray:
        if name not in self.frame.columns:
            raise SeriesError(
                Problem(
                    self.file,
                    name,
                    f"column not found (named by {path})",
                    ", ".join(map(str, self.frame.columns[:8])),
                )
            )
        values = pd.to_numeric(self.frame[name], errors="coerce").to_numpy(dtype=float)

        def where(row: int) -> str:
            return (
                str(pd.Timestamp(self.stamps[row]))
                if self.layout == "time"
                else f"month {self.stamps[row]}"
            )

        check_rates(values, self.file, name, where, self.frame[name].to_numpy())
        return values

    def step_means(
        self, name: str, path: str, run: RunTime, by_month: np.ndarray | None = None
    ) -> np.ndarray:
        """Run-step means of a column, optionally multiplied moment by moment by a
        calendar-month factor (a scenario's `inflow_factor_by_month`)."""
        values = self.column(name, path)
        if self.layout == "month":
            return monthly_step_means(values * (1.0 if by_month is None else by_month), run)
        stamps = np.asarray(self.stamps, dtype="datetime64[ns]")
        last = stamps[-1] - stamps[-2] if len(stamps) > 1 else run.step.to_timedelta64()
        edges = np.append(stamps, stamps[-1] + last)
        if by_month is None:
            return interval_means(edges, values[:, None], run, self.file, name)[:, 0]
        edges, values = _split_at_months(edges, values, by_month)
        return interval_means(edges, values[:, None], run, self.file, name)[:, 0]


class SeriesError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def checked_stamps(
    stamps: pd.DatetimeIndex, file: str, column: str, first_row: int = 0
) -> np.ndarray:
    """Stamps as datetime64[ns] after the checks every timed series gets: every date in
    range, strictly increasing (sorted, no repeats). `first_row` numbers rows in messages
    (2 for a CSV file's first data row, 0 for an index)."""
    outside = np.flatnonzero((stamps < FIRST_DATE) | (stamps > LAST_DATE))
    if len(outside):
        row = int(outside[0])
        raise SeriesError(
            Problem(
                file,
                f"{column} (row {row + first_row})",
                date_problem(stamps[row]),
                str(stamps[row]),
            )
        )
    values = stamps.as_unit("ns").to_numpy(dtype="datetime64[ns]")
    bad = np.flatnonzero(np.diff(values) <= np.timedelta64(0))
    if len(bad):
        row = int(bad[0]) + 1
        kind = "repeats" if values[row] == values[row - 1] else "goes back in time"
        raise SeriesError(
            Problem(
                file,
                f"{column} (row {row + first_row})",
                f"timestamps must be strictly increasing: this one {kind}",
                str(stamps[row]),
            )
        )
    return values


def check_rates(values: np.ndarray, file: str, column: str, where, written=None) -> None:
    """Every value finite and non-negative (all series are non-negative rates); `where(i)`
    names row i in the message, `written` holds the values as written (for the message)."""
    missing = np.flatnonzero(~np.isfinite(values))
    if len(missing):
        row = int(missing[0])
        shown = written[row] if written is not None else values[row]
        raise SeriesError(
            Problem(
                file,
                column,
                f"missing or non-numeric value at {where(row)} ({len(missing)} in all)",
                shown,
            )
        )
    negative = np.flatnonzero(values < 0)
    if len(negative):
        row = int(negative[0])
        raise SeriesError(
            Problem(
                file,
                column,
                f"negative value at {where(row)} ({len(negative)} in all)",
                values[row],
            )
        )


def timed_step_means(
    stamps: np.ndarray, values: np.ndarray, run: RunTime, file: str = "", column: str = ""
) -> np.ndarray:
    """Time-weighted mean of piecewise-constant rows over each run step.

    `values` has shape (rows, columns). Row i holds from stamps[i] to stamps[i+1]; the last
    row holds for the spacing before it, or one run step when there is a single row.
    """
    stamps = np.asarray(stamps, dtype="datetime64[ns]")
    last = stamps[-1] - stamps[-2] if len(stamps) > 1 else run.step.to_timedelta64()
    return interval_means(np.append(stamps, stamps[-1] + last), values, run, file, column)


def _split_at_months(
    edges: np.ndarray, values: np.ndarray, by_month: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows cut at month boundaries, each piece multiplied by its month's factor."""
    first = pd.Timestamp(edges[0]).to_period("M").to_timestamp()
    months = pd.date_range(first, pd.Timestamp(edges[-1]), freq="MS").to_numpy()
    merged = np.union1d(edges, months[(months > edges[0]) & (months < edges[-1])])
    row = np.searchsorted(edges, merged[:-1], side="right") - 1
    month = pd.DatetimeIndex(merged[:-1]).month.to_numpy()
    return merged, values[row] * np.asarray(by_month, dtype=float)[month - 1]


def _seconds(stamps: np.ndarray) -> np.ndarray:
    return np.asarray(stamps, dtype="datetime64[ns]").astype("int64").astype(float) / 1e9


def interval_means(
    bounds: np.ndarray, values: np.ndarray, run: RunTime, file: str = "", column: str = ""
) -> np.ndarray:
    """Mean over each run step of rows that hold from bounds[i] to bounds[i+1]."""
    edges = _seconds(bounds)
    starts = _seconds(run.index.to_numpy())
    ends = starts + run.step.total_seconds()
    if starts[0] < edges[0] or ends[-1] > edges[-1]:
        first, final = pd.Timestamp(edges[0] * 1e9), pd.Timestamp(edges[-1] * 1e9)
        raise SeriesError(
            Problem(
                file,
                column,
                f"does not cover the run {run.index[0]} .. {run.ends[-1]}",
                f"series covers {first} .. {final}",
            )
        )
    widths = np.diff(edges)
    cumulative = np.vstack([np.zeros(values.shape[1]), np.cumsum(values * widths[:, None], axis=0)])

    def row_of(t: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(widths) - 1)

    def integral(t: np.ndarray) -> np.ndarray:
        row = row_of(t)
        return cumulative[row] + values[row] * (t - edges[row])[:, None]

    means = (integral(ends) - integral(starts)) / (ends - starts)[:, None]
    # a step inside one row takes that row's value exactly (no rounding from the integral)
    first = row_of(starts)
    inside = ends <= edges[first + 1]
    means[inside] = values[first[inside]]
    return means


def month_bounds(run: RunTime) -> np.ndarray:
    """Month starts from the first step's month to the end of the last step's month."""
    first = run.index[0].to_period("M").to_timestamp()
    last = (run.ends[-1] - pd.Timedelta(1, "ns")).to_period("M").to_timestamp()
    return pd.date_range(first, last + pd.offsets.MonthBegin(1), freq="MS").to_numpy()


def monthly_step_means(by_month: np.ndarray | list[float], run: RunTime) -> np.ndarray:
    """Time-weighted mean over each step of a 12-value calendar-month climatology."""
    bounds = month_bounds(run)
    months = pd.DatetimeIndex(bounds[:-1]).month.to_numpy()
    values = np.asarray(by_month, dtype=float)[months - 1]
    return interval_means(bounds, values[:, None], run)[:, 0]


def monthly_step_totals(per_month: np.ndarray | list[float], run: RunTime) -> np.ndarray:
    """Share of a per-calendar-month total that falls in each step (pro rata by hours)."""
    bounds = month_bounds(run)
    months = pd.DatetimeIndex(bounds[:-1]).month.to_numpy()
    hours = np.diff(_seconds(bounds)) / 3600
    rate = np.asarray(per_month, dtype=float)[months - 1] / hours
    return interval_means(bounds, rate[:, None], run)[:, 0] * run.hours


class SeriesResolver:
    """Resolves the series fields of components, reading each CSV file once."""

    def __init__(self, folder: Path, run: RunTime, reader: InputReader | None = None):
        self.folder, self.run = folder, run
        self.reader = reader
        self._tables: dict[str, SeriesTable | SeriesError] = {}

    def table(self, file: str) -> SeriesTable:
        if file not in self._tables:
            try:
                self._tables[file] = SeriesTable.read(self.folder, file, self.reader)
            except SeriesError as exc:
                self._tables[file] = exc
        found = self._tables[file]
        if isinstance(found, SeriesError):
            raise found
        return found

    def resolve(
        self,
        value: float | str | None,
        path: str,
        missing: float = np.inf,
        by_month: np.ndarray | None = None,
    ) -> np.ndarray:
        """Values per run step of a constant, a `series:` reference, or None (`missing`),
        optionally multiplied by a calendar-month factor at the series' own resolution."""
        steps = len(self.run.index)
        if value is None:
            return np.full(steps, missing)
        if not isinstance(value, str):
            if by_month is None:
                return np.full(steps, float(value))
            return monthly_step_means(float(value) * np.asarray(by_month, float), self.run)
        match = SERIES_PATTERN.match(value)
        return self.table(match["file"]).step_means(match["column"], path, self.run, by_month)
