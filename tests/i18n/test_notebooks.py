"""Translated notebooks for JupyterLab are made from the PO files: every markdown block is
found and replaced, code cells and outputs are the English ones byte for byte, and what a notebook
reads next to itself is still next to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartseoul.i18n import notebooks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = notebooks.module_notebooks(ROOT)


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_block_is_translated_and_code_is_untouched(path):
    """A pseudo-translation ('ZZ ' + English) reaches every block of every markdown cell, and the
    translated cells parse into the translated blocks, in the same order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out, done, found = notebooks.translate_notebook(nb, lambda m: "ZZ " + m, "xx")
    assert done == found > 0
    assert len(out["cells"]) == len(nb["cells"])
    for before, after in zip(nb["cells"], out["cells"]):
        if before["cell_type"] != "markdown":
            assert after == before, "a code cell changed"
            continue
        want = ["ZZ " + notebooks.msgid(b.content) for b in notebooks.blocks(_source(before))]
        got = [notebooks.msgid(b.content) for b in notebooks.blocks(_source(after))]
        assert got == want


def test_markdown_containers_keep_their_marks():
    source = (
        "# Title `x`\n\nPara one\nline two [link](a.md).\n\n- item *one*\n  continues\n- item two\n\n"
        "Term\n: definition here\n\n| a | b |\n|---|---|\n| 1 `c` | two |\n\n"
        "```{admonition} Try it\n:class: tip\nBody text.\n```\n\n> quote here\n\nText[^n].\n\n[^n]: Footnote text.\n\n"
        "```python\nprint('code stays')\n```\n"
    )
    table = {
        "Title `x`": "Заголовок `x`",
        "Para one line two [link](a.md).": "Абзац [ссылка](a.md).",
        "item *one* continues": "пункт *один*",
        "item two": "пункт два",
        "Term": "Термин",
        "definition here": "определение",
        "a": "а",
        "b": "б",
        "1 `c`": "1 `c`",
        "two": "два",
        "Try it": "Попробуйте",
        "Body text.": "Текст.",
        "quote here": "цитата",
        "Text[^n].": "Текст[^n].",
        "Footnote text.": "Сноска.",
    }
    out, done, found = notebooks.translate_markdown(source, table.get)
    assert (done, found) == (15, 15)
    assert out == (
        "# Заголовок `x`\n\nАбзац [ссылка](a.md).\n\n- пункт *один*\n- пункт два\n\n"
        "Термин\n: определение\n\n| а | б |\n|---|---|\n| 1 `c` | два |\n\n"
        "```{admonition} Попробуйте\n:class: tip\nТекст.\n```\n\n> цитата\n\nТекст[^n].\n\n[^n]: Сноска.\n\n"
        "```python\nprint('code stays')\n```\n"
    )


def test_an_untranslated_or_fuzzy_block_stays_english():
    out, done, found = notebooks.translate_markdown("One.\n\nTwo.\n", {"One.": "Раз."}.get)
    assert out == "Раз.\n\nTwo.\n" and (done, found) == (1, 2)


def test_the_command_writes_the_russian_notebooks_laid_out_like_the_course(tmp_path):
    from typer.testing import CliRunner

    from smartseoul.cli import app

    out = tmp_path / "nb"
    result = CliRunner().invoke(app, ["i18n", "notebooks", "--lang", "ru", "--out", str(out)])
    assert result.exit_code == 0, result.output
    english = ROOT / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    russian = out / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    nb_en = json.loads(english.read_text(encoding="utf-8"))
    nb_ru = json.loads(russian.read_text(encoding="utf-8"))
    assert _source(nb_ru["cells"][0]).startswith("# 0a. Jupyter и необходимый минимум Python")
    assert [c for c in nb_ru["cells"] if c["cell_type"] == "code"] == [
        c for c in nb_en["cells"] if c["cell_type"] == "code"
    ]
    assert nb_ru["metadata"]["smartseoul_translation"]["language"] == "ru"
    # a notebook's data folder and the book's pages are where its relative paths expect them
    api = out / "modules" / "04-implementation-and-trends" / "api_samples"
    assert api.is_symlink() and api.resolve() == (
        ROOT / "modules" / "04-implementation-and-trends" / "api_samples"
    )
    assert (out / "book" / "sources.md").is_file()
    assert len(list(out.glob("modules/*/*.ipynb"))) == len(NOTEBOOKS)
