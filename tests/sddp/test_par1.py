"""PAR(1) noise: the linear model is fitted as documented, the converged lower bound equals
the deterministic equivalent of the PAR(1) tree, and the previous inflow is a state."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from vakhsh.network import load_network
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import build_sddp_model
from vakhsh.sddp.noise import fit_par1
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.stopping import BoundStalling, IterationLimit
from vakhsh.sddp.train import train


def test_fit_recovers_a_linear_periodic_ar1():
    rng = np.random.default_rng(0)
    members, years, catchments = 40, 30, 2
    slope = np.array([[0.3, 0.8]] * 12)  # b[m, c]
    months = np.tile(np.arange(1, 13), years)
    q = np.zeros((members, len(months), catchments))
    q[:, 0] = 100
    for t in range(1, len(months)):
        q[:, t] = 50 + slope[months[t] - 1] * q[:, t - 1] + rng.normal(0, 5, (members, 2))
    np.testing.assert_allclose(fit_par1(q, months), slope, atol=0.05)
    # anti-persistence is clipped to none
    flipped = q.copy()
    flipped[:, 1::2] = 300 - flipped[:, 1::2]
    assert fit_par1(flipped, months).min() >= 0.0


@pytest.fixture(scope="module")
def par_case(tmp_path_factory, helpers):
    net = load_network("toy-cascade", start="2024-10-01", end="2025-01-01")
    rng = np.random.default_rng(0)
    months = 96  # eight years of two members: enough pairs per calendar month to fit
    z = np.zeros((2, months))
    for t in range(1, months):
        z[:, t] = 0.7 * z[:, t - 1] + rng.normal(0, 0.25, 2)
    factors = np.exp(z)[:, :, None] * np.ones((1, 1, 3))
    path = helpers.monthly_ensemble(
        net, factors, tmp_path_factory.mktemp("par") / "p.nc", months=months
    )
    return net, load_inflows(net, path)


def test_lower_bound_equals_the_deterministic_equivalent_of_the_par1_tree(par_case, helpers):
    net, inflows = par_case
    model = build_sddp_model(
        net, inflows, SDDPOptions(noise="par1", forward_passes=2, gap=None, head="fixed")
    )
    noise = model.noise
    assert noise.slopes[0].max() == 0 and noise.slopes[1:].min() > 0  # persistence fitted
    assert model.states.names[-3:] == [
        "inflow:headwaters",
        "inflow:side_valley",
        "inflow:tributary",
    ]
    log = train(model, [IterationLimit(60), BoundStalling(6, 1e-10)])
    # the tree written out path by path: each stage's mean inflow by the recursion
    # q[s] = b[s] q[s-1] + (q_k[s] - b[s] q_k[s-1]) from the members' own stage means q_k
    steps = inflows.steps_m3s
    means = np.stack([steps[:, st.steps].mean(axis=1) for st in model.stages], axis=1)
    stages = helpers.month_stages(net)
    paths = []
    for path in itertools.product(range(inflows.size), repeat=len(stages)):
        q = means[path[0], 0]
        flows = [np.repeat(q[None, :], len(stages[0]), axis=0)]
        for s in range(1, len(stages)):
            k = path[s]
            q = noise.slopes[s] * q + (means[k, s] - noise.slopes[s] * means[k, s - 1])
            assert np.all(q >= 0)  # no virtual inflow: the tree is the ordinary LP's
            flows.append(np.repeat(q[None, :], len(stages[s]), axis=0))
        paths.append((path, np.concatenate(flows)))
    optimum = helpers.deterministic_equivalent(net, stages, paths=paths)
    assert log.lower_bound_usd == pytest.approx(optimum, rel=1e-6)
