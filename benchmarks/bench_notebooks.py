"""Time every module notebook from a fresh kernel (target: each under 90 s on the course machine).

Run: .venv/bin/python benchmarks/bench_notebooks.py [pattern]"""

from __future__ import annotations

import sys

from smartseoul.testing import notebooks


def main() -> None:
    pattern = sys.argv[1] if len(sys.argv) > 1 else ""
    rows = []
    for path in notebooks.module_notebooks():
        if pattern in str(path):
            run = notebooks.execute(path)
            rows.append((path.parent.name + "/" + path.name, run.seconds))
            print(f"{rows[-1][0]:<70}{run.seconds:>7.1f} s", flush=True)
    if rows:
        worst = max(rows, key=lambda r: r[1])
        print(
            f"\n{len(rows)} notebooks, {sum(s for _, s in rows):.0f} s in all; slowest {worst[0]} at {worst[1]:.1f} s (target < 90 s)"
        )


if __name__ == "__main__":
    main()
