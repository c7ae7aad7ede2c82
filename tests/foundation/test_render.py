"""Templates escape what they print: HTML fully, Markdown where it would read a value as markup."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from smartseoul.grading.feedback import _summary_cell
from smartseoul.render import render

ATTACK = '<img src=x onerror="alert(1)">'


def _rows(message: str) -> list[dict]:
    return [
        {
            "grade_id": "q1_test",
            "score": 0.0,
            "max_score": 2.0,
            "kind": "auto",
            "manual": False,
            "message": message,
        }
    ]


def test_markdown_values_cannot_carry_html_or_break_a_table():
    text = _summary_cell(ATTACK, _rows(f"{ATTACK} a|b\nc"), {"flags": [{"message": ATTACK}]}).source
    assert "<img" not in text and text.count("&lt;img") == 3
    row = next(line for line in text.splitlines() if line.startswith("| q1_test"))
    assert row.count("|") - row.count("\\|") == 5 and "a\\|b c" in row


def test_html_values_are_escaped():
    html = render(
        "grading_report.html.j2",
        assignment=ATTACK,
        generated="2026-12-06 00:00",
        n_graded=1,
        mean_total=1.0,
        max_total=2.0,
        status={"received": 1, "balanced": True, "isolation": "full"},
        counts={"graded": 1, "graded-with-flags": 0, "rejected": 0, "pending": 0},
        figures=[{"title": "t", "alt": ATTACK, "png": "AAAA"}],
        questions=[["q1", "2", "1.00", "50%", "0.50", "n/a"]],
        flagged=[["s1", "q1", "hook", ATTACK]],
        n_flagged=1,
        rejected=[],
    )
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert 'alt="&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"' in html


def test_a_missing_value_is_an_error_not_an_empty_string():
    with pytest.raises(UndefinedError):
        render("feedback_summary.md.j2", student="s1")


def test_a_template_name_must_say_its_kind():
    with pytest.raises(ValueError, match=r"\.html\.j2 or \.md\.j2"):
        render("feedback_summary.txt")


def test_dataset_readme_shows_angle_brackets_instead_of_swallowing_them():
    """`<GU>` in a description would be read as an HTML tag and vanish from the rendered page."""
    from smartseoul.data.build import dataset_readme

    resource = {
        "name": "covid",
        "title": "Cases",
        "description": "API key <GU>ADD",
        "path": "covid/covid.csv",
        "format": "csv",
        "encoding": "utf-8",
        "role": "clean",
        "provenance": "synthetic",
        "sources": [{"title": "Portal", "path": "https://data.seoul.go.kr"}],
        "schema": {"fields": [{"name": "new_cases", "type": "integer", "description": "new|cases\nper day"}]},
    }
    text = dataset_readme("covid", [resource])
    assert "API key &lt;GU>ADD" in text and "<GU>" not in text
    assert "[Portal](https://data.seoul.go.kr)" in text  # the template's own link stays a link
    assert "| `new_cases` |  | integer |  | new\\|cases per day |" in text
