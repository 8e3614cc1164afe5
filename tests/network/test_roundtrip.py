"""load -> write_network -> load gives an equal Network."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from vakhsh.network import load_network, write_network


def round_trip(net, folder):
    return load_network(write_network(net, folder))


@pytest.mark.parametrize(
    ("options"),
    [
        {},
        {"step": "3h", "end": "2024-11-15"},
        pytest.param(
            {"step": "7D", "start": "2024-10-07", "end": "2025-09-29"},
            marks=pytest.mark.filterwarnings("ignore:reaches.lower_river.delay_steps"),
        ),
        {"scenario": "dry"},
        {"scenario": "full_upper", "step": "12h", "end": "2025-01-01"},
    ],
    ids=["own step", "3h, shorter", "7D, shifted", "scenario dry", "scenario full_upper at 12h"],
)
def test_toy_cascade_round_trip(tmp_path, options):
    net = load_network("toy-cascade", **options)
    back = round_trip(net, tmp_path / "written")
    assert back == net
    # the written model is plain: it loads at its own step with no scenario
    assert back.run == net.run


def test_round_trip_of_written_model_is_stable(tmp_path):
    """Writing the reloaded network again gives the same files."""
    net = load_network("toy-cascade", step="6h", end="2024-10-20")
    first = write_network(net, tmp_path / "first")
    second = write_network(load_network(first), tmp_path / "second")
    for path in sorted(first.iterdir()):
        if path.name == ".vakhsh-output.json":  # says when it was written
            continue
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_written_model_keeps_varying_series_in_csv_and_constants_in_yaml(tmp_path):
    net = load_network("toy-cascade", end="2024-12-01")
    folder = write_network(net, tmp_path / "written")
    model = yaml.safe_load((folder / "model.yaml").read_text())
    assert model["generators"]["gas_south"]["marginal_cost_usd_per_mwh"] == 70
    assert model["catchments"]["headwaters"]["inflow_m3s"].startswith("series:")
    assert "max_flow_m3s" not in model["reaches"]["lower_river"]  # unbounded stays unset
    assert model["reaches"]["lower_river"]["from"] == "confluence"
    assert "scenarios" not in model


def hourly_model(folder, values):
    import pandas as pd

    folder.mkdir()
    stamps = pd.date_range("2024-01-01", periods=len(values), freq="1h")
    pd.DataFrame({"time": stamps, "c": values}).to_csv(folder / "x.csv", index=False)
    (folder / "model.yaml").write_text(
        yaml.safe_dump(
            {
                "format": 1,
                "name": "hourly",
                "time": {
                    "start": "2024-01-01",
                    "end": str(stamps[-1] + pd.Timedelta("1h")),
                    "step": "1h",
                },
                "sinks": {"sea": {"min_inflow_m3s": 0.5}},
                "catchments": {"c": {"to": "sea", "inflow_m3s": "series:x.csv#c"}},
            }
        )
    )
    return folder


VALUES = np.round(np.random.default_rng(7).uniform(0, 50, size=48), 6)


def test_run_at_the_rows_own_spacing_reads_the_rows_exactly(tmp_path):
    """Each step falls in exactly one row, so it takes that row's value, bit for bit
    (today the cumulative-integral mean is off by ~1e-14 for most rows)."""
    net = load_network(hourly_model(tmp_path / "src", VALUES))
    got = net.series["catchments"]["inflow_m3s"].to_numpy()[:, 0]
    assert got.tolist() == VALUES.tolist()


def test_round_trip_of_an_hourly_time_series(tmp_path):
    net = load_network(hourly_model(tmp_path / "src", VALUES))
    assert round_trip(net, tmp_path / "out") == net


def test_equality_sees_a_change():
    base = load_network("toy-cascade")
    assert base == load_network("toy-cascade")
    assert base != load_network("toy-cascade", scenario="dry")
    assert base != load_network("toy-cascade", scenario="full_upper")
    assert base != load_network("toy-cascade", end="2025-09-30")


def test_write_replaces_only_a_model_folder_vakhsh_wrote(tmp_path):
    from vakhsh.outputs import OutputError

    net = load_network("toy-cascade", end="2024-10-10")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "stale.csv").write_text("old")
    with pytest.raises(OutputError, match="holds files vakhsh did not write"):
        write_network(net, mine, overwrite=True)
    assert (mine / "stale.csv").read_text() == "old"
    out = write_network(net, tmp_path / "out")
    with pytest.raises(OutputError, match="earlier model folder"):
        write_network(net, out)
    write_network(load_network("toy-cascade", end="2024-10-05"), out, overwrite=True)
    assert len(load_network(out).time) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left
