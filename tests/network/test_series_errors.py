"""Broken series files: each names the file, the column and the field that reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

TOY_INFLOW = "[catchments.headwaters.inflow_m3s]"


def replace_in(folder: Path, file: str, old: str, new: str) -> Path:
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return folder


def point_headwaters_at(edit_model, reference: str) -> Path:
    def change(raw):
        raw["catchments"]["headwaters"]["inflow_m3s"] = reference

    return edit_model(change)


def test_missing_file(edit_model, problem_lines, toy_folder):
    folder = point_headwaters_at(edit_model, "series:nope.csv#headwaters")
    assert problem_lines(folder) == [
        f"nope.csv: series file not found {TOY_INFLOW} ({toy_folder / 'nope.csv'})"
    ]


def test_missing_column(edit_model, problem_lines):
    folder = point_headwaters_at(edit_model, "series:inflow_m3s.csv#headwater")
    (line,) = problem_lines(folder)
    assert line.startswith("inflow_m3s.csv: headwater: column not found ")
    assert "catchments.headwaters.inflow_m3s" in line
    assert line.endswith("(headwaters, side_valley, tributary)")


def test_empty_cell(toy_folder, problem_lines):
    replace_in(toy_folder, "inflow_m3s.csv", "\n3,38,", "\n3,,")
    assert problem_lines(toy_folder) == [
        f"inflow_m3s.csv: headwaters: missing or non-numeric value at month 3 (1 in all) "
        f"{TOY_INFLOW} (nan)"
    ]


@pytest.mark.parametrize("cell", ["NaN", "n/a", "inf", "lots"])
def test_non_numeric_or_infinite_value(toy_folder, problem_lines, cell):
    replace_in(toy_folder, "inflow_m3s.csv", "\n3,38,", f"\n3,{cell},")
    (line,) = problem_lines(toy_folder)
    assert line.startswith(
        "inflow_m3s.csv: headwaters: missing or non-numeric value at month 3 "
        f"(1 in all) {TOY_INFLOW} ("
    )


def test_nan_in_a_time_table(toy_folder, problem_lines):
    (toy_folder / "market.csv").write_text(
        "time,price\n2024-10-01,50\n2025-01-01,NaN\n2025-10-01,50\n2026-10-01,50\n"
    )
    assert problem_lines(toy_folder) == [
        "market.csv: price: missing or non-numeric value at 2025-01-01 00:00:00 (1 in all) "
        "[markets.neighbour.price_usd_per_mwh] (nan)"
    ]


def test_month_table_with_eleven_rows(toy_folder, problem_lines):
    replace_in(toy_folder, "inflow_m3s.csv", "\n12,", "\n#12,")
    path = toy_folder / "inflow_m3s.csv"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if not line.startswith("#")) + "\n"
    )
    assert problem_lines(toy_folder) == [
        f"inflow_m3s.csv: month: a month table needs rows 1..12, each once; found 11 rows "
        f"{TOY_INFLOW} ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])"
    ]


def test_month_repeated(toy_folder, problem_lines):
    replace_in(toy_folder, "inflow_m3s.csv", "\n12,", "\n11,")
    (line,) = problem_lines(toy_folder)
    assert line.startswith(
        "inflow_m3s.csv: month: a month table needs rows 1..12, each once; found 12 rows"
    )


def test_negative_value(toy_folder, problem_lines):
    replace_in(toy_folder, "inflow_m3s.csv", "\n3,38,", "\n3,-38,")
    assert problem_lines(toy_folder) == [
        f"inflow_m3s.csv: headwaters: negative value at month 3 (1 in all) {TOY_INFLOW} (-38.0)"
    ]


def test_run_not_covered_by_a_time_series(toy_folder, problem_lines):
    (toy_folder / "load_mw.csv").write_text(
        "time,north,south\n2024-10-01,100,100\n2025-01-01,120,120\n"
    )
    lines = problem_lines(toy_folder)
    assert lines == [
        "load_mw.csv: north: does not cover the run 2024-10-01 00:00:00 .. 2025-10-01 00:00:00 "
        "[loads.north_load.p_mw] (series covers 2024-10-01 00:00:00 .. 2025-04-03 00:00:00)",
        "load_mw.csv: south: does not cover the run 2024-10-01 00:00:00 .. 2025-10-01 00:00:00 "
        "[loads.south_load.p_mw] (series covers 2024-10-01 00:00:00 .. 2025-04-03 00:00:00)",
    ]


def test_time_series_starting_after_the_run(toy_folder, problem_lines):
    (toy_folder / "market.csv").write_text("time,price\n2024-10-02,50\n2025-10-02,50\n")
    (line,) = problem_lines(toy_folder)
    assert line.startswith("market.csv: price: does not cover the run 2024-10-01 00:00:00 .. ")


def test_timestamps_not_increasing(toy_folder, problem_lines):
    (toy_folder / "market.csv").write_text("time,price\n2024-10-01,1\n2024-09-01,2\n")
    assert problem_lines(toy_folder) == [
        "market.csv: time (row 3): timestamps must be strictly increasing: this one goes "
        "back in time [markets.neighbour.price_usd_per_mwh] (2024-09-01 00:00:00)"
    ]


def test_timestamp_that_is_not_a_date(toy_folder, problem_lines):
    (toy_folder / "market.csv").write_text("time,price\n2024-10-01,1\nsoon,2\n")
    assert problem_lines(toy_folder) == [
        "market.csv: time (row 3): not a timestamp [markets.neighbour.price_usd_per_mwh] (soon)"
    ]


@pytest.mark.parametrize("header", ["time,month,price", "when,price"])
def test_needs_exactly_one_of_time_and_month(toy_folder, problem_lines, header):
    (toy_folder / "market.csv").write_text(header + "\n")
    (line,) = problem_lines(toy_folder)
    assert line.startswith(
        "market.csv: needs exactly one of a 'time' column or a 'month' column "
        "[markets.neighbour.price_usd_per_mwh] ("
    )


def test_empty_file(toy_folder, problem_lines):
    (toy_folder / "market.csv").write_text("")
    assert problem_lines(toy_folder) == [
        "market.csv: cannot be read as CSV [markets.neighbour.price_usd_per_mwh] "
        "(No columns to parse from file)"
    ]


def test_capacity_factor_series_above_one(toy_folder, problem_lines):
    """FORMAT.md: `capacity_factor` is a fraction in [0, 1]; a series of 1.5 loads today."""
    replace_in(toy_folder, "capacity_factor.csv", "\n1,0.12", "\n1,1.5")
    lines = problem_lines(toy_folder)
    assert any(line.startswith("capacity_factor.csv: solar_south: ") for line in lines), lines


def test_a_missing_file_read_by_three_fields_is_reported_once(toy_folder, problem_lines):
    """Three catchments read inflow_m3s.csv; its absence is one line, not three."""
    (toy_folder / "inflow_m3s.csv").unlink()
    lines = problem_lines(toy_folder)
    assert len(lines) == 1 and lines[0].startswith("inflow_m3s.csv: series file not found")


def test_series_problems_are_listed_with_the_schema_problems(edit_model, problem_lines):
    """`vakhsh validate` lists every problem at once: a missing column is not hidden by an
    unrelated typo elsewhere in model.yaml."""

    def change(raw):
        raw["catchments"]["headwaters"]["inflow_m3s"] = "series:inflow_m3s.csv#headwater"
        raw["reservoirs"]["upper"]["storage_min_hm3"] = 2500

    lines = problem_lines(edit_model(change))
    assert (
        "model.yaml: reservoirs.upper.storage_min_hm3: exceeds storage_max_hm3 (2500 > 2000)"
        in lines
    )
    assert any(line.startswith("inflow_m3s.csv: headwater: column not found") for line in lines), (
        lines
    )


def test_day_first_dates_are_not_guessed(tmp_path, problem_lines):
    """01/01, 02/01, 03/01 (three days of January written day first) read month first are
    1 January, 1 February and 1 March: strictly increasing, covering the run, and wrong.
    An ambiguous timestamp should be an error naming the time column, not a guess."""
    import yaml

    (tmp_path / "model.yaml").write_text(
        yaml.safe_dump(
            {
                "format": 1,
                "name": "dates",
                "time": {"start": "2024-01-01", "end": "2024-01-04", "step": "1D"},
                "sinks": {"sea": {}},
                "catchments": {"c": {"to": "sea", "inflow_m3s": "series:x.csv#c"}},
            }
        )
    )
    (tmp_path / "x.csv").write_text("time,c\n01/01/2024,1\n02/01/2024,2\n03/01/2024,3\n")
    lines = problem_lines(tmp_path)
    assert any(line.startswith("x.csv: time") for line in lines), lines


def test_duplicate_column_names(toy_folder, problem_lines):
    """pandas renames the second `price` to `price.1` and the first is read silently."""
    (toy_folder / "market.csv").write_text(
        "month,price,price\n" + "".join(f"{m},50,60\n" for m in range(1, 13))
    )
    lines = problem_lines(toy_folder)
    assert any(line.startswith("market.csv: price") for line in lines), lines


def test_huge_inflow_factor_does_not_overflow_silently(edit_model):
    """A factor of 1e308 times an inflow overflows to inf (with RuntimeWarnings only): the
    Network then holds infinite inflows. A clean error, or finite values, is expected."""
    import numpy as np

    from vakhsh.errors import ModelError
    from vakhsh.network import load_network

    def change(raw):
        raw["scenarios"]["dry"]["inflow_factor_by_month"] = [1e308] * 12

    folder = edit_model(change)
    try:
        net = load_network(folder, scenario="dry")
    except ModelError:
        return
    assert np.isfinite(net.series["catchments"]["inflow_m3s"].to_numpy()).all()


def test_a_long_path_is_shown_whole(tmp_path):
    """Where vakhsh looked is never cut short, however deep the folder (other values are)."""
    from vakhsh.errors import Problem
    from vakhsh.network.inputs import InputError, read_input

    deep = tmp_path.joinpath(*["a_rather_long_folder_name"] * 6)
    deep.mkdir(parents=True)
    with pytest.raises(InputError) as info:
        read_input(deep, "nope.csv")
    shown = str(info.value.problem)
    assert shown.endswith(f"({deep / 'nope.csv'})") and len(str(deep)) > 80
    assert str(Problem("f", "", "bad", "x" * 200)).endswith("...)")
