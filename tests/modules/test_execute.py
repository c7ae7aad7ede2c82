"""Every module notebook runs top to bottom from a fresh kernel, offline, without warnings."""

from __future__ import annotations

import pytest

from smartseoul.testing import notebooks

NOTEBOOKS = notebooks.module_notebooks()


def test_there_are_module_notebooks():
    assert NOTEBOOKS, "no notebook found under modules/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_clean(path):
    run = notebooks.execute(path)
    errors = [o for c in run.notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert not notebooks.warnings_in_outputs(run.notebook), notebooks.warnings_in_outputs(run.notebook)
    # figures the book will show really are drawn
    for cell in notebooks.figure_cells(run.notebook):
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), (
            f"{path.name}: a cell with alt text drew no figure: {cell.source[:80]!r}"
        )
