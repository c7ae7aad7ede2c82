"""The one simulated Seoul behind every dataset: published facts (book/facts.yaml), calendar, and the COVID-era
drivers that all generators share, so that cross-dataset analyses agree with each other.

Facts come from the course's reference files (``reference/``); the drivers (distancing levels,
mobility effects) are approximate teaching devices and are labelled as such in the metadata."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as ires

import numpy as np
import pandas as pd

YEARS = (2019, 2020, 2021, 2022, 2023)
START, END = "2019-01-01", "2023-12-31"
TZ = "Asia/Seoul"

#: 55-vertex outline of Seoul (lon, lat), simplified from the union of the JUSO 2015 gu polygons
#: (southkorea/seoul-maps, Apache-2.0); area 605.8 km2 against the official 605.2 km2.
OUTLINE = [
    (126.7645, 37.5554),
    (126.7932, 37.5769),
    (126.8026, 37.605),
    (126.8534, 37.572),
    (126.8762, 37.5782),
    (126.8854, 37.5939),
    (126.8997, 37.5898),
    (126.9122, 37.6442),
    (126.9048, 37.6492),
    (126.9241, 37.6461),
    (126.9476, 37.6592),
    (126.9602, 37.6298),
    (126.9847, 37.6366),
    (126.9797, 37.656),
    (127.0154, 37.7013),
    (127.0516, 37.6859),
    (127.0786, 37.6961),
    (127.0964, 37.6892),
    (127.0927, 37.6486),
    (127.1112, 37.6426),
    (127.1041, 37.6218),
    (127.1157, 37.6196),
    (127.1185, 37.6076),
    (127.1017, 37.5597),
    (127.1152, 37.5568),
    (127.1773, 37.5816),
    (127.1838, 37.5456),
    (127.1632, 37.545),
    (127.141, 37.5155),
    (127.1411, 37.5055),
    (127.1614, 37.5),
    (127.1478, 37.4787),
    (127.1304, 37.4751),
    (127.1354, 37.4693),
    (127.1169, 37.4587),
    (127.0938, 37.4561),
    (127.0721, 37.4421),
    (127.071, 37.4302),
    (127.0523, 37.4283),
    (127.0356, 37.439),
    (127.0346, 37.4642),
    (127.0145, 37.4549),
    (127.0037, 37.4677),
    (126.963, 37.4403),
    (126.9386, 37.436),
    (126.9286, 37.4501),
    (126.903, 37.4341),
    (126.8683, 37.4951),
    (126.845, 37.4735),
    (126.8146, 37.4747),
    (126.8234, 37.4878),
    (126.813, 37.4964),
    (126.827, 37.5088),
    (126.8219, 37.5406),
    (126.7944, 37.5358),
    (126.7645, 37.5554),
]
#: Projected CRS for distances and areas: Korea 2000 / Unified CS (metres).
CRS_METRIC = "EPSG:5179"
CRS_WGS84 = "EPSG:4326"

#: The four dongs created after 2013 have no published centroid; we place them plausibly
#: (approximate, flagged in the data). Positions are our own estimates, not survey points.
PLACED_DONGS = {
    "항동": (37.4790, 126.8230),  # Guro-gu, south-west edge near Bucheon
    "위례동": (37.4785, 127.1420),  # Songpa-gu, Wirye new town
    "상일제1동": (37.5500, 127.1690),  # Gangdong-gu, Sangil-dong
    "상일제2동": (37.5555, 127.1760),  # Gangdong-gu, Goduk-Gangil area
}

#: Dongs whose daytime population swells well above residents: central business districts,
#: named in the facts register (book/facts.yaml) (card-spending drops, hot spots) or well-known office areas.
BUSINESS_DONGS = {
    "종로1·2·3·4가동",
    "소공동",
    "명동",
    "회현동",
    "을지로동",
    "광희동",
    "사직동",
    "종로5·6가동",
    "역삼1동",
    "삼성1동",
    "여의동",
    "서교동",
    "신촌동",
    "잠실3동",
    "가산동",
    "구로3동",
    "대치2동",
    "서초2동",
    "서초3동",
    "필동",
    "장충동",
    "한강로동",
    "상암동",
    "문정2동",
}


def reference_table(name: str) -> pd.DataFrame:
    """A CSV file of ``reference/`` with every column as text (empty cells are missing): callers
    convert what they need, so codes keep their leading zeros and numbers are parsed one way."""
    with ires.files("smartseoul.data.reference").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, encoding="utf-8")


@lru_cache(maxsize=1)
def gu_facts() -> pd.DataFrame:
    """The 25 gu from the reference file: codes, names, area, 2024 population, dong count."""
    df = reference_table("seoul_gu.csv")
    for c in ("lat", "lon", "area_km2"):
        df[c] = df[c].astype(float)
    for c in ("population", "population_year", "n_dong"):
        df[c] = df[c].astype(int)
    kostat = {code: f"11{i * 10 + 10:03d}" for i, code in enumerate(df["code"])}  # 11010 ... 11250
    df["kostat_code"] = df["code"].map(kostat)
    return df


@lru_cache(maxsize=1)
def dong_facts() -> pd.DataFrame:
    """The 426 administrative dongs (2022-03-09) with codes and centroids; four placed by us."""
    df = reference_table("seoul_dong_2022.csv")
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce")
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce")
    df["centroid_placed"] = df["lat"].isna()
    for name, (lat, lon) in PLACED_DONGS.items():
        m = df["dong_name"] == name
        df.loc[m, "lat"] = lat
        df.loc[m, "lon"] = lon
        df.loc[m, "centroid_method"] = "placed_by_course_estimate"
    if df["lat"].isna().any():  # pragma: no cover - guards the reference file
        raise ValueError("a dong without a centroid remains")
    return df


# -- calendar ---------------------------------------------------------------------------------
#: Korean public holidays 2019-2023 (fixed days, lunar holidays, elections, substitute days).
HOLIDAYS = pd.to_datetime(
    [
        # 2019
        "2019-01-01",
        "2019-02-04",
        "2019-02-05",
        "2019-02-06",
        "2019-03-01",
        "2019-05-05",
        "2019-05-06",
        "2019-05-12",
        "2019-06-06",
        "2019-08-15",
        "2019-09-12",
        "2019-09-13",
        "2019-09-14",
        "2019-10-03",
        "2019-10-09",
        "2019-12-25",
        # 2020
        "2020-01-01",
        "2020-01-24",
        "2020-01-25",
        "2020-01-26",
        "2020-01-27",
        "2020-03-01",
        "2020-04-15",
        "2020-04-30",
        "2020-05-05",
        "2020-06-06",
        "2020-08-15",
        "2020-08-17",
        "2020-09-30",
        "2020-10-01",
        "2020-10-02",
        "2020-10-03",
        "2020-10-09",
        "2020-12-25",
        # 2021
        "2021-01-01",
        "2021-02-11",
        "2021-02-12",
        "2021-02-13",
        "2021-03-01",
        "2021-05-05",
        "2021-05-19",
        "2021-06-06",
        "2021-08-15",
        "2021-08-16",
        "2021-09-20",
        "2021-09-21",
        "2021-09-22",
        "2021-10-03",
        "2021-10-04",
        "2021-10-09",
        "2021-10-11",
        "2021-12-25",
        # 2022
        "2022-01-01",
        "2022-01-31",
        "2022-02-01",
        "2022-02-02",
        "2022-03-01",
        "2022-03-09",
        "2022-05-05",
        "2022-05-08",
        "2022-06-01",
        "2022-06-06",
        "2022-08-15",
        "2022-09-09",
        "2022-09-10",
        "2022-09-11",
        "2022-09-12",
        "2022-10-03",
        "2022-10-09",
        "2022-10-10",
        "2022-12-25",
        # 2023
        "2023-01-01",
        "2023-01-21",
        "2023-01-22",
        "2023-01-23",
        "2023-01-24",
        "2023-03-01",
        "2023-05-05",
        "2023-05-27",
        "2023-05-29",
        "2023-06-06",
        "2023-08-15",
        "2023-09-28",
        "2023-09-29",
        "2023-09-30",
        "2023-10-02",
        "2023-10-03",
        "2023-10-09",
        "2023-12-25",
    ]
)


def calendar(start: str = START, end: str = END) -> pd.DataFrame:
    """One row per day: weekday (0 = Monday), weekend, public holiday, and 'day off'."""
    d = pd.DataFrame({"date": pd.date_range(start, end, freq="D")})
    d["weekday"] = d["date"].dt.day_of_week
    d["is_weekend"] = d["weekday"] >= 5
    d["is_holiday"] = d["date"].isin(HOLIDAYS)
    d["is_day_off"] = d["is_weekend"] | d["is_holiday"]
    return d


# -- COVID-era drivers (approximate; used to shape synthetic data) ----------------------------
#: Approximate social-distancing stages in Seoul (start date, level). A teaching device to shape
#: the synthetic data, simplified from the government's announcements; not an official record.
DISTANCING = [
    ("2019-01-01", 0.0),
    ("2020-02-23", 2.0),
    ("2020-05-06", 1.0),
    ("2020-08-16", 2.0),
    ("2020-08-30", 2.5),
    ("2020-09-14", 2.0),
    ("2020-10-12", 1.0),
    ("2020-11-24", 2.0),
    ("2020-12-08", 2.5),
    ("2021-02-15", 2.0),
    ("2021-07-12", 4.0),
    ("2021-11-01", 1.5),
    ("2021-12-18", 3.0),
    ("2022-03-05", 2.5),
    ("2022-04-18", 0.5),
    ("2022-10-01", 0.0),
]


def distancing_level(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Distancing level (0 none ... 4 strictest) on each date."""
    starts = pd.to_datetime([d for d, _ in DISTANCING]).values
    levels = np.array([lvl for _, lvl in DISTANCING])
    idx = np.searchsorted(starts, pd.DatetimeIndex(dates).values, side="right") - 1
    return levels[np.clip(idx, 0, len(levels) - 1)]


def _lasting_shift(dates: pd.DatetimeIndex) -> np.ndarray:
    """Lasting behaviour change after March 2020 (remote work, online habits): full in 2020-21,
    fading by half over 2022-23."""
    t = (dates - pd.Timestamp("2020-03-01")).days.values / 365.25
    return np.where(t < 0, 0.0, np.where(t < 2, 1.0, np.clip(1.0 - 0.25 * (t - 2), 0.5, 1.0)))


#: Relative change in activity per distancing level, and lasting shift, for each kind of activity.
_EFFECTS = {
    #            per level   lasting
    "subway": (-0.085, -0.10),
    "bus": (-0.08, -0.10),
    "traffic": (-0.02, -0.01),
    "offline_spending": (-0.035, -0.05),
    "nightlife": (-0.16, -0.25),
    "travel": (-0.12, -0.45),
    "online_spending": (+0.03, +0.16),
    "office_presence": (-0.06, -0.08),
    "bike": (-0.01, +0.0),
}


def activity_factor(dates: pd.Series | pd.DatetimeIndex, kind: str) -> np.ndarray:
    """Multiplier on normal (2019) activity for one kind of activity on each date.

    Built from the distancing level and a lasting shift; calibrated so that, e.g., subway
    ridership is roughly a quarter down in 2020 and recovers partly by 2023, offline card
    sales are about 9 % down in 2020, and online sales are up about 18 %."""
    dates = pd.DatetimeIndex(dates)
    per_level, lasting = _EFFECTS[kind]
    level = np.minimum(distancing_level(dates), 2.5)  # stricter stages mostly closed evenings
    f = 1.0 + per_level * level + lasting * _lasting_shift(dates)
    return np.clip(f, 0.05, None)
