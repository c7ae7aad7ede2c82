"""The capstone module's committed practice city and its worked memo stay true to the code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


# -- the analysis is written out in the notebook (issue 18, item 6) -------------------------
NOTEBOOK = MODULE / "06a-bring-your-own-city.ipynb"
NUMERIC = ["population", "pop_65_plus", "cooling_centres"]


def equity_cell(source_of_notebook: Path = NOTEBOOK) -> str:
    import nbformat

    nb = nbformat.read(source_of_notebook, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code" and 'table["under_served"] =' in c.source]
    assert len(cells) == 1, "exactly one notebook cell should build the equity table"
    return cells[0]


def notebook_table_complaints(cell: str) -> list[str]:
    """Run the notebook's cell on the practice city and compare it with capstone.equity_table."""
    report = capstone.validate(
        MODULE / "toy_city" / "boundaries.geojson", MODULE / "toy_city" / "indicators.csv", numeric=NUMERIC
    )
    namespace = {
        "city": report.joined,
        "NEED": "pop_65_plus",
        "SUPPLY": "cooling_centres",
        "KEY": "district_id",
        "print": lambda *a, **k: None,
    }
    exec(compile(cell, "06a-equity-cell", "exec"), namespace)
    table, reference = (
        namespace["table"],
        capstone.equity_table(report.joined, need="pop_65_plus", supply="cooling_centres"),
    )
    found = []
    if abs(namespace["city_rate"] - reference.attrs["city_rate"]) > 1e-9:
        found.append(f"city rate {namespace['city_rate']} vs {reference.attrs['city_rate']}")
    for col in ["area_km2", "need_per_km2", "supply_per_need", "under_served"]:
        if col not in table or not np.allclose(
            table[col].astype(float), reference[col].astype(float), rtol=1e-6
        ):
            found.append(f"{col} differs from capstone.equity_table")
    return found


def test_the_notebook_writes_the_equity_table_out_and_matches_the_reference():
    cell = equity_cell()
    assert "capstone.equity_table" not in NOTEBOOK.read_text(encoding="utf-8")  # no hidden step
    assert "estimate_utm_crs" in cell  # metres chosen for the trainee's city, in plain GeoPandas
    assert notebook_table_complaints(cell) == []


def test_planted_changed_rule_in_the_notebook_fails_the_check():
    cell = equity_cell().replace("< 0.5 * city_rate", "< city_rate")
    assert notebook_table_complaints(cell) == ["under_served differs from capstone.equity_table"]
    degrees = equity_cell().replace("city.to_crs(city.estimate_utm_crs())", "city")
    with pytest.warns(UserWarning, match="geographic CRS"):  # areas in square degrees
        found = notebook_table_complaints(degrees)
    assert "area_km2 differs from capstone.equity_table" in found
