"""weather: daily and hourly Seoul weather 2019-2023, the shared driver of the other datasets.

Synthetic, shaped like the Korea Meteorological Administration's ASOS station 108 (Seoul)
downloads, with Seoul-like monthly normals, a summer monsoon and day-to-day persistence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import city, definitions
from ..spec import Output

DATASET = "weather"

# approximate monthly means for Seoul (°C, mm of rain per month, % relative humidity)
MONTH_TEMP = np.array([-2.0, 0.6, 6.3, 12.6, 18.2, 22.6, 25.3, 26.1, 21.6, 14.9, 7.5, 0.2])
MONTH_RAIN = np.array([17, 25, 47, 65, 105, 130, 415, 350, 140, 52, 50, 22], dtype=float)
MONTH_WETDAYS = np.array([5, 5, 7, 8, 9, 10, 17, 15, 9, 6, 8, 6], dtype=float)
MONTH_HUMID = np.array([56, 55, 56, 56, 62, 68, 78, 76, 70, 64, 61, 58], dtype=float)
MONTH_RANGE = np.array([8.5, 9.0, 9.5, 10.0, 9.5, 8.0, 6.0, 6.5, 8.0, 9.5, 9.0, 8.5])  # max - min


def simulate(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    cal = city.calendar()
    n = len(cal)
    m = cal["date"].dt.month.to_numpy() - 1
    doy = cal["date"].dt.day_of_year.to_numpy()
    # smooth seasonal curve through the monthly normals, plus AR(1) anomalies (persistence)
    smooth = np.interp(doy, np.arange(12) * 30.4 + 15, MONTH_TEMP, period=365)
    anom = np.zeros(n)
    eps = rng.normal(0, 1.6, n)
    for i in range(1, n):
        anom[i] = 0.78 * anom[i - 1] + eps[i]
    tmean = smooth + anom
    # rain: wet-day probability and gamma amounts by month, wet spells persist
    p_wet = MONTH_WETDAYS[m] / 30.4
    wet = np.zeros(n, dtype=bool)
    u = rng.random(n)
    for i in range(n):
        p = p_wet[i] * (1.6 if i and wet[i - 1] else 0.8)
        wet[i] = u[i] < min(p, 0.9)
    mean_amt = 0.8 * MONTH_RAIN[m] / MONTH_WETDAYS[m]  # wet spells add days: scale amounts back
    rain = np.where(wet, rng.gamma(0.75, mean_amt / 0.75), 0.0)
    rain = np.round(rain, 1)
    rain[(rain > 0) & (rain < 0.1)] = 0.1
    wet = rain > 0
    humid = np.clip(MONTH_HUMID[m] + np.where(wet, 12, -3) + rng.normal(0, 6, n), 18, 99)
    drange = MONTH_RANGE[m] * np.where(wet, 0.6, 1.0) + rng.normal(0, 1.2, n)
    drange = np.clip(drange, 2.0, 16.0)
    tmean = tmean - np.where(wet, 0.8, 0.0)
    tmin, tmax = tmean - drange / 2, tmean + drange / 2
    wind = np.clip(rng.gamma(4.0, 0.55, n) + np.where(m < 4, 0.4, 0.0), 0.2, None)
    daily = pd.DataFrame(
        {
            "date": cal["date"].dt.date.astype("datetime64[s]").astype("datetime64[ns]"),
            "temp_mean_c": tmean.round(1),
            "temp_min_c": tmin.round(1),
            "temp_max_c": tmax.round(1),
            "rain_mm": rain,
            "humidity_pct": humid.round(1),
            "wind_speed_ms": wind.round(1),
            "is_rainy": rain >= 1.0,
        }
    )
    # hourly: diurnal cycle (coolest about 05-06 h, warmest about 15 h), rain spread over hours
    hours = np.arange(24)
    shape = np.cos((hours - 15) / 24 * 2 * np.pi)  # +1 at 15 h, -1 at 03 h
    shape = (shape - shape.min()) / (shape.max() - shape.min())  # 0..1
    t_h = tmin[:, None] + (tmax - tmin)[:, None] * shape[None, :] + rng.normal(0, 0.4, (n, 24))
    h_h = np.clip(humid[:, None] + 12 * (0.5 - shape[None, :]) + rng.normal(0, 3, (n, 24)), 10, 100)
    rain_h = np.zeros((n, 24))
    for wet_day in np.flatnonzero(wet):
        i = int(wet_day)
        k = int(rng.integers(2, 13))
        hrs = (int(rng.integers(0, 24)) + np.arange(k)) % 24
        w = rng.dirichlet(np.ones(k))
        rain_h[i, hrs] = rain[i] * w
    ts = pd.date_range(city.START, periods=n * 24, freq="h", tz=city.TZ)
    hourly = pd.DataFrame(
        {
            "datetime": ts,
            "temp_c": t_h.ravel().round(1),
            "rain_mm": rain_h.ravel().round(1),
            "humidity_pct": h_h.ravel().round(1),
        }
    )
    return daily, hourly


def build(ctx) -> list[Output]:
    daily, hourly = simulate(ctx.rng("weather"))
    return [
        Output(definitions.resource(DATASET, "weather_daily"), daily),
        Output(definitions.resource(DATASET, "weather_hourly"), hourly),
    ]
