"""air_quality: daily air pollution by gu 2019-2023, plus the guideline values to judge it by.

Synthetic, shaped like Seoul's 일별 평균 대기오염도 (OA-2218): one urban station per gu, named
after its gu. The shared weather washes particles out on rainy, windy days; spring brings
yellow-dust (황사) episodes, summer brings ozone, winter brings particle highs; COVID-era
traffic cuts show as a small NO2 dip; and a slow improvement runs through the five years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import city, definitions
from ..spec import Output

DATASET = "air_quality"
RAW_YEAR = 2022

# Relative monthly shape of each pollutant (Jan ... Dec); Seoul-like, approximate.
PM25_SHAPE = np.array([1.30, 1.35, 1.35, 1.05, 0.95, 0.82, 0.74, 0.68, 0.64, 0.75, 0.95, 1.15])
PM_RATIO = np.array([1.55, 1.65, 1.85, 2.05, 2.00, 1.70, 1.55, 1.50, 1.55, 1.65, 1.70, 1.60])  # PM10 / PM2.5
NO2_MONTH = np.array([0.036, 0.035, 0.033, 0.029, 0.026, 0.024, 0.021, 0.020, 0.022, 0.027, 0.032, 0.035])
O3_MONTH = np.array([0.014, 0.019, 0.027, 0.034, 0.041, 0.043, 0.031, 0.030, 0.028, 0.021, 0.015, 0.012])
CO_MONTH = np.array([0.62, 0.58, 0.50, 0.42, 0.38, 0.35, 0.32, 0.30, 0.32, 0.40, 0.50, 0.58])
SO2_MONTH = np.array(
    [0.0037, 0.0035, 0.0032, 0.0030, 0.0028, 0.0026, 0.0024, 0.0023, 0.0024, 0.0027, 0.0031, 0.0035]
)
PM25_2019_MEAN = 25.0  # µg/m³, Seoul's annual mean in 2019 was about this level (approximate)
PM_TREND = -0.06  # per year, in log terms: about 21 % lower by 2023
NO2_TREND, CO_TREND, O3_TREND = -0.03, -0.02, +0.015
#: gu with heavy through-traffic or dense centres: higher NO2/CO, less ozone (titration)
TRAFFIC_GU = {"11110", "11140", "11170", "11560", "11650", "11680", "11440", "11230", "11500"}


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Day-to-day persistence: stationary AR(1) noise with the given marginal sd."""
    eps = rng.normal(0.0, sd * np.sqrt(1 - phi**2), n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + eps[i]
    return out


def dust_days(rng: np.random.Generator, dates: pd.DatetimeIndex) -> np.ndarray:
    """Extra coarse dust (µg/m³ of PM10) per day: 2-4 spring 황사 episodes a year, 1-3 days each,
    and an occasional late-autumn one."""
    extra = np.zeros(len(dates))
    day_index = {d: i for i, d in enumerate(dates)}
    for year in city.YEARS:
        episodes = [("03-01", "05-20")] * int(rng.integers(2, 5)) + [("11-01", "12-15")] * int(
            rng.random() < 0.4
        )
        for lo, hi in episodes:
            start = pd.Timestamp(f"{year}-{lo}") + pd.Timedelta(
                days=int(rng.integers(0, (pd.Timestamp(f"{year}-{hi}") - pd.Timestamp(f"{year}-{lo}")).days))
            )
            length = int(rng.integers(1, 4))
            peak = rng.uniform(150, 380) * (1.0 if lo.startswith("03") else 0.6)
            for k in range(length):
                i = day_index.get(start + pd.Timedelta(days=k))
                if i is not None:
                    extra[i] = max(extra[i], peak * (1.0 if k == length // 2 else rng.uniform(0.45, 0.8)))
    return extra


def simulate(ctx) -> pd.DataFrame:
    rng = ctx.rng("air_quality")
    weather = ctx.get("weather", "weather_daily")
    gu = city.gu_facts().reset_index(drop=True)
    dates = pd.DatetimeIndex(weather["date"])
    n, g = len(dates), len(gu)
    doy = dates.day_of_year.to_numpy()
    years = (dates - pd.Timestamp("2019-01-01")).days.to_numpy() / 365.25
    rain = weather["rain_mm"].to_numpy()
    wind = weather["wind_speed_ms"].to_numpy()
    temp = weather["temp_mean_c"].to_numpy()
    cal = city.calendar().set_index("date").reindex(dates)
    weekday = cal["weekday"].to_numpy()
    day_off = cal["is_day_off"].to_numpy()

    def smooth(monthly: np.ndarray) -> np.ndarray:
        return np.interp(doy, np.arange(12) * 30.4 + 15, monthly, period=365)

    # --- shared city-wide drivers
    washout = np.where(rain >= 1.0, -0.22 - 0.07 * np.log1p(rain), 0.0) - 0.07 * (wind - 2.2)
    pm_anom = _ar1(rng, n, 0.62, 0.42)
    log_pm25 = np.log(smooth(PM25_SHAPE)) + PM_TREND * years + pm_anom + washout
    pm25_city = np.exp(log_pm25)
    first_year = years < 1
    pm25_city *= PM25_2019_MEAN / pm25_city[first_year].mean()
    dust = dust_days(rng, dates)
    traffic = city.activity_factor(dates, "traffic")
    covid_no2 = 1.0 + 1.6 * (traffic - 1.0)  # a few per cent less traffic -> ~5-8 % less NO2
    week_no2 = np.where(day_off, np.where(weekday == 6, 0.80, 0.86), 1.0)
    temp_anom = temp - smooth(np.array([-2.0, 0.6, 6.3, 12.6, 18.2, 22.6, 25.3, 26.1, 21.6, 14.9, 7.5, 0.2]))

    # --- station (gu) effects
    traffic_gu = gu["code"].isin(TRAFFIC_GU).to_numpy()
    pm_off = np.exp(rng.normal(0.0, 0.07, g) + 0.04 * (gu["lon"].to_numpy() < 126.95))  # west a bit dustier
    no2_off = np.exp(rng.normal(0.0, 0.08, g)) * np.where(traffic_gu, 1.18, 0.95)
    o3_off = no2_off**-0.6 * np.exp(rng.normal(0.0, 0.04, g))

    def local(sd: float) -> np.ndarray:
        return np.exp(rng.normal(0.0, sd, (n, g)))

    pm25 = pm25_city[:, None] * pm_off[None, :] * local(0.10) + 0.12 * dust[:, None] * local(0.12)
    ratio = smooth(PM_RATIO)[:, None] * local(0.06)
    pm10 = pm25 * ratio + dust[:, None] * local(0.10)
    no2 = (
        (
            smooth(NO2_MONTH)
            * np.exp(NO2_TREND * years)
            * covid_no2
            * week_no2
            * np.exp(0.3 * pm_anom + 0.5 * washout)
        )[:, None]
        * no2_off[None, :]
        * local(0.10)
    )
    o3 = (
        (
            smooth(O3_MONTH)
            * np.exp(O3_TREND * years)
            * np.clip(1 + 0.035 * temp_anom, 0.6, 1.5)
            * np.where(rain >= 1.0, 0.78, 1.0)
        )[:, None]
        * o3_off[None, :]
        * local(0.12)
    )
    co = (
        (smooth(CO_MONTH) * np.exp(CO_TREND * years) * np.exp(0.35 * pm_anom))[:, None]
        * np.sqrt(no2_off)[None, :]
        * local(0.08)
    )
    so2 = (smooth(SO2_MONTH) * np.exp(-0.02 * years) * np.exp(0.2 * pm_anom))[:, None] * local(0.12)

    df = pd.DataFrame(
        {
            "date": np.repeat(weather["date"].to_numpy(), g),
            "gu_code": np.tile(gu["code"].to_numpy(), n),
            "station_name": np.tile(gu["name_ko"].to_numpy(), n),
            "gu_name_en": np.tile(gu["name_en"].to_numpy(), n),
            "pm10_ugm3": np.maximum(np.round(pm10.ravel()), 1.0),
            "pm25_ugm3": np.maximum(np.round(pm25.ravel()), 1.0),
            "o3_ppm": np.round(o3.ravel(), 3),
            "no2_ppm": np.round(no2.ravel(), 3),
            "co_ppm": np.round(co.ravel(), 2),
            "so2_ppm": np.round(so2.ravel(), 3),
        }
    )
    df["pm10_ugm3"] = np.maximum(df["pm10_ugm3"], df["pm25_ugm3"])
    # instrument checks and outages: scattered missing values and one multi-day outage a year
    measures = ["pm10_ugm3", "pm25_ugm3", "o3_ppm", "no2_ppm", "co_ppm", "so2_ppm"]
    for col in measures:
        miss = rng.random(len(df)) < 0.003
        df.loc[miss, col] = np.nan
    for year in city.YEARS:
        station = int(rng.integers(0, g))
        start = pd.Timestamp(f"{year}-01-01") + pd.Timedelta(days=int(rng.integers(0, 350)))
        span = (df["date"] >= start) & (df["date"] < start + pd.Timedelta(days=int(rng.integers(2, 7))))
        df.loc[span & (df["gu_code"] == gu["code"].iloc[station]), measures] = np.nan
    # nullable floats: missing values are stored as nulls (not NaN), as validators expect
    return df.astype({c: "Float64" for c in measures})


def raw_year(df: pd.DataFrame, year: int = RAW_YEAR) -> bytes:
    """The portal's CP949 file for one year: YYYYMMDD dates, Korean headers, blanks for gaps."""
    d = df[df["date"].dt.year == year]
    raw = pd.DataFrame(
        {
            "측정일시": d["date"].dt.strftime("%Y%m%d"),
            "측정소명": d["station_name"],
            "이산화질소농도(ppm)": d["no2_ppm"],
            "오존농도(ppm)": d["o3_ppm"],
            "일산화탄소농도(ppm)": d["co_ppm"],
            "아황산가스농도(ppm)": d["so2_ppm"],
            "미세먼지농도(㎍/㎥)": d["pm10_ugm3"].round().astype("Int64"),
            "초미세먼지농도(㎍/㎥)": d["pm25_ugm3"].round().astype("Int64"),
        }
    )
    text = raw.to_csv(index=False, lineterminator="\r\n")
    return text.encode("cp949")


def standards(who_source: str, korea_source: str, airkorea_source: str) -> pd.DataFrame:
    """Guideline values, national standards and forecast grades for PM2.5 and PM10, each row
    citing the IDs of the facts (book/facts.yaml) that give it."""
    who, kor, grade = "WHO AQG 2021", "Korean national ambient standard", "Korean forecast grade"
    rows = [
        # scheme, pollutant, period, label, label_ko, lower, upper, confidence, source
        (who, "PM2.5", "annual", "guideline", None, None, 5, "confirmed", who_source),
        (who, "PM2.5", "24h", "guideline", None, None, 15, "confirmed", who_source),
        (who, "PM10", "annual", "guideline", None, None, 15, "confirmed", who_source),
        (who, "PM10", "24h", "guideline", None, None, 45, "confirmed", who_source),
        (kor, "PM2.5", "24h", "standard", "환경기준", None, 35, "secondary", korea_source),
        (kor, "PM2.5", "annual", "standard", "환경기준", None, 15, "secondary", korea_source),
        (kor, "PM10", "24h", "standard", "환경기준", None, 100, "secondary", korea_source),
        (kor, "PM10", "annual", "standard", "환경기준", None, 50, "secondary", korea_source),
        (grade, "PM2.5", "24h", "good", "좋음", 0, 15, "confirmed", airkorea_source),
        (grade, "PM2.5", "24h", "moderate", "보통", 16, 35, "confirmed", airkorea_source),
        (grade, "PM2.5", "24h", "bad", "나쁨", 36, 75, "confirmed", airkorea_source),
        (grade, "PM2.5", "24h", "very bad", "매우나쁨", 76, None, "confirmed", airkorea_source),
        (grade, "PM10", "24h", "good", "좋음", 0, 30, "confirmed", airkorea_source),
        (grade, "PM10", "24h", "moderate", "보통", 31, 80, "confirmed", airkorea_source),
        (grade, "PM10", "24h", "bad", "나쁨", 81, 150, "confirmed", airkorea_source),
        (grade, "PM10", "24h", "very bad", "매우나쁨", 151, None, "confirmed", airkorea_source),
    ]
    cols = [
        "scheme",
        "pollutant",
        "averaging_period",
        "label",
        "label_ko",
        "lower_ugm3",
        "upper_ugm3",
        "confidence",
        "source",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("lower_ugm3", "upper_ugm3"):
        df[c] = df[c].astype("float64")
    return df


def build(ctx) -> list[Output]:
    df = simulate(ctx)
    limits = definitions.resource(DATASET, "air_quality_standards")
    # each row cites the facts of book/facts.yaml that give its values
    who, korea, airkorea = (
        "who-pm25-guideline; who-pm10-guideline",
        "korea-pm25-standard; korea-pm10-standard",
        "pm-grades",
    )
    return [
        Output(definitions.resource(DATASET, "air_quality_daily"), df),
        Output(definitions.resource(DATASET, f"air_quality_raw_{RAW_YEAR}"), raw_year(df)),
        Output(limits, standards(who, korea, airkorea)),
    ]
