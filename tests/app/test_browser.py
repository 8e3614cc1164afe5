"""The page in headless Chromium (Debian's package, driven by Playwright for Python): pick
toy-cascade, change a scenario field, validate, run, watch the progress, see the headline
and a chart, compare two runs. Never skipped in CI (`make test` installs chromium).

The screenshots in docs/app/ are taken here: `VAKHSH_SCREENSHOTS=docs pytest
tests/app/test_browser.py` writes them there (otherwise into the test's own folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "app"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("/usr/bin/chromium is missing: `make install-test` installs it")
    pytest.skip(
        "Debian's chromium is not installed (make install-test installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import sync_playwright  # noqa: E402 - after the skip above


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def shots(tmp_path):
    folder = DOCS if os.environ.get("VAKHSH_SCREENSHOTS") == "docs" else tmp_path

    def shot(page, name: str, full: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        assert path.stat().st_size > 10_000
        return path

    return shot


def run_from_the_editor(
    page, scenario: str, override: tuple[str, str] | None, shot=None, timeout_ms: int = 240_000
) -> str:
    page.wait_for_selector("#editor")
    page.select_option("#scenario", scenario)
    if override is not None:
        path, value = override
        page.click("#add-override")
        row = page.locator("#overrides .override").last
        row.locator(".path").fill(path)
        row.locator(".value").fill("lots")  # a wrong type first: named, marked, not run
        page.click("#validate")
        problem = page.locator("#editor-result .message.bad")
        problem.wait_for()
        assert f"set.{path}" in problem.inner_text()
        assert "bad" in (row.locator(".value").get_attribute("class") or "")
        assert "hm³" in row.locator(".meta").inner_text()  # type and unit shown
        if shot:
            shot(page, "validation", full=False)
        row.locator(".value").fill(value)
        page.click("#validate")
        page.wait_for_selector("#valid")
    page.click("#run")
    follow = page.locator(".run-follow").first
    follow.wait_for()
    run_id = follow.get_attribute("data-run")
    if shot:  # once the solver runs (or, on a fast machine, the run is done)
        page.wait_for_function(
            "(el) => +el.getAttribute('aria-valuenow') >= 20",
            arg=follow.locator(".progress").element_handle(),
        )
        shot(page, "progress", full=False)
    page.locator(f'.run-follow[data-run="{run_id}"] #see-results').wait_for(timeout=timeout_ms)
    bar = follow.locator(".progress")
    assert bar.get_attribute("aria-valuenow") == "100"
    return run_id


def test_pick_change_run_watch_see_and_compare(page, server, shots):
    page.goto(server.url + "/")
    page.wait_for_selector("[data-model=toy-cascade]")
    page.wait_for_selector("[data-model=central-asia]")
    shots(page, "models")

    page.click("[data-model=toy-cascade]")
    page.wait_for_selector("#model-tables table")
    # the schematic inline, with its hover texts, its labels >= 10 px (issue 17)
    page.wait_for_selector("#schematic[data-ready] svg")
    titles = page.eval_on_selector_all("#schematic svg title", "ts => ts.map(t => t.textContent)")
    assert any(t.startswith("reservoir upper:") for t in titles), titles[:5]
    sizes = page.eval_on_selector_all(
        "#schematic svg text",
        """ts => ts.map(t =>
        parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a,
                                                              t.getScreenCTM().b))""",
    )
    assert sizes and min(sizes) >= 10, min(sizes)
    shots(page, "model")

    first = run_from_the_editor(
        page, "dry", ("reservoirs.upper.storage_initial_hm3", "1800"), shot=shots
    )
    with server.client() as client:
        job = client.get(f"/api/runs/{first}").json()
    assert job["status"] == "done"
    assert job["request"]["set"] == {"reservoirs.upper.storage_initial_hm3": 1800}
    cost = f"{job['objective_usd'] / 1e6:,.1f} M USD"
    assert cost in page.locator(".run-follow").first.inner_text()

    page.click("#see-results")
    page.wait_for_selector("#headline")
    assert cost in page.locator("#headline").inner_text()
    for chart in ("storage", "generation", "deficit", "prices"):
        page.wait_for_selector(f"#chart-{chart} .main-svg")
    traces = page.evaluate("document.getElementById('chart-storage').data.map(t => t.name)")
    assert traces == ["upper", "lower"]
    shots(page, "run")
    page.click(".tabs2 button[data-tab='Full report']")
    frame = page.frame_locator("#report-frame")
    frame.locator("#headline").wait_for()
    shots(page, "report", full=False)

    page.goto(server.url + "/#/models/toy-cascade")
    second = run_from_the_editor(page, "base", None)

    page.goto(server.url + "/#/runs")
    for run_id in (first, second):
        page.check(f'tr[data-run="{run_id}"] input[type=checkbox]')
    shots(page, "runs")
    page.click("#compare-selected")
    page.wait_for_selector("#compare-table")
    page.wait_for_selector("#compare-deficit .main-svg")
    page.wait_for_selector("#compare-storage .main-svg")
    header = page.locator("#compare-table thead").inner_text()
    assert first in header and second in header
    row = page.locator("#compare-table tr", has_text="total cost").inner_text()
    with server.client() as client:
        costs = [client.get(f"/api/runs/{r}").json()["objective_usd"] for r in (first, second)]
    assert row.split("\t")[1:] == [f"{c / 1e6:,.0f}" for c in costs]
    shots(page, "compare")


def test_api_docs_page_renders_offline(page, server, shots):
    page.goto(server.url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".opblock-summary-path", has_text="/api/runs").count() >= 1
    shots(page, "api", full=False)


def test_upload_a_zipped_model_from_the_page(page, server, tmp_path):
    import zipfile

    from vakhsh.network import embedded_datasets

    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    with zipfile.ZipFile(good, "w") as archive:
        for path in embedded_datasets()["toy-cascade"].iterdir():
            archive.write(path, f"pagetoy/{path.name}")
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../escape.txt", "x")
        archive.writestr("model.yaml", "format: 1")
    page.goto(server.url + "/")
    page.wait_for_selector("[data-model=toy-cascade]")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-send")
    page.locator("#upload-result .message.bad", has_text="leaves the folder").wait_for()
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-send")
    page.locator("#upload-result .message.ok", has_text="Added pagetoy").wait_for()
    page.wait_for_selector("[data-model=pagetoy]")
    page.click("[data-model=pagetoy]")
    page.wait_for_selector("#model-tables table")
    assert page.locator("h1").inner_text().startswith("pagetoy")
    assert "Two reservoirs in a cascade" in page.locator("main").inner_text()
