"""Shared fixtures: a private copy of the embedded toy-cascade and a way to edit it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from vakhsh.errors import ModelError
from vakhsh.network import embedded_datasets, load_network

TOY = embedded_datasets()["toy-cascade"]
# each pytest-xdist worker takes one core, as a Dask worker does (its nanny sets the same):
# two workers whose solves each ran HiGHS's parallel simplex on both cores would ask four
# threads of two (solve/algorithms.py: available_cores)
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# libyaml when PyYAML was built with it: the same documents, five times faster
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture
def toy_folder(tmp_path: Path) -> Path:
    """A copy of the embedded toy-cascade model folder that a test may change freely."""
    return Path(shutil.copytree(TOY, tmp_path / "toy-cascade"))


@pytest.fixture
def edit_model(toy_folder: Path) -> Callable[[Callable[[dict[str, Any]], Any]], Path]:
    """`edit_model(change)`: load toy_folder's model.yaml, call `change(raw)`, write it back.

    `change` mutates the dict in place; the folder is returned so a test can load it.
    """

    def edit(change: Callable[[dict[str, Any]], Any]) -> Path:
        path = toy_folder / "model.yaml"
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
        change(raw)
        path.write_text(yaml.dump(raw, Dumper=DUMPER, sort_keys=False), encoding="utf-8")
        return toy_folder

    return edit


@pytest.fixture
def problem_lines() -> Callable[..., list[str]]:
    """`problem_lines(folder, **load_options)`: the lines of the ModelError a load raises."""

    def lines(folder: Path | str, **options: Any) -> list[str]:
        with pytest.raises(ModelError) as info:
            load_network(folder, **options)
        return [str(p) for p in info.value.problems]

    return lines
