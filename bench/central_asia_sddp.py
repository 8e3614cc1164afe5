"""The Central Asia answers of issue 11, from SDDP runs on the embedded model.

    python bench/central_asia_sddp.py [--members 25] [--iterations 30] [--workers 1] [--cut multi]
        [--out bench/out/central-asia-sddp] [--write-docs]
    python bench/central_asia_sddp.py --docs-only    # docs/sddp.md from the recorded figures

Three policies on one hydrological year (October 2024 - September 2025, daily steps,
monthly stages), each trained on a `vakhsh inflows generate central-asia --years 1
--members M --seed 1` ensemble and simulated on its members:

- `base`: today's climate, risk `expectation`;
- `glacier`: the same members under `--climate julaug_cut_37` (glacier loss: July-August
  flow -37 % everywhere, shared/CLIMATE.md s.1), risk `expectation`;
- `base-cvar`: today's climate, risk `cvar:0.5,0.25` (half expectation, half the mean of
  the worst quarter of each stage's outcomes).

For `base` and `glacier` every member is also solved with perfect foresight (the whole
year's inflow known on 1 October: `vakhsh run --inflows ENS --member K`). Each run is an
ordinary `vakhsh sddp` output folder under --out (summary.json, members.csv,
water_values.csv, report.html with the comparison). The figures go to figures.json under
--out and, with --write-docs, to bench/central_asia_sddp.json (committed) and into
docs/sddp.md between its `sddp-central-asia` markers (tests/sddp/test_docs.py checks that
the block is this script's rendering of the committed figures).

The ensembles are generated through the Python API (as `vakhsh inflows generate` does), so
the script needs no command-line module.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vakhsh.outputs.doc_blocks import replace_block

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sddp.md"
FIGURES = ROOT / "bench" / "central_asia_sddp.json"
START, END = "<!-- sddp-central-asia:start -->", "<!-- sddp-central-asia:end -->"
GLACIER = "julaug_cut_37"
RISK_AVERSE = "cvar:0.5,0.25"
BUS = "TJ"
RESERVOIRS = ("nurek", "toktogul")
AUTUMN = ("2024-11-30", "30 Nov")  # storage carried into the heart of the winter
SUMMER = (7, 8)  # July-August: the downstream irrigation release
RUNS = {
    "base": ("expectation", True),
    "glacier": ("expectation", True),
    "base-cvar": (RISK_AVERSE, False),
}  # name: risk, perfect foresight


def ensemble(out: Path, members: int, climate: str | None) -> Path:
    """`vakhsh inflows generate central-asia --years 1 --members M --seed 1 [--climate C]`
    through the API: the same seed, so the glacier ensemble is the base members with the
    climate change applied."""
    from vakhsh.hydrology.climate import apply_scenario
    from vakhsh.hydrology.ensemble import write_ensemble
    from vakhsh.hydrology.sources import fit_for_model, model_inputs
    from vakhsh.network import load_network

    path = out / f"inflows-{climate or 'base'}-{members}.nc"
    if not path.exists():
        inputs = model_inputs(load_network("central-asia"))
        fitted = fit_for_model(inputs, "auto", match_annual_cv=True)
        da = fitted.generate(1, members, seed=1, start=inputs.start)
        if climate:
            da = apply_scenario(da, climate)
        da.attrs["model"] = "central-asia"
        write_ensemble(da, path, fitted.target.to_dataset())
    return path


def train(name: str, inflows: Path, out: Path, args, risk: str, foresight: bool):
    from vakhsh.sddp import SDDPOptions, sddp

    options = SDDPOptions(
        iterations=args.iterations,
        risk=risk,
        workers=args.workers,
        cut=args.cut,
        gap=0.01,
        gap_period=args.gap_period,
        gap_replications=args.gap_replications,
        seed=1,
        perfect_foresight=foresight,
    )
    started = time.perf_counter(), time.process_time()

    def progress(it):
        gap = f" gap {it.gap:.2%}" if it.gap is not None else ""
        print(
            f"  {name} {it.iteration:3d} bound {it.lower_bound_usd / 1e6:10,.1f} M USD"
            f"{gap} ({it.time_s:.0f} s)",
            flush=True,
        )

    run = sddp("central-asia", inflows, options, progress=progress, out=out / name, overwrite=True)
    return run, {
        "wall_s": time.perf_counter() - started[0],
        "cpu_s_main": time.process_time() - started[1],
    }


def releases_m3s(run, months: tuple[int, ...]) -> dict[str, float]:
    """Mean over members and the given months of each reservoir's release (turbines
    plus spill)."""
    ds = run.simulation.dataset
    plants = run.net.tables["hydro_plants"]
    when = pd.DatetimeIndex(ds["time"].values).month.isin(months)
    out = {}
    for rid in RESERVOIRS:
        mine = list(plants.index[plants["reservoir"] == rid])
        flow = ds["turbine_flow_m3s"].sel(hydro_plant=mine).sum("hydro_plant") + ds[
            "spill_m3s"
        ].sel(reservoir=rid)
        out[rid] = float(flow.isel(time=np.flatnonzero(when)).mean())
    return out


def storage_at(run, day: str) -> dict[str, dict[str, float]]:
    """P10 / P50 / mean over members of each reservoir's storage at the end of `day`."""
    ds = run.simulation.dataset
    time_index = pd.DatetimeIndex(ds["time"].values)
    step = int(np.flatnonzero(time_index <= pd.Timestamp(day))[-1])
    out = {}
    for rid in RESERVOIRS:
        v = ds["storage_hm3"].sel(reservoir=rid).isel(time=step).values
        out[rid] = {
            "p10": float(np.percentile(v, 10)),
            "p50": float(np.median(v)),
            "mean": float(v.mean()),
        }
    return out


def water_value_by_month(run) -> dict[str, dict[str, float]]:
    """USD per hm3 of Nurek's and Toktogul's water at the end of each stage, every state at
    its median over the simulated members (as the report's table; the last stage has no
    cost-to-go)."""
    ref = run.reference_states()
    states = run.model.states
    out: dict[str, dict[str, float]] = {rid: {} for rid in RESERVOIRS}
    for s, store in enumerate(run.model.cuts[:-1]):
        _v, grad = store.evaluate(ref[s][None, :])
        for i in states.positions("storage"):
            if states.component[i] in out:
                out[states.component[i]][run.model.stages[s].label] = float(-grad[0, i])
    return out


def figures_of(run, timing: dict) -> dict:
    s = run.summary()
    d = s["sddp"]
    last = run.log.iterations[-1]
    checks = [it for it in run.log.iterations if it.simulated_mean_usd is not None]
    values = water_value_by_month(run)
    out = {
        "risk": d["risk"],
        "iterations": d["iterations"],
        "stopped_by": d["stopped_by"],
        "lower_bound_usd": d["lower_bound_usd"],
        "last_gap": checks[-1].gap if checks else None,
        "last_check": (
            {
                "iteration": checks[-1].iteration,
                "simulated_mean_usd": checks[-1].simulated_mean_usd,
                "ci95_usd": checks[-1].simulated_ci95_usd,
            }
            if checks
            else None
        ),
        "members": d["members_simulated"],
        "cost_usd": d["cost_usd"],
        "simulated_mean_usd": d["simulated_mean_usd"],
        "simulated_ci95_usd": d["simulated_ci95_usd"],
        "checks": [
            {
                "iteration": it.iteration,
                "lower_bound_usd": it.lower_bound_usd,
                "simulated_mean_usd": it.simulated_mean_usd,
                "ci95_usd": it.simulated_ci95_usd,
                "gap": it.gap,
            }
            for it in checks
        ],
        "end_shortfall_hm3": d.get("end_shortfall_hm3", {}),
        "winter_deficit_gwh": d["winter_deficit_gwh"][BUS],
        "violations": d.get("violations", {}),
        "audit_passed": s["audit"]["passed"],
        "water_value_usd_per_hm3": values,
        "autumn_storage_hm3": storage_at(run, AUTUMN[0]),
        "end_storage_hm3": storage_at(run, "2025-09-30"),
        "summer_release_m3s": releases_m3s(run, SUMMER),
        "training_cpu_s_main": last.cpu_s,
        **timing,
    }
    pf = d.get("perfect_foresight")
    if pf:
        out["perfect_foresight"] = {
            "winter_deficit_gwh": pf["winter_deficit_gwh"][BUS],
            "cost_usd": pf["cost_usd"],
            "infeasible_members": pf["infeasible_members"],
        }
    return out


# ------------------------------------------------------------------ the docs table
def _gwh(d: dict) -> str:
    return f"{d['p50']:,.0f} / {d['p90']:,.0f} / {d['worst']:,.0f}"


def _musd(value: float) -> str:
    return f"{value / 1e6:,.0f}"


def _checks(run: dict) -> str:
    if not run["checks"]:
        return "none (no statistical gap under a risk measure)"
    return "; ".join(
        f"it. {c['iteration']}: {c['gap']:.1%} (sampled mean "
        f"{_musd(c['simulated_mean_usd'])} ± {_musd(c['ci95_usd'])})"
        for c in run["checks"]
    )


def _commit() -> str | None:
    """The checkout's short commit, so the page says which code made its figures."""
    import subprocess

    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or None


def markdown(fig: dict) -> str:
    from vakhsh.sddp.stage_build import END_TARGET_PENALTY

    runs = fig["runs"]
    base, glacier, cvar = runs["base"], runs["glacier"], runs["base-cvar"]
    labels = {
        "base": "today, expectation",
        "glacier": f"glacier loss ({GLACIER}), expectation",
        "base-cvar": f"today, {RISK_AVERSE}",
    }
    lines = [
        f"Written by `python bench/central_asia_sddp.py --members {fig['members']} "
        f"--iterations {fig['iterations']} --gap-period {fig['gap_period']} "
        f"--gap-replications {fig['gap_replications']} --workers {fig['workers']} "
        # figures recorded before --cut existed were trained with single cuts
        f"--cut {fig.get('cut', 'single')} --write-docs` (vakhsh {fig['version']}, "
        f"{sum(r['cpu_s_main'] for r in runs.values()) / 60:.1f} CPU minutes for the "
        f"three policies, load average {fig['load_start'][0]:.1f} at the start); every figure "
        "below is an output of that command. Money in million USD.",
        "",
    ]
    if fig.get("commit"):
        note = f": {fig['commit_note']}" if fig.get("commit_note") else "."
        lines += [f"These figures were made at commit {fig['commit']}{note}", ""]
    lines += [
        "**Training.** Gap checks sample "
        f"{fig['gap_replications']} paths of the stage-wise independent tree; the members' "
        "mean is the policy simulated on the ensemble's own "
        f"{base['members']} years.",
        "",
        "| policy | iterations, stopped by | lower bound | statistical gap at the checks | "
        "members' mean ± 95 % | CPU s |",
        "|---|---|---:|---|---:|---:|",
    ]
    for name, run in runs.items():
        lines.append(
            f"| {labels[name]} | {run['iterations']}, {run['stopped_by']} | "
            f"{_musd(run['lower_bound_usd'])} | {_checks(run)} | "
            f"{_musd(run['simulated_mean_usd'])} ± "
            f"{_musd(run['simulated_ci95_usd'])} | {run['cpu_s_main']:,.0f} |"
        )
    lines += [
        "",
        f"**Tajik winter deficit** (bus {BUS}: unserved energy plus net imports, "
        "October–March, GWh; P50 / P90 / worst over the members) and cost (mean / worst):",
        "",
        "| climate | deficit, SDDP policy | deficit, perfect foresight | cost, policy | "
        "cost, perfect foresight |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("base", "glacier"):
        run = runs[name]
        pf = run["perfect_foresight"]
        lines.append(
            f"| {labels[name].split(',')[0]} | {_gwh(run['winter_deficit_gwh'])} | "
            f"{_gwh(pf['winter_deficit_gwh'])} | "
            f"{_musd(run['cost_usd']['mean'])} / {_musd(run['cost_usd']['worst'])} "
            f"| {_musd(pf['cost_usd']['mean'])} / {_musd(pf['cost_usd']['worst'])} "
            "|"
        )
    lines += [
        "",
        "**End-of-September targets missed** (the shortfall is priced at "
        f"{END_TARGET_PENALTY:,.0f} USD per hm³ in the cost; mean / worst over the "
        "members, hm³, reservoirs where a member fell short):",
        "",
        "| policy | shortfall |",
        "|---|---|",
    ]
    for name, run in runs.items():
        short = run["end_shortfall_hm3"]
        text = (
            "; ".join(f"{rid} {d['mean']:,.0f} / {d['worst']:,.0f}" for rid, d in short.items())
            or "none"
        )
        lines.append(f"| {labels[name]} | {text} |")
    lines += [
        "",
        "**Water values** at the median simulated storage at the end of each "
        "month (USD per hm³; the last month has no cost-to-go):",
        "",
        "| end of month | "
        + " | ".join(f"{r}, today | {r}, glacier loss" for r in RESERVOIRS)
        + " |",
        "|---|" + "---:|" * (2 * len(RESERVOIRS)),
    ]
    for m in base["water_value_usd_per_hm3"][RESERVOIRS[0]]:
        lines.append(
            f"| {m} | "
            + " | ".join(
                f"{base['water_value_usd_per_hm3'][r][m]:,.0f} | "
                f"{glacier['water_value_usd_per_hm3'][r][m]:,.0f}"
                for r in RESERVOIRS
            )
            + " |"
        )
    lines += [
        "",
        f"**Risk aversion** (`{RISK_AVERSE}` against `expectation`, today's "
        "climate, the same members):",
        "",
        "| | expectation | " + RISK_AVERSE + " |",
        "|---|---:|---:|",
    ]
    for key, day in (("autumn_storage_hm3", AUTUMN[1]), ("end_storage_hm3", "30 Sep")):
        for r in RESERVOIRS:
            lines.append(
                f"| {r} storage on {day}, P50 (P10) hm³ | "
                f"{base[key][r]['p50']:,.0f} ({base[key][r]['p10']:,.0f}) | "
                f"{cvar[key][r]['p50']:,.0f} ({cvar[key][r]['p10']:,.0f}) |"
            )
    for r in RESERVOIRS:
        lines.append(
            f"| {r} July–August release (turbines + spill), mean m³/s | "
            f"{base['summer_release_m3s'][r]:,.0f} | "
            f"{cvar['summer_release_m3s'][r]:,.0f} |"
        )
    lines.append(
        f"| Tajik winter deficit P50 / P90 / worst, GWh | "
        f"{_gwh(base['winter_deficit_gwh'])} | {_gwh(cvar['winter_deficit_gwh'])} |"
    )
    lines.append(
        f"| cost mean / worst | {_musd(base['cost_usd']['mean'])} / "
        f"{_musd(base['cost_usd']['worst'])} | {_musd(cvar['cost_usd']['mean'])} / "
        f"{_musd(cvar['cost_usd']['worst'])} |"
    )
    lines += ["", "**What these figures say** (each statement is computed from them):", ""]
    lines += [f"- {sentence}" for sentence in readings(fig)]
    return "\n".join(lines)


def _which(chosen: list[str], every: list[str], unit: str) -> str:
    if not chosen:
        return f"no {unit}"
    if chosen == every:
        return f"every {unit}" if len(every) > 1 else chosen[0]
    return ", ".join(chosen[:-1]) + (" and " if len(chosen) > 1 else "") + chosen[-1]


def _more_or_less(a: float, b: float) -> str:
    return "higher" if a > b else "lower" if a < b else "the same"


def readings(fig: dict) -> list[str]:
    """The comparisons the page's prose rests on, worded from the figures themselves.

    Typed prose went stale when the data changed (session 10: the risk-aversion statement
    said the opposite of the regenerated table), so every direction word is computed here.
    """
    runs = fig["runs"]
    base, glacier, cvar = runs["base"], runs["glacier"], runs["base-cvar"]
    out = []
    for name, climate in (("base", "today's climate"), ("glacier", "glacier loss")):
        run, pf = runs[name], runs[name]["perfect_foresight"]
        quantiles = {"p50": "P50", "p90": "P90", "worst": "worst"}
        larger = [
            label
            for q, label in quantiles.items()
            if pf["winter_deficit_gwh"][q] > run["winter_deficit_gwh"][q]
        ]
        out.append(
            f"Under {climate}, perfect foresight's Tajik winter deficit is larger than the "
            f"policy's at {_which(larger, list(quantiles.values()), 'quantile')} of "
            "P50 / P90 / worst, "
            f"and its mean cost is {_more_or_less(pf['cost_usd']['mean'], run['cost_usd']['mean'])}."
        )
    wv_base, wv_glacier = base["water_value_usd_per_hm3"], glacier["water_value_usd_per_hm3"]
    for r in RESERVOIRS:
        months = list(wv_base[r])
        higher = [m for m in months if wv_glacier[r][m] > wv_base[r][m]]
        twice = [m for m in months if wv_glacier[r][m] >= 2 * wv_base[r][m]]
        lower = [m for m in months if wv_glacier[r][m] < wv_base[r][m]]
        out.append(
            f"Glacier loss makes {r}'s water worth more at the end of "
            f"{_which(higher, months, 'month')} (at least twice as much at the end of "
            f"{_which(twice, months, 'month')}) and less at the end of "
            f"{_which(lower, months, 'month')}."
        )
        winter = [wv_base[r][m] for m in months if int(m[-2:]) in (10, 11, 12, 1, 2, 3)]
        summer = [wv_base[r][m] for m in months if int(m[-2:]) in (4, 5, 6, 7, 8, 9)]
        out.append(
            f"Today, {r}'s water at the end of a winter month (October–March) is worth on "
            f"average {sum(winter) / len(winter) / (sum(summer) / len(summer)):,.1f} times "
            "its value at the end of a month from April on."
        )
    releases = [
        f"{r} {_more_or_less(cvar['summer_release_m3s'][r], base['summer_release_m3s'][r])}"
        for r in RESERVOIRS
    ]
    out.append(
        f"The risk-averse policy's July–August release is {' and '.join(releases)} than the "
        "expectation policy's."
    )
    mean_cvar, mean_base = cvar["simulated_mean_usd"], base["simulated_mean_usd"]
    half = max(cvar["simulated_ci95_usd"], base["simulated_ci95_usd"])
    clear = abs(mean_cvar - mean_base) > half
    out.append(
        f"On the members the risk-averse policy's mean cost is "
        f"{_more_or_less(mean_cvar, mean_base)} than the expectation policy's, by "
        f"{'more' if clear else 'less'} than the larger of the two 95 % half-widths; its "
        f"worst cost is {_more_or_less(cvar['cost_usd']['worst'], base['cost_usd']['worst'])}, "
        "and its Tajik winter deficit P50 is "
        f"{_more_or_less(cvar['winter_deficit_gwh']['p50'], base['winter_deficit_gwh']['p50'])}."
    )
    return out


def write_docs(fig: dict) -> None:
    replace_block(DOC, START, END, markdown(fig))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=25)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--gap-period", type=int, default=10)
    parser.add_argument("--gap-replications", type=int, default=25)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cut", default="multi")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "central-asia-sddp")
    parser.add_argument(
        "--runs",
        default=",".join(RUNS),
        help="a comma list of the runs to do (default all); figures.json "
        "under --out keeps the others' figures",
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--docs-only", action="store_true", help="rewrite docs/sddp.md from an earlier figures.json"
    )
    args = parser.parse_args()
    figures_path = args.out / "figures.json"
    if args.docs_only:
        write_docs(json.loads(FIGURES.read_text()))
        return
    import vakhsh

    args.out.mkdir(parents=True, exist_ok=True)
    fig = {
        "members": args.members,
        "iterations": args.iterations,
        "workers": args.workers,
        "cut": args.cut,
        "gap_period": args.gap_period,
        "gap_replications": args.gap_replications,
        "version": vakhsh.__version__,
        "commit": _commit(),
        "load_start": os.getloadavg(),
        "runs": {},
    }
    started = time.process_time()
    base_ens = ensemble(args.out, args.members, None)
    glacier_ens = ensemble(args.out, args.members, GLACIER)
    wanted = args.runs.split(",")
    if figures_path.exists() and set(wanted) != set(RUNS):
        fig["runs"] = json.loads(figures_path.read_text())["runs"]
    ensembles = {"base": base_ens, "glacier": glacier_ens, "base-cvar": base_ens}
    for name, (risk, foresight) in RUNS.items():
        if name not in wanted:
            continue
        ens = ensembles[name]
        run, timing = train(name, ens, args.out, args, risk, foresight)
        fig["runs"][name] = figures_of(run, timing)
        figures_path.write_text(json.dumps(fig, indent=1, default=float))
        print(
            name,
            {
                k: fig["runs"][name][k]
                for k in ("lower_bound_usd", "last_gap", "winter_deficit_gwh")
            },
            flush=True,
        )
    fig["load_end"] = os.getloadavg()
    fig["cpu_s_total"] = time.process_time() - started
    figures_path.write_text(json.dumps(fig, indent=1, default=float))
    if set(fig["runs"]) != set(RUNS):
        return
    if args.write_docs:
        FIGURES.write_text(json.dumps(fig, indent=1, default=float) + "\n")
        write_docs(fig)
    print(markdown(fig))


if __name__ == "__main__":
    main()
