"""Module 3 (the Owl Bus case study) teaches what its issue asks for, in the course's conventions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import notebooks

FOLDER = Path(__file__).resolve().parents[2] / "modules" / "03-owl-bus-case-study"
NOTEBOOKS = sorted(FOLDER.glob("03*.ipynb"))


def _source(path: Path, kind: str) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind)


def test_module_has_its_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "03a-finding-late-night-demand.ipynb",
        "03b-designing-and-testing-routes.ipynb",
        "03c-cctv-priority-index.ipynb",
    ]


def test_hot_spots_compare_top_k_with_a_local_statistic_on_hexagon_neighbours():
    code = _source(FOLDER / "03a-finding-late-night-demand.ipynb", "code")
    assert 'data.load("late_night_hexes")' in code and 'data.load("late_night_hourly")' in code
    assert 'data.load("late_night_od")' in code
    assert "def getis_ord_gi_star" in code and "def neighbour_matrix" in code
    assert "connected_components" in code, "hot spots are grouped into corridors"


def test_routes_are_measured_in_metres_with_an_adjustable_walking_distance():
    code = _source(FOLDER / "03b-designing-and-testing-routes.ipynb", "code")
    assert 'data.load("owl_bus_routes")' in code
    assert "geo.to_metric" in code and ".buffer(walk_m)" in code
    assert re.search(r"^WALK_M = \d+", code, re.MULTILINE)
    assert re.search(r"^PROPOSAL_AREAS = \[", code, re.MULTILINE), "the trainee can change the proposed route"
    assert 'data.load("late_night_daily")' in code, "evaluation after launch"


def test_cctv_index_has_adjustable_weights_and_a_robustness_test():
    code = _source(FOLDER / "03c-cctv-priority-index.ipynb", "code")
    assert re.search(r"^WEIGHTS = \{", code, re.MULTILINE)
    assert "SCENARIOS" in code and "def priority_index" in code
    assert '"cctv"' in code and 'data.load("dong_population")' in code


def test_policy_lens_covers_partnerships_privacy_and_evaluation_with_sources():
    texts = [(FOLDER / "index.md").read_text(encoding="utf-8")] + [_source(p, "markdown") for p in NOTEBOOKS]
    lenses = [t for text in texts for t in re.findall(r"```\{admonition\} Policy lens(.*?)```", text, re.DOTALL)]
    joined = " ".join(lenses).lower()
    for word in ("partnership", "privacy", "pilot"):
        assert word in joined, f"no policy lens mentions {word!r}"
    # the Seoul facts in the lenses are cited by fact ID, as links to the sources page
    for fact in ("owl-bus-kt-partnership", "owl-bus-pilot", "owl-bus-merger-2014", "gangseo-cctv-sites"):
        assert f"[{fact}](../../book/sources.md#{fact})" in joined, f"no policy lens cites {fact!r}"


def test_index_names_the_exercise_and_the_datasets():
    index = (FOLDER / "index.md").read_text(encoding="utf-8")
    assert "exercises/m3-owl-bus/" in index
    for name in ("late_night_hexes", "late_night_hourly", "late_night_od", "owl_bus_routes", "districts"):
        assert f"`{name}`" in index
    assert "## How Seoul did it" in index
