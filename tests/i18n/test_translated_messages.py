"""A translated paragraph with a footnote reference builds and links to the footnote, and a
translated numbered title stays a title.

The first build, without the course's extension, shows the MyST-Parser 3 failure it works around
(so this test fails if the workaround stops being needed, or stops working)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

PAGE = """# Title

## 1. How a notebook works

Seoul covers 605.2 km²[^area] and has 25 districts.

[^area]: Seoul's official area.
"""


def _build(src: Path, out: Path, extension: bool) -> subprocess.CompletedProcess:
    extensions = ["myst_parser"] + (["smartseoul.book.translated_messages"] if extension else [])
    (src / "conf.py").write_text(f"extensions = {extensions!r}\nlocale_dirs = ['locale/']\n")
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", "language=ru", str(src), str(out)],
        capture_output=True,
        text=True,
    )


def test_a_translated_footnote_reference_and_a_numbered_title_are_kept(tmp_path):
    src = tmp_path / "src"
    (src / "locale" / "ru" / "LC_MESSAGES").mkdir(parents=True)
    (src / "index.md").write_text(PAGE, encoding="utf-8")
    catalog = Catalog(locale="ru")
    catalog.add(
        "Seoul covers 605.2 km²[^area] and has 25 districts.",
        "Площадь Сеула 605,2 км²[^area], в нём 25 районов.",
    )
    catalog.add("Seoul's official area.", "Официальная площадь Сеула.")
    catalog.add("1. How a notebook works", "1. Как работает блокнот")
    with (src / "locale" / "ru" / "LC_MESSAGES" / "index.mo").open("wb") as f:
        write_mo(f, catalog)

    plain = _build(src, tmp_path / "plain", extension=False)
    assert "inconsistent footnote references" in plain.stderr, "MyST-Parser no longer needs the workaround"
    assert "1. How a notebook works" in (tmp_path / "plain" / "index.html").read_text(encoding="utf-8"), (
        "without the workaround the numbered title stays in English"
    )

    fixed = _build(src, tmp_path / "fixed", extension=True)
    assert "WARNING" not in fixed.stderr, fixed.stderr
    html = (tmp_path / "fixed" / "index.html").read_text(encoding="utf-8")
    assert "Площадь Сеула 605,2" in html
    assert 'class="footnote-reference brackets" href="#area"' in html
    assert "Официальная площадь Сеула." in html
    assert "1. Как работает блокнот</h2>" in html.replace("<a class", "</h2><a class").replace("\n", "")
