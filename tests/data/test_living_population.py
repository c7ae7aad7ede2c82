"""living_population: business districts swell by day, residential ones empty, COVID shrinks the
swell, Gangnam's daytime population well above its residents, bands add up, raw file masked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smartseoul import data


@pytest.fixture(scope="module")
def lp():
    d = data.load("living_population")
    pop = data.load("dong_population")[["dong_code", "gu_code", "population", "land_use"]]
    d = d.merge(pop.assign(dong_code=pop["dong_code"].astype(str)), on="dong_code")
    d["weekday"] = d["date"].dt.day_of_week < 5
    d["year"] = d["date"].dt.year
    return d


@pytest.fixture(scope="module")
def bands():
    return data.load("living_population_bands")


def test_every_dong_every_hour_of_four_march_weeks(lp):
    assert lp["dong_code"].nunique() == 426
    assert sorted(lp["year"].unique()) == [2019, 2020, 2021, 2022]
    assert (lp["date"].dt.month == 3).all()
    assert lp.groupby("year")["date"].nunique().eq(7).all()
    assert len(lp) == 426 * 24 * 7 * 4
    assert lp.groupby(["year", "date"])["date"].size().eq(426 * 24).all()


def test_groups_add_up_to_the_total(lp):
    groups = lp[["age_0_19", "age_20_39", "age_40_59", "age_60_plus"]].sum(axis=1)
    assert np.allclose(groups, lp["total"], atol=0.35)


def mean_by(lp, mask, by):
    return lp[mask].groupby(by)["total"].mean()


def test_business_districts_swell_by_day_and_empty_at_night(lp):
    y19 = lp["year"] == 2019
    day = y19 & lp["weekday"] & lp["hour"].between(10, 16)
    night = y19 & lp["hour"].isin([2, 3, 4])
    ratio = mean_by(lp, day, "land_use") / mean_by(lp, night, "land_use")
    assert ratio["business"] > 2.5
    assert ratio["residential"] < 1.0  # residents leave for work
    # the daily curve of business dongs peaks in office hours, residential dongs peak at night
    bus = lp[y19 & lp["weekday"] & (lp["land_use"] == "business")].groupby("hour")["total"].mean()
    res = lp[y19 & lp["weekday"] & (lp["land_use"] == "residential")].groupby("hour")["total"].mean()
    assert 10 <= bus.idxmax() <= 16 and bus.max() > 2.5 * bus.min()
    assert res.idxmin() in range(9, 18) and res.idxmax() in (*range(7), 20, 21, 22, 23)  # home at night


def test_weekends_swell_less_in_business_districts(lp):
    bus = lp[(lp["land_use"] == "business") & (lp["year"] == 2019) & lp["hour"].between(10, 16)]
    m = bus.groupby("weekday")["total"].mean()
    assert m[True] > 1.5 * m[False]


def test_gangnam_daytime_well_above_residents(lp):
    g = lp[(lp["gu_code"] == "11680") & (lp["year"] == 2019) & lp["weekday"] & lp["hour"].between(10, 16)]
    daytime = g.groupby(["date", "hour"])["total"].sum().mean()
    residents = data.load("districts").set_index("gu_code").loc["11680", "population"]
    assert 1.35 < daytime / residents < 1.8  # 846k vs 561k in 2018: about 1.5


def test_covid_years_shrink_the_daytime_swell(lp):
    bus = lp[lp["land_use"] == "business"]
    day = bus[bus["weekday"] & bus["hour"].between(10, 16)].groupby("year")["total"].mean()
    night = bus[bus["hour"].isin([2, 3, 4])].groupby("year")["total"].mean()
    swell = day / night
    assert swell[2020] < 0.92 * swell[2019] and swell[2021] < 0.92 * swell[2019]
    assert swell[2022] < swell[2019]


def test_city_total_near_registered_population(lp):
    night = lp[(lp["year"] == 2019) & (lp["hour"] == 3)].groupby("date")["total"].sum()
    assert (night.between(9.0e6, 10.3e6)).all()
    day = lp[(lp["year"] == 2019) & lp["weekday"] & (lp["hour"] == 14)].groupby("date")["total"].sum()
    assert (day > night.mean()).all()  # commuters from outside Seoul add to the daytime city


def test_28_bands_add_up_and_agree_with_the_compact_table(bands, lp):
    names = [c for c in bands.columns if c.startswith(("male_", "female_"))]
    assert len(names) == 28
    assert np.allclose(bands[names].sum(axis=1), bands["total"], atol=0.06)
    assert (bands[names] >= 0).all().all()
    same = lp[lp["date"].isin(bands["date"].unique())].set_index(["date", "hour", "dong_code"])["total"]
    b = bands.set_index(["date", "hour", "dong_code"])["total"]
    assert np.allclose(same.reindex(b.index), b)
    # business districts by day are younger (workers) than residential districts at night
    pop = data.load("dong_population")[["dong_code", "land_use"]]
    x = bands.merge(pop.assign(dong_code=pop["dong_code"].astype(str)), on="dong_code")
    old = [c for c in names if c.endswith(("65_69", "70_plus"))]
    share_old = x[old].sum(axis=1) / x["total"]
    assert (
        share_old[(x["land_use"] == "business") & x["hour"].between(10, 16)].mean()
        < share_old[(x["land_use"] == "residential") & (x["hour"] == 3)].mean() - 0.03
    )


def test_raw_file_is_portal_style_with_masked_cells(bands):
    path = data.raw_path("living_population_raw")
    head = path.read_bytes()[:200]
    assert head.startswith('"기준일ID","시간대구분","행정동코드","총생활인구수"'.encode("cp949"))
    raw = pd.read_csv(path, encoding="cp949", dtype=str)
    assert raw.shape[1] == 32 and raw["시간대구분"].iloc[0] == "00"
    masked = (raw.iloc[:, 4:] == "*").to_numpy().mean()
    assert 0.001 < masked < 0.05
    assert (raw["총생활인구수"] != "*").all()
    num = pd.read_csv(
        path, encoding="cp949", dtype={"기준일ID": str, "행정동코드": str, "시간대구분": str}, na_values="*"
    )
    row = num.iloc[100]
    day = pd.to_datetime(row["기준일ID"], format="%Y%m%d")
    clean = bands[
        (bands["date"] == day)
        & (bands["hour"] == int(row["시간대구분"]))
        & (bands["dong_code"] == row["행정동코드"])
    ].iloc[0]
    assert abs(clean["total"] - row["총생활인구수"]) < 1.5  # the clean total sums 28 bands rounded to 0.1
    assert abs(clean["male_0_9"] - row["남자0세부터9세생활인구수"]) < 0.06


def test_rain_keeps_evening_visitors_away(lp):
    """2022-03-11 is the one rainy weekday (shared weather, 11.8 mm) of the sample weeks."""
    wet = data.load("weather_daily").set_index("date").loc["2022-03-11", "rain_mm"]
    assert wet >= 5
    bus = lp[(lp["land_use"] == "business") & lp["hour"].isin([19, 20, 21])]
    evening = bus.groupby("date")["total"].sum()
    dry = evening.loc[[pd.Timestamp(d) for d in ("2022-03-07", "2022-03-08", "2022-03-10")]]
    assert evening.loc[pd.Timestamp("2022-03-11")] < 0.97 * dry.min()
