"""What the two-hour power LPs derived by hand share (test_power_by_hand.py,
test_storage_by_hand.py, test_markets_by_hand.py): two hourly steps from 2023-01-01 00:00
(h = 1, so MW and MWh agree) and a way to join the parts of a model."""

from __future__ import annotations

REL = 1e-6
TIME = {"start": "2023-01-01 00:00", "end": "2023-01-01 02:00", "step": "1h"}
HOURS = ["2023-01-01 00:00:00", "2023-01-01 01:00:00"]


def merge(*parts: dict) -> dict:
    """One model from parts: the components of each kind joined by name."""
    out: dict = {}
    for part in parts:
        for kind, items in part.items():
            out.setdefault(kind, {}).update(items)
    return out
