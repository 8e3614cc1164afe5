"""The plan section of the report: builds, costs, the robust comparison and the ranking."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:,.3g}", na_rep="–",
                         border=0, classes="plan")


def plan_section(plan) -> str:
    d = plan.to_dict()
    parts = [f"<h2>Investment plan: {html.escape(d['model'])}</h2>",
             f"<p>Investment years {', '.join(map(str, d['years']))}; "
             f"{'myopic' if d['myopic'] else 'perfect foresight'}; discount rate "
             f"{d['discount_rate']:.1%}; objective {d['objective_usd'] / 1e6:,.1f} M USD "
             f"(investment {d['costs']['investment_usd'] / 1e6:,.1f}, operation "
             f"{d['costs']['operating_usd'] / 1e6:,.1f}).</p>"]
    rows = [{"candidate": c, **{str(y): v for y, v in by.items()}}
            for c, by in d["builds"].items()]
    parts += ["<h3>Builds (MW, by investment year)</h3>", _table(pd.DataFrame(rows))]
    m = d["metrics"]
    base = m["base_system"] or {}
    metrics = pd.DataFrame([
        {"metric": "unserved energy (MWh/yr)", "plan": m["unserved_mwh_per_year"],
         "base system": base.get("unserved_mwh_per_year")},
        {"metric": "winter unserved energy (MWh/yr)", "plan": m["winter_unserved_mwh_per_year"],
         "base system": base.get("winter_unserved_mwh_per_year")},
        {"metric": "export revenue (USD/yr)", "plan": m["export_revenue_usd_per_year"],
         "base system": base.get("export_revenue_usd_per_year")},
        {"metric": "downstream shortage (hm3/yr)", "plan": m["downstream_shortage_hm3_per_year"],
         "base system": base.get("downstream_shortage_hm3_per_year")}])
    parts += ["<h3>Outcomes</h3>", _table(metrics)]
    if d["average_year_plan"]:
        a = d["average_year_plan"]
        parts.append("<h3>Robust plan against the average-year plan</h3>"
                     f"<p>The average-year plan run on every member costs "
                     f"{a['regret_usd_per_year'] / 1e6:,.2f} M USD per year more, with "
                     f"{a['unserved_mwh_per_year']:,.0f} MWh/yr unserved (robust plan: "
                     f"{a['robust_unserved_mwh_per_year']:,.0f}).</p>")
        rows = [{"candidate": c, **{f"diff {y}": v for y, v in by.items()}}
                for c, by in a["difference_mw"].items()]
        parts.append(_table(pd.DataFrame(rows)))
    if plan.ranking is not None:
        parts += ["<h3>Ranking (annual figures, sorted by benefit/cost added alone)</h3>",
                  _table(plan.ranking)]
    return "\n".join(parts)


def write_plan_report(plan, path: Path) -> Path:
    body = plan_section(plan)
    from vakhsh.outputs import html_signature

    path.write_text("<!doctype html>" + html_signature("plan-report") +
                    "<html><head><meta charset='utf-8'><title>vakhsh plan"
                    "</title><style>body{font-family:sans-serif;margin:2em}"
                    "table.plan{border-collapse:collapse}table.plan td,table.plan th"
                    "{padding:2px 8px;text-align:right}</style></head><body>"
                    f"{body}</body></html>", encoding="utf-8")
    return path
