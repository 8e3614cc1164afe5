"""FORMAT.md's field tables, generated from the component registry.

    python -m vakhsh.schema.docs docs/FORMAT.md     # rewrite the tables in place
    python -m vakhsh.schema.docs --check docs/FORMAT.md   # exit 1 when they are stale

The tables sit between the markers `<!-- fields:begin -->` and `<!-- fields:end -->`; the
rest of the file is written by hand. A test fails when the file differs from what this
module renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vakhsh.schema.registry import KINDS, REQUIRED, Field, Kind, SameAs

BEGIN, END = "<!-- fields:begin -->", "<!-- fields:end -->"
TYPE_WORDS = {
    "id": "id",
    "text": "text",
    "number": "number ≥ 0",
    "positive": "number > 0",
    "finite": "number",
    "fraction": "fraction in [0, 1]",
    "count": "whole number ≥ 0",
    "date": "timestamp",
    "curve": "[[storage_hm3, value], ...]",
    "monthly": "12 numbers ≥ 0",
    "flag": "true or false",
}


def _type(f: Field) -> str:
    if f.type == "choice":
        return " \\| ".join(f.choices)
    return TYPE_WORDS[f.type] + (" or series" if f.series else "")


def _default(f: Field) -> str:
    if f.default is REQUIRED:
        return "**required**"
    if f.default is None:
        return "none"
    if isinstance(f.default, SameAs):
        return f"= `{f.default.field}`"
    if isinstance(f.default, float) and f.default.is_integer():
        return f"{int(f.default)}"
    return f"{f.default}"


def _references(f: Field) -> str:
    return ", ".join(f.references)


def kind_table(kind: Kind) -> str:
    lines = [
        f"### `{kind.name}`",
        "",
        f"{kind.description[0].upper()}{kind.description[1:]}."
        + (f" Results: {', '.join(f'`{o.name}`' for o in kind.outputs)}." if kind.outputs else ""),
        "",
    ]
    if kind.fields:
        lines += [
            "| field | type | unit | default | names a | meaning |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{f.written}` | {_type(f)} | {f.unit} | {_default(f)} | "
            f"{_references(f)} | {f.description} |"
            for f in kind.fields
        ]
    else:
        lines.append("No fields: `{}`.")
    if kind.rules:
        lines += [""] + [f"- {rule}" for rule in kind.rules]
    return "\n".join(lines)


def render() -> str:
    """The generated part of FORMAT.md, markers included."""
    intro = (
        "Generated from the registry (`vakhsh/schema/registry.py`, declarations in "
        "`kinds_water.py` and `kinds_power.py`) by `python -m vakhsh.schema.docs "
        "docs/FORMAT.md`; do not edit by hand. A series is `series:FILE.csv#COLUMN` "
        "(see Time series); a default is what a missing field means."
    )
    body = "\n\n".join(kind_table(kind) for kind in KINDS)
    return f"{BEGIN}\n{intro}\n\n{body}\n{END}"


def rewrite(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    path = Path(args[0] if args else "docs/FORMAT.md")
    text = path.read_text(encoding="utf-8")
    fresh = rewrite(text)
    if check:
        if fresh != text:
            print(f"{path}: field tables are stale; run python -m vakhsh.schema.docs {path}")
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
