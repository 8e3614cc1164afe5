"""Helpers of the LP tests: tiny model folders written from a dict, solved for real by HiGHS.

    def test_x(model_folder, solve):
        folder = model_folder({"reservoirs": {...}, ...},
                              series={"load.csv": {"time": [...], "a": [...]}})
        res = solve(folder, head="fixed")

`write_model` fills in `format`, `name` and `time` (three days from 2023-01-01 unless
`start`/`end`/`step` or a whole `time` block are given; the dict may also set them), writes
model.yaml with PyYAML and each series as a CSV file beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import vakhsh


def write_model(
    root: Path,
    model: dict[str, Any],
    series: dict[str, Any] | None = None,
    name: str = "tiny",
    start: str = "2023-01-01",
    end: str = "2023-01-04",
    step: str = "1D",
    time: dict[str, str] | None = None,
) -> Path:
    """Write `model` (components by kind) and its CSV `series` into a new folder."""
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=False)
    raw: dict[str, Any] = {
        "format": 1,
        "name": name,
        "time": time or {"start": start, "end": end, "step": step},
    }
    raw.update(model)
    (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for file, table in (series or {}).items():
        pd.DataFrame(table).to_csv(folder / file, index=False)
    return folder


def solve_folder(folder: Path, **options: Any):
    """Load the folder and optimise it with HiGHS; `options` go to SolveOptions."""
    net = vakhsh.load(folder)
    return vakhsh.optimise(net, vakhsh.SolveOptions(**options))


@pytest.fixture(scope="session")
def write_folder():
    """`write_folder(root, model, series=None, **time)`: write_model for wider scopes."""
    return write_model


@pytest.fixture(scope="session")
def solve():
    """`solve(folder, **options)`: load and optimise (real HiGHS); options: SolveOptions."""
    return solve_folder


@pytest.fixture
def model_folder(tmp_path: Path):
    """`model_folder(model, series=None, **time)`: write a model folder into tmp_path."""
    count = {"n": 0}

    def make(model: dict[str, Any], series: dict[str, Any] | None = None, **kwargs: Any):
        count["n"] += 1
        kwargs.setdefault("name", f"tiny{count['n']}")
        return write_model(tmp_path, model, series, **kwargs)

    return make
