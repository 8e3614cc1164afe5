"""Validation runs every independent check: one load reports every problem of a model."""

from __future__ import annotations

import shutil

import pytest
import yaml

import vakhsh
from vakhsh.errors import ModelError
from vakhsh.network import embedded_datasets


def _load_problems(tmp_path, change) -> list[str]:
    folder = shutil.copytree(embedded_datasets()["toy-cascade"], tmp_path / "toy")
    raw = yaml.safe_load((folder / "model.yaml").read_text(encoding="utf-8"))
    change(raw)
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        vakhsh.load(folder)
    return [str(p) for p in err.value.problems]


def test_an_unknown_bus_on_a_plant_that_fails_elsewhere_and_four_other_errors(tmp_path):
    """Five problems, five lines: the plant's unknown bus is reported although the plant
    also fails its own validation (efficiency above 1)."""

    def change(raw):
        raw["hydro_plants"]["lower_hpp"].update(bus="NOWHERE", efficiency=2)
        raw["generators"]["gas_south"]["capacity_mw"] = -5
        raw["lines"]["tie"]["capcity_mw"] = 1
        raw["reservoirs"]["lower"]["storage_initial_hm3"] = 500

    lines = _load_problems(tmp_path, change)
    assert sorted(lines) == sorted(
        [
            "model.yaml: hydro_plants.lower_hpp.efficiency: Input should be less than or equal "
            "to 1 (2)",
            "model.yaml: hydro_plants.lower_hpp.bus: names no component (NOWHERE)",
            "model.yaml: generators.gas_south.capacity_mw: Input should be greater than or "
            "equal to 0 (-5)",
            "model.yaml: lines.tie.capcity_mw: unknown field; did you mean 'capacity_mw'? (1)",
            "model.yaml: reservoirs.lower.storage_initial_hm3: must lie within [storage_min_hm3, "
            "storage_max_hm3] = [50, 150] (500.0)",
        ]
    )


def test_a_missing_series_file_is_reported_when_the_time_block_is_wrong(tmp_path):
    """Without valid steps no series can be resolved, but its file is checked all the
    same: the bad end date, the missing file and the unknown column, at once."""

    def change(raw):
        raw["time"]["end"] = "2024-09-01"
        raw["loads"]["south_load"]["p_mw"] = "series:nofile.csv#x"
        raw["loads"]["north_load"]["p_mw"] = "series:load_mw.csv#nowhere"
        raw["hydro_plants"]["lower_hpp"]["bus"] = "NOWHERE"

    lines = _load_problems(tmp_path, change)
    assert len(lines) == 4, "\n".join(lines)
    assert (
        "model.yaml: time.end: must come after start (2024-09-01 00:00:00 <= "
        "2024-10-01 00:00:00)" in lines
    )
    assert any(
        line.startswith("nofile.csv: series file not found [loads.south_load.p_mw]")
        for line in lines
    )
    assert any(
        line.startswith("load_mw.csv: nowhere: column not found (named by loads.north_load.p_mw)")
        for line in lines
    ), "\n".join(lines)
    assert "model.yaml: hydro_plants.lower_hpp.bus: names no component (NOWHERE)" in lines
