"""Tiny planning models whose optimal builds follow by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml


def day_model(**sections: Any) -> dict[str, Any]:
    """A model of one day in hourly steps, 2030-01-01, discount rate 5 %."""
    raw = {
        "format": 1,
        "name": "tiny",
        "time": {"start": "2030-01-01", "end": "2030-01-02", "step": "1h"},
        "discount_rate": 0.05,
    }
    raw.update(sections)
    return raw


@pytest.fixture
def write_model(tmp_path: Path) -> Callable[..., Path]:
    """`write_model(raw, csv={name: text})`: a model folder in tmp_path."""
    count = [0]

    def write(raw: dict[str, Any], csv: dict[str, str] | None = None) -> Path:
        count[0] += 1
        folder = tmp_path / f"model{count[0]}"
        folder.mkdir()
        (folder / "model.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
        for name, text in (csv or {}).items():
            (folder / name).write_text(text)
        return folder

    return write
