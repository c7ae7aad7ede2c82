"""Module 1 (smart city initiatives) teaches what its issue asks for, in the course's conventions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import notebooks

FOLDER = Path(__file__).resolve().parents[2] / "modules" / "01-smart-city-initiatives"
NOTEBOOKS = sorted(FOLDER.glob("01*.ipynb"))


def _cells(path: Path, kind: str) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def test_module_has_its_two_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01a-seoul-smart-city-timeline.ipynb", "01b-sensing-the-city-s-dot.ipynb"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_title_time_objectives_and_ends_with_key_points(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0].source, nb.cells[-1].source
    assert first.startswith("# ")
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", first)
    assert "You will learn to" in first
    assert "## Key points" in last
    code = "\n".join(_cells(path, "code"))
    assert code.count("plots.use_style()") == 1
    assert "from smartseoul import data, geo, plots" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_and_the_figure_tag(path):
    for cell in notebooks.figure_cells(nbformat.read(path, as_version=4)):
        assert cell.metadata["mystnb"].get("figure", {}).get("caption"), cell.source[:60]
        assert "figure" in cell.metadata.get("tags", []), cell.source[:60]


def test_timeline_is_drawn_from_the_factual_initiatives_table():
    nb = nbformat.read(FOLDER / "01a-seoul-smart-city-timeline.ipynb", as_version=4)
    code = "\n".join(_cells(FOLDER / "01a-seoul-smart-city-timeline.ipynb", "code"))
    assert 'data.load("initiatives")' in code
    assert any("timeline" in c.metadata["mystnb"]["image"]["alt"].lower() for c in notebooks.figure_cells(nb))
    text = "\n".join(_cells(FOLDER / "01a-seoul-smart-city-timeline.ipynb", "markdown"))
    for phase in ("computerisation", "e-Seoul", "u-Seoul", "Smart Seoul", "Digital Seoul"):
        assert phase in text


def test_sdot_notebook_uses_a_spatial_join_and_keeps_the_answer_key_for_scoring_only():
    path = FOLDER / "01b-sensing-the-city-s-dot.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(_cells(path, "code"))
    assert "gpd.sjoin" in code and "geo.area_km2" in code
    assert 'data.load("sdot_readings")' in code
    # the answer key is loaded once, right after the box that says what it is for
    key_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "sdot_faults" in c.source]
    assert len(key_cells) == 1
    box = nb.cells[key_cells[0] - 1]
    assert box.cell_type == "markdown" and "answer key" in box.source.lower() and "instructor" in box.source.lower()
    assert "precision" in box.source and "recall" in box.source


def test_internal_links_point_to_notebooks_that_exist():
    texts = ["\n".join(_cells(p, "markdown")) for p in NOTEBOOKS] + [(FOLDER / "index.md").read_text(encoding="utf-8")]
    targets = {t for text in texts for t in re.findall(r"\]\(([^)#:]+\.ipynb)\)", text)}
    assert targets
    for target in targets:
        assert (FOLDER / target).exists(), f"broken link to {target}"


def test_index_names_the_exercise_datasets_and_how_seoul_did_it():
    index = (FOLDER / "index.md").read_text(encoding="utf-8")
    assert "exercises/m1-initiatives/" in index
    for name in ("initiatives", "sdot_sensors", "sdot_readings", "sdot_faults", "districts"):
        assert f"`{name}`" in index
    assert "## How Seoul did it" in index and "synthetic" in index
    assert re.search(r"about \d+ minutes", index)
