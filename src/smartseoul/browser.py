"""Debian's Chromium, found and started the same way by the course's tools and its tests.

The course never downloads a browser of its own: Playwright drives the machine's Chromium
(`apt-get install chromium`), or the one $SMARTSEOUL_CHROMIUM names."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Flags for a headless Chromium on a server or in CI (root, no GPU, no network chatter).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

NO_CHROMIUM = (
    "Chromium is missing. Install Debian's browser with 'apt-get install chromium', "
    "or set SMARTSEOUL_CHROMIUM=/path/to/chromium."
)


def find_chromium() -> Path | None:
    """Debian's Chromium (``apt-get install chromium``), or $SMARTSEOUL_CHROMIUM if set."""
    explicit = os.environ.get("SMARTSEOUL_CHROMIUM")
    candidates = [explicit] if explicit else []
    candidates += [
        p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")) if p
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None
