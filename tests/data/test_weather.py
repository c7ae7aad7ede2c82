"""Weather: Seoul-like seasons, a summer monsoon, a daily cycle, daily and hourly agree."""

from __future__ import annotations

import pytest

from smartseoul import data


@pytest.fixture(scope="module")
def daily():
    return data.load("weather_daily")


@pytest.fixture(scope="module")
def hourly():
    return data.load("weather_hourly")


def test_five_full_years(daily, hourly):
    assert (
        daily["date"].min().strftime("%F") == "2019-01-01"
        and daily["date"].max().strftime("%F") == "2023-12-31"
    )
    assert len(daily) == 1826 and len(hourly) == 1826 * 24


def test_seasons(daily):
    by_month = daily.groupby(daily["date"].dt.month)["temp_mean_c"].mean()
    assert by_month[1] < 1 and by_month[8] > 23
    assert by_month.idxmax() in (7, 8) and by_month.idxmin() in (12, 1, 2)
    assert (daily["temp_min_c"] <= daily["temp_mean_c"]).all() and (
        daily["temp_mean_c"] <= daily["temp_max_c"]
    ).all()


def test_summer_monsoon(daily):
    rain = daily.groupby(daily["date"].dt.month)["rain_mm"].sum() / 5
    annual = rain.sum()
    assert 1000 < annual < 1900  # Seoul: about 1,400 mm a year
    assert (rain[7] + rain[8]) / annual > 0.35
    assert rain[1] < 50


def test_daily_cycle(hourly):
    by_hour = hourly.groupby(hourly["datetime"].dt.hour)["temp_c"].mean()
    assert by_hour.idxmax() in (13, 14, 15, 16) and by_hour.idxmin() in (3, 4, 5, 6)


def test_hourly_agrees_with_daily(daily, hourly):
    h = hourly.assign(day=hourly["datetime"].dt.tz_localize(None).dt.normalize())
    rain = h.groupby("day")["rain_mm"].sum()
    merged = daily.set_index("date")["rain_mm"]
    assert (rain.reindex(merged.index) - merged).abs().max() < 0.8
