"""PyPSA's own example networks (tests/interop/data, copied from PyPSA's repository).

As shipped they carry what vakhsh has no counterpart for (extendable sizes, a CO2 limit,
standing losses, weightings unequal to the step): the import names every such attribute.
ac-dc-meshed with its sizes fixed as shipped and without the CO2 limit fits
(AC lines with KVL on x, DC lines with KVL on r, converters and a DC link as Links,
wind series): vakhsh matches PyPSA's optimum on it to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypsa
import pytest

import vakhsh
from vakhsh.interop import from_pypsa
from vakhsh.interop.imports import ImportProblem, read_network

from .conftest import pypsa_optimum

DATA = Path(__file__).parent / "data"
REL = 1e-6


def _messages(exc: ImportProblem) -> str:
    return "\n".join(str(p) for p in exc.problems)


def test_ac_dc_meshed_as_shipped_names_what_it_cannot_take(tmp_path):
    with pytest.raises(ImportProblem) as info:
        from_pypsa(DATA / "ac-dc-meshed", tmp_path / "m")
    text = _messages(info.value)
    assert "global_constraints.co2_limit.type" in text
    assert "generators.Manchester Wind.p_nom_extendable" in text
    assert "lines.0.s_nom_extendable" in text
    assert "links.DC link.p_nom_extendable" in text
    assert not (tmp_path / "m").exists()


def test_storage_hvdc_as_shipped_names_its_weightings(tmp_path):
    # three-hour weightings on hourly snapshots: vakhsh weighs a step by its length
    with pytest.raises(ImportProblem, match="snapshot_weightings"):
        from_pypsa(DATA / "storage-hvdc", tmp_path / "m")
    assert not (tmp_path / "m").exists()


def fixed_ac_dc_meshed() -> pypsa.Network:
    """ac-dc-meshed with every extendable size fixed at its shipped value (`p_nom`,
    `s_nom`: gas plants large enough to serve every load) and without the CO2 limit."""
    n = read_network(DATA / "ac-dc-meshed")
    for component, attr in (("generators", "p_nom"), ("links", "p_nom"), ("lines", "s_nom")):
        getattr(n, component)[f"{attr}_extendable"] = False
    n.remove("GlobalConstraint", n.global_constraints.index)
    return n


def test_ac_dc_meshed_with_fixed_sizes_matches_pypsa(tmp_path):
    n = fixed_ac_dc_meshed()
    expected = pypsa_optimum(n)
    folder = from_pypsa(n, tmp_path / "m")
    res = vakhsh.optimise(vakhsh.load(folder))
    assert res.objective_usd == pytest.approx(expected, rel=REL)
    ds = res.dataset
    assert float(ds["unserved_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    # DC lines (KVL on r) and AC lines (KVL on x) carry PyPSA's flows where unique
    flow = (ds["line_forward_mw"] - ds["line_backward_mw"]).transpose("time", "line")
    total = np.abs(flow.sel(line=["2", "3", "4"]).values).sum()
    assert total == pytest.approx(
        np.abs(n.lines_t.p0[["2", "3", "4"]].values).sum(), rel=1e-6, abs=1e-6
    )
