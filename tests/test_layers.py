"""The layers of docs/ARCHITECTURE.md, checked on every module's imports (read with ast).

    errors, version < outputs < schema < network < hydrology < math < solve < results
      < pipeline < report < plan | ensemble | sddp | rolling | interop < cli | app | datasets | vakhsh

(`vakhsh` is the package's own `__init__`, the facade `vakhsh.load`/`vakhsh.optimise`.)

A module may import its own package and any package of a lower layer; packages of one
layer (plan, ensemble, sddp) do not import one another; no circles between packages; a
`results` module never imports a `report` module; nothing outside the command line
imports it. Imports inside functions count (they are dependencies all the same).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "vakhsh"

# lowest first; a package of layer i may import packages of layers < i (and its own)
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "version"),
    ("outputs",),
    ("schema",),
    ("network",),
    ("hydrology",),
    ("math",),
    ("solve",),
    ("results",),
    ("pipeline",),
    ("report",),
    ("plan", "ensemble", "sddp", "rolling", "interop"),
    ("cli", "app", "datasets", ""),
)
# packages of one layer that may import each other (top: the command line and the facade)
PEERS = {"cli", "app", "datasets", ""}
# the command line, and the modules it was spread over before it became one package
CLI = {"cli"}
FORMER_CLI_MODULES = (
    "vakhsh.run_cli",
    "vakhsh.plan_cli",
    "vakhsh.sddp_cli",
    "vakhsh.commands",
    "vakhsh.ensemble_inflows",
    "vakhsh.hydrology.cli",
    "vakhsh.ensemble.cli",
    "vakhsh.app.cli",
    "vakhsh.report.commands",
)
# imports the rules allow for now, each with the reason and when it goes (none left)
TRANSITIONAL: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def imports() -> dict[str, set[str]]:
    """Every vakhsh module imported by every module of the package, by module name."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        name = module_name(path)
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from its package upwards
                    anchor = base[: len(base) - node.level + 1]
                    module = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets.add(module)
                # `from vakhsh import plan` imports the module vakhsh.plan
                folder = SRC.parent / module.replace(".", "/")
                targets |= {
                    f"{module}.{a.name}"
                    for a in node.names
                    if (folder / a.name).is_dir() or (folder / f"{a.name}.py").is_file()
                }
        found[name] = {t for t in targets if t == "vakhsh" or t.startswith("vakhsh.")}
    return found


def package(module: str) -> str:
    """The top-level unit of a module: `vakhsh.solve.heads` -> "solve", `vakhsh` -> ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(pkg: str) -> int:
    for i, names in enumerate(LAYERS):
        if pkg in names:
            return i
    raise AssertionError(
        f"package vakhsh.{pkg} is in no layer of tests/test_layers.py "
        "(add it there and to docs/ARCHITECTURE.md)"
    )


def edges(skip_transitional: bool = True) -> list[tuple[str, str]]:
    return [
        (src, dst)
        for src, targets in imports().items()
        for dst in sorted(targets)
        if not (skip_transitional and (src, dst) in TRANSITIONAL)
    ]


def test_every_package_has_a_layer():
    for pkg in {package(m) for m in imports()}:
        layer(pkg)


def test_imports_go_down_the_layers():
    wrong = []
    for src, dst in edges():
        a, b = package(src), package(dst)
        if a == b or b in CLI:  # imports of the command line: the test below
            continue
        if layer(b) > layer(a) or (layer(b) == layer(a) and not {a, b} <= PEERS):
            wrong.append(f"{src} imports {dst}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_circles_between_packages():
    graph: dict[str, set[str]] = {}
    for src, dst in edges():
        if package(src) != package(dst):
            graph.setdefault(package(src), set()).add(package(dst))
    assert not _cycles(graph), f"package circles: {_cycles(graph)}"


def test_the_checker_sees_a_circle_and_an_upward_import():
    """The rules can fail: a made-up graph with a circle, and the real graph's own
    modules read back (solve.heads imports math, which is below it)."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "vakhsh.math.context" in imports()["vakhsh.solve.heads"]
    assert layer("report") > layer("results") > layer("solve") > layer("math")


def test_results_never_import_reports():
    wrong = [
        f"{src} imports {dst}"
        for src, dst in edges()
        if "results" in src.split(".")
        and any(part.startswith("report") for part in dst.split(".")[1:])
    ]
    assert not wrong, "\n".join(wrong)


def test_nothing_outside_the_command_line_imports_it():
    wrong = [
        f"{src} imports {dst}"
        for src, dst in edges()
        if package(dst) in CLI
        and package(src) not in CLI
        and package(src) in {p for names in LAYERS[:-1] for p in names}
    ]
    assert not wrong, "\n".join(wrong)


def test_the_command_line_is_one_package():
    old = [m for m in imports() if m in FORMER_CLI_MODULES]
    assert not old, f"command-line modules outside vakhsh/cli/: {old}"
    assert (SRC / "cli" / "__init__.py").is_file()


def test_no_transitional_imports_remain():
    left = [
        f"{src} imports {dst}: {why}"
        for (src, dst), why in TRANSITIONAL.items()
        if dst in imports().get(src, set())
    ]
    assert not left, "\n".join(left)
