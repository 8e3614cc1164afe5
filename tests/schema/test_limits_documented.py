"""The limits FORMAT.md states are the limits the code applies (every number in docs/ is
checked by a test)."""

from __future__ import annotations

import re
from pathlib import Path

from vakhsh.schema import numeric, safe_yaml
from vakhsh.schema.dates import FIRST_DATE, LAST_DATE

FORMAT = (Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md").read_text()


def test_the_table_of_unit_limits_is_the_code_s():
    rows = re.findall(r"^\| `\*_(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", FORMAT, re.M)
    documented = {unit: (float(limit), why.strip()) for unit, _text, limit, why in rows}
    assert documented == numeric.LIMITS


def test_the_other_limits_are_the_code_s():
    assert f"at most {safe_yaml.MAX_ALIAS_VALUES:,} values in all" in FORMAT
    assert f"nest at most {safe_yaml.MAX_DEPTH} levels" in FORMAT
    assert f"at most {safe_yaml.MAX_INTEGER_DIGITS} digits" in FORMAT
    assert f"between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}" in FORMAT
    assert f"`inflow_factor_by_month` is at most {numeric.FACTOR_LIMIT[0]:g}" in FORMAT
    assert f"`efficiency_roundtrip` is at least\n{numeric.MIN_ROUNDTRIP[0]:g}" in FORMAT


def test_hydrology_md_states_the_inflow_limit():
    text = (Path(__file__).resolve().parents[2] / "docs" / "hydrology.md").read_text()
    limit = f"{numeric.LIMITS['m3s'][0]:.0e}".replace("e+0", "e")  # 1e6
    assert f"at most {limit} m³/s" in text
