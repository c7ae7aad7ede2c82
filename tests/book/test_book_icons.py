"""Icons from the theme's icon font, without its 1.5 MB script (smartseoul.book.icons). Fast:
no book build. The built book is checked in a browser in test_book_browser.py."""

from __future__ import annotations

from pathlib import Path

from smartseoul.book.icons import font_icons, rewrite_book

HEAD = (
    '  <script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>\n'
    '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=55c" />\n'
)
ICONS = (
    '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Light"></i>'
    '<i class="fab fa-github"></i><i class="fa-solid fa-language" aria-hidden="true"></i>'
    '<i class="fancy-text">a word in italics</i><i>plain italics</i>'
)


def test_pages_drop_the_icon_script_and_hide_their_icons():
    page = font_icons(HEAD + ICONS)
    assert "fontawesome.js" not in page
    assert "bootstrap.js" in page  # the theme's other scripts stay
    assert (
        '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Light" aria-hidden="true">'
        in page
    )
    assert '<i class="fab fa-github" aria-hidden="true">' in page
    assert page.count("aria-hidden") == 3  # the one already hidden is not hidden twice
    assert (
        '<i class="fancy-text">a word in italics</i><i>plain italics</i>' in page
    )  # text in italics: untouched


def test_the_book_loses_the_script_but_not_the_books_of_other_languages(tmp_path: Path):
    english, russian = tmp_path, tmp_path / "ru"
    for book in (english, russian):
        (book / "_static" / "scripts").mkdir(parents=True)
        (book / "_static" / "scripts" / "fontawesome.js").write_bytes(b"x" * 1000)
        (book / "_static" / "scripts" / "fontawesome.js.map").write_text("{}")
        (book / "modules").mkdir()
        (book / "modules" / "m0.html").write_text(HEAD + ICONS, encoding="utf-8")
        (book / "searchindex.js").write_text("Search.setIndex({})")  # what makes a folder a built book
    done = rewrite_book(english)
    assert (done.pages, done.icons_hidden, done.script_bytes) == (1, 2, 1000)
    assert not list((english / "_static" / "scripts").iterdir())
    assert "fontawesome.js" not in (english / "modules" / "m0.html").read_text(encoding="utf-8")
    # the Russian book is its own build: its extension run rewrites it
    assert "fontawesome.js" in (russian / "modules" / "m0.html").read_text(encoding="utf-8")
    assert (russian / "_static" / "scripts" / "fontawesome.js").exists()
    assert rewrite_book(english).pages == 0  # a second run changes nothing
