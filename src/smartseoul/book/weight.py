"""Page weight: how many bytes a trainee downloads to open each page of the built book.

Some participants connect at a few hundred kilobits per second. We open every page in Chromium
(Debian's, driven by Playwright) from a local web server, with an empty cache, as a first visit
does, and add up every response: the HTML, its stylesheets, scripts, fonts and images. Every
request that leaves the machine is refused and reported: the book must load nothing from outside
(no web fonts, scripts or analytics), so it also works offline.

`smartseoul book weight` prints the table; tests/book/test_book_weight.py checks the budget and
the external requests."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..browser import CHROMIUM_ARGS, NO_CHROMIUM, find_chromium

#: The budget per page, first visit, as sent by a web server that compresses with gzip, as GitHub
#: Pages, nginx and Apache do for HTML, CSS and JavaScript (issue 22: "under 1.5 MB for module
#: pages"). Images are counted as they are: gzip does not make PNG files smaller.
BUDGET_BYTES = 1_500_000
#: The slow connection we quote times for: 256 kilobits per second.
SLOW_LINK_BITS_PER_SECOND = 256_000


@dataclass
class PageWeight:
    """What one first visit to one page downloads."""

    page: str
    requests: int = 0
    bytes: int = 0
    #: the same files compressed with gzip, as most web servers send them
    gzip_bytes: int = 0
    #: requests to anywhere but the local server (refused): each one is a fault
    external: list[str] = field(default_factory=list)
    #: the largest files, (bytes, url), biggest first
    largest: list[tuple[int, str]] = field(default_factory=list)

    def over(self, budget: int = BUDGET_BYTES) -> bool:
        """Over the budget as a compressing web server sends the page."""
        return self.gzip_bytes > budget

    def seconds_on_slow_link(self, compressed: bool = True) -> float:
        size = self.gzip_bytes if compressed else self.bytes
        return size * 8 / SLOW_LINK_BITS_PER_SECOND


_GZIPPED: dict[str, int] = {}


def gzipped_size(body: bytes) -> int:
    """The size of `body` compressed as a web server would (remembered: pages share files)."""
    key = hashlib.sha1(body).hexdigest()
    if key not in _GZIPPED:
        _GZIPPED[key] = len(gzip.compress(body, 6))
    return _GZIPPED[key]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 on a free port; yields its base URL (no trailing slash)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def measure_page(
    browser: Any,
    url: str,
    label: str,
    local_prefix: str,
    settle_ms: int = 200,
    wait_for: str | None = None,
    inspect: Callable[[Any], None] | None = None,
    color_scheme: str = "light",
) -> PageWeight:
    """Open `url` in a fresh browser context (empty cache), refuse anything not under
    `local_prefix`, and add up every response the page received until it was quiet (or, for an
    application such as JupyterLab that keeps connections open, until `wait_for`, a CSS
    selector, is on the page). `inspect(page)`, if given, runs on the loaded page before it is
    closed (the accessibility test checks the page there, in the same visit)."""
    weight = PageWeight(page=label)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    outside = re.compile(r"^(?!" + re.escape(local_prefix) + r")(https?|wss?|ftp):")

    def refuse(route: Any) -> None:
        weight.external.append(route.request.url)
        route.abort()

    context.route(outside, refuse)
    page = context.new_page()
    sizes: list[tuple[int, int, str]] = []
    pending: set[Any] = set()

    def finished(request: Any) -> None:
        pending.discard(request)
        response = request.response()
        if response is None:
            return
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted request has no body
            return
        sizes.append((len(body), gzipped_size(body), request.url))

    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", finished)
    page.on("requestfailed", lambda request: pending.discard(request))
    page.goto(url, wait_until="load")
    if wait_for:
        page.wait_for_selector(wait_for, timeout=90_000)
    # what the page's scripts ask for after the load event (quiet for settle_ms, 10 s at most)
    quiet_since, waited = None, 0
    while waited < 10_000:
        if pending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = waited
        elif waited - quiet_since >= settle_ms:
            break
        page.wait_for_timeout(50)
        waited += 50
    try:
        if inspect is not None:
            inspect(page)
    finally:
        context.close()
    weight.requests = len(sizes)
    weight.bytes = sum(s[0] for s in sizes)
    weight.gzip_bytes = sum(s[1] for s in sizes)
    weight.largest = sorted(((s[0], s[2]) for s in sizes), reverse=True)[:5]
    return weight


def book_pages(html_dir: Path) -> list[str]:
    """Every page of one built book (relative paths), without the root redirect page."""
    from .audit import html_pages

    pages = [p.relative_to(html_dir).as_posix() for p in html_pages(html_dir)]
    return [p for p in pages if p != "index.html"]


def measure_book(
    html_dir: Path, pages: list[str] | None = None, chromium: Path | None = None
) -> list[PageWeight]:
    """The weight of each page of the book built in `html_dir` (a translated book is a folder of
    its own: pass `_build/html/ar` for the Arabic one)."""
    from playwright.sync_api import sync_playwright

    exe = chromium or find_chromium()
    if exe is None:
        raise FileNotFoundError(NO_CHROMIUM)
    pages = pages if pages is not None else book_pages(html_dir)
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS)
        try:
            return [measure_page(browser, f"{base}/{rel}", rel, base) for rel in pages]
        finally:
            browser.close()


def format_table(weights: list[PageWeight], budget: int | None = BUDGET_BYTES) -> str:
    """A plain-text table, heaviest page first, with a total line (budget None: no budget)."""
    rows = sorted(weights, key=lambda w: w.gzip_bytes, reverse=True)
    width = max([len(w.page) for w in rows] + [4])
    lines = [
        f"{'page':<{width}}  {'files':>5}  {'KB':>7}  {'KB gzip':>7}  {'s @256kbit/s':>12}  status",
        "-" * (width + 50),
    ]
    for w in rows:
        status = "over budget" if budget is not None and w.gzip_bytes > budget else "ok"
        if w.external:
            status += f", {len(w.external)} external request(s)"
        lines.append(
            f"{w.page:<{width}}  {w.requests:>5}  {w.bytes / 1000:>7.0f}  {w.gzip_bytes / 1000:>7.0f}"
            f"  {w.seconds_on_slow_link():>12.1f}  {status}"
        )
    if rows:
        heaviest = rows[0]
        lines.append("-" * (width + 50))
        lines.append(
            f"{len(rows)} pages; heaviest {heaviest.gzip_bytes / 1000:.0f} KB with gzip, "
            f"{heaviest.bytes / 1000:.0f} KB without ({heaviest.page}); "
            f"median {sorted(w.gzip_bytes for w in rows)[len(rows) // 2] / 1000:.0f} KB with gzip"
            + (f"; budget {budget / 1000:.0f} KB per page with gzip" if budget is not None else "")
        )
    return "\n".join(lines)
