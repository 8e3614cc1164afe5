"""The files a run reads: series confined to the model folder, and hashed exactly.

A series reference that leaves the model folder (`../x.csv`, an absolute path, a symbolic
link leading out) is refused with a message that shows nothing of the file; the model's
hash covers model.yaml and the series it names, and nothing else in the folder.
"""

from __future__ import annotations

import json
import shutil

import pytest

import vakhsh
from vakhsh.errors import ModelError
from vakhsh.network import load_network, write_network


def _refer(folder, reference: str) -> None:
    path = folder / "model.yaml"
    path.write_text(path.read_text().replace("series:load_mw.csv#north", reference))


def _problems(folder) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_network(folder)
    return [str(p) for p in info.value.problems]


def test_a_series_above_the_model_folder_is_refused(toy_folder):
    shutil.copy(toy_folder / "load_mw.csv", toy_folder.parent / "x.csv")
    _refer(toy_folder, "series:../x.csv#north")
    assert _problems(toy_folder) == [
        "../x.csv: lies outside the model folder (a series file must be inside it; a "
        "symbolic link must not lead out of it) [loads.north_load.p_mw]"
    ]


def test_an_absolute_path_is_refused_and_nothing_of_the_file_is_shown(toy_folder):
    _refer(toy_folder, "series:/proc/self/environ#north")
    (line,) = _problems(toy_folder)
    assert line == (
        "/proc/self/environ: a series file must be named relative to the model "
        "folder, not by an absolute path [loads.north_load.p_mw]"
    )
    assert "PATH=" not in line and "\\x00" not in line


def test_a_symlinked_file_leading_out_is_refused(toy_folder, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(toy_folder / "load_mw.csv", outside)
    (toy_folder / "linked.csv").symlink_to(outside)
    _refer(toy_folder, "series:linked.csv#north")
    (line,) = _problems(toy_folder)
    assert line.startswith("linked.csv: lies outside the model folder")


def test_a_symlinked_folder_leading_out_is_refused(toy_folder, tmp_path):
    data = tmp_path / "shared-data"
    data.mkdir()
    shutil.copy(toy_folder / "load_mw.csv", data / "load_mw.csv")
    (toy_folder / "data").symlink_to(data, target_is_directory=True)
    _refer(toy_folder, "series:data/load_mw.csv#north")
    (line,) = _problems(toy_folder)
    assert line.startswith("data/load_mw.csv: lies outside the model folder")


def test_a_subfolder_inside_the_model_is_fine(toy_folder):
    (toy_folder / "data").mkdir()
    shutil.copy(toy_folder / "load_mw.csv", toy_folder / "data" / "load.csv")
    _refer(toy_folder, "series:data/load.csv#north")
    net = load_network(toy_folder)
    assert "data/load.csv" in net.inputs.files


def test_the_network_lists_exactly_the_files_it_read(toy_folder):
    net = load_network(toy_folder)
    assert set(net.inputs.files) == {
        "model.yaml",
        "inflow_m3s.csv",
        "water_demand_m3s.csv",
        "load_mw.csv",
        "capacity_factor.csv",
        "market.csv",
    }


def test_files_the_run_does_not_read_change_no_hash(toy_folder):
    before = load_network(toy_folder).model_sha256
    # what a user or vakhsh itself leaves in a model folder: notes, run folders, spare data
    (toy_folder / "notes.yaml").write_text("todo: check the level curve\n")
    (toy_folder / "runs" / "toy-base").mkdir(parents=True)
    (toy_folder / "runs" / "toy-base" / "summary.json").write_text("{}")
    (toy_folder / "spare.csv").write_text("time,x\n2024-10-01,1\n")
    assert load_network(toy_folder).model_sha256 == before


def test_a_changed_series_changes_the_hash(toy_folder):
    before = load_network(toy_folder).model_sha256
    path = toy_folder / "market.csv"
    first_row = path.read_text().splitlines()[1]
    path.write_text(path.read_text().replace(first_row, first_row + "0", 1))  # 10x a price
    assert load_network(toy_folder).model_sha256 != before


def test_three_identical_runs_inside_the_model_folder_record_one_hash(toy_folder):
    # `vakhsh run .` writes its run folder, with a copy of the model, inside the model
    # folder: the next run's hash must not see it
    hashes = set()
    for k in range(3):
        net = vakhsh.load(toy_folder, end="2024-10-04")
        folder = vakhsh.optimise(net).to_folder(toy_folder / "runs" / f"run{k}")
        write_network(net, folder / "model")
        summary = json.loads((folder / "summary.json").read_text())
        hashes.add(summary["provenance"]["model_sha256"])
    assert len(hashes) == 1


def test_provenance_stores_options_as_json_values(toy_folder):
    net = vakhsh.load(toy_folder, end="2024-10-03")
    results = vakhsh.optimise(net, vakhsh.SolveOptions(solver_options={"threads": 1}))
    folder = results.to_folder(toy_folder.parent / "out")
    options = json.loads((folder / "summary.json").read_text())["provenance"]["options"]
    assert options["write_lp"] is None
    assert options["solver_options"] == {"threads": 1}
    assert options["log"] is False
    assert options["head_tolerance"] == 1e-3
