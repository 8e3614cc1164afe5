"""The converged lower bound equals the deterministic equivalent (the whole scenario tree as
one LP, written in conftest.py from the full-horizon vakhsh LP only), and the simulated
mean agrees within its confidence interval.

The tree: toy-cascade over October-December at daily steps (three monthly stages) with a
dry and a wet outcome per stage, so every state kind is exercised: two reservoirs, the
battery's charge and the two days of water in transit on the delayed lower river. The
stages operate at fixed head here (as the equivalent): test_fpha.py converges FPHA stages.
"""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.network import load_network
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import build_sddp_model
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.stopping import BoundStalling, IterationLimit
from vakhsh.sddp.train import Trainer, train

FACTORS = [0.6, 1.4]


@pytest.fixture(scope="module")
def case(tmp_path_factory, helpers):
    net = load_network("toy-cascade", start="2024-10-01", end="2025-01-01")
    path = helpers.monthly_ensemble(net, np.array(FACTORS), tmp_path_factory.mktemp("de") / "e.nc")
    inflows = load_inflows(net, path)
    stages = helpers.month_stages(net)
    outcomes = [inflows.steps_m3s[:, steps, :] for steps in stages]
    return net, inflows, helpers.deterministic_equivalent(net, stages, outcomes)


_TRAINED: dict = {}  # policies trained in this module, by options (the same net each time)


def converge(net, inflows, **options):
    """Train to bound stalling; the stage LPs of `net`'s month stages are built once per
    module and every policy gets new HiGHS problems of them."""
    key = (id(net), tuple(sorted(options.items())))
    if key not in _TRAINED:
        opts = SDDPOptions(gap=None, forward_passes=2, head="fixed", **options)
        lps = next(
            (
                m.lps
                for (n, o), (m, _l) in _TRAINED.items()
                if n == id(net) and dict(o).get("stage", "month") == options.get("stage", "month")
            ),
            None,
        )
        model = build_sddp_model(net, inflows, opts, lps=lps)
        _TRAINED[key] = model, train(model, [IterationLimit(60), BoundStalling(6, 1e-10)])
    return _TRAINED[key]


@pytest.mark.parametrize("cut", ["single", "multi"])
def test_lower_bound_equals_the_deterministic_equivalent(case, cut):
    net, inflows, optimum = case
    _model, log = converge(net, inflows, cut=cut)
    assert log.stopped_by == "bound_stalling"
    assert log.lower_bound_usd == pytest.approx(optimum, rel=1e-6)
    # the bound never exceeds the optimum along the way (it is a lower bound)
    assert max(it.lower_bound_usd for it in log.iterations) <= optimum * (1 + 1e-9)


@pytest.mark.parametrize("cold", [True, False])
def test_simulated_mean_agrees_within_its_confidence_interval(case, cold):
    """The gap check's estimate, from scratch or warm (the default of the check): a warm
    solve may take another optimum of a degenerate stage, never a worse policy cost."""
    net, inflows, optimum = case
    model, _log = converge(net, inflows, cut="single")
    mean, ci = Trainer(model, np.random.default_rng(7)).simulate_sampled(200, cold=cold)
    assert ci > 0
    assert abs(mean - optimum) <= ci


def test_weekly_stages_converge_to_their_equivalent(tmp_path, helpers):
    net = load_network("toy-cascade", start="2024-10-01", end="2024-10-22")
    inflows = load_inflows(net, helpers.monthly_ensemble(net, np.array(FACTORS), tmp_path / "w.nc"))
    stages = helpers.week_stages(net)
    assert [len(s) for s in stages] == [7, 7, 7]
    outcomes = [inflows.steps_m3s[:, steps, :] for steps in stages]
    optimum = helpers.deterministic_equivalent(net, stages, outcomes)
    _model, log = converge(net, inflows, stage="week")
    assert log.lower_bound_usd == pytest.approx(optimum, rel=1e-6)


def test_worker_processes_reach_the_same_bound_and_simulate_the_same(case):
    """Two processes sharing the solves (one worker): the bound still equals the
    equivalent, and the gap's policy simulation gives the serial costs exactly (cold
    solves depend on the LP alone)."""
    from vakhsh.sddp.parallel import WorkerPool

    net, inflows, optimum = case
    model, log = converge(net, inflows, cut="multi", workers=2)
    assert log.lower_bound_usd == pytest.approx(optimum, rel=1e-6)
    serial = Trainer(model, np.random.default_rng(7)).simulate_sampled(40)
    with WorkerPool(model, 2) as pool:
        shared = Trainer(model, np.random.default_rng(7), pool).simulate_sampled(40)
    assert shared == serial
