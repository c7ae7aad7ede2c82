"""Module 2 (big data, post-COVID): the big-files notebook teaches what issue 9 asks, the page on
going beyond one machine exists, and the patterns the narrative describes hold in the data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from smartseoul import data

MODULE = Path(__file__).resolve().parents[2] / "modules" / "02-big-data-post-covid"


def _code(name: str) -> str:
    nb = nbformat.read(MODULE / name, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_big_files_notebook_has_full_scale_switch_and_measures():
    code = _code("02c-working-with-big-files.ipynb")
    assert "FULL = False" in code and 'os.environ.get("SMARTSEOUL_FULL") == "1"' in code
    for needle in ("chunksize=", "to_parquet", "EXPLAIN", "tracemalloc", "psutil", "time.perf_counter",
                   "bigdata.duckdb_answer", "bigdata.pandas_answer", "bigdata.dask_answer", "same_answer",
                   "full_scale.generate", "pq.ParquetFile"):
        assert needle in code, f"02c does not use {needle}"
    # course scale by default: a small fraction in a scratch folder that is removed at the end
    assert "fraction = 0.02" in code and "shutil.rmtree(WORK" in code


def test_beyond_one_machine_page_is_in_the_toc_glob_and_shows_spark_and_dask():
    page = MODULE / "02d-beyond-one-machine.md"
    assert page.exists(), "the page must start with 02 to be picked up by the toc glob"
    text = page.read_text(encoding="utf-8")
    for needle in ("dask.distributed", "spark.sql(", "read_parquet(", "year=", "not run", "https://"):
        assert needle in text, f"02d lacks {needle!r}"


def test_narrative_patterns_hold_in_the_data():
    """2a and 2b say these things in words; if regenerated data stop showing them, the text must change."""
    rides = data.load("subway_ridership")
    stations = data.load("subway_stations")
    rides = rides.assign(riders=rides["boardings"] + rides["alightings"])
    yearly = rides.groupby(rides["month"].dt.year)["riders"].sum()
    assert yearly.loc[2021] < yearly.loc[2020] < yearly.loc[2019], "ridership should fall in 2020 and bottom out in 2021"
    assert yearly.loc[2023] < yearly.loc[2019], "2a says recovery is partial by 2023"
    kind = stations.assign(kind=lambda s: s["nightlife"].map({True: "nightlife", False: None})
                           .fillna(s["business_share"].ge(0.5).map({True: "office", False: "residential"})))
    typed = rides.merge(kind[["line", "station", "kind"]], on=["line", "station"])
    by = typed.pivot_table(index=typed["month"].dt.year, columns="kind", values="riders", aggfunc="sum")
    idx = by.loc[2021] / by.loc[2019]
    assert idx["residential"] > idx["office"] and idx["residential"] > idx["nightlife"]

    cards = data.load("card_spending")
    ch = cards.pivot_table(index=cards["month"].dt.year, columns="channel", values="sales_krw", aggfunc="sum", observed=True)
    share = ch["online"] / ch.sum(axis=1)
    assert share.loc[2020] > share.loc[2019] and share.loc[2019] < share.loc[2022] < share.loc[2021], \
        "2b says the online share jumped in 2020 and fell back only partly"

    hourly = data.load("bike_rentals_hourly")
    per_year = hourly.groupby(hourly["datetime"].dt.tz_localize(None).dt.year)["rentals"].sum()
    assert per_year.loc[2022] > per_year.loc[2021] > per_year.loc[2020] > per_year.loc[2019], "the bike boom"


@pytest.mark.parametrize("name", ["02a-mobility-through-the-pandemic.ipynb", "02b-spending-and-the-bike-boom.ipynb",
                                  "02c-working-with-big-files.ipynb"])
def test_numbers_in_text_are_printed_by_code(name):
    """Narrative cells state no data-derived percentages; those come from print()."""
    nb = nbformat.read(MODULE / name, as_version=4)
    prints = sum(c.source.count("print(f") for c in nb.cells if c.cell_type == "code")
    assert prints >= 5, f"{name} prints too few computed figures"
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "admonition} Policy lens" not in c.source)
    import re
    typed = re.findall(r"\b\d{2}(?:\.\d)? ?%", md)
    assert not typed, f"{name}: percentages typed into the narrative: {typed} (print them from code instead)"
