"""Every folder of tests/invalid fails to load with the line its README names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

INVALID = Path(__file__).resolve().parent.parent / "invalid"
ROW = re.compile(r"^\| `(?P<folder>[^`]+)` \| (?P<what>[^|]+) \| `(?P<line>[^`]+)` \|$")


def readme_rows() -> dict[str, str]:
    rows = {}
    for text in (INVALID / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(text)
        if match:
            rows[match["folder"]] = match["line"]
    return rows


ROWS = readme_rows()


def test_every_folder_has_a_row():
    folders = {p.name for p in INVALID.iterdir() if p.is_dir()}
    assert folders == set(ROWS)
    assert len(folders) >= 10


@pytest.mark.parametrize("name", sorted(ROWS))
def test_invalid_model(name, problem_lines):
    expected = ROWS[name]
    lines = problem_lines(INVALID / name)
    if expected.endswith("…"):
        assert any(line.startswith(expected[:-1]) for line in lines), "\n".join(lines)
    else:
        assert expected in lines, "\n".join(lines)
