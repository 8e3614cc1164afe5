"""Derive the monthly CSV series of the `central-asia` model from /work/shared/data.

Reproducible record of every computed series in this folder (see SOURCES.md). Run from the
repository root:  python src/vakhsh/datasets/central-asia/derive_series.py [SHARED_DATA_DIR]
It rewrites inflow_m3s.csv, water_demand_m3s.csv, water_demand_messageix_m3s.csv,
load_mw.csv, capacity_factor.csv, market_mw.csv, line_capacity_mw.csv,
sink_min_inflow_m3s.csv, min_release_m3s.csv and prints the scenario factors, plant
derivations and reach loss fractions.
Pure Python + pandas; no solver.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
RAW = SHARED / "hydro" / "raw"
MONTHS = np.arange(1, 13)
# days per month of the model year Oct 2024 - Sep 2025 (Feb 2025 has 28 days)
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
WINTER = np.isin(MONTHS, [10, 11, 12, 1, 2, 3])  # non-vegetation season Oct-Mar
SEC = DAYS * 86400.0


def annual_mean(q):
    """Day-weighted annual mean of 12 monthly rates."""
    return float(np.sum(np.asarray(q) * DAYS) / DAYS.sum())


def volume_km3(q, mask=None):
    q = np.asarray(q, dtype=float)
    m = np.ones(12, bool) if mask is None else mask
    return float(np.sum(q[m] * SEC[m]) / 1e9)


def load_gsim(name):
    rows = {}
    with open(RAW / name) as lines:
        for line in lines:
            if line.startswith(("#", "year")):
                continue
            p = line.strip().split(",")
            vals = []
            for v in p[1:13]:
                vals.append(None if (v == "NA" or v.endswith("*")) else float(v))
            rows[int(p[0])] = vals
    return rows


def dry_wet_ratios(name, y0, y1, n=3):
    """Monthly ratio of the mean of the n driest (wettest) complete calendar years to the climatology."""
    rows = {y: v for y, v in load_gsim(name).items() if y0 <= y <= y1}
    clim = np.array([np.mean([v[m] for v in rows.values() if v[m] is not None]) for m in range(12)])
    full = {y: np.array(v) for y, v in rows.items() if all(x is not None for x in v)}
    order = sorted(full, key=lambda y: full[y].mean())
    dry = np.mean([full[y] for y in order[:n]], axis=0) / clim
    wet = np.mean([full[y] for y in order[-n:]], axis=0) / clim
    return dry, wet, order[:n], order[-n:]


# ---------------------------------------------------------------- inflows (m3/s, month climatology)
garm = np.array(
    [110.0, 103.9, 111.1, 171.8, 313.3, 565.2, 829.8, 775.0, 415.9, 201.0, 150.0, 126.9]
)
uch_kurgan = np.array(
    [152.9, 151.4, 178.7, 319.3, 661.8, 963.4, 799.2, 514.3, 283.3, 230.0, 222.6, 176.2]
)
chinor = np.array([21.1, 24.8, 47.4, 166.3, 246.9, 258.8, 183.4, 84.0, 38.1, 27.1, 24.5, 23.6])
kokcha = np.array([62.4, 63.3, 80.4, 133.5, 225.0, 483.6, 510.7, 338.3, 185.7, 109.9, 86.1, 71.7])
kunduz = np.array([70.1, 65.9, 73.9, 78.1, 141.3, 319.7, 203.6, 54.8, 30.8, 70.9, 83.6, 81.9])
charvak = np.array([65.2, 63.4, 85.8, 225.4, 422.9, 548.3, 410.8, 232.9, 136.3, 100.0, 87.0, 73.2])
chatkal = np.array([37.6, 36.5, 49.2, 137.7, 261.6, 320.7, 215.3, 112.3, 68.2, 54.5, 48.9, 41.5])
pskem = np.array([24.0, 23.1, 30.7, 73.3, 139.4, 205.9, 180.1, 111.3, 61.3, 40.1, 32.8, 27.3])


def scaled(shape, target_mean):
    """Shape scaled so that the day-weighted annual mean equals target_mean."""
    return shape * target_mean / annual_mean(shape)


KM3_TO_M3S = 1e9 / (DAYS.sum() * 86400.0)
SYR_NATURAL_KM3 = 37.203  # UNESCO PC-CP vol. 11 (2003)
SYR_KZ_FORMATION_KM3 = 2.426  # UNESCO 2003, flow formed in Kazakhstan
naryn = uch_kurgan.copy()  # not scaled: see SOURCES.md `naryn`
chirchik = charvak.copy()
fergana_km3 = SYR_NATURAL_KM3 - volume_km3(naryn) - volume_km3(chirchik) - SYR_KZ_FORMATION_KM3

inflow = pd.DataFrame(
    {
        "month": MONTHS,
        "vakhsh": np.round(scaled(garm, 639.0), 1),  # Tutkaul MQ 639 m3/s, Garm shape
        "panj": np.round(scaled(kokcha, 1030.0), 1),  # Panj 1010-1050 m3/s (mid), Kokcha shape
        "kunduz": kunduz,  # measured Kulukh Tepa climatology
        "kafirnigan": np.round(scaled(chinor, 160.0), 1),  # Tartki 158-162 m3/s (mid), Chinor shape
        "surkhandarya": np.round(scaled(chinor, 50.0), 1),  # Manguzar 50 m3/s, Chinor shape
        "naryn": naryn,  # Uch-Kurgan 1938-1972 natural
        "fergana_lateral": np.round(scaled(chatkal, fergana_km3 * KM3_TO_M3S), 1),
        "chirchik": chirchik,  # Charvak natural inflow 1932-2015
        "syr_kz_lateral": np.round(scaled(pskem, SYR_KZ_FORMATION_KM3 * KM3_TO_M3S), 1),
    }
)

# ---------------------------------------------------------------- water demands (m3/s)
# MESSAGEix-CAS monthly profiles (m3/s, Jan..Dec), water_demand.csv
prof = {
    ("KZ", "syr"): [67, 92, 107, 157, 181, 199, 236, 169, 145, 104, 55, 57],
    ("KG", "syr"): [0, 0, 4, 3, 6, 10, 11, 10, 5, 5, 1, 0],
    ("TJ", "amu"): [94, 120, 169, 252, 311, 365, 447, 363, 210, 165, 146, 100],
    ("TJ", "syr"): [39, 58, 37, 46, 72, 81, 82, 78, 41, 15, 3, 22],
    ("TM", "amu"): [176, 375, 566, 547, 642, 734, 888, 782, 506, 343, 190, 157],
    ("UZ", "amu"): [178, 311, 509, 459, 629, 888, 1082, 875, 441, 325, 224, 218],
    ("UZ", "syr"): [81, 92, 194, 301, 355, 490, 554, 396, 172, 190, 80, 47],
}


def seasonal(profile, winter_km3, summer_km3):
    """Profile scaled separately in Oct-Mar and Apr-Sep to the two seasonal volumes."""
    p = np.asarray(profile, dtype=float)
    out = np.zeros(12)
    for mask, vol in ((WINTER, winter_km3), (~WINTER, summer_km3)):
        out[mask] = p[mask] * vol / volume_km3(p, mask)
    return out


# ICWC limits for the model year (water_demand.csv): non-growing Oct 2024-Mar/Apr 2025 and
# growing season 2025
demand = pd.DataFrame({"month": MONTHS})
demand["tj_amu_irrigation"] = seasonal(prof[("TJ", "amu")], 2.941, 7.003)
demand["tm_amu_karakum"] = seasonal(prof[("TM", "amu")], 6.5, 15.5)
demand["uz_amu_irrigation"] = seasonal(prof[("UZ", "amu")], 5.98, 16.020)
demand["uz_syr_fergana"] = seasonal(prof[("UZ", "syr")], 3.347, 8.8)
demand["tj_syr_sughd"] = seasonal(prof[("TJ", "syr")], 0.365, 1.905)
demand["kg_syr_fergana"] = seasonal(prof[("KG", "syr")], 0.047, 0.27)
demand["kz_dostyk_canal"] = seasonal(prof[("KZ", "syr")], 0.46, 0.909)
# Chirchik: net withdrawal Gazalkent 228.0 - Chinaz 103.6 = 124.4 m3/s, UZ Syr profile shape
demand["uz_chirchik_tashkent"] = scaled(np.asarray(prof[("UZ", "syr")], float), 228.0 - 103.6)
# Kazakh Syr below Shardara: growing season 3.7 km3 (thecentral.asia), Oct-Mar = model profile
kz = np.asarray(prof[("KZ", "syr")], dtype=float)
demand["kz_syr_kyzylorda"] = seasonal(kz, volume_km3(kz, WINTER), 3.7)
demand = demand.round(1)

# Scenario messageix_water_demand (issue #12, finding 6): the Amu irrigation demands at the
# MESSAGEix-CAS levels themselves (water_demand.csv, low-medium confidence: model inputs, not
# statistics), TJ 7.23 + TM 15.55 + UZ 16.19 = 38.97 km3/yr = 70.4 % of the ICWC limits 55.391
messageix = pd.DataFrame({"month": MONTHS})
for column, key in (
    ("tj_amu_irrigation", ("TJ", "amu")),
    ("tm_amu_karakum", ("TM", "amu")),
    ("uz_amu_irrigation", ("UZ", "amu")),
):
    messageix[column] = np.asarray(prof[key], dtype=float)

# ---------------------------------------------------------------- loads (MW)
HOURS = DAYS * 24.0
ANNUAL_TWH = {"TJ": 19.2, "KG": 19.0, "UZ": 76.9 / 0.96, "KZ": 115.068, "TM": 22.5 - 3.2}
WINTER_SHARE = {"TJ": 0.609, "KG": 0.537, "UZ": 0.509, "KZ": 0.528, "TM": 0.508}


def load_shape(share):
    """1 + a*cos(2*pi*(m-1)/12) (peak mid-January), a solved so the Oct-Mar energy share = share."""
    c = np.cos(2 * np.pi * (MONTHS - 1) / 12.0)
    w = HOURS
    # share = sum_w (1 + a c) / sum (1 + a c)  -> linear in a
    A, B = w[WINTER].sum(), (w * c)[WINTER].sum()
    C, D = w.sum(), (w * c).sum()
    a = (share * C - A) / (B - share * D)
    return 1 + a * c, a


load = pd.DataFrame({"month": MONTHS})
for bus, twh in ANNUAL_TWH.items():
    f, a = load_shape(WINTER_SHARE[bus])
    mw = f * twh * 1e6 / np.sum(f * HOURS)
    load[bus] = np.round(mw, 1)
    print(
        f"load {bus}: a={a:.3f} annual={np.sum(load[bus] * HOURS) / 1e6:.3f} TWh "
        f"winter share={np.sum((load[bus] * HOURS)[WINTER]) / np.sum(load[bus] * HOURS):.3f}"
    )

# ---------------------------------------------------------------- capacity factors
MID_DOY = np.array([15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349])


def ra_shape(lat_deg):
    """Extraterrestrial irradiation on a horizontal surface (FAO-56 eq. 21), mid-month day."""
    phi = math.radians(lat_deg)
    out = []
    for j in MID_DOY:
        dr = 1 + 0.033 * math.cos(2 * math.pi * j / 365)
        delta = 0.409 * math.sin(2 * math.pi * j / 365 - 1.39)
        ws = math.acos(-math.tan(phi) * math.tan(delta))
        out.append(
            24
            * 60
            / math.pi
            * 0.0820
            * dr
            * (
                ws * math.sin(phi) * math.sin(delta)
                + math.cos(phi) * math.cos(delta) * math.sin(ws)
            )
        )
    return np.array(out)


SOLAR_YIELD_KWH_PER_KW = 2200.0  # within 2,000-2,600 (notes.md s.4), Uzbek project yields
cf = pd.DataFrame({"month": MONTHS})
for col, lat in (("solar_tj", 38.0), ("solar_uz", 40.5), ("solar_kg", 41.0), ("solar_kz", 43.0)):
    s = ra_shape(lat)
    k = SOLAR_YIELD_KWH_PER_KW / np.sum(s * HOURS)
    cf[col] = np.round(s * k, 3)
# Uzbek hydro other than Charvak/Tuyamuyun: Chirchik at Gazalkent regulated shape (measured),
# energy = 8.3% x 76.9 TWh x (1671/2441) (capacity pro rata)
gazalkent = np.array(
    [86.2, 84.8, 114.4, 236.9, 424.5, 568.0, 467.6, 295.5, 159.9, 114.0, 99.2, 90.7]
)
uz_other_twh = 0.083 * 76.9 * 1671.0 / 2441.0
g = gazalkent / np.sum(gazalkent * HOURS) * uz_other_twh * 1e6 / 1671.0
cf["uz_other_hydro"] = np.round(g, 3)
print("uz_other_hydro TWh", uz_other_twh, "max cf", g.max())
# Dushanbe-2 CHP (400 MW): "up to 9 million kWh" a day with all four units in the heating
# season (mid-November to mid-March), "up to 4.2 million kWh" with two units outside it
# (asiaplus.tj/ru/node/259607); November and March are half heating season.
D2_FULL, D2_TWO_UNITS = 9.0e3 / 24 / 400.0, 4.2e3 / 24 / 400.0
d2 = np.full(12, D2_TWO_UNITS)
d2[np.isin(MONTHS, [12, 1, 2])] = D2_FULL
d2[np.isin(MONTHS, [11, 3])] = (D2_FULL + D2_TWO_UNITS) / 2
cf["dushanbe_2_chp"] = np.round(d2, 4)
print(
    "dushanbe_2 max energy GWh",
    round(float(np.sum(d2 * 400 * HOURS) / 1e3), 1),
    "Oct-Apr",
    round(float(np.sum((d2 * 400 * HOURS)[np.isin(MONTHS, [10, 11, 12, 1, 2, 3, 4])]) / 1e3), 1),
)
# Bishkek CHP must-run in the heating season: 320 MW on the heating schedule (24.kg 2017,
# "the generation of electricity will be 320 MW") of the 810 MW Kyrgyz coal capacity;
# heating season = October-March (heat supply began 5 Oct in 2021; its end is NOT FOUND).
cf["kg_coal_chp_must_run"] = np.where(WINTER, round(320.0 / 810.0, 4), 0.0)
# ... and at most what it was pushed to in the low-water year 2021 (24.kg/english/206814):
# 420 MW in winter, to be raised to 480 MW; 155 MW in summer
cf["kg_coal_chp"] = np.where(WINTER, round(480.0 / 810.0, 4), round(155.0 / 810.0, 4))
print(
    "kg_coal_chp must-run GWh",
    round(float(np.sum(cf["kg_coal_chp_must_run"] * 810 * HOURS) / 1e3), 1),
)

# ---------------------------------------------------------------- markets and sinks
market = pd.DataFrame(
    {"month": MONTHS, "pakistan_max_export": np.where((MONTHS >= 5) & (MONTHS <= 9), 1000.0, 0.0)}
)
# Tajikistan's power trade regime (SOURCES.md, "Power - lines"): no imports in the
# non-vegetation season and April ("imports small, mostly none since 2009"; transit refused
# in winters 2023-24 and January 2023); exports only in their published seasons and sizes.
MAY_SEP = (MONTHS >= 5) & (MONTHS <= 9)
MAY_AUG = (MONTHS >= 5) & (MONTHS <= 8)
JUN_AUG = (MONTHS >= 6) & (MONTHS <= 8)
line_cap = pd.DataFrame(
    {
        "month": MONTHS,
        # 300 MW radial line, summer only; winter exports 30-40 MWh/day (2023) -> 40/24 MW
        "tj_af_220kv": np.where(MAY_SEP, 300.0, round(40.0 / 24, 2)),
        # exports to UZ only May-Aug at 6-6.5 GWh/day (2023) -> 6.5/24 GW; nothing otherwise
        "tj_uz": np.where(MAY_AUG, round(6.5e3 / 24, 1), 0.0),
        # KG-TJ (MESSAGEix 82.4 MW): Tajik summer exports only (to KAZ 144.6 GWh in 2023)
        "kg_tj_backward": np.where(MAY_SEP, 82.4, 0.0),
        # CASA-1000 AC (1,300 MW): Kyrgyz summer exports to South Asia, 1 May - 30 Sep
        "casa_1000_datka_sughd": np.where(MAY_SEP, 1300.0, 0.0),
        # KZ-KG (MESSAGEix 508 MW): Kazakhstan supplies Kyrgyzstan September-May, Kyrgyzstan
        # returns power June-August (2021 flows; the trilateral protocols of 2025)
        "kz_kg": np.where(JUN_AUG, 0.0, 508.0),
        "kz_kg_backward": np.where(JUN_AUG, 508.0, 0.0),
    }
)
# Toktogul: the lowest of the published mid-summer outflows (345 m3/s on 12 Aug 2020; 454 on
# 31 Jul 2021; 416 on 8 Aug) as the irrigation release in July-August
release = pd.DataFrame({"month": MONTHS, "toktogul": np.where(np.isin(MONTHS, [7, 8]), 345.0, 0.0)})
sink = pd.DataFrame(
    {
        "month": MONTHS,
        "aral_sea_north": np.where(WINTER, np.round(1.6e9 / (SEC[WINTER].sum()), 1), 0.0),
    }
)

if __name__ == "__main__":
    for name, df in (
        ("inflow_m3s.csv", inflow),
        ("water_demand_m3s.csv", demand),
        ("water_demand_messageix_m3s.csv", messageix),
        ("load_mw.csv", load),
        ("capacity_factor.csv", cf),
        ("market_mw.csv", market),
        ("line_capacity_mw.csv", line_cap),
        ("sink_min_inflow_m3s.csv", sink),
        ("min_release_m3s.csv", release),
    ):
        df.to_csv(HERE / name, index=False)
    print("fergana_lateral km3", round(fergana_km3, 3), "m3/s", round(fergana_km3 * KM3_TO_M3S, 1))
    for c in inflow.columns[1:]:
        print(
            f"inflow {c}: mean {annual_mean(inflow[c]):.1f} m3/s, {volume_km3(inflow[c]):.2f} km3"
        )
    for c in demand.columns[1:]:
        print(
            f"demand {c}: {volume_km3(demand[c]):.3f} km3 (Oct-Mar {volume_km3(demand[c], WINTER):.3f})"
        )
    messageix_km3 = sum(volume_km3(messageix[c]) for c in messageix.columns[1:])
    print(
        f"messageix Amu demand: {messageix_km3:.3f} km3 = "
        f"{messageix_km3 / 55.391:.1%} of the ICWC limits 55.391 km3"
    )
    amu = ["vakhsh", "panj", "kunduz", "kafirnigan", "surkhandarya"]
    syr = ["naryn", "fergana_lateral", "chirchik", "syr_kz_lateral"]
    print("Amu natural km3", sum(volume_km3(inflow[c]) for c in amu))
    print("Syr natural km3", sum(volume_km3(inflow[c]) for c in syr))
    dv, wv, yd, yw = dry_wet_ratios("gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv", 1936, 1986)
    dn, wn, nd, nw = dry_wet_ratios("gsim_KG_0000005_Naryn_UchKurgan_monthly_mean.csv", 1938, 1972)
    print("dry years", yd, nd, "wet years", yw, nw)
    print("dry factors", list(np.round((dv + dn) / 2, 2)))
    print("wet factors", list(np.round((wv + wn) / 2, 2)))
    print(
        "solar annual CF",
        {c: round(float(np.sum(cf[c] * HOURS) / 8760), 3) for c in cf.columns[1:5]},
    )
    # Rogun's partial stage: published output 1,644 GWh (2023) and 1,219 GWh (2024) of 200 MW
    print("rogun capacity_factor", round((1644 + 1219) / 2 / (200 * 8.76), 3))
    # Amu Darya riverbed losses (cawater-info.net/amudarya/losses_e.htm, km3/yr): confluence ->
    # Kerki 1.2, Kerki -> Tuyamuyun 3.6, below Tuyamuyun 1.4, as fractions of the mean flow
    # through each reach (natural inflow less the ICWC withdrawals above it, plus returns)
    amu_km3 = sum(volume_km3(inflow[c]) for c in amu)
    q_middle = amu_km3 - volume_km3(demand["tj_amu_irrigation"]) * (1 - 0.1)
    q_kerki = q_middle - 1.2 - volume_km3(demand["tm_amu_karakum"])
    q_lower = q_kerki - 3.6 - volume_km3(demand["uz_amu_irrigation"])
    for reach, loss, q in (
        ("amu_darya_middle", 1.2, q_middle),
        ("amu_kerki_tuyamuyun", 3.6, q_kerki),
        ("amu_khorezm_delta", 1.4, q_lower),
    ):
        print(f"loss {reach}: {loss} / {q:.2f} km3 = {loss / q:.4f}")
    # Syr Darya channel loss below Kazaly (Kazalinsk): Kazhydromet's channel water balance of
    # 2009-2010 (Shivareva, journal.kazhydromet.kz article 1001) gives 23.7-70.5 m3/s lost from
    # Kazaly to Karateren; the lower figure, as a fraction of the mean flow into the reach
    # syr_to_aral (natural Syr inflow less the ICWC withdrawals, plus the returns that stay in
    # the river: 20 % of the Fergana and Dostyk withdrawals; Kyzylorda's go to the sea itself)
    syr_km3 = sum(volume_km3(inflow[c]) for c in syr)
    fergana = ["uz_syr_fergana", "tj_syr_sughd", "kg_syr_fergana", "kz_dostyk_canal"]
    q_syr = (
        syr_km3
        - sum(volume_km3(demand[c]) for c in fergana) * (1 - 0.2)
        - volume_km3(demand["uz_chirchik_tashkent"])
        - volume_km3(demand["kz_syr_kyzylorda"])
    )
    syr_loss = 23.7 / KM3_TO_M3S
    print(f"loss syr_to_aral: {syr_loss:.3f} / {q_syr:.2f} km3 = {syr_loss / q_syr:.4f}")
