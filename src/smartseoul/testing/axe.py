"""For tests and benchmarks only: run axe-core in a page that Playwright has open.

axe-core comes from the npm registry, pinned by tests/a11y/package-lock.json and installed by
`make axe` (`npm ci`) into the environment, next to the hub's proxy. Playwright injects its
axe.min.js from that file, so a check needs no network. We ask axe only for the WCAG 2.0, 2.1
and 2.2 A and AA rules: the level public bodies must meet."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..browser import CHROMIUM_ARGS

if TYPE_CHECKING:
    from ..book.weight import PageWeight

#: The axe rule tags of WCAG 2.2 level A and AA (2.2 adds AA rules only, such as target size).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Where `make axe` installs axe-core: <environment>/share/smartseoul-axe/node_modules/axe-core.
INSTALL_DIR = Path(sys.prefix) / "share" / "smartseoul-axe"


def axe_script() -> Path | None:
    """axe.min.js from `make axe`, or $SMARTSEOUL_AXE if set; None when neither is there."""
    explicit = os.environ.get("SMARTSEOUL_AXE")
    candidate = Path(explicit) if explicit else INSTALL_DIR / "node_modules" / "axe-core" / "axe.min.js"
    return candidate if candidate.is_file() else None


MISSING = (
    "axe-core is not installed: run `make axe` (it installs the version pinned in "
    "tests/a11y/package-lock.json with `npm ci`), or set SMARTSEOUL_AXE=/path/to/axe.min.js"
)


@dataclass
class Violation:
    """One axe rule that failed on one page, with the elements it failed on."""

    page: str
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)
    summary: str = ""

    def describe(self) -> str:
        where = ", ".join(self.targets[:3]) + (
            f" (+{len(self.targets) - 3} more)" if len(self.targets) > 3 else ""
        )
        text = (
            f"{self.page}: {self.rule} ({self.impact}): {self.help}: {len(self.targets)} element(s): {where}"
        )
        if self.summary:
            text += "\n    " + self.summary.splitlines()[0][:300]
        return text


def run_axe(
    page: Any, label: str, *, include: str | None = None, exclude: list[str] | None = None
) -> list[Violation]:
    """Inject axe-core into the open page (once) and check it against WCAG 2.2 A and AA.

    `include` limits the check to one part of the page (a CSS selector); `exclude` leaves parts
    out. Returns one Violation per failed rule."""
    script = axe_script()
    if script is None:
        raise FileNotFoundError(MISSING)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    context: dict[str, Any] = {}
    if include:
        context["include"] = [include]
    if exclude:
        context["exclude"] = [[e] for e in exclude]
    results = page.evaluate(
        """([context, tags]) => axe.run(Object.keys(context).length ? context : document,
                 {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
               .then(r => r.violations.map(v => ({
                   rule: v.id, impact: v.impact || '', help: v.help,
                   targets: v.nodes.map(n => n.target.join(' ')),
                   summary: (v.nodes[0] && v.nodes[0].failureSummary) || ''})))""",
        [context, WCAG_AA_TAGS],
    )
    return [Violation(page=label, **v) for v in results]


@dataclass
class Visit:
    """One first visit to one page: what it downloaded and what axe found there."""

    weight: PageWeight
    violations: list[Violation]


def visit_pages(
    html_dir: Path,
    pages: list[str],
    *,
    chromium: Path,
    workers: int = 2,
    color_scheme: str = "light",
) -> list[Visit]:
    """Open each page of the site in `html_dir` once, with an empty cache, in `workers` browsers
    side by side: weigh it (smartseoul.book.weight) and check it with axe in the same visit."""
    from concurrent.futures import ThreadPoolExecutor

    from ..book import weight

    def visit_some(chunk: list[str], base: str) -> list[Visit]:
        from playwright.sync_api import sync_playwright

        visits = []
        with sync_playwright() as pw:  # one Playwright per thread, as Playwright requires
            browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                for rel in chunk:
                    found: list[Violation] = []
                    label = rel if color_scheme == "light" else f"{rel} ({color_scheme} mode)"

                    def check(page: Any, label: str = label, found: list[Violation] = found) -> None:
                        found.extend(run_axe(page, label))

                    measured = weight.measure_page(
                        browser, f"{base}/{rel}", rel, base, inspect=check, color_scheme=color_scheme
                    )
                    visits.append(Visit(measured, found))
            finally:
                browser.close()
        return visits

    if axe_script() is None:
        raise FileNotFoundError(MISSING)
    chunks = [pages[i::workers] for i in range(workers) if pages[i::workers]]
    with weight.serve(html_dir) as base, ThreadPoolExecutor(max(1, len(chunks))) as pool:
        done = [v for part in pool.map(lambda chunk: visit_some(chunk, base), chunks) for v in part]
    order = {rel: i for i, rel in enumerate(pages)}
    return sorted(done, key=lambda v: order[v.weight.page])


def axe_version() -> str:
    """The installed axe-core's version (from its package.json), for reports."""
    import json

    script = axe_script()
    package = script.parent / "package.json" if script else None
    if package is None or not package.is_file():
        return "(unknown version)"
    return str(json.loads(package.read_text(encoding="utf-8")).get("version", "(unknown version)"))
