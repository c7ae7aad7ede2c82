"""Every module meets the course standard: front matter, figures with alt text, a map, try-it
prompts, a policy lens, a for-your-city reflection, further reading, data only via smartseoul."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import notebooks

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIRS = [ROOT / "modules" / m for m in notebooks.MODULES]
MAP_WORDS = re.compile(r"\bmap\b|choropleth|\bgu\b|district|dong|hexagon|route", re.IGNORECASE)


def _nbs(folder: Path) -> list[nbformat.NotebookNode]:
    return [nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))]


@pytest.mark.parametrize("folder", MODULE_DIRS, ids=lambda p: p.name)
def test_module_exists_with_overview_and_notebooks(folder):
    assert (folder / "index.md").exists(), f"{folder.name}/index.md is missing"
    assert list(folder.glob("*.ipynb")), f"{folder.name} has no notebook"


@pytest.mark.parametrize("folder", MODULE_DIRS, ids=lambda p: p.name)
def test_index_has_front_matter(folder):
    text = (folder / "index.md").read_text(encoding="utf-8").lower()
    for key in ("minutes", "objectives", "key points"):
        assert key in text, f"{folder.name}/index.md does not state its {key}"


@pytest.mark.parametrize("folder", MODULE_DIRS, ids=lambda p: p.name)
def test_module_teaching_elements(folder):
    nbs = _nbs(folder)
    index = (folder / "index.md").read_text(encoding="utf-8") if (folder / "index.md").exists() else ""
    figures = [c for nb in nbs for c in notebooks.figure_cells(nb)]
    assert len(figures) >= 4, f"{folder.name}: {len(figures)} figures with alt text (need 4)"
    for c in figures:
        alt = c.metadata["mystnb"]["image"]["alt"]
        assert len(alt.split()) >= 6, f"{folder.name}: alt text too thin to be meaningful: {alt!r}"
    maps = [c for c in figures if MAP_WORDS.search(c.metadata["mystnb"]["image"]["alt"]) and ".plot(" in c.source]
    assert maps, f"{folder.name}: no map (a GeoDataFrame plot with alt text)"
    assert sum(notebooks.admonitions(nb, "Try it") for nb in nbs) >= 3, f"{folder.name}: fewer than 3 try-it prompts"
    text = index + "\n".join(c.source for nb in nbs for c in nb.cells if c.cell_type == "markdown")
    assert notebooks.admonitions(text, "Policy lens") >= 1, f"{folder.name}: no policy lens box"
    assert notebooks.admonitions(text, "For your city") >= 1, f"{folder.name}: no for-your-city reflection"
    assert re.search(r"further reading", text, re.IGNORECASE), f"{folder.name}: no further reading"
    assert re.search(r"https?://", text), f"{folder.name}: no source links"


@pytest.mark.parametrize("path", notebooks.module_notebooks(), ids=lambda p: p.name)
def test_notebook_committed_clean_and_offline(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    assert not re.search(r"read_(csv|parquet|file|json)\(\s*['\"]https?://", code), "data must come from smartseoul.data"
    assert not re.search(r"(urlopen|requests\.get|contextily|folium)", code), "notebooks must work offline"
    assert "smartseoul" in code


# Modules 3 and 5 follow a stricter notebook convention; the same two checks serve both.
CONVENTION = [p for p in notebooks.module_notebooks() if p.parent.name[:2] in ("03", "05")]


@pytest.mark.parametrize("path", CONVENTION, ids=lambda p: p.name)
def test_notebook_opens_with_title_time_objectives_synthetic_note_and_ends_with_key_points(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert first.startswith("# ")
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", first)
    assert "**Objectives.**" in first
    assert "synthetic" in first.lower()
    assert "## Key points" in "\n".join(c.source for c in nb.cells[-3:])
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert code.count("plots.use_style()") == 1
    assert "from smartseoul import data, geo, plots" in code
    assert not re.search(r"\b(pd|gpd)\.read_", code), "data come only through smartseoul.data"


@pytest.mark.parametrize("path", CONVENTION, ids=lambda p: p.name)
def test_every_figure_has_a_caption_and_the_figure_tag(path):
    figures = notebooks.figure_cells(nbformat.read(path, as_version=4))
    assert figures
    for cell in figures:
        assert cell.metadata["mystnb"].get("figure", {}).get("caption"), cell.source[:60]
        assert "figure" in cell.metadata.get("tags", []), cell.source[:60]
