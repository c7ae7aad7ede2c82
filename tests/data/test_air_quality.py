"""Air quality: Seoul magnitudes, winter-spring PM and summer ozone, yellow dust, a slow
improvement, rain washout, a COVID-era NO2 dip, and a raw file that matches the clean one."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from smartseoul import data


@pytest.fixture(scope="module")
def aq():
    df = data.load("air_quality_daily")
    return df.assign(year=df["date"].dt.year, month=df["date"].dt.month)


@pytest.fixture(scope="module")
def city_daily(aq):
    """City-wide daily means joined with the shared weather."""
    daily = aq.groupby("date")[["pm10_ugm3", "pm25_ugm3", "o3_ppm", "no2_ppm", "co_ppm", "so2_ppm"]].mean()
    weather = data.load("weather_daily").set_index("date")
    return daily.join(weather[["rain_mm", "is_rainy"]], how="left").assign(
        year=lambda d: d.index.year, month=lambda d: d.index.month
    )


def test_one_station_per_gu_every_day(aq):
    gu = data.load("districts")
    assert set(aq["gu_code"]) == set(gu["gu_code"])
    assert len(aq) == 25 * 1826 and not aq.duplicated(["date", "gu_code"]).any()
    names = aq.drop_duplicates("gu_code").set_index("gu_code")["station_name"].astype(str)
    assert (names == gu.set_index("gu_code")["name_ko"].reindex(names.index)).all()
    share_missing = aq[["pm10_ugm3", "pm25_ugm3", "no2_ppm"]].isna().mean()
    assert (share_missing > 0).all() and (share_missing < 0.02).all()


def test_real_magnitudes(aq):
    means = aq[["pm25_ugm3", "pm10_ugm3", "no2_ppm", "o3_ppm", "co_ppm", "so2_ppm"]].mean()
    assert 15 < means["pm25_ugm3"] < 28
    assert 30 < means["pm10_ugm3"] < 50
    assert 0.015 < means["no2_ppm"] < 0.04
    assert 0.015 < means["o3_ppm"] < 0.04
    assert 0.3 < means["co_ppm"] < 0.7
    assert 0.002 < means["so2_ppm"] < 0.005
    both = aq[["pm10_ugm3", "pm25_ugm3"]].dropna()
    assert (both["pm10_ugm3"] >= both["pm25_ugm3"]).all()


def test_winter_spring_particles_summer_ozone(city_daily):
    m = city_daily.groupby("month").mean()
    cold = m.loc[[12, 1, 2, 3, 4], "pm25_ugm3"].mean()
    summer = m.loc[[7, 8, 9], "pm25_ugm3"].mean()
    assert cold > 1.6 * summer
    assert m["o3_ppm"].idxmax() in (5, 6)
    assert m.loc[[5, 6], "o3_ppm"].mean() > 2 * m.loc[[12, 1], "o3_ppm"].mean()
    assert m.loc[[12, 1], "no2_ppm"].mean() > 1.3 * m.loc[[7, 8], "no2_ppm"].mean()


def test_spring_yellow_dust(city_daily):
    spring = city_daily[city_daily["month"].isin([3, 4, 5])]
    dusty = spring[spring["pm10_ugm3"] > 150]
    assert set(dusty["year"]) == {2019, 2020, 2021, 2022, 2023}, (
        "each spring should have at least one 황사 day"
    )
    # dust is coarse: PM2.5 is a small share of PM10 on those days, unlike ordinary days
    assert (dusty["pm25_ugm3"] / dusty["pm10_ugm3"]).median() < 0.4
    assert (spring["pm25_ugm3"] / spring["pm10_ugm3"]).median() > 0.42


def test_slow_improvement(city_daily):
    yearly = city_daily.groupby("year")["pm25_ugm3"].mean()
    assert yearly[2023] < 0.9 * yearly[2019]
    # compare two-year blocks, so one unusual year cannot fake (or hide) the trend
    assert yearly[[2022, 2023]].mean() < 0.85 * yearly[[2019, 2020]].mean()
    slope = np.polyfit(yearly.index, yearly.to_numpy(), 1)[0]
    assert -3.0 < slope < -0.5  # µg/m³ per year: slow, not a collapse
    assert 22 < yearly[2019] < 28


def test_rain_washes_particles_out(city_daily):
    ratios = []
    for _, month in city_daily.groupby(["year", "month"]):
        wet, dry = month[month["is_rainy"]], month[~month["is_rainy"]]
        if len(wet) >= 3 and len(dry) >= 3:
            ratios.append(wet["pm25_ugm3"].mean() / dry["pm25_ugm3"].mean())
    assert np.median(ratios) < 0.85


def test_covid_era_no2_dip_and_weekend_dip(aq, city_daily):
    months = list(range(3, 13))
    sel = city_daily[city_daily["month"].isin(months)]
    by_year = sel.groupby("year")["no2_ppm"].mean()
    assert 0.78 < by_year[2020] / by_year[2019] < 0.94  # a dip, not a collapse
    cal = aq.assign(weekday=aq["date"].dt.day_of_week)
    weekday = cal[cal["weekday"] < 5]["no2_ppm"].mean()
    sunday = cal[cal["weekday"] == 6]["no2_ppm"].mean()
    assert sunday < 0.88 * weekday


def test_traffic_districts_have_more_no2_less_ozone(aq):
    by_gu = aq.groupby("gu_code")[["no2_ppm", "o3_ppm"]].mean()
    r = np.corrcoef(by_gu["no2_ppm"], by_gu["o3_ppm"])[0, 1]
    assert r < -0.3


def test_standards_table():
    st = data.load("air_quality_standards")
    who = st[st["scheme"] == "WHO AQG 2021"].set_index(["pollutant", "averaging_period"])["upper_ugm3"]
    assert who[("PM2.5", "annual")] == 5 and who[("PM2.5", "24h")] == 15
    assert who[("PM10", "annual")] == 15 and who[("PM10", "24h")] == 45
    grades = st[st["scheme"] == "Korean forecast grade"]
    pm25 = grades[grades["pollutant"] == "PM2.5"]["upper_ugm3"].dropna().tolist()
    pm10 = grades[grades["pollutant"] == "PM10"]["upper_ugm3"].dropna().tolist()
    assert pm25 == [15, 35, 75] and pm10 == [30, 80, 150]
    kor = st[st["scheme"] == "Korean national ambient standard"]
    assert set(kor["confidence"]) == {"secondary"}


def test_most_days_exceed_the_who_guideline(aq):
    """The teaching point of module 5: Seoul meets its grades far more often than WHO's guideline."""
    over_who = (aq["pm25_ugm3"] > 15).mean()
    over_kor = (aq["pm25_ugm3"] > 35).mean()
    assert over_who > 0.4 and 0.03 < over_kor < 0.25


def test_raw_2022_file_matches_clean(aq):
    raw_path = data.raw_path("air_quality_raw_2022")
    blob = raw_path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        blob.decode("utf-8")
    raw = pd.read_csv(io.BytesIO(blob), encoding="cp949", dtype={"측정일시": str})
    assert list(raw.columns[:2]) == ["측정일시", "측정소명"]
    assert "미세먼지농도(㎍/㎥)" in raw.columns and "초미세먼지농도(㎍/㎥)" in raw.columns
    assert len(raw) == 25 * 365 and raw["측정일시"].str.fullmatch(r"2022\d{4}").all()
    clean = aq[aq["year"] == 2022].assign(
        key=lambda d: d["date"].dt.strftime("%Y%m%d") + d["station_name"].astype(str)
    )
    merged = raw.assign(key=raw["측정일시"] + raw["측정소명"]).merge(clean, on="key")
    assert len(merged) == len(raw)
    both = merged[["미세먼지농도(㎍/㎥)", "pm10_ugm3"]].dropna()
    assert (both.iloc[:, 0] == both.iloc[:, 1]).all()
