"""Inflow ensembles: the DataArray, its netCDF file, seeding and reading one member back.

(Not `vakhsh.ensemble`, which runs batches of model runs; see "Words" in
docs/ARCHITECTURE.md. Names here say "inflows" where a reader could confuse the two.)

An ensemble is an ``xarray.DataArray`` named ``inflow_m3s`` with dims
``(member, time, catchment)``: ``member`` = 0..M-1, ``time`` = month starts, values are
monthly mean flows in m3/s. Its attrs record ``method``, ``seed``, ``climate``, ``units``,
``source`` and the vakhsh version. On disk it is a netCDF file (h5netcdf engine) holding the
ensemble and, beside it, the statistics the generator was fitted to (``target_*``), which
`vakhsh inflows stats` compares with what was achieved.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from vakhsh.hydrology.errors import InflowError

NAME = "inflow_m3s"
INFLOWS_KIND = "inflows"


def member_generators(seed: int, n_members: int) -> list[np.random.Generator]:
    """One independent generator per member, spawned from ``seed``.

    Member k's stream depends only on ``seed`` and k, so member k is the same whatever the
    number of members asked for.
    """
    children = np.random.SeedSequence(seed).spawn(n_members)
    return [np.random.default_rng(c) for c in children]


def fresh_seed() -> int:
    """A random seed, recorded in the output so that the run can be repeated."""
    return int(np.random.SeedSequence().entropy % (2**63))


def calendar_years_needed(n_years: int, start: pd.Timestamp) -> int:
    return n_years + (1 if start.month != 1 else 0)


def from_calendar_array(
    values: np.ndarray,
    start: pd.Timestamp,
    n_years: int,
    catchments: list[str],
    attrs: dict,
) -> xr.DataArray:
    """Ensemble from an array ``(member, calendar_year, 12, catchment)`` that starts in January
    of ``start.year``; the result starts at ``start`` and has ``12 * n_years`` months."""
    m, y, _, g = values.shape
    flat = values.reshape(m, y * 12, g)
    k = start.month - 1
    flat = flat[:, k : k + 12 * n_years, :]
    time = pd.date_range(start, periods=12 * n_years, freq="MS")
    return xr.DataArray(
        flat,
        dims=("member", "time", "catchment"),
        coords={"member": np.arange(m), "time": time, "catchment": list(catchments)},
        name=NAME,
        attrs={"units": "m3/s", **attrs},
    )


def month_start(value) -> pd.Timestamp:
    """The month start at or before ``value``."""
    t = pd.Timestamp(value)
    return pd.Timestamp(year=t.year, month=t.month, day=1)


def write_ensemble(
    da: xr.DataArray,
    path: str | Path,
    targets: xr.Dataset | None = None,
    overwrite: bool = False,
    option: str = "path",
) -> Path:
    """Write an ensemble (and optional ``target_*`` statistics) to netCDF, atomically:
    built under a temporary name beside it, then renamed. An existing file is replaced
    only when it is an inflow ensemble vakhsh wrote and `overwrite=True`.

    A time axis that fits nanosecond timestamps (1678..2261) is written as CF dates; a
    longer one (a 1,000-year ensemble) as whole months after ``month_origin`` (see
    :func:`month_axis`), which plain xarray opens without cftime."""
    from vakhsh.outputs import netcdf_signature, output_file

    path = Path(path)
    ds = da.rename(NAME).to_dataset()
    if targets is not None:
        ds = ds.merge(targets)
    ds.attrs.update({k: _attr(v) for k, v in da.attrs.items()})
    ds[NAME].attrs = {k: _attr(v) for k, v in da.attrs.items()}
    ds = _encode_time(ds)
    # float32 keeps 7 significant digits of m3/s; random flows barely compress, so no gzip
    encoding = {
        NAME: {"dtype": "float32", "chunksizes": (1, da.sizes["time"], da.sizes["catchment"])}
    }
    ds.attrs.update(netcdf_signature(INFLOWS_KIND))
    with output_file(path, INFLOWS_KIND, overwrite=overwrite, option=option) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    return path


# a time axis beyond these cannot be decoded by xarray without cftime (datetime64[ns])
_FIRST, _LAST = pd.Timestamp("1678-01-01"), pd.Timestamp("2262-01-01")
MONTH_ORIGIN = "month_origin"


def _encode_time(ds: xr.Dataset) -> xr.Dataset:
    time = pd.DatetimeIndex(ds["time"].values)
    if len(time) == 0 or (time[0] >= _FIRST and time[-1] < _LAST):
        return ds
    origin = month_start(time[0])
    months = (time.year - origin.year) * 12 + (time.month - origin.month)
    ds = ds.assign_coords(time=("time", np.asarray(months, dtype="int64")))
    ds["time"].attrs = {
        "long_name": "months after month_origin (month starts)",
        "units": "1",
        MONTH_ORIGIN: origin.strftime("%Y-%m-%d"),
    }
    return ds


def month_axis(ds: xr.Dataset, path: str | Path) -> xr.Dataset:
    """``time`` as month-start dates, whichever way the file stores it: CF dates, or whole
    months after the ``month_origin`` attribute (long ensembles, as seconds-resolution
    dates beyond 2262)."""
    time = ds["time"]
    origin = time.attrs.get(MONTH_ORIGIN)
    if origin is None:
        if not np.issubdtype(time.dtype, np.datetime64):
            raise InflowError(
                path,
                "time",
                "must hold dates, or whole months with a "
                f"'{MONTH_ORIGIN}' attribute (got {time.dtype})",
            )
        return ds
    try:
        start = month_start(pd.Timestamp(str(origin)))
    except ValueError:
        raise InflowError(path, f"time.{MONTH_ORIGIN}", f"not a date ({origin!r})") from None
    months = np.asarray(time.values)
    if not np.issubdtype(months.dtype, np.integer):
        raise InflowError(
            path, "time", f"with '{MONTH_ORIGIN}', time holds whole months (got {months.dtype})"
        )
    first = np.datetime64(start.strftime("%Y-%m"), "M")
    dates = (first + months.astype("timedelta64[M]")).astype("datetime64[s]")
    return ds.assign_coords(time=("time", dates, {}))


def _attr(v):
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    return v


def open_inflows(path: str | Path) -> xr.Dataset:
    """Open an inflow ensemble file as a Dataset (``inflow_m3s`` plus any ``target_*``), checking
    its structure: the variable and its dims, a ``member`` coordinate of distinct whole
    numbers, distinct catchment names, a time axis of month starts (see `month_axis`).
    netCDF4/HDF5 and netCDF3 files are both read."""
    path = Path(path)
    if not path.is_file():
        raise InflowError(path, "", "no such file")
    ds = None
    errors = []
    for engine in ("h5netcdf", "scipy"):  # netCDF4 (HDF5), then netCDF3 (classic)
        try:
            ds = _open(path, engine)
            break
        except Exception as exc:  # noqa: BLE001 - any reading problem is the user's file
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            errors.append(f"{engine}: {text}")
    if ds is None:
        raise InflowError(path, "", "not a readable netCDF file (" + "; ".join(errors) + ")")
    try:
        return _checked(ds, path)
    except InflowError:
        ds.close()
        raise


def _open(path: Path, engine: str) -> xr.Dataset:
    try:
        return xr.open_dataset(path, engine=engine)
    except ValueError as exc:
        if "unable to decode time" not in str(exc):
            raise
    # a long axis written as CF dates by an older vakhsh: decode it at seconds resolution
    return xr.open_dataset(
        path, engine=engine, decode_times=xr.coders.CFDatetimeCoder(time_unit="s")
    )


def _checked(ds: xr.Dataset, path: Path) -> xr.Dataset:
    if NAME not in ds:
        raise InflowError(path, NAME, "missing variable")
    dims = set(ds[NAME].dims)
    if dims != {"member", "time", "catchment"}:
        raise InflowError(path, NAME, f"dims must be member, time, catchment (got {sorted(dims)})")
    for dim in ("member", "time", "catchment"):
        if dim not in ds.coords:
            raise InflowError(path, dim, "the coordinate is missing")
    members = ds["member"].values
    if (
        not np.issubdtype(members.dtype, np.number)
        or np.issubdtype(members.dtype, np.bool_)
        or not np.all(np.isfinite(members))
        or np.any(members != np.round(members))
    ):
        raise InflowError(path, "member", f"must hold whole numbers (got {members[:5].tolist()})")
    _distinct(path, "member", members.tolist())
    _distinct(path, "catchment", [str(c) for c in ds["catchment"].values])
    ds = month_axis(ds, path)
    _monthly(path, pd.DatetimeIndex(ds["time"].values))
    return ds


def _monthly(path: Path, time: pd.DatetimeIndex) -> None:
    """Month starts, each one month after the one before (so sorted, no repeats, no gap)."""
    if len(time) == 0:
        raise InflowError(path, "time", "no months")
    starts = (time.day == 1) & (time.hour == 0) & (time.minute == 0) & (time.second == 0)
    if not starts.all():
        i = int(np.flatnonzero(~starts)[0])
        raise InflowError(path, f"time[{i}]", f"must be a month start ({time[i]})")
    months = (time.year - time[0].year) * 12 + (time.month - time[0].month)
    steps = np.diff(np.asarray(months))
    if np.any(steps != 1):
        i = int(np.flatnonzero(steps != 1)[0]) + 1
        what = (
            "repeats a month"
            if steps[i - 1] == 0
            else ("goes back in time" if steps[i - 1] < 0 else "skips months")
        )
        raise InflowError(
            path,
            f"time[{i}]",
            f"months must follow each other; this one "
            f"{what} ({time[i - 1]:%Y-%m} then {time[i]:%Y-%m})",
        )


def _distinct(path: Path, name: str, values: list) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise InflowError(path, name, f"{value!r} appears more than once")
        seen.add(value)


def read_ensemble(path: str | Path) -> xr.DataArray:
    """The ensemble DataArray ``(member, time, catchment)``, loaded into memory."""
    with open_inflows(path) as ds:
        da = ds[NAME].load().astype(float)
    return da.transpose("member", "time", "catchment")


def load_member(path: str | Path, member: int) -> pd.DataFrame:
    """One member of an ensemble file as a DataFrame for `vakhsh run --inflows FILE --member K`.

    Index: month-start timestamps (``time``, as stored: checked by the caller); columns:
    catchment ids; values: m3/s. ``member`` is the value of the ``member`` coordinate.
    """
    with open_inflows(path) as ds:
        members = [int(m) for m in ds["member"].values]
        if member not in members:
            known = (
                f"0..{len(members) - 1}"
                if members == list(range(len(members)))
                else ", ".join(map(str, members[:10]))
            )
            raise InflowError(path, "member", f"no member {member} (file has {known})")
        da = ds[NAME].isel(member=members.index(member)).load().astype(float)
    df = da.transpose("time", "catchment").to_pandas()
    df.index = pd.DatetimeIndex(df.index, name="time")
    df.columns = [str(c) for c in df.columns]
    df.columns.name = None
    return df
