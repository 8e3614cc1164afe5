"""Bad input and attacks: every one a 4xx naming the field, never a 500, nothing written
outside the workdir, nothing half-written inside it."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
import yaml

from vakhsh.network import embedded_datasets

TOY = embedded_datasets()["toy-cascade"]
MB = 1024 * 1024


def zipped(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def toy_entries(prefix: str = "", change=None) -> dict[str, bytes]:
    entries = {f"{prefix}{p.name}": p.read_bytes() for p in TOY.iterdir() if p.is_file()}
    if change is not None:
        raw = yaml.safe_load(entries[f"{prefix}model.yaml"])
        change(raw)
        entries[f"{prefix}model.yaml"] = yaml.safe_dump(raw, sort_keys=False).encode()
    return entries


def upload(client, data: bytes, name: str | None = None, kind: str = "application/zip"):
    params = {"name": name} if name else None
    return client.post("/api/models", content=data, params=params, headers={"content-type": kind})


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def outside(server):
    """Everything beside the workdir, before and after: the test must not change it."""
    parent = server.workdir.parent
    before = {
        p
        for p in snapshot(parent)
        if not p.startswith(server.workdir.name) and not p.endswith(".log")
    }
    yield
    after = {
        p
        for p in snapshot(parent)
        if not p.startswith(server.workdir.name) and not p.endswith(".log")
    }
    assert after == before
    assert not any((server.workdir / ".staging").iterdir())


def error_of(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]
    if field is not None:
        assert field in {p["field"] for p in body["problems"]}, body
    return body


# ---------------------------------------------------------------- uploads
def test_a_valid_zipped_model_is_added_and_runs(client, outside):
    response = upload(client, zipped(toy_entries("mymodel/")))
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "mymodel" and response.json()["source"] == "workdir"
    assert "mymodel" in {m["name"] for m in client.get("/api/models").json()}
    ok = client.post("/api/validate", json={"model": "mymodel", "scenario": "dry"})
    assert ok.status_code == 200, ok.text
    again = upload(client, zipped(toy_entries("mymodel/")))
    error_of(again, 409, "name")


@pytest.mark.parametrize(
    ("entries", "links", "message"),
    [
        ({"../evil.txt": b"x", "model.yaml": b"a: 1"}, None, "leaves the folder"),
        ({"m/../../evil.txt": b"x", "m/model.yaml": b"a: 1"}, None, "leaves the folder"),
        ({"/tmp/evil.txt": b"x", "model.yaml": b"a: 1"}, None, "absolute path"),
        ({"C:/evil.txt": b"x", "model.yaml": b"a: 1"}, None, "absolute path"),
        ({"m\\..\\evil.txt": b"x", "model.yaml": b"a: 1"}, None, "backslash"),
        ({"model.yaml": b"a: 1"}, {"inflow.csv": "/etc/passwd"}, "symbolic link"),
        ({"model.yaml": b"a: 1", "model.yaml ": b"b"}, {"data": "../../"}, "symbolic link"),
        ({"readme.txt": b"no model here"}, None, "no model.yaml"),
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "absolute",
        "drive",
        "backslash",
        "symlink",
        "symlink-dir",
        "no-model",
    ],
)
def test_unsafe_zips_are_refused_naming_the_entry(client, outside, entries, links, message):
    body = error_of(upload(client, zipped(entries, links), name="evil"), 422, "body")
    assert any(message in p["message"] for p in body["problems"]), body
    assert not (Path("/tmp/evil.txt")).exists()
    assert "evil" not in {m["name"] for m in client.get("/api/models").json()}


def test_an_invalid_model_is_refused_with_every_problem(client, server, outside):
    def break_it(raw):
        raw["reservoirs"]["upper"]["storage_min_hm3"] = 3000  # above storage_max_hm3
        raw["hydro_plants"]["lower_hpp"]["bus"] = "NOWHERE"

    body = error_of(upload(client, zipped(toy_entries("broken/", break_it))), 422, "body")
    text = " ".join(p["message"] for p in body["problems"])
    assert "reservoirs.upper" in text and "NOWHERE" in text
    assert not (server.workdir / "models" / "broken").exists()


def test_series_outside_the_model_folder_are_refused(client, outside):
    def escape(raw):
        raw["catchments"]["headwaters"]["inflow_m3s"] = "series:../../../../etc/passwd#root"

    body = error_of(upload(client, zipped(toy_entries("escape/", escape))), 422, "body")
    assert any("outside the model folder" in p["message"] for p in body["problems"])


def test_a_zip_bomb_is_refused(client, outside):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.yaml", b"format: 1")
        with archive.open("big.csv", "w") as sink:
            for _ in range(201):
                sink.write(bytes(MB))
    assert len(buffer.getvalue()) < 2 * MB
    body = error_of(upload(client, buffer.getvalue()), 422, "body")
    assert "MB" in body["problems"][0]["message"]


def test_uploads_over_50_mb_are_refused(client, outside):
    big = bytes(50 * MB + 1)
    error_of(upload(client, big), 413, "body")

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(51):
            yield bytes(MB)

    error_of(
        client.post("/api/models", content=chunks(), headers={"content-type": "application/zip"}),
        413,
        "body",
    )


def test_upload_other_bad_input(client, outside):
    error_of(upload(client, b"not a zip at all"), 422, "body")
    error_of(upload(client, b""), 422, "body")
    error_of(upload(client, zipped(toy_entries()), kind="text/plain"), 415, "body")
    error_of(upload(client, zipped(toy_entries()), name="../up"), 422, "name")
    error_of(upload(client, zipped(toy_entries()), name="toy-cascade"), 409, "name")


# ---------------------------------------------------------------- ids and names in paths
@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/..",
        "/api/runs/.hidden",
        "/api/runs/%2e%2e",
        "/api/runs/..%2F..%2Fjobs",
        "/api/runs/a%2F..%2F..%2Fetc/summary",
        "/api/runs/" + "a" * 200,
        "/api/runs/%00/summary",
        "/api/runs/nope/results",
        "/runs/..%2Fjobs/report",
        "/api/models/..%2F..%2Fetc",
        "/api/models/.hidden",
        "/api/models/nope",
        "/api/models/%2Fetc%2Fpasswd/schematic.svg",
        "/api/outputs/runs/x/detail",
        "/api/outputs/..%2F..%2Fetc/detail",
        "/outputs/jobs/x/report",
        "/outputs/a/b/c/report",
        "/api/runs/nope/events",
    ],
)
def test_path_traversal_in_ids_is_a_4xx(client, outside, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    assert "error" in response.json()


def test_cancel_and_compare_with_bad_ids(client, toy_runs):
    error_of(client.delete("/api/runs/..%2Fjobs"), 404)
    error_of(client.delete("/api/runs/.x"), 400, "id")
    error_of(client.delete("/api/runs/nope"), 404, "id")
    error_of(client.delete(f"/api/runs/{toy_runs['base']['id']}"), 409, "id")
    error_of(client.get("/api/compare", params={"runs": toy_runs["base"]["id"]}), 422, "runs")
    error_of(
        client.get("/api/compare", params=[("runs", toy_runs["base"]["id"]), ("runs", "../x")]),
        400,
        "id",
    )


# ---------------------------------------------------------------- run requests
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "nope"}, "model"),
        ({"model": "../../etc"}, "model"),
        ({"model": 5}, "model"),
        ({}, "model"),
        ({"model": "toy-cascade", "scenario": "wet"}, "scenario"),
        ({"model": "toy-cascade", "scenario": "../x"}, "scenario"),
        ({"model": "toy-cascade", "start": "garbage"}, "start"),
        ({"model": "toy-cascade", "end": "2300-10-01"}, "end"),
        ({"model": "toy-cascade", "end": 20250101}, "end"),
        ({"model": "toy-cascade", "end": "2024-09-01"}, "end"),
        ({"model": "toy-cascade", "end": "2025-01-01T05:00"}, "end"),
        ({"model": "toy-cascade", "step": "7x"}, "step"),
        ({"model": "toy-cascade", "step": "-1D"}, "step"),
        ({"model": "toy-cascade", "head": "up"}, "head"),
        ({"model": "toy-cascade", "head": 1}, "head"),
        ({"model": "toy-cascade", "set": []}, "set"),
        (
            {"model": "toy-cascade", "set": {"reservoirs.upper.storage_initial_hm3": "lots"}},
            "set.reservoirs.upper.storage_initial_hm3",
        ),
        (
            {"model": "toy-cascade", "set": {"reservoirs.upper.storage_initial_hm3": -5}},
            "set.reservoirs.upper.storage_initial_hm3",
        ),
        (
            {"model": "toy-cascade", "set": {"reservoirs.upper.storage_initial_hm3": [1, 2]}},
            "set.reservoirs.upper.storage_initial_hm3",
        ),
        (
            {"model": "toy-cascade", "set": {"reservoirs.nope.storage_initial_hm3": 1}},
            "set.reservoirs.nope.storage_initial_hm3",
        ),
        (
            {"model": "toy-cascade", "set": {"reservoirs.upper.no_such_field": 1}},
            "set.reservoirs.upper.no_such_field",
        ),
        ({"model": "toy-cascade", "set": {"scenarios": {}}}, "set.scenarios"),
        ({"model": "toy-cascade", "set": {"time.end": "2300-01-01"}}, "set.time.end"),
        (
            {
                "model": "toy-cascade",
                "set": {"catchments.headwaters.inflow_m3s": "series:/etc/passwd#root"},
            },
            "set.catchments.headwaters.inflow_m3s",
        ),
        ({"model": "toy-cascade", "colour": "red"}, "colour"),
    ],
    ids=lambda v: str(v)[:60] if isinstance(v, dict) else v,
)
def test_bad_run_requests_name_their_field(client, outside, body, field):
    before = len(client.get("/api/runs").json())
    for path in ("/api/validate", "/api/runs"):
        error_of(client.post(path, json=body), 422, field)
    assert len(client.get("/api/runs").json()) == before


def test_bodies_that_are_not_json_or_too_large(client, outside):
    error_of(
        client.post(
            "/api/runs", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
        "body",
    )
    error_of(
        client.post(
            "/api/runs",
            json={"model": "toy-cascade", "set": {f"x{i}": "y" * 1000 for i in range(1200)}},
        ),
        413,
        "body",
    )


def test_nothing_half_written_after_bad_input(server):
    runs = server.workdir / "runs"
    for folder in runs.iterdir():
        assert (folder / "summary.json").is_file() and (folder / "results.nc").is_file()
    models = server.workdir / "models"
    for folder in models.iterdir():
        assert (folder / "model.yaml").is_file()
    assert not any((server.workdir / ".staging").iterdir())


def test_files_behind_links_in_a_run_folder_are_not_served(server, client, toy_runs):
    """A run folder put in the workdir by hand whose files link elsewhere."""
    import shutil as sh

    source = server.workdir / "runs" / toy_runs["base"]["id"]
    planted = server.workdir / "runs" / "planted"
    planted.mkdir()
    sh.copy(source / "summary.json", planted / "summary.json")
    sh.copy(source / "results.nc", planted / "results.nc")
    (planted / "report.html").symlink_to("/etc/passwd")
    try:
        assert client.get("/api/runs/planted").json()["status"] == "done"
        response = client.get("/runs/planted/report")
        error_of(response, 404, "id")
        assert "root:" not in response.text
    finally:
        sh.rmtree(planted)
