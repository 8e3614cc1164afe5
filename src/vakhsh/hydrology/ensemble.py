"""Inflow ensembles: the DataArray, its netCDF file, seeding and reading one member back.

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


def write_ensemble(da: xr.DataArray, path: str | Path, targets: xr.Dataset | None = None,
                   overwrite: bool = False, option: str = "path") -> Path:
    """Write an ensemble (and optional ``target_*`` statistics) to netCDF, atomically:
    built under a temporary name beside it, then renamed. An existing file is replaced
    only when it is an inflow ensemble vakhsh wrote and `overwrite=True`."""
    from vakhsh.outputs import netcdf_signature, output_file

    path = Path(path)
    ds = da.rename(NAME).to_dataset()
    if targets is not None:
        ds = ds.merge(targets)
    ds.attrs.update({k: _attr(v) for k, v in da.attrs.items()})
    ds[NAME].attrs = {k: _attr(v) for k, v in da.attrs.items()}
    # float32 keeps 7 significant digits of m3/s; random flows barely compress, so no gzip
    encoding = {NAME: {"dtype": "float32", "chunksizes": (1, da.sizes["time"], da.sizes["catchment"])}}
    ds.attrs.update(netcdf_signature(INFLOWS_KIND))
    with output_file(path, INFLOWS_KIND, overwrite=overwrite, option=option) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    return path


def _attr(v):
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    return v


def open_ensemble(path: str | Path) -> xr.Dataset:
    """Open an ensemble file as a Dataset (``inflow_m3s`` plus any ``target_*``)."""
    path = Path(path)
    if not path.is_file():
        raise InflowError(path, "", "no such file")
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except Exception as exc:  # noqa: BLE001 - any reading problem is the user's file
        raise InflowError(path, "", f"not a readable netCDF file: {exc}") from None
    if NAME not in ds:
        raise InflowError(path, NAME, "missing variable")
    dims = set(ds[NAME].dims)
    if dims != {"member", "time", "catchment"}:
        raise InflowError(path, NAME, f"dims must be member, time, catchment (got {sorted(dims)})")
    return ds


def read_ensemble(path: str | Path) -> xr.DataArray:
    """The ensemble DataArray ``(member, time, catchment)``, loaded into memory."""
    with open_ensemble(path) as ds:
        da = ds[NAME].load().astype(float)
    return da.transpose("member", "time", "catchment")


def load_member(path: str | Path, member: int) -> pd.DataFrame:
    """One member of an ensemble file as a DataFrame for `vakhsh run --inflows FILE --member K`.

    Index: month-start timestamps (``time``); columns: catchment ids; values: m3/s.
    ``member`` is the value of the ``member`` coordinate (0-based).
    """
    with open_ensemble(path) as ds:
        members = ds["member"].values
        if member not in set(int(m) for m in members):
            raise InflowError(path, "member", f"no member {member} (file has 0..{len(members) - 1})")
        da = ds[NAME].sel(member=member).load().astype(float)
    df = da.transpose("time", "catchment").to_pandas()
    df.index = pd.DatetimeIndex(df.index, name="time")
    df.columns = [str(c) for c in df.columns]
    df.columns.name = None
    return df
