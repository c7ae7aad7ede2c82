"""What sanitize.py removes, and what it leaves alone: an honest pandas table is not an attack."""

from __future__ import annotations

import nbformat
import pandas as pd


def test_an_honest_dataframe_output_is_cleaned_without_a_flag():
    from smartseoul.grading import sanitize

    out = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": pd.DataFrame({"gu": ["Jongno-gu"], "n": [3]})._repr_html_(),
            "text/plain": "table",
        },
    }
    assert sanitize.sanitize_output(out) == []
    assert "Jongno-gu" in out["data"]["text/html"] and "<table" in out["data"]["text/html"]


def test_active_content_is_removed_and_flagged():
    from smartseoul.grading import sanitize

    out = {
        "output_type": "execute_result",
        "metadata": {},
        "execution_count": 1,
        "data": {
            "text/html": '<b>ok</b><script>alert(1)</script><img src=x onerror="alert(2)">',
            "application/javascript": "alert(3)",
            "text/plain": "x",
        },
    }
    removed = sanitize.sanitize_output(out)
    assert removed and "application/javascript" not in out["data"]
    assert "script" not in out["data"]["text/html"] and "onerror" not in out["data"]["text/html"]


def test_markdown_links_that_run_code_are_neutralised():
    from smartseoul.grading import sanitize

    cell = nbformat.v4.new_markdown_cell(
        "See [the map](javascript:alert(1)) and [the source](https://data.seoul.go.kr)\n"
        "[ref]: vbscript:msgbox(2)"
    )
    assert sanitize.sanitize_markdown_cell(cell)
    assert "javascript:" not in cell.source and "vbscript:" not in cell.source
    assert "(https://data.seoul.go.kr)" in cell.source
