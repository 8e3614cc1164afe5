"""vakhsh.outputs: the one helper every command and API writes through.

Each rule is tried on real folders: a user's folder stays byte for byte as it was, `.`
and its parents are never replaced, a read-only parent is refused before anything is
written, vakhsh's own output is replaced only when asked, and a writer killed at any
point leaves the earlier output intact and its temporaries are cleaned by the next one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.outputs_cases import (
    ReadOnly,
    is_marked,
    leftovers,
    run_killed,
    snapshot,
    user_folder,
)

from vakhsh.errors import VakhshError
from vakhsh.outputs import (
    MARKER,
    OutputError,
    check_file,
    check_folder,
    file_signature,
    output_file,
    output_folder,
    resumable_folder,
    signature,
)


def write_run(path: Path, text: str = "new", **options) -> Path:
    with output_folder(path, "run", **options) as tmp:
        (tmp / "results.txt").write_text(text)
    return path


def test_a_new_folder_appears_whole_with_its_marker(tmp_path):
    out = write_run(tmp_path / "runs" / "a")
    assert sorted(os.listdir(out)) == [MARKER, "results.txt"]
    marker = json.loads((out / MARKER).read_text())
    assert marker["kind"] == "run" and marker["vakhsh"] and marker["created"].endswith("Z")
    assert marker["files"] == ["results.txt"]
    assert leftovers(tmp_path) == []


def test_the_block_sees_only_its_temporary(tmp_path):
    out = tmp_path / "a"
    with output_folder(out, "run") as tmp:
        assert not out.exists()
        assert tmp.parent == out.parent and tmp.name.startswith(".a.vakhsh-tmp-")
    assert out.is_dir()


def test_a_user_folder_is_refused_before_the_block_and_untouched(tmp_path):
    folder = user_folder(tmp_path / "mine")
    before = snapshot(folder)
    entered = []
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="holds files vakhsh did not write") as info:
            with output_folder(folder, "run", overwrite=overwrite):
                entered.append(True)
        assert "give a new folder" in str(info.value)
    assert entered == []
    assert snapshot(folder) == before
    assert leftovers(tmp_path) == []
    assert isinstance(info.value, VakhshError)  # exit status 2 on the command line


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    write_run(tmp_path / "empty")
    assert is_marked(tmp_path / "empty", "run")


@pytest.mark.parametrize("where", [".", "..", "~", "/"])
def test_the_working_directory_its_parents_home_and_root_are_never_replaced(
    tmp_path, monkeypatch, where
):
    home = tmp_path / "home"
    cwd = home / "project"
    cwd.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    # even a folder vakhsh wrote (marker of the same kind) is refused with overwrite
    for folder in (cwd, home):
        (folder / MARKER).write_text(json.dumps({"kind": "run"}))
    (cwd / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="vakhsh never writes over it"):
        write_run(Path(where), overwrite=True)
    assert snapshot(tmp_path) == before


def test_a_file_where_a_folder_is_wanted(tmp_path):
    path = tmp_path / "results"
    path.write_text("a file")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        write_run(path, overwrite=True)
    assert path.read_text() == "a file"
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match="is a file, so this cannot be created"):
        write_run(tmp_path / "plain" / "inside")


def test_a_read_only_parent_is_refused_before_anything(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    with ReadOnly(parent):
        for call in (
            lambda: check_folder(parent / "a", "run"),
            lambda: write_run(parent / "a"),
            lambda: write_run(parent / "deeper" / "a"),
            lambda: check_file(parent / "f.nc", "inflows"),
        ):
            with pytest.raises(OutputError, match="cannot write in"):
                call()
        assert os.listdir(parent) == []


def test_read_only_parent_message(tmp_path, monkeypatch):
    # The permission check itself, as root sees it where a read-only folder cannot be
    # made: os.access says the folder is not writable.
    parent = tmp_path / "locked"
    parent.mkdir()
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == parent else real(p, mode, **kw)
    )
    with pytest.raises(
        OutputError,
        match=r"cannot write in .*locked \(permission denied "
        r"or read-only\); give a path in a folder",
    ):
        write_run(parent / "a")
    assert os.listdir(parent) == []


def test_vakhsh_output_is_replaced_only_when_asked(tmp_path):
    out = write_run(tmp_path / "a", "first")
    with pytest.raises(
        OutputError,
        match=r"is an earlier run folder written by vakhsh .*pass "
        r"overwrite=True",
    ):
        write_run(out, "second")
    assert (out / "results.txt").read_text() == "first"
    write_run(out, "second", overwrite=True)
    assert (out / "results.txt").read_text() == "second"
    assert leftovers(tmp_path) == []


def test_another_kind_is_refused_even_with_overwrite(tmp_path):
    out = write_run(tmp_path / "a")
    with pytest.raises(OutputError, match=r"is a run folder of vakhsh, not a plan folder"):
        with output_folder(out, "plan", overwrite=True):
            pass
    assert is_marked(out, "run")


def test_files_added_to_vakhsh_output_are_protected(tmp_path):
    out = write_run(tmp_path / "a")
    (out / "my-notes.txt").write_text("keep me")
    with pytest.raises(OutputError, match=r"with files added since \(my-notes.txt\)"):
        write_run(out, overwrite=True)
    assert (out / "my-notes.txt").read_text() == "keep me"


def test_a_symbolic_link_is_refused(tmp_path):
    real = write_run(tmp_path / "real")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        write_run(tmp_path / "link", overwrite=True)


def test_a_failure_inside_leaves_the_old_output_and_no_temporary(tmp_path):
    out = write_run(tmp_path / "a", "old")
    before = snapshot(out)
    with pytest.raises(RuntimeError):
        with output_folder(out, "run", overwrite=True) as tmp:
            (tmp / "results.txt").write_text("half")
            raise RuntimeError("solver died")
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_target_being_written_is_refused(tmp_path):
    out = tmp_path / "a"
    with output_folder(out, "run") as tmp:
        (tmp / "results.txt").write_text("first")
        with pytest.raises(OutputError, match="being written by another vakhsh process"):
            write_run(out, "second", overwrite=True)
    assert (out / "results.txt").read_text() == "first"


def test_a_target_created_meanwhile_is_not_replaced(tmp_path):
    out = tmp_path / "a"
    with pytest.raises(OutputError, match="holds files vakhsh did not write"):
        with output_folder(out, "run") as tmp:
            (tmp / "results.txt").write_text("mine")
            user_folder(out)  # somebody else made it while we computed
    assert (out / "notes.txt").is_file() and not (out / "results.txt").exists()
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ killed writers
WRITE = """
from vakhsh.outputs import output_folder
with output_folder({out!r}, "run", overwrite=True) as tmp:
    (tmp / "results.txt").write_text("new")
    (tmp / "summary.txt").write_text("new")
"""


def test_killed_while_writing_the_old_folder_stays_and_the_temporary_is_cleaned(tmp_path):
    out = write_run(tmp_path / "a", "old")
    before = snapshot(out)
    # killed after the first file of the new output is written
    run_killed(WRITE.format(out=str(out)), "pathlib", "write_text", owner="module.Path")
    assert snapshot(out) == before
    assert len(leftovers(tmp_path)) == 2  # the temporary folder and its lock file
    write_run(tmp_path / "other")  # any next writer in the same folder cleans up
    assert leftovers(tmp_path) == []
    assert snapshot(out) == before


def test_killed_between_the_two_renames_the_old_folder_comes_back(tmp_path):
    out = write_run(tmp_path / "a", "old")
    before = snapshot(out)
    # os.rename: 1st moves the old output aside, 2nd would move the new one in
    run_killed(WRITE.format(out=str(out)), "os", "rename", nth=1)
    assert not out.exists()
    assert any(".a.vakhsh-old-" in p for p in leftovers(tmp_path))
    with pytest.raises(OutputError, match="is an earlier run folder"):
        write_run(out)  # the next writer puts the old folder back first
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_killed_after_the_swap_the_new_folder_stays_and_the_aside_copy_goes(tmp_path):
    out = write_run(tmp_path / "a", "old")
    run_killed(WRITE.format(out=str(out)), "os", "rename", nth=2)
    assert (out / "results.txt").read_text() == "new"
    write_run(tmp_path / "other")
    assert leftovers(tmp_path) == []
    assert (out / "results.txt").read_text() == "new"


# ------------------------------------------------------------------ single files
def write_text(path: Path, text: str, kind: str = "compare", **options) -> None:
    with output_file(path, kind, **options) as tmp:
        tmp.write_text(f"<!-- {signature(kind)} -->\n{text}")


def test_a_file_is_written_whole_and_replaced_only_when_asked(tmp_path):
    path = tmp_path / "out" / "compare.html"
    write_text(path, "one")
    assert path.read_text().endswith("one") and file_signature(path) == "compare"
    with pytest.raises(OutputError, match="pass overwrite=True"):
        write_text(path, "two")
    write_text(path, "two", overwrite=True)
    assert path.read_text().endswith("two")
    assert leftovers(tmp_path) == []


def test_a_user_file_is_never_replaced(tmp_path):
    path = tmp_path / "compare.html"
    path.write_text("my own page")
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="was not written by vakhsh"):
            write_text(path, "page", overwrite=overwrite)
    assert path.read_text() == "my own page"
    assert leftovers(tmp_path) == []


def test_a_folder_where_a_file_is_wanted(tmp_path):
    folder = user_folder(tmp_path / "ens.nc")
    before = snapshot(folder)
    with pytest.raises(OutputError, match="is a folder, not a file"):
        write_text(folder, "x", overwrite=True)
    assert snapshot(folder) == before


def test_a_file_writer_killed_leaves_the_old_file(tmp_path):
    path = tmp_path / "compare.html"
    write_text(path, "old")
    before = path.read_bytes()
    body = f"""
from vakhsh.outputs import output_file
with output_file({str(path)!r}, "compare", overwrite=True) as tmp:
    tmp.write_text("<!-- vakhsh-output:compare -->new")
"""
    run_killed(body, "os", "replace", before=True)
    assert path.read_bytes() == before
    write_text(tmp_path / "other.html", "x")
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ resumable folders
def test_a_resumable_folder_is_created_reused_and_locked(tmp_path):
    out = tmp_path / "ens"
    with resumable_folder(out, "ensemble") as folder:
        (folder / "runs").mkdir()
        with pytest.raises(OutputError, match="being written by another"):
            with resumable_folder(out, "ensemble"):
                pass
    assert is_marked(out, "ensemble")
    with resumable_folder(out, "ensemble") as folder:
        assert (folder / "runs").is_dir()
    assert json.loads((out / MARKER).read_text())["files"] == ["runs"]
    with pytest.raises(OutputError, match="not a frontier folder"):
        with resumable_folder(out, "frontier"):
            pass
    mine = user_folder(tmp_path / "mine")
    before = snapshot(mine)
    with pytest.raises(OutputError, match="holds files vakhsh did not write"):
        with resumable_folder(mine, "ensemble"):
            pass
    assert snapshot(mine) == before
    assert leftovers(tmp_path) == []


def test_results_to_folder_replaces_an_earlier_run_only_when_asked(tmp_path):
    """The Python API's `Results.to_folder` keeps the rules: a second write to the same run
    folder is refused by default, replaces it with `overwrite=True` (summary.json with the
    `extra` keys given), and a user's own folder is refused either way."""
    from tests.lp.conftest import solve_folder, write_model

    folder = write_model(
        tmp_path,
        {
            "buses": {"N": {"voll_usd_per_mwh": 1000}},
            "loads": {"l": {"bus": "N", "p_mw": 10}},
            "generators": {"g": {"bus": "N", "capacity_mw": 20, "marginal_cost_usd_per_mwh": 1}},
        },
        end="2023-01-02",
    )
    results = solve_folder(folder)
    run = results.to_folder(tmp_path / "run")
    assert is_marked(run, "run") and (run / "results.nc").is_file()
    with pytest.raises(OutputError):
        results.to_folder(run)
    results.to_folder(run, extra={"note": "again"}, overwrite=True)
    assert json.loads((run / "summary.json").read_text())["note"] == "again"
    mine = user_folder(tmp_path / "mine")
    before = snapshot(mine)
    with pytest.raises(OutputError):
        results.to_folder(mine, overwrite=True)
    assert snapshot(mine) == before
