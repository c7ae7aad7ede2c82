"""Traffic speed: TOPIS magnitudes by road class, rush hours (Friday evening worst, Monday the
worst morning), rain slows traffic, the COVID-era month is a little faster, raw = clean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from smartseoul import data
from smartseoul.data import city


@pytest.fixture(scope="module")
def links():
    return data.load("traffic_links")


@pytest.fixture(scope="module")
def speed():
    df = data.load("traffic_speed_hourly")
    local = df["datetime"].dt.tz_localize(None)
    days = local.dt.normalize()
    cal = city.calendar().set_index("date")
    weather = data.load("weather_hourly").set_index("datetime")["rain_mm"]
    return df.assign(
        year=local.dt.year,
        hour=local.dt.hour,
        weekday=local.dt.day_of_week,
        day_off=cal["is_day_off"].reindex(days).to_numpy(),
        rain_mm=weather.reindex(df["datetime"]).to_numpy(),
    )


@pytest.fixture(scope="module")
def workdays(speed):
    return speed[~speed["day_off"]]


def test_about_100_links_with_attributes(links):
    assert 90 <= len(links) <= 110
    assert links["link_id"].str.fullmatch(r"\d{10}").all() and links["link_id"].is_unique
    assert set(links["road_type_ko"]) == {"도시고속도로", "주간선도로", "보조간선도로"}
    assert set(links["area_type_ko"]) == {"도심", "외곽"}
    assert set(links["direction"]) == {"유입", "유출"}
    assert {
        "남대문로",
        "세종대로",
        "강남대로",
        "올림픽대로",
        "강변북로",
        "동부간선도로",
        "내부순환로",
    } <= set(links["road_name"])
    # each segment in both directions: the same road and ends, swapped
    pairs = set(zip(links["road_name"], links["start_name"], links["end_name"]))
    assert all((r, e, s) in pairs for r, s, e in pairs)
    assert links["gu_code"].isin(data.load("districts")["gu_code"]).all()
    outline = Polygon(city.OUTLINE).buffer(0.01)
    assert shapely.contains_xy(outline, links["start_lon"], links["start_lat"]).all()
    assert (links["length_m"].between(300, 12000)).all()


def test_every_link_every_hour(speed, links):
    hours = (30 + 30) * 24
    assert len(speed) == len(links) * hours
    assert speed["speed_kmh"].isna().mean() < 0.01
    assert set(speed["year"]) == {2019, 2020} and set(speed["datetime"].dt.month) == {11}


def test_magnitudes_by_class(speed):
    by = speed.groupby(["road_type", "area_type"], observed=True)["speed_kmh"].mean()
    downtown = speed[speed["area_type"] == "downtown"]["speed_kmh"].mean()
    assert 17 <= downtown <= 21  # facts: 17.4-19.0
    assert 50 <= by[("urban_expressway", "outer")] <= 60  # facts: 53-58
    assert 23 <= by[("main_arterial", "outer")] <= 27  # facts: 24.5-25.0
    assert 20 <= by[("minor_arterial", "outer")] <= 24.5  # facts: 22.3-23.2
    assert 24 <= speed["speed_kmh"].mean() <= 28  # facts: city 24-26 (see notes)


def test_friday_evening_is_the_slowest(workdays):
    grid = workdays.groupby(["weekday", "hour"])["speed_kmh"].mean()
    assert grid.idxmin()[0] == 4 and grid.idxmin()[1] in (17, 18, 19)
    evening = workdays[workdays["hour"].between(17, 19)].groupby("weekday")["speed_kmh"].mean()
    assert evening[4] < 0.95 * evening.drop(4).min()


def test_monday_is_the_slowest_morning(workdays):
    morning = workdays[workdays["hour"].between(7, 9)].groupby("weekday")["speed_kmh"].mean()
    assert morning.idxmin() == 0 and morning[0] < 0.97 * morning.drop(0).min()


def test_rush_hours_nights_and_weekends(speed, workdays):
    by_hour = workdays.groupby("hour")["speed_kmh"].mean()
    assert by_hour[3] > 1.5 * by_hour[18]
    assert by_hour[8] < by_hour[11] and by_hour[18] < by_hour[14]
    weekend_8 = speed[speed["day_off"] & (speed["hour"] == 8)]["speed_kmh"].mean()
    assert weekend_8 > 1.15 * by_hour[8]


def test_rain_slows_traffic(speed):
    s = speed.assign(wet=speed["rain_mm"] >= 0.5)
    cell = s.groupby(["day_off", "hour", "wet"])["speed_kmh"].mean().unstack("wet").dropna()
    assert len(cell) > 10
    assert (cell[True] / cell[False]).median() < 0.94


def test_covid_month_a_little_faster(speed):
    dry = speed[speed["rain_mm"] == 0]
    by_year = dry.groupby("year")["speed_kmh"].mean()
    assert 1.005 < by_year[2020] / by_year[2019] < 1.08


def test_slowest_roads_of_the_facts(speed):
    by_road = speed.groupby("road_name", observed=True)["speed_kmh"].mean().sort_values()
    # facts (2015): 남대문로 15.1, 나루터로 15.4, 마른내로 15.9 km/h were the three slowest roads
    assert list(by_road.index[:3]) == ["남대문로", "나루터로", "마른내로"]
    assert 14 < by_road["남대문로"] < 17
    assert by_road.index[-1] in ("올림픽대로", "강변북로", "동부간선도로", "내부순환로", "북부간선도로")


@pytest.mark.parametrize("month", ["201911", "202011"])
def test_raw_file_matches_clean(month, speed):
    path = data.raw_path(f"traffic_speed_raw_{month}")
    raw = pd.read_csv(path, encoding="cp949", dtype={"링크아이디": str, "일자": str})
    hours = [f"~{h:02d}시" for h in range(1, 25)]
    assert list(raw.columns[:12]) == [
        "일자",
        "요일",
        "도로명",
        "링크아이디",
        "시점명",
        "종점명",
        "방향",
        "거리",
        "차선수",
        "기능유형구분",
        "도심/외곽구분",
        "권역구분",
    ]
    assert list(raw.columns[12:]) == hours
    assert len(raw) == 100 * 30
    assert raw["요일"].isin(list("월화수목금토일")).all()
    long = raw.melt(id_vars=["일자", "링크아이디"], value_vars=hours, var_name="h", value_name="v")
    long["datetime"] = pd.to_datetime(long["일자"], format="%Y%m%d") + pd.to_timedelta(
        long["h"].str[1:3].astype(int) - 1, unit="h"
    )
    clean = speed[speed["datetime"].dt.strftime("%Y%m") == month]
    m = long.assign(datetime=long["datetime"].dt.tz_localize(city.TZ)).merge(
        clean[["link_id", "datetime", "speed_kmh"]],
        left_on=["링크아이디", "datetime"],
        right_on=["link_id", "datetime"],
    )
    assert len(m) == len(long)
    assert np.allclose(m["v"].fillna(-1), m["speed_kmh"].fillna(-1))
    assert m["v"].isna().sum() > 0  # detector gaps show as blank cells
