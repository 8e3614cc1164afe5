"""Cases of a plan: shifted years, demand growth, inflow factors, climate, retirements."""

from __future__ import annotations

import numpy as np
import pytest

from vakhsh.errors import ModelError
from vakhsh.plan.cases import Member, PlanSpec, climate_inflows, default_members, load_cases


def test_years_shift_the_period_and_grow_the_load():
    spec = PlanSpec(
        years=(2030, 2032),
        demand_growth=0.1,
        inflow_factor={2032: 0.5},
        retire={"gas_south": 2032, "tie": 2032},
    )
    cases, years = load_cases("toy-cascade", spec)
    assert years == [2030, 2032]
    first, second = (c.net for c in cases)
    assert first.time[0].isoformat() == "2030-10-01T00:00:00"
    assert second.time[0].isoformat() == "2032-10-01T00:00:00"
    own = load_cases("toy-cascade", PlanSpec())[0][0].net
    ratio = float(second.series["loads"]["p_mw"].sum() / own.series["loads"]["p_mw"].sum())
    assert ratio == pytest.approx(1.1**8, rel=1e-9)  # 2024 -> 2032
    inflow = float(
        second.series["catchments"]["inflow_m3s"].sum()
        / first.series["catchments"]["inflow_m3s"].sum()
    )
    assert inflow == pytest.approx(0.5, rel=1e-3)  # same climatology, halved
    assert first.tables["generators"].loc["gas_south", "capacity_mw"] == 150
    assert second.tables["generators"].loc["gas_south", "capacity_mw"] == 0
    assert float(second.series["lines"]["capacity_mw"].sel(line="tie").max()) == 0


def test_climate_scenario_scales_its_months():
    cases, _ = load_cases("toy-cascade", PlanSpec())
    inflow = cases[0].net.series["catchments"]["inflow_m3s"]
    changed = climate_inflows(inflow, "julaug_cut_20")
    ratio = (changed / inflow).groupby(inflow["time"].dt.month).mean()
    expected = np.where(np.isin(np.arange(1, 13), [7, 8]), 0.8, 1.0)
    assert np.allclose(ratio.sel(catchment="headwaters").values, expected)
    with pytest.raises(ModelError):
        climate_inflows(inflow, "no_such_climate")


def test_default_members_come_from_scenarios():
    members = default_members("toy-cascade", 2)
    assert [m.scenario for m in members] == ["dry", "base"]
    with pytest.raises(ModelError):
        default_members("toy-cascade", 3)  # toy-cascade has no `wet`
    with pytest.raises(ModelError):
        default_members("toy-cascade", 2, weights=[1.0])
    cases, _ = load_cases(
        "toy-cascade",
        PlanSpec(members=(Member("dry", 3, scenario="dry"), Member("base", 1, scenario="base"))),
    )
    assert [c.weight for c in cases] == [0.75, 0.25]


def test_a_stages_file_with_a_typo_is_refused_naming_the_field(tmp_path):
    """`vakhsh plan --stages`: a misspelt field is an error with the right name offered,
    not a stage whose fixed cost silently became 0; every problem of the file at once."""
    from vakhsh.plan.cases import ReservoirStage, read_stages

    good = tmp_path / "good.yaml"
    good.write_text(
        "stage_2: {reservoir: upper, storage_max_hm3: 2500, capex_usd: 3.0e8,\n"
        "          lifetime_years: 60, fom_usd_per_year: 1.0e6}\n",
        encoding="utf-8",
    )
    assert read_stages(good) == {"stage_2": ReservoirStage("upper", 2500, 3.0e8, 60, 1.0e6)}
    bad = tmp_path / "stages.yaml"
    bad.write_text(
        "stage_2: {reservoir: upper, storage_max_hm3: 2500, capex_usd: 3.0e8,\n"
        "          lifetime_years: 60, fom_usd_per_yaer: 1000000}\n"
        "stage_3: {reservoir: upper, storage_max_hm3: 2600, capex_usd: -1,\n"
        "          lifetime_years: 60}\n",
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as err:
        read_stages(bad)
    lines = [str(p) for p in err.value.problems]
    assert (
        "stages.yaml: stage_2.fom_usd_per_yaer: unknown field; did you mean "
        "'fom_usd_per_year'? (1000000)" in lines
    ), lines
    assert any(line.startswith("stages.yaml: stage_3.capex_usd:") for line in lines), lines
    assert len(lines) == 2
