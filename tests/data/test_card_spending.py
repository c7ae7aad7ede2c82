"""card_spending: the published 2020 changes, the weakest wave months, where the money is spent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smartseoul import data
from smartseoul.data import city


@pytest.fixture(scope="module")
def card():
    return data.load("card_spending")


@pytest.fixture(scope="module")
def by_year(card):
    return card.groupby([card["month"].dt.year, "channel"], observed=True)["sales_krw"].sum().unstack()


def change(card, year, **filters):
    m = pd.Series(True, index=card.index)
    for k, v in filters.items():
        m &= card[k] == v
    y = card.loc[m].groupby(card.loc[m, "month"].dt.year)["sales_krw"].sum()
    return y[year] / y[2019] - 1


def test_table_covers_every_month_gu_and_industry(card):
    assert card["month"].min() == pd.Timestamp("2019-01-01") and card["month"].max() == pd.Timestamp(
        "2022-12-01"
    )
    assert card["gu_code"].nunique() == 25 and card["month"].nunique() == 48
    combos = card.groupby(["industry_code", "channel"], observed=True).size()
    assert (combos == 48 * 25).all()
    assert {"한식", "면세점", "여행사", "유흥주점", "종합레저시설", "음식료품/슈퍼마켓", "의료"} <= set(
        card["industry_ko"].astype(str)
    )
    assert not card.duplicated(["month", "gu_code", "industry_code"]).any()


def test_offline_total_about_100_trillion_then_minus_9_percent(by_year):
    off = by_year["offline"] / 1e12
    assert 95 < off[2019] < 105  # about ₩100조 of store sales in 2019
    assert -0.10 < off[2020] / off[2019] - 1 < -0.08  # -9.0 %
    on = by_year["online"]
    assert 0.16 < on[2020] / on[2019] - 1 < 0.21  # +18 %


@pytest.mark.parametrize(
    "industry,lo,hi",
    [
        ("면세점", -0.86, -0.78),
        ("여행사", -0.69, -0.60),
        ("종합레저시설", -0.58, -0.50),
        ("유흥주점", -0.57, -0.49),
        ("음식료품/슈퍼마켓", 0.07, 0.13),
        ("의료", 0.0, 0.05),
        ("한식", -0.21, -0.16),
    ],
)
def test_2020_change_by_industry(card, industry, lo, hi):
    assert lo < change(card, 2020, industry_ko=industry, channel="offline") < hi


def test_hardest_hit_are_travel_duty_free_and_nightlife(card):
    off = card[card["channel"] == "offline"]
    y = off.groupby([off["month"].dt.year, "industry_ko"], observed=True)["sales_krw"].sum().unstack(0)
    worst = set((y[2020] / y[2019] - 1).nsmallest(4).index)
    assert worst == {"면세점", "여행사", "종합레저시설", "유흥주점"}


def test_wave_months_are_the_weakest(card):
    off = card[card["channel"] == "offline"].groupby("month")["sales_krw"].sum()
    yoy = pd.Series(off.loc["2020"].to_numpy() / off.loc["2019"].to_numpy() - 1, index=range(1, 13))
    assert yoy[1] > -0.02 and yoy[2] > -0.03  # before distancing
    weakest = set(yoy.nsmallest(3).index)
    assert weakest <= {8, 9, 11, 12} and 12 in weakest  # second (Aug-Sep) and third (from mid-Nov) waves
    assert yoy[[8, 9]].mean() < yoy[[6, 7]].mean() - 0.02 and yoy[12] < yoy[10] - 0.03


def test_partial_recovery(by_year):
    off = by_year["offline"]
    assert off[2020] < off[2021] < off[2022]
    assert by_year["online"][2022] > by_year["online"][2019] * 1.15  # the online shift lasts


def test_business_districts_lead_offline_and_fall_further(card):
    off = card[card["channel"] == "offline"]
    g = off.groupby([off["month"].dt.year, "gu_name"], observed=True)["sales_krw"].sum().unstack(0)
    assert set(g[2019].nlargest(5).index) == {"강남구", "중구", "종로구", "서초구", "영등포구"}
    assert g[2019].idxmax() == "강남구"
    ch = g[2020] / g[2019] - 1
    assert (
        ch[["중구", "종로구", "강남구"]].mean() < ch[["노원구", "도봉구", "강북구", "은평구"]].mean() - 0.02
    )


def test_online_follows_where_people_live(card):
    on = (
        card[(card["channel"] == "online") & (card["month"].dt.year == 2019)]
        .groupby("gu_code")["sales_krw"]
        .sum()
    )
    pop = city.gu_facts().set_index("code")["population"]
    assert np.corrcoef(on.reindex(pop.index), pop)[0, 1] > 0.97


def test_transactions_are_consistent_with_sales(card):
    ticket = card["sales_krw"] / card["transactions"]
    med = ticket.groupby(card["industry_ko"], observed=True).median()
    assert med["커피-음료"] < 15_000 < med["한식"] < med["여행사"]
