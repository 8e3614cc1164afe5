"""Growth tables for bench/README.md (issue 14): time and memory of the full LP and of the
rolling horizon as the steps grow (240 -> 8,760 -> 5 x 8,760 hourly) and as the
reservoirs grow (1 -> 16 per bus), the rolling gap on central-asia at 3 h steps, and the
gap of the coarse solve's two forms (4 blocks a day by net load, daily means).

    python bench/growth.py                  # collect results, write README.md and docs
    python bench/growth.py --run            # first run every configuration not recorded
    python bench/growth.py --run reservoirs # ... only those of one table
    python bench/growth.py --print          # print the blocks, write nothing

Every figure comes from a `bench_rolling.py` results.json (each contender in its own
child process); the load average beside each is the 1-minute one before/after the child.
The results of every configuration are kept in bench/growth.json (committed), so that
the tables never lose a row measured on another machine or day: a results.json found
under bench/out/rolling/ replaces the recorded one when it is newer. The sections of
bench/README.md and docs/rolling.md between the growth markers are replaced, nothing
else; tests/rolling/test_growth_docs.py checks that both are the rendering of the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "out" / "rolling"
JSON = HERE / "growth.json"
README = HERE / "README.md"
DOCS = HERE.parent / "docs" / "rolling.md"
START, END = "<!-- growth:start (bench/growth.py) -->", "<!-- growth:end -->"
DOCS_START, DOCS_END = "<!-- rolling-gap:start (bench/growth.py) -->", "<!-- rolling-gap:end -->"
SEED = 20260303

STEPS = [240, 1344, 8760, 17520, 26280, 35040, 43800]
RESERVOIRS = [1, 2, 4, 8, 16]
FULL_UP_TO = 8760  # the full LP beside the rolling run up to this many hourly steps
TABLES = ("steps", "reservoirs", "central-asia", "coarse")


def configurations() -> list[tuple[str, list[str]]]:
    """(table, argv of bench_rolling.py) of every row. The `coarse` table's runs use
    daily means; their gap is to the full LP of the same model (run with blocks)."""
    out = []
    for steps in STEPS:
        who = ["full", "rolling"] if steps <= FULL_UP_TO else ["rolling"]
        out.append(("steps", ["--steps", str(steps), "--step-hours", "1", *who]))
    out.append(("steps", ["--steps", "2190", "--step-hours", "3", "full", "rolling"]))
    for r in RESERVOIRS:
        out.append(
            (
                "reservoirs",
                ["--reservoirs", str(r), "--steps", "1344", "--step-hours", "1", "full", "rolling"],
            )
        )
    for head in ("auto", "fixed"):
        out.append(
            (
                "central-asia",
                ["--model", "central-asia", "--step", "3h", "--head", head, "full", "rolling"],
            )
        )
    for argv in (
        ["--steps", "8760", "--step-hours", "1"],
        ["--steps", "2190", "--step-hours", "3"],
        ["--model", "central-asia", "--step", "3h", "--head", "fixed"],
    ):
        out.append(("coarse", [*argv, "--coarse", "means", "rolling"]))
    return out


def _options(argv: list[str]) -> dict[str, str]:
    flags = [i for i, a in enumerate(argv) if a.startswith("--")]
    return {argv[i]: argv[i + 1] for i in flags}


def name(argv: list[str]) -> str:
    """The folder bench_rolling.py writes `argv`'s results into (its naming)."""
    opts = _options(argv)
    head, spec = opts.get("--head", "fixed"), opts.get("--spec", "7D,1D").replace(",", "_")
    if "--model" in opts:
        model = opts["--model"] + (f"-{opts['--step']}" if "--step" in opts else "")
    else:
        model = (
            f"syn-6x{opts.get('--reservoirs', '4')}x{opts['--steps']}-"
            f"{opts.get('--step-hours', '1')}h-s{SEED}"
        )
    coarse = opts.get("--coarse", "blocks")
    return f"{model}-{head}-{spec}" + ("" if coarse == "blocks" else f"-{coarse}")


def partner(argv: list[str]) -> str:
    """The folder of the same model with the default (blocked) coarse solve."""
    opts = _options(argv)
    opts.pop("--coarse", None)
    return name([x for kv in opts.items() for x in kv])


def read_figures() -> dict:
    return json.loads(JSON.read_text()) if JSON.exists() else {"records": {}}


def collect(figures: dict) -> int:
    """Put every newer results.json under OUT into `figures`; how many were taken."""
    taken = 0
    for _table, argv in configurations():
        key = name(argv)
        path = OUT / key / "results.json"
        if not path.exists():
            continue
        rec = json.loads(path.read_text())  # a failed contender is kept: its row says so
        old = figures["records"].get(key)
        if old is None or rec["time"] > old["time"]:
            figures["records"][key] = rec
            taken += 1
    return taken


def _fig(r: dict, key: str, spec: str) -> str:
    if r.get("status") == "failed":
        return "failed"
    return format(r[key], spec) if r.get("status") == "ok" else "–"


def _load(r: dict) -> str:
    if r.get("status") != "ok":
        return "–"
    return f"{r['loadavg_before'][0]:.1f}/{r['loadavg_after'][0]:.1f}"


def _gap(roll: dict, full: dict) -> str:
    if full.get("status") == "ok" and roll.get("status") == "ok":
        return f"{(roll['objective'] - full['objective']) / full['objective']:.2e}"
    return "–"


def _coarse(roll: dict) -> str:
    info = roll.get("rolling") or {}
    if roll.get("status") != "ok" or "coarse_step" not in info:
        return "–"
    return f"{info['coarse_step']} {info.get('coarse', 'means')}"


def _row(label: str, rec: dict, full: dict | None = None) -> str:
    res = rec["results"]
    roll = res.get("rolling", {})
    own = res.get("full", {})
    full = own if full is None else full
    info = roll.get("rolling") or {}
    ratio = (
        f"{roll['cpu_s'] / own['cpu_s']:.2f}"
        if own.get("status") == "ok" and roll.get("status") == "ok"
        else "–"
    )
    columns = _fig(own, "columns", ",") if own else "–"
    return (
        f"| {label} | {columns} | {_fig(own, 'cpu_s', '.1f')} | "
        f"{_fig(own, 'wall_s', '.1f')} | {_fig(own, 'peak_rss_gib', '.2f')} | "
        f"{_load(own)} | {info.get('windows', '–')} | {_coarse(roll)} | "
        f"{_fig(roll, 'cpu_s', '.1f')} | {_fig(roll, 'wall_s', '.1f')} | "
        f"{_fig(roll, 'peak_rss_gib', '.2f')} | {_load(roll)} | {ratio} | {_gap(roll, full)} |"
    )


HEADER = (
    "| {what} | full LP columns | full CPU s | full wall s | full peak GiB | load | "
    "windows | coarse | rolling CPU s | rolling wall s | rolling peak GiB | load | "
    "CPU rolling/full | gap to full |\n"
    "|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---|---:|---:|"
)
TITLES = {
    "steps": "Steps (6 buses × 4 reservoirs)",
    "reservoirs": "Reservoirs per bus (6 buses, 1,344 hourly steps)",
    "central-asia": "central-asia, a year at 3 h steps",
    "coarse": "The coarse solve at daily means instead of blocks (gap to the same full LP)",
}


def _label(table: str, a: dict) -> str:
    if a.get("model"):
        return f"{a['model']} {a['step']}, head {a['head']}"
    if table == "reservoirs":
        return f"6×{a['reservoirs']}×{a['steps']:,} (1 h)"
    return f"6×{a['reservoirs']}×{a['steps']:,} ({a['step_hours']} h)"


def rows(figures: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t: [] for t in TABLES}
    records = figures["records"]
    for table, argv in configurations():
        rec = records.get(name(argv))
        if rec is None:
            continue
        full = None
        if table == "coarse":
            full = records.get(partner(argv), {}).get("results", {}).get("full", {})
        out[table].append(_row(_label(table, rec["args"]), rec, full))
    return out


def render(figures: dict) -> str:
    """bench/README.md's growth block."""
    parts = [
        "",
        "Written by `python bench/growth.py` from bench/growth.json, which keeps each "
        "configuration's `bench_rolling.py` results (`python bench/growth.py --run` runs "
        "what is missing). Rolling: `7D,1D`, one HiGHS LP reused by every window; coarse "
        "= the coarse solve's step and form (`blocks`: 4 a day sorted by net load; "
        "`means`: daily means). Time and peak RSS of each contender's whole child process; "
        "load = 1-minute load average before/after it on this 2-core machine, shared with "
        "other sessions (wall times follow the load: compare CPU s). "
        "Gap = (rolling − full) / full. `failed`: the contender stopped with an error "
        "(its log under bench/out/rolling/), kept so that the row is not lost.",
        "",
    ]
    for table, lines in rows(figures).items():
        if lines:
            parts += [f"**{TITLES[table]}**", "", HEADER.format(what="system"), *lines, ""]
    joined = []  # runs whose last window could not meet the end targets alone
    for table, argv in configurations():
        rec = figures["records"].get(name(argv))
        info = ((rec or {}).get("results", {}).get("rolling") or {}).get("rolling") or {}
        first, windows = info.get("last_window_from"), info.get("windows")
        if first is not None and first < windows:
            joined.append(f"{_label(table, rec['args'])}: windows {first}..{windows}")
    if joined:
        parts += [
            "Where the last window alone could not meet the run's end targets from the state "
            "handed over, it was solved together with the windows before it, from what was "
            "kept before them (`rolling.run._solve_last`): " + "; ".join(joined) + ".",
            "",
        ]
    return "\n".join(parts)


GAP_CASES = [  # (label, folder with blocks, folder with means)
    ("6×4×8,760 (1 h), synthetic", ["--steps", "8760", "--step-hours", "1"]),
    ("6×4×2,190 (3 h), synthetic", ["--steps", "2190", "--step-hours", "3"]),
    ("central-asia, 3 h, head fixed", ["--model", "central-asia", "--step", "3h"]),
]


def render_docs(figures: dict) -> str:
    """docs/rolling.md's block: the gap with blocks and with daily means, side by side."""
    records = figures["records"]
    lines = [
        "",
        "Written by `python bench/growth.py` from bench/growth.json (the runs of "
        "`bench/bench_rolling.py`, `7D,1D`; load = 1-minute load average before/after).",
        "",
        "| system | full LP CPU s | gap, 4 blocks a day | rolling CPU s | gap, daily means "
        "| rolling CPU s | load (full, blocks, means) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, argv in GAP_CASES:
        blocks = records.get(name([*argv, "--head", "fixed"]))
        means = records.get(name([*argv, "--head", "fixed", "--coarse", "means"]))
        if blocks is None:
            continue
        full = blocks["results"].get("full", {})
        roll = blocks["results"].get("rolling", {})
        mean = (means or {"results": {}})["results"].get("rolling", {})
        lines.append(
            f"| {label} | {_fig(full, 'cpu_s', '.1f')} | {_gap(roll, full)} | "
            f"{_fig(roll, 'cpu_s', '.1f')} | {_gap(mean, full)} | {_fig(mean, 'cpu_s', '.1f')} "
            f"| {_load(full)}, {_load(roll)}, {_load(mean)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--run",
        nargs="*",
        choices=TABLES,
        help="run the configurations (of these tables; all without one) not recorded",
    )
    p.add_argument(
        "--rerun", action="store_true", help="with --run: run recorded configurations too"
    )
    p.add_argument("--print", action="store_true", help="print only")
    a = p.parse_args(argv)
    figures = read_figures()
    collect(figures)
    if a.run is not None:
        import bench_rolling

        for table, args in configurations():
            recorded = name(args) in figures["records"] and not a.rerun
            if (not a.run or table in a.run) and not recorded:
                bench_rolling.main(args)
                collect(figures)
    if not figures["records"]:  # nothing recorded: keep the committed tables
        print(f"no results in {JSON} or under {OUT}: run python bench/growth.py --run first")
        return 1
    text, docs = render(figures), render_docs(figures)
    if a.print:
        print(text)
        print(docs)
        return 0
    from vakhsh.outputs.doc_blocks import replace_block

    JSON.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    replace_block(README, START, END, text)
    replace_block(DOCS, DOCS_START, DOCS_END, docs)
    print(f"wrote {JSON}, the growth tables into {README} and the gap block into {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
