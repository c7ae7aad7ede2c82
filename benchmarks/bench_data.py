"""How fast the course datasets load and generate, and how big they are.

Targets (issue 3): every load() under 2 s on the course machine; committed data under 60 MB.
Run: .venv/bin/python benchmarks/bench_data.py [--generate]"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

from smartseoul import data
from smartseoul.data.build import builders, generate


def main() -> None:
    proc = psutil.Process()
    cat = data.catalog()
    print(f"{'resource':<28}{'rows':>12}{'MB':>8}{'load s':>9}")
    worst = 0.0
    total = 0
    for row in cat.itertuples():
        size = data.raw_path(row.name).stat().st_size
        total += size
        if row.role == "raw":
            print(f"{row.name:<28}{'raw':>12}{size / 1e6:>8.2f}{'-':>9}")
            continue
        t = time.perf_counter()
        data.load(row.name)
        dt = time.perf_counter() - t
        worst = max(worst, dt)
        print(f"{row.name:<28}{row.rows or 0:>12,}{size / 1e6:>8.2f}{dt:>9.3f}")
    print(f"\ncommitted data: {total / 1e6:.1f} MB (target < 60 MB)")
    print(f"slowest load(): {worst:.3f} s (target < 2 s)")
    if "--generate" in sys.argv:
        print("\ngeneration, one dataset at a time into a temporary folder:")
        with tempfile.TemporaryDirectory() as tmp:
            for name in builders():
                t = time.perf_counter()
                generate(Path(tmp), only=[name])
                print(f"  {name:<24}{time.perf_counter() - t:>8.2f} s")
    print(f"peak resident memory of this run: {proc.memory_info().rss / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
