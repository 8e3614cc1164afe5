"""docs/metrics.md names summary.json's keys: each one it documents is a key of it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.results.test_metrics import SUMMARY_KEYS

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_every_documented_key_is_a_key_of_summary_json():
    documented = re.findall(r"^\| `([a-z_.]+)`", DOC.read_text(encoding="utf-8"), flags=re.M)
    assert "energy.winter_deficit_gwh" in documented
    for dotted in documented:
        section, _, key = dotted.rpartition(".")
        assert key in (SUMMARY_KEYS[section] if section else SUMMARY_KEYS), dotted
