"""The small parts: stages, state, stopping rules, the cost-to-go of a set of cuts."""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.network import load_network
from vakhsh.sddp.cuts import CutStore
from vakhsh.sddp.stages import split_stages, stage_network
from vakhsh.sddp.state import state_space
from vakhsh.sddp.stopping import (
    BoundStalling,
    Iteration,
    IterationLimit,
    StatisticalGap,
    TimeLimit,
)


@pytest.fixture(scope="module")
def toy():
    return load_network("toy-cascade")


def test_month_and_week_stages(toy):
    months = split_stages(toy, "month")
    assert [s.label for s in months][:3] == ["2024-10", "2024-11", "2024-12"]
    assert [s.size for s in months] == [31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30]
    assert months[-1].stop == len(toy.time)
    weeks = split_stages(toy, "week")
    assert len(weeks) == 53 and {s.size for s in weeks[:-1]} == {7} and weeks[-1].size == 1
    assert all(a.stop == b.start for a, b in zip(weeks[:-1], weeks[1:], strict=True))


def test_a_stage_network_leaves_the_linking_quantities_to_state(toy):
    stage = split_stages(toy, "month")[2]
    sub = stage_network(toy, stage)
    assert len(sub.time) == 31 and sub.time[0] == toy.time[stage.start]
    assert (sub.tables["reservoirs"]["storage_initial_hm3"] == 0).all()
    assert (sub.tables["storage_units"]["soc_initial_mwh"] == 0).all()
    assert (sub.tables["reaches"]["initial_flow_m3s"] == 0).all()
    assert float(sub.series["catchments"]["inflow_m3s"].sum()) == 0.0
    # the full network is untouched
    assert toy.tables["reservoirs"].loc["upper", "storage_initial_hm3"] == 1200


def test_the_state_of_toy_cascade(toy):
    states = state_space(toy, inflow_state=True)
    assert states.names == [
        "storage:upper",
        "storage:lower",
        "soc:battery_south",
        "transit:lower_river:1",
        "transit:lower_river:2",
        "inflow:headwaters",
        "inflow:side_valley",
        "inflow:tributary",
    ]
    np.testing.assert_allclose(states.initial[:5], [1200, 100, 0, 40, 40])
    assert states.lower[0] == 400 and states.upper[0] == 2000 and states.upper[2] == 80


def log_of(bounds, time_s=None) -> list[Iteration]:
    return [Iteration(i + 1, b, b, time_s or i, i, 0, 0) for i, b in enumerate(bounds)]


class FixedSimulator:
    """The same cost for every check; `cold_mean`: what the paths cost solved cold."""

    def __init__(self, mean, ci, cold_mean=None):
        self.mean, self.ci, self.cold_mean = mean, ci, cold_mean
        self.calls: list[tuple[bool, bool]] = []  # (cold, same_paths) of each call

    def simulate_sampled(self, replications, cold=True, same_paths=False):
        self.calls.append((cold, same_paths))
        return (self.cold_mean if cold and self.cold_mean else self.mean), self.ci


def test_stopping_rules():
    sim = FixedSimulator(100.0, 5.0)
    assert not IterationLimit(3).should_stop(log_of([1, 2]), sim)
    assert IterationLimit(3).should_stop(log_of([1, 2, 3]), sim)
    assert TimeLimit(2.5).should_stop(log_of([1, 2, 3, 4]), sim)
    assert not TimeLimit(10).should_stop(log_of([1, 2, 3, 4]), sim)
    stall = BoundStalling(3, 1e-6)
    assert not stall.should_stop(log_of([1, 2, 3, 4, 5]), sim)
    assert stall.should_stop(log_of([1, 2, 5, 5, 5, 5]), sim)
    assert not stall.should_stop(log_of([5, 5, 5, 5]), sim)  # has never moved yet
    gap = StatisticalGap(0.01, replications=10, period=5, cold=True)
    log = log_of([90, 95, 98, 99, 99.5])
    assert gap.should_stop(log, sim) and sim.calls == [(True, False)]  # 0.5 % < 1 %
    assert log[-1].simulated_mean_usd == 100 and log[-1].simulated_ci95_usd == 5
    assert not gap.should_stop(log_of([90, 95, 98, 99]), sim) and len(sim.calls) == 1
    assert not StatisticalGap(0.01, 10, 1).should_stop(log_of([50]), sim)


def test_a_warm_gap_check_stops_only_when_its_paths_solved_cold_agree():
    warm = StatisticalGap(0.01, replications=10, period=1)  # warm by default
    far = FixedSimulator(100.0, 5.0)
    assert not warm.should_stop(log_of([50]), far) and far.calls == [(False, False)]
    # the warm screen closes the gap; the same paths solved cold cost more: go on
    cold_costs_more = FixedSimulator(100.0, 5.0, cold_mean=102.0)
    log = log_of([99.5])
    assert not warm.should_stop(log, cold_costs_more)
    assert cold_costs_more.calls == [(False, False), (True, True)]
    assert log[-1].simulated_mean_usd == 102.0  # the cold mean is what is logged
    agree = FixedSimulator(100.0, 5.0, cold_mean=100.2)
    assert warm.should_stop(log_of([99.5]), agree)


def test_cost_to_go_of_single_and_multi_cuts():
    single = CutStore(n_state=1, lower_usd=0.0)
    single.add(10.0, np.array([-1.0]), -1, 1)  # 10 - x
    single.add(4.0, np.array([-0.25]), -1, 1)  # 4 - x / 4
    value, grad = single.evaluate(np.array([[0.0], [12.0], [20.0]]))
    np.testing.assert_allclose(value, [10.0, 1.0, 0.0])  # the last is the lower bound
    np.testing.assert_allclose(grad[:, 0], [-1.0, -0.25, 0.0])
    multi = CutStore(n_state=1, lower_usd=0.0, outcomes=2)
    multi.add(10.0, np.array([-1.0]), 0, 1)
    multi.add(20.0, np.array([-2.0]), 1, 1)
    multi.add_risk_set(np.array([0.5, 0.5]))
    assert not multi.add_risk_set(np.array([0.5, 0.5]))  # known already
    value, grad = multi.evaluate(np.array([[2.0]]))
    assert value[0] == pytest.approx(0.5 * 8 + 0.5 * 16)
    assert grad[0, 0] == pytest.approx(-1.5)
    multi.add_risk_set(np.array([0.0, 1.0]))  # a risk-averse distribution seen later
    value, _grad = multi.evaluate(np.array([[2.0]]))
    assert value[0] == pytest.approx(16.0)


def test_ensemble_steps_are_the_members_of_vakhsh_run(tmp_path, helpers):
    """Each member on the run's steps as `vakhsh run --inflows F --member K` has it, a
    scenario's inflow factors included (central-asia's dry scenario)."""
    from vakhsh.hydrology.member import with_member
    from vakhsh.sddp.inflows import load_inflows

    net = load_network("central-asia", scenario="dry", start="2024-10-01", end="2025-01-01")
    assert net.inflow_factor_by_month is not None
    rng = np.random.default_rng(2)
    path = helpers.monthly_ensemble(net, rng.uniform(0.5, 1.5, (2, 3, 1)), tmp_path / "e.nc")
    ensemble = load_inflows(net, path)
    for k in range(2):
        expected = with_member(net, path, k).series["catchments"]["inflow_m3s"]
        np.testing.assert_allclose(
            ensemble.steps_m3s[k], expected.transpose("time", "catchment").values, rtol=1e-12
        )


def test_stage_problems_solve_after_a_multithreaded_highs_solve(tmp_path, helpers):
    """HiGHS sizes one thread scheduler per process at its first solve; a solve with the
    default threads before the threads=1 stage problems must not stop them."""
    import highspy

    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(1, np.array([0.0]), np.array([1.0]))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    net = load_network("toy-cascade", start="2024-10-01", end="2024-10-08")
    inflows = load_inflows(
        net, helpers.monthly_ensemble(net, np.array([0.8, 1.2]), tmp_path / "e.nc")
    )
    model = build_sddp_model(net, inflows, SDDPOptions(gap=None))  # solves every stage
    assert model.problems[0].failures == [] and model.problems[0].retries == 0


def test_a_gap_check_due_at_the_iteration_limit_still_runs(tmp_path, helpers):
    """Training stopped by its iteration limit at an iteration where the statistical gap
    is due still reports that gap (the last policy's, not one from `period` earlier)."""
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.train import train

    net = load_network("toy-cascade", start="2024-10-01", end="2024-12-01")
    inflows = load_inflows(
        net, helpers.monthly_ensemble(net, np.array([0.6, 1.4]), tmp_path / "e.nc")
    )
    model = build_sddp_model(net, inflows, SDDPOptions(gap=None))
    log = train(model, [IterationLimit(4), StatisticalGap(1e-12, replications=3, period=2)])
    assert log.stopped_by == "iteration_limit" and len(log.iterations) == 4
    checked = [it.iteration for it in log.iterations if it.simulated_mean_usd is not None]
    assert checked == [2, 4]
    assert log.iterations[-1].gap is not None


def test_training_reads_only_what_it_needs_and_trains_the_same_policy(tmp_path, helpers):
    """The backward pass reads the objective and the state duals, the forward pass the
    column values (`StageProblem.solve(values=..., duals=...)`): the cuts, lower bounds
    and forward costs equal, bit for bit, those of a training that reads every column's
    value and dual at every solve (the code before the partial reads), single and
    multi-cut."""
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.train import Trainer, _train

    class ReadsEverything(Trainer):
        def solve(self, *args, **kwargs):
            kwargs.update(values=True, duals=True)
            return super().solve(*args, **kwargs)

    net = load_network("toy-cascade", start="2024-10-01", end="2025-01-01")
    rng = np.random.default_rng(3)
    path = helpers.monthly_ensemble(net, rng.uniform(0.4, 1.6, (3, 3, 1)), tmp_path / "e.nc")
    inflows = load_inflows(net, path)
    for cut in ("single", "multi"):
        logs, cuts = [], []
        for kind in (Trainer, ReadsEverything):
            options = SDDPOptions(gap=None, cut=cut, forward_passes=2, seed=5)
            model = build_sddp_model(net, inflows, options)
            logs.append(_train(kind(model, np.random.default_rng(5)), [IterationLimit(4)], None))
            cuts.append([store.arrays() for store in model.cuts])
        partial, whole = logs
        assert [it.lower_bound_usd for it in partial.iterations] == [
            it.lower_bound_usd for it in whole.iterations
        ]
        assert [it.forward_cost_usd for it in partial.iterations] == [
            it.forward_cost_usd for it in whole.iterations
        ]
        assert sum(len(a) for a, _b, _o in cuts[0]) > 0
        for (a0, b0, o0), (a1, b1, o1) in zip(cuts[0], cuts[1], strict=True):
            np.testing.assert_array_equal(a0, a1)
            np.testing.assert_array_equal(b0, b1)
            np.testing.assert_array_equal(o0, o1)
