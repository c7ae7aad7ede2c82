"""covid_cases: the published anchor days exactly, the real wave timing, consistent layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smartseoul import data
from smartseoul.data import city

# fact covid-cases-2022-02-20 (book/facts.yaml): 2022-02-20 (cumulative, new) by gu name
ANCHOR = {
    "종로구": (7716, 309),
    "중구": (7088, 234),
    "용산구": (11543, 408),
    "성동구": (14190, 808),
    "광진구": (18353, 918),
    "동대문구": (19502, 889),
    "중랑구": (19288, 962),
    "성북구": (22296, 926),
    "강북구": (14500, 698),
    "도봉구": (15836, 787),
    "노원구": (25558, 1267),
    "은평구": (21494, 742),
    "서대문구": (14127, 418),
    "마포구": (18674, 943),
    "양천구": (20545, 734),
    "강서구": (24446, 950),
    "구로구": (21833, 858),
    "금천구": (12332, 678),
    "영등포구": (21178, 677),
    "동작구": (20513, 832),
    "관악구": (26633, 1272),
    "서초구": (20277, 706),
    "강남구": (28902, 1105),
    "송파구": (33472, 1413),
    "강동구": (24441, 1301),
    "기타": (35186, 1267),
}


@pytest.fixture(scope="module")
def cases():
    return data.load("covid_cases")


@pytest.fixture(scope="module")
def city_daily(cases):
    return cases.groupby("date")[["new_cases", "cumulative_cases"]].sum()


def test_every_gu_and_etc_every_day(cases):
    assert cases["gu_name"].nunique() == 26
    assert cases["date"].min() == pd.Timestamp("2020-02-05") and cases["date"].max() == pd.Timestamp(
        "2022-12-31"
    )
    assert cases.groupby("date").size().eq(26).all()
    assert cases.loc[cases["gu_name"] == "기타", "gu_code"].isna().all()
    assert cases.loc[cases["gu_name"] != "기타", "gu_code"].notna().all()


def test_2022_02_20_equals_the_published_table(cases):
    day = cases[cases["date"] == "2022-02-20"].set_index("gu_name")
    for gu, (cum, new) in ANCHOR.items():
        assert day.loc[gu, "cumulative_cases"] == cum, gu
        assert day.loc[gu, "new_cases"] == new, gu
    assert day["new_cases"].sum() == 22_102 and day["cumulative_cases"].sum() == 519_923


def test_2022_02_02_city_total(city_daily):
    assert city_daily.loc["2022-02-02", "cumulative_cases"] == 285_665
    assert city_daily.loc["2022-02-02", "new_cases"] == 4_209


def test_cumulative_is_the_running_sum_of_new(cases):
    for _, g in cases.sort_values("date").groupby("gu_name", observed=True):
        assert (g["new_cases"].cumsum().to_numpy() == g["cumulative_cases"].to_numpy()).all()
        assert (g["new_cases"] >= 0).all()


def test_wave_timing(city_daily):
    m = city_daily["new_cases"].resample("MS").mean()

    def month(s):
        return m.loc[pd.Timestamp(s)]

    # spring 2020: small clusters only
    assert m.loc["2020-02":"2020-07"].max() < 40
    # second wave Aug 2020, third wave Dec 2020 (the 2020 peak)
    assert month("2020-08-01") > 3 * month("2020-07-01") and month("2020-08-01") > month("2020-10-01")
    assert m.loc["2020"].idxmax() == pd.Timestamp("2020-12-01")
    assert month("2020-12-01") > 2 * month("2021-02-01")
    # fourth (Delta) wave from July 2021, a December 2021 peak
    assert month("2021-07-01") > 2 * month("2021-06-01")
    assert month("2021-12-01") > 2 * month("2021-10-01")
    # Omicron: March 2022 is the highest month of all
    assert m.idxmax() == pd.Timestamp("2022-03-01")
    assert month("2022-03-01") > 2 * month("2022-02-01")
    # summer 2022 wave (August above June and October), winter 2022 wave (December above October)
    assert month("2022-08-01") > 3 * month("2022-06-01") and month("2022-08-01") > 2 * month("2022-10-01")
    assert month("2022-12-01") > 2 * month("2022-10-01")


def test_monday_counts_dip(city_daily):
    s = city_daily.loc["2021-01-01":"2021-12-31", "new_cases"]
    by_wd = s.groupby(s.index.day_of_week).mean()
    assert by_wd[0] < 0.8 * by_wd[1]


def test_gu_shares_follow_population(cases):
    gu = city.gu_facts().set_index("code")["population"]
    tot = cases[cases["gu_code"].notna()].groupby("gu_code")["new_cases"].sum()
    r = np.corrcoef(tot.reindex(gu.index), gu)[0, 1]
    assert r > 0.85


def test_raw_wide_file_matches_the_clean_table(cases):
    raw = pd.read_csv(data.raw_path("covid_cases_raw"), encoding="cp949", dtype={"자치구 기준일": str})
    assert raw.columns[0] == "자치구 기준일" and raw.shape[1] == 1 + 26 * 2
    assert raw.loc[0, "자치구 기준일"] == "2022.12.31.00"  # newest first, as the API
    day = raw[raw["자치구 기준일"] == "2022.02.20.00"].iloc[0]
    assert day["송파구 전체"] == 33_472 and day["송파구 추가"] == 1_413 and day["기타 추가"] == 1_267
    raw["date"] = pd.to_datetime(raw["자치구 기준일"], format="%Y.%m.%d.00")
    jongno = cases[cases["gu_name"] == "종로구"].set_index("date")["cumulative_cases"]
    assert (raw.set_index("date")["종로구 전체"].sort_index() == jongno).all()
