"""Full-scale generation at a small fraction: same schema and daily shape as the course data,
totals proportional to the scale, resumable partitions; and the five big-data questions give
the same answers with pandas, DuckDB and Dask."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from smartseoul import bigdata, data
from smartseoul.data import full_scale as fs

FRACTION = 0.01
MONTHS = [3, 4]


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    root = tmp_path_factory.mktemp("full")
    fs.generate(root, years=[2022], fraction=FRACTION, months=MONTHS)
    return root


pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("full_scale")]


def test_partitioned_by_year_and_month(full):
    for name in fs.FULL_DATASETS:
        parts = list(fs.iter_partitions(full, name))
        assert [p.parent.name for p in parts] == ["month=3", "month=4"], name
        assert all(p.parent.parent.name == "year=2022" for p in parts)


def test_bike_trips_share_the_course_schema(full):
    course = data.describe("bike_trips").set_index("field")
    table = pq.read_table(next(fs.iter_partitions(full, "bike_trips")))
    for col in table.column_names:
        assert col in course.index, f"{col} is not a bike_trips field"
    df = table.to_pandas()
    assert str(df["rented_at"].dt.tz) == "Asia/Seoul"
    assert df["rental_station_no"].astype(str).str.fullmatch(r"\d{5}").all()  # codes keep leading zeros
    assert set(df["rental_station_no"].astype(str)) <= set(data.load("bike_stations")["station_no"])


def test_bike_totals_are_proportional_to_the_scale(full):
    daily = data.load("bike_rentals_daily")
    sel = (daily["date"].dt.year == 2022) & daily["date"].dt.month.isin(MONTHS)
    expected = daily.loc[sel, "rentals"].sum() * FRACTION
    got = sum(pq.read_metadata(p).num_rows for p in fs.iter_partitions(full, "bike_trips"))
    assert abs(got - expected) / expected < 0.01, (got, expected)


def test_bike_daily_shape_matches_the_course_data(full):
    trips = pd.read_parquet(full / "bike_trips", columns=["rented_at"])
    t = trips["rented_at"]
    weekday = t[t.dt.day_of_week < 5].dt.hour.value_counts(normalize=True).sort_index()
    weekend = t[t.dt.day_of_week >= 5].dt.hour.value_counts(normalize=True).sort_index()
    assert weekday.loc[7:9].idxmax() == 8 and weekday.loc[17:19].idxmax() == 18
    assert weekend.idxmax() in range(12, 19)  # weekend midday-afternoon peak
    course = data.load("bike_rentals_hourly")
    c = course[(course["datetime"].dt.year == 2022) & course["datetime"].dt.month.isin(MONTHS)]
    c_shape = c.groupby(c["datetime"].dt.hour)["rentals"].sum()
    f_shape = t.dt.hour.value_counts().sort_index()
    assert np.corrcoef(c_shape, f_shape)[0, 1] > 0.99


def test_living_population_covers_every_dong_hour_and_day(full):
    df = pd.read_parquet(full / "living_population")
    days = df["date"].nunique()
    assert len(df) == days * 24 * 426
    course = data.load("living_population")
    week = course[course["date"].dt.year == 2022]
    assert abs(df["total"].mean() / week["total"].mean() - 1) < 0.1  # same city, same scale


def test_subway_daily_adds_up_to_the_monthly_table(full):
    daily = pd.read_parquet(full / "subway_daily")
    monthly = data.load("subway_ridership")
    m = monthly[
        pd.to_datetime(monthly["month"]).dt.year.eq(2022)
        & pd.to_datetime(monthly["month"]).dt.month.isin(MONTHS)
    ]
    assert (
        abs(daily["boardings"].sum() - m["boardings"].sum() * FRACTION) / (m["boardings"].sum() * FRACTION)
        < 0.002
    )
    by_dow = daily.groupby(pd.to_datetime(daily["date"]).dt.day_of_week)["boardings"].sum()
    assert by_dow.idxmax() == 4 and by_dow.idxmin() == 6  # Friday highest, Sunday lowest


def test_a_second_run_resumes_without_redoing_work(full):
    done = []
    fs.generate(
        full,
        years=[2022],
        fraction=FRACTION,
        months=MONTHS,
        progress=lambda p, r, s, skipped: done.append(skipped),
    )
    assert done and all(done)
    victim = next(fs.iter_partitions(full, "subway_daily"))
    victim.unlink()  # as if the run had been killed while writing it
    redone = []
    fs.generate(
        full,
        years=[2022],
        fraction=FRACTION,
        months=MONTHS,
        only=["subway_daily"],
        progress=lambda p, r, s, skipped: redone.append((p.key, skipped)),
    )
    assert redone == [("2022-03", False), ("2022-04", True)]


@pytest.mark.parametrize("question", list(bigdata.QUESTIONS))
def test_pandas_duckdb_and_dask_agree(full, question):
    answers = {e: bigdata.ask(question, e, full) for e in ("pandas", "duckdb", "dask")}
    assert len(answers["duckdb"]) > 0
    assert bigdata.same_answer(answers["pandas"], answers["duckdb"]), question
    assert bigdata.same_answer(answers["dask"], answers["duckdb"]), question


def test_same_answer_can_tell_answers_apart(full):
    a = bigdata.ask("busiest_stations", "duckdb", full)
    b = a.copy()
    b.loc[0, "riders_per_day"] += 1
    assert not bigdata.same_answer(a, b)


def test_missing_full_data_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="--scale full"):
        bigdata.ask("commute_pairs", "duckdb", tmp_path)
