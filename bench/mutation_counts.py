"""Counts of a mutmut run, per module and per function, read from mutmut's own cache.

mutmut 3 keeps one `mutants/<path>.py.meta` (JSON) per mutated file, with the exit code of
every mutant it tried (`exit_code_by_key`; `null` = not tried yet). This script reads those
files and maps the exit codes with mutmut's own table (`mutmut.stats.status_by_exit_code`), so
its totals are the ones `mutmut results` and mutmut's progress line report.

Usage, from the repository root after `make mutate ...`:

    python bench/mutation_counts.py                     # per module, markdown
    python bench/mutation_counts.py --functions         # per function too
    python bench/mutation_counts.py --only math.        # modules whose name holds "math."
    python bench/mutation_counts.py --write docs/ARCHITECTURE.md
        # replaces the per-function table between the markers
        # <!-- mutation-counts --> and <!-- /mutation-counts --> in that file
    python bench/mutation_counts.py --only results. --write docs/ARCHITECTURE.md --table results
        # the same between <!-- mutation-counts:results --> and its closing marker, so
        # runs of different modules (one cache each) keep a table each

    mutmut results --all true > docs/mutation/results-DATE.txt   # keep a run's statuses
    python bench/mutation_counts.py --results docs/mutation/results-DATE.txt --function _add_reaches
        # the same tables from a kept listing (the cache is lost when the test selection
        # changes); --function keeps functions whose name holds it (repeatable)

Exit 2 with a message when there is no mutants/ folder or no .meta file in it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

try:
    from mutmut.stats import status_by_exit_code
except ImportError:  # mutmut is in the dev extra; without it, fail clearly
    status_by_exit_code = None

COLUMNS = ("killed", "survived", "timeout", "no tests", "not checked")
HEADERS = ("mutants", "killed", "survived", "timeout", "no tests", "not tried", "other")


def markers(name: str = "") -> tuple[str, str]:
    """The opening and closing markers of the table called `name` ("" the first one)."""
    suffix = f":{name}" if name else ""
    return f"<!-- mutation-counts{suffix} -->", f"<!-- /mutation-counts{suffix} -->"


_MUTANT = re.compile(r"__mutmut_\d+$")


def function_of(key: str) -> tuple[str, str]:
    """Module and function of a mutant key such as `vakhsh.math.power.x_add_lines__mutmut_7`."""
    module, _, name = _MUTANT.sub("", key).rpartition(".")
    if name.startswith("xǁ"):  # a method: xǁClassǁmethod
        name = name[2:].replace("ǁ", ".")
    elif name.startswith("x_"):
        name = name[2:]
    return module, name


def read_counts(mutants: Path) -> dict[tuple[str, str], Counter]:
    """Status counts per (module, function) from every .meta file under `mutants`."""
    if status_by_exit_code is None:
        raise SystemExit("error: mutmut is not installed (pip install -e '.[dev]')")
    metas = sorted(mutants.rglob("*.py.meta"))
    if not metas:
        raise SystemExit(f"error: no mutmut results (*.py.meta) under {mutants}/; run make mutate")
    counts: dict[tuple[str, str], Counter] = {}
    for meta in metas:
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        for key, code in exit_codes.items():
            counts.setdefault(function_of(key), Counter())[status_by_exit_code[code]] += 1
    return counts


def read_listing(path: Path) -> dict[tuple[str, str], Counter]:
    """Status counts per (module, function) from a kept `mutmut results --all true`."""
    if not path.is_file():
        raise SystemExit(f"error: no such listing: {path}")
    counts: dict[tuple[str, str], Counter] = {}
    for line in path.read_text().splitlines():
        key, sep, status = line.strip().partition(": ")
        if sep and "__mutmut_" in key:
            counts.setdefault(function_of(key), Counter())[status.strip()] += 1
    if not counts:
        raise SystemExit(f"error: {path} lists no mutants (expected `name: status` lines)")
    return counts


def row(label: str, c: Counter) -> str:
    total = sum(c.values())
    other = total - sum(c[k] for k in COLUMNS)
    cells = [total, *(c[k] for k in COLUMNS), other]
    return f"| {label} | " + " | ".join(f"{n:,}" for n in cells) + " |"


def table(counts: dict[tuple[str, str], Counter], functions: bool, only=()) -> str:
    lines = [
        "| module / function | " + " | ".join(HEADERS) + " |",
        "| --- |" + " --- |" * len(HEADERS),
    ]
    for module in sorted({m for m, _ in counts}):
        if only and not any(part in module for part in only):
            continue
        per_function = {f: c for (m, f), c in counts.items() if m == module}
        short = module.removeprefix("vakhsh.").replace(".", "/") + ".py"
        lines.append(row(f"**{short}**", sum(per_function.values(), Counter())))
        if functions:
            for name, c in sorted(per_function.items()):
                lines.append(row(f"&nbsp;&nbsp;`{name}`", c))
    return "\n".join(lines)


def write_between_markers(path: Path, text: str, name: str = "") -> None:
    begin, end = markers(name)
    doc = path.read_text()
    if begin not in doc or end not in doc:
        raise SystemExit(f"error: {path} has no {begin} ... {end} markers")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--results", type=Path, help="a kept `mutmut results --all true`")
    parser.add_argument(
        "--function", action="append", default=[], help="functions whose name holds this"
    )
    parser.add_argument("--functions", action="store_true", help="a row per function too")
    parser.add_argument("--write", type=Path, help="replace the table between the markers")
    parser.add_argument("--table", default="", help="which marked table --write replaces")
    parser.add_argument(
        "--only", action="append", default=[], help="modules whose name holds this (repeatable)"
    )
    args = parser.parse_args(argv)
    try:
        counts = read_listing(args.results) if args.results else read_counts(args.mutants)
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    if args.function:
        counts = {k: c for k, c in counts.items() if any(f in k[1] for f in args.function)}
    text = table(counts, args.functions or args.write is not None, tuple(args.only))
    if args.write is None:
        print(text)
        return 0
    try:
        write_between_markers(args.write, text, args.table)
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    print(f"wrote the counts table into {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
