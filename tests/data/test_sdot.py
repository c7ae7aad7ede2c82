"""S-DoT: sensors placed in Seoul with uneven density, readings that follow the shared weather
and air quality with local effects, and faults that match their answer key."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from smartseoul import data
from smartseoul.data import city


@pytest.fixture(scope="module")
def sensors():
    return data.load("sdot_sensors")


@pytest.fixture(scope="module")
def readings(sensors):
    r = data.load("sdot_readings")
    local = r["datetime"].dt.tz_localize(None)
    site = sensors.set_index("serial")["site_type"].astype(str)
    return r.assign(
        hour=local.dt.hour,
        month=local.dt.month,
        day=local.dt.normalize(),
        site_type=site.reindex(r["serial"].astype(str)).to_numpy(),
    )


@pytest.fixture(scope="module")
def faults():
    return data.load("sdot_faults")


@pytest.fixture(scope="module")
def healthy(readings, faults):
    """Readings of sensors with no fault at all: the clean signal."""
    return readings[~readings["serial"].astype(str).isin(set(faults["serial"].astype(str)))]


def test_sensor_list(sensors):
    assert 850 <= len(sensors) <= 1100
    assert sensors["serial"].is_unique and sensors["serial"].str.fullmatch(r"V02Q\d{7}").all()
    assert shapely.contains_xy(Polygon(city.OUTLINE), sensors["lon"], sensors["lat"]).all()
    assert (sensors["install_date"] < pd.Timestamp("2022-08-01")).all()
    assert sensors["in_readings"].sum() == 600


def test_gu_and_dong_come_from_a_spatial_join(sensors):
    dongs = data.load("dongs")
    joined = gpd.sjoin(
        sensors[["serial", "geometry"]], dongs[["dong_code", "gu_code", "geometry"]], predicate="within"
    )
    joined = joined.drop_duplicates("serial").set_index("serial")
    mine = sensors.set_index("serial")
    agree = (joined["dong_code"] == mine["dong_code"].reindex(joined.index)).mean()
    assert len(joined) >= 0.99 * len(sensors) and agree > 0.99
    assert (mine["dong_code"].str[:5] == mine["gu_code"]).all()


def test_density_is_uneven_and_central(sensors):
    gu = data.load("districts").set_index("gu_code")
    per_km2 = sensors.groupby("gu_code").size().reindex(gu.index, fill_value=0) / gu["area_km2"]
    assert (per_km2 > 0).all()
    assert per_km2.max() > 4 * per_km2.min()
    top = set(per_km2.sort_values(ascending=False).index[:5])
    assert "11140" in top  # Jung-gu, the commercial core
    by_land = (
        sensors.groupby("land_use", observed=True).size()
        / data.load("dong_population").groupby("land_use", observed=True).size()
    )
    assert by_land["business"] > 2.5 * by_land["residential"]  # sensors per dong


def test_two_months_hourly(readings, sensors):
    assert set(readings["serial"].unique().astype(str)) == set(sensors.loc[sensors["in_readings"], "serial"])
    assert set(readings["month"].unique()) == {1, 8}
    full = 600 * (31 + 31) * 24
    assert 0.99 * full < len(readings) < full  # a few gaps: absent rows
    key = (
        readings["serial"].cat.codes.to_numpy().astype("int64") * 10**12
        + readings["datetime"].astype("int64").to_numpy() // 10**6
    )
    assert (np.diff(key) > 0).all()  # sorted by sensor then hour, so no sensor-hour twice


def test_temperature_follows_the_weather(healthy):
    weather = data.load("weather_hourly").set_index("datetime")["temp_c"]
    med = healthy.groupby("datetime")["temp_c"].median()
    r = np.corrcoef(med, weather.reindex(med.index))[0, 1]
    assert r > 0.95
    by_month = healthy.groupby("month")["temp_c"].mean()
    assert by_month[8] > 22 and by_month[1] < 3


def test_heat_island_at_night(healthy):
    night = healthy[healthy["hour"].isin([0, 1, 2, 3, 4])]
    by_site = night.groupby("site_type")["temp_c"].mean()
    assert by_site["commercial"] - by_site["park"] > 1.5
    day = healthy[healthy["hour"].isin([12, 13, 14])].groupby("site_type")["temp_c"].mean()
    assert (by_site["commercial"] - by_site["park"]) > (day["commercial"] - day["park"])


def test_noise_by_place_and_hour(healthy):
    by_hour = healthy.groupby("hour")["noise_db"].mean()
    assert by_hour[[10, 11, 12, 13, 14, 15]].mean() - by_hour[[2, 3, 4]].mean() > 8
    by_site = healthy.groupby("site_type")["noise_db"].mean()
    assert by_site["roadside"] - by_site["park"] > 10
    assert by_site.idxmax() == "roadside" and by_site.idxmin() == "park"
    assert 40 < healthy["noise_db"].mean() < 65


def test_illuminance_day_and_night(healthy):
    mid = healthy[healthy["hour"].between(11, 14)].groupby("month")["illuminance_lux"].median()
    night = healthy[healthy["hour"].isin([0, 1, 2, 3])]["illuminance_lux"].median()
    assert 1 <= night <= 60  # street lights
    assert mid.min() > 100 * night
    assert mid[8] > 1.5 * mid[1]  # summer sun


def test_particles_follow_district_air_quality(healthy, sensors):
    gu_of = sensors.set_index("serial")["gu_code"]
    h = healthy.assign(gu_code=gu_of.reindex(healthy["serial"].astype(str)).to_numpy())
    daily = h.groupby(["day", "gu_code"])["pm25_ugm3"].mean().rename("sensor").reset_index()
    aq = data.load("air_quality_daily")[["date", "gu_code", "pm25_ugm3"]]
    m = daily.merge(aq, left_on=["day", "gu_code"], right_on=["date", "gu_code"]).dropna()
    assert np.corrcoef(m["sensor"], m["pm25_ugm3"])[0, 1] > 0.8
    # low-cost sensors: close to the reference on average, not equal to it
    assert 0.9 < m["sensor"].mean() / m["pm25_ugm3"].mean() < 1.35
    by_month = healthy.groupby("month")["pm25_ugm3"].mean()
    assert by_month[1] > 1.5 * by_month[8]
    assert (healthy["pm10_ugm3"] >= healthy["pm25_ugm3"]).all()


def test_faults_on_a_few_sensors(faults, sensors):
    share = faults["serial"].nunique() / sensors["in_readings"].sum()
    assert 0.05 <= share <= 0.08
    assert set(faults["fault_type"]) == {"flatline", "gap", "spike", "drift"}
    assert not faults.duplicated(["serial", "datetime"]).any()


def test_gaps_are_missing_rows_and_other_faults_are_present(readings, faults):
    have = pd.MultiIndex.from_frame(readings[["serial", "datetime"]].astype({"serial": str}))
    key = pd.MultiIndex.from_frame(faults[["serial", "datetime"]].astype({"serial": str}))
    present = key.isin(have)
    gap = (faults["fault_type"] == "gap").to_numpy()
    assert not present[gap].any()
    assert present[~gap].all()
    assert len(readings) + gap.sum() == 600 * 62 * 24


def test_flatlines_are_stuck(readings, faults):
    flat = faults[faults["fault_type"] == "flatline"].astype({"serial": str, "measure": str})
    sub = readings[readings["serial"].isin(flat["serial"].unique())].astype({"serial": str})
    m = flat.merge(sub, on=["serial", "datetime"])
    assert len(m) == len(flat)
    for _, ep in m.groupby("episode_id"):
        measure = ep["measure"].iloc[0].split("+")[0]
        assert ep[measure].nunique() == 1 and len(ep) >= 6


def test_healthy_sensors_do_not_get_stuck(healthy):
    # no healthy sensor repeats the same temperature for 8 hours in a row
    t = healthy.sort_values(["serial", "datetime"])
    same = (t["temp_c"].diff() == 0) & (t["serial"] == t["serial"].shift())
    run = same.groupby((~same).cumsum()).cumsum()
    assert run.max() < 7


def test_spikes_are_absurd(readings, faults, healthy):
    r = readings.assign(serial=readings["serial"].astype(str)).set_index(["serial", "datetime"])
    spikes = faults[faults["fault_type"] == "spike"]
    temp_med = healthy.groupby("datetime")["temp_c"].median()
    for row in spikes.itertuples():
        v = r.loc[(str(row.serial), row.datetime)]
        if str(row.measure).startswith("pm25"):
            assert v["pm25_ugm3"] >= 300
        elif row.measure == "noise_db":
            assert v["noise_db"] >= 95
        else:
            assert abs(v["temp_c"] - temp_med[row.datetime]) >= 10
    assert healthy["pm25_ugm3"].max() < 300 and healthy["noise_db"].max() < 95


def test_drift_grows(readings, faults, healthy):
    r = readings.assign(serial=readings["serial"].astype(str))
    city_med = healthy.groupby("datetime")[["temp_c", "humidity_pct", "pm25_ugm3"]].median()
    for _, ep in faults[faults["fault_type"] == "drift"].groupby("episode_id"):
        measure = str(ep["measure"].iloc[0])
        serial = str(ep["serial"].iloc[0])
        s = r[r["serial"] == serial].set_index("datetime")[measure]
        dev = (s - city_med[measure].reindex(s.index)).reindex(ep["datetime"])
        first, last = dev.iloc[:72].mean(), dev.iloc[-72:].mean()
        if measure == "humidity_pct":
            assert last < first - 5
        elif measure == "temp_c":
            assert last > first + 1.5
        else:
            assert last > first + 5


def test_raw_day_file(readings):
    path = data.raw_path("sdot_raw_20220810")
    raw = pd.read_csv(path, encoding="cp949", dtype={"측정시간": str, "시리얼": str})
    assert list(raw.columns) == [
        "모델명",
        "시리얼",
        "측정시간",
        "미세먼지2.5",
        "미세먼지10",
        "기온",
        "상대습도",
        "조도",
        "소음",
        "등록일시",
    ]
    assert raw["측정시간"].str.fullmatch(r"20220810\d{2}00").all()
    day = readings[readings["day"] == pd.Timestamp("2022-08-10")]
    assert len(raw) == len(day)
    assert np.isclose(raw["기온"].mean(), day["temp_c"].astype(float).mean(), atol=0.01)
    assert (pd.to_datetime(raw["등록일시"]) > pd.to_datetime(raw["측정시간"], format="%Y%m%d%H%M")).all()
