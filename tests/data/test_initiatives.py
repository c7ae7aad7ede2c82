"""Initiatives: a factual timeline whose rows each carry a source and a confirmation status, and
whose figures are the ones of the facts it cites from the facts register (book/facts.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartseoul import data

ROOT = Path(__file__).resolve().parents[2]
PHASE_YEARS = {
    "computerisation": (1990, 1999),
    "e-Seoul": (2000, 2005),
    "u-Seoul": (2006, 2010),
    "Smart Seoul": (2011, 2015),
    "Digital Seoul": (2016, 2020),
    "post-COVID": (2021, 2025),
}


@pytest.fixture(scope="module")
def timeline():
    return data.load("initiatives")


def test_factual_and_sourced(timeline):
    cat = data.catalog().set_index("name")
    assert cat.loc["initiatives", "provenance"] == "factual"
    assert 25 <= len(timeline) <= 40
    for col in ("name_en", "name_ko", "description", "key_figure", "source"):
        assert timeline[col].str.strip().str.len().gt(3).all(), f"empty {col}"
    assert set(timeline["status"]) <= {"confirmed", "secondary"}
    assert (timeline["status"] == "confirmed").mean() > 0.7
    # nothing unconfirmed is stated as a figure
    assert not timeline["key_figure"].str.contains("❌|unconfirmed", case=False).any()


def test_chronology_and_phases(timeline):
    assert timeline["year"].is_monotonic_increasing
    dated = timeline.dropna(subset=["date"])
    assert (dated["date"].str[:4].astype(int) == dated["year"]).all()
    assert set(timeline["phase"]) == set(PHASE_YEARS)
    for phase, (lo, hi) in PHASE_YEARS.items():
        years = timeline.loc[timeline["phase"] == phase, "year"]
        assert years.between(lo, hi).all(), phase
    assert timeline["domain"].nunique() >= 6


@pytest.mark.parametrize(
    "pattern, year, date",
    [
        ("Owl Bus: night buses", 2013, "2013-09-12"),
        ("Open Data Plaza launched", 2012, "2012-05"),
        ("TOPIS, the Seoul", 2005, "2005-07"),
        ("Smart Seoul 2015", 2011, "2011-06-08"),
        ("WeGO", 2010, None),
        ("Kkachi-on", 2020, "2020-11-01"),
        ("Big Data Campus", 2016, "2016-07"),
        ("S-Map in full operation", 2021, "2021-04-01"),
        ("120 Dasan Call Center integrated", 2009, "2009-11-18"),
        ("Digital Citizen Mayor", 2017, "2017-06"),
    ],
)
def test_key_milestones(timeline, pattern, year, date):
    rows = timeline[timeline["name_en"].str.contains(pattern, regex=False)]
    assert len(rows) == 1, pattern
    row = rows.iloc[0]
    assert row["year"] == year
    if date:
        assert row["date"] == date


def test_figures_come_from_the_facts_the_row_cites(timeline):
    """Each row names fact IDs of book/facts.yaml, and every number of its key figure and description is in one of
    those facts (statement, value or note), so a reader can check it on the sources page."""
    from smartseoul import facts

    register = facts.load(ROOT)
    by_id = {f.id: f for f in register.facts}
    for _, row in timeline.iterrows():
        cited = [by_id.get(i.strip()) for i in row["source"].split(";")]
        assert all(cited), f"{row['name_en']}: {row['source']!r} names a fact that is not in book/facts.yaml"
        text = " ".join(f"{f.statement} {f.value} {f.note} {f.date}" for f in cited if f)
        for column in ("key_figure", "description"):
            for number in re.findall(r"\d[\d,.]*\d|\d", row[column]):
                assert number in text, (
                    f"{row['name_en']}: {column} {number!r} is not in the facts {row['source']}"
                )
    # 120 Dasan's launch year is only 'widely cited': it must not be marked confirmed
    dasan = timeline[timeline["name_en"].str.contains("launch year")]
    assert (dasan["status"] == "secondary").all() and len(dasan) == 1
