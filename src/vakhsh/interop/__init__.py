"""Interoperability with PyPSA: networks in (`from_pypsa`) and out (`to_pypsa`).

PyPSA is an optional dependency (the `test` and `bench` extras install it); importing
this package does not import it.
"""

from __future__ import annotations


def to_pypsa(net, name=None):
    """The Network as a `pypsa.Network` at fixed head (see `vakhsh.interop.export`)."""
    from vakhsh.interop.export import to_pypsa as _to_pypsa

    return _to_pypsa(net, name=name)


def from_pypsa(network, out, overwrite: bool = False, source: str = "network"):
    """Write a PyPSA network as a vakhsh model folder `out` (see `vakhsh.interop.imports`)."""
    from vakhsh.interop.imports import from_pypsa as _from_pypsa

    return _from_pypsa(network, out, overwrite=overwrite, source=source)


__all__ = ["from_pypsa", "to_pypsa"]
