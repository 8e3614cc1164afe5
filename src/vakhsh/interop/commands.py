"""`vakhsh import pypsa` and `vakhsh export pypsa`: the command logic, apart from typer.

Both check their output path before reading anything, build the whole output aside and
put it in place in one step (vakhsh.outputs): bad input leaves nothing behind.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from vakhsh.errors import Problem, VakhshError

EXPORT_KIND = "pypsa"  # the kind of an exported network file (vakhsh.outputs)


class PyPSAMissing(VakhshError):
    """PyPSA is not installed."""


def _require_pypsa() -> None:
    try:
        import pypsa  # noqa: F401
    except ImportError:
        raise PyPSAMissing(
            "PyPSA is not installed: pip install 'pypsa>=1.4,<1.5' (or the project's test extra)"
        ) from None
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # PyPSA's notices about pandas' string dtype are not the user's business
    warnings.filterwarnings("ignore", category=FutureWarning, module="pypsa")


def import_pypsa(
    network: str | Path, out: str | Path, overwrite: bool = False
) -> tuple[Path, list[str]]:
    """Read a PyPSA netCDF file or CSV folder and write it as the model folder `out`.
    Returns the folder and the warnings (what was dropped, by name)."""
    from vakhsh.interop.imports import import_network, read_network, write_imported
    from vakhsh.network import load_network
    from vakhsh.outputs import check_folder, output_folder

    _require_pypsa()
    check_folder(out, "model", overwrite=overwrite, option="--out")
    n = read_network(network)
    imported = import_network(n, str(network))
    with output_folder(out, "model", overwrite=overwrite, option="--out") as tmp:
        write_imported(imported, tmp)
        load_network(tmp)  # the folder must validate before it is put in place
    return Path(out), imported.warnings


def export_pypsa(
    model: str,
    out: str | Path,
    overwrite: bool = False,
    scenario: str | None = None,
    start=None,
    end=None,
    step=None,
) -> Path:
    """Write a model as a PyPSA netCDF network at fixed head."""
    from vakhsh.interop.export import to_pypsa
    from vakhsh.network import load_network
    from vakhsh.outputs import check_file, netcdf_signature, output_file

    _require_pypsa()
    out = Path(out)
    # what is at the path first (a folder, a user's file, a read-only parent), then its name
    check_file(out, EXPORT_KIND, overwrite=overwrite, option="--out")
    if out.suffix.lower() != ".nc":
        from vakhsh.errors import ModelError

        raise ModelError(
            [Problem(str(out), "", "the exported network is a netCDF file: give --out NETWORK.nc")]
        )
    net = load_network(model, scenario=scenario, start=start, end=end, step=step)
    n = to_pypsa(net)
    with output_file(out, EXPORT_KIND, overwrite=overwrite, option="--out") as tmp:
        ds = n.export_to_netcdf(None)
        ds.attrs.update(netcdf_signature(EXPORT_KIND))
        ds.to_netcdf(tmp, engine="h5netcdf")
    return out
