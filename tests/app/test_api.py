"""The JSON API against a real server and real toy-cascade solves (HiGHS)."""

from __future__ import annotations

import io
import json

import pytest
import xarray as xr
from tests.app.helpers import wait_for
from typer.testing import CliRunner

from vakhsh.cli import app


def cli_objective(tmp_path, *args: str) -> float:
    out = tmp_path / "cli-run"
    result = CliRunner().invoke(
        app, ["run", "toy-cascade", "--out", str(out), "--no-report", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())["objective_usd"]


def test_models_lists_embedded_models_with_scenarios_and_counts(client):
    models = {m["name"]: m for m in client.get("/api/models").json()}
    toy = models["toy-cascade"]
    assert toy["source"] == "embedded" and toy["valid"]
    assert toy["scenarios"] == ["base", "dry", "full_upper"]
    assert toy["components"]["reservoirs"] == 2 and toy["components"]["hydro_plants"] == 2
    assert "central-asia" in models


def test_model_detail_has_show_tables_and_typed_fields(client):
    detail = client.get("/api/models/toy-cascade").json()
    tables = {t["key"]: t for t in detail["tables"]}
    reservoirs = tables["reservoirs"]
    upper = next(r for r in reservoirs["rows"] if r[0] == "upper")
    assert upper[1:3] == [400, 2000]  # storage min and max as in model.yaml
    fields = {f["path"]: f for f in detail["fields"]}
    initial = fields["reservoirs.upper.storage_initial_hm3"]
    assert (initial["type"], initial["unit"], initial["value"]) == ("number ≥ 0", "hm³", 1200)
    assert fields["catchments.headwaters.inflow_m3s"]["type"] == "number ≥ 0 or series reference"
    assert [s["name"] for s in detail["scenarios"]] == ["base", "dry", "full_upper"]
    assert detail["period"]["steps"] == 365


def test_schematic_is_svg(client):
    response = client.get("/api/models/toy-cascade/schematic.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and "upper" in response.text


def test_run_objective_equals_the_cli_on_the_same_input(client, toy_runs, tmp_path):
    summary = client.get(f"/api/runs/{toy_runs['dry']['id']}/summary").json()
    assert summary["scenario"] == "dry" and summary["audit"]["passed"]
    assert summary["objective_usd"] == pytest.approx(cli_objective(tmp_path, "-s", "dry"), rel=1e-9)
    assert toy_runs["dry"]["objective_usd"] == summary["objective_usd"]


def test_set_overrides_act_like_a_scenario_set(client, tmp_path):
    """`set` on the request gives the objective of the scenario whose `set` is the same
    (full_upper: reservoirs.upper.storage_initial_hm3 = 2000), and a period override gives
    the CLI's --end."""
    body = {
        "model": "toy-cascade",
        "scenario": "base",
        "end": "2025-04-01",
        "set": {"reservoirs.upper.storage_initial_hm3": 2000},
    }
    job = client.post("/api/runs", json=body)
    assert job.status_code == 202, job.text
    done = wait_for(client, job.json()["id"], ("done",))
    expected = cli_objective(tmp_path, "-s", "full_upper", "--end", "2025-04-01")
    assert done["objective_usd"] == pytest.approx(expected, rel=1e-9)
    request = client.get(f"/api/runs/{done['id']}").json()["request"]
    assert request["set"] == {"reservoirs.upper.storage_initial_hm3": 2000}


def test_run_folder_is_an_ordinary_run_folder(server, client, toy_runs):
    run_id = toy_runs["base"]["id"]
    folder = server.workdir / "runs" / run_id
    assert {p.name for p in folder.iterdir()} >= {
        "results.nc",
        "summary.json",
        "report.html",
        "model",
        "request.json",
    }
    from vakhsh.report.load import load_run

    assert load_run(folder).summary()["objective_usd"] == toy_runs["base"]["objective_usd"]
    results = client.get(f"/api/runs/{run_id}/results")
    assert results.status_code == 200
    with xr.open_dataset(io.BytesIO(results.content), engine="h5netcdf") as ds:
        assert ds.sizes["time"] == 365 and "storage_hm3" in ds
    report = client.get(f"/runs/{run_id}/report")
    assert report.status_code == 200 and "Headline figures" in report.text


def test_run_state_and_listing(client, toy_runs):
    job = client.get(f"/api/runs/{toy_runs['base']['id']}").json()
    assert {"id", "status", "progress", "created", "finished", "error"} <= set(job)
    assert job["status"] == "done" and job["progress"] == 1.0 and job["error"] is None
    listed = {j["id"] for j in client.get("/api/runs").json()}
    assert {toy_runs["base"]["id"], toy_runs["dry"]["id"]} <= listed


def test_figures_match_the_summary(client, toy_runs):
    run_id = toy_runs["dry"]["id"]
    figures = client.get(f"/api/runs/{run_id}/figures").json()
    summary = client.get(f"/api/runs/{run_id}/summary").json()
    assert figures["headline"]["total_cost_usd"] == summary["objective_usd"]
    storage = {r["id"]: r for r in figures["storage"]["reservoirs"]}
    assert len(figures["storage"]["time"]) == 365
    assert all(400 - 1e-6 <= s <= 2000 + 1e-6 for s in storage["upper"]["storage"])
    # generation by month: hydro sources add up to the summary's hydro generation
    hydro = sum(
        sum(s["values"])
        for b in figures["generation"]["buses"]
        for s in b["sources"]
        if s["name"].startswith("hydro")
    )
    assert hydro == pytest.approx(
        sum(summary["energy"]["hydro_generation_gwh_by_bus"].values()), rel=1e-6
    )
    deficit = dict(
        zip(figures["winter_deficit"]["buses"], figures["winter_deficit"]["deficit"], strict=True)
    )
    assert set(deficit) == {"NORTH", "SOUTH"}
    assert {b["id"] for b in figures["prices"]["buses"]} == {"NORTH", "SOUTH"}
    # the costs by kind add up to the objective, and equal summary.json's
    assert sum(figures["costs"]["usd"]) == pytest.approx(summary["objective_usd"], rel=1e-9)
    assert dict(
        zip(figures["costs"]["kinds"], figures["costs"]["usd"], strict=True)
    ) == pytest.approx(summary["costs_usd"])
    assert deficit == pytest.approx(summary["energy"]["winter_deficit_gwh"])


def test_compare_two_runs(client, toy_runs):
    ids = [toy_runs["base"]["id"], toy_runs["dry"]["id"]]
    table = client.get("/api/compare", params=[("runs", i) for i in ids]).json()
    assert table["runs"] == ids
    row = table["values"][table["metrics"].index("total cost (M USD)")]
    assert row == pytest.approx([toy_runs[n]["objective_usd"] / 1e6 for n in ("base", "dry")])
    page = client.get("/compare", params=[("runs", i) for i in ids])
    assert page.status_code == 200 and "Runs compared" in page.text


def test_validate_returns_the_period_without_running(client):
    before = len(client.get("/api/runs").json())
    ok = client.post(
        "/api/validate", json={"model": "toy-cascade", "step": "7D", "end": "2025-04-01"}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["period"]["steps"] == 26 and ok.json()["valid"]
    assert len(client.get("/api/runs").json()) == before


def test_progress_is_pushed_as_server_sent_events(client):
    run_id = client.post("/api/runs", json={"model": "toy-cascade", "end": "2025-01-01"}).json()[
        "id"
    ]
    states = []
    with client.stream("GET", f"/api/runs/{run_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                states.append(json.loads(line[6:]))
    assert states[-1]["status"] == "done"
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert any(s["status"] == "running" for s in states) or states[0]["status"] == "done"


def test_openapi_page_and_schema_are_served(client):
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/models",
        "/api/models/{name}",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/summary",
        "/api/runs/{run_id}/results",
        "/runs/{run_id}/report",
    ):
        assert path in schema["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_page_and_its_scripts_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "/static/vendor/plotly.min.js" in page.text and "http" not in page.text.replace(
        "http-equiv", ""
    )
    plotly = client.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000


def test_a_plan_in_the_workdir_is_listed_with_its_ranking_and_report(server, client):
    """`vakhsh plan --out WORKDIR/plans/toy` is found and read from its folder."""
    out = server.workdir / "plans" / "toy"
    result = CliRunner().invoke(app, ["plan", "toy-cascade", "--out", str(out)])
    assert result.exit_code == 0, result.output
    outputs = {o["id"]: o for o in client.get("/api/outputs").json()}
    assert outputs["plans/toy"]["kind"] == "plan" and outputs["plans/toy"]["report"]
    detail = client.get("/api/outputs/plans/toy/detail").json()
    assert detail["manifest"] == json.loads((out / "plan.json").read_text())
    ranking = next(t for t in detail["tables"] if t["name"] == "ranking.csv")
    assert ranking["columns"] == (out / "ranking.csv").read_text().splitlines()[0].split(",")
    report = client.get("/outputs/plans/toy/report")
    assert report.status_code == 200 and report.text == (out / "report.html").read_text()


def test_head_choices_and_default_are_the_clis():
    """The app offers exactly the CLI's head models, with `vakhsh run`'s default."""
    import typing

    from vakhsh.app.requests import RunRequest
    from vakhsh.solve.heads import HEAD_MODELS
    from vakhsh.solve.options import SolveOptions

    field = RunRequest.model_fields["head"]
    assert set(typing.get_args(field.annotation)) == set(HEAD_MODELS)
    assert field.default == SolveOptions().head == "auto"
