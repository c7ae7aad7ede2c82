"""Benchmark of `make book`: the cold build time and the warm rebuild time with nothing changed.

Cold: an empty output folder (no Sphinx environment, no notebook execution cache) and no generated
pages (the data-catalogue figures and the student versions of the exercises are made again).
Warm: the same build again, nothing changed. Target: warm rebuild under 30 s.

    .venv/bin/python benchmarks/bench_book.py [--keep]

The build goes to a temporary folder, so the course's own _build/ is untouched; the generated
pages in book/_generated/ are rewritten (they are git-ignored and identical afterwards)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from smartseoul.book import audit, generated_dir, prepare, run_build  # noqa: E402
from smartseoul.cli import data_ensure  # noqa: E402

TARGET_WARM_S = 30


def cpu_seconds() -> float:
    t = os.times()
    return t.children_user + t.children_system + t.user + t.system


def timed_build(out: Path, label: str) -> float:
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    result = run_build(root=ROOT, output=out, capture=True, echo=lambda *_: None)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    if not result.ok:
        print("\n".join(result.output.splitlines()[-30:]))
        raise SystemExit(f"{label} build failed")
    print(f"{label:<28} {wall:7.1f} s wall  {cpu:7.1f} s CPU")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    args = parser.parse_args()
    data_ensure()
    tmp = Path(tempfile.mkdtemp(prefix="bench-book-"))
    try:
        shutil.rmtree(generated_dir(ROOT), ignore_errors=True)
        print(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (wall times grow with load)"
        )
        cold = timed_build(tmp, "cold build")
        t0 = time.perf_counter()
        prepare(ROOT, echo=lambda *_: None)
        prep = time.perf_counter() - t0
        print(f"{'  of which: generated pages':<28} {prep:7.1f} s wall  (warm, nothing changed)")
        warm = timed_build(tmp, "warm rebuild, no change")
        html = tmp / "_build" / "html"
        pages = len(audit.html_pages(html))
        notebooks = (
            len(list((tmp / "_build" / ".jupyter_cache").rglob("*.ipynb")))
            if (tmp / "_build" / ".jupyter_cache").exists()
            else 0
        )
        print(f"pages: {pages}; executed notebooks cached: {notebooks}")
        print(
            f"cold {cold:.1f} s; warm {warm:.1f} s (target < {TARGET_WARM_S} s: "
            f"{'met' if warm < TARGET_WARM_S else 'NOT met'})"
        )
    finally:
        if args.keep:
            print(f"build kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
