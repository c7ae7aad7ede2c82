"""card_spending: monthly card sales by gu, industry and channel (offline/online), 2019-2022.

Shaped like the aggregated card-sales tables that Seoul analyses of Shinhan Card data and the
commercial-district service (상권분석서비스) publish: won per month, per gu, per industry. The
2020 changes per industry follow the published Seoul figures (offline store sales -9.0 %,
online +18 %, duty-free -82 %, travel agencies -65 %, leisure -54 %, nightlife -52 %,
groceries +10 %, healthcare +2 %); the month-to-month path follows the shared distancing
driver and the case counts of the shared covid_cases dataset, so the second (Aug-Sep 2020) and
third (from mid-Nov 2020) waves are the weakest months.

Offline sales are counted where the shop is (business districts lead); online sales are
counted where the cardholder lives (they follow population)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from .. import city, definitions
from ..spec import Output

DATASET = "card_spending"
START, END = "2019-01-01", "2022-12-31"
TRILLION = 1e12  # 1조 원

#: City totals to reach in 2020 (vs 2019): offline store sales -9.0 %, online +18.4 %.
OFFLINE_2020, ONLINE_2020 = -0.090, +0.184
OFFLINE_2019 = 100.0  # 조 원 of offline store sales in 2019 (approximate)
#: Drivers whose effect on spending fades as shops and customers adapt (delivery, outdoor
#: seating, new habits); travel stayed shut much longer and does not fade.
ADAPTING = {"offline_spending", "nightlife"}
#: Nominal growth of normal spending a year (prices and incomes); approximate.
TREND = 0.03
#: Seasonality of monthly sales (December and May high, February low); approximate.
SEASON = np.array([0.97, 0.88, 0.98, 0.98, 1.04, 0.99, 1.01, 1.00, 1.00, 1.02, 1.01, 1.12])

#: Gu weighting profiles: extra pull of named gu on top of their population.
CENTRE = {
    "11680": 7.0,
    "11140": 24.0,
    "11110": 18.0,
    "11650": 4.8,
    "11560": 5.2,
    "11440": 3.0,
    "11710": 1.6,
    "11170": 2.0,
    "11215": 1.5,
    "11530": 1.6,
    "11545": 2.0,
    "11410": 1.4,
}
PROFILES = {
    "centre": CENTRE,
    "food": {k: 1 + 0.5 * (v - 1) for k, v in CENTRE.items()},
    "nightlife": {
        "11680": 7.0,
        "11440": 4.0,
        "11170": 3.5,
        "11140": 3.0,
        "11110": 2.5,
        "11650": 2.5,
        "11560": 2.0,
        "11215": 2.2,
        "11620": 1.5,
        "11710": 1.5,
    },
    "dutyfree": {"11140": 60.0, "11680": 10.0, "11710": 8.0, "11170": 3.0},
    "academy": {"11680": 6.0, "11470": 3.0, "11350": 2.0, "11650": 3.0, "11710": 1.6},
    "health": {"11680": 3.0, "11110": 3.5, "11410": 2.0, "11650": 2.0, "11560": 1.5, "11140": 3.0},
    # everyday shopping also happens near work: a mild pull of the business districts
    "resident": {},  # online: where the cardholders live
    "home": {"11140": 2.5, "11110": 2.0, "11680": 1.5, "11650": 1.3, "11560": 1.4},
}


def industries() -> pd.DataFrame:
    """The card industries of reference/card_industries.csv, in order: code, Korean and English
    label, channel, 2019 city total (조 원, approximate), the activity driver, the 2020 change vs
    2019 (target), where the shops are (gu weighting profile) and the average ticket (won per
    payment, approximate, to derive a transaction count). The residual industry (KR99) has no
    2019 total or 2020 target: they are computed so that the offline total comes out right."""
    table = city.reference_table("card_industries.csv")
    for column in ("total_2019", "change_2020"):
        table[column] = table[column].astype(float)
    table["ticket"] = table["ticket"].astype(np.int64)
    return table


def covid_index(months: pd.PeriodIndex, kind: str) -> np.ndarray:
    """How far below (or above) normal each month is for a kind of spending, from the shared
    driver: 1 - mean activity factor over the month's days (negative when activity rises)."""
    days = pd.date_range(START, END, freq="D")
    f = pd.Series(city.activity_factor(days, kind), index=days)
    m = f.groupby(days.to_period("M")).mean()
    return 1.0 - m.reindex(months).to_numpy()


def gu_weights(profile: str, rng: np.random.Generator) -> pd.Series:
    gu = city.gu_facts().set_index("code")
    pull = pd.Series(PROFILES[profile], dtype=float).reindex(gu.index).fillna(1.0)
    w = gu["population"] * pull * rng.lognormal(0.0, 0.08, len(gu))
    return w / w.sum()


def fear_index(months: pd.PeriodIndex, cases: pd.DataFrame) -> np.ndarray:
    """0 before COVID, about 1 in the third wave of Dec 2020 (about 300 cases a day), capped at
    1.3: log of the month's mean daily new cases in the shared covid_cases dataset."""
    daily = cases.groupby("date")["new_cases"].sum()
    m = daily.groupby(daily.index.to_period("M")).mean().reindex(months).fillna(0.0).to_numpy()
    return np.minimum(np.log10(1 + m) / np.log10(301.0), 1.3)


def simulate(rng: np.random.Generator, cases: pd.DataFrame) -> pd.DataFrame:
    months = pd.period_range(START, END, freq="M")
    fear = fear_index(months, cases)
    gu = city.gu_facts().set_index("code")
    year = months.year.to_numpy()
    season = SEASON[months.month.to_numpy() - 1]
    trend = (1 + TREND) ** (year - 2019 + (months.month.to_numpy() - 6.5) / 12)
    # gu sensitivity to COVID: business districts (commuters, tourists) lose more offline
    centre = pd.Series(CENTRE, dtype=float).reindex(gu.index).fillna(1.0)
    sens = (1 + 0.35 * (np.log(centre) - np.log(centre).mean())).to_numpy()
    y19, y20 = year == 2019, year == 2020
    inds = industries()
    # the residual offline industry fills the ₩100조 of 2019 and takes whatever change brings
    # the offline total to -9.0 % in 2020
    off = inds["channel"] == "offline"
    inds.loc[off & inds["total_2019"].isna(), "total_2019"] = OFFLINE_2019 - inds.loc[off, "total_2019"].sum()
    known = off & inds["change_2020"].notna()
    rest = (1 + OFFLINE_2020) * inds.loc[off, "total_2019"].sum() - (
        inds.loc[known, "total_2019"] * (1 + inds.loc[known, "change_2020"])
    ).sum()
    inds.loc[off & inds["change_2020"].isna(), "change_2020"] = (
        rest / inds.loc[off & inds["change_2020"].isna(), "total_2019"].iloc[0] - 1
    )
    on = ~off
    # scale online 2020 targets so the online total is +18.4 %
    k = (
        ONLINE_2020
        * inds.loc[on, "total_2019"].sum()
        / (inds.loc[on, "total_2019"] * inds.loc[on, "change_2020"]).sum()
    )
    inds.loc[on, "change_2020"] = inds.loc[on, "change_2020"] * k
    rows = []
    for ind in inds.itertuples(index=False):
        x = covid_index(months, ind.driver)
        if (
            ind.driver in ADAPTING and ind.change_2020 < 0
        ):  # (gains such as groceries came from habits, not fear)
            # people stayed away most when cases surged (the 2nd and 3rd waves of 2020), and shops
            # and customers adapted: the same restrictions cost less later
            adapt = np.interp(
                year + (months.month.to_numpy() - 1) / 12,
                [2020.0, 2020.95, 2021.4, 2022.5],
                [1.0, 1.0, 0.45, 0.35],
            )
            x = x * (0.3 + 1.0 * fear) * adapt
        w = gu_weights(ind.gu_profile, rng).reindex(gu.index).to_numpy()
        s = sens if ind.channel == "offline" else np.ones(len(gu))
        base = ind.total_2019 * TRILLION * season / SEASON.sum()  # 2019-level monthly city total
        # sales[m, g] = base[m] * trend[m] * w[g] * exp(-beta * x[m] * s[g]); beta hits the 2020 target
        tot19 = (base[y19] * trend[y19]).sum()
        lin = (base[y20] * trend[y20])[:, None] * w[None, :]
        xs20 = x[y20][:, None] * s[None, :]
        beta = brentq(  # the lambda is called here, inside this iteration, so late binding is safe
            lambda bb: (lin * np.exp(-bb * xs20)).sum() - (1 + ind.change_2020) * tot19,  # noqa: B023
            -60.0,
            60.0,
        )
        mult = np.exp(-beta * x[:, None] * s[None, :])
        sales = base[:, None] * trend[:, None] * w[None, :] * mult
        sales *= rng.lognormal(0.0, 0.025, sales.shape)
        for mi, per in enumerate(months):
            for gi, code in enumerate(gu.index):
                rows.append(
                    (
                        per.to_timestamp(),
                        code,
                        gu.loc[code, "name_ko"],
                        gu.loc[code, "name_en"],
                        ind.code,
                        ind.name_ko,
                        ind.name_en,
                        ind.channel,
                        sales[mi, gi],
                    )
                )
    df = pd.DataFrame(
        rows,
        columns=[
            "month",
            "gu_code",
            "gu_name",
            "gu_name_en",
            "industry_code",
            "industry_ko",
            "industry_en",
            "channel",
            "sales_krw",
        ],
    )
    df["sales_krw"] = np.round(df["sales_krw"], -3).astype(np.int64)  # to the thousand won
    ticket = df["industry_code"].map(inds.set_index("code")["ticket"]).to_numpy() * rng.lognormal(
        0.0, 0.04, len(df)
    )
    df["transactions"] = np.round(df["sales_krw"] / ticket).astype(np.int64)
    df["month"] = df["month"].astype("datetime64[ns]")
    return df.sort_values(["month", "gu_code", "channel", "industry_code"], kind="stable").reset_index(
        drop=True
    )


def build(ctx) -> list[Output]:
    df = simulate(ctx.rng("card_spending"), ctx.get("covid_cases", "covid_cases"))
    return [Output(definitions.resource(DATASET, "card_spending"), df)]
