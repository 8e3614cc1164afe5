"""report.html (and the plan report) in headless Chromium at a 1280-px page width, 100 %
zoom: the schematic's labels are at least 10 px and none overlaps another, hover texts are
there, and the page does not run off the side. Screenshots go to the test's folder
(`VAKHSH_SCREENSHOTS=docs` writes them to docs/report/).
"""

from __future__ import annotations

import itertools
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
DOCS = Path(__file__).resolve().parents[2] / "docs" / "report"
WIDTH = 1280

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("/usr/bin/chromium is missing: `make install-test` installs it")
    pytest.skip(
        "Debian's chromium is not installed (make install-test installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import sync_playwright  # noqa: E402 - after the skip above

# every <text> of the inline SVGs under a selector: its size on screen and its box
TEXTS = """(sel) => Array.from(document.querySelectorAll(sel + ' svg text')).map(t => {
  const m = t.getScreenCTM(), r = t.getBoundingClientRect();
  return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) *
          Math.hypot(m.a, m.b), box: [r.left, r.top, r.right, r.bottom]}; })"""


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(
            viewport={"width": WIDTH, "height": 900}, device_scale_factor=1
        )
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def central_asia_report(tmp_path_factory) -> Path:
    from vakhsh.network import load_network
    from vakhsh.pipeline import optimise
    from vakhsh.report.html import write_report
    from vakhsh.solve.options import SolveOptions

    results = optimise(load_network("central-asia", end="2024-11-01"), SolveOptions())
    folder = results.to_folder(tmp_path_factory.mktemp("runs") / "ca")
    write_report(results, folder)
    return folder / "report.html"


def _shots(tmp_path: Path) -> Path:
    folder = DOCS if os.environ.get("VAKHSH_SCREENSHOTS") == "docs" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def overlaps(items: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than a pixel each way."""
    out = []
    for a, b in itertools.combinations(items, 2):
        ra, rb = a["box"], b["box"]
        if min(ra[2], rb[2]) - max(ra[0], rb[0]) > 1 and min(ra[3], rb[3]) - max(ra[1], rb[1]) > 1:
            out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("figure", ["schematic", "grid"])
def test_schematic_labels_readable_at_100_percent(page, central_asia_report, tmp_path, figure):
    page.goto(central_asia_report.as_uri())
    items = page.evaluate(TEXTS, f"#{figure}")
    assert len(items) > 20
    small = [(i["text"], round(i["px"], 1)) for i in items if i["px"] < 10]
    assert not small, small
    assert not overlaps(items), overlaps(items)
    page.locator(f"#{figure}").screenshot(path=str(_shots(tmp_path) / f"{figure}.png"))


def test_hover_texts_and_page_width(page, central_asia_report):
    page.goto(central_asia_report.as_uri())
    titles = page.evaluate(
        "Array.from(document.querySelectorAll('#schematic svg title')).map(t => t.textContent)"
    )
    assert "junction golovnaya" in titles
    grid = page.evaluate(
        "Array.from(document.querySelectorAll('#grid svg title')).map(t => t.textContent)"
    )
    assert any(t.startswith("line casa_1000_tj_pk:") and "2027-01-01" in t for t in grid)
    assert any(t.startswith("bus PK:") and "no price" in t for t in grid)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide at a {WIDTH}-px window"
