"""The capstone module's committed practice city and its worked memo stay true to the code."""

from __future__ import annotations

from pathlib import Path

from smartseoul import capstone

MODULE = Path(__file__).resolve().parents[2] / "modules" / "06-capstone-your-city"


def test_committed_toy_city_is_what_the_code_writes(tmp_path):
    b, t = capstone.write_toy_city(tmp_path)
    assert (MODULE / "toy_city" / "boundaries.geojson").read_bytes() == b.read_bytes()
    assert (MODULE / "toy_city" / "indicators.csv").read_bytes() == t.read_bytes()


def test_worked_memo_quotes_the_practice_city_correctly():
    report = capstone.validate(
        MODULE / "toy_city" / "boundaries.geojson",
        MODULE / "toy_city" / "indicators.csv",
        numeric=["population", "pop_65_plus", "cooling_centres"],
    )
    table = capstone.equity_table(report.joined, need="pop_65_plus", supply="cooling_centres")
    under = table[table["under_served"]]
    memo = (MODULE / "06b-policy-memo.md").read_text(encoding="utf-8")
    assert f"about {table.attrs['city_rate']:.1f} cooling" in memo
    assert " and ".join(under["name"]) in memo
    assert f"{under['pop_65_plus'].sum() / table['pop_65_plus'].sum():.0%}".replace("%", " %") in memo
    assert f"{under['cooling_centres'].sum() / table['cooling_centres'].sum():.0%}".replace("%", " %") in memo
