"""One set of times (issue 15): notebook headers, module pages and the syllabus agree, and each
week fits the hours the syllabus promises."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p for p in (ROOT / "modules").iterdir() if p.is_dir())
SYLLABUS = ROOT / "book" / "syllabus.md"


def header_minutes(path: Path) -> int:
    """'**Time:** about N minutes' at the top of a notebook or a reading page."""
    text = (
        nbformat.read(path, as_version=4).cells[0].source
        if path.suffix == ".ipynb"
        else path.read_text("utf-8")
    )
    m = re.search(r"\*\*Time:?\*\*\s*about (\d+) minutes", text)
    assert m, f"{path.name} states no '**Time:** about N minutes' at its top"
    return int(m.group(1))


def module_times(folder: Path) -> dict:
    """The 'Estimated time' of a module page: total, each notebook's minutes, and the exercise."""
    text = (folder / "index.md").read_text("utf-8")
    block = text[text.index("Estimated time") :].split("\n\n")[0]
    total = int(re.search(r"(\d+) minutes", block).group(1))
    pages = {label: int(n) for label, n in re.findall(r"\b(\d[a-d]): (\d+)", block)}
    items = [int(n) for n in re.findall(r"^\s*- [^\n]*?(\d+) minutes", block, flags=re.M)]
    exercise = re.search(r"(\d+) minutes for the exercise|exercise: (\d+) minutes", block)
    assert exercise, f"{folder.name}: the estimated time gives no minutes for the exercise"
    minutes = int(exercise.group(1) or exercise.group(2))
    study = sum(pages.values()) if pages else sum(items) - minutes
    return {"total": total, "pages": pages, "study": study, "exercise": minutes}


@pytest.mark.parametrize("folder", MODULES, ids=lambda p: p.name)
def test_a_module_page_adds_up_and_matches_its_notebooks(folder):
    check_module(folder)


def test_a_notebook_whose_time_disagrees_with_its_module_page_fails(tmp_path):
    import shutil

    folder = tmp_path / MODULES[1].name
    shutil.copytree(MODULES[1], folder)
    notebook = sorted(folder.glob("*.ipynb"))[0]
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = re.sub(r"about \d+ minutes", "about 5 minutes", nb.cells[0].source, count=1)
    nbformat.write(nb, notebook)
    with pytest.raises(AssertionError, match="says 5 min"):
        check_module(folder)


def check_module(folder: Path) -> None:
    times = module_times(folder)
    assert times["study"] + times["exercise"] == times["total"], f"{folder.name}: {times}"
    for label, minutes in times["pages"].items():
        page = next(p for p in folder.iterdir() if p.name.startswith(f"0{label}"))
        assert header_minutes(page) == minutes, (
            f"{page.name} says {header_minutes(page)} min, index {minutes}"
        )


def syllabus_rows() -> dict[int, dict]:
    rows = {}
    for line in SYLLABUS.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows[int(cells[1].split(".")[0])] = {
                "week": int(cells[0]),
                "study": float(cells[3]),
                "exercise": float(cells[5]),
            }
    return rows


def test_the_syllabus_hours_are_the_module_minutes():
    rows = syllabus_rows()
    assert sorted(rows) == list(range(len(MODULES)))
    for number, folder in enumerate(MODULES):
        times = module_times(folder)
        # hours to one decimal place
        assert rows[number]["study"] == pytest.approx(times["study"] / 60, abs=0.051), folder.name
        assert rows[number]["exercise"] == pytest.approx(times["exercise"] / 60, abs=0.051), folder.name
    text = SYLLABUS.read_text("utf-8")
    study = sum(r["study"] for r in rows.values())
    exercise = sum(r["exercise"] for r in rows.values())
    m = re.search(r"Total: about ([\d.]+) hours of study, ([\d.]+) hours of exercises", text)
    assert (
        m
        and float(m.group(1)) == pytest.approx(study, abs=0.15)
        and float(m.group(2)) == pytest.approx(exercise, abs=0.15)
    )


def test_each_week_fits_the_promised_hours():
    text = SYLLABUS.read_text("utf-8")
    low, high = map(int, re.search(r"about (\d+) to (\d+) hours a week", text).groups())
    live = 1.5  # one 90-minute live session a week
    for week in (1, 2, 3):
        hours = sum(r["study"] + r["exercise"] for r in syllabus_rows().values() if r["week"] == week) + live
        assert low <= hours <= high, f"week {week}: {hours:.1f} h, outside the promised {low} to {high} hours"
