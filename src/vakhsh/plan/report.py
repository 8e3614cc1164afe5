"""The plan's report.html: what to build and when, what it costs, what each candidate is
worth per dollar, with the look of the run report (`vakhsh.report.style`).

Everything is drawn from plan.json's content (`Plan.to_dict()`), so the page can be
rebuilt from a plan folder alone. Money in million USD, energy in GWh, water in hm³; no
raw column names, no scientific notation; the plots are inline SVG.
"""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from vakhsh.outputs import html_signature, write_text_file
from vakhsh.report.html import _card, frame_html
from vakhsh.report.style import (
    CSS,
    SERIES_COLOURS,
    arrange,
    carrier_colour,
    empty_figure,
    format_thousands,
    inline_svg,
    new_figure,
)

REPORT_KIND = "plan-report"
FONT = 8.0  # pt, as the schematic: >= 10 px on the report's column

COMPONENTS = {
    "generators": "generator",
    "hydro_plants": "hydropower plant",
    "storage_units": "storage",
    "lines": "line",
    "reservoir_stages": "reservoir stage",
}
COST_NAMES = {
    "generation": "generation (fuel)",
    "unserved_energy": "unserved energy",
    "water_shortage": "water shortage",
    "reach_shortfall": "river flow shortfall",
    "sink_shortfall": "sink shortfall",
    "spill": "spill",
    "market_imports": "market imports",
    "market_export_revenue": "market export revenue",
    "investment": "investment",
}


NAV = {
    "headline": "headline",
    "buildout": "build-out",
    "ranking": "ranking",
    "outcomes": "outcomes",
    "costs": "costs",
    "robust": "robust plan",
    "cases": "cases",
    "notes": "notes",
}


def _e(value: Any) -> str:
    return html.escape(str(value))


def _musd(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    m = value / 1e6
    if abs(m) >= 1000:
        return f"{m:,.0f} M USD"
    return f"{m:,.1f} M USD" if abs(m) >= 1 or m == 0 else f"{m:,.3f} M USD"


def _ratio(value: float) -> str:
    return "0.00" if abs(value) < 0.005 else f"{value:,.2f}"  # never "-0.00"


# ---------------------------------------------------------------- tables
def builds_table(d: dict[str, Any]) -> pd.DataFrame:
    """MW built in each investment year and standing in the last, per candidate that the
    plan builds (the others are in the ranking)."""
    years = [str(y) for y in d["years"]]
    builds = pd.DataFrame(d["builds"]).T.reindex(columns=years).fillna(0.0)
    standing = pd.DataFrame(d["capacity_mw"]).T.reindex(columns=years).fillna(0.0)
    built = builds.index[builds.sum(axis=1) > 1e-6]
    table = builds.loc[built].rename(columns=lambda y: f"built {y} (MW)")
    table[f"standing {years[-1]} (MW)"] = standing.loc[built, years[-1]]
    storage = d.get("storage_energy_mwh") or {}
    if any(c in storage for c in built):
        table["storage energy (MWh)"] = [
            max(storage.get(c, {}).values(), default=np.nan) for c in built
        ]
    table.index.name = "candidate"
    return table


def outcomes_table(d: dict[str, Any]) -> pd.DataFrame:
    """Annual outcomes of the plan beside the base system (nothing built)."""
    m = d["metrics"]
    base = m.get("base_system") or {}
    rows = [
        ("unserved energy (GWh/yr)", "unserved_mwh_per_year", 1e-3),
        ("winter unserved energy (GWh/yr)", "winter_unserved_mwh_per_year", 1e-3),
        ("export revenue (M USD/yr)", "export_revenue_usd_per_year", 1e-6),
        ("downstream water shortage (hm³/yr)", "downstream_shortage_hm3_per_year", 1.0),
    ]
    frame = pd.DataFrame(
        {
            "plan": [m[key] * k for _n, key, k in rows],
            "base system": [base[key] * k if key in base else np.nan for _n, key, k in rows],
        },
        index=pd.Index([name for name, _k, _f in rows], name="outcome"),
    )
    return frame if base else frame[["plan"]]


def costs_table(d: dict[str, Any]) -> pd.DataFrame:
    """The objective by kind (M USD, weighted as in the objective), investment first."""
    costs = dict(d["costs_usd"])
    order = ["investment"] + [k for k in costs if k != "investment"]
    frame = pd.DataFrame(
        {"cost (M USD)": [costs[k] / 1e6 for k in order if k in costs]},
        index=pd.Index(
            [COST_NAMES.get(k, k.replace("_", " ")) for k in order if k in costs], name="kind"
        ),
    )
    frame = frame[frame["cost (M USD)"].abs() > 5e-4]
    frame.loc["total"] = d["objective_usd"] / 1e6
    return frame


def ranking_table(ranking: pd.DataFrame) -> pd.DataFrame:
    """The ranking in words and M USD: what each candidate costs a year and saves, added
    alone to the base system and removed from the plan."""
    r = ranking.set_index("candidate")
    table = pd.DataFrame(
        {
            "kind": r["component"].map(lambda c: COMPONENTS.get(c, str(c).replace("_", " "))),
            "size (MW)": r["size_mw"],
            "in the plan (MW)": r["built_in_plan_mw"],
            "cost (M USD/yr)": r["annual_cost_usd"] / 1e6,
            "benefit alone (M USD/yr)": r["benefit_added_usd"] / 1e6,
            "benefit per USD alone": r["bc_added"],
            "benefit per USD in the plan": r["bc_removed"].where(r["built_in_plan_mw"] > 1e-6),
            "NPV (M USD)": r["npv_usd"] / 1e6,
            "LCOE (USD/MWh)": r["lcoe_usd_per_mwh"],
            "winter energy (GWh/yr)": r["winter_energy_gwh"],
        },
        index=r.index,
    )
    table.index.name = "candidate"
    return table


def benefit_parts_table(ranking: pd.DataFrame) -> pd.DataFrame:
    """What the benefit of each candidate (added alone) is made of, per year."""
    r = ranking.set_index("candidate")
    table = pd.DataFrame(
        {
            "operating cost avoided (M USD/yr)": r["cost_avoided_usd"] / 1e6,
            "unserved energy avoided (GWh/yr)": r["unserved_avoided_mwh"] / 1e3,
            "export revenue gained (M USD/yr)": r["export_revenue_gained_usd"] / 1e6,
            "downstream shortage avoided (hm³/yr)": r["downstream_shortage_avoided_hm3"],
            "energy delivered (GWh/yr)": r["energy_gwh"],
        },
        index=r.index,
    )
    table.index.name = "candidate"
    return table


# ---------------------------------------------------------------- plots
def _candidate_colours(d: dict[str, Any], ids: list[str]) -> dict[str, str]:
    """A carrier's colour where the candidate has one, distinct shades otherwise."""
    carriers = d.get("carriers") or {}
    out, spare = {}, iter(SERIES_COLOURS * 3)
    used: set[str] = set()
    for cid in ids:
        colour = carrier_colour(carriers[cid]) if cid in carriers else None
        if colour is None or colour in used:
            colour = next(spare)
            while colour in used:
                colour = next(spare)
        used.add(colour)
        out[cid] = colour
    return out


def plot_buildout(d: dict[str, Any]) -> Figure:
    """Capacity standing in each investment year (MW), stacked by candidate; the year's new
    builds written above each bar."""
    years = [str(y) for y in d["years"]]
    standing = pd.DataFrame(d["capacity_mw"]).T.reindex(columns=years).fillna(0.0)
    builds = pd.DataFrame(d["builds"]).T.reindex(columns=years).fillna(0.0)
    standing = standing[standing.max(axis=1) > 1e-6]
    if not len(standing):
        return empty_figure("the plan builds nothing")
    colours = _candidate_colours(d, list(standing.index))
    width = min(12.0, 3.0 + 1.3 * len(years) + 2.6)
    fig = new_figure(width, 4.2)
    ax = fig.add_subplot()
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for cid, row in standing.iterrows():
        ax.bar(
            x,
            row.to_numpy(),
            0.6,
            bottom=bottom,
            color=colours[cid],
            label=cid,
            edgecolor="white",
            linewidth=0.6,
        )
        bottom += row.to_numpy()
    new = builds.loc[standing.index].sum(axis=0).to_numpy()
    for xi, top, added in zip(x, bottom, new, strict=True):
        ax.annotate(
            f"{top:,.0f} MW" + (f"\n+{added:,.0f} new" if added > 0.5 else ""),
            (xi, top),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=FONT,
        )
    ax.set_xticks(x, years, fontsize=FONT + 1)
    ax.set_ylim(0, max(bottom.max(), 1.0) * 1.25)
    ax.set_ylabel("capacity standing (MW)", fontsize=FONT + 1)
    ax.tick_params(axis="y", labelsize=FONT)
    format_thousands(ax)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=FONT, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Build-out: capacity standing in each investment year", fontsize=10, loc="left")
    arrange(fig, left=0.9, right=2.6, top=0.45, bottom=0.45)
    return fig


def plot_ranking(ranking: pd.DataFrame) -> Figure:
    """Benefit per dollar of each candidate added alone to the base system (bars, built
    candidates darker) and removed from the plan (diamonds); 1 is where it pays back."""
    r = ranking.set_index("candidate")
    order = r["bc_added"].fillna(-np.inf).sort_values().index
    r = r.loc[order]
    n = len(r)
    fig = new_figure(11.0, 1.35 + 0.34 * max(n, 2))
    ax = fig.add_subplot()
    y = np.arange(n)
    value = r["bc_added"].fillna(0.0).to_numpy()
    built = (r["built_in_plan_mw"] > 1e-6).to_numpy()
    ax.barh(y, value, 0.62, color=np.where(built, "#2e7d32", "#9bbf9d"), zorder=2)
    removed = r["bc_removed"].where(r["built_in_plan_mw"] > 1e-6)
    ax.scatter(
        removed.to_numpy(),
        y,
        marker="D",
        s=28,
        color="#1d2733",
        zorder=3,
        label="removed from the plan",
    )
    span = max(float(np.nanmax(np.r_[value, removed.fillna(0).to_numpy(), 1.0])), 1.0)
    for yi, v in zip(y, value, strict=True):
        ax.annotate(
            _ratio(v),
            (max(v, 0.0), yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=FONT,
        )
    ax.axvline(1.0, color="#c0392b", lw=1, ls="--", zorder=1)
    ax.annotate(
        "1: pays back",
        (1.0, n - 0.4 + 0.5),
        xytext=(3, -2),
        textcoords="offset points",
        fontsize=FONT,
        color="#c0392b",
        va="top",
    )
    ax.set_yticks(y, [str(c) for c in r.index], fontsize=FONT + 0.5)
    ax.set_xlim(min(0.0, float(np.nanmin(value))) * 1.1, span * 1.15)
    ax.set_ylim(-0.6, n - 0.4 + 0.5)  # room above the top bar for the pay-back note
    ax.set_xlabel(
        "benefit per USD invested (operating cost avoided / annual cost)", fontsize=FONT + 1
    )
    ax.tick_params(axis="x", labelsize=FONT)
    ax.grid(axis="x", color="#e5e8eb", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    from matplotlib.patches import Patch

    handles = [
        Patch(color="#2e7d32", label="added alone, built in the plan"),
        Patch(color="#9bbf9d", label="added alone, not built"),
        ax.collections[-1],
    ]
    ax.legend(
        handles=handles,
        fontsize=FONT,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        frameon=False,
        ncol=3,
        borderaxespad=0.2,
    )
    ax.set_title("Benefit per dollar of each candidate", fontsize=10, loc="left", pad=24)
    longest = max((len(str(c)) for c in r.index), default=8)
    arrange(fig, left=0.3 + 0.075 * longest, right=0.3, top=0.75, bottom=0.6)
    return fig


# ---------------------------------------------------------------- the page
def _figure(function, *args) -> str:
    try:
        return inline_svg(function(*args))
    except Exception as exc:  # noqa: BLE001 - one broken plot must not lose the report
        return (
            f'<p class="error">This plot could not be drawn: {_e(type(exc).__name__)}: '
            f"{_e(exc)}</p>"
        )


def _cards(d: dict[str, Any]) -> str:
    c, m = d["costs"], d["metrics"]
    base = m.get("base_system") or {}
    saving = c.get("saving_vs_base_usd")
    unserved = m["unserved_mwh_per_year"] / 1e3
    unserved_note = (
        f"base system {base['unserved_mwh_per_year'] / 1e3:,.1f} GWh/yr; "
        f"winter {m['winter_unserved_mwh_per_year'] / 1e3:,.1f} GWh/yr"
        if base
        else f"winter {m['winter_unserved_mwh_per_year'] / 1e3:,.1f} GWh/yr"
    )
    audits = d.get("audit") or {}
    passed = all(a.get("passed", False) for a in audits.values())
    built = sum(1 for by in d["builds"].values() if sum(by.values()) > 1e-6)
    return (
        '<div class="cards">'
        + "".join(
            [
                _card(
                    "Total cost",
                    _musd(d["objective_usd"]),
                    f"investment {_musd(c['investment_usd'])}, operation "
                    f"{_musd(c['operating_usd'])}",
                ),
                _card(
                    "Per year",
                    _musd(c["annual_investment_usd"] + c["annual_operating_usd"]),
                    f"investment {_musd(c['annual_investment_usd'])}/yr, operation "
                    f"{_musd(c['annual_operating_usd'])}/yr",
                ),
                _card(
                    "Saving against building nothing",
                    _musd(saving),
                    f"the base system costs {_musd(c.get('base_system_usd'))}"
                    if saving is not None
                    else "no base system evaluated",
                    "good" if saving and saving > 0 else "",
                ),
                _card(
                    "Unserved energy",
                    f"{unserved:,.1f} GWh/yr",
                    unserved_note,
                    "bad" if unserved > 0.05 else "good",
                ),
                _card(
                    "Candidates built",
                    f"{built} of {len(d['builds'])}",
                    f"audit of {len(audits)} case{'s' if len(audits) != 1 else ''}: "
                    + ("passed" if passed else "FAILED"),
                    "" if passed else "bad",
                ),
            ]
        )
        + "</div>"
    )


def render_plan_report(d: dict[str, Any], ranking: pd.DataFrame | None = None) -> str:
    """The plan report page from plan.json's content (and the ranking table)."""
    started = time.perf_counter()
    if ranking is None and d.get("ranking"):
        ranking = pd.DataFrame(d["ranking"])
    title = d["model"] + (f" / {d['scenario']}" if d.get("scenario") else "")
    members = d.get("members") or []
    on = ", ".join(f"{m['label']} ({m['weight']:.0%})" for m in members) if len(members) > 1 else ""
    sub = (
        f"Investment years {', '.join(map(str, d['years']))} · "
        f"{'myopic, year by year' if d['myopic'] else 'perfect foresight'} · discount "
        f"rate {d['discount_rate']:.1%}"
        + (f" · load growth {d['demand_growth']:.1%}/yr" if d.get("demand_growth") else "")
        + (f" · inflow members {on}" if on else "")
    )
    sections = [("headline", "Headline figures", _cards(d))]
    buildout = builds_table(d)
    sections.append(
        (
            "buildout",
            "Build-out by year",
            _figure(plot_buildout, d)
            + (frame_html(buildout) if len(buildout) else "<p>The plan builds nothing.</p>")
            + '<p class="sub">Built: MW added in that investment year; standing: '
            "MW in service in the last year (builds stay until they retire).</p>",
        )
    )
    if ranking is not None and len(ranking):
        sections.append(
            (
                "ranking",
                "Ranking: benefit per dollar",
                _figure(plot_ranking, ranking)
                + '<div class="scroll">'
                + frame_html(
                    ranking_table(ranking),
                    formats={
                        "benefit per USD alone": _ratio,
                        "benefit per USD in the plan": _ratio,
                    },
                )
                + "</div>"
                + '<p class="sub">Annual figures. <em>Alone</em>: the candidate added '
                "to the base system with nothing else built, at its size in the "
                "plan (or a probe size when the plan leaves it out); <em>in the "
                "plan</em>: what the plan loses without it. Benefit per USD is the "
                "operating cost avoided over the candidate's annual cost; above 1 it "
                "pays back. NPV over the candidate's lifetime; LCOE over the energy "
                "it delivers.</p>"
                "<h3>What the benefit is made of (added alone)</h3>"
                + '<div class="scroll">'
                + frame_html(benefit_parts_table(ranking))
                + "</div>",
            )
        )
    sections.append(
        (
            "outcomes",
            "Outcomes against the base system",
            frame_html(outcomes_table(d))
            + '<p class="sub">Per year, averaged over the investment years and '
            "inflow members with their weights; the base system builds nothing."
            "</p>",
        )
    )
    sections.append(
        (
            "costs",
            "Costs by kind (M USD)",
            frame_html(costs_table(d))
            + '<p class="sub">Over the plan horizon, weighted as in the objective '
            f"({d['costs']['equivalent_years']:,.2f} equivalent years); export "
            "revenue counts against the cost.</p>",
        )
    )
    average = d.get("average_year_plan")
    if average:
        diff = pd.DataFrame(average["difference_mw"]).T
        diff = diff[(diff.abs() > 1e-6).any(axis=1)].rename(
            columns=lambda y: f"robust minus average {y} (MW)"
        )
        diff.index.name = "candidate"
        sections.append(
            (
                "robust",
                "Robust plan against the average-year plan",
                f"<p>The plan made for the average year, run on every member, costs "
                f"{average['regret_usd_per_year'] / 1e6:,.2f} M USD a year more, "
                f"with {average['unserved_mwh_per_year'] / 1e3:,.1f} GWh/yr unserved "
                f"(robust plan: "
                f"{average['robust_unserved_mwh_per_year'] / 1e3:,.1f}).</p>"
                + (frame_html(diff) if len(diff) else "<p>Both plans build the same.</p>"),
            )
        )
    cases = pd.DataFrame(
        [
            {
                "year": c["year"],
                "member": c["member"],
                "weight": c["weight"],
                "operating cost (M USD)": c["operating_usd"] / 1e6,
                "unserved (GWh)": c["unserved_mwh"] / 1e3,
                "winter unserved (GWh)": c["winter_unserved_mwh"] / 1e3,
                "exports (GWh)": c["export_mwh"] / 1e3,
                "downstream shortage (hm³)": c["downstream_shortage_hm3"],
            }
            for c in d["metrics"].get("cases", [])
        ]
    )
    if len(cases):
        cases = cases.set_index("year")
        sections.append(
            (
                "cases",
                "Every case (investment year × inflow member)",
                frame_html(cases, formats={"weight": lambda w: f"{w:.0%}"})
                + '<p class="sub">Each case\'s results.nc and summary.json are in '
                "years/y&lt;YEAR&gt;_&lt;MEMBER&gt;/ of the plan folder.</p>",
            )
        )
    notes = d.get("notes") or []
    if notes:
        sections.append(
            ("notes", "Notes", "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
        )
    nav = (
        "<nav>"
        + " ".join(f'<a href="#{key}">{_e(NAV.get(key, key))}</a>' for key, _name, _b in sections)
        + "</nav>"
    )
    parts = [
        "<!DOCTYPE html>",
        html_signature(REPORT_KIND),
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vakhsh plan: {_e(title)}</title>",
        f"<style>{CSS}</style></head>",
        "<body><main>",
        f"<h1>Investment plan: {_e(title)}</h1>",
        f'<p class="sub">{_e(sub)}</p>',
        nav,
    ]
    for key, name, body in sections:
        parts.append(f'<section id="{key}"><h2>{_e(name)}</h2>{body}</section>')
    parts.append(
        f"<footer>Written by vakhsh on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.perf_counter() - started:.1f} s. Self-contained: no file or "
        "script is loaded from elsewhere.</footer></main></body></html>"
    )
    return "\n".join(parts)


def plan_carriers(plan) -> dict[str, str]:
    """The carrier of each candidate, for colours: a generator's own, hydro for plants
    and reservoir stages, storage for storage units."""
    out = {}
    for cid, row in plan.candidates.iterrows():
        template = row.get("template") or {}
        component = row.get("component")
        if component == "generators" and isinstance(template, dict):
            out[cid] = str(template.get("carrier", "other"))
        elif component in ("hydro_plants", "reservoir_stages"):
            out[cid] = "hydro"
        elif component == "storage_units":
            out[cid] = "storage"
    return out


def plan_section(plan) -> str:
    """The plan report page of a `Plan`."""
    return render_plan_report({**plan.to_dict(), "carriers": plan_carriers(plan)}, plan.ranking)


def write_plan_report(plan, path: Path) -> Path:
    """report.html of a plan, atomically (`vakhsh.outputs`)."""
    return write_text_file(Path(path), plan_section(plan), REPORT_KIND)
