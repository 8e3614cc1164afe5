"""How the rule tests break toy-cascade: changes to model.yaml by dotted path, and the
check that `vakhsh validate` prints the expected line."""

from __future__ import annotations


# ---------------------------------------------------------------- helpers
def set_(dotted: str, value):
    """A change that sets the field at a dotted path (keys only, as written in YAML)."""

    def change(raw):
        *parents, last = dotted.split(".")
        target = raw
        for part in parents:
            target = target[part]
        target[last] = value

    return change


def del_(dotted: str):
    def change(raw):
        *parents, last = dotted.split(".")
        target = raw
        for part in parents:
            target = target[part]
        del target[last]

    return change


def both(*changes):
    def change(raw):
        for one in changes:
            one(raw)

    return change


def add(section: str, cid: str, fields: dict):
    def change(raw):
        raw.setdefault(section, {})[cid] = fields

    return change


ROR_PLANT = {
    "node": "confluence",
    "to": "sea",
    "bus": "NORTH",
    "capacity_mw": 10,
    "max_flow_m3s": 20,
    "efficiency": 0.9,
    "tailwater_masl": 100,
}


def check(edit_model, problem_lines, change, expected: str, **options) -> list[str]:
    lines = problem_lines(edit_model(change), **options)
    assert expected in lines, "\n".join(lines)
    return lines
