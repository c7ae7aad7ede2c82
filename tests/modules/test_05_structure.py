"""Module 5 (smart and sustainable cities) teaches what its issue asks for, in the course's conventions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import notebooks

FOLDER = Path(__file__).resolve().parents[2] / "modules" / "05-sustainable-cities"
NOTEBOOKS = sorted(FOLDER.glob("05*.ipynb"))


def _source(path: Path, kind: str) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind)


def test_module_has_its_two_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["05a-air-quality-and-heat.ipynb", "05b-low-carbon-mobility-and-equity.ipynb"]


def test_limits_are_read_from_the_standards_table_not_typed():
    code = _source(FOLDER / "05a-air-quality-and-heat.ipynb", "code")
    assert 'data.load("air_quality_standards")' in code and 'data.load("air_quality_daily")' in code
    assert not re.search(r"(WHO|KOREA)_(DAY|YEAR)\s*=\s*\d", code), "limit values come from the table"
    assert 'data.load("sdot_readings")' in code and 'data.load("green_space")' in code


def test_co2_assumptions_are_explicit_adjustable_and_labelled():
    path = FOLDER / "05b-low-carbon-mobility-and-equity.ipynb"
    code, text = _source(path, "code"), _source(path, "markdown")
    for name in ("MODE_SHIFT", "G_CO2_PER_KM", "SYSTEM_G_PER_KM"):
        assert re.search(rf"^{name} = ", code, re.MULTILINE), f"{name} is not a top-level variable a trainee can change"
    assert code.count("ASSUMPTION") >= 3
    assert "illustrative assumptions" in text.lower()
    assert 'data.load("bike_trips")' in code


def test_equity_of_access_uses_older_residents_and_cooling_shelters_by_dong():
    code = _source(FOLDER / "05b-low-carbon-mobility-and-equity.ipynb", "code")
    assert '"cooling_shelter"' in code and "pop_65_plus" in code and 'data.load("dongs")' in code
    assert re.search(r"^WALK_M = \d+", code, re.MULTILINE)


def test_policy_lens_cites_seoul_decisions():
    texts = [(FOLDER / "index.md").read_text(encoding="utf-8")] + [_source(p, "markdown") for p in NOTEBOOKS]
    lenses = " ".join(t for text in texts for t in re.findall(r"```\{admonition\} Policy lens(.*?)```", text, re.DOTALL))
    assert "S-DoT" in lenses
    # Seoul's decisions are cited by fact ID, as links to the sources page
    for fact in ("sdot-uses", "senior-facilities-big-data"):
        assert f"[{fact}](../../book/sources.md#{fact})" in lenses, f"no policy lens cites {fact!r}"


def test_index_names_the_exercise_and_the_datasets():
    index = (FOLDER / "index.md").read_text(encoding="utf-8")
    assert "exercises/m5-sustainable/" in index
    for name in ("air_quality_daily", "air_quality_standards", "sdot_readings", "green_space", "bike_trips",
                 "facilities", "dong_population"):
        assert f"`{name}`" in index
    assert "## How Seoul did it" in index
