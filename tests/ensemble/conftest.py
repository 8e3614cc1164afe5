"""Fixtures: one LocalCluster shared by the ensemble and frontier tests, small models."""

from __future__ import annotations

from pathlib import Path

import pytest

ANALYTIC = """\
format: 1
name: two-step
description: >-
  One reservoir holding W = 10 hm3, a winter day and a summer day; its water is either
  turbined in winter (Tajik winter energy) or withdrawn in summer (downstream irrigation),
  so the frontier is the line y = W - x / a with a = GWh per hm3 at the fixed head.
time: {start: 2025-03-31, end: 2025-04-02, step: 1D}
currency: USD
discount_rate: 0.0
sinks:
  out: {}
reservoirs:
  lake: {storage_min_hm3: 0, storage_max_hm3: 100, storage_initial_hm3: 10,
         storage_final_min_hm3: 0, spill_to: out}
hydro_plants:
  hpp: {reservoir: lake, to: out, bus: B, capacity_mw: 1000000, max_flow_m3s: 1000,
        efficiency: 1.0, head_m: 100}
water_demands:
  fields: {node: lake, country: Uzbekistan, demand_m3s: 1000, shortage_cost_usd_per_hm3: 1,
           return_fraction: 0.25, return_to: out}
buses:
  B: {country: TJ, voll_usd_per_mwh: 1000}
markets:
  grid: {bus: B, price_usd_per_mwh: 0, max_export_mw: 1000000}
"""


@pytest.fixture(scope="session")
def client():
    """Two single-threaded worker processes, as on the 2-core CI machine."""
    from vakhsh.ensemble.executor import local_client

    c = local_client(2)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.fixture
def analytic_model(tmp_path: Path) -> Path:
    folder = tmp_path / "two-step"
    folder.mkdir()
    (folder / "model.yaml").write_text(ANALYTIC, encoding="utf-8")
    return folder
