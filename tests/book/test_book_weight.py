"""Low bandwidth: the weight of every page of the built book on a first visit, in Chromium, and
nothing loaded from outside the book (no web fonts, scripts or analytics).

Every page is opened once with an empty cache (the `page_visits` fixture of conftest.py, which
also runs axe there). Every request that leaves 127.0.0.1 is refused and counted; one is enough
to fail. Each page
must stay within the budget (smartseoul.book.weight.BUDGET_BYTES, 1.5 MB as a web server that
compresses with gzip sends it; the table also gives the size without compression). The table is printed
(pytest -s shows it) and saved to test-artifacts/a11y/page-weight.txt. The same table for any
built book: `smartseoul book weight`."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from smartseoul.book import weight

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "a11y"
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]


@pytest.fixture(scope="module")
def weights(page_visits) -> list[weight.PageWeight]:
    found = [visit.weight for visit in page_visits]
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
    over = [w for w in weights if w.over()]
    assert not over, (
        f"pages over the {weight.BUDGET_BYTES / 1e6:.1f} MB budget (sent with gzip):\n"
        + "\n".join(
            f"{w.page}: {w.gzip_bytes / 1e6:.2f} MB with gzip, {w.bytes / 1e6:.2f} MB without; largest files: "
            + ", ".join(f"{url.rsplit('/', 1)[-1]} {size / 1000:.0f} KB" for size, url in w.largest[:3])
            for w in over
        )
    )


def test_the_checks_catch_an_external_font_and_a_heavy_page(tmp_path, chromium):
    """The weighing itself can fail: a page with a web font from outside and 2 MB of script
    that gzip cannot shrink (random numbers)."""
    exe = chromium
    numbers = random.Random(22).getrandbits(8 * 1_500_000).to_bytes(1_500_000, "big").hex()
    (tmp_path / "big.js").write_text(f"var weight = '{numbers}';", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto"></head>'
        '<body><script src="big.js"></script></body></html>',
        encoding="utf-8",
    )
    (measured,) = weight.measure_book(tmp_path, pages=["page.html"], chromium=exe)
    assert measured.external == ["https://fonts.googleapis.com/css2?family=Roboto"]
    assert measured.over() and measured.gzip_bytes > weight.BUDGET_BYTES
    assert "over budget, 1 external request(s)" in weight.format_table([measured])
