"""Module 0 (orientation) teaches what its issue asks for, in the course's notebook conventions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import notebooks

FOLDER = Path(__file__).resolve().parents[2] / "modules" / "00-orientation"
NOTEBOOKS = sorted(FOLDER.glob("00*.ipynb"))


def _code(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def _markdown(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_module_has_its_three_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["00a-jupyter-and-python.ipynb", "00b-cleaning-a-portal-file.ipynb", "00c-first-charts-and-maps.ipynb"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_title_time_objectives_and_ends_with_key_points(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0].source, nb.cells[-1].source
    assert first.startswith("# "), "a notebook starts with its title"
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", first), "state the time it takes"
    assert "You will learn to" in first
    assert "## Key points" in last
    code = _code(path)
    assert code.count("plots.use_style()") == 1, "apply the course style once, at the top"
    assert "from smartseoul import data, geo, plots" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_and_the_figure_tag(path):
    nb = nbformat.read(path, as_version=4)
    for cell in notebooks.figure_cells(nb):
        assert cell.metadata["mystnb"].get("figure", {}).get("caption"), cell.source[:60]
        assert "figure" in cell.metadata.get("tags", []), cell.source[:60]
        assert "plt.show()" in cell.source or ".plot(" in cell.source


def test_cleaning_notebook_opens_the_raw_cp949_file_as_text_and_uses_the_dictionary():
    code = _code(FOLDER / "00b-cleaning-a-portal-file.ipynb")
    assert 'data.raw_path("bike_rentals_raw")' in code
    assert 'encoding="cp949"' in code and "dtype=str" in code
    assert 'data.describe("bike_trips")' in code
    for quirk in ("2323", "\\\\N", "ST-", '"'):
        assert quirk in code, f"the cleaning notebook should deal with {quirk!r}"


def test_maps_notebook_teaches_wgs84_and_the_korean_projected_systems():
    path = FOLDER / "00c-first-charts-and-maps.ipynb"
    text, code = _markdown(path), _code(path)
    for crs in ("EPSG:4326", "EPSG:5179", "EPSG:5186"):
        assert crs in text
    assert "geo.KOREA_METRIC" in code and "geo.KOREA_CENTRAL" in code
    assert "area_km2" in code, "compare computed areas with the official area_km2"
    assert "gpd.sjoin" in code, "stations per gu by a spatial join"


def test_internal_links_point_to_notebooks_that_exist():
    texts = [_markdown(p) for p in NOTEBOOKS] + [(FOLDER / "index.md").read_text(encoding="utf-8")]
    targets = {t for text in texts for t in re.findall(r"\]\(([^)#:]+\.ipynb)\)", text)}
    assert targets, "the module pages link to each other"
    for target in targets:
        assert (FOLDER / target).exists(), f"broken link to {target}"


def test_index_names_the_exercise_datasets_and_how_seoul_did_it():
    index = (FOLDER / "index.md").read_text(encoding="utf-8")
    assert "exercises/m0-orientation/" in index
    for name in ("bike_rentals_raw", "bike_stations", "districts"):
        assert f"`{name}`" in index
    assert "## How Seoul did it" in index and "synthetic" in index
    assert re.search(r"about \d+ minutes", index)
