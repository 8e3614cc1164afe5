"""Problems before any field is read: the folder, the file, the YAML syntax."""

from __future__ import annotations

import pytest


def test_yaml_syntax_error_names_its_line(toy_folder, problem_lines):
    path = toy_folder / "model.yaml"
    lines = path.read_text().splitlines()
    broken = lines.index("  confluence: {}")
    lines[broken] = "  confluence: {bad: [1, 2}"
    path.write_text("\n".join(lines) + "\n")
    (line,) = problem_lines(toy_folder)
    assert line.startswith(f"model.yaml: line {broken + 1}, column ")
    assert ": YAML syntax error: " in line


def test_tab_indentation_names_its_line_and_column(toy_folder, problem_lines):
    path = toy_folder / "model.yaml"
    lines = path.read_text().splitlines()
    broken = lines.index("  confluence: {}")
    lines[broken] = "\tconfluence: {}"
    path.write_text("\n".join(lines) + "\n")
    assert problem_lines(toy_folder) == [
        f"model.yaml: line {broken + 1}, column 1: YAML syntax error: found character '\\t' "
        "that cannot start any token"
    ]


@pytest.mark.parametrize(
    ("text", "kind"), [("", "NoneType"), ("- 1\n- 2\n", "list"), ("just words\n", "str")]
)
def test_model_yaml_that_is_not_a_mapping(toy_folder, problem_lines, text, kind):
    (toy_folder / "model.yaml").write_text(text)
    assert problem_lines(toy_folder) == [
        f"model.yaml: expected a mapping of sections at the top ({kind})"
    ]


def test_folder_without_model_yaml(tmp_path, problem_lines):
    assert problem_lines(tmp_path) == [f"{tmp_path}: no model.yaml in this folder"]


def test_neither_folder_nor_dataset(problem_lines):
    (line,) = problem_lines("no-such-model")
    assert line.startswith("no-such-model: not a model folder nor an embedded dataset (embedded: ")
    assert "toy-cascade" in line


def test_path_to_model_yaml_itself_loads(toy_folder):
    from vakhsh.network import load_network

    assert load_network(toy_folder / "model.yaml") == load_network(toy_folder)


def test_unclosed_mapping_names_the_line_where_it_opens(problem_lines):
    """tests/invalid/yaml-syntax-error: the `{` on line 14 is never closed. PyYAML notices at
    the end of the file (line 15, past the text); its context mark says where the mapping
    began, and that is the line a user needs."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "invalid" / "yaml-syntax-error"
    (line,) = problem_lines(folder)
    assert "line 14" in line, line
