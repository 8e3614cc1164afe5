"""model.yaml built to exhaust the machine, or to confuse it, is refused with file and line.

A 4 KB alias bomb used to take 6.4 GB and 80 s before failing; nesting beyond ~500 levels
was a RecursionError; a 5,000-digit integer a ValueError traceback; a repeated key was
silently dropped. Each is now one problem, found before anything is built.
"""

from __future__ import annotations

import resource
import time

import pytest

from vakhsh.errors import ModelError
from vakhsh.network import load_network
from vakhsh.schema.safe_yaml import MAX_ALIAS_VALUES, load_yaml


def bomb(levels: int = 9) -> str:
    """The classic 'billion laughs': each level repeats the one before nine times."""
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for k in range(1, levels + 1):
        lines.append(f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def one_problem(folder) -> str:
    with pytest.raises(ModelError) as info:
        load_network(folder)
    (problem,) = info.value.problems
    return str(problem)


def test_an_alias_bomb_in_a_component_field_is_refused_at_once(toy_folder):
    path = toy_folder / "model.yaml"
    text = path.read_text().replace("carrier: gas,", "carrier: *l9,")
    path.write_text(bomb() + text)
    assert len(path.read_bytes()) < 8_000
    started, rss_before = time.process_time(), _max_rss_mb()
    line = one_problem(toy_folder)
    assert time.process_time() - started < 2.0
    assert _max_rss_mb() - rss_before < 200
    assert line == (
        f"model.yaml: line 5: aliases expand to more than {MAX_ALIAS_VALUES:,} "
        "values (at *l3): write the values out, or use fewer aliases"
    )


def test_a_few_aliases_are_fine(toy_folder):
    path = toy_folder / "model.yaml"
    text = path.read_text()
    text = text.replace(
        "  NORTH: {country: Northland, voll_usd_per_mwh: 1000}",
        "  NORTH: &bus {country: Northland, voll_usd_per_mwh: 1000}",
    )
    text = text.replace(
        "  SOUTH: {country: Southland, voll_usd_per_mwh: 1000}",
        "  SOUTH: {<<: *bus, country: Southland}",
    )
    path.write_text(text)
    net = load_network(toy_folder)
    assert net.tables["buses"].loc["SOUTH", "country"] == "Southland"
    assert net.tables["buses"].loc["SOUTH", "voll_usd_per_mwh"] == 1000


def test_a_recursive_alias_is_refused():
    with pytest.raises(ModelError, match="line 1: alias \\*a refers to a value that contains it"):
        load_yaml("a: &a [1, *a]\n", "model.yaml")


def test_deep_nesting_is_refused_not_a_recursion_error(toy_folder):
    path = toy_folder / "model.yaml"
    deep = "".join(" " * i + "x:\n" for i in range(600)) + " " * 600 + "1\n"
    path.write_text(
        path.read_text() + "deep:\n" + "".join(" " + line + "\n" for line in deep.splitlines())
    )
    assert one_problem(toy_folder).endswith(": nests more than 50 levels deep")


def test_a_5000_digit_integer_is_refused(toy_folder):
    path = toy_folder / "model.yaml"
    path.write_text(
        path.read_text().replace("capacity_mw: 150,", "capacity_mw: 1" + "0" * 4999 + ",", 1)
    )
    assert one_problem(toy_folder).startswith(
        "model.yaml: line 64: an integer of 5,000 digits: numbers of more than 30 digits are "
        "not read"
    )


def test_a_repeated_key_is_refused_not_silently_dropped(toy_folder):
    path = toy_folder / "model.yaml"
    path.write_text(
        path.read_text().replace(
            "    storage_min_hm3: 400\n", "    storage_min_hm3: 400\n    storage_min_hm3: 500\n"
        )
    )
    assert one_problem(toy_folder) == (
        "model.yaml: line 26: key 'storage_min_hm3' appears twice in the same mapping (first "
        "at line 25); YAML would keep only the last"
    )


def test_a_file_that_is_not_utf8_names_the_line(toy_folder):
    path = toy_folder / "model.yaml"
    data = path.read_bytes().replace(b"Two reservoirs", b"Two r\xe9servoirs")
    path.write_bytes(data)
    assert one_problem(toy_folder) == (
        "model.yaml: line 4: is not UTF-8 text (save the file as UTF-8) (byte 0xe9)"
    )


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
