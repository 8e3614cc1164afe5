"""Inflow statistics, synthetic inflow ensembles and climate transforms.

* :mod:`~vakhsh.hydrology.records` — measured monthly records (GSIM files, ``inflow_records.csv``)
* :mod:`~vakhsh.hydrology.stats` — monthly statistics and target-vs-achieved comparison
* :mod:`~vakhsh.hydrology.par` — PAR(1) on log flows with spatially correlated residuals
* :mod:`~vakhsh.hydrology.kirsch_nowak` — Kirsch bootstrap, Nowak daily disaggregation
* :mod:`~vakhsh.hydrology.thin` — ensembles from a climatology and an annual CV
* :mod:`~vakhsh.hydrology.climate` — delta change, peak shift, named scenarios
* :mod:`~vakhsh.hydrology.ensemble` — the ``inflow_m3s`` DataArray, netCDF, ``load_member``
* :mod:`~vakhsh.hydrology.sources` — what a model folder offers; picks the generator
* :mod:`~vakhsh.hydrology.member` — one member in place of a model's inflows (``with_member``)

The command line (``vakhsh inflows generate|stats``) is :mod:`vakhsh.cli.inflows`.

Every fitted generator has ``generate(n_years, n_members, seed, start) -> xr.DataArray`` and
``target`` (the statistics it was fitted to).
"""

from vakhsh.hydrology.climate import (
    SCENARIOS,
    apply_scenario,
    delta_change,
    scale_volume,
    shift_peak,
)
from vakhsh.hydrology.ensemble import load_member, read_ensemble, write_ensemble
from vakhsh.hydrology.errors import InflowError
from vakhsh.hydrology.kirsch_nowak import disaggregate_daily, fit_kirsch
from vakhsh.hydrology.par import fit_par1
from vakhsh.hydrology.stats import compare, ensemble_stats, monthly_stats
from vakhsh.hydrology.thin import ThinParams, cv_with_fallback, estimate_thin_params, fit_thin

__all__ = [
    "SCENARIOS",
    "InflowError",
    "ThinParams",
    "apply_scenario",
    "compare",
    "cv_with_fallback",
    "delta_change",
    "disaggregate_daily",
    "ensemble_stats",
    "estimate_thin_params",
    "fit_kirsch",
    "fit_par1",
    "fit_thin",
    "load_member",
    "monthly_stats",
    "read_ensemble",
    "scale_volume",
    "shift_peak",
    "write_ensemble",
]
