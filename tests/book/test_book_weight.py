"""Low bandwidth: the weight of every page of the built book on a first visit, in Chromium, and
nothing loaded from outside the book (no web fonts, scripts or analytics).

Every request that leaves 127.0.0.1 is refused and counted; one is enough to fail. Each page
must stay within the budget (smartseoul.book.weight.BUDGET_BYTES, 1.5 MB). The table is printed
(pytest -s shows it) and saved to test-artifacts/a11y/page-weight.txt. The same table for any
built book: `smartseoul book weight`."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartseoul.book import audit, weight

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "a11y"
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]


def _needs_chromium() -> Path:
    exe = weight.find_chromium()
    if exe is None:
        pytest.skip(
            "no Chromium found: install Debian's browser with 'apt-get install chromium' (as .ci/run "
            "does) or set SMARTSEOUL_CHROMIUM=/path/to/chromium to weigh the pages"
        )
    return exe


@pytest.fixture(scope="module")
def weights(html_dir) -> list[weight.PageWeight]:
    exe = _needs_chromium()
    found = weight.measure_book(html_dir, chromium=exe)
    for book in audit.translations(html_dir):
        for w in weight.measure_book(book, chromium=exe):
            w.page = f"{book.name}/{w.page}"
            found.append(w)
    table = weight.format_table(found)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(table + "\n", encoding="utf-8")
    print(table)
    return found


def test_no_page_loads_anything_from_outside_the_book(weights):
    asked = [f"{w.page}: {url}" for w in weights for url in w.external]
    assert len(weights) >= 10
    assert not asked, "pages ask for resources outside the book (they must work offline):\n" + "\n".join(
        asked[:40]
    )


def test_every_page_is_within_the_budget(weights):
    over = [w for w in weights if w.bytes > weight.BUDGET_BYTES]
    assert not over, f"pages over the {weight.BUDGET_BYTES / 1e6:.1f} MB budget:\n" + "\n".join(
        f"{w.page}: {w.bytes / 1e6:.2f} MB; largest files: "
        + ", ".join(f"{url.rsplit('/', 1)[-1]} {size / 1000:.0f} KB" for size, url in w.largest[:3])
        for w in over
    )


def test_the_checks_catch_an_external_font_and_a_heavy_page(tmp_path):
    """The weighing itself can fail: a page with a web font from outside and a 2 MB image."""
    exe = _needs_chromium()
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2_000_000))
    (tmp_path / "page.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto"></head>'
        '<body><img src="big.png" alt="a big picture"></body></html>',
        encoding="utf-8",
    )
    (measured,) = weight.measure_book(tmp_path, pages=["page.html"], chromium=exe)
    assert measured.external == ["https://fonts.googleapis.com/css2?family=Roboto"]
    assert measured.bytes > weight.BUDGET_BYTES
    assert "over budget, 1 external request(s)" in weight.format_table([measured])
