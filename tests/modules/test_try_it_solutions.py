"""Every Try-it has a worked solution right after it (issue 15, item 5)."""

from __future__ import annotations

import nbformat
import pytest

from smartseoul.testing import notebooks


@pytest.mark.parametrize("path", notebooks.module_notebooks(), ids=lambda p: p.name)
def test_every_try_it_has_a_worked_solution(path):
    problems = notebooks.try_its_without_solution(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)


TRY = "```{admonition} Try it\n:class: tip\nChange the radius.\n```"
DROPDOWN = ":::{dropdown} Worked solution\nA larger radius covers more.\n:::"


def cells(*items):
    nb = nbformat.v4.new_notebook()
    for item in items:
        if item.startswith("code:"):
            cell = nbformat.v4.new_code_cell(item.removeprefix("code:"))
            if "solution" in item:
                cell.metadata["tags"] = [notebooks.SOLUTION_TAG]
            nb.cells.append(cell)
        else:
            nb.cells.append(nbformat.v4.new_markdown_cell(item))
    return notebooks.try_its_without_solution(nb)


def test_a_try_it_followed_by_a_solution_cell_or_dropdown_passes():
    assert cells("Intro", TRY, "code:# worked solution\nx = 2", "code:y = 1") == []
    assert cells(TRY + "\n\n" + DROPDOWN, "code:y = 1") == []
    assert cells(TRY + "\n\n" + TRY, "code:# solution 1", "code:# solution 2") == []


@pytest.mark.parametrize(
    "planted",
    [
        ("Intro", TRY, "code:y = 1"),  # the lesson goes on without a solution
        (TRY,),  # the notebook ends
        (TRY + "\n\n" + TRY, "code:# solution 1", "code:y = 1"),  # one of two boxes unanswered
        ("code:# solution before any box",),
    ],
)
def test_a_missing_or_stray_solution_fails(planted):
    assert cells(*planted)
