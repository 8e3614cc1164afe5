"""report.html: one self-contained page per run (headline figures, plots, tables).

Everything is inline: CSS in a <style> block, plots as base64 SVG `data:` URIs (vector,
live text in the reader's sans-serif font), system fonts. The page opens with no network
and prints on A4/Letter.
"""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.outputs import html_signature, write_text_file
from vakhsh.report import metrics
from vakhsh.report.style import CSS, data_uri, inline_svg

REPORT_FILE = "report.html"
REPORT_KIND = "report"


def write_report(results, folder: str | Path, overwrite: bool = True) -> Path:
    """Write `folder/report.html` for a run (and `folder/model/`, the model it ran, if
    missing, so that `vakhsh report` can rebuild the page from the folder alone).

    `folder` is a run folder being built or one vakhsh wrote; a report.html or model/ in
    it that vakhsh did not write is refused (`vakhsh.outputs.OutputError`), and
    `overwrite=False` also keeps an earlier report vakhsh wrote.
    """
    from vakhsh.network import write_network
    from vakhsh.report.load import MODEL_COPY

    folder = Path(folder)
    if not (folder / MODEL_COPY / "model.yaml").is_file():
        write_network(results.net, folder / MODEL_COPY)
    return write_report_file(folder / REPORT_FILE, render_report(results), overwrite)


def write_report_file(path: Path, text: str, overwrite: bool = True, option: str = "path") -> Path:
    """One report page (text carrying `html_signature(REPORT_KIND)`), atomically."""
    return write_text_file(path, text, REPORT_KIND, overwrite=overwrite, option=option)


def render_report(run) -> str:
    """The report of one run as an HTML string."""
    from vakhsh.report.plots import PLOTS

    started = time.perf_counter()
    summary = run.summary()
    head = metrics.headline(run, summary)
    figures = [(spec, _figure_markup(spec, run)) for spec in PLOTS]
    tables = [
        (
            "buses",
            "Energy by bus (GWh)",
            metrics.bus_table(run),
            "Winter is October–March, the non-vegetation season; the winter deficit is "
            "unserved energy plus net imports over winter, net imports counted only where "
            "positive (a net exporter has no deficit); net imports are negative for a net "
            "exporter. The deficit is also given over October–April: April belongs to the "
            "ICWC's non-growing season, and shortfalls there would otherwise go uncounted.",
        ),
        (
            "winters",
            "Winter deficit by winter and bus (GWh)",
            metrics.winter_deficit_by_year(run),
            "Unserved energy plus net imports over each October–March, net imports counted "
            "only where positive that winter.",
        ),
        (
            "demands",
            "Water demands (hm³)",
            metrics.demand_table(run),
            "Downstream: demands outside Tajikistan and Kyrgyzstan (in central-asia those of "
            "Uzbekistan, Turkmenistan, Kazakhstan and Afghanistan).",
        ),
        ("sinks", "Sinks (hm³)", metrics.sink_table(run), ""),
        ("reservoirs", "Reservoirs (hm³)", metrics.reservoir_table(run), ""),
        (
            "prices",
            "Electricity prices (USD/MWh)",
            metrics.price_table(run),
            "Time means of the dual of each bus's balance over the steps where it has one; "
            "— where the bus has no price: nothing in its island (the buses joined to it by "
            "lines in service) can supply it, so its balance sets no price.",
        ),
        (
            "markets",
            "Outside markets",
            metrics.market_table(run),
            "Revenue: exports minus imports at the market price (million USD).",
        ),
        (
            "costs",
            "Costs by kind (M USD)",
            _costs_frame(head),
            "The objective by kind; export revenue counts against it. They sum to the total cost.",
        ),
    ]
    title = f"{head['model']}" + (f" / {head['scenario']}" if head["scenario"] else "")
    period = head["period"]
    parts = [
        "<!DOCTYPE html>",
        html_signature(REPORT_KIND),
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vakhsh report: {_e(title)}</title>",
        f"<style>{CSS}</style></head>",
        "<body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(str(period.get("start", ""))[:10])} to '
        f"{_e(str(period.get('end', ''))[:10])}, {_e(period.get('steps', ''))} steps of "
        f"{_e(_step(period.get('step', '')))} · status {_e(summary.get('status', ''))}</p>",
        _nav(figures, tables),
        '<section id="headline"><h2>Headline figures</h2>',
        _cards(head),
        "</section>",
        '<section id="plots"><h2>Plots</h2>',
    ]
    for spec, (uri, error) in figures:
        parts.append(f'<figure id="{spec.key}"><h3>{_e(spec.title)}</h3>')
        if uri and spec.inline:
            parts.append(f'<div class="svg" role="img" aria-label="{_e(spec.title)}">{uri}</div>')
        elif uri:
            parts.append(f'<img src="{uri}" alt="{_e(spec.title)}">')
        else:
            parts.append(f'<p class="error">This plot could not be drawn: {_e(error)}</p>')
        parts.append(f"<figcaption>{_e(spec.caption)}</figcaption></figure>")
    parts.append('</section><section id="tables"><h2>Tables</h2>')
    for key, caption, frame, note in tables:
        if len(frame):
            parts += [f'<h3 id="table-{key}">{_e(caption)}</h3>', frame_html(frame)]
            if note:
                parts.append(f'<p class="sub">{_e(note)}</p>')
    parts.append(_run_info(summary))
    parts.append(
        f"<footer>Written by vakhsh on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.perf_counter() - started:.1f} s. Self-contained: no file or "
        "script is loaded from elsewhere.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _costs_frame(head: dict[str, Any]) -> pd.DataFrame:
    costs = head["costs_usd"]
    frame = pd.DataFrame(
        {"cost_musd": [v / 1e6 for v in costs.values()]},
        index=pd.Index([k.replace("_", " ") for k in costs], name="kind"),
    )
    return frame[frame["cost_musd"].abs() > 0]


def _figure_markup(spec, run) -> tuple[str | None, str | None]:
    """The figure as a data: URI (or, for an inline spec, as <svg> markup), or the error."""
    if not spec.inline:
        return _figure(spec.function, run)
    try:
        return inline_svg(spec.function(run)), None
    except Exception as exc:  # noqa: BLE001 - one broken plot must not lose the report
        return None, f"{type(exc).__name__}: {exc}"


def _figure(function, run) -> tuple[str | None, str | None]:
    """The figure of `function(run)` as a data: URI, or the error that stopped it."""
    try:
        return data_uri(function(run)), None
    except Exception as exc:  # noqa: BLE001 - one broken plot must not lose the report
        return None, f"{type(exc).__name__}: {exc}"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _step(step: str) -> str:
    try:
        hours = pd.Timedelta(step) / pd.Timedelta(hours=1)
    except ValueError:
        return step
    return (
        f"{hours / 24:g} day" + ("s" if hours != 24 else "")
        if hours >= 24 and hours % 24 == 0
        else f"{hours:g} h"
    )


def _nav(figures, tables) -> str:
    links = ['<a href="#headline">headline</a>']
    links += [
        f'<a href="#{spec.key}">{_e(spec.title.split(" (")[0].lower())}</a>' for spec, _ in figures
    ]
    links += [
        f'<a href="#table-{key}">{key} table</a>' for key, _c, frame, _n in tables if len(frame)
    ]
    return "<nav>" + " ".join(links) + "</nav>"


def _card(label: str, value: str, note: str = "", kind: str = "") -> str:
    return (
        f'<div class="card {kind}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div><div class="note">{note}</div></div>'
    )


def _cards(head: dict[str, Any]) -> str:
    home, value = head["home_bus"], head["home_winter_deficit_gwh"]
    deficit_value = f"{home}: {value:,.0f} GWh" if home else "—"
    if head["home_winter_net_imports_gwh"] < 0:
        deficit_value += " (net exporter)"
    others = sorted(
        ((b, v) for b, v in head["winter_deficit_gwh"].items() if b != home), key=lambda kv: -kv[1]
    )
    deficit_note = (
        f"unserved {head['home_winter_unserved_gwh']:,.1f} GWh, net imports "
        f"{head['home_winter_net_imports_gwh']:,.0f} GWh"
    )
    if others:
        deficit_note += "<br>other buses in deficit: " + ", ".join(
            f"{_e(b)} {v:,.0f}" for b, v in others[:4]
        )
    deficit_note += f"<br>unserved, all buses: {head['winter_unserved_gwh']:,.1f} GWh"
    if home:
        deficit_note += (
            f"<br>October–April (with April, non-growing for the ICWC): "
            f"{head['home_deficit_oct_apr_gwh']:,.0f} GWh"
        )
    short = head["downstream_shortage_hm3"]
    demands_short = head["downstream_demand_shortage_hm3"]
    asked = head["downstream_demanded_hm3"]
    short_note = (
        f"demands {demands_short:,.0f} hm³, {demands_short / asked:.1%} of "
        f"{asked:,.0f} hm³ demanded"
        if asked
        else "no downstream demand"
    ) + f"<br>sinks short of their minimum by {head['sink_shortfall_hm3']:,.0f} hm³"
    audit_ok = head["audit_passed"]
    water, energy = head["audit_water_relative"], head["audit_energy_relative"]
    audit_note = f"largest relative residual: water {_sci(water)}, energy {_sci(energy)}"
    return (
        '<div class="cards">'
        + "".join(
            [
                _card(
                    "Total cost",
                    f"{head['total_cost_usd'] / 1e6:,.1f} M USD",
                    "objective of the optimisation",
                ),
                _card(
                    "Winter deficit (Oct–Mar)",
                    deficit_value,
                    deficit_note,
                    "bad" if head["home_winter_unserved_gwh"] > 0.05 else "",
                ),
                _card(
                    "Exports to outside markets",
                    f"{head['exports_gwh']:,.0f} GWh",
                    f"of which winter {head['winter_exports_gwh']:,.0f} GWh",
                ),
                _card(
                    "Downstream water shortage",
                    f"{short:,.0f} hm³",
                    short_note,
                    "bad" if short > 0.5 else "",
                ),
                _card(
                    "Audit",
                    "passed" if audit_ok else "FAILED",
                    audit_note,
                    "good" if audit_ok else "bad",
                ),
            ]
        )
        + "</div>"
    )


def _sci(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1e}"


def frame_html(
    frame: pd.DataFrame, right: bool = False, formats: dict[str, Any] | None = None
) -> str:
    """A DataFrame as an HTML table: numbers right-aligned with thousands separators
    (`right`: every column right-aligned, for tables of runs side by side; `formats`:
    column -> function giving a number's text, e.g. two decimals for a ratio)."""
    formats = formats or {}
    index_name = frame.index.name or ""
    head = f"<th>{_e(index_name)}</th>" + "".join(
        f'<th class="{"num" if right or _numeric(frame[c]) else ""}">{_e(_header(c))}</th>'
        for c in frame.columns
    )
    rows = []
    for i, key in enumerate(frame.index):
        cells = [f"<td>{_e(key)}</td>"]
        for column in frame.columns:
            value = frame[column].iloc[i]  # its column's type (a row would make ints floats)
            if _numeric(frame[column]):
                text = (
                    _number(value, column)
                    if column not in formats or _missing(value)
                    else formats[column](value)
                )
                cells.append(f'<td class="num">{_e(text)}</td>')
            else:
                if isinstance(value, (bool, np.bool_)):
                    value = "yes" if value else "no"
                align = ' class="num"' if right else ""
                cells.append(f"<td{align}>{_e('' if _missing(value) else value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _header(column: str) -> str:
    for suffix, unit in (
        ("_gwh", " (GWh)"),
        ("_hm3", " (hm³)"),
        ("_musd", " (M USD)"),
        ("_usd_per_mwh", " (USD/MWh)"),
        ("_share", " (%)"),
    ):
        if column.endswith(suffix):
            return column.removesuffix(suffix).replace("_", " ") + unit
    return column.replace("_", " ")


def _number(value: Any, column: str) -> str:
    if _missing(value):
        return "—"
    if column.endswith("_share"):
        return f"{100 * float(value):.1f}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,d}"
    value = float(value)
    if abs(value) < 0.05:  # no "-0.0" for a solver's -1e-9
        return "0.0"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def _run_info(summary: dict[str, Any]) -> str:
    solve = summary.get("solve", {}) or {}
    prov = summary.get("provenance", {}) or {}
    rows = {
        k: (f"{v:.3g}" if isinstance(v, float) else v) for k, v in solve.items() if v is not None
    }
    rows["model_sha256"] = prov.get("model_sha256", "")
    rows.update({f"version {k}": v for k, v in (prov.get("packages") or {}).items()})
    frame = pd.DataFrame(
        {"value": [str(v) for v in rows.values()]}, index=pd.Index(list(rows), name="run")
    )
    return '<h3 id="run">How this run was made</h3>' + frame_html(frame)
