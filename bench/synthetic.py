"""A scalable synthetic water-energy system for the LP benchmark (issue 3).

`generate(buses, reservoirs_per_bus, steps)` returns a `System`: plain tables and series,
deterministic for a given seed. Two writers read the same `System`:

- `write_vakhsh(system, folder)` writes a vakhsh model folder (shared/FORMAT.md: model.yaml and
  `time`-layout CSV series);
- `to_pypsa(system)` builds the equivalent PyPSA network at fixed head, using PyPSA's
  chained-reservoir pattern (a Store and a water Bus per reservoir, inflow as a fixed-output
  Generator, the turbine as a three-port Link, spill as a Link).

Both must be the same LP mathematically, so every convention below follows FORMAT.md:

- one bus per electricity region (ids `B0`, `B1`, ...), joined in a ring by lossless lines
  (two buses: a single line; one bus: none);
- each bus has a cascade of R reservoirs `b{bus}_r{i}`; reservoir i spills and turbines into
  reservoir i+1, the last one into the bus's sink `b{bus}_sea`;
- every reservoir has its own catchment `b{bus}_c{i}` (seasonal snowmelt shape + AR(1) noise);
- hydro at fixed head: `p_mw = 9.81e-3 * efficiency * flow_m3s * head_m`, turbine flow limited by
  `max_flow_m3s` and by `capacity_mw`; spill is free and unbounded;
- storage balance per step: `S_t = S_{t-1} + (inflows - outflows)_t * 3600 * step_h / 1e6` hm3,
  `storage_min <= S_t <= storage_max`, `S_T >= storage_initial` (the FORMAT default target);
- a gas generator (constant marginal cost), a solar generator (capacity factor series, an upper
  bound: curtailment allowed), a load and VoLL for unserved energy at each bus.

Units in PyPSA: electricity in MW / MWh. Water buses carry flow in m3/s, so a Store's energy is
in (m3/s)*h: `e = storage_hm3 / 0.0036`. The turbine Link's `efficiency` (bus1) is MW per m3/s,
`9.81e-3 * efficiency * head_m`; `efficiency2` (bus2, the next reservoir) is 1. Snapshot
weightings (objective, stores, generators) are the step length in hours, so costs are
USD/MWh * MW * h as in vakhsh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

G_MW = 9.81e-3  # MW per (m3/s * m) at efficiency 1 (FORMAT.md)
HM3_PER_M3S_HOUR = 3600 / 1e6  # 1 m3/s for one hour is 0.0036 hm3
START = pd.Timestamp("2025-01-01 00:00")
VOLL_USD_PER_MWH = 3000.0


def default_step_hours(steps: int) -> int:
    """The step length used when none is given: 1 h from 8,760 steps on, else 3 h.

    Issue 3 calls 2,190 steps a "3-hourly year"; 2,190 steps of 3 h cover 6,570 h (Jan 1 to
    Oct 1, 18:00), a whole year at that size would be 4 h. The LP's size depends only on the
    number of steps; pass `step_hours` explicitly to choose otherwise.
    """
    return 1 if steps >= 8760 else 3


@dataclass
class System:
    """Generated data: component tables (index = id) and series (index = step start)."""

    buses_n: int
    reservoirs_per_bus: int
    steps: int
    step_hours: int
    seed: int
    snapshots: pd.DatetimeIndex
    buses: pd.DataFrame  # voll_usd_per_mwh
    reservoirs: pd.DataFrame  # bus, position, storage_min/max/initial_hm3, downstream, sink
    plants: pd.DataFrame  # reservoir, to, bus, capacity_mw, max_flow_m3s, efficiency, head_m
    catchments: pd.DataFrame  # to
    generators: pd.DataFrame  # bus, carrier, capacity_mw, marginal_cost_usd_per_mwh
    loads: pd.DataFrame  # bus
    lines: pd.DataFrame  # from, to, capacity_mw
    inflow_m3s: pd.DataFrame  # columns = catchment ids
    load_mw: pd.DataFrame  # columns = load ids
    capacity_factor: pd.DataFrame  # columns = solar generator ids
    sinks: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"synthetic-{self.buses_n}x{self.reservoirs_per_bus}x{self.steps}"

    def mw_per_m3s(self) -> pd.Series:
        """Hydro plants' MW per m3/s of turbine flow at their fixed head."""
        p = self.plants
        return G_MW * p["efficiency"] * p["head_m"]


def _step_means(hourly: np.ndarray, step_hours: int) -> np.ndarray:
    """Mean over each step of an hourly array whose first axis is hours."""
    return hourly.reshape(-1, step_hours, *hourly.shape[1:]).mean(axis=1)


def _ar1(rng: np.random.Generator, n: int, k: int, phi: float, sigma: float) -> np.ndarray:
    """k independent AR(1) series of length n with stationary standard deviation sigma."""
    eps = rng.normal(0.0, sigma * math.sqrt(1 - phi * phi), size=(n, k))
    out = np.empty((n, k))
    out[0] = rng.normal(0.0, sigma, size=k)
    for i in range(1, n):  # n is days (<= a few hundred): cheap
        out[i] = phi * out[i - 1] + eps[i]
    return out


def generate(
    buses: int = 6,
    reservoirs_per_bus: int = 4,
    steps: int = 2190,
    step_hours: int | None = None,
    seed: int = 20260303,
) -> System:
    """A deterministic synthetic system; same arguments, same data, bit for bit."""
    if buses < 1 or reservoirs_per_bus < 1 or steps < 1:
        raise ValueError("buses, reservoirs_per_bus and steps must be at least 1")
    h = default_step_hours(steps) if step_hours is None else int(step_hours)
    rng = np.random.default_rng(seed)
    nb, nr = buses, reservoirs_per_bus
    hours = steps * h
    snapshots = pd.date_range(START, periods=steps, freq=f"{h}h")
    hourly = pd.date_range(START, periods=hours, freq="1h")
    doy = ((hourly - START) / pd.Timedelta(days=365)).to_numpy() % 1.0  # year fraction
    hod = hourly.hour.to_numpy() + 0.5  # hour of day, mid
    day = ((hourly - START) // pd.Timedelta(days=1)).to_numpy()
    ndays = int(day[-1]) + 1

    bus_ids = [f"B{b}" for b in range(nb)]

    # ---- loads: winter peak, morning and evening peaks, a little noise
    mean_load = rng.uniform(1000.0, 3000.0, nb)
    season = 1 + 0.20 * np.cos(2 * np.pi * (doy - 15 / 365))[:, None]
    daily = (
        1
        + 0.10 * np.exp(-(((hod - 8) / 2.0) ** 2))
        + 0.18 * np.exp(-(((hod - 19) / 2.5) ** 2))
        - 0.15 * np.exp(-(((hod - 3) / 3.0) ** 2))
    )[:, None]
    noise = 1 + 0.03 * rng.standard_normal((ndays, nb))[day]
    load = _step_means(mean_load * season * daily * noise, h).round(1)

    # ---- solar: day/night arc, summer-high season, daily clouds
    arc = np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None)[:, None]
    sun_season = 0.65 + 0.35 * np.sin(2 * np.pi * (doy - 80 / 365))[:, None]
    clouds = rng.uniform(0.45, 1.0, (ndays, nb))[day]
    cf = _step_means(np.clip(arc * sun_season * clouds, 0, 1), h).round(4)

    # ---- cascades: reservoir r of bus b is b{b}_r{r}; positions 0..nr-1 downstream
    res_ids = [f"b{b}_r{r}" for b in range(nb) for r in range(nr)]
    res_bus = np.repeat(bus_ids, nr)
    pos = np.tile(np.arange(nr), nb)
    sinks = [f"b{b}_sea" for b in range(nb)]
    downstream = [
        f"b{b}_r{r + 1}" if r + 1 < nr else f"b{b}_sea" for b in range(nb) for r in range(nr)
    ]
    # catchment mean flows: a large head catchment and smaller lateral inflows
    raw_mean = np.where(pos == 0, rng.uniform(80, 250, nb * nr), rng.uniform(5, 60, nb * nr))
    head = rng.uniform(40.0, 250.0, nb * nr).round(1)
    eff = rng.uniform(0.86, 0.93, nb * nr).round(3)
    k = G_MW * eff * head  # MW per m3/s
    cum = raw_mean.reshape(nb, nr).cumsum(axis=1).ravel()
    # scale catchments so that mean hydro energy is about 40 % of a bus's mean load
    scale = 0.40 * mean_load / (k * cum).reshape(nb, nr).sum(axis=1)
    mean_q = raw_mean * np.repeat(scale, nr)
    cum = mean_q.reshape(nb, nr).cumsum(axis=1).ravel()

    # snowmelt regime: low winter base flow, peak in June
    def melt(x):
        return 0.35 + 2.2 * np.exp(-(((x - 0.44) / 0.10) ** 2))

    shape = melt(doy) / melt(np.arange(8760) / 8760).mean()  # mean 1 over a calendar year
    daily_noise = np.exp(_ar1(rng, ndays, nb * nr, phi=0.9, sigma=0.25))[day]
    inflow = _step_means(mean_q * shape[:, None] * daily_noise, h).round(2)

    storage_days = np.where(pos == 0, rng.uniform(60, 150, nb * nr), rng.uniform(3, 20, nb * nr))
    smax = (mean_q.reshape(nb, nr).cumsum(axis=1).ravel() * storage_days * 86400 / 1e6).round(1)
    smin = (smax * rng.uniform(0.2, 0.4, nb * nr)).round(1)
    sinit = (smin + (smax - smin) * rng.uniform(0.3, 0.8, nb * nr)).round(1)
    max_flow = (cum * rng.uniform(1.3, 2.2, nb * nr)).round(1)
    # capacity a little below or above what max_flow gives: each limit binds somewhere
    capacity = (k * max_flow * rng.uniform(0.8, 1.1, nb * nr)).round(1)

    reservoirs = pd.DataFrame(
        {
            "bus": res_bus,
            "position": pos,
            "storage_min_hm3": smin,
            "storage_max_hm3": smax,
            "storage_initial_hm3": sinit,
            "downstream": downstream,
        },
        index=pd.Index(res_ids, name="reservoir"),
    )
    plants = pd.DataFrame(
        {
            "reservoir": res_ids,
            "to": downstream,
            "bus": res_bus,
            "capacity_mw": capacity,
            "max_flow_m3s": max_flow,
            "efficiency": eff,
            "head_m": head,
        },
        index=pd.Index([f"{r}_hpp" for r in res_ids], name="hydro_plant"),
    )
    catch_ids = [f"b{b}_c{r}" for b in range(nb) for r in range(nr)]
    catchments = pd.DataFrame({"to": res_ids}, index=pd.Index(catch_ids, name="catchment"))

    peak = load.max(axis=0)
    gen_rows = []
    for b, bus in enumerate(bus_ids):
        gen_rows.append(
            (
                f"b{b}_gas",
                bus,
                "gas",
                round(float(peak[b] * rng.uniform(0.7, 0.95)), 1),
                round(float(rng.uniform(35, 90)), 2),
            )
        )
        gen_rows.append(
            (
                f"b{b}_solar",
                bus,
                "solar",
                round(float(mean_load[b] * rng.uniform(0.3, 0.7)), 1),
                0.0,
            )
        )
    generators = pd.DataFrame(
        gen_rows, columns=["id", "bus", "carrier", "capacity_mw", "marginal_cost_usd_per_mwh"]
    ).set_index("id")
    loads = pd.DataFrame(
        {"bus": bus_ids}, index=pd.Index([f"b{b}_load" for b in range(nb)], name="load")
    )
    pairs = [] if nb == 1 else [(0, 1)] if nb == 2 else [(b, (b + 1) % nb) for b in range(nb)]
    lines = pd.DataFrame(
        [
            (
                f"line_b{a}_b{c}",
                bus_ids[a],
                bus_ids[c],
                round(float(0.5 * (mean_load[a] + mean_load[c]) * rng.uniform(0.1, 0.25)), 1),
            )
            for a, c in pairs
        ],
        columns=["id", "from", "to", "capacity_mw"],
    ).set_index("id")
    buses_df = pd.DataFrame(
        {"voll_usd_per_mwh": VOLL_USD_PER_MWH}, index=pd.Index(bus_ids, name="bus")
    )

    return System(
        buses_n=nb,
        reservoirs_per_bus=nr,
        steps=steps,
        step_hours=h,
        seed=seed,
        snapshots=snapshots,
        buses=buses_df,
        reservoirs=reservoirs,
        plants=plants,
        catchments=catchments,
        generators=generators,
        loads=loads,
        lines=lines,
        inflow_m3s=pd.DataFrame(inflow, index=snapshots, columns=catch_ids),
        load_mw=pd.DataFrame(load, index=snapshots, columns=list(loads.index)),
        capacity_factor=pd.DataFrame(
            cf, index=snapshots, columns=[f"b{b}_solar" for b in range(nb)]
        ),
        sinks=sinks,
    )


# --------------------------------------------------------------------------- vakhsh folder


def _yaml_scalar(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def _yaml_map(entries: dict[str, dict]) -> list[str]:
    out = []
    for name, fields in entries.items():
        body = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in fields.items())
        out.append(f"  {name}: {{{body}}}")
    return out


def _write_series(df: pd.DataFrame, path: Path) -> None:
    frame = df.copy()
    frame.index = frame.index.strftime("%Y-%m-%d %H:%M")
    frame.index.name = "time"
    frame.to_csv(path)  # floats written with repr precision: read back bit for bit


def write_vakhsh(system: System, folder: str | Path) -> Path:
    """Write the system as a vakhsh model folder (model.yaml + three series files)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    s = system
    end = s.snapshots[-1] + pd.Timedelta(hours=s.step_hours)
    lines = [
        "format: 1",
        f"name: {s.name}",
        f"description: Synthetic benchmark system of issue 3 (seed {s.seed}); written by "
        "bench/synthetic.py",
        "time:",
        f"  start: {s.snapshots[0]:%Y-%m-%d %H:%M:%S}",
        f"  end: {end:%Y-%m-%d %H:%M:%S}",
        f"  step: {s.step_hours}h",
        "currency: USD",
        "sinks:",
        *_yaml_map({k: {} for k in s.sinks}),
        "catchments:",
        *_yaml_map(
            {
                c: {"to": r.to, "inflow_m3s": f"series:inflow_m3s.csv#{c}"}
                for c, r in s.catchments.iterrows()
            }
        ),
        "reservoirs:",
        *_yaml_map(
            {
                rid: {
                    "storage_min_hm3": r.storage_min_hm3,
                    "storage_max_hm3": r.storage_max_hm3,
                    "storage_initial_hm3": r.storage_initial_hm3,
                    "spill_to": r.downstream,
                }
                for rid, r in s.reservoirs.iterrows()
            }
        ),
        "hydro_plants:",
        *_yaml_map(
            {
                pid: {
                    "reservoir": p.reservoir,
                    "to": p.to,
                    "bus": p.bus,
                    "capacity_mw": p.capacity_mw,
                    "max_flow_m3s": p.max_flow_m3s,
                    "efficiency": p.efficiency,
                    "head_m": p.head_m,
                }
                for pid, p in s.plants.iterrows()
            }
        ),
        "buses:",
        *_yaml_map({b: {"voll_usd_per_mwh": r.voll_usd_per_mwh} for b, r in s.buses.iterrows()}),
        "loads:",
        *_yaml_map(
            {
                lid: {"bus": r.bus, "p_mw": f"series:load_mw.csv#{lid}"}
                for lid, r in s.loads.iterrows()
            }
        ),
        "generators:",
        *_yaml_map(
            {
                gid: {
                    "bus": g.bus,
                    "carrier": g.carrier,
                    "capacity_mw": g.capacity_mw,
                    "marginal_cost_usd_per_mwh": g.marginal_cost_usd_per_mwh,
                    **(
                        {"capacity_factor": f"series:capacity_factor.csv#{gid}"}
                        if gid in s.capacity_factor.columns
                        else {}
                    ),
                }
                for gid, g in s.generators.iterrows()
            }
        ),
    ]
    if len(s.lines):
        lines += [
            "lines:",
            *_yaml_map(
                {
                    lid: {"from": r["from"], "to": r["to"], "capacity_mw": r.capacity_mw}
                    for lid, r in s.lines.iterrows()
                }
            ),
        ]
    (folder / "model.yaml").write_text("\n".join(lines) + "\n")
    _write_series(s.inflow_m3s, folder / "inflow_m3s.csv")
    _write_series(s.load_mw, folder / "load_mw.csv")
    _write_series(s.capacity_factor, folder / "capacity_factor.csv")
    return folder


# --------------------------------------------------------------------------- PyPSA network


def _pu(series: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """A nominal value per column (its maximum, at least 1) and the series per unit of it."""
    nom = series.max().clip(lower=1.0)
    return nom, series / nom


def to_pypsa(system: System, water_unit: str = "m3s"):
    """The same system as a PyPSA network at fixed head (chained-reservoir pattern).

    "m3s" is vakhsh's own export: the system written as a model folder, loaded and
    translated by `vakhsh.interop.to_pypsa` (the translation `vakhsh export pypsa` uses);
    "hm3" keeps this module's hand translation, a scaling knob.

    `water_unit` "m3s": water buses carry m3/s and stores hold (m3/s)*h (the default);
    "hm3": water buses carry hm3/h and stores hold hm3 (turbine efficiencies 1/0.0036 times
    larger). Same LP up to a scaling of the water columns; a knob to see how scaling matters.
    """
    import pypsa

    if water_unit not in ("m3s", "hm3"):
        raise ValueError(f"water_unit must be 'm3s' or 'hm3', not {water_unit!r}")
    if water_unit == "m3s":
        import tempfile

        import vakhsh
        from vakhsh.interop import to_pypsa as export

        with tempfile.TemporaryDirectory() as tmp:
            return export(vakhsh.load(write_vakhsh(system, Path(tmp) / "synthetic")))
    f = HM3_PER_M3S_HOUR if water_unit == "hm3" else 1.0  # water-bus units per m3/s

    s = system
    n = pypsa.Network()
    n.set_snapshots(s.snapshots)
    n.snapshot_weightings.loc[:, :] = float(s.step_hours)
    n.add("Carrier", ["AC", "water", "gas", "solar", "hydro", "inflow", "spill", "unserved"])

    n.add("Bus", s.buses.index, carrier="AC")
    res = s.reservoirs
    water = "W_" + res.index
    n.add("Bus", water, carrier="water")

    # reservoirs: storage in (m3/s)*h [or hm3]; bounds via e_min_pu, the last step carries the
    # end target
    u = HM3_PER_M3S_HOUR / f
    e_nom = res["storage_max_hm3"] / u
    e_min = pd.DataFrame(
        np.tile((res["storage_min_hm3"] / res["storage_max_hm3"]).to_numpy(), (s.steps, 1)),
        index=s.snapshots,
        columns=res.index,
    )
    e_min.iloc[-1] = (
        np.maximum(res["storage_min_hm3"], res["storage_initial_hm3"]) / res["storage_max_hm3"]
    ).to_numpy()
    n.add(
        "Store",
        res.index,
        bus=water,
        carrier="water",
        e_nom=e_nom.to_numpy(),
        e_initial=(res["storage_initial_hm3"] / u).to_numpy(),
        e_cyclic=False,
        e_min_pu=e_min,
    )

    # catchment inflows: generators with fixed output
    cat = s.catchments
    nom, pu = _pu(s.inflow_m3s[cat.index])
    n.add(
        "Generator",
        "inflow_" + cat.index,
        bus=("W_" + cat["to"]).to_numpy(),
        carrier="inflow",
        p_nom=nom.to_numpy() * f,
        marginal_cost=0.0,
        p_min_pu=pu.set_axis("inflow_" + cat.index, axis=1),
        p_max_pu=pu.set_axis("inflow_" + cat.index, axis=1),
    )

    # turbines: bus0 water -> bus1 power (MW per m3/s), bus2 next reservoir (efficiency 1)
    p = s.plants
    k = s.mw_per_m3s()
    inner = p["to"].isin(res.index)
    flow_nom = np.minimum(p["max_flow_m3s"], p["capacity_mw"] / k)  # both limits as one
    n.add(
        "Link",
        "turbine_" + p.index,
        bus0=("W_" + p["reservoir"]).to_numpy(),
        bus1=p["bus"].to_numpy(),
        bus2=np.where(inner, "W_" + p["to"], ""),
        efficiency=k.to_numpy() / f,
        efficiency2=np.where(inner, 1.0, 0.0),
        p_nom=flow_nom.to_numpy() * f,
        carrier="hydro",
    )

    # spill: a free, unbounded link to the next reservoir; into the sink, a free withdrawal
    spill_inner = res[res["downstream"].isin(res.index)]
    n.add(
        "Link",
        "spill_" + spill_inner.index,
        bus0=("W_" + spill_inner.index).to_numpy(),
        bus1=("W_" + spill_inner["downstream"]).to_numpy(),
        p_nom=np.inf,
        carrier="spill",
    )
    spill_last = res[~res["downstream"].isin(res.index)]
    n.add(
        "Generator",
        "spill_" + spill_last.index,
        bus=("W_" + spill_last.index).to_numpy(),
        p_nom=np.inf,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=0.0,
        carrier="spill",
    )

    # power: gas, solar, loads, unserved energy at VoLL, lines
    g = s.generators
    gas = g[g["carrier"] != "solar"]
    n.add(
        "Generator",
        gas.index,
        bus=gas["bus"].to_numpy(),
        carrier=gas["carrier"].to_numpy(),
        p_nom=gas["capacity_mw"].to_numpy(),
        marginal_cost=gas["marginal_cost_usd_per_mwh"].to_numpy(),
    )
    sol = g[g["carrier"] == "solar"]
    n.add(
        "Generator",
        sol.index,
        bus=sol["bus"].to_numpy(),
        carrier="solar",
        p_nom=sol["capacity_mw"].to_numpy(),
        marginal_cost=sol["marginal_cost_usd_per_mwh"].to_numpy(),
        p_max_pu=s.capacity_factor[sol.index],
    )
    ld = s.loads
    n.add("Load", ld.index, bus=ld["bus"].to_numpy(), p_set=s.load_mw[ld.index])
    lnom, lpu = _pu(s.load_mw[ld.index])
    n.add(
        "Generator",
        "unserved_" + ld.index,
        bus=ld["bus"].to_numpy(),
        carrier="unserved",
        p_nom=lnom.to_numpy(),
        marginal_cost=s.buses.loc[ld["bus"], "voll_usd_per_mwh"].to_numpy(),
        p_max_pu=lpu.set_axis("unserved_" + ld.index, axis=1),
    )
    if len(s.lines):
        n.add(
            "Link",
            s.lines.index,
            bus0=s.lines["from"].to_numpy(),
            bus1=s.lines["to"].to_numpy(),
            p_nom=s.lines["capacity_mw"].to_numpy(),
            p_min_pu=-1.0,
            efficiency=1.0,
            carrier="AC",
        )
    return n


if __name__ == "__main__":  # python bench/synthetic.py 2 2 48 bench/out/tiny
    import sys

    b, r, t = (int(x) for x in sys.argv[1:4])
    out = Path(sys.argv[4]) if len(sys.argv) > 4 else Path(f"bench/out/synthetic-{b}x{r}x{t}")
    print(write_vakhsh(generate(b, r, t), out))
