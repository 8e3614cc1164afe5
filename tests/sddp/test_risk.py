"""Risk measures: CVaR weights as SDDP.jl computes them, lambda = 1 is the expectation, and a
risk-averse policy trades a higher mean cost for a lower worst case."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from vakhsh.errors import ModelError
from vakhsh.network import embedded_datasets, load_network
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import build_sddp_model
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.risk import EAVaR, Expectation, cvar_weights, parse_risk, risk_value
from vakhsh.sddp.stopping import IterationLimit
from vakhsh.sddp.train import Trainer, train


def test_cvar_weights_match_sddp_jl():
    # SDDP.jl's AVaR(0.5) docstring: nominal [.1 .2 .3 .4], costs [5 4 6 2] -> [.2 .2 .6 0]
    p, cost = np.array([0.1, 0.2, 0.3, 0.4]), np.array([5.0, 4.0, 6.0, 2.0])
    np.testing.assert_allclose(cvar_weights(p, cost, 0.5), [0.2, 0.2, 0.6, 0.0])
    np.testing.assert_allclose(cvar_weights(p, cost, 1.0), p)
    np.testing.assert_allclose(cvar_weights(p, cost, 1e-9), [0, 0, 1, 0], atol=1e-6)


def test_eavar_is_the_convex_combination():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(7))
    cost = rng.normal(size=7)
    for lam, beta in ((0.0, 0.3), (0.4, 0.3), (1.0, 0.1)):
        measure = EAVaR(lam, beta)
        assert measure.adjust(p, cost).sum() == pytest.approx(1.0)
        # CVaR_beta by its primal formula: min_eta eta + E[(cost - eta)+] / beta
        etas = np.sort(cost)
        cvar = min(eta + p @ np.maximum(cost - eta, 0.0) / beta for eta in etas)
        assert risk_value(measure, p, cost) == pytest.approx(lam * p @ cost + (1 - lam) * cvar)


def test_parse_risk():
    assert isinstance(parse_risk("expectation"), Expectation)
    assert parse_risk("cvar:0.5,0.2") == EAVaR(0.5, 0.2)
    assert parse_risk("CVaR:1,1").spec == "cvar:1,1"
    for bad in ("cvar:2,0.5", "cvar:0.5,1.5", "cvar:0.5,0", "cvar:a,b", "entropic"):
        with pytest.raises(ModelError):
            parse_risk(bad)


@pytest.fixture(scope="module")
def nine_months(tmp_path_factory, helpers):
    """toy-cascade from October to June with the upper reservoir full at 1,600 hm3 and
    free to end at its minimum: how much water to keep for a dry spring is the question."""
    root = tmp_path_factory.mktemp("risk")
    folder = Path(shutil.copytree(embedded_datasets()["toy-cascade"], root / "toy"))
    raw = yaml.safe_load((folder / "model.yaml").read_text())
    raw["reservoirs"]["upper"].update(storage_initial_hm3=1600, storage_final_min_hm3=400)
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    net = load_network(folder, start="2024-10-01", end="2025-07-01")
    path = helpers.monthly_ensemble(net, np.array([0.3, 0.7, 1.1, 1.5]), root / "four.nc")
    return net, load_inflows(net, path)


@pytest.fixture(scope="module")
def trained(nine_months):
    """`trained(risk, iterations)`: the policy and log of `iterations` iterations (two
    forward passes each), trained once per risk measure for the module; every policy is
    built on the same stage LPs (they do not depend on the risk measure)."""
    net, inflows = nine_months
    cache, lps = {}, []

    def get(risk, iterations=12):
        if (risk, iterations) not in cache:
            options = SDDPOptions(risk=risk, forward_passes=2, gap=None, seed=3)
            model = build_sddp_model(net, inflows, options, lps=lps[0] if lps else None)
            lps.append(model.lps)
            cache[risk, iterations] = model, train(model, [IterationLimit(iterations)])
        return cache[risk, iterations]

    return get


def test_cvar_with_lambda_one_equals_the_expectation(trained):
    """Bound for bound, over iterations in which the cuts still change the bound."""
    _m1, expectation = trained("expectation")  # its first 8 iterations are an 8-iteration run
    _m2, cvar = trained("cvar:1,0.3", 8)
    bounds = [it.lower_bound_usd for it in expectation.iterations[:8]]
    assert len(set(bounds)) == len(bounds)  # the bound moved in every iteration
    assert [it.lower_bound_usd for it in cvar.iterations] == bounds


def test_risk_aversion_lowers_the_worst_case_and_raises_the_mean(trained):
    """Worst case: the driest outcome in every stage; mean: over 100 sampled paths, the
    same paths for both policies (50: the mean difference is many times its sampling
    noise, see the margins printed)."""
    worst, mean = {}, {}
    for risk in ("expectation", "cvar:0.2,0.25"):
        model, _log = trained(risk)
        trainer = Trainer(model, np.random.default_rng(11))
        worst[risk] = trainer.forward([0] * len(model.stages))[1]
        mean[risk] = np.mean(
            [trainer.forward(trainer.sample_path(), cold=False)[1] for _ in range(50)]
        )
    print(
        f"worst case falls by {worst['expectation'] - worst['cvar:0.2,0.25']:.4g} USD, "
        f"mean rises by {mean['cvar:0.2,0.25'] - mean['expectation']:.4g} USD"
    )
    assert worst["cvar:0.2,0.25"] < worst["expectation"] - 1e5
    assert mean["cvar:0.2,0.25"] > mean["expectation"] + 1e5
