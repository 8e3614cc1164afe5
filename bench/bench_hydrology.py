"""Benchmark: inflow ensemble generation, 1,000 members x 50 years x 20 gauges, monthly.

Run:  python bench/bench_hydrology.py [--members 1000] [--years 50] [--gauges 20] [--repeat 3]

The 20 gauges are the three GSIM gauges of tests/hydrology/data (Garm, Uch-Kurgan natural
period, Kokcha) each repeated with independent noise-free scaling, so the fitted model has a
realistic structure. Reports the best of --repeat wall times for fitting and for generating
with each method (PAR(1), Kirsch, thin), plus writing the netCDF file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.hydrology.ensemble import write_ensemble
from vakhsh.hydrology.kirsch_nowak import fit_kirsch
from vakhsh.hydrology.par import fit_par1
from vakhsh.hydrology.records import combine, read_gsim_monthly
from vakhsh.hydrology.thin import fit_thin

DATA = Path(__file__).resolve().parents[1] / "tests" / "hydrology" / "data"


def gauges(n: int) -> pd.DataFrame:
    files = [
        "gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv",
        "gsim_KG_0000005_Naryn_UchKurgan_monthly_mean.csv",
        "gsim_AF_0000009_Kokcha_Khojaghar_monthly_mean.csv",
    ]
    base = combine({f.split("_")[3]: read_gsim_monthly(DATA / f) for f in files})
    base.loc["1973":, base.columns[1]] = np.nan
    rng = np.random.default_rng(0)
    cols = {}
    for k in range(n):
        src = base.iloc[:, k % 3]
        # a different gauge of similar regime: scaled and perturbed by 5 % noise
        cols[f"g{k:02d}"] = src * rng.uniform(0.3, 3.0) * rng.lognormal(0, 0.05, len(src))
    return pd.DataFrame(cols)


def best(f, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--members", type=int, default=1000)
    p.add_argument("--years", type=int, default=50)
    p.add_argument("--gauges", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    rec = gauges(a.gauges)
    size = f"{a.members} members x {a.years} years x {a.gauges} gauges"
    t_fit, par = best(lambda: fit_par1(rec), a.repeat)
    t_gen, da = best(lambda: par.generate(a.years, a.members, seed=1), a.repeat)
    print(f"PAR(1)  fit {t_fit:6.2f} s   generate {size}: {t_gen:6.2f} s")
    kir_rec = rec.loc["1938":"1972", [c for i, c in enumerate(rec.columns) if i % 3 != 2]]
    t_fit, kir = best(lambda: fit_kirsch(kir_rec), a.repeat)
    t_gen, _ = best(lambda: kir.generate(a.years, a.members, seed=1), a.repeat)
    print(
        f"Kirsch  fit {t_fit:6.2f} s   generate {a.members} members x {a.years} years x {len(kir_rec.columns)} gauges: {t_gen:6.2f} s"
    )
    clim = rec.groupby(rec.index.month).mean()
    thin = fit_thin(clim, pd.Series(0.2, index=clim.columns))
    t_gen, _ = best(lambda: thin.generate(a.years, a.members, seed=1), a.repeat)
    print(f"thin                generate {size}: {t_gen:6.2f} s")
    with tempfile.TemporaryDirectory() as d:
        t_w, path = best(lambda: write_ensemble(da, Path(d) / "e.nc", par.target.to_dataset()), 1)
        print(f"write netCDF {path.stat().st_size / 1e6:.1f} MB: {t_w:6.2f} s")


if __name__ == "__main__":
    main()
