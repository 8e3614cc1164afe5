"""The ensemble report: one self-contained report.html with tables and plots.

Per metric family a chart shows, for every key (bus, plant, demand...), the P10-P90 range
as a bar, the median as a tick, the mean as a dot and the worst run as a cross; the plots
are also written as PNG files under `plots/`.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from vakhsh.ensemble.store import write_atomic

TITLES = {
    "cost_usd": "Total system cost",
    "objective": "Planning objectives",
    "aral_inflow_hm3": "Aral Sea inflow",
    "winter_deficit_gwh": "Winter deficit per bus (unserved plus positive net imports)",
    "winter_unserved_gwh": "Winter unserved energy per bus",
    "downstream_shortage_hm3": "Downstream shortage (demands and sinks)",
    "unserved_gwh": "Unserved energy per bus",
    "shortage_hm3": "Water shortage per demand",
    "sink_inflow_hm3": "Inflow to each sink",
    "winter_hydro_gwh": "Winter hydropower energy per bus",
    "generation_gwh": "Annual generation per plant",
}


def family_plot(rows: pd.DataFrame, title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = rows.dropna(subset=["mean"])
    labels = [k or m for m, k in zip(rows["metric"], rows["key"], strict=True)]
    height = max(1.6, 0.32 * len(rows) + 1.0)
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = range(len(rows))
    ax.barh(y, rows["p90"] - rows["p10"], left=rows["p10"], color="#9ecae1", label="P10-P90")
    ax.scatter(rows["p50"], y, marker="|", s=200, color="#08519c", label="P50")
    ax.scatter(rows["mean"], y, marker="o", s=18, color="black", label="mean")
    ax.scatter(rows["worst"], y, marker="x", s=30, color="#cb181d", label="worst run")
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    unit = rows["unit"].iloc[0] if len(rows) else ""
    ax.set_xlabel(unit)
    ax.set_title(title, loc="left")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def write_report(result) -> Path:
    folder: Path = result.folder
    aggregates = result.aggregates
    plots = folder / "plots"
    plots.mkdir(exist_ok=True)
    parts = [
        f"<h1>Ensemble: {html.escape(Path(result.manifest['model']).name)}</h1>",
        f"<p>{result.succeeded} runs succeeded, {result.failed} failed, "
        f"{result.pending} pending, of {len(result.runs)}.</p>",
    ]
    axes = result.manifest["spec"].get("axes", {})
    if axes:
        parts.append(
            "<h2>Axes</h2><ul>"
            + "".join(
                f"<li><b>{html.escape(k)}</b>: {html.escape(', '.join(map(str, v)))}</li>"
                for k, v in axes.items()
            )
            + "</ul>"
        )
    if result.failed:
        failed = result.index[result.index["status"] == "failed"][["run", "error"]]
        parts.append("<h2>Failed runs</h2>" + failed.to_html(index=False, escape=True))
    for family, title in TITLES.items():
        rows = aggregates[aggregates["metric"] == family]
        if rows.empty or rows["mean"].isna().all():
            continue
        groups = [rows] if family != "objective" else [rows.iloc[[i]] for i in range(len(rows))]
        for i, group in enumerate(groups):
            name = family if len(groups) == 1 else f"{family}_{group['key'].iloc[0]}"
            png = family_plot(
                group, title if len(groups) == 1 else f"{title}: {group['key'].iloc[0]}"
            )
            (plots / f"{name}.png").write_bytes(png)
            encoded = base64.b64encode(png).decode()
            heading = f"<h2>{html.escape(title)}</h2>" if i == 0 else ""
            parts.append(
                f"{heading}<img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'/>"
            )
    parts.append(
        "<h2>Aggregates</h2>"
        + aggregates.to_html(index=False, float_format=lambda v: f"{v:,.4g}", na_rep="")
    )
    from vakhsh.outputs import html_signature

    page = (
        "<!doctype html>"
        + html_signature("ensemble-report")
        + "<html><head><meta charset='utf-8'><title>vakhsh ensemble</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{padding:2px 6px;"
        "border-bottom:1px solid #ddd;text-align:right}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )
    path = folder / "report.html"
    write_atomic(path, page)
    return path
