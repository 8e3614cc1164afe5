"""The web app's pieces that need no server: names, fields, problem attribution, zips."""

from __future__ import annotations

import asyncio
import io
import stat
import zipfile
from pathlib import Path

import pytest

from vakhsh.app.catalogue import Cache
from vakhsh.app.fields import field_catalogue, unit_shown
from vakhsh.app.requests import request_field
from vakhsh.app.upload import unpack
from vakhsh.app.workdir import BadName, Workdir, WorkdirError, check_name, inside
from vakhsh.errors import ModelError, Problem
from vakhsh.network import embedded_datasets
from vakhsh.schema.parse import read_yaml


@pytest.mark.parametrize(
    "name", ["..", ".", ".hidden", "a/b", "a\\b", "", "a" * 101, "a..b", "-x", "x\x00", "é"]
)
def test_names_that_could_be_paths_are_refused(name):
    with pytest.raises(BadName):
        check_name(name, "id")


def test_inside_refuses_links_out(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "out").symlink_to("/etc")
    assert inside(tmp_path / "runs", "ok") == (tmp_path / "runs" / "ok").resolve()
    with pytest.raises(BadName):
        inside(tmp_path / "runs", "out")


def test_workdir_is_created_marked_and_reopened(tmp_path):
    work = Workdir.open(tmp_path / "w")
    assert (work.root / ".vakhsh-output.json").is_file()
    (work.staging / "left-by-a-killed-server").mkdir()
    Workdir.open(tmp_path / "w")  # reopening empties the staging folder, nothing else
    assert not any(work.staging.iterdir()) and work.runs.is_dir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(WorkdirError):
        Workdir.open(tmp_path / "mine")
    with pytest.raises(WorkdirError):
        Workdir.open(tmp_path / "mine" / "notes.txt")


def test_fields_carry_the_registry_type_unit_default_and_written_value():
    raw = read_yaml(embedded_datasets()["toy-cascade"] / "model.yaml")
    fields = {f["path"]: f for f in field_catalogue(raw)}
    price = fields["markets.neighbour.price_usd_per_mwh"]
    assert (price["type"], price["unit"]) == ("number ≥ 0 or series reference", "USD/MWh")
    assert fields["reaches.lower_river.delay_steps"]["type"] == "whole number ≥ 0"
    assert fields["reaches.lower_river.from"]["value"] == "confluence"
    assert (
        fields["storage_units.battery_south.efficiency_roundtrip"]["type"] == "fraction in [0, 1]"
    )
    assert fields["reservoirs.lower.spill_cost_usd_per_hm3"]["default"] == 0.0
    assert fields["reservoirs.upper.storage_final_min_hm3"]["default"] == "= storage_initial_hm3"
    assert fields["reservoirs.upper.storage_initial_hm3"]["required"]
    assert unit_shown("m3/s") == "m³/s"


@pytest.mark.parametrize(
    ("problem", "field"),
    [
        (Problem("run options", "time.end", "x"), "end"),
        (Problem("run options", "time", "naive"), "start"),
        (Problem("request", "start", "x"), "start"),
        (Problem("overrides", "set.a.b.c", "x"), "set.a.b.c"),
        (
            Problem("model.yaml", "reservoirs.upper.storage_min_hm3", "x"),
            "set.reservoirs.upper.storage_min_hm3",
        ),
        (Problem("model.yaml", "scenarios.dry", "no such scenario"), "scenario"),
        (Problem("model.yaml", "reservoirs.lower.storage_min_hm3", "x"), "model"),
    ],
)
def test_problems_are_attributed_to_the_request_field(problem, field):
    request = {"scenario": "dry", "set": {"reservoirs.upper.storage_min_hm3": 1}}
    assert request_field(problem, request) == field


def _zip(tmp_path: Path, names: dict[str, bytes], mode: int | None = None) -> Path:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in names.items():
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def test_unpack_finds_the_model_in_its_top_folder(tmp_path):
    (tmp_path / "t").mkdir()
    root = unpack(_zip(tmp_path, {"m/model.yaml": b"x", "m/a.csv": b"1"}), tmp_path / "t")
    assert root == tmp_path / "t" / "m" and (root / "a.csv").read_bytes() == b"1"


@pytest.mark.parametrize(
    ("names", "mode", "message"),
    [
        ({"../x": b"", "model.yaml": b""}, None, "leaves the folder"),
        ({"/x": b"", "model.yaml": b""}, None, "absolute"),
        ({"x": b"/etc", "model.yaml": b""}, stat.S_IFLNK | 0o777, "symbolic link"),
        ({"x": b"", "model.yaml": b""}, stat.S_IFIFO | 0o600, "not a plain file"),
    ],
)
def test_unpack_refuses_unsafe_entries_before_writing_anything(tmp_path, names, mode, message):
    (tmp_path / "t").mkdir()
    with pytest.raises(ModelError) as info:
        unpack(_zip(tmp_path, names, mode), tmp_path / "t")
    assert message in str(info.value)
    assert not any((tmp_path / "t").iterdir())


def test_unpack_refuses_what_is_not_a_zip(tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(io.BytesIO(b"PK\x03\x04garbage").getvalue())
    (tmp_path / "t").mkdir()
    with pytest.raises(ModelError, match="not a zip file"):
        unpack(path, tmp_path / "t")


def test_cache_shares_one_computation_between_concurrent_requests():
    calls = []

    async def compute():
        calls.append(1)
        await asyncio.sleep(0.05)
        return 42

    async def main():
        cache = Cache(size=2)
        values = await asyncio.gather(*(cache.get("k", compute) for _ in range(10)))
        assert values == [42] * 10 and len(calls) == 1
        await cache.get("a", compute)
        await cache.get("b", compute)
        assert "k" not in cache.values  # the oldest went

    asyncio.run(main())


def test_outputs_are_found_by_the_file_each_kind_writes(tmp_path):
    from vakhsh.app.folders import find_outputs, output_detail

    (tmp_path / "ensembles" / "dry").mkdir(parents=True)
    (tmp_path / "ensembles" / "dry" / "ensemble.json").write_text("{}")
    (tmp_path / "ensembles" / "dry" / "aggregates.csv").write_text("metric,mean\ncost,1.5\n")
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / ".vakhsh-output.json").write_text('{"kind": "sddp"}')
    (tmp_path / "sddp" / "dry" / "policy").mkdir(parents=True)  # as `vakhsh sddp` writes
    (tmp_path / "sddp" / "dry" / "policy" / "policy.json").write_text("{}")
    (tmp_path / "sddp" / "dry" / "summary.json").write_text('{"sddp": {"iterations": 3}}')
    (tmp_path / "sddp" / "dry" / "training.csv").write_text("iteration,lower\n1,5\n")
    (tmp_path / "runs" / "x").mkdir(parents=True)
    (tmp_path / "runs" / "x" / "plan.json").write_text("{}")  # the app's own folder
    (tmp_path / "notes").mkdir()
    found = {o["id"]: o["kind"] for o in find_outputs(tmp_path)}
    assert found == {"ensembles/dry": "ensemble", "policy": "sddp", "sddp/dry": "sddp"}
    sddp = output_detail(tmp_path, "sddp/dry")
    assert sddp["manifest"] == {"sddp": {"iterations": 3}}
    assert sddp["tables"][0]["rows"] == [["1", "5"]]
    detail = output_detail(tmp_path, "ensembles/dry")
    assert detail["tables"][0] == {
        "name": "aggregates.csv",
        "columns": ["metric", "mean"],
        "rows": [["cost", "1.5"]],
        "truncated": False,
    }
    with pytest.raises(BadName):
        output_detail(tmp_path, "runs/x")
