"""Builds over several investment years (lifetimes, potentials, myopic steps, binaries built
once) and operations with the builds fixed (the ranking's evaluations), by hand on the
one-day models of test_expansion.py."""

from __future__ import annotations

import pytest
from tests.plan.test_expansion import FUEL, fom_for, generator, one_bus

from vakhsh.plan import PlanSpec, plan


@pytest.mark.parametrize("myopic", [False, True])
@pytest.mark.parametrize("potential, second", [(120.0, 20.0), (100.0, 0.0)])
def test_a_candidates_potential_is_shared_by_its_build_years(
    write_model, myopic, potential, second
):
    # the load of test_builds_carried_forward_and_retired (100 MW in 2030, 150 in 2035) and
    # its cheap long-lived candidate, with at most `potential` MW built over both years:
    # 100 in 2030 leaves potential - 100 for 2035, gas the rest. Myopic, the 2035 step
    # knows what the 2030 step built.
    growth = 1.5 ** (1 / 5) - 1
    cand = generator(fom=fom_for(5), lifetime_years=30, max_build_mw=potential)
    folder = write_model(one_bus({"plant": cand}))
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth, myopic=myopic)
    result = plan(folder, spec, ranking=False, results=False)
    assert result.builds["plant"][2030] == pytest.approx(100.0, abs=1e-4)
    assert result.builds["plant"][2035] == pytest.approx(second, abs=1e-4)
    assert result.capacity_mw["plant"][2035] == pytest.approx(100.0 + second, abs=1e-4)


def test_a_lumpy_candidate_built_by_a_myopic_step_is_not_built_again(write_model):
    # a lumpy 100 MW unit, cheap and long-lived, built in 2030 for the 100 MW load; the 2035
    # step (150 MW) cannot build it again, not even a part of it: gas covers the 50 MW
    growth = 1.5 ** (1 / 5) - 1
    cand = generator(fom=fom_for(5), lifetime_years=30, max_build_mw=100, lumpy=True)
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth, myopic=True)
    result = plan(write_model(one_bus({"plant": cand})), spec, ranking=False, results=False)
    assert result.builds["plant"] == {2030: pytest.approx(100.0), 2035: 0.0}


def test_a_candidate_with_a_minimum_size_is_built_once(write_model):
    # a cheap unit of at least 60 MW with a 3-year life: a 2030 build (100 MW of load) has
    # retired by 2035 (150 MW). Without the rule it is built in both years; built once, it
    # is built for the year where it displaces more gas (2035), and gas carries 2030
    growth = 1.5 ** (1 / 5) - 1
    cand = generator(fom=fom_for(5), lifetime_years=3, min_build_mw=60, max_build_mw=400)
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth)
    result = plan(write_model(one_bus({"plant": cand})), spec, ranking=False, results=False)
    assert result.builds["plant"] == {2030: 0.0, 2035: pytest.approx(150.0)}
    assert result.capacity_mw["plant"][2030] == 0.0


@pytest.mark.parametrize(
    "myopic, lifetime, second",
    [(False, 30, 50.0), (True, 3, 150.0), (True, 30, 50.0), (False, 5, 150.0), (True, 5, 150.0)],
)
def test_builds_carried_forward_and_retired(write_model, myopic, lifetime, second):
    # load 100 MW in 2030 grows to 150 MW by 2035; a cheap candidate covers it. Built in
    # 2030 with a long life it stands in 2035 (50 MW more needed); with a 3-year life it
    # has retired by 2035 (all 150 MW built again), and with a 5-year life too: it stands
    # 2030-2034. Myopic, the 2035 step sees the 2030 build as a prior one.
    growth = 1.5 ** (1 / 5) - 1
    cand = generator(fom=fom_for(5), lifetime_years=lifetime)
    folder = write_model(one_bus({"plant": cand}))
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth, myopic=myopic)
    result = plan(folder, spec, ranking=False, results=False)
    assert result.builds["plant"][2030] == pytest.approx(100.0, abs=1e-4)
    assert result.builds["plant"][2035] == pytest.approx(second, abs=1e-4)
    assert result.capacity_mw["plant"][2035] == pytest.approx(150.0, abs=1e-4)


def test_ranking_operates_each_candidate_at_its_size_not_at_the_optimum(write_model):
    # solar at 10 USD per MW-hour (cf 0.5) is built: 200 MW. Wind at 60 (cf 0.5) is not (a
    # MW displaces 25 USD of gas an hour), nor the lumpy 150 MW unit at 40 (cf 1): solar
    # covers the 100 MW load for less. The ranking fixes each one's size and operates the
    # rest: wind at its 100 MW probe saves 50 MW of gas, the lumpy unit at its 150 MW all
    # of it, and the base system (nothing built) burns 100 MW of gas all day.
    candidates = {
        "solar": generator(fom=fom_for(10), cf=0.5, max_build_mw=1000),
        "wind": generator(fom=fom_for(60), cf=0.5, max_build_mw=1000),
        "lump": generator(fom=fom_for(40), max_build_mw=150, lumpy=True),
    }
    result = plan(write_model(one_bus(candidates)), results=False)
    assert result.builds["solar"][2030] == pytest.approx(200.0, abs=1e-4)
    assert result.builds["wind"][2030] == pytest.approx(0.0, abs=1e-4)
    assert result.builds["lump"][2030] == pytest.approx(0.0, abs=1e-4)
    rows = result.ranking.set_index("candidate")
    hours = 8760  # figures are annual
    expected = {  # size, annual cost, gas avoided (MW) when added alone
        "solar": (200.0, 200 * 10 * hours, 100.0),
        "wind": (100.0, 100 * 60 * hours, 50.0),
        "lump": (150.0, 150 * 40 * hours, 100.0),
    }
    for cid, (size, cost, avoided_mw) in expected.items():
        row = rows.loc[cid]
        assert row["size_mw"] == pytest.approx(size), cid
        assert row["annual_cost_usd"] == pytest.approx(cost, rel=1e-6), cid
        assert row["benefit_added_usd"] == pytest.approx(avoided_mw * FUEL * hours, rel=1e-6), cid
    # removing solar from the plan leaves the base system: all 100 MW of gas again
    assert rows.loc["solar", "benefit_removed_usd"] == pytest.approx(100 * FUEL * hours, rel=1e-6)
    assert rows.loc["wind", "benefit_removed_usd"] == 0.0


def test_builds_get_their_own_bounds_back_after_an_evaluation(write_model):
    # The solar of the ranking test is worth 200 MW. Operating the plan with nothing built,
    # or with 300 MW, fixes the build for that solve only: optimising again finds 200 MW.
    from vakhsh.plan.cases import load_cases
    from vakhsh.plan.expansion import PlanProblem
    from vakhsh.solve.options import SolveOptions

    folder = write_model(one_bus({"solar": generator(fom=fom_for(10), cf=0.5, max_build_mw=1000)}))
    problem = PlanProblem(*load_cases(folder, PlanSpec()), SolveOptions())
    for fixed in (0.0, 300.0):
        evaluated = problem.evaluate({"solar": {2030: fixed}})
        assert evaluated.sizes["solar"][2030] == pytest.approx(fixed, abs=1e-6)
        assert problem.optimise().sizes["solar"][2030] == pytest.approx(200.0, abs=1e-4)


def test_a_candidate_dearer_than_gas_in_every_year_is_never_built(write_model):
    # 55 USD per MW and hour of fixed cost against 50 USD/MWh of gas, in 2030 and in 2035:
    # built in neither year. (Each investment year's charge is a term of the objective;
    # the second year's left out, a mutant of investment_cost, made 2035's capacity free.)
    growth = 1.5 ** (1 / 5) - 1
    cand = generator(fom=fom_for(55), lifetime_years=30)
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth)
    result = plan(write_model(one_bus({"plant": cand})), spec, ranking=False, results=False)
    assert result.builds["plant"] == {
        2030: pytest.approx(0.0, abs=1e-6),
        2035: pytest.approx(0.0, abs=1e-6),
    }


def test_two_lumpy_candidates_are_each_built_once(write_model):
    # two lumpy 50 MW units, cheap and long-lived, for the 100 MW load of 2030 (150 MW in
    # 2035): both built in 2030, neither again; gas covers 2035's other 50 MW. ("Built
    # once" is per candidate: summed over candidates too, a mutant, it let one unit stand.)
    growth = 1.5 ** (1 / 5) - 1
    unit = generator(fom=fom_for(5), lifetime_years=30, max_build_mw=50, lumpy=True)
    spec = PlanSpec(years=(2030, 2035), demand_growth=growth)
    result = plan(write_model(one_bus({"a": unit, "b": unit})), spec, ranking=False, results=False)
    for cid in ("a", "b"):
        assert result.builds[cid] == {2030: pytest.approx(50.0), 2035: pytest.approx(0.0, abs=1e-6)}
