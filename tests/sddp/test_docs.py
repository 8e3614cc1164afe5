"""docs/sddp.md's figures are regenerated, never typed.

The worked toy example (bench/sddp_toy_example.py) is rerun here with real HiGHS solves:
its bound must equal the deterministic equivalent of its 8-path tree, its simulated mean
over the 8 paths (the whole tree) the bound, perfect foresight must be a lower bound per
member, and the doc's block must be what the script prints now. The Central Asia block
is too large a run for a test (bench/central_asia_sddp.py, minutes of CPU): the doc must
show the script's rendering of the committed figures, bench/central_asia_sddp.json.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


toy = _script("sddp_toy_example")
central_asia = _script("central_asia_sddp")


@pytest.fixture(scope="module")
def figures():
    return toy.figures()


def test_the_toy_bound_is_the_deterministic_equivalent(figures, helpers):
    from vakhsh.network import load_network

    net = load_network("toy-cascade", **toy.HORIZON)
    stages = helpers.month_stages(net)
    assert len(stages) == toy.MONTHS
    inflow = net.series["catchments"]["inflow_m3s"].to_pandas()
    clim = inflow.groupby(inflow.index.month).mean()
    outcomes = []
    for steps in stages:
        month = net.time[steps[0]].month
        base = np.repeat(clim.loc[month].to_numpy()[None], len(steps), axis=0)
        outcomes.append(np.stack([toy.DRY * base, toy.WET * base]))
    # the example's stages are fixed-head (bench/sddp_toy_example.py says why)
    optimum = helpers.deterministic_equivalent(net, stages, outcomes, production="fixed")
    assert figures["stopped_by"] == "bound_stalling"
    assert figures["lower_bound_usd"] == pytest.approx(optimum, rel=1e-6)
    # all 8 paths simulated: the policy's exact expectation, equal to the optimum
    assert figures["simulated_mean_usd"] == pytest.approx(optimum, rel=1e-6)
    members = figures["members"]
    assert len(members) == 8 and members["path"].is_unique
    assert (members["foresight_musd"] <= members["policy_musd"] + 1e-6).all()
    assert figures["foresight_mean_usd"] <= figures["simulated_mean_usd"]
    assert figures["audit_passed"]


def test_the_toy_block_of_the_doc_is_not_stale(figures):
    assert toy.docs_block() == toy.markdown(figures), (
        "docs/sddp.md is stale: run python bench/sddp_toy_example.py --write-docs"
    )


def test_the_central_asia_block_is_the_scripts_rendering_of_the_committed_figures():
    fig = json.loads(central_asia.FIGURES.read_text())
    doc = central_asia.DOC.read_text(encoding="utf-8")
    block = doc.split(central_asia.START, 1)[1].split(central_asia.END, 1)[0]
    assert block.strip("\n") == central_asia.markdown(fig).strip("\n"), (
        "docs/sddp.md is stale: run python bench/central_asia_sddp.py --docs-only"
    )
    assert set(fig["runs"]) == {"base", "glacier", "base-cvar"}
    for name in ("base", "glacier"):
        pf = fig["runs"][name]["perfect_foresight"]
        assert pf["cost_usd"]["mean"] <= fig["runs"][name]["cost_usd"]["mean"]
