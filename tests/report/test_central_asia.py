"""Every plot draws on the embedded central-asia model (one winter month, to stay fast)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from vakhsh.report import metrics
from vakhsh.report.plots import PLOTS
from vakhsh.report.style import png_bytes


@pytest.fixture(scope="module")
def central_asia():
    from vakhsh.network import load_network
    from vakhsh.solve.options import SolveOptions
    from vakhsh.pipeline import optimise

    return optimise(load_network("central-asia", end="2024-11-01"), SolveOptions())


@pytest.mark.parametrize("spec", PLOTS, ids=[s.key for s in PLOTS])
def test_every_plot_draws_on_central_asia(central_asia, spec):
    fig = spec.function(central_asia)
    assert isinstance(fig, Figure)
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_central_asia_headline_and_downstream(central_asia):
    downstream = metrics.downstream_demands(central_asia.net)
    countries = central_asia.net.tables["water_demands"].loc[downstream, "country"]
    assert set(countries) <= {"UZ", "TM", "KZ", "AF"} and len(downstream) > 0
    head = metrics.headline(central_asia)
    assert head["home_bus"] == "TJ"
    assert head["sink_inflow_hm3"].keys() == {"aral_sea_south", "aral_sea_north"}
