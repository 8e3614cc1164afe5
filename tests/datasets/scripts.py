"""The central-asia dataset's own scripts (validate.py, head_models.py, nurek_season.py,
plan_frontier.py) loaded as modules: they live beside the data they regenerate, not in an
importable package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parents[2] / "src" / "vakhsh" / "datasets" / "central-asia"


def load_script(stem: str) -> ModuleType:
    """FOLDER/<stem>.py as the module `central_asia_<stem>`."""
    spec = importlib.util.spec_from_file_location(f"central_asia_{stem}", FOLDER / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
