"""Water values from the cut slopes equal finite differences of the expected cost when the
storage entering a stage moves (the cost computed independently, by the deterministic
equivalent of the remaining tree)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from vakhsh.network import embedded_datasets, load_network
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import build_sddp_model
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.stopping import BoundStalling, IterationLimit
from vakhsh.sddp.train import Trainer, train
from vakhsh.sddp.water_values import water_values

STEP_HM3 = 1.0


@pytest.fixture(scope="module")
def trained(tmp_path_factory, helpers):
    """toy-cascade over three months with heads and evaporation that do not depend on the
    initial storage (fixed head, no area curve) and no delay, so that the remaining tree
    from any storage is an ordinary model with that storage as its initial value."""
    root = tmp_path_factory.mktemp("wv")
    folder = Path(shutil.copytree(embedded_datasets()["toy-cascade"], root / "toy"))
    raw = yaml.safe_load((folder / "model.yaml").read_text())
    upper = raw["reservoirs"]["upper"]
    upper.pop("area_curve"), upper.pop("evaporation_mm_per_month")
    upper["storage_final_min_hm3"] = 700
    plant = raw["hydro_plants"]["upper_hpp"]
    plant.pop("tailwater_masl")
    plant["head_m"] = 90
    raw["reaches"]["lower_river"]["delay_steps"] = 0
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    net = load_network(folder, start="2024-10-01", end="2025-01-01")
    path = helpers.monthly_ensemble(net, np.array([0.5, 1.3]), root / "two.nc")
    inflows = load_inflows(net, path)
    model = build_sddp_model(net, inflows, SDDPOptions(forward_passes=2, gap=None))
    train(model, [IterationLimit(60), BoundStalling(6, 1e-10)])
    return folder, inflows, model


def remaining_cost(folder, inflows, model, helpers, storage: dict[str, float], soc) -> float:
    """Expected cost of stages 2 and 3 from the given storage, by the deterministic
    equivalent."""
    stage = model.stages[1]
    start = model.net.time[stage.start]
    net = load_network(folder, start=str(start), end="2025-01-01")
    tables = dict(net.tables)
    res = tables["reservoirs"].copy()
    for rid, value in storage.items():
        res.loc[rid, "storage_initial_hm3"] = value
    tables["reservoirs"] = res
    units = tables["storage_units"].copy()
    units["soc_initial_mwh"] = soc
    tables["storage_units"] = units
    net = dataclasses.replace(net, tables=tables)
    offset = stage.start
    stages = [np.arange(st.start, st.stop) - offset for st in model.stages[1:]]
    outcomes = [inflows.steps_m3s[:, st.steps, :] for st in model.stages[1:]]
    return helpers.deterministic_equivalent(net, stages, outcomes)


def test_water_values_are_finite_differences_of_the_expected_cost(trained, helpers):
    folder, inflows, model = trained
    trainer = Trainer(model, np.random.default_rng(0))
    x = trainer.solve(0, model.states.initial, outcome=0, cold=True).state_out
    states = model.states
    storage = {states.component[i]: float(x[i]) for i in states.positions("storage")}
    soc = float(x[states.positions("soc")][0])
    theta, grad = model.cuts[0].evaluate(x[None, :])
    base = remaining_cost(folder, inflows, model, helpers, storage, soc)
    assert theta[0] == pytest.approx(base, rel=1e-6)  # the cuts are exact at a trial point
    for i in states.positions("storage"):
        rid = states.component[i]
        value = -grad[0, i]  # USD per hm3
        below = remaining_cost(
            folder, inflows, model, helpers, {**storage, rid: storage[rid] - STEP_HM3}, soc
        )
        above = remaining_cost(
            folder, inflows, model, helpers, {**storage, rid: storage[rid] + STEP_HM3}, soc
        )
        left, right = (below - base) / STEP_HM3, (base - above) / STEP_HM3
        # the value of one more hm3 lies between the one-sided differences (a kink) and
        # equals them where the cost is smooth
        assert min(left, right) - 1e-6 * abs(left) <= value <= max(left, right) + 1e-6 * abs(left)
        assert value > 0


def test_the_water_values_table_reads_the_same_cuts(trained):
    _folder, _inflows, model = trained
    table = water_values(model, levels=5)
    assert list(table.columns) == ["stage", "reservoir", "storage_hm3", "value_usd_per_hm3"]
    assert len(table) == 2 * 2 * 5  # stages with a cost-to-go x reservoirs x levels
    states = model.states
    for (stage, rid), rows in table.groupby(["stage", "reservoir"]):
        s = [st.label for st in model.stages].index(stage)
        i = states.component.index(rid)
        points = np.repeat(states.initial[None, :], len(rows), axis=0)
        points[:, i] = rows["storage_hm3"].to_numpy()
        _v, grad = model.cuts[s].evaluate(points)
        np.testing.assert_allclose(rows["value_usd_per_hm3"], -grad[:, i])
        # convex cost-to-go: the value of water falls as storage rises
        assert np.all(np.diff(rows["value_usd_per_hm3"].to_numpy()) <= 1e-9)
    assert isinstance(table, pd.DataFrame)
