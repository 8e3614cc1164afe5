"""bench/README.md's SDDP gap-curve block is the rendering of the committed figures,
bench/sddp_gap_curve.json (the runs take minutes of CPU: no training here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location(
        "sddp_gap_curve", ROOT / "bench" / "sddp_gap_curve.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def test_the_readme_block_is_the_rendering_of_the_json():
    from vakhsh.outputs.doc_blocks import read_block

    curve = _script()
    figures = json.loads(curve.JSON.read_text())
    assert figures["runs"], "no run recorded"
    for run in figures["runs"]:
        assert run["members"] == 100 and run["checks"], run["label"]
        for check in run["checks"]:
            gap = (check["simulated_mean_usd"] - check["lower_bound_usd"]) / abs(
                check["simulated_mean_usd"]
            )
            assert abs(gap - check["gap"]) < 1e-12
    assert read_block(curve.README, curve.START, curve.END) == curve.render(figures)
