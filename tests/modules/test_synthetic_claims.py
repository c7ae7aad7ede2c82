"""Results of the synthetic data are never stated as facts about Seoul (issue 16, item 4)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from smartseoul import synthetic_claims

ROOT = Path(__file__).resolve().parents[2]


def test_no_module_notebook_states_an_unframed_result():
    found = synthetic_claims.check(ROOT)
    assert not found, "\n".join(map(str, found))


def one_notebook(tmp_path: Path, markdown: str, code_before: str = "x = 1") -> list[str]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code_before), nbformat.v4.new_markdown_cell(markdown)]
    path = tmp_path / "modules" / "02-m" / "02a.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return [f.code for f in synthetic_claims.check(tmp_path)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The loss is deepest in the centre, where offices sit.",
        "Most of the city is well served, but coverage is uneven.",
        "The pandemic hit evenings hardest; commutes recovered first.",
        "These speeds match what TOPIS reports.",
        "Ridership in Gangnam fell the most.",
    ],
)
def test_an_unframed_result_is_flagged(tmp_path, sentence):
    assert one_notebook(tmp_path, "Some words.\n\n" + sentence) == ["unframed-result"]


@pytest.mark.parametrize(
    ("markdown", "code_before"),
    [
        ("In this course's synthetic data, the loss is deepest in the centre.", "x = 1"),
        ("The printed table shows that the loss is deepest in the centre.", "x = 1"),
        ("The loss is deepest in the centre.", "assert loss['centre'] == loss.max()"),
        ("Which district is busiest at night?", "x = 1"),
        ("Heat hits older people hardest ([heat-elderly](../../book/sources.md#heat-elderly)).", "x = 1"),
    ],
)
def test_a_framed_shown_asserted_or_cited_result_passes(tmp_path, markdown, code_before):
    assert one_notebook(tmp_path, markdown, code_before) == []
