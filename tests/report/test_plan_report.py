"""The plan's report.html: the run report's look, the ranking as a bar chart of benefit per
dollar, the build-out by year, money in M USD, no raw column names, no scientific
notation, and a page that fits a 1280-px window.

The plan is hand-derived (tests/plan): one bus, 100 MW of load met by gas at 50 USD/MWh.
Solar at 10 USD per MW-hour with capacity factor 0.5 is built at 200 MW and displaces all
the gas: benefit/cost 100 * 50 / (200 * 10) = 2.5, annual cost 200 * 10 * 8760 = 17.52 M
USD. Wind at 60 USD per MW-hour is not built; at the 100-MW probe it would displace 100 MW
of gas: 100 * 50 / (100 * 60) = 0.83.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from tests.plan.test_expansion import fom_for, generator, one_bus

from vakhsh.plan.ranking import COLUMNS

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory) -> Path:
    from vakhsh.plan import plan

    raw = one_bus(
        {
            "solar": generator(fom=fom_for(10), cf=0.5, max_build_mw=1000),
            "wind": generator(fom=fom_for(60), cf=1.0, max_build_mw=1000),
        }
    )
    raw["candidates"]["wind"]["template"]["carrier"] = "wind"
    folder = tmp_path_factory.mktemp("model") / "tiny"
    folder.mkdir()
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = plan(folder)
    assert result.builds["solar"][2030] == pytest.approx(200.0, rel=1e-6)
    return result.to_folder(tmp_path_factory.mktemp("plans") / "plan")


@pytest.fixture(scope="module")
def page_text(plan_folder) -> str:
    return (plan_folder / "report.html").read_text(encoding="utf-8")


def _outside_svg(text: str) -> str:
    """The page without its inline plots and its style sheet (colours like #4e79a7)."""
    return re.sub(r"<svg.*?</svg>|<style>.*?</style>", "", text, flags=re.DOTALL)


def test_plan_report_has_the_run_reports_look_and_its_sections(page_text):
    from vakhsh.report.style import CSS

    assert CSS in page_text  # the same style sheet as report.html
    for heading in (
        "Headline figures",
        "Build-out by year",
        "Ranking: benefit per dollar",
        "Outcomes against the base system",
        "Costs by kind (M USD)",
        "Every case (investment year × inflow member)",
    ):
        assert f">{heading}</h2>" in page_text, heading
    assert page_text.count("<svg") == 2  # build-out and ranking, inline
    assert "Benefit per dollar of each candidate" in page_text
    assert "Build-out: capacity standing in each investment year" in page_text


def test_plan_report_numbers_are_hand_derived_and_plain(page_text):
    text = _outside_svg(page_text)
    sci = re.search(r"\b\d+(\.\d+)?e[+-]?\d+\b", text)  # 4.67e+08
    assert not sci, text[sci.start() - 80 : sci.end() + 20]
    for raw in COLUMNS[1:]:  # no raw column names (candidate is a word)
        assert raw not in text, raw
    ranking = text[text.index('<section id="ranking">') :]
    row = re.search(r"<td>solar</td>(.*?)</tr>", ranking).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # size, in the plan, cost (M USD/yr), benefit alone, B/C alone, B/C in the plan
    assert cells[:6] == ["200", "200", "17.5", "43.8", "2.50", "2.50"]
    wind = re.search(r"<td>wind</td>(.*?)</tr>", ranking).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', wind)
    assert cells[4] == "0.83" and cells[5] == "—"  # not built: no benefit in the plan
    # in the chart too, the bar's value
    assert ">2.50<" in page_text and ">0.83<" in page_text


def test_plan_report_is_rebuilt_from_plan_json(plan_folder, page_text):
    import json

    from vakhsh.plan.report import render_plan_report

    again = render_plan_report(json.loads((plan_folder / "plan.json").read_text()))

    # the two lines that say when the page was written
    def strip(text):
        return re.sub(r"Written by vakhsh on .*? s\.|<!-- vakhsh-output:.*?-->", "", text)

    assert strip(_outside_svg(again)) == strip(_outside_svg(page_text))


@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="Debian's chromium is not installed"
)
def test_plan_report_fits_a_1280_px_window(plan_folder, tmp_path):
    from playwright.sync_api import sync_playwright
    from tests.report.test_report_browser import FLAGS, TEXTS, overlaps

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((plan_folder / "report.html").as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        texts = page.evaluate(TEXTS, "#ranking") + page.evaluate(TEXTS, "#buildout")
        page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
        browser.close()
    assert width <= 1280
    assert texts and min(t["px"] for t in texts) >= 10, sorted(t["px"] for t in texts)[:3]
    assert not overlaps(texts), overlaps(texts)
