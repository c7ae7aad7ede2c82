"""The capstone validator: the toy city passes; each classic broken input gets a clear fix."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from smartseoul import capstone
from smartseoul.cli import app

NUMERIC = ["population", "pop_65_plus", "cooling_centres"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return capstone.write_broken_inputs(tmp_path_factory.mktemp("capstone"))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return capstone.write_toy_city(tmp_path_factory.mktemp("toy"))


def test_toy_city_validates_and_joins(good):
    report = capstone.validate(*good, numeric=NUMERIC)
    assert report.ok, str(report)
    assert len(report.joined) == 9 and report.joined["population"].dtype.kind in "if"
    assert "ready" in str(report)


def test_equity_analysis_on_the_toy_city(good):
    report = capstone.validate(*good, numeric=NUMERIC)
    table = capstone.equity_table(report.joined, need="pop_65_plus", supply="cooling_centres")
    assert abs(table["area_km2"].sum() - 81) < 0.5  # nine 3 km squares
    rate = table["cooling_centres"].sum() / table["pop_65_plus"].sum() * 1000
    assert table.attrs["city_rate"] == pytest.approx(rate)
    assert (table["under_served"] == (table["supply_per_need"] < rate / 2)).all()


@pytest.mark.parametrize(
    "case, expected",
    [
        ("wrong_encoding", ["not saved as UTF-8", "cp949 (Korean", "'강서', '종로', '성북'", "CSV UTF-8"]),
        ("missing_crs", ["no coordinate reference system", "boundaries_crs='EPSG:...'", "Set CRS"]),
        ("invalid_geometry", ["invalid", "D05", "make_valid"]),
        ("keys_do_not_match", ["do not match", "D01", "leading zeros"]),
        (
            "text_in_numeric",
            ["should hold numbers", "'n/a'", "Leave missing values empty", "'1,234' = 1234"],
        ),
    ],
)
def test_each_broken_input_gets_a_clear_message(cases, case, expected):
    report = capstone.validate(*cases[case], numeric=NUMERIC)
    assert not report.ok
    text = str(report)
    for words in expected:
        assert words in text, f"{case}: message lacks {words!r}:\n{text}"
    assert report.joined is None  # no analysis on broken data
    assert all(p.fix for p in report.problems)


def test_missing_files_and_wrong_key_name(tmp_path, good):
    report = capstone.validate(tmp_path / "nope.geojson", tmp_path / "nope.csv")
    assert len(report.problems) == 2 and "does not exist" in str(report)
    report = capstone.validate(*good, key="district_code", numeric=NUMERIC)
    assert "no column 'district_code'" in str(report) and "district_id" in str(report)


def test_command_line_exit_codes(good, cases):
    runner = CliRunner()
    ok = runner.invoke(app, ["capstone", "validate", str(good[0]), str(good[1]), "--numeric", "population"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        app, ["capstone", "validate", *map(str, cases["text_in_numeric"]), "--numeric", "population"]
    )
    assert bad.exit_code == 1 and "1,234" in bad.output
    enc = runner.invoke(
        app, ["capstone", "validate", *map(str, cases["wrong_encoding"]), "--encoding", "cp949"]
    )
    assert enc.exit_code == 0, enc.output
