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
from typing import Any

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
