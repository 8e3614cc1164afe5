"""Random mutations of toy-cascade's model.yaml load cleanly or fail cleanly.

Whatever a user does to a valid model (delete a field, put a string or a list or NaN
where a number goes, rename a key, add one, drop a component, point a reference at the
wrong thing), `load_network` returns a Network or raises ModelError: never another
exception, which the CLI would show as a traceback. A Network it returns holds no NaN.
"""

from __future__ import annotations

import copy
import math
import shutil
from datetime import date

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vakhsh.errors import ModelError
from vakhsh.network import Network, embedded_datasets, load_network

TOY = embedded_datasets()["toy-cascade"]
RAW = yaml.safe_load((TOY / "model.yaml").read_text())
IDS = sorted(
    {
        str(cid)
        for key, section in RAW.items()
        if isinstance(section, dict) and key not in ("time", "scenarios")
        for cid in section
    }
)


def key_paths(node, prefix=()):
    """Every path to a mapping key or list item in the model, e.g. ('reservoirs', 'upper')."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from key_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from key_paths(value, (*prefix, i))


PATHS = sorted(key_paths(RAW), key=lambda p: tuple(map(str, p)))


def at(path):
    node = RAW
    for key in path:
        node = node[key]
    return node


MAPPINGS = [()] + [p for p in PATHS if isinstance(at(p), dict)]

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzNORTH_-.:#0123456789 ", max_size=12)
NUMBER = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 0, 0.5, 1, 1.5, 10**30, 1e300, -1e300, math.nan, math.inf, -math.inf]),
)
VALUE = st.one_of(
    st.none(),
    st.booleans(),
    NUMBER,
    WORD,
    st.sampled_from(IDS),
    st.sampled_from(
        [
            "series:inflow_m3s.csv#headwaters",
            "series:load_mw.csv#north",
            "series:nope.csv#x",
            "series:inflow_m3s.csv#nope",
            "series:",
            "1h",
            "7D",
            "2024-10-01",
            "2025-10-01",
            "-1D",
            "1MS",
        ]
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.lists(NUMBER, max_size=13),
    st.lists(st.lists(NUMBER, max_size=3), max_size=4),
    st.dictionaries(WORD, NUMBER | WORD, max_size=2),
)
MUTATION = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.tuples(st.just("set"), st.sampled_from(PATHS), VALUE),
    st.tuples(st.just("rename"), st.sampled_from(PATHS), WORD),
    st.tuples(st.just("add"), st.sampled_from(MAPPINGS), WORD, VALUE),
    st.tuples(st.just("point"), st.sampled_from(PATHS), st.sampled_from(IDS)),
)


def mutate(raw: dict, mutation: tuple) -> None:
    """Apply one mutation in place; a path that an earlier mutation removed is skipped."""
    op, path, *args = mutation
    parent = raw
    try:
        for key in path[:-1]:
            parent = parent[key]
        if op == "add":
            parent = parent[path[-1]] if path else raw
            if isinstance(parent, dict):
                parent[args[0]] = args[1]
            return
        last = path[-1]
        parent[last]
    except (KeyError, IndexError, TypeError):
        return
    if op == "delete":
        del parent[last]
    elif op in ("set", "point"):
        parent[last] = args[0]
    elif op == "rename" and isinstance(parent, dict):
        parent[args[0]] = parent.pop(last)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return shutil.copytree(TOY, tmp_path_factory.mktemp("mutations") / "toy")


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
    scenario=st.sampled_from([None, None, "dry", "full_upper"]),
)
def test_mutated_model_loads_or_fails_cleanly(folder, mutations, scenario):
    raw = copy.deepcopy(RAW)
    for mutation in mutations:
        mutate(raw, mutation)
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    try:
        net = load_network(folder, scenario=scenario)
    except ModelError as exc:
        assert exc.problems, "a ModelError lists at least one problem"
        assert all(isinstance(str(p), str) for p in exc.problems)
        return
    assert isinstance(net, Network)
    for kind, data in net.series.items():
        for name, values in data.data_vars.items():
            assert not np.isnan(values.to_numpy()).any(), f"NaN in {kind}.{name}"
