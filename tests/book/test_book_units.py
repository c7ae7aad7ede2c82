"""Fast checks of the book's configuration and of the helpers the build and audits rely on
(no book build here)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from smartseoul.book import audit, toc
from smartseoul.testing.notebooks import MODULES

ROOT = Path(__file__).resolve().parents[2]


def test_config_executes_with_cache_raises_on_error_and_builds_only_the_toc():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["raise_on_error"] is True and config["execute"]["allow_errors"] is False
    assert config["execute"]["timeout"] >= 60
    assert "exercises/**" in config["exclude_patterns"], "nbgrader source notebooks must never be built"
    assert config["sphinx"]["config"]["language"] == "en"
    buttons = config["launch_buttons"]
    assert buttons["binderhub_url"] and buttons["colab_url"] and buttons["jupyterhub_url"]


def test_toc_lists_every_module_with_a_glob_for_its_notebooks():
    full = toc.load(ROOT / "_toc.yml")
    chapters = {c["file"]: c for part in full["parts"] for c in part["chapters"]}
    for module in MODULES:
        chapter = chapters[f"modules/{module}/index"]
        assert chapter["sections"] == [
            {"glob": f"modules/{module}/{module[:2]}*"},
            {"file": f"book/_generated/python/{module}"},  # its "Python you have met" page
        ]
    for page in [
        "book/syllabus",
        "book/setup",
        "book/glossary",
        "book/sources",
        "book/references",
        "book/instructor-guide",
        "book/about",
        "book/exercises",
        "book/_generated/data-catalogue",
    ]:
        assert page in chapters, f"{page} missing from _toc.yml"


def _write(path: Path, text: str = "# Title\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_pruned_toc_keeps_what_exists_and_says_what_it_left_out(tmp_path):
    _write(tmp_path / "book" / "intro.md")
    _write(tmp_path / "modules" / "00-orientation" / "index.md")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "modules" / "00-orientation" / "00a-first.ipynb")
    _write(tmp_path / "modules" / "01-smart-city-initiatives" / "index.md")
    full = {
        "format": "jb-book",
        "root": "book/intro",
        "parts": [
            {
                "caption": "Modules",
                "chapters": [
                    {
                        "file": "modules/00-orientation/index",
                        "sections": [{"glob": "modules/00-orientation/00*"}],
                    },
                    {
                        "file": "modules/01-smart-city-initiatives/index",
                        "sections": [{"glob": "modules/01-smart-city-initiatives/01*"}],
                    },
                    {
                        "file": "modules/02-big-data-post-covid/index",
                        "sections": [{"glob": "modules/02-big-data-post-covid/02*"}],
                    },
                ],
            },
            {"caption": "Later", "chapters": [{"file": "book/not-yet"}]},
        ],
    }
    pruned = toc.prune(full, tmp_path)
    chapters = pruned.toc["parts"][0]["chapters"]
    assert [c["file"] for c in chapters] == [
        "modules/00-orientation/index",
        "modules/01-smart-city-initiatives/index",
    ]
    assert chapters[0]["sections"] == [{"glob": "modules/00-orientation/00*"}]
    assert "sections" not in chapters[1], "an empty glob must be dropped (it is a warning, hence an error)"
    assert len(pruned.toc["parts"]) == 1
    assert any("02-big-data" in s for s in pruned.left_out) and any("Later" in s for s in pruned.left_out)
    assert toc.toc_docnames(pruned.toc, tmp_path) == [
        "book/intro",
        "modules/00-orientation/index",
        "modules/00-orientation/00a-first",
        "modules/01-smart-city-initiatives/index",
    ]


def test_a_missing_root_page_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="root page"):
        toc.prune({"format": "jb-book", "root": "book/intro"}, tmp_path)


@pytest.mark.parametrize(
    "alt,ok",
    [
        (None, False),
        ("", False),
        ("  ", False),
        ("districts.png", False),
        ("figure", False),
        ("Map of Seoul's 25 districts coloured by population", True),
    ],
)
def test_alt_text_rules(alt, ok):
    assert (audit.alt_problem(alt, "_images/districts.png") is None) is ok


def _site(tmp_path: Path, body: str, heading: str = "<h1>Page</h1>") -> Path:
    html = tmp_path / "html"
    _write(
        html / "book" / "page.html",
        f'<html lang="en"><body><article class="bd-article">{heading}{body}</article></body></html>',
    )
    (html / "searchindex.js").write_text(
        'Search.setIndex({"docnames": ["book/page"], "terms": {"hello": 0}})'
    )
    return html


def _exercise(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "answer = 1\n### BEGIN SOLUTION\nsecret_total = raw_table.groupby('gu').sum()\n### END SOLUTION"
        ),
        nbformat.v4.new_code_cell(
            "assert answer\n### BEGIN HIDDEN TESTS\nassert verysecretfunction(answer) == 42\n### END HIDDEN TESTS"
        ),
        nbformat.v4.new_markdown_cell(
            "Why?\n=== BEGIN MARK SCHEME ===\nFull marks if the trainee mentions masking small cells.\n=== END MARK SCHEME ==="
        ),
    ]
    ex = tmp_path / "exercises" / "m9-test"
    ex.mkdir(parents=True)
    nbformat.write(nb, ex / "m9-test.ipynb")
    return tmp_path / "exercises"


def test_leak_needles_come_from_solutions_hidden_tests_and_mark_schemes(tmp_path):
    needles = audit.leak_needles(_exercise(tmp_path))
    kinds = {n.kind: n.text for n in needles}
    assert kinds["solution"] == "secret_total = raw_table.groupby('gu').sum()"
    assert kinds["hidden test"] == "assert verysecretfunction(answer) == 42"
    assert kinds["mark scheme"].startswith("Full marks")
    assert all(n.text != "assert answer" for n in needles), "visible tests are not secrets"


def test_leak_check_finds_a_solution_in_page_text_even_when_highlighted(tmp_path):
    needles = audit.leak_needles(_exercise(tmp_path))
    clean = _site(tmp_path / "a", "<p>Nothing to see</p>")
    assert audit.find_leaks(clean, needles) == []
    highlighted = (
        '<pre><span class="n">secret_total</span> <span class="o">=</span> '
        '<span class="n">raw_table</span>.groupby(&#39;gu&#39;).sum()</pre>'
    )
    leaky = _site(tmp_path / "b", highlighted)
    assert any("solution of m9-test" in leak for leak in audit.find_leaks(leaky, needles))


def test_leak_check_reads_the_search_index(tmp_path):
    needles = audit.leak_needles(_exercise(tmp_path))
    html = _site(tmp_path / "c", "<p>clean</p>")
    index = {
        "docnames": ["book/page", "exercises/m9-test/m9-test"],
        "terms": {audit._stem("verysecretfunction"): 0},
    }
    (html / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    leaks = audit.find_leaks(html, needles)
    assert any("source notebook" in leak for leak in leaks)
    assert any("verysecretfunction" in leak for leak in leaks)
    # a word that is also public (the stem appears in a public text) is not a leak
    assert not any(
        "verysecretfunction" in leak
        for leak in audit.find_leaks(html, needles, audit.public_stems(["verysecretfunction"]))
    )


def test_headings_that_skip_a_level_are_reported(tmp_path):
    good = _site(tmp_path / "g", "<h2>a</h2><h3>b</h3><h2>c</h2>")
    bad = _site(tmp_path / "b", "<h3>skipped</h3>")
    assert audit.heading_problems(good) == []
    assert audit.heading_problems(bad) == ["book/page.html: h1 followed by h3 ('skipped')"]


def test_markdown_tables_escape_pipes_and_newlines():
    from smartseoul.render import render

    page = render(
        "catalogue_dataset.md.j2", title="t", provenance=[], listing=[["a|b", "line\nbreak", None, "", ""]]
    )
    table = "\n".join(line for line in page.splitlines() if line.startswith("|"))
    assert "a\\|b" in table and "line break" in table
    assert table.splitlines()[2].count("|") - table.splitlines()[2].count("\\|") == 6


def test_binder_installs_exactly_the_pinned_versions():
    def pins(path):
        lines = path.read_text().splitlines()
        return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))

    assert pins(ROOT / "binder" / "requirements.txt") == pins(ROOT / "constraints.txt"), (
        "binder/requirements.txt is out of date: run 'smartseoul book binder'"
    )
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post and "smartseoul data generate" in post


def test_citation_and_licences_are_present():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] and cff["title"] and cff["license"] == ["MIT", "CC-BY-4.0"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-content.md").read_text()


def test_student_pages_keep_their_links_working_from_the_books_folder():
    """An exercise links the sources page from exercises/<a>/; its student page lives elsewhere."""
    from smartseoul.book.student import _relink

    text = "([owl](../../book/sources.md#owl-bus-hexagons)), [web](https://a.example), [here](#top)"
    moved = _relink(text, "exercises/m3-owl-bus", "book/_generated/exercises")
    assert "[owl](../../sources.md#owl-bus-hexagons)" in moved
    assert "[web](https://a.example)" in moved and "[here](#top)" in moved
    assert _relink(text, "exercises/m3-owl-bus", "exercises/m3-owl-bus") == text
