"""Growth tables for bench/README.md (issue 14): time and memory of the full LP and of the
rolling horizon as the steps grow (240 -> 8,760 -> 5 x 8,760 hourly) and as the
reservoirs grow (1 -> 16 per bus), and the rolling gap on central-asia.

    python bench/growth.py          # tables from bench/out/rolling/*/results.json
    python bench/growth.py --run    # first run every configuration that has no results
    python bench/growth.py --print  # print the tables, leave README.md alone

Every figure comes from a `bench_rolling.py` results.json (each contender in its own
child process); the load average beside each is the 1-minute one before/after the child.
The section of README.md between the growth markers is replaced, nothing else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "out" / "rolling"
README = HERE / "README.md"
START, END = "<!-- growth:start (bench/growth.py) -->", "<!-- growth:end -->"
SEED = 20260303

# (table, argv of bench_rolling.py)
STEPS = [240, 1344, 8760, 17520, 26280, 35040, 43800]
RESERVOIRS = [1, 2, 4, 8, 16]
FULL_UP_TO = 2190  # the full LP beside the rolling run up to this many hourly steps


def configurations() -> list[tuple[str, list[str]]]:
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
    return out


def folder(argv: list[str]) -> Path:
    """The output folder bench_rolling.py uses for `argv` (its naming, default spec)."""
    opts = dict(zip(argv[::2], argv[1::2], strict=False))
    head, spec = opts.get("--head", "fixed"), opts.get("--spec", "7D,1D").replace(",", "_")
    if "--model" in opts:
        name = opts["--model"] + (f"-{opts['--step']}" if "--step" in opts else "")
    else:
        name = (
            f"syn-6x{opts.get('--reservoirs', '4')}x{opts['--steps']}-"
            f"{opts.get('--step-hours', '1')}h-s{SEED}"
        )
    return OUT / f"{name}-{head}-{spec}"


def load(argv: list[str]) -> dict | None:
    path = folder(argv) / "results.json"
    return json.loads(path.read_text()) if path.exists() else None


def _row(label: str, rec: dict) -> str:
    res = rec["results"]
    full, roll = res.get("full", {}), res.get("rolling", {})
    info = roll.get("rolling") or {}

    def fig(r: dict, key: str, spec: str) -> str:
        return format(r[key], spec) if r.get("status") == "ok" else "–"

    def load_avg(r: dict) -> str:
        if r.get("status") != "ok":
            return "–"
        return f"{r['loadavg_before'][0]:.1f}/{r['loadavg_after'][0]:.1f}"

    gap = (
        f"{(roll['objective'] - full['objective']) / full['objective']:.1e}"
        if full.get("status") == "ok" and roll.get("status") == "ok"
        else "–"
    )
    ratio = (
        f"{roll['cpu_s'] / full['cpu_s']:.2f}"
        if full.get("status") == "ok" and roll.get("status") == "ok"
        else "–"
    )
    columns = fig(full, "columns", ",") if full else "–"
    return (
        f"| {label} | {columns} | {fig(full, 'cpu_s', '.1f')} | "
        f"{fig(full, 'wall_s', '.1f')} | {fig(full, 'peak_rss_gib', '.2f')} | "
        f"{load_avg(full)} | {info.get('windows', '–')} | {fig(roll, 'cpu_s', '.1f')} | "
        f"{fig(roll, 'wall_s', '.1f')} | {fig(roll, 'peak_rss_gib', '.2f')} | "
        f"{load_avg(roll)} | {ratio} | {gap} |"
    )


HEADER = (
    "| {what} | full LP columns | full CPU s | full wall s | full peak GiB | load | "
    "windows | rolling CPU s | rolling wall s | rolling peak GiB | load | "
    "CPU rolling/full | gap to full |\n"
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|"
)


def tables() -> str:
    rows: dict[str, list[str]] = {"steps": [], "reservoirs": [], "central-asia": []}
    for table, argv in configurations():
        rec = load(argv)
        if rec is None:
            continue
        a = rec["args"]
        if table == "steps":
            label = f"6×4×{a['steps']:,} ({a['step_hours']} h)"
        elif table == "reservoirs":
            label = f"6×{a['reservoirs']}×{a['steps']:,} (1 h)"
        else:
            label = f"central-asia 3 h, head {a['head']}"
        rows[table].append(_row(label, rec))
    parts = [
        "",
        "Written by `python bench/growth.py` from `bench/out/rolling/*/results.json` "
        "(`python bench/growth.py --run` runs what is missing). Rolling: `7D,1D`, "
        "one HiGHS LP reused by every window, coarse solve at daily steps. Time and "
        "peak RSS of each contender's whole child process; load = 1-minute load "
        "average before/after it on this 2-core machine, shared with other sessions "
        "(wall times follow the load: compare CPU s). Gap = (rolling − full) / full.",
        "",
    ]
    titles = {
        "steps": "Steps (6 buses × 4 reservoirs)",
        "reservoirs": "Reservoirs per bus (6 buses, 1,344 hourly steps)",
        "central-asia": "central-asia, a year at 3 h steps",
    }
    for table, lines in rows.items():
        if lines:
            parts += [f"**{titles[table]}**", "", HEADER.format(what="system"), *lines, ""]
    return "\n".join(parts)


def write_readme(text: str) -> None:
    from vakhsh.outputs.doc_blocks import replace_block

    replace_block(README, START, END, text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", action="store_true", help="run configurations without results")
    p.add_argument("--print", action="store_true", help="print only")
    a = p.parse_args(argv)
    if a.run:
        import bench_rolling

        for _table, args in configurations():
            if load(args) is None:
                bench_rolling.main(args)
    text = tables()
    if a.print:
        print(text)
    elif "|---|" not in text:  # no results on this machine: keep the committed tables
        print(f"no results under {OUT}: run python bench/growth.py --run first")
        return 1
    else:
        write_readme(text)
        print(f"wrote the growth tables into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
