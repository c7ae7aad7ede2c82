"""Bike sharing (따릉이): stations, daily counts, hourly counts, the trip sample and the two raw
portal-style files carry the patterns the course teaches, measured on the committed data."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from smartseoul import data

# published annual totals (facts annual-rentals-2020..2022 in book/facts.yaml); 2019 and 2023 are approximations from daily averages
ANNUAL = {2020: 27.86e6, 2021: 32.05e6, 2022: 40.95e6}
APPROX = {2019: 51_929 * 365, 2023: 120_000 * 365}
RAW_HEADER = (
    "자전거번호,대여일시,대여 대여소번호,대여 대여소명,대여거치대,반납일시,반납대여소번호,반납대여소명,"
    "반납거치대,이용시간(분),이용거리(M),생년,성별,이용자종류,대여대여소ID,반납대여소ID,자전거구분"
)


@pytest.fixture(scope="module")
def stations():
    return data.load("bike_stations")


@pytest.fixture(scope="module")
def daily():
    return data.load("bike_rentals_daily")


@pytest.fixture(scope="module")
def city_daily(daily):
    """City totals per day joined to the shared weather."""
    tot = daily.groupby("date")["rentals"].sum().rename("rentals").reset_index()
    weather = data.load("weather_daily")
    return tot.merge(weather, on="date", how="inner", validate="one_to_one")


@pytest.fixture(scope="module")
def hourly():
    return data.load("bike_rentals_hourly")


@pytest.fixture(scope="module")
def trips():
    return data.load("bike_trips")


@pytest.fixture(scope="module")
def raw_text():
    return data.raw_path("bike_rentals_raw").read_bytes().decode("cp949")


# -- stations ----------------------------------------------------------------------------------
def test_station_numbers_are_padded_text(stations):
    assert 2600 <= len(stations) <= 2800
    assert stations["station_no"].str.fullmatch(r"\d{5}").all()
    assert stations["station_no"].str.startswith("0").mean() > 0.9  # leading zeros that int() would lose
    assert stations["station_no"].is_unique and stations["station_id"].is_unique
    assert stations["station_id"].str.fullmatch(r"ST-\d+").all()


def test_stations_stand_inside_their_dong(stations):
    dongs = data.load("dongs")[["dong_code", "geometry"]].rename(columns={"dong_code": "poly_dong"})
    pts = gpd.GeoDataFrame(
        stations[["station_no", "dong_code"]],
        geometry=gpd.points_from_xy(stations["lon"], stations["lat"]),
        crs=4326,
    )
    joined = gpd.sjoin(pts, dongs.to_crs(4326), how="left", predicate="within")
    joined = joined.drop_duplicates("station_no")
    assert joined["poly_dong"].notna().all(), "some stations stand outside every dong"
    assert (joined["poly_dong"] == joined["dong_code"]).fillna(False).all()
    assert stations["dong_code"].str[:5].eq(stations["gu_code"]).all()


def test_launch_2015_and_growth(stations):
    year = stations["installed_date"].dt.year
    launch = stations[year == 2015]
    assert len(launch) == 150
    assert set(launch["launch_hub"]) == {"4대문 안", "여의도", "상암", "신촌", "성수"}
    assert launch["launch_hub"].notna().all() and stations.loc[year > 2015, "launch_hub"].isna().all()
    by_end = year.value_counts().sort_index().cumsum()
    assert by_end.is_monotonic_increasing and by_end.loc[2023] == len(stations)
    assert by_end.loc[2016] < 700 and by_end.loc[2019] > 1800


def test_density_follows_population_and_the_busy_districts(stations):
    gu = data.load("districts").set_index("gu_code")
    per_gu = stations.groupby("gu_code").size()
    assert per_gu.corr(gu["population"].reindex(per_gu.index), method="spearman") > 0.5
    top3 = set(stations.groupby("gu_name", observed=True).size().nlargest(3).index)
    assert top3 == {"강서구", "송파구", "영등포구"}


def test_raw_station_master():
    text = data.raw_path("bike_stations_raw").read_bytes().decode("cp949")
    lines = text.splitlines()
    assert lines[0].startswith("대여소번호,보관소(대여소)명,소재지(위치)") and "LCD 거치대수" in lines[1]
    df = pd.read_csv(io.StringIO(text), skiprows=5, header=None, dtype=str)
    assert df.shape[1] == 10
    assert df[0].str.fullmatch(r"\d{5}").all() and df[0].str.startswith("0").all()
    assert 1 <= (df[4] == "0.0").sum() <= 20  # a few coordinates to fix
    assert pd.to_datetime(df[6]).max() <= pd.Timestamp("2023-06-30")


# -- daily counts ------------------------------------------------------------------------------
def test_annual_totals_follow_the_published_figures(daily):
    by_year = daily.groupby(daily["date"].dt.year)["rentals"].sum()
    for year, total in ANNUAL.items():
        assert abs(by_year[year] / total - 1) < 0.01, (year, by_year[year])
    for year, total in APPROX.items():
        assert abs(by_year[year] / total - 1) < 0.03, (year, by_year[year])
    assert by_year[2020] / by_year[2019] > 1.35  # the pandemic-era bike boom


def test_stations_count_only_after_opening(daily, stations):
    opened = daily.merge(
        stations[["station_no", "installed_date"]].astype({"station_no": "string"}),
        left_on=daily["station_no"].astype("string"),
        right_on="station_no",
        how="left",
    )
    assert opened["installed_date"].notna().all()
    assert (opened["date"] >= opened["installed_date"]).all()
    first_day = daily.groupby("station_no", observed=True)["date"].min()
    inst = stations.set_index("station_no")["installed_date"]
    late = inst[inst > "2019-01-01"]
    assert (first_day.reindex(late.index) == late).all()


def test_rain_and_cold_mean_fewer_rides(city_daily):
    d = city_daily.assign(ym=city_daily["date"].dt.to_period("M"))
    ratios = []
    for _, g in d.groupby("ym"):
        wet, dry = g.loc[g["rain_mm"] >= 5, "rentals"], g.loc[g["rain_mm"] == 0, "rentals"]
        if len(wet) >= 2 and len(dry) >= 5:
            ratios.append(wet.mean() / dry.mean())
    assert len(ratios) > 30 and np.median(ratios) < 0.7
    winter = d[d["date"].dt.month.isin([12, 1, 2, 3]) & (d["rain_mm"] == 0)]
    resid = np.log(winter["rentals"]) - np.log(winter.groupby("ym")["rentals"].transform("mean"))
    assert np.corrcoef(resid, winter["temp_mean_c"])[0, 1] > 0.3


def test_seasons(city_daily):
    m = (
        city_daily.groupby([city_daily["date"].dt.year, city_daily["date"].dt.month])["rentals"]
        .sum()
        .unstack()
    )
    share = m.div(m.sum(axis=1), axis=0)
    assert (share[[1, 2, 3, 4]].mean(axis=1) < 0.8 / 12).all()  # January-April off-season
    assert (share[[1, 2]].max(axis=1) < 0.6 / 12).all()
    assert (share[[9, 10]].sum(axis=1) > 0.24).all()  # September-October the high season
    jan23 = m.loc[2023, 1]
    assert jan23 / 31 > 45_000 and abs(jan23 / 1.57e6 - 1) < 0.15  # facts: 1.57M, over 50k a day


def test_busiest_districts_and_stations(daily, stations):
    d = daily.merge(
        stations[["station_no", "gu_name", "station_name"]].astype({"station_no": "string"}),
        left_on=daily["station_no"].astype("string"),
        right_on="station_no",
    )
    y23 = d[d["date"].dt.year == 2023].groupby("gu_name", observed=True)["rentals"].sum()
    assert set(y23.nlargest(3).index) == {"강서구", "송파구", "영등포구"}
    top19 = d[d["date"].dt.year == 2019].groupby("station_name")["rentals"].sum().nlargest(10).index
    for name in ("뚝섬유원지역 1번출구 앞", "여의나루역 1번출구 앞", "고속터미널역 8-1번, 8-2번 출구 사이"):
        assert name in top19


# -- hourly ------------------------------------------------------------------------------------
def test_hourly_sums_to_daily(hourly, city_daily):
    per_day = hourly.groupby(hourly["datetime"].dt.tz_localize(None).dt.normalize())["rentals"].sum()
    assert (per_day.reindex(city_daily["date"]).to_numpy() == city_daily["rentals"].to_numpy()).all()


def _profile(times: pd.Series, weights: pd.Series | None = None) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "hour": times.dt.hour,
            "weekend": times.dt.day_of_week >= 5,
            "n": 1 if weights is None else weights.to_numpy(),
        }
    )
    p = df.groupby(["weekend", "hour"])["n"].sum().unstack(0)
    return p / p.sum()


@pytest.mark.parametrize("source", ["hourly", "trips"])
def test_commute_peaks_on_weekdays_midday_peak_at_weekends(source, hourly, trips):
    p = (
        _profile(hourly["datetime"], hourly["rentals"])
        if source == "hourly"
        else _profile(trips["rented_at"])
    )
    weekday, weekend = p[False], p[True]
    assert set(weekday.nlargest(2).index) == {8, 18}
    assert weekday[8] > 1.5 * weekday[[11, 12, 13, 14]].mean()
    assert 12 <= weekend.idxmax() <= 17
    assert weekend[8] < 0.5 * weekday[8]


def test_rainy_hours_are_quiet(hourly):
    w = data.load("weather_hourly")[["datetime", "rain_mm"]]
    h = hourly.merge(w, on="datetime")
    h["slot"] = h["datetime"].dt.hour.astype(str) + h["datetime"].dt.day_of_week.ge(5).astype(str)
    h["rel"] = h["rentals"] / h.groupby([h["datetime"].dt.tz_localize(None).dt.to_period("M"), "slot"])[
        "rentals"
    ].transform("mean")
    assert h.loc[h["rain_mm"] >= 2, "rel"].median() < 0.6


def test_distancing_cut_late_evening_rides(hourly):
    h = hourly.assign(t=hourly["datetime"].dt.tz_localize(None))
    h["late"] = h["t"].dt.hour.isin([21, 22, 23, 0, 1])

    def late_share(start, end):
        x = h[(h["t"] >= start) & (h["t"] < end)]
        return x.loc[x["late"], "rentals"].sum() / x["rentals"].sum()

    normal = (late_share("2019-08-01", "2019-10-01") + late_share("2023-08-01", "2023-10-01")) / 2
    level4 = late_share("2021-08-01", "2021-10-01")  # the strictest stage (level 4), summer 2021
    assert level4 < 0.8 * normal


# -- trips -------------------------------------------------------------------------------------
def test_trip_shares_match_2019_facts(trips):
    y19 = trips[trips["rented_at"].dt.year == 2019]
    assert abs((y19["distance_m"] < 4000).mean() - 0.71) < 0.03
    assert abs((y19["duration_min"] < 20).mean() - 0.57) < 0.03
    age = 2019 - y19["birth_year"].dropna()
    assert abs(age.between(20, 39).mean() - 0.768) < 0.025
    commute = y19["rented_at"].dt.hour.isin([7, 8, 9, 17, 18, 19, 20, 21]).mean()
    assert abs(commute - 0.564) < 0.03


def test_trips_follow_the_annual_totals(trips, daily):
    share_trips = trips["rented_at"].dt.year.value_counts(normalize=True).sort_index()
    by_year = daily.groupby(daily["date"].dt.year)["rentals"].sum()
    assert (share_trips - by_year / by_year.sum()).abs().max() < 0.01
    assert 150_000 <= len(trips) <= 300_000


def test_trips_use_open_stations_consistently(trips, stations):
    st = stations.set_index("station_no")
    for side in ("rental", "return"):
        nos = trips[f"{side}_station_no"]
        assert nos.isin(st.index).all()
        assert (st.loc[nos, "station_id"].to_numpy() == trips[f"{side}_station_id"].to_numpy()).all()
        opened = st.loc[nos, "installed_date"].to_numpy()
        assert (trips["rented_at"].dt.tz_localize(None).dt.normalize().to_numpy() >= opened).all()
    minutes = (trips["returned_at"] - trips["rented_at"]).dt.total_seconds() / 60
    assert ((minutes - trips["duration_min"]).abs() <= 1.0).all()
    assert str(trips["rented_at"].dt.tz) == "Asia/Seoul"


def test_morning_trips_leave_homes_evening_trips_leave_offices(trips, stations):
    land = data.load("dong_population").set_index("dong_code")["land_use"].astype(str)
    use = trips["rental_station_no"].map(stations.set_index("station_no")["dong_code"]).map(land)
    hour = trips["rented_at"].dt.hour
    weekday = trips["rented_at"].dt.day_of_week < 5
    am = (use[weekday & hour.isin([7, 8, 9])] == "business").mean()
    pm = (use[weekday & hour.isin([17, 18, 19])] == "business").mean()
    assert pm > 1.5 * am


# -- raw rental history ------------------------------------------------------------------------
def test_raw_month_layout_and_quirks(raw_text):
    lines = raw_text.splitlines()
    assert lines[0] == RAW_HEADER
    assert 30_000 <= len(lines) - 1 <= 60_000
    counts = pd.Series([len(r) for r in csv.reader(io.StringIO(raw_text))][1:])
    assert 1 <= (counts != 17).sum() <= 20  # a few broken rows
    assert "2323-06-23" in raw_text
    assert "상암센터" in raw_text and '""0"' in raw_text
    df = pd.read_csv(io.StringIO(raw_text), dtype=str, on_bad_lines="skip", keep_default_na=False)
    assert df["대여 대여소번호"].str.fullmatch(r"\d{5}").all()
    assert df["대여 대여소번호"].str.startswith("0").mean() > 0.9
    assert (df["생년"] == "\\N").sum() > 50 and (df["생년"] == "").sum() > 50
    ok = pd.to_datetime(df["대여일시"], errors="coerce")
    assert ok.notna().all() and ok.dt.strftime("%Y-%m").eq("2023-06").all()
    assert df["반납일시"].str.startswith("2323-06-2").sum() >= 1  # the typo year


def test_raw_month_matches_the_station_master(raw_text, stations):
    df = pd.read_csv(io.StringIO(raw_text), dtype=str, on_bad_lines="skip", keep_default_na=False)
    names = stations.set_index("station_no")["station_name"]
    assert (df["대여 대여소번호"].map(names) == df["대여 대여소명"]).fillna(False).mean() > 0.99
