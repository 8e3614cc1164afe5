"""report.html of an SDDP run: the policy's distribution over members, water values,
storage fan charts and the training's convergence, in the style of the run report
(`vakhsh.report.html`: self-contained, plots inlined as SVG)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.outputs import write_text_atomic
from vakhsh.report.html import CSS, REPORT_FILE, _card, _e, _figure, _run_info, frame_html
from vakhsh.report.style import (
    SERIES_COLOURS,
    arrange,
    axes_grid,
    date_axis,
    empty_figure,
    format_thousands,
    new_figure,
    shade_winter_dates,
)

FAN_RESERVOIRS = 6  # the largest reservoirs get a fan chart and a water-value surface


def write_sddp_report(run, summary: dict, folder: Path) -> Path:
    return write_text_atomic(folder / REPORT_FILE, render_sddp_report(run, summary))


def _largest(run, n: int) -> list[str]:
    res = run.net.tables["reservoirs"]
    live = (res["storage_max_hm3"] - res["storage_min_hm3"]).sort_values(ascending=False)
    return [str(r) for r in live.index[:n] if live[r] > 0]


# ------------------------------------------------------------------ plots
def plot_convergence(run):
    log = run.log.iterations
    if not log:
        return empty_figure("a reloaded policy: no training in this run")
    fig = new_figure(10, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    it = [e.iteration for e in log]
    ax.plot(
        it, [e.lower_bound_usd / 1e6 for e in log], color=SERIES_COLOURS[0], label="lower bound"
    )
    ax.plot(
        it,
        [e.forward_cost_usd / 1e6 for e in log],
        color=SERIES_COLOURS[1],
        lw=0.8,
        alpha=0.6,
        label="forward passes (mean cost)",
    )
    checks = [e for e in log if e.simulated_mean_usd is not None]
    if checks:
        ax.errorbar(
            [e.iteration for e in checks],
            [e.simulated_mean_usd / 1e6 for e in checks],
            yerr=[e.simulated_ci95_usd / 1e6 for e in checks],
            fmt="o",
            color=SERIES_COLOURS[2],
            capsize=3,
            label="simulated mean ± 95 %",
        )
    low = min(e.lower_bound_usd for e in log[len(log) // 3 :]) / 1e6
    high = max([e.lower_bound_usd for e in log] + [e.simulated_mean_usd or 0 for e in checks])
    ax.set_ylim(low - 0.15 * abs(low), high / 1e6 * 1.25)
    ax.set_xlabel("iteration")
    ax.set_ylabel("M USD")
    format_thousands(ax)
    ax.legend(loc="upper right", fontsize=8)
    arrange(fig)
    return fig


def plot_storage_fans(run):
    ds = run.simulation.dataset
    ids = _largest(run, FAN_RESERVOIRS)
    fig = new_figure(10, 2.4 * ((len(ids) + 1) // 2) + 0.6)
    axes = axes_grid(fig, len(ids), columns=2)
    time = pd.DatetimeIndex(ds["time"].values)
    res = run.net.tables["reservoirs"]
    for ax, rid in zip(axes, ids, strict=False):
        s = ds["storage_hm3"].sel(reservoir=rid).transpose("member", "time").values
        shade_winter_dates(ax, time[0], time[-1])
        q = np.percentile(s, [0, 10, 50, 90, 100], axis=0)
        ax.fill_between(
            time, q[0], q[4], color=SERIES_COLOURS[0], alpha=0.12, lw=0, label="min–max"
        )
        ax.fill_between(
            time, q[1], q[3], color=SERIES_COLOURS[0], alpha=0.35, lw=0, label="P10–P90"
        )
        ax.plot(time, q[2], color=SERIES_COLOURS[0], lw=1.4, label="P50")
        ax.axhline(res.loc[rid, "storage_min_hm3"], color="grey", lw=0.6, ls=":")
        ax.axhline(res.loc[rid, "storage_max_hm3"], color="grey", lw=0.6, ls=":")
        ax.set_title(rid, fontsize=10)
        ax.set_ylabel("hm³")
        format_thousands(ax)
        date_axis(ax)
    if axes:
        axes[0].legend(loc="lower left", fontsize=7)
    arrange(fig)
    return fig


def water_value_frame(run) -> pd.DataFrame:
    return run.water_values()


def plot_water_value_surfaces(run):
    values = water_value_frame(run)
    ids = [r for r in _largest(run, FAN_RESERVOIRS) if r in set(values["reservoir"])]
    if not len(values) or not ids:
        return empty_figure("no cost-to-go: a single stage")
    fig = new_figure(10, 2.6 * ((len(ids) + 1) // 2) + 0.6)
    axes = axes_grid(fig, len(ids), columns=2, sharex=False)
    stages = list(dict.fromkeys(values["stage"]))
    for ax, rid in zip(axes, ids, strict=False):
        table = values[values["reservoir"] == rid].pivot(
            index="storage_hm3", columns="stage", values="value_usd_per_hm3"
        )
        table = table[stages]
        grid = table.to_numpy() / 1e3
        # the end-target penalty makes a few cells huge: the colours stop at the 95th
        # percentile so that the rest of the surface stays readable
        top = float(np.percentile(grid, 95)) if np.isfinite(grid).any() else 1.0
        mesh = ax.pcolormesh(
            np.arange(len(stages) + 1) - 0.5,
            _edges(table.index.to_numpy()),
            grid,
            cmap="viridis",
            shading="flat",
            vmin=0.0,
            vmax=max(top, 1e-9),
        )
        fig.colorbar(mesh, ax=ax, label="k USD/hm³", extend="max")
        ax.set_xticks(range(len(stages)))
        ax.set_xticklabels([s[-2:] if len(s) == 7 else s[5:] for s in stages], fontsize=7)
        ax.set_title(rid, fontsize=10)
        ax.set_ylabel("storage at stage end (hm³)")
        format_thousands(ax)
    arrange(fig, right=0.4, wgap=1.3)
    return fig


def _edges(levels: np.ndarray) -> np.ndarray:
    mid = (levels[1:] + levels[:-1]) / 2
    return np.r_[levels[0] - (mid[0] - levels[0]), mid, levels[-1] + (levels[-1] - mid[-1])]


def plot_winter_deficit(run):
    rows = run.summary()["sddp"]["winter_deficit_gwh"]
    buses = [b for b, d in rows.items() if d["worst"] > 0.5] or list(rows)[:1]
    per_member = [s["energy"]["winter_deficit_gwh"] for s in run.simulation.summaries]
    fig = new_figure(10, 3.4)
    ax = fig.add_subplot(1, 1, 1)
    data = [[m[b] for m in per_member] for b in buses]
    ax.boxplot(data, whis=(10, 90), showfliers=True)
    ax.set_xticks(range(1, len(buses) + 1))
    ax.set_xticklabels(buses)
    ax.set_ylabel("winter deficit (GWh)")
    format_thousands(ax)
    arrange(fig)
    return fig


PLOTS = [
    (
        "convergence",
        "Training: lower bound and simulated cost",
        plot_convergence,
        "The lower bound is the first stage's risk-adjusted value with the cuts so far; the "
        "simulated mean (95 % interval) comes from paths sampled from the training noise.",
    ),
    (
        "fans",
        "Storage fan charts over the simulated members",
        plot_storage_fans,
        "P50 line, P10–P90 band and min–max band of end-of-step storage; dotted lines are the "
        "minimum and maximum storage; grey: October–March.",
    ),
    (
        "water-values",
        "Water-value surfaces",
        plot_water_value_surfaces,
        "Minus the slope of the cost-to-go after each stage in the reservoir's storage, other "
        "states at their median simulated values (water_values.csv); colours stop at the 95th "
        "percentile of each surface.",
    ),
    (
        "winter",
        "Winter deficit over the simulated members",
        plot_winter_deficit,
        "Unserved energy plus net imports over October–March per member; box: quartiles, "
        "whiskers P10–P90.",
    ),
]


# ------------------------------------------------------------------ page
def distribution_table(summary: dict) -> pd.DataFrame:
    d = summary["sddp"]
    rows = {"cost (M USD)": {k: v / 1e6 for k, v in d["cost_usd"].items()}}
    pf = d.get("perfect_foresight", {})
    if "cost_usd" in pf:
        rows["cost, perfect foresight (M USD)"] = {k: v / 1e6 for k, v in pf["cost_usd"].items()}
    for bus, dist in d["winter_deficit_gwh"].items():
        rows[f"winter deficit {bus} (GWh)"] = dist
        if bus in pf.get("winter_deficit_gwh", {}):
            rows[f"winter deficit {bus}, perfect foresight (GWh)"] = pf["winter_deficit_gwh"][bus]
    for rid, dist in d.get("end_shortfall_hm3", {}).items():
        rows[f"end target shortfall {rid} (hm³)"] = dist
    for family, dist in d.get("violations", {}).items():
        rows[f"violated: {family}"] = dist
    frame = pd.DataFrame(rows).T[["p10", "p50", "p90", "worst", "mean"]]
    frame.index.name = "over members"
    return frame


def water_value_by_month(run) -> pd.DataFrame:
    """Water value at the median simulated end-of-stage storage, per stage and reservoir."""
    ref = run.reference_states()
    if ref is None:
        return pd.DataFrame()
    states = run.model.states
    rows = {}
    for s, store in enumerate(run.model.cuts[:-1]):
        _v, grad = store.evaluate(ref[s][None, :])
        rows[run.model.stages[s].label] = {
            states.component[i]: -grad[0, i] for i in states.positions("storage")
        }
    frame = pd.DataFrame(rows).T
    frame.index.name = "stage"
    return frame[_largest(run, FAN_RESERVOIRS)] if len(frame) else frame


def _headline_bus(d: dict) -> str:
    """The bus with the largest median winter deficit (the first one if none has any)."""
    rows = d["winter_deficit_gwh"]
    return max(rows, key=lambda b: (rows[b]["p50"], rows[b]["worst"]))


def render_sddp_report(run, summary: dict) -> str:
    started = time.perf_counter()
    d = summary["sddp"]
    title = (
        f"{summary['model']}"
        + (f" / {summary['scenario']}" if summary["scenario"] else "")
        + " — SDDP policy"
    )
    cards = []
    if d["lower_bound_usd"] is not None:
        cards.append(
            _card(
                "Lower bound",
                f"{d['lower_bound_usd'] / 1e6:,.1f} M USD",
                f"{d['iterations']} iterations, stopped by {_e(d['stopped_by'])}",
            )
        )
    if d["simulated_mean_usd"] is not None:
        cards.append(
            _card(
                "Simulated cost",
                f"{d['simulated_mean_usd'] / 1e6:,.1f} M USD",
                f"± {d['simulated_ci95_usd'] / 1e6:,.1f} (95 %) over "
                f"{d['members_simulated']} members",
            )
        )
        bus = _headline_bus(d)
        w = d["winter_deficit_gwh"][bus]
        cards.append(
            _card(
                f"Winter deficit {bus}",
                f"P50 {w['p50']:,.0f} GWh",
                f"P90 {w['p90']:,.0f}, worst {w['worst']:,.0f} GWh",
            )
        )
        pf = d.get("perfect_foresight", {}).get("winter_deficit_gwh", {}).get(bus)
        if pf is not None:
            cards.append(
                _card(
                    f"Same members, perfect foresight {bus}",
                    f"P50 {pf['p50']:,.0f} GWh",
                    f"P90 {pf['p90']:,.0f}, worst {pf['worst']:,.0f} GWh: the "
                    "whole year's inflow known on day one",
                )
            )
        audit = summary["audit"]
        cards.append(
            _card(
                "Audit",
                "passed" if audit["passed"] else "FAILED",
                f"{audit['members_passed']}/{audit['members']} members; largest "
                f"relative residual water {audit['water_max_relative']:.1e}, "
                f"energy {audit['energy_max_relative']:.1e}",
                "good" if audit["passed"] else "bad",
            )
        )
    cards.append(
        _card(
            "Uncertainty",
            f"{d['stages']} {d['stage']} stages",
            f"{d['outcomes_per_stage'][0]} outcomes per stage, noise "
            f"{_e(d['noise'])}, risk {_e(d['risk'])}, {_e(d['cut'])} cut",
        )
    )
    solve = summary["solve"]
    fpha = list(solve.get("fpha") or {})
    gap = solve.get("head_energy_gap")
    cards.append(
        _card(
            "Head model",
            f"FPHA: {', '.join(fpha)}" if fpha else "fixed head",
            (
                f"--head {_e(solve['head_mode'])}"
                + ("; fixed head elsewhere" if fpha else "")
                + (
                    f"; exact-vs-LP hydro energy gap {gap:+.2%} (mean over members)"
                    if gap is not None
                    else ""
                )
            ),
        )
    )
    plots = PLOTS if run.simulation is not None else PLOTS[:1] + PLOTS[2:3]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vakhsh SDDP report: {_e(title)}</title>",
        f"<style>{CSS}</style></head>",
        "<body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(summary["period"]["start"][:10])} to '
        f"{_e(summary['period']['end'][:10])}, {summary['period']['steps']} steps of "
        f"{_e(summary['period']['step'])} · inflows {_e(Path(d['inflows']).name)}</p>",
        "<nav>"
        + " ".join(f'<a href="#{key}">{_e(t.lower())}</a>' for key, t, _f, _c in plots)
        + ' <a href="#distribution">distribution table</a> <a href="#values">water values'
        "</a></nav>",
        '<section id="headline"><h2>Headline figures</h2><div class="cards">',
        "".join(cards),
        "</div></section>",
        '<section id="plots"><h2>Plots</h2>',
    ]
    for key, caption, function, note in plots:
        uri, error = _figure(function, run)
        parts.append(f'<figure id="{key}"><h3>{_e(caption)}</h3>')
        parts.append(
            f'<img src="{uri}" alt="{_e(caption)}">'
            if uri
            else f'<p class="error">This plot could not be drawn: {_e(error)}</p>'
        )
        parts.append(f"<figcaption>{_e(note)}</figcaption></figure>")
    parts.append('</section><section id="tables"><h2>Tables</h2>')
    if run.simulation is not None:
        parts += [
            '<h3 id="distribution">Distribution over the simulated members</h3>',
            frame_html(distribution_table(summary)),
        ]
        by_month = water_value_by_month(run)
        if len(by_month):
            parts += [
                '<h3 id="values">Water value at the median storage (USD/hm³)</h3>',
                frame_html(by_month),
                '<p class="sub">The value of one more hm³ held at the end of each '
                "stage; the full surfaces are in water_values.csv.</p>",
            ]
    parts.append(_run_info(summary))
    parts.append(
        f"<footer>Written by vakhsh on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.perf_counter() - started:.1f} s. Self-contained: no file or "
        "script is loaded from elsewhere.</footer></main></body></html>"
    )
    return "\n".join(parts)
