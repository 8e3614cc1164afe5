"""Reading measured monthly flow records into one table of gauges.

A *record* here is a ``pandas.DataFrame`` of monthly mean flows in m3/s: the index holds
month-start timestamps (every month between the first and the last, gaps as NaN), one
column per gauge or catchment. Every function of `vakhsh.hydrology` that fits a model takes
this shape. Daily series are reduced to it with :func:`to_monthly`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.hydrology.errors import InflowError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def read_gsim_monthly(path: str | Path, *, keep_flagged: bool = False) -> pd.Series:
    """Read a GSIM monthly-mean transcription (``year,jan..dec``; ``NA``; ``*`` flags).

    A value suffixed ``*`` has fewer than 20 valid days in its month (GSIM ``n.available``);
    such months become NaN unless ``keep_flagged``. Lines starting with ``#`` are comments.
    Returns a Series indexed by month start, name = file stem.
    """
    path = Path(path)
    rows: list[tuple[pd.Timestamp, float]] = []
    header_seen = False
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if not header_seen:
            if [p.lower() for p in parts[:13]] != ["year", *MONTHS]:
                raise InflowError(path, "header", "expected year,jan,...,dec")
            header_seen = True
            continue
        if len(parts) < 13:
            raise InflowError(path, f"line {lineno}", "expected 13 fields")
        try:
            year = int(parts[0])
        except ValueError:
            raise InflowError(path, f"line {lineno}", f"bad year {parts[0]!r}") from None
        for m, text in enumerate(parts[1:13], start=1):
            value = np.nan
            if text not in ("NA", ""):
                flagged = text.endswith("*")
                try:
                    number = float(text.rstrip("*"))
                except ValueError:
                    raise InflowError(path, f"line {lineno}", f"bad value {text!r}") from None
                if keep_flagged or not flagged:
                    value = number
            rows.append((pd.Timestamp(year=year, month=m, day=1), value))
    if not rows:
        raise InflowError(path, "", "no data rows")
    s = pd.Series(dict(rows), name=path.stem, dtype=float).sort_index()
    return s.asfreq("MS")


def combine(records: dict[str, pd.Series]) -> pd.DataFrame:
    """Align several monthly series on one month-start index (outer join, gaps NaN)."""
    df = pd.DataFrame(dict(records)).sort_index()
    return df.asfreq("MS")


def to_monthly(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly means of a daily (or finer) series; a monthly series is returned as is.

    A month is the mean of the values present in it; a month with no value is NaN.
    """
    idx = pd.DatetimeIndex(df.index)
    if len(idx) > 1 and (idx.is_month_start.all() and idx.normalize().equals(idx)):
        gaps = np.diff(idx.values).astype("timedelta64[D]").astype(int)
        if gaps.min() >= 28:
            return df.asfreq("MS")
    return df.resample("MS").mean()


def read_inflow_records(path: str | Path) -> pd.DataFrame:
    """Read ``inflow_records.csv``: a ``time`` column of month starts, one column per catchment.

    Empty cells are gaps (NaN). Negative values are an error.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path)
    except (OSError, ValueError) as exc:  # pandas' parser and decoding errors are ValueErrors
        raise InflowError(path, "", f"cannot read CSV: {exc}") from None
    if "time" not in raw.columns:
        raise InflowError(path, "time", "missing column")
    try:
        time = pd.to_datetime(raw.pop("time"))
    except (ValueError, TypeError) as exc:
        raise InflowError(path, "time", f"not timestamps: {exc}") from None
    if not time.is_monotonic_increasing or time.duplicated().any():
        raise InflowError(path, "time", "timestamps must be strictly increasing")
    df = raw.set_index(pd.DatetimeIndex(time, name="time"))
    for col in df.columns:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            raise InflowError(path, str(col), f"not a number at {df.index[bad][0].date()}")
        if (values < 0).any():
            raise InflowError(path, str(col), f"negative flow at {df.index[values < 0][0].date()}")
        df[col] = values.astype(float)
    if df.shape[1] == 0:
        raise InflowError(path, "", "no catchment columns")
    return to_monthly(df)


def days_in_month(index: pd.DatetimeIndex) -> np.ndarray:
    """Number of days of each month in a month-start index (leap Februaries included)."""
    return np.asarray(pd.DatetimeIndex(index).days_in_month, dtype=float)


def to_year_month(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Reshape a monthly record to an array ``(year, 12, gauge)`` over whole calendar years.

    Months outside the record are NaN. Returns (array, years).
    """
    idx = pd.DatetimeIndex(df.index)
    y0, y1 = idx.year.min(), idx.year.max()
    years = np.arange(y0, y1 + 1)
    out = np.full((len(years), 12, df.shape[1]), np.nan)
    out[idx.year - y0, idx.month - 1, :] = df.to_numpy(dtype=float)
    return out, years
