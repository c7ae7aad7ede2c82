"""covid_cases: daily confirmed COVID-19 cases by gu, 2020-02-05 to 2022-12-31.

Shaped like the Seoul OpenAPI service ``TbCorona19CountStatusJCG`` (a wide table: the date, then
per gu a cumulative and a new-cases column, plus 기타 for cases from other regions). The wave
timing follows the real epidemic in Seoul; the counts are synthetic except on two anchor days,
where they equal the published figures: every gu on 2022-02-20, and the city on 2022-02-02.

How exactness is kept: the epidemic is split into segments at the anchor days, each gu's total
for a segment is fixed from the anchors, and that total is spread over the segment's days with a
multinomial draw weighted by the (approximate) city curve, so cumulative = running sum of new."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import city, definitions
from ..schema import Field
from ..spec import Output

DATASET = "covid_cases"
START, END = "2020-02-05", "2022-12-31"

#: API keys of the 25 gu in the order of the API (MOIS code order) and 기타.
API_KEYS = {
    "11110": "JONGNO",
    "11140": "JUNGGU",
    "11170": "YONGSAN",
    "11200": "SEONGDONG",
    "11215": "GWANGJIN",
    "11230": "DDM",
    "11260": "JUNGNANG",
    "11290": "SEONGBUK",
    "11305": "GANGBUK",
    "11320": "DOBONG",
    "11350": "NOWON",
    "11380": "EP",
    "11410": "SDM",
    "11440": "MAPO",
    "11470": "YANGCHEON",
    "11500": "GANGSEO",
    "11530": "GURO",
    "11545": "GEUMCHEON",
    "11560": "YDP",
    "11590": "DONGJAK",
    "11620": "GWANAK",
    "11650": "SEOCHO",
    "11680": "GANGNAM",
    "11710": "SONGPA",
    "11740": "GANGDONG",
}
ETC_NAME = "기타"

#: Published counts for 2022-02-20 (cumulative, new) by gu, and 기타 (fact covid-cases-2022-02-20, confirmed).
ANCHOR_DAY = "2022-02-20"
ANCHOR = {
    "11110": (7716, 309),
    "11140": (7088, 234),
    "11170": (11543, 408),
    "11200": (14190, 808),
    "11215": (18353, 918),
    "11230": (19502, 889),
    "11260": (19288, 962),
    "11290": (22296, 926),
    "11305": (14500, 698),
    "11320": (15836, 787),
    "11350": (25558, 1267),
    "11380": (21494, 742),
    "11410": (14127, 418),
    "11440": (18674, 943),
    "11470": (20545, 734),
    "11500": (24446, 950),
    "11530": (21833, 858),
    "11545": (12332, 678),
    "11560": (21178, 677),
    "11590": (20513, 832),
    "11620": (26633, 1272),
    "11650": (20277, 706),
    "11680": (28902, 1105),
    "11710": (33472, 1413),
    "11740": (24441, 1301),
    ETC_NAME: (35186, 1267),
}
#: City totals on 2022-02-02 (confirmed: IceCream0910/coronacoc-api README).
CITY_DAY = "2022-02-02"
CITY_CUMULATIVE, CITY_NEW = 285_665, 4_209

#: Reporting rhythm: cases counted on Monday reflect Sunday's fewer tests.
WEEKDAY_FACTOR = np.array([0.62, 1.15, 1.12, 1.08, 1.04, 1.0, 0.92])  # Mon..Sun


def wave_shape() -> pd.DataFrame:
    """Approximate shape of Seoul's daily new cases (date, new_cases): our reading of the waves,
    used only as weights between the anchors and, after 2022-02-20, as the expected level. Not data."""
    table = city.reference_table("covid_wave_shape.csv")
    table["new_cases"] = table["new_cases"].astype(np.int64)
    return table


def city_curve(dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Expected city-wide new cases per day: log-linear between the wave points, with the
    weekly reporting rhythm, holiday dips and day-to-day noise."""
    shape = wave_shape()
    t = pd.to_datetime(shape["date"]).values.astype("datetime64[D]").astype(np.int64)
    logv = np.log(shape["new_cases"].to_numpy())
    x = dates.values.astype("datetime64[D]").astype(np.int64)
    level = np.exp(np.interp(x, t, logv))
    wk = WEEKDAY_FACTOR[dates.day_of_week]
    hol = np.where(dates.isin(city.HOLIDAYS), 0.8, 1.0)
    noise = rng.lognormal(0.0, 0.12, len(dates))
    return level * wk * hol * noise


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (Hamilton's method)."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    left = total - int(out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:left]] += 1
    return out


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    """Wide table: one row per day, new cases per area (25 gu + 기타), exact at the anchors."""
    dates = pd.date_range(START, END, freq="D")
    areas = list(API_KEYS) + [ETC_NAME]
    curve = city_curve(dates, rng)
    cum_anchor = np.array([ANCHOR[a][0] for a in areas])
    new_anchor = np.array([ANCHOR[a][1] for a in areas])
    share = cum_anchor / cum_anchor.sum()  # the areas' shares of all cases (follow population)
    # each wave hits areas a little differently (clusters), around their long-run share
    wave_id = np.searchsorted(
        pd.to_datetime(
            ["2020-07-01", "2020-11-01", "2021-06-15", "2021-11-01", "2022-02-21", "2022-06-15", "2022-10-01"]
        ).values,
        dates.values,
    )
    tilt = rng.lognormal(0.0, 0.12, (wave_id.max() + 1, len(areas)))
    tilt[:, -1] = 1.0
    weight = curve[:, None] * share[None, :] * tilt[wave_id]  # expected cases (day, area)

    i_city = dates.get_loc(pd.Timestamp(CITY_DAY))
    i_anchor = dates.get_loc(pd.Timestamp(ANCHOR_DAY))
    new = np.zeros((len(dates), len(areas)), dtype=np.int64)
    # anchor day itself: published figures
    new[i_anchor] = new_anchor
    # area totals through 2022-02-19, then split at 2022-02-02 in proportion
    before_anchor = cum_anchor - new_anchor
    total_before = int(before_anchor.sum())
    through_city_day = CITY_CUMULATIVE  # cumulative through 2022-02-02
    # areas' cumulative through 2022-02-02, in proportion to their cumulative through 02-19
    k2 = _largest_remainder(through_city_day, before_anchor.astype(float))
    new[i_city] = _largest_remainder(CITY_NEW, k2.astype(float))
    k1 = k2 - new[i_city]  # through 2022-02-01
    mid = before_anchor - k2  # 2022-02-03 .. 2022-02-19
    assert (mid >= 0).all() and (k1 >= 0).all(), "anchor arithmetic went negative"
    assert int(mid.sum()) == total_before - through_city_day
    for a in range(len(areas)):
        seg1 = slice(0, i_city)
        seg2 = slice(i_city + 1, i_anchor)
        new[seg1, a] = rng.multinomial(int(k1[a]), weight[seg1, a] / weight[seg1, a].sum())
        new[seg2, a] = rng.multinomial(int(mid[a]), weight[seg2, a] / weight[seg2, a].sum())
    # after the anchor: free draws around the expected level (overdispersed)
    after = slice(i_anchor + 1, None)
    lam = weight[after] * rng.gamma(20.0, 1 / 20.0, weight[after].shape)
    new[after] = rng.poisson(lam)
    wide = pd.DataFrame(new, columns=areas)
    wide.insert(0, "date", dates)
    return wide


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    gu = city.gu_facts().set_index("code")
    areas = [c for c in wide.columns if c != "date"]
    cum = wide[areas].cumsum()
    parts = []
    for a in areas:
        parts.append(
            pd.DataFrame(
                {
                    "date": wide["date"].dt.date.astype("datetime64[s]").astype("datetime64[ns]"),
                    "gu_code": None if a == ETC_NAME else a,
                    "gu_name": ETC_NAME if a == ETC_NAME else gu.loc[a, "name_ko"],
                    "gu_name_en": "Other (outside Seoul / unknown)"
                    if a == ETC_NAME
                    else gu.loc[a, "name_en"],
                    "new_cases": wide[a].astype(np.int64),
                    "cumulative_cases": cum[a].astype(np.int64),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["gu_code"] = out["gu_code"].astype("string")
    return out.sort_values(["date", "gu_code"], na_position="last", kind="stable").reset_index(drop=True)


def _raw_csv(wide: pd.DataFrame) -> tuple[bytes, list[Field]]:
    """The portal's CSV download: Korean headers '<gu> 전체' (cumulative) and '<gu> 추가' (new),
    newest day first, CP949; and the fields of those two columns per area."""
    gu = city.gu_facts().set_index("code")
    areas = [c for c in wide.columns if c != "date"]
    cum = wide[areas].cumsum()
    cols = {"자치구 기준일": wide["date"].dt.strftime("%Y.%m.%d.00")}
    fields = []
    for a in areas:
        name = ETC_NAME if a == ETC_NAME else gu.loc[a, "name_ko"]
        key = "ETC" if a == ETC_NAME else API_KEYS[a]
        cols[f"{name} 전체"] = cum[a]
        cols[f"{name} 추가"] = wide[a]
        fields.append(
            Field(
                f"{name} 전체",
                "integer",
                f"Cumulative confirmed cases, {name} (API key {key}).",
                f"{name} 전체",
                unit="persons",
                minimum=0,
            )
        )
        fields.append(
            Field(
                f"{name} 추가",
                "integer",
                f"New confirmed cases that day, {name} (API key {key}ADD).",
                f"{name} 추가",
                unit="persons",
                minimum=0,
            )
        )
    df = pd.DataFrame(cols).iloc[::-1]
    text = df.to_csv(index=False, lineterminator="\n")
    return text.encode("cp949"), fields


def build(ctx) -> list[Output]:
    wide = simulate(ctx.rng("covid_cases"))
    raw, area_fields = _raw_csv(wide)
    return [
        Output(definitions.resource(DATASET, "covid_cases"), _long(wide)),
        Output(definitions.resource(DATASET, "covid_cases_raw", {"area_columns": area_fields}), raw),
    ]
