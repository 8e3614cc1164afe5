"""report.html, the plots behind it, `vakhsh report` and `vakhsh compare`."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from vakhsh.report import metrics
from vakhsh.report.compare import metrics_table
from vakhsh.report.html import REPORT_FILE
from vakhsh.report.load import load_run
from vakhsh.report.plots import PLOTS
from vakhsh.report.style import png_bytes

# url(#id) names a part of the page itself (an inline SVG's clip path), never an address
EXTERNAL = re.compile(r"https?://|src=[\"']//|href=[\"']//|url\((?!#)", re.IGNORECASE)
SECTIONS = [
    "Headline figures",
    "Total cost",
    "Winter deficit",
    "Exports",
    "Downstream water shortage",
    "Audit",
    "Plots",
    "Tables",
    "Winter deficit by winter and bus",
    "Energy by bus",
    "Water demands",
    "Sinks",
    "Reservoirs",
    "Outside markets",
    "How this run was made",
]


def _cli(*args: str):
    from vakhsh.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("spec", PLOTS, ids=[s.key for s in PLOTS])
def test_every_plot_builds_on_toy_cascade(toy_results, spec):
    """Each function on a Results object (as from a notebook); report.html renders them."""
    fig = spec.function(toy_results)
    assert isinstance(fig, Figure) and fig.axes
    for ax in fig.axes:  # units in axis labels
        label = ax.get_ylabel()
        if label and ax.get_visible():
            assert "(" in label or "per" in label, (spec.key, label)


def test_plots_render_to_png(toy_results):
    png = png_bytes(PLOTS[1].function(toy_results))
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


def test_report_has_every_section_and_no_external_url(toy_run_dir: Path):
    text = (toy_run_dir / REPORT_FILE).read_text(encoding="utf-8")
    for section in SECTIONS + [spec.title for spec in PLOTS]:
        assert section in text, section
    assert not EXTERNAL.search(text)
    assert text.count("data:image/svg+xml;base64,") == len([s for s in PLOTS if not s.inline])
    assert text.count("<svg") == len([s for s in PLOTS if s.inline])
    assert "could not be drawn" not in text
    assert (toy_run_dir / "model" / "model.yaml").is_file()
    for encoded in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text):
        svg = base64.b64decode(encoded).decode("utf-8")
        svg = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)  # namespace names, never fetched
        assert "http" not in svg and "@import" not in svg and "<image" not in svg


def test_report_rebuilt_from_the_run_folder_alone(toy_run_dir: Path, toy_results):
    run = load_run(toy_run_dir)
    assert run.net.name == "toy-cascade" and run.net.scenario == "base"
    assert metrics.headline(run)["total_cost_usd"] == pytest.approx(toy_results.objective_usd)
    fresh, solved = metrics.bus_table(run), metrics.bus_table(toy_results)
    assert fresh.round(6).equals(solved.round(6))


def test_winter_deficit_is_unserved_plus_net_imports(toy_results):
    table = metrics.bus_table(toy_results)
    summary = toy_results.summary()
    for bus, row in table.iterrows():
        assert row.winter_unserved_gwh == pytest.approx(
            summary["energy"]["winter_unserved_gwh"][bus]
        )
        assert row.winter_deficit_gwh == pytest.approx(
            row.winter_unserved_gwh + row.winter_net_imports_gwh
        )
    # energy balance: supply plus net imports plus unserved meets load, per bus
    balance = (
        table.hydro_gwh + table.other_generation_gwh + table.net_imports_gwh + table.unserved_gwh
    )
    storage_losses = balance - table.load_gwh
    assert (storage_losses.abs() < 0.02 * table.load_gwh + 1).all()


def test_report_command_and_errors(toy_dry_run_dir: Path, tmp_path: Path):
    text = (toy_dry_run_dir / REPORT_FILE).read_text(encoding="utf-8")  # by `vakhsh report`
    assert "toy-cascade / dry" in text and not EXTERNAL.search(text)
    assert "could not be drawn" not in text
    missing = _cli("report", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert "vakhsh: error:" in missing.output and "nowhere" in missing.output
    assert "Traceback" not in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _cli("report", str(empty))
    assert result.exit_code == 2 and "not a run folder" in result.output


def test_compare_two_scenarios(toy_run_dir: Path, toy_dry_run_dir: Path, tmp_path: Path):
    out = tmp_path / "compare.html"
    result = _cli("compare", str(toy_run_dir), str(toy_dry_run_dir), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "total cost" in result.output and "toy-dry" in result.output
    text = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(text)
    assert text.count("data:image/svg+xml;base64,") >= 4
    table = metrics_table([load_run(toy_run_dir), load_run(toy_dry_run_dir)])
    assert list(table.loc["scenario"]) == ["base", "dry"]
    assert table.loc["total cost (M USD)"].nunique() == 2


WATER_ONLY = [
    "buses",
    "loads",
    "generators",
    "storage_units",
    "lines",
    "markets",
    "hydro_plants",
    "candidates",
    "scenarios",
]
POWER_ONLY = [
    "junctions",
    "sinks",
    "catchments",
    "reservoirs",
    "reaches",
    "hydro_plants",
    "water_demands",
    "candidates",
    "scenarios",
]


@pytest.mark.parametrize("drop", [WATER_ONLY, POWER_ONLY], ids=["water-only", "power-only"])
def test_report_of_a_model_with_one_side_only(edit_model, drop):
    from vakhsh.network import load_network
    from vakhsh.pipeline import optimise
    from vakhsh.report.html import render_report
    from vakhsh.solve.options import SolveOptions

    def remove(raw):
        for key in drop:
            raw.pop(key, None)

    folder = edit_model(remove)
    results = optimise(load_network(folder, end="2024-11-01"), SolveOptions())
    text = render_report(results)
    assert "could not be drawn" not in text and "Headline figures" in text


def test_run_folder_without_model_copy(toy_run_dir: Path, tmp_path: Path):
    """An older run folder (no model/) falls back to the embedded model it names, only
    while that model is unchanged (same hash); otherwise a clear error."""
    import json
    import shutil

    from vakhsh.errors import ModelError

    folder = Path(shutil.copytree(toy_run_dir, tmp_path / "old-run"))
    shutil.rmtree(folder / "model")
    assert load_run(folder).net.name == "toy-cascade"
    summary = json.loads((folder / "summary.json").read_text())
    summary["provenance"]["model_sha256"] = "0" * 64
    (folder / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(ModelError, match="no model/ folder"):
        load_run(folder)


def test_deficit_over_october_april_is_reported_and_said(toy_results, toy_run_dir: Path):
    # the non-vegetation season plus April (issue #12): the bus table and the card carry it,
    # equal to the one definition in vakhsh.results.metrics over October-April
    from vakhsh.results import metrics as m

    table = metrics.bus_table(toy_results)
    expected = m.winter_deficit_gwh(toy_results.net, toy_results.dataset, m.WINTER_AND_APRIL)
    for bus, row in table.iterrows():
        assert row.deficit_oct_apr_gwh == pytest.approx(expected[bus])
        assert row.deficit_oct_apr_gwh >= row.winter_unserved_gwh - 1e-9
    text = (toy_run_dir / REPORT_FILE).read_text(encoding="utf-8")
    assert "October–April" in text and "non-growing" in text
