"""The dates a model may use.

Timestamps are held as nanoseconds (numpy datetime64[ns]) once a model is loaded: only
these dates fit, and a date outside them would silently wrap around to another century.
"""

from __future__ import annotations

import pandas as pd

FIRST_DATE = pd.Timestamp("1678-01-01")
LAST_DATE = pd.Timestamp("2262-01-01")


def date_problem(stamp: pd.Timestamp) -> str | None:
    """Why a (naive) timestamp cannot be used, or None."""
    if not FIRST_DATE <= stamp <= LAST_DATE:
        return (
            f"dates must lie between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d} "
            "(the range of nanosecond timestamps)"
        )
    return None
